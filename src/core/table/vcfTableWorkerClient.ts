/**
 * The host side of a table's worker thread (vcfTableWorker.ts): starts it, sends it jobs
 * (row index, sort/filter), relays progress, cancels through a shared flag, and receives
 * the typed arrays it transfers (row offsets, view rows) without copying them.
 *
 * Worker script resolution and start-up: src/core/worker/startWorker.ts (dist/tableWorker.js
 * when bundled, vcfTableWorker.ts under tsx); without a script, or if the worker cannot
 * start, the same jobs run in process, yielding to the event loop every YIELD_MS (slower,
 * but the host still answers). `VARIANT_LENS_TABLE_WORKER=in-process|worker` forces a
 * choice (tests compare both).
 *
 * Cancellation: an aborted signal sets the job's shared flag (the worker stops at its next
 * check) and rejects the call at once with `cancelled`.
 */
import type { Worker } from 'node:worker_threads';
import { VariantLensError, throwIfAborted } from '../errors';
import { FallbackRunner, WorkerStartError, startWorker, workerPlan } from '../worker/startWorker';
import type { ContigRun } from '../io/vcf/vcfRowIndex';
import type { JobControl } from './vcfTableColumns';
import { VcfTableJobs, type TableWorkerData, type TableWorkerMessage, type TableWorkerRequest } from './vcfTableWorker';
import type { FilterSpec, SortSpec } from './tableSpec';

export type IndexProgress = (records: number, bytesDone: number, bytesTotal: number) => void;
export type ViewProgress = (done: number, total: number, label?: string) => void;

export interface TableJobRunner {
  readonly kind: 'worker' | 'in-process';
  index(signal: AbortSignal | undefined, onProgress?: IndexProgress): Promise<{ offsets: Float64Array; contigRuns: readonly ContigRun[] }>;
  /** View rows (file rows in view order) for a sort/filter; undefined = file order. */
  view(sort: SortSpec | undefined, filter: FilterSpec | undefined, signal?: AbortSignal, progress?: ViewProgress): Promise<Uint32Array | undefined>;
  close(): Promise<void>;
}

/** Longest synchronous stretch of an in-process job before it yields. */
const YIELD_MS = 25;

/** Starts the jobs runner for one file: a worker thread, or in process when none can start. */
export function startTableJobs(path: string): TableJobRunner {
  const plan = workerPlan({ dir: __dirname, bundled: 'tableWorker.js', source: 'vcfTableWorker.ts', env: 'VARIANT_LENS_TABLE_WORKER', what: 'table worker', code: 'unsupported' });
  if (plan.kind === 'in-process') return new InProcessJobs(path);
  return plan.fallback ? new FallbackJobs(path, plan.script) : new WorkerJobs(path, plan.script);
}

interface Pending {
  resolve(m: TableWorkerMessage): void;
  reject(e: unknown): void;
  onIndexProgress?: IndexProgress;
  onProgress?: ViewProgress;
}


class WorkerJobs implements TableJobRunner {
  readonly kind = 'worker' as const;
  private readonly worker: Worker;
  private nextJob = 1;
  private readonly pending = new Map<number, Pending>();
  private started = false;
  private dead: Error | undefined;

