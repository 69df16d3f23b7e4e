/**
 * A small protobuf wire-format reader and writer — just what tf.Example and the nucleus
 * protos need (docs/deepvariant.md §4.2–4.3), with no schema compiler and no dependency.
 *
 * Numbers: JS numbers hold integers exactly up to 2^53. Varints are decoded in two 32-bit
 * halves, so 64-bit values (int64 `start`/`end`, negative int32s written as 10-byte varints
 * by protobuf, e.g. genotype −1) decode exactly; `readVarint64` gives a bigint when a value
 * may exceed 2^53. Errors are VariantLensError('protobuf-corrupt') without a file: callers
 * know the file and record and re-throw with them (see tfExample.ts).
 */
import { VariantLensError } from '../../errors';

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const TWO_32 = 4294967296;
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();

function corrupt(what: string, pos: number): VariantLensError {
  return new VariantLensError('protobuf-corrupt', `malformed protobuf: ${what} at byte ${pos}`);
}

/** Reads one message (or a sub-message view). Positions are offsets into `buf`. */
export class ProtoReader {
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Next field tag; check `done` first. */
  tag(): { field: number; wire: WireType } {
    const t = this.uint32();
    const field = t >>> 3;
    if (field === 0) throw corrupt('field number 0', this.pos);
    return { field, wire: (t & 7) as WireType };
  }

  /** Varint as [low32, high32] (both unsigned). */
  private varintParts(): [number, number] {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let b: number;
    // Bytes 0–3 fill bits 0–27 of lo; byte 4 straddles lo (bits 28–31) and hi (bits 0–2).
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) throw corrupt('truncated varint', this.pos);
      b = this.buf[this.pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return [lo >>> 0, 0];
      shift += 7;
    }
    if (this.pos >= this.end) throw corrupt('truncated varint', this.pos);
    b = this.buf[this.pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) return [lo >>> 0, hi >>> 0];
    shift = 3;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw corrupt('truncated varint', this.pos);
      b = this.buf[this.pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
      shift += 7;
    }
    throw corrupt('varint longer than 10 bytes', this.pos);
  }

  /** uint32 / enum / tag (a longer varint is truncated to its low 32 bits, as protobuf does). */
  uint32(): number {
    return this.varintParts()[0];
  }

  /** int32: negative values arrive as 10-byte varints; the low 32 bits are two's complement. */
  int32(): number {
    return this.varintParts()[0] | 0;
  }

  /** int64 as a JS number (exact within ±2^53). */
  int64(): number {
    const [lo, hi] = this.varintParts();
    if (hi & 0x80000000) {
      // Negative: two's complement over 64 bits.
      return -((~hi >>> 0) * TWO_32 + ((~lo >>> 0) + 1));
    }
    return hi * TWO_32 + lo;
  }

  /** uint64 as a JS number (exact below 2^53). */
  uint64(): number {
    const [lo, hi] = this.varintParts();
    return hi * TWO_32 + lo;
  }

  /** Full-precision unsigned 64-bit varint. */
  varint64(): bigint {
    const [lo, hi] = this.varintParts();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  bool(): boolean {
    const [lo, hi] = this.varintParts();
    return lo !== 0 || hi !== 0;
  }

  fixed32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Length-delimited bytes as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const len = this.uint32();
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8Decoder.decode(this.bytes());
  }

  /** A reader over the next length-delimited field (an embedded message). */
  message(): ProtoReader {
    const len = this.uint32();
    this.need(len);
    const r = new ProtoReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  /**
   * Repeated scalar field that may be packed (LengthDelimited) or not: appends to `out`.
   * `readOne` reads one element from a reader (e.g. `(r) => r.int32()`).
   */
  repeated<T>(wire: WireType, out: T[], readOne: (r: ProtoReader) => T): void {
    if (wire === WireType.LengthDelimited) {
      const sub = this.message();
      while (!sub.done) out.push(readOne(sub));
    } else {
      out.push(readOne(this));
    }
  }

  /** Skips a field of the given wire type (unknown fields). */
  skip(wire: WireType): void {
    switch (wire) {
      case WireType.Varint:
        this.varintParts();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LengthDelimited: {
        const len = this.uint32();
        this.need(len);
        this.pos += len;
        return;
      }
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      case WireType.StartGroup: {
        for (;;) {
          if (this.done) throw corrupt('unterminated group', this.pos);
          const t = this.tag();
          if (t.wire === WireType.EndGroup) return;
          this.skip(t.wire);
        }
      }
      default:
        throw corrupt(`unexpected wire type ${wire}`, this.pos);
    }
  }

  /** Throws if `wire` is not what the schema says for this field. */
  expect(wire: WireType, want: WireType, field: string): void {
    if (wire !== want) throw corrupt(`field ${field} has wire type ${wire}, expected ${want}`, this.pos);
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw corrupt(`length ${n} runs past the end (${this.end})`, this.pos);
  }
}

