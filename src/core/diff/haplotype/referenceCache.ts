/**
 * Reference bases for haplotype replay: aligned 1 MiB chunks of the contig being compared,
 * loaded on demand (superloci arrive in genome order, so few chunks are alive at a time).
 * Coordinates: 0-based half-open.
 */
import { throwIfAborted } from '../../errors';
import type { ReferenceSource } from '../../io/fasta/referenceSource';

/** 1 MiB chunks: each fetch opens and reads the FASTA, so few large reads beat many small ones. */
const CHUNK = 1 << 20;

export class ReferenceCache {
  private contig = '';
  private readonly chunks = new Map<number, string>();
  private lengths: Map<string, number> | undefined;
  private contigLength = Infinity;

  constructor(private readonly reference: ReferenceSource, private readonly signal?: AbortSignal) {}

  /** Loads what [start0, end0) of `contig` needs (clamped to the contig). */
  async ensure(contig: string, start0: number, end0: number): Promise<void> {
    if (!this.lengths) this.lengths = new Map((await this.reference.contigs(this.signal)).map((c) => [c.name, c.length]));
    if (contig !== this.contig) {
      this.contig = contig;
      this.chunks.clear();
      this.contigLength = this.lengths.get(contig) ?? Infinity;
    }
    const first = Math.floor(Math.max(0, start0) / CHUNK);
    const last = Math.floor(Math.max(0, Math.min(end0, this.contigLength) - 1) / CHUNK);
    for (let c = first; c <= last; c++) {
      if (this.chunks.has(c)) continue;
      throwIfAborted(this.signal);
      if (this.chunks.size > 8) for (const k of [...this.chunks.keys()]) if (k < first - 1) this.chunks.delete(k);
      const s = c * CHUNK;
      const e = Math.min(s + CHUNK, this.contigLength);
      this.chunks.set(c, e > s ? await this.reference.fetch(contig, s, e, this.signal) : '');
    }
  }

  /** True when [start0, end0) of `contig` is loaded (then `slice`/`base` need no `ensure`). */
  has(contig: string, start0: number, end0: number): boolean {
    if (contig !== this.contig || !this.lengths) return false;
    const first = Math.floor(Math.max(0, start0) / CHUNK);
    const last = Math.floor(Math.max(0, Math.min(end0, this.contigLength) - 1) / CHUNK);
    for (let c = first; c <= last; c++) if (!this.chunks.has(c)) return false;
    return true;
  }

  /** Contig length from the reference index (Infinity when unknown). */
  get length(): number {
    return this.contigLength;
  }

  /** The base at pos0, undefined when its chunk is not loaded ('N' past the contig end). */
  base(pos0: number): string | undefined {
    if (pos0 < 0 || pos0 >= this.contigLength) return 'N';
    const c = Math.floor(pos0 / CHUNK);
    const s = this.chunks.get(c);
    return s === undefined ? undefined : s[pos0 - c * CHUNK] ?? 'N';
  }

  /** Bases of [start0, end0); the chunks must be loaded (`ensure`). */
  slice(start0: number, end0: number): string {
    let out = '';
    let p = Math.max(0, start0);
    const e = Math.min(end0, this.contigLength);
    while (p < e) {
      const c = Math.floor(p / CHUNK);
      const s = this.chunks.get(c);
      if (s === undefined) throw new Error(`reference chunk ${this.contig}:${c * CHUNK} not loaded`);
      const to = Math.min(e, (c + 1) * CHUNK);
      out += s.slice(p - c * CHUNK, to - c * CHUNK);
      p = to;
    }
    return out;
  }
}
