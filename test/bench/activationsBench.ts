/**
 * `npm run bench:activations` — what layer activations cost at one site, on 2 onnxruntime
 * threads: an InceptionV3-sized model (random weights, [N,100,221,7], scripts/makeInceptionOnnx.py)
 * and the demo CNN, for a site of 1 and of 3 images.
 *
 *   plain        LoadedModel.predict (the normal inference)
 *   activations  runWithActivations with the default layers (stem + 11 mixed blocks; conv
 *                blocks for the demo CNN; the one run gives the probabilities too) + the
 *                channel-mean and top-4 maps of every layer and image on the 100×221 pileup
 *   similarity   layerSimilarity against a second run's activations (linear CKA and pooled
 *                cosine at every layer): a two-model cost, paid once per pair, reported apart,
 *                in JavaScript and with the CKA products in the worker (layerSimilarityInWorker)
 *
 * Plain and activations runs alternate (31 pairs, warm); the machine is shared, so the added
 * cost is the median over pairs of (activations / plain) wall time, with the process CPU-time
 * ratio beside it; times shown are best of 31. Target: activations add ≤ 50 % to the plain
 * inference time. Memory: process RSS (the inference worker is a thread of
 * this process) after loading the plain session and after loading the exposed one, the
 * activation bytes per image of the default layers and of every layer, and what the default
 * memory bound (DEFAULT_MAX_ACTIVATION_BYTES per image) keeps of "all".
 * Prints a table and one JSON line (prefixed "BENCH_JSON ").
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { shutdownInference } from '../../src/core/model/inferenceHost';
import { loadModel } from '../../src/core/model/onnxModel';
import { activationMaps } from '../../src/core/model/activations/activationMaps';
import { DEFAULT_MAX_ACTIVATION_BYTES, runWithActivations, type SiteActivations } from '../../src/core/model/activations/activations';
import { layerSimilarity, layerSimilarityInWorker } from '../../src/core/model/activations/layerSimilarity';
import { modelDir, syntheticTensors } from '../unit/model/modelFixtures';

const ROOT = resolve(__dirname, '../..');
const WGS = [1, 2, 3, 4, 5, 6, 19];
const THREADS = 2;
const REPS = 31;
/** The JavaScript similarity is slow on InceptionV3 layers: timed on the first few pairs only. */
const JS_SIMILARITY_REPS = 3;
const MIB = 1024 * 1024;

interface Row {
  model: string; images: number; layers: number; plainMs: number; activationsMs: number; runOnlyMs: number;
  mapsMs: number; similarityMs: number; similarityWorkerMs: number;
  /** Median over alternating pairs of (activations + maps) / plain wall time, as a percentage added. */
  overheadPct: number;
  /** Same from the process CPU time (all threads) summed over the runs. */
  cpuOverheadPct: number;
  pass: boolean;
}

interface MemoryRow {
  model: string; modelFileMiB: number; rssBeforeMiB: number; rssPlainMiB: number; rssExposedMiB: number;
  defaultBytesPerImage: number; allLayers: number; allBytesPerImage: number; boundBytes: number; keptUnderBound: number;
}

const rssMiB = (): number => process.memoryUsage().rss / MIB;

