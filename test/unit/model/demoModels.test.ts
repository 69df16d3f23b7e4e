/**
 * The two demo models shipped in models/: DeepVariant's input/output contract (read from the
 * ONNX graph), small size, complete model cards that respect the hold-out rule, and
 * make_examples parameters that the calling pipeline turns into different candidate callers.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { RETRAINED_PARAM_CHANGES, modelPipeline } from '../../../src/core/model/makeExamplesParams';
import { compareParams, siteInTrainingData } from '../../../src/core/model/modelCard';
import { loadModel } from '../../../src/core/model/onnxModel';
import { downsamplingModeForVersion } from '../../../src/core/pileup/pileupEncoder';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { DEFAULT_MODEL, RETRAINED_MODEL } from './callTestUtil';

after(() => shutdownInference());

const WGS = [1, 2, 3, 4, 5, 6, 19];

test('both demo models: NHWC [N,100,221,7] float input, dynamic batch, softmax [N,3], a few hundred KB', async () => {
  for (const dir of [DEFAULT_MODEL, RETRAINED_MODEL]) {
    const m = await loadModel(dir);
    assert.equal(m.batchSize, 'dynamic');
    assert.deepEqual(m.inputDims.slice(1), [100, 221, 7]);
    assert.deepEqual([...m.exampleInfo.channels], WGS);
    assert.deepEqual([...m.exampleInfo.shape], [100, 221, 7]);
    // 1.6 → the DeepVariant >= 1.6 downsampling rules in our encoder (docs/deepvariant.md §1.5).
    assert.equal(downsamplingModeForVersion(m.exampleInfo.version), 'dv1.6');
    assert.ok(statSync(m.modelPath).size < 2_000_000, `${m.modelPath} is ${statSync(m.modelPath).size} bytes`);
    assert.deepEqual(m.cardProblems, [], `${dir}: ${m.cardProblems.join('; ')}`);
    // Outputs of a batch of 3 (and of 1) are softmax rows; loadModel checks the sum.
    const t = (fill: number): PileupTensor => ({ height: 100, width: 221, channels: WGS, data: new Uint8Array(100 * 221 * 7).fill(fill) });
    const probs = await m.predict([t(0), t(128), t(254)]);
    assert.equal(probs.length, 3);
    const one = await m.predict([t(128)]);
    // Batch size does not change a row (no batch statistics in the graph).
    one[0]!.forEach((p, k) => assert.ok(Math.abs(p - probs[1]![k]!) < 1e-6));
    await m.dispose();
  }
});

test('model cards: hold-out chr20-22 and HG003-sim, training samples and contigs disjoint from them, evaluation recorded', async () => {
  for (const dir of [DEFAULT_MODEL, RETRAINED_MODEL]) {
    const m = await loadModel(dir);
    const card = m.card!;
    assert.deepEqual(card.trainedOn!.heldOutContigs, ['chr20', 'chr21', 'chr22']);
    assert.deepEqual(card.trainedOn!.heldOutSamples, ['HG003-sim']);
    for (const c of card.trainedOn!.contigs!) assert.ok(!['chr20', 'chr21', 'chr22'].includes(c), c);
    assert.ok(!card.trainedOn!.samples!.includes('HG003-sim'));
    assert.equal(siteInTrainingData(card, 'chr20', 'HG001-sim', 1000).inTraining, false);
    assert.equal(siteInTrainingData(card, 'chr1', 'HG003-sim', 1000).inTraining, false);
    assert.equal(siteInTrainingData(card, 'chr1', 'HG001-sim', 1000).inTraining, true);
    // Real NA12878 (HG001) is not the simulated HG001-sim.
    assert.equal(siteInTrainingData(card, 'chr1', 'NA12878', 1000).inTraining, false);
    const ev = card.evaluation as { snv: { f1: number; precision: number; recall: number }; indel: { f1: number } };
    for (const k of ['precision', 'recall', 'f1'] as const) assert.ok(ev.snv[k] >= 0 && ev.snv[k] <= 1);
    const raw = JSON.parse(readFileSync(join(dir, 'model_card.json'), 'utf8')) as { trainingRecipe: { command: string } };
    assert.match(raw.trainingRecipe.command, /npm run train:models/);
  }
});

test('retrained card differs from default exactly in the three make_examples parameters, and so do the callers', async () => {
  const a = await loadModel(DEFAULT_MODEL);
  const b = await loadModel(RETRAINED_MODEL);
  const diff = compareParams(a.card, b.card).map((d) => [d.param, d.a, d.b]);
  assert.deepEqual(diff.sort(), [
    ['min_base_quality', 10, 5], ['min_mapping_quality', 5, 1], ['vsc_min_fraction_snps', 0.12, 0.02],
  ]);
  assert.deepEqual(Object.keys(RETRAINED_PARAM_CHANGES).sort(), ['min_base_quality', 'min_mapping_quality', 'vsc_min_fraction_snps']);
  const pa = modelPipeline(a.exampleInfo, a.card!.makeExamplesParams).options;
  const pb = modelPipeline(b.exampleInfo, b.card!.makeExamplesParams).options;
  assert.equal(pa.readRequirements.minMappingQuality, 5);
  assert.equal(pb.readRequirements.minMappingQuality, 1);
  assert.equal(pa.encoder.minBaseQuality, 10);
  assert.equal(pb.encoder.minBaseQuality, 5);
  assert.equal(pa.caller.vscMinFractionSnps, 0.12);
  assert.equal(pb.caller.vscMinFractionSnps, 0.02);
  assert.equal(pb.caller.vscMinFractionIndels, 0.06);
  // The demo models were trained on raw reads: their cards say realign_reads false, so no realigner.
  assert.equal(pa.realignReads, false);
  assert.equal(pb.realignReads, false);
});

test('modelPipeline rejects bad parameter values and notes unknown ones', () => {
  const info = { version: '1.6.0', shape: [100, 221, 7] as const, channels: WGS };
  assert.throws(() => modelPipeline(info, { min_base_quality: -1 }, 'card.json'), /min_base_quality must be a non-negative integer.*|card\.json/);
  assert.throws(() => modelPipeline(info, { vsc_min_fraction_snps: 'lots' }, 'card.json'), /vsc_min_fraction_snps/);
  const p = modelPipeline(info, { realign_reads: true, my_flag: 3 });
  assert.ok(p.notes.some((n) => /my_flag/.test(n)));
  // realign_reads turns DeepVariant's realigner on in the encoder; absent means DeepVariant's default (on).
  assert.equal(p.options.realignReads, true);
  assert.equal(modelPipeline(info, { realign_reads: false }).options.realignReads, false);
  assert.throws(() => modelPipeline(info, { realign_reads: 'maybe' }, 'card.json'), /realign_reads must be true or false/);
  // No card: DeepVariant's defaults (docs/deepvariant.md §7.1).
  const d = modelPipeline(info, undefined).options;
  assert.equal(d.realignReads, true);
  assert.equal(d.readRequirements.minMappingQuality, 5);
  assert.equal(d.caller.vscMinFractionSnps, 0.12);
});
