/**
 * The UCSC binning index shared by BAI (SAM spec §5.2) and tabix (.tbi): per reference a
 * map bin → chunks of virtual offsets, a linear index of 16 kb windows, and htslib's
 * pseudo-bin 37450 holding the reference's offset range and mapped/unmapped counts.
 *
 * Coordinates given to the builder are 0-based half-open, like AlignedRead.
 */

/** Linear-index window: 2^14 = 16 kb (SAM spec §5.1.3). */
const LINEAR_SHIFT = 14;
/** htslib's pseudo-bin for per-reference metadata: one past the largest real bin (37449). */
export const PSEUDO_BIN = 37450;

/** Smallest bin holding [beg, end) (0-based half-open), per SAM spec §5.3. */
export function reg2bin(beg: number, end: number): number {
  const e = end - 1;
  if (beg >> 14 === e >> 14) return ((1 << 15) - 1) / 7 + (beg >> 14);
  if (beg >> 17 === e >> 17) return ((1 << 12) - 1) / 7 + (beg >> 17);
  if (beg >> 20 === e >> 20) return ((1 << 9) - 1) / 7 + (beg >> 20);
  if (beg >> 23 === e >> 23) return ((1 << 6) - 1) / 7 + (beg >> 23);
  if (beg >> 26 === e >> 26) return ((1 << 3) - 1) / 7 + (beg >> 26);
  return 0;
}

interface RefIndex {
  readonly bins: Map<number, number[]>; // bin -> flat [beg0, end0, beg1, end1, ...] virtual offsets
  readonly linear: (number | undefined)[];
  firstOffset: number;
  lastOffset: number;
  mapped: number;
  unmapped: number;
}

/**
 * Accumulates index entries while records are written in coordinate order. Each record
 * gives its reference index, its 0-based half-open span and the virtual offsets of its
 * first byte and of the byte after it.
 */
export class BinningIndexBuilder {
  private readonly refs: (RefIndex | undefined)[];
  private noCoordinate = 0;

  /** `referenceCount` references at least; `add` with a larger id grows the index (tabix learns contigs as it goes). */
  constructor(referenceCount = 0) {
    this.refs = new Array<RefIndex | undefined>(referenceCount).fill(undefined);
  }

  get referenceCount(): number {
    return this.refs.length;
  }

  add(refId: number, beg: number, end: number, vStart: number, vEnd: number, mapped = true): void {
    let ref = this.refs[refId];
    if (!ref) {
      ref = { bins: new Map(), linear: [], firstOffset: vStart, lastOffset: vEnd, mapped: 0, unmapped: 0 };
      this.refs[refId] = ref;
    }
    const stop = Math.max(end, beg + 1);
    const bin = reg2bin(beg, stop);
    let chunks = ref.bins.get(bin);
    if (!chunks) {
      chunks = [];
      ref.bins.set(bin, chunks);
    }
    // Records of one bin that follow each other in the file share a chunk.
    if (chunks.length > 0 && chunks[chunks.length - 1] === vStart) chunks[chunks.length - 1] = vEnd;
    else chunks.push(vStart, vEnd);
    for (let w = beg >> LINEAR_SHIFT; w <= (stop - 1) >> LINEAR_SHIFT; w++) {
      if (ref.linear[w] === undefined) ref.linear[w] = vStart;
    }
    ref.lastOffset = vEnd;
    if (mapped) ref.mapped++;
    else ref.unmapped++;
  }

  /** A record without coordinates (BAM refID -1): only counted. */
  addUnplaced(): void {
    this.noCoordinate++;
  }

  /** Serializes the per-reference part shared by BAI and TBI (starting at n_ref). */
  serializeReferences(): Buffer {
    const parts: Buffer[] = [];
    const head = Buffer.alloc(4);
    head.writeInt32LE(this.referenceCount, 0);
    parts.push(head);
    for (const ref of this.refs) parts.push(serializeRef(ref));
    const tail = Buffer.alloc(8);
    writeU64(tail, 0, this.noCoordinate);
    parts.push(tail);
    return Buffer.concat(parts);
  }

  /** A complete .bai file. */
  toBai(): Buffer {
    return Buffer.concat([Buffer.from('BAI\x01', 'latin1'), this.serializeReferences()]);
  }
}

function serializeRef(ref: RefIndex | undefined): Buffer {
  if (!ref) return Buffer.alloc(8); // n_bin = 0, n_intv = 0
  const binIds = [...ref.bins.keys()].sort((a, b) => a - b);
  let size = 4;
  for (const b of binIds) size += 8 + ref.bins.get(b)!.length * 8;
  size += 8 + 16 * 2; // pseudo-bin: id, n_chunk=2, two "chunks"
  // Empty windows take the offset of the next non-empty one: any read overlapping a later
  // window starts at or after that offset, so a query starting in the gap misses nothing.
  const linear = ref.linear.slice();
  let next = ref.lastOffset;
  for (let w = linear.length - 1; w >= 0; w--) {
    const v = linear[w];
    if (v === undefined) linear[w] = next;
    else next = v;
  }
  size += 4 + linear.length * 8;
  const buf = Buffer.alloc(size);
  let p = 0;
  buf.writeInt32LE(binIds.length + 1, p); p += 4;
  for (const b of binIds) {
    const chunks = ref.bins.get(b)!;
    buf.writeUInt32LE(b, p); p += 4;
    buf.writeInt32LE(chunks.length / 2, p); p += 4;
    for (const v of chunks) { writeU64(buf, p, v); p += 8; }
  }
  buf.writeUInt32LE(PSEUDO_BIN, p); p += 4;
  buf.writeInt32LE(2, p); p += 4;
  writeU64(buf, p, ref.firstOffset); p += 8;
  writeU64(buf, p, ref.lastOffset); p += 8;
  writeU64(buf, p, ref.mapped); p += 8;
  writeU64(buf, p, ref.unmapped); p += 8;
  buf.writeInt32LE(linear.length, p); p += 4;
  for (const v of linear) { writeU64(buf, p, v!); p += 8; }
  return buf;
}

/** Little-endian uint64 from a non-negative integer below 2^53. */
export function writeU64(buf: Buffer, at: number, v: number): void {
  buf.writeUInt32LE(v % 0x100000000, at);
  buf.writeUInt32LE(Math.floor(v / 0x100000000), at + 4);
}