async function benchModel(label: string, dir: string, fileMiB: number): Promise<{ rows: Row[]; memory: MemoryRow }> {
  const rssBefore = rssMiB();
  const model = await loadModel(dir, undefined, { threads: THREADS });
  const rows: Row[] = [];
  await model.predict(syntheticTensors(1, WGS, 1));
  const rssPlain = rssMiB();
  await runWithActivations(model, syntheticTensors(1, WGS, 1), undefined, { threads: THREADS });
  const rssExposed = rssMiB();
  let defaultBytes = 0;
  for (const images of [1, 3]) {
    const tensors = syntheticTensors(images, WGS, 42);
    const other = await runWithActivations(model, syntheticTensors(images, WGS, 43), undefined, { threads: THREADS });
    let plain = Infinity;
    let full = Infinity;
    let runOnly = Infinity;
    let similarity = Infinity;
    let similarityWorker = Infinity;
    let layers = 0;
    const ratios: number[] = [];
    let cpuPlain = 0;
    let cpuFull = 0;
    const timePlain = async (): Promise<number> => {
      const c = process.cpuUsage();
      const t = performance.now();
      await model.predict(tensors);
      const ms = performance.now() - t;
      const d = process.cpuUsage(c);
      cpuPlain += d.user + d.system;
      plain = Math.min(plain, ms);
      return ms;
    };
    const timeFull = async (): Promise<number> => {
      const c = process.cpuUsage();
      const t = performance.now();
      const site: SiteActivations = await runWithActivations(model, tensors, undefined, { threads: THREADS });
      const t1 = performance.now();
      for (const act of site.activations) {
        for (let i = 0; i < images; i++) activationMaps(act, { height: 100, width: 221, window: site.inputWindow }, { example: i, topK: 4 });
      }
      const t2 = performance.now();
      const d = process.cpuUsage(c);
      cpuFull += d.user + d.system;
      if (ratios.length < JS_SIMILARITY_REPS) {
        layerSimilarity(site, other);
        similarity = Math.min(similarity, performance.now() - t2);
      }
      const t3 = performance.now();
      await layerSimilarityInWorker(site, other);
      similarityWorker = Math.min(similarityWorker, performance.now() - t3);
      runOnly = Math.min(runOnly, t1 - t);
      full = Math.min(full, t2 - t);
      layers = site.activations.length;
      defaultBytes = site.bytesPerExample;
      return t2 - t;
    };
    for (let r = 0; r < REPS; r++) {
      // Alternate the order; the ratio of each adjacent pair sees the same machine load.
      if (r % 2 === 0) { const p = await timePlain(); ratios.push((await timeFull()) / p); }
      else { const f = await timeFull(); ratios.push(f / (await timePlain())); }
    }
    ratios.sort((x, y) => x - y);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    const overheadPct = 100 * (median - 1);
    rows.push({
      model: label, images, layers, plainMs: plain, activationsMs: full, runOnlyMs: runOnly, mapsMs: full - runOnly, similarityMs: similarity, similarityWorkerMs: similarityWorker,
      overheadPct, cpuOverheadPct: 100 * (cpuFull / cpuPlain - 1), pass: overheadPct <= 50,
    });
  }
  const all = await runWithActivations(model, syntheticTensors(1, WGS, 1), ['all'], { threads: THREADS, maxActivationBytes: Number.MAX_SAFE_INTEGER });
  const bounded = await runWithActivations(model, syntheticTensors(1, WGS, 1), ['all'], { threads: THREADS });
  await model.dispose();
  return {
    rows,
    memory: {
      model: label, modelFileMiB: fileMiB, rssBeforeMiB: rssBefore, rssPlainMiB: rssPlain, rssExposedMiB: rssExposed,
      defaultBytesPerImage: defaultBytes, allLayers: all.activations.length, allBytesPerImage: all.bytesPerExample,
      boundBytes: DEFAULT_MAX_ACTIVATION_BYTES, keptUnderBound: bounded.activations.length,
    },
  };
}

async function main(): Promise<void> {
  const { statSync } = await import('node:fs');
  const models = [
    { label: 'InceptionV3 (random)', dir: modelDir({ arch: 'inception_v3', channels: WGS }) },
    { label: 'demo:default', dir: join(ROOT, 'models', 'default') },
  ];
  const rows: Row[] = [];
  const memory: MemoryRow[] = [];
  for (const m of models) {
    const r = await benchModel(m.label, m.dir, statSync(join(m.dir, 'model.onnx')).size / MIB);
    rows.push(...r.rows);
    memory.push(r.memory);
  }
  console.log(`onnxruntime intra-op threads: ${THREADS}; ${REPS} alternating pairs (times: best; added: median pair ratio); load average ${loadavg()[0]!.toFixed(1)}; ${process.arch}`);
  console.log(['model'.padEnd(22), 'images'.padStart(6), 'layers'.padStart(6), 'plain ms'.padStart(9), 'run ms'.padStart(8), '+maps'.padStart(7), 'total ms'.padStart(9), 'added'.padStart(7), 'CPU added'.padStart(9), '', 'similarity ms: JS'.padStart(17), 'worker'.padStart(7)].join(' '));
  for (const r of rows) {
    console.log([r.model.padEnd(22), String(r.images).padStart(6), String(r.layers).padStart(6), r.plainMs.toFixed(1).padStart(9), r.runOnlyMs.toFixed(1).padStart(8),
      r.mapsMs.toFixed(1).padStart(7), r.activationsMs.toFixed(1).padStart(9), `${r.overheadPct.toFixed(0)}%`.padStart(7), `${r.cpuOverheadPct.toFixed(0)}%`.padStart(9), r.pass ? 'ok (≤ 50 %)' : 'OVER 50 %', r.similarityMs.toFixed(1).padStart(17), r.similarityWorkerMs.toFixed(1).padStart(7)].join(' '));
  }
  for (const m of memory) {
    console.log(`${m.model}: model file ${m.modelFileMiB.toFixed(1)} MiB; process RSS ${m.rssBeforeMiB.toFixed(0)} → ${m.rssPlainMiB.toFixed(0)} MiB (plain session) → ${m.rssExposedMiB.toFixed(0)} MiB (+ session with layers exposed); ` +
      `default layers ${(m.defaultBytesPerImage / MIB).toFixed(2)} MiB of activations per image; all ${m.allLayers} layers ${(m.allBytesPerImage / MIB).toFixed(2)} MiB per image; ` +
      `bound ${(m.boundBytes / MIB).toFixed(0)} MiB per image keeps ${m.keptUnderBound} of them`);
  }
  console.log(`BENCH_JSON ${JSON.stringify({ bench: 'activations', threads: THREADS, rows, memory })}`);
  await shutdownInference();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
