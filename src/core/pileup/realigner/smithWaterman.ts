/**
 * Local (Smith-Waterman) alignment with the semantics DeepVariant gets from libssw v1.2.4
 * through `deepvariant/realigner/ssw.cc` (docs/deepvariant.md §11.6, "SSW details"):
 *
 *  - bases are coded A,C,G,T → 0..3 and anything else → 4; equal ACGT pairs score +match,
 *    every other pair (N included, N–N too) scores −mismatch;
 *  - a gap of length g costs gapOpen + (g − 1)·gapExtend;
 *  - the end cell is the first reference column (left to right) at which the running best
 *    score strictly rises to its final value, and in that column the smallest query index
 *    holding that score;
 *  - the begin cell comes from the same search on the reversed query prefix, scanning the
 *    reference from the end cell leftwards and stopping at the first column reaching the score;
 *  - the CIGAR comes from libssw's banded global traceback between begin and end
 *    (`banded_sw`: band |refLen − queryLen| + 1, doubled until it holds the score), with its
 *    tie rules: the diagonal wins ties, a read-gap (I) wins over a ref-gap (D) only when
 *    strictly larger, gap extension wins over gap opening unless opening is strictly larger,
 *    and its boundary cells (read as 0 outside the band);
 *  - the CIGAR string is S (query clipped before begin) + '='/'X' runs, I, D + S (after end).
 *
 * The score matrix is filled column by column over the whole matrix (libssw's striped
 * vectors give the same scores; see the note in docs/deepvariant.md §11.6).
 */

export interface SwScoring {
  readonly match: number;
  readonly mismatch: number;
  readonly gapOpen: number;
  readonly gapExtend: number;
}

/** DeepVariant's realigner scoring: `aln_match` 4, `aln_mismatch` 6, `aln_gap_open` 8, `aln_gap_extend` 2. */
export const DV_SW_SCORING: SwScoring = { match: 4, mismatch: 6, gapOpen: 8, gapExtend: 2 };

export interface SwAlignment {
  /** Best local score; 0 when nothing aligns (then the other fields are meaningless). */
  readonly score: number;
  /** 0-based inclusive begin/end on the reference (target) and on the query. */
  readonly refBegin: number;
  readonly refEnd: number;
  readonly queryBegin: number;
  readonly queryEnd: number;
  /** libssw's CIGAR string: [nS] then =/X/I/D runs then [nS]. */
  readonly cigar: string;
}

const CODE = new Uint8Array(256).fill(4);
CODE[65] = 0; CODE[97] = 0; // A a
CODE[67] = 1; CODE[99] = 1; // C c
CODE[71] = 2; CODE[103] = 2; // G g
CODE[84] = 3; CODE[116] = 3; // T t

/** Bases → libssw codes (A0 C1 G2 T3, other 4). */
export function encodeBases(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = CODE[s.charCodeAt(i) & 0xff]!;
  return out;
}

function sub(a: number, b: number, sc: SwScoring): number {
  return a === b && a < 4 ? sc.match : -sc.mismatch;
}

/** Reused scratch buffers (the aligner runs many small alignments). */
let hBuf = new Int32Array(1024);
let eBuf = new Int32Array(1024);

function scratch(n: number): void {
  if (hBuf.length < n) {
    hBuf = new Int32Array(n * 2);
    eBuf = new Int32Array(n * 2);
  }
}

/**
 * One score pass over a band of diagonals: query q (qLen codes) against `count` reference
 * columns visited from `from` stepping by `step`; column c, query index i lie on diagonal
 * c − i, and only diagonals [lo, hi] are filled (cells outside read as 0). Returns the best
 * score, the first column reaching it and the smallest query index holding it there.
 * Stops after a column whose maximum equals `terminate`.
 */
