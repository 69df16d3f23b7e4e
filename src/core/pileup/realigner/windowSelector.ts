/**
 * DeepVariant's realignment window selector, VARIANT_READS model, as in 1.5
 * (`deepvariant/realigner/window_selector.py`, `window_selector.cc`; docs/deepvariant.md §11.4):
 *
 *  1. count alleles over the region expanded by `region_expansion_in_bp` (20) with an allele
 *     counter that skips reads with MAPQ < 20 and flags bases with quality < 20 as low quality;
 *  2. per position, +1 for every non-low-quality allele over its span: a substitution at its
 *     position; an insertion or soft clip of n bases over [anchor+1−n, anchor+1+n); a deletion
 *     of n bases over the deleted bases;
 *  3. positions whose count is within [min_num_supporting_reads, max_num_supporting_reads]
 *     (2..300) are candidates;
 *  4. candidates closer than 2·min_windows_distance (80) are merged into runs, and each run
 *     becomes the window [first − 80, last + 80).
 */
import { type AlignedRead, CigarOp } from '../../io/sam/alignedRead';
import type { RefWindow } from '../candidates/alleleCounter';
import { readKey } from '../candidates/readFilters';
import { doubled } from '../candidates/growable';

export interface WindowSelectorOptions {
  readonly minNumSupportingReads: number;
  readonly maxNumSupportingReads: number;
  readonly minMapq: number;
  readonly minBaseQuality: number;
  readonly minWindowsDistance: number;
  /** Windows wider than this are not assembled (checked by the realigner). */
  readonly maxWindowSize: number;
  readonly regionExpansionInBp: number;
}

/** `ws_*` flag defaults of make_examples 1.5 (deepvariant/realigner/realigner.py). */
export const DV_WINDOW_SELECTOR_OPTIONS: WindowSelectorOptions = {
  minNumSupportingReads: 2,
  maxNumSupportingReads: 300,
  minMapq: 20,
  minBaseQuality: 20,
  minWindowsDistance: 80,
  maxWindowSize: 1000,
  regionExpansionInBp: 20,
};

/** A 0-based half-open interval on the region's contig (may start below 0 or end past the contig). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

const CANONICAL = new Uint8Array(256);
CANONICAL[65] = 1; CANONICAL[67] = 1; CANONICAL[71] = 1; CANONICAL[84] = 1;

const SUB = 2;
const INS = 3; // insertion or soft clip: counted over the same span
const DEL = 4;

/** `variantReadCounts`' lists, reused across calls (grown by doubling). */
let wsPos = new Int32Array(256);
let wsKey = new Int32Array(256);
let wsType = new Uint8Array(256);
let wsLen = new Int32Array(256);
let wsLow = new Uint8Array(256);
let wpPos = new Int32Array(64);
let wpType = new Uint8Array(64);
let wpLen = new Int32Array(64);
let wpLow = new Uint8Array(64);

/**
 * Per-position VARIANT_READS counts over `expanded` (index i is position expanded.start + i).
 * `ref` must cover `expanded` and one base before the earliest read.
 *
 * The read alleles are those of the allele counter (candidates/alleleCounter.ts, DeepVariant's
 * allelecounter.cc) over `expanded` with MAPQ ≥ `minMapq` and base quality `minBaseQuality`:
 * per read, the CIGAR walked as `AlleleCounter.add` walks it (a base allele at the last base
 * of an M run and an indel anchored there: the later allele wins; indels without a canonical
 * anchor base, or with a non-ACGT inserted or deleted base, are skipped), one allele per
 * position and read key (`name/read number`; a later read with the same key replaces it).
 * Only the alleles' type, length and low-quality flag are kept.
 */
