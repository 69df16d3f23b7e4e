/**
 * A DeepVariant-contract ONNX model on disk, ready to run (docs/deepvariant.md §5):
 *   <dir>/model.onnx          input NHWC float32 [N, H, W, C], output softmax [N, 3]
 *                             (hom-ref, het, hom-alt); preprocessing (x − 128)/128 is ours
 *   <dir>/example_info.json   {"version", "shape": [H, W, C], "channels": [...]}
 *   <dir>/model_card.json     optional; see modelCard.ts
 *
 * loadModel reads the ONNX graph signature and example_info.json and checks them against
 * each other, without creating an onnxruntime session: the session is created on the first
 * predict(), in the inference worker (inferenceHost.ts), and re-created when model.onnx
 * changes on disk. predict() also re-checks the signature then.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VariantLensError, throwIfAborted, wrapError } from '../errors';
import type { PileupTensor } from '../io/examples/pileupTensor';
import { describeChannels, readExampleInfo, type ExampleInfo } from '../io/examples/exampleInfo';
import { inferenceBackend } from './inferenceHost';
import { readModelCard, type ModelCard } from './modelCard';
import type { InputTransform } from './onnxSessionCache';
import { ONNX_FLOAT, readOnnxSignature, type OnnxSignature, type OnnxValueInfo } from './onnxSignature';

export const MODEL_FILE = 'model.onnx';
export const EXAMPLE_INFO_FILE = 'example_info.json';
export const MODEL_CARD_FILE = 'model_card.json';

/** Examples per worker call for dynamic-batch models: large enough to amortise the call, small enough to cancel quickly. */
export const DEFAULT_MAX_BATCH = 64;

/** A softmax row sums to 1; float32 softmax is within ~1e-6 of it. Anything beyond this is not a softmax. */
const SOFTMAX_TOLERANCE = 1e-3;

export interface LoadModelOptions {
  /** Examples per call for dynamic-batch models (default 64). */
  readonly maxBatch?: number;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  readonly threads?: number;
}

export interface PredictProgress {
  readonly done: number;
  readonly total: number;
}

export interface LoadedModel {
  /** The model directory. */
  readonly dir: string;
  readonly modelPath: string;
  /** A display name: the card's name, else the directory name. */
  readonly name: string;
  readonly card: ModelCard | undefined;
  /** What the card lacks or gets wrong ("no model_card.json: training data unknown", …). */
  readonly cardProblems: readonly string[];
  readonly exampleInfo: ExampleInfo;
  readonly inputName: string;
  readonly outputName: string;
  /** The model's input dims as declared, e.g. ['batch', 100, 221, 7] or [1, 100, 221, 6]. */
  readonly inputDims: readonly (number | string | null)[];
  /** The fixed batch size of the graph (1 for DV 1.5 frozen graphs), or 'dynamic'. */
  readonly batchSize: number | 'dynamic';
  /**
   * Runs the model on pileup tensors; returns the 3 softmax probabilities of each, in input
   * order (float32 model outputs widened to double, not yet round_gls-ed). Throws
   * 'model-shape-mismatch' for tensors whose shape or channels differ from example_info.json,
   * and when the outputs are not a softmax (e.g. logits).
   */
  predict(tensors: readonly PileupTensor[], signal?: AbortSignal, onProgress?: (p: PredictProgress) => void, transform?: InputTransform): Promise<Float64Array[]>;
  /** Releases the onnxruntime session (it is re-created if predict is called again). */
  dispose(): Promise<void>;
}

/** Resolves `pathOrDir` (a model directory, or a model.onnx / any .onnx file) to its files. */
export function modelFiles(pathOrDir: string): { dir: string; modelPath: string; exampleInfoPath: string; cardPath: string } {
  const isFile = pathOrDir.endsWith('.onnx');
  const dir = isFile ? dirname(pathOrDir) : pathOrDir;
  return {
    dir,
    modelPath: isFile ? pathOrDir : join(dir, MODEL_FILE),
    exampleInfoPath: join(dir, EXAMPLE_INFO_FILE),
    cardPath: join(dir, MODEL_CARD_FILE),
  };
}

interface CheckedSignature {
  readonly input: OnnxValueInfo;
  readonly output: OnnxValueInfo;
  readonly batchSize: number | 'dynamic';
}

