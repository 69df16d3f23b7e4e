/**
 * The host side of one VCF table: the row index of the file, the current view (a sort/filter
 * permutation of file rows), and the answers to the table's protocol requests. It holds no
 * `vscode` import so tests drive it directly.
 *
 * Responsiveness: the heavy work — building the row index, and sorting/filtering every
 * record — runs in a worker thread per table (src/core/table/vcfTableWorker.ts through
 * vcfTableWorkerClient.ts), never on the extension host's event loop. The host keeps only
 * what paging needs: the header, the first HEAD_ROWS records (read at open, so the first
 * screen never waits for the index), the row offsets and the current view permutation,
 * both typed arrays transferred from the worker without a copy. Page reads stay here: a
 * page is one or two BGZF blocks (a few ms). Cancel (webview or progress notification)
 * sets the worker job's shared flag.
 *
 * Memory (docs/decisions/0005-vcf-table-view-in-host.md): host 8 bytes per record (offsets)
 * plus 4 per view row; the worker keeps the sort/filter columns it has built (17 bytes per
 * record for the fixed columns, 16 per sample used; vcfTableColumns.ts). The webview never
 * holds more than its page cache.
 *
 * Coordinates: POS is 1-based (VCF); region and locus text is 1-based inclusive (samtools
 * style); region overlap uses each record's last reference base, INFO/END aware
 * (vcfTableColumns.ts).
 */
import { leadingColumns } from '../../core/io/vcf/vcfLineTokenizer';
import { VariantLensError, isCancelled, throwIfAborted } from '../../core/errors';
import { openVcf, type VcfFile, type VcfRowIndex } from '../../core/io/vcf/vcfReader';
import { rowIndexFromParts } from '../../core/io/vcf/vcfRowIndex';
import { resolveContig, describeAvailable } from '../../core/io/contigAliases';
import type { VcfHeader, VcfRecord } from '../../core/io/vcf/vcfRecord';
import { filterIsActive, parseLocus, sortIsActive } from '../../core/table/vcfTableColumns';
import { startTableJobs, type TableJobRunner } from '../../core/table/vcfTableWorkerClient';
import type {
  FilterSpec, InfoEntry, SampleCells, SortSpec, TableRow, ViewInfo, SiteRecord, ReviewCell, ReviewSiteRef,
} from '../../protocol/protocol';


/** Records read at open time and served before the row index is ready. */
const HEAD_ROWS = 1000;

export type Progress = (done: number, total: number, label?: string) => void;

export function firstColumns(line: string): string[] {
  return leadingColumns(line, 8);
}

export function sampleCells(rec: VcfRecord, s: number): SampleCells {
  const mid = rec.sampleField(s, 'MID');
  return {
    gt: rec.sampleField(s, 'GT') ?? '.',
    gq: rec.sampleField(s, 'GQ') ?? '',
    dp: rec.sampleField(s, 'DP') ?? '',
    ad: rec.sampleField(s, 'AD') ?? '',
    vaf: rec.sampleField(s, 'VAF') ?? '',
    ...(mid !== undefined && mid !== '' && mid !== '.' ? { mid } : {}),
  };
}

export class VcfTableModel {
  private index: VcfRowIndex | undefined;
  private indexing: Promise<VcfRowIndex> | undefined;
  /** Why the last index build failed (not cancelled): what requests needing the index answer. */
  private indexError: unknown;
  /** View → file row; undefined = identity (file order, no filter). */
  private perm: Uint32Array | undefined;
  private viewIdCounter = 0;
  private sort: SortSpec | undefined;
  private filter: FilterSpec | undefined;
  private contigNames: string[] = [];
  /** The table's worker (started with the index job). */
  private jobs: TableJobRunner | undefined;
  /** The review column: the annotation of a record (set by reviewController.ts; REF upper case, ALT comma-joined). */
  reviewCell: ((site: ReviewSiteRef) => ReviewCell | undefined) | undefined;

  private constructor(readonly path: string, private readonly file: VcfFile, readonly header: VcfHeader, private readonly head: readonly VcfRecord[]) {}

  /**
   * Opens the file and reads its first HEAD_ROWS records by streaming, so the first screen
   * shows while the row index of a huge file is still being built.
   */
  static async open(path: string, signal?: AbortSignal): Promise<VcfTableModel> {
    const file = await openVcf(path, signal);
    const header = await file.header(signal);
    const head: VcfRecord[] = [];
    for await (const rec of file.records(signal)) {
      head.push(rec);
      if (head.length >= HEAD_ROWS) break;
    }
    return new VcfTableModel(path, file, header, head);
  }

