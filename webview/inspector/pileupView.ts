/**
 * The inspector's pileup: one tab per image (alt-allele combination, plus images another model
 * saw differently), each channel drawn as show_examples draws it (the shared pure renderer,
 * src/core/render/showExamples.ts, put on canvases with putImageData) plus the RGB composite,
 * nearest-neighbour zoom (buttons, +/- keys, Ctrl/Cmd+wheel), the candidate column and the
 * reference bases around it marked, and hover details: the pixel's channel values here, the
 * read/base details from the host (`inspector.hover`; the webview never reads files).
 * An alt-aligned 'rows' image (docs/deepvariant.md §12.3) is drawn as show draws it: three
 * blocks (reference-aligned, alt-1-aligned, alt-2-aligned) split by grey bands (the shared
 * blockLayout of showExamples.ts), each block labelled; channels are named by DeepVariant id.
 *
 * Tab and zoom survive state updates (the model results arrive after the tensors).
 * All text is set with textContent: read names and alleles come from files.
 */
import type { InspectorHover, InspectorProtocol, InspectorState, TensorPayload } from '../../src/protocol/protocol';
import type { RpcClient } from '../../src/protocol/rpc';
import { channelLegend, pixelDescription } from '../../src/core/render/channelEncoding';
import { blockLayout, blockTop, renderChannelStrip, renderRgb, tensorRowAt } from '../../src/core/render/showExamples';
import { el } from '../common/dom';
import { alleleLabel, blockTitles, cropBlocks, groupTabs, imageDifference, imageLabel, isExamples, rowRanges, rowsBlockHeight, usedBlockRows, usedRows, type ImageDifference } from './imageTabs';
import { saveUi, ui } from './uiState';
import type { PileupOverlay } from './explainView';

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 8;
/** Width of the block labels beside a 'rows' image (CSS .block-labels). */
const BLOCK_LABEL_WIDTH = 16;

/** A canvas of the image's native size (first `rows` rows); CSS scales it (image-rendering: pixelated). */
function canvasOf(width: number, rows: number, rgba: Uint8ClampedArray, zoom: number): HTMLCanvasElement {
  const c = el('canvas', 'pixels');
  c.width = width;
  c.height = rows;
  c.style.width = `${width * zoom}px`;
  c.style.height = `${rows * zoom}px`;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(width, rows);
  img.data.set(rgba.subarray(0, width * rows * 4));
  ctx.putImageData(img, 0, 0);
  return c;
}

/** Channel `ch` of the (unannotated) show_examples strip as RGBA. */
function channelRgba(strip: { width: number; height: number; data: Uint8Array }, w: number, ch: number): Uint8ClampedArray {
  const h = strip.height;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = strip.data[y * strip.width + ch * w + x]!;
      const o = (y * w + x) * 4;
      out[o] = v; out[o + 1] = v; out[o + 2] = v; out[o + 3] = 255;
    }
  }
  return out;
}

function rgbRgba(img: { width: number; height: number; data: Uint8Array }): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, n = img.width * img.height; i < n; i++) {
    out[i * 4] = img.data[i * 3]!; out[i * 4 + 1] = img.data[i * 3 + 1]!; out[i * 4 + 2] = img.data[i * 3 + 2]!; out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * A per-image-row RGBA layer (the difference mask, the attribution) on the drawn rows:
 * drawn row d shows image row `sourceRow(d)`; grey bands between blocks stay transparent.
 */
function drawnLayer(width: number, drawn: number, srcHeight: number, sourceRow: (d: number) => number | undefined, pixelAt: (row: number, col: number, out: Uint8ClampedArray, o: number) => void): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * drawn * 4);
  for (let d = 0; d < drawn; d++) {
    const r = sourceRow(d);
    if (r === undefined || r >= srcHeight) continue;
    for (let c = 0; c < width; c++) pixelAt(r, c, out, (d * width + c) * 4);
  }
  return out;
}

