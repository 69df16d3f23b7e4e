/**
 * Layer activations: the ONNX graph edit, default layers, one run returning outputs and
 * activations (in the inference worker), equality with PyTorch's own layer outputs (forward
 * hooks on the same weights and pixels, activationFixtures.py), activation maps, per-layer
 * similarity of two models, the memory bound and unknown layer names.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { VariantLensError } from '../../../../src/core/errors';
import { shutdownInference } from '../../../../src/core/model/inferenceHost';
import { loadModel } from '../../../../src/core/model/onnxModel';
import { activationMaps, activationMapImage } from '../../../../src/core/model/activations/activationMaps';
import { exampleActivation, listModelLayers, runWithActivations, type LayerActivation, type SiteActivations } from '../../../../src/core/model/activations/activations';
import { layerSimilarity, layerSimilarityInWorker, linearCka, pooledCosine } from '../../../../src/core/model/activations/layerSimilarity';
import { exposeTensors, readOnnxGraph } from '../../../../src/core/model/onnxGraph';
import { ProtoReader } from '../../../../src/core/io/examples/protobufWire';
import { defaultLayers } from '../../../../src/core/model/activations/layers';
import { similarityPlotSvg, summarizeActivations } from '../../../../src/core/model/activations/activationSummary';
import { siteLayers } from '../../../../src/core/model/activations/siteLayers';
import type { OnnxGraph } from '../../../../src/core/model/onnxGraph';
import { PROJECT_ROOT } from '../../../helpers/paths';
import { modelDir, syntheticTensors } from '../modelFixtures';
import { splitModels, torchActivations, type TorchLayers } from './activationFixtures';

const WGS = [1, 2, 3, 4, 5, 6, 19];
const DEMO = join(PROJECT_ROOT, 'models', 'default');
/** Seed 2, not onnxModel.test's seed 1: the two test files may run at once and must not write the same model file. */
const INCEPTION = { arch: 'inception_v3', channels: WGS, seed: 2 } as const;
after(() => shutdownInference());

/** Every activation value equals PyTorch's within `tol` (absolute). Returns the largest difference. */
function assertSameAsTorch(site: SiteActivations, ref: TorchLayers, tol: number): number {
  assert.deepEqual(site.activations.map((a) => a.layer), ref.layers.map((l) => l.name));
  let worst = 0;
  site.activations.forEach((a, i) => {
    const r = ref.layers[i]!;
    assert.deepEqual([...a.dims], r.dims, `${a.layer} shape`);
    for (let k = 0; k < r.data.length; k++) {
      const d = Math.abs(a.data[k]! - r.data[k]!);
      if (d > worst) worst = d;
      if (!(d <= tol)) assert.fail(`${a.layer} value ${k}: ${a.data[k]} vs PyTorch ${r.data[k]} (|Δ| ${d})`);
    }
  });
  site.outputs.forEach((row, i) => row.forEach((p, k) => assert.ok(Math.abs(p - ref.outputs[i]![k]!) < 1e-5, `output ${i},${k}`)));
  return worst;
}

