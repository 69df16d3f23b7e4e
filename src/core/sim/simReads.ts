/**
 * Paired-end 2×150 reads drawn from a sample's two haplotypes and "aligned" back to the
 * reference with the alignment the simulator knows to be true (CIGAR from the
 * haplotype→reference map, indels left-aligned like an aligner reports them).
 *
 * Model (Illumina-like): fragment length ~N(350, 50); per-cycle qualities from the 8-level
 * binned scheme (2, 6, 15, 22, 27, 33, 37, 40) drifting lower along the read, with
 * substitution errors at the rate each quality promises (≈0.1% at cycle 1, ≈1% at cycle
 * 150); 3% of reads end in a Q2 tail; ~1% of fragments are shorter than a read (adapter
 * read-through, soft-clipped); 0.4% of reads carry a chimeric tail (soft-clipped); 2% of
 * pairs have a PCR duplicate flagged 0x400; 0.1% of pairs have an unmapped mate; reads
 * inside duplicated segments get MAPQ 0–3 and land on either copy. Coordinates 0-based.
 */
import { CigarOp, Flag } from '../io/sam/alignedRead';
import type { WritableRead } from '../io/sam/bamWriter';
import type { Rng } from './prng';
import type { Interval, SimGenome } from './simGenome';
import type { Haplotype } from './simVariants';

export const READ_LENGTH = 150;
const QUAL_BINS = [2, 6, 15, 22, 27, 33, 37, 40];
const EARLY = [0.0005, 0.001, 0.004, 0.01, 0.02, 0.06, 0.25, 0.6545];
const LATE = [0.007, 0.012, 0.025, 0.05, 0.08, 0.16, 0.37, 0.296];
/** TruSeq adapter start, read through when the fragment is shorter than the read. */
const ADAPTER = 'AGATCGGAAGAGCACACGTCTGAACTCCAGTCACATCACGATCTCGTATGCCGTCTTCTGCTTGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * Quality bin per (cycle, 10-bit uniform draw): row `cycle` of 1024 entries maps a draw to
 * a bin with the cycle's interpolated weights. One table lookup per base keeps the
 * simulator fast (~100 M bases per run). Built on the first simulation, not when the module
 * loads: every CLI command loads this module, and the table cost ~40 ms of each start-up.
 */
let binTable: Uint8Array | undefined;
const qualityBinTable = (): Uint8Array => (binTable ??= buildBinTable());
function buildBinTable(): Uint8Array {
  const t = new Uint8Array(READ_LENGTH * 1024);
  for (let c = 0; c < READ_LENGTH; c++) {
    const x = c / (READ_LENGTH - 1);
    const w = EARLY.map((e, i) => e + (LATE[i]! - e) * x);
    const total = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    const cum = w.map((v) => (acc += v / total));
    for (let k = 0; k < 1024; k++) {
      let bin = 0;
      while (bin < 7 && (k + 0.5) / 1024 >= cum[bin]!) bin++;
      t[c * 1024 + k] = bin;
    }
  }
  return t;
}
/** Substitution probability for a bin: the Phred promise, capped (Q2 bases are not 63% wrong in practice). */
const ERROR_P = QUAL_BINS.map((q) => Math.min(0.4, 10 ** (-q / 10)));
/** ERROR_P scaled to a 22-bit threshold, compared with the low bits of the same draw. */
const ERROR_THRESHOLD = ERROR_P.map((p) => Math.round(p * (1 << 22)));
const COMPLEMENT = new Uint8Array(256);
for (const [a, b] of [['A', 'T'], ['C', 'G'], ['G', 'C'], ['T', 'A'], ['N', 'N']] as const) COMPLEMENT[a.charCodeAt(0)] = b.charCodeAt(0);
const ACGT = [65, 67, 71, 84];
// Hot loops read these module constants rather than the CigarOp enum object.
const OP_M: number = CigarOp.M;
const OP_I: number = CigarOp.I;
const OP_D: number = CigarOp.D;
const OP_S: number = CigarOp.S;
const EMPTY = new Uint8Array(0);
/** Adapter bases read through on a forward read of a fragment `READ_LENGTH - n` long, and its reverse complement. */
const ADAPTER_TAILS = Array.from({ length: READ_LENGTH + 1 }, (_, n) => {
  const fwd = Uint8Array.from(ADAPTER.slice(0, n), (c) => c.charCodeAt(0));
  return { fwd, rc: Uint8Array.from(fwd, (x) => COMPLEMENT[x]!).reverse() };
});

