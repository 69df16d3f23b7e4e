/** Verdicts named after the configured models (src/core/review/modelVerdicts.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withModelNames } from '../../../src/core/review/modelVerdicts';
import { DISPUTE_VOCABULARY, resolveVocabulary } from '../../../src/core/review/vocabulary';

test('the dispute verdicts take the model names', () => {
  const v = withModelNames(DISPUTE_VOCABULARY, ['v1.5', 'ft-chr20']);
  assert.deepEqual(v.verdicts.slice(0, 3).map((l) => [l.id, l.title, l.shortcut]), [['v1.5-correct', 'v1.5 correct', '1'], ['ft-chr20-correct', 'ft-chr20 correct', '2'], ['both-correct', DISPUTE_VOCABULARY.verdicts[2]!.title, '3']]);
  assert.match(v.verdicts[0]!.description, /The v1\.5 model’s call is right; the ft-chr20 model is wrong/);
});

test('left alone: fewer than two models, equal names, a vocabulary from the settings', () => {
  assert.equal(withModelNames(DISPUTE_VOCABULARY, ['only']), DISPUTE_VOCABULARY);
  assert.equal(withModelNames(DISPUTE_VOCABULARY, ['a', 'a']), DISPUTE_VOCABULARY);
  assert.equal(withModelNames(DISPUTE_VOCABULARY, ['default', 'retrained']), DISPUTE_VOCABULARY);
  const custom = resolveVocabulary({ verdicts: ['mine', 'yours'] });
  assert.equal(withModelNames(custom, ['a', 'b']), custom);
  assert.equal(withModelNames(DISPUTE_VOCABULARY, ['a,b', 'c'])?.verdicts[0]!.id, 'a_b-correct');
});