test('exposeTensors appends outputs and keeps every other byte of the model', () => {
  const bytes = new Uint8Array(readFileSync(join(DEMO, 'model.onnx')));
  const g = readOnnxGraph(bytes);
  assert.deepEqual(g.outputs, ['softmax']);
  const t = '/net/features/features.4/Relu_output_0';
  const edited = exposeTensors(bytes, [t, 'softmax', t]);
  const g2 = readOnnxGraph(edited);
  assert.deepEqual(g2.outputs, ['softmax', t], 'added once, the existing output not repeated');
  assert.deepEqual(g2.nodes.map((n) => n.name), g.nodes.map((n) => n.name));
  // The only difference: the graph's length varint and the appended output, at the graph's end.
  const added = 2 + 2 + t.length; // tag+len of the ValueInfoProto, tag+len of its name field, the name
  assert.ok(edited.length - bytes.length >= added && edited.length - bytes.length <= added + 2, `${edited.length - bytes.length} bytes added`);
  // Original = P · tag(7) · len · G · S; edited = P · tag(7) · len' · G · E · S, byte for byte.
  const r = new ProtoReader(bytes);
  let graphAt = -1;
  let gStart = 0;
  let gEnd = 0;
  while (!r.done) {
    const at = r.pos;
    const { field, wire } = r.tag();
    if (field === 7) { graphAt = at; const len = r.uint32(); gStart = r.pos; gEnd = gStart + len; r.pos = gEnd; } else r.skip(wire);
  }
  const e = new ProtoReader(edited, graphAt);
  assert.deepEqual(e.tag(), { field: 7, wire: 2 });
  const newLen = e.uint32();
  assert.equal(newLen, gEnd - gStart + (edited.length - bytes.length) - (e.pos - graphAt - (gStart - graphAt)));
  assert.ok(Buffer.from(edited.subarray(0, graphAt)).equals(bytes.subarray(0, graphAt)), 'fields before the graph unchanged');
  assert.ok(Buffer.from(edited.subarray(e.pos, e.pos + gEnd - gStart)).equals(bytes.subarray(gStart, gEnd)), 'graph bytes unchanged');
  assert.ok(Buffer.from(edited.subarray(edited.length - (bytes.length - gEnd))).equals(bytes.subarray(gEnd)), 'fields after the graph unchanged');
  assert.throws(() => exposeTensors(bytes, ['no/such/tensor']), (e: unknown) => e instanceof VariantLensError && e.code === 'invalid-argument' && /no\/such\/tensor/.test(e.message));
});

test('default layers: each conv block of the demo CNN; stem + every mixed block of InceptionV3', async () => {
  const demo = await listModelLayers(join(DEMO, 'model.onnx'));
  const d = demo.filter((l) => l.kind !== 'tensor');
  assert.deepEqual(d.map((l) => [l.name, l.tensor, l.layout]), [
    ['conv1', '/net/features/features.2/MaxPool_output_0', 'NCHW'],
    ['conv2', '/net/features/features.5/MaxPool_output_0', 'NCHW'],
    ['conv3', '/net/features/features.7/Relu_output_0', 'NCHW'],
  ]);
  assert.ok(demo.some((l) => l.tensor === '/net/features/features.0/Conv_output_0' && l.kind === 'tensor'), 'other tensors listed too');
  assert.ok(!demo.some((l) => l.tensor.startsWith('/Constant')), 'constants are not layers');
  const inc = readOnnxGraph(readFileSync(join(modelDir(INCEPTION), 'model.onnx')));
  assert.deepEqual(defaultLayers(inc).map((l) => `${l.name}=${l.opType}`), [
    'stem=MaxPool', ...['5b', '5c', '5d', '6a', '6b', '6c', '6d', '6e', '7a', '7b', '7c'].map((b) => `Mixed_${b}=Concat`),
  ]);
});

test('demo model: one run gives the same probabilities as predict and PyTorch DemoCnn\'s conv-block outputs to 1e-5', async () => {
  const m = await loadModel(DEMO);
  const tensors = syntheticTensors(2, WGS, 7);
  const site = await runWithActivations(m, tensors);
  const plain = await m.predict(tensors);
  site.outputs.forEach((row, i) => row.forEach((p, k) => assert.equal(p, plain[i]![k]!)));
  assert.deepEqual(site.inputWindow, { rows: [0, 100], cols: [86, 135] }, 'the demo CNN reads the centre 49 columns');
  assert.equal(site.omitted.length, 0);
  assert.equal(site.bytesPerExample, 4 * (16 * 50 * 24 + 32 * 25 * 12 + 64 * 25 * 12));
  const worst = assertSameAsTorch(site, torchActivations('demo', DEMO, tensors), 1e-5);
  assert.ok(worst < 1e-5);
});

test('split models: activations equal PyTorch forward hooks to 1e-5 at all five blocks', async () => {
  const { a } = splitModels(3);
  const m = await loadModel(a);
  const tensors = syntheticTensors(2, WGS, 11);
  const site = await runWithActivations(m, tensors);
  assert.deepEqual(site.activations.map((x) => x.layer), ['conv1', 'conv2', 'conv3', 'conv4', 'conv5']);
  assertSameAsTorch(site, torchActivations('split', a, tensors), 1e-5);
});

