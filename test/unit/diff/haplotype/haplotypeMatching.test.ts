/**
 * Haplotype-aware matching on cases whose answer is known by construction: each pair of
 * files writes the same haplotypes in two ways (MNP vs SNPs, complex indel vs indel + SNP,
 * an indel shifted within its repeat, phased vs unphased, overlapping records, a
 * multi-allelic record vs split records), so each truth allele must count once as TP and
 * nothing as FP/FN. Controls: the same layouts with one genotype or one allele changed must
 * not match. The reference is written by the test; every position below is 1-based.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { openVcf } from '../../../../src/core/io/vcf/vcfReader';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { writeFasta } from '../../../../src/core/io/fasta/fastaWriter';
import { diffVcfs } from '../../../../src/core/diff/vcfDiff';
import { HappyRun } from '../../../../src/core/diff/haplotype/happyRun';
import { haplotypeStages } from '../../../../src/core/diff/haplotype/haplotypeStage';
import { replay, editOf } from '../../../../src/core/diff/haplotype/replay';
import type { DiffSite } from '../../../../src/core/diff/diffClasses';
import type { HappyRow } from '../../../../src/core/diff/haplotype/happyTables';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, 'haplotype-matching');

// 1-based positions: 1..40 unique sequence, 41..50 a CA repeat, then unique sequence again.
const UNIQUE = 'GATTACAGGCTCGATCGTTAGCCTAGGTCAGTTCGAGCTA'; // 40 bases
const REF = UNIQUE + 'CACACACACA' + 'TGGCATCCGTAAGTCCGATTGCAGGTACCTGAGTC' + 'A'.repeat(15);
const base = (pos: number): string => REF[pos - 1]!;

const HEADER = [
  '##fileformat=VCFv4.2',
  '##FILTER=<ID=PASS,Description="All filters passed">',
  '##FILTER=<ID=LowQual,Description="low">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  `##contig=<ID=chrT,length=${REF.length}>`,
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
];

function rec(pos: number, ref: string, alt: string, gt: string, filter = 'PASS'): string {
  assert.equal(REF.slice(pos - 1, pos - 1 + ref.length), ref, `REF at ${pos} must match the test reference`);
  return `chrT\t${pos}\t.\t${ref}\t${alt}\t50\t${filter}\t.\tGT\t${gt}`;
}

let refPath: string | undefined;
async function reference(): Promise<string> {
  if (refPath) return refPath;
  mkdirSync(DIR, { recursive: true });
  refPath = join(DIR, 'ref.fa');
  await writeFasta(refPath, [{ name: 'chrT', seq: REF }]);
  return refPath;
}

interface Run { rows: HappyRow[]; sites: DiffSite[]; vcfLines: string[]; stats: { replayed: number; superloci: number } }
// `stats`: the truth benchmark's superloci and replays (A vs B runs: the stage's).

async function run(name: string, truthRows: string[], queryRows: string[], truth: 'A' | 'B' | undefined = 'A'): Promise<Run> {
  mkdirSync(DIR, { recursive: true });
  const write = (side: string, rows: string[]): string => {
    const p = join(DIR, `${name}.${side}.vcf`);
    writeFileSync(p, [...HEADER, ...rows].join('\n') + '\n');
    return p;
  };
  const a = await openVcf(write('a', truthRows));
  const b = await openVcf(write('b', queryRows));
  const ref = await openReference(await reference());
  const prefix = join(DIR, name);
  const happy = truth ? new HappyRun({ prefix, truth, strata: [], contigs: await ref.contigs(), meta: [] }) : undefined;
  const sites: DiffSite[] = [];
  try {
    const summary = await diffVcfs(a, b, { reference: ref, truth, includeSame: true, onSite: (s) => sites.push(s), haplotypes: haplotypeStages(ref, { reclassify: true, consumer: happy?.counter }) });
    const out = happy?.finish();
    const vcfLines = out ? gunzipSync(readFileSync(`${prefix}.vcf.gz`)).toString('utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')) : [];
    return { rows: out?.rows ?? [], sites, vcfLines, stats: happy ? happy.counter.stats : summary.haplotypes! };
  } finally {
    await a.close();
    await b.close();
    await ref.close();
  }
}

function row(r: Run, type: 'SNP' | 'INDEL', filter: 'ALL' | 'PASS' = 'ALL'): HappyRow {
  return r.rows.find((x) => x.type === type && x.filter === filter)!;
}

/** TRUTH TP/FN and QUERY TP/FP of one row as a compact tuple. */
function counts(r: Run, type: 'SNP' | 'INDEL', filter: 'ALL' | 'PASS' = 'ALL'): [number, number, number, number] {
  const x = row(r, type, filter);
  return [x.truthTp, x.truthFn, x.queryTp, x.queryFp];
}