/** The difference mask as RGBA: differing pixels opaque white, the rest transparent (drawn over the composite). */
function maskRgba(mask: Uint8Array, width: number, height: number, drawn: number, sourceRow: (d: number) => number | undefined): Uint8ClampedArray {
  return drawnLayer(width, drawn, height, sourceRow, (r, c, out, o) => {
    if (mask[r * width + c]) { out[o] = 255; out[o + 1] = 255; out[o + 2] = 255; out[o + 3] = 255; }
  });
}

/** The caption of a channel: id and name, plus the alt of the block an alt channel (9, 10, 20, 21) comes from. */
function channelCaption(t: TensorPayload, id: number, ref: string): string {
  const block = id === 9 || id === 20 ? 0 : id === 10 || id === 21 ? 1 : undefined;
  const alt = block !== undefined ? t.altBlocks?.[block] : undefined;
  return `${id} ${channelLegend(id).label}${alt !== undefined ? ` (${alleleLabel(ref, alt)})` : ''}`;
}

function tabLabel(t: TensorPayload, ref: string): string {
  return imageLabel(ref, t.altLabel);
}

/** "…ACGT[A]CGTA…": the reference around the candidate column. */
function referenceContext(t: TensorPayload): string | undefined {
  if (!t.windowBases || t.candidateColumn === undefined || t.windowStart === undefined) return undefined;
  const c = t.candidateColumn;
  const from = Math.max(0, c - 12);
  const to = Math.min(t.windowBases.length, c + 13);
  return `reference ${(t.windowStart + from + 1).toLocaleString('en-US')}–${(t.windowStart + to).toLocaleString('en-US')}: ${t.windowBases.slice(from, c)}[${t.windowBases[c] ?? ''}]${t.windowBases.slice(c + 1, to)}`;
}

function hoverText(t: TensorPayload, row: number, col: number, h: InspectorHover | null | undefined, ref = ''): string[] {
  const C = t.channels.length;
  const o = (row * t.width + col) * C;
  const px = pixelDescription(t.channels, t.data.subarray(o, o + C));
  // A 'rows' image: which block the row is in; the alt blocks' columns are alt-haplotype columns.
  const bh = rowsBlockHeight(t);
  const block = bh !== undefined ? Math.floor(row / bh) : undefined;
  const where = block !== undefined ? ` (${blockTitles(t, ref)[block]} block, its row ${row - block * bh!})` : '';
  const position = block !== undefined && block > 0
    ? ` = alt-${block} haplotype column`
    : t.windowStart !== undefined ? ` = position ${(t.windowStart + col + 1).toLocaleString('en-US')}` : '';
  const lines = [`row ${row}${where}, column ${col}${position}${col === t.candidateColumn ? ' (candidate)' : ''}`];
  // Decoded first (what the read is), the raw bytes last.
  const decoded = px.decoded.join(' · ');
  if (h) {
    lines[0] = h.block !== undefined && h.block > 0
      ? `row ${h.row}${where}, column ${h.col} of the alt-${h.block} haplotype (base ${h.refBase})${col === t.candidateColumn ? ' — candidate' : ''}`
      : `row ${h.row}${where}, column ${h.col} = position ${h.pos.toLocaleString('en-US')} (reference ${h.refBase})${col === t.candidateColumn ? ' — candidate' : ''}`;
    if (h.region === 'reference') lines.push('reference band');
    else if (h.region === 'empty') lines.push('no read in this row');
    else if (h.read) {
      const r = h.read;
      if (h.base !== undefined) lines.push(`base ${h.base || '-'}${h.baseQuality !== undefined ? ` · base quality ${h.baseQuality}` : ''} · MAPQ ${r.mapq} · strand ${r.strand} · ${r.supports}`);
      else lines.push(`MAPQ ${r.mapq} · strand ${r.strand} · ${r.supports}${h.what ? ` · ${h.what}` : ''}`);
      lines.push(`read ${r.name}${r.mate ? `/${r.mate}` : ''} · CIGAR ${r.cigar}${h.op ? ` · op ${h.op} (${h.what ?? ''})` : ''}${h.inserted ? ` · inserted ${h.inserted}` : ''} · aligned ${r.start.toLocaleString('en-US')}–${r.end.toLocaleString('en-US')} · insert size ${r.insertSize} · flags ${r.flags}`);
    }
    lines.push(`pixel: ${decoded}`);
  } else lines.push(decoded);
  lines.push(px.raw);
  return lines;
}

