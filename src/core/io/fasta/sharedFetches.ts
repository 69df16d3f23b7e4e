/**
 * A ReferenceSource that remembers its last few `fetch` results by exact (contig, start, end),
 * for several readers walking the genome side by side that ask for the same aligned chunks:
 * the diff's two left-aligning sides and its haplotype stage each read the reference in
 * aligned 1 MiB chunks (variantNormalizer.ts ReferenceWindow, diff/haplotype/referenceCache.ts),
 * so each chunk is read and decoded once instead of once per reader. 0-based half-open.
 */
import type { ContigInfo, ReferenceSource } from './referenceSource';

/** Entries kept: enough for the readers' chunks in flight (each keeps ≤ 9) without holding a genome. */
const KEEP = 12;

export class SharedFetches implements ReferenceSource {
  /** Most recent last; values are the pending or settled fetches. */
  private readonly recent = new Map<string, Promise<string>>();

  constructor(private readonly inner: ReferenceSource) {}

  get path(): string {
    return this.inner.path;
  }

  contigs(signal?: AbortSignal): Promise<ContigInfo[]> {
    return this.inner.contigs(signal);
  }

  fetch(contig: string, start: number, end: number, signal?: AbortSignal): Promise<string> {
    const key = `${contig}\u0000${start}\u0000${end}`;
    const hit = this.recent.get(key);
    if (hit) {
      this.recent.delete(key);
      this.recent.set(key, hit);
      return hit;
    }
    const p = this.inner.fetch(contig, start, end, signal);
    // A failed fetch is not kept: the next reader asks again (and gets its own error).
    p.catch(() => { if (this.recent.get(key) === p) this.recent.delete(key); });
    this.recent.set(key, p);
    if (this.recent.size > KEEP) this.recent.delete(this.recent.keys().next().value!);
    return p;
  }

  close(): Promise<void> {
    this.recent.clear();
    return this.inner.close();
  }
}
