/**
 * What brings a diff back (src/extension/diff/diffRestore.ts): the page's saved state after a
 * window reload and the last comparison in the workspace state, checked before use.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparisonFiles, lastComparison, restoredDiff } from '../../../../src/extension/diff/diffRestore';

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
