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

/** 1 for a byte that is a base (A, C, G, T, either case: soft-masked bases too); 0 for anything else (N, IUPAC) — never part of a run. */
const IS_BASE = (() => {
  const t = new Uint8Array(256);
  for (const b of 'ACGTacgt') t[b.charCodeAt(0)] = 1;
  return t;
})();
/** Per byte: bit 0 set for a base (A+C+G+T), bit 1 for G or C (either case). */
const GC_ACGT = (() => {
  const t = new Uint8Array(256);
  for (const b of 'ACGTacgt') t[b.charCodeAt(0)] = 1 | ('CGcg'.includes(b) ? 2 : 0);
  return t;
})();

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
 * A stretch of one contig's reference, as its bytes (no per-base pass when a block is loaded:
 * a site looks up the bytes it reads; two bases are the same when their bytes differ at most
 * in the case bit, 0x20). GC is a count kept over a
 * window that slides with the sites (they come in genome order: each base enters and leaves
 * the window once), not prefix sums over every base of the block. `load` refills the same
 * array for the next stretch (a diff walks the genome block by block: no new 1 MiB array per
 * block).
 */
export class ReferenceBlock {
  private bytes = new Uint8Array(0);
  private n = 0;
  /** The GC window [gcLo, gcHi) (block-relative) and its G+C and A+C+G+T counts. */
  private gcLo = 0;
  private gcHi = 0;
  private gcCount = 0;
  private acgtCount = 0;
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
    if (this.bytes.length < n) this.bytes = new Uint8Array(n);
    const bytes = this.bytes;
    const written = Buffer.from(bytes.buffer, bytes.byteOffset, n).write(seq, 0, n, 'latin1');
    if (written !== n) throw new Error(`reference block: wrote ${written} of ${n} bases`);
    this.gcLo = 0;
    this.gcHi = 0;
    this.gcCount = 0;
    this.acgtCount = 0;
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
    const bases = this.bytes;
    const valid = IS_BASE;
    const off = this.start;
    const n = this.n;
    // Block-relative coordinates from here on.
    const wLo = Math.max(0, i - 1 - off);
    const wHi = Math.min(n - 1, i + (refLen > 1 ? refLen : 1) - off);
    const reachLo = Math.max(0, wLo - REPEAT_REACH);
    const reachHi = Math.min(n, wHi + 1 + REPEAT_REACH);
    let homopolymer = 1;
    let bestSpan = 0;
    let bestUnit = 0;
    for (let L = 1; L <= MAX_REPEAT_PERIOD; L++) {
      // Maximal stretches [lo, hi) where bases[k] and bases[k + L] are one base (A, C, G, T) for k in [lo, hi − L).
      // A stretch overlaps the window when one of its periodic positions k (k and k + L
      // equal) has k ≤ wHi and k + L ≥ wLo.
      const kMax = reachHi - L; // k + L < reachHi
      const kLast = Math.min(wHi, kMax - 1);
      let k = Math.max(reachLo, wLo - L);
      while (k <= kLast) {
        const c = bases[k]!;
        if (valid[c] === 0 || ((c ^ bases[k + L]!) & ~32) !== 0) {
          // A period L ≥ 2 counts only from L periodic positions in a row (two whole copies),
          // and such a run holds one of every L-th position from here, or the range's last
          // one: only those are looked at (a homopolymer counts from one position).
          k = L === 1 || k === kLast ? k + 1 : Math.min(k + L, kLast);
          continue;
        }
        let lo = k;
        while (lo > reachLo) {
          const d = bases[lo - 1]!;
          if (valid[d] === 0 || ((d ^ bases[lo - 1 + L]!) & ~32) !== 0) break;
          lo--;
        }
        let last = k; // last k with bases[k] = bases[k + L]
        while (last + 1 < kMax) {
          const d = bases[last + 1]!;
          if (valid[d] === 0 || ((d ^ bases[last + 1 + L]!) & ~32) !== 0) break;
          last++;
        }
        const span = last + L + 1 - lo;
        if (last + L >= wLo) {
          if (L === 1) { if (span > homopolymer) homopolymer = span; } else if (span >= 2 * L && span > bestSpan && primitive(bases, lo, L)) { bestSpan = span; bestUnit = L; }
        }
        k = last + 1;
      }
    }
    const copies = bestUnit > 0 ? Math.floor(bestSpan / bestUnit) : 0;
    const gLo = Math.max(0, Math.max(0, i - GC_FLANK) - off);
    const gHi = Math.min(n, Math.min(this.contigLength, i + refLen + GC_FLANK) - off);
    this.slideGc(gLo, gHi);
    const acgt = this.acgtCount;
    out.homopolymer = homopolymer;
    out.repeatUnit = copies >= 2 ? bestUnit : 0;
    out.repeatCopies = copies >= 2 ? copies : 0;
    out.gc = acgt === 0 ? undefined : this.gcCount / acgt;
  }

  /** Moves the GC window to [lo, hi) (block-relative), counting only the bases that enter or leave it. */
  private slideGc(lo: number, hi: number): void {
    const bytes = this.bytes;
    let gc = this.gcCount;
    let acgt = this.acgtCount;
    let a = this.gcLo;
    let b = this.gcHi;
    if (lo >= b || hi <= a) {
      // No overlap: count afresh.
      gc = 0;
      acgt = 0;
      for (let k = lo; k < hi; k++) {
        const c = GC_ACGT[bytes[k]!]!;
        gc += c >> 1;
        acgt += c & 1;
      }
    } else {
      for (; b < hi; b++) { const c = GC_ACGT[bytes[b]!]!; gc += c >> 1; acgt += c & 1; }
      for (; b > hi; b--) { const c = GC_ACGT[bytes[b - 1]!]!; gc -= c >> 1; acgt -= c & 1; }
      for (; a < lo; a++) { const c = GC_ACGT[bytes[a]!]!; gc -= c >> 1; acgt -= c & 1; }
      for (; a > lo; a--) { const c = GC_ACGT[bytes[a - 1]!]!; gc += c >> 1; acgt += c & 1; }
    }
    this.gcLo = lo;
    this.gcHi = hi;
    this.gcCount = gc;
    this.acgtCount = acgt;
  }
}

/** True when bases [j, j + L) are not a repeat of a shorter unit (of a period dividing L). */
function primitive(bytes: Uint8Array, j: number, L: number): boolean {
  for (let p = 1; p < L; p++) {
    if (L % p !== 0) continue;
    let repeats = true;
    for (let t = 0; t + p < L; t++) if (((bytes[j + t]! ^ bytes[j + t + p]!) & ~32) !== 0) { repeats = false; break; }
    if (repeats) return false;
  }
  return true;
}
