/**
 * Reads a BAM index — `.bai` (SAM spec §5.2) or `.csi` (CSIv1 spec) — and answers "which
 * BGZF chunks can hold reads overlapping [beg, end)" the way htslib's `hts_itr_query` does:
 * every chunk of every bin overlapping the region, minus the chunks that end before the
 * smallest offset a read overlapping `beg` can have (BAI: the linear index window of `beg`;
 * CSI: the `loffset` of the smallest indexed bin holding `beg`), sorted and merged.
 *
 * Coordinates are 0-based half-open. Virtual offsets are plain numbers
 * (`coffset * 65536 + uoffset`, exact below 2^53; see bgzfReader.ts).
 *
 * The per-reference mapped/unmapped counts (pseudo-bins) are read by
 * alignmentIndexStats.ts; this file skips them.
 */
import { VariantLensError } from '../../errors';

/**
 * One index chunk: virtual offsets [beg, end). `binBeg`/`binEnd` are the reference span
 * (0-based half-open) of the bin the chunk starting at `beg` belongs to: in a index that
 * matches its data, the record at `beg` starts inside that span (a record's bin is the
 * smallest bin holding it, SAM spec §5.3), so a record starting elsewhere means a stale or
 * foreign index (checked by the readers, never a silently short answer).
 */
export interface IndexChunk {
  readonly beg: number;
  readonly end: number;
  readonly binBeg: number;
  readonly binEnd: number;
}

interface RefBins {
  /** bin → flat [beg0, end0, beg1, end1, ...] virtual offsets. */
  readonly bins: Map<number, number[]>;
  /** CSI: bin → loffset. */
  readonly loffsets: Map<number, number> | undefined;
  /** BAI: smallest offset per 16-kb window (empty for CSI). */
  readonly linear: Float64Array;
}

export interface BamIndex {
  readonly path: string;
  readonly format: 'bai' | 'csi';
  /** log2 of the smallest bin width (14 for BAI). */
  readonly minShift: number;
  /** Levels below the root bin (5 for BAI). */
  readonly depth: number;
  readonly referenceCount: number;
  /** Merged chunks, in file order, that may hold reads of `refId` overlapping [beg, end). */
  chunksFor(refId: number, beg: number, end: number): IndexChunk[];
  /**
   * BAI only: the linear-index offset of `beg`'s 16-kb window and the window's end, when the
   * index says the window holds records, so that the record at `offset` must overlap the
   * window and start before `spanEnd` (SAM spec §5.1.3). htslib fills an empty window with
   * the next window's offset, so a window whose offset equals the next one's may be empty
   * and is not checked; neither is a CSI (its loffsets are filled the same way). Undefined
   * when there is nothing to check.
   */
  minOffsetFor(refId: number, beg: number): { readonly offset: number; readonly spanEnd: number } | undefined;
}

/** Parses the (decompressed) bytes of a .bai or .csi. */
export function parseBamIndex(raw: Buffer, path: string): BamIndex {
  const c = new Cursor(raw, path);
  const magic = raw.subarray(0, 4).toString('latin1');
  c.skip(4);
  let csi: boolean;
  let minShift = 14;
  let depth = 5;
  if (magic === 'BAI\x01') {
    csi = false;
  } else if (magic === 'CSI\x01') {
    csi = true;
    minShift = c.i32();
    depth = c.i32();
    c.skip(c.i32()); // l_aux + aux
    if (minShift < 1 || minShift > 30 || depth < 0 || depth > 20 || minShift + 3 * depth > 62) {
      throw new VariantLensError('bad-index', `has an impossible CSI geometry (min_shift ${minShift}, depth ${depth}); re-create it with samtools index -c`, path);
    }
  } else {
    throw new VariantLensError('bad-index', 'is neither a BAI nor a CSI index (bad magic); re-create it with samtools index', path);
  }
  const pseudoBin = binOffset(depth + 1) + 1;
  const nRef = c.i32();
  if (nRef < 0) throw new VariantLensError('bad-index', `claims ${nRef} references; the index is corrupt`, path);
  const refs: RefBins[] = [];
  for (let r = 0; r < nRef; r++) {
    const nBin = c.i32();
    const bins = new Map<number, number[]>();
    const loffsets = csi ? new Map<number, number>() : undefined;
    for (let k = 0; k < nBin; k++) {
      const bin = c.u32();
      const lo = csi ? c.u64() : 0;
      const nChunk = c.i32();
      if (bin === pseudoBin) {
        c.skip(nChunk * 16);
        continue;
      }
      const flat = new Array<number>(nChunk * 2);
      for (let j = 0; j < nChunk * 2; j++) flat[j] = c.u64();
      bins.set(bin, flat);
      loffsets?.set(bin, lo);
    }
    let linear = new Float64Array(0);
    if (!csi) {
      const nIntv = c.i32();
      linear = new Float64Array(nIntv);
      for (let j = 0; j < nIntv; j++) linear[j] = c.u64();
    }
    refs.push({ bins, loffsets, linear });
  }
  return new ParsedIndex(path, csi ? 'csi' : 'bai', minShift, depth, refs);
}

class ParsedIndex implements BamIndex {
  constructor(
    readonly path: string,
    readonly format: 'bai' | 'csi',
    readonly minShift: number,
    readonly depth: number,
    private readonly refs: readonly RefBins[],
  ) {}