export interface PileupViewDeps {
  readonly client: RpcClient<InspectorProtocol>;
  /** The explanation's attribution overlay (explainView.ts): its switch in the bar, drawn over the composite. */
  readonly overlay?: PileupOverlay;
}

/** The image of the same alleles from the other origin (examples ↔ encoder), if any: what the comparison compares against. */
function partnerOf(tensors: readonly TensorPayload[], i: number): number | undefined {
  const t = tensors[i]!;
  const j = tensors.findIndex((u, k) => k !== i && u.altLabel === t.altLabel && isExamples(u) !== isExamples(t));
  if (j >= 0) return j;
  const k = tensors.findIndex((u, n) => n !== i && u.altLabel === t.altLabel);
  return k >= 0 ? k : undefined;
}

/** The legend: one line per channel id (DeepVariant's encoding), in the image's channel order. */
function legendOf(t: TensorPayload, ref: string): HTMLElement {
  const d = el('details', 'channel-legend');
  d.dataset.section = 'legend';
  d.open = ui.open.legend ?? false;
  d.addEventListener('toggle', () => { ui.open.legend = d.open; saveUi(); });
  d.append(el('summary', undefined, `Channel legend (ids ${t.channels.join(', ')})`));
  const dl = el('dl');
  for (const id of t.channels) {
    const l = channelLegend(id);
    const dt = el('dt', undefined, channelCaption(t, id, ref));
    dt.title = l.enumName;
    dt.dataset.channelId = String(id);
    const dd = el('dd', undefined, l.encoding);
    dd.dataset.channelId = String(id);
    dl.append(dt, dd);
  }
  d.append(dl);
  return d;
}

