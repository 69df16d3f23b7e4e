/**
 * What brings a diff back (src/extension/diff/diffRestore.ts): the page's saved state after a
 * window reload, the last comparison in the workspace state, checked before use, and the host's
 * own record of the open diffs (OpenDiffs over common/panelRecord.ts) that fills in when a
 * browser refresh left VS Code without the panel or its state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OpenDiffs, comparisonFiles, diffPanelTitle, lastComparison, openDiffList, restoredDiff, type OpenDiff } from '../../../../src/extension/diff/diffRestore';
import { PanelRecord } from '../../../../src/extension/common/panelRecord';

const comparison = { fileA: '/d/default.vcf.gz', fileB: '/d/retrained.vcf.gz', truthFile: '/d/data/truth.vcf.gz' };
const state = { comparison, view: { scope: 'qual-only', sortBy: 'qualB', descending: true }, selected: 4, first: 2 };

test('a saved page state is restored; anything else (an old page, a hostile one) is not', () => {
  assert.deepEqual(restoredDiff(state), state);
  assert.equal(restoredDiff(undefined), undefined);
  assert.equal(restoredDiff({ ...state, comparison: { fileA: '/d/a.vcf' } }), undefined);
  assert.equal(restoredDiff({ ...state, view: { scope: 'everything' } }), undefined);
  assert.equal(restoredDiff({ ...state, selected: 'x' }), undefined);
  assert.equal(restoredDiff({ zoom: 2 }), undefined);
});

test('the last comparison and the files it needs', () => {
  assert.deepEqual(lastComparison(comparison), comparison);
  assert.equal(lastComparison(undefined), undefined);
  assert.equal(lastComparison({ fileA: 1, fileB: 2 }), undefined);
  assert.deepEqual(comparisonFiles(comparison), ['/d/default.vcf.gz', '/d/retrained.vcf.gz', '/d/data/truth.vcf.gz']);
  assert.deepEqual(comparisonFiles({ fileA: 'a', fileB: 'b', truth: 'A' }), ['a', 'b']);
});

const other = { fileA: '/d/x.vcf.gz', fileB: '/d/y.vcf.gz' };
const title = diffPanelTitle(comparison);
const entry = (id: string, c: typeof comparison | typeof other, selected: number): OpenDiff => ({ id, title: diffPanelTitle(c), state: { comparison: c, view: {}, selected, first: 0 } });

test('the record of open diffs: written at once, read back by the next extension host, bad entries dropped', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'vl-open-diffs-')), 'sub', 'open-diffs.json');
  const warnings: string[] = [];
  const first = new PanelRecord<OpenDiff[]>(file, openDiffList, (m) => warnings.push(m));
  assert.equal(first.previous, undefined, 'no file yet: nothing to bring back, no warning');
  const diffs = new OpenDiffs([], (all) => first.write(all));
  diffs.set(entry('a', comparison, 3));
  diffs.set(entry('b', other, -1));
  diffs.set(entry('a', comparison, 5));
  diffs.delete('b');
  const next = new PanelRecord<OpenDiff[]>(file, openDiffList, (m) => warnings.push(m));
  assert.deepEqual(next.previous, [entry('a', comparison, 5)]);
  assert.equal(title, 'Diff default.vcf.gz ↔ retrained.vcf.gz');

  // The shutdown disposes the panels: the record keeps them for the next window.
  next.freeze();
  new OpenDiffs(next.previous!, (all) => next.write(all)).delete('a');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), [entry('a', comparison, 5)]);

  assert.deepEqual(openDiffList([entry('a', comparison, 1), { id: 'b', title: 't', state: { zoom: 2 } }, null, 'x']), [entry('a', comparison, 1)]);
  assert.equal(openDiffList({}), undefined);
  writeFileSync(file, '{not json');
  assert.equal(new PanelRecord<OpenDiff[]>(file, openDiffList, (m) => warnings.push(m)).previous, undefined);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /open-diffs\.json: not a usable panel record/);
});

test('a panel VS Code hands back claims its entry: same comparison and title, else the same title', () => {
  const saved: OpenDiff[][] = [];
  const diffs = new OpenDiffs([entry('a', comparison, 5), entry('b', other, 2)], (all) => saved.push(all));
  assert.equal(diffs.claim('Diff nothing ↔ here', undefined), undefined);
  // Its page state is older (or none): the entry, newer, wins; it leaves the record.
  assert.deepEqual(diffs.claim(title, comparison), entry('a', comparison, 5));
  assert.equal(diffs.claim(title, comparison), undefined, 'claimed once');
  assert.deepEqual(diffs.claim(diffPanelTitle(other), undefined), entry('b', other, 2));
  diffs.set(entry('c', comparison, 7));
  assert.deepEqual(saved.at(-1), [entry('c', comparison, 7)], 'the claimed entries are gone, the new panel is in');
});

test('entries without a tab were lost by VS Code and are opened again; entries with one wait for their serializer', () => {
  const saved: OpenDiff[][] = [];
  const diffs = new OpenDiffs([entry('a', comparison, 5), entry('a2', comparison, 9), entry('b', other, 2)], (all) => saved.push(all));
  // One tab with the first comparison's title: one of its two entries waits for it, the other one and `other` are lost.
  assert.deepEqual(diffs.lost([title, 'Site chr20:1']), [entry('a2', comparison, 9), entry('b', other, 2)]);
  assert.deepEqual(saved.at(-1), [entry('a', comparison, 5)]);
  assert.deepEqual(diffs.lost([title]), [], 'asked again: nothing more is lost');
  assert.deepEqual(diffs.claim(title, comparison), entry('a', comparison, 5));
  assert.deepEqual(diffs.lost([]), []);
});