test('replay: an MNP and the two SNPs it is made of spell the same haplotypes', () => {
  const refSeq = 'ACGTA';
  const mnp = [editOf(2, 'CG', 'TT', 1)];
  const snps = [editOf(2, 'C', 'T', 1), editOf(3, 'G', 'T', 1)];
  assert.equal(replay(refSeq, 0, mnp, snps), 'genotype');
  // Hom MNP vs het SNPs: same ALT haplotype, other genotype.
  assert.equal(replay(refSeq, 0, [editOf(2, 'CG', 'TT', 2)], snps), 'allele');
  // One SNP only: the haplotypes differ.
  assert.equal(replay(refSeq, 0, mnp, [snps[0]!]), 'mismatch');
  // Too many hets for the limit.
  assert.equal(replay(refSeq, 0, mnp, snps, { maxHets: 1, maxSpan: 1000 }), 'too-big');
});

test('MNP vs SNPs: the two SNPs of the MNP count once each as TP on both sides', async () => {
  const p = 5;
  const ref = base(p) + base(p + 1);
  const alt = (base(p) === 'A' ? 'C' : 'A') + (base(p + 1) === 'G' ? 'T' : 'G');
  const r = await run('mnp', [rec(p, ref, alt, '0/1')], [rec(p, ref[0]!, alt[0]!, '0/1'), rec(p + 1, ref[1]!, alt[1]!, '0/1')]);
  assert.deepEqual(counts(r, 'SNP'), [2, 0, 2, 0]);
  assert.equal(row(r, 'SNP').truthTotal, 2);
  assert.deepEqual(counts(r, 'INDEL'), [0, 0, 0, 0]);
  assert.equal(r.stats.replayed, 0, 'after decomposing the MNP into SNPs the alleles pair up directly');
});

test('complex indel vs deletion + SNP: one truth INDEL TP; the query deletion and SNP are TP', async () => {
  const p = 10; // REF 3 bases; complex: the first base changes and the next two are deleted
  const ref = REF.slice(p - 1, p + 2);
  const sub = base(p) === 'T' ? 'G' : 'T';
  const r = await run('complex', [rec(p, ref, sub, '1/1')], [rec(p, ref, ref[0]!, '1/1'), rec(p, ref[0]!, sub, '1/1')]);
  assert.deepEqual(counts(r, 'INDEL'), [1, 0, 1, 0]);
  assert.deepEqual(counts(r, 'SNP'), [0, 0, 1, 0]);
  assert.equal(r.stats.replayed, 1);
  assert.ok(r.vcfLines.every((l) => /:TP:gm:cm;replay:/.test(l)), r.vcfLines.join('\n'));
  // Control: the same layout with het query calls is an allele match with another genotype (FP.gt).
  const c = await run('complex-gt', [rec(p, ref, sub, '1/1')], [rec(p, ref, ref[0]!, '0/1'), rec(p, ref[0]!, sub, '0/1')]);
  assert.deepEqual(counts(c, 'INDEL'), [0, 1, 0, 1]);
  assert.equal(row(c, 'INDEL').fpGt, 1);
  assert.equal(row(c, 'SNP').fpGt, 1);
});

test('indel shifted within a repeat: a CA deletion written at the right end of the repeat is the same TP', async () => {
  // CACACACACA at 41..50: deleting "CA" anywhere in it gives the same sequence.
  const left = rec(40, REF.slice(39, 42), REF[39]!, '0/1'); // anchor 40, deletes 41..42
  const right = rec(48, REF.slice(47, 50), REF[47]!, '0/1'); // anchor 48, deletes 49..50
  const r = await run('repeat', [left], [right]);
  assert.deepEqual(counts(r, 'INDEL'), [1, 0, 1, 0]);
});

test('phased vs unphased: phasing is not compared (hap.py and vcfeval defaults)', async () => {
  const s1 = rec(20, base(20), base(20) === 'A' ? 'G' : 'A', '1|0');
  const s2 = rec(22, base(22), base(22) === 'C' ? 'T' : 'C', '0|1');
  const r = await run('phase', [s1, s2], [s1.replace('1|0', '0/1'), s2.replace('0|1', '0/1')]);
  assert.deepEqual(counts(r, 'SNP'), [2, 0, 2, 0]);
  // Two phased SNPs on one haplotype vs the unphased MNP spanning them (and the base between).
  const mnpRef = REF.slice(19, 22);
  const mnpAlt = (base(20) === 'A' ? 'G' : 'A') + base(21) + (base(22) === 'C' ? 'T' : 'C');
  const m = await run('phase-mnp', [s1, s2.replace('0|1', '1|0')], [rec(20, mnpRef, mnpAlt, '0/1')]);
  assert.deepEqual(counts(m, 'SNP'), [2, 0, 2, 0]);
});

