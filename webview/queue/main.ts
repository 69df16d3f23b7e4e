/**
 * The review queue webview (issue #20): a grid of pileup tiles sized to the panel, one per
 * site of the queue (a diff's or a table's view), keyboard-first. Each tile shows the locus,
 * the diff classes, the pileup's RGB composite (one image, or one per model when the models'
 * images differ), each VCF's GT and QUAL, and the site's verdict.
 *
 * Keys (`?` lists them): arrows (or h/j/k/l) move, PageUp/PageDown a screen, Home/End, 1–9
 * set the verdict of the selected site (the review vocabulary's shortcuts, as in the diff
 * list and the table) and advance, n the next site without a verdict, Enter opens the
 * inspector on the site, Ctrl/Cmd+Z undoes the last verdict.
 *
 * Tiles come from the host (`queue.tiles`, made in batches, `tiles` events): the page asks for
 * the screen and the next one, and cancels a request whose sites scrolled away. Text is set
 * with textContent only (alleles, FILTERs and notes come from files).
 */
import type { ReviewCell, ReviewLabel } from '../../src/protocol/protocol';
import type { QueueInit, QueueProtocol, QueueSite, QueueTile } from '../../src/protocol/queueProtocol';
import { MAX_QUEUE_PAGE, MAX_TILES_PER_REQUEST } from '../../src/protocol/queueProtocol';
import { RpcError } from '../../src/protocol/rpc';
import { el } from '../common/dom';
import { connect } from '../common/hostConnection';
import { KeyHelp } from '../common/keyHelp';
import { paintReviewCell, reviewKeyOf } from '../common/reviewUi';

/**
 * Smallest tile box in CSS px (media/queue.css draws inside it) and the gap between tiles:
 * the grid takes as many columns and rows as fit, then stretches the tiles to fill the panel.
 */
const MIN_TILE_W = 160;
const MIN_TILE_H = 118;
const GAP = 6;
const SITES_PAGE = 200;
/** Tiles kept in the page beyond the screen (the host caches more). */
const KEEP_TILES = 600;

const client = connect<QueueProtocol>();
const app = document.getElementById('app')!;

// ---- layout --------------------------------------------------------------------------------
const toolbar = el('div', 'toolbar queue-toolbar');
const titleText = el('span', 'queue-title');
const progressText = el('span', 'queue-progress');
progressText.setAttribute('role', 'status');
progressText.setAttribute('aria-live', 'polite');
const tilesBar = el('progress', 'queue-tiles-progress');
tilesBar.max = 1;
tilesBar.hidden = true;
const tilesText = el('span', 'queue-tiles-text muted');
const cancelBtn = el('button', 'queue-cancel', 'Cancel');
cancelBtn.hidden = true;
cancelBtn.title = 'Stop making tiles';
const statusText = el('span', 'status');
toolbar.append(titleText, progressText, tilesBar, tilesText, cancelBtn, statusText);
const legend = el('div', 'queue-legend');
const grid = el('div', 'queue-grid');
grid.tabIndex = 0;
grid.setAttribute('role', 'grid');
grid.setAttribute('aria-label', 'Review queue');
const keyHelp = new KeyHelp('Review queue keys', [
  ['← → ↑ ↓  (h l k j)', 'move between tiles'],
  ['PageUp / PageDown', 'a screen up / down'],
  ['Home / End', 'first / last site'],
  ['1 … 9', 'set the verdict (see the legend) and go to the next site'],
  ['n', 'next site without a verdict'],
  ['Enter / double-click', 'open the site in the inspector'],
  ['Ctrl+Z', 'undo the last verdict'],
  ['?', 'this list'],
]);
app.append(toolbar, legend, grid, keyHelp.overlay);

// ---- state ---------------------------------------------------------------------------------
let init: QueueInit | undefined;
let reviewed = 0;
let cur = 0;
let firstRow = 0;
let cols = 1;
let rows = 1;
let tileW = MIN_TILE_W;
let tileH = MIN_TILE_H;
const sites = new Map<number, QueueSite>();
const sitePages = new Set<number>();
const tiles = new Map<number, QueueTile>();
let tileWork: { from: number; to: number; ctl: AbortController } | undefined;
const pool = new Map<number, HTMLElement>();

