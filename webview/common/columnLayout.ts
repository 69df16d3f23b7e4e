/**
 * Resizable and hideable columns for the lists (the VCF table and the diff list), shared by
 * both pages: a drag handle on each header cell's right edge sets its width, a "Columns"
 * menu (toolbar button, or right-click on the header) hides and shows columns. Columns the
 * page marks empty (an all-"." ID) start hidden. The layout goes to the host with
 * `columnsChanged`, which remembers it for the workspace and sends it back with the page's
 * init. Widths are applied through the list's cell styles (element.style: allowed by the CSP).
 */
import type { ColumnLayoutState } from '../../src/protocol/protocol';
import { el } from './dom';

export interface LayoutColumn {
  readonly key: string;
  readonly label: string;
  readonly title?: string;
}

/** The list the layout styles (VirtualList.restyle applies cellStyle to every pooled row). */
export interface StyledList {
  readonly headerRow: HTMLElement;
  restyle(): void;
}

export const MIN_COLUMN_PX = 24;
export const MAX_COLUMN_PX = 2000;

export class ColumnLayout {
  private widths = new Map<string, number>();
  private hidden = new Set<string>();
  private shown = new Set<string>();
  private empty = new Set<string>();
  private columns: readonly LayoutColumn[] = [];
  private list: StyledList | undefined;
  readonly menuButton = el('button', 'columns-button', 'Columns');
  readonly menu = el('div', 'columns-menu');

  constructor(private readonly onChange: (s: ColumnLayoutState) => void) {
    this.menuButton.type = 'button';
    this.menuButton.title = 'Show or hide columns (right-click a column header too); drag a header edge to resize';
    this.menuButton.setAttribute('aria-haspopup', 'true');
    this.menuButton.setAttribute('aria-expanded', 'false');
    this.menu.hidden = true;
    this.menu.setAttribute('role', 'menu');
    this.menu.setAttribute('aria-label', 'Columns');
    this.menuButton.addEventListener('click', () => this.toggleMenu());
    this.menu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.toggleMenu(false);
        this.menuButton.focus();
      }
    });
    document.addEventListener('mousedown', (e) => {
      if (!this.menu.hidden && !this.menu.contains(e.target as Node) && e.target !== this.menuButton) this.toggleMenu(false);
    });
  }

  /** The list and its columns (in list order); call again when the columns change. */
  attach(list: StyledList, columns: readonly LayoutColumn[]): void {
    this.list = list;
    this.columns = columns;
    list.headerRow.addEventListener('contextmenu', this.onContextMenu);
    this.renderMenu();
  }

  load(state: ColumnLayoutState | undefined): void {
    if (!state) return;
    this.widths = new Map(Object.entries(state.widths).filter(([, w]) => Number.isInteger(w) && w >= MIN_COLUMN_PX && w <= MAX_COLUMN_PX));
    this.hidden = new Set(state.hidden);
    this.shown = new Set(state.shown ?? []);
    this.renderMenu();
  }

  /** Columns hidden unless the user showed them (every value "." on the first page). */
  setEmpty(keys: Iterable<string>): void {
    this.empty = new Set(keys);
    this.renderMenu();
  }

  isHidden(key: string): boolean {
    return this.hidden.has(key) || (this.empty.has(key) && !this.shown.has(key));
  }

  /** Style of the list's column `index` (VirtualList's cellStyle). */
  readonly cellStyle = (index: number): { width?: number; hidden: boolean } => {
    const c = this.columns[index];
    if (!c) return { hidden: false };
    const w = this.widths.get(c.key);
    return { ...(w !== undefined ? { width: w } : {}), hidden: this.isHidden(c.key) };
  };

  state(): ColumnLayoutState {
    return { widths: Object.fromEntries(this.widths), hidden: [...this.hidden], ...(this.shown.size ? { shown: [...this.shown] } : {}) };
  }

  setHidden(key: string, hide: boolean): void {
    if (hide) {
      this.hidden.add(key);
      this.shown.delete(key);
    } else {
      this.hidden.delete(key);
      if (this.empty.has(key)) this.shown.add(key);
    }
    this.changed();
  }

  setWidth(key: string, px: number, persist = true): void {
    this.widths.set(key, Math.round(Math.max(MIN_COLUMN_PX, Math.min(MAX_COLUMN_PX, px))));
    if (persist) this.changed();
    else this.list?.restyle();
  }

  /** Adds a resize handle to each header cell (call after the page rebuilt its header). */
  decorateHeader(): void {
    const cells = this.list?.headerRow.children ?? [];
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as HTMLElement;
      const col = this.columns[i];
      if (!col) continue;
      cell.dataset.col = col.key;
      const handle = el('span', 'col-resize');
      handle.setAttribute('aria-hidden', 'true');
      handle.title = `Drag to resize ${col.label}`;
      handle.addEventListener('click', (e) => e.stopPropagation());
      handle.addEventListener('pointerdown', (e) => {
        e.preventDefault();
        e.stopPropagation();
        const startX = e.clientX;
        const startW = cell.getBoundingClientRect().width;
        handle.setPointerCapture(e.pointerId);
        const move = (m: PointerEvent): void => this.setWidth(col.key, startW + m.clientX - startX, false);
        const up = (u: PointerEvent): void => {
          handle.removeEventListener('pointermove', move);
          handle.removeEventListener('pointerup', up);
          this.setWidth(col.key, startW + u.clientX - startX, true);
        };
        handle.addEventListener('pointermove', move);
        handle.addEventListener('pointerup', up);
      });
      cell.append(handle);
    }
    this.list?.restyle();
  }

  private readonly onContextMenu = (e: MouseEvent): void => {
    e.preventDefault();
    this.toggleMenu(true);
  };

  private toggleMenu(open = this.menu.hidden): void {
    this.menu.hidden = !open;
    this.menuButton.setAttribute('aria-expanded', String(open));
    if (open) {
      this.renderMenu();
      this.menu.querySelector<HTMLInputElement>('input')?.focus();
    }
  }

  private renderMenu(): void {
    this.menu.replaceChildren();
    for (const c of this.columns) {
      const label = el('label', 'columns-item');
      label.setAttribute('role', 'menuitemcheckbox');
      const box = el('input');
      box.type = 'checkbox';
      box.checked = !this.isHidden(c.key);
      box.dataset.col = c.key;
      box.addEventListener('change', () => this.setHidden(c.key, !box.checked));
      label.append(box, document.createTextNode(` ${c.title ? `${c.label} (${c.title})` : c.label}${this.empty.has(c.key) ? ' — all "."' : ''}`));
      this.menu.append(label);
    }
  }

  private changed(): void {
    this.list?.restyle();
    this.renderMenu();
    this.onChange(this.state());
  }
}
