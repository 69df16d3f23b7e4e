/**
 * The VCF table webview: a virtualized grid that pulls pages of rows from the host, renders
 * only the visible rows (a pool of row elements reused on scroll), and sends sort/filter to
 * the host. Cell text is set with textContent only: VCF content is untrusted.
 *
 * Keys (the `?` overlay lists them: KEYS below): j/k or ↓/↑ move (Shift extends the
 * selection), PageDown/PageUp, Home/End (g/G), Enter opens the site in the inspector,
 * Ctrl/Cmd+C copies the selected rows as VCF lines, i toggles the INFO pane, / focuses the
 * filter box (Enter applies and returns to the grid), Ctrl/Cmd+L selects the locus text.
 *
 * Columns resize and hide (webview/common/columnLayout.ts; the host remembers the layout for
 * the workspace); filter text, sort, selection and scroll go to the host as they change and
 * come back with table.init after a reload (`restore`).
 */
import type { FilterSpec, SortColumn, SortSpec, TableInit, TableProtocol, TableRow, TableViewState, TrustState } from '../../src/protocol/protocol';
import { RpcError } from '../../src/protocol/rpc';
import { formatFilterText, parseFilterText } from '../../src/protocol/filterText';
import { DEFAULT_PAGE_ROWS, tablePageRows } from '../../src/protocol/validate';
import { ColumnLayout } from '../common/columnLayout';
import { el } from '../common/dom';
import { KeyHelp } from '../common/keyHelp';
import { connect } from '../common/hostConnection';
import { bindReview, paintReviewCell, type ReviewClient } from '../common/reviewUi';
import { VirtualList, type ListColumn } from '../common/virtualList';
import { PageCache } from '../common/virtualScroll';

const ROW_PX = 22;

interface Column extends ListColumn<TableRow> {
  readonly key: string;
  readonly label: string;
  readonly sort?: SortColumn;
  readonly title?: string;
}

const client = connect<TableProtocol>();

const app = document.getElementById('app')!;

// ---- layout --------------------------------------------------------------------------------
const toolbar = el('div', 'toolbar');
const filterBox = el('input', 'filter');
filterBox.type = 'text';
filterBox.placeholder = 'Filter: FILTER=PASS QUAL>=20 GT=0/1 GQ<20 DP>=30 VAF>0.3 SNP chr20:1-1,000,000 text — Enter';
filterBox.setAttribute('aria-label', 'Filter rows');
/** A filter the box cannot parse (or the host refused) is shown here, next to the box. */
const filterError = el('span', 'filter-error error');
filterError.id = 'filter-error';
filterError.hidden = true;
filterError.setAttribute('role', 'alert');
filterBox.setAttribute('aria-describedby', filterError.id);
const locusBox = el('input', 'locus');
locusBox.type = 'text';
locusBox.placeholder = 'Go to locus (chr20:10,000,123)';
locusBox.setAttribute('aria-label', 'Go to locus');
const statusText = el('span', 'status');
statusText.setAttribute('role', 'status');
statusText.setAttribute('aria-live', 'polite');
const cancelBtn = el('button', 'cancel', 'Cancel');
cancelBtn.hidden = true;
/** "verdicts → variant-lens.review.tsv": the one review file the keys 1–9 write to (table.init reviewFile). */
const reviewFileText = el('span', 'review-file');
reviewFileText.hidden = true;
const layout = new ColumnLayout((c) => client.emit('columnsChanged', c));
const keyHelp = new KeyHelp('VCF table keys', [
  ['j / k, ↓ / ↑', 'next / previous row (Shift extends the selection)'],
  ['PageDown / PageUp', 'a screen down / up'],
  ['g / G, Home / End', 'first / last row'],
  ['Enter', 'open the site in the inspector'],
  ['1–9', 'set a verdict on the selected row'],
  ['Ctrl/Cmd+Z', 'undo the last verdict'],
  ['Ctrl/Cmd+C', 'copy the selected rows as VCF lines'],
  ['i', 'show / hide the INFO of the selected row'],
  ['/', 'filter box (Enter applies and returns here; Esc returns)'],
  ['Ctrl/Cmd+L', 'go to locus (the old locus is selected: type to replace it)'],
  ['?', 'this list (Esc closes)'],
]);
toolbar.append(filterBox, filterError, locusBox, layout.menuButton, cancelBtn, statusText, reviewFileText, layout.menu);

