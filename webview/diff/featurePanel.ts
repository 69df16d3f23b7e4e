/**
 * "Where they disagree" in the diff editor: the enrichment sentences, one histogram per site
 * feature (share of agreed vs disputed sites per bin) and the A-vs-B QUAL and GQ grids, drawn
 * as SVG by the same code as the CLI's HTML page (src/core/report/featurePlots.ts: no script,
 * no inline style, theme colours through CSS classes in media/diff.css). Clicking a bin (or
 * Enter on it) hands its filter text ("dp>=10 dp<15") to the list.
 */
import type { DiffFeaturesPayload } from '../../src/protocol/protocol';
import { FEATURES } from '../../src/core/diff/features/featureBins';
import { featureHistogramSvg, jointHeatmapSvg } from '../../src/core/report/featurePlots';
import { el } from '../common/dom';

/** Parses our own SVG text into nodes (no HTML parser: an SVG document). */
function svgNode(text: string): Element {
  const doc = new DOMParser().parseFromString(text.replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" '), 'image/svg+xml');
  return document.importNode(doc.documentElement, true);
}

/** Folded until the user opens it (the list keeps its room); remembered while the page lives. */
let open = false;

export function renderFeaturePanel(host: HTMLElement, f: DiffFeaturesPayload | undefined, nameA: string, nameB: string, onBin: (filter: string) => void): void {
  host.replaceChildren();
  host.hidden = f === undefined;
  if (!f) return;
  const details = el('details', 'features');
  details.open = open;
  details.addEventListener('toggle', () => { open = details.open; });
  const top = f.enrichment.filter((e) => e.p < 0.05).slice(0, 5);
  // Folded, the summary still says the most enriched bin.
  details.append(el('summary', undefined, top[0] ? `Where they disagree — ${top[0].text}` : 'Where they disagree'));
  if (top.length === 0) details.append(el('p', 'muted', 'No feature bin is enriched among disputed sites (one-sided Fisher p < 0.05, ≥ 3 sites).'));
  else {
    const ol = el('ol', 'sentences');
    for (const e of top) ol.append(el('li', undefined, e.text));
    details.append(ol);
  }
  details.append(el('p', 'muted', 'Share of agreed (grey) and disputed (red) sites per bin; per-call values from A, else B. Click a bin to list its disputed sites.'));
  const plots = el('div', 'plots');
  for (const def of FEATURES) plots.append(svgNode(featureHistogramSvg(f.summary, def)));
  for (const h of f.summary.joint) plots.append(svgNode(jointHeatmapSvg(h, nameA, nameB)));
  details.append(plots);
  const pick = (g: Element): void => {
    for (const x of plots.querySelectorAll('.bin.active')) x.classList.remove('active');
    g.classList.add('active');
    onBin(g.getAttribute('data-filter') ?? '');
  };
  plots.addEventListener('click', (e) => {
    const g = (e.target as Element).closest('.bin');
    if (g) pick(g);
  });
  plots.addEventListener('keydown', (e) => {
    const g = (e.target as Element).closest('.bin');
    if (g && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); pick(g); }
  });
  host.append(details);
}