function setStatus(text: string, isError = false): void {
  statusText.textContent = text;
  statusText.classList.toggle('error', isError);
}

function showProgress(): void {
  progressText.textContent = `${reviewed.toLocaleString('en-US')}/${(init?.count ?? 0).toLocaleString('en-US')} reviewed`;
}

function verdicts(): readonly ReviewLabel[] {
  return init?.vocabulary.verdicts ?? [];
}

// ---- geometry ------------------------------------------------------------------------------
function layout(): void {
  const w = grid.clientWidth;
  const h = grid.clientHeight;
  cols = Math.max(1, Math.floor((w + GAP) / (MIN_TILE_W + GAP)));
  rows = Math.max(1, Math.floor((h + GAP) / (MIN_TILE_H + GAP)));
  tileW = Math.max(MIN_TILE_W, Math.floor((w + GAP) / cols) - GAP);
  tileH = Math.max(MIN_TILE_H, Math.min(Math.floor((h + GAP) / rows) - GAP, Math.round(tileW * 0.95)));
  grid.dataset.cols = String(cols);
  grid.dataset.rows = String(rows);
}

const pageSize = (): number => cols * rows;
const count = (): number => init?.count ?? 0;

/** Keeps the selected tile's row on screen. */
function follow(): void {
  const r = Math.floor(cur / cols);
  if (r < firstRow) firstRow = r;
  else if (r >= firstRow + rows) firstRow = r - rows + 1;
  const lastRow = Math.max(0, Math.ceil(count() / cols) - rows);
  firstRow = Math.max(0, Math.min(firstRow, lastRow));
}

// ---- drawing -------------------------------------------------------------------------------
function drawImages(box: HTMLElement, t: QueueTile | undefined): void {
  const key = t ? `${t.images.length}:${t.note ?? ''}` : 'loading';
  if (box.dataset.key === key && box.dataset.for === box.parentElement?.dataset.index) return;
  box.dataset.key = key;
  box.dataset.for = box.parentElement?.dataset.index ?? '';
  box.replaceChildren();
  if (!t) {
    box.append(el('span', 'tile-loading muted', 'making the pileup…'));
    return;
  }
  box.classList.toggle('two', t.images.length > 1);
  for (const img of t.images) {
    const fig = el('div', 'tile-image');
    const c = el('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    if (ctx && img.rgba.length === img.width * img.height * 4) {
      const data = new Uint8ClampedArray(img.rgba.length);
      data.set(img.rgba);
      ctx.putImageData(new ImageData(data, img.width, img.height), 0, 0);
    }
    const names = img.models.join(', ');
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', names ? `pileup seen by ${names}` : 'pileup');
    if (img.blocks?.length) {
      // An alt-aligned 'rows' image (docs/deepvariant.md §12.3): each block labelled beside the
      // pixels at the rows it is drawn (the host's blockTop), in % of the image's height.
      const labels = el('div', 'tile-block-labels');
      for (const [b, blk] of img.blocks.entries()) {
        const l = el('span', 'tile-block-label', blk.short);
        l.title = blk.title;
        l.dataset.block = String(b);
        l.style.top = `${(blk.top / img.height) * 100}%`;
        l.style.height = `${(blk.height / img.height) * 100}%`;
        labels.append(l);
      }
      fig.dataset.blocks = img.blocks.map((blk) => blk.title).join('|');
      c.setAttribute('aria-label', `${c.getAttribute('aria-label') ?? 'pileup'}: ${img.blocks.map((blk) => blk.title).join(', ')}`);
      fig.append(labels);
    }
    fig.append(c);
    if (t.images.length > 1) fig.append(el('span', 'tile-model', names || 'model'));
    fig.title = names ? `RGB composite seen by ${names}` : 'RGB composite';
    box.append(fig);
  }
  if (t.note) {
    const n = el('span', 'tile-note muted', t.note);
    n.title = t.note;
    box.append(n);
  }
}

