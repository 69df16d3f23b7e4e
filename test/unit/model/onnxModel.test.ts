/**
 * ONNX inference path: model loading and shape checks, batching (dynamic and fixed batch 1),
 * worker thread, cancellation, session reload, and InceptionV3-sized models on real
 * NA12878 pileups. Expected probabilities come from the same seeded PyTorch model run by
 * python3 on the same pixels (modelFixtures.torchReference), never from our own output.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { inferenceBackend, shutdownInference } from '../../../src/core/model/inferenceHost';
import { loadModel } from '../../../src/core/model/onnxModel';
import { DEFAULT_EXAMPLE_INFO } from '../../../src/core/io/examples/exampleInfo';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { PartitionReader, pipelineOptions, regionExamples } from '../../../src/core/pileup/siteExamples';
import { TEST_CACHE, dv, sharedTest } from '../../helpers/paths';
import { modelDir, syntheticTensors, torchReference, type ModelSpec } from './modelFixtures';

const WGS = [1, 2, 3, 4, 5, 6, 19];
const DV15 = [1, 2, 3, 4, 5, 6];
after(() => shutdownInference());

function assertClose(got: readonly Float64Array[], want: readonly number[][], tol: number): void {
  assert.equal(got.length, want.length);
  got.forEach((row, i) => row.forEach((p, k) => assert.ok(Math.abs(p - want[i]![k]!) < tol, `example ${i} class ${k}: ${p} vs torch ${want[i]![k]}`)));
}

test('small 7-channel model: dynamic batch, runs in the worker, matches PyTorch on the same pixels', async () => {
  const spec: ModelSpec = { arch: 'small', channels: WGS };
  const m = await loadModel(modelDir(spec));
  assert.equal(m.batchSize, 'dynamic');
  assert.deepEqual(m.inputDims.slice(1), [100, 221, 7]);
  assert.deepEqual(m.cardProblems, ['no model_card.json: training data unknown']);
  const tensors = syntheticTensors(70, WGS); // > 64: two worker calls
  const progress: number[] = [];
  const probs = await m.predict(tensors, undefined, (p) => progress.push(p.done));
  assert.equal(inferenceBackend().kind, 'worker');
  assert.deepEqual(progress, [64, 70]);
  assertClose(probs, torchReference(spec, tensors), 1e-5);
});

test('fixed batch 1 model (1.5 frozen-graph style) runs one example at a time with the same results', async () => {
  const spec: ModelSpec = { arch: 'small', channels: WGS, fixedBatch: 1 };
  const m = await loadModel(modelDir(spec));
  assert.equal(m.batchSize, 1);
  const tensors = syntheticTensors(5, WGS, 7);
  assertClose(await m.predict(tensors), torchReference(spec, tensors), 1e-5);
});

test('a model that outputs logits is reported as such', async () => {
  const m = await loadModel(modelDir({ arch: 'small', channels: WGS, logits: true }));
  await assert.rejects(m.predict(syntheticTensors(2, WGS)), (e: Error) => {
    assert.match(e.message, /is not a softmax/);
    assert.match(e.message, /logits/);
    return true;
  });
});

test('wrong channels: tensors and example_info.json that disagree with the model are clear errors', async () => {
  const m = await loadModel(modelDir({ arch: 'small', channels: WGS }));
  await assert.rejects(m.predict(syntheticTensors(1, DV15)), /model expects 7 channels \[1,2,3,4,5,6,19\], examples have 6 channels \[1,2,3,4,5,6\]/);
  // The same ONNX file with a 6-channel example_info.json.
  const dir = join(TEST_CACHE, 'models', 'mismatch-small');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(modelDir({ arch: 'small', channels: WGS }), 'model.onnx'), join(dir, 'model.onnx'));
  writeFileSync(join(dir, 'example_info.json'), JSON.stringify({ version: '1.5.0', shape: [100, 221, 6], channels: DV15 }));
  await assert.rejects(loadModel(dir), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'model-shape-mismatch');
    assert.match(e.message, /model expects 7 channels, example_info\.json says 6 channels \[1,2,3,4,5,6\]/);
    assert.match(e.message, /model\.onnx/);
    return true;
  });
});

test('cancellation: an aborted signal rejects predict with "cancelled"', async () => {
  const m = await loadModel(modelDir({ arch: 'small', channels: WGS }));
  const ac = new AbortController();
  const p = m.predict(syntheticTensors(130, WGS), ac.signal, () => ac.abort());
  await assert.rejects(p, (e: Error & { code?: string }) => e.code === 'cancelled');
});

test('the session is reloaded when model.onnx changes on disk', async () => {
  const a: ModelSpec = { arch: 'small', channels: WGS, seed: 1 };
  const b: ModelSpec = { arch: 'small', channels: WGS, seed: 2 };
  const dir = join(TEST_CACHE, 'models', 'reload-small');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(modelDir(a), 'model.onnx'), join(dir, 'model.onnx'));
  copyFileSync(join(modelDir(a), 'example_info.json'), join(dir, 'example_info.json'));
  const tensors = syntheticTensors(3, WGS, 3);
  const m = await loadModel(dir);
  assertClose(await m.predict(tensors), torchReference(a, tensors), 1e-5);
  copyFileSync(join(modelDir(b), 'model.onnx'), join(dir, 'model.onnx'));
  assertClose(await m.predict(tensors), torchReference(b, tensors), 1e-5);
  await m.dispose();
});

/** 7-channel WGS pileups of real NA12878 candidates, made by our encoder from the BAM. */
async function na12878Tensors(n: number): Promise<PileupTensor[]> {
  const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  const reads = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
  const reader = new PartitionReader(reads, reference, pipelineOptions(DEFAULT_EXAMPLE_INFO));
  const out: PileupTensor[] = [];
  for await (const site of regionExamples(reader, { contig: 'chr20', start: 10_000_000, end: 10_010_000 })) {
    for (const ex of site.examples) out.push(ex.tensor);
    if (out.length >= n) break;
  }
  await reads.close();
  return out.slice(0, n);
}