  private runner(): TableJobRunner {
    return (this.jobs ??= startTableJobs(this.path));
  }

  /** 'worker', or 'in-process' when no worker thread could start (slower, yields). */
  get jobsKind(): 'worker' | 'in-process' {
    return this.runner().kind;
  }

  /** Builds the row index once (the worker streams the whole file; the offsets come back transferred). */
  buildIndex(signal?: AbortSignal, onProgress?: (records: number, bytesDone: number, bytesTotal: number) => void): Promise<VcfRowIndex> {
    this.indexing ??= this.runner().index(signal, onProgress).then(({ offsets, contigRuns }) => {
      const ix = rowIndexFromParts(this.file, offsets, contigRuns);
      this.index = ix;
      this.contigNames = [...new Set(ix.contigRuns.map((r) => r.contig))];
      return ix;
    }, (e: unknown) => {
      this.indexing = undefined;
      if (!isCancelled(e)) this.indexError = e;
      throw e;
    });
    return this.indexing;
  }

  get rowCount(): number {
    return this.index?.count ?? -1;
  }

  get viewId(): number {
    return this.viewIdCounter;
  }

  get viewCount(): number {
    if (!this.index) return this.head.length;
    return this.perm ? this.perm.length : this.index.count;
  }

  viewInfo(): ViewInfo {
    return { viewId: this.viewIdCounter, count: this.viewCount, ...(this.sort ? { sort: this.sort } : {}), ...(this.filter ? { filter: this.filter } : {}) };
  }

  /** File row of view row `index`. */
  fileRow(index: number): number {
    return this.perm ? this.perm[index]! : index;
  }

  private requireIndex(): VcfRowIndex {
    if (this.index) return this.index;
    // A failed index (malformed line, plain gzip) is the answer, not "still being indexed".
    if (this.indexError !== undefined) throw this.indexError;
    throw new VariantLensError('unsupported', 'is still being indexed; try again when the row count is shown', this.path);
  }

  /** Records of the given file rows, in the given order; adjacent rows are read together. */
  async readFileRows(rows: readonly number[], signal?: AbortSignal): Promise<VcfRecord[]> {
    // Before (or without, if it failed) the row index, the head records answer for their rows.
    if (!this.index && rows.every((r) => r < this.head.length)) return rows.map((r) => this.head[r]!);
    const ix = this.requireIndex();
    const order = rows.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
    const out: VcfRecord[] = new Array(rows.length);
    let k = 0;
    while (k < order.length) {
      // Coalesce rows less than 64 apart into one read (one BGZF block holds ~hundreds of rows).
      let j = k;
      while (j + 1 < order.length && order[j + 1]![0] - order[j]![0] < 64) j++;
      const from = order[k]![0];
      const recs = await ix.readRows(from, order[j]![0] + 1, signal);
      for (let t = k; t <= j; t++) {
        const rec = recs[order[t]![0] - from];
        if (!rec) throw new VariantLensError('malformed-vcf', `row ${order[t]![0]} could not be read`, this.path);
        out[order[t]![1]] = rec;
      }
      k = j + 1;
    }
    return out;
  }

  toTableRow(rec: VcfRecord, index: number, row: number): TableRow {
    const c = firstColumns(rec.line);
    const samples: SampleCells[] = [];
    for (let s = 0; s < this.header.samples.length; s++) samples.push(sampleCells(rec, s));
    const review = this.reviewCell?.({ contig: rec.contig, pos: rec.pos, ref: rec.ref, alt: rec.alts.join(',') });
    return {
      index, row, chrom: rec.contig, pos: rec.pos, id: c[2] ?? '.', ref: c[3] ?? '', alt: c[4] ?? '.', qual: c[5] ?? '.', filter: c[6] ?? '.',
      kind: rec.variantType, samples, ...(review ? { review } : {}),
    };
  }

  /** View rows [from, to) (clamped). */
  async rows(viewId: number, from: number, to: number, signal?: AbortSignal): Promise<{ viewId: number; rows: TableRow[] }> {
    if (viewId !== this.viewIdCounter) return { viewId: this.viewIdCounter, rows: [] }; // stale page request
    if (!this.index) {
      // Before the index exists, only the head records are available (in file order).
      const end = Math.min(to, this.head.length);
      const rows: TableRow[] = [];
      for (let i = from; i < end; i++) rows.push(this.toTableRow(this.head[i]!, i, i));
      return { viewId, rows };
    }
    const ix = this.index;
    const end = Math.min(to, this.viewCount);
    if (from >= end) return { viewId, rows: [] };
    if (!this.perm) {
      const recs = await ix.readRows(from, end, signal);
      return { viewId, rows: recs.map((r, i) => this.toTableRow(r, from + i, from + i)) };
    }
    const fileRows = Array.from(this.perm.subarray(from, end));
    const recs = await this.readFileRows(fileRows, signal);
    return { viewId, rows: recs.map((r, i) => this.toTableRow(r, from + i, fileRows[i]!)) };
  }

