/**
 * The Smith-Waterman forward pass of up to eight queries (reads) at once against a series of
 * targets (a window's haplotypes), in WebAssembly with 128-bit vectors: each of the eight
 * 16-bit lanes is one read, every lane sees the same target column, so the recurrence is
 * the scalar one of smithWaterman.ts (`PrefixCache.full`) applied lane by lane. It gives, per
 * read and target, the same best score, first column reaching it and smallest query index
 * holding it there as a whole-matrix pass (docs/deepvariant.md §11.6, "SSW details"):
 *
 *  - rows past a read's length are padding: their scores never reach the read's column
 *    maximum (a row mask zeroes them before the maximum is taken), and no real row depends on them;
 *  - the running best is updated only when a column's maximum is strictly larger, and the
 *    query index is then the first row holding that maximum (found by a scan of the column);
 *  - columns depend only on the target bases up to them, so a target restarts at the first
 *    column where it differs from the previous one (the window's haplotypes are sorted and
 *    share the reference prefix); the column states are kept per column for that.
 *
 * The module is assembled here from its instructions (no toolchain, no binary blob). When
 * WebAssembly or its vector instructions are missing, `laneAligner()` returns undefined and
 * the caller uses the scalar pass.
 */
import type { SwForward, SwScoring } from './smithWaterman';

// ---- a minimal WebAssembly assembler -------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

const I32 = 0x7f;
const V128 = 0x7b;
const VOID = 0x40;

/** Instruction helpers: each returns the bytes of one instruction. */
const op = {
  get: (l: number): number[] => [0x20, ...uleb(l)],
  set: (l: number): number[] => [0x21, ...uleb(l)],
  tee: (l: number): number[] => [0x22, ...uleb(l)],
  i32: (v: number): number[] => [0x41, ...sleb(v)],
  add: [0x6a],
  mul: [0x6c],
  geS: [0x4e],
  ltS: [0x48],
  load8u: (offset: number): number[] => [0x2d, 0, ...uleb(offset)],
  block: [0x02, VOID],
  loop: [0x03, VOID],
  if: [0x04, VOID],
  end: [0x0b],
  br: (d: number): number[] => [0x0c, ...uleb(d)],
  brIf: (d: number): number[] => [0x0d, ...uleb(d)],
  // 128-bit vectors (prefix 0xfd)
  vload: (offset: number): number[] => [0xfd, 0x00, 4, ...uleb(offset)],
  vstore: (offset: number): number[] => [0xfd, 0x0b, 4, ...uleb(offset)],
  vzero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  splat16: [0xfd, 0x10],
  eq16: [0xfd, 0x2d],
  gt16: [0xfd, 0x31],
  and: [0xfd, 0x4e],
  andnot: [0xfd, 0x4f],
  bitselect: [0xfd, 0x52],
  anyTrue: [0xfd, 0x53],
  add16: [0xfd, ...uleb(0x8e)],
  sub16: [0xfd, ...uleb(0x91)],
  max16: [0xfd, ...uleb(0x98)],
};

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/**
 * `fill(M, j0, n, st, bb, tgt, prof, mask, gO, gE, mr)`: columns j0..n−1 of one target for eight lanes.
 *   st + k·32M: state after k columns, row i at +32i: H (8 × i16) then E (8 × i16);
 *   bb + 48k: running best after k columns: max, column, query index (8 × i16 each);
 *   tgt: target codes (bytes); prof + 16(c·M + i): score of code c against row i per lane;
 *   mask + 16i: all ones in lanes where row i is a real read base;
 *   mr = 16 · (the shortest read's length): rows below it are real in every lane, so their
 *   cells are filled without the mask (the rows from it on with it).
 */