test('overlapping records and multi-allelic vs split: a deletion and a SNP inside it on the other haplotype', async () => {
  const p = 30;
  const ref = REF.slice(p - 1, p + 3); // 4 bases: anchor + 3 deleted
  const snpAlt = base(p + 2) === 'G' ? 'T' : 'G';
  const withSnp = ref.slice(0, 2) + snpAlt + ref.slice(3);
  const split = [rec(p, ref, ref[0]!, '0/1'), rec(p + 2, ref[2]!, snpAlt, '0/1')];
  const multi = [rec(p, ref, `${ref[0]!},${withSnp}`, '1/2')];
  const r = await run('overlap', split, multi);
  assert.deepEqual(counts(r, 'INDEL'), [1, 0, 1, 0]);
  assert.deepEqual(counts(r, 'SNP'), [1, 0, 1, 0]);
  const back = await run('overlap-back', multi, split);
  assert.deepEqual(counts(back, 'INDEL'), [1, 0, 1, 0]);
  assert.deepEqual(counts(back, 'SNP'), [1, 0, 1, 0]);
});

test('multi-allelic SNP record vs two records at the same position', async () => {
  const p = 15;
  const [x, y] = ['A', 'C', 'G', 'T'].filter((c) => c !== base(p)) as [string, string];
  const r = await run('multi', [rec(p, base(p), `${x},${y}`, '1/2')], [rec(p, base(p), x, '0/1'), rec(p, base(p), y, '0/1')]);
  assert.deepEqual(counts(r, 'SNP'), [2, 0, 2, 0]);
});

test('filtered truth records are not assessed; filtered query calls count in ALL but not in PASS', async () => {
  const s = (pos: number, gt: string, f = 'PASS'): string => rec(pos, base(pos), base(pos) === 'A' ? 'G' : 'A', gt, f);
  const r = await run('filters', [s(5, '0/1'), s(8, '0/1', 'LowQual')], [s(5, '0/1', 'LowQual'), s(8, '0/1')]);
  // Truth: only pos 5 (PASS). ALL: the LowQual query call at 5 matches (TP), 8 is an FP.
  assert.deepEqual(counts(r, 'SNP', 'ALL'), [1, 0, 1, 1]);
  // PASS: the query call at 5 is gone (truth FN); 8 is still an FP.
  assert.deepEqual(counts(r, 'SNP', 'PASS'), [0, 1, 0, 1]);
});

test('intermediate VCF: BD/BK counts equal the summary rows, and bcftools view reads it', async () => {
  const p = 10;
  const ref = REF.slice(p - 1, p + 2);
  const sub = base(p) === 'T' ? 'G' : 'T';
  const far = (pos: number): string => rec(pos, base(pos), base(pos) === 'A' ? 'G' : 'A', '0/1');
  const r = await run('vcf', [rec(p, ref, sub, '1/1'), far(60), far(70)], [rec(p, ref, ref[0]!, '1/1'), rec(p, ref[0]!, sub, '1/1'), far(60), far(80)]);
  const col = (l: string, k: number): string[] => l.split('\t')[k]!.split(':');
  for (const type of ['SNP', 'INDEL'] as const) {
    const x = row(r, type);
    const truth = r.vcfLines.map((l) => col(l, 9)).filter((c) => c[5] === type);
    const query = r.vcfLines.map((l) => col(l, 10)).filter((c) => c[5] === type);
    assert.equal(truth.filter((c) => c[1] === 'TP').length, x.truthTp, `${type} TRUTH.TP`);
    assert.equal(truth.filter((c) => c[1] === 'FN').length, x.truthFn, `${type} TRUTH.FN`);
    assert.equal(query.filter((c) => c[1] === 'TP').length, x.queryTp, `${type} QUERY.TP`);
    assert.equal(query.filter((c) => c[1] === 'FP').length, x.queryFp, `${type} QUERY.FP`);
  }
  assert.deepEqual(counts(r, 'SNP'), [1, 1, 2, 1]);
  let view: string;
  try {
    view = execFileSync('bcftools', ['view', '-H', join(DIR, 'vcf.vcf.gz')], { encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // bcftools not installed
    throw e;
  }
  assert.equal(view.trim().split('\n').length, r.vcfLines.length);
});

test('A vs B: an MNP vs its two SNPs is "same-haplotypes", not only-A + only-B', async () => {
  const p = 5;
  const ref = base(p) + base(p + 1);
  const alt = (base(p) === 'A' ? 'C' : 'A') + (base(p + 1) === 'G' ? 'T' : 'G');
  const r = await run('ab', [rec(p, ref, alt, '1/1')], [rec(p, ref[0]!, alt[0]!, '1/1'), rec(p + 1, ref[1]!, alt[1]!, '1/1')], undefined);
  assert.deepEqual(r.sites.map((s) => [s.pos, s.ref, s.alt, s.classes.join('+')]), [
    [p, ref, alt, 'same-haplotypes'],
    [p, ref[0], alt[0], 'same-haplotypes'],
    [p + 1, ref[1], alt[1], 'same-haplotypes'],
  ]);
  // Control: with only one of the SNPs the haplotypes differ and the classes stay.
  const c = await run('ab-control', [rec(p, ref, alt, '1/1')], [rec(p, ref[0]!, alt[0]!, '1/1')], undefined);
  assert.deepEqual(c.sites.map((s) => s.classes.join('+')), ['only-A', 'only-B']);
});
