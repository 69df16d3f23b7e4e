/**
 * Drawing an explanation over the pileup: a per-pixel attribution map built from the read and
 * column-band occlusions, turned into an RGBA heat map (red: the evidence pushed the model
 * toward the genotype it called; blue: away from it) with a labelled scale bar. Pure and
 * DOM-free (no node imports), so the webview can bundle it and put the RGBA bytes on a canvas;
 * the CLI composites the same map onto show_examples' RGB image and writes a PNG.
 *
 * The map is separable: pixel (row r, column c) of a read row = ΔP of dropping that read ×
 * the relative weight of c's column band (|ΔP of the band| / the largest band |ΔP|), on the
 * pixels the read drew. It shows where the two occlusion families agree, not a per-pixel
 * occlusion (which would need rows × bands model runs).
 */
import type { PileupTensor } from '../io/examples/pileupTensor';
import { GLYPH_HEIGHT, drawText, textWidth } from '../render/bitmapFont';
import type { RgbImage } from '../render/showExamples';
import { type ExplainResult, GENOTYPE_CLASSES } from './explainResult';

/** A per-pixel map of the pileup (row-major height × width). */
export interface AttributionMap {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

export interface RgbaImage {
  readonly kind: 'rgba';
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

function bandWeights(result: ExplainResult, model: number, width: number): Float32Array {
  const w = new Float32Array(width);
  let max = 0;
  for (const b of result.bands) max = Math.max(max, Math.abs(b.deltaP[model] ?? 0));
  for (const b of result.bands) {
    const v = max > 0 ? Math.abs(b.deltaP[model] ?? 0) / max : 1;
    for (let c = b.colStart; c < b.colEnd && c < width; c++) w[c] = v;
  }
  return w;
}

function drawnAt(t: PileupTensor, row: number, col: number): boolean {
  const C = t.channels.length;
  const p = (row * t.width + col) * C;
  for (let k = 0; k < C; k++) if (t.data[p + k]) return true;
  return false;
}

/**
 * The attribution of `model` on its own image `tensor` (`deltaP` per read × band weight). With
 * `minus`, the difference model − minus per read of ΔP toward `model`'s called class (so both
 * terms speak of the same genotype; reads absent from `minus`'s image count 0), drawn on
 * `model`'s image with the mean of both models' band weights.
 */
export function pixelAttribution(result: ExplainResult, model: number, tensor: PileupTensor, minus?: number): AttributionMap {
  const { width, height } = tensor;
  const values = new Float32Array(width * height);
  const w = bandWeights(result, model, width);
  if (minus !== undefined) {
    const w2 = bandWeights(result, minus, width);
    for (let c = 0; c < width; c++) w[c] = (w[c]! + w2[c]!) / 2;
  }
  const called = result.crossRun[model]?.[model]?.genotypeClass;
  const cls = called ? GENOTYPE_CLASSES.indexOf(called) : 0;
  for (const r of result.reads) {
    const row = r.rows[model];
    if (row === null || row === undefined || row >= height) continue;
    const d = minus === undefined ? r.deltaP[model] ?? 0 : (r.deltaProbs[model]?.[cls] ?? 0) - (r.deltaProbs[minus]?.[cls] ?? 0);
    if (d === 0) continue;
    for (let c = 0; c < width; c++) if (drawnAt(tensor, row, c)) values[row * width + c] = d * w[c]!;
  }
  return { width, height, values };
}

/** Largest |value| of a map (0 for an empty one). */
export function mapScale(m: AttributionMap): number {
  let max = 0;
  for (const v of m.values) max = Math.max(max, Math.abs(v));
  return max;
}

/** Colour of a value in [-1, 1]: blue (−) … white … red (+). */
function diverging(t: number): [number, number, number] {
  const x = Math.max(-1, Math.min(1, t));
  if (x >= 0) return [255, Math.round(255 * (1 - x)), Math.round(255 * (1 - x))];
  return [Math.round(255 * (1 + x)), Math.round(255 * (1 + x)), 255];
}

/** RGBA heat map: colour by sign and size, alpha by |value| / scale (0 where the value is 0). */
export function heatmapRgba(m: AttributionMap, scale = mapScale(m)): RgbaImage {
  const data = new Uint8Array(m.width * m.height * 4);
  for (let p = 0; p < m.values.length; p++) {
    const v = m.values[p]!;
    if (v === 0 || scale <= 0) continue;
    const t = v / scale;
    const [r, g, b] = diverging(t);
    data[p * 4] = r;
    data[p * 4 + 1] = g;
    data[p * 4 + 2] = b;
    data[p * 4 + 3] = Math.round(255 * Math.min(1, 0.25 + 0.75 * Math.abs(t)));
  }
  return { kind: 'rgba', width: m.width, height: m.height, data };
}

/** `base` with `heat` composited over it (alpha blending), `heat` placed at row `top` of `base`. */
export function overlayOnRgb(base: RgbImage, heat: RgbaImage, top = 0): RgbImage {
  const data = base.data.slice();
  for (let y = 0; y < heat.height && y + top < base.height; y++) {
    for (let x = 0; x < heat.width && x < base.width; x++) {
      const h = (y * heat.width + x) * 4;
      const a = heat.data[h + 3]! / 255;
      if (a === 0) continue;
      const d = ((y + top) * base.width + x) * 3;
      for (let k = 0; k < 3; k++) data[d + k] = Math.round(heat.data[h + k]! * a + data[d + k]! * (1 - a));
    }
  }
  return { ...base, data };
}

function fmtScale(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(2) : x.toExponential(0);
}

/**
 * The legend: a blue–white–red bar from −scale to +scale with its end and middle values, and
 * `title` above it (e.g. "ΔP(het), default"), on white; `width` pixels wide.
 */
export function scaleBar(scale: number, width: number, title: string): RgbImage {
  const barH = 8;
  const height = 3 * (GLYPH_HEIGHT + 3) + barH;
  const data = new Uint8Array(width * height * 3).fill(255);
  const titleY = 2;
  const barY = titleY + GLYPH_HEIGHT + 3;
  const labelY = barY + barH + 3;
  drawText(data, width, height, 3, 2, titleY, title.replace(/[^\x20-\x7e]/g, '?'), 0);
  const x0 = 2;
  const x1 = width - 3;
  for (let x = x0; x <= x1; x++) {
    const [r, g, b] = diverging(((x - x0) / Math.max(1, x1 - x0)) * 2 - 1);
    for (let y = barY; y < barY + barH; y++) {
      const p = (y * width + x) * 3;
      data[p] = r;
      data[p + 1] = g;
      data[p + 2] = b;
    }
  }
  const lo = fmtScale(-scale);
  const hi = `+${fmtScale(scale)}`;
  drawText(data, width, height, 3, x0, labelY, lo, 0);
  drawText(data, width, height, 3, Math.round((x0 + x1 - textWidth('0')) / 2), labelY, '0', 0);
  drawText(data, width, height, 3, x1 - textWidth(hi), labelY, hi, 0);
  return { kind: 'rgb', width, height, data };
}

/** Images stacked top to bottom on white, as wide as the widest. */
export function stackRgb(images: readonly RgbImage[]): RgbImage {
  const width = Math.max(...images.map((i) => i.width));
  const height = images.reduce((h, i) => h + i.height, 0);
  const data = new Uint8Array(width * height * 3).fill(255);
  let y0 = 0;
  for (const img of images) {
    for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3), ((y0 + y) * width) * 3);
    y0 += img.height;
  }
  return { kind: 'rgb', width, height, data };
}
