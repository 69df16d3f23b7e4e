/**
 * Worker-thread entry for model inference (bundled to dist/inferenceWorker.js). Runs
 * onnxruntime off the extension host's / CLI's event loop; the main side is
 * inferenceHost.ts. Messages:
 *   in:  { id, kind: 'run', req: RunRequest }  (req.data transferred)
 *        { id, kind: 'release', modelPath }
 *   out: { id, ok: true, result: RunResult }    (result.outputs transferred)
 *        { id, ok: false, code, message, file? }
 */
import { parentPort } from 'node:worker_threads';
import { VariantLensError } from '../errors';
import { releaseSession, runBatch, type RunRequest } from './onnxSessionCache';
import { releaseActivationSession, runActivations, type ActivationRunRequest, type ActivationRunResult } from './activationSession';
import { gramSums, type GramRequest, type GramResult } from './gramSession';

export type WorkerRequest =
  | { readonly id: number; readonly kind: 'run'; readonly req: RunRequest }
  | { readonly id: number; readonly kind: 'release'; readonly modelPath: string }
  | { readonly id: number; readonly kind: 'activations'; readonly req: ActivationRunRequest }
  | { readonly id: number; readonly kind: 'gram'; readonly req: GramRequest };

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result?: import('./onnxSessionCache').RunResult; readonly activations?: ActivationRunResult; readonly gram?: GramResult }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string; readonly file?: string };

if (parentPort) {
  const port = parentPort;
  // Requests are served one at a time: onnxruntime already uses every core for one run.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        if (m.kind === 'run') {
          const result = await runBatch(m.req);
          port.postMessage({ id: m.id, ok: true, result } satisfies WorkerResponse, [result.outputs.buffer as ArrayBuffer]);
        } else if (m.kind === 'activations') {
          const activations = await runActivations(m.req);
          port.postMessage({ id: m.id, ok: true, activations } satisfies WorkerResponse,
            [activations.outputs.buffer as ArrayBuffer, ...activations.activations.map((a) => a.data.buffer as ArrayBuffer)]);
        } else if (m.kind === 'gram') {
          port.postMessage({ id: m.id, ok: true, gram: await gramSums(m.req) } satisfies WorkerResponse);
        } else {
          await releaseSession(m.modelPath);
          await releaseActivationSession(m.modelPath);
          port.postMessage({ id: m.id, ok: true } satisfies WorkerResponse);
        }
      } catch (e) {
        const err = e instanceof VariantLensError ? e : undefined;
        port.postMessage({
          id: m.id, ok: false, code: err?.code ?? 'model-load-failed',
          message: e instanceof Error ? e.message : String(e), ...(err?.file ? { file: err.file } : {}),
        } satisfies WorkerResponse);
      }
    });
  });
}
