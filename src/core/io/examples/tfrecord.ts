/**
 * TFRecord files: the container of DeepVariant's examples and call_variants outputs.
 *
 * Framing (docs/deepvariant.md §4.1), per record:
 *   uint64 length (LE) | uint32 masked_crc32c(the 8 length bytes) | payload | uint32 masked_crc32c(payload)
 *
 * Compression follows the *file name*, as TensorFlow/nucleus decide it: a name ending in
 * `.gz` is one whole-file gzip stream (plain gzip, not BGZF); anything else is raw. So the
 * golden shards `x.tfrecord.gz-00000-of-00003` are uncompressed while
 * `x.tfrecord-00000-of-00064.gz` and `golden.calling_examples.tfrecord.gz` are gzip.
 *
 * Offsets: `TfRecord.offset` is the byte offset of the record's length field in the
 * *uncompressed* record stream — the file offset for raw files (usable with
 * `readTfRecordAt`), the offset after gunzip for `.gz` files.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { VariantLensError, isCancelled, throwIfAborted } from '../../errors';
import { maskedCrc32c } from './crc32c';

export interface TfRecord {
  /** 0-based index of the record in its file. */
  readonly index: number;
  /** Byte offset of the record header in the uncompressed stream (see file comment). */
  readonly offset: number;
  /** The payload (a serialized proto). Owned by the caller. */
  readonly payload: Uint8Array;
}

/** True when TensorFlow would read/write `path` as a whole-file gzip stream. */
export function isGzipTfRecordPath(path: string): boolean {
  return path.endsWith('.gz');
}

const HEADER = 12;
const FOOTER = 4;
/** Payloads above this are treated as corruption (a pileup is ~150 KB; 2 GiB is absurd). */
const MAX_PAYLOAD = 0x7fffffff;

/** Pulls exact byte counts out of an async chunk stream, copying only across chunk seams. */
class ChunkReader {
  private chunks: Uint8Array[] = [];
  private head = 0; // offset into chunks[0]
  private available = 0;
  private ended = false;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** Ensures `n` bytes are buffered; returns how many are (fewer only at end of stream). */
  async fill(n: number): Promise<number> {
    while (this.available < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) { this.ended = true; break; }
      if (r.value.length === 0) continue;
      this.chunks.push(r.value);
      this.available += r.value.length;
    }
    return Math.min(this.available, n);
  }

  /** Takes `n` buffered bytes (call `fill(n)` first). A view when it lies in one chunk. */
  take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const k = Math.min(n - filled, c.length - this.head);
      out.set(c.subarray(this.head, this.head + k), filled);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  private advance(n: number): void {
    this.available -= n;
    this.head += n;
    while (this.chunks.length > 0 && this.head >= this.chunks[0]!.length) {
      this.head -= this.chunks[0]!.length;
      this.chunks.shift();
    }
  }
}

function corrupt(path: string, index: number, offset: number, what: string, gz: boolean): VariantLensError {
  const where = gz ? `decompressed byte offset ${offset}` : `byte offset ${offset}`;
  return new VariantLensError('tfrecord-corrupt', `TFRecord record ${index} at ${where}: ${what}. The file is damaged or not a TFRecord file; regenerate or re-copy it.`, path);
}

function openError(e: unknown, path: string): VariantLensError {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ENOENT') return new VariantLensError('file-not-found', 'TFRecord file not found', path, { cause: e });
  if (e instanceof VariantLensError) return e;
  return new VariantLensError('tfrecord-corrupt', `cannot read TFRecord file: ${e instanceof Error ? e.message : String(e)}`, path, { cause: e });
}

function readLength(header: Uint8Array): number {
  const dv = new DataView(header.buffer, header.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  return hi * 4294967296 + lo;
}

function readU32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0, true);
}

/**
 * Streams the records of one TFRecord file, checking both CRCs of every record. Memory use
 * is one record plus the stream buffers; the whole file is never loaded.
 *
 * Throws VariantLensError: 'file-not-found'; 'tfrecord-corrupt' naming the file, record
 * index and byte offset on a CRC mismatch, a truncated record or a damaged gzip stream;
 * 'cancelled' when `signal` fires.
 */
