/**
 * The sensitivity curves of an explanation as one RGB image: a grid with one row per model and
 * one panel per curve (depth, alt fraction, base quality, MAPQ), each with P(hom-ref) (blue),
 * P(het) (orange) and P(hom-alt) (red) against the curve's x, y from 0 to 1. Pure and DOM-free
 * (the CLI writes it as PNG; the report can embed the same bytes). Text uses the renderer's
 * bitmap font (ASCII only).
 */
import { GLYPH_HEIGHT, drawText } from '../render/bitmapFont';
import type { RgbImage } from '../render/showExamples';
import type { ClassProbs, ExplainResult } from './explainResult';

const PANEL_W = 230;
const PANEL_H = 150;
const PLOT = { left: 28, right: 8, top: 2 * (GLYPH_HEIGHT + 3) + 2, bottom: GLYPH_HEIGHT + 8 };
export const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [[40, 90, 200], [230, 140, 0], [200, 0, 0]];

type Setter = (x: number, y: number, rgb: readonly [number, number, number]) => void;

function line(set: Setter, x0: number, y0: number, x1: number, y1: number, rgb: readonly [number, number, number]): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    set(x0, y0, rgb);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) { err += dy; x0 += sx; }
    if (e2 <= dx) { err += dx; y0 += sy; }
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** One row per model, one panel per curve. */
export function renderCurves(result: ExplainResult): RgbImage {
  const names = ['depth', 'altFraction', 'baseQuality', 'mappingQuality'] as const;
  const width = PANEL_W * names.length;
  const height = PANEL_H * result.models.length;
  const data = new Uint8Array(width * height * 3).fill(255);
  const set: Setter = (x, y, [r, g, b]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const p = (y * width + x) * 3;
    data[p] = r;
    data[p + 1] = g;
    data[p + 2] = b;
  };
  result.models.forEach((m, mi) => {
    names.forEach((name, ci) => {
      const c = result.curves[name];
      const ox = ci * PANEL_W;
      const oy = mi * PANEL_H;
      const x0 = ox + PLOT.left;
      const x1 = ox + PANEL_W - PLOT.right;
      const y0 = oy + PLOT.top;
      const y1 = oy + PANEL_H - PLOT.bottom;
      drawText(data, width, height, 3, ox + 4, oy + 2, `${m.name}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 36), 0);
      drawText(data, width, height, 3, ox + 4, oy + 2 + GLYPH_HEIGHT + 3, c.xLabel.replace(/[^\x20-\x7e]/g, '?').slice(0, 36), 90);
      for (let y = y0; y <= y1; y++) set(x0, y, [0, 0, 0]);
      for (let x = x0; x <= x1; x++) set(x, y1, [0, 0, 0]);
      for (const v of [0, 0.5, 1]) {
        const y = Math.round(y1 - v * (y1 - y0));
        for (let x = x0 + 1; x <= x1; x += 3) set(x, y, [200, 200, 200]);
        drawText(data, width, height, 3, ox + 2, y - 3, v === 0.5 ? '.5' : String(v), 0);
      }
      const xs = c.x[mi] ?? [];
      const ps = c.probs[mi] ?? [];
      if (xs.length === 0) return;
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      const px = (x: number): number => Math.round(hi > lo ? x0 + ((x - lo) / (hi - lo)) * (x1 - x0) : (x0 + x1) / 2);
      const py = (p: number): number => Math.round(y1 - p * (y1 - y0));
      drawText(data, width, height, 3, x0, y1 + 3, fmt(lo), 0);
      const hiText = fmt(hi);
      drawText(data, width, height, 3, x1 - hiText.length * 6, y1 + 3, hiText, 0);
      const order = xs.map((x, i) => ({ x, p: ps[i] ?? null })).filter((q): q is { x: number; p: ClassProbs } => q.p !== null).sort((a, b) => a.x - b.x);
      for (let k = 0; k < 3; k++) {
        const rgb = CLASS_COLOURS[k]!;
        order.forEach((q, i) => {
          const X = px(q.x);
          const Y = py(q.p[k]!);
          for (let d = -1; d <= 1; d++) { set(X + d, Y, rgb); set(X, Y + d, rgb); }
          const prev = order[i - 1];
          if (prev) line(set, px(prev.x), py(prev.p[k]!), X, Y, rgb);
        });
      }
    });
  });
  return { kind: 'rgb', width, height, data };
}