export interface SampleReadOptions {
  readonly sample: string;
  readonly readGroup: string;
  readonly coverage: number;
  /** Windows where coverage drops to `lowCoverage` (0-based half-open). */
  readonly lowCoverageWindows: readonly Interval[];
  readonly lowCoverage: number;
}

interface Placed {
  contig: number;
  start: number;
  end: number;
  cigar: number[];
  seq: Uint8Array;
  qual: Uint8Array;
  reverse: boolean;
  nm: number;
  mapq: number;
  unmapped: boolean;
}

/**
 * All reads of one sample over the genome, unsorted. `haplotypes[contig][h]` are the
 * sample's two haplotypes of each contig.
 */
export function simulateSampleReads(rng: Rng, genome: SimGenome, haplotypes: readonly (readonly [Haplotype, Haplotype])[], options: SampleReadOptions): WritableRead[] {
  const reads: WritableRead[] = [];
  let pairNo = 0;
  const refCodes = genome.seqs.map((s) => Buffer.from(s, 'latin1'));
  const dupRegions: { at: Interval; other: Interval }[] = genome.duplicated.flatMap((d) => [{ at: d.source, other: d.copy }, { at: d.copy, other: d.source }]);
  const findDup = (contig: number, start: number, end: number): { at: Interval; other: Interval } | undefined =>
    dupRegions.find((d) => d.at.contig === contig && d.at.start <= start && end <= d.at.end);

  /** Turns haplotype bases [a, b) (+ soft-clipped extra bases) into a placed read. */
  const place = (contig: number, hap: Haplotype, a: number, b: number, leftClip: Uint8Array, rightClip: Uint8Array, reverse: boolean): Placed | undefined => {
    const ops: number[] = [];
    const push = (op: number, len: number): void => {
      if (len <= 0) return;
      const last = ops[ops.length - 1];
      if (last !== undefined && (last & 0xf) === op) ops[ops.length - 1] = last + (len << 4);
      else ops.push((len << 4) | op);
    };
    const seq = new Uint8Array(leftClip.length + (b - a) + rightClip.length);
    seq.set(leftClip, 0);
    seq.set(hap.seq.subarray(a, b), leftClip.length);
    seq.set(rightClip, leftClip.length + (b - a));
    push(OP_S, leftClip.length);
    let start = -1;
    let prev = -1;
    let pendingIns = 0;
    let mRun = 0;
    for (let i = a; i < b; i++) {
      const rp = hap.refPos[i]!;
      if (rp < 0) { pendingIns++; continue; }
      if (start < 0) {
        // Bases before the first aligned one cannot be placed: soft clip, as an aligner would.
        push(OP_S, pendingIns);
        start = rp;
      } else if (pendingIns > 0 || rp !== prev + 1) {
        push(OP_M, mRun);
        mRun = 0;
        push(OP_I, pendingIns);
        if (rp > prev + 1) push(OP_D, rp - prev - 1);
      }
      pendingIns = 0;
      mRun++;
      prev = rp;
    }
    push(OP_M, mRun);
    if (start < 0) return undefined;
    push(OP_S, pendingIns + rightClip.length);
    // An aligner does not open an indel within 4 bases of a read end: it soft-clips those
    // bases instead. Apply that at both ends.
    start = trimEdgeIndels(ops, start);
    trimEdgeIndelsRight(ops);
    const end = start + refSpan(ops);
    return { contig, start, end, cigar: ops, seq, qual: new Uint8Array(seq.length), reverse, nm: 0, mapq: 60, unmapped: false };
  };

  /** NM: substitutions against the reference (after sequencing errors) plus inserted and deleted bases. */
  const editDistance = (p: Placed): number => {
    const ref = refCodes[p.contig]!;
    let nm = 0;
    let q = 0;
    let r = p.start;
    for (const c of p.cigar) {
      const len = c >>> 4;
      const op = c & 0xf;
      if (op === OP_M) {
        for (let k = 0; k < len; k++) if (p.seq[q + k] !== ref[r + k]) nm++;
        q += len; r += len;
      } else if (op === OP_I) { nm += len; q += len; }
      else if (op === OP_D) { nm += len; r += len; }
      else if (op === OP_S) q += len;
    }
    return nm;
  };

  /** Draws qualities by sequencing cycle and applies substitution errors. */
  const BIN_TABLE = qualityBinTable();
  const sequence = (p: Placed, lowTail: number): void => {
    const n = p.seq.length;
    for (let i = 0; i < n; i++) {
      const cycle = p.reverse ? n - 1 - i : i;
      // One 32-bit draw per base: the top 10 bits pick the quality bin, the low 22 bits
      // decide whether the base is wrong.
      const u = rng.u32();
      const bin = cycle >= n - lowTail ? 0 : BIN_TABLE[cycle * 1024 + (u >>> 22)]!;
      p.qual[i] = QUAL_BINS[bin]!;
      if ((u & 0x3fffff) < ERROR_THRESHOLD[bin]!) {
        if (bin === 0 && rng.chance(0.15)) p.seq[i] = 78; // N
        else {
          const old = p.seq[i]!;
          let nb = ACGT[rng.int(0, 3)]!;
          while (nb === old) nb = ACGT[rng.int(0, 3)]!;
          p.seq[i] = nb;
        }
      }
    }
  };

  const randomSeq = (len: number): Uint8Array => Uint8Array.from({ length: len }, () => ACGT[rng.int(0, 3)]!);
  const chimeraTail = (len: number): Uint8Array => {
    const c = rng.int(0, genome.seqs.length - 1);
    const s = rng.int(0, genome.seqs[c]!.length - len);
    return Buffer.from(genome.seqs[c]!.slice(s, s + len), 'latin1');
  };

  haplotypes.forEach((haps, contig) => {
    const refLen = genome.seqs[contig]!.length;
    const lowWindows = options.lowCoverageWindows.filter((w) => w.contig === contig);
    const pairs = Math.round((options.coverage * refLen) / (2 * READ_LENGTH));
    for (let k = 0; k < pairs; k++) {
      const h = rng.chance(0.5) ? 1 : 0;
      const hap = haps[h];
      let fragLen = Math.round(rng.normal(350, 50));
      if (rng.chance(0.01)) fragLen = rng.int(80, READ_LENGTH - 1); // adapter read-through
      fragLen = Math.max(80, Math.min(600, fragLen));
      if (fragLen >= hap.seq.length) continue;
      const fs = rng.int(0, hap.seq.length - fragLen);
      const mid = hap.refPos[fs + (fragLen >> 1)]!;
      if (mid >= 0 && lowWindows.some((w) => w.start <= mid && mid < w.end) && !rng.chance(options.lowCoverage / options.coverage)) continue;
      const copies = rng.chance(0.02) ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const pair = makePair(contig, hap, fs, fragLen);
        if (!pair) continue;
        const name = `${options.sample}:${String(++pairNo).padStart(7, '0')}`;
        emitPair(name, pair, copy === 1);
      }
    }
  });

  function makePair(contig: number, hap: Haplotype, fs: number, fragLen: number): [Placed, Placed] | undefined {
    const inner = Math.min(READ_LENGTH, fragLen);
    const adapterLen = READ_LENGTH - inner;
    // Left read: forward strand, reads into the adapter at its 3' end (right side).
    // Right read: reverse strand; its 3' adapter is on the left in reference orientation.
    let leftTail: Uint8Array = ADAPTER_TAILS[adapterLen]!.fwd;
    let rightHead: Uint8Array = ADAPTER_TAILS[adapterLen]!.rc;
    let la = fs;
    const lb = fs + inner;
    const ra = fs + fragLen - inner;
    let rb = fs + fragLen;
    let chimeraLeft = 0;
    let chimeraRight = 0;
    if (adapterLen === 0 && rng.chance(0.004)) chimeraLeft = rng.int(20, 60);
    if (adapterLen === 0 && rng.chance(0.004)) chimeraRight = rng.int(20, 60);
    if (chimeraLeft) leftTail = chimeraTail(chimeraLeft);
    if (chimeraRight) rightHead = Uint8Array.from(chimeraTail(chimeraRight), (x) => COMPLEMENT[x]!).reverse();
    const left = place(contig, hap, la, lb - chimeraLeft, EMPTY, leftTail, false);
    la = ra + chimeraRight;
    rb = fs + fragLen;
    const right = place(contig, hap, la, rb, rightHead, EMPTY, true);
    if (!left || !right) return undefined;
    sequence(left, rng.chance(0.03) ? rng.int(10, 50) : 0);
    sequence(right, rng.chance(0.03) ? rng.int(10, 50) : 0);
    left.nm = editDistance(left);
    right.nm = editDistance(right);
    // Multi-mapping: a pair inside a duplicated segment is placed on either copy with a
    // MAPQ of 0–3; a single read inside one stays next to its mate (mate rescue) but is
    // just as ambiguous.
    const dl = findDup(contig, left.start, left.end);
    const dr = findDup(contig, right.start, right.end);
    if (dl) left.mapq = rng.pick([0, 0, 1, 3]);
    if (dr) right.mapq = rng.pick([0, 0, 1, 3]);
    if (dl && dr && dl === dr && rng.chance(0.5)) {
      const shift = dl.other.start - dl.at.start;
      for (const p of [left, right]) {
        p.contig = dl.other.contig;
        p.start += shift;
        p.end += shift;
      }
    }
    // A few pairs whose second read failed to align (e.g. a polymerase error burst).
    if (rng.chance(0.001)) {
      right.unmapped = true;
      right.seq = randomSeq(READ_LENGTH);
      right.cigar = [];
      right.mapq = 0;
      right.contig = left.contig;
      right.start = left.start;
      right.end = left.start + 1;
    }
    return [left, right];
  }

  function emitPair(name: string, [left, right]: [Placed, Placed], duplicate: boolean): void {
    // Read 1 is the left (forward) read for half the fragments, the right one otherwise.
    const firstIsLeft = rng.chance(0.5);
    const both = !left.unmapped && !right.unmapped;
    const sameContig = left.contig === right.contig;
    const span = Math.max(left.end, right.end) - Math.min(left.start, right.start);
    const proper = both && sameContig && span <= 1000;
    for (const [self, mate, isLeft] of [[left, right, true], [right, left, false]] as const) {
      let flags = Flag.PAIRED;
      if (proper) flags |= Flag.PROPER_PAIR;
      if (self.unmapped) flags |= Flag.UNMAPPED;
      if (mate.unmapped) flags |= Flag.MATE_UNMAPPED;
      if (self.reverse && !self.unmapped) flags |= Flag.REVERSE;
      if (mate.reverse && !mate.unmapped) flags |= Flag.MATE_REVERSE;
      flags |= isLeft === firstIsLeft ? Flag.READ1 : Flag.READ2;
      if (duplicate) flags |= Flag.DUPLICATE;
      // TLEN: leftmost-start to rightmost-end, positive on the leftmost read (SAM spec §1.4).
      let tlen = 0;
      if (both && sameContig) tlen = isLeft ? span : -span;
      const tags: Record<string, string | number> = { RG: options.readGroup };
      if (!self.unmapped) tags.NM = self.nm;
      reads.push({
        name,
        flags,
        contig: genome.names[self.contig]!,
        start: self.start,
        mapq: self.unmapped ? 0 : self.mapq,
        cigar: Uint32Array.from(self.cigar),
        seq: Buffer.from(self.seq).toString('latin1'),
        qual: self.qual,
        mateContig: genome.names[mate.contig]!,
        mateStart: mate.start,
        tlen,
        tags,
      });
    }
  }

  return reads;
}

