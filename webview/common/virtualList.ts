/**
 * The virtualized row list shared by the VCF table and the diff list: a grid with a header row,
 * a scroller whose spacer gives the scrollbar its range (scaled above MAX_SCROLL_PX, see
 * webview/common/virtualScroll.ts), a pool of row elements reused on scroll, pages of rows
 * pulled through a PageCache, the selection (a range when Shift extends it), and the keyboard
 * walk (j/k or ↓/↑, PageDown/PageUp, Home/End or g/G, Enter opens). Row indices are 0-based
 * positions in the host's current view. Each page keeps its own columns, header, requests and
 * extra keys; it paints page-specific row attributes through the hooks.
 */
import { el } from './dom';
import { PageCache, firstRowAt, geometry, scrollTopFor, type ScrollGeometry } from './virtualScroll';

export interface ListColumn<T> {
  readonly cls: string;
  readonly get: (r: T) => string;
  /** Draws the cell itself instead of setting get()'s text (the REVIEW chip). */
  readonly paint?: (cell: HTMLElement, r: T) => void;
}

export interface VirtualListOptions<T> {
  readonly rowPx: number;
  readonly cache: PageCache<T>;
  /** Shift+move and Shift+click extend the selection to a range (the table); else Shift is ignored. */
  readonly extendWithShift: boolean;
  /** Page-specific attributes of a row element; `row` is undefined while its page loads. */
  readonly paintRow?: (rowEl: HTMLDivElement, row: T | undefined) => void;
  /** After each frame's rows are drawn; `missing` rows were still loading. */
  readonly afterDraw?: (missing: number) => void;
  /**
   * Tells the host about a selection: 120 ms after the last move (holding j does not flood
   * it with pileup requests), or at once when `open` (Enter, double-click). `viewId` is the
   * view the selection was made in.
   */
  readonly onSelected: (index: number, open: boolean, viewId: number) => void;
  /** Width (CSS px; default: the column's CSS class) and visibility of column `index` (webview/common/columnLayout.ts). */
  readonly cellStyle?: (index: number) => { readonly width?: number; readonly hidden: boolean };
}

export class VirtualList<T> {
  readonly grid = el('div', 'grid');
  readonly headerRow = el('div', 'row header');
  readonly scroller = el('div', 'scroller');
  readonly rowsLayer = el('div', 'rows');
  private readonly spacer = el('div', 'spacer');

  private columns: readonly ListColumn<T>[] = [];
  private viewIdValue: number;
  private countValue = 0;
  private firstValue = 0;
  private selectedValue = -1;
  private anchorValue = -1;
  private geo: ScrollGeometry;
  private readonly rowEls: HTMLDivElement[] = [];
  private suppressScroll = false;
  private selectTimer: ReturnType<typeof setTimeout> | undefined;
  private rendering = false;

  constructor(private readonly opts: VirtualListOptions<T>, initialViewId: number) {
    this.viewIdValue = initialViewId;
    this.geo = geometry(0, opts.rowPx, 1);
    this.grid.setAttribute('role', 'grid');
    this.grid.tabIndex = 0;
    this.headerRow.setAttribute('role', 'row');
    this.scroller.append(this.rowsLayer, this.spacer);
    this.grid.append(this.headerRow, this.scroller);

    this.scroller.addEventListener('scroll', () => {
      if (this.suppressScroll) {
        this.suppressScroll = false;
        return;
      }
      this.firstValue = firstRowAt(this.scroller.scrollTop, this.geo, opts.rowPx, this.scroller.clientHeight);
      this.render();
    });
    new ResizeObserver(() => this.layout()).observe(this.scroller);
    this.rowsLayer.addEventListener('click', (e) => {
      const r = (e.target as HTMLElement).closest<HTMLElement>('.row');
      if (!r?.dataset.index) return;
      this.grid.focus();
      this.select(Number(r.dataset.index), e.shiftKey);
    });
    this.rowsLayer.addEventListener('dblclick', (e) => {
      const r = (e.target as HTMLElement).closest<HTMLElement>('.row');
      if (r?.dataset.index) this.select(Number(r.dataset.index), false, true);
    });
  }

