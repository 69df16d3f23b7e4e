import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISPUTE_VOCABULARY, SOMATIC_SOP_VOCABULARY, findTag, resolveVocabulary, verdictForShortcut } from '../../../src/core/review/vocabulary';

test('default vocabulary: the five model-dispute verdicts on keys 1–5', () => {
  const v = resolveVocabulary();
  assert.equal(v, DISPUTE_VOCABULARY);
  assert.deepEqual(v.verdicts.map((l) => [l.shortcut, l.id]), [
    ['1', 'default-correct'], ['2', 'retrained-correct'], ['3', 'both-correct'], ['4', 'both-wrong'], ['5', 'uncertain'],
  ]);
  assert.equal(verdictForShortcut(v, '4')?.id, 'both-wrong');
  assert.equal(verdictForShortcut(v, '6'), undefined);
});

test('somatic SOP preset: calls S/G/A/F and the SOP tag codes', () => {
  const v = resolveVocabulary({ preset: 'somatic-sop' });
  assert.equal(v, SOMATIC_SOP_VOCABULARY);
  assert.deepEqual(v.verdicts.map((l) => l.id), ['Somatic', 'Germline', 'Ambiguous', 'Fail']);
  for (const code of ['AI', 'AO', 'D', 'DN', 'E', 'HDR', 'LCN', 'LCT', 'LM', 'LVF', 'MN', 'MV']) assert.ok(findTag(v, code), code);
  assert.match(findTag(v, 'MN')!.title, /homopolymer/);
  assert.equal(new Set(v.tags.map((t) => t.id)).size, v.tags.length);
});

test('custom lists from settings: shortcuts only for the first nine, known ids keep their titles', () => {
  const ids = Array.from({ length: 11 }, (_, i) => `v${i + 1}`);
  const v = resolveVocabulary({ verdicts: ['Fail', { id: 'artifact', title: 'Artifact' }, ...ids], tags: ['LVF', 'my tag'] });
  assert.equal(v.name, 'custom');
  assert.equal(v.verdicts[0]!.title, 'Fail (F)');
  assert.equal(v.verdicts[1]!.title, 'Artifact');
  assert.equal(v.verdicts[8]!.shortcut, '9');
  assert.equal(v.verdicts[9]!.shortcut, undefined);
  assert.deepEqual(v.tags.map((t) => t.id), ['LVF', 'my tag']);
  assert.throws(() => resolveVocabulary({ preset: 'nope' }), /variantLens\.review: unknown vocabulary "nope"/);
  assert.throws(() => resolveVocabulary({ verdicts: [] }), /list is empty/);
  assert.throws(() => resolveVocabulary({ verdicts: ['a', 'a'] }), /"a" is listed twice/);
  assert.throws(() => resolveVocabulary({ verdicts: ['a,b'] }), /"a,b" is not a valid label/);
});