function fillTile(e: HTMLElement, i: number): void {
  const s = sites.get(i);
  e.dataset.index = String(i);
  e.setAttribute('aria-selected', i === cur ? 'true' : 'false');
  e.classList.toggle('selected', i === cur);
  const [head, images, calls, review] = [...e.children] as HTMLElement[];
  if (!s) {
    head!.textContent = '…';
    calls!.textContent = '';
    paintReviewCell(review!, undefined);
    e.classList.add('loading');
  } else {
    e.classList.remove('loading');
    head!.replaceChildren(
      el('span', 'tile-locus', `${s.contig}:${s.pos.toLocaleString('en-US')}`),
      el('span', 'tile-allele', ` ${s.ref.length > 6 ? `${s.ref.slice(0, 5)}…` : s.ref}>${s.alt.length > 6 ? `${s.alt.slice(0, 5)}…` : s.alt}`),
    );
    head!.title = `${s.contig}:${s.pos} ${s.ref}>${s.alt}${s.classes.length ? ` — ${s.classes.join(', ')}` : ''}`;
    if (s.classes.length) head!.append(el('span', 'tile-class', s.classes.filter((c) => c !== 'same' && c !== 'qual-change').join(' ') || s.classes.join(' ')));
    calls!.replaceChildren(...s.calls.map((c) => {
      const x = el('span', 'tile-call');
      x.append(el('b', undefined, c.label.length > 12 ? `${c.label.slice(0, 11)}…` : c.label), document.createTextNode(` ${c.gt}${c.qual ? ` Q${c.qual}` : ''}`));
      x.title = `${c.label}: GT ${c.gt}, QUAL ${c.qual || '.'}`;
      return x;
    }));
    paintReviewCell(review!, s.review);
    e.classList.toggle('reviewed', s.review !== undefined);
  }
  drawImages(images!, tiles.get(i));
}

function newTile(): HTMLElement {
  const e = el('div', 'tile');
  e.setAttribute('role', 'gridcell');
  e.append(el('div', 'tile-head'), el('div', 'tile-images'), el('div', 'tile-calls'), el('div', 'tile-review'));
  return e;
}

function draw(): void {
  if (!init) return;
  const first = firstRow * cols;
  const last = Math.min(count(), first + pageSize());
  const seen = new Set<number>();
  for (let i = first; i < last; i++) {
    seen.add(i);
    let e = pool.get(i);
    if (!e) {
      // Reuse a tile that went off screen.
      const free = [...pool.entries()].find(([k]) => k < first || k >= last);
      if (free) {
        pool.delete(free[0]);
        e = free[1];
      } else {
        e = newTile();
        grid.append(e);
      }
      pool.set(i, e);
    }
    const k = i - first;
    e.style.left = `${(k % cols) * (tileW + GAP)}px`;
    e.style.top = `${Math.floor(k / cols) * (tileH + GAP)}px`;
    e.style.width = `${tileW}px`;
    e.style.height = `${tileH}px`;
    fillTile(e, i);
  }
  for (const [k, e] of [...pool]) {
    if (!seen.has(k)) {
      e.remove();
      pool.delete(k);
    }
  }
  grid.dataset.first = String(first);
  grid.dataset.visible = String(last - first);
  grid.setAttribute('aria-rowcount', String(Math.ceil(count() / cols)));
  void loadSites(first, last);
  requestTiles(first, last);
}