  get viewId(): number {
    return this.viewIdValue;
  }
  get count(): number {
    return this.countValue;
  }
  get first(): number {
    return this.firstValue;
  }
  /** The focused row, -1 for none. */
  get selected(): number {
    return this.selectedValue;
  }
  /** The other end of a Shift-extended range, -1 before any plain selection. */
  get anchor(): number {
    return this.anchorValue;
  }

  /** New columns: the pooled rows made for the old ones are dropped and rebuilt. */
  setColumns(columns: readonly ListColumn<T>[]): void {
    this.columns = columns;
    for (const r of this.rowEls.splice(0)) r.remove();
  }

  /** Shows a new view from its top; `selected` (-1 for none) becomes the selection and anchor. */
  showView(viewId: number, count: number, selected: number): void {
    this.viewIdValue = viewId;
    this.countValue = count;
    this.selectedValue = selected;
    this.anchorValue = selected;
    this.firstValue = 0;
    this.layout();
    this.scrollToFirst(0);
  }

  layout(): void {
    this.geo = geometry(this.countValue, this.opts.rowPx, this.scroller.clientHeight || 1);
    this.spacer.style.height = `${this.geo.spacerPx}px`;
    this.ensureRowPool();
    this.firstValue = Math.min(this.firstValue, this.geo.maxFirst);
    this.render();
  }

  /** Redraws on the next animation frame (several calls in one frame draw once). */
  readonly render = (): void => {
    if (this.rendering) return;
    this.rendering = true;
    requestAnimationFrame(() => {
      this.rendering = false;
      this.draw();
    });
  };

  isSelected(index: number): boolean {
    if (this.selectedValue < 0) return false;
    const a = this.anchorValue < 0 ? this.selectedValue : this.anchorValue;
    return index >= Math.min(a, this.selectedValue) && index <= Math.max(a, this.selectedValue);
  }

  /** Moves the selection to `index` (clamped), scrolls it into view, and tells the host (see onSelected). */
  select(index: number, extend = false, open = false): void {
    if (this.countValue === 0) return;
    const i = Math.max(0, Math.min(this.countValue - 1, index));
    if (!(extend && this.opts.extendWithShift)) this.anchorValue = i;
    this.selectedValue = i;
    this.reveal(i);
    this.grid.dataset.selected = String(i);
    if (this.selectTimer) clearTimeout(this.selectTimer);
    const v = this.viewIdValue;
    const send = (): void => this.opts.onSelected(i, open, v);
    if (open) send();
    else this.selectTimer = setTimeout(send, 120);
  }

