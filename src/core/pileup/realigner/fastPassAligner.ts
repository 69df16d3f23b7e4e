/**
 * DeepVariant's fast-pass read aligner (`deepvariant/realigner/fast_pass_aligner.cc`;
 * docs/deepvariant.md §11.6–§11.7): reads are aligned to candidate haplotypes, the haplotypes
 * to the reference, and the two alignments are merged into a new reference position and CIGAR.
 *
 *  1. every 32-mer of every read (longer than 32) is indexed;
 *  2. per haplotype, each 32-mer found in the index places the read at one offset; a placement
 *     with ≤ 2 mismatches (N matches anything) scores 4·matches − 6·mismatches and covers its
 *     bases; a non-reference haplotype with an uncovered base between the reference prefix and
 *     suffix is discarded (score 0);
 *  3. each haplotype is aligned to the reference with Smith-Waterman (smithWaterman.ts);
 *  4. reads with no positive score anywhere are Smith-Waterman aligned to every haplotype that
 *     kept a score (and, with force_alignment, to the reference haplotype);
 *  5. haplotype entries are sorted by total score (libstdc++ std::sort order); a read takes the
 *     best-scoring entry, ties going to the later non-reference entry;
 *  6. the read→haplotype and haplotype→reference CIGARs are merged base by base; a merged
 *     alignment that is not left-normalized is thrown away (the read keeps its alignment).
 *
 * The same class serves `align_to_haplotype` (alt-aligned pileups, §12.2): one haplotype equal
 * to the reference, `forceAlignment: true`, reads without an alignment dropped.
 */
import { type AlignedRead, CigarOp, cigarReferenceLength } from '../../io/sam/alignedRead';
import { doubled } from '../candidates/growable';
import { libstdcxxSort } from './libstdcxxSort';
import { DV_SW_SCORING, PrefixCache, SeedIndex, type SwForward, type SwScoring, encodeBases, finishAlignment, smithWaterman, smithWatermanForward } from './smithWaterman';
import { LANE_COUNT, LaneAligner, laneAligner } from './swLanes';

// CIGAR op codes as plain numbers (a const enum read across modules can cost a property lookup in hot loops).
const OP_M = 0 as CigarOp;
const OP_I = 1 as CigarOp;
const OP_D = 2 as CigarOp;
const OP_S = 4 as CigarOp;
const OP_H = 5 as CigarOp;

export interface AlignerOptions extends SwScoring {
  /** Read k-mer index size (`kmer_size`, 3..32). */
  readonly kmerSize: number;
  readonly maxNumMismatches: number;
  /** `realignment_similarity_threshold`: gives the Smith-Waterman score threshold (1 at the default). */
  readonly similarityThreshold: number;
  /** Keep only reads that align (alt-aligned pileups); also Smith-Waterman align to the reference haplotype. */
  readonly forceAlignment: boolean;
  /** `--normalize_reads`: when false, merged alignments that are not left-normalized are discarded. */
  readonly normalizeReads: boolean;
}

/** make_examples 1.5 defaults (`aln_*`, `kmer_size`, `max_num_mismatches`, `realignment_similarity_threshold`). */
export const DV_ALIGNER_OPTIONS: AlignerOptions = {
  ...DV_SW_SCORING,
  kmerSize: 32,
  maxNumMismatches: 2,
  similarityThreshold: 0.16934,
  forceAlignment: false,
  normalizeReads: false,
};

/** A CIGAR element in the aligner's vocabulary: M (any match), I, D, S. */
export interface CigarUnit {
  op: CigarOp;
  len: number;
}

const NOT_ALIGNED = 65535;

/** `(\d+)([XIDS=])` runs of a libssw/fast-pass CIGAR string, = and X as M. Stops at the first other character. */
export function parseAlignerCigar(cigar: string): CigarUnit[] {
  const out: CigarUnit[] = [];
  const re = /(\d+)([XIDS=])/y;
  let m: RegExpExecArray | null;
  while ((m = re.exec(cigar)) !== null) {
    const c = m[2]!;
    out.push({ op: c === 'I' ? OP_I : c === 'D' ? OP_D : c === 'S' ? OP_S : OP_M, len: Number(m[1]) });
  }
  return out;
}

/** `SetPositionsMap`: shift[p] such that haplotype position p maps to reference offset refPos + p + shift[p]. */
export function positionShifts(hapLength: number, hapToRefCigar: string): Int32Array {
  const map = new Int32Array(hapLength);
  const re = /(\d+)([XIDS=])/y;
  let m: RegExpExecArray | null;
  let shift = 0;
  let pos = 0;
  while ((m = re.exec(hapToRefCigar)) !== null) {
    const len = Number(m[1]);
    switch (m[2]) {
      case '=':
      case 'X':
        for (let i = 0; i < len; i++) map[pos++] = shift;
        break;
      case 'S':
        shift -= len;
        for (let i = 0; i < len; i++) map[pos++] = shift;
        break;
      case 'D':
        shift += len;
        break;
      case 'I':
        for (let i = 0; i < len; i++) { map[pos++] = shift; shift--; }
        break;
      default:
        break;
    }
  }
  return map;
}