/** Checks the graph against the DeepVariant contract and example_info.json. */
export function checkSignature(sig: OnnxSignature, info: ExampleInfo, modelPath: string): CheckedSignature {
  if (sig.inputs.length !== 1) {
    throw new VariantLensError('model-shape-mismatch', `model has ${sig.inputs.length} inputs (${sig.inputs.map((i) => i.name).join(', ')}); DeepVariant models take one NHWC image input`, modelPath);
  }
  if (sig.outputs.length < 1) throw new VariantLensError('model-shape-mismatch', 'model has no outputs', modelPath);
  const input = sig.inputs[0]!;
  // A Keras SavedModel via tf2onnx may expose more than one output; the softmax one is [N, 3].
  const output = sig.outputs.find((o) => o.dims.length === 2 && o.dims[1] === 3) ?? sig.outputs[0]!;
  if (input.elemType !== ONNX_FLOAT) throw new VariantLensError('model-shape-mismatch', `input "${input.name}" has ONNX element type ${input.elemType}, expected float32 (1)`, modelPath);
  const dims = input.dims;
  const [h, w, c] = info.shape;
  if (dims.length !== 4) {
    throw new VariantLensError('model-shape-mismatch', `input "${input.name}" has ${dims.length} dimensions [${dims.join(',')}]; expected NHWC [N, ${h}, ${w}, ${c}]`, modelPath);
  }
  const [, mh, mw, mc] = dims;
  if (typeof mc === 'number' && mc !== c) {
    const nchw = dims[1] === c ? ' (its dimension 1 matches: was it exported NCHW? DeepVariant models are NHWC)' : '';
    throw new VariantLensError('model-shape-mismatch',
      `model expects ${mc} channels, example_info.json says ${describeChannels(info.channels)}${nchw}`, modelPath);
  }
  if ((typeof mh === 'number' && mh !== h) || (typeof mw === 'number' && mw !== w)) {
    throw new VariantLensError('model-shape-mismatch', `model input is [${dims.join(',')}] but example_info.json says [N,${h},${w},${c}]`, modelPath);
  }
  if (output.dims.length !== 2 || (typeof output.dims[1] === 'number' && output.dims[1] !== 3)) {
    throw new VariantLensError('model-shape-mismatch', `output "${output.name}" has shape [${output.dims.join(',')}]; DeepVariant models output [N, 3] (hom-ref, het, hom-alt)`, modelPath);
  }
  const n = dims[0];
  return { input, output, batchSize: typeof n === 'number' && n > 0 ? n : 'dynamic' };
}

/** Checks tensors against the model's example_info (shape and channel ids). */
export function checkTensors(tensors: readonly PileupTensor[], info: ExampleInfo, modelPath: string): void {
  const [h, w, c] = info.shape;
  for (const [i, t] of tensors.entries()) {
    if (t.channels.length !== c || t.channels.some((id, k) => id !== info.channels[k])) {
      throw new VariantLensError('model-shape-mismatch', `model expects ${describeChannels(info.channels)}, examples have ${describeChannels(t.channels)}`, modelPath);
    }
    if (t.height !== h || t.width !== w) {
      throw new VariantLensError('model-shape-mismatch', `model expects ${h}×${w} pileups, example ${i} is ${t.height}×${t.width}`, modelPath);
    }
    if (t.data.length !== h * w * c) {
      throw new VariantLensError('invalid-argument', `example ${i} has ${t.data.length} bytes, expected ${h}×${w}×${c} = ${h * w * c}`);
    }
  }
}