const trustBanner = el('div', 'trust-banner');
trustBanner.hidden = true;
trustBanner.setAttribute('role', 'note');

const details = el('div', 'details');
details.hidden = true;
details.setAttribute('aria-label', 'INFO of the selected row');

const perf = el('div', 'perf');
perf.id = 'perf';
perf.hidden = true;

// ---- state ---------------------------------------------------------------------------------
let init: TableInit | undefined;
let columns: Column[] = [];
let sort: SortSpec | undefined;
let filter: FilterSpec | undefined;
let running: AbortController | undefined;
let detailsOpen = false;
let detailsFor = -1;
/** The filter text of the current view (what a reload restores). */
let appliedFilterText = '';

// Page size: the host's variantLens.table.pageSize, sent with table.init (checked by tablePageRows).
const cache = new PageCache<TableRow>(DEFAULT_PAGE_ROWS, 60, async (v, from, to) => {
  try {
    const r = await client.request('table.rows', { viewId: v, from, to });
    return r.rows;
  } catch (e) {
    // A page that cannot be read (e.g. a malformed line in it) says why in the status line;
    // its rows stay placeholders and the other pages still load.
    if (!(e instanceof RpcError && e.code === 'cancelled')) setStatus(errorText(e), true);
    throw e;
  }
});

// Rows, selection and the keyboard walk: webview/common/virtualList.ts.
const list = new VirtualList<TableRow>({
  rowPx: ROW_PX,
  cache,
  extendWithShift: true,
  paintRow: (r, row) => {
    r.dataset.row = row ? String(row.row) : '';
    if (row) r.classList.toggle('refcall', row.filter !== 'PASS' && row.filter !== '.');
  },
  afterDraw: (missing) => {
    if (missing === 0 && list.count > 0 && init && perf.dataset.firstRowsAt === undefined) perf.dataset.firstRowsAt = String(Date.now());
    if (list.selected >= 0 && detailsOpen) void showDetails();
  },
  cellStyle: (i) => layout.cellStyle(i),
  onSelected: (i, open) => {
    clearMessage();
    saveViewState();
    const row = cache.peek(list.viewId, i, () => undefined);
    if (row) client.emit('siteSelected', { row: row.row, index: i, open });
    else void client.request('table.rows', { viewId: list.viewId, from: i, to: i + 1 }).then((r) => {
      const rr = r.rows[0];
      if (rr) client.emit('siteSelected', { row: rr.row, index: i, open });
    }, () => undefined);
  },
}, 0);
const { grid, headerRow } = list;

app.append(toolbar, trustBanner, grid, details, perf, keyHelp.overlay);
list.scroller.addEventListener('scroll', () => saveViewState());

function buildColumns(samples: readonly string[]): Column[] {
  const cols: Column[] = [
    { key: 'chrom', label: 'CHROM', sort: 'chrom', cls: 'c-chrom', get: (r) => r.chrom },
    { key: 'pos', label: 'POS', sort: 'pos', cls: 'c-pos num', get: (r) => r.pos.toLocaleString('en-US') },
    { key: 'id', label: 'ID', sort: 'id', cls: 'c-id', get: (r) => r.id },
    { key: 'ref', label: 'REF', sort: 'ref', cls: 'c-allele', get: (r) => r.ref },
    { key: 'alt', label: 'ALT', sort: 'alt', cls: 'c-allele', get: (r) => r.alt },
    { key: 'qual', label: 'QUAL', sort: 'qual', cls: 'c-qual num', get: (r) => r.qual },
    { key: 'filter', label: 'FILTER', sort: 'filter', cls: 'c-filter', get: (r) => r.filter },
  ];
  samples.forEach((name, s) => {
    const pick = (k: 'gt' | 'gq' | 'dp' | 'ad' | 'vaf') => (r: TableRow) => r.samples[s]?.[k] ?? '';
    cols.push(
      { key: `gt${s}`, label: 'GT', sort: `gt:${s}`, cls: 'c-gt sample-start', get: pick('gt'), title: name },
      { key: `gq${s}`, label: 'GQ', sort: `gq:${s}`, cls: 'c-num num', get: pick('gq'), title: name },
      { key: `dp${s}`, label: 'DP', sort: `dp:${s}`, cls: 'c-num num', get: pick('dp'), title: name },
      { key: `ad${s}`, label: 'AD', cls: 'c-ad num', get: pick('ad'), title: name },
      { key: `vaf${s}`, label: 'VAF', sort: `vaf:${s}`, cls: 'c-num num', get: pick('vaf'), title: name },
      // FORMAT MID (DeepVariant 1.8+): "small_model" marks calls whose GQ/PL its small model decided.
      { key: `mid${s}`, label: 'MID', cls: 'c-mid', get: (r) => r.samples[s]?.mid ?? '.', title: `${name}: which model called the variant (small_model: DeepVariant's small model, not the CNN)` },
    );
  });
  // The annotation column (verdict chip, ⚠ conflict, note) after the first sample's GT, so
  // QUAL, FILTER and GT stay on screen in a narrow editor (beside the inspector) and the
  // verdict follows: drawn by paintReviewCell.
  const afterGt = cols.findIndex((c) => c.key === 'gt0');
  cols.splice(afterGt >= 0 ? afterGt + 1 : cols.findIndex((c) => c.key === 'filter') + 1, 0, { key: 'review', label: 'REVIEW', cls: 'c-review sample-start', get: (r) => r.review?.verdict ?? '', paint: (cell, r) => paintReviewCell(cell, r.review), title: 'verdict (keys 1–9; Ctrl+Z undoes)' });
  return cols;
}

