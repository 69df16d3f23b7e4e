/**
 * A compact row → offset index over the records of a VCF, for paging through a huge table
 * (the VCF editor shows rows [from, to) of a 5-million-record file without holding it).
 *
 * One Float64 per record: for `.vcf.gz` the BGZF virtual offset of the line start
 * (compressed block offset * 65536 + offset in the block, SAM spec §4.1.1), for `.vcf` the
 * byte offset. 5,000,000 records cost 40 MB. Contigs are kept as runs of consecutive rows,
 * so "go to locus" is a binary search over the rows of one run that reads a row per probe
 * (rows are in file order, assumed coordinate-sorted within a contig, as tabix requires).
 *
 * Rows count records only (blank lines are skipped); a row's line number, used in error
 * messages, is headerLines + row + 1, which is exact unless the file has blank lines.
 */
import { VariantLensError, throwIfAborted } from '../../errors';
import { describeAvailable, resolveContig } from '../contigAliases';
import { LineTooLongError } from './lineLimit';
import type { LineBatch, LineStartBatch } from './lineScanner';
import { VcfRecord } from './vcfRecord';

/**
 * What the row index reads from an opened VCF. `VcfFile` (vcfReader.ts) provides it; the
 * index depends on this shape, not on the reader, so the arrow runs reader → index only.
 */
export interface RowIndexSource {
  readonly path: string;
  /** Number of header lines (the first data line is line headerLines + 1). */
  readonly headerLines: number;
  /** Offset of the first data line; undefined when there are no records. */
  readonly dataStart: number | undefined;
  /** Size of the file on disk in bytes. */
  readonly size: number;
  /** Starts of the lines from `start` and where CHROM changes, without decoding lines. */
  lineStartsFrom(start: number, signal: AbortSignal | undefined): AsyncIterable<LineStartBatch>;
  /** Line batches read with random access, from `start` up to `end` (undefined: the end of the file). */
  randomLineBatches(start: number, end: number | undefined, signal: AbortSignal | undefined): AsyncIterable<LineBatch>;
}

/** Consecutive rows on one contig. */
export interface ContigRun {
  readonly contig: string;
  /** First row (0-based) of the run. */
  readonly firstRow: number;
  readonly rowCount: number;
}

export interface VcfRowIndex {
  /** Number of records. */
  readonly count: number;
  /** Runs of consecutive rows per contig, in file order. */
  readonly contigRuns: readonly ContigRun[];
  /** Records of rows [from, to) (0-based, clamped to [0, count)). */
  readRows(from: number, to: number, signal?: AbortSignal): Promise<VcfRecord[]>;
  /**
   * The first row on `contig` (aliases accepted) with POS >= pos1 (1-based VCF POS); the row
   * just after the contig's last row when every record there is before pos1.
   * Throws `contig-not-found` when the file has no records on that contig.
   */
  findRow(contig: string, pos1: number, signal?: AbortSignal): Promise<number>;
}

/** Streams `file` once from its first record and indexes every record's start. */
export async function buildVcfRowIndex(
  file: RowIndexSource,
  signal?: AbortSignal,
  onProgress?: (recordsSoFar: number, bytesDone: number, bytesTotal: number) => void,
): Promise<VcfRowIndex> {
  let offsets = new Float64Array(1 << 16);
  let count = 0;
  const runs: { contig: string; firstRow: number; rowCount: number }[] = [];
  let nextReport = 0;
  if (file.dataStart !== undefined) {
    try {
    for await (const batch of file.lineStartsFrom(file.dataStart, signal)) {
      throwIfAborted(signal);
      const offs = batch.offsets;
      if (count + offs.length > offsets.length) {
        const grown = new Float64Array(Math.max(offsets.length * 2, count + offs.length));
        grown.set(offsets.subarray(0, count));
        offsets = grown;
      }
      offsets.set(offs, count);
      // Runs of one contig: the scanner reports where the first column changes (always at a
      // batch's first line when nothing was seen before). A run ends where the next begins.
      for (const change of batch.fieldChanges) {
        const firstRow = count + change.at;
        const last = runs[runs.length - 1];
        if (last) last.rowCount = firstRow - last.firstRow;
        runs.push({ contig: change.field, firstRow, rowCount: 0 });
      }
      count += offs.length;
      const last = runs[runs.length - 1];
      if (last) last.rowCount = count - last.firstRow;
      if (onProgress && batch.bytesDone >= nextReport) {
        onProgress(count, batch.bytesDone, file.size);
        nextReport = batch.bytesDone + (1 << 20);
      }
    }
    } catch (e) {
      // Records before the long line were all counted (empty lines are not; rare in a VCF).
      if (e instanceof LineTooLongError) throw e.withLine(file.path, file.headerLines + count + 1);
      throw e;
    }
  }
  onProgress?.(count, file.size, file.size);
  return new RowIndex(file, offsets.slice(0, count), runs);
}

/**
 * The parts of a row index that cross a worker boundary (the table builds its index in a
 * worker thread, src/core/table/vcfTableWorker.ts): the offsets, a transferable typed array,
 * and the contig runs.
 */
export function rowIndexParts(ix: VcfRowIndex): { offsets: Float64Array; contigRuns: readonly ContigRun[] } {
  if (!(ix instanceof RowIndex)) throw new VariantLensError('invalid-argument', 'not a row index built by buildVcfRowIndex');
  return { offsets: ix.offsets, contigRuns: ix.contigRuns };
}

/** A row index over `file` from parts made by `rowIndexParts` (e.g. received from a worker). */
export function rowIndexFromParts(file: RowIndexSource, offsets: Float64Array, contigRuns: readonly ContigRun[]): VcfRowIndex {
  return new RowIndex(file, offsets, contigRuns);
}

class RowIndex implements VcfRowIndex {
  readonly count: number;

  constructor(private readonly file: RowIndexSource, readonly offsets: Float64Array, readonly contigRuns: readonly ContigRun[]) {
    this.count = offsets.length;
  }

  async readRows(from: number, to: number, signal?: AbortSignal): Promise<VcfRecord[]> {
    const a = Math.max(0, Math.min(this.count, Math.floor(from)));
    const b = Math.max(a, Math.min(this.count, Math.floor(to)));
    const out: VcfRecord[] = [];
    if (a === b) return out;
    const end = b < this.count ? this.offsets[b] : undefined;
    let row = a;
    for await (const batch of this.file.randomLineBatches(this.offsets[a]!, end, signal)) {
      for (const line of batch.lines) {
        if (line.length === 0) continue;
        out.push(new VcfRecord(line, this.file.headerLines + row + 1, this.file.path));
        row++;
        if (row === b) return out;
      }
    }
    throwIfAborted(signal);
    if (row < b) {
      throw new VariantLensError('malformed-vcf', `changed since it was indexed: expected ${b - a} records from row ${a} but found ${row - a}; reopen it`, this.file.path);
    }
    return out;
  }

  async findRow(contig: string, pos1: number, signal?: AbortSignal): Promise<number> {
    const names = [...new Set(this.contigRuns.map((r) => r.contig))];
    const name = resolveContig(contig, names);
    const run = name === undefined ? undefined : this.contigRuns.find((r) => r.contig === name);
    if (!run) {
      throw new VariantLensError('contig-not-found', `has no records on contig "${contig}"; ${describeAvailable(names)}`, this.file.path);
    }
    let lo = run.firstRow;
    let hi = run.firstRow + run.rowCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const [rec] = await this.readRows(mid, mid + 1, signal);
      if (rec!.pos < pos1) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