  get referenceCount(): number {
    return this.refs.length;
  }

  chunksFor(refId: number, beg: number, end: number): IndexChunk[] {
    const ref = this.refs[refId];
    if (!ref || end <= beg) return [];
    const maxPos = 2 ** (this.minShift + 3 * this.depth);
    if (beg >= maxPos) return [];
    if (end > maxPos) end = maxPos;
    const minOff = this.minOffset(ref, beg);
    const found: IndexChunk[] = [];
    for (const bin of overlappingBins(beg, end, this.minShift, this.depth)) {
      const flat = ref.bins.get(bin);
      if (!flat) continue;
      const [binBeg, binEnd] = binSpan(bin, this.minShift, this.depth);
      for (let j = 0; j < flat.length; j += 2) {
        if (flat[j + 1]! > minOff) found.push({ beg: flat[j]!, end: flat[j + 1]!, binBeg, binEnd });
      }
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a.beg - b.beg);
    // Merge overlapping or touching chunks so each byte is decoded once.
    const out: { beg: number; end: number; binBeg: number; binEnd: number }[] = [{ ...found[0]! }];
    for (let i = 1; i < found.length; i++) {
      const last = out[out.length - 1]!;
      const ch = found[i]!;
      if (ch.beg === last.beg) {
        // Two bins name the same start (only a corrupt index does): accept either span.
        last.binBeg = Math.min(last.binBeg, ch.binBeg);
        last.binEnd = Math.max(last.binEnd, ch.binEnd);
      }
      if (ch.beg <= last.end) {
        if (ch.end > last.end) last.end = ch.end;
      } else {
        out.push({ ...ch });
      }
    }
    return out;
  }

  minOffsetFor(refId: number, beg: number): { readonly offset: number; readonly spanEnd: number } | undefined {
    const ref = this.refs[refId];
    if (!ref || ref.loffsets || beg >= 2 ** (this.minShift + 3 * this.depth)) return undefined;
    const lin = ref.linear;
    if (lin.length === 0) return undefined;
    const w = Math.min(beg >> 14, lin.length - 1);
    if (lin[w]! <= 0 || (w + 1 < lin.length && lin[w + 1] === lin[w])) return undefined;
    return { offset: lin[w]!, spanEnd: (w + 1) * 16384 };
  }

  /** Smallest virtual offset a read overlapping `beg` can start at (0 when unknown). */
  private minOffset(ref: RefBins, beg: number): number {
    if (ref.loffsets) {
      // CSI: walk from the finest bin holding beg up to the root; the first indexed bin's
      // loffset bounds every read overlapping beg (it overlaps that bin too).
      let bin = binOffset(this.depth) + (beg >> this.minShift);
      for (let level = this.depth; level >= 0; level--) {
        const lo = ref.loffsets.get(bin);
        if (lo !== undefined) return lo;
        bin = (bin - 1) >> 3; // parent (CSIv1 §3)
      }
      return 0;
    }
    const lin = ref.linear;
    if (lin.length === 0) return 0;
    const w = beg >> 14;
    return w >= lin.length ? lin[lin.length - 1]! : lin[w]!;
  }
}

/** First bin number of a level: (8^level - 1) / 7. */
function binOffset(level: number): number {
  return ((1 << (3 * level)) - 1) / 7;
}

/** The reference span [beg, end) of `bin` (SAM spec §5.3; CSIv1 §3 for other geometries). */
function binSpan(bin: number, minShift: number, depth: number): [number, number] {
  let level = 0;
  while (level < depth && bin >= binOffset(level + 1)) level++;
  const width = 2 ** (minShift + 3 * (depth - level));
  const beg = (bin - binOffset(level)) * width;
  return [beg, beg + width];
}

/** Bins at every level that overlap 0-based half-open [beg, end) (SAM spec §5.3 reg2bins, generalised for CSI). */
function overlappingBins(beg: number, end: number, minShift: number, depth: number): number[] {
  const out: number[] = [];
  const last = end - 1;
  for (let level = 0, shift = minShift + 3 * depth; level <= depth; level++, shift -= 3) {
    const off = binOffset(level);
    // Positions may exceed 2^31 for CSI; use division, not >>.
    const b = off + Math.floor(beg / 2 ** shift);
    const e = off + Math.floor(last / 2 ** shift);
    for (let k = b; k <= e; k++) out.push(k);
  }
  return out;
}

class Cursor {
  p = 0;
  constructor(readonly b: Buffer, readonly file: string) {}
  need(n: number): void {
    if (n < 0 || this.p + n > this.b.length) throw new VariantLensError('bad-index', `ends early (at byte ${this.p}); the index is truncated, re-create it with samtools index`, this.file);
  }
  i32(): number { this.need(4); const v = this.b.readInt32LE(this.p); this.p += 4; return v; }
  u32(): number { this.need(4); const v = this.b.readUInt32LE(this.p); this.p += 4; return v; }
  u64(): number { this.need(8); const v = this.b.readUInt32LE(this.p) + this.b.readUInt32LE(this.p + 4) * 0x100000000; this.p += 8; return v; }
  skip(n: number): void { this.need(n); this.p += n; }
}
