/**
 * BGZF writer (SAM spec §4.1): a gzip stream cut into independent members of at most
 * 64 KiB, each carrying its compressed size in a "BC" extra field, followed by the fixed
 * 28-byte EOF member. Readers seek with *virtual offsets*: (compressed offset of a block's
 * first byte) · 2^16 + (offset inside that block's uncompressed data).
 *
 * Output is deterministic byte-for-byte: the gzip header has MTIME 0, and every block is
 * compressed by node:zlib's deflateRaw with fixed parameters, so the same input always
 * gives the same file (on the same zlib build).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { VariantLensError, wrapError } from '../../errors';
import { BlockDeflater } from './zlibBlocks';

/**
 * Uncompressed bytes per block. htslib uses 0xff00 (not 0x10000) so that even
 * incompressible data still fits the 64 KiB member limit after deflate's stored-block
 * overhead plus the 26 header/footer bytes.
 */
export const BGZF_BLOCK_DATA_SIZE = 0xff00;
const BGZF_MAX_BLOCK_SIZE = 0x10000;

/** The empty BGZF member every BGZF file ends with (SAM spec §4.1.2). */
export const BGZF_EOF = Uint8Array.from([
  0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00, 0x1b, 0x00, 0x03, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

/** Virtual offset as a plain number: exact up to 2^53, i.e. files up to 2^37 bytes (128 GiB) compressed. */
export function makeVirtualOffset(blockAddress: number, withinBlock: number): number {
  return blockAddress * 0x10000 + withinBlock;
}

/** Where a BGZF block starts, for the .gzi index of a bgzipped FASTA (both 0-based byte offsets). */
export interface BgzfBlockStart {
  readonly compressedOffset: number;
  readonly uncompressedOffset: number;
}

export interface BgzfWriterOptions {
  /** Receives each finished member in order. Without a sink the writer keeps them for `toBuffer()`. */
  readonly sink?: (bytes: Uint8Array) => void;
  /** zlib level 0–9; 6 (zlib's default) balances size and speed like bgzip's default. */
  readonly level?: number;
}

export class BgzfWriter {
  private readonly sink: ((bytes: Uint8Array) => void) | undefined;
  private readonly kept: Uint8Array[] = [];
  private readonly level: number;
  private buffer = Buffer.allocUnsafe(BGZF_BLOCK_DATA_SIZE);
  private used = 0;
  private compressedOffset = 0;
  private uncompressedOffset = 0;
  private readonly starts: BgzfBlockStart[] = [];
  private finished = false;
  /** One deflate stream for every block (reset between blocks), when node's zlib allows it. */
  private readonly deflater: BlockDeflater | undefined;

  constructor(options: BgzfWriterOptions = {}) {
    this.sink = options.sink;
    this.level = options.level ?? 6;
    this.deflater = BlockDeflater.create(this.level);
  }

  /** Virtual offset of the next byte to be written. */
  get virtualOffset(): number {
    if (this.used === BGZF_BLOCK_DATA_SIZE) this.flushBlock();
    return makeVirtualOffset(this.compressedOffset, this.used);
  }

  /** Uncompressed bytes written so far. */
  get uncompressedLength(): number {
    return this.uncompressedOffset + this.used;
  }

  /** Start offsets of every data block written so far (for .gzi). */
  get blockStarts(): readonly BgzfBlockStart[] {
    return this.starts;
  }

  write(data: Uint8Array | string): void {
    if (this.finished) throw new Error('BgzfWriter: write after end()');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let pos = 0;
    while (pos < bytes.length) {
      if (this.used === BGZF_BLOCK_DATA_SIZE) this.flushBlock();
      const n = Math.min(bytes.length - pos, BGZF_BLOCK_DATA_SIZE - this.used);
      this.buffer.set(bytes.subarray(pos, pos + n), this.used);
      this.used += n;
      pos += n;
    }
  }

  /**
   * Closes the current block so the next byte starts a new one. BAM writers call this
   * after the header (htslib does too), so the first read's virtual offset has a 0
   * within-block part.
   */
  flush(): void {
    if (this.used > 0) this.flushBlock();
  }

  /** Flushes, appends the EOF member, and returns the whole file when no sink was given. */
  end(): Buffer {
    this.flush();
    this.deflater?.close();
    this.emit(BGZF_EOF);
    this.finished = true;
    return this.sink ? Buffer.alloc(0) : Buffer.concat(this.kept);
  }

  private flushBlock(): void {
    const data = this.buffer.subarray(0, this.used);
    this.starts.push({ compressedOffset: this.compressedOffset, uncompressedOffset: this.uncompressedOffset });
    const block = compressBlock(data, this.level, this.deflater);
    this.emit(block);
    this.uncompressedOffset += this.used;
    // The buffer is reused: compressBlock keeps no reference to `data`.
    this.used = 0;
  }

  private emit(bytes: Uint8Array): void {
    this.compressedOffset += bytes.length;
    if (this.sink) this.sink(bytes);
    else this.kept.push(bytes);
  }
}

/** One BGZF member holding `data` (≤ BGZF_BLOCK_DATA_SIZE bytes). */
export function compressBlock(data: Uint8Array, level = 6, deflater?: BlockDeflater): Buffer {
  let cdata: Uint8Array = (deflater?.deflate(data)) ?? deflateRawSync(data, { level });
  // Incompressible data can grow past the member limit: store it instead (level 0).
  if (cdata.length + 26 > BGZF_MAX_BLOCK_SIZE) cdata = deflateRawSync(data, { level: 0 });
  const total = cdata.length + 26;
  // Every byte is written below (header, data, trailer).
  const block = Buffer.allocUnsafe(total);
  // gzip header: ID1 ID2 CM=8 FLG=FEXTRA, MTIME=0, XFL=0, OS=255 (unknown), XLEN=6.
  block.set([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 6, 0], 0);
  // Extra subfield "BC", SLEN 2, BSIZE = total member size - 1.
  block.set([0x42, 0x43, 2, 0], 12);
  block.writeUInt16LE(total - 1, 16);
  block.set(cdata, 18);
  block.writeUInt32LE(crc32(data) >>> 0, total - 8);
  block.writeUInt32LE(data.length, total - 4);
  return block;
}

/** BGZF-compresses a whole buffer in one call (e.g. for a .tbi index, which is itself BGZF). */
export function bgzfCompress(data: Uint8Array, level = 6): Buffer {
  const w = new BgzfWriter({ level });
  w.write(data);
  return w.end();
}

/**
 * A BGZF writer streaming into a file. The file is written synchronously block by block
 * (each call writes ≤ 64 KiB), which keeps the output order trivially deterministic.
 */
export class BgzfFileWriter {
  readonly bgzf: BgzfWriter;
  private fd: number | undefined;

  constructor(readonly path: string, level = 6) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw wrapError(e, 'invalid-argument', path, 'cannot create file');
    }
    this.bgzf = new BgzfWriter({
      level,
      sink: (bytes) => {
        if (this.fd === undefined) throw new VariantLensError('invalid-argument', 'write after close', path);
        writeSync(this.fd, bytes);
      },
    });
  }

  get virtualOffset(): number {
    return this.bgzf.virtualOffset;
  }

  write(data: Uint8Array | string): void {
    this.bgzf.write(data);
  }

  flush(): void {
    this.bgzf.flush();
  }

  /** Writes the EOF member and closes the file. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.bgzf.end();
    } finally {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Closes the file without the EOF marker (after a failure; the partial file is not valid). */
  abandon(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
