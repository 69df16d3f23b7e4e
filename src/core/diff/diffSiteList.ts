/**
 * The differing sites of a diff, held for a UI that pages through them: filter by class,
 * kind, contig or stratum-free text, sort by a column, read a page. Sites are kept in
 * genome order as the engine emits them; views hold index arrays, not copies.
 */
import type { DiffClass, DiffSite, DiffVariantKind } from './diffClasses';

export type DiffSortKey = 'position' | 'qualA' | 'qualB' | 'qualDelta' | 'gqA' | 'gqB' | 'classes' | 'kind';

export interface DiffSiteQuery {
  /** Keep sites carrying any of these classes. */
  readonly classes?: readonly DiffClass[];
  readonly kinds?: readonly DiffVariantKind[];
  readonly contig?: string;
  /** Case-insensitive substring of "contig:pos ref>alt GT/FILTER of both sides". */
  readonly text?: string;
  /** Keep sites for which this holds (the feature terms of a filter: diff/features/featureFilter.ts). */
  readonly where?: (site: DiffSite) => boolean;
  readonly sortBy?: DiffSortKey;
  readonly descending?: boolean;
}

export interface DiffSiteView {
  /** Number of sites matching the query. */
  readonly length: number;
  /** Sites [offset, offset + limit) of the view. */
  page(offset: number, limit: number): DiffSite[];
  /** Position of a site (by index in the list) within the view, or -1. */
  indexOf(listIndex: number): number;
  /** Index in the underlying list of the view's i-th site. */
  listIndex(i: number): number;
}

export class DiffSiteList {
  private readonly sites: DiffSite[] = [];

  /** Adds a site; use as the engine's onSite callback: `onSite: (s) => list.push(s)`. */
  push(site: DiffSite): void {
    this.sites.push(site);
  }

  get length(): number {
    return this.sites.length;
  }

  get(i: number): DiffSite | undefined {
    return this.sites[i];
  }

  query(q: DiffSiteQuery = {}): DiffSiteView {
    const classes = q.classes && q.classes.length > 0 ? new Set(q.classes) : undefined;
    const kinds = q.kinds && q.kinds.length > 0 ? new Set(q.kinds) : undefined;
    const text = q.text?.trim().toLowerCase() || undefined;
    let idx: number[] = [];
    for (let i = 0; i < this.sites.length; i++) {
      const s = this.sites[i]!;
      if (classes && !s.classes.some((c) => classes.has(c))) continue;
      if (kinds && !kinds.has(s.kind)) continue;
      if (q.contig !== undefined && s.contig !== q.contig) continue;
      if (text && !searchText(s).includes(text)) continue;
      if (q.where && !q.where(s)) continue;
      idx.push(i);
    }
    if (q.sortBy && q.sortBy !== 'position') {
      const key = sortValue(q.sortBy);
      const dir = q.descending ? -1 : 1;
      // Stable: ties keep genome order. Missing values sort last in both directions.
      idx = idx.map((i) => [i, key(this.sites[i]!)] as const)
        .sort((x, y) => {
          const a = x[1];
          const b = y[1];
          if (a === b) return x[0] - y[0];
          if (a === undefined) return 1;
          if (b === undefined) return -1;
          return (a < b ? -1 : 1) * dir;
        })
        .map((x) => x[0]);
    } else if (q.descending) {
      idx.reverse();
    }
    const sites = this.sites;
    let inverse: Map<number, number> | undefined;
    return {
      length: idx.length,
      page: (offset, limit) => idx.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, limit)).map((i) => sites[i]!),
      indexOf: (listIndex) => {
        inverse ??= new Map(idx.map((li, vi) => [li, vi]));
        return inverse.get(listIndex) ?? -1;
      },
      listIndex: (i) => idx[i] ?? -1,
    };
  }
}

function searchText(s: DiffSite): string {
  return `${s.contig}:${s.pos} ${s.ref}>${s.alt} ${s.a?.recordGt ?? ''} ${s.b?.recordGt ?? ''} ${s.a?.filter ?? ''} ${s.b?.filter ?? ''} ${s.classes.join(' ')}`.toLowerCase();
}

function sortValue(k: DiffSortKey): (s: DiffSite) => number | string | undefined {
  switch (k) {
    case 'qualA': return (s) => s.a?.qual;
    case 'qualB': return (s) => s.b?.qual;
    case 'qualDelta': return (s) => (s.a?.qual !== undefined && s.b?.qual !== undefined ? Math.abs(s.a.qual - s.b.qual) : undefined);
    case 'gqA': return (s) => s.a?.gq;
    case 'gqB': return (s) => s.b?.gq;
    case 'classes': return (s) => s.classes.join(',');
    case 'kind': return (s) => s.kind;
    case 'position': return () => 0;
  }
}
