/**
 * Generated VCFs for the e2e suite (into .cache/, never committed): a small 2-sample .vcf
 * and a 5,000,000-record single-sample .vcf.gz (bgzip + tabix through the htslib CLIs).
 * Deterministic (seeded), so reruns reuse the cached files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** xorshift32: small seeded PRNG so the files are identical on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const BASES = ['A', 'C', 'G', 'T'];

function header(samples: string[], contigs: [string, number][]): string {
  return [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FILTER=<ID=RefCall,Description="Genotyping model thinks this site is reference.">',
    '##FILTER=<ID=LowQual,Description="Confidence in this variant being real is below calling threshold.">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position (for use with symbolic alleles)">',
    '##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP membership">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Conditional genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Read depth for each allele">',
    '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele fractions.">',
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods rounded to the closest integer">',
    ...contigs.map(([c, l]) => `##contig=<ID=${c},length=${l}>`),
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...samples].join('\t'),
  ].join('\n') + '\n';
}

function record(r: () => number, chrom: string, pos: number, nSamples: number): string {
  const ref = BASES[Math.floor(r() * 4)]!;
  let alt = BASES[(BASES.indexOf(ref) + 1 + Math.floor(r() * 3)) % 4]!;
  if (r() < 0.1) alt = ref + 'TG'.slice(0, 1 + Math.floor(r() * 2)); // insertion
  const qual = (r() * 60).toFixed(1);
  const filter = Number(qual) < 5 ? 'RefCall' : 'PASS';
  const samples: string[] = [];
  for (let s = 0; s < nSamples; s++) {
    const gt = filter === 'RefCall' ? '0/0' : r() < 0.6 ? '0/1' : '1/1';
    const dp = 10 + Math.floor(r() * 40);
    const altReads = gt === '0/0' ? Math.floor(r() * 3) : gt === '0/1' ? Math.floor(dp / 2) : dp - 1;
    samples.push(`${gt}:${Math.floor(r() * 60)}:${dp}:${dp - altReads},${altReads}:${(altReads / dp).toFixed(4)}:${Math.floor(r() * 50)},0,${Math.floor(r() * 80)}`);
  }
  return `${chrom}\t${pos}\t.\t${ref}\t${alt}\t${qual}\t${filter}\t${r() < 0.1 ? 'DB' : '.'}\tGT:GQ:DP:AD:VAF:PL\t${samples.join('\t')}\n`;
}

/** A 300-record, 2-sample plain VCF on chr20 and chr21. */
export function smallVcf(dir: string): string {
  const path = join(dir, 'small.vcf');
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const r = rng(20);
  let text = header(['NA12878', 'HG003'], [['chr20', 64444167], ['chr21', 46709983]]);
  let pos = 10_000_000;
  for (let i = 0; i < 300; i++) {
    const chrom = i < 200 ? 'chr20' : 'chr21';
    if (i === 200) pos = 5_000_000;
    pos += 1 + Math.floor(r() * 500);
    text += record(r, chrom, pos, 2);
  }
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return path;
}

export const BIG_RECORDS = 5_000_000;

/** 5,000,000 records on chr1..chr3, bgzipped and tabix-indexed. Takes ~20 s the first time. */
export async function bigVcfGz(dir: string): Promise<string> {
  const path = join(dir, 'big.vcf.gz');
  if (existsSync(path) && existsSync(`${path}.tbi`)) return path;
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const bgzip = spawn('sh', ['-c', `bgzip -@ 2 -c > '${tmp}'`], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<number | null>((res) => bgzip.on('exit', res));
  const out = bgzip.stdin!;
  const write = (s: string) => new Promise<void>((res) => (out.write(s) ? res() : out.once('drain', () => res())));
  const contigs: [string, number][] = [['chr1', 248956422], ['chr2', 242193529], ['chr3', 198295559]];
  await write(header(['NA12878'], contigs));
  const r = rng(5);
  const perContig = Math.ceil(BIG_RECORDS / contigs.length);
  let n = 0;
  for (const [chrom] of contigs) {
    let pos = 10_000;
    let chunk = '';
    for (let i = 0; i < perContig && n < BIG_RECORDS; i++, n++) {
      pos += 1 + Math.floor(r() * 60);
      chunk += record(r, chrom, pos, 1);
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  }
  out.end();
  if ((await done) !== 0) throw new Error('bgzip failed');
  renameSync(tmp, path);
  const t = spawnSync('tabix', ['-f', '-p', 'vcf', path], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`tabix failed: ${t.stderr}`);
  return path;
}
