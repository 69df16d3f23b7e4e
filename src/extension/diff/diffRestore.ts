/**
 * What brings a diff back: the page's saved state after a window reload (the panel serializer
 * in diffPanel.ts hands it here) and the last comparison kept in the workspace state for
 * "Variant Lens: Reopen Last Comparison". Both come from outside the host's code (a webview, a
 * store that outlives versions), so they are checked (validate.ts) before anything runs.
 */
import { basename } from 'node:path';
import type { DiffComparison, DiffPageState } from '../../protocol/protocol';
import { diffComparison, diffPageState } from '../../protocol/validate';

/** workspaceState key of the last comparison run in this workspace. */
export const LAST_COMPARISON_KEY = 'variantLens.lastComparison';

/** The page's saved state, if it is one (else undefined: the serializer closes the panel). */
export function restoredDiff(state: unknown): DiffPageState | undefined {
  return state !== undefined && diffPageState(state, 'state') === undefined ? (state as DiffPageState) : undefined;
}

/** The stored last comparison, if it still validates. */
export function lastComparison(stored: unknown): DiffComparison | undefined {
  return stored !== undefined && diffComparison(stored, 'lastComparison') === undefined ? (stored as DiffComparison) : undefined;
}

/** The files a comparison needs (A, B and the truth VCF when it has one). */
export function comparisonFiles(c: DiffComparison): string[] {
  return [c.fileA, c.fileB, ...(c.truthFile ? [c.truthFile] : [])];
}

/** An open diff panel as the host last knew it (the record of panelRecord.ts). */
export interface OpenDiff {
  readonly id: string;
  /** The panel's title: what VS Code shows on the tab it restores. */
  readonly title: string;
  readonly state: DiffPageState;
}

/** The stored list of open diffs, without the entries that no longer check. */
export function openDiffList(stored: unknown): OpenDiff[] | undefined {
  if (!Array.isArray(stored)) return undefined;
  return stored.filter((e): e is OpenDiff => {
    const o = e as Partial<OpenDiff> | null;
    return typeof o === 'object' && o !== null && typeof o.id === 'string' && typeof o.title === 'string' && restoredDiff(o.state) !== undefined;
  });
}

const sameComparison = (a: DiffComparison, b: DiffComparison): boolean =>
  a.fileA === b.fileA && a.fileB === b.fileB && a.truth === b.truth && a.truthFile === b.truthFile;

/**
 * The diff panels of this window, and those the previous window left that have not come back
 * yet: VS Code hands a panel back to the serializer (`claim`), or it lost it (`lost`: no tab
 * with its title) and the host opens it again. Every change is saved at once (`save`).
 */
export class OpenDiffs {
  private readonly entries = new Map<string, OpenDiff>();
  private unclaimed: OpenDiff[];

  constructor(previous: readonly OpenDiff[], private readonly save: (all: OpenDiff[]) => void) {
    this.unclaimed = [...previous];
    for (const e of previous) this.entries.set(e.id, e);
  }

  /**
   * The previous window's entry for a panel VS Code hands back with `title` (and, when its saved
   * page state checks, that state's comparison). The entry leaves the record: the panel's own
   * replaces it.
   */
  claim(title: string, comparison: DiffComparison | undefined): OpenDiff | undefined {
    const i = this.unclaimed.findIndex((e) => e.title === title && (!comparison || sameComparison(e.state.comparison, comparison)));
    const j = i >= 0 || !comparison ? i : this.unclaimed.findIndex((e) => sameComparison(e.state.comparison, comparison));
    if (j < 0) return undefined;
    const [e] = this.unclaimed.splice(j, 1);
    this.entries.delete(e!.id);
    return e;
  }

  /**
   * The previous window's entries that have no tab (`tabTitles`: the titles of this view type's
   * tabs, each standing for one panel): VS Code lost them. They leave the record; the caller
   * opens them again (a new entry each). Entries with a tab stay until VS Code revives it.
   */
  lost(tabTitles: readonly string[]): OpenDiff[] {
    const tabs = [...tabTitles];
    const lost: OpenDiff[] = [];
    for (const e of this.unclaimed) {
      const t = tabs.indexOf(e.title);
      if (t >= 0) tabs.splice(t, 1);
      else lost.push(e);
    }
    this.unclaimed = this.unclaimed.filter((e) => !lost.includes(e));
    for (const e of lost) this.entries.delete(e.id);
    if (lost.length) this.save([...this.entries.values()]);
    return lost;
  }

  /** A panel's current state (opened, or its page saved a new view, selection or scroll). */
  set(entry: OpenDiff): void {
    this.entries.set(entry.id, entry);
    this.save([...this.entries.values()]);
  }

  /** The user closed the panel. */
  delete(id: string): void {
    if (this.entries.delete(id)) this.save([...this.entries.values()]);
  }
}

/** The title of a diff panel (and of its tab). */
export function diffPanelTitle(c: { readonly fileA: string; readonly fileB: string }): string {
  return `Diff ${basename(c.fileA)} ↔ ${basename(c.fileB)}`;
}
