/**
 * The vscode-free parts of the review UI (src/extension/review/reviewWorkspace.ts, gitUser.ts):
 * which lines of a plain .vcf get which CodeLens text with a review file beside it, the
 * arguments a Review tree site passes to the reveal command, the Resolve… choices of a
 * conflicted site (and that the chosen index keeps that version), and the reviewer name
 * from git (ground truth: `git config user.name` itself).
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewStore } from '../../../../src/core/review/reviewStore';
import { DISPUTE_VOCABULARY } from '../../../../src/core/review/vocabulary';
import { ReviewWorkspace, resolveItems, revealArguments, reviewLenses } from '../../../../src/extension/review/reviewWorkspace';
import { gitUserName } from '../../../../src/extension/review/gitUser';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, `review-ui-logic-${process.pid}`);
const VCF_LINES = [
  '##fileformat=VCFv4.2',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tHG003',
  'chr20\t10000117\t.\tC\tT\t33.3\tPASS\t.\tGT:GQ\t1/1:33',
  'chr20\t10000200\t.\tG\tA\t5\tRefCall\t.\tGT:GQ\t0/0:9',
  'chr20\t10001436\t.\tA\tAAGGCT\t20\tPASS\t.\tGT:GQ\t0/1:20',
  '',
  'chr20\t10001436\t.\tA\tC\t12\tPASS\t.\tGT:GQ\t0/1:12',
];
let clock = 0;
const workspace = (reviewer: string): ReviewWorkspace =>
  new ReviewWorkspace({ vocabulary: () => DISPUTE_VOCABULARY, reviewer: () => reviewer, now: () => new Date(Date.UTC(2024, 4, 1, 12, 0, clock++)) });

beforeEach(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
});

test('CodeLens: one lens per annotated record line, matched by CHROM/POS/REF/ALT, with the verdict text', async () => {
  const file = join(DIR, 'calls.vcf.review.tsv');
  const bob = await ReviewStore.open(file); // bob's window opened the file before alice's verdicts
  const ws = workspace('alice');
  await ws.annotate(file, { contig: 'chr20', pos: 10_000_117, ref: 'C', alt: 'T' }, { shortcut: '1', note: 'clean het\nIGV ok' });
  await ws.annotate(file, { contig: 'chr20', pos: 10_001_436, ref: 'A', alt: 'AAGGCT' }, { shortcut: '4', tags: ['HDR'] });
  // A conflicting edit of the first site by bob.
  await bob.set({ contig: 'chr20', pos: 10_000_117, ref: 'C', alt: 'T', verdict: 'uncertain', tags: [], note: '', reviewer: 'bob', time: '2024-05-02T08:00:00.000Z', models: [] });
  await ws.reload(file);
  const lenses = reviewLenses(VCF_LINES.length, (i) => VCF_LINES[i]!, (s) => ws.cell(file, s));
  assert.deepEqual(lenses.map((l) => [l.line, l.title, l.cell.conflict]), [
    [2, '⚠ 2 versions — uncertain — bob', true],
    [4, '✓ both-wrong [HDR] — alice', false],
  ]);
  assert.match(lenses[0]!.tooltip, /Conflicting verdicts/);
  assert.equal(lenses[1]!.tooltip, 'Click to change the verdict');
  // Same POS, other ALT (line 6) and the unannotated RefCall (line 3): no lens. No store content: none.
  assert.deepEqual(reviewLenses(VCF_LINES.length, (i) => VCF_LINES[i]!, () => undefined), []);
});

test('Review tree: a site node reveals its review file and site key (no extra fields)', () => {
  const entry = { site: { contig: 'chr20', pos: 10_001_436, ref: 'A', alt: 'AAGGCT', sample: 'HG003' } };
  assert.deepEqual(revealArguments('/w/default.vs.retrained.review.tsv', entry), ['/w/default.vs.retrained.review.tsv', { contig: 'chr20', pos: 10_001_436, ref: 'A', alt: 'AAGGCT' }]);
});

test('Resolve…: one choice per version in file order; the chosen index keeps that version only', async () => {
  const file = join(DIR, 'd.review.tsv');
  const site = { contig: 'chr20', pos: 10_000_117, ref: 'C', alt: 'T' };
  const bob = await ReviewStore.open(file);
  const ws = workspace('alice');
  await ws.annotate(file, site, { shortcut: '1', note: 'alice says default' });
  await bob.set({ ...site, verdict: 'both-wrong', tags: ['HDR', 'MN'], note: '', reviewer: 'bob', time: '2024-05-02T08:00:00.000Z', models: [] });
  await ws.reload(file);
  const state = await ws.siteState(file, site);
  const items = resolveItems(state.versions);
  assert.deepEqual(items.map((i) => [i.index, i.label, i.description, i.detail]), [
    [0, 'Default correct', `alice, ${state.versions[0]!.time}`, 'alice says default'],
    [1, 'Both wrong', 'bob, 2024-05-02T08:00:00.000Z', 'tags HDR, MN'],
  ]);
  // Picking bob's version (as the quick pick returns it) leaves only that line in the file.
  await ws.resolve(file, site, items[1]!.index);
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
  assert.deepEqual(rows.map((r) => [r[5], r[8], r[11]]), [['both-wrong', 'bob', '.']]);
  assert.deepEqual(resolveItems([]), []);
});

test('reviewer from git: the repository\'s user.name, as git config reports it; none outside git config', async () => {
  const repo = join(DIR, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  execFileSync('git', ['config', 'user.name', 'Rev Iewer (lab)'], { cwd: repo });
  const truth = execFileSync('git', ['config', '--get', 'user.name'], { cwd: repo, encoding: 'utf8' }).trim();
  assert.equal(await gitUserName(repo), truth);
  assert.equal(truth, 'Rev Iewer (lab)');
  // A folder that does not exist: git fails → undefined (the caller falls back to the OS user).
  assert.equal(await gitUserName(join(DIR, 'missing')), undefined);
});
