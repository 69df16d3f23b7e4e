/**
 * The heavy work behind a VCF table — building the row index, and sorting/filtering all
 * records — run off the extension host's event loop: this file is the worker-thread entry
 * (bundled to dist/tableWorker.js; one worker per open table, started by
 * vcfTableWorkerClient.ts) and also exports the jobs themselves (`VcfTableJobs`), which the
 * client runs in process when no worker can start. No `vscode` here.
 *
 * Messages (one job at a time, in arrival order):
 *   in:  { kind: 'index', job, cancel }           build the row index
 *        { kind: 'view', job, cancel, sort, filter } sort/filter → view rows
 *   out: { kind: 'indexProgress', job, records, bytesDone, bytesTotal }
 *        { kind: 'progress', job, done, total, label }
 *        { kind: 'indexed', job, offsets, contigRuns }   offsets transferred (8 bytes/record)
 *        { kind: 'view', job, rows }                     rows transferred (Uint32Array; null = file order)
 *        { kind: 'error', job, code, message, file? }
 * `cancel` is an Int32Array over a SharedArrayBuffer: the host sets cancel[0] = 1 and the
 * job sees it at its next check (every 4,096 rows, every radix pass, every MiB indexed),
 * even in the middle of a synchronous loop that would never read a cancel message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VariantLensError, throwIfAborted, type ErrorCode } from '../errors';
import { openVcf, type VcfFile } from '../io/vcf/vcfReader';
import { rowIndexParts, type ContigRun } from '../io/vcf/vcfRowIndex';
import { VcfColumnStore, type JobControl } from './vcfTableColumns';
import type { FilterSpec, SortSpec } from './tableSpec';

export type TableWorkerRequest =
  | { readonly kind: 'index'; readonly job: number; readonly cancel: Int32Array }
  | { readonly kind: 'view'; readonly job: number; readonly cancel: Int32Array; readonly sort?: SortSpec; readonly filter?: FilterSpec };

export type TableWorkerMessage =
  | { readonly kind: 'indexProgress'; readonly job: number; readonly records: number; readonly bytesDone: number; readonly bytesTotal: number }
  | { readonly kind: 'progress'; readonly job: number; readonly done: number; readonly total: number; readonly label: string }
  | { readonly kind: 'indexed'; readonly job: number; readonly offsets: Float64Array; readonly contigRuns: readonly ContigRun[] }
  | { readonly kind: 'view'; readonly job: number; readonly rows: Uint32Array | null }
  | { readonly kind: 'error'; readonly job: number; readonly code: ErrorCode; readonly message: string; readonly file?: string };

/** What the worker is started with. */
export interface TableWorkerData {
  readonly vcfTableWorker: true;
  readonly path: string;
}

/** Progress reports are throttled to one per PROGRESS_MS (the webview shows a percentage). */
const PROGRESS_MS = 100;

/** The jobs of one file: its row index, then its columns (kept across views). */
export class VcfTableJobs {
  private file: Promise<VcfFile> | undefined;
  private store: VcfColumnStore | undefined;

  constructor(readonly path: string) {}

  private open(signal?: AbortSignal): Promise<VcfFile> {
    this.file ??= openVcf(this.path, signal).catch((e: unknown) => {
      this.file = undefined;
      throw e;
    });
    return this.file;
  }

  /** Streams the file once: row → offset (BGZF virtual offsets / byte offsets) and contig runs. */
  async index(signal: AbortSignal | undefined, onProgress: (records: number, bytesDone: number, bytesTotal: number) => void): Promise<{ offsets: Float64Array; contigRuns: readonly ContigRun[] }> {
    const file = await this.open(signal);
    const ix = await file.buildRowIndex(signal, onProgress);
    const parts = rowIndexParts(ix);
    const start = file.dataStart;
    this.store = new VcfColumnStore({
      path: file.path,
      headerLines: file.headerLines,
      // Sequential streaming from the first record (large reads), not the page reader.
      dataLines: start === undefined ? emptyLines : (s) => file.lineBatchesFrom(start, s, false),
    }, ix.count, parts.contigRuns, file.vcfHeader.samples.length);
    return parts;
  }