export function variantReadCounts(reads: readonly AlignedRead[], _contig: string, expanded: Window, ref: RefWindow, o: WindowSelectorOptions = DV_WINDOW_SELECTOR_OPTIONS): Int32Array {
  const n = expanded.end - expanded.start;
  const counts = new Int32Array(Math.max(0, n));
  if (n <= 0) return counts;
  if (ref.start > expanded.start || ref.start + ref.bases.length < expanded.end) throw new RangeError('the reference window must cover the counted interval');
  const start = expanded.start;
  const end = expanded.end;
  const minBq = o.minBaseQuality;
  const rb = ref.bases;
  const refLen = rb.length;
  // Non-reference alleles in commit order: position, read key id, type, span length (anchor
  // included), low quality (reused lists, grown by doubling).
  let aPos = wsPos;
  let aKey = wsKey;
  let aType = wsType;
  let aLen = wsLen;
  let aLow = wsLow;
  let nA = 0;
  const keyIds = new Map<string, number>();
  let sharedKey = false;
  // The read's pending alleles (M runs' last bases and indels; type 0: skipped indel, 1: reference base).
  let pPos = wpPos;
  let pType = wpType;
  let pLen = wpLen;
  let pLow = wpLow;
  let nP = 0;
  for (const read of reads) {
    if (read.mapq < o.minMapq) continue;
    const seq = read.seq;
    const qual = read.qual;
    let keyId = -1;
    nP = 0;
    let refPos = read.start;
    let readOff = 0;
    for (const c of read.cigar) {
      const len = c >>> 4;
      const op = c & 0xf;
      if (op === CigarOp.M || op === CigarOp.EQ || op === CigarOp.X) {
        const from = Math.max(0, start - refPos);
        const to = Math.min(len, end - refPos);
        // Every base but the run's last: only a canonical base differing from the reference
        // makes an allele (a base equal to the reference makes none, canonical or not), so a
        // stretch equal to the reference (one native comparison) is skipped.
        const mid = to < len - 1 ? to : len - 1;
        const r0 = refPos - ref.start;
        if (from < mid && !rb.startsWith(seq.substring(readOff + from, readOff + mid), r0 + from)) {
          for (let i = from; i < mid; i++) {
            const b = seq.charCodeAt(readOff + i);
            if (b === rb.charCodeAt(r0 + i) || !CANONICAL[b]) continue;
            if (keyId < 0) { keyId = keyIds.size; const id = keyIds.get(readKey(read)); if (id === undefined) keyIds.set(readKey(read), keyId); else { keyId = id; sharedKey = true; } }
            if (nA === aPos.length) { aPos = wsPos = doubled(aPos); aKey = wsKey = doubled(aKey); aType = wsType = doubled(aType); aLen = wsLen = doubled(aLen); aLow = wsLow = doubled(aLow); }
            aPos[nA] = refPos + i; aKey[nA] = keyId; aType[nA] = SUB; aLen[nA] = 1; aLow[nA] = (qual[readOff + i] ?? 0) < minBq ? 1 : 0; nA++;
          }
        }
        // The run's last base waits: an indel anchored there supersedes it.
        const last = len - 1;
        if (last >= from && last < to) {
          const b = seq.charCodeAt(readOff + last);
          if (CANONICAL[b]) {
            if (nP === pPos.length) { pPos = wpPos = doubled(pPos); pType = wpType = doubled(pType); pLen = wpLen = doubled(pLen); pLow = wpLow = doubled(pLow); }
            pPos[nP] = refPos + last; pType[nP] = rb.charCodeAt(r0 + last) === b ? 1 : SUB; pLen[nP] = 1; pLow[nP] = (qual[readOff + last] ?? 0) < minBq ? 1 : 0; nP++;
          }
        }
        refPos += len;
        readOff += len;
      } else if (op === CigarOp.I || op === CigarOp.S || op === CigarOp.D) {
        // MakeIndelReadAllele, anchored at refPos − 1.
        const anchor = readOff === 0 ? (refPos - 1 - ref.start >= 0 && refPos - 1 - ref.start < refLen ? rb.charCodeAt(refPos - 1 - ref.start) : 0) : readOff - 1 < seq.length ? seq.charCodeAt(readOff - 1) : 0;
        let type = 0;
        let low = 0;
        if (CANONICAL[anchor]) {
          if (op === CigarOp.D) {
            const i = refPos - ref.start;
            let ok = len > 0 && i >= 0 && i + len <= refLen;
            for (let x = 0; ok && x < len; x++) if (!CANONICAL[rb.charCodeAt(i + x)]) ok = false;
            if (ok) type = DEL;
          } else {
            let ok = readOff + len <= seq.length;
            let qsum = 0;
            for (let x = 0; ok && x < len; x++) {
              if (!CANONICAL[seq.charCodeAt(readOff + x)]) ok = false;
              qsum += qual[readOff + x] ?? 0;
            }
            if (ok) { type = INS; low = qsum < minBq * len ? 1 : 0; }
          }
        }
        if (nP === pPos.length) { pPos = wpPos = doubled(pPos); pType = wpType = doubled(pType); pLen = wpLen = doubled(pLen); pLow = wpLow = doubled(pLow); }
        pPos[nP] = refPos - 1; pType[nP] = type; pLen[nP] = len + 1; pLow[nP] = low; nP++;
        if (op === CigarOp.D) refPos += len;
        else readOff += len;
      } else if (op === CigarOp.N || op === CigarOp.P) {
        refPos += len;
      }
    }
    for (let i = 0; i < nP; i++) {
      const t = pType[i]!;
      const pos = pPos[i]!;
      if (t === 0 || pos < start || pos >= end) continue;
      // A later allele at the same position supersedes this one (a skipped indel does not).
      if (i + 1 < nP && pType[i + 1] !== 0 && pPos[i + 1] === pos) continue;
      if (t === 1) continue;
      if (keyId < 0) { keyId = keyIds.size; const id = keyIds.get(readKey(read)); if (id === undefined) keyIds.set(readKey(read), keyId); else { keyId = id; sharedKey = true; } }
      if (nA === aPos.length) { aPos = wsPos = doubled(aPos); aKey = wsKey = doubled(aKey); aType = wsType = doubled(aType); aLen = wsLen = doubled(aLen); aLow = wsLow = doubled(aLow); }
      aPos[nA] = pos; aKey[nA] = keyId; aType[nA] = t; aLen[nA] = pLen[i]!; aLow[nA] = pLow[i]!; nA++;
    }
  }
  // One allele per position and read key: the last one.
  let keep: Uint8Array | undefined;
  if (sharedKey) {
    keep = new Uint8Array(nA);
    const seen = new Set<number>();
    for (let x = nA - 1; x >= 0; x--) {
      const id = (aPos[x]! - start) * keyIds.size + aKey[x]!;
      if (!seen.has(id)) { seen.add(id); keep[x] = 1; }
    }
  }
  const diff = new Int32Array(n + 1);
  for (let x = 0; x < nA; x++) {
    if (aLow[x] || (keep && !keep[x])) continue;
    const i = aPos[x]! - start;
    const len = aLen[x]!;
    const t = aType[x]!;
    // The allele's span [from, to), clipped to the counted interval.
    const from = t === SUB ? i : t === INS ? i + 1 - (len - 1) : i + 1;
    const to = t === SUB ? i + 1 : i + len;
    const a = from > 0 ? from : 0;
    const b = to < n ? to : n;
    if (a < b) { diff[a]!++; diff[b]!--; }
  }
  let run = 0;
  for (let i = 0; i < n; i++) { run += diff[i]!; counts[i] = run; }
  return counts;
}