function alignedLength(c: readonly CigarUnit[]): number {
  let n = 0;
  for (const u of c) if (u.op !== OP_D) n += u.len;
  return n;
}

/** `MergeCigarOp`: appends one op to the merged CIGAR, capped at the read length, cancelling I against D. */
export function mergeCigarOp(op: CigarOp, len: number, readLen: number, out: CigarUnit[]): void {
  const before = alignedLength(out);
  const newLen = op !== OP_D ? Math.min(len, readLen - before) : len;
  if (newLen <= 0 || before === readLen) return;
  const last = out.length > 0 ? out[out.length - 1]!.op : -1;
  if ((op === OP_I && last === OP_D) || (op === OP_D && last === OP_I)) {
    const lastIdx = out.length - 1;
    const prevIdx = out.length > 1 ? out.length - 2 : out.length - 1;
    if (out[prevIdx]!.op !== OP_M) out.splice(lastIdx, 0, { op: OP_M, len: 1 });
    else out[prevIdx]!.len += 1;
    const tail = out[out.length - 1]!;
    if (tail.len === 1) out.pop();
    else tail.len -= 1;
  } else if (op === last) out[out.length - 1]!.len += newLen;
  else out.push({ op, len: newLen });
}

/** `LeftTrimHaplotypeToRefAlignment`: the haplotype→reference ops from haplotype position p on. */
export function leftTrimHaplotypeOps(hapOps: readonly CigarUnit[], p: number): CigarUnit[] {
  const ops = hapOps.map((u) => ({ op: u.op, len: u.len }));
  let cur = 0;
  let head = 0;
  while (cur !== p) {
    if (head >= ops.length) throw new Error('internal: haplotype CIGAR shorter than the read position');
    const u = ops[head++]!;
    if (u.op === OP_M || u.op === OP_H || u.op === OP_S || u.op === OP_I) {
      if (u.len + cur > p) ops[--head] = { op: u.op, len: u.len - (p - cur) };
      cur = Math.min(u.len + cur, p);
    }
  }
  const rest = ops.slice(head);
  if (rest.length > 0 && rest[0]!.op === OP_D) rest.shift();
  return rest;
}

const MERGE_PRIORITY = [OP_S, OP_D, OP_I, OP_M];

/** `CalculateReadToRefAlignment`: merges read→haplotype and haplotype→reference ops. */
export function mergeReadToRef(readLen: number, readToHap: readonly CigarUnit[], hapToRef: readonly CigarUnit[], p: number): CigarUnit[] {
  const readOps = readToHap.map((u) => ({ op: u.op, len: u.len }));
  const hapOps = leftTrimHaplotypeOps(hapToRef, p);
  if (hapOps.length === 0) throw new Error('internal: read does not overlap its haplotype');
  const out: CigarUnit[] = [];
  if (readOps.length > 0 && readOps[0]!.op === OP_S) mergeCigarOp(OP_S, readOps.shift()!.len, readLen, out);
  let curR: CigarUnit = { op: -1 as CigarOp, len: 0 };
  let curH: CigarUnit = { op: -1 as CigarOp, len: 0 };
  while ((readOps.length > 0 || hapOps.length > 0) && alignedLength(out) < readLen) {
    if (readOps.length > 0 && hapOps.length === 0 && curH.len === 0) {
      const u = readOps.shift()!;
      mergeCigarOp(u.op, u.len, readLen, out);
      continue;
    }
    if (readOps.length === 0 && curR.len === 0 && hapOps.length > 0) break;
    if (curR.len === 0) { const u = readOps.shift()!; curR = { op: u.op, len: u.len }; }
    if (curH.len === 0) { const u = hapOps.shift()!; curH = { op: u.op, len: u.len }; }
    while (curR.len > 0 && curH.len > 0) {
      if (curR.op === OP_M && curH.op === OP_M) {
        // A run of matches on both: the same as merging one M at a time.
        const n = Math.min(curR.len, curH.len);
        mergeCigarOp(OP_M, n, readLen, out);
        curR.len -= n;
        curH.len -= n;
        continue;
      }
      if ((curR.op === OP_D && curH.op === OP_I) || (curR.op === OP_I && curH.op === OP_D)) {
        curH.len--;
        curR.len--;
        if (curH.op === OP_D) {
          hapOps.unshift({ op: OP_M, len: 1 });
          readOps.unshift({ op: OP_M, len: 1 });
        }
        continue;
      }
      for (const op of MERGE_PRIORITY) {
        if (curR.op === op || curH.op === op) { mergeCigarOp(op, 1, readLen, out); break; }
      }
      if (curR.op === OP_I) curR.len--;
      else if (curH.op === OP_D) curH.len--;
      else { curH.len--; curR.len--; }
    }
  }
  return out;
}

