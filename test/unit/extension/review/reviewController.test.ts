/**
 * The extension's review logic without VS Code (src/extension/review/reviewWorkspace.ts, which
 * reviewController.ts wraps): annotating by shortcut digit, what is kept when tags/note are
 * omitted, the file on disk, external edits picked up by reload() (as the FileSystemWatcher
 * does) and reflected in the cells and the tree, conflicts and their resolution, undo across
 * two review files, and the helpers of the CodeLens / tree texts.
 */
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewStore } from '../../../../src/core/review/reviewStore';
import { DISPUTE_VOCABULARY, SOMATIC_SOP_VOCABULARY, type Vocabulary } from '../../../../src/core/review/vocabulary';
import { ReviewWorkspace, cellSummary, modelName, parseVcfLine, recordedSnapshot, reviewSnapshot, snapshot } from '../../../../src/extension/review/reviewWorkspace';
import type { ModelCallView, ModelComparison } from '../../../../src/protocol/protocol';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, `review-controller-${process.pid}`);
const FILE = join(DIR, 'default.vs.retrained.review.tsv');
const OTHER = join(DIR, 'calls.vcf.gz.review.tsv');
const A = { contig: 'chr20', pos: 10_000_117, ref: 'C', alt: 'T' };
const B = { contig: 'chr20', pos: 10_001_436, ref: 'A', alt: 'AAGGCT' };
const C = { contig: 'chr21', pos: 9_411_300, ref: 'G', alt: 'A,C' };

let vocab: Vocabulary = DISPUTE_VOCABULARY;
let clock = 0;
function workspace(reviewer = 'alice'): ReviewWorkspace {
  return new ReviewWorkspace({ vocabulary: () => vocab, reviewer: () => reviewer, now: () => new Date(Date.UTC(2024, 4, 1, 12, 0, clock++)) });
}
const dataLines = (path: string): string[][] => readFileSync(path, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));

beforeEach(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  vocab = DISPUTE_VOCABULARY;
});

test('annotate by shortcut digit writes the vocabulary label, reviewer, time and model snapshot', async () => {
  const ws = workspace();
  const models = [snapshot('default', '1/1', '33', '33.3'), snapshot('retrained', '0/0', '24', '24.9')];
  await ws.annotate(FILE, A, { shortcut: '2', models });
  const rows = dataLines(FILE);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0], ['chr20', '10000117', 'C', 'T', '.', 'retrained-correct', '.', '.', 'alice', '2024-05-01T12:00:00.000Z', 'default=1/1:33:33.3;retrained=0/0:24:24.9', '.']);
  const cell = ws.cell(FILE, A);
  assert.deepEqual({ ...cell }, { verdict: 'retrained-correct', title: 'Retrained correct', tags: [], note: '', reviewer: 'alice', time: '2024-05-01T12:00:00.000Z', versions: 1, conflict: false });
  // The somatic vocabulary maps the same digit to its own label.
  vocab = SOMATIC_SOP_VOCABULARY;
  await ws.annotate(FILE, B, { shortcut: '4' });
  assert.equal(ws.cell(FILE, B)?.verdict, 'Fail');
  await assert.rejects(ws.annotate(FILE, C, { shortcut: '9' }), (e: Error) => e.message.includes(FILE) && /no verdict has the shortcut 9/.test(e.message));
});

test('a new verdict keeps the site\'s tags, note and snapshot unless they are given', async () => {
  const ws = workspace();
  await ws.annotate(FILE, A, { verdict: 'uncertain', tags: ['MN', 'D'], note: 'homopolymer\nsee IGV', models: [snapshot('default', '0/1', '20', '19.5')] });
  await ws.annotate(FILE, A, { shortcut: '1' });
  const c = ws.cell(FILE, A)!;
  assert.equal(c.verdict, 'default-correct');
  assert.deepEqual(c.tags, ['MN', 'D']);
  assert.equal(c.note, 'homopolymer\nsee IGV');
  assert.equal(dataLines(FILE)[0]![10], 'default=0/1:20:19.5');
  await ws.annotate(FILE, A, { shortcut: '1', tags: [], note: '' });
  assert.deepEqual([ws.cell(FILE, A)!.tags, ws.cell(FILE, A)!.note], [[], '']);
});