  /**
   * The keyboard walk; true when `e` was one of its keys (the caller then prevents the default).
   * J/K are Shift+j/k: they move only where Shift extends the selection.
   */
  handleWalkKey(e: KeyboardEvent): boolean {
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / this.opts.rowPx) - 1);
    const cur = this.selectedValue < 0 ? this.firstValue - 1 : this.selectedValue;
    const shiftKeys = this.opts.extendWithShift;
    const k = e.key;
    if (k === 'j' || k === 'ArrowDown' || (shiftKeys && k === 'J')) this.select(cur + 1, e.shiftKey);
    else if (k === 'k' || k === 'ArrowUp' || (shiftKeys && k === 'K')) this.select(cur - 1, e.shiftKey);
    else if (k === 'PageDown') this.select(cur + page, e.shiftKey);
    else if (k === 'PageUp') this.select(cur - page, e.shiftKey);
    else if (k === 'Home' || k === 'g') this.select(0, e.shiftKey);
    else if (k === 'End' || k === 'G') this.select(this.countValue - 1, e.shiftKey);
    else if (k === 'Enter') this.select(Math.max(0, cur), false, true);
    else return false;
    return true;
  }

  /** Re-applies cellStyle to the header cells and every pooled row (after a resize or hide). */
  restyle(): void {
    this.styleCells(this.headerRow);
    for (const r of this.rowEls) this.styleCells(r);
  }

  private styleCells(rowEl: HTMLElement): void {
    const style = this.opts.cellStyle;
    if (!style) return;
    const cells = rowEl.children;
    for (let c = 0; c < cells.length && c < this.columns.length; c++) {
      const cell = cells[c] as HTMLElement;
      const s = style(c);
      const w = s.width === undefined ? '' : `${s.width}px`;
      if (cell.style.width !== w) cell.style.width = w;
      const d = s.hidden ? 'none' : '';
      if (cell.style.display !== d) cell.style.display = d;
    }
  }

  private ensureRowPool(): void {
    const need = this.geo.visibleRows + 1;
    while (this.rowEls.length < need) {
      const r = el('div', 'row');
      r.setAttribute('role', 'row');
      for (const c of this.columns) {
        const cell = el('div', `cell ${c.cls}`);
        cell.setAttribute('role', 'gridcell');
        r.append(cell);
      }
      this.styleCells(r);
      this.rowsLayer.append(r);
      this.rowEls.push(r);
    }
    while (this.rowEls.length > need) this.rowEls.pop()!.remove();
  }

  private draw(): void {
    let missing = 0;
    let shown = 0;
    for (let i = 0; i < this.rowEls.length; i++) {
      const r = this.rowEls[i]!;
      const index = this.firstValue + i;
      if (index >= this.countValue) {
        r.hidden = true;
        continue;
      }
      r.hidden = false;
      shown++;
      const row = this.opts.cache.peek(this.viewIdValue, index, this.render);
      r.dataset.index = String(index);
      r.setAttribute('aria-rowindex', String(index + 1));
      const isSel = this.isSelected(index);
      r.classList.toggle('selected', isSel);
      r.classList.toggle('focused', index === this.selectedValue);
      r.setAttribute('aria-selected', String(isSel));
      const cells = r.children;
      this.opts.paintRow?.(r, row);
      if (!row) {
        missing++;
        r.classList.add('loading');
        for (let c = 0; c < cells.length; c++) (cells[c] as HTMLElement).textContent = c === 0 ? '…' : '';
        continue;
      }
      r.classList.remove('loading');
      for (let c = 0; c < this.columns.length; c++) {
        const cell = cells[c] as HTMLElement;
        const col = this.columns[c]!;
        if (col.paint) {
          col.paint(cell, row);
          continue;
        }
        const text = col.get(row);
        if (cell.textContent !== text) cell.textContent = text;
      }
    }
    this.grid.dataset.first = String(this.firstValue);
    this.grid.dataset.shown = String(shown);
    this.grid.dataset.loaded = missing === 0 ? 'true' : 'false';
    this.grid.setAttribute('aria-rowcount', String(this.countValue));
    this.opts.afterDraw?.(missing);
  }

  /** Scrolls so that view row `first` is the top row (clamped), without moving the selection. */
  scrollTo(first: number): void {
    this.scrollToFirst(first);
  }

  private scrollToFirst(f: number): void {
    this.firstValue = Math.max(0, Math.min(this.geo.maxFirst, f));
    const top = Math.round(scrollTopFor(this.firstValue, this.geo, this.opts.rowPx, this.scroller.clientHeight));
    // Only a real change fires a scroll event; setting the same value must not leave the flag
    // armed, or the user's next scroll would be swallowed.
    if (Math.abs(this.scroller.scrollTop - top) >= 1) {
      this.suppressScroll = true;
      this.scroller.scrollTop = top;
    }
    this.render();
  }

  private reveal(index: number): void {
    const full = Math.max(1, Math.floor(this.scroller.clientHeight / this.opts.rowPx));
    if (index < this.firstValue) this.scrollToFirst(index);
    else if (index >= this.firstValue + full) this.scrollToFirst(index - full + 1);
    else this.render();
  }
}