function scorePass(q: Uint8Array, qLen: number, ref: Uint8Array, from: number, step: number, count: number, sc: SwScoring, terminate: number, lo: number, hi: number): { max: number; refCol: number; queryIdx: number } {
  scratch(qLen + 1);
  const H = hBuf; // H of the previous column, overwritten in place by the current one
  const E = eBuf; // horizontal gap state per query index
  H.fill(0, 0, qLen);
  E.fill(0, 0, qLen);
  const gO = sc.gapOpen;
  const gE = sc.gapExtend;
  const mA = sc.match;
  const mX = -sc.mismatch;
  let max = 0;
  let refCol = -1;
  let queryIdx = qLen - 1;
  // Columns before the band's first cell (c − hi ≤ 0 < c − lo ... ) hold no cell: start at the first one with a cell.
  const c0 = lo > 0 ? lo : 0;
  for (let c = c0, j = from + c0 * step; c < count; c++, j += step) {
    const top = c - hi > 0 ? c - hi : 0;
    const bottom = c - lo < qLen - 1 ? c - lo : qLen - 1;
    if (top > bottom) break; // past the first cell, an empty band has left the matrix
    // The reference code, or one no query code equals when it is not ACGT (then every pair mismatches).
    const rj = ref[j]!;
    const rc = rj < 4 ? rj : 255;
    let diag = top > 0 ? H[top - 1]! : 0; // H(previous column, i - 1)
    let F = 0;
    let hAbove = 0; // H(this column, i - 1)
    let colMax = 0;
    let arg = top; // the first query index holding colMax (when colMax > 0)
    for (let i = top; i <= bottom; i++) {
      const hPrev = H[i]!;
      // libssw floors the gap states at 0 (saturating arithmetic); flooring H instead gives
      // the same positive values everywhere, and H is what matters.
      let e = E[i]! - gE;
      const eo = hPrev - gO;
      if (eo > e) e = eo;
      E[i] = e;
      let f = F - gE;
      const fo = hAbove - gO;
      if (fo > f) f = fo;
      F = f;
      let h = diag + (q[i] === rc ? mA : mX);
      if (h < e) h = e;
      if (h < f) h = f;
      if (h < 0) h = 0;
      diag = hPrev;
      H[i] = h;
      hAbove = h;
      if (h > colMax) { colMax = h; arg = i; }
    }
    if (colMax > max) {
      max = colMax;
      refCol = j;
      queryIdx = arg;
    }
    if (colMax === terminate) break;
  }
  return { max, refCol, queryIdx };
}

const SEED = 12;
const SEED_MASK = (1 << (2 * SEED)) - 1;

/**
 * Positions of every 12-mer (ACGT only) of a target sequence, to place the band of
 * `smithWaterman` around the diagonals where query and target share a 12-mer.
 */
export class SeedIndex {
  private readonly at = new Map<number, number[]>();
  constructor(readonly target: Uint8Array) {
    let key = 0;
    let valid = 0;
    for (let t = 0; t < target.length; t++) {
      const c = target[t]!;
      if (c > 3) { valid = 0; key = 0; continue; }
      key = ((key << 2) | c) & SEED_MASK;
      if (++valid >= SEED) {
        const p = t - SEED + 1;
        const l = this.at.get(key);
        if (l) l.push(p);
        else this.at.set(key, [p]);
      }
    }
  }

  /**
   * Diagonals (target − query offset) on which query and target share 12-mers, each with
   * the longest run of consecutive equal bases (ACGT) found there.
   */
  diagonals(query: Uint8Array): Map<number, number> {
    const runs = new Map<number, number>(); // diagonal → longest run
    const last = new Map<number, number>(); // diagonal → query start of its last hit
    const cur = new Map<number, number>(); // diagonal → length of the current run
    let key = 0;
    let valid = 0;
    for (let i = 0; i < query.length; i++) {
      const c = query[i]!;
      if (c > 3) { valid = 0; key = 0; continue; }
      key = ((key << 2) | c) & SEED_MASK;
      if (++valid < SEED) continue;
      const l = this.at.get(key);
      if (!l) continue;
      const qp = i - SEED + 1;
      for (const tp of l) {
        const d = tp - qp;
        const len = last.get(d) === qp - 1 ? cur.get(d)! + 1 : SEED;
        last.set(d, qp);
        cur.set(d, len);
        if (len > (runs.get(d) ?? 0)) runs.set(d, len);
      }
    }
    return runs;
  }
}