test('InceptionV3: stem and mixed-block activations equal torchvision\'s module outputs (PyTorch hooks) to 1e-5', async () => {
  const dir = modelDir(INCEPTION);
  const m = await loadModel(dir);
  const tensors = syntheticTensors(1, WGS, 3);
  const site = await runWithActivations(m, tensors, undefined, { threads: 2 });
  const ref = torchActivations('inception_v3', dir, tensors, INCEPTION.seed);
  // Relative to each layer's own scale: with random weights and untrained batch norms the
  // activations shrink block after block (max |x| ~0.1 at the stem, ~1e-7 at Mixed_7c), so an
  // absolute 1e-5 would say nothing about the deep blocks.
  site.activations.forEach((act, i) => {
    const r = ref.layers[i]!;
    const scale = r.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(scale > 0, `${act.layer}: PyTorch's activation is all zero`);
    let worst = 0;
    for (let k = 0; k < r.data.length; k++) worst = Math.max(worst, Math.abs(act.data[k]! - r.data[k]!));
    assert.ok(worst / scale <= 1e-5, `${act.layer}: max |Δ| ${worst} at scale ${scale} (relative ${worst / scale})`);
  });
  assert.deepEqual(site.activations.map((x) => [x.layer, ...x.dims]), ref.layers.map((l) => [l.name, ...l.dims]));
});

test('similarity: copies sharing weights through conv3 are identical there and drop exactly at conv4; identical models are 1 everywhere', async () => {
  const { a, aCopy, b } = splitModels(3);
  const tensors = syntheticTensors(2, WGS, 5);
  const [sa, sc, sb] = await Promise.all([a, aCopy, b].map(async (d) => runWithActivations(await loadModel(d), tensors)));
  const same = layerSimilarity(sa!, sc!);
  assert.equal(same.corresponding, true);
  assert.equal(same.firstDivergent, undefined);
  for (const l of same.layers) {
    assert.ok(Math.abs(l.cka! - 1) < 1e-9, `${l.layer} CKA ${l.cka}`);
    assert.ok(Math.abs(l.cosine - 1) < 1e-9, `${l.layer} cosine ${l.cosine}`);
  }
  assert.match(same.summary, /identical at every layer/);
  const split = layerSimilarity(sa!, sb!);
  assert.equal(split.firstDivergent, 3);
  const cka = split.layers.map((l) => l.cka!);
  for (const k of [0, 1, 2]) assert.ok(Math.abs(cka[k]! - 1) < 1e-9, `conv${k + 1} CKA ${cka[k]}`);
  assert.ok(cka[3]! < 0.95 && cka[4]! < 0.95, `after the split: ${cka.join(', ')}`);
  assert.match(split.summary, /^identical through conv3; apart from conv4 on/);
  // Shared layers are the same numbers, not just similar.
  assert.deepEqual([...sa!.activations[2]!.data], [...sb!.activations[2]!.data]);
});

test('similarity: models whose layers do not correspond are compared on their outputs only', async () => {
  const tensors = syntheticTensors(1, WGS, 9);
  const demo = await runWithActivations(await loadModel(DEMO), tensors);
  const other = await runWithActivations(await loadModel(splitModels(3).a), tensors);
  const r = layerSimilarity(demo, other);
  assert.equal(r.corresponding, false);
  assert.equal(r.layers.length, 0);
  assert.match(r.reason!, /do not correspond \(A: conv1, conv2, conv3; B: conv1, conv2, conv3, conv4, conv5\)/);
  assert.match(r.summary, /compared on their outputs only/);
  assert.ok(r.outputs && r.outputs.maxAbsDiff >= 0 && r.outputs.sameArgmax.length === 1);
  // Same names but different shapes: also not comparable layer by layer.
  const narrowed = { ...other, activations: other.activations.slice(0, 3) };
  assert.match(layerSimilarity(demo, narrowed).reason!, /layer conv1 has shape \[1,16,50,24\] in A and \[1,16,100,221\] in B/);
});

