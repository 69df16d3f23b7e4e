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
const ACGT_OF = Uint8Array.of(0, 1, 1, 1, 1);

export interface ReferenceContext {
  readonly homopolymer: number;
  readonly repeatUnit: number;
  readonly repeatCopies: number;
  readonly gc: number | undefined;
}

/** What `contextInto` fills (one object reused from site to site: no allocation per site). */
export interface MutableReferenceContext {
  homopolymer: number;
  repeatUnit: number;
  repeatCopies: number;
  gc: number | undefined;
}

/**
 * A stretch of one contig's reference as base codes and as two bit planes (bit 0 and bit 1 of
 * each code: A 01, C 10, G 11, T 00, 32 bases a word), with G+C counts per word (the high
 * plane is G or C) and, for a block with other codes, A+C+G+T prefix counts, so that the GC of
 * any window is a few subtractions. `load` refills the same arrays for the next stretch (a diff
 * walks the genome block by block: no new 1 MiB arrays per block).
 */
export class ReferenceBlock {
  private acgtPrefix = new Int32Array(0);
  private codes = new Uint8Array(0);
  /** The codes four at a time (for `encode` and `pack`). */
  private quads = new Uint32Array(0);
  /** Bit 0 and bit 1 of the codes: base k at bit k & 31 of word k >> 5. */
  private lowBits = new Uint32Array(0);
  private highBits = new Uint32Array(0);
  /** G+C before each word of the planes. */
  private gcWords = new Int32Array(0);
  private n = 0;
  /** True when every base of the block is one of A, C, G, T (either case): acgtPrefix unused. */
  private pure = false;
  contig = '';
  start = 0;
  contigLength = 0;

  /** `seq` covers [start, start + seq.length) of `contig`, whose length is `contigLength`. */
  constructor(contig: string, start: number, seq: string, contigLength: number) {
    this.load(contig, start, seq, contigLength);
  }

  /** Makes the block hold `seq` = [start, start + seq.length) of `contig` instead. */
  load(contig: string, start: number, seq: string, contigLength: number): void {
    const n = seq.length;
    this.contig = contig;
    this.start = start;
    this.contigLength = contigLength;
    this.n = n;
    // Sized by the prefix counts' n + 1: the codes are rounded up to whole 32-bit words.
    if (this.acgtPrefix.length <= n) {
      this.codes = new Uint8Array((n + 3) & ~3);
      this.quads = new Uint32Array(this.codes.buffer, 0, this.codes.length >> 2);
      this.acgtPrefix = new Int32Array(n + 1);
      // One word more than the bases need: a 32-base window starting in the last word reads the next.
      this.lowBits = new Uint32Array((n >> 5) + 2);
      this.highBits = new Uint32Array((n >> 5) + 2);
      this.gcWords = new Int32Array((n >> 5) + 2);
    }
    const codes = this.codes;
    const written = Buffer.from(codes.buffer, codes.byteOffset, n).write(seq, 0, n, 'latin1');
    if (written !== n) throw new Error(`reference block: wrote ${written} of ${n} bases`);
    encode(codes, this.quads, n);
    // Most blocks hold only A, C, G, T: then every base counts and the A+C+G+T prefix is not
    // needed; it is filled (another pass over the codes) only for a block with N or IUPAC codes.
    this.pure = pack(codes, this.quads, n, this.lowBits, this.highBits, this.gcWords);
    if (!this.pure) acgtPrefixOf(codes, n, this.acgtPrefix);
  }

  get end(): number {
    return this.start + this.n;
  }

  /** True when the block holds everything `contextAt(i, refLen)` reads (or the contig ends first). */
  covers(i: number, refLen: number): boolean {
    const lo = Math.max(0, i - 1 - REPEAT_REACH - MAX_REPEAT_PERIOD);
    const hi = Math.min(this.contigLength, i + refLen + 1 + REPEAT_REACH + MAX_REPEAT_PERIOD);
    return lo >= this.start && hi <= this.end;
  }

  /** The context of an allele starting at 0-based `i` with a REF of `refLen` bases. */
  contextAt(i: number, refLen: number): ReferenceContext {
    const out: MutableReferenceContext = { homopolymer: 1, repeatUnit: 0, repeatCopies: 0, gc: undefined };
    this.contextInto(i, refLen, out);
    return out;
  }

  /** `contextAt` into `out` (reused by the caller). */
  contextInto(i: number, refLen: number, out: MutableReferenceContext): void {
    if (!this.repeatsByWindow(i, refLen, out)) this.repeatsByScan(i, refLen, out);
    this.gcInto(i, refLen, out);
  }

