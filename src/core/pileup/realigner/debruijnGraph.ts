/**
 * DeepVariant's de Bruijn graph assembly of one realignment window
 * (`deepvariant/realigner/debruijn_graph.cc`; docs/deepvariant.md §11.5):
 *
 *  - k: the smallest k in [min_k, min(max_k, len(ref) − 1)] (step step_k) for which the
 *    window's reference has no repeated k-mer; from there upwards, the first k whose full
 *    graph (reference + reads, before pruning) has no directed cycle. None → no graph.
 *  - vertices are k-mers; an edge joins consecutive k-mers and counts how often it was added;
 *    reference edges are flagged. Reads with MAPQ ≥ min_mapq add the k-mers of their runs of
 *    good bases (ACGT with quality ≥ min_base_quality), soft clips included.
 *  - pruning drops non-reference edges with weight < min_edge_weight, then every vertex not
 *    both reachable from the first reference k-mer and reaching the last one.
 *  - haplotypes: every source→sink path (breadth-first; more than max_num_paths paths in
 *    flight or done → none at all), spelled out, sorted as byte strings.
 */
import type { AlignedRead } from '../../io/sam/alignedRead';
import { doubled } from '../candidates/growable';

export interface DeBruijnOptions {
  readonly minK: number;
  readonly maxK: number;
  readonly stepK: number;
  readonly minMapq: number;
  readonly minBaseQuality: number;
  readonly minEdgeWeight: number;
  readonly maxNumPaths: number;
}

/** `dbg_*` flag defaults of make_examples (deepvariant/realigner/realigner.py). */
export const DV_DEBRUIJN_OPTIONS: DeBruijnOptions = { minK: 10, maxK: 101, stepK: 1, minMapq: 14, minBaseQuality: 15, minEdgeWeight: 2, maxNumPaths: 256 };

/** The part of a read the graph uses. */
export type GraphRead = Pick<AlignedRead, 'seq' | 'qual' | 'mapq'>;

/** k up to which a k-mer packs into two 32-bit halves (2 bits a base). */
const MAX_PACKED_K = 32;
const CODE = new Uint8Array(256).fill(4);
CODE[65] = 0; CODE[67] = 1; CODE[71] = 2; CODE[84] = 3;

function isAcgt(c: number): boolean {
  return c === 65 || c === 67 || c === 71 || c === 84;
}

/**
 * The smallest usable k (no repeated reference k-mer), or -1: the reference as one run of
 * `minKWithoutRunRepeat` (it compares the k-mers' text exactly, whatever the bytes; its
 * result past maxK means none).
 */
export function minKForReference(ref: string, o: DeBruijnOptions): number {
  const maxK = Math.min(o.maxK, ref.length - 1);
  if (o.minK > maxK) return -1;
  const k = minKWithoutRunRepeat([{ bases: ref, runs: [0, ref.length] }], o.minK, o.stepK, maxK);
  return k <= maxK ? k : -1;
}

/** A read's bases (upper case) and its runs of good bases as [start, end) pairs, in order. */
interface GoodRuns {
  readonly bases: string;
  readonly runs: readonly number[];
}

/**
 * The runs `DeBruijnGraph::AddKmersAndEdges` walks: from i = 0, the bases up to the first one
 * that is not ACGT or has quality below `minBq` form a run, and the next run starts after it.
 * (They do not depend on k; which runs are used does.)
 */
function goodRuns(r: GraphRead, minBq: number): GoodRuns {
  const bases = r.seq.toUpperCase();
  const n = bases.length;
  const runs: number[] = [];
  let i = 0;
  while (i < n) {
    let bad = i;
    while (bad < n && isAcgt(bases.charCodeAt(bad)) && r.qual[bad]! >= minBq) bad++;
    runs.push(i, bad);
    i = bad + 1;
  }
  return { bases, runs };
}

/** Scratch of `candidatePaths`: path nodes (vertex, parent node) and the queue. */
let cpVertex = new Int32Array(1024);
let cpParent = new Int32Array(1024);
let cpQueue = new Int32Array(1024);