/** Builds the pileup section for a state (tabs grouped by origin, zoom, trim, grid, comparison, hover). */
export function pileupSection(s: InspectorState, deps: PileupViewDeps): HTMLElement {
  const sec = el('section', 'pileup');
  if (s.tensorNote) sec.append(el('p', 'note', s.tensorNote));
  if (s.tensors.length === 0) return sec;
  const ref = s.site?.ref ?? '';
  const groups = groupTabs(s.tensors);
  const labelOf = (i: number): string => `${groups.find((g) => g.tabs.includes(i))?.title ?? ''}\n${s.tensors[i]!.altLabel}`;
  // A new site keeps the tab of the same name (origin + alleles) when it has one.
  if (!(ui.tab < s.tensors.length && labelOf(ui.tab) === ui.tabKey)) {
    const same = s.tensors.findIndex((_, i) => labelOf(i) === ui.tabKey);
    ui.tab = same >= 0 ? same : 0;
  }

  const bar = el('div', 'pileup-bar');
  const tabs = el('div', 'tabs');
  tabs.setAttribute('role', 'tablist');
  tabs.setAttribute('aria-label', 'Images by origin and alleles');
  const zoomOut = el('button', 'zoom-out', '−');
  zoomOut.title = 'Zoom out (-)';
  zoomOut.setAttribute('aria-label', 'Zoom out');
  const zoomLabel = el('span', 'zoom-label');
  const zoomIn = el('button', 'zoom-in', '+');
  zoomIn.title = 'Zoom in (+, Ctrl/Cmd+wheel); zoom keeps the candidate column in view';
  zoomIn.setAttribute('aria-label', 'Zoom in');
  const zoom = el('div', 'zoom');
  const toggle = (cls: string, text: string, title: string, on: () => boolean, flip: () => void): HTMLButtonElement => {
    const b = el('button', `toggle ${cls}`, text);
    b.type = 'button';
    b.title = title;
    b.setAttribute('aria-pressed', String(on()));
    b.addEventListener('click', () => { flip(); saveUi(); b.setAttribute('aria-pressed', String(on())); draw(); });
    return b;
  };
  const trim = toggle('trim-rows', 'trim', 'Hide the empty rows under the reads', () => ui.trim, () => { ui.trim = !ui.trim; });
  const layout = toggle('grid-layout', 'grid', 'Channels side by side (grid) or one per line', () => ui.layout === 'grid', () => { ui.layout = ui.layout === 'grid' ? 'stack' : 'grid'; });
  zoom.append(zoomOut, zoomLabel, zoomIn, trim, layout);
  bar.append(tabs, zoom);
  const overlayBar = el('div', 'overlay-bar');
  const compareBar = el('div', 'compare-bar');
  const panel = el('div', 'tab-panel');
  panel.setAttribute('role', 'tabpanel');
  const hover = el('div', 'hover-info');
  hover.setAttribute('aria-live', 'polite');
  const hoverId = `hover-info-${s.generation ?? 0}`;
  hover.id = hoverId;
  hover.dataset.state = 'idle';
  /** Keyboard pixel cursor (row, col) of this site's images; undefined until the first image is focused. */
  let cursor: { row: number; col: number } | undefined;
  let keyboardHover: (() => void) | undefined;
  let blinkTimer: ReturnType<typeof setInterval> | undefined;
  sec.append(bar, overlayBar, compareBar, panel, hover);

  const buttons: HTMLButtonElement[] = [];
  for (const g of groups) {
    const box = el('div', 'tab-group');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', g.title);
    box.dataset.group = g.title;
    box.append(el('span', 'tab-group-title', g.title));
    for (const i of g.tabs) {
      const t = s.tensors[i]!;
      const b = el('button', 'tab', tabLabel(t, ref));
      b.setAttribute('role', 'tab');
      b.dataset.tab = String(i);
      b.title = `${t.source}${t.seenBy?.length ? ` — seen by ${t.seenBy.join(', ')}` : ''}`;
      b.addEventListener('click', () => select(i));
      b.addEventListener('keydown', (ev) => {
        if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
          const order = groups.flatMap((x) => x.tabs);
          const at = order.indexOf(i);
          const n = order[(at + (ev.key === 'ArrowRight' ? 1 : order.length - 1)) % order.length]!;
          select(n);
          buttons[n]!.focus();
          ev.preventDefault();
        }
      });
      buttons[i] = b;
      box.append(b);
    }
    tabs.append(box);
  }

  let hoverSeq = 0;
  const draw = (): void => {
    if (blinkTimer) { clearInterval(blinkTimer); blinkTimer = undefined; }
    const t = s.tensors[ui.tab]!;
    ui.tabKey = labelOf(ui.tab);
    saveUi();
    zoomLabel.textContent = `${ui.zoom}×`;
    sec.dataset.zoom = String(ui.zoom);
    sec.dataset.tab = String(ui.tab);
    sec.dataset.trim = String(ui.trim);
    sec.dataset.layout = ui.layout;
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === ui.tab));
      b.tabIndex = i === ui.tab ? 0 : -1;
    });
    // Zooming redraws the canvases: keep the keyboard focus on the (new) first image.
    const refocus = document.activeElement instanceof HTMLCanvasElement && panel.contains(document.activeElement);
    keyboardHover = undefined;
    // A 'rows' image is three blocks (docs/deepvariant.md §12.3): trimmed per block (the blocks
    // stay equal), drawn with the grey bands of show's blockLayout; `sourceRow` maps a drawn row
    // back to the image row (undefined in a band).
    const bh = rowsBlockHeight(t);
    const blockRows = bh !== undefined ? (ui.trim ? usedBlockRows(t, bh) : bh) : undefined;
    const shownOf = (u: TensorPayload): TensorPayload => (bh !== undefined && rowsBlockHeight(u) === bh ? cropBlocks(u, bh, blockRows!) : u);
    const shown = shownOf(t);
    const rows = bh !== undefined ? shown.height : ui.trim ? usedRows(t) : t.height;
    const blocks = bh !== undefined ? blockLayout(shown.height, 3) : undefined;
    const drawn = blocks ? blocks.drawnHeight : rows;
    const sourceRow = (d: number): number | undefined => {
      if (!blocks) return d < rows ? d : undefined;
      const at = tensorRowAt(blocks, d);
      return at ? at.block * bh! + (at.row - at.block * blockRows!) : undefined;
    };
    const blockOption = blocks ? { blocks: 3 } : {};

    // Comparison with the image of the same alleles from the other origin.
    const partner = partnerOf(s.tensors, ui.tab);
    let diff: ImageDifference | undefined;
    compareBar.replaceChildren();
    compareBar.hidden = partner === undefined;
    if (partner !== undefined) {
      const p = s.tensors[partner]!;
      const mode = el('div', 'compare-modes');
      mode.setAttribute('role', 'group');
      mode.setAttribute('aria-label', 'Compare with the other origin');
      for (const [m, text] of [['off', 'off'], ['diff', 'difference'], ['blink', 'blink']] as const) {
        const b = el('button', `toggle compare-${m}`, text);
        b.type = 'button';
        b.setAttribute('aria-pressed', String(ui.compare === m));
        b.addEventListener('click', () => { ui.compare = m; saveUi(); draw(); });
        mode.append(b);
      }
      const pGroup = groups.find((g) => g.tabs.includes(partner))?.title ?? '';
      compareBar.append(el('span', 'compare-label', `compare with ${pGroup} (${tabLabel(p, ref)}):`), mode);
      if (ui.compare !== 'off') {
        diff = imageDifference(t, p);
        const summary = el('span', 'diff-summary', diff.incomparable ?? `${diff.pixels.toLocaleString('en-US')} pixels differ${diff.rows.length ? ` in ${diff.rows.length} rows: ${rowRanges(diff.rows)}` : ''}`);
        summary.dataset.pixels = String(diff.pixels);
        summary.dataset.rows = diff.rows.join(',');
        compareBar.append(summary);
      }
    }

    const switcher = deps.overlay?.controls(draw);
    overlayBar.replaceChildren(...(switcher ? [switcher] : []));
    overlayBar.hidden = !switcher;
    const attribution = deps.overlay?.imageFor(ui.tab);

    panel.replaceChildren();
    const hidden = bh !== undefined ? (bh - blockRows!) * 3 : t.height - rows;
    const layoutText = t.altLayout === 'rows' && bh !== undefined ? ` — alt-aligned rows: 3 blocks of ${bh} rows` : t.altLayout ? ` — alt-aligned ${t.altLayout}` : '';
    const title = el('div', 'tensor-title', `${groups.find((g) => g.tabs.includes(ui.tab))?.title ?? ''} — ${tabLabel(t, ref)} — ${t.height}×${t.width}×${t.channels.length}${layoutText}${hidden > 0 ? ` (${hidden} empty rows hidden)` : ''}`);
    title.dataset.layout = t.altLayout ?? 'none';
    title.title = `${t.source}${t.seenBy?.length ? ` — seen by ${t.seenBy.join(', ')}` : ''}`;
    panel.append(title);
    const ctx = referenceContext(t);
    panel.append(el('div', 'ref-context', ctx ?? ''));
    const titles = blocks ? blockTitles(t, ref) : undefined;
    if (titles) {
      const list = el('div', 'block-titles', `blocks, top to bottom: ${titles.join(' · ')}`);
      list.dataset.blocks = titles.join('|');
      panel.append(list);
    }
    const strip = renderChannelStrip(shown, undefined, { annotate: false, ...blockOption });
    const grid = el('div', `channels ${ui.layout}`);
    grid.style.setProperty('--fig-width', `${t.width * ui.zoom + 2 + (blocks ? BLOCK_LABEL_WIDTH : 0)}px`);
    const figures: { label: string; id?: number; rgba: Uint8ClampedArray; alt?: Uint8ClampedArray }[] = [];
    try {
      const rgb = rgbRgba(renderRgb(shown, { annotate: false, ...blockOption }));
      let alt: Uint8ClampedArray | undefined;
      if (partner !== undefined && ui.compare === 'blink') {
        try { alt = rgbRgba(renderRgb(shownOf(s.tensors[partner]!), { annotate: false, ...blockOption })); } catch { /* no composite */ }
      }
      figures.push({ label: 'RGB composite', rgba: rgb, ...(alt ? { alt } : {}) });
    } catch {
      // The composite needs channels 1–6 (show_examples skips it too).
    }
    let partnerStrip: ReturnType<typeof renderChannelStrip> | undefined;
    if (partner !== undefined && ui.compare === 'blink' && s.tensors[partner]!.channels.join(',') === t.channels.join(',')) partnerStrip = renderChannelStrip(shownOf(s.tensors[partner]!), undefined, { annotate: false, ...blockOption });
    t.channels.forEach((id, ch) => {
      const altStrip = partnerStrip ? channelRgba(partnerStrip, t.width, ch) : undefined;
      figures.push({ label: channelCaption(t, id, ref).replace(/^\d+ /, ''), id, rgba: channelRgba(strip, t.width, ch), ...(altStrip ? { alt: altStrip } : {}) });
    });
    const blinkers: { c: HTMLCanvasElement; a: Uint8ClampedArray; b: Uint8ClampedArray }[] = [];
    const viewports: HTMLElement[] = [];
    figures.forEach((f, fi) => {
      const fig = el('figure');
      if (f.id !== undefined) fig.dataset.channelId = String(f.id);
      const viewport = el('div', 'viewport');
      const wrap = el('div', 'canvas-wrap');
      const c = canvasOf(t.width, drawn, f.rgba, ui.zoom);
      c.setAttribute('aria-label', `${f.label} of ${tabLabel(t, ref)}`);
      wrap.append(c);
      if (f.alt) blinkers.push({ c, a: f.rgba, b: f.alt });
      if (diff && !diff.incomparable && ui.compare === 'diff') {
        const overlay = canvasOf(t.width, drawn, maskRgba(diff.mask, diff.width, diff.height, drawn, sourceRow), ui.zoom);
        overlay.className = 'pixels diff-overlay';
        wrap.append(overlay);
      }
      if (attribution && fi === 0 && attribution.width === t.width) {
        const a = attribution.rgba;
        const heat = canvasOf(t.width, drawn, drawnLayer(t.width, drawn, attribution.height, sourceRow, (r, col, out, o) => {
          const i = (r * t.width + col) * 4;
          out[o] = a[i]!; out[o + 1] = a[i + 1]!; out[o + 2] = a[i + 2]!; out[o + 3] = a[i + 3]!;
        }), ui.zoom);
        heat.className = 'pixels attribution-overlay';
        wrap.append(heat);
      }
      if (t.candidateColumn !== undefined) {
        const mark = el('div', 'candidate-mark');
        mark.style.left = `${t.candidateColumn * ui.zoom}px`;
        mark.style.width = `${ui.zoom}px`;
        mark.style.height = `${drawn * ui.zoom}px`;
        wrap.append(mark);
      }
      if (t.refRows) {
        // The reference band of each block (every pileup of a 'rows' image has its own).
        for (let b = 0; b < (blocks?.blocks ?? 1); b++) {
          const band = el('div', 'refband-mark');
          band.style.top = `${1 + (blocks ? blockTop(blocks, b) : 0) * ui.zoom}px`;
          band.style.height = `${Math.min(t.refRows, blockRows ?? t.refRows) * ui.zoom}px`;
          band.style.width = `${t.width * ui.zoom}px`;
          wrap.append(band);
        }
      }
      c.addEventListener('mousemove', (ev) => {
        const col = Math.min(t.width - 1, Math.max(0, Math.floor(ev.offsetX / ui.zoom)));
        const row = sourceRow(Math.min(drawn - 1, Math.max(0, Math.floor(ev.offsetY / ui.zoom))));
        if (row === undefined) clearHover(); // the grey band between two blocks
        else void showHover(t, row, col);
      });
      c.addEventListener('mouseleave', () => {
        if (keyboardHover && grid.contains(document.activeElement) && document.activeElement instanceof HTMLCanvasElement) keyboardHover();
        else clearHover();
      });
      if (fi === 0) {
        // Keyboard: one tab stop (the first image); arrows move a pixel cursor (Shift: 10), Esc hides.
        c.tabIndex = 0;
        c.setAttribute('aria-describedby', hoverId);
        const mark = el('div', 'cursor-mark');
        mark.hidden = true;
        wrap.append(mark);
        const place = (): void => {
          const k = cursor;
          if (!k) { mark.hidden = true; return; }
          mark.hidden = false;
          mark.style.left = `${1 + k.col * ui.zoom}px`;
          mark.style.top = `${1 + k.row * ui.zoom}px`;
          mark.style.width = `${ui.zoom}px`;
          mark.style.height = `${ui.zoom}px`;
          const row = sourceRow(k.row);
          if (row !== undefined) void showHover(t, row, k.col);
        };
        keyboardHover = place;
        c.addEventListener('focus', () => {
          cursor ??= { row: Math.min(drawn - 1, t.refRows ?? 0), col: t.candidateColumn ?? Math.floor(t.width / 2) };
          place();
        });
        c.addEventListener('blur', () => { mark.hidden = true; clearHover(); });
        c.addEventListener('keydown', (ev) => {
          const step = ev.shiftKey ? 10 : 1;
          const d = ({ ArrowLeft: [0, -step], ArrowRight: [0, step], ArrowUp: [-step, 0], ArrowDown: [step, 0] } as Record<string, [number, number]>)[ev.key];
          if (d && cursor) {
            let row = Math.min(drawn - 1, Math.max(0, cursor.row + d[0]));
            // Step over the grey band between two blocks.
            while (sourceRow(row) === undefined && row > 0 && row < drawn - 1) row += d[0] < 0 ? -1 : 1;
            cursor = { row, col: Math.min(t.width - 1, Math.max(0, cursor.col + d[1])) };
            place();
          } else if (ev.key === 'Escape') {
            mark.hidden = true;
            clearHover();
          } else return;
          ev.preventDefault();
          ev.stopPropagation();
        });
      }
      viewport.append(wrap);
      viewports.push(viewport);
      const cap = el('figcaption', undefined, f.id !== undefined ? `${f.id} ${f.label}` : f.label);
      if (f.id !== undefined) cap.title = `${channelLegend(f.id).enumName}: ${channelLegend(f.id).encoding}`;
      if (blocks && titles) {
        // Each block labelled beside the image (outside the pixels), at its drawn rows.
        const body = el('div', 'blocked');
        const labels = el('div', 'block-labels');
        labels.style.height = `${drawn * ui.zoom + 2}px`;
        titles.forEach((text, b) => {
          const l = el('div', 'block-label', b === 0 ? 'ref' : `alt ${b}`);
          l.title = text;
          l.dataset.block = String(b);
          l.style.top = `${1 + blockTop(blocks, b) * ui.zoom}px`;
          l.style.height = `${blockRows! * ui.zoom}px`;
          labels.append(l);
        });
        body.append(labels, viewport);
        fig.append(body, cap);
      } else fig.append(viewport, cap);
      grid.append(fig);
    });
    panel.append(grid, legendOf(t, ref));
    // Zoom around the candidate column: each viewport scrolls so the candidate sits in its middle.
    const centre = (): void => {
      if (t.candidateColumn === undefined) return;
      for (const v of viewports) v.scrollLeft = Math.max(0, (t.candidateColumn + 0.5) * ui.zoom - v.clientWidth / 2);
    };
    requestAnimationFrame(centre);
    centre();
    if (blinkers.length) {
      let shown = false;
      blinkTimer = setInterval(() => {
        if (!sec.isConnected) { clearInterval(blinkTimer); return; }
        shown = !shown;
        sec.dataset.blink = shown ? 'partner' : 'self';
        for (const k of blinkers) {
          const ctx2 = k.c.getContext('2d')!;
          const img = ctx2.createImageData(k.c.width, k.c.height);
          img.data.set((shown ? k.b : k.a).subarray(0, k.c.width * k.c.height * 4));
          ctx2.putImageData(img, 0, 0);
        }
      }, 600);
    }
    if (refocus) grid.querySelector<HTMLCanvasElement>('canvas[tabindex="0"]')?.focus();
  };

  /** Hides the details (the mouse left the image, Esc, focus left): a stale box must not stay on screen. */
  const clearHover = (): void => {
    ++hoverSeq; // drop answers still on their way
    hover.replaceChildren();
    hover.dataset.state = 'idle';
    delete hover.dataset.row;
    delete hover.dataset.col;
  };

  const showHover = async (t: TensorPayload, row: number, col: number): Promise<void> => {
    const seq = ++hoverSeq;
    hover.dataset.row = String(row);
    hover.dataset.col = String(col);
    const put = (lines: string[], state: string): void => {
      hover.replaceChildren(...lines.map((l) => el('div', undefined, l)));
      hover.dataset.state = state;
    };
    put(hoverText(t, row, col, undefined, s.site?.ref ?? ''), t.hover ? 'pending' : 'local');
    if (!t.hover || s.generation === undefined) return;
    try {
      const h = await deps.client.request('inspector.hover', { generation: s.generation, tensor: ui.tab, row, col });
      if (seq !== hoverSeq) return; // the mouse moved on
      put(hoverText(t, row, col, h, s.site?.ref ?? ''), h ? 'host' : 'none');
    } catch {
      if (seq === hoverSeq) hover.dataset.state = 'error';
    }
  };

  const select = (i: number): void => {
    ui.tab = i;
    draw();
  };
  const setZoom = (z: number): void => {
    const nz = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
    if (nz === ui.zoom) return;
    ui.zoom = nz;
    draw();
  };
  zoomOut.addEventListener('click', () => setZoom(ui.zoom - 1));
  zoomIn.addEventListener('click', () => setZoom(ui.zoom + 1));
  panel.addEventListener('wheel', (ev) => {
    if (!(ev.ctrlKey || ev.metaKey)) return;
    ev.preventDefault();
    setZoom(ui.zoom + (ev.deltaY < 0 ? 1 : -1));
  }, { passive: false });
  sec.tabIndex = -1;
  sec.addEventListener('keydown', (ev) => {
    if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement) return;
    if (ev.key === 'Escape' && hover.hasChildNodes()) { clearHover(); ev.preventDefault(); }
    if (ev.key === '+' || ev.key === '=') { setZoom(ui.zoom + 1); ev.preventDefault(); }
    if (ev.key === '-') { setZoom(ui.zoom - 1); ev.preventDefault(); }
  });
  draw();
  return sec;
}
