/**
 * Pictures and JSON of a site's layer activations, shared by `variant-lens explain --layers`
 * and the report's site sections:
 *
 *   layerGridImage     one model: a row per layer — the pileup the model read, the channel
 *                      mean and the top channels, each upsampled onto the pileup (grey where
 *                      the graph does not read the pileup), labelled
 *   similarityImage    model A against model B per layer (linear CKA bars, pooled cosine
 *                      where CKA is undefined), titled with the summary sentence
 *   siteLayersJson     the JSON record (no arrays): per model its outputs and per-layer
 *                      statistics, the similarity per layer and how the models were compared
 *
 * Labels are drawn with the project's bitmap font (ASCII only).
 */
import { drawText, GLYPH_HEIGHT, textWidth } from '../../render/bitmapFont';
import type { RgbImage } from '../../render/showExamples';
import { activationMapImage, type ActivationMap, type LayerMaps } from './activationMaps';
import type { ActivationSummary } from './activationSummary';
import { IDENTICAL_CKA, type SimilarityResult } from './layerSimilarity';
import type { SiteLayers } from './siteLayers';

const GAP = 4;
const LABEL_H = GLYPH_HEIGHT + 4;

const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');

function blit(dst: RgbImage, src: RgbImage, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) {
    const dy = y0 + y;
    if (dy < 0 || dy >= dst.height) continue;
    const w = Math.min(src.width, dst.width - x0);
    if (w <= 0) return;
    dst.data.set(src.data.subarray(y * src.width * 3, (y * src.width + w) * 3), (dy * dst.width + x0) * 3);
  }
}

function blank(width: number, height: number): RgbImage {
  return { kind: 'rgb', width, height, data: new Uint8Array(width * height * 3).fill(255) };
}

function mapLabel(m: ActivationMap): string {
  return m.channel === undefined ? 'channel mean' : `ch ${m.channel} (|a| ${formatNumber(m.score ?? 0)})`;
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 100 || x === 0 ? x.toFixed(0) : Math.abs(x) >= 0.01 ? x.toPrecision(3) : x.toExponential(1);
}

/**
 * One model's maps at a site as one picture: a row per layer (title line "layer: C channels,
 * h x w cells", then the pileup when given, the channel mean and the top channels side by side).
 */
export function layerGridImage(title: string, layers: readonly LayerMaps[], pileup?: RgbImage): RgbImage {
  const first = layers[0]?.mean;
  const mapW = first?.width ?? pileup?.width ?? 1;
  const mapH = first?.height ?? pileup?.height ?? 1;
  const cols = Math.max(1, ...layers.map((l) => 1 + l.top.length)) + (pileup ? 1 : 0);
  const cellW = Math.max(mapW, pileup?.width ?? 0);
  const rowH = LABEL_H * 2 + Math.max(mapH, pileup?.height ?? 0) + GAP;
  const width = Math.max(cols * (cellW + GAP) + GAP, textWidth(ascii(title)) + 2 * GAP);
  const height = LABEL_H + GAP + layers.length * rowH;
  const img = blank(width, height);
  drawText(img.data, width, height, 3, GAP, 2, ascii(title), 0);
  layers.forEach((l, r) => {
    const y0 = LABEL_H + GAP + r * rowH;
    drawText(img.data, width, height, 3, GAP, y0, ascii(`${l.layer}: ${l.channels} channels, ${l.cells.height} x ${l.cells.width} cells`), 0);
    let x = GAP;
    if (pileup) {
      drawText(img.data, width, height, 3, x, y0 + LABEL_H, 'pileup', 0);
      blit(img, pileup, x, y0 + LABEL_H * 2);
      x += cellW + GAP;
    }
    for (const m of [l.mean, ...l.top]) {
      drawText(img.data, width, height, 3, x, y0 + LABEL_H, ascii(mapLabel(m)), 0);
      blit(img, activationMapImage(m, 'rgb') as RgbImage, x, y0 + LABEL_H * 2 + (pileup ? pileup.height - mapH : 0));
      x += cellW + GAP;
    }
  });
  return img;
}

function fillRect(img: RgbImage, x0: number, y0: number, w: number, h: number, rgb: readonly [number, number, number]): void {
  for (let y = Math.max(0, y0); y < Math.min(img.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(img.width, x0 + w); x++) {
      const p = (y * img.width + x) * 3;
      img.data[p] = rgb[0];
      img.data[p + 1] = rgb[1];
      img.data[p + 2] = rgb[2];
    }
  }
}