export async function* readTfRecords(path: string, signal?: AbortSignal): AsyncIterable<TfRecord> {
  throwIfAborted(signal);
  const gz = isGzipTfRecordPath(path);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  let stream: Readable = file;
  if (gz) {
    const gunzip = createGunzip();
    file.on('error', (e) => gunzip.destroy(e));
    stream = file.pipe(gunzip);
  }
  const reader = new ChunkReader(stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>);
  let index = 0;
  let offset = 0;
  try {
    for (;;) {
      throwIfAborted(signal);
      let got: number;
      try {
        got = await reader.fill(HEADER);
      } catch (e) {
        throw streamError(e, path, index, offset, gz);
      }
      if (got === 0) return;
      if (got < HEADER) throw corrupt(path, index, offset, `file ends inside the record header (${got} of ${HEADER} bytes)`, gz);
      const header = reader.take(HEADER);
      const lengthCrc = maskedCrc32c(header.subarray(0, 8));
      if (lengthCrc !== readU32(header, 8)) throw corrupt(path, index, offset, 'length CRC mismatch', gz);
      const length = readLength(header);
      if (length > MAX_PAYLOAD) throw corrupt(path, index, offset, `implausible record length ${length}`, gz);
      let have: number;
      try {
        have = await reader.fill(length + FOOTER);
      } catch (e) {
        throw streamError(e, path, index, offset, gz);
      }
      if (have < length + FOOTER) throw corrupt(path, index, offset, `file ends inside the record (needs ${length + FOOTER} bytes after the header, ${have} left)`, gz);
      // Copy the payload out so callers may keep it after the stream buffers move on.
      const payload = reader.take(length).slice();
      const footer = reader.take(FOOTER);
      if (maskedCrc32c(payload) !== readU32(footer, 0)) throw corrupt(path, index, offset, 'payload CRC mismatch', gz);
      yield { index, offset, payload };
      index++;
      offset += HEADER + length + FOOTER;
    }
  } catch (e) {
    if (e instanceof VariantLensError) throw e;
    if (isCancelled(e)) throw new VariantLensError('cancelled', 'operation cancelled');
    throw openError(e, path);
  } finally {
    file.destroy();
    stream.destroy();
  }
}

function streamError(e: unknown, path: string, index: number, offset: number, gz: boolean): VariantLensError {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return openError(e, path);
  if (gz && typeof code === 'string' && code.startsWith('Z_')) {
    return corrupt(path, index, offset, `the gzip stream is damaged (${e instanceof Error ? e.message : String(e)})`, gz);
  }
  return openError(e, path);
}

/**
 * Reads one record of an *uncompressed* TFRecord file at a byte offset that
 * `readTfRecords` reported, checking both CRCs. Gzip files cannot be read at an offset
 * (gzip has no random access) and give an 'unsupported' error.
 */
export async function readTfRecordAt(path: string, offset: number, signal?: AbortSignal, index = -1): Promise<Uint8Array> {
  throwIfAborted(signal);
  if (isGzipTfRecordPath(path)) throw new VariantLensError('unsupported', 'random access needs an uncompressed TFRecord file (gzip streams can only be read from the start)', path);
  const rec = index >= 0 ? index : '?';
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw openError(e, path);
  }
  try {
    const header = new Uint8Array(HEADER);
    const h = await fh.read(header, 0, HEADER, offset);
    if (h.bytesRead < HEADER) throw corrupt(path, Number(rec), offset, 'file ends inside the record header', false);
    if (maskedCrc32c(header.subarray(0, 8)) !== readU32(header, 8)) throw corrupt(path, Number(rec), offset, 'length CRC mismatch (or the offset is not a record start)', false);
    const length = readLength(header);
    if (length > MAX_PAYLOAD) throw corrupt(path, Number(rec), offset, `implausible record length ${length}`, false);
    const body = new Uint8Array(length + FOOTER);
    const b = await fh.read(body, 0, body.length, offset + HEADER);
    if (b.bytesRead < body.length) throw corrupt(path, Number(rec), offset, 'file ends inside the record', false);
    const payload = body.subarray(0, length);
    if (maskedCrc32c(payload) !== readU32(body, length)) throw corrupt(path, Number(rec), offset, 'payload CRC mismatch', false);
    return payload;
  } catch (e) {
    throw openError(e, path);
  } finally {
    await fh.close();
  }
}

/** The 12-byte header of a record with `length` payload bytes. */
function recordHeader(length: number): Uint8Array {
  const h = new Uint8Array(HEADER);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, length % 4294967296, true);
  dv.setUint32(4, Math.floor(length / 4294967296), true);
  dv.setUint32(8, maskedCrc32c(h.subarray(0, 8)), true);
  return h;
}

function recordFooter(payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(FOOTER);
  new DataView(f.buffer).setUint32(0, maskedCrc32c(payload), true);
  return f;
}

