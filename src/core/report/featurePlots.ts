/**
 * The site-feature plots of a diff as SVG text (docs/decisions/0016-site-features.md): one
 * histogram per feature (the share of agreed sites and of disputed sites in each bin), the
 * A-vs-B QUAL and GQ as binned 2-D counts (cells, not dots: a whole genome stays light),
 * the truth outcomes per bin, and the enrichment ranking. Used by the diff's HTML page and the
 * report; plain SVG with presentation attributes and CSS classes, so no script and no inline
 * style is needed (strict CSP). Each histogram bin carries the filter text that selects its
 * sites (`data-filter`), which the pages turn into a click-to-filter.
 */
import { FEATURES, type FeatureDef } from '../diff/features/featureBins';
import { binFilterText } from '../diff/features/featureFilter';
import type { EnrichmentEntry } from '../diff/features/enrichment';
import { formatP } from '../diff/features/enrichment';
import type { FeatureGroup, FeatureSummary, JointHistogram } from '../diff/features/featureStage';
import { escapeHtml as esc } from './htmlEscape';

const W = 300;
const H = 150;
const PAD_L = 34;
const PAD_B = 34;
const PAD_T = 18;

/** One feature's histogram: per bin, the % of agreed sites and the % of `group` sites. */
export function featureHistogramSvg(summary: FeatureSummary, def: FeatureDef, group: Exclude<FeatureGroup, 'agreed'> = 'dispute'): string {
  const bins = summary.bins.filter((b) => b.feature === def.name);
  const totA = summary.totals.agreed;
  const totD = summary.totals[group];
  const fa = bins.map((b) => (totA > 0 ? b.counts.agreed / totA : 0));
  const fd = bins.map((b) => (totD > 0 ? b.counts[group] / totD : 0));
  const max = Math.max(0.01, ...fa, ...fd);
  // Wide enough for each bin's label ("0.1–0.2" at 9 px).
  const width = Math.max(W, PAD_L + 6 + bins.length * 38);
  const plotW = width - PAD_L - 6;
  const plotH = H - PAD_T - PAD_B;
  const slot = plotW / Math.max(1, bins.length);
  const bw = Math.max(2, slot / 2 - 2);
  const y = (f: number): number => PAD_T + plotH - (f / max) * plotH;
  const parts: string[] = [];
  parts.push(`<text class="plot-title" x="${PAD_L}" y="12">${esc(def.label)}</text>`);
  parts.push(`<line class="axis" x1="${PAD_L}" y1="${PAD_T + plotH}" x2="${width - 6}" y2="${PAD_T + plotH}"/>`);
  parts.push(`<text class="tick" x="${PAD_L - 4}" y="${PAD_T + 4}" text-anchor="end">${Math.round(max * 100)}%</text>`);
  parts.push(`<text class="tick" x="${PAD_L - 4}" y="${PAD_T + plotH}" text-anchor="end">0</text>`);
  bins.forEach((b, k) => {
    const x0 = PAD_L + k * slot + 1;
    const binDef = def.bins.find((d) => d.label === b.bin)!;
    const filter = binFilterText(def, binDef);
    const tip = `${def.label} ${b.bin}: ${b.counts[group]} of ${totD} ${group} sites (${pctText(fd[k]!)}), ${b.counts.agreed} of ${totA} agreed (${pctText(fa[k]!)})`;
    parts.push(`<g class="bin" tabindex="0" role="button" data-feature="${def.name}" data-bin="${esc(b.bin)}" data-group="${group}" data-filter="${esc(filter)}" aria-label="${esc(tip)}"><title>${esc(tip)}</title>`
      + `<rect class="hit" x="${x0 - 1}" y="${PAD_T}" width="${slot}" height="${plotH}"/>`
      + `<rect class="bar-agreed" x="${x0}" y="${y(fa[k]!)}" width="${bw}" height="${PAD_T + plotH - y(fa[k]!)}"/>`
      + `<rect class="bar-disputed" x="${x0 + bw + 1}" y="${y(fd[k]!)}" width="${bw}" height="${PAD_T + plotH - y(fd[k]!)}"/>`
      + `<text class="tick" x="${x0 + slot / 2 - 1}" y="${PAD_T + plotH + 12}" text-anchor="middle">${esc(b.bin)}</text></g>`);
  });
  return `<svg class="feature-plot" viewBox="0 0 ${width} ${H}" width="${width}" height="${H}" role="img" aria-label="${esc(def.label)}: agreed vs ${group} sites by bin">${parts.join('')}</svg>`;
}

