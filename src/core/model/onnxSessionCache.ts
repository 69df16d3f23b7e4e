/**
 * onnxruntime-node sessions and the batched run, shared by the inference worker
 * (inferenceWorker.ts) and the in-process fallback (inferenceHost.ts).
 *
 * onnxruntime-node is native and external to the esbuild bundles, so it is
 * loaded with a runtime `require` on first use, never imported at module load: opening a
 * VCF must not pay for (or fail on) the ONNX runtime.
 *
 * Sessions are cached by model file path and re-created when the file's mtime or size
 * changes (a retrained model written over the old one).
 */
import { statSync } from 'node:fs';
import type * as OrtTypes from 'onnxruntime-node';
import { VariantLensError, wrapError } from '../errors';

type Ort = typeof OrtTypes;
let ort: Ort | undefined;

export function loadOrt(): Ort {
  if (!ort) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ort = require('onnxruntime-node') as Ort;
    } catch (e) {
      throw new VariantLensError('model-load-failed',
        `cannot load onnxruntime-node (${e instanceof Error ? e.message : String(e)}); reinstall the extension or run \`npm ci\``);
    }
  }
  return ort;
}

/** A batch of examples to run: N uint8 H·W·C images, concatenated. */
export interface RunRequest {
  readonly modelPath: string;
  readonly inputName: string;
  readonly outputName: string;
  /** [N, H, W, C]. */
  readonly dims: readonly [number, number, number, number];
  /** The model's fixed batch dimension, or 0 when it is dynamic. */
  readonly fixedBatch: number;
  /** N·H·W·C bytes, DeepVariant's uint8 pixel values. */
  readonly data: Uint8Array;
  /** onnxruntime intra-op threads (0 = its default). */
  readonly threads?: number;
  /** How pixels become the input (default 'dv'); the others reproduce conversion pitfalls (model/modelCheck.ts). */
  readonly transform?: InputTransform;
}

/**
 * 'dv': (x − 128) / 128 in NHWC order, as DeepVariant feeds its models (docs/deepvariant.md §5);
 * 'raw': the 0–255 values without that preprocessing; 'nchw': normalized, but each image's
 * bytes in channel-first order under the same NHWC dims (a tensor exported or fed NCHW).
 */
export type InputTransform = 'dv' | 'raw' | 'nchw';

export interface RunResult {
  /** N·K raw model outputs (K = classes, 3 for DeepVariant models), row-major. */
  readonly outputs: Float32Array;
  readonly classes: number;
  /** True when a session had to be (re)created for this run. */
  readonly sessionCreated: boolean;
}

interface CachedSession {
  readonly session: OrtTypes.InferenceSession;
  readonly mtimeMs: number;
  readonly size: number;
}

const sessions = new Map<string, Promise<CachedSession>>();

async function getSession(path: string, threads: number): Promise<{ session: OrtTypes.InferenceSession; created: boolean }> {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw wrapError(e, 'file-not-found', path, 'model file is not readable');
  }
  const existing = sessions.get(path);
  if (existing) {
    const s = await existing.catch(() => undefined);
    if (s && s.mtimeMs === st.mtimeMs && s.size === st.size) return { session: s.session, created: false };
    sessions.delete(path);
    if (s) await s.session.release().catch(() => undefined);
  }
  const runtime = loadOrt();
  const p = runtime.InferenceSession.create(path, {
    graphOptimizationLevel: 'all',
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
  }).then((session) => ({ session, mtimeMs: st.mtimeMs, size: st.size }));
  sessions.set(path, p);
  try {
    return { session: (await p).session, created: true };
  } catch (e) {
    sessions.delete(path);
    throw wrapError(e, 'model-load-failed', path, 'onnxruntime cannot load the model');
  }
}

/** (x − 128) / 128 in float32, DeepVariant's preprocessing outside the graph (docs/deepvariant.md §5). */
export function preprocessPixels(data: Uint8Array, out: Float32Array = new Float32Array(data.length)): Float32Array {
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! - 128) / 128;
  return out;
}

/**
 * Runs N examples through the model, in slices of the model's fixed batch when it has one
 * (a fixed batch of 1 — the 1.5 frozen graphs — runs one example at a time; a last partial
 * slice of a larger fixed batch is zero-padded and the padding's outputs dropped).
 */
export async function runBatch(req: RunRequest): Promise<RunResult> {
  const { session, created } = await getSession(req.modelPath, req.threads ?? 0);
  const runtime = loadOrt();
  const [n, h, w, c] = req.dims;
  const per = h * w * c;
  if (req.data.length !== n * per) throw new VariantLensError('invalid-argument', `batch has ${req.data.length} bytes, expected ${n}×${h}×${w}×${c}`);
  const slice = req.fixedBatch > 0 ? req.fixedBatch : n;
  let outputs: Float32Array | undefined;
  let classes = 0;
  for (let start = 0; start < n; start += slice) {
    const count = Math.min(slice, n - start);
    const rows = req.fixedBatch > 0 ? req.fixedBatch : count;
    const input = new Float32Array(rows * per); // zero padding for a short fixed batch
    const src = req.data.subarray(start * per, (start + count) * per);
    if (req.transform === 'raw') input.set(src);
    else if (req.transform === 'nchw') {
      const hw = h * w;
      for (let k = 0; k < count; k++) {
        const o = k * per;
        for (let p = 0; p < hw; p++) for (let ch = 0; ch < c; ch++) input[o + ch * hw + p] = (src[o + p * c + ch]! - 128) / 128;
      }
    } else preprocessPixels(src, input);
    const feeds = { [req.inputName]: new runtime.Tensor('float32', input, [rows, h, w, c]) };
    let result;
    try {
      result = await session.run(feeds, [req.outputName]);
    } catch (e) {
      throw wrapError(e, 'model-load-failed', req.modelPath, 'onnxruntime failed to run the model');
    }
    const t = result[req.outputName];
    if (!t || t.type !== 'float32' || t.dims.length !== 2 || t.dims[0] !== rows) {
      throw new VariantLensError('model-shape-mismatch',
        `output "${req.outputName}" has type ${t?.type} and shape [${t?.dims.join(',')}]; DeepVariant models output float32 [N, 3] (hom-ref, het, hom-alt)`, req.modelPath);
    }
    classes = t.dims[1]!;
    outputs ??= new Float32Array(n * classes);
    outputs.set((t.data as Float32Array).subarray(0, count * classes), start * classes);
  }
  return { outputs: outputs ?? new Float32Array(0), classes, sessionCreated: created };
}

export async function releaseSession(path: string): Promise<void> {
  const s = sessions.get(path);
  sessions.delete(path);
  if (s) await (await s.catch(() => undefined))?.session.release().catch(() => undefined);
}

export async function releaseAllSessions(): Promise<void> {
  await Promise.all([...sessions.keys()].map(releaseSession));
}