/**
 * Model A against model B per layer: a bar per layer (CKA from 0 to 1; the pooled cosine when
 * CKA is undefined), green when identical (≥ IDENTICAL_CKA), orange below, the layer's name
 * and value under its bar; titled with the summary. Models whose layers do not correspond
 * get the summary alone (they are compared on their outputs only).
 */
export function similarityImage(r: SimilarityResult): RgbImage {
  const title = ascii(r.summary);
  const n = r.corresponding ? r.layers.length : 0;
  const barW = 28;
  const plotH = 100;
  const labelRows = 3;
  const width = Math.max(textWidth(title) + 2 * GAP, n * (barW + GAP) + 40, 160);
  const height = LABEL_H + GAP + (n ? plotH + LABEL_H * labelRows + GAP : 0);
  const img = blank(width, height);
  drawText(img.data, width, height, 3, GAP, 2, title, 0);
  if (!n) return img;
  const top = LABEL_H + GAP;
  const left = 24;
  drawText(img.data, width, height, 3, 2, top, '1', 0);
  drawText(img.data, width, height, 3, 2, top + plotH - GLYPH_HEIGHT, '0', 0);
  fillRect(img, left, top + plotH, width - left - GAP, 1, [120, 120, 120]);
  for (let x = left; x < width - GAP; x += 4) fillRect(img, x, top, 2, 1, [180, 180, 180]);
  r.layers.forEach((l, i) => {
    const v = Math.max(0, Math.min(1, l.cka ?? l.cosine));
    const h = Math.round(v * plotH);
    const x = left + i * (barW + GAP);
    fillRect(img, x, top + plotH - h, barW, h, (l.cka ?? l.cosine) >= IDENTICAL_CKA ? [68, 170, 119] : [221, 119, 51]);
    const name = ascii(l.layer);
    const per = Math.max(1, Math.floor(barW / 6));
    for (let k = 0; k < labelRows - 1; k++) drawText(img.data, width, height, 3, x, top + plotH + 3 + k * LABEL_H, name.slice(k * per, (k + 1) * per), 0);
    drawText(img.data, width, height, 3, x, top + plotH + 3 + (labelRows - 1) * LABEL_H, (l.cka ?? l.cosine).toFixed(2), 0);
  });
  return img;
}

/** How two models were compared inside the network at a site. */
export interface LayersComparison {
  readonly kind: 'layers' | 'outputs' | 'none';
  /** Plain sentence: "identical through conv1; apart from conv2 on", or why only the outputs. */
  readonly text: string;
}

/** The comparison sentence for a site's layers (SiteLayers.similarity). */
export function layersComparison(site: Pick<SiteLayers, 'models' | 'similarity'>): LayersComparison {
  const s = site.similarity;
  if (!s) return { kind: 'none', text: site.models.length < 2 ? 'one model: no comparison' : 'no comparison' };
  if (!s.corresponding) return { kind: 'outputs', text: s.summary };
  return { kind: 'layers', text: s.summary };
}

export interface SiteLayersJson {
  /** The images the models ran on (the same images for every model, so the layers compare). */
  readonly images: { readonly source: string; readonly altLabels: readonly string[] };
  readonly models: readonly {
    readonly name: string;
    /** Softmax per image [P(hom-ref), P(het), P(hom-alt)]. */
    readonly outputs: readonly (readonly number[])[];
    readonly inputWindow: { readonly rows: readonly number[]; readonly cols: readonly number[] };
    /** Per-layer statistics of image 0 (ActivationSummary). */
    readonly summary: ActivationSummary;
    readonly png: string | undefined;
  }[];
  readonly comparison: LayersComparison;
  readonly similarity: SimilarityResult | null;
}

/** The JSON record of a site's layers (no activation arrays). `pngs[i]`: model i's grid file name. */
export function siteLayersJson(site: SiteLayers, images: SiteLayersJson['images'], pngs: readonly (string | undefined)[] = []): SiteLayersJson {
  return {
    images,
    models: site.models.map((m, i) => ({
      name: m.activations.model,
      outputs: m.activations.outputs.map((o) => Array.from(o)),
      inputWindow: { rows: [...m.activations.inputWindow.rows], cols: [...m.activations.inputWindow.cols] },
      summary: m.summary,
      png: pngs[i],
    })),
    comparison: layersComparison(site),
    similarity: site.similarity ?? null,
  };
}