/** Loads the model directory `pathOrDir` (or a path to its .onnx file). */
export async function loadModel(pathOrDir: string, signal?: AbortSignal, options: LoadModelOptions = {}): Promise<LoadedModel> {
  throwIfAborted(signal);
  const files = modelFiles(pathOrDir);
  const info = await readExampleInfo(files.exampleInfoPath, signal);
  // ablation_channels (1.6+): the examples keep every channel of `channels`; the listed ones are
  // dropped before inference, so the graph takes the others (docs/deepvariant.md §2.7, §5.2).
  const ablated = new Set(info.ablationChannels ?? []);
  const kept = info.channels.map((id, i) => (ablated.has(id) ? -1 : i)).filter((i) => i >= 0);
  const inputInfo: ExampleInfo = ablated.size === 0 ? info : { ...info, shape: [info.shape[0], info.shape[1], kept.length], channels: kept.map((i) => info.channels[i]!) };
  if (ablated.size > 0 && kept.length === 0) throw new VariantLensError('model-card-invalid', `ablation_channels ${JSON.stringify(info.ablationChannels)} drop every channel`, files.exampleInfoPath);
  let sig = checkSignature(await readOnnxSignature(files.modelPath, signal), inputInfo, files.modelPath);
  const fileStamp = async (): Promise<string> => {
    try {
      const s = await stat(files.modelPath);
      return `${s.mtimeMs}:${s.size}`;
    } catch (e) {
      throw wrapError(e, 'file-not-found', files.modelPath, 'model file is not readable');
    }
  };
  let stamp = await fileStamp();
  const { card, problems } = await readModelCard(files.cardPath, info, signal);
  const maxBatch = Math.max(1, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH));
  const backend = inferenceBackend();

  const model: LoadedModel = {
    dir: files.dir,
    modelPath: files.modelPath,
    name: card?.name ?? basename(files.dir),
    card,
    cardProblems: problems,
    exampleInfo: info,
    get inputName() { return sig.input.name; },
    get outputName() { return sig.output.name; },
    get inputDims() { return sig.input.dims; },
    get batchSize() { return sig.batchSize; },
    async predict(tensors, sig2, onProgress, transform) {
      throwIfAborted(sig2);
      checkTensors(tensors, info, files.modelPath);
      const now = await fileStamp();
      if (now !== stamp) {
        // model.onnx was rewritten: re-read and re-check its signature (the worker reloads the session).
        sig = checkSignature(await readOnnxSignature(files.modelPath, sig2), inputInfo, files.modelPath);
        stamp = now;
      }
      const [h, w] = info.shape;
      const c = inputInfo.shape[2];
      const per = h * w * c;
      const full = info.shape[2];
      const fixed = sig.batchSize === 'dynamic' ? 0 : sig.batchSize;
      // Chunks are a multiple of the fixed batch so that only the last one is padded.
      const chunk = fixed > 0 ? Math.max(fixed, Math.floor(maxBatch / fixed) * fixed) : maxBatch;
      const out: Float64Array[] = [];
      for (let start = 0; start < tensors.length; start += chunk) {
        throwIfAborted(sig2);
        const part = tensors.slice(start, start + chunk);
        const data = new Uint8Array(part.length * per);
        if (ablated.size === 0) part.forEach((t, i) => data.set(t.data, i * per));
        else {
          part.forEach((t, i) => {
            const o = i * per;
            for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) data[o + p * c + k] = t.data[p * full + kept[k]!]!;
          });
        }
        const r = await backend.run({
          modelPath: files.modelPath, inputName: sig.input.name, outputName: sig.output.name,
          dims: [part.length, h, w, c], fixedBatch: fixed, data, ...(options.threads ? { threads: options.threads } : {}), ...(transform && transform !== 'dv' ? { transform } : {}),
        }, sig2);
        if (r.classes !== 3) {
          throw new VariantLensError('model-shape-mismatch', `output "${sig.output.name}" has ${r.classes} classes per example; DeepVariant models output 3 (hom-ref, het, hom-alt)`, files.modelPath);
        }
        for (let i = 0; i < part.length; i++) {
          const row = Float64Array.from(r.outputs.subarray(i * 3, i * 3 + 3));
          const sum = row[0]! + row[1]! + row[2]!;
          if (!(Math.abs(sum - 1) <= SOFTMAX_TOLERANCE) || row.some((p) => p < 0)) {
            throw new VariantLensError('model-shape-mismatch',
              `output "${sig.output.name}" is not a softmax: example ${start + i} gives [${Array.from(row, (x) => x.toPrecision(4)).join(', ')}] (sum ${sum.toPrecision(4)}). ` +
              'The model seems to output logits; export it with its final softmax (DeepVariant\'s "classification" / InceptionV3/Predictions output).', files.modelPath);
          }
          out.push(row);
        }
        onProgress?.({ done: Math.min(start + chunk, tensors.length), total: tensors.length });
      }
      return out;
    },
    async dispose() {
      await backend.release(files.modelPath);
    },
  };
  return model;
}
