/**
 * Small real fixtures for the bad-input suite, made at test time in a temp folder with
 * samtools, bgzip and tabix (the tools whose files users have): a two-contig reference
 * (plain and bgzipped, with .fai/.gzi), a coordinate-sorted BAM with .bai, CRAMs with and
 * without an embedded reference, a VCF (plain and bgzipped with .tbi). Everything is
 * seeded, so each run makes the same bytes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VariantLensError } from '../../../src/core/errors';
import { seededRandom } from '../../helpers/seededRandom';

export function sh(cmd: string, args: string[], input?: string | Buffer): string {
  const r = spawnSync(cmd, args, { input, encoding: 'buffer', maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`${cmd} could not start (${r.error.message}); is it installed?`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout.toString('latin1');
}

/** The tools may still be installing when the suite starts: wait up to a few minutes. */
export function waitForTools(tools = ['samtools', 'bgzip', 'tabix']): void {
  const deadline = Date.now() + 5 * 60_000;
  for (const t of tools) {
    while (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) {
      if (Date.now() > deadline) throw new Error(`${t} is not installed`);
      spawnSync('sleep', ['5']);
    }
  }
}

export interface Fixtures {
  readonly dir: string;
  /** Reference bases per contig. */
  readonly contigs: ReadonlyMap<string, string>;
  readonly ref: string;
  readonly refGz: string;
  readonly bam: string;
  readonly cram: string;
  readonly cramEmbedded: string;
  readonly vcf: string;
  readonly vcfGz: string;
  /** The VCF's data lines (without header), in order. */
  readonly vcfRecords: readonly string[];
  readonly vcfHeader: readonly string[];
  /** A path in `dir` for a new file. */
  file(name: string): string;
  cleanup(): void;
}

const BASES = 'ACGT';

