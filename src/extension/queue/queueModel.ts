/**
 * The host side of one review queue (issue #20), without `vscode` (unit-tested in Node): the
 * queue's sites (a snapshot of a diff view or a table view when the queue was opened), their
 * review cells and the reviewed count, and the tiles — made by a `TileFn` (queueTiles.ts: the
 * inspector's images, downscaled) in batches, with progress, cancel and an LRU cache per site.
 *
 * Batching: the cached tiles of a request go out at once; the others are made one site at a
 * time and sent in batches — a small first batch (the first tiles show early), then larger
 * ones. Between sites the work yields to the event loop, so a `cancel` (the page scrolled on)
 * is seen before the next site. A site asked for twice while its tile is being made is made
 * once (in-flight map). A tile that failed with a user problem (no reads, no candidate)
 * carries the reason as its note and is cached like any tile; a cancelled one is not.
 */
import { isCancelled, throwIfAborted } from '../../core/errors';
import type { ModelSnapshot } from '../../core/review/reviewFormat';
import type { ReviewCell, ReviewSiteRef, SiteRecord } from '../../protocol/protocol';
import type { QueueCall, QueueInit, QueueSite, QueueTile } from '../../protocol/queueProtocol';

/** Most sites a queue holds (the first ones of a bigger view). */
export const MAX_QUEUE_SITES = 20_000;

/** One site of the queue: its key, what the VCFs called, and how to read its record. */
export interface QueueEntry {
  readonly contig: string;
  /** VCF 1-based POS (a diff's normalized allele, a table's record). */
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly classes: readonly string[];
  readonly calls: readonly QueueCall[];
  /** What each VCF recorded (GT/GQ/QUAL), stored with a verdict (reviewFormat's model snapshot). */
  readonly snapshot: readonly ModelSnapshot[];
  /** The record the inspector shows (and the tile is made from). */
  record(signal?: AbortSignal): Promise<SiteRecord>;
}

/** Makes a site's tile (without its index). Throws only for cancellation or a bug. */
export type TileFn = (entry: QueueEntry, signal: AbortSignal) => Promise<Omit<QueueTile, 'index'>>;

export interface QueueInfo {
  readonly title: string;
  readonly kind: 'diff' | 'table';
  readonly viewCount: number;
  readonly callLabels: readonly string[];
}

export interface QueueModelOptions {
  /** Tiles kept (LRU); default 2000 (~30 MB of 110×50 thumbnails, two per site at most). */
  readonly cacheSize?: number;
  /** Sites in the first batch of a request (default 2: the first tiles show early) and in the next ones (default 12). */
  readonly firstBatch?: number;
  readonly batch?: number;
  /** The site's cell in the workspace review file. */
  readonly reviewCell?: (site: ReviewSiteRef) => ReviewCell | undefined;
}

export function siteKey(s: ReviewSiteRef): string {
  return `${s.contig}\t${s.pos}\t${s.ref}\t${s.alt}`;
}

/** A least-recently-used map: `get` refreshes, `set` evicts the oldest beyond `capacity`. */
export class LruCache<V> {
  private readonly map = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class ReviewQueueModel {
  private readonly cache: LruCache<Omit<QueueTile, 'index'>>;
  private readonly inflight = new Map<string, Promise<Omit<QueueTile, 'index'>>>();
  /** Tiles made (not from the cache) since the queue opened; tests and the log read it. */
  made = 0;

  constructor(
    readonly info: QueueInfo,
    readonly entries: readonly QueueEntry[],
    private readonly makeTile: TileFn,
    private readonly options: QueueModelOptions = {},
  ) {
    this.cache = new LruCache(Math.max(1, options.cacheSize ?? 2000));
  }

  get count(): number {
    return this.entries.length;
  }

  get cachedTiles(): number {
    return this.cache.size;
  }

  init(vocabulary: QueueInit['vocabulary'], reviewFileName: string): QueueInit {
    return {
      title: this.info.title, kind: this.info.kind, count: this.count, viewCount: this.info.viewCount,
      callLabels: this.info.callLabels, reviewed: this.reviewed(), vocabulary, reviewFileName,
    };
  }

  /** Sites of the queue with a verdict in the review file. */
  reviewed(): number {
    const cell = this.options.reviewCell;
    if (!cell) return 0;
    let n = 0;
    for (const e of this.entries) if (cell(e)) n++;
    return n;
  }

  sites(from: number, to: number): QueueSite[] {
    const out: QueueSite[] = [];
    const end = Math.min(to, this.count);
    for (let i = Math.max(0, from); i < end; i++) {
      const e = this.entries[i]!;
      const review = this.options.reviewCell?.(e);
      out.push({ index: i, contig: e.contig, pos: e.pos, ref: e.ref, alt: e.alt, classes: e.classes, calls: e.calls, ...(review ? { review } : {}) });
    }
    return out;
  }

  entry(index: number): QueueEntry | undefined {
    return this.entries[index];
  }

  /**
   * The tiles of sites [from, to): cached ones first (one batch), then made in batches; each
   * batch goes to `onBatch`; `onProgress(done, total)` after each. Rejects with 'cancelled'
   * when `signal` aborts (the batches already sent stay valid).
   */
  async tiles(from: number, to: number, signal: AbortSignal, onBatch: (tiles: QueueTile[]) => void, onProgress?: (done: number, total: number) => void): Promise<{ made: number; cached: number }> {
    const end = Math.min(to, this.count);
    const start = Math.max(0, from);
    const total = Math.max(0, end - start);
    const cached: QueueTile[] = [];
    const todo: number[] = [];
    for (let i = start; i < end; i++) {
      const t = this.cache.get(siteKey(this.entries[i]!));
      if (t) cached.push({ index: i, ...t });
      else todo.push(i);
    }
    if (cached.length > 0) onBatch(cached);
    let done = cached.length;
    onProgress?.(done, total);
    const first = Math.max(1, this.options.firstBatch ?? 2);
    const size = Math.max(1, this.options.batch ?? 12);
    let batch: QueueTile[] = [];
    let limit = first;
    let made = 0;
    for (const i of todo) {
      throwIfAborted(signal);
      const tile = await this.tileOf(i, signal);
      made++;
      batch.push({ index: i, ...tile });
      done++;
      if (batch.length >= limit) {
        onBatch(batch);
        onProgress?.(done, total);
        batch = [];
        limit = size;
      }
      await yieldToLoop();
    }
    throwIfAborted(signal);
    if (batch.length > 0) {
      onBatch(batch);
      onProgress?.(done, total);
    }
    return { made, cached: cached.length };
  }

  private async tileOf(index: number, signal: AbortSignal): Promise<Omit<QueueTile, 'index'>> {
    const e = this.entries[index]!;
    const key = siteKey(e);
    const hit = this.cache.get(key);
    if (hit) return hit;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.makeTile(e, signal).then((t) => {
        this.made++;
        this.cache.set(key, t);
        return t;
      }).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    try {
      return await p;
    } catch (err) {
      // Another request's cancellation must not fail this one: make it again under our signal.
      if (isCancelled(err) && !signal.aborted) return this.tileOf(index, signal);
      throw err;
    }
  }

  /** Forgets every tile (reads, reference or models changed). */
  clearTiles(): void {
    this.cache.clear();
  }
}