/** `IsAlignmentNormalized`: no I/D whose last base equals the base before it (reference for I, read for D). */
export function isAlignmentNormalized(ops: readonly CigarUnit[], refOffset: number, reference: string, readSeq: string): boolean {
  if (refOffset < 0) return true;
  let ref = refOffset;
  let rd = 0;
  for (const u of ops) {
    if (u.op === OP_S) { rd += u.len; continue; }
    if (u.op === OP_D) {
      if (ref + u.len > reference.length) return false;
      if (rd > 0 && reference[ref + u.len - 1] === readSeq[rd - 1]) return false;
    } else if (u.op === OP_I) {
      if (ref > 0 && readSeq[rd + u.len - 1] === reference[ref - 1]) return false;
    }
    if (u.op !== OP_I) ref += u.len;
    if (u.op !== OP_D) rd += u.len;
  }
  return true;
}

interface HaplotypeEntry {
  readonly index: number;
  score: number;
  /** Per read: its score on this haplotype (0: none) and, for a fast-pass placement, its offset (CIGAR all matches). */
  readonly readScore: Int32Array;
  readonly readPosition: Int32Array;
  /** Reads aligned by Smith-Waterman: the forward pass (begin cell and CIGAR computed only for the read's best haplotype). */
  readonly pending: Map<number, SwForward>;
  cigar: string;
  ops: CigarUnit[];
  refPos: number;
  isReference: boolean;
  /** False when the haplotype did not align to the reference at all (left out). */
  valid: boolean;
  shifts: Int32Array;
  /** Whether cigar, ops, refPos and shifts are set (the alignment to the reference is made for a read's best haplotype only). */
  aligned: boolean;
}

/** ACGT codes (0..3) present in a sequence of libssw codes, as a 4-bit mask. */
function acgtMask(codes: Uint8Array): number {
  let mask = 0;
  for (let i = 0; i < codes.length && mask !== 15; i++) if (codes[i]! < 4) mask |= 1 << codes[i]!;
  return mask;
}

/**
 * What choosing a read's haplotype needs of a haplotype → reference Smith-Waterman alignment
 * besides its CIGAR, found without aligning (`hap`, `ref` as libssw codes):
 *  - `aligns`: the best local score is above 0, i.e. an ACGT base of the haplotype occurs in
 *    the reference (a one-base alignment scores one match; mismatches and gaps only lose);
 *  - `allMatches`: the CIGAR is `${length}=` (no clip, no gap, equal codes all along). An
 *    all-ACGT haplotype gets it exactly when it occurs in the reference (only such a copy
 *    scores match · length, the most any alignment of it can). One holding another code gets
 *    it only if it occurs in the reference as codes, and then it depends on the scores (N
 *    never scores as a match but is written '=' against N): undefined, align to know.
 */
export function referenceAlignmentFacts(hap: Uint8Array, ref: Uint8Array): { aligns: boolean; allMatches: boolean | undefined } {
  const aligns = (acgtMask(hap) & acgtMask(ref)) !== 0;
  if (!aligns || hap.length > ref.length) return { aligns, allMatches: false };
  if (Buffer.from(ref.buffer, ref.byteOffset, ref.length).indexOf(Buffer.from(hap.buffer, hap.byteOffset, hap.length)) < 0) return { aligns, allMatches: false };
  for (let i = 0; i < hap.length; i++) if (hap[i]! > 3) return { aligns, allMatches: undefined };
  return { aligns, allMatches: true };
}

export type ReadOutcome =
  /** New position and CIGAR. */
  | 'realigned'
  /** Aligned to a haplotype, but the merged CIGAR was not normalized: original alignment kept. */
  | 'not-normalized'
  /** No alignment to any haplotype: original alignment kept (dropped with forceAlignment). */
  | 'unaligned';

export interface AlignedReadResult {
  /** The read to use (undefined when dropped under forceAlignment). */
  readonly read: AlignedRead | undefined;
  readonly outcome: ReadOutcome;
  /** Index into the haplotypes the read was aligned to, or -1. */
  readonly haplotype: number;
}

export interface FastPassSetup {
  /** The reference the haplotypes were cut from (prefix + window reference + suffix). */
  readonly reference: string;
  /** Haplotypes, each prefix + assembled sequence + suffix. */
  readonly haplotypes: readonly string[];
  /** 0-based contig position of reference[0]. */
  readonly refStart: number;
  readonly refPrefixLength: number;
  readonly refSuffixLength: number;
  readonly options?: AlignerOptions;
}

function packCigar(ops: readonly CigarUnit[]): Uint32Array {
  const out = new Uint32Array(ops.length);
  for (let i = 0; i < ops.length; i++) out[i] = (ops[i]!.len << 4) | ops[i]!.op;
  return out;
}

/** Whether `ops` packed would equal `cigar` (same operations and lengths, in order). */
function sameCigar(ops: readonly CigarUnit[], cigar: Uint32Array): boolean {
  if (ops.length !== cigar.length) return false;
  for (let i = 0; i < ops.length; i++) if (cigar[i] !== ((ops[i]!.len << 4) | ops[i]!.op)) return false;
  return true;
}

/**
 * A copy of `read` with a new start and CIGAR (MAPQ, bases, qualities, tags and mate kept).
 * Tags are read through on first use, so lazily decoded BAM tags stay lazy.
 */
export function withAlignment(read: AlignedRead, start: number, cigar: Uint32Array): AlignedRead {
  return {
    name: read.name,
    flags: read.flags,
    contig: read.contig,
    start,
    end: start + cigarReferenceLength(cigar),
    mapq: read.mapq,
    cigar,
    seq: read.seq,
    qual: read.qual,
    mateContig: read.mateContig,
    mateStart: read.mateStart,
    tlen: read.tlen,
    get tags() { return read.tags; },
  };
}

