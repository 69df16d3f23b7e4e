/**
 * An AlignmentSource that serves repeated `fetch`es of the same window from memory, so that
 * the PartitionReaders of several make_examples settings (models with different parameters,
 * the explanation's cross-run) read each block of the BAM/CRAM once. The readers ask for
 * identical windows (blocks of partitions aligned to the region start), so an exact-key cache
 * is enough. Reads are shared, never mutated (filters build new arrays). Used by
 * model/modelCaller.ts and explain/explainSite.ts.
 */
import type { AlignedRead, AlignmentSource } from './alignedRead';

export interface SharedFetchOptions {
  /** Keep at most this many windows (least recently used dropped first); default: no limit. */
  readonly maxWindows?: number;
  /** Whether `close()` closes the wrapped source (default true); false when the caller owns it. */
  readonly closesInner?: boolean;
}

export class SharedFetchSource implements AlignmentSource {
  private readonly cache = new Map<string, Promise<AlignedRead[]>>();
  constructor(private readonly inner: AlignmentSource, private readonly options: SharedFetchOptions = {}) {}
  get path(): string { return this.inner.path; }
  contigNames(signal?: AbortSignal): Promise<string[]> { return this.inner.contigNames(signal); }
  sampleName(signal?: AbortSignal): Promise<string | undefined> { return this.inner.sampleName(signal); }
  fetch(contig: string, start: number, end: number, signal?: AbortSignal): Promise<AlignedRead[]> {
    const key = `${contig}:${start}-${end}`;
    let p = this.cache.get(key);
    if (p) {
      // Refresh its place in the LRU order.
      this.cache.delete(key);
      this.cache.set(key, p);
      return p;
    }
    p = this.inner.fetch(contig, start, end, signal);
    this.cache.set(key, p);
    p.catch(() => this.cache.delete(key));
    const max = this.options.maxWindows ?? Infinity;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }
  close(): Promise<void> { return this.options.closesInner === false ? Promise.resolve() : this.inner.close(); }
}