function refSpan(ops: readonly number[]): number {
  let n = 0;
  for (const c of ops) {
    const op = c & 0xf;
    if (op === OP_M || op === OP_D) n += c >>> 4;
  }
  return n;
}

/**
 * If the read's first aligned block is shorter than 5 bases and followed by an indel,
 * soft-clip that block (and the inserted bases; a deletion just moves the start).
 * Returns the new 0-based start.
 */
function trimEdgeIndels(ops: number[], start: number): number {
  while (true) {
    const firstM = ops.findIndex((c) => (c & 0xf) !== OP_S);
    const m = ops[firstM];
    const next = ops[firstM + 1];
    if (m === undefined || next === undefined || (m & 0xf) !== OP_M || (m >>> 4) >= 5) return start;
    const nextOp = next & 0xf;
    if (nextOp !== OP_I && nextOp !== OP_D) return start;
    let clip = (m >>> 4) + (nextOp === OP_I ? next >>> 4 : 0);
    start += (m >>> 4) + (nextOp === OP_D ? next >>> 4 : 0);
    // Fold into the preceding soft clip, if any.
    const removeFrom = firstM > 0 ? firstM - 1 : firstM;
    if (firstM > 0) clip += ops[firstM - 1]! >>> 4;
    ops.splice(removeFrom, firstM - removeFrom + 2, (clip << 4) | OP_S);
  }
}

function trimEdgeIndelsRight(ops: number[]): void {
  ops.reverse();
  // Same rule mirrored; the start does not move when trimming the right end.
  trimEdgeIndels(ops, 0);
  ops.reverse();
}