/** The running best after each column and each column's maximum, of one target. */
class TargetColumns {
  /** Column index j (0..n): the pool slot holding H and E after j reference bases (slot 0: zeros). */
  slot = new Int32Array(0);
  /** After c columns: max, refCol, queryIdx at 3c. */
  best = new Int32Array(0);
  /** Column j: its maximum and the smallest query index holding it, at 2j. */
  col = new Int32Array(0);
  target: Uint8Array | undefined;

  ensure(n: number): void {
    if (this.slot.length < n + 1) {
      this.slot = new Int32Array(2 * (n + 1));
      this.best = new Int32Array(6 * (n + 1));
      this.col = new Int32Array(4 * (n + 1));
    }
  }
}

/**
 * Forward-pass columns of one query against a series of targets that share prefixes and
 * suffixes (the haplotypes of a window, sorted, all made of the same reference prefix and
 * suffix around the assembled part). Columns depend only on the query and the target bases up
 * to them, so a target restarts at the first column where it differs from the previous one;
 * and once its column state (H and E) equals the previous target's at the same distance from
 * the end, every later column is the same too and the previous target's columns are reused.
 * The result is the same as a fresh whole-matrix pass.
 *
 * Column states live in a pool of slots (H and E interleaved, 2·m 16-bit numbers a slot); a target's
 * columns are a list of slots, so shared prefix and suffix columns are referenced, not copied.
 */
export class PrefixCache {
  /** Set when this query last needed the whole matrix: later targets skip the banded attempt. */
  wholeMatrix = false;
  private query: Uint8Array | undefined;
  private prof = new Int32Array(0);
  private profFor: SwScoring | undefined;
  private cur = new TargetColumns();
  private old = new TargetColumns();
  private pool = new Int16Array(0); // scores ≤ match · query length < 2^15 (checked by the caller)
  private slots = 0; // slots in the pool (slot 0 is the zero column)
  private free: number[] = [];
  private mark = new Uint32Array(0);
  private stamp = 0;
  private m = 0;

  sameQuery(q: Uint8Array): boolean {
    return this.query === q;
  }

  private alloc(): number {
    const s = this.free.pop();
    if (s !== undefined) return s;
    if (this.slots * 2 * this.m >= this.pool.length) {
      const grown = new Int16Array(Math.max(2 * this.pool.length, 64 * 2 * this.m));
      grown.set(this.pool);
      this.pool = grown;
    }
    return this.slots++;
  }