/**
 * Builds one message. Nested messages are written into their own writer and then added
 * with `message(field, writer)`, which costs one copy but keeps the code obvious; examples
 * are written a few hundred per second, so this is not a hot path.
 */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private view = new DataView(this.buf.buffer);

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned varint from two 32-bit halves. */
  private varintParts(lo: number, hi: number): void {
    lo >>>= 0;
    hi >>>= 0;
    while (hi !== 0 || lo > 0x7f) {
      this.byte((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.byte(lo);
  }

  tag(field: number, wire: WireType): this {
    this.varintParts(((field << 3) | wire) >>> 0, 0);
    return this;
  }

  /** Raw unsigned varint (value < 2^53). */
  uint64(v: number): this {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`uint64 varint needs a non-negative integer, got ${v}`);
    this.varintParts(v % TWO_32, Math.floor(v / TWO_32));
    return this;
  }

  uint32(v: number): this {
    this.varintParts(v >>> 0, 0);
    return this;
  }

  /** int32: a negative value is sign-extended to 64 bits, i.e. a 10-byte varint (protobuf rule). */
  int32(v: number): this {
    const x = v | 0;
    this.varintParts(x >>> 0, x < 0 ? 0xffffffff : 0);
    return this;
  }

  /** int64 from a JS integer (exact within ±2^53); negatives as two's complement. */
  int64(v: number): this {
    if (!Number.isInteger(v)) throw new RangeError(`int64 needs an integer, got ${v}`);
    if (v >= 0) return this.uint64(v);
    return this.varint64(BigInt(v));
  }

  varint64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    this.varintParts(Number(u & 0xffffffffn), Number(u >> 32n));
    return this;
  }

  bool(v: boolean): this {
    this.byte(v ? 1 : 0);
    return this;
  }

  fixed32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.len, v >>> 0, true);
    this.len += 4;
    return this;
  }

  float(v: number): this {
    this.reserve(4);
    this.view.setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  fixed64(v: bigint): this {
    this.reserve(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, v), true);
    this.len += 8;
    return this;
  }

  double(v: number): this {
    this.reserve(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
    return this;
  }

  /** Length prefix + raw bytes (no tag). */
  rawBytes(b: Uint8Array): this {
    this.uint32(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  // ---- field helpers: tag + value ----

  bytesField(field: number, b: Uint8Array): this {
    return this.tag(field, WireType.LengthDelimited).rawBytes(b);
  }

  stringField(field: number, s: string): this {
    return this.bytesField(field, utf8Encoder.encode(s));
  }

  message(field: number, w: ProtoWriter): this {
    return this.bytesField(field, w.finish());
  }

  int64Field(field: number, v: number): this {
    return this.tag(field, WireType.Varint).int64(v);
  }

  int32Field(field: number, v: number): this {
    return this.tag(field, WireType.Varint).int32(v);
  }

  boolField(field: number, v: boolean): this {
    return this.tag(field, WireType.Varint).bool(v);
  }

  doubleField(field: number, v: number): this {
    return this.tag(field, WireType.Fixed64).double(v);
  }

  /** Packed repeated field: one tag, one length, the elements back to back (proto3 default). */
  packed<T>(field: number, values: readonly T[], writeOne: (w: ProtoWriter, v: T) => void): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) writeOne(inner, v);
    return this.message(field, inner);
  }

  /** The bytes written so far (a copy sized exactly). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