// ---- data ----------------------------------------------------------------------------------
async function loadSites(from: number, to: number): Promise<void> {
  for (let p = Math.floor(from / SITES_PAGE); p * SITES_PAGE < to; p++) {
    if (sitePages.has(p)) continue;
    sitePages.add(p);
    try {
      const r = await client.request('queue.sites', { from: p * SITES_PAGE, to: Math.min(count(), (p + 1) * SITES_PAGE, p * SITES_PAGE + MAX_QUEUE_PAGE) });
      for (const s of r.sites) sites.set(s.index, s);
      redrawVisible();
    } catch (e) {
      sitePages.delete(p);
      setStatus(`sites: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  }
}

function redrawVisible(): void {
  for (const [i, e] of pool) fillTile(e, i);
}

/** Asks for the screen's tiles and the next screen's; a request for sites that scrolled away is cancelled. */
function requestTiles(first: number, last: number): void {
  const to = Math.min(count(), last + pageSize(), first + MAX_TILES_PER_REQUEST);
  let a = first;
  while (a < to && tiles.has(a)) a++;
  let b = to;
  while (b > a && tiles.has(b - 1)) b--;
  if (a >= b) return;
  if (tileWork && tileWork.from <= a && tileWork.to >= b) return;
  tileWork?.ctl.abort();
  const ctl = new AbortController();
  const work = { from: a, to: b, ctl };
  tileWork = work;
  tilesBar.hidden = false;
  cancelBtn.hidden = false;
  tilesBar.value = 0;
  tilesText.textContent = `making tiles 0/${b - a}`;
  app.dataset.tiles = 'loading';
  client.request('queue.tiles', { from: a, to: b }, {
    signal: ctl.signal,
    timeoutMs: 60_000,
    onProgress: (done, total) => {
      if (tileWork !== work) return;
      tilesBar.value = total > 0 ? done / total : 1;
      tilesText.textContent = `making tiles ${done}/${total}`;
    },
  }).then(() => {
    if (tileWork !== work) return;
    tileWork = undefined;
    tilesBar.hidden = true;
    cancelBtn.hidden = true;
    tilesText.textContent = '';
    app.dataset.tiles = 'done';
  }, (e: unknown) => {
    if (tileWork === work) {
      tileWork = undefined;
      tilesBar.hidden = true;
      cancelBtn.hidden = true;
      app.dataset.tiles = 'stopped';
      tilesText.textContent = e instanceof RpcError && e.code === 'cancelled' ? 'tiles stopped (scroll to resume)' : '';
      if (!(e instanceof RpcError && e.code === 'cancelled')) setStatus(`tiles: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  });
}

client.on('tiles', (p) => {
  for (const t of p.tiles) tiles.set(t.index, t);
  // Keep the tiles around the screen; the host's cache keeps more.
  if (tiles.size > KEEP_TILES) {
    const mid = firstRow * cols;
    const far = [...tiles.keys()].sort((x, y) => Math.abs(y - mid) - Math.abs(x - mid));
    for (const k of far.slice(0, tiles.size - KEEP_TILES)) tiles.delete(k);
  }
  for (const t of p.tiles) {
    const e = pool.get(t.index);
    if (e) fillTile(e, t.index);
  }
  grid.dataset.drawn = String([...pool.keys()].filter((i) => tiles.has(i)).length);
});

cancelBtn.addEventListener('click', () => tileWork?.ctl.abort());

/** Re-fetches the cells of the sites we hold (a verdict changed somewhere). */
function refetchSites(): void {
  sitePages.clear();
  const first = firstRow * cols;
  void loadSites(first, Math.min(count(), first + pageSize()));
}

client.on('reviewChanged', (p) => {
  reviewed = p.reviewed;
  showProgress();
  refetchSites();
});

// ---- actions -------------------------------------------------------------------------------
function moveTo(i: number): void {
  if (count() === 0) return;
  cur = Math.max(0, Math.min(count() - 1, i));
  follow();
  draw();
}

function openCurrent(): void {
  client.emit('open', { index: cur });
}

function nextUnreviewed(): void {
  for (let i = cur + 1; i < count(); i++) {
    const s = sites.get(i);
    if (!s || !s.review) {
      moveTo(i);
      return;
    }
  }
  setStatus('no site after this one is without a verdict');
}

function setVerdict(shortcut: string, thenOpen: boolean): void {
  const label = verdicts().find((v) => v.shortcut === shortcut);
  if (!label) {
    setStatus(`no verdict has the key ${shortcut}`, true);
    return;
  }
  const index = cur;
  const s = sites.get(index);
  void client.request('queue.verdict', { index, shortcut }).then((r) => {
    reviewed = r.reviewed;
    showProgress();
    if (s && r.cell) sites.set(index, { ...s, review: r.cell as ReviewCell });
    const e = pool.get(index);
    if (e) fillTile(e, index);
    setStatus(`${label.id} saved for ${s ? `${s.contig}:${s.pos.toLocaleString('en-US')}` : `site ${index + 1}`}`);
  }, (e: unknown) => setStatus(e instanceof Error ? e.message : String(e), true));
  if (index < count() - 1) moveTo(index + 1);
  if (thenOpen) openCurrent();
}

function undo(): void {
  void client.request('queue.undo', {}).then((r) => setStatus(r.undone ? 'verdict undone' : 'nothing to undo'), (e: unknown) => setStatus(e instanceof Error ? e.message : String(e), true));
}

grid.addEventListener('keydown', (e) => {
  if (keyHelp.open) return;
  const rk = reviewKeyOf(e);
  if (rk === 'undo') {
    e.preventDefault();
    undo();
    return;
  }
  if (rk) {
    e.preventDefault();
    setVerdict(rk.shortcut, false);
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const moves: Record<string, () => number> = {
    ArrowRight: () => cur + 1, l: () => cur + 1,
    ArrowLeft: () => cur - 1, h: () => cur - 1,
    ArrowDown: () => cur + cols, j: () => cur + cols,
    ArrowUp: () => cur - cols, k: () => cur - cols,
    PageDown: () => cur + pageSize(), PageUp: () => cur - pageSize(),
    Home: () => 0, End: () => count() - 1,
  };
  const m = moves[e.key];
  if (m) {
    e.preventDefault();
    moveTo(m());
    return;
  }
  if (e.key === 'Enter') {
    e.preventDefault();
    openCurrent();
  } else if (e.key === 'n') {
    e.preventDefault();
    nextUnreviewed();
  } else if (e.key === '?') {
    e.preventDefault();
    keyHelp.toggle(true);
    keyHelp.overlay.focus();
  }
});

keyHelp.overlay.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' || e.key === '?') grid.focus();
});