test('memory bound: layers that do not fit are omitted and the result says so', async () => {
  const m = await loadModel(DEMO);
  const conv1Bytes = 4 * 16 * 50 * 24;
  const site = await runWithActivations(m, syntheticTensors(1, WGS), ['conv1', 'conv2', 'conv3'], { maxActivationBytes: conv1Bytes + 4 * 32 * 25 * 12 - 1 });
  assert.deepEqual(site.activations.map((a) => a.layer), ['conv1']);
  assert.deepEqual(site.omitted.map((o) => [o.layer, o.bytesPerExample]), [['conv2', 4 * 32 * 25 * 12], ['conv3', 4 * 64 * 25 * 12]]);
  assert.equal(site.bytesPerExample, conv1Bytes);
  assert.match(site.notes[0]!, /2 of 3 layers not shown \(conv2, conv3\).*memory bound.*the 1 that fit/);
  // All layers within a generous bound.
  const all = await runWithActivations(m, syntheticTensors(1, WGS), ['all']);
  assert.equal(all.omitted.length, 0);
  assert.ok(all.activations.length >= 10);
});

test('an unknown layer name is an error listing the available layers', async () => {
  const m = await loadModel(DEMO);
  await assert.rejects(runWithActivations(m, syntheticTensors(1, WGS), ['conv2', 'Mixed_5b']), (e: unknown) => {
    assert.ok(e instanceof VariantLensError);
    assert.equal(e.code, 'invalid-argument');
    assert.match(e.message, /unknown layer "Mixed_5b"; available layers: conv1, conv2, conv3, /);
    assert.match(e.message, /\/net\/features\/features\.0\/Conv_output_0/);
    return true;
  });
  // Tensor and node names work as layer names.
  const site = await runWithActivations(m, syntheticTensors(1, WGS), ['/net/features/features.0/Conv', '/net/features/features.4/Relu_output_0']);
  assert.deepEqual(site.activations.map((a) => a.dims), [[1, 16, 100, 49], [1, 32, 50, 24]]);
});

function handMade(dims: number[], values: number[], layout: 'NCHW' | 'NHWC' = 'NCHW', layer = 'x'): LayerActivation {
  return { layer, tensor: layer, kind: 'tensor', layout, dims, data: Float32Array.from(values) };
}

test('activation maps: channel mean and top channels, nearest-cell upsampling onto the pileup window', () => {
  // 1 image, 3 channels, 2×2 cells (NCHW).
  const act = handMade([1, 3, 2, 2], [
    1, 2, 3, 4, // channel 0
    0, 0, 0, 0, // channel 1
    -8, 0, 0, 8, // channel 2: largest mean |x|
  ]);
  const maps = activationMaps(act, { height: 4, width: 6, window: { rows: [0, 4], cols: [2, 6] } }, { topK: 2 });
  assert.deepEqual(maps.cells, { height: 2, width: 2 });
  assert.deepEqual(maps.top.map((t) => [t.channel, t.score]), [[2, 4], [0, 2.5]]);
  const at = (m: { values: Float32Array }, y: number, x: number): number => m.values[y * 6 + x]!;
  assert.ok(Number.isNaN(at(maps.mean, 0, 0)) && Number.isNaN(at(maps.mean, 3, 1)), 'outside the window: NaN');
  const near = (got: number, want: number): void => assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  near(at(maps.mean, 0, 2), (1 + 0 - 8) / 3);
  near(at(maps.mean, 1, 3), (1 + 0 - 8) / 3);
  near(at(maps.mean, 0, 4), 2 / 3);
  near(at(maps.mean, 3, 5), 12 / 3);
  assert.equal(at(maps.top[0]!, 3, 5), 8);
  assert.equal(maps.top[0]!.min, -8);
  // The same activation in NHWC gives the same maps.
  const nhwc = handMade([1, 2, 2, 3], [1, 0, -8, 2, 0, 0, 3, 0, 0, 4, 0, 8], 'NHWC');
  assert.deepEqual([...activationMaps(nhwc, { height: 4, width: 6, window: { rows: [0, 4], cols: [2, 6] } }).mean.values], [...maps.mean.values]);
  const img = activationMapImage(maps.top[0]!, 'grey');
  assert.equal(img.data[0], 255);
  assert.equal(img.data[3 * 6 + 5], 255, 'the maximum is white');
  assert.equal(img.data[2], 0, 'the minimum is black');
});