  full(q: Uint8Array, ref: Uint8Array, sc: SwScoring): { max: number; refCol: number; queryIdx: number } {
    const m = q.length;
    const n = ref.length;
    if (this.query !== q || this.profFor !== sc) {
      this.query = q;
      this.profFor = sc;
      if (this.prof.length < 5 * m) this.prof = new Int32Array(5 * m);
      for (let c = 0; c < 5; c++) for (let i = 0; i < m; i++) this.prof[c * m + i] = sub(c, q[i]!, sc);
      this.cur.target = undefined;
      this.old.target = undefined;
      this.wholeMatrix = false;
      this.m = m;
      this.free.length = 0;
      this.slots = 1;
      if (this.pool.length < 2 * m) this.pool = new Int16Array(64 * 2 * m);
      this.pool.fill(0, 0, 2 * m);
    }
    [this.old, this.cur] = [this.cur, this.old];
    const old = this.old;
    const cur = this.cur;
    cur.ensure(n);
    const prevTarget = old.target;
    const nOld = prevTarget ? prevTarget.length : 0;
    let l = 0;
    let suffix = 0;
    if (prevTarget) {
      const lim = Math.min(nOld, n);
      while (l < lim && prevTarget[l] === ref[l]) l++;
      while (suffix < lim - l && prevTarget[nOld - 1 - suffix] === ref[n - 1 - suffix]) suffix++;
      cur.slot.set(old.slot.subarray(0, l + 1));
      cur.best.set(old.best.subarray(0, 3 * (l + 1)));
      cur.col.set(old.col.subarray(0, 2 * l));
    } else {
      cur.slot[0] = 0;
      cur.best[0] = 0; cur.best[1] = -1; cur.best[2] = m - 1;
    }
    cur.target = ref;
    this.wholeMatrix = true;
    const S = cur.slot;
    const B = cur.best;
    const C = cur.col;
    const prof = this.prof;
    let max = B[3 * l]!;
    let refCol = B[3 * l + 1]!;
    let queryIdx = B[3 * l + 2]!;
    const gO = sc.gapOpen;
    const gE = sc.gapExtend;
    const shift = n - nOld;
    const w = 2 * m;
    for (let j = l; j < n; j++) {
      const slot = this.alloc();
      const P = this.pool; // after alloc: the pool may have grown
      const prev = S[j]! * w;
      const at = slot * w;
      S[j + 1] = slot;
      const base = ref[j]! * m;
      let diag = 0;
      let F = 0;
      let hAbove = 0;
      let colMax = 0;
      let arg = -1; // first query index reaching colMax (found in the same loop)
      for (let i = 0, k = 0; i < m; i++, k += 2) {
        const hPrev = P[prev + k]!;
        let e = P[prev + k + 1]! - gE;
        const eo = hPrev - gO;
        e = eo > e ? eo : e;
        e = e < 0 ? 0 : e; // floored, so that equal states are recognised
        P[at + k + 1] = e;
        let f = F - gE;
        const fo = hAbove - gO;
        f = fo > f ? fo : f;
        F = f;
        let h = diag + prof[base + i]!;
        h = h < e ? e : h;
        h = h < f ? f : h;
        h = h < 0 ? 0 : h;
        diag = hPrev;
        P[at + k] = h;
        hAbove = h;
        if (h > colMax) { colMax = h; arg = i; }
      }
      // All cells 0: the first cell holding the maximum is the first one.
      if (arg < 0) arg = m > 0 ? 0 : m - 1;
      C[2 * j] = colMax;
      C[2 * j + 1] = arg;
      if (colMax > max) { max = colMax; refCol = j; queryIdx = arg; }
      B[3 * (j + 1)] = max;
      B[3 * (j + 1) + 1] = refCol;
      B[3 * (j + 1) + 2] = queryIdx;
      // Converged with the previous target (same column state, same bases from here to the end)?
      const jOld = j - shift;
      if (prevTarget && j >= n - suffix && jOld > l && jOld < nOld - 1) {
        const oAt = old.slot[jOld + 1]! * w;
        let same = true;
        for (let k = 0; k < w; k++) if (P[at + k] !== P[oAt + k]) { same = false; break; }
        if (same) {
          for (let k = jOld + 1; k < nOld; k++) {
            const cm = old.col[2 * k]!;
            const jj = k + shift;
            S[jj + 1] = old.slot[k + 1]!;
            C[2 * jj] = cm;
            C[2 * jj + 1] = old.col[2 * k + 1]!;
            if (cm > max) { max = cm; refCol = jj; queryIdx = old.col[2 * k + 1]!; }
            B[3 * (jj + 1)] = max;
            B[3 * (jj + 1) + 1] = refCol;
            B[3 * (jj + 1) + 2] = queryIdx;
          }
          break;
        }
      }
    }
    // Slots of the previous target that this one does not use are free again.
    if (prevTarget) {
      if (this.mark.length < this.slots) this.mark = new Uint32Array(2 * this.slots);
      const st = ++this.stamp;
      for (let j = 0; j <= n; j++) this.mark[S[j]!] = st;
      for (let j = 1; j <= nOld; j++) {
        const s = old.slot[j]!;
        if (this.mark[s] !== st) { this.mark[s] = st; this.free.push(s); }
      }
    }
    return { max, refCol, queryIdx };
  }
}

/**
 * The score of an explicit local alignment (a lower bound of the best): the best gapless
 * stretch on diagonal d1 or on d2, or a stretch on d1 ending at row b, the gap of |d2 − d1|
 * bases (a deletion when d2 > d1), and a stretch on d2 starting right after it.
 */
