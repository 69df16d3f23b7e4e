/**
 * One verdict per site (issue #19, pain 4; docs/decisions/0011-one-review-file.md): a table of
 * A, a diff of A against B and the inspector use the same workspace review file, so a verdict
 * set in the diff is the table row's REVIEW cell; a multi-allelic table record shows its
 * alleles' verdicts (a conflict when they differ); progress counts the diff's disputes, not
 * its QUAL-only sites. vscode-free parts only (reviewLocation.ts, reviewWorkspace.ts,
 * reviewProgress.ts).
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_REVIEW_FILE, workspaceReviewPath } from '../../../../src/core/review/reviewLocation';
import { DISPUTE_VOCABULARY } from '../../../../src/core/review/vocabulary';
import { ReviewWorkspace } from '../../../../src/extension/review/reviewWorkspace';
import { DisputeProgressCache, badgeOf, disputeProgress, progressText, statusText } from '../../../../src/extension/review/reviewProgress';
import { isDispute } from '../../../../src/core/diff/diffClasses';
import type { DiffClass, DiffSite } from '../../../../src/core/diff/diffClasses';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, `one-review-file-${process.pid}`);
const VCF_A = join(DIR, 'data', 'default.vcf.gz');
const VCF_B = join(DIR, 'data', 'retrained.vcf.gz');

beforeEach(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(join(DIR, 'data'), { recursive: true });
});

function workspace(): ReviewWorkspace {
  let t = 0;
  return new ReviewWorkspace({ vocabulary: () => DISPUTE_VOCABULARY, reviewer: () => 'alice', now: () => new Date(Date.UTC(2024, 4, 1, 12, 0, t++)) });
}

test('the table of A and the diff of A vs B name the same review file', () => {
  const folders = [DIR];
  const table = workspaceReviewPath({ dataFile: VCF_A, workspaceFolders: folders });
  const diff = workspaceReviewPath({ dataFile: VCF_A, workspaceFolders: folders });
  const tableB = workspaceReviewPath({ dataFile: VCF_B, workspaceFolders: folders });
  assert.equal(table, join(DIR, WORKSPACE_REVIEW_FILE));
  assert.equal(diff, table);
  assert.equal(tableB, table, 'B\'s table too');
  // The folder that holds the data wins over the first folder; outside every folder: the first.
  assert.equal(workspaceReviewPath({ dataFile: VCF_A, workspaceFolders: ['/elsewhere', join(DIR, 'data')] }), join(DIR, 'data', WORKSPACE_REVIEW_FILE));
  assert.equal(workspaceReviewPath({ dataFile: '/other/x.vcf', workspaceFolders: [DIR] }), join(DIR, WORKSPACE_REVIEW_FILE));
  // No folder open: next to the data. The setting: relative to the folder, or absolute.
  assert.equal(workspaceReviewPath({ dataFile: VCF_A }), join(DIR, 'data', WORKSPACE_REVIEW_FILE));
  assert.equal(workspaceReviewPath({ dataFile: VCF_A, workspaceFolders: [DIR], setting: 'review/team.tsv' }), join(DIR, 'review', 'team.tsv'));
  assert.equal(workspaceReviewPath({ dataFile: VCF_A, workspaceFolders: [DIR], setting: '/abs/r.tsv' }), '/abs/r.tsv');
  assert.equal(workspaceReviewPath({ dataFile: VCF_A, workspaceFolders: [DIR], setting: '  ' }), join(DIR, WORKSPACE_REVIEW_FILE));
});

test('a verdict set in the diff is the table row\'s REVIEW cell; a later table verdict replaces it (one verdict)', async () => {
  const ws = workspace();
  const file = workspaceReviewPath({ dataFile: VCF_A, workspaceFolders: [DIR] });
  const site = { contig: 'chr20', pos: 10_000_117, ref: 'C', alt: 'T' };
  // The diff writes (its normalized allele) ...
  await ws.annotate(file, site, { verdict: 'both-correct' });
  // ... and the table's REVIEW column (the same file, the VCF record) shows it.
  assert.equal(ws.cell(file, { ...site })?.verdict, 'both-correct');
  // The table sets another verdict: the site still has ONE verdict, not two files disagreeing.
  await ws.annotate(file, site, { verdict: 'default-correct' });
  const cell = ws.cell(file, site)!;
  assert.equal(cell.verdict, 'default-correct');
  assert.equal(cell.versions, 1);
  assert.equal(cell.conflict, false);
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('chr20'));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /\tdefault-correct\t/);
});

test('a multi-allelic table record shows its alleles\' verdicts from the diff; different verdicts are flagged', async () => {
  const ws = workspace();
  const file = join(DIR, WORKSPACE_REVIEW_FILE);
  const record = { contig: 'chr21', pos: 9_411_300, ref: 'G', alt: 'A,C' };
  assert.equal(ws.cell(file, record), undefined);
  await ws.annotate(file, { ...record, alt: 'A' }, { verdict: 'both-correct' });
  const one = ws.cell(file, record)!;
  assert.equal(one.verdict, 'both-correct');
  assert.equal(one.conflict, false);
  await ws.annotate(file, { ...record, alt: 'C' }, { verdict: 'retrained-correct' });
  const two = ws.cell(file, record)!;
  assert.equal(two.verdict, 'retrained-correct', 'the latest allele verdict');
  assert.equal(two.conflict, true, 'the alleles disagree');
  assert.equal(two.versions, 2);
  // A biallelic record does not pick up a neighbour's allele.
  assert.equal(ws.cell(file, { ...record, alt: 'T' }), undefined);
});

test('progress counts disputes (gt-change, filter-change, only-A/B), not QUAL-only sites', async () => {
  const ws = workspace();
  const file = join(DIR, WORKSPACE_REVIEW_FILE);
  const site = (pos: number, ...classes: DiffClass[]): DiffSite => ({ contig: 'chr20', pos, ref: 'A', alt: 'G', kind: 'SNP', classes } as unknown as DiffSite);
  const sites = [site(1, 'gt-change'), site(2, 'qual-change'), site(3, 'filter-change', 'qual-change'), site(4, 'only-A'), site(5, 'only-B'), site(6, 'qual-change'), site(7, 'gt-change', 'qual-change')];
  assert.deepEqual(sites.map(isDispute), [true, false, true, true, true, false, true]);
  await ws.open(file);
  assert.deepEqual(disputeProgress(sites, (s) => ws.has(file, s)), { reviewed: 0, total: 5 });
  await ws.annotate(file, sites[0]!, { verdict: 'uncertain' });
  await ws.annotate(file, sites[1]!, { verdict: 'uncertain' }); // a QUAL-only site: not counted
  await ws.annotate(file, sites[6]!, { verdict: 'both-wrong' });
  const p = { unit: 'disputes' as const, ...disputeProgress(sites, (s) => ws.has(file, s)), fileName: WORKSPACE_REVIEW_FILE, conflicts: 0 };
  assert.deepEqual([p.reviewed, p.total], [2, 5]);
  assert.equal(progressText(p), '2 / 5 disputes reviewed');
  assert.equal(statusText(p), '$(checklist) 2 / 5 disputes reviewed · variant-lens.review.tsv');
  assert.deepEqual(badgeOf(p), { value: 3, tooltip: '2 / 5 disputes reviewed — 3 left (variant-lens.review.tsv)' });
  assert.equal(badgeOf({ ...p, total: undefined }), undefined);
  assert.equal(badgeOf({ ...p, unit: 'records', total: 178 }), undefined, 'no badge for a table');
  assert.equal(statusText({ ...p, conflicts: 1 }), '$(checklist) 2 / 5 disputes reviewed · variant-lens.review.tsv · $(warning) 1');
});

test('the remembered dispute progress equals a pass over the sites, before and after each verdict', async () => {
  const ws = workspace();
  const file = join(DIR, WORKSPACE_REVIEW_FILE);
  const all: DiffClass[][] = [['gt-change'], ['qual-change'], ['filter-change', 'qual-change'], ['only-A'], ['only-B'], ['same-haplotypes'], ['only-A', 'filter-change']];
  const sites = Array.from({ length: 40 }, (_, i) => ({ contig: 'chr20', pos: 100 + i, ref: 'A', alt: 'G', kind: 'SNP', classes: all[i % all.length]! } as unknown as DiffSite));
  const list = { length: sites.length, get: (i: number) => sites[i] };
  const cache = new DisputeProgressCache();
  const has = (s: DiffSite | { contig: string; pos: number; ref: string; alt: string }): boolean => ws.has(file, s);
  // Not open yet, then open and empty: nothing reviewed, every dispute counted.
  assert.deepEqual(cache.of(list, undefined, has), disputeProgress(sites, has));
  await ws.open(file);
  assert.deepEqual(cache.of(list, ws.storeIfOpen(file)!.entries(), has), { reviewed: 0, total: 29 });
  for (const i of [0, 1, 3, 5, 6, 13, 38]) {
    await ws.annotate(file, sites[i]!, { verdict: 'uncertain' });
    assert.deepEqual(cache.of(list, ws.storeIfOpen(file)!.entries(), has), disputeProgress(sites, has), `after a verdict at site ${i}`);
  }
  assert.deepEqual(cache.of(list, ws.storeIfOpen(file)!.entries(), has), { reviewed: 5, total: 29 });
  // A caller that knows the number of disputes (the diff model) saves the count.
  assert.deepEqual(new DisputeProgressCache().of(list, ws.storeIfOpen(file)!.entries(), has, 29), { reviewed: 5, total: 29 });
});
