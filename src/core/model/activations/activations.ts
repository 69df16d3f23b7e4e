/**
 * Layer activations of a loaded model at a site: the API the explanation engine, the CLI
 * (`explain --layers`) and the inspector use.
 *
 *   listModelLayers(modelPath)        every layer a user can choose (defaults first)
 *   runWithActivations(model, …)      one run: the model's probabilities and the chosen
 *                                     layers' activations (the graph edited in memory to
 *                                     output them, in the inference worker)
 *
 * The graph of a model file is read once per (path, mtime, size) and kept (node names and
 * ops only, not the weights).
 */
import { readFile, stat } from 'node:fs/promises';
import { VariantLensError, throwIfAborted, wrapError } from '../../errors';
import type { PileupTensor } from '../../io/examples/pileupTensor';
import { inferenceBackend } from '../inferenceHost';
import { checkTensors, type LoadedModel } from '../onnxModel';
import { readOnnxGraph, type OnnxGraph } from '../onnxGraph';
import { inputWindow, listLayers, resolveLayers, type ActivationLayout, type LayerInfo } from './layers';

/** Default memory bound: float32 bytes of exposed activations per example (64 MiB). */
export const DEFAULT_MAX_ACTIVATION_BYTES = 64 * 1024 * 1024;

export interface LayerActivation {
  readonly layer: string;
  readonly tensor: string;
  readonly kind: LayerInfo['kind'];
  readonly layout: ActivationLayout;
  /** [N, …] (N = number of images at the site), e.g. [N, C, h, w] for NCHW. */
  readonly dims: readonly number[];
  /** N examples back to back, float32. */
  readonly data: Float32Array;
}

export interface OmittedLayer {
  readonly layer: string;
  readonly tensor: string;
  readonly bytesPerExample: number | undefined;
  readonly reason: string;
}

export interface SiteActivations {
  /** The model's display name. */
  readonly model: string;
  /** Softmax probabilities per image (hom-ref, het, hom-alt), as LoadedModel.predict returns them. */
  readonly outputs: Float64Array[];
  readonly activations: LayerActivation[];
  /** Layers asked for but not returned (over the memory bound, or not float32 tensors). */
  readonly omitted: OmittedLayer[];
  /** Bytes of the returned activations per image, and the bound they were kept within. */
  readonly bytesPerExample: number;
  readonly maxActivationBytes: number;
  /** The pileup rows and columns the graph reads (the demo CNNs crop the centre columns). */
  readonly inputWindow: { rows: [number, number]; cols: [number, number] };
  /** Plain-language notes ("3 of 12 layers omitted: …"). */
  readonly notes: string[];
}

export interface ActivationOptions {
  /** Bytes of activations per image allowed (default 64 MiB). */
  readonly maxActivationBytes?: number;
  /** onnxruntime intra-op threads (default: its choice). */
  readonly threads?: number;
  readonly signal?: AbortSignal;
}

const graphs = new Map<string, { stamp: string; graph: Promise<OnnxGraph> }>();

/** The graph of a model file (cached per path, mtime and size). */
export async function readModelGraph(modelPath: string, signal?: AbortSignal): Promise<OnnxGraph> {
  throwIfAborted(signal);
  let stamp: string;
  try {
    const s = await stat(modelPath);
    stamp = `${s.mtimeMs}:${s.size}`;
  } catch (e) {
    throw wrapError(e, 'file-not-found', modelPath, 'model file is not readable');
  }
  const hit = graphs.get(modelPath);
  if (hit && hit.stamp === stamp) return hit.graph;
  const graph = readFile(modelPath).then((b) => readOnnxGraph(b, modelPath));
  graphs.set(modelPath, { stamp, graph });
  graph.catch(() => graphs.delete(modelPath));
  return graph;
}

/** Every layer of the model at `modelPath` (a .onnx file) a user can choose, default layers first. */
export async function listModelLayers(modelPath: string, signal?: AbortSignal): Promise<LayerInfo[]> {
  return listLayers(await readModelGraph(modelPath, signal));
}

