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

/** k up to which a k-mer packs exactly into a double (2 bits a base, 52 bits). */
const MAX_PACKED_K = 26;
const CODE = new Uint8Array(256).fill(4);
CODE[65] = 0; CODE[67] = 1; CODE[71] = 2; CODE[84] = 3;

/** The `ids` key of a k-mer string. */
function kmerKey(kmer: string): number | string {
  if (kmer.length > MAX_PACKED_K) return kmer;
  let key = 0;
  for (let i = 0; i < kmer.length; i++) {
    const c = CODE[kmer.charCodeAt(i)]!;
    if (c > 3) return kmer;
    key = key * 4 + c;
  }
  return key;
}

function isAcgt(c: number): boolean {
  return c === 65 || c === 67 || c === 71 || c === 84;
}

/** The smallest usable k (no repeated reference k-mer), or -1. */
export function minKForReference(ref: string, o: DeBruijnOptions): number {
  const maxK = Math.min(o.maxK, ref.length - 1);
  for (let k = o.minK; k <= maxK; k += o.stepK) {
    const seen = new Set<string>();
    let repeated = false;
    for (let i = 0; i + k <= ref.length; i++) {
      const km = ref.slice(i, i + k);
      if (seen.has(km)) { repeated = true; break; }
      seen.add(km);
    }
    if (!repeated) return k;
  }
  return -1;
}

export class DeBruijnGraph {
  /** Vertex id → k-mer, in creation order. */
  readonly kmers: string[] = [];
  /** k-mer → vertex; the key is the 2-bit packed k-mer when k ≤ 26 and it is all ACGT, else the string. */
  private readonly ids = new Map<number | string, number>();
  /** Per vertex: target vertex → edge index. */
  private out: Map<number, number>[] = [];
  private edgeFrom: number[] = [];
  private edgeTo: number[] = [];
  private edgeWeight: number[] = [];
  private edgeRef: boolean[] = [];
  private alive: Uint8Array = new Uint8Array(0);
  private edgeAlive: Uint8Array = new Uint8Array(0);
  readonly source: number;
  readonly sink: number;

  private constructor(readonly ref: string, reads: readonly GraphRead[], readonly k: number, private readonly o: DeBruijnOptions) {
    this.addRun(ref, 0, ref.length - k, true);
    this.source = this.ids.get(kmerKey(ref.slice(0, k)))!;
    this.sink = this.ids.get(kmerKey(ref.slice(ref.length - k)))!;
    for (const r of reads) if (r.mapq >= o.minMapq) this.addRead(r);
    this.alive = new Uint8Array(this.kmers.length).fill(1);
    this.edgeAlive = new Uint8Array(this.edgeFrom.length).fill(1);
  }

  /** `DeBruijnGraph::Build`: the graph for the first usable acyclic k, pruned; undefined when none. */
  static build(ref: string, reads: readonly GraphRead[], o: DeBruijnOptions = DV_DEBRUIJN_OPTIONS): DeBruijnGraph | undefined {
    const k0 = minKForReference(ref, o);
    if (k0 < 0) return undefined;
    const maxK = Math.min(o.maxK, ref.length - 1);
    for (let k = k0; k <= maxK; k += o.stepK) {
      const g = new DeBruijnGraph(ref, reads, k, o);
      if (g.hasCycle()) continue;
      g.prune();
      return g;
    }
    return undefined;
  }

  private vertex(key: number | string, bases: string, at: number): number {
    let v = this.ids.get(key);
    if (v === undefined) {
      v = this.kmers.length;
      this.kmers.push(bases.slice(at, at + this.k));
      this.ids.set(key, v);
      this.out.push(new Map());
    }
    return v;
  }

  private addEdge(a: number, b: number, isRef: boolean): void {
    const m = this.out[a]!;
    let e = m.get(b);
    if (e === undefined) {
      e = this.edgeFrom.length;
      this.edgeFrom.push(a);
      this.edgeTo.push(b);
      this.edgeWeight.push(0);
      this.edgeRef.push(false);
      m.set(b, e);
    }
    this.edgeWeight[e]!++;
    if (isRef) this.edgeRef[e] = true;
  }

  /** k-mers starting at start..end (inclusive) and the edges between consecutive ones; nothing when end ≤ 0. */
  private addRun(bases: string, start: number, end: number, isRef: boolean): void {
    if (end <= 0) return;
    const k = this.k;
    const packable = k <= MAX_PACKED_K;
    const top = 4 ** (k - 1);
    // Rolling key over [i, i + k): `bad` counts non-ACGT bases in the window.
    let key = 0;
    let bad = 0;
    for (let p = start; p < start + k; p++) {
      const c = CODE[bases.charCodeAt(p)]!;
      if (c > 3) bad++;
      else key = key * 4 + c;
    }
    let prev = this.vertex(packable && bad === 0 ? key : bases.slice(start, start + k), bases, start);
    for (let i = start + 1; i <= end; i++) {
      const out = CODE[bases.charCodeAt(i - 1)]!;
      const inc = CODE[bases.charCodeAt(i + k - 1)]!;
      if (out > 3) bad--;
      if (inc > 3) bad++;
      let cur: number;
      if (packable && bad === 0) {
        // Recompute after a non-ACGT base left the window, else roll.
        if (out > 3 || key < 0) {
          key = 0;
          for (let p = i; p < i + k; p++) key = key * 4 + CODE[bases.charCodeAt(p)]!;
        } else key = (key - out * top) * 4 + inc;
        cur = this.vertex(key, bases, i);
      } else {
        key = -1; // stale: recompute when the window is clean again
        cur = this.vertex(bases.slice(i, i + k), bases, i);
      }
      this.addEdge(prev, cur, isRef);
      prev = cur;
    }
  }

