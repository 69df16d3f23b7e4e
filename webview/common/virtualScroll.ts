/**
 * Scroll geometry for millions of rows. Browsers cap an element's height (Chromium ~33.5M
 * px, Firefox ~17.9M px), so 5,000,000 rows × 22 px = 110M px cannot be laid out. The
 * scrollable spacer is capped at MAX_SCROLL_PX and the scroll position maps linearly onto the
 * first visible row (a scaled scrollbar); below the cap the mapping is exact (1 px = 1 px).
 */

/** Well under every browser's limit. */
export const MAX_SCROLL_PX = 8_000_000;

export interface ScrollGeometry {
  /** Height of the spacer element that gives the scrollbar its range. */
  readonly spacerPx: number;
  /** Rows that fit in the viewport (the last one possibly partial). */
  readonly visibleRows: number;
  /** Largest first row (so the last row ends at the bottom). */
  readonly maxFirst: number;
}

export function geometry(rowCount: number, rowPx: number, viewportPx: number): ScrollGeometry {
  const visibleRows = Math.max(1, Math.ceil(viewportPx / rowPx));
  const fullRows = Math.max(1, Math.floor(viewportPx / rowPx));
  const maxFirst = Math.max(0, rowCount - fullRows);
  const spacerPx = Math.min(MAX_SCROLL_PX, rowCount * rowPx);
  return { spacerPx, visibleRows, maxFirst };
}

/** First visible row for a scrollTop. */
export function firstRowAt(scrollTop: number, g: ScrollGeometry, rowPx: number, viewportPx: number): number {
  const range = g.spacerPx - viewportPx;
  if (range <= 0 || g.maxFirst === 0) return 0;
  if (g.spacerPx < MAX_SCROLL_PX) return Math.min(g.maxFirst, Math.floor(scrollTop / rowPx));
  return Math.min(g.maxFirst, Math.max(0, Math.round((scrollTop / range) * g.maxFirst)));
}

/** scrollTop that shows `first` as the first row (inverse of firstRowAt). */
export function scrollTopFor(first: number, g: ScrollGeometry, rowPx: number, viewportPx: number): number {
  const range = g.spacerPx - viewportPx;
  if (range <= 0 || g.maxFirst === 0) return 0;
  const f = Math.min(g.maxFirst, Math.max(0, first));
  if (g.spacerPx < MAX_SCROLL_PX) return f * rowPx;
  return (f / g.maxFirst) * range;
}

/**
 * A bounded cache of row pages with in-flight de-duplication. Pages are keyed by view id,
 * so a new sort/filter never shows rows of the previous view.
 */
export class PageCache<T> {
  private readonly pages = new Map<string, T[]>();
  private readonly inflight = new Map<string, Promise<T[]>>();
  private size_: number;
  /** Bumped by resize(): pages requested before it are dropped when they arrive. */
  private generation = 0;

  constructor(
    pageSize: number,
    private readonly maxPages: number,
    private readonly fetch: (viewId: number, from: number, to: number) => Promise<T[]>,
  ) {
    this.size_ = pageSize;
  }

  /** Rows per page (one `fetch`). */
  get pageSize(): number {
    return this.size_;
  }

  /** Changes the page size (the host's setting arrives with table.init); drops every page. */
  resize(pageSize: number): void {
    if (pageSize === this.size_) return;
    this.size_ = pageSize;
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
  }

  /** The row if its page is loaded, else undefined (and the page is requested). */
  peek(viewId: number, index: number, onLoaded: () => void): T | undefined {
    const page = Math.floor(index / this.pageSize);
    const key = `${viewId}:${page}`;
    const rows = this.pages.get(key);
    if (rows) {
      // LRU: re-insert to mark as recently used.
      this.pages.delete(key);
      this.pages.set(key, rows);
      return rows[index - page * this.pageSize];
    }
    if (!this.inflight.has(key)) {
      const from = page * this.pageSize;
      const generation = this.generation;
      const p = this.fetch(viewId, from, from + this.pageSize).then((r) => {
        if (generation !== this.generation) return r;
        this.inflight.delete(key);
        this.pages.set(key, r);
        while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as string);
        onLoaded();
        return r;
      }, (e: unknown) => {
        if (generation === this.generation) this.inflight.delete(key);
        throw e;
      });
      p.catch(() => undefined);
      this.inflight.set(key, p);
    }
    return undefined;
  }

  /** Stores rows [from, from + rows.length) of a view that arrived another way (table.init's first page). */
  seed(viewId: number, from: number, rows: T[]): void {
    if (from % this.pageSize !== 0) return;
    this.pages.set(`${viewId}:${from / this.pageSize}`, rows.slice(0, this.pageSize));
  }

  get size(): number {
    return this.pages.size;
  }

  clear(): void {
    this.pages.clear();
  }
}
