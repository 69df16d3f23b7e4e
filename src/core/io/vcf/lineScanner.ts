/**
 * Splits a stream of decompressed chunks (BGZF blocks, slices of a plain file, or pieces of
 * a gunzip stream) into text lines, remembering where each line starts. This is the hot
 * loop of VCF streaming, so it avoids a per-line regex or per-line buffer decode: each
 * chunk is decoded to a string once and cut with `indexOf('\n')`; only chunks holding
 * non-ASCII bytes (where string and byte positions differ) fall back to byte scanning.
 *
 * A line's *offset* is produced by the caller's `offsetOf(chunkPos, byteInChunk)`: a BGZF
 * virtual offset for `.vcf.gz`, a plain byte offset for `.vcf`. A line that crosses a chunk
 * boundary gets the offset of its first byte; a line starting exactly at a chunk boundary
 * gets the offset (next chunk, 0), which is what htslib produces too.
 */
import { LineTooLongError, checkCarry, maxLineBytes } from './lineLimit';

export interface TextChunk {
  /** Decompressed bytes. */
  readonly data: Buffer;
  /** Where the chunk is: the BGZF block's compressed offset, or the byte offset in a plain file. */
  readonly pos: number;
  /** Bytes of the underlying file consumed so far (for progress reports). */
  readonly bytesDone: number;
}

export interface LineBatch {
  /** Lines without '\n' (and without a trailing '\r'); empty lines are kept so line numbers stay right. */
  readonly lines: string[];
  /** Start offset of each line, when asked for. */
  readonly offsets: number[] | undefined;
  readonly bytesDone: number;
}

export type OffsetOf = (chunkPos: number, byteInChunk: number) => number;

const NL = 10;

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/**
 * Lines of `chunks`, one batch per chunk. `skip` bytes of the first chunk are ignored (the
 * in-block part of a start virtual offset).
 */
export async function* lineBatches(chunks: AsyncIterable<TextChunk>, skip: number, wantOffsets: boolean, offsetOf: OffsetOf): AsyncGenerator<LineBatch> {
  let carry: Buffer[] = [];
  let carryOffset = 0;
  let first = true;
  let lastDone = 0;
  for await (const chunk of chunks) {
    const data = chunk.data;
    lastDone = chunk.bytesDone;
    let p = first ? skip : 0;
    first = false;
    const lines: string[] = [];
    const offsets: number[] | undefined = wantOffsets ? [] : undefined;
    const limit = maxLineBytes();
    if (carry.length > 0) {
      const end = endCarriedLine(carry, data, p, carryOffset);
      if (end === undefined) continue;
      lines.push(stripCr(end.line.toString('utf8')));
      offsets?.push(carryOffset);
      carry = [];
      p = end.next;
    }
    if (p < data.length) {
      const s = data.toString('utf8', p);
      if (s.length === data.length - p) {
        // ASCII: string index == byte index - p.
        let j = 0;
        while (true) {
          const i = s.indexOf('\n', j);
          if (i < 0) break;
          if (i - j > limit) {
            // Hand out the lines before it first, so the caller's line count names it.
            if (lines.length > 0) yield { lines, offsets, bytesDone: chunk.bytesDone };
            throw new LineTooLongError(limit, offsetOf(chunk.pos, p + j));
          }
          lines.push(i > j && s.charCodeAt(i - 1) === 13 ? s.slice(j, i - 1) : s.slice(j, i));
          offsets?.push(offsetOf(chunk.pos, p + j));
          j = i + 1;
        }
        if (j < s.length) {
          carry = [data.subarray(p + j)];
          carryOffset = offsetOf(chunk.pos, p + j);
        }
      } else {
        let j = p;
        while (true) {
          const i = data.indexOf(NL, j);
          if (i < 0) break;
          if (i - j > limit) {
            if (lines.length > 0) yield { lines, offsets, bytesDone: chunk.bytesDone };
            throw new LineTooLongError(limit, offsetOf(chunk.pos, j));
          }
          lines.push(stripCr(data.toString('utf8', j, i)));
          offsets?.push(offsetOf(chunk.pos, j));
          j = i + 1;
        }
        if (j < data.length) {
          carry = [data.subarray(j)];
          carryOffset = offsetOf(chunk.pos, j);
        }
      }
    }
    if (lines.length > 0) yield { lines, offsets, bytesDone: chunk.bytesDone };
  }
  if (carry.length > 0) {
    // The last line has no newline.
    checkCarry(carry.reduce((n, b) => n + b.length, 0), carryOffset);
    yield { lines: [stripCr(Buffer.concat(carry).toString('utf8'))], offsets: wantOffsets ? [carryOffset] : undefined, bytesDone: lastDone };
  }
}