function tileIndexOf(t: EventTarget | null): number | undefined {
  const e = (t as HTMLElement | null)?.closest?.('.tile') as HTMLElement | null | undefined;
  const i = e ? Number(e.dataset.index) : NaN;
  return Number.isInteger(i) ? i : undefined;
}

grid.addEventListener('click', (e) => {
  const i = tileIndexOf(e.target);
  if (i === undefined) return;
  grid.focus();
  moveTo(i);
});
grid.addEventListener('dblclick', (e) => {
  const i = tileIndexOf(e.target);
  if (i === undefined) return;
  moveTo(i);
  openCurrent();
});
grid.addEventListener('wheel', (e) => {
  if (e.deltaY === 0) return;
  e.preventDefault();
  const lastRow = Math.max(0, Math.ceil(count() / cols) - rows);
  firstRow = Math.max(0, Math.min(lastRow, firstRow + (e.deltaY > 0 ? 1 : -1)));
  // The selection stays on screen.
  const r = Math.floor(cur / cols);
  if (r < firstRow) cur = Math.min(count() - 1, firstRow * cols + (cur % cols));
  else if (r >= firstRow + rows) cur = Math.min(count() - 1, (firstRow + rows - 1) * cols + (cur % cols));
  draw();
}, { passive: false });

// Keys pressed in the inspector opened from here: j/k walk (the inspector follows), 1–9 verdicts, n.
client.on('forwardedKey', ({ key }) => {
  if (key === 'j') moveTo(cur + 1);
  else if (key === 'k') moveTo(cur - 1);
  else if (key === 'n') nextUnreviewed();
  else if (/^[1-9]$/.test(key)) {
    setVerdict(key, true);
    return;
  } else return;
  openCurrent();
});

new ResizeObserver(() => {
  const before = `${cols}x${rows}:${tileW}x${tileH}`;
  layout();
  if (`${cols}x${rows}:${tileW}x${tileH}` !== before || pool.size === 0) {
    follow();
    draw();
  }
}).observe(grid);

// ---- start ---------------------------------------------------------------------------------
async function start(): Promise<void> {
  client.emit('ready', {});
  try {
    init = await client.request('queue.init', {});
  } catch (e) {
    setStatus(e instanceof Error ? e.message : String(e), true);
    return;
  }
  reviewed = init.reviewed;
  titleText.textContent = `${init.kind === 'diff' ? 'Diff' : 'Table'} ${init.title} — ${init.count.toLocaleString('en-US')} site(s)${init.count < init.viewCount ? ` (first of ${init.viewCount.toLocaleString('en-US')})` : ''}`;
  titleText.title = `Verdicts go to ${init.reviewFileName}`;
  showProgress();
  legend.replaceChildren(...verdicts().filter((v) => v.shortcut).map((v) => {
    const x = el('span', 'queue-key');
    x.append(el('kbd', undefined, v.shortcut!), document.createTextNode(` ${v.title}`));
    x.title = `${v.id}: ${v.description}`;
    return x;
  }), el('span', 'queue-key muted', 'Enter inspect · n next unreviewed · ? keys'));
  app.dataset.state = 'ready';
  layout();
  draw();
  grid.focus();
}

void start();