test('an external edit (another window, git) is merged by reload and reported to listeners', async () => {
  const ws = workspace();
  await ws.annotate(FILE, A, { shortcut: '1' });
  const seen: { path: string; keys: readonly string[]; origin: string }[] = [];
  ws.onDidChange((path, e) => seen.push({ path, keys: e.keys, origin: e.origin }));
  // Another writer (bob's window) adds a site and the file changes under us.
  const bob = await ReviewStore.open(FILE);
  await bob.set({ ...B, verdict: 'both-wrong', tags: [], note: 'bob was here', reviewer: 'bob', time: '2024-05-02T08:00:00.000Z', models: [] });
  assert.equal(ws.cell(FILE, B), undefined, 'not seen before the reload');
  const changed = await ws.reload(FILE);
  assert.equal(changed.length, 1);
  assert.deepEqual(seen.map((s) => [s.path, s.origin, s.keys.length]), [[FILE, 'disk', 1]]);
  assert.equal(ws.cell(FILE, B)?.note, 'bob was here');
  assert.equal(ws.cell(FILE, A)?.verdict, 'default-correct');
  const tree = ws.tree(FILE, 45)!;
  assert.deepEqual(tree.groups.map((g) => [g.id, g.entries.length]), [['default-correct', 1], ['both-wrong', 1]]);
  assert.equal(tree.reviewed, 2);
  assert.equal(tree.total, 45);
  // Reloading an unchanged file reports nothing.
  assert.deepEqual(await ws.reload(FILE), []);
});

test('a conflicting edit keeps both versions (cell, tree, file) until resolved', async () => {
  const ws = workspace();
  const bob = await ReviewStore.open(FILE); // bob opened the file before alice's verdict
  await ws.annotate(FILE, A, { shortcut: '1', note: 'alice' });
  await bob.set({ ...A, verdict: 'both-wrong', tags: [], note: 'bob', reviewer: 'bob', time: '2024-05-02T08:00:00.000Z', models: [] });
  await ws.reload(FILE);
  const c = ws.cell(FILE, A)!;
  assert.equal(c.conflict, true);
  assert.equal(c.versions, 2);
  assert.equal(c.verdict, 'both-wrong', 'the latest version is shown');
  assert.match(cellSummary(c), /^⚠ 2 versions — both-wrong — bob: bob$/);
  const tree = ws.tree(FILE, undefined)!;
  assert.deepEqual([tree.groups.length, tree.conflicts.length], [0, 1]);
  assert.deepEqual(dataLines(FILE).map((r) => [r[5], r[11]]), [['default-correct', 'conflict'], ['both-wrong', 'conflict']]);
  const state = await ws.siteState(FILE, A);
  assert.deepEqual(state.versions.map((v) => v.reviewer), ['alice', 'bob']);
  await ws.resolve(FILE, A, 0);
  assert.deepEqual(dataLines(FILE).map((r) => [r[5], r[8], r[11]]), [['default-correct', 'alice', '.']]);
  assert.equal(ws.cell(FILE, A)?.conflict, false);
});

test('undo walks back the last annotations across review files', async () => {
  const ws = workspace();
  assert.equal(ws.canUndo, false);
  assert.equal(await ws.undo(), undefined);
  await ws.annotate(FILE, A, { shortcut: '1' });
  await ws.annotate(OTHER, C, { shortcut: '3' });
  await ws.annotate(FILE, A, { shortcut: '5' });
  assert.equal(ws.canUndo, true);
  assert.equal((await ws.undo())?.path, FILE);
  assert.equal(ws.cell(FILE, A)?.verdict, 'default-correct');
  assert.equal((await ws.undo())?.path, OTHER);
  assert.equal(ws.cell(OTHER, C), undefined);
  assert.equal(dataLines(OTHER).length, 0, 'the undo is saved');
  assert.equal((await ws.undo())?.path, FILE);
  assert.equal(dataLines(FILE).length, 0);
  assert.equal(await ws.undo(), undefined);
});