test('activation maps of a real layer: the demo model\'s conv1 mean at a cell is the mean over its 16 channels', async () => {
  const m = await loadModel(DEMO);
  const site = await runWithActivations(m, syntheticTensors(1, WGS, 4), ['conv1']);
  const act = site.activations[0]!;
  const maps = activationMaps(act, { height: 100, width: 221, window: site.inputWindow });
  const { data } = exampleActivation(act, 0);
  // Pixel (10, 100) of the pileup → cell (⌊10·50/100⌋, ⌊(100−86)·24/49⌋) = (5, 6).
  let s = 0;
  for (let c = 0; c < 16; c++) s += data[c * 50 * 24 + 5 * 24 + 6]!;
  assert.ok(Math.abs(maps.mean.values[10 * 221 + 100]! - s / 16) < 1e-6);
  assert.ok(Number.isNaN(maps.mean.values[10 * 221 + 85]!) && !Number.isNaN(maps.mean.values[10 * 221 + 86]!));
  assert.equal(maps.top.length, 4);
});

test('linear CKA: invariant to scaling and channel rotation, low for unrelated activations; cosine of pooled activations', () => {
  const n = 40;
  const x: number[] = [];
  let seed = 1;
  const rnd = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  for (let i = 0; i < 2 * n; i++) x.push(rnd());
  // [1, 2, 1, n] NCHW: 2 channels, n positions. Rotate the channels by 30° and scale by 3.
  const a = handMade([1, 2, 1, n], x);
  const c = Math.cos(Math.PI / 6);
  const s = Math.sin(Math.PI / 6);
  const rot = [...Array(n).keys()].map((p) => 3 * (c * x[p]! - s * x[n + p]!)).concat([...Array(n).keys()].map((p) => 3 * (s * x[p]! + c * x[n + p]!)));
  assert.ok(Math.abs(linearCka(a, handMade([1, 2, 1, n], rot))! - 1) < 1e-9);
  const y: number[] = [];
  for (let i = 0; i < 2 * n; i++) y.push(rnd());
  assert.ok(linearCka(a, handMade([1, 2, 1, n], y))! < 0.3);
  assert.equal(linearCka(handMade([1, 2, 1, 1], [1, 2]), handMade([1, 2, 1, 1], [1, 2])), undefined, 'one sample: undefined');
  assert.ok(Math.abs(pooledCosine(handMade([1, 2, 1, 2], [1, 1, 0, 0]), handMade([1, 2, 1, 2], [2, 2, 0, 0])) - 1) < 1e-12);
  assert.ok(Math.abs(pooledCosine(handMade([1, 2, 1, 2], [1, 1, 0, 0]), handMade([1, 2, 1, 2], [0, 0, 5, 5]))) < 1e-12);
});

function graphOf(nodes: [string, string, string[], string[], Record<string, number[]>?][], inits: string[] = []): OnnxGraph {
  return {
    nodes: nodes.map(([name, opType, inputs, outputs, ints], index) => ({ index, name, opType, inputs, outputs, ints: new Map(Object.entries(ints ?? {})) })),
    inputs: ['input'], outputs: [nodes.at(-1)![3][0]!], initializers: new Set(inits), initializerInts: new Map(), valueInfo: new Set(),
  };
}