function renderHeader(): void {
  headerRow.replaceChildren();
  for (const c of columns) {
    const h = el('div', `cell ${c.cls}`, c.label);
    h.setAttribute('role', 'columnheader');
    if (c.title) h.title = `${c.title} ${c.label}`;
    if (c.sort) {
      h.classList.add('sortable');
      h.dataset.sort = c.sort;
      h.tabIndex = -1;
      const dir = sort?.column === c.sort ? (sort.descending ? 'descending' : 'ascending') : 'none';
      h.setAttribute('aria-sort', dir);
      if (dir !== 'none') {
        // In the cell's right padding (table.css), so the label is never cut to "QUAL…".
        const mark = el('span', 'sort-mark', dir === 'descending' ? '▼' : '▲');
        mark.setAttribute('aria-hidden', 'true');
        h.append(mark);
      }
    }
    headerRow.append(h);
  }
  layout.decorateHeader();
  // Sample names above their cells.
  if (init && init.samples.length > 0) headerRow.title = `samples: ${init.samples.join(', ')}`;
}

async function showDetails(): Promise<void> {
  const row = cache.peek(list.viewId, list.selected, () => undefined);
  if (!row || detailsFor === row.row) return;
  detailsFor = row.row;
  try {
    const { entries } = await client.request('table.info', { row: row.row });
    if (detailsFor !== row.row) return;
    details.replaceChildren(el('div', 'details-title', `INFO — ${row.chrom}:${row.pos.toLocaleString('en-US')} ${row.ref}>${row.alt}`));
    const dl = el('dl');
    for (const e of entries) {
      const dt = el('dt', undefined, e.key);
      if (e.description) dt.title = e.description;
      dl.append(dt, el('dd', undefined, e.value));
    }
    if (entries.length === 0) dl.append(el('dd', 'muted', '(no INFO fields)'));
    details.append(dl);
  } catch (e) {
    details.replaceChildren(el('div', 'error', errorText(e)));
  }
}

function errorText(e: unknown): string {
  return e instanceof RpcError || e instanceof Error ? e.message : String(e);
}

/** `message`: an error or a note ("A saved", "copied 3 lines") that the next success replaces with the row count. */
let statusIsMessage = false;
function setStatus(text: string, isError = false, message = isError): void {
  statusText.textContent = text;
  statusText.classList.toggle('error', isError);
  statusIsMessage = message;
}

/**
 * After a success (a move, a view, a locus found): stale errors and notes in the status line
 * give way to the row count. The filter box's own error stays until the box is edited or a
 * filter applies.
 */
function clearMessage(): void {
  if (statusIsMessage && !running) setStatus(countText());
}

