/**
 * The host side of a table's worker thread (vcfTableWorker.ts): starts it, sends it jobs
 * (row index, sort/filter), relays progress, cancels through a shared flag, and receives
 * the typed arrays it transfers (row offsets, view rows) without copying them.
 *
 * Worker script resolution (as for the inference worker, src/core/model/inferenceHost.ts):
 *  1. `<__dirname>/tableWorker.js`: dist/extension.js and dist/cli.js sit next to
 *     dist/tableWorker.js (scripts/build.mjs);
 *  2. `<__dirname>/vcfTableWorker.ts`: running from source under tsx (tests, benches);
 *  3. otherwise, or if the worker cannot start, the same jobs run in process, yielding to
 *     the event loop every YIELD_MS (slower, but the host still answers).
 * `VARIANT_LENS_TABLE_WORKER=in-process` forces 3 (tests compare both).
 *
 * Cancellation: an aborted signal sets the job's shared flag (the worker stops at its next
 * check) and rejects the call at once with `cancelled`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { VariantLensError, throwIfAborted } from '../errors';
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

/** A variable, not a literal, so that esbuild leaves it alone: tsx is a dev dependency, never bundled. */
const TSX_CJS_API = 'tsx/cjs/api';
/** Longest synchronous stretch of an in-process job before it yields. */
const YIELD_MS = 25;

function workerScript(): string | undefined {
  const js = join(__dirname, 'tableWorker.js');
  const ts = join(__dirname, 'vcfTableWorker.ts');
  return existsSync(js) ? js : existsSync(ts) ? ts : undefined;
}

/** Starts the jobs runner for one file: a worker thread, or in process when none can start. */
export function startTableJobs(path: string): TableJobRunner {
  const script = workerScript();
  if (process.env['VARIANT_LENS_TABLE_WORKER'] === 'in-process' || !script) return new InProcessJobs(path);
  return new FallbackJobs(path, script);
}

interface Pending {
  resolve(m: TableWorkerMessage): void;
  reject(e: unknown): void;
  onIndexProgress?: IndexProgress;
  onProgress?: ViewProgress;
}

class WorkerStartError extends Error {}

class WorkerJobs implements TableJobRunner {
  readonly kind = 'worker' as const;
  private readonly worker: Worker;
  private nextJob = 1;
  private readonly pending = new Map<number, Pending>();
  private started = false;
  private dead: Error | undefined;

  constructor(path: string, script: string) {
    const workerData: TableWorkerData = { vcfTableWorker: true, path };
    // From source the worker is TypeScript: a CommonJS bootstrap registers tsx, then loads it.
    this.worker = script.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve(TSX_CJS_API))}).register(); require(${JSON.stringify(script)});`, { eval: true, execArgv: [], workerData })
      : new Worker(script, { execArgv: [], workerData });
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

/** A worker, replaced by in-process jobs if it cannot start (the first job is then re-run here). */
class FallbackJobs implements TableJobRunner {
  private current: TableJobRunner;
  constructor(private readonly path: string, script: string) {
    try {
      this.current = new WorkerJobs(path, script);
    } catch {
      this.current = new InProcessJobs(path);
    }
  }
  get kind(): 'worker' | 'in-process' {
    return this.current.kind;
  }
  private async run<T>(f: (r: TableJobRunner) => Promise<T>): Promise<T> {
    try {
      return await f(this.current);
    } catch (e) {
      if (!(e instanceof WorkerStartError)) throw e;
      this.current = new InProcessJobs(this.path);
      return f(this.current);
    }
  }
  index(signal: AbortSignal | undefined, onProgress?: IndexProgress): Promise<{ offsets: Float64Array; contigRuns: readonly ContigRun[] }> {
    return this.run((r) => r.index(signal, onProgress));
  }
  view(sort: SortSpec | undefined, filter: FilterSpec | undefined, signal?: AbortSignal, progress?: ViewProgress): Promise<Uint32Array | undefined> {
    return this.run((r) => r.view(sort, filter, signal, progress));
  }
  close(): Promise<void> {
    return this.current.close();
  }
}