function diagonalLowerBound(q: Uint8Array, ref: Uint8Array, sc: SwScoring, d1: number, d2: number): number {
  const m = q.length;
  const n = ref.length;
  const cell = (i: number, d: number): number => (q[i]! < 4 && q[i] === ref[i + d] ? sc.match : -sc.mismatch);
  // Rows of diagonal d inside the matrix: [max(0, −d), min(m, n − d)).
  const from1 = Math.max(0, -d1);
  const to1 = Math.min(m, n - d1);
  let best = 0;
  // end1[i]: best stretch on d1 ending at row i.
  const end1 = new Int32Array(Math.max(0, m));
  let run = 0;
  for (let i = from1; i < to1; i++) {
    run = Math.max(run, 0) + cell(i, d1);
    end1[i] = run;
    if (run > best) best = run;
  }
  if (d2 === d1) return best;
  const from2 = Math.max(0, -d2);
  const to2 = Math.min(m, n - d2);
  const g = d2 - d1;
  const gap = sc.gapOpen + (g - 1) * sc.gapExtend;
  run = 0;
  // Walking d2 backwards: run = best stretch on d2 starting at row i.
  for (let i = to2 - 1; i >= from2; i--) {
    run = Math.max(run, 0) + cell(i, d2);
    if (run > best) best = run;
    // The d1 stretch ends at row b: b = i − 1 after a deletion (d2 > d1; never here, g > 0).
    const b = i - 1;
    if (b >= from1 && b < to1 && end1[b]! > 0) {
      const sc2 = end1[b]! - gap + run;
      if (sc2 > best) best = sc2;
    }
  }
  return best;
}

/**
 * The diagonals [lo, hi] that `forwardPass`'s bounds require for a best score of at least s
 * (undefined when they allow no band: the whole matrix). A larger score requires a subset.
 */
function requiredBand(s: number, m: number, n: number, sc: SwScoring, runs: Map<number, number>): { lo: number; hi: number } | undefined {
  const steps = Math.ceil(s / sc.match);
  const slack = sc.match * Math.min(m, n) - s;
  const breaks = Math.floor(slack / Math.min(sc.mismatch, sc.gapOpen));
  const run = Math.ceil(steps / (breaks + 1));
  if (run < SEED) return undefined;
  const T = slack >= sc.gapOpen ? Math.floor((slack - sc.gapOpen) / sc.gapExtend) + 1 : 0;
  let dMin = Infinity;
  let dMax = -Infinity;
  for (const [d, len] of runs) if (len >= run) { if (d < dMin) dMin = d; if (d > dMax) dMax = d; }
  if (dMin > dMax) return undefined;
  return { lo: Math.max(-(m - 1), -(m - steps), dMin - T), hi: Math.min(n - 1, n - steps, dMax + T) };
}

/**
 * The forward pass, filled only where it can matter. Any local path scoring at least S has
 * at least ⌈S/match⌉ diagonal steps, so it lies on diagonals [−(m − ⌈S/match⌉), n − ⌈S/match⌉];
 * and with slack = match·min(m, n) − S it has at most ⌊slack / min(mismatch, gapOpen)⌋
 * mismatches and gaps, so a run of ⌈⌈S/match⌉ / (breaks + 1)⌉ exact matches (a shared 12-mer
 * when that is ≥ 12), and its gaps total at most T (gapOpen + (T − 1)·gapExtend ≤ slack) bases.
 * A band is computed around the shared 12-mers, its best score S is a lower bound of the true
 * best, and the pass is repeated on the band the bounds require unless it already holds it.
 * Cells on paths outside that band score below S, so the best score, its first column and
 * smallest row are those of the full matrix.
 */