/** 2-bit codes of A, C, G, T (4: any other byte; a k-mer holding one is keyed by its text). */
const BASE2 = new Uint8Array(256).fill(4);
BASE2[65] = 0; BASE2[67] = 1; BASE2[71] = 2; BASE2[84] = 3;

/**
 * Every k-mer (k ≤ 32) of a sequence as two 32-bit halves of its 2-bit packing, one per start
 * position (`clean` 0 when the k-mer holds a base other than ACGT).
 */
function packKmers(bytes: Uint8Array, k: number): { hi: Int32Array; lo: Int32Array; clean: Uint8Array } {
  const n = Math.max(0, bytes.length - k + 1);
  const out = { hi: new Int32Array(n), lo: new Int32Array(n), clean: new Uint8Array(n) };
  packKmersInto(bytes, k, out.hi, out.lo, out.clean, 0);
  return out;
}

/** `packKmers` written into arrays from index `at` on. */
function packKmersInto(bytes: Uint8Array, k: number, hi: Int32Array, lo: Int32Array, clean: Uint8Array, at: number): void {
  const loBits = Math.min(2 * k, 32);
  const hiBits = 2 * k - loBits;
  const loMask = loBits === 32 ? -1 : (1 << loBits) - 1;
  const hiMask = hiBits === 32 ? -1 : (1 << hiBits) - 1;
  let h = 0;
  let l = 0;
  let lastBad = -1;
  for (let x = 0; x < bytes.length; x++) {
    const c = BASE2[bytes[x]!]!;
    if (c > 3) lastBad = x;
    h = ((h << 2) | (l >>> 30)) & hiMask;
    l = ((l << 2) | (c & 3)) & loMask;
    const p = x - k + 1;
    if (p >= 0) { hi[at + p] = h; lo[at + p] = l; clean[at + p] = lastBad < p ? 1 : 0; }
  }
}

/**
 * Ids of k-mers shared by a window's haplotypes: k-mers of ACGT by their packing (an
 * open-addressing table), any other by their text. A read k-mer is looked up once per window
 * and its positions in each haplotype are then found by id.
 */
export class KmerIds {
  private slotId = new Int32Array(256).fill(-1);
  private readonly idHi: number[] = [];
  private readonly idLo: number[] = [];
  private readonly text = new Map<string, number>();
  private readonly isText: number[] = [];
  private count = 0;

  constructor(readonly k: number) {}

  /** How many k-mers have an id (ids are 0 .. size − 1). */
  get size(): number {
    return this.count;
  }

  private hash(hi: number, lo: number): number {
    return (Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15)) & (this.slotId.length - 1);
  }

  /** The id of a packed all-ACGT k-mer (a new one when `add`; else −1 when it has none). */
  packed(hi: number, lo: number, add: boolean): number {
    const mask = this.slotId.length - 1;
    let slot = this.hash(hi, lo);
    for (; ; slot = (slot + 1) & mask) {
      const id = this.slotId[slot]!;
      if (id < 0) break;
      if (this.idHi[id] === hi && this.idLo[id] === lo) return id;
    }
    if (!add) return -1;
    const id = this.count++;
    this.idHi.push(hi);
    this.idLo.push(lo);
    this.isText.push(0);
    if (2 * this.count > this.slotId.length) {
      this.slotId = new Int32Array(this.slotId.length * 4).fill(-1);
      for (let x = 0; x < this.count; x++) if (!this.isText[x]) this.place(x);
    } else this.slotId[slot] = id;
    return id;
  }

  private place(id: number): void {
    const mask = this.slotId.length - 1;
    let slot = this.hash(this.idHi[id]!, this.idLo[id]!);
    while (this.slotId[slot] !== -1) slot = (slot + 1) & mask;
    this.slotId[slot] = id;
  }

  /** The id of a k-mer holding another byte than ACGT, by its text (a new one when `add`; else −1). */
  textual(key: string, add: boolean): number {
    const id = this.text.get(key);
    if (id !== undefined) return id;
    if (!add) return -1;
    this.text.set(key, this.count);
    this.idHi.push(0);
    this.idLo.push(0);
    this.isText.push(1);
    return this.count++;
  }
}

/**
 * The k-mers of every read (reads longer than k), packed once per window: read r's k-mer at
 * offset off is at index start[r] + off of the shared arrays.
 */
export class ReadKmerKeys {
  readonly start: Int32Array;
  readonly hi: Int32Array;
  readonly lo: Int32Array;
  readonly clean: Uint8Array;
  private idsOf: KmerIds | undefined;
  private idsSize = -1;
  /** Per k-mer (same index): its id in `idsOf` (−1: in no haplotype; −2: not looked up yet). */
  private idList = new Int32Array(0);
  constructor(readonly reads: readonly Uint8Array[], readonly k: number) {
    this.start = new Int32Array(reads.length + 1);
    for (let r = 0; r < reads.length; r++) this.start[r + 1] = this.start[r]! + (reads[r]!.length > k ? reads[r]!.length - k + 1 : 0);
    const n = this.start[reads.length]!;
    this.hi = new Int32Array(n);
    this.lo = new Int32Array(n);
    this.clean = new Uint8Array(n);
    for (let r = 0; r < reads.length; r++) if (reads[r]!.length > k) packKmersInto(reads[r]!, k, this.hi, this.lo, this.clean, this.start[r]!);
  }

