/**
 * The host side of one VCF table: the row index of the file, the current view (a sort/filter
 * permutation of file rows), and the answers to the table's protocol requests. It holds no
 * `vscode` import so tests drive it directly.
 *
 * Memory (documented in docs/decisions/0005-table-view-in-host.md): the row index costs 8
 * bytes per record (engineer A's VcfRowIndex). Sorting and filtering need per-row columns,
 * built on first use by one streaming pass and kept: about 17 bytes per record for the fixed
 * columns plus 14 per record per sample used — ~150 MB for a 5,000,000-record single-sample
 * file. The webview never holds more than its page cache.
 *
 * Responsiveness: every long loop (column scan, filter, sort) yields to the event loop at
 * least every YIELD_MS, so the extension host never freezes for long, and checks its
 * AbortSignal there (cancel from the webview or the progress notification).
 *
 * Coordinates: POS is 1-based (VCF); region text is 1-based inclusive (samtools style);
 * `end1` below is the last 1-based reference base of a record (INFO/END aware).
 */
import { VariantLensError, throwIfAborted } from '../core/errors';
import { openVcf, type VcfFile, type VcfRowIndex } from '../core/io/vcfReader';
import { resolveContig, describeAvailable } from '../core/io/contigAliases';
import type { VcfHeader, VcfRecord } from '../core/io/vcfRecord';
import type {
  FilterSpec, InfoEntry, SampleCells, SortColumn, SortSpec, TableRow, ViewInfo, VariantKind, SiteRecord, ReviewCell, ReviewSiteRef,
} from '../protocol/protocol';

/** Longest stretch of synchronous work before yielding to the event loop. */
const YIELD_MS = 25;
/** Rows read per chunk in whole-file passes. */
const SCAN_CHUNK = 20_000;
/** Records read at open time and served before the row index is ready. */
const HEAD_ROWS = 1000;

export type Progress = (done: number, total: number, label?: string) => void;

/** Yields to the event loop when YIELD_MS has passed since the last yield. */
class Yielder {
  private last = performance.now();
  constructor(private readonly signal?: AbortSignal) {}
  async maybe(): Promise<void> {
    if (performance.now() - this.last < YIELD_MS) return;
    await new Promise<void>((r) => setImmediate(r));
    this.last = performance.now();
    throwIfAborted(this.signal);
  }
}

const KIND_CODE: Record<VariantKind, number> = { SNP: 0, INDEL: 1, REF: 2 };

/** Interns strings to small codes (FILTER values, genotypes, REF/ALT, IDs). */
class Interner {
  readonly values: string[] = [];
  private readonly map = new Map<string, number>();
  code(s: string): number {
    let c = this.map.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.map.set(s, c);
    }
    return c;
  }
  /** rank[code] = position of the string in sorted order, for sorting by string. */
  ranks(): Float64Array {
    const order = this.values.map((_, i) => i).sort((a, b) => (this.values[a]! < this.values[b]! ? -1 : this.values[a]! > this.values[b]! ? 1 : 0));
    const rank = new Float64Array(this.values.length);
    order.forEach((code, r) => (rank[code] = r));
    return rank;
  }
}

interface FixedColumns {
  readonly contig: Uint16Array;
  readonly pos: Uint32Array;
  readonly end1: Uint32Array;
  readonly qual: Float32Array;
  readonly filter: Uint32Array;
  readonly filterNames: Interner;
  readonly kind: Uint8Array;
}

interface SampleColumns {
  readonly gt: Uint32Array;
  readonly gtNames: Interner;
  readonly gq: Float32Array;
  readonly dp: Float32Array;
  readonly vaf: Float32Array;
}

export function firstColumns(line: string): string[] {
  return line.split('\t', 8);
}

function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const v = Number(s.split(',')[0]);
  return Number.isFinite(v) ? v : NaN;
}

export function sampleCells(rec: VcfRecord, s: number): SampleCells {
  return {
    gt: rec.sampleField(s, 'GT') ?? '.',
    gq: rec.sampleField(s, 'GQ') ?? '',
    dp: rec.sampleField(s, 'DP') ?? '',
    ad: rec.sampleField(s, 'AD') ?? '',
    vaf: rec.sampleField(s, 'VAF') ?? '',
  };
}

/** Genotype text with phasing dropped, so a filter for 0/1 also matches 0|1. */
export function normalizeGenotype(gt: string): string {
  return gt.replace(/\|/g, '/');
}

export interface Locus {
  readonly contig: string;
  /** 1-based inclusive; undefined = whole contig. */
  readonly start?: number;
  readonly end?: number;
}