  constructor(path: string, script: string) {
    const workerData: TableWorkerData = { vcfTableWorker: true, path };
    this.worker = startWorker(script, workerData);
    this.worker.unref();
    this.worker.on('message', (m: TableWorkerMessage) => this.onMessage(m));
    const fail = (e: Error): void => {
      if (this.dead) return;
      this.dead = e;
      const err = this.started ? new VariantLensError('unsupported', `the table worker stopped: ${e.message}`) : new WorkerStartError(e.message);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
  }

  private onMessage(m: TableWorkerMessage): void {
    this.started = true;
    const p = this.pending.get(m.job);
    if (!p) return; // cancelled: drop it
    if (m.kind === 'indexProgress') return p.onIndexProgress?.(m.records, m.bytesDone, m.bytesTotal);
    if (m.kind === 'progress') return p.onProgress?.(m.done, m.total, m.label);
    this.pending.delete(m.job);
    this.refresh();
    if (m.kind === 'error') p.reject(new VariantLensError(m.code, m.message, m.file));
    else p.resolve(m);
  }

  /** Keep the process alive only while a job is pending (a CLI or test must be able to exit). */
  private refresh(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  private call(req: (job: number, cancel: Int32Array) => TableWorkerRequest, signal: AbortSignal | undefined, p: Omit<Pending, 'resolve' | 'reject'>): Promise<TableWorkerMessage> {
    throwIfAborted(signal);
    if (this.dead) return Promise.reject(this.started ? new VariantLensError('unsupported', `the table worker stopped: ${this.dead.message}`) : new WorkerStartError(this.dead.message));
    const job = this.nextJob++;
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    return new Promise<TableWorkerMessage>((resolve, reject) => {
      const onAbort = (): void => {
        Atomics.store(cancel, 0, 1);
        if (this.pending.delete(job)) {
          this.refresh();
          reject(new VariantLensError('cancelled', 'operation cancelled'));
        }
      };
      this.pending.set(job, {
        ...p,
        resolve: (m) => { signal?.removeEventListener('abort', onAbort); resolve(m); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.refresh();
      this.worker.postMessage(req(job, cancel));
    });
  }

  async index(signal: AbortSignal | undefined, onProgress?: IndexProgress): Promise<{ offsets: Float64Array; contigRuns: readonly ContigRun[] }> {
    const m = await this.call((job, cancel) => ({ kind: 'index', job, cancel }), signal, onProgress ? { onIndexProgress: onProgress } : {});
    if (m.kind !== 'indexed') throw new VariantLensError('unsupported', `table worker answered ${m.kind} to an index job`);
    return { offsets: m.offsets, contigRuns: m.contigRuns };
  }

  async view(sort: SortSpec | undefined, filter: FilterSpec | undefined, signal?: AbortSignal, progress?: ViewProgress): Promise<Uint32Array | undefined> {
    const m = await this.call((job, cancel) => ({ kind: 'view', job, cancel, ...(sort ? { sort } : {}), ...(filter ? { filter } : {}) }), signal, progress ? { onProgress: progress } : {});
    if (m.kind !== 'view') throw new VariantLensError('unsupported', `table worker answered ${m.kind} to a view job`);
    return m.rows ?? undefined;
  }

  async close(): Promise<void> {
    this.dead ??= new Error('closed');
    for (const p of this.pending.values()) p.reject(new VariantLensError('cancelled', 'operation cancelled'));
    this.pending.clear();
    await this.worker.terminate();
  }
}

/** The jobs on this thread: long loops yield every YIELD_MS so the event loop keeps turning. */
class InProcessJobs implements TableJobRunner {
  readonly kind = 'in-process' as const;
  private readonly jobs: VcfTableJobs;
  constructor(path: string) {
    this.jobs = new VcfTableJobs(path);
  }

  index(signal: AbortSignal | undefined, onProgress?: IndexProgress): Promise<{ offsets: Float64Array; contigRuns: readonly ContigRun[] }> {
    return this.jobs.index(signal, onProgress ?? (() => undefined));
  }

  view(sort: SortSpec | undefined, filter: FilterSpec | undefined, signal?: AbortSignal, progress?: ViewProgress): Promise<Uint32Array | undefined> {
    let last = performance.now();
    const ctl: JobControl = {
      check: async () => {
        throwIfAborted(signal);
        if (performance.now() - last < YIELD_MS) return;
        await new Promise<void>((r) => setImmediate(r));
        last = performance.now();
        throwIfAborted(signal);
      },
      progress: (done, total, label) => progress?.(done, total, label),
    };
    return this.jobs.view(sort, filter, ctl, signal);
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}

/** A worker, replaced by in-process jobs if it cannot start (startWorker.ts FallbackRunner: the first job is then re-run here). */
class FallbackJobs implements TableJobRunner {
  private readonly runner: FallbackRunner<TableJobRunner>;
  constructor(path: string, script: string) {
    this.runner = new FallbackRunner<TableJobRunner>(() => new WorkerJobs(path, script), () => new InProcessJobs(path));
  }
  get kind(): 'worker' | 'in-process' {
    return this.runner.current.kind;
  }
  index(signal: AbortSignal | undefined, onProgress?: IndexProgress): Promise<{ offsets: Float64Array; contigRuns: readonly ContigRun[] }> {
    return this.runner.run((r) => r.index(signal, onProgress));
  }
  view(sort: SortSpec | undefined, filter: FilterSpec | undefined, signal?: AbortSignal, progress?: ViewProgress): Promise<Uint32Array | undefined> {
    return this.runner.run((r) => r.view(sort, filter, signal, progress));
  }
  close(): Promise<void> {
    return this.runner.current.close();
  }
}