  /**
   * The id in `ids` of every read k-mer, by its index (−2: not looked up yet, see `idAt`);
   * forgotten when `ids` has grown.
   */
  ids(ids: KmerIds): Int32Array {
    if (this.idsOf === ids && this.idsSize === ids.size) return this.idList;
    this.idsOf = ids;
    this.idsSize = ids.size;
    this.idList = new Int32Array(this.hi.length).fill(-2);
    return this.idList;
  }

  /** The id of read r's k-mer at `off` in the ids last given to `ids` (looked up once). */
  idAt(r: number, off: number): number {
    const x = this.start[r]! + off;
    let id = this.idList[x]!;
    if (id === -2) {
      const ids = this.idsOf!;
      id = this.clean[x] ? ids.packed(this.hi[x]!, this.lo[x]!, false) : ids.textual(Buffer.prototype.latin1Slice.call(this.reads[r], off, off + this.k) as string, false);
      this.idList[x] = id;
    }
    return id;
  }
}

/** One haplotype's k-mers: positions (ascending) of each k-mer, and how often the k-mer at a position occurs. */
export class HapKmerTable {
  /** Per k-mer id: its first position in this haplotype, or −1. */
  private readonly firstPos: Int32Array;
  /** Next position holding the same k-mer, or -1. */
  readonly nextPos: Int32Array;
  /** Occurrences in the haplotype of the k-mer starting at each position. */
  readonly count: Int32Array;
  /** Per position p: the first position ≥ p whose k-mer occurs more than once (the number of positions when none). */
  readonly nextRepeated: Int32Array;
  /** The 2-bit packing of each position's k-mer (two 32-bit halves; `clean` 0 when it holds another byte than ACGT). */
  readonly hi: Int32Array;
  readonly lo: Int32Array;
  readonly clean: Uint8Array;

  /** `ids`: shared with the window's other haplotypes (all tables made before reads are looked up). */
  constructor(readonly bytes: Uint8Array, readonly k: number, readonly ids: KmerIds = new KmerIds(k)) {
    const { hi, lo, clean } = packKmers(bytes, k);
    this.hi = hi;
    this.lo = lo;
    this.clean = clean;
    const n = hi.length;
    const idAt = new Int32Array(n);
    for (let p = 0; p < n; p++) idAt[p] = clean[p] ? ids.packed(hi[p]!, lo[p]!, true) : ids.textual(Buffer.prototype.latin1Slice.call(bytes, p, p + k) as string, true);
    this.firstPos = new Int32Array(ids.size).fill(-1);
    const lastPos = new Int32Array(ids.size);
    const idCount = new Int32Array(ids.size);
    this.nextPos = new Int32Array(n).fill(-1);
    this.count = new Int32Array(n);
    for (let p = 0; p < n; p++) {
      const id = idAt[p]!;
      if (this.firstPos[id]! < 0) this.firstPos[id] = p;
      else this.nextPos[lastPos[id]!] = p;
      lastPos[id] = p;
      idCount[id]!++;
    }
    for (let p = 0; p < n; p++) this.count[p] = idCount[idAt[p]!]!;
    this.nextRepeated = new Int32Array(n);
    for (let p = n - 1, next = n; p >= 0; p--) {
      if (this.count[p] !== 1) next = p;
      this.nextRepeated[p] = next;
    }
  }

  /** First position of the k-mer with this id, or −1 (then nextPos walks the rest). */
  firstOf(id: number): number {
    return id >= 0 && id < this.firstPos.length ? this.firstPos[id]! : -1;
  }
}

export interface Placements {
  /** Per read: the fast-pass score (0: not placed) and the haplotype offset. */
  readonly score: Int32Array;
  readonly position: Int32Array;
  /** Sum of the reads' scores. */
  readonly total: number;
}

/** `fastPassPlacements`' per-read lists, reused across calls. */
let fpTs = new Int32Array(64);
let fpOrder = new Float64Array(64);
let fpScores = new Int32Array(64);
let fpSegT = new Int32Array(64);
let fpSegFrom = new Int32Array(64);
let fpSegTo = new Int32Array(64);

/**
 * DeepVariant's fast pass of all reads against one haplotype (`FastPassAligner::FastAlignReadsToHaplotype`):
 * walking the haplotype's k-mers in order, every read k-mer equal to the haplotype's k-mer at
 * position i places its read at t = max(0, i − offset); a placement inside the haplotype with
 * at most maxNumMismatches mismatches (N matches anything) scores matches·match −
 * mismatches·mismatch and covers [t, t + read length); each read keeps the first placement
 * found with its best score; a non-reference haplotype is discarded (undefined) when, at a
 * position i whose k-mer occurs in some read, between `middleStart` and `middleEnd`, no
 * placement found so far covers i; and also when the total is 0.
 *
 * Found read by read, in the same result: a read's placements are looked up from its k-mers
 * (ascending offsets) in the haplotype's k-mer table; the order in which the walk would find
 * them is (position i, offset), kept as the tie-break; a k-mer that lies on an already
 * compared placement with no differing base and occurs once in the haplotype can only give
 * that placement again, so it is not looked up (its position is still marked as occurring).
 * The covered check is then replayed over the positions in order. `middleStart` −1: never discarded.
 */