/** Scratch of `minKWithoutRunRepeat`: k-mer hashes per run position and an open-addressing table (stamped, never cleared). */
let rrHash = new Int32Array(256);
let rrSlotPos = new Int32Array(1024);
let rrSlotStamp = new Int32Array(1024); // power-of-two length
let rrStamp = 0;

/**
 * The smallest k ≥ `k` (stepping by `step`) for which no run of good bases holds the same
 * k-mer twice (> `maxK`: none). Such a repeat makes the graph cyclic (`runRepeat`), and a run
 * without a repeated k-mer has none for any larger k either, so the runs are checked once,
 * in order, k growing past every repeat found (its two occurrences extended as far as they
 * stay equal). The k-mers are compared by a rolling hash and then base by base.
 */
export function minKWithoutRunRepeat(reads: readonly GoodRuns[], k: number, step: number, maxK: number): number {
  for (const r of reads) {
    const b = r.bases;
    for (let j = 0; j < r.runs.length; j += 2) {
      const s = r.runs[j]!;
      const e = r.runs[j + 1]!;
      for (;;) {
        if (k > maxK || e - s < k + 1) break; // fewer than two k-mers: no repeat
        const n = e - s - k + 1; // k-mers in the run
        if (rrHash.length < n) rrHash = doubled(rrHash, n);
        if (rrSlotPos.length < 4 * n) { // a power of two, at most a quarter full
          const size = 1 << (32 - Math.clz32(4 * n - 1));
          rrSlotPos = new Int32Array(size);
          rrSlotStamp = new Int32Array(size);
        }
        const mask = rrSlotPos.length - 1;
        const stamp = ++rrStamp;
        // Rolling hash h = Σ c·B^(k−1−x) (mod 2^32); Bk = B^k removes the base leaving.
        const B = 0x01000193;
        let Bk = 1;
        for (let x = 0; x < k; x++) Bk = Math.imul(Bk, B);
        let h = 0;
        let found = -1;
        let other = -1;
        for (let p = s; p < e && found < 0; p++) {
          h = (Math.imul(h, B) + b.charCodeAt(p)) | 0;
          if (p - k >= s) h = (h - Math.imul(Bk, b.charCodeAt(p - k))) | 0;
          const i = p - k + 1;
          if (i < s) continue;
          rrHash[i - s] = h;
          for (let slot = (Math.imul(h, 0x9e3779b1) >>> 7) & mask; ; slot = (slot + 1) & mask) {
            if (rrSlotStamp[slot] !== stamp) { rrSlotStamp[slot] = stamp; rrSlotPos[slot] = i; break; }
            const q = rrSlotPos[slot]!;
            if (rrHash[q - s] !== h) continue;
            let same = true;
            for (let x = 0; x < k; x++) if (b.charCodeAt(q + x) !== b.charCodeAt(i + x)) { same = false; break; }
            if (same) { found = i; other = q; break; }
          }
        }
        if (found < 0) break;
        // The repeat [other, other + L) = [found, found + L) within the run: k must exceed L.
        let L = k;
        while (found + L < e && b.charCodeAt(other + L) === b.charCodeAt(found + L)) L++;
        while (k <= L) k += step;
      }
    }
  }
  return k;
}

export class DeBruijnGraph {
  /** Vertex id → where its k-mer was first seen (text and offset), in creation order. */
  private vText: string[] = [];
  private vAt = new Int32Array(256);
  /** Vertices and edges so far (the typed arrays below grow by doubling). */
  private nV = 0;
  private nE = 0;
  /**
   * k-mer → vertex: k-mers of ACGT only (k ≤ 32) by their 2-bit packing in two 32-bit halves,
   * in an open-addressing table; any other k-mer by its text.
   */
  private slotId = new Int32Array(1024).fill(-1);
  private vHi = new Int32Array(256);
  private vLo = new Int32Array(256);
  private vPacked = new Uint8Array(256);
  private readonly textIds = new Map<string, number>();
  /** Out-edges of each vertex as a list: first edge, next edge (−1 ends). */
  private outHead = new Int32Array(256);
  /** Per vertex: the last run of k-mers (`addRun` call) it was seen in. */
  private vRun = new Int32Array(256);
  private runId = 0;
  /** Some run holds a k-mer twice: the path between them is a directed cycle. */
  private runRepeat = false;
  private edgeNext = new Int32Array(256);
  private edgeFrom = new Int32Array(256);
  private edgeTo = new Int32Array(256);
  private edgeWeight = new Int32Array(256);
  private edgeRef = new Uint8Array(256);
  private alive: Uint8Array = new Uint8Array(0);
  private edgeAlive: Uint8Array = new Uint8Array(0);
  readonly source: number;
  readonly sink: number;
  private readonly loMask: number;
  private readonly hiMask: number;

