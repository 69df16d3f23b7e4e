/**
 * Small, JSON-ready views of a site's activations and of two models' similarity, for
 * `variant-lens explain --layers` and the report: per-layer statistics without the arrays,
 * and the similarity curve as an inline SVG (one bar per layer, CKA from 0 to 1).
 */
import type { SiteActivations } from './activations';
import { activationMaps } from './activationMaps';
import type { SimilarityResult } from './layerSimilarity';

export interface LayerSummary {
  readonly layer: string;
  readonly tensor: string;
  readonly kind: string;
  readonly layout: string;
  /** Shape of one image's activation (without the batch axis). */
  readonly dims: readonly number[];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** The strongest channels (mean |activation|), strongest first. */
  readonly topChannels: readonly { channel: number; score: number }[];
}

export interface ActivationSummary {
  readonly model: string;
  readonly image: number;
  readonly layers: readonly LayerSummary[];
  readonly omitted: SiteActivations['omitted'];
  readonly bytesPerImage: number;
  readonly maxActivationBytes: number;
  readonly notes: readonly string[];
}

/** Per-layer statistics of image `image` of the site (no arrays: fit for JSON). */
export function summarizeActivations(site: SiteActivations, image = 0, topK = 4): ActivationSummary {
  const layers = site.activations.map((a): LayerSummary => {
    const n = a.dims[0] ?? 1;
    const per = a.data.length / n;
    const data = a.data.subarray(image * per, (image + 1) * per);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of data) { if (v < min) min = v; if (v > max) max = v; sum += v; }
    const maps = activationMaps(a, { height: 1, width: 1 }, { example: image, topK });
    return {
      layer: a.layer, tensor: a.tensor, kind: a.kind, layout: a.layout, dims: a.dims.slice(1), min, max, mean: data.length ? sum / data.length : 0,
      topChannels: maps.top.map((t) => ({ channel: t.channel!, score: t.score! })),
    };
  });
  return { model: site.model, image, layers, omitted: site.omitted, bytesPerImage: site.bytesPerExample, maxActivationBytes: site.maxActivationBytes, notes: site.notes };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The per-layer similarity as a small SVG bar chart (CKA, or the pooled cosine where CKA is
 * undefined; bars below the "identical" line drawn in a second colour), titled with the summary.
 * For models whose layers do not correspond: a text-only SVG saying so.
 */
export function similarityPlotSvg(r: SimilarityResult, options: { width?: number; height?: number; identical?: number } = {}): string {
  const width = options.width ?? 480;
  const height = options.height ?? 160;
  const identical = options.identical ?? 0.9999;
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10" fill="currentColor">`;
  const title = `<text x="4" y="12">${esc(r.summary)}</text>`;
  if (!r.corresponding || r.layers.length === 0) return `${head}${title}</svg>`;
  const left = 28;
  const top = 20;
  const bottom = height - 40;
  const plotW = width - left - 4;
  const bw = plotW / r.layers.length;
  const y = (v: number): number => bottom - Math.max(0, Math.min(1, v)) * (bottom - top);
  const parts = [head, title,
    `<line x1="${left}" y1="${y(0)}" x2="${width - 4}" y2="${y(0)}" stroke="#888"/>`,
    `<line x1="${left}" y1="${y(1)}" x2="${width - 4}" y2="${y(1)}" stroke="#ccc" stroke-dasharray="2,2"/>`,
    `<text x="2" y="${y(1) + 4}">1</text><text x="2" y="${y(0)}">0</text>`];
  r.layers.forEach((l, i) => {
    const v = l.cka ?? l.cosine;
    const x = left + i * bw;
    const same = v >= identical;
    parts.push(`<rect x="${(x + 1).toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="${same ? '#4a7' : '#d73'}"><title>${esc(`${l.layer}: CKA ${l.cka === undefined ? 'n/a' : l.cka.toFixed(4)}, cosine ${l.cosine.toFixed(4)}`)}</title></rect>`);
    parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${bottom + 10}" text-anchor="end" transform="rotate(-45 ${(x + bw / 2).toFixed(1)} ${bottom + 10})">${esc(l.layer)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
