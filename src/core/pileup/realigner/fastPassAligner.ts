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

interface ReadAlignment {
  score: number;
  position: number;
  cigar: string;
  /** A Smith-Waterman forward pass whose begin cell and CIGAR are not computed yet (only the read's best haplotype needs them). */
  pending?: SwForward;
}

interface HaplotypeEntry {
  readonly index: number;
  score: number;
  readonly reads: ReadAlignment[];
  cigar: string;
  ops: CigarUnit[];
  refPos: number;
  isReference: boolean;
  /** False when the haplotype did not align to the reference at all (left out). */
  valid: boolean;
  shifts: Int32Array;
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

const HASH_BASE = 0x01000193;

/** Polynomial hash (mod 2^32) of bytes[at, at + k). */
function windowHash(bytes: Uint8Array, at: number, k: number): number {
  let h = 0;
  for (let x = 0; x < k; x++) h = (Math.imul(h, HASH_BASE) + bytes[at + x]!) | 0;
  return h;
}

/** The hash of the window one byte further: `out` leaves, `inc` enters; `top` is HASH_BASE^(k−1). */
function rollHash(h: number, out: number, inc: number, top: number): number {
  return (Math.imul((h - Math.imul(out, top)) | 0, HASH_BASE) + inc) | 0;
}

/**
 * Every k-mer of the reads (reads longer than k) with its occurrences, read then offset order,
 * looked up by a rolling hash and checked base by base (the same as a map keyed by k-mer strings).
 */
class ReadKmerIndex {
  readonly top: number;
  private readonly mask: number;
  private readonly head: Int32Array; // hash slot → k-mer id, or -1
  private readonly hashes: number[] = [];
  private readonly occ: number[][] = [];

  constructor(private readonly reads: readonly Uint8Array[], private readonly k: number) {
    let top = 1;
    for (let x = 1; x < k; x++) top = Math.imul(top, HASH_BASE);
    this.top = top;
    let total = 0;
    for (const r of reads) if (r.length > k) total += r.length - k + 1;
    let size = 16;
    while (size < 2 * total) size *= 2;
    this.mask = size - 1;
    this.head = new Int32Array(size).fill(-1);
    for (let r = 0; r < reads.length; r++) {
      const s = reads[r]!;
      if (s.length <= k) continue;
      let h = windowHash(s, 0, k);
      for (let i = 0; i + k <= s.length; i++) {
        if (i > 0) h = rollHash(h, s[i - 1]!, s[i + k - 1]!, top);
        const l = this.get(h, s, i);
        if (l) l.push(r * 65536 + i);
        else this.add(h, r * 65536 + i);
      }
    }
  }

  private add(h: number, packed: number): void {
    let slot = h & this.mask;
    while (this.head[slot] !== -1) slot = (slot + 1) & this.mask;
    this.head[slot] = this.occ.length;
    this.hashes.push(h);
    this.occ.push([packed]);
  }

  /** Occurrences of bytes[at, at + k) (whose hash is h), or undefined. */
  get(h: number, bytes: Uint8Array, at: number): number[] | undefined {
    const k = this.k;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.head[slot]!;
      if (id < 0) return undefined;
      if (this.hashes[id] !== h) continue;
      const l = this.occ[id]!;
      const rep = l[0]!;
      const rb = this.reads[Math.floor(rep / 65536)]!;
      const off = rep % 65536;
      let x = 0;
      while (x < k && rb[off + x] === bytes[at + x]) x++;
      if (x === k) return l;
    }
  }
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

  // 1. k-mer index of the reads: k-mer → packed (read id · 65536 + offset), in read then offset order.
  const readBytes = seqs.map((s) => Buffer.from(s, 'latin1'));
  const index = new ReadKmerIndex(readBytes, K);

