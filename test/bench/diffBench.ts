/**
 * `npm run bench:diff` — our diff next to `bcftools isec -p` on two 5,000,000-record VCFs
 * (bgzipped + tabix-indexed) with a known set of differences, twice: the plain diff (no
 * reference) and the diff with site features (`--ref`: left-alignment, the haplotype stage and
 * the features stage, decision 0016). The generator also writes the matching FASTA (REF
 * alleles are the reference's bases; runs of one base planted every ~2 kb).
 *
 * The inputs are generated once (seeded) into .cache/bench/diff-v1/ with the counts of each
 * planted difference; both tools then run as child processes under /usr/bin/time -v in the
 * same run (wall time and peak RSS), and our class counts must equal the planted ones.
 *
 * Planted per record (B derived from A): only-A (dropped from B), only-B (dropped from A),
 * gt-change (0/1 ↔ 1/1), filter-change with the call kept (PASS → LowQual), RefCall in B
 * (B writes GT 0/0 with FILTER RefCall: our only-A + filter-change; bcftools isec sees it
 * as shared), qual-change (QUAL + 25), ALT change (A C>T, B C>G: one only-A and one only-B).
 *
 * `DIFF_BENCH_ROUNDS=N` runs the three commands N times in a row and prints each round's CPU
 * ratios; the summary is each command's best CPU time over the rounds (ratios of bests).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/paths';
import { Sink, rng } from './benchWrite';

const RECORDS = Number(process.env.DIFF_BENCH_RECORDS ?? 5_000_000);
const DIR = join(PROJECT_ROOT, '.cache', 'bench', `diff-v2-${RECORDS}`);
const CONTIGS = ['chr1', 'chr2', 'chr3', 'chr4', 'chr5'];

interface Planted {
  records: number;
  onlyA: number; onlyB: number; gtChange: number; filterKept: number; refCall: number; qualChange: number; altChange: number;
}

function bgzipTo(path: string): { sink: Sink; done: Promise<void> } {
  const child = spawn('sh', ['-c', `bgzip -c -@ 2 > '${path}'`], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bgzip exited ${code}`)))));
  return { sink: new Sink(child.stdin), done };
}

async function generate(): Promise<Planted> {
  mkdirSync(DIR, { recursive: true });
  const header = [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FILTER=<ID=RefCall,Description="Genotyping model thinks this site is reference.">',
    '##FILTER=<ID=LowQual,Description="Confidence in this variant being real is below calling threshold.">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Conditional genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele fractions">',
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">',
    ...CONTIGS.map((c) => `##contig=<ID=${c},length=${CONTIG_LENGTH}>`),
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE',
  ].join('\n');
  const a = bgzipTo(join(DIR, 'a.vcf.gz'));
  const b = bgzipTo(join(DIR, 'b.vcf.gz'));
  await a.sink.push(header);
  await b.sink.push(header);
  const r = rng(0x5eed);
  const fasta = bgzipTo(join(DIR, 'ref.fa.tmp'));
  const p: Planted = { records: RECORDS, onlyA: 0, onlyB: 0, gtChange: 0, filterKept: 0, refCall: 0, qualChange: 0, altChange: 0 };
  const bases = 'ACGT';
  const perContig = Math.ceil(RECORDS / CONTIGS.length);
  let n = 0;
  for (const contig of CONTIGS) {
    const seq = contigSequence(r);
    await writeFastaContig(fasta.sink, contig, seq);
    let pos = 1000;
    for (let i = 0; i < perContig && n < RECORDS; i++, n++) {
      pos += 1 + Math.floor(r() * 40) + (i === 0 ? 0 : 10); // ≥ 11 apart: deletions (≤ 5 bp) never overlap the next record
      const refBase = seq[pos - 1]!;
      let ref = refBase;
      let alt: string;
      const kind = r();
      if (kind < 0.85) {
        alt = bases[(bases.indexOf(refBase) + 1 + Math.floor(r() * 3)) % 4]!;
      } else if (kind < 0.925) {
        let ins = '';
        for (let k = 1 + Math.floor(r() * 5); k > 0; k--) ins += bases[Math.floor(r() * 4)];
        alt = refBase + ins;
      } else {
        ref = seq.slice(pos - 1, pos + 1 + Math.floor(r() * 5));
        alt = refBase;
      }
      const hom = r() < 0.4;
      const gt = hom ? '1/1' : '0/1';
      const qual = (10 + Math.floor(r() * 600) / 10).toFixed(1);
      const dp = 20 + Math.floor(r() * 40);
      const altReads = hom ? dp : Math.floor(dp / 2);
      const sample = (g: string, gq: string): string => `${g}:${gq}:${dp}:${dp - altReads},${altReads}:${(altReads / dp).toFixed(6)}:${hom ? '40,45,0' : '35,0,40'}`;
      const line = (al: string, q: string, f: string, g: string): string => `${contig}\t${pos}\t.\t${ref}\t${al}\t${q}\t${f}\t.\tGT:GQ:DP:AD:VAF:PL\t${sample(g, q.split('.')[0]!)}`;
      const u = r();
      const lineA = line(alt, qual, 'PASS', gt);
      if (u < 0.01) { p.onlyA++; await a.sink.push(lineA); continue; }
      if (u < 0.02) { p.onlyB++; await b.sink.push(lineA); continue; }
      await a.sink.push(lineA);
      if (u < 0.03) { p.gtChange++; await b.sink.push(line(alt, qual, 'PASS', hom ? '0/1' : '1/1')); continue; }
      if (u < 0.04) { p.filterKept++; await b.sink.push(line(alt, qual, 'LowQual', gt)); continue; }
      if (u < 0.045) { p.refCall++; await b.sink.push(line(alt, qual, 'RefCall', '0/0')); continue; }
      if (u < 0.055) { p.qualChange++; await b.sink.push(line(alt, (Number(qual) + 25).toFixed(1), 'PASS', gt)); continue; }
      if (u < 0.057 && ref.length === 1 && alt.length === 1) {
        p.altChange++;
        const other = [...bases].find((x) => x !== ref && x !== alt)!;
        await b.sink.push(line(other, qual, 'PASS', gt));
        continue;
      }
      await b.sink.push(lineA);
    }
  }
  for (const x of [a, b, fasta]) {
    await x.sink.end();
    await x.done;
  }
  return p;
}

/** Longest contig the records can reach: 1,000 + per record at most 50 bases, plus a margin. */
const CONTIG_LENGTH = 1000 + Math.ceil(RECORDS / CONTIGS.length) * 51 + 5000;