function forwardPass(q: Uint8Array, ref: Uint8Array, sc: SwScoring, seeds: SeedIndex | undefined, cache: PrefixCache | undefined): { max: number; refCol: number; queryIdx: number; lo: number; hi: number } {
  const m = q.length;
  const n = ref.length;
  const fullLo = -(m - 1);
  const fullHi = n - 1;
  const full = (): { max: number; refCol: number; queryIdx: number; lo: number; hi: number } => ({
    ...(cache && m * sc.match < 32768 ? cache.full(q, ref, sc) : scorePass(q, m, ref, 0, 1, n, sc, -1, fullLo, fullHi)),
    lo: fullLo,
    hi: fullHi,
  });
  if (cache?.wholeMatrix && cache.sameQuery(q)) return full();
  const runs = (seeds ?? new SeedIndex(ref)).diagonals(q);
  if (runs.size === 0) return full();
  let best = 0;
  let bestD = 0;
  for (const [d, len] of runs) if (len > best || (len === best && Math.abs(d - (n - m)) < Math.abs(bestD - (n - m)))) { best = len; bestD = d; }
  // First band: 4 diagonals around those holding long shared runs (≥ 32 bases, or the longest
  // run); the bounds then say whether it must be wider (another pass).
  const longRun = Math.min(best, 32);
  let dLo = bestD;
  let dHi = bestD;
  for (const [d, len] of runs) if (len >= longRun) { if (d < dLo) dLo = d; if (d > dHi) dHi = d; }
  let lo = Math.max(fullLo, dLo - 4);
  let hi = Math.min(fullHi, dHi + 4);
  // A lower bound S0 of the best score (an explicit alignment along dLo, dHi, or dLo then a gap
  // then dHi) gives a band holding every path the bounds below require for any score ≥ S0,
  // and the diagonals of that alignment (so the pass scores ≥ S0): one pass instead of two
  // when it is narrow enough.
  const s0 = diagonalLowerBound(q, ref, sc, dLo, dHi);
  if (s0 > 0) {
    const need = requiredBand(s0, m, n, sc, runs);
    if (need) {
      const nLo = Math.max(fullLo, Math.min(need.lo, dLo));
      const nHi = Math.min(fullHi, Math.max(need.hi, dHi));
      if (nHi - nLo <= 4 * (hi - lo + 1)) { lo = nLo; hi = nHi; }
    }
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = scorePass(q, m, ref, 0, 1, n, sc, -1, lo, hi);
    if (r.max <= 0) return full();
    const steps = Math.ceil(r.max / sc.match);
    const needLo1 = -(m - steps);
    const needHi1 = n - steps;
    // The band returned holds every path scoring ≥ the best (what the reverse pass needs).
    if (lo <= needLo1 && hi >= needHi1) return { ...r, lo: Math.max(lo, needLo1), hi: Math.min(hi, needHi1) };
    const slack = sc.match * Math.min(m, n) - r.max;
    const breaks = Math.floor(slack / Math.min(sc.mismatch, sc.gapOpen));
    const run = Math.ceil(steps / (breaks + 1));
    if (run < SEED) return full();
    const T = slack >= sc.gapOpen ? Math.floor((slack - sc.gapOpen) / sc.gapExtend) + 1 : 0;
    let dMin = Infinity;
    let dMax = -Infinity;
    for (const [d, len] of runs) if (len >= run) { if (d < dMin) dMin = d; if (d > dMax) dMax = d; }
    if (dMin > dMax) return { ...r, lo, hi }; // unreachable: the band's own best path has such a run
    const needLo = Math.max(fullLo, needLo1, dMin - T);
    const needHi = Math.min(fullHi, needHi1, dMax + T);
    if (lo <= needLo && hi >= needHi) return { ...r, lo: needLo, hi: needHi };
    lo = Math.min(lo, needLo);
    hi = Math.max(hi, needHi);
  }
  return full();
}

/** Scratch of the banded traceback (three rows of the band; the direction bytes), reused. */
let bandRows = new Int32Array(0);
let dirBuf = new Int8Array(0);

