/**
 * Model cards: validation, DeepVariant's hold-out rule (chr20–22 and HG003 are never in
 * training; docs/deepvariant.md §8.2, the hold-out), parameter comparison and candidate
 * explanations against the very-sensitive caller thresholds of docs/deepvariant.md §7.1/§7.3.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  compareParams, explainCandidateDifference, readModelCard, siteInTrainingData, validateModelCard, type ModelCard,
} from '../../../src/core/model/modelCard';

const dvDefaultCard = {
  name: 'default', version: '1.0.0', architecture: 'small-cnn',
  input: { shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 19] },
  trainedOn: { samples: ['HG001', 'HG002', 'HG004'], contigs: Array.from({ length: 19 }, (_, i) => `chr${i + 1}`), heldOutSamples: ['HG003'], heldOutContigs: ['chr20', 'chr21', 'chr22'] },
  makeExamplesParams: { min_base_quality: 10, min_mapping_quality: 5, vsc_min_fraction_snps: 0.12, vsc_min_fraction_indels: 0.06, vsc_min_count_snps: 2, vsc_min_count_indels: 2, p_error: 0.001 },
  trainingRecipe: { command: 'python3 scripts/train/train.py' },
  evaluation: { snvF1: 0.97 },
};
const retrained = { ...dvDefaultCard, name: 'retrained', makeExamplesParams: { ...dvDefaultCard.makeExamplesParams, min_base_quality: 5, min_mapping_quality: 1, vsc_min_fraction_snps: 0.02 } };
const A = validateModelCard(dvDefaultCard).card!;
const B = validateModelCard(retrained).card!;

test('a complete card validates without problems; example_info disagreement is reported', () => {
  assert.deepEqual(validateModelCard(dvDefaultCard).problems, []);
  const v = validateModelCard(dvDefaultCard, { version: '1.5.0', shape: [100, 221, 6], channels: [1, 2, 3, 4, 5, 6] });
  assert.ok(v.problems.some((p) => /input shape \[100,221,7\] differs from example_info\.json \[100,221,6\]/.test(p)));
});

test('a sparse card lists what is missing; a missing card means "training data unknown"', async () => {
  const v = validateModelCard({ name: 'x', version: 1, makeExamplesParams: { vsc_min_fraction_snps: 0.02 } });
  assert.ok(v.card);
  for (const want of [/missing "trainedOn": training data unknown/, /does not state min_base_quality, min_mapping_quality/, /missing "trainingRecipe"/, /missing "evaluation"/]) {
    assert.ok(v.problems.some((p) => want.test(p)), `${want} in ${JSON.stringify(v.problems)}`);
  }
  assert.equal(validateModelCard({ version: '1' }).card, undefined);
  const dir = mkdtempSync(join(tmpdir(), 'vl-card-'));
  try {
    assert.deepEqual(await readModelCard(join(dir, 'model_card.json')), { card: undefined, problems: ['no model_card.json: training data unknown'] });
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    // Malformed JSON is an error naming the file, not a warning with default parameters.
    await assert.rejects(readModelCard(join(dir, 'bad.json')), (e: Error & { code?: string }) => e.code === 'model-card-invalid' && e.message.includes('bad.json') && /not valid JSON/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(siteInTrainingData(undefined, 'chr1', 'HG001').inTraining, 'unknown');
  assert.match(siteInTrainingData(undefined, 'chr1', 'HG001').reason, /training data unknown/);
});

test('hold-out: chr20–22 and HG003 are never in training; "20" and "chr20", NA12878 and HG001 are the same', () => {
  assert.equal(siteInTrainingData(A, 'chr20', 'HG001').inTraining, false);
  assert.equal(siteInTrainingData(A, '20', 'HG001').inTraining, false);
  assert.match(siteInTrainingData(A, '21', 'HG002').reason, /held out/);
  assert.equal(siteInTrainingData(A, 'chr1', 'HG003').inTraining, false);
  assert.equal(siteInTrainingData(A, '1', 'NA24149').inTraining, false); // NA24149 = HG003
  assert.equal(siteInTrainingData(A, '1', 'NA12878').inTraining, true); // NA12878 = HG001
  assert.equal(siteInTrainingData(A, 'chrX', 'HG001').inTraining, false); // not among the training contigs
  assert.equal(siteInTrainingData(A, 'chr1', 'HG005').inTraining, false); // not a training sample
  const regions = validateModelCard({ ...dvDefaultCard, trainedOn: { samples: ['HG001'], regions: ['chr1:1,000-2,000'], heldOutSamples: ['HG003'], heldOutContigs: ['chr20'] } }).card!;
  assert.equal(siteInTrainingData(regions, 'chr1', 'HG001', 1500).inTraining, true);
  assert.equal(siteInTrainingData(regions, 'chr1', 'HG001', 2001).inTraining, false);
  assert.equal(siteInTrainingData(regions, 'chr1', 'HG001').inTraining, 'unknown');
});

test('compareParams lists effective differences, with DeepVariant defaults for omitted parameters', () => {
  const diffs = compareParams(A, B);
  assert.deepEqual(diffs.map((d) => [d.param, d.a, d.b]), [['min_base_quality', 10, 5], ['min_mapping_quality', 5, 1], ['vsc_min_fraction_snps', 0.12, 0.02]]);
  const sparse: ModelCard = { name: 'sparse', version: '1', makeExamplesParams: { vsc_min_fraction_snps: 0.02 } };
  const d = compareParams(sparse, A);
  assert.deepEqual(d.map((x) => [x.param, x.a, x.aIsDefault, x.b]), [['vsc_min_fraction_snps', 0.02, false, 0.12]]);
});

test('explainCandidateDifference: an SNV at alt fraction 0.05 is a candidate only for vsc_min_fraction_snps 0.02', () => {
  const e = explainCandidateDifference(A, B, { altFraction: 0.05, altCount: 3, isIndel: false });
  assert.equal(e.a.makesCandidate, false);
  assert.equal(e.b.makesCandidate, true);
  assert.equal(e.summary, 'alt fraction 0.05 is below vsc_min_fraction_snps 0.12 (default) and above 0.02 (retrained): only retrained makes this candidate');
  // Indels use the indel thresholds: 0.05 < 0.06 for both.
  const indel = explainCandidateDifference(A, B, { altFraction: 0.05, altCount: 3, isIndel: true });
  assert.equal(indel.a.makesCandidate, false);
  assert.equal(indel.b.makesCandidate, false);
  assert.match(indel.summary, /neither default nor retrained/);
});

test('explainCandidateDifference with per-read qualities re-applies each model\'s min_base_quality / min_mapping_quality', () => {
  // 20 reads: 17 ref (BQ 30, MQ 60), 3 alt with BQ 8 (below 10, above 5). Under the default
  // model the alt bases are low quality and not counted (0 alt of 17); the retrained model
  // counts them (3 of 20 = 0.15 ≥ 0.02).
  const reads = [
    ...Array.from({ length: 17 }, () => ({ supportsAlt: false, baseQuality: 30, mappingQuality: 60 })),
    ...Array.from({ length: 3 }, () => ({ supportsAlt: true, baseQuality: 8, mappingQuality: 60 })),
  ];
  const e = explainCandidateDifference(A, B, { altFraction: 0.15, altCount: 3, isIndel: false, reads });
  assert.equal(e.a.altCount, 0);
  assert.equal(e.b.altCount, 3);
  assert.equal(e.a.makesCandidate, false);
  assert.equal(e.b.makesCandidate, true);
  assert.ok(e.a.reasons.some((r) => /3 base\(s\) below min_base_quality 10 are low quality/.test(r)));
  assert.match(e.summary, /only retrained makes this candidate/);
});