/** A contig's bases: uniform, with a run of 6–13 copies of one base every ~2 kb. */
function contigSequence(r: () => number): string {
  const out = Buffer.alloc(CONTIG_LENGTH);
  const codes = [65, 67, 71, 84];
  for (let i = 0; i < CONTIG_LENGTH; i++) out[i] = codes[Math.floor(r() * 4)]!;
  for (let i = 1500; i + 20 < CONTIG_LENGTH; i += 1500 + Math.floor(r() * 1000)) out.fill(codes[Math.floor(r() * 4)]!, i, i + 6 + Math.floor(r() * 8));
  return out.toString('latin1');
}

async function writeFastaContig(sink: Sink, name: string, seq: string): Promise<void> {
  await sink.push(`>${name}`);
  const lines: string[] = [];
  for (let i = 0; i < seq.length; i += 60) {
    lines.push(seq.slice(i, i + 60));
    if (lines.length === 100_000) { await sink.push(lines.join('\n')); lines.length = 0; }
  }
  if (lines.length > 0) await sink.push(lines.join('\n'));
}

interface Timed { wallS: number; cpuS: number; maxRssMb: number; stdout: string }

function timed(cmd: string, args: string[]): Timed {
  const res = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}):\n${res.stderr.slice(-2000)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(res.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr);
  if (!wall || !rss) throw new Error(`no /usr/bin/time -v output for ${cmd}`);
  const wallS = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  // CPU time (user + system) too: on a shared machine the wall time also measures the neighbours.
  const user = /User time \(seconds\): ([\d.]+)/.exec(res.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(res.stderr);
  const cpuS = Number(user?.[1] ?? NaN) + Number(sys?.[1] ?? NaN);
  return { wallS, cpuS, maxRssMb: Number(rss[1]) / 1024, stdout: res.stdout };
}

function countRecords(vcf: string): number {
  return readFileSync(vcf, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

async function main(): Promise<void> {
  const plantedPath = join(DIR, 'planted.json');
  let planted: Planted;
  if (existsSync(plantedPath) && existsSync(join(DIR, 'b.vcf.gz.tbi'))) {
    planted = JSON.parse(readFileSync(plantedPath, 'utf8')) as Planted;
    console.log(`using cached inputs in ${DIR}`);
  } else {
    const t0 = Date.now();
    console.log(`generating 2 × ${RECORDS} records into ${DIR} …`);
    planted = await generate();
    for (const f of ['a.vcf.gz', 'b.vcf.gz']) {
      const r = spawnSync('tabix', ['-f', '-p', 'vcf', join(DIR, f)], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`tabix failed on ${f}`);
    }
    // The FASTA was written bgzipped; samtools faidx indexes it (.fai + .gzi).
    renameSync(join(DIR, 'ref.fa.tmp'), join(DIR, 'ref.fa.gz'));
    const fx = spawnSync('samtools', ['faidx', join(DIR, 'ref.fa.gz')], { stdio: 'inherit' });
    if (fx.status !== 0) throw new Error('samtools faidx failed on ref.fa.gz');
    writeFileSync(plantedPath, JSON.stringify(planted, null, 2));
    console.log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const a = join(DIR, 'a.vcf.gz');
  const b = join(DIR, 'b.vcf.gz');

  const isecDir = join(DIR, 'isec');
  // DIFF_BENCH_ROUNDS=N: the three commands N times in a row (each round's ratios printed);
  // the summary below takes each command's best (lowest) CPU time over the rounds, as
  // bench:happy does (one command's CPU time moves by ±20 % between rounds on a shared machine).
  const rounds = Math.max(1, Number(process.env.DIFF_BENCH_ROUNDS ?? 1));
  let isec!: Timed;
  let ours!: Timed;
  let withFeatures!: Timed;
  const lower = (best: Timed | undefined, t: Timed): Timed => (best === undefined || t.cpuS < best.cpuS ? t : best);
  for (let round = 1; round <= rounds; round++) {
    rmSync(isecDir, { recursive: true, force: true });
    const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const loadBefore = load();
    const isecRun = timed('bcftools', ['isec', '-c', 'none', '-p', isecDir, a, b]);
    const oursRun = timed(process.execPath, ['dist/cli.js', 'diff', a, b, '--out', join(DIR, 'ours')]);
    const featuresRun = timed(process.execPath, ['dist/cli.js', 'diff', a, b, '--ref', join(DIR, 'ref.fa.gz'), '--out', join(DIR, 'features')]);
    if (rounds > 1) {
      console.log(`round ${round}: isec ${isecRun.cpuS.toFixed(2)} s CPU, diff ${oursRun.cpuS.toFixed(2)} s (${(oursRun.cpuS / isecRun.cpuS).toFixed(2)}×), diff --ref ${featuresRun.cpuS.toFixed(2)} s (${(featuresRun.cpuS / isecRun.cpuS).toFixed(2)}×); load ${loadBefore} → ${load()}`);
    }
    isec = lower(round === 1 ? undefined : isec, isecRun);
    ours = lower(round === 1 ? undefined : ours, oursRun);
    withFeatures = lower(round === 1 ? undefined : withFeatures, featuresRun);
  }
  const featureSummary = JSON.parse(readFileSync(join(DIR, 'features.summary.json'), 'utf8')) as { classes: Record<string, { total: number }>; features?: { totals: Record<string, number> }; enrichment?: { text: string }[] };

  const summary = JSON.parse(readFileSync(join(DIR, 'ours.summary.json'), 'utf8')) as { classes: Record<string, { total: number }>; sharedCalled: number };
  const got = {
    'only-A': summary.classes['only-A']!.total,
    'only-B': summary.classes['only-B']!.total,
    'gt-change': summary.classes['gt-change']!.total,
    'filter-change': summary.classes['filter-change']!.total,
    'qual-change': summary.classes['qual-change']!.total,
  };
  const want = {
    'only-A': planted.onlyA + planted.refCall + planted.altChange,
    'only-B': planted.onlyB + planted.altChange,
    'gt-change': planted.gtChange,
    'filter-change': planted.filterKept + planted.refCall,
    'qual-change': planted.qualChange,
  };
  // bcftools isec compares records regardless of GT: the RefCall records count as shared.
  const isecGot = { privateA: countRecords(join(isecDir, '0000.vcf')), privateB: countRecords(join(isecDir, '0001.vcf')) };
  const isecWant = { privateA: planted.onlyA + planted.altChange, privateB: planted.onlyB + planted.altChange };

  const ratio = ours.wallS / isec.wallS;
  console.log('');
  if (rounds > 1) console.log(`best of ${rounds} rounds, each command's lowest CPU time (ratios of bests):`);
  console.log(`records per file: ${RECORDS} (planted: ${JSON.stringify(planted)})`);
  console.log(`bcftools isec -p : ${isec.wallS.toFixed(2)} s wall, ${isec.cpuS.toFixed(2)} s CPU, ${isec.maxRssMb.toFixed(0)} MB max RSS`);
  console.log(`variant-lens diff: ${ours.wallS.toFixed(2)} s wall, ${ours.cpuS.toFixed(2)} s CPU, ${ours.maxRssMb.toFixed(0)} MB max RSS`);
  console.log(`variant-lens diff --ref (features): ${withFeatures.wallS.toFixed(2)} s wall, ${withFeatures.cpuS.toFixed(2)} s CPU, ${withFeatures.maxRssMb.toFixed(0)} MB max RSS`);
  const plainRatio = ours.cpuS / isec.cpuS;
  const featureRatio = withFeatures.cpuS / isec.cpuS;
  console.log(`CPU-time ratio (ours / bcftools isec): ${plainRatio.toFixed(2)}  ${plainRatio <= 0.6 ? '(goal ≤ 0.6 met)' : '(goal ≤ 0.6 NOT met)'}`);
  console.log(`CPU-time ratio with features (ours --ref / bcftools isec): ${featureRatio.toFixed(2)}  ${featureRatio <= 0.9 ? '(goal ≤ 0.9 met)' : '(goal ≤ 0.9 NOT met)'}`);
  console.log(`features: ${JSON.stringify(featureSummary.features?.totals)}; top enrichment: ${featureSummary.enrichment?.[0]?.text ?? 'none'}`);
  console.log(`time ratio (ours / bcftools isec): ${ratio.toFixed(2)}  ${ratio <= 1 ? '(no slower: aim met)' : '(slower than bcftools isec: aim NOT met)'}`);
  console.log(`our counts:    ${JSON.stringify(got)}`);
  console.log(`planted:       ${JSON.stringify(want)}`);
  console.log(`isec private:  ${JSON.stringify(isecGot)} (planted ${JSON.stringify(isecWant)})`);
  // With the reference the same planted differences come out (the REF alleles are the reference's, nothing moves).
  const gotFeatures = Object.fromEntries(Object.keys(got).map((k) => [k, featureSummary.classes[k]!.total]));
  console.log(`with --ref:    ${JSON.stringify(gotFeatures)}`);
  const ok = JSON.stringify(got) === JSON.stringify(want) && JSON.stringify(gotFeatures) === JSON.stringify(want) && JSON.stringify(isecGot) === JSON.stringify(isecWant);
  console.log(ok ? 'counts: OK' : 'counts: MISMATCH');
  if (!ok) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
