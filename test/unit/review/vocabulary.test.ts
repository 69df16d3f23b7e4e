import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISPUTE_VOCABULARY, SOMATIC_SOP_VOCABULARY, findTag, modelDisputeVerdicts, resolveVocabulary, verdictForShortcut, vocabularyForModels } from '../../../src/core/review/vocabulary';

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

test('default tags fit germline model review: no tumour/normal codes (the somatic preset keeps them)', () => {
  const germline = resolveVocabulary();
  for (const code of ['LCN', 'LCT', 'NCN', 'TN']) {
    assert.equal(findTag(germline, code), undefined, code);
    assert.ok(findTag(SOMATIC_SOP_VOCABULARY, code), code);
  }
  for (const code of ['MN', 'D', 'LM', 'LC', 'AB', 'SD']) assert.ok(findTag(germline, code), code);
  assert.ok(!germline.tags.some((t) => /tumou?r|normal/i.test(`${t.title} ${t.description}`)));
  assert.equal(new Set(germline.tags.map((t) => t.id)).size, germline.tags.length);
});

test('verdict ids from the configured model names: <model>-correct', () => {
  const v = vocabularyForModels({}, ['dv1.6', 'my finetune']);
  assert.deepEqual(v.verdicts.map((l) => [l.shortcut, l.id]), [
    ['1', 'dv1.6-correct'], ['2', 'my-finetune-correct'], ['3', 'both-correct'], ['4', 'both-wrong'], ['5', 'uncertain'],
  ]);
  assert.equal(v.verdicts[0]!.title, 'dv1.6 correct');
  assert.equal(v.tags, DISPUTE_VOCABULARY.tags);
  assert.deepEqual(modelDisputeVerdicts(['a', 'b', 'c']).map((l) => l.id), ['a-correct', 'b-correct', 'c-correct', 'all-correct', 'all-wrong', 'uncertain']);
  assert.deepEqual(modelDisputeVerdicts(['x,y;z', 'x,y;z', 'w']).map((l) => l.id).slice(0, 2), ['x_y_z-correct', 'w-correct']);
  // Fewer than two models: the built-in names. Another preset or an explicit list: as written.
  assert.equal(vocabularyForModels({}, []), DISPUTE_VOCABULARY);
  assert.equal(vocabularyForModels({}, ['only']).verdicts[0]!.id, 'default-correct');
  assert.equal(vocabularyForModels({ preset: 'somatic-sop' }, ['a', 'b']), SOMATIC_SOP_VOCABULARY);
  assert.deepEqual(vocabularyForModels({ verdicts: ['ok', 'bad'] }, ['a', 'b']).verdicts.map((l) => l.id), ['ok', 'bad']);
  assert.deepEqual(vocabularyForModels({ preset: 'model-dispute' }, ['a', 'b']).verdicts[0]!.id, 'a-correct');
});