test('default layers of a Keras InceptionV3 via tf2onnx (branches outside the mixed scopes) and of a Slim one', () => {
  const k = 'StatefulPartitionedCall/inception_v3';
  const keras = graphOf([
    [`${k}/transpose`, 'Transpose', ['input'], ['t0'], { perm: [0, 3, 1, 2] }],
    [`${k}/conv2d/Conv2D`, 'Conv', ['t0', 'w0'], ['c0']],
    [`${k}/activation/Relu`, 'Relu', ['c0'], ['r0']],
    [`${k}/max_pooling2d_1/MaxPool`, 'MaxPool', ['r0'], ['stem']],
    [`${k}/conv2d_5/Conv2D`, 'Conv', ['stem', 'w5'], ['c5']],
    [`${k}/activation_5/Relu`, 'Relu', ['c5'], ['r5']],
    [`${k}/conv2d_6/Conv2D`, 'Conv', ['stem', 'w6'], ['c6']],
    [`${k}/activation_6/Relu`, 'Relu', ['c6'], ['r6']],
    [`${k}/mixed0/concat`, 'Concat', ['r5', 'r6'], ['m0'], { axis: [1] }],
    [`${k}/conv2d_7/Conv2D`, 'Conv', ['m0', 'w7'], ['c7']],
    [`${k}/average_pooling2d/AvgPool`, 'AveragePool', ['m0'], ['p7']],
    [`${k}/mixed9_0/concat`, 'Concat', ['c7', 'p7'], ['m9_0'], { axis: [1] }],
    [`${k}/concatenate/concat`, 'Concat', ['c7', 'p7'], ['cc'], { axis: [1] }],
    [`${k}/to_nhwc`, 'Transpose', ['m9_0'], ['t1'], { perm: [0, 2, 3, 1] }],
    [`${k}/to_nhwc_1`, 'Transpose', ['cc'], ['t2'], { perm: [0, 2, 3, 1] }],
    [`${k}/mixed1/concat`, 'Concat', ['t1', 't2'], ['m1'], { axis: [3] }],
    [`${k}/global_average_pooling2d/Mean`, 'ReduceMean', ['m1'], ['g']],
    [`${k}/predictions/Softmax`, 'Softmax', ['g'], ['probs']],
  ], ['w0', 'w5', 'w6', 'w7']);
  assert.deepEqual(defaultLayers(keras).map((l) => [l.name, l.tensor, l.layout]), [
    ['stem', 'stem', 'NCHW'], ['mixed0', 'm0', 'NCHW'], ['mixed1', 'm1', 'NHWC'],
  ]);
  const s = 'InceptionV3/InceptionV3';
  const slim = graphOf([
    [`${s}/Conv2d_1a_3x3/Conv2D`, 'Conv', ['input', 'w0'], ['c0']],
    [`${s}/MaxPool_5a_3x3/MaxPool`, 'MaxPool', ['c0'], ['pool']],
    [`${s}/Mixed_5b/Branch_0/Conv2d_0a_1x1/Conv2D`, 'Conv', ['pool', 'w1'], ['b0']],
    [`${s}/Mixed_5b/Branch_1/Conv2d_0a_1x1/Conv2D`, 'Conv', ['pool', 'w2'], ['b1']],
    [`${s}/Mixed_5b/Branch_1/inner/concat`, 'Concat', ['b1', 'b1'], ['b1c'], { axis: [1] }],
    [`${s}/Mixed_5b/concat`, 'Concat', ['b0', 'b1c'], ['m5b'], { axis: [1] }],
    [`${s}/Logits/Softmax`, 'Softmax', ['m5b'], ['probs']],
  ], ['w0', 'w1', 'w2']);
  assert.deepEqual(defaultLayers(slim).map((l) => [l.name, l.tensor]), [['stem', 'pool'], ['Mixed_5b', 'm5b']]);
});

test('summary for JSON and the similarity plot', async () => {
  const { a, b } = splitModels(3);
  const tensors = syntheticTensors(1, WGS, 21);
  const sa = await runWithActivations(await loadModel(a), tensors);
  const sb = await runWithActivations(await loadModel(b), tensors);
  const sum = summarizeActivations(sa);
  assert.deepEqual(sum.layers.map((l) => [l.layer, ...l.dims]), [['conv1', 16, 100, 221], ['conv2', 24, 50, 110], ['conv3', 32, 50, 110], ['conv4', 32, 25, 55], ['conv5', 48, 25, 55]]);
  const c1 = exampleActivation(sa.activations[0]!, 0).data;
  assert.equal(sum.layers[0]!.max, c1.reduce((m, v) => Math.max(m, v), -Infinity));
  assert.ok(sum.layers[0]!.min >= 0, 'after ReLU');
  assert.equal(sum.layers[0]!.topChannels.length, 4);
  assert.doesNotThrow(() => JSON.stringify(sum));
  const svg = similarityPlotSvg(layerSimilarity(sa, sb));
  assert.equal((svg.match(/<rect /g) ?? []).length, 5);
  assert.equal((svg.match(/fill="#4a7"/g) ?? []).length, 3, 'three identical layers');
  assert.match(svg, /identical through conv3; apart from conv4 on/);
  const demo = await runWithActivations(await loadModel(DEMO), tensors);
  assert.match(similarityPlotSvg(layerSimilarity(demo, sa)), /do not correspond/);
});