/** libssw's banded traceback between the begin and end cells: returns M/I/D runs. */
function bandedCigar(ref: Uint8Array, r0: number, refLen: number, q: Uint8Array, q0: number, qLen: number, score: number, sc: SwScoring): { op: number; len: number }[] | undefined {
  const gO = sc.gapOpen;
  const gE = sc.gapExtend;
  let w = Math.abs(refLen - qLen) + 1;
  let best = 0;
  let dir = new Int8Array(0);
  let widthD = 0;
  for (;;) {
    const width = w * 2 + 3;
    widthD = w * 2 + 1;
    if (bandRows.length < 3 * (width + 1)) bandRows = new Int32Array(2 * 3 * (width + 1));
    const hB = bandRows.subarray(0, width + 1).fill(0);
    const eB = bandRows.subarray(width + 1, 2 * (width + 1)).fill(0);
    const hC = bandRows.subarray(2 * (width + 1), 3 * (width + 1)).fill(0);
    const size = widthD * qLen * 3;
    if (dirBuf.length < size) dirBuf = new Int8Array(2 * size);
    dir = dirBuf.subarray(0, size).fill(0);
    for (let i = 0; i < qLen; i++) {
      const x = Math.max(0, i - w); // band offset of this row
      const xUp = Math.max(0, i - 1 - w); // band offset of the row above
      const beg = x;
      const end = Math.min(refLen - 1, i + w);
      const edge = Math.min(end + 1, width - 1);
      let f = 0;
      hB[0] = 0; eB[0] = 0; hB[edge] = 0; eB[edge] = 0; hC[0] = 0;
      const row = widthD * i * 3;
      const qi = q[q0 + i]!;
      let u = 0;
      for (let j = beg; j <= end; j++) {
        u = j - x + 1;
        const up = j - xUp + 1;
        const left = j - 1 - x + 1;
        const dg = j - 1 - xUp + 1;
        const d = row + (j - x) * 3;
        let t1 = i === 0 ? -gO : hB[up]! - gO;
        let t2 = i === 0 ? -gE : eB[up]! - gE;
        eB[u] = t1 > t2 ? t1 : t2;
        dir[d] = t1 > t2 ? 3 : 2;
        t1 = hC[left]! - gO;
        t2 = f - gE;
        f = t1 > t2 ? t1 : t2;
        dir[d + 1] = t1 > t2 ? 5 : 4;
        const e1 = eB[u]! > 0 ? eB[u]! : 0;
        const f1 = f > 0 ? f : 0;
        t1 = e1 > f1 ? e1 : f1;
        t2 = hB[dg]! + sub(ref[r0 + j]!, qi, sc);
        hC[u] = t1 > t2 ? t1 : t2;
        if (hC[u]! > best) best = hC[u]!;
        dir[d + 2] = t1 <= t2 ? 1 : e1 > f1 ? dir[d]! : dir[d + 1]!;
      }
      for (let k = 1; k <= u; k++) hB[k] = hC[k]!;
    }
    if (best >= score) break;
    w *= 2;
    if (w > 4 * (refLen + qLen + 4)) return undefined;
  }
  // Traceback from the bottom-right cell; state 2 = H, 0 = E (I), 1 = F (D).
  const runs: { op: number; len: number }[] = []; // in reverse order
  let i = qLen - 1;
  let j = refLen - 1;
  let state = 2;
  let op = 0; // 0 M, 1 I, 2 D
  let prev = 0;
  let n = 0;
  while (i > 0) {
    const x = Math.max(0, i - w);
    const k = j - x;
    if (k < 0 || k >= widthD) return undefined;
    const dv = dir[widthD * i * 3 + k * 3 + state];
    switch (dv) {
      case 1: i--; j--; state = 2; op = 0; break;
      case 2: i--; state = 0; op = 1; break;
      case 3: i--; state = 2; op = 1; break;
      case 4: j--; state = 1; op = 2; break;
      case 5: j--; state = 2; op = 2; break;
      default: return undefined;
    }
    if (op === prev) n++;
    else { runs.push({ op: prev, len: n }); prev = op; n = 1; }
  }
  if (op === 0) runs.push({ op: 0, len: n + 1 });
  else { runs.push({ op, len: n }); runs.push({ op: 0, len: 1 }); }
  return runs.reverse();
}