function fillFunction(): number[] {
  // params
  const M = 0, J0 = 1, N = 2, ST = 3, BB = 4, TGT = 5, PROF = 6, MASK = 7, GO = 8, GE = 9, MR = 10;
  // i32 locals
  const J = 11, PREV = 12, AT = 13, BASE = 14, P = 15, Q = 16, CB = 17, MB = 18, I = 19, BP = 20;
  // v128 locals
  const GOV = 21, GEV = 22, ZERO = 23, DIAG = 24, F = 25, HABOVE = 26, COLMAX = 27, H = 28, E = 29, HPREV = 30, MAXV = 31, RC = 32, QI = 33, PEND = 34, EQ = 35;
  /** One cell of the column (row offset p = 16i, state offset q = 32i), its row masked or not. */
  const cell = (masked: boolean): number[] => [
    // hPrev = H(prev, i)
    ...op.get(PREV), ...op.get(Q), ...op.add, ...op.vload(0), ...op.set(HPREV),
    // e = max(max(E(prev, i) − gE, hPrev − gO), 0); E(at, i) = e
    ...op.get(PREV), ...op.get(Q), ...op.add, ...op.vload(16), ...op.get(GEV), ...op.sub16,
    ...op.get(HPREV), ...op.get(GOV), ...op.sub16, ...op.max16, ...op.get(ZERO), ...op.max16, ...op.set(E),
    ...op.get(AT), ...op.get(Q), ...op.add, ...op.get(E), ...op.vstore(16),
    // F = max(F − gE, hAbove − gO)
    ...op.get(F), ...op.get(GEV), ...op.sub16, ...op.get(HABOVE), ...op.get(GOV), ...op.sub16, ...op.max16, ...op.set(F),
    // h = max(diag + prof, e, F, 0)
    ...op.get(DIAG), ...op.get(BASE), ...op.get(P), ...op.add, ...op.vload(0), ...op.add16,
    ...op.get(E), ...op.max16, ...op.get(F), ...op.max16, ...op.get(ZERO), ...op.max16, ...op.set(H),
    ...op.get(HPREV), ...op.set(DIAG),
    ...op.get(AT), ...op.get(Q), ...op.add, ...op.get(H), ...op.vstore(0),
    ...op.get(H), ...op.set(HABOVE),
    // colMax = max(colMax, h & mask) (h where every lane's row is real)
    ...op.get(COLMAX), ...op.get(H),
    ...(masked ? [...op.get(MASK), ...op.get(P), ...op.add, ...op.vload(0), ...op.and] : []),
    ...op.max16, ...op.set(COLMAX),
    ...op.get(Q), ...op.i32(32), ...op.add, ...op.set(Q),
    ...op.get(P), ...op.i32(16), ...op.add, ...op.set(P),
  ];
  /** The cells of rows p < `limit` (a local), from the current p on. */
  const rows = (limit: number, masked: boolean): number[] => [
    ...op.block,
    ...op.loop,
    ...op.get(P), ...op.get(limit), ...op.geS, ...op.brIf(1),
    ...cell(masked),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  const code: number[] = [
    ...op.get(GO), ...op.splat16, ...op.set(GOV),
    ...op.get(GE), ...op.splat16, ...op.set(GEV),
    ...op.vzero, ...op.set(ZERO),
    ...op.get(M), ...op.i32(32), ...op.mul, ...op.set(CB),
    ...op.get(M), ...op.i32(16), ...op.mul, ...op.set(MB),
    ...op.get(J0), ...op.set(J),
    ...op.block,
    ...op.loop,
    // while (j < n)
    ...op.get(J), ...op.get(N), ...op.geS, ...op.brIf(1),
    // prev = st + j·cb; at = prev + cb; base = prof + tgt[j]·M·16
    ...op.get(ST), ...op.get(J), ...op.get(CB), ...op.mul, ...op.add, ...op.tee(PREV), ...op.get(CB), ...op.add, ...op.set(AT),
    ...op.get(PROF), ...op.get(TGT), ...op.get(J), ...op.add, ...op.load8u(0), ...op.get(MB), ...op.mul, ...op.add, ...op.set(BASE),
    ...op.vzero, ...op.set(DIAG), ...op.vzero, ...op.set(F), ...op.vzero, ...op.set(HABOVE), ...op.vzero, ...op.set(COLMAX),
    ...op.i32(0), ...op.set(P), ...op.i32(0), ...op.set(Q),
    ...rows(MR, false),
    ...rows(MB, true),
    // running best after j + 1 columns
    ...op.get(BB), ...op.get(J), ...op.i32(48), ...op.mul, ...op.add, ...op.set(BP),
    ...op.get(BP), ...op.vload(0), ...op.set(MAXV),
    ...op.get(BP), ...op.vload(16), ...op.set(RC),
    ...op.get(BP), ...op.vload(32), ...op.set(QI),
    ...op.get(COLMAX), ...op.get(MAXV), ...op.gt16, ...op.tee(PEND), ...op.anyTrue,
    ...op.if,
    ...op.get(MAXV), ...op.get(COLMAX), ...op.max16, ...op.set(MAXV),
    ...op.get(J), ...op.splat16, ...op.get(RC), ...op.get(PEND), ...op.bitselect, ...op.set(RC),
    // the first row holding the column maximum, in the lanes where it rose
    ...op.i32(0), ...op.set(I), ...op.i32(0), ...op.set(P), ...op.i32(0), ...op.set(Q),
    ...op.block,
    ...op.loop,
    ...op.get(I), ...op.get(M), ...op.geS, ...op.brIf(1),
    ...op.get(AT), ...op.get(Q), ...op.add, ...op.vload(0), ...op.get(MASK), ...op.get(P), ...op.add, ...op.vload(0), ...op.and,
    ...op.get(COLMAX), ...op.eq16, ...op.get(PEND), ...op.and, ...op.set(EQ),
    ...op.get(I), ...op.splat16, ...op.get(QI), ...op.get(EQ), ...op.bitselect, ...op.set(QI),
    ...op.get(PEND), ...op.get(EQ), ...op.andnot, ...op.set(PEND),
    ...op.get(I), ...op.i32(1), ...op.add, ...op.set(I),
    ...op.get(P), ...op.i32(16), ...op.add, ...op.set(P),
    ...op.get(Q), ...op.i32(32), ...op.add, ...op.set(Q),
    ...op.get(PEND), ...op.anyTrue, ...op.brIf(0),
    ...op.end,
    ...op.end,
    ...op.end,
    ...op.get(BP), ...op.get(MAXV), ...op.vstore(48),
    ...op.get(BP), ...op.get(RC), ...op.vstore(64),
    ...op.get(BP), ...op.get(QI), ...op.vstore(80),
    ...op.get(J), ...op.i32(1), ...op.add, ...op.set(J),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  const locals = [[...uleb(10), I32], [...uleb(15), V128]];
  const body = [...vec(locals), ...code];
  return [...uleb(body.length), ...body];
}

function assemble(): Uint8Array<ArrayBuffer> {
  const fillType = [0x60, ...vec(new Array<number[]>(11).fill([I32])), ...vec([])];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([fillType])),
    ...section(3, vec([uleb(0)])),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec([[...name('fill'), 0x00, ...uleb(0)], [...name('mem'), 0x02, ...uleb(0)]])),
    ...section(10, vec([fillFunction()])),
  ];
  return new Uint8Array(bytes);
}

