/**
 * The inspector's pileup: one tab per image (alt-allele combination, plus images another model
 * saw differently), each channel drawn as show_examples draws it (the shared pure renderer,
 * src/core/render/showExamples.ts, put on canvases with putImageData) plus the RGB composite,
 * nearest-neighbour zoom (buttons, +/- keys, Ctrl/Cmd+wheel), the candidate column and the
 * reference bases around it marked, and hover details: the pixel's channel values here, the
 * read/base details from the host (`inspector.hover`; the webview never reads files).
 *
 * Tab and zoom survive state updates (the model results arrive after the tensors).
 * All text is set with textContent: read names and alleles come from files.
 */
import type { InspectorHover, InspectorProtocol, InspectorState, TensorPayload } from '../../src/protocol/protocol';
import type { RpcClient } from '../../src/protocol/rpc';
import { CHANNEL_NAMES } from '../../src/core/io/examples/channelIds';
import { renderChannelStrip, renderRgb } from '../../src/core/render/showExamples';
import { el } from '../common/dom';

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 8;

const ui = { tab: 0, zoom: 2, generation: -1 };

/** A canvas of the image's native size; CSS scales it (image-rendering: pixelated). */
function canvasOf(width: number, height: number, rgba: Uint8ClampedArray, zoom: number): HTMLCanvasElement {
  const c = el('canvas', 'pixels');
  c.width = width;
  c.height = height;
  c.style.width = `${width * zoom}px`;
  c.style.height = `${height * zoom}px`;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  img.data.set(rgba);
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

function tabLabel(t: TensorPayload): string {
  return `${t.altLabel || '(no alt)'}${t.seenBy && t.seenBy.length ? ` · ${t.seenBy.join(', ')}` : ''}`;
}

/** "…ACGT[A]CGTA…": the reference around the candidate column. */
function referenceContext(t: TensorPayload): string | undefined {
  if (!t.windowBases || t.candidateColumn === undefined || t.windowStart === undefined) return undefined;
  const c = t.candidateColumn;
  const from = Math.max(0, c - 12);
  const to = Math.min(t.windowBases.length, c + 13);
  return `reference ${(t.windowStart + from + 1).toLocaleString('en-US')}–${(t.windowStart + to).toLocaleString('en-US')}: ${t.windowBases.slice(from, c)}[${t.windowBases[c] ?? ''}]${t.windowBases.slice(c + 1, to)}`;
}

function hoverText(t: TensorPayload, row: number, col: number, h: InspectorHover | null | undefined): string[] {
  const C = t.channels.length;
  const o = (row * t.width + col) * C;
  const values = t.channels.map((id, i) => `${CHANNEL_NAMES[id]?.label ?? `channel ${id}`} ${t.data[o + i] ?? 0}`).join(' · ');
  const lines = [`row ${row}, column ${col}${t.windowStart !== undefined ? ` = position ${(t.windowStart + col + 1).toLocaleString('en-US')}` : ''}${col === t.candidateColumn ? ' (candidate)' : ''}`, values];
  if (h === undefined) return lines;
  if (h === null) return lines;
  lines[0] = `row ${h.row}, column ${h.col} = position ${h.pos.toLocaleString('en-US')} (reference ${h.refBase})${col === t.candidateColumn ? ' — candidate' : ''}`;
  if (h.region === 'reference') lines.push('reference band');
  else if (h.region === 'empty') lines.push('no read in this row');
  else if (h.read) {
    const r = h.read;
    lines.push(`read ${r.name}${r.mate ? `/${r.mate}` : ''} · MAPQ ${r.mapq} · strand ${r.strand} · ${r.supports}`);
    lines.push(`CIGAR ${r.cigar} · aligned ${r.start.toLocaleString('en-US')}–${r.end.toLocaleString('en-US')} · insert size ${r.insertSize} · flags ${r.flags}`);
    if (h.base !== undefined) lines.push(`base ${h.base || '-'}${h.baseQuality !== undefined ? ` · base quality ${h.baseQuality}` : ''} · CIGAR op ${h.op || '-'} (${h.what ?? ''})${h.inserted ? ` · inserted ${h.inserted}` : ''}`);
    else lines.push(h.what ?? '');
  }
  return lines;
}

export interface PileupViewDeps {
  readonly client: RpcClient<InspectorProtocol>;
}

/** Builds the pileup section for a state (tabs, zoom, channels, RGB, hover). */
export function pileupSection(s: InspectorState, deps: PileupViewDeps): HTMLElement {
  const sec = el('section', 'pileup');
  sec.append(el('h3', undefined, 'Pileup'));
  if (s.tensorNote) sec.append(el('p', 'note', s.tensorNote));
  if (s.tensors.length === 0) return sec;
  if (s.generation !== ui.generation) {
    ui.generation = s.generation ?? -1;
    ui.tab = 0;
  }
  if (ui.tab >= s.tensors.length) ui.tab = 0;

  const bar = el('div', 'pileup-bar');
  const tabs = el('div', 'tabs');
  tabs.setAttribute('role', 'tablist');
  tabs.setAttribute('aria-label', 'Images (alt-allele combinations)');
  const zoomOut = el('button', 'zoom-out', '−');
  zoomOut.title = 'Zoom out (-)';
  zoomOut.setAttribute('aria-label', 'Zoom out');
  const zoomLabel = el('span', 'zoom-label');
  const zoomIn = el('button', 'zoom-in', '+');
  zoomIn.title = 'Zoom in (+, Ctrl/Cmd+wheel)';
  zoomIn.setAttribute('aria-label', 'Zoom in');
  const zoom = el('div', 'zoom');
  zoom.append(zoomOut, zoomLabel, zoomIn);
  bar.append(tabs, zoom);
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
  sec.append(bar, panel, hover);

  const buttons = s.tensors.map((t, i) => {
    const b = el('button', 'tab', tabLabel(t));
    b.setAttribute('role', 'tab');
    b.dataset.tab = String(i);
    b.title = t.source;
    b.addEventListener('click', () => select(i));
    b.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
        const n = (i + (ev.key === 'ArrowRight' ? 1 : s.tensors.length - 1)) % s.tensors.length;
        select(n);
        buttons[n]!.focus();
        ev.preventDefault();
      }
    });
    tabs.append(b);
    return b;
  });

  let hoverSeq = 0;
  const draw = (): void => {
    const t = s.tensors[ui.tab]!;
    zoomLabel.textContent = `${ui.zoom}×`;
    sec.dataset.zoom = String(ui.zoom);
    sec.dataset.tab = String(ui.tab);
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === ui.tab));
      b.tabIndex = i === ui.tab ? 0 : -1;
    });
    // Zooming redraws the canvases: keep the keyboard focus on the (new) first image.
    const refocus = document.activeElement instanceof HTMLCanvasElement && panel.contains(document.activeElement);
    keyboardHover = undefined;
    panel.replaceChildren();
    panel.append(el('div', 'tensor-title', `alt ${t.altLabel} — ${t.source} — ${t.height}×${t.width}×${t.channels.length}${t.seenBy?.length ? ` — seen by ${t.seenBy.join(', ')}` : ''}`));
    const ctx = referenceContext(t);
    if (ctx) panel.append(el('div', 'ref-context', ctx));
    const strip = renderChannelStrip(t, undefined, { annotate: false });
    const grid = el('div', 'channels');
    const figures: { label: string; rgba: Uint8ClampedArray }[] = t.channels.map((id, ch) => ({ label: CHANNEL_NAMES[id]?.label ?? `channel ${id}`, rgba: channelRgba(strip, t.width, ch) }));
    try {
      figures.push({ label: 'RGB composite', rgba: rgbRgba(renderRgb(t, { annotate: false })) });
    } catch {
      // The composite needs channels 1–6 (show_examples skips it too).
    }
    for (const f of figures) {
      const fig = el('figure');
      const wrap = el('div', 'canvas-wrap');
      const c = canvasOf(t.width, t.height, f.rgba, ui.zoom);
      c.setAttribute('aria-label', `${f.label} of alt ${t.altLabel}`);
      wrap.append(c);
      if (t.candidateColumn !== undefined) {
        const mark = el('div', 'candidate-mark');
        mark.style.left = `${t.candidateColumn * ui.zoom}px`;
        mark.style.width = `${ui.zoom}px`;
        mark.style.height = `${t.height * ui.zoom}px`;
        wrap.append(mark);
      }
      if (t.refRows) {
        const band = el('div', 'refband-mark');
        band.style.height = `${t.refRows * ui.zoom}px`;
        band.style.width = `${t.width * ui.zoom}px`;
        wrap.append(band);
      }
      c.addEventListener('mousemove', (ev) => {
        const col = Math.min(t.width - 1, Math.max(0, Math.floor(ev.offsetX / ui.zoom)));
        const row = Math.min(t.height - 1, Math.max(0, Math.floor(ev.offsetY / ui.zoom)));
        void showHover(t, row, col);
      });
      c.addEventListener('mouseleave', () => {
        // Back to the keyboard cursor's pixel if the first image has focus, else nothing.
        if (keyboardHover && figures[0] && grid.contains(document.activeElement) && document.activeElement instanceof HTMLCanvasElement) keyboardHover();
        else clearHover();
      });
      if (figures.indexOf(f) === 0) {
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
          void showHover(t, k.row, k.col);
        };
        keyboardHover = place;
        c.addEventListener('focus', () => {
          // Start on the candidate column, first read row (under the reference band).
          cursor ??= { row: Math.min(t.height - 1, t.refRows ?? 0), col: t.candidateColumn ?? Math.floor(t.width / 2) };
          place();
        });
        c.addEventListener('blur', () => { mark.hidden = true; clearHover(); });
        c.addEventListener('keydown', (ev) => {
          const step = ev.shiftKey ? 10 : 1;
          const d = ({ ArrowLeft: [0, -step], ArrowRight: [0, step], ArrowUp: [-step, 0], ArrowDown: [step, 0] } as Record<string, [number, number]>)[ev.key];
          if (d && cursor) {
            cursor = { row: Math.min(t.height - 1, Math.max(0, cursor.row + d[0])), col: Math.min(t.width - 1, Math.max(0, cursor.col + d[1])) };
            place();
          } else if (ev.key === 'Escape') {
            mark.hidden = true;
            clearHover();
          } else return;
          ev.preventDefault();
          ev.stopPropagation();
        });
      }
      fig.append(wrap, el('figcaption', undefined, f.label));
      grid.append(fig);
    }
    panel.append(grid);
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
    put(hoverText(t, row, col, undefined), t.hover ? 'pending' : 'local');
    if (!t.hover || s.generation === undefined) return;
    try {
      const h = await deps.client.request('inspector.hover', { generation: s.generation, tensor: ui.tab, row, col });
      if (seq !== hoverSeq) return; // the mouse moved on
      put(hoverText(t, row, col, h), h ? 'host' : 'none');
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
