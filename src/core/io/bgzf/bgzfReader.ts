/**
 * BGZF (SAM spec §4.1) block reading: a streaming pass over every block of a file and
 * random access to one block by its compressed offset. Blocks are inflated one at a time
 * with node:zlib's `inflateRawSync`, which is what makes `.vcf.gz` streaming fast (no
 * stream plumbing per record) and lets us hand out BGZF *virtual offsets*
 * (`coffset * 65536 + uoffset`, SAM spec §4.1.1) for a compact row index.
 *
 * Virtual offsets are kept as plain JS numbers: `coffset * 2^16 + uoffset` stays exact
 * below 2^53, i.e. for compressed files up to 2^37 bytes (128 GiB).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { VariantLensError, throwIfAborted } from '../../errors';
import { checkBgzfTrailer, type CheckedBlocks } from './bgzfIntegrity';
import { BlockInflater } from './zlibBlocks';

/** The 28-byte empty block every BGZF file ends with (SAM spec §4.1.2). */
export const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

/** Bytes of a BGZF block header up to and including BSIZE. */
const HEADER_LEN = 18;
/** CRC32 + ISIZE trailer. */
const TRAILER_LEN = 8;
/** BGZF blocks are at most 64 KiB compressed (BSIZE is a uint16 of size - 1). */
export const MAX_BLOCK_SIZE = 65536;

export interface BgzfBlock {
  /** Compressed offset of the block in the file. */
  readonly coffset: number;
  /** Compressed size of the whole block (header + deflate data + trailer). */
  readonly csize: number;
  /** Uncompressed contents. */
  readonly data: Buffer;
}

export function virtualOffset(coffset: number, uoffset: number): number {
  return coffset * 65536 + uoffset;
}

export function splitVirtualOffset(v: number): { coffset: number; uoffset: number } {
  const coffset = Math.floor(v / 65536);
  return { coffset, uoffset: v - coffset * 65536 };
}

/** True when `head` starts like a BGZF block (gzip with the 'BC' extra subfield). */
export function looksLikeBgzf(head: Uint8Array): boolean {
  return head.length >= HEADER_LEN && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8 && (head[3]! & 4) !== 0 &&
    head[10] === 6 && head[11] === 0 && head[12] === 0x42 && head[13] === 0x43 && head[14] === 2 && head[15] === 0;
}

export function looksLikeGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Parses and inflates the block starting at `buf[at]`. Returns undefined when `buf` does not
 * hold the whole block (the caller reads more, or reports truncation at end of file).
 */
export function inflateBlockAt(buf: Buffer, at: number, coffset: number, file: string, checked?: CheckedBlocks, inflater?: BlockInflater): BgzfBlock | undefined {
  if (buf.length - at < HEADER_LEN) return undefined;
  if (!looksLikeBgzf(buf.subarray(at, at + HEADER_LEN))) {
    throw new VariantLensError('truncated-bgzf', `no BGZF block header at byte ${coffset}; the file is corrupt or truncated (re-create it with bgzip)`, file);
  }
  const csize = buf.readUInt16LE(at + 16) + 1;
  if (buf.length - at < csize) return undefined;
  const isize = buf.readUInt32LE(at + csize - 4);
  let data: Buffer;
  try {
    // chunkSize = ISIZE + 1: zlib writes the block into one buffer of its final size instead
    // of 16-KiB pieces joined afterwards (2-3x faster per block). The + 1 matters: when the
    // output fills the buffer exactly, node's sync inflate allocates a second buffer of
    // chunkSize and calls inflate again to see the end of the stream.
    data = isize === 0
      ? Buffer.alloc(0)
      : inflater?.inflate(buf, at + HEADER_LEN, at + csize - TRAILER_LEN, isize) ?? inflateRawSync(buf.subarray(at + HEADER_LEN, at + csize - TRAILER_LEN), { chunkSize: Math.max(64, isize + 1) });
  } catch (e) {
    throw new VariantLensError('truncated-bgzf', `the BGZF block at byte ${coffset} does not inflate (${e instanceof Error ? e.message : String(e)}); the file is corrupt`, file, { cause: e });
  }
  checkBgzfTrailer(buf, at, csize, data, coffset, file, 'truncated-bgzf', checked);
  return { coffset, csize, data };
}

/** Reads the last 28 bytes and reports whether they are the BGZF EOF marker. */
export async function hasBgzfEof(fh: FileHandle, size: number): Promise<boolean> {
  if (size < BGZF_EOF.length) return false;
  const tail = Buffer.alloc(BGZF_EOF.length);
  await fh.read(tail, 0, tail.length, size - tail.length);
  return tail.equals(BGZF_EOF);
}

/**
 * Every block from `startCoffset` to the end of the file, in order. Reads the file in
 * large slices so a multi-gigabyte file costs a few thousand reads. A block cut short by
 * the end of the file is reported as `truncated-bgzf`. With `checked` (kept by the caller
 * across passes over the same file), blocks whose CRC32 an earlier pass checked are not
 * checked again while the file is unchanged (see CheckedBlocks).
 */
