/**
 * Opens a VCF: plain `.vcf`, BGZF `.vcf.gz` (with or without `.tbi`/`.csi`), or a plain
 * gzip `.vcf.gz` (streamed only). Records are the lazy `VcfRecord` (src/core/io/vcf/vcfRecord.ts).
 *
 * How each kind answers a region query (a deliberate choice):
 *  - `.vcf.gz` + `.tbi`/`.csi`: through the index (our CRC-checked reader, vcfIndexedQuery.ts), reading only the blocks
 *    the index names;
 *  - plain `.vcf`, or `.vcf.gz` without an index: a full streaming scan that keeps the
 *    overlapping records. Correct, linear in the file size; the extension builds a
 *    `VcfRowIndex` for such files and uses `findRow` for "go to locus" instead.
 *
 * Coordinates: `query` takes 0-based half-open [start, end); VCF POS is 1-based, so a
 * record overlaps when start0 < end && end0 > start (end0 from INFO/END for gVCF blocks).
 */
import { existsSync, createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { VariantLensError, throwIfAborted, wrapError } from '../../errors';
import { CheckedBlocks } from '../bgzf/bgzfIntegrity';
import { BgzfRandomReader, bgzfBlocks, fileSize, hasBgzfEof, looksLikeBgzf, looksLikeGzip, openForRead, splitVirtualOffset, virtualOffset } from '../bgzf/bgzfReader';
import { resolveContig } from '../contigAliases';
import { lineBatches, lineByteBatches, lineStartBatches, type ByteLineBatch, type LineBatch, type LineStartBatch, type OffsetOf, type TextChunk } from './lineScanner';
import { VcfRecord, parseVcfHeader, type VcfHeader } from './vcfRecord';
import type { VcfSource } from './vcfSource';
import type { TabixIndex } from '../index/indexCheck';
import { loadTabixIndex, tabixQuery } from './vcfIndexedQuery';
import { LineTooLongError } from './lineLimit';
import { buildVcfRowIndex, type VcfRowIndex, type RowIndexSource } from './vcfRowIndex';

export type { VcfRowIndex } from './vcfRowIndex';

/** 'vcf' plain text; 'bgzf' block-gzipped (.vcf.gz from bgzip/htslib); 'gzip' ordinary gzip (streaming only). */
export type VcfFileKind = 'vcf' | 'bgzf' | 'gzip';

/** Data lines of one decompressed chunk: `lines[i]` is line number `first + i` of the file. */
export interface DataLineBatch {
  readonly lines: readonly string[];
  readonly first: number;
}

/** Records per contig, in order of first appearance. */
export interface VcfCounts {
  readonly total: number;
  readonly perContig: ReadonlyMap<string, number>;
}

const PLAIN_READ_SIZE = 1 << 20;

export class VcfFile implements VcfSource, RowIndexSource {
  private tabix: Promise<TabixIndex> | undefined;
  private random: BgzfRandomReader | undefined;
  /** Blocks whose CRC32 a streaming pass has checked (the table streams the file once per filter). */
  private readonly checked = new CheckedBlocks();

  /** @internal use openVcf */
  constructor(
    readonly path: string,
    readonly kind: VcfFileKind,
    /** The .tbi/.csi beside a BGZF file, if any. */
    readonly indexPath: string | undefined,
    /** The parsed header. */
    readonly vcfHeader: VcfHeader,
    /** Number of header lines (the first data line is line headerLines + 1). */
    readonly headerLines: number,
    /** Offset of the first data line (virtual offset for BGZF, byte offset for plain); undefined when there are no records. */
    readonly dataStart: number | undefined,
    /** Size of the file on disk in bytes. */
    readonly size: number,
  ) {}

  async header(signal?: AbortSignal): Promise<VcfHeader> {
    throwIfAborted(signal);
    return this.vcfHeader;
  }

  /** Batches of records in file order (one batch per decompressed chunk): the fast way to stream. */
  async *recordBatches(signal?: AbortSignal): AsyncGenerator<VcfRecord[]> {
    for await (const batch of this.dataLines(signal)) {
      const out: VcfRecord[] = [];
      const lines = batch.lines;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line === '') continue;
        if (line.charCodeAt(0) === 35 /* # */) throw headerAfterData(this.path, batch.first + i, line);
        out.push(new VcfRecord(line, batch.first + i, this.path));
      }
      if (out.length > 0) yield out;
    }
  }

  /**
   * The data lines in file order, one batch per decompressed chunk, without making records:
   * for readers that tokenize the lines themselves (the diff's side stream) and build a
   * VcfRecord only for a line they cannot read (its constructor gives the error). Empty
   * lines are kept (as '') so `first + i` is the line number of `lines[i]`; a header line
   * after the first record is the caller's to refuse (`headerAfterData`).
   */
  async *dataLines(signal?: AbortSignal): AsyncGenerator<DataLineBatch> {
    let lineNo = this.headerLines;
    let toSkip = this.kind === 'gzip' ? this.headerLines : 0;
    if (this.kind === 'gzip') lineNo = 0;
    try {
      for await (const batch of this.lineBatchesFromData(signal, false)) {
        throwIfAborted(signal);
        let lines = batch.lines;
        if (toSkip > 0) {
          const n = Math.min(toSkip, lines.length);
          toSkip -= n;
          lineNo += n;
          lines = lines.slice(n);
        }
        if (lines.length === 0) continue;
        const first = lineNo + 1;
        lineNo += lines.length;
        yield { lines, first };
      }
    } catch (e) {
      // Every line before the long one was yielded and counted: it is the next line.
      if (e instanceof LineTooLongError) throw e.withLine(this.path, lineNo + 1);
      throw e;
    }
  }

  /**
   * The data lines as bytes (`dataLines` without decoding), for the diff's side stream, which
   * reads the common line from the bytes and decodes the others. Undefined for a plain-gzip
   * file (its header is skipped line by line: `dataLines` only). A LineTooLongError names the
   * line by the reader's own count (`withLine`).
   */
  dataByteBatches(signal?: AbortSignal): AsyncGenerator<ByteLineBatch> | undefined {
    if (this.kind === 'gzip') return undefined;
    if (this.dataStart === undefined) return emptyByteBatches();
    const c = this.chunksFrom(this.dataStart, signal);
    return lineByteBatches(c.chunks, c.skip, c.offsetOf);
  }

  /**
   * Every record in file order. Hand-written iterator over `recordBatches`: an async
   * generator's per-item `yield` costs several promise hops; here a record already in the
   * current batch costs one already-resolved promise (no async function frame), and only
   * the step to the next batch awaits.
   */
  records(signal?: AbortSignal): AsyncIterableIterator<VcfRecord> {
    const batches = this.recordBatches(signal);
    let batch: VcfRecord[] = [];
    let i = 0;
    const nextBatch = async (): Promise<IteratorResult<VcfRecord>> => {
      while (i >= batch.length) {
        const r = await batches.next();
        if (r.done) return { value: undefined, done: true };
        batch = r.value;
        i = 0;
      }
      return { value: batch[i++]!, done: false };
    };
    const it: AsyncIterableIterator<VcfRecord> = {
      next: (): Promise<IteratorResult<VcfRecord>> => (i < batch.length ? Promise.resolve({ value: batch[i++]!, done: false }) : nextBatch()),
      return: async (): Promise<IteratorResult<VcfRecord>> => {
        batch = [];
        i = 0;
        await batches.return(undefined);
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  async *query(contig: string, start: number, end: number, signal?: AbortSignal): AsyncGenerator<VcfRecord> {
    if (!(Number.isFinite(start) && Number.isFinite(end)) || start < 0 || end < start) {
      throw new VariantLensError('region-invalid', `invalid region ${contig}:${start}-${end} (0-based half-open)`, this.path);
    }
    if (this.kind === 'bgzf' && this.indexPath) {
      yield* this.indexedQuery(contig, start, end, signal);
      return;
    }
    // No index: scan. Resolve the name against the header contigs, falling back to the
    // alias test per distinct CHROM value seen.
    const headerNames = this.vcfHeader.contigs.map((c) => c.name);
    const target = resolveContig(contig, headerNames) ?? contig;
    const sameContig = new Map<string, boolean>();
    for await (const batch of this.recordBatches(signal)) {
      for (const r of batch) {
        let same = sameContig.get(r.contig);
        if (same === undefined) {
          same = r.contig === target || resolveContig(contig, [r.contig]) !== undefined;
          sameContig.set(r.contig, same);
        }
        if (same && r.start0 < end && r.end0 > start) yield r;
      }
    }
  }

  /** Records per contig (and in all), by streaming the whole file. */
  async countPerContig(signal?: AbortSignal): Promise<VcfCounts> {
    const perContig = new Map<string, number>();
    let total = 0;
    let last = '';
    let lastCount = 0;
    for await (const batch of this.recordBatches(signal)) {
      for (const r of batch) {
        if (r.contig !== last) {
          if (last !== '') perContig.set(last, (perContig.get(last) ?? 0) + lastCount);
          last = r.contig;
          lastCount = 0;
        }
        lastCount++;
        total++;
      }
    }
    if (last !== '') perContig.set(last, (perContig.get(last) ?? 0) + lastCount);
    return { total, perContig };
  }

  /**
   * Streams the file once and returns a compact row → offset index (8 bytes per record:
   * BGZF virtual offsets for .vcf.gz, byte offsets for .vcf) for random page reads.
   * `onProgress(recordsSoFar, bytesDone, bytesTotal)` is called about once per MiB read.
   */
  async buildRowIndex(signal?: AbortSignal, onProgress?: (recordsSoFar: number, bytesDone: number, bytesTotal: number) => void): Promise<VcfRowIndex> {
    if (this.kind === 'gzip') {
      throw new VariantLensError('unsupported', 'is compressed with plain gzip, which allows no random access; recompress it with `bgzip` (zcat file | bgzip > file.vcf.gz) to page through it', this.path);
    }
    return buildVcfRowIndex(this, signal, onProgress);
  }

  async close(): Promise<void> {
    await this.random?.close();
    this.random = undefined;
    this.tabix = undefined;
  }

  // ---- internals shared with the row index -------------------------------------------

  /** @internal Line batches from `start` (an offset as produced for this file kind). */
  lineBatchesFrom(start: number, signal: AbortSignal | undefined, wantOffsets: boolean): AsyncGenerator<LineBatch> {
    if (this.kind === 'gzip') return lineBatches(gunzipChunks(this.path, signal), 0, false, plainOffset);
    const c = this.chunksFrom(start, signal);
    return lineBatches(c.chunks, c.skip, wantOffsets, c.offsetOf);
  }

  /**
   * The decompressed chunks of a BGZF or plain file from `start` (an offset as produced for
   * this file kind), the bytes of the first chunk to skip, and how a line's offset is made.
   */
  private chunksFrom(start: number, signal: AbortSignal | undefined): { chunks: AsyncIterable<TextChunk>; skip: number; offsetOf: OffsetOf } {
    if (this.kind === 'bgzf') {
      const { coffset, uoffset } = splitVirtualOffset(start);
      return { chunks: bgzfChunks(this.path, coffset, signal, this.checked), skip: uoffset, offsetOf: virtualOffset };
    }
    return { chunks: plainChunks(this.path, start, this.size, signal), skip: 0, offsetOf: plainOffset };
  }

  /**
   * @internal Starts of the lines from `start` and where CHROM changes, without decoding
   * lines (for the row index). Not for plain-gzip files.
   */
  lineStartsFrom(start: number, signal: AbortSignal | undefined): AsyncGenerator<LineStartBatch> {
    if (this.kind === 'gzip') throw new VariantLensError('unsupported', 'is compressed with plain gzip, which allows no random access', this.path);
    const c = this.chunksFrom(start, signal);
    return lineStartBatches(c.chunks, c.skip, c.offsetOf);
  }

  /** @internal Line batches read with random access (block cache), for short page reads. */
  randomLineBatches(start: number, end: number | undefined, signal: AbortSignal | undefined, wantOffsets = false): AsyncGenerator<LineBatch> {
    if (this.kind === 'bgzf') {
      this.random ??= new BgzfRandomReader(this.path);
      const { coffset, uoffset } = splitVirtualOffset(start);
      return lineBatches(randomBgzfChunks(this.random, coffset, this.size, signal), uoffset, wantOffsets, virtualOffset);
    }
    // Plain: one read of exactly the byte range when the end is known.
    const stop = end ?? this.size;
    return lineBatches(plainChunks(this.path, start, stop, signal, Math.max(1, Math.min(stop - start, 16 << 20))), 0, wantOffsets, plainOffset);
  }

  private lineBatchesFromData(signal: AbortSignal | undefined, wantOffsets: boolean): AsyncGenerator<LineBatch> {
    if (this.kind === 'gzip') return this.lineBatchesFrom(0, signal, wantOffsets);
    if (this.dataStart === undefined) return emptyBatches();
    return this.lineBatchesFrom(this.dataStart, signal, wantOffsets);
  }

  private async *indexedQuery(contig: string, start: number, end: number, signal?: AbortSignal): AsyncGenerator<VcfRecord> {
    const indexPath = this.indexPath!;
    const target = { path: this.path, size: this.size, headerContigs: this.vcfHeader.contigs.map((c) => c.name), randomLineBatches: this.randomLineBatches.bind(this) };
    this.tabix ??= loadTabixIndex(target, indexPath);
    let tbx: TabixIndex;
    try {
      tbx = await this.tabix;
    } catch (e) {
      this.tabix = undefined;
      throw wrapError(e, 'bad-index', indexPath, 'cannot read the index');
    }
    yield* tabixQuery(target, indexPath, tbx, contig, start, end, signal);
  }
}

/**
 * Opens a VCF for reading. Reads and parses the header now, so a file that is not a VCF, is
 * missing, or is a truncated `.vcf.gz` fails here with a VariantLensError naming it.
 */
export async function openVcf(path: string, signal?: AbortSignal): Promise<VcfFile> {
  throwIfAborted(signal);
  const fh = await openForRead(path);
  let kind: VcfFileKind;
  let size: number;
  try {
    size = (await fh.stat()).size;
    const head = Buffer.alloc(18);
    await fh.read(head, 0, 18, 0);
    if (looksLikeBgzf(head)) {
      kind = 'bgzf';
      if (!(await hasBgzfEof(fh, size))) {
        throw new VariantLensError('truncated-bgzf', 'does not end with the BGZF end-of-file marker, so it is truncated (or was not written by bgzip); re-copy it or re-run bgzip', path);
      }
    } else if (looksLikeGzip(head)) {
      kind = 'gzip';
    } else {
      kind = 'vcf';
    }
  } finally {
    await fh.close();
  }
  let indexPath: string | undefined;
  if (kind === 'bgzf') indexPath = [`${path}.tbi`, `${path}.csi`].find((p) => existsSync(p));

  // Read the header lines (and where the data starts).
  const headerText: string[] = [];
  let dataStart: number | undefined;
  const probe = new VcfFile(path, kind, indexPath, EMPTY_HEADER, 0, undefined, size);
  let lineNo = 0;
  try {
    outer: for await (const batch of probe.lineBatchesFrom(0, signal, kind !== 'gzip')) {
      for (let i = 0; i < batch.lines.length; i++) {
        let line = batch.lines[i]!;
        // A UTF-8 byte-order mark (saved by some editors) before "##fileformat": skip it.
        if (lineNo === 0 && headerText.length === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
        if (line.startsWith('#')) {
          headerText.push(line);
          lineNo++;
          continue;
        }
        if (line === '' ) { lineNo++; continue; }
        dataStart = batch.offsets?.[i] ?? 0;
        break outer;
      }
    }
  } catch (e) {
    if (e instanceof LineTooLongError) throw e.withLine(path, lineNo + 1);
    throw wrapError(e, kind === 'gzip' ? 'bad-gzip' : 'truncated-bgzf', path, 'cannot read the header');
  }
  if (headerText.length === 0) {
    throw new VariantLensError('malformed-vcf', 'has no header (no line starting with ##fileformat or #CHROM); is this a VCF file?', path);
  }
  const header = parseVcfHeader(headerText, path);
  return new VcfFile(path, kind, indexPath, header, lineNo, dataStart, size);
}

const EMPTY_HEADER: VcfHeader = { fileformat: '', contigs: [], samples: [], info: new Map(), format: new Map(), filters: new Map(), metaLines: [], columnLine: '' };

/** The error for a header line ('#…') met after the first record. */
export function headerAfterData(file: string, lineNo: number, line: string): VariantLensError {
  return new VariantLensError('malformed-vcf', `line ${lineNo} is a header line ("${line.slice(0, 40)}") after the first record`, file);
}

const plainOffset: OffsetOf = (pos, inChunk) => pos + inChunk;

async function* emptyBatches(): AsyncGenerator<LineBatch> {
  // no records
}

async function* emptyByteBatches(): AsyncGenerator<ByteLineBatch> {
  // no records
}

async function* bgzfChunks(path: string, coffset: number, signal: AbortSignal | undefined, checked: CheckedBlocks): AsyncGenerator<TextChunk> {
  for await (const b of bgzfBlocks(path, signal, coffset, undefined, checked)) yield { data: b.data, pos: b.coffset, bytesDone: b.coffset + b.csize };
}

async function* randomBgzfChunks(reader: BgzfRandomReader, coffset: number, size: number, signal: AbortSignal | undefined): AsyncGenerator<TextChunk> {
  let c = coffset;
  while (c < size) {
    const b = await reader.readBlock(c, signal);
    yield { data: b.data, pos: c, bytesDone: c + b.csize };
    c += b.csize;
  }
}

async function* plainChunks(path: string, start: number, end: number, signal: AbortSignal | undefined, readSize = PLAIN_READ_SIZE): AsyncGenerator<TextChunk> {
  const fh = await openForRead(path);
  try {
    let pos = start;
    while (pos < end) {
      throwIfAborted(signal);
      const n = Math.min(readSize, end - pos);
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await fh.read(buf, 0, n, pos);
      if (bytesRead === 0) break;
      yield { data: buf.subarray(0, bytesRead), pos, bytesDone: pos + bytesRead };
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

async function* gunzipChunks(path: string, signal: AbortSignal | undefined): AsyncGenerator<TextChunk> {
  await fileSize(path);
  const input = createReadStream(path);
  const gunzip = createGunzip();
  input.pipe(gunzip);
  input.on('error', (e) => gunzip.destroy(e));
  let pos = 0;
  try {
    for await (const piece of gunzip as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      yield { data: piece, pos, bytesDone: input.bytesRead };
      pos += piece.length;
    }
  } catch (e) {
    throw wrapError(e, 'bad-gzip', path, 'gzip data is corrupt or truncated');
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
