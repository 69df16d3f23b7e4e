/**
 * The CLI side of haplotype matching: with --truth and --ref, `diff` writes PREFIX.vcf.gz,
 * PREFIX.summary.csv (hap.py's columns, in order) and PREFIX.extended.csv and keeps its
 * existing outputs; without --ref it writes none of them and labels its truth rows "allele
 * matching"; --confident without --ref is refused.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CliContext } from '../../../../src/cli/framework/command';
import { runDiff } from '../../../../src/cli/commands/diff';
import { writeFasta } from '../../../../src/core/io/fasta/fastaWriter';
import { SUMMARY_COLUMNS } from '../../../../src/core/diff/haplotype/happyTables';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, 'haplotype-cli');
const REF = 'GATTACAGGCTCGATCGTTAGCCTAGGTCAGTTCGAGCTAGGCATCCGTAAGTCCG';

async function setup(): Promise<{ truth: string; query: string; ref: string; bed: string }> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const header = ['##fileformat=VCFv4.2', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">', `##contig=<ID=chrT,length=${REF.length}>`, '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1'];
  // Truth: MNP CA→TG at 6–7; query: the two SNPs, plus one call outside the confident region.
  const truth = join(DIR, 't.vcf');
  const query = join(DIR, 'q.vcf');
  writeFileSync(truth, [...header, 'chrT\t6\t.\tCA\tTG\t50\tPASS\t.\tGT\t0/1'].join('\n') + '\n');
  writeFileSync(query, [...header, 'chrT\t6\t.\tC\tT\t50\tPASS\t.\tGT\t0/1', 'chrT\t7\t.\tA\tG\t50\tPASS\t.\tGT\t0/1', 'chrT\t40\t.\tA\tC\t50\tPASS\t.\tGT\t0/1'].join('\n') + '\n');
  const ref = join(DIR, 'ref.fa');
  await writeFasta(ref, [{ name: 'chrT', seq: REF }]);
  const bed = join(DIR, 'conf.bed');
  writeFileSync(bed, 'chrT\t0\t30\n');
  return { truth, query, ref, bed };
}

function ctx(lines: string[]): CliContext {
  return { signal: new AbortController().signal, progress: () => undefined, out: (s: string) => { lines.push(s); } };
}

test('diff --truth A --ref writes the hap.py files next to the existing ones', async () => {
  const f = await setup();
  const out = join(DIR, 'with-ref');
  const lines: string[] = [];
  assert.equal(await runDiff([f.truth, f.query, '--truth', 'A', '--ref', f.ref, '--confident', f.bed, '--out', out], ctx(lines)), 0);
  for (const ext of ['.summary.json', '.sites.tsv', '.html', '.vcf.gz', '.summary.csv', '.extended.csv']) assert.ok(existsSync(out + ext), ext);
  const csv = readFileSync(`${out}.summary.csv`, 'utf8').trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(csv[0], [...SUMMARY_COLUMNS]);
  assert.deepEqual(csv.slice(1).map((r) => r.slice(0, 8)), [
    ['INDEL', 'ALL', '0', '0', '0', '0', '0', '0'],
    ['INDEL', 'PASS', '0', '0', '0', '0', '0', '0'],
    // The MNP's two SNPs are TP on both sides; the query call at 40 is outside the confident region: UNK.
    ['SNP', 'ALL', '2', '2', '0', '3', '0', '1'],
    ['SNP', 'PASS', '2', '2', '0', '3', '0', '1'],
  ]);
  const json = JSON.parse(readFileSync(`${out}.summary.json`, 'utf8')) as { truth: { matching: string }; happy: { matching: string }; haplotypes: { superloci: number } };
  assert.equal(json.truth.matching, 'allele');
  assert.equal(json.happy.matching, 'haplotype');
  assert.ok(json.haplotypes.superloci >= 2);
  assert.match(lines.join(''), /haplotype matching/);
  // The HTML report shows the same rows: summary.csv's Type, Filter, counts and metrics, cell for cell.
  const html = readFileSync(`${out}.html`, 'utf8');
  assert.match(html, /<h2>Against the truth: allele matching/);
  assert.match(html, /<h2>Against the truth: hap\.py summary, haplotype matching/);
  const table = /<table id="happy">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const cells = [...table.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]!));
  assert.deepEqual(cells[0], ['Type', 'Filter', 'TRUTH.TOTAL', 'TRUTH.TP', 'TRUTH.FN', 'QUERY.TOTAL', 'QUERY.FP', 'QUERY.UNK', 'FP.gt', 'METRIC.Recall', 'METRIC.Precision', 'METRIC.F1_Score']);
  const pick = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13];
  assert.deepEqual(cells.slice(1), csv.slice(1).map((r) => pick.map((i) => r[i]!)));
  assert.equal(cells.length, 5);
});

test('diff --truth without --ref: allele matching, labelled, no hap.py files; --confident is refused', async () => {
  const f = await setup();
  const out = join(DIR, 'no-ref');
  const lines: string[] = [];
  assert.equal(await runDiff([f.truth, f.query, '--truth', 'A', '--out', out], ctx(lines)), 0);
  assert.ok(existsSync(`${out}.summary.json`));
  for (const ext of ['.vcf.gz', '.summary.csv', '.extended.csv']) assert.ok(!existsSync(out + ext), ext);
  assert.match(lines.join(''), /allele matching; haplotype matching needs --ref/);
  const html = readFileSync(`${out}.html`, 'utf8');
  assert.match(html, /<h2>Against the truth: allele matching/);
  assert.doesNotMatch(html, /<table id="happy">/);
  assert.match(html, /no haplotype matching, so no hap\.py summary/);
  await assert.rejects(runDiff([f.truth, f.query, '--truth', 'A', '--confident', f.bed, '--out', out], ctx([])), /--confident needs --truth and --ref/);
});