  /**
   * The homopolymer and tandem repeat from the bit planes (`repeatsInWindow`) when the site's
   * 32-base window is all A, C, G, T inside the block; false (nothing written) otherwise, or
   * when a stretch reaches the window's ends. @internal (tested against `repeatsByScan`)
   */
  repeatsByWindow(i: number, refLen: number, out: MutableReferenceContext): boolean {
    const n = this.n;
    const wLo = Math.max(0, i - 1 - this.start);
    const wHi = Math.min(n - 1, i + (refLen > 1 ? refLen : 1) - this.start);
    const s = windowStart(wLo, wHi);
    return s >= 0 && s + WINDOW <= n && (this.pure || this.acgtPrefix[s + WINDOW]! - this.acgtPrefix[s]! === WINDOW) &&
      repeatsInWindow(this.lowBits, this.highBits, this.codes, s, wLo, wHi, out);
  }

  /**
   * The homopolymer and tandem repeat base by base (every site; the reference of
   * `repeatsByWindow`): for each period, the maximal stretches found from the window's periodic
   * positions and followed at most `REPEAT_REACH` bases beyond it (clipped to the block). @internal
   */
  repeatsByScan(i: number, refLen: number, out: MutableReferenceContext): void {
    const codes = this.codes;
    const n = this.n;
    // Block-relative coordinates from here on.
    const wLo = Math.max(0, i - 1 - this.start);
    const wHi = Math.min(n - 1, i + (refLen > 1 ? refLen : 1) - this.start);
    const reachLo = Math.max(0, wLo - REPEAT_REACH);
    const reachHi = Math.min(n, wHi + 1 + REPEAT_REACH);
    let homopolymer = 1;
    let bestSpan = 0;
    let bestUnit = 0;
    for (let L = 1; L <= MAX_REPEAT_PERIOD; L++) {
      // Maximal stretches [lo, hi) with codes[k] = codes[k + L] ≠ 0 for k in [lo, hi − L).
      // A stretch overlaps the window when one of its periodic positions k (k and k + L
      // equal) has k ≤ wHi and k + L ≥ wLo.
      const kMax = reachHi - L; // k + L < reachHi
      const kLast = Math.min(wHi, kMax - 1);
      let k = Math.max(reachLo, wLo - L);
      while (k <= kLast) {
        const c = codes[k]!;
        if (c === 0 || c !== codes[k + L]) {
          // A period L ≥ 2 counts only from L periodic positions in a row (two whole copies),
          // and such a run holds one of every L-th position from here, or the range's last
          // one: only those are looked at (a homopolymer counts from one position).
          k = L === 1 || k === kLast ? k + 1 : Math.min(k + L, kLast);
          continue;
        }
        let lo = k;
        while (lo > reachLo) {
          const d = codes[lo - 1]!;
          if (d === 0 || d !== codes[lo - 1 + L]) break;
          lo--;
        }
        let last = k; // last k with codes[k] = codes[k + L]
        while (last + 1 < kMax) {
          const d = codes[last + 1]!;
          if (d === 0 || d !== codes[last + 1 + L]) break;
          last++;
        }
        const span = last + L + 1 - lo;
        if (last + L >= wLo) {
          if (L === 1) { if (span > homopolymer) homopolymer = span; } else if (span >= 2 * L && span > bestSpan && primitive(codes, lo, L)) { bestSpan = span; bestUnit = L; }
        }
        k = last + 1;
      }
    }
    setRepeats(out, homopolymer, bestSpan, bestUnit);
  }

  private gcInto(i: number, refLen: number, out: MutableReferenceContext): void {
    const off = this.start;
    const n = this.n;
    const gLo = Math.max(0, Math.max(0, i - GC_FLANK) - off);
    const gHi = Math.min(n, Math.min(this.contigLength, i + refLen + GC_FLANK) - off);
    const acgt = this.pure ? gHi - gLo : this.acgtPrefix[gHi]! - this.acgtPrefix[gLo]!;
    const gc = gcBefore(this.highBits, this.gcWords, gHi) - gcBefore(this.highBits, this.gcWords, gLo);
    out.gc = acgt === 0 ? undefined : gc / acgt;
  }
}

function setRepeats(out: MutableReferenceContext, homopolymer: number, bestSpan: number, bestUnit: number): void {
  const copies = bestUnit > 0 ? Math.floor(bestSpan / bestUnit) : 0;
  out.homopolymer = homopolymer;
  out.repeatUnit = copies >= 2 ? bestUnit : 0;
  out.repeatCopies = copies >= 2 ? copies : 0;
}