export function fastPassPlacements(hap: Uint8Array, table: HapKmerTable, reads: readonly Uint8Array[], keys: ReadKmerKeys, o: AlignerOptions, middleStart: number, middleEnd: number): Placements | undefined {
  const k = keys.k;
  const hapLen = hap.length;
  const nPos = Math.max(0, hapLen - k + 1);
  const occurs = new Uint8Array(nPos); // the haplotype k-mer at i is some read's k-mer
  const furthest = new Int32Array(nPos); // per position i: the furthest end of the placements found at i
  const score = new Int32Array(reads.length);
  const position = new Int32Array(reads.length).fill(NOT_ALIGNED);
  const maxMm = o.maxNumMismatches;
  const count = table.count;
  const nextRepeated = table.nextRepeated;
  const nextPos = table.nextPos;
  const readIds = keys.ids(table.ids);
  const hHi = table.hi;
  const hLo = table.lo;
  const hClean = table.clean;
  // Whole k-mers compare as two 32-bit words when k is 32 (the default); otherwise base by base.
  const wordBlocks = k === 32;
  let total = 0;
  // Per read: the placements compared (t, order key i·65536 + offset of their first finding,
  // score or −1), and the stretches of offsets [segFrom, segTo] whose k-mers lie unchanged on
  // the compared placement segT. Reused lists (module scratch, grown by doubling).
  let ts = fpTs;
  let order = fpOrder;
  let scores = fpScores;
  let nTs = 0;
  let segT = fpSegT;
  let segFrom = fpSegFrom;
  let segTo = fpSegTo;
  let nSeg = 0;
  // The read being placed (set per read; `consider` is made once).
  let rb: Uint8Array = new Uint8Array(0);
  let len = 0;
  let r0 = 0;
  const hi = keys.hi;
  const lo = keys.lo;
  const clean = keys.clean;
  const addSeg = (t: number, from: number, to: number): void => {
    if (nSeg === segT.length) { segT = fpSegT = doubled(segT); segFrom = fpSegFrom = doubled(segFrom); segTo = fpSegTo = doubled(segTo); }
    segT[nSeg] = t; segFrom[nSeg] = from; segTo[nSeg] = to; nSeg++;
  };
  const consider = (i: number, off: number): void => {
    const rb_ = rb;
    const len_ = len;
    const r0_ = r0;
    occurs[i] = 1;
    const t = i > off ? i - off : 0;
    if (t + len_ > hapLen) return;
    const key = i * 65536 + off;
    for (let c = 0; c < nTs; c++) {
      if (ts[c] === t) { if (key < order[c]!) order[c] = key; return; }
    }
    // Compare the read at t: mismatches (N matches anything) and the bases that differ; the
    // offsets whose k-mer lies between two differing bases are kept as a stretch. Blocks of k
    // bases whose packings are equal (ACGT only) hold no differing base.
    let mm = 0;
    let lastDiff = -1;
    for (let x = 0; x < len_;) {
      let blockEnd = len_;
      if (wordBlocks) {
        const p = x + k <= len_ ? x : len_ - k; // the last block may overlap the one before
        blockEnd = p + k;
        if (clean[r0_ + p] && hClean[t + p] && hi[r0_ + p] === hHi[t + p] && lo[r0_ + p] === hLo[t + p]) { x = blockEnd; continue; }
      }
      for (; x < blockEnd; x++) {
        const c1 = hap[t + x]!;
        const c2 = rb_[x]!;
        if (c1 !== c2) {
          if (c1 !== 78 && c2 !== 78) mm++;
          if (x - k >= lastDiff + 1) addSeg(t, lastDiff + 1, x - k);
          lastDiff = x;
        }
      }
    }
    if (len_ - k >= lastDiff + 1) addSeg(t, lastDiff + 1, len_ - k);
    if (nTs === ts.length) { ts = fpTs = doubled(ts); order = fpOrder = doubled(order); scores = fpScores = doubled(scores); }
    ts[nTs] = t;
    order[nTs] = key;
    scores[nTs] = mm <= maxMm ? (len_ - mm) * o.match - mm * o.mismatch : -1;
    nTs++;
  };
  for (let r = 0; r < reads.length; r++) {
    rb = reads[r]!;
    len = rb.length;
    if (len <= k) continue;
    r0 = keys.start[r]!; // this read's k-mers in keys' arrays
    const nOff = len - k + 1;
    nTs = 0;
    nSeg = 0;
    for (let off = 0; off < nOff;) {
      // An offset on a stretch whose haplotype k-mer occurs once can only give that placement
      // again: it is not looked up (its position is marked as occurring), nor are the offsets
      // after it up to the stretch's end or the next repeated haplotype k-mer.
      let stop = -1;
      for (let c = 0; c < nSeg; c++) {
        if (segFrom[c]! <= off && off <= segTo[c]!) {
          const t = segT[c]!;
          if (count[t + off] === 1) { stop = Math.min(segTo[c]! + 1, nextRepeated[t + off]! - t); occurs.fill(1, t + off, t + stop); break; }
        }
      }
      if (stop >= 0) { off = stop; continue; }
      const id = readIds[r0 + off]! !== -2 ? readIds[r0 + off]! : keys.idAt(r, off);
      for (let i = table.firstOf(id); i >= 0; i = nextPos[i]!) consider(i, off);
      off++;
    }
    let best = 0;
    let bestKey = Infinity;
    for (let c = 0; c < nTs; c++) {
      const sc = scores[c]!;
      if (sc < 0) continue;
      const i = Math.floor(order[c]! / 65536);
      const end = ts[c]! + len;
      if (end > furthest[i]!) furthest[i] = end;
      if (sc > best || (sc === best && order[c]! < bestKey)) { best = sc; bestKey = order[c]!; position[r] = ts[c]!; }
    }
    score[r] = best;
    total += best;
  }
  if (middleStart >= 0) {
    let covered = 0;
    for (let i = 0; i < nPos; i++) {
      if (!occurs[i]) continue;
      if (furthest[i]! > covered) covered = furthest[i]!;
      if (covered <= i && i >= middleStart && i < middleEnd) return undefined;
    }
  }
  return total === 0 ? undefined : { score, position, total };
}

