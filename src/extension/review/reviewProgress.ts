/**
 * Review progress as the status bar item and the Review view's badge show it (issue #19,
 * pain 6: the view's own header is hidden when it is the only view of its container). For a
 * diff, progress counts the **disputes** — sites whose calls differ (gt-change,
 * filter-change, only-A, only-B) — not the sites that differ only in QUAL: "reviewed" is the
 * disputes with a verdict in the workspace review file. For a table, the records of the VCF
 * and the sites of the review file. No `vscode` here (reviewController.ts shows it).
 */
import { isDispute, type DiffSite } from '../../core/diff/diffClasses';
import type { ReviewSiteRef } from '../../protocol/protocol';


export interface ReviewProgress {
  /** 'disputes' (a diff) or 'records' (a table). */
  readonly unit: 'disputes' | 'records';
  readonly reviewed: number;
  /** Undefined while unknown (diff running, table index being built). */
  readonly total: number | undefined;
  /** Base name of the workspace review file. */
  readonly fileName: string;
  /** Conflicted sites in the review file. */
  readonly conflicts: number;
}

/** Disputes of a diff's site list and how many of them have a verdict (`has`). */
export function disputeProgress(sites: Iterable<DiffSite>, has: (site: ReviewSiteRef) => boolean): { reviewed: number; total: number } {
  let total = 0;
  let reviewed = 0;
  for (const s of sites) {
    if (!isDispute(s)) continue;
    total++;
    if (has(s)) reviewed++;
  }
  return { reviewed, total };
}

/** A diff's differing sites as the review progress reads them (DiffSiteList). */
interface SiteList {
  readonly length: number;
  get(i: number): DiffSite | undefined;
}

/**
 * `disputeProgress` of diffs' site lists, remembered. The Review view, its badge and the
 * status bar ask for it after every change, twice or three times each; a pass over a whole
 * genome's differing sites (a quarter of a million on two 5M-record VCFs) per question held
 * the extension host for seconds right after a large diff finished, before the diff editor's
 * plots could be answered. The disputes of a list are counted once; the reviewed ones again
 * only when the review store changed (`entries`: the store's entry array, a new one after every
 * change), and not at all while the store is empty or not open.
 */
export class DisputeProgressCache {
  private readonly lists = new WeakMap<SiteList, { total: number; entries: object | undefined; reviewed: number }>();

  /** `disputes`: the list's number of disputes when the caller knows it (else counted here, once). */
  of(list: SiteList, entries: readonly unknown[] | undefined, has: (site: ReviewSiteRef) => boolean, disputes?: number): { reviewed: number; total: number } {
    let c = this.lists.get(list);
    if (!c) {
      let total = disputes ?? 0;
      if (disputes === undefined) for (let i = 0; i < list.length; i++) if (isDispute(list.get(i)!)) total++;
      c = { total, entries: undefined, reviewed: 0 };
      this.lists.set(list, c);
    }
    if (!entries || entries.length === 0) {
      c.entries = undefined;
      c.reviewed = 0;
    } else if (c.entries !== entries) {
      c.entries = entries;
      let reviewed = 0;
      for (let i = 0; i < list.length; i++) {
        const s = list.get(i)!;
        if (isDispute(s) && has(s)) reviewed++;
      }
      c.reviewed = reviewed;
    }
    return { reviewed: c.reviewed, total: c.total };
  }
}

/** "2 / 6 disputes reviewed", "3 / 178 records reviewed", "2 / ? disputes reviewed". */
export function progressText(p: ReviewProgress): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `${n(p.reviewed)} / ${p.total === undefined ? '?' : n(p.total)} ${p.unit} reviewed`;
}

/**
 * Status bar text, naming the one review file every view writes:
 * "$(checklist) 2 / 6 disputes reviewed · variant-lens.review.tsv" (+ "· $(warning) 1" conflicts).
 */
export function statusText(p: ReviewProgress): string {
  return `$(checklist) ${progressText(p)} · ${p.fileName}${p.conflicts > 0 ? ` · $(warning) ${p.conflicts}` : ''}`;
}

/** Status bar tooltip: the file and what is counted. */
export function statusTooltip(p: ReviewProgress): string {
  const what = p.unit === 'disputes'
    ? 'Disputes: sites where the two calls differ (gt-change, filter-change, only-A, only-B); QUAL-only changes are not counted.'
    : 'Records of the VCF table with a verdict.';
  return `Variant Lens review file: ${p.fileName}\n${what}${p.conflicts > 0 ? `\n${p.conflicts} conflicted site(s) to resolve.` : ''}\nClick to show the Review view.`;
}

/**
 * The badge of the Review view (on the activity-bar icon): disputes still to review with a
 * diff active. None for a table (every record of a VCF is not a to-do list; the status bar
 * shows its count) or while the total is unknown.
 */
export function badgeOf(p: ReviewProgress | undefined): { value: number; tooltip: string } | undefined {
  if (!p || p.total === undefined || p.unit !== 'disputes') return undefined;
  const left = Math.max(0, p.total - p.reviewed);
  return { value: left, tooltip: `${progressText(p)} — ${left.toLocaleString('en-US')} left (${p.fileName})` };
}