  private addRead(r: GraphRead): void {
    const bases = r.seq.toUpperCase();
    const n = bases.length;
    const k = this.k;
    const minBq = this.o.minBaseQuality;
    const stop = n - k;
    let i = 0;
    while (i < stop) {
      let bad = i;
      while (bad < n && isAcgt(bases.charCodeAt(bad)) && r.qual[bad]! >= minBq) bad++;
      this.addRun(bases, i, bad - k, false);
      i = bad + 1;
    }
  }

  /** Any directed cycle (self-loops included) anywhere in the graph. */
  hasCycle(): boolean {
    const n = this.kmers.length;
    const color = new Uint8Array(n); // 0 white, 1 on stack, 2 done
    const stackV: number[] = [];
    const stackIt: number[][] = [];
    for (let s = 0; s < n; s++) {
      if (color[s] !== 0) continue;
      color[s] = 1;
      stackV.push(s);
      stackIt.push([...this.out[s]!.keys()]);
      while (stackV.length > 0) {
        const it = stackIt[stackIt.length - 1]!;
        if (it.length === 0) {
          color[stackV.pop()!] = 2;
          stackIt.pop();
          continue;
        }
        const t = it.pop()!;
        if (color[t] === 1) return true;
        if (color[t] === 0) {
          color[t] = 1;
          stackV.push(t);
          stackIt.push([...this.out[t]!.keys()]);
        }
      }
    }
    return false;
  }

  private prune(): void {
    const nE = this.edgeFrom.length;
    for (let e = 0; e < nE; e++) {
      if (!this.edgeRef[e] && this.edgeWeight[e]! < this.o.minEdgeWeight) this.edgeAlive[e] = 0;
    }
    const n = this.kmers.length;
    const inEdges: number[][] = Array.from({ length: n }, () => []);
    for (let e = 0; e < nE; e++) if (this.edgeAlive[e]) inEdges[this.edgeTo[e]!]!.push(e);
    const fwd = new Uint8Array(n);
    const stack = [this.source];
    fwd[this.source] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const e of this.out[v]!.values()) {
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
      for (const e of inEdges[v]!) {
        const s = this.edgeFrom[e]!;
        if (!back[s]) { back[s] = 1; stack.push(s); }
      }
    }
    for (let v = 0; v < n; v++) if (!(fwd[v] && back[v])) this.alive[v] = 0;
    for (let e = 0; e < nE; e++) if (!this.alive[this.edgeFrom[e]!] || !this.alive[this.edgeTo[e]!]) this.edgeAlive[e] = 0;
  }

  /** Successors of a live vertex, in vertex creation order. */
  private successors(v: number): number[] {
    const out: number[] = [];
    for (const [t, e] of this.out[v]!) if (this.edgeAlive[e]) out.push(t);
    return out.sort((a, b) => a - b);
  }

  /** Source→sink paths as vertex lists; [] when more than maxNumPaths are in play. */
  candidatePaths(): number[][] {
    // Breadth-first over paths, each a (vertex, parent entry) node so that extending is O(1).
    const vertexOf: number[] = [this.source];
    const parentOf: number[] = [-1];
    const done: number[] = [];
    const queue: number[] = [0];
    let head = 0;
    const succ = new Map<number, number[]>();
    const successors = (v: number): number[] => {
      let l = succ.get(v);
      if (!l) succ.set(v, l = this.successors(v));
      return l;
    };
    while (head < queue.length) {
      if (done.length + (queue.length - head) > this.o.maxNumPaths) return [];
      const node = queue[head++]!;
      for (const t of successors(vertexOf[node]!)) {
        vertexOf.push(t);
        parentOf.push(node);
        const ext = vertexOf.length - 1;
        if (t === this.sink || successors(t).length === 0) done.push(ext);
        else queue.push(ext);
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
    for (const v of path) s += this.kmers[v]![0];
    return s + this.kmers[path[path.length - 1]!]!.slice(1);
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
    const va = this.ids.get(kmerKey(a));
    const vb = this.ids.get(kmerKey(b));
    if (va === undefined || vb === undefined || !this.alive[va] || !this.alive[vb]) return undefined;
    const e = this.out[va]!.get(vb);
    if (e === undefined || !this.edgeAlive[e]) return undefined;
    return { weight: this.edgeWeight[e]!, isRef: this.edgeRef[e]! };
  }
}