  /** View rows for a sort/filter (undefined = file order); needs `index` first. */
  async view(sort: SortSpec | undefined, filter: FilterSpec | undefined, ctl: JobControl, signal?: AbortSignal): Promise<Uint32Array | undefined> {
    if (!this.store) throw new VariantLensError('unsupported', 'is still being indexed; try again when the row count is shown', this.path);
    return this.store.view(sort, filter, ctl, signal);
  }

  async close(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    this.store = undefined;
    if (f) await (await f.catch(() => undefined))?.close();
  }
}

async function* emptyLines(): AsyncGenerator<never> {
  // a file without records
}

/** Turns a shared cancel flag into checks, an AbortSignal and throttled progress posts. */
export class FlagControl implements JobControl {
  private readonly ac = new AbortController();
  private lastProgress = 0;
  constructor(private readonly flag: Int32Array, private readonly post: (done: number, total: number, label: string) => void) {}
  get signal(): AbortSignal {
    return this.ac.signal;
  }
  /** True (and the signal aborted) once the host asked to cancel. */
  poll(): boolean {
    if (Atomics.load(this.flag, 0) !== 0 && !this.ac.signal.aborted) this.ac.abort();
    return this.ac.signal.aborted;
  }
  check(): void {
    this.poll();
    throwIfAborted(this.ac.signal);
  }
  progress(done: number, total: number, label: string): void {
    const now = performance.now();
    if (done !== 0 && done !== total && now - this.lastProgress < PROGRESS_MS) return;
    this.lastProgress = now;
    this.post(done, total, label);
  }
}

function errorMessage(job: number, e: unknown): TableWorkerMessage {
  if (e instanceof VariantLensError) return { kind: 'error', job, code: e.code, message: e.message, ...(e.file ? { file: e.file } : {}) };
  if (e instanceof Error && e.name === 'AbortError') return { kind: 'error', job, code: 'cancelled', message: 'operation cancelled' };
  return { kind: 'error', job, code: 'unsupported', message: `table worker: ${e instanceof Error ? e.message : String(e)}` };
}

const data = workerData as Partial<TableWorkerData> | undefined;
if (parentPort && data?.vcfTableWorker === true && typeof data.path === 'string') {
  const port = parentPort;
  const jobs = new VcfTableJobs(data.path);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: TableWorkerRequest) => {
    queue = queue.then(async () => {
      const ctl = new FlagControl(m.cancel, (done, total, label) => port.postMessage({ kind: 'progress', job: m.job, done, total, label } satisfies TableWorkerMessage));
      try {
        ctl.check();
        if (m.kind === 'index') {
          let last = 0;
          const r = await jobs.index(ctl.signal, (records, bytesDone, bytesTotal) => {
            ctl.poll();
            const now = performance.now();
            if (now - last < PROGRESS_MS && bytesDone < bytesTotal) return;
            last = now;
            port.postMessage({ kind: 'indexProgress', job: m.job, records, bytesDone, bytesTotal } satisfies TableWorkerMessage);
          });
          // The offsets move to the host (which pages with them); the worker keeps only the count and runs.
          port.postMessage({ kind: 'indexed', job: m.job, offsets: r.offsets, contigRuns: r.contigRuns } satisfies TableWorkerMessage, [r.offsets.buffer as ArrayBuffer]);
        } else {
          const rows = await jobs.view(m.sort, m.filter, ctl, ctl.signal);
          port.postMessage({ kind: 'view', job: m.job, rows: rows ?? null } satisfies TableWorkerMessage, rows ? [rows.buffer as ArrayBuffer] : []);
        }
      } catch (e) {
        port.postMessage(errorMessage(m.job, e));
      }
    });
  });
}