function setFilterError(text: string | undefined): void {
  filterError.hidden = text === undefined;
  filterError.textContent = text ?? '';
  filterBox.classList.toggle('invalid', text !== undefined);
  filterBox.setAttribute('aria-invalid', String(text !== undefined));
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** Tells the host (debounced) what a reload should restore; nothing before init or while restoring. */
function saveViewState(): void {
  if (!init || restoring) return;
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    if (restoring) return;
    const v: TableViewState = { filterText: appliedFilterText, ...(sort ? { sort } : {}), selected: list.selected, first: list.first };
    client.emit('viewStateChanged', v);
  }, 300);
}
let restoring = false;

function countText(): string {
  if (!init) return '';
  const total = init.rowCount;
  if (total < 0) return 'indexing…';
  const count = list.count;
  const n = count.toLocaleString('en-US');
  return count === total ? `${n} rows` : `${n} of ${total.toLocaleString('en-US')} rows`;
}

function setTrust(t: TrustState): void {
  trustBanner.hidden = t.trusted;
  trustBanner.textContent = t.trusted ? '' : t.modelsDisabledReason ?? 'Model loading is disabled in an untrusted workspace.';
}

function applyViewInfo(v: { viewId: number; count: number; sort?: SortSpec; filter?: FilterSpec }): void {
  sort = v.sort;
  filter = v.filter;
  cache.clear();
  renderHeader();
  list.showView(v.viewId, v.count, v.count > 0 ? Math.min(Math.max(list.selected, 0), v.count - 1) : -1);
  setStatus(countText());
  saveViewState();
}

/** Runs a sort/filter in the host, with progress and a Cancel button. */
async function setView(next: { sort?: SortSpec; filter?: FilterSpec }): Promise<boolean> {
  running?.abort();
  const ac = new AbortController();
  running = ac;
  cancelBtn.hidden = false;
  startPing();
  setStatus('working…');
  try {
    const v = await client.request('table.setView', next, {
      signal: ac.signal,
      timeoutMs: 60_000,
      onProgress: (done, total, label) => setStatus(`${label ?? 'working'} ${total > 0 ? Math.round((100 * done) / total) : 0}%`),
    });
    appliedFilterText = formatFilterText(v.filter);
    applyViewInfo(v);
    setFilterError(undefined);
    return true;
  } catch (e) {
    if (e instanceof RpcError && e.code === 'cancelled') setStatus(`cancelled — ${countText()}`, false, true);
    else {
      setStatus(errorText(e), true);
      if (next.filter) setFilterError(errorText(e));
    }
    return false;
  } finally {
    if (running === ac) {
      running = undefined;
      cancelBtn.hidden = true;
      stopPing();
    }
  }
}

async function copySelection(): Promise<void> {
  const { selected, anchor, viewId } = list;
  if (selected < 0) return;
  const lo = Math.min(anchor, selected);
  const hi = Math.max(anchor, selected);
  if (hi - lo + 1 > 100_000) {
    setStatus('select at most 100,000 rows to copy', true);
    return;
  }
  const rows: number[] = [];
  for (let from = lo; from <= hi; from += 1000) {
    const r = await client.request('table.rows', { viewId, from, to: Math.min(hi + 1, from + 1000) });
    for (const x of r.rows) rows.push(x.row);
  }
  const res = await client.request('table.copyRows', { rows });
  setStatus(`copied ${res.count} VCF line${res.count === 1 ? '' : 's'}`, false, true);
}

// ---- events --------------------------------------------------------------------------------
headerRow.addEventListener('click', (e) => {
  const h = (e.target as HTMLElement).closest<HTMLElement>('[data-sort]');
  if (!h) return;
  const column = h.dataset.sort as SortColumn;
  // ascending → descending → file order
  const next: SortSpec | undefined = sort?.column !== column ? { column, descending: false } : !sort.descending ? { column, descending: true } : undefined;
  void setView({ ...(next ? { sort: next } : {}), ...(filter ? { filter } : {}) });
});

cancelBtn.addEventListener('click', () => running?.abort());

filterBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    const p = parseFilterText(filterBox.value);
    if (!p.ok) {
      // In the box, not a silent "0 of N rows": the box keeps focus so the term can be fixed.
      setFilterError(p.error);
      setStatus(p.error, true);
      return;
    }
    setFilterError(undefined);
    // Back to the grid at once (IGV/GW style), so `j` moves the selection instead of typing.
    grid.focus();
    void setView({ ...(sort ? { sort } : {}), filter: p.filter });
  } else if (e.key === 'Escape') {
    grid.focus();
  }
});
filterBox.addEventListener('input', () => {
  if (!filterError.hidden) setFilterError(undefined);
});

