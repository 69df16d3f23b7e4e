/**
 * One raw-deflate zlib stream reused for every BGZF block (SAM spec §4.1: each block is an
 * independent deflate stream), for the reader's inflate and the writer's deflate. Node's own
 * `inflateRawSync` / `deflateRawSync` build a zlib stream (state, 32-KiB window, and for
 * deflate its hash tables), run it once and free it again, for every 64-KiB block; here one
 * stream is reset between blocks. A reset stream starts from the same state as a new one
 * with the same parameters, so the bytes are the same.
 *
 * It calls the stream's native handle the way node's own sync calls do (`reset`, then
 * `writeSync` with Z_FINISH into one output buffer, after which `_writeState` holds the output
 * and input bytes left). `create…` returns undefined when this node's zlib stream lacks that
 * handle, and a block that does not come out cleanly returns undefined: the callers then use
 * `inflateRawSync` / `deflateRawSync`, which give the same bytes or the same error as before.
 * Measured: 5-25 % less CPU per inflated block on a 5M-record `.vcf.gz` (docs/decisions/0014);
 * 0.59 s instead of 0.71 s to deflate a 112 MB intermediate VCF at level 1 (decision 0013).
 */
import { constants as zlibConstants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';

/** BGZF blocks hold at most 64 KiB, compressed or not. */
const MAX_BLOCK = 65536;

/** The native zlib handle behind a node:zlib stream (the part used here). */
interface NativeZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
}

/** A zlib stream's handle and write state, or undefined when this node lacks them (the stream is then closed). */
function handleOf(stream: InflateRaw | DeflateRaw): { handle: NativeZlibHandle; state: Uint32Array } | undefined {
  const inner = stream as unknown as { _handle?: NativeZlibHandle; _writeState?: unknown };
  const handle = inner._handle;
  const state = inner._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array) || state.length < 2) {
    stream.close();
    return undefined;
  }
  return { handle, state };
}

/** One reset-and-finish pass of a reused zlib stream; set `dead` once anything went wrong. */
abstract class ReusedZlib {
  /** Set when zlib reported an error (the stream's 'error' event, a tick later) or a block failed: the caller falls back for good. */
  protected dead = false;

  protected constructor(protected readonly stream: InflateRaw | DeflateRaw, private readonly handle: NativeZlibHandle, private readonly state: Uint32Array) {
    // zlib's error also arrives as an 'error' event: expected, handled by the fallback.
    stream.on('error', () => { this.dead = true; });
  }

  /**
   * Resets the stream and runs `input[start, end)` through it into `out` with Z_FINISH.
   * Returns the output bytes left in `out` when all input was used and no error occurred,
   * else -1.
   */
  protected pass(input: Uint8Array, start: number, end: number, out: Uint8Array): number {
    this.handle.reset();
    this.handle.writeSync(zlibConstants.Z_FINISH, input, start, end - start, out, 0, out.length);
    // _writeState after the call: [output bytes left, input bytes left].
    if (this.dead || this.stream.destroyed || this.state[1] !== 0) return -1;
    return this.state[0]!;
  }

  /** Frees zlib's memory now rather than at garbage collection. */
  close(): void {
    this.dead = true;
    if (!this.stream.destroyed) this.stream.close();
  }
}

/** Inflates one BGZF block at a time (the reader, bgzfReader.ts). */
export class BlockInflater extends ReusedZlib {
  static create(): BlockInflater | undefined {
    const stream = createInflateRaw();
    const h = handleOf(stream);
    return h ? new BlockInflater(stream, h.handle, h.state) : undefined;
  }

  /**
   * The `isize` bytes that `buf[start .. end)` inflates to, or undefined: the stream did not
   * end cleanly (all input used, exactly ISIZE bytes out, no zlib error), after which this
   * inflater is unusable and the caller inflates with `inflateRawSync`.
   */
  inflate(buf: Uint8Array, start: number, end: number, isize: number): Buffer | undefined {
    // A BGZF block holds at most 64 KiB; a larger ISIZE is corruption, left to the fallback's error.
    if (this.dead || this.stream.destroyed || isize > MAX_BLOCK) return undefined;
    // ISIZE + 1 bytes of room: exactly one byte left over shows the stream ended at ISIZE.
    const out = Buffer.allocUnsafe(isize + 1);
    if (this.pass(buf, start, end, out) !== 1) {
      this.close();
      return undefined;
    }
    return out.subarray(0, isize);
  }
}

/** Deflates one BGZF block at a time (the writer, bgzfWriter.ts), into one reused output buffer. */
export class BlockDeflater extends ReusedZlib {
  /** Output room: deflate's worst case for a 64 KiB block (stored blocks) plus slack. */
  private readonly out = Buffer.allocUnsafe(MAX_BLOCK + 1024);

  static create(level: number): BlockDeflater | undefined {
    const stream = createDeflateRaw({ level });
    const h = handleOf(stream);
    return h ? new BlockDeflater(stream, h.handle, h.state) : undefined;
  }

  /** The raw deflate of `data` (valid until the next call), or undefined when it did not finish in one call (the caller falls back). */
  deflate(data: Uint8Array): Buffer | undefined {
    if (this.dead) return undefined;
    const out = this.out;
    const left = this.pass(data, 0, data.length, out);
    if (left <= 0) return undefined;
    return out.subarray(0, out.length - left);
  }
}