/** One image's activation of a layer: its dims without the batch axis and its values (a view). */
export function exampleActivation(a: LayerActivation, example: number): { dims: number[]; data: Float32Array } {
  const n = a.dims[0] ?? 0;
  if (example < 0 || example >= n) throw new VariantLensError('invalid-argument', `image ${example} out of range (0–${n - 1})`);
  const per = a.data.length / n;
  return { dims: a.dims.slice(1), data: a.data.subarray(example * per, (example + 1) * per) };
}

function softmaxProblem(row: Float64Array): boolean {
  const sum = row.reduce((a, b) => a + b, 0);
  return !(Math.abs(sum - 1) <= 1e-3) || row.some((p) => p < 0);
}

/**
 * Runs `model` once on the site's images and returns its probabilities together with the
 * activations of `layers` (names as in listModelLayers; default: the model's default layers).
 * An unknown layer name is an 'invalid-argument' error listing the available ones.
 */
export async function runWithActivations(model: LoadedModel, tensors: readonly PileupTensor[], layers?: readonly string[],
  options: ActivationOptions = {}): Promise<SiteActivations> {
  const { signal } = options;
  throwIfAborted(signal);
  if (tensors.length === 0) throw new VariantLensError('invalid-argument', 'no images to run');
  checkTensors(tensors, model.exampleInfo, model.modelPath);
  const graph = await readModelGraph(model.modelPath, signal);
  const chosen = resolveLayers(graph, layers, model.modelPath);
  const maxActivationBytes = Math.max(0, options.maxActivationBytes ?? DEFAULT_MAX_ACTIVATION_BYTES);
  const [h, w, c] = model.exampleInfo.shape;
  const per = h * w * c;
  const data = new Uint8Array(tensors.length * per);
  tensors.forEach((t, i) => data.set(t.data, i * per));
  const fixed = model.batchSize === 'dynamic' ? 0 : model.batchSize;
  const r = await inferenceBackend().runActivations({
    modelPath: model.modelPath, inputName: model.inputName, outputName: model.outputName,
    dims: [tensors.length, h, w, c], fixedBatch: fixed, data,
    tensors: chosen.map((l) => l.tensor), maxActivationBytes,
    ...(options.threads ? { threads: options.threads } : {}),
  }, signal);
  if (r.classes !== 3) throw new VariantLensError('model-shape-mismatch', `output "${model.outputName}" has ${r.classes} classes per example; DeepVariant models output 3`, model.modelPath);
  const outputs: Float64Array[] = [];
  for (let i = 0; i < tensors.length; i++) {
    const row = Float64Array.from(r.outputs.subarray(i * 3, i * 3 + 3));
    if (softmaxProblem(row)) throw new VariantLensError('model-shape-mismatch', `output "${model.outputName}" is not a softmax (example ${i})`, model.modelPath);
    outputs.push(row);
  }
  const byTensor = new Map(chosen.map((l) => [l.tensor, l]));
  const activations = r.activations.map((a): LayerActivation => {
    const l = byTensor.get(a.tensor)!;
    return { layer: l.name, tensor: a.tensor, kind: l.kind, layout: l.layout, dims: a.dims, data: a.data };
  });
  const omitted = r.omitted.map((o): OmittedLayer => ({ layer: byTensor.get(o.tensor)?.name ?? o.tensor, tensor: o.tensor, bytesPerExample: o.bytesPerExample, reason: o.reason }));
  const notes: string[] = [];
  if (omitted.length) {
    const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
    const names = omitted.slice(0, 5).map((o) => o.layer).join(', ') + (omitted.length > 5 ? `, … ${omitted.length - 5} more` : '');
    notes.push(`${omitted.length} of ${chosen.length} layers not shown (${names}): ` +
      `${omitted.some((o) => o.reason.startsWith('over')) ? `the activations of all layers exceed the memory bound of ${mib(maxActivationBytes)} per image; the ${activations.length} that fit (${mib(r.bytesPerExample)}) are shown` : omitted[0]!.reason}`);
  }
  return {
    model: model.name, outputs, activations, omitted, bytesPerExample: r.bytesPerExample, maxActivationBytes,
    inputWindow: inputWindow(graph, h, w), notes,
  };
}
