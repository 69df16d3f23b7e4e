/**
 * What the lists remember in the workspace (VS Code's workspaceState, given here as a
 * Memento-like store so tests need no VS Code): the column layout of tables and of diff
 * lists (one each per workspace), and each table file's view (filter text, sort, selection,
 * scroll) so a window reload restores it. Values arrive validated (validate.ts columnLayout,
 * tableViewState); they are checked again on the way out, since the store outlives versions.
 */
import type { ColumnLayoutState, TableViewState } from '../../protocol/protocol';
import { columnLayout, tableViewState } from '../../protocol/validate';

/** The part of vscode.Memento used here. */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export type ListKind = 'table' | 'diff';

/** Views remembered per file; the oldest are dropped beyond this many files. */
export const MAX_REMEMBERED_VIEWS = 200;

const columnsKey = (kind: ListKind): string => `variantLens.columns.${kind}`;
const VIEWS_KEY = 'variantLens.tableViews';

export class ListStateStore {
  constructor(private readonly store: StateStore) {}

  columns(kind: ListKind): ColumnLayoutState | undefined {
    const v = this.store.get<unknown>(columnsKey(kind));
    return v !== undefined && columnLayout(v, 'columns') === undefined ? (v as ColumnLayoutState) : undefined;
  }

  async setColumns(kind: ListKind, layout: ColumnLayoutState): Promise<void> {
    await this.store.update(columnsKey(kind), layout);
  }

  view(file: string): TableViewState | undefined {
    const all = this.store.get<Record<string, unknown>>(VIEWS_KEY);
    const v = all && Object.prototype.hasOwnProperty.call(all, file) ? all[file] : undefined;
    return v !== undefined && tableViewState(v, 'view') === undefined ? (v as TableViewState) : undefined;
  }

  async setView(file: string, view: TableViewState): Promise<void> {
    const all = { ...(this.store.get<Record<string, unknown>>(VIEWS_KEY) ?? {}) };
    delete all[file];
    all[file] = view;
    const keys = Object.keys(all);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED_VIEWS))) delete all[k];
    await this.store.update(VIEWS_KEY, all);
  }
}