/** Bases in the window `repeatsInWindow` reads: one word of each bit plane. */
const WINDOW = 32;
/** The widest window [wLo, wHi] (wHi − wLo) the 32-base window serves: a REF of up to 8 bases. */
const MAX_WINDOW_SPAN = 9;

/**
 * Where the 32-base window of [wLo, wHi] starts, or −1 when the site's window is too wide.
 * At most wLo − 11 and at least wHi − 20 (so wHi − wLo ≤ 9): then for every period L ≤ 6 the
 * periodic positions [wLo − L, wHi] have L − 1 more inside the window before and after them, so
 * a stretch of the site that reaches an end of the window holds L periodic positions in a row
 * inside it (what `repeatsInWindow`'s quick test looks for) — and is then left to the scan.
 */
function windowStart(wLo: number, wHi: number): number {
  const span = wHi - wLo;
  return span > MAX_WINDOW_SPAN ? -1 : wLo - 2 * MAX_REPEAT_PERIOD + 1 - ((MAX_WINDOW_SPAN - span) >> 1);
}

/**
 * `repeatsByScan` for a site whose window lies inside the 32 bases [s, s + 32) of A, C, G, T,
 * a word at a time: bit j of the period's `matches` says base s + j equals base s + j + L, so
 * the stretches of period L are runs of set bits. False (nothing written) when a stretch of the
 * site reaches an end of the window: it may go on beyond, and the scan follows it. Otherwise
 * every stretch of the site ends inside the window, as the scan would find it (its first base
 * is the scan's, so `primitive` reads the same unit).
 */
function repeatsInWindow(lowBits: Uint32Array, highBits: Uint32Array, codes: Uint8Array, s: number, wLo: number, wHi: number, out: MutableReferenceContext): boolean {
  const q = s >> 5;
  const r = s & 31;
  // Funnel shifts (the second shift in two steps: a shift by 32 is a shift by 0 in JavaScript).
  const x0 = (lowBits[q]! >>> r) | ((lowBits[q + 1]! << 1) << (31 - r));
  const x1 = (highBits[q]! >>> r) | ((highBits[q + 1]! << 1) << (31 - r));
  const lo = wLo - s;
  const hi = wHi - s;
  // Homopolymer: the runs of one base through the window's first and last base, and (a
  // window of four bases or more) the longest run strictly between them.
  const same = ~((x0 ^ (x0 >>> 1)) | (x1 ^ (x1 >>> 1))) & 0x7fffffff; // j < 31 only
  const downLo = equalBelow(same, lo);
  const upHi = equalAbove(same, hi);
  if (downLo >= lo || hi + upHi >= 31) return false;
  let homopolymer = Math.max(1 + downLo + equalAbove(same, lo), 1 + equalBelow(same, hi) + upHi);
  if (hi - lo > 2) {
    let inside = same & ((1 << (hi - 1)) - 1) & ~((2 << lo) - 1);
    let run = 0;
    for (; inside !== 0; run++) inside &= inside >>> 1;
    if (run + 1 > homopolymer) homopolymer = run + 1;
  }
  // Tandem repeats of period L: the runs of at least L periodic positions (two whole copies)
  // that meet the window's periodic positions [wLo − L, wHi].
  let bestSpan = 0;
  let bestUnit = 0;
  for (let L = 2; L <= MAX_REPEAT_PERIOD; L++) {
    const matches = ~((x0 ^ (x0 >>> L)) | (x1 ^ (x1 >>> L))) & (-1 >>> L); // j < 32 − L only
    // Where L periodic positions in a row start: from runs of ⌈L/2⌉ by one shift.
    const two = matches & (matches >>> 1);
    const half = L < 4 ? (L === 2 ? matches : two) : (L === 4 ? two : two & (matches >>> 2));
    // Such a start j meets [wLo − L, wHi] when j ∈ [wLo − 2L + 1, wHi]; mostly there is none.
    let t = half & (half >>> (L >> 1)) & ((2 << hi) - 1) & ~((1 << (lo - 2 * L + 1)) - 1);
    while (t !== 0) {
      const p = 31 - Math.clz32(t & -t);
      const first = 32 - Math.clz32(~matches & ((1 << p) - 1)); // above the run's highest gap below p
      const rest = ~matches >>> p;
      const last = p + 30 - Math.clz32(rest & -rest); // below the run's lowest gap from p
      if (first === 0 || last === 31 - L) return false;
      const span = last + L + 1 - first;
      if (span > bestSpan && primitive(codes, s + first, L)) { bestSpan = span; bestUnit = L; }
      t &= ~((2 << last) - 1);
    }
  }
  setRepeats(out, homopolymer, bestSpan, bestUnit);
  return true;
}

