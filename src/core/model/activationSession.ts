/**
 * Worker side of layer activations: onnxruntime sessions of models whose graphs also output
 * chosen intermediate tensors (onnxGraph.exposeTensors), and the run that returns the model's
 * outputs and those tensors together, in one pass.
 *
 * The edited model lives only in memory: it is built from model.onnx when first asked for,
 * cached per model file (path, mtime, size) + layer set + memory bound, and rebuilt when the
 * file changes. One such session is kept per model file (asking for another layer set
 * releases the previous one), beside the plain session of onnxSessionCache.
 *
 * Memory bound: the exposed tensors of one example must fit in `maxActivationBytes`. Their
 * sizes come from the session's output metadata (onnxruntime infers the shape of every
 * exposed tensor when it loads the graph, before any run); when they do not all fit, the
 * layers are kept in the order asked for while they fit, the session is rebuilt with those,
 * and the others are reported as omitted.
 */
import { readFileSync, statSync } from 'node:fs';
import type * as OrtTypes from 'onnxruntime-node';
import { VariantLensError, wrapError } from '../errors';
import { loadOrt, preprocessPixels, type RunRequest } from './onnxSessionCache';
import { exposeTensors } from './onnxGraph';

export interface ActivationRunRequest extends RunRequest {
  /** Tensor names to return besides the model output, in order. */
  readonly tensors: readonly string[];
  /** Bytes of exposed tensors per example allowed (float32). */
  readonly maxActivationBytes: number;
}

export interface TensorOut {
  readonly tensor: string;
  /** [N, …] as onnxruntime returned it. */
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface OmittedTensor {
  readonly tensor: string;
  /** float32 bytes per example when its shape is known. */
  readonly bytesPerExample: number | undefined;
  readonly reason: string;
}

export interface ActivationRunResult {
  /** N·K model outputs, row-major. */
  readonly outputs: Float32Array;
  readonly classes: number;
  readonly activations: readonly TensorOut[];
  readonly omitted: readonly OmittedTensor[];
  /** Bytes of the returned activations per example. */
  readonly bytesPerExample: number;
  readonly sessionCreated: boolean;
}

interface ExposedSession {
  readonly key: string;
  readonly session: OrtTypes.InferenceSession;
  readonly exposed: readonly string[];
  readonly omitted: readonly OmittedTensor[];
  readonly bytesPerExample: number;
}

/** One exposed session per model path. */
const sessions = new Map<string, Promise<ExposedSession>>();

/** float32 bytes per example of a [batch, …] tensor, or undefined when a non-batch dim is symbolic. */
function perExampleBytes(shape: readonly (number | string)[]): number | undefined {
  let n = 4;
  for (const d of shape.slice(1)) {
    if (typeof d !== 'number' || d < 0) return undefined;
    n *= d;
  }
  return n;
}

async function createExposed(req: ActivationRunRequest, key: string): Promise<ExposedSession> {
  const runtime = loadOrt();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(req.modelPath);
  } catch (e) {
    throw wrapError(e, 'file-not-found', req.modelPath, 'model file is not readable');
  }
  const opts: OrtTypes.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(req.threads && req.threads > 0 ? { intraOpNumThreads: req.threads } : {}),
  };
  const create = async (tensors: readonly string[]): Promise<OrtTypes.InferenceSession> => {
    const edited = exposeTensors(bytes, tensors, req.modelPath);
    try {
      return await runtime.InferenceSession.create(edited, opts);
    } catch (e) {
      throw wrapError(e, 'model-load-failed', req.modelPath, 'onnxruntime cannot load the model with its layers exposed');
    }
  };
  let session = await create(req.tensors);
  const meta = new Map(session.outputMetadata.map((m) => [m.name, m]));
  const omitted: OmittedTensor[] = [];
  const kept: string[] = [];
  let total = 0;
  for (const t of req.tensors) {
    const m = meta.get(t);
    if (!m || !m.isTensor || m.type !== 'float32') {
      omitted.push({ tensor: t, bytesPerExample: undefined, reason: `not a float32 tensor (${m && m.isTensor ? m.type : 'not a tensor'})` });
      continue;
    }
    const b = perExampleBytes(m.shape);
    if (b !== undefined && total + b > req.maxActivationBytes) {
      omitted.push({ tensor: t, bytesPerExample: b, reason: `over the memory bound of ${req.maxActivationBytes} bytes per example` });
      continue;
    }
    total += b ?? 0;
    kept.push(t);
  }
  if (omitted.length) {
    // Rebuild without the omitted tensors, so that onnxruntime neither keeps nor returns them.
    await session.release().catch(() => undefined);
    session = await create(kept);
  }
  return { key, session, exposed: kept, omitted, bytesPerExample: total };
}

