/**
 * Where model runs happen: a worker thread (default), so that onnxruntime never blocks the
 * extension host's or the CLI's event loop, or — when no worker script can be found or
 * started — in process.
 *
 * Worker script resolution and start-up: src/core/worker/startWorker.ts (dist/inferenceWorker.js
 * when bundled, inferenceWorker.ts under tsx, else — or if the worker dies on start — in
 * process). `VARIANT_LENS_INFERENCE=in-process|worker` forces a choice.
 *
 * The worker is started on first use and unref'd while idle, so it never keeps a CLI
 * process alive. Cancellation: an aborted signal rejects the pending call at once; a run
 * already inside onnxruntime finishes in the worker and its result is dropped.
 */
import type { Worker } from 'node:worker_threads';
import { VariantLensError, throwIfAborted, type ErrorCode } from '../errors';
import { FallbackRunner, WorkerStartError, startWorker, workerPlan } from '../worker/startWorker';
import type { WorkerRequest, WorkerResponse } from './inferenceWorker';
import type { RunRequest, RunResult } from './onnxSessionCache';
import type { ActivationRunRequest, ActivationRunResult } from './activationSession';
import type { GramRequest, GramResult } from './gramSession';

export interface InferenceBackend {
  readonly kind: 'worker' | 'in-process';
  run(req: RunRequest, signal?: AbortSignal): Promise<RunResult>;
  /** One run returning the model output and the chosen intermediate tensors (activations/). */
  runActivations(req: ActivationRunRequest, signal?: AbortSignal): Promise<ActivationRunResult>;
  /** The matrix products of linear CKA for one layer pair (gramSession.ts). */
  gramSums(req: GramRequest, signal?: AbortSignal): Promise<GramResult>;
  release(modelPath: string): Promise<void>;
  close(): Promise<void>;
}

class InProcessBackend implements InferenceBackend {
  readonly kind = 'in-process' as const;
  async run(req: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    throwIfAborted(signal);
    const { runBatch } = await import('./onnxSessionCache');
    const r = await runBatch(req);
    throwIfAborted(signal);
    return r;
  }
  async runActivations(req: ActivationRunRequest, signal?: AbortSignal): Promise<ActivationRunResult> {
    throwIfAborted(signal);
    const { runActivations } = await import('./activationSession');
    const r = await runActivations(req);
    throwIfAborted(signal);
    return r;
  }
  async gramSums(req: GramRequest, signal?: AbortSignal): Promise<GramResult> {
    throwIfAborted(signal);
    const { gramSums } = await import('./gramSession');
    return gramSums(req);
  }
  async release(modelPath: string): Promise<void> {
    const { releaseSession } = await import('./onnxSessionCache');
    await releaseSession(modelPath);
    const { releaseActivationSession } = await import('./activationSession');
    await releaseActivationSession(modelPath);
  }
  async close(): Promise<void> {
    const { releaseAllSessions } = await import('./onnxSessionCache');
    await releaseAllSessions();
    const { releaseAllActivationSessions } = await import('./activationSession');
    await releaseAllActivationSessions();
  }
}

interface Pending { resolve(r: WorkerResponse): void; reject(e: unknown): void }

class WorkerBackend implements InferenceBackend {
  readonly kind = 'worker' as const;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set once a message came back: a worker that dies before that could not start. */
  private started = false;