test('an unreadable review file is reported with its name and never overwritten', async () => {
  writeFileSync(FILE, '##variant-lens-review=1\nnot a review file\n');
  const ws = workspace();
  await assert.rejects(ws.annotate(FILE, A, { shortcut: '1' }), (e: Error) => e.message.includes(FILE));
  assert.equal(readFileSync(FILE, 'utf8'), '##variant-lens-review=1\nnot a review file\n');
});

test('helpers: VCF line parsing, model names, snapshots', () => {
  const line = 'chr20\t10000117\t.\tc\tT\t33.3\tPASS\t.\tGT:GQ:DP\t1/1:33:40';
  assert.deepEqual(parseVcfLine(line), { site: { contig: 'chr20', pos: 10000117, ref: 'C', alt: 'T' }, qual: '33.3', gt: '1/1', gq: '33' });
  assert.equal(parseVcfLine('#CHROM\tPOS'), undefined);
  assert.equal(parseVcfLine('chr20\tx\t.\tC\tT'), undefined);
  assert.equal(modelName('/data/run 1/default.vcf.gz'), 'default');
  assert.equal(modelName('retrained model.vcf'), 'retrained_model');
  assert.deepEqual(snapshot('m', '.', '', '.'), { model: 'm' });
  assert.deepEqual(snapshot('m', '0/1', '12', '7.25'), { model: 'm', gt: '0/1', gq: 12, qual: 7.25 });
});

test('the snapshot is the models\' own calls when the inspector compared them at the site, else the VCF records', async () => {
  const training = { inTraining: 'unknown' as const, text: '' };
  const call = (model: string, gt: string, gq: string, qual: string): ModelCallView => ({
    model, gt, gq, qual, filter: 'PASS', pl: '', alleles: 'C>T', images: [], fromCandidate: true, training,
  });
  const done: ModelComparison = {
    state: 'done', explanations: [], notes: [],
    // A display name with spaces, a duplicate after cleaning, and a model without a call.
    calls: [call('default model', '0/1', '27', '26.8'), call('default_model', '1/1', '40', '41'), call('retrained', '.', '', '')],
  };
  const recorded = recordedSnapshot([
    { file: '/w/default.vcf.gz', gt: '0/1', gq: '20', qual: '19.5' },
    { file: '/w/retrained.vcf.gz', gt: '0/0', gq: '30', qual: '0' },
  ]);
  assert.deepEqual(recorded, [{ model: 'default', gt: '0/1', gq: 20, qual: 19.5 }, { model: 'retrained', gt: '0/0', gq: 30, qual: 0 }]);
  const fromModels = reviewSnapshot(A, { site: { chrom: 'chr20', pos: 10_000_117 }, models: done }, recorded);
  assert.deepEqual(fromModels, [
    { model: 'default_model', gt: '0/1', gq: 27, qual: 26.8 },
    { model: 'default_model_2', gt: '1/1', gq: 40, qual: 41 },
    { model: 'retrained' },
  ]);
  // Fallbacks: another site in the inspector, models still running, untrusted, none configured, nothing shown.
  assert.equal(reviewSnapshot(A, { site: { chrom: 'chr20', pos: 10_000_118 }, models: done }, recorded), recorded);
  assert.equal(reviewSnapshot(A, { site: { chrom: 'chr21', pos: 10_000_117 }, models: done }, recorded), recorded);
  for (const state of ['running', 'disabled', 'no-models', 'error'] as const) {
    assert.equal(reviewSnapshot(A, { site: { chrom: 'chr20', pos: 10_000_117 }, models: { state, calls: [], explanations: [], notes: [] } }, recorded), recorded, state);
  }
  assert.equal(reviewSnapshot(A, undefined, recorded), recorded);
  // What lands in the file: the models' calls in the snapshot column, readable again.
  const ws = workspace();
  await ws.annotate(FILE, A, { shortcut: '1', models: fromModels });
  assert.equal(dataLines(FILE)[0]![10], 'default_model=0/1:27:26.8;default_model_2=1/1:40:41;retrained=.:.:.');
  const again = workspace();
  assert.deepEqual((await again.siteState(FILE, A)).versions.length, 1);
});