/**
 * Whole lines as bytes: `data[start, end)` holds complete lines, each ending in '\n' except
 * possibly the batch's last (a line that crossed chunks, or the file's last line without a
 * newline). For readers that tokenize bytes themselves (the diff's side stream) and decode only
 * the lines they do not read. `data` is not reused by the producer.
 */
export interface ByteLineBatch {
  readonly data: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * `lineBatches` without decoding: the same lines in the same order, the same line-length
 * limit (a batch ends before the long line, then LineTooLongError), CRs left for the reader.
 * A line that crosses a chunk boundary is joined and handed out as a batch of its own.
 */
export async function* lineByteBatches(chunks: AsyncIterable<TextChunk>, skip: number, offsetOf: OffsetOf): AsyncGenerator<ByteLineBatch> {
  let carry: Buffer[] = [];
  let carryOffset = 0;
  let first = true;
  for await (const chunk of chunks) {
    const data = chunk.data;
    let p = first ? skip : 0;
    first = false;
    if (carry.length > 0) {
      const end = endCarriedLine(carry, data, p, carryOffset);
      if (end === undefined) continue;
      yield { data: end.line, start: 0, end: end.line.length };
      carry = [];
      p = end.next;
    }
    const last = data.lastIndexOf(NL);
    if (last >= p) {
      const limit = maxLineBytes();
      // A chunk no longer than the limit cannot hold a line over it: only a smaller limit (set
      // for tests) needs the lines measured.
      if (last + 1 - p > limit) {
        for (let j = p; j <= last;) {
          const nl = data.indexOf(NL, j);
          if (nl - j > limit) {
            if (j > p) yield { data, start: p, end: j };
            throw new LineTooLongError(limit, offsetOf(chunk.pos, j));
          }
          j = nl + 1;
        }
      }
      yield { data, start: p, end: last + 1 };
      p = last + 1;
    }
    if (p < data.length) {
      carry = [data.subarray(p)];
      carryOffset = offsetOf(chunk.pos, p);
    }
  }
  if (carry.length > 0) {
    checkCarry(carry.reduce((n, b) => n + b.length, 0), carryOffset);
    const line = Buffer.concat(carry);
    yield { data: line, start: 0, end: line.length };
  }
}

export interface LineStartBatch {
  /** Start offset of each non-empty line. */
  readonly offsets: number[];
  /**
   * Where the first field (text before the first tab; the whole line when it has none)
   * differs from the previous line's: index into `offsets` and the new value. A line
   * without a tab always starts a new entry.
   */
  readonly fieldChanges: { readonly at: number; readonly field: string }[];
  readonly bytesDone: number;
}

/**
 * A line that began in earlier chunks (`carry`) continues at data[p]: when `data` has a
 * newline at or after p, returns the whole line (without its newline) and the index after the
 * newline; else the rest of `data` joins `carry` and the result is undefined.
 */
function endCarriedLine(carry: Buffer[], data: Buffer, p: number, carryOffset = 0): { line: Buffer; next: number } | undefined {
  const nl = data.indexOf(NL, p);
  // Bytes so far, kept on the array (summing it per chunk would be quadratic); capped.
  const sized = carry as Buffer[] & { bytes?: number };
  sized.bytes ??= carry.reduce((n, b) => n + b.length, 0);
  sized.bytes += (nl < 0 ? data.length : nl) - p;
  checkCarry(sized.bytes, carryOffset);
  if (nl < 0) {
    carry.push(data.subarray(p));
    return undefined;
  }
  carry.push(data.subarray(p, nl));
  return { line: Buffer.concat(carry), next: nl + 1 };
}

/**
 * Like `lineBatches` with offsets, for indexing: the start of every non-empty line and
 * where the first column changes, found on the bytes (memchr for newlines, a byte compare
 * for the first column) without decoding lines to strings. The first field is compared as
 * bytes: the same as comparing the decoded strings for UTF-8 text.
 */
export async function* lineStartBatches(chunks: AsyncIterable<TextChunk>, skip: number, offsetOf: OffsetOf): AsyncGenerator<LineStartBatch> {
  let cur = Buffer.alloc(0); // bytes of the current first field ('' = none yet)
  let curText = '';
  let carry: Buffer[] = [];
  let carryOffset = 0;
  let first = true;
  let lastDone = 0;
  const wholeLine = (line: Buffer, at: number, offsets: number[], changes: { at: number; field: string }[]): void => {
    // A line crossing a chunk boundary (one per chunk at most): the string path.
    const text = stripCr(line.toString('utf8'));
    if (text.length === 0) return;
    if (!(curText !== '' && text.startsWith(curText) && text.charCodeAt(curText.length) === 9)) {
      const tab = text.indexOf('\t');
      curText = tab < 0 ? text : text.slice(0, tab);
      cur = Buffer.from(curText, 'utf8');
      changes.push({ at: offsets.length, field: curText });
    }
    offsets.push(at);
  };
  for await (const chunk of chunks) {
    const data = chunk.data;
    lastDone = chunk.bytesDone;
    let p = first ? skip : 0;
    first = false;
    const offsets: number[] = [];
    const changes: { at: number; field: string }[] = [];
    if (carry.length > 0) {
      const end = endCarriedLine(carry, data, p, carryOffset);
      if (end === undefined) continue;
      wholeLine(end.line, carryOffset, offsets, changes);
      carry = [];
      p = end.next;
    }
    const n = data.length;
    const limit = maxLineBytes();
    let j = p;
    while (j < n) {
      const nl = data.indexOf(NL, j);
      if (nl < 0) break;
      const len = nl - j;
      if (len > limit) {
        if (offsets.length > 0) yield { offsets, fieldChanges: changes, bytesDone: chunk.bytesDone };
        throw new LineTooLongError(limit, offsetOf(chunk.pos, j));
      }
      if (len > 0 && !(len === 1 && data[j] === 13)) {
        const cl = cur.length;
        let same = cl > 0 && cl < len && data[j + cl] === 9;
        for (let k = 0; same && k < cl; k++) if (data[j + k] !== cur[k]) same = false;
        if (!same) {
          let tab = data.indexOf(9, j);
          if (tab < 0 || tab > nl) tab = nl > j && data[nl - 1] === 13 ? nl - 1 : nl;
          curText = data.toString('utf8', j, tab);
          cur = Buffer.from(data.subarray(j, tab));
          changes.push({ at: offsets.length, field: curText });
        }
        offsets.push(offsetOf(chunk.pos, j));
      }
      j = nl + 1;
    }
    if (j < n) {
      carry = [data.subarray(j)];
      carryOffset = offsetOf(chunk.pos, j);
    }
    if (offsets.length > 0) yield { offsets, fieldChanges: changes, bytesDone: chunk.bytesDone };
  }
  if (carry.length > 0) {
    checkCarry(carry.reduce((n, b) => n + b.length, 0), carryOffset);
    const offsets: number[] = [];
    const changes: { at: number; field: string }[] = [];
    wholeLine(Buffer.concat(carry), carryOffset, offsets, changes);
    if (offsets.length > 0) yield { offsets, fieldChanges: changes, bytesDone: lastDone };
  }
}