/** Focuses the locus box with its text selected, so typing replaces the old locus (Ctrl+L, a click). */
function focusLocus(): void {
  locusBox.focus();
  locusBox.select();
}
locusBox.addEventListener('focus', () => locusBox.select());
// A click places the caret after focus selected the text: keep the selection for the first click.
locusBox.addEventListener('mouseup', (e) => {
  if (locusBox.dataset.justFocused === '1') e.preventDefault();
  delete locusBox.dataset.justFocused;
});
locusBox.addEventListener('mousedown', () => {
  if (document.activeElement !== locusBox) locusBox.dataset.justFocused = '1';
});

locusBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    void client.request('table.findLocus', { viewId: list.viewId, text: locusBox.value }).then((r) => {
      list.select(r.index);
      grid.focus();
      clearMessage();
    }, (err: unknown) => setStatus(errorText(err), true));
  } else if (e.key === 'Escape') {
    grid.focus();
  } else if ((e.ctrlKey || e.metaKey) && (e.key === 'l' || e.key === 'L')) {
    e.preventDefault();
    focusLocus();
  }
});
// Ctrl/Cmd+L from anywhere in the page (the filter box too), `?` from anywhere but a text box.
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'l' || e.key === 'L') && e.target !== locusBox) {
    e.preventDefault();
    focusLocus();
  } else if (e.key === 'Escape' && keyHelp.open) {
    keyHelp.toggle(false);
    grid.focus();
  }
});

// Review: 1–9 annotate the selected row, Ctrl/Cmd+Z undoes (webview/common/reviewUi.ts).
const review = bindReview(client as unknown as ReviewClient, {
  target: () => {
    const row = list.selected >= 0 ? cache.peek(list.viewId, list.selected, () => undefined) : undefined;
    return row ? { row: row.row } : undefined;
  },
  onChanged: () => {
    cache.clear();
    list.render();
  },
  status: (text, isError) => setStatus(text, isError, true),
});

grid.addEventListener('keydown', (e) => {
  if (review.handleKey(e)) {
    e.preventDefault();
    return;
  }
  const mod = e.ctrlKey || e.metaKey;
  let handled = true;
  if (mod && (e.key === 'c' || e.key === 'C')) void copySelection().catch((err: unknown) => setStatus(errorText(err), true));
  else if (mod && (e.key === 'l' || e.key === 'L')) focusLocus();
  else if (mod) handled = false;
  else if (list.handleWalkKey(e)) handled = true;
  else if (e.key === 'i') {
    detailsOpen = !detailsOpen;
    details.hidden = !detailsOpen;
    detailsFor = -1;
    list.layout();
  } else if (e.key === '/') filterBox.focus();
  else if (e.key === '?') keyHelp.toggle();
  else handled = false;
  if (handled) e.preventDefault();
});

/** An index failure that arrived before table.init answered (shown once init is in). */
let earlyIndexError: string | undefined;
client.on('indexProgress', (p) => {
  if (!init) {
    if (p.error) earlyIndexError = p.error.message;
    return;
  }
  if (p.error) {
    setStatus(p.error.message, true);
    return;
  }
  if (!p.done) {
    setStatus(`indexing… ${p.rows.toLocaleString('en-US')} rows`);
    return;
  }
  init = { ...init, rowCount: p.rowCount };
  // The index finishing is not the user's success: an error already shown (a page that cannot
  // be read) stays until their next move.
  const shownError = statusIsMessage && statusText.classList.contains('error') ? statusText.textContent ?? undefined : undefined;
  if (!filter) applyViewInfo({ viewId: list.viewId, count: p.rowCount });
  else setStatus(countText());
  if (shownError) setStatus(shownError, true);
  perf.dataset.indexedAt = String(performance.now());
  stopPing();
});
// Keys pressed in the inspector (j/k/n/1–9) act here as if pressed in the grid (InspectorWebviewEvents.listKey).
client.on('forwardedKey', ({ key }) => void grid.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true })));
client.on('reveal', (r) => {
  if (r.viewId === list.viewId) list.select(r.index);
});
client.on('viewChanged', (v) => {
  filterBox.value = formatFilterText(v.filter);
  appliedFilterText = filterBox.value;
  applyViewInfo(v);
});
client.on('trust', setTrust);