/** `FastPassAligner::AlignReads` for one window. Output is in input order. */
export function fastPassAlign(setup: FastPassSetup, reads: readonly AlignedRead[]): AlignedReadResult[] {
  const o = setup.options ?? DV_ALIGNER_OPTIONS;
  const K = o.kmerSize;
  const haps = setup.haplotypes;
  const seqs = reads.map((r) => r.seq.toUpperCase());
  const nReads = seqs.length;
  const readSize = nReads > 0 ? seqs[0]!.length : 100;
  let threshold = Math.trunc(o.match * readSize * o.similarityThreshold - o.mismatch * readSize * (1 - o.similarityThreshold));
  threshold = ((threshold << 16) >> 16); // int16
  if (threshold < 0) threshold = 1;

  const readBytes = seqs.map((s) => Buffer.from(s, 'latin1'));

  // 2. fast pass per haplotype (fastPassPlacements: the same placements, found read by read).
  const keys = new ReadKmerKeys(readBytes, K);
  const ids = new KmerIds(K);
  const hapBytes = haps.map((hap) => Buffer.from(hap, 'latin1'));
  const tables = hapBytes.map((b) => new HapKmerTable(b, K, ids));
  const entries: HaplotypeEntry[] = [];
  for (let h = 0; h < haps.length; h++) {
    const hap = haps[h]!;
    const isRef = hap === setup.reference;
    const placed = fastPassPlacements(hapBytes[h]!, tables[h]!, readBytes, keys, o, isRef ? -1 : setup.refPrefixLength, hap.length - setup.refSuffixLength);
    entries.push({
      index: h,
      score: placed ? placed.total : 0,
      readScore: placed ? placed.score : new Int32Array(nReads),
      readPosition: placed ? placed.position : new Int32Array(nReads).fill(NOT_ALIGNED),
      pending: new Map(),
      cigar: '', ops: [], refPos: 0, isReference: false, valid: true, shifts: new Int32Array(0), aligned: false,
    });
  }

  // 3. haplotypes → reference. Choosing each read's haplotype needs only two facts of a
  //    haplotype's alignment, both known without aligning (`referenceAlignmentFacts`): whether
  //    it aligns at all and whether it is all matches. Its CIGAR, position and position map are
  //    used only for the reads that take it as their best haplotype, so the Smith-Waterman
  //    alignment is made there, once per haplotype (`alignToReference`); on the 100-kb NA12878
  //    slice 217 of 689 non-reference haplotypes are some read's best.
  const refCodes = encodeBases(setup.reference);
  const hapCodes = haps.map((hp) => encodeBases(hp));
  let refSeeds: SeedIndex | undefined;
  const hapSeeds: (SeedIndex | undefined)[] = [];
  const alignToReference = (e: HaplotypeEntry, outcomeUnknown = false): void => {
    const hap = haps[e.index]!;
    const a = smithWaterman(hapCodes[e.index]!, refCodes, o, refSeeds ??= new SeedIndex(refCodes));
    if (outcomeUnknown) e.isReference = a.cigar === `${hap.length}=`;
    else if (!(a.score > 0) || (a.cigar === `${hap.length}=`) !== e.isReference) throw new Error(`internal: haplotype ${e.index} aligned to the reference against its expected outcome`);
    e.cigar = a.cigar;
    e.refPos = a.refBegin;
    e.ops = parseAlignerCigar(e.cigar);
    e.shifts = positionShifts(hap.length, e.cigar);
    e.aligned = true;
  };
  for (const e of entries) {
    const hap = haps[e.index]!;
    if (hap === setup.reference) {
      e.isReference = true;
      e.cigar = `${hap.length}=`;
      e.refPos = 0;
      e.ops = parseAlignerCigar(e.cigar);
      e.shifts = positionShifts(hap.length, e.cigar);
      e.aligned = true;
    } else {
      const facts = referenceAlignmentFacts(hapCodes[e.index]!, refCodes);
      e.valid = facts.aligns;
      if (facts.allMatches === undefined) alignToReference(e, true);
      else e.isReference = facts.allMatches;
    }
  }

  // 4. Smith-Waterman for reads the fast pass could not place, against every haplotype that
  //    kept a score (the same haplotypes for every such read): eight reads at a time in vector
  //    lanes (swLanes.ts) when the engine can, else one by one.
  let readCodes: Uint8Array[] | undefined;
  const unplaced: number[] = [];
  for (let r = 0; r < nReads; r++) {
    let any = false;
    for (const e of entries) if (e.readScore[r]! > 0) { any = true; break; }
    if (!any) unplaced.push(r);
  }
  const targets = entries.filter((e) => e.valid && (e.score !== 0 || (o.forceAlignment && e.isReference)));
  const keep = (e: HaplotypeEntry, r: number, f: SwForward): void => {
    if (f.max > 0 && (f.max >= threshold || (o.forceAlignment && e.isReference))) { e.readScore[r] = f.max; e.pending.set(r, f); }
  };
  if (unplaced.length > 0 && targets.length > 0) {
    readCodes = new Array<Uint8Array>(nReads); // only the unplaced reads are aligned by Smith-Waterman
    for (const r of unplaced) readCodes[r] = encodeBases(seqs[r]!);
    let maxLen = 0;
    for (const r of unplaced) maxLen = Math.max(maxLen, readCodes[r]!.length);
    let maxTarget = 0;
    for (const e of targets) maxTarget = Math.max(maxTarget, hapCodes[e.index]!.length);
    const lanes = LaneAligner.fits(maxLen, maxTarget, o) ? laneAligner() : undefined;
    if (lanes) {
      const targetCodes = targets.map((e) => hapCodes[e.index]!);
      for (let b = 0; b < unplaced.length; b += LANE_COUNT) {
        const batch = unplaced.slice(b, b + LANE_COUNT);
        const res = lanes.forward(batch.map((r) => readCodes![r]!), targetCodes, o);
        for (let q = 0; q < batch.length; q++) for (let t = 0; t < targets.length; t++) keep(targets[t]!, batch[q]!, res[q]![t]!);
      }
    } else {
      const cache = new PrefixCache(); // the haplotypes are sorted: consecutive ones share prefixes
      for (const r of unplaced) {
        for (const e of targets) keep(e, r, smithWatermanForward(readCodes[r]!, hapCodes[e.index]!, o, hapSeeds[e.index] ??= new SeedIndex(hapCodes[e.index]!), cache));
      }
    }
  }

  // 5. order entries by haplotype score (ascending), as std::sort leaves them.
  libstdcxxSort(entries, (x, y) => x.score < y.score);

  // 6. best haplotype per read and the merged alignment.
  const out: AlignedReadResult[] = [];
  for (let r = 0; r < nReads; r++) {
    const read = reads[r]!;
    let best = 0;
    let bestEntry: HaplotypeEntry | undefined;
    for (const e of entries) {
      if (!e.valid) continue;
      const s = e.readScore[r]!;
      if (s > best || (best > 0 && s === best && !e.isReference)) {
        best = s;
        bestEntry = e;
      }
    }
    if (!bestEntry) {
      out.push({ read: o.forceAlignment ? undefined : read, outcome: 'unaligned', haplotype: -1 });
      continue;
    }
    if (!bestEntry.aligned) alignToReference(bestEntry);
    const fwd = bestEntry.pending.get(r);
    let p: number;
    let readToHap: CigarUnit[];
    if (fwd) {
      const a = finishAlignment(readCodes![r]!, hapCodes[bestEntry.index]!, fwd, o);
      p = a.refBegin;
      readToHap = parseAlignerCigar(a.cigar);
    } else {
      p = bestEntry.readPosition[r]!;
      readToHap = [{ op: OP_M, len: seqs[r]!.length }]; // `${length}=`
    }
    if (p >= bestEntry.shifts.length) throw new Error(`internal: read position ${p} past haplotype ${bestEntry.index}`);
    const offset = bestEntry.refPos + p + bestEntry.shifts[p]!;
    let ops = mergeReadToRef(seqs[r]!.length, readToHap, bestEntry.ops, p);
    if (!o.normalizeReads && !isAlignmentNormalized(ops, offset, setup.reference, seqs[r]!)) ops = [];
    if (ops.length === 0) {
      out.push({ read, outcome: 'not-normalized', haplotype: bestEntry.index });
      continue;
    }
    // Most reads keep their start and CIGAR: then the read itself is the result (no copy).
    const start = setup.refStart + offset;
    out.push({
      read: start === read.start && sameCigar(ops, read.cigar) ? read : withAlignment(read, start, packCigar(ops)),
      outcome: 'realigned',
      haplotype: bestEntry.index,
    });
  }
  return out;
}
