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
    if (carry.length > 0) {
      const nl = data.indexOf(NL, p);
      if (nl < 0) {
        carry.push(data.subarray(p));
        continue;
      }
      carry.push(data.subarray(p, nl));
      lines.push(stripCr(Buffer.concat(carry).toString('utf8')));
      offsets?.push(carryOffset);
      carry = [];
      p = nl + 1;
    }
    if (p < data.length) {
      const s = data.toString('utf8', p);
      if (s.length === data.length - p) {
        // ASCII: string index == byte index - p.
        let j = 0;
        while (true) {
          const i = s.indexOf('\n', j);
          if (i < 0) break;
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
    yield { lines: [stripCr(Buffer.concat(carry).toString('utf8'))], offsets: wantOffsets ? [carryOffset] : undefined, bytesDone: lastDone };
  }
}
