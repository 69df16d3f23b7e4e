/**
 * The reference around a site, as the features of a diff see it (definitions in
 * docs/decisions/0016-site-features.md):
 *
 * * homopolymer: the longest run of one base that overlaps the window [i − 1, i + refLen]
 *   (0-based, closed: the base before the allele, the allele, the base after) — so an indel
 *   left-aligned against a run (anchor base, then the run) and a SNP inside or beside a run
 *   both see it;
 * * tandem repeat (short tandem repeats; a homopolymer is the feature above): for each
 *   period L = 2…6, the maximal stretches with seq[k] = seq[k + L] that overlap the same
 *   window and whose unit is primitive (not itself a repeat of a shorter unit: "AA" and
 *   "ATAT" are not units); the longest stretch wins (ties: the shorter period), and it counts
 *   when it holds at least two whole copies of its unit;
 * * GC: G+C over A+C+G+T within 50 bases of the allele ([i − 50, i + refLen + 50), clipped
 *   to the contig; N and other codes are not counted).
 *
 * Runs are followed at most `REPEAT_REACH` bases beyond the window on each side.
 */

export const MAX_REPEAT_PERIOD = 6;
export const GC_FLANK = 50;
export const REPEAT_REACH = 1000;

/** Base code of a byte: A 1, C 2, G 3, T 4 (lower-case, soft-masked bases too); anything else (N, IUPAC) 0 — never part of a run. */
const BASE_CODE = (() => {
  const t = new Uint8Array(256);
  [['A', 1], ['C', 2], ['G', 3], ['T', 4]].forEach(([b, c]) => { t[(b as string).charCodeAt(0)] = c as number; t[(b as string).toLowerCase().charCodeAt(0)] = c as number; });
  return t;
})();
const GC_OF = Uint8Array.of(0, 0, 1, 1, 0);

export interface ReferenceContext {
  readonly homopolymer: number;
  readonly repeatUnit: number;
  readonly repeatCopies: number;
  readonly gc: number | undefined;
}

/**
 * A stretch of one contig's reference (upper case) with G+C and A+C+G+T prefix counts, so
 * that the GC of any window is two subtractions.
 */
export class ReferenceBlock {
  private readonly gcPrefix: Int32Array;
  private readonly acgtPrefix: Int32Array;
  private readonly codes: Uint8Array;

  /** `seq` covers [start, start + seq.length) of `contig`, whose length is `contigLength`. */
  constructor(readonly contig: string, readonly start: number, seq: string, readonly contigLength: number) {
    const n = seq.length;
    // Bytes through a lookup table (A 1, C 2, G 3, T 4, either case; anything else 0).
    this.codes = Buffer.from(seq, 'latin1');
    const codes = this.codes;
    this.gcPrefix = new Int32Array(n + 1);
    this.acgtPrefix = new Int32Array(n + 1);
    let gc = 0;
    let acgt = 0;
    for (let k = 0; k < n; k++) {
      const code = BASE_CODE[codes[k]!]!;
      codes[k] = code;
      gc += GC_OF[code]!;
      acgt += code === 0 ? 0 : 1;
      this.gcPrefix[k + 1] = gc;
      this.acgtPrefix[k + 1] = acgt;
    }
  }

  get end(): number {
    return this.start + this.codes.length;
  }

  /** True when the block holds everything `contextAt(i, refLen)` reads (or the contig ends first). */
  covers(i: number, refLen: number): boolean {
    const lo = Math.max(0, i - 1 - REPEAT_REACH - MAX_REPEAT_PERIOD);
    const hi = Math.min(this.contigLength, i + refLen + 1 + REPEAT_REACH + MAX_REPEAT_PERIOD);
    return lo >= this.start && hi <= this.end;
  }

  /** The context of an allele starting at 0-based `i` with a REF of `refLen` bases. */
  contextAt(i: number, refLen: number): ReferenceContext {
    const codes = this.codes;
    const off = this.start;
    const wLo = Math.max(off, i - 1);
    const wHi = Math.min(this.end - 1, i + Math.max(1, refLen));
    const reachLo = Math.max(off, wLo - REPEAT_REACH);
    const reachHi = Math.min(this.end, wHi + 1 + REPEAT_REACH);
    let homopolymer = 1;
    let bestSpan = 0;
    let bestUnit = 0;
    for (let L = 1; L <= MAX_REPEAT_PERIOD; L++) {
      // Maximal stretches [lo, hi) with codes[k] = codes[k + L] ≠ 0 for k in [lo, hi − L).
      // A stretch overlaps the window when one of its periodic positions k (k and k + L
      // equal) has k ≤ wHi and k + L ≥ wLo.
      let k = Math.max(reachLo, wLo - L);
      while (k <= wHi) {
        if (!periodic(codes, k - off, L, reachHi - off)) { k++; continue; }
        let lo = k;
        while (lo - 1 >= reachLo && periodic(codes, lo - 1 - off, L, reachHi - off)) lo--;
        let last = k; // last k with codes[k] = codes[k + L]
        while (last + 1 + L < reachHi && periodic(codes, last + 1 - off, L, reachHi - off)) last++;
        const span = last + L + 1 - lo;
        if (last + L >= wLo) {
          if (L === 1) { if (span > homopolymer) homopolymer = span; } else if (span >= 2 * L && span > bestSpan && primitive(codes, lo - off, L)) { bestSpan = span; bestUnit = L; }
        }
        k = last + 1;
      }
    }
    const copies = bestUnit > 0 ? Math.floor(bestSpan / bestUnit) : 0;
    const gLo = Math.max(0, i - GC_FLANK) - off;
    const gHi = Math.min(this.contigLength, i + refLen + GC_FLANK) - off;
    const acgt = this.acgtPrefix[Math.min(gHi, codes.length)]! - this.acgtPrefix[Math.max(0, gLo)]!;
    const gc = this.gcPrefix[Math.min(gHi, codes.length)]! - this.gcPrefix[Math.max(0, gLo)]!;
    return {
      homopolymer,
      repeatUnit: copies >= 2 ? bestUnit : 0,
      repeatCopies: copies >= 2 ? copies : 0,
      gc: acgt === 0 ? undefined : gc / acgt,
    };
  }
}

/** True when codes[j, j + L) is not a repeat of a shorter unit (of a period dividing L). */
function primitive(codes: Uint8Array, j: number, L: number): boolean {
  for (let p = 1; p < L; p++) {
    if (L % p !== 0) continue;
    let repeats = true;
    for (let t = 0; t + p < L; t++) if (codes[j + t] !== codes[j + t + p]) { repeats = false; break; }
    if (repeats) return false;
  }
  return true;
}

/** codes[j] = codes[j + L] and both are bases (j, j + L inside [0, limit)). */
function periodic(codes: Uint8Array, j: number, L: number, limit: number): boolean {
  if (j < 0 || j + L >= limit) return false;
  const c = codes[j]!;
  return c !== 0 && c === codes[j + L];
}