  private constructor(readonly ref: string, reads: readonly GoodRuns[], readonly k: number, private readonly o: DeBruijnOptions) {
    const loBits = Math.min(2 * k, 32);
    const hiBits = 2 * k - loBits;
    this.loMask = loBits === 32 ? -1 : (1 << loBits) - 1;
    this.hiMask = hiBits === 32 ? -1 : (1 << hiBits) - 1;
    this.addRun(ref, 0, ref.length - k, true);
    this.source = this.find(ref, 0);
    this.sink = this.find(ref, ref.length - k);
    for (const r of reads) {
      this.addRead(r);
      if (this.runRepeat) break; // cyclic: the graph is not used
    }
    this.alive = new Uint8Array(this.nV).fill(1);
    this.edgeAlive = new Uint8Array(this.nE).fill(1);
  }

  /** The k-mer of vertex v. */
  private kmer(v: number): string {
    return this.vText[v]!.slice(this.vAt[v]!, this.vAt[v]! + this.k);
  }

  private hash(hi: number, lo: number): number {
    return (Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15)) & (this.slotId.length - 1);
  }

  /** The vertex of the k-mer bases[at, at + k), or −1. */
  private find(bases: string, at: number): number {
    const k = this.k;
    let hi = 0;
    let lo = 0;
    let clean = k <= MAX_PACKED_K;
    for (let p = at; p < at + k && clean; p++) {
      const c = CODE[bases.charCodeAt(p)]!;
      if (c > 3) clean = false;
      hi = ((hi << 2) | (lo >>> 30)) & this.hiMask;
      lo = ((lo << 2) | c) & this.loMask;
    }
    if (!clean) return this.textIds.get(bases.slice(at, at + k)) ?? -1;
    return this.findPacked(hi, lo);
  }

  private findPacked(hi: number, lo: number): number {
    const mask = this.slotId.length - 1;
    for (let slot = this.hash(hi, lo); ; slot = (slot + 1) & mask) {
      const id = this.slotId[slot]!;
      if (id < 0) return -1;
      if (this.vLo[id] === lo && this.vHi[id] === hi) return id;
    }
  }

  private newVertex(bases: string, at: number): number {
    const v = this.nV++;
    if (v === this.vAt.length) {
      this.vAt = doubled(this.vAt);
      this.vHi = doubled(this.vHi);
      this.vLo = doubled(this.vLo);
      this.vPacked = doubled(this.vPacked);
      this.outHead = doubled(this.outHead);
      this.vRun = doubled(this.vRun);
    }
    this.vText.push(bases);
    this.vAt[v] = at;
    this.vHi[v] = 0;
    this.vLo[v] = 0;
    this.vPacked[v] = 0;
    this.outHead[v] = -1;
    this.vRun[v] = 0;
    return v;
  }

  /** The vertex of a packed all-ACGT k-mer (created when new). */
  private packedVertex(hi: number, lo: number, bases: string, at: number): number {
    const found = this.findPacked(hi, lo);
    if (found >= 0) return found;
    const v = this.newVertex(bases, at);
    this.vHi[v] = hi;
    this.vLo[v] = lo;
    this.vPacked[v] = 1;
    if (2 * (this.nV + 1) > this.slotId.length) {
      // Grow the table: re-insert every packed vertex.
      this.slotId = new Int32Array(this.slotId.length * 2).fill(-1);
      for (let u = 0; u < this.nV; u++) if (this.vPacked[u]) this.place(u);
    } else this.place(v);
    return v;
  }

  private place(v: number): void {
    const mask = this.slotId.length - 1;
    let slot = this.hash(this.vHi[v]!, this.vLo[v]!);
    while (this.slotId[slot] !== -1) slot = (slot + 1) & mask;
    this.slotId[slot] = v;
  }

  /** The vertex of a k-mer holding another base than ACGT, or of any k-mer when k > 32 (by text). */
  private textVertex(bases: string, at: number): number {
    const key = bases.slice(at, at + this.k);
    let v = this.textIds.get(key);
    if (v === undefined) {
      v = this.newVertex(bases, at);
      this.textIds.set(key, v);
    }
    return v;
  }

  /** `DeBruijnGraph::Build`: the graph for the first usable acyclic k, pruned; undefined when none. */
  static build(ref: string, reads: readonly GraphRead[], o: DeBruijnOptions = DV_DEBRUIJN_OPTIONS): DeBruijnGraph | undefined {
    const k0 = minKForReference(ref, o);
    if (k0 < 0) return undefined;
    const maxK = Math.min(o.maxK, ref.length - 1);
    const runs: GoodRuns[] = [];
    for (const r of reads) if (r.mapq >= o.minMapq) runs.push(goodRuns(r, o.minBaseQuality));
    // Every k below the first without a repeated k-mer in a run gives a cyclic graph (dropped).
    for (let k = minKWithoutRunRepeat(runs, k0, o.stepK, maxK); k <= maxK; k += o.stepK) {
      const g = new DeBruijnGraph(ref, runs, k, o);
      if (g.runRepeat || g.hasCycle()) continue;
      g.prune();
      return g;
    }
    return undefined;
  }

  private addEdge(a: number, b: number, isRef: boolean): void {
    let e = this.outHead[a]!;
    while (e >= 0 && this.edgeTo[e] !== b) e = this.edgeNext[e]!;
    if (e < 0) {
      e = this.nE++;
      if (e === this.edgeFrom.length) {
        this.edgeFrom = doubled(this.edgeFrom);
        this.edgeTo = doubled(this.edgeTo);
        this.edgeWeight = doubled(this.edgeWeight);
        this.edgeRef = doubled(this.edgeRef);
        this.edgeNext = doubled(this.edgeNext);
      }
      this.edgeFrom[e] = a;
      this.edgeTo[e] = b;
      this.edgeWeight[e] = 0;
      this.edgeRef[e] = 0;
      this.edgeNext[e] = this.outHead[a]!;
      this.outHead[a] = e;
    }
    this.edgeWeight[e]!++;
    if (isRef) this.edgeRef[e] = 1;
  }

  /** k-mers starting at start..end (inclusive) and the edges between consecutive ones; nothing when end ≤ 0. */
  private addRun(bases: string, start: number, end: number, isRef: boolean): void {
    if (end <= 0) return;
    const k = this.k;
    const packable = k <= MAX_PACKED_K;
    const hiMask = this.hiMask;
    const loMask = this.loMask;
    // Rolling packing of the last k bases (a non-ACGT base enters as its low 2 bits: such a
    // window is keyed by its text, and the packing is right again once the base has left);
    // `lastBad`: the last non-ACGT base seen.
    let hi = 0;
    let lo = 0;
    let lastBad = -1;
    let prev = -1;
    const run = ++this.runId;
    // The arrays in locals (kept in registers); re-read after adding a vertex or an edge, which may grow them.
    let { outHead, edgeTo, edgeNext, edgeWeight, vLo, vHi, vPacked, vRun } = this;
    for (let p = start; p < end + k; p++) {
      const c = CODE[bases.charCodeAt(p)]!;
      if (c > 3) lastBad = p;
      hi = ((hi << 2) | (lo >>> 30)) & hiMask;
      lo = ((lo << 2) | (c & 3)) & loMask;
      const i = p - k + 1;
      if (i < start) continue;
      if (packable && lastBad < i && prev >= 0) {
        // Most k-mers follow an existing edge of the previous one: found by its targets' packings.
        let e = outHead[prev]!;
        while (e >= 0) {
          const t = edgeTo[e]!;
          if (vLo[t] === lo && vHi[t] === hi && vPacked[t]) break;
          e = edgeNext[e]!;
        }
        if (e >= 0) {
          edgeWeight[e]!++;
          if (isRef) this.edgeRef[e] = 1;
          prev = edgeTo[e]!;
          if (vRun[prev] === run) { this.runRepeat = true; return; }
          vRun[prev] = run;
          continue;
        }
      }
      const cur = packable && lastBad < i ? this.packedVertex(hi, lo, bases, i) : this.textVertex(bases, i);
      if (prev >= 0) this.addEdge(prev, cur, isRef);
      ({ outHead, edgeTo, edgeNext, edgeWeight, vLo, vHi, vPacked, vRun } = this);
      prev = cur;
      if (vRun[cur] === run) { this.runRepeat = true; return; }
      vRun[cur] = run;
    }
  }

  /** A read's k-mers: those of each run of good bases that starts before its last k bases. */
  private addRead(r: GoodRuns): void {
    const stop = r.bases.length - this.k;
    for (let j = 0; j < r.runs.length && r.runs[j]! < stop; j += 2) this.addRun(r.bases, r.runs[j]!, r.runs[j + 1]! - this.k, false);
  }

  /** Any directed cycle (self-loops included) anywhere in the graph (depth-first, the edge lists walked in place). */
  hasCycle(): boolean {
    const n = this.nV;
    const color = new Uint8Array(n); // 0 white, 1 on stack, 2 done
    const stackV = new Int32Array(n);
    const stackE = new Int32Array(n); // next out-edge to follow of each vertex on the stack
    const outHead = this.outHead;
    const edgeNext = this.edgeNext;
    const edgeTo = this.edgeTo;
    for (let s = 0; s < n; s++) {
      if (color[s] !== 0) continue;
      color[s] = 1;
      let top = 0;
      stackV[0] = s;
      stackE[0] = outHead[s]!;
      while (top >= 0) {
        const e = stackE[top]!;
        if (e < 0) {
          color[stackV[top]!] = 2;
          top--;
          continue;
        }
        stackE[top] = edgeNext[e]!;
        const t = edgeTo[e]!;
        if (color[t] === 1) return true;
        if (color[t] === 0) {
          color[t] = 1;
          top++;
          stackV[top] = t;
          stackE[top] = outHead[t]!;
        }
      }
    }
    return false;
  }

  private prune(): void {
    const nE = this.nE;
    for (let e = 0; e < nE; e++) {
      if (!this.edgeRef[e] && this.edgeWeight[e]! < this.o.minEdgeWeight) this.edgeAlive[e] = 0;
    }
    const n = this.nV;
    // Live in-edges of each vertex: inEdge[inStart[v] .. inStart[v + 1]).
    const inStart = new Int32Array(n + 1);
    for (let e = 0; e < nE; e++) if (this.edgeAlive[e]) inStart[this.edgeTo[e]! + 1]!++;
    for (let v = 0; v < n; v++) inStart[v + 1]! += inStart[v]!;
    const inEdge = new Int32Array(inStart[n]!);
    const fill = inStart.slice(0, n);
    for (let e = 0; e < nE; e++) if (this.edgeAlive[e]) inEdge[fill[this.edgeTo[e]!]!++] = e;
    const fwd = new Uint8Array(n);
    const stack = [this.source];
    fwd[this.source] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (let e = this.outHead[v]!; e >= 0; e = this.edgeNext[e]!) {
        if (!this.edgeAlive[e]) continue;
        const t = this.edgeTo[e]!;
        if (!fwd[t]) { fwd[t] = 1; stack.push(t); }
      }
    }
    const back = new Uint8Array(n);
    stack.push(this.sink);
    back[this.sink] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (let x = inStart[v]!; x < inStart[v + 1]!; x++) {
        const s = this.edgeFrom[inEdge[x]!]!;
        if (!back[s]) { back[s] = 1; stack.push(s); }
      }
    }
    for (let v = 0; v < n; v++) if (!(fwd[v] && back[v])) this.alive[v] = 0;
    for (let e = 0; e < nE; e++) if (!this.alive[this.edgeFrom[e]!] || !this.alive[this.edgeTo[e]!]) this.edgeAlive[e] = 0;
  }

  /** Successors of a live vertex, in vertex creation order. */
  private successors(v: number): number[] {
    const out: number[] = [];
    for (let e = this.outHead[v]!; e >= 0; e = this.edgeNext[e]!) if (this.edgeAlive[e]) out.push(this.edgeTo[e]!);
    return out.sort((a, b) => a - b);
  }

  /** Source→sink paths as vertex lists; [] when more than maxNumPaths are in play. */
  candidatePaths(): number[][] {
    // Breadth-first over paths, each a (vertex, parent entry) node so that extending is O(1)
    // (the node and queue lists are reused across graphs, grown by doubling).
    let vertexOf = cpVertex;
    let parentOf = cpParent;
    let queue = cpQueue;
    vertexOf[0] = this.source;
    parentOf[0] = -1;
    queue[0] = 0;
    let nNodes = 1;
    let nQueue = 1;
    const done: number[] = [];
    let head = 0;
    const succ = new Map<number, number[]>();
    const successors = (v: number): number[] => {
      let l = succ.get(v);
      if (!l) succ.set(v, l = this.successors(v));
      return l;
    };
    while (head < nQueue) {
      if (done.length + (nQueue - head) > this.o.maxNumPaths) return [];
      const node = queue[head++]!;
      for (const t of successors(vertexOf[node]!)) {
        if (nNodes === vertexOf.length) { vertexOf = cpVertex = doubled(vertexOf); parentOf = cpParent = doubled(parentOf); }
        vertexOf[nNodes] = t;
        parentOf[nNodes] = node;
        const ext = nNodes++;
        if (t === this.sink || successors(t).length === 0) done.push(ext);
        else {
          if (nQueue === queue.length) queue = cpQueue = doubled(queue);
          queue[nQueue++] = ext;
        }
      }
    }
    return done.map((node) => {
      const path: number[] = [];
      for (let n = node; n >= 0; n = parentOf[n]!) path.push(vertexOf[n]!);
      return path.reverse();
    });
  }

  haplotypeForPath(path: readonly number[]): string {
    if (path.length === 0) return '';
    let s = '';
    for (const v of path) s += this.vText[v]![this.vAt[v]!];
    return s + this.kmer(path[path.length - 1]!).slice(1);
  }

  /** The candidate haplotypes, sorted as byte strings (always includes the reference unless the path limit hit). */
  candidateHaplotypes(): string[] {
    const haps = this.candidatePaths().map((p) => this.haplotypeForPath(p));
    return haps.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Live vertex and edge counts (for diagnostics and tests). */
  size(): { vertices: number; edges: number } {
    let v = 0;
    let e = 0;
    for (let i = 0; i < this.alive.length; i++) if (this.alive[i]) v++;
    for (let i = 0; i < this.edgeAlive.length; i++) if (this.edgeAlive[i]) e++;
    return { vertices: v, edges: e };
  }

  /** Weight and reference flag of the live edge a→b (k-mers), if any. */
  edge(a: string, b: string): { weight: number; isRef: boolean } | undefined {
    const va = a.length === this.k ? this.find(a, 0) : -1;
    const vb = b.length === this.k ? this.find(b, 0) : -1;
    if (va < 0 || vb < 0 || !this.alive[va] || !this.alive[vb]) return undefined;
    let e = this.outHead[va]!;
    while (e >= 0 && this.edgeTo[e] !== vb) e = this.edgeNext[e]!;
    if (e < 0 || !this.edgeAlive[e]) return undefined;
    return { weight: this.edgeWeight[e]!, isRef: this.edgeRef[e] === 1 };
  }
}