export function makeFixtures(opts: { contigLength?: number; reads?: number; records?: number } = {}): Fixtures {
  waitForTools();
  const dir = mkdtempSync(join(tmpdir(), 'vl-bad-'));
  const rand = seededRandom(7);
  const len = opts.contigLength ?? 6000;
  const contigs = new Map<string, string>();
  for (const [name, n] of [['chr1', len], ['chr2', Math.floor(len / 2)]] as const) {
    let s = '';
    for (let i = 0; i < n; i++) s += BASES[Math.floor(rand() * 4)]!;
    contigs.set(name, s);
  }
  const fasta = [...contigs].map(([n, s]) => `>${n} test contig\n${s.match(/.{1,60}/g)!.join('\n')}\n`).join('');
  const ref = join(dir, 'ref.fa');
  writeFileSync(ref, fasta);
  sh('samtools', ['faidx', ref]);
  const refGz = join(dir, 'refgz.fa.gz');
  writeFileSync(refGz, sh('bgzip', ['-c', ref]), 'latin1');
  sh('samtools', ['faidx', refGz]);

  // Reads: 100-bp, one mismatch each, spread over both contigs; a few with an insertion.
  const sam: string[] = ['@HD\tVN:1.6\tSO:coordinate', ...[...contigs].map(([n, s]) => `@SQ\tSN:${n}\tLN:${s.length}`), '@RG\tID:rg1\tSM:S1'];
  const nReads = opts.reads ?? 400;
  const placed: { contig: string; pos: number; line: string }[] = [];
  for (let i = 0; i < nReads; i++) {
    const contig = i % 3 === 2 ? 'chr2' : 'chr1';
    const s = contigs.get(contig)!;
    const pos = 1 + Math.floor(rand() * (s.length - 120));
    const seq = s.slice(pos - 1, pos - 1 + 100).split('');
    const k = 10 + Math.floor(rand() * 80);
    seq[k] = BASES[(BASES.indexOf(seq[k]!) + 1) % 4]!;
    const cigar = i % 7 === 0 ? '40M2I58M' : '100M';
    const bases = i % 7 === 0 ? [...seq.slice(0, 40), 'T', 'T', ...seq.slice(40, 98)].join('') : seq.join('');
    const qual = Array.from({ length: 100 }, () => String.fromCharCode(33 + 20 + Math.floor(rand() * 20))).join('');
    placed.push({ contig, pos, line: [`r${i}`, String(i % 2 ? 16 : 0), contig, String(pos), '60', cigar, '*', '0', '0', bases, qual, 'RG:Z:rg1'].join('\t') });
  }
  placed.sort((a, b) => (a.contig === b.contig ? a.pos - b.pos : a.contig < b.contig ? -1 : 1));
  const samPath = join(dir, 'reads.sam');
  writeFileSync(samPath, [...sam, ...placed.map((p) => p.line)].join('\n') + '\n');
  const bam = join(dir, 'reads.bam');
  sh('samtools', ['view', '-b', '-o', bam, samPath]);
  sh('samtools', ['index', bam]);
  const cram = join(dir, 'reads.cram');
  sh('samtools', ['view', '-C', '-T', ref, '-o', cram, bam]);
  sh('samtools', ['index', cram]);
  const cramEmbedded = join(dir, 'embedded.cram');
  sh('samtools', ['view', '-C', '-T', ref, '--output-fmt-option', 'embed_ref=1', '-o', cramEmbedded, bam]);
  sh('samtools', ['index', cramEmbedded]);

  // VCF: SNPs and a few indels with GT/GQ, one sample.
  const vcfHeader = [
    '##fileformat=VCFv4.2',
    ...[...contigs].map(([n, s]) => `##contig=<ID=${n},length=${s.length}>`),
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  ];
  const vcfRecords: string[] = [];
  const nRec = opts.records ?? 120;
  for (const [name, s] of contigs) {
    let pos = 5;
    const n = name === 'chr1' ? Math.ceil(nRec * 2 / 3) : Math.floor(nRec / 3);
    for (let i = 0; i < n && pos < s.length - 10; i++) {
      pos += 1 + Math.floor(rand() * Math.max(2, (s.length - 20) / n));
      if (pos >= s.length - 5) break;
      const refBase = s[pos - 1]!;
      let refA = refBase;
      let alt = BASES[(BASES.indexOf(refBase) + 1 + (i % 3)) % 4]!;
      if (i % 9 === 4) { refA = s.slice(pos - 1, pos + 1); alt = refBase; } // deletion
      const gt = ['0/1', '1/1', '0|1'][i % 3]!;
      vcfRecords.push([name, pos, '.', refA, alt, (20 + (i % 40)).toFixed(1), 'PASS', '.', 'GT:GQ', `${gt}:${10 + (i % 50)}`].join('\t'));
      pos += refA.length;
    }
  }
  const vcf = join(dir, 'calls.vcf');
  writeFileSync(vcf, [...vcfHeader, ...vcfRecords].join('\n') + '\n');
  const vcfGz = join(dir, 'calls.vcf.gz');
  writeFileSync(vcfGz, sh('bgzip', ['-c', vcf]), 'latin1');
  sh('tabix', ['-p', 'vcf', vcfGz]);
  // Indexes written after their data: make them clearly newer (mtime resolution).
  const later = new Date(Date.now() + 2000);
  for (const f of [`${refGz}.fai`, `${refGz}.gzi`, `${ref}.fai`, `${bam}.bai`, `${cram}.crai`, `${cramEmbedded}.crai`, `${vcfGz}.tbi`]) utimesSync(f, later, later);

  return {
    dir, contigs, ref, refGz, bam, cram, cramEmbedded, vcf, vcfGz, vcfRecords, vcfHeader,
    file: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Copies `src` (and the listed sidecar suffixes) to `dst` in the same folder. */
export function copyWith(src: string, dst: string, suffixes: readonly string[] = []): string {
  copyFileSync(src, dst);
  for (const s of suffixes) copyFileSync(src + s, dst + s);
  return dst;
}

export interface Expected {
  readonly code: string;
  /** The file the message must name (default: the one given to the call). */
  readonly file: string;
  /** The line or record the message must name, e.g. "line 12" or 'record "r3"'. */
  readonly where?: string;
  /** The problem, in words. */
  readonly problem: RegExp;
}

/** Asserts `fn` rejects with exactly one VariantLensError that names file, line/record and problem. */
export async function expectBad(fn: () => Promise<unknown>, want: Expected): Promise<VariantLensError> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected a ${want.code} error about ${want.file}, but the call succeeded`);
  assert.ok(err instanceof VariantLensError, `expected a VariantLensError, got ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`);
  const e = err as VariantLensError;
  assert.equal(e.code, want.code, `code of: ${e.message}`);
  assert.ok(e.message.includes(want.file), `message names ${want.file}: ${e.message}`);
  if (want.where) assert.ok(e.message.includes(want.where), `message names ${want.where}: ${e.message}`);
  assert.match(e.message, want.problem);
  assert.ok(!e.message.includes('\n    at '), 'no stack trace in the message');
  return e;
}