sharedTest('InceptionV3 [N,100,221,7] runs on real NA12878 7-channel pileups (our encoder) and matches PyTorch', async () => {
  const spec: ModelSpec = { arch: 'inception_v3', channels: WGS };
  const m = await loadModel(modelDir(spec));
  assert.deepEqual(m.inputDims.slice(1), [100, 221, 7]);
  assert.equal(m.batchSize, 'dynamic');
  const tensors = await na12878Tensors(12);
  assert.equal(tensors.length, 12);
  assert.deepEqual(tensors[0]!.channels, WGS);
  const probs = await m.predict(tensors);
  assertClose(probs, torchReference(spec, tensors), 1e-4);
  // The golden 6-channel examples do not fit it: the error names both channel lists.
  const golden: PileupTensor[] = [];
  for await (const r of readExamples(dv('golden.calling_examples.tfrecord.gz'))) { golden.push(r.example.tensor); break; }
  await assert.rejects(m.predict(golden), /model expects 7 channels \[1,2,3,4,5,6,19\], examples have 6 channels \[1,2,3,4,5,6\]/);
});

sharedTest('a 6-channel model runs on all 84 golden DeepVariant calling examples and matches PyTorch', async () => {
  const spec: ModelSpec = { arch: 'small', channels: DV15 };
  const m = await loadModel(modelDir(spec));
  const golden: PileupTensor[] = [];
  for await (const r of readExamples(dv('golden.calling_examples.tfrecord.gz'))) golden.push({ ...r.example.tensor, data: r.example.tensor.data.slice() });
  assert.equal(golden.length, 84);
  assertClose(await m.predict(golden), torchReference(spec, golden), 1e-5);
});