  // 2. fast pass per haplotype.
  const entries: HaplotypeEntry[] = [];
  for (let h = 0; h < haps.length; h++) {
    const hap = haps[h]!;
    const isRef = hap === setup.reference;
    const aln: ReadAlignment[] = Array.from({ length: nReads }, () => ({ score: 0, position: NOT_ALIGNED, cigar: '' }));
    // Every placement found by position i starts at or before i, so position i is covered
    // (DeepVariant's per-base coverage count is > 0) exactly when some placement ends past it.
    let coveredEnd = 0;
    const hapBytes = Buffer.from(hap, 'latin1');
    // The last offset at which each read failed (> max mismatches): a failed comparison has no
    // effect, so repeating it for the read's other k-mers can be skipped.
    const lastFail = new Int32Array(nReads).fill(-1);
    let score = 0;
    let discarded = false;
    let hash = 0;
    for (let i = 0; i + K <= hap.length; i++) {
      hash = i === 0 ? windowHash(hapBytes, 0, K) : rollHash(hash, hapBytes[i - 1]!, hapBytes[i + K - 1]!, index.top);
      const occ = index.get(hash, hapBytes, i);
      if (!occ) continue;
      for (const packed of occ) {
        const r = Math.floor(packed / 65536);
        const off = packed % 65536;
        const t = Math.max(0, i - off);
        const s = seqs[r]!;
        const len = s.length;
        if (t + len > hap.length) continue;
        const a = aln[r]!;
        if (a.position !== NOT_ALIGNED && a.position === t) continue;
        if (lastFail[r] === t) continue;
        let mm = 0;
        let matches = 0;
        let ok = true;
        const rb = readBytes[r]!;
        const maxMm = o.maxNumMismatches + 1;
        for (let x = 0; x < len; x++) {
          const c1 = hapBytes[t + x]!;
          const c2 = rb[x]!;
          if (c1 !== c2 && c1 !== 78 && c2 !== 78) {
            mm++;
            if (mm === maxMm) { ok = false; break; }
          } else matches++;
        }
        if (!ok) { lastFail[r] = t; continue; } // scored 0 with too many mismatches
        const newScore = matches * o.match - mm * o.mismatch;
        if (t + len > coveredEnd) coveredEnd = t + len;
        if (a.score < newScore) {
          score += newScore - a.score;
          a.score = newScore;
          a.position = t;
          a.cigar = `${len}=`;
        }
      }
      if (coveredEnd <= i && i >= setup.refPrefixLength && i < hap.length - setup.refSuffixLength && !isRef) {
        score = 0;
        discarded = true;
        break;
      }
    }
    if (score === 0 || discarded) for (const a of aln) { a.score = 0; a.position = NOT_ALIGNED; a.cigar = ''; }
    entries.push({ index: h, score, reads: aln, cigar: '', ops: [], refPos: 0, isReference: false, valid: true, shifts: new Int32Array(0) });
  }

  // 3. haplotypes → reference.
  const refCodes = encodeBases(setup.reference);
  const hapCodes = haps.map((hp) => encodeBases(hp));
  const refSeeds = new SeedIndex(refCodes);
  const hapSeeds: (SeedIndex | undefined)[] = [];
  for (const e of entries) {
    const hap = haps[e.index]!;
    if (hap === setup.reference) {
      e.isReference = true;
      e.cigar = `${hap.length}=`;
      e.refPos = 0;
    } else {
      const a = smithWaterman(hapCodes[e.index]!, refCodes, o, refSeeds);
      if (a.score > 0) {
        e.isReference = a.cigar === `${hap.length}=`;
        e.cigar = a.cigar;
        e.refPos = a.refBegin;
      } else {
        e.valid = false;
      }
    }
    e.ops = parseAlignerCigar(e.cigar);
    e.shifts = positionShifts(hap.length, e.cigar);
  }

  // 4. Smith-Waterman for reads the fast pass could not place, against every haplotype that
  //    kept a score (the same haplotypes for every such read): eight reads at a time in vector
  //    lanes (swLanes.ts) when the engine can, else one by one.
  let readCodes: Uint8Array[] | undefined;
  const unplaced: number[] = [];
  for (let r = 0; r < nReads; r++) {
    let any = false;
    for (const e of entries) if (e.reads[r]!.score > 0) { any = true; break; }
    if (!any) unplaced.push(r);
  }
  const targets = entries.filter((e) => e.valid && (e.score !== 0 || (o.forceAlignment && e.isReference)));
  const keep = (e: HaplotypeEntry, r: number, f: SwForward): void => {
    if (f.max > 0 && (f.max >= threshold || (o.forceAlignment && e.isReference))) e.reads[r] = { score: f.max, position: -1, cigar: '', pending: f };
  };
  if (unplaced.length > 0 && targets.length > 0) {
    readCodes = seqs.map((s) => encodeBases(s));
    let maxLen = 0;
    for (const r of unplaced) maxLen = Math.max(maxLen, readCodes[r]!.length);
    const lanes = LaneAligner.fits(maxLen, o) ? laneAligner() : undefined;
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
      const s = e.reads[r]!.score;
      if (s > best || (best > 0 && s === best && !e.isReference)) {
        best = s;
        bestEntry = e;
      }
    }
    if (!bestEntry) {
      out.push({ read: o.forceAlignment ? undefined : read, outcome: 'unaligned', haplotype: -1 });
      continue;
    }
    const ra = bestEntry.reads[r]!;
    if (ra.pending) {
      const a = finishAlignment(readCodes![r]!, hapCodes[bestEntry.index]!, ra.pending, o);
      ra.position = a.refBegin;
      ra.cigar = a.cigar;
      ra.pending = undefined;
    }
    const p = ra.position;
    if (p >= bestEntry.shifts.length) throw new Error(`internal: read position ${p} past haplotype ${bestEntry.index}`);
    const offset = bestEntry.refPos + p + bestEntry.shifts[p]!;
    let ops = mergeReadToRef(seqs[r]!.length, parseAlignerCigar(ra.cigar), bestEntry.ops, p);
    if (!o.normalizeReads && !isAlignmentNormalized(ops, offset, setup.reference, seqs[r]!)) ops = [];
    if (ops.length === 0) {
      out.push({ read, outcome: 'not-normalized', haplotype: bestEntry.index });
      continue;
    }
    out.push({
      read: withAlignment(read, setup.refStart + offset, packCigar(ops)),
      outcome: 'realigned',
      haplotype: bestEntry.index,
    });
  }
  return out;
}