/** Candidate positions → windows (`_candidates_to_windows`), sorted by start then end. */
export function candidatesToWindows(positions: readonly number[], distance: number): Window[] {
  const sorted = [...positions].sort((a, b) => a - b);
  const out: Window[] = [];
  let first = NaN;
  let last = NaN;
  for (const p of sorted) {
    if (Number.isNaN(first)) { first = p; last = p; } else if (p > last + 2 * distance) {
      out.push({ start: first - distance, end: last + distance });
      first = p;
      last = p;
    } else last = p;
  }
  if (!Number.isNaN(first)) out.push({ start: first - distance, end: last + distance });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * `select_windows`: the windows of `region` that need assembly. No reads → no windows.
 * `contigLength` clamps the expanded counting interval.
 */
export function selectWindows(reads: readonly AlignedRead[], contig: string, region: Window, contigLength: number, ref: RefWindow, o: WindowSelectorOptions = DV_WINDOW_SELECTOR_OPTIONS): Window[] {
  if (reads.length === 0) return [];
  const expanded = { start: Math.max(region.start - o.regionExpansionInBp, 0), end: Math.min(region.end + o.regionExpansionInBp, contigLength) };
  const counts = variantReadCounts(reads, contig, expanded, ref, o);
  const candidates: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c >= o.minNumSupportingReads && c <= o.maxNumSupportingReads) candidates.push(expanded.start + i);
  }
  return candidatesToWindows(candidates, o.minWindowsDistance);
}