  constructor(private readonly script: string) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker(this.script);
    w.unref();
    w.on('message', (m: WorkerResponse) => {
      this.started = true;
      const p = this.pending.get(m.id);
      if (!p) return; // cancelled: drop the result
      this.pending.delete(m.id);
      this.refresh();
      p.resolve(m);
    });
    const fail = (e: unknown): void => {
      const startFailed = !this.started;
      this.worker = undefined;
      const err = new VariantLensError('model-load-failed', `inference worker stopped: ${e instanceof Error ? e.message : String(e)}`);
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) p.reject(startFailed ? new WorkerStartError(err.message) : err);
    };
    w.on('error', fail);
    w.on('exit', (code) => { if (this.worker === w) fail(new Error(`exited with code ${code}`)); });
    this.worker = w;
    return w;
  }

  /** Keep the process alive only while a call is pending. */
  private refresh(): void {
    if (!this.worker) return;
    if (this.pending.size > 0) this.worker.ref(); else this.worker.unref();
  }

  private call(msg: WorkerRequest, transfer: ArrayBuffer[], signal?: AbortSignal): Promise<WorkerResponse> {
    throwIfAborted(signal);
    const w = this.ensureWorker();
    return new Promise<WorkerResponse>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.pending.delete(msg.id)) { this.refresh(); reject(new VariantLensError('cancelled', 'operation cancelled')); }
      };
      this.pending.set(msg.id, {
        resolve: (r) => { signal?.removeEventListener('abort', onAbort); resolve(r); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.refresh();
      w.postMessage(msg, transfer);
    });
  }

  async run(req: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    const r = await this.call({ id: this.nextId++, kind: 'run', req }, [req.data.buffer as ArrayBuffer], signal);
    if (!r.ok) throw new VariantLensError(r.code as ErrorCode, r.message, r.file);
    if (!r.result) throw new VariantLensError('model-load-failed', 'inference worker returned no result');
    return r.result;
  }

  async runActivations(req: ActivationRunRequest, signal?: AbortSignal): Promise<ActivationRunResult> {
    const r = await this.call({ id: this.nextId++, kind: 'activations', req }, [req.data.buffer as ArrayBuffer], signal);
    if (!r.ok) throw new VariantLensError(r.code as ErrorCode, r.message, r.file);
    if (!r.activations) throw new VariantLensError('model-load-failed', 'inference worker returned no activations');
    return r.activations;
  }

  async gramSums(req: GramRequest, signal?: AbortSignal): Promise<GramResult> {
    const r = await this.call({ id: this.nextId++, kind: 'gram', req }, [req.x.buffer as ArrayBuffer, req.y.buffer as ArrayBuffer], signal);
    if (!r.ok) throw new VariantLensError(r.code as ErrorCode, r.message, r.file);
    if (!r.gram) throw new VariantLensError('model-load-failed', 'inference worker returned no result');
    return r.gram;
  }

  async release(modelPath: string): Promise<void> {
    if (!this.worker) return;
    await this.call({ id: this.nextId++, kind: 'release', modelPath }, []);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/** Worker backend that falls back to in-process if its worker cannot start (startWorker.ts FallbackRunner). */
class FallbackBackend implements InferenceBackend {
  private readonly runner: FallbackRunner<InferenceBackend>;
  constructor(script: string) {
    this.runner = new FallbackRunner<InferenceBackend>(() => new WorkerBackend(script), () => new InProcessBackend());
  }
  get kind(): 'worker' | 'in-process' { return this.runner.current.kind; }
  run(req: RunRequest, signal?: AbortSignal): Promise<RunResult> {
    // The transfer detaches req.data; keep a copy only while the worker has not proven itself.
    const backup = this.runner.current.kind === 'worker' ? { ...req, data: req.data.slice() } : req;
    return this.runner.run((b, retry) => b.run(retry ? backup : req, signal));
  }
  runActivations(req: ActivationRunRequest, signal?: AbortSignal): Promise<ActivationRunResult> {
    const backup = this.runner.current.kind === 'worker' ? { ...req, data: req.data.slice() } : req;
    return this.runner.run((b, retry) => b.runActivations(retry ? backup : req, signal));
  }
  gramSums(req: GramRequest, signal?: AbortSignal): Promise<GramResult> {
    const backup = this.runner.current.kind === 'worker' ? { ...req, x: req.x.slice(), y: req.y.slice() } : req;
    return this.runner.run((b, retry) => b.gramSums(retry ? backup : req, signal));
  }
  release(modelPath: string): Promise<void> { return this.runner.current.release(modelPath); }
  close(): Promise<void> { return this.runner.current.close(); }
}

let backend: InferenceBackend | undefined;

/** The process-wide inference backend, created on first use. */
export function inferenceBackend(): InferenceBackend {
  if (backend) return backend;
  const plan = workerPlan({ dir: __dirname, bundled: 'inferenceWorker.js', source: 'inferenceWorker.ts', env: 'VARIANT_LENS_INFERENCE', what: 'inference worker', code: 'model-load-failed' });
  if (plan.kind === 'in-process') backend = new InProcessBackend();
  else backend = plan.fallback ? new FallbackBackend(plan.script) : new WorkerBackend(plan.script);
  return backend;
}

/** Stops the worker and releases every session (tests, extension deactivation). */
export async function shutdownInference(): Promise<void> {
  const b = backend;
  backend = undefined;
  if (b) await b.close();
}