/** One framed record (header + payload + footer) as bytes, exactly as TensorFlow writes it. */
export function frameTfRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length + FOOTER);
  out.set(recordHeader(payload.length), 0);
  out.set(payload, HEADER);
  out.set(recordFooter(payload), HEADER + payload.length);
  return out;
}

/**
 * Writes a TFRecord file with TensorFlow's framing; gzip (whole-file, one member) when the
 * name ends in `.gz`, like TensorFlow's `TFRecordOptions(compression_type='GZIP')` that
 * DeepVariant uses for `.gz` outputs. Call `close()` to flush; the file is incomplete
 * until then.
 */
export class TfRecordWriter {
  private count = 0;
  private failure: unknown;

  private constructor(
    readonly path: string,
    private readonly file: WriteStream,
    private readonly sink: WriteStream | Gzip,
  ) {
    file.on('error', (e) => { this.failure ??= e; });
    if (sink !== file) sink.on('error', (e: unknown) => { this.failure ??= e; });
  }

  /** Creates (truncates) `path`. Fails with 'file-not-found' if its folder does not exist. */
  static async open(path: string): Promise<TfRecordWriter> {
    const file = createWriteStream(path);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    }).catch((e: unknown) => {
      const code = (e as { code?: string } | null)?.code;
      throw new VariantLensError(code === 'ENOENT' ? 'file-not-found' : 'invalid-argument', `cannot create TFRecord file: ${e instanceof Error ? e.message : String(e)}`, path, { cause: e });
    });
    if (!isGzipTfRecordPath(path)) return new TfRecordWriter(path, file, file);
    const gzip = createGzip();
    gzip.pipe(file);
    return new TfRecordWriter(path, file, gzip);
  }

  /** Records written so far. */
  get written(): number {
    return this.count;
  }

  /** Appends one record. Waits when the OS buffers are full (backpressure). */
  async write(payload: Uint8Array): Promise<void> {
    this.check();
    const a = this.sink.write(recordHeader(payload.length));
    const b = this.sink.write(payload);
    const c = this.sink.write(recordFooter(payload));
    this.count++;
    if (!(a && b && c)) {
      await new Promise<void>((resolve, reject) => {
        const onErr = (e: unknown): void => { this.sink.off('drain', onDrain); reject(e); };
        const onDrain = (): void => { this.sink.off('error', onErr); resolve(); };
        this.sink.once('drain', onDrain);
        this.sink.once('error', onErr);
      }).catch((e: unknown) => { throw this.wrap(e); });
    }
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    this.check();
    await new Promise<void>((resolve, reject) => {
      this.file.once('close', () => resolve());
      this.file.once('error', reject);
      this.sink.end();
    }).catch((e: unknown) => { throw this.wrap(e); });
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.wrap(this.failure);
  }

  private wrap(e: unknown): VariantLensError {
    if (e instanceof VariantLensError) return e;
    return new VariantLensError('invalid-argument', `writing TFRecord file failed: ${e instanceof Error ? e.message : String(e)}`, this.path, { cause: e });
  }
}

/**
 * Expands nucleus/DeepVariant sharded-file syntax into file names (no file-system access):
 * `x.tfrecord@64.gz` → `x.tfrecord-00000-of-00064.gz` … `x.tfrecord-00063-of-00064.gz`, and
 * `x.tfrecord.gz@3` → `x.tfrecord.gz-00000-of-00003` … (the golden-shard style). The shard
 * width is 5 digits, as `sharded_file_utils` writes it. A comma-separated list expands each
 * element. Anything else is returned as is (one file).
 */
export function expandShardSpec(spec: string): string[] {
  return spec.split(',').filter((s) => s.length > 0).flatMap((one) => {
    const m = /^(.*)@(\d+)((?:\.[^@/]+)?)$/.exec(one);
    if (!m) return [one];
    const n = Number(m[2]);
    if (!Number.isInteger(n) || n <= 0) throw new VariantLensError('invalid-argument', `bad shard count in "${one}" (expected name@N with N ≥ 1)`);
    const total = String(n).padStart(5, '0');
    return Array.from({ length: n }, (_, i) => `${m[1]}-${String(i).padStart(5, '0')}-of-${total}${m[3]}`);
  });
}

/** If `path` names one shard (`…-00003-of-00064…`), its parts; otherwise undefined. */
export function parseShardName(path: string): { before: string; shard: number; count: number; after: string } | undefined {
  const m = /^(.*)-(\d{5,})-of-(\d{5,})([^/]*)$/.exec(path);
  if (!m) return undefined;
  return { before: m[1]!, shard: Number(m[2]), count: Number(m[3]), after: m[4]! };
}