/** Parses `chr20`, `chr20:10,000,123`, `chr20 10000123`, `chr20:10,000,000-10,010,000`. */
export function parseLocus(text: string): Locus | undefined {
  const m = /^\s*([^\s:]+)(?:[:\s]\s*([\d,_]+)(?:\s*-\s*([\d,_]+))?)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/[,_]/g, '')));
  const start = n(m[2]);
  const end = n(m[3]);
  if (start !== undefined && (!Number.isInteger(start) || start < 0)) return undefined;
  if (end !== undefined && (!Number.isInteger(end) || end < (start ?? 0))) return undefined;
  return { contig: m[1]!, ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

export class VcfTableModel {
  private index: VcfRowIndex | undefined;
  private indexing: Promise<VcfRowIndex> | undefined;
  /** View → file row; undefined = identity (file order, no filter). */
  private perm: Uint32Array | undefined;
  private viewIdCounter = 0;
  private sort: SortSpec | undefined;
  private filter: FilterSpec | undefined;
  private fixed: Promise<FixedColumns> | undefined;
  private readonly sampleCols = new Map<number, Promise<SampleColumns>>();
  private contigNames: string[] = [];
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

  /** Builds the row index once (streams the whole file). */
  buildIndex(signal?: AbortSignal, onProgress?: (records: number, bytesDone: number, bytesTotal: number) => void): Promise<VcfRowIndex> {
    this.indexing ??= this.file.buildRowIndex(signal, onProgress).then((ix) => {
      this.index = ix;
      this.contigNames = [...new Set(ix.contigRuns.map((r) => r.contig))];
      return ix;
    }, (e: unknown) => {
      this.indexing = undefined;
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
    if (!this.index) throw new VariantLensError('unsupported', 'is still being indexed; try again when the row count is shown', this.path);
    return this.index;
  }

  /** Records of the given file rows, in the given order; adjacent rows are read together. */
  async readFileRows(rows: readonly number[], signal?: AbortSignal): Promise<VcfRecord[]> {
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

  /** One streaming pass over every record, in chunks, yielding between them. */
  private async scan(label: string, signal: AbortSignal | undefined, progress: Progress | undefined, each: (rec: VcfRecord, row: number) => void): Promise<void> {
    const ix = this.requireIndex();
    const y = new Yielder(signal);
    for (let from = 0; from < ix.count; from += SCAN_CHUNK) {
      throwIfAborted(signal);
      const recs = await ix.readRows(from, Math.min(ix.count, from + SCAN_CHUNK), signal);
      for (let i = 0; i < recs.length; i++) {
        each(recs[i]!, from + i);
        if ((i & 1023) === 1023) await y.maybe();
      }
      progress?.(Math.min(ix.count, from + SCAN_CHUNK), ix.count, label);
      await y.maybe();
    }
  }

  private fixedColumns(signal?: AbortSignal, progress?: Progress): Promise<FixedColumns> {
    if (!this.fixed) {
      const n = this.requireIndex().count;
      const cols: FixedColumns = {
        contig: new Uint16Array(n), pos: new Uint32Array(n), end1: new Uint32Array(n), qual: new Float32Array(n),
        filter: new Uint32Array(n), filterNames: new Interner(), kind: new Uint8Array(n),
      };
      const contigCode = new Map<string, number>();
      this.fixed = this.scan('reading columns', signal, progress, (rec, row) => {
        let cc = contigCode.get(rec.contig);
        if (cc === undefined) contigCode.set(rec.contig, (cc = contigCode.size));
        cols.contig[row] = cc;
        cols.pos[row] = rec.pos;
        cols.end1[row] = rec.end0;
        cols.qual[row] = rec.qual ?? NaN;
        cols.filter[row] = cols.filterNames.code(firstColumns(rec.line)[6] ?? '.');
        cols.kind[row] = KIND_CODE[rec.variantType];
      }).then(() => cols, (e: unknown) => {
        this.fixed = undefined;
        throw e;
      });
    }
    return this.fixed;
  }

  private sampleColumns(s: number, signal?: AbortSignal, progress?: Progress): Promise<SampleColumns> {
    if (s >= this.header.samples.length) throw new VariantLensError('invalid-argument', `has ${this.header.samples.length} sample(s); there is no sample ${s + 1}`, this.path);
    let p = this.sampleCols.get(s);
    if (!p) {
      const n = this.requireIndex().count;
      const cols: SampleColumns = { gt: new Uint32Array(n), gtNames: new Interner(), gq: new Float32Array(n), dp: new Float32Array(n), vaf: new Float32Array(n) };
      p = this.scan(`reading sample ${this.header.samples[s]}`, signal, progress, (rec, row) => {
        cols.gt[row] = cols.gtNames.code(rec.sampleField(s, 'GT') ?? '.');
        cols.gq[row] = num(rec.sampleField(s, 'GQ'));
        cols.dp[row] = num(rec.sampleField(s, 'DP'));
        cols.vaf[row] = num(rec.sampleField(s, 'VAF'));
      }).then(() => cols, (e: unknown) => {
        this.sampleCols.delete(s);
        throw e;
      });
      this.sampleCols.set(s, p);
    }
    return p;
  }

  /** Applies a sort and a filter: produces the permutation the webview pages through. */
  async setView(sort: SortSpec | undefined, filter: FilterSpec | undefined, signal?: AbortSignal, progress?: Progress): Promise<ViewInfo> {
    const ix = this.requireIndex();
    const hasFilter = filter !== undefined && Object.values(filter).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0) && v !== '');
    const hasSort = sort !== undefined && !(sort.column === 'file' && !sort.descending);
    if (!hasFilter && !hasSort) {
      this.perm = undefined;
      this.sort = undefined;
      this.filter = undefined;
      this.viewIdCounter++;
      return this.viewInfo();
    }
    const rows = hasFilter ? await this.filterRows(filter!, signal, progress) : identity(ix.count);
    const perm = hasSort ? await this.sortRows(rows, sort!, signal, progress) : rows;
    this.perm = perm;
    this.sort = hasSort ? sort : undefined;
    this.filter = hasFilter ? filter : undefined;
    this.viewIdCounter++;
    return this.viewInfo();
  }

  private async filterRows(f: FilterSpec, signal?: AbortSignal, progress?: Progress): Promise<Uint32Array> {
    const n = this.requireIndex().count;
    const fixed = await this.fixedColumns(signal, progress);
    const keep = new Uint8Array(n).fill(1);
    const y = new Yielder(signal);
    // Region: rows on the contig whose [POS, end1] overlaps [start, end] (1-based inclusive).
    if (f.region !== undefined && f.region.trim() !== '') {
      const locus = parseLocus(f.region);
      if (!locus) throw new VariantLensError('region-invalid', `"${f.region.slice(0, 80)}" is not a region; write e.g. chr20:10,000,000-10,010,000`);
      const name = resolveContig(locus.contig, this.contigNames);
      const code = name === undefined ? -1 : this.contigCodeOf(name);
      const lo = locus.start ?? 0;
      const hi = locus.end ?? (locus.start ?? Number.MAX_SAFE_INTEGER);
      for (let r = 0; r < n; r++) {
        if (fixed.contig[r] !== code || fixed.end1[r]! < lo || fixed.pos[r]! > hi) keep[r] = 0;
        if ((r & 65535) === 65535) await y.maybe();
      }
    }
    if (f.filters && f.filters.length > 0) {
      const allowed = new Set(f.filters);
      const ok = fixed.filterNames.values.map((v) => v.split(';').some((x) => allowed.has(x)));
      for (let r = 0; r < n; r++) if (!ok[fixed.filter[r]!]) keep[r] = 0;
    }
    if (f.qualMin !== undefined || f.qualMax !== undefined) {
      const lo = f.qualMin ?? -Infinity;
      const hi = f.qualMax ?? Infinity;
      for (let r = 0; r < n; r++) {
        const q = fixed.qual[r]!;
        if (!(q >= lo && q <= hi)) keep[r] = 0; // missing QUAL ('.') never passes a QUAL range
      }
    }
    if (f.kinds && f.kinds.length > 0) {
      const ok = new Set(f.kinds.map((k) => KIND_CODE[k]));
      for (let r = 0; r < n; r++) if (!ok.has(fixed.kind[r]!)) keep[r] = 0;
    }
    if (f.genotypes && f.genotypes.length > 0) {
      const cols = await this.sampleColumns(f.sample ?? 0, signal, progress);
      const want = new Set(f.genotypes.map(normalizeGenotype));
      const ok = cols.gtNames.values.map((g) => want.has(normalizeGenotype(g)));
      for (let r = 0; r < n; r++) if (!ok[cols.gt[r]!]) keep[r] = 0;
    }
    if (f.text !== undefined && f.text !== '') {
      const needle = f.text.toLowerCase();
      await this.scan('searching text', signal, progress, (rec, row) => {
        if (keep[row] && !rec.line.toLowerCase().includes(needle)) keep[row] = 0;
      });
    }
    let count = 0;
    for (let r = 0; r < n; r++) count += keep[r]!;
    const out = new Uint32Array(count);
    let k = 0;
    for (let r = 0; r < n; r++) if (keep[r]) out[k++] = r;
    return out;
  }

  /** Contig codes were assigned in first-seen order during the column scan = contigRuns order. */
  private contigCodeOf(name: string): number {
    return this.contigNames.indexOf(name);
  }

  /** Sort key per file row; NaN = missing (always last). */
  private async sortKeys(column: SortColumn, signal?: AbortSignal, progress?: Progress): Promise<(row: number) => number> {
    const fixed = await this.fixedColumns(signal, progress);
    switch (column) {
      case 'file': return (r) => r;
      case 'chrom': return (r) => fixed.contig[r]! * 4294967296 + fixed.pos[r]!;
      case 'pos': return (r) => fixed.pos[r]!;
      case 'qual': return (r) => fixed.qual[r]!;
      case 'filter': {
        const rank = fixed.filterNames.ranks();
        return (r) => rank[fixed.filter[r]!]!;
      }
      case 'id': case 'ref': case 'alt': {
        const col = column === 'id' ? 2 : column === 'ref' ? 3 : 4;
        const names = new Interner();
        const codes = new Uint32Array(this.requireIndex().count);
        await this.scan(`reading ${column.toUpperCase()}`, signal, progress, (rec, row) => (codes[row] = names.code(firstColumns(rec.line)[col] ?? '')));
        const rank = names.ranks();
        return (r) => rank[codes[r]!]!;
      }
      default: {
        const m = /^(gq|dp|vaf|gt):(\d+)$/.exec(column);
        if (!m) throw new VariantLensError('invalid-argument', `cannot sort by "${column}"`);
        const cols = await this.sampleColumns(Number(m[2]), signal, progress);
        if (m[1] === 'gt') {
          const rank = cols.gtNames.ranks();
          return (r) => rank[cols.gt[r]!]!;
        }
        const a = m[1] === 'gq' ? cols.gq : m[1] === 'dp' ? cols.dp : cols.vaf;
        return (r) => a[r]!;
      }
    }
  }

  private async sortRows(rows: Uint32Array, sort: SortSpec, signal?: AbortSignal, progress?: Progress): Promise<Uint32Array> {
    const key = await this.sortKeys(sort.column, signal, progress);
    const n = rows.length;
    const keys = new Float64Array(n);
    const sign = sort.descending ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const k = key(rows[i]!);
      keys[i] = Number.isNaN(k) ? Infinity : sign * k; // missing values last in both directions
    }
    progress?.(0, 1, 'sorting');
    return stableSortByKey(rows, keys, new Yielder(signal));
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/**
 * Bottom-up merge sort of `items` by `keys` (ties keep their order: a stable sort, so equal
 * QUALs stay in file order). Iterative so it can yield to the event loop between runs:
 * Array.prototype.sort on 5M rows would block the extension host for seconds.
 */
export async function stableSortByKey(items: Uint32Array, keys: Float64Array, y: { maybe(): Promise<void> }): Promise<Uint32Array> {
  const n = items.length;
  let a = items.slice();
  let ak = keys.slice();
  let b = new Uint32Array(n);
  let bk = new Float64Array(n);
  // Insertion-sort runs of 32 first (cheap on small runs), then merge doubling widths.
  const RUN = 32;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(n, lo + RUN);
    for (let i = lo + 1; i < hi; i++) {
      const v = a[i]!;
      const k = ak[i]!;
      let j = i - 1;
      while (j >= lo && ak[j]! > k) {
        a[j + 1] = a[j]!;
        ak[j + 1] = ak[j]!;
        j--;
      }
      a[j + 1] = v;
      ak[j + 1] = k;
    }
    if ((lo & 0xffff) === 0) await y.maybe();
  }
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (ak[j]! < ak[i]!) {
          b[k] = a[j]!;
          bk[k++] = ak[j++]!;
        } else {
          b[k] = a[i]!;
          bk[k++] = ak[i++]!;
        }
      }
      while (i < mid) {
        b[k] = a[i]!;
        bk[k++] = ak[i++]!;
      }
      while (j < hi) {
        b[k] = a[j]!;
        bk[k++] = ak[j++]!;
      }
      await y.maybe();
    }
    [a, b] = [b, a];
    [ak, bk] = [bk, ak];
  }
  return a;
}