/** A-vs-B counts as a grid of cells shaded by log count (empty cells are not drawn). */
export function jointHeatmapSvg(h: JointHistogram, labelA = 'A', labelB = 'B'): string {
  const n = h.edges.length;
  const cell = 7;
  const size = n * cell;
  const off = 30;
  let max = 0;
  for (const row of h.counts) for (const c of row) if (c > max) max = c;
  const parts: string[] = [];
  const name = h.feature.toUpperCase();
  parts.push(`<text class="plot-title" x="${off}" y="12">${name}: ${esc(labelA)} (x) vs ${esc(labelB)} (y)</text>`);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const c = h.counts[i]![j]!;
      if (c === 0) continue;
      const op = 0.15 + 0.85 * (Math.log1p(c) / Math.log1p(max));
      const lo = (e: number): string => (e + 1 < n ? `${h.edges[e]}–${h.edges[e + 1]}` : `≥${h.edges[e]}`);
      parts.push(`<rect class="cell" x="${off + i * cell}" y="${18 + size - (j + 1) * cell}" width="${cell}" height="${cell}" fill-opacity="${op.toFixed(3)}"><title>${name} ${esc(labelA)} ${lo(i)}, ${esc(labelB)} ${lo(j)}: ${c} sites</title></rect>`);
    }
  }
  parts.push(`<line class="axis" x1="${off}" y1="${18 + size}" x2="${off + size}" y2="${18 + size}"/><line class="axis" x1="${off}" y1="18" x2="${off}" y2="${18 + size}"/>`);
  parts.push(`<line class="diag" x1="${off}" y1="${18 + size}" x2="${off + size}" y2="18"/>`);
  parts.push(`<text class="tick" x="${off}" y="${size + 30}">0</text><text class="tick" x="${off + size}" y="${size + 30}" text-anchor="end">${h.edges[n - 1]}+</text>`);
  return `<svg class="joint-plot" viewBox="0 0 ${off + size + 8} ${size + 36}" width="${off + size + 8}" height="${size + 36}" role="img" aria-label="${name} of A against B, binned">${parts.join('')}</svg>`;
}

/** The plots, the enrichment and the truth-per-bin tables as one HTML section. */
export function featureSectionHtml(summary: FeatureSummary, enrichment: readonly EnrichmentEntry[], options: { readonly limit?: number; readonly interactive?: boolean } = {}): string {
  const limit = options.limit ?? 15;
  const top = enrichment.slice(0, limit);
  const rows = top.map((e) => `<tr><td>${esc(e.class)}</td><td>${esc(e.feature)}</td><td>${esc(e.bin)}</td><td class="num">${e.disputed} / ${e.disputedTotal}</td><td class="num">${e.agreed} / ${e.agreedTotal}</td><td class="num">${e.fold === null ? '–' : `${e.fold}×`}</td><td class="num">${e.logOdds.toFixed(2)}</td><td class="num">${formatP(e.p)}</td></tr>`).join('');
  const plots = FEATURES.map((def) => featureHistogramSvg(summary, def)).join('');
  const joint = summary.joint.map((h) => jointHeatmapSvg(h)).join('');
  const truth = summary.truth ? truthPerBinHtml(summary) : '';
  return `<h2 id="where">Where they disagree</h2>
<p class="note">Enriched feature bins among disputed sites (gt-change, filter-change, only-A, only-B; QUAL-only changes count as agreed): log odds ratio with +0.5 pseudo-counts, one-sided Fisher exact p; bins with at least 3 disputed sites.</p>
${top.length > 0 ? `<ol class="sentences">${top.slice(0, 5).map((e) => `<li>${esc(e.text)}</li>`).join('')}</ol>` : '<p>No feature bin is enriched among disputed sites.</p>'}
<table id="enrichment"><thead><tr><th>Class</th><th>Feature</th><th>Bin</th><th>Disputed</th><th>Agreed</th><th>Fold</th><th>Log odds</th><th>p</th></tr></thead><tbody>${rows}</tbody></table>
<h2>Features: agreed <span class="key-agreed">■</span> vs disputed <span class="key-disputed">■</span> sites</h2>
<p class="note">Share of each group's sites per bin (per-call values from A, else B).${options.interactive === false ? ' The sites of a bin: <code>variant-lens diff --ref</code> and its page, or the diff editor, filter by these bins.' : ' Click a bin to filter the site list.'}</p>
<div class="plots">${plots}</div>
<h2>A against B</h2>
<div class="plots">${joint}</div>
${truth}`;
}

function truthPerBinHtml(summary: FeatureSummary): string {
  const rows = summary.bins.filter((b) => b.truth).map((b) => {
    const t = b.truth!;
    const prec = t.tp + t.fp > 0 ? (t.tp / (t.tp + t.fp)).toFixed(4) : '–';
    const rec = t.tp + t.fn > 0 ? (t.tp / (t.tp + t.fn)).toFixed(4) : '–';
    return `<tr><td>${esc(b.feature)}</td><td>${esc(b.bin)}</td><td class="num">${t.tp}</td><td class="num">${t.fp}</td><td class="num">${t.fn}</td><td class="num">${prec}</td><td class="num">${rec}</td></tr>`;
  }).join('');
  const query = summary.truth === 'A' ? 'B' : 'A';
  return `<h2>Against the truth, per feature bin (${query} is the query)</h2><table id="truth-bins"><thead><tr><th>Feature</th><th>Bin</th><th>TP</th><th>FP</th><th>FN</th><th>Precision</th><th>Recall</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function pctText(f: number): string {
  return `${(f * 100).toFixed(1)} %`;
}