async function getExposed(req: ActivationRunRequest): Promise<{ s: ExposedSession; created: boolean }> {
  let st;
  try {
    st = statSync(req.modelPath);
  } catch (e) {
    throw wrapError(e, 'file-not-found', req.modelPath, 'model file is not readable');
  }
  const key = [st.mtimeMs, st.size, req.threads ?? 0, req.maxActivationBytes, ...req.tensors].join('\u0000');
  const existing = sessions.get(req.modelPath);
  if (existing) {
    const s = await existing.catch(() => undefined);
    if (s && s.key === key) return { s, created: false };
    sessions.delete(req.modelPath);
    if (s) await s.session.release().catch(() => undefined);
  }
  const p = createExposed(req, key);
  sessions.set(req.modelPath, p);
  try {
    return { s: await p, created: true };
  } catch (e) {
    sessions.delete(req.modelPath);
    throw e;
  }
}

/** Runs N examples once, returning the model output and the exposed tensors of each. */
export async function runActivations(req: ActivationRunRequest): Promise<ActivationRunResult> {
  const { s, created } = await getExposed(req);
  const runtime = loadOrt();
  const [n, h, w, c] = req.dims;
  const per = h * w * c;
  if (req.data.length !== n * per) throw new VariantLensError('invalid-argument', `batch has ${req.data.length} bytes, expected ${n}×${h}×${w}×${c}`);
  const slice = req.fixedBatch > 0 ? req.fixedBatch : n;
  const fetches = [req.outputName, ...s.exposed];
  let outputs: Float32Array | undefined;
  let classes = 0;
  const acts = new Map<string, { dims: number[]; data: Float32Array }>();
  for (let start = 0; start < n; start += slice) {
    const count = Math.min(slice, n - start);
    const rows = req.fixedBatch > 0 ? req.fixedBatch : count;
    const input = new Float32Array(rows * per);
    preprocessPixels(req.data.subarray(start * per, (start + count) * per), input);
    let result: OrtTypes.InferenceSession.ReturnType;
    try {
      result = await s.session.run({ [req.inputName]: new runtime.Tensor('float32', input, [rows, h, w, c]) }, fetches);
    } catch (e) {
      throw wrapError(e, 'model-load-failed', req.modelPath, 'onnxruntime failed to run the model');
    }
    const out = result[req.outputName];
    if (!out || out.type !== 'float32' || out.dims.length !== 2 || out.dims[0] !== rows) {
      throw new VariantLensError('model-shape-mismatch',
        `output "${req.outputName}" has type ${out?.type} and shape [${out?.dims.join(',')}]; DeepVariant models output float32 [N, 3]`, req.modelPath);
    }
    classes = out.dims[1]!;
    outputs ??= new Float32Array(n * classes);
    outputs.set((out.data as Float32Array).subarray(0, count * classes), start * classes);
    for (const t of s.exposed) {
      const v = result[t];
      if (!v || v.type !== 'float32' || v.dims[0] !== rows) {
        throw new VariantLensError('model-shape-mismatch', `layer tensor "${t}" came back as ${v?.type} [${v?.dims.join(',')}], expected float32 with batch ${rows}`, req.modelPath);
      }
      const exampleSize = v.dims.slice(1).reduce((a, b) => a * b, 1);
      let a = acts.get(t);
      if (!a) {
        a = { dims: [n, ...v.dims.slice(1)], data: new Float32Array(n * exampleSize) };
        acts.set(t, a);
      }
      a.data.set((v.data as Float32Array).subarray(0, count * exampleSize), start * exampleSize);
    }
  }
  return {
    outputs: outputs ?? new Float32Array(0), classes,
    activations: s.exposed.map((t) => ({ tensor: t, ...(acts.get(t) ?? { dims: [0], data: new Float32Array(0) }) })),
    omitted: s.omitted, bytesPerExample: s.bytesPerExample, sessionCreated: created,
  };
}

export async function releaseActivationSession(modelPath: string): Promise<void> {
  const s = sessions.get(modelPath);
  sessions.delete(modelPath);
  if (s) await (await s.catch(() => undefined))?.session.release().catch(() => undefined);
}

export async function releaseAllActivationSessions(): Promise<void> {
  await Promise.all([...sessions.keys()].map(releaseActivationSession));
}