  async info(row: number, signal?: AbortSignal): Promise<InfoEntry[]> {
    const [rec] = await this.readFileRows([row], signal);
    return [...rec!.info()].map(([key, v]) => ({ key, value: v === true ? '(flag)' : v, description: this.header.info.get(key)?.description ?? '' }));
  }

  async site(row: number, signal?: AbortSignal): Promise<SiteRecord> {
    const [rec] = await this.readFileRows([row], signal);
    const r = rec!;
    const c = firstColumns(r.line);
    return {
      file: this.path, row, chrom: r.contig, pos: r.pos, ref: r.ref, alt: r.alts.join(','), id: c[2] ?? '.', qual: c[5] ?? '.', filter: c[6] ?? '.',
      samples: this.header.samples.map((name, s) => ({ name, ...sampleCells(r, s), pl: r.sampleField(s, 'PL') ?? '' })),
      info: await this.info(row, signal),
      line: r.line,
    };
  }

  /** VCF lines of the given file rows, in file order. */
  async linesOf(rows: readonly number[], signal?: AbortSignal): Promise<string> {
    const sorted = [...new Set(rows)].sort((a, b) => a - b);
    const recs = await this.readFileRows(sorted, signal);
    return recs.map((r) => r.line).join('\n') + (recs.length ? '\n' : '');
  }

  /** View index of the first row at or after a locus (in file order). */
  async findLocus(text: string, signal?: AbortSignal): Promise<number> {
    const ix = this.requireIndex();
    const locus = parseLocus(text);
    if (!locus) throw new VariantLensError('region-invalid', `"${text.slice(0, 80)}" is not a locus; write e.g. chr20:10,000,123`);
    if (resolveContig(locus.contig, this.contigNames) === undefined) {
      throw new VariantLensError('contig-not-found', `has no records on "${locus.contig}"; ${describeAvailable(this.contigNames)}`, this.path);
    }
    const target = await ix.findRow(locus.contig, locus.start ?? 0, signal);
    if (!this.perm) return Math.min(target, Math.max(0, ix.count - 1));
    // Filtered view (increasing permutation): binary search. Sorted view: closest file row >= target.
    if (!this.sort || this.sort.column === 'file') {
      let lo = 0;
      let hi = this.perm.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.perm[mid]! < target) lo = mid + 1;
        else hi = mid;
      }
      return Math.min(lo, Math.max(0, this.perm.length - 1));
    }
    let best = -1;
    let bestRow = Infinity;
    for (let i = 0; i < this.perm.length; i++) {
      const r = this.perm[i]!;
      if (r >= target && r < bestRow) {
        bestRow = r;
        best = i;
      }
    }
    return best < 0 ? Math.max(0, this.perm.length - 1) : best;
  }

  /**
   * Applies a sort and a filter: the worker computes the permutation the webview pages
   * through (vcfTableColumns.ts: one pass for the columns, typed-array filters, radix sort).
   */
  async setView(sort: SortSpec | undefined, filter: FilterSpec | undefined, signal?: AbortSignal, progress?: Progress): Promise<ViewInfo> {
    // A view asked for while the row index is still being built (a window reload restores the
    // filter and sort right after table.init, when indexing has just started) waits for the
    // index instead of failing with "still being indexed"; cancelling the view stops the wait,
    // not the index.
    if (!this.index && this.indexing) await abortable(this.indexing, signal);
    this.requireIndex();
    const hasFilter = filterIsActive(filter);
    const hasSort = sortIsActive(sort);
    this.perm = hasFilter || hasSort ? await this.runner().view(hasSort ? sort : undefined, hasFilter ? filter : undefined, signal, progress) : undefined;
    this.sort = hasSort ? sort : undefined;
    this.filter = hasFilter ? filter : undefined;
    this.viewIdCounter++;
    return this.viewInfo();
  }

  async close(): Promise<void> {
    const jobs = this.jobs;
    this.jobs = undefined;
    await jobs?.close();
    await this.file.close();
  }
}

/** `p`, or a `cancelled` rejection as soon as `signal` fires (p itself keeps running). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new VariantLensError('cancelled', 'cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}