test('similarity in the worker (onnxruntime matrix products) agrees with the JavaScript one', async () => {
  const { a, aCopy, b } = splitModels(3);
  const tensors = syntheticTensors(2, WGS, 5);
  const [sa, sc, sb] = await Promise.all([a, aCopy, b].map(async (d) => runWithActivations(await loadModel(d), tensors)));
  for (const [x, y] of [[sa!, sb!], [sa!, sc!]] as const) {
    const js = layerSimilarity(x, y);
    const w = await layerSimilarityInWorker(x, y);
    assert.equal(w.firstDivergent, js.firstDivergent);
    assert.equal(w.summary.split(' (')[0], js.summary.split(' (')[0]);
    w.layers.forEach((l, i) => assert.ok(Math.abs(l.cka! - js.layers[i]!.cka!) < 1e-4, `${l.layer}: ${l.cka} vs ${js.layers[i]!.cka}`));
  }
  // InceptionV3-sized layers (both paths: channel products for the stem, sample products for Mixed_6*).
  const inc = await loadModel(modelDir(INCEPTION));
  const [i1, i2] = [await runWithActivations(inc, syntheticTensors(1, WGS, 1)), await runWithActivations(inc, syntheticTensors(1, WGS, 2))];
  const js = layerSimilarity(i1, i2);
  const w = await layerSimilarityInWorker(i1, i2);
  w.layers.forEach((l, i) => {
    if (l.cka === undefined) assert.equal(js.layers[i]!.cka, undefined);
    else assert.ok(Math.abs(l.cka - js.layers[i]!.cka!) < 1e-4, `${l.layer}: ${l.cka} vs ${js.layers[i]!.cka}`);
  });
});

test('a fixed-batch-1 model (DeepVariant 1.5 frozen graphs): three images run one at a time, activations stacked in order', async () => {
  const m = await loadModel(modelDir({ arch: 'small', channels: WGS, fixedBatch: 1 }));
  assert.equal(m.batchSize, 1);
  const tensors = syntheticTensors(3, WGS, 13);
  const all = await runWithActivations(m, tensors);
  assert.deepEqual(all.activations.map((a) => a.layer), ['conv1', 'conv2', 'conv3', 'conv4']);
  assert.deepEqual(all.activations[0]!.dims, [3, 16, 50, 111]);
  for (let i = 0; i < 3; i++) {
    const one = await runWithActivations(m, [tensors[i]!]);
    one.activations.forEach((a, k) => assert.deepEqual([...exampleActivation(all.activations[k]!, i).data], [...a.data], `image ${i} ${a.layer}`));
    assert.deepEqual([...all.outputs[i]!], [...one.outputs[0]!]);
  }
});

test('siteLayers: both models run once, maps per image and layer, similarity of the first two', async () => {
  const { a, b } = splitModels(3);
  const tensors = syntheticTensors(2, WGS, 17);
  const r = await siteLayers([await loadModel(a), await loadModel(b)], tensors, { topK: 2 });
  assert.equal(r.models.length, 2);
  assert.equal(r.models[0]!.maps.length, 2);
  assert.deepEqual(r.models[0]!.maps[1]!.map((m) => [m.layer, m.example, m.top.length, m.mean.values.length]), ['conv1', 'conv2', 'conv3', 'conv4', 'conv5'].map((l) => [l, 1, 2, 100 * 221]));
  assert.equal(r.similarity!.firstDivergent, 3);
  assert.match(r.similaritySvg!, /^<svg /);
  const one = await siteLayers([await loadModel(a)], tensors, { layers: ['conv2'] });
  assert.equal(one.similarity, undefined);
  assert.deepEqual(one.models[0]!.activations.activations.map((x) => x.layer), ['conv2']);
});