/** Bases equal to base j just above it: the set bits of `same` from bit j up. */
function equalAbove(same: number, j: number): number {
  const rest = ~same >>> j;
  return 31 - Math.clz32(rest & -rest);
}

/** Bases equal to base j (0 < j < 32) just below it, or more than j when all of them are. */
function equalBelow(same: number, j: number): number {
  return Math.clz32(~same << (32 - j));
}

/**
 * Bytes → base codes in place through a lookup table (A 1, C 2, G 3, T 4, either case; anything
 * else 0), four bytes a load and a store (each byte keeps its place whatever the byte order):
 * 0.56 against 1.15 ms per MiB for a byte at a time (a micro-benchmark, best of 30).
 */
function encode(codes: Uint8Array, quads: Uint32Array, n: number): void {
  const full = n >> 2;
  for (let j = 0; j < full; j++) {
    const v = quads[j]!;
    quads[j] = BASE_CODE[v & 255]! | (BASE_CODE[(v >>> 8) & 255]! << 8) | (BASE_CODE[(v >>> 16) & 255]! << 16) | (BASE_CODE[v >>> 24]! << 24);
  }
  for (let k = full * 4; k < n; k++) codes[k] = BASE_CODE[codes[k]!]!;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The bit planes of the codes and the G+C count before each word; true when no code is 0 (every
 * base one of A, C, G, T). Four codes at a time: bit 0 (bit 1) of four bytes gathered into four
 * bits by one multiplication (the byte's bits land on bits 24…27, no two products overlap), a
 * zero byte found by the usual (v − 0x01…) & ~v & 0x80… test. With the code loop 1.9 ms per
 * MiB, against 4.4 ms for the planes built in the code loop next to the per-base G+C prefix
 * counts, and 2.1 ms for the prefix counts alone (before the planes; a micro-benchmark). A 0 gets the
 * planes of T (00): a window with one is never read from the planes, and it is not G or C.
 */
function pack(codes: Uint8Array, quads: Uint32Array, n: number, lowBits: Uint32Array, highBits: Uint32Array, gcWords: Int32Array): boolean {
  const full = LITTLE_ENDIAN ? n >> 5 : 0;
  let zero = 0;
  let gc = 0;
  for (let w = 0; w < full; w++) {
    let lo = 0;
    let hi = 0;
    for (let j = 0; j < 8; j++) {
      const v = quads[w * 8 + j]!;
      zero |= (v - 0x01010101) & ~v & 0x80808080;
      lo |= (Math.imul(v & 0x01010101, 0x01020408) >>> 24) << (4 * j);
      hi |= (Math.imul((v >>> 1) & 0x01010101, 0x01020408) >>> 24) << (4 * j);
    }
    gcWords[w] = gc;
    gc += popcount(hi);
    lowBits[w] = lo;
    highBits[w] = hi;
  }
  // The last, partial word (every word on a big-endian machine) a base at a time.
  for (let w = full; w <= n >> 5; w++) {
    let lo = 0;
    let hi = 0;
    for (let k = w * 32; k < Math.min(n, w * 32 + 32); k++) {
      const code = codes[k]!;
      if (code === 0) zero = 1;
      lo |= (code & 1) << (k & 31);
      hi |= ((code >> 1) & 1) << (k & 31);
    }
    gcWords[w] = gc;
    gc += popcount(hi);
    lowBits[w] = lo;
    highBits[w] = hi;
  }
  return zero === 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** G+C of the block's bases before `p` (0 ≤ p ≤ n). */
function gcBefore(highBits: Uint32Array, gcWords: Int32Array, p: number): number {
  const w = p >> 5;
  return gcWords[w]! + popcount(highBits[w]! & ((1 << (p & 31)) - 1));
}

/** The A+C+G+T prefix counts of encoded bases. */
function acgtPrefixOf(codes: Uint8Array, n: number, acgtP: Int32Array): void {
  let acgt = 0;
  acgtP[0] = 0;
  for (let k = 0; k < n; k++) {
    acgt += ACGT_OF[codes[k]!]!;
    acgtP[k + 1] = acgt;
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