// ---- the aligner ---------------------------------------------------------------------------

/** Reads aligned at once (eight 16-bit lanes of a 128-bit vector). */
export const LANE_COUNT = 8;
const LANES = LANE_COUNT;
const PAGE = 65536;

type Fill = (m: number, j0: number, n: number, st: number, bb: number, tgt: number, prof: number, mask: number, gO: number, gE: number, mr: number) => void;

/** Forward passes of up to eight reads against a window's targets (see the header). */
export class LaneAligner {
  constructor(private readonly fill: Fill, private readonly memory: WebAssembly.Memory) {}

  /** Whether scores and column numbers fit the 16-bit lanes (queries up to `maxQueryLength`, targets up to `maxTargetLength`). */
  static fits(maxQueryLength: number, maxTargetLength: number, sc: SwScoring): boolean {
    const lim = 32000;
    return maxTargetLength < lim && sc.match * maxQueryLength < lim && sc.mismatch < lim && sc.gapOpen + sc.gapExtend * (maxQueryLength + 1) < lim && sc.match >= 0 && sc.mismatch >= 0 && sc.gapOpen >= 0 && sc.gapExtend >= 0;
  }

  /**
   * out[q][t]: the forward pass of queries[q] against targets[t] (targets in the given
   * order; consecutive ones sharing a prefix share its columns). At most eight queries;
   * query codes A0 C1 G2 T3, anything else 4 (never a match), as `encodeBases`.
   */
  forward(queries: readonly Uint8Array[], targets: readonly Uint8Array[], sc: SwScoring): SwForward[][] {
    if (queries.length > LANES) throw new RangeError(`internal: ${queries.length} queries for ${LANES} lanes`);
    let M = 0;
    let minLen = Infinity;
    for (const q of queries) { M = Math.max(M, q.length); minLen = Math.min(minLen, q.length); }
    let nMax = 0;
    for (const t of targets) nMax = Math.max(nMax, t.length);
    const out: SwForward[][] = queries.map(() => []);
    if (M === 0 || queries.length === 0) return out;
    // Layout (bytes, 16-aligned): prof, mask, best, target, states.
    const prof = 0;
    const mask = prof + 5 * M * 16;
    const bb = mask + M * 16;
    const tgt = bb + (nMax + 1) * 48;
    const st = tgt + Math.ceil((nMax + 1) / 16) * 16;
    const need = st + (nMax + 1) * M * 32;
    if (this.memory.buffer.byteLength < need) this.memory.grow(Math.ceil((need - this.memory.buffer.byteLength) / PAGE));
    const mem16 = new Int16Array(this.memory.buffer);
    const mem8 = new Uint8Array(this.memory.buffer);
    for (let c = 0; c < 5; c++) {
      for (let i = 0; i < M; i++) {
        const at = (prof + (c * M + i) * 16) >> 1;
        for (let l = 0; l < LANES; l++) {
          const q = queries[l];
          mem16[at + l] = q && i < q.length && q[i] === c && c < 4 ? sc.match : -sc.mismatch;
        }
      }
    }
    for (let i = 0; i < M; i++) {
      const at = (mask + i * 16) >> 1;
      for (let l = 0; l < LANES; l++) { const q = queries[l]; mem16[at + l] = q && i < q.length ? -1 : 0; }
    }
    // Running best before any column: 0, column −1, query index m − 1; state 0: zeros.
    for (let l = 0; l < LANES; l++) {
      mem16[(bb >> 1) + l] = 0;
      mem16[(bb >> 1) + 8 + l] = -1;
      mem16[(bb >> 1) + 16 + l] = (queries[l]?.length ?? 1) - 1;
    }
    mem8.fill(0, st, st + M * 32);
    let prevTarget: Uint8Array | undefined;
    for (const t of targets) {
      const n = t.length;
      let l = 0;
      if (prevTarget) {
        const lim = Math.min(prevTarget.length, n);
        while (l < lim && prevTarget[l] === t[l]) l++;
      }
      mem8.set(t.subarray(l), tgt + l);
      this.fill(M, l, n, st, bb, tgt, prof, mask, sc.gapOpen, sc.gapExtend, 16 * minLen);
      prevTarget = t;
      const at = (bb + n * 48) >> 1;
      for (let q = 0; q < queries.length; q++) {
        const m = queries[q]!.length;
        const max = mem16[at + q]!;
        const refCol = mem16[at + 8 + q]!;
        const queryIdx = mem16[at + 16 + q]!;
        out[q]!.push({ max, refCol, queryIdx, lo: -(m - 1), hi: n - 1 });
      }
    }
    return out;
  }
}

let cached: LaneAligner | null | undefined;

/** The vector aligner, or undefined when this JavaScript engine cannot run it. */
export function laneAligner(): LaneAligner | undefined {
  if (cached === undefined) {
    try {
      const mod = new WebAssembly.Module(assemble());
      const inst = new WebAssembly.Instance(mod, {});
      cached = new LaneAligner(inst.exports['fill'] as unknown as Fill, inst.exports['mem'] as WebAssembly.Memory);
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}