// Extension-host responsiveness probe: while indexing or sorting/filtering, ping the host every 50 ms and keep the
// worst round trip (a freeze of the host shows up as a long round trip). Read by the e2e test.
let pingTimer: ReturnType<typeof setInterval> | undefined;
let maxPing = 0;
let pings = 0;
function startPing(): void {
  if (pingTimer) return;
  pingTimer = setInterval(() => {
    const t = performance.now();
    void client.request('table.ping', { sentAt: t }, { timeoutMs: 10_000 }).then(() => {
      const rtt = performance.now() - t;
      pings++;
      maxPing = Math.max(maxPing, rtt);
      perf.dataset.maxPingMs = maxPing.toFixed(1);
      perf.dataset.pings = String(pings);
    }, () => undefined);
  }, 50);
}
function stopPing(): void {
  if (pingTimer) clearInterval(pingTimer);
  pingTimer = undefined;
}

// ---- start: say ready, then pull the initial state -----------------------------------------
// Milestones (Date.now() ms, the host's clock too) for the e2e's first-rows breakdown.
perf.dataset.scriptStart = String(Date.now());
client.emit('ready', {});
void client.request('table.init', {}).then((i) => {
  perf.dataset.initReceived = String(Date.now());
  for (const [k, v] of Object.entries(i.timings ?? {})) perf.dataset[k] = String(v);
  init = i;
  restoring = i.restore !== undefined;
  cache.resize(tablePageRows(i.pageSize));
  columns = buildColumns(i.samples);
  layout.attach(list, columns);
  layout.load(i.columns);
  layout.setEmpty(emptyColumns(columns, i.firstRows ?? []));
  // Row elements made before the columns were known have no cells: rebuild the pool.
  list.setColumns(columns);
  setTrust(i.trust);
  if (i.reviewFile) {
    reviewFileText.hidden = false;
    reviewFileText.textContent = `verdicts → ${i.reviewFile.split(/[\\/]/).pop() ?? i.reviewFile}`;
    reviewFileText.title = `Verdicts (keys 1–9) are saved in ${i.reviewFile}`;
    reviewFileText.dataset.file = i.reviewFile;
  }
  document.title = i.fileName;
  grid.setAttribute('aria-label', `VCF table ${i.fileName}`);
  applyViewInfo({ viewId: i.viewId, count: Math.max(0, i.viewCount) });
  // The first page came with init: the first frame draws rows, not placeholders.
  if (i.firstRows) cache.seed(i.viewId, 0, [...i.firstRows]);
  if (earlyIndexError !== undefined) setStatus(earlyIndexError, true);
  else if (i.rowCount < 0) {
    setStatus('indexing…');
    startPing();
  }
  grid.focus();
  if (i.restore) void restoreView(i.restore);
}, (e: unknown) => setStatus(errorText(e), true));

/** Columns whose every value on the first page is "." or empty (e.g. ID in DeepVariant's VCFs): hidden by default. */
function emptyColumns(cols: readonly Column[], rows: readonly TableRow[]): string[] {
  if (rows.length === 0) return [];
  return cols.filter((c) => !c.paint && c.key !== 'chrom' && c.key !== 'pos' && rows.every((r) => {
    const v = c.get(r);
    return v === '.' || v === '';
  })).map((c) => c.key);
}

/** Re-applies the filter and sort this file had before the reload, then its selection and scroll. */
async function restoreView(r: TableViewState): Promise<void> {
  restoring = true;
  try {
    const p = parseFilterText(r.filterText);
    filterBox.value = r.filterText;
    if ((p.ok && r.filterText.trim() !== '') || r.sort) {
      const ok = await setView({ ...(r.sort ? { sort: r.sort } : {}), ...(p.ok && r.filterText.trim() !== '' ? { filter: p.filter } : {}) });
      if (!ok) return;
    }
    if (r.first > 0) list.scrollTo(r.first);
    if (r.selected >= 0 && r.selected < list.count) list.select(r.selected);
    if (r.first > 0) list.scrollTo(r.first);
  } finally {
    restoring = false;
    saveViewState();
  }
}
