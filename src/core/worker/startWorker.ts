/**
 * Starting a worker thread, the same way for every worker of Variant Lens (the inference
 * worker, src/core/model/inferenceHost.ts; the VCF table worker, src/core/table/vcfTableWorkerClient.ts).
 *
 * Worker script resolution (the bundle and the tests must both work):
 *  1. `<dir>/<bundled>.js`: dist/extension.js and dist/cli.js sit next to the worker bundles
 *     (scripts/build.mjs), so `dir` (the caller's `__dirname`) is dist/;
 *  2. `<dir>/<source>.ts`: running from source under tsx (tests, benches); the worker is
 *     started through a CommonJS bootstrap that registers tsx's require hook first (Node
 *     refuses a .ts path as a worker entry);
 *  3. otherwise in process.
 *
 * An environment variable forces a choice: `in-process`, or `worker` (no fallback; an error
 * when no script can be found). Without it, a worker that cannot start falls back to
 * running in process (each client knows how to re-run its first job there).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { VariantLensError, type ErrorCode } from '../errors';

/** A variable, not a literal, so that esbuild leaves it alone: tsx is a dev dependency, never bundled. */
const TSX_CJS_API = 'tsx/cjs/api';

export interface WorkerLocation {
  /** The calling module's `__dirname` (dist/ when bundled, the source folder under tsx). */
  readonly dir: string;
  /** File name of the bundle in dist/, e.g. "inferenceWorker.js". */
  readonly bundled: string;
  /** File name of the TypeScript source beside the caller, e.g. "inferenceWorker.ts". */
  readonly source: string;
}

/** The worker script: the bundle, else the TypeScript source, else undefined. */
function findWorkerScript(where: WorkerLocation): string | undefined {
  const js = join(where.dir, where.bundled);
  const ts = join(where.dir, where.source);
  return existsSync(js) ? js : existsSync(ts) ? ts : undefined;
}

/** Where a client's jobs run. */
export type WorkerPlan =
  | { readonly kind: 'in-process' }
  /** `fallback`: run in process if the worker cannot start (false when the environment forces the worker). */
  | { readonly kind: 'worker'; readonly script: string; readonly fallback: boolean };

export interface WorkerPlanOptions extends WorkerLocation {
  /** The environment variable that forces a choice, e.g. VARIANT_LENS_INFERENCE. */
  readonly env: string;
  /** Name of the worker in the error when `<env>=worker` and no script exists, e.g. "inference worker". */
  readonly what: string;
  /** Error code of that error. */
  readonly code: ErrorCode;
}

/** Decides between a worker thread and in-process work (see the file comment). */
export function workerPlan(o: WorkerPlanOptions): WorkerPlan {
  const forced = process.env[o.env];
  const script = findWorkerScript(o);
  if (forced === 'in-process' || (!script && forced !== 'worker')) return { kind: 'in-process' };
  if (!script) throw new VariantLensError(o.code, `${o.env}=worker but no ${o.what} script next to ${o.dir}`);
  return { kind: 'worker', script, fallback: forced !== 'worker' };
}

/** Starts `script` in a worker thread (a .ts script through the tsx bootstrap). */
export function startWorker(script: string, workerData?: unknown): Worker {
  const options = { execArgv: [], ...(workerData !== undefined ? { workerData } : {}) };
  return script.endsWith('.ts')
    ? new Worker(`require(${JSON.stringify(require.resolve(TSX_CJS_API))}).register(); require(${JSON.stringify(script)});`, { ...options, eval: true })
    : new Worker(script, options);
}

/** A worker that died before it answered anything: it could not start (its pending jobs get this). */
export class WorkerStartError extends Error {}

/**
 * A client's jobs on a worker thread that move to an in-process runner when the worker cannot
 * start: the job that finds out (WorkerStartError) runs once more in process, and so does
 * every later job. `job` gets `retry` true on that second run (a job whose input was
 * transferred to the worker uses a copy then).
 */
export class FallbackRunner<R> {
  private runner: R;

  constructor(worker: () => R, private readonly inProcess: () => R) {
    try {
      this.runner = worker();
    } catch {
      this.runner = inProcess();
    }
  }

  get current(): R {
    return this.runner;
  }

  async run<T>(job: (runner: R, retry: boolean) => Promise<T>): Promise<T> {
    const r = this.runner;
    try {
      return await job(r, false);
    } catch (e) {
      if (!(e instanceof WorkerStartError)) throw e;
      // Several jobs may find out at once: only the first one replaces the runner.
      if (this.runner === r) this.runner = this.inProcess();
      return job(this.runner, true);
    }
  }
}
