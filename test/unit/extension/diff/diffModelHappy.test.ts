/**
 * The diff editor's "Compare with a truth file" with a reference shows hap.py's summary with
 * haplotype matching (DiffTruthVs.happy), and its numbers equal PREFIX.summary.csv of
 * `variant-lens diff SIDE TRUTH --truth B --ref REF` for each side. The files write the same
 * haplotypes differently (an MNP in the truth, its two SNPs in A; a complex allele in the
 * truth, deletion + SNP in B), so allele matching and haplotype matching give different
 * numbers and the comparison cannot pass by accident. Without a reference there are no hap.py
 * rows (the page then labels its table "allele matching").
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CliContext } from '../../../../src/cli/framework/command';
import { runDiff } from '../../../../src/cli/commands/diff';
import { writeFasta } from '../../../../src/core/io/fasta/fastaWriter';
import { SUMMARY_COLUMNS } from '../../../../src/core/diff/haplotype/happyTables';
import { DiffModel } from '../../../../src/extension/diff/diffModel';
import { diffHappySummaries } from '../../../../src/protocol/validate';
import type { DiffHappyRow } from '../../../../src/protocol/protocol';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, 'diff-model-happy');
// 0-based: 5 C, 6 A (the MNP); 20 G, 21 T, 22 C (the complex allele GTC → A at POS 21).
const REF = 'GATTACAGGCTCGATCGTTAGTCAGCCTAGGTCAGTTCGAGCTAGGCATCCGTAAGTCCG';

async function setup(): Promise<{ a: string; b: string; truth: string; ref: string }> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const header = ['##fileformat=VCFv4.2', '##FILTER=<ID=PASS,Description="All filters passed">', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">', `##contig=<ID=chrT,length=${REF.length}>`, '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1'];
  const vcf = (name: string, lines: string[]): string => {
    const p = join(DIR, name);
    writeFileSync(p, [...header, ...lines].join('\n') + '\n');
    return p;
  };
  assert.equal(REF.slice(5, 7), 'CA');
  assert.equal(REF.slice(20, 23), 'GTC');
  const truth = vcf('truth.vcf', ['chrT\t6\t.\tCA\tTG\t50\tPASS\t.\tGT\t0/1', 'chrT\t21\t.\tGTC\tA\t50\tPASS\t.\tGT\t1/1', 'chrT\t40\t.\tA\tC\t50\tPASS\t.\tGT\t0/1']);
  // A: the MNP as two SNPs (haplotype TP), the complex allele as written, 40 missed, a FP at 50.
  const a = vcf('a.vcf', ['chrT\t6\t.\tC\tT\t40\tPASS\t.\tGT\t0/1', 'chrT\t7\t.\tA\tG\t40\tPASS\t.\tGT\t0/1', 'chrT\t21\t.\tGTC\tA\t40\tPASS\t.\tGT\t1/1', 'chrT\t50\t.\tG\tT\t40\tPASS\t.\tGT\t0/1']);
  // B: the MNP as written with another genotype (FP.gt), the complex allele as deletion + SNP (haplotype TP), 40 missed.
  const b = vcf('b.vcf', ['chrT\t6\t.\tCA\tTG\t30\tPASS\t.\tGT\t1/1', 'chrT\t21\t.\tGTC\tG\t30\tPASS\t.\tGT\t1/1', 'chrT\t21\t.\tG\tA\t30\tPASS\t.\tGT\t1/1']);
  const ref = join(DIR, 'ref.fa');
  await writeFasta(ref, [{ name: 'chrT', seq: REF }]);
  return { a, b, truth, ref };
}

const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: () => undefined };

/** PREFIX.summary.csv of `variant-lens diff SIDE TRUTH --truth B --ref REF`, as text cells. */
async function cliSummary(side: string, truth: string, ref: string, name: string): Promise<string[][]> {
  const out = join(DIR, name);
  assert.equal(await runDiff([side, truth, '--truth', 'B', '--ref', ref, '--no-features', '--out', out], ctx), 0);
  const lines = readFileSync(`${out}.summary.csv`, 'utf8').trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(lines[0], [...SUMMARY_COLUMNS]);
  return lines.slice(1);
}

/** A hap.py row as summary.csv writes it (the first 14 columns: counts and metrics). */
function csvCells(r: DiffHappyRow): string[] {
  const n = (x: number | null): string => (x === null ? '' : String(Math.round(x * 1e6) / 1e6));
  return [r.type, r.filter, r.truthTotal, r.truthTp, r.truthFn, r.queryTotal, r.queryFp, r.queryUnk, r.fpGt, r.fpAl, n(r.recall), n(r.precision), n(r.fracNa), n(r.f1)].map(String);
}

test('with a reference, the diff editor\'s hap.py rows for A and for B equal summary.csv of diff SIDE TRUTH --truth B --ref', async () => {
  const f = await setup();
  const model = new DiffModel({ fileA: f.a, fileB: f.b, truthFile: f.truth, reference: f.ref });
  await model.run(new AbortController().signal);
  const vs = model.init().truthVs!;
  assert.ok(vs.happy, 'hap.py rows with a reference');
  assert.equal(diffHappySummaries(vs.happy, 'happy'), undefined, 'the payload passes the page\'s check');
  const csvA = await cliSummary(f.a, f.truth, f.ref, 'a');
  const csvB = await cliSummary(f.b, f.truth, f.ref, 'b');
  assert.deepEqual(vs.happy.a.map(csvCells), csvA.map((r) => r.slice(0, 14)));
  assert.deepEqual(vs.happy.b.map(csvCells), csvB.map((r) => r.slice(0, 14)));
  // The numbers known by construction (so the equality above is not between two empty tables).
  const row = (rs: readonly DiffHappyRow[], type: string) => rs.find((r) => r.type === type && r.filter === 'ALL')!;
  // A: truth SNPs 2 (the MNP, TP) + 1 (at 40, missed); the FP at 50; INDEL: the complex allele TP.
  assert.deepEqual([row(vs.happy.a, 'SNP').truthTp, row(vs.happy.a, 'SNP').truthFn, row(vs.happy.a, 'SNP').queryFp, row(vs.happy.a, 'INDEL').truthTp], [2, 1, 1, 1]);
  // B: the MNP with another genotype (2 FN, 2 FP.gt), 40 missed, the complex allele matched by deletion + SNP.
  assert.deepEqual([row(vs.happy.b, 'SNP').truthTp, row(vs.happy.b, 'SNP').truthFn, row(vs.happy.b, 'SNP').fpGt, row(vs.happy.b, 'INDEL').truthTp, row(vs.happy.b, 'INDEL').truthFn], [0, 3, 2, 1, 0]);
  // Allele matching (the existing rows) misses what haplotype matching finds: A's MNP SNPs, B's complex allele.
  const allele = (m: typeof vs.a, type: string) => m.rows.find((r) => r.type === type)!;
  assert.ok(allele(vs.a, 'SNP').tp < row(vs.happy.a, 'SNP').truthTp, 'A: the MNP written as SNPs is a haplotype match only');
  assert.ok(allele(vs.b, 'INDEL').tp < row(vs.happy.b, 'INDEL').truthTp, 'B: deletion + SNP is a haplotype match only');
  await model.close();
});

test('without a reference there are no hap.py rows (allele matching only)', async () => {
  const f = await setup();
  const model = new DiffModel({ fileA: f.a, fileB: f.b, truthFile: f.truth });
  await model.run(new AbortController().signal);
  const vs = model.init().truthVs!;
  assert.equal(vs.happy, undefined);
  assert.ok(vs.a.rows.length > 0);
  await model.close();
});