export async function* bgzfBlocks(file: string, signal?: AbortSignal, startCoffset = 0, readSize = 4 << 20, checked?: CheckedBlocks): AsyncGenerator<BgzfBlock> {
  const fh = await openForRead(file);
  const inflater = BlockInflater.create();
  try {
    const st = await fh.stat();
    checked?.sameFile(st);
    const size = st.size;
    let pos = startCoffset;
    // One read buffer for the whole pass: the unparsed tail of a read (a block cut by the
    // read boundary) moves to its front and the next read appends after it. A fresh buffer
    // (plus a concatenated copy) per read made a whole-file pass allocate about twice the
    // compressed size, which stayed resident until the GC got round to it. Safe to reuse:
    // every block handed out owns its inflated `data`; none refers to this buffer.
    let buf = Buffer.allocUnsafe(Math.min(readSize, Math.max(0, size - pos)) + MAX_BLOCK_SIZE);
    let have = 0;
    let bufPos = pos;
    while (true) {
      throwIfAborted(signal);
      const want = Math.min(readSize, size - (bufPos + have));
      if (want > 0) {
        if (have + want > buf.length) {
          const bigger = Buffer.allocUnsafe(have + want);
          buf.copy(bigger, 0, 0, have);
          buf = bigger;
        }
        const { bytesRead } = await fh.read(buf, have, want, bufPos + have);
        have += bytesRead;
      }
      const view = buf.subarray(0, have);
      let at = pos - bufPos;
      while (true) {
        const block = inflateBlockAt(view, at, pos, file, checked, inflater);
        if (!block) break;
        at += block.csize;
        pos += block.csize;
        yield block;
      }
      if (pos >= size) return;
      if (want <= 0) {
        throw new VariantLensError('truncated-bgzf', `the file ends in the middle of a BGZF block (at byte ${pos} of ${size}); it is truncated`, file);
      }
      buf.copy(buf, 0, at, have);
      have -= at;
      bufPos = pos;
    }
  } finally {
    inflater?.close();
    await fh.close();
  }
}

/** Random access to BGZF blocks with a small LRU cache (paging through a table re-reads neighbours). */
export class BgzfRandomReader {
  private fh: Promise<FileHandle> | undefined;
  private readonly cache = new Map<number, BgzfBlock>();

  constructor(readonly file: string, private readonly cacheBlocks = 64) {}

  async readBlock(coffset: number, signal?: AbortSignal): Promise<BgzfBlock> {
    const hit = this.cache.get(coffset);
    if (hit) {
      this.cache.delete(coffset);
      this.cache.set(coffset, hit);
      return hit;
    }
    throwIfAborted(signal);
    this.fh ??= openForRead(this.file);
    const fh = await this.fh;
    const buf = Buffer.allocUnsafe(MAX_BLOCK_SIZE);
    const { bytesRead } = await fh.read(buf, 0, MAX_BLOCK_SIZE, coffset);
    const block = inflateBlockAt(buf.subarray(0, bytesRead), 0, coffset, this.file);
    if (!block) throw new VariantLensError('truncated-bgzf', `the file ends in the middle of the BGZF block at byte ${coffset}; it is truncated`, this.file);
    this.cache.set(coffset, block);
    if (this.cache.size > this.cacheBlocks) this.cache.delete(this.cache.keys().next().value!);
    return block;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.cache.clear();
    if (fh) await (await fh).close();
  }
}

/** Opens a file for reading, turning ENOENT and friends into a `file-not-found` error. */
export async function openForRead(file: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw fileError(e, file);
  }
  // open(2) succeeds on a directory; reading it then fails with a bare EISDIR.
  const st = await fh.stat();
  if (st.isDirectory()) {
    await fh.close();
    throw new VariantLensError('invalid-argument', 'is a directory, not a file', file);
  }
  // A pipe (`<(…)`, /dev/stdin) or a device cannot be read at an offset (ESPIPE): these
  // readers seek (header, BGZF end-of-file block, index, a second pass), so say so by name.
  if (!st.isFile()) {
    await fh.close();
    throw new VariantLensError('invalid-argument', 'is a pipe or device, not a regular file; VCF, BAM/CRAM and FASTA files are read at offsets (header, end-of-file check, index), so save the stream to a file first', file);
  }
  return fh;
}

export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    throw fileError(e, file);
  }
}

function fileError(e: unknown, file: string): VariantLensError {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new VariantLensError('file-not-found', 'no such file', file, { cause: e });
  if (code === 'EISDIR') return new VariantLensError('invalid-argument', 'is a directory, not a file', file, { cause: e });
  return new VariantLensError('file-not-found', `cannot open: ${e instanceof Error ? e.message : String(e)}`, file, { cause: e });
}