/** The forward pass of one alignment: the best score, its end cell, and the band it was found in. */
export interface SwForward {
  readonly max: number;
  readonly refCol: number;
  readonly queryIdx: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * The best local score of `query` against `ref` (the forward pass only); `finishAlignment`
 * turns it into the whole alignment. Score 0 (max ≤ 0) when nothing aligns.
 */
export function smithWatermanForward(query: Uint8Array, ref: Uint8Array, sc: SwScoring = DV_SW_SCORING, seeds?: SeedIndex, cache?: PrefixCache): SwForward {
  if (query.length === 0 || ref.length === 0) return { max: 0, refCol: -1, queryIdx: -1, lo: 0, hi: 0 };
  return forwardPass(query, ref, sc, seeds, cache);
}

const NONE: SwAlignment = { score: 0, refBegin: -1, refEnd: -1, queryBegin: -1, queryEnd: -1, cigar: '' };

/** The begin cell (reverse pass) and the CIGAR of a forward pass's alignment. */
export function finishAlignment(query: Uint8Array, ref: Uint8Array, fwd: SwForward, sc: SwScoring = DV_SW_SCORING): SwAlignment {
  if (fwd.max <= 0) return NONE;
  const qLen = query.length;
  const queryEnd = fwd.queryIdx;
  const refEnd = fwd.refCol;
  const revQuery = query.slice(0, queryEnd + 1).reverse();
  // Reverse pass: column c = refEnd − j, row i' = queryEnd − i, so diagonal d maps to (refEnd − queryEnd) − d.
  const shift = refEnd - queryEnd;
  // Every alignment scoring fwd.max up to the end cell ends at the end cell (the first column
  // reaching the best score, the smallest row there). With I inserted and D deleted bases, its
  // cells lie on diagonals [shift − D, shift + I] (a deletion raises the diagonal by one, an
  // insertion lowers it), and (gapOpen ≥ gapExtend) an inserted base also loses a match within
  // the queryEnd + 1 query bases, a deleted one within the refEnd + 1 reference bases:
  //   match·I + gapOpen + gapExtend·(I − 1) ≤ match·(queryEnd + 1) − fwd.max  (and for D with refEnd),
  //   gapOpen + gapExtend·(D − 1) ≤ match·(queryEnd + 1) − fwd.max  (and for I with refEnd).
  // It also lies in the forward band.
  let lo = fwd.lo;
  let hi = fwd.hi;
  if (sc.gapExtend > 0 && sc.gapOpen >= sc.gapExtend && sc.match >= 0) {
    const slackQ = sc.match * (queryEnd + 1) - fwd.max;
    const slackR = sc.match * (refEnd + 1) - fwd.max;
    const lossy = (slack: number): number => (slack < sc.gapOpen ? 0 : Math.floor((slack - sc.gapOpen + sc.gapExtend) / (sc.match + sc.gapExtend)));
    const free = (slack: number): number => (slack < sc.gapOpen ? 0 : Math.floor((slack - sc.gapOpen) / sc.gapExtend) + 1);
    const maxI = Math.min(lossy(slackQ), free(slackR));
    const maxD = Math.min(lossy(slackR), free(slackQ));
    lo = Math.max(lo, shift - maxD);
    hi = Math.min(hi, shift + maxI);
  }
  const rev = scorePass(revQuery, queryEnd + 1, ref, refEnd, -1, refEnd + 1, sc, fwd.max, shift - hi, shift - lo);
  const refBegin = rev.refCol;
  const queryBegin = queryEnd - rev.queryIdx;
  const runs = bandedCigar(ref, refBegin, refEnd - refBegin + 1, query, queryBegin, queryEnd - queryBegin + 1, fwd.max, sc);
  if (!runs) throw new Error('internal: Smith-Waterman traceback left the band');
  let cigar = queryBegin > 0 ? `${queryBegin}S` : '';
  let ri = refBegin;
  let qi = queryBegin;
  let runOp = '';
  let runLen = 0;
  const flush = (): void => { if (runLen > 0) cigar += `${runLen}${runOp}`; runLen = 0; runOp = ''; };
  for (const { op, len } of runs) {
    if (op === 0) {
      for (let t = 0; t < len; t++) {
        const o = ref[ri] === query[qi] ? '=' : 'X';
        if (o !== runOp) { flush(); runOp = o; }
        runLen++;
        ri++;
        qi++;
      }
    } else {
      flush();
      if (op === 1) { cigar += `${len}I`; qi += len; } else { cigar += `${len}D`; ri += len; }
    }
  }
  flush();
  const tail = qLen - queryEnd - 1;
  if (tail > 0) cigar += `${tail}S`;
  return { score: fwd.max, refBegin, refEnd, queryBegin, queryEnd, cigar };
}

/**
 * Aligns `query` (e.g. a read) locally to `ref` (e.g. a haplotype), both as libssw codes.
 * Returns score 0 when no positive-scoring alignment exists.
 */
export function smithWaterman(query: Uint8Array, ref: Uint8Array, sc: SwScoring = DV_SW_SCORING, seeds?: SeedIndex, cache?: PrefixCache): SwAlignment {
  return finishAlignment(query, ref, smithWatermanForward(query, ref, sc, seeds, cache), sc);
}
