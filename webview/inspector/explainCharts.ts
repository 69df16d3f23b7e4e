/**
 * The explanation's sensitivity curves as small SVG line charts, drawn with the DOM (no
 * charting library: docs/decisions/0015-explanation-charts.md). One chart per curve (depth,
 * alt fraction, base quality, MAPQ): P(hom-ref), P(het), P(hom-alt) against the curve's x, one
 * line style per model (first model solid, second dashed, third dotted). Colours come from CSS
 * classes (media/explain.css: VS Code's chart colours), so the charts follow the theme; points
 * where the model's thresholds make no candidate are hollow. Every point has a <title> with
 * its numbers, and the chart an aria-label, for screen readers and hover.
 */
import type { ClassProbsView, ExplainCurveView } from '../../src/protocol/explainProtocol';

const SVG = 'http://www.w3.org/2000/svg';
const W = 230;
const H = 132;
const PAD = { left: 30, right: 8, top: 8, bottom: 30 };
const CLASS_NAMES = ['hom-ref', 'het', 'hom-alt'] as const;
const DASH = ['', '5 3', '1.5 2.5'];
const TITLES: Record<ExplainCurveView['name'], string> = { depth: 'Depth', altFraction: 'Alt fraction', baseQuality: 'Base quality', mappingQuality: 'Mapping quality' };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function tick(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) < 1 ? x.toFixed(2).replace(/^0\./, '.').replace(/^-0\./, '-.') : x.toFixed(1);
}

/** One curve for every model: a <figure> with the SVG and a caption. */
export function curveChart(curve: ExplainCurveView, models: readonly string[]): HTMLElement {
  const fig = document.createElement('figure');
  fig.className = 'curve-chart';
  fig.dataset.curve = curve.name;
  const all = curve.models.flatMap((m) => m.x);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = PAD.top;
  const y1 = H - PAD.bottom;
  const px = (x: number): number => (hi > lo ? x0 + ((x - lo) / (hi - lo)) * (x1 - x0) : (x0 + x1) / 2);
  const py = (p: number): number => y1 - p * (y1 - y0);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img' });
  root.setAttribute('aria-label', `${curve.xLabel}: P(hom-ref), P(het), P(hom-alt) of ${models.join(', ')}`);
  // Grid and axes.
  for (const v of [0, 0.5, 1]) {
    root.append(svg('line', { class: 'grid', x1: x0, x2: x1, y1: py(v), y2: py(v) }));
    root.append(svg('text', { class: 'tick', x: x0 - 4, y: py(v) + 3, 'text-anchor': 'end' }, v === 0.5 ? '.5' : String(v)));
  }
  root.append(svg('line', { class: 'axis', x1: x0, x2: x0, y1: y0, y2: y1 }), svg('line', { class: 'axis', x1: x0, x2: x1, y1: y1, y2: y1 }));
  for (const v of hi > lo ? [lo, (lo + hi) / 2, hi] : [lo]) {
    root.append(svg('line', { class: 'axis', x1: px(v), x2: px(v), y1: y1, y2: y1 + 3 }));
    root.append(svg('text', { class: 'tick', x: px(v), y: y1 + 13, 'text-anchor': v === lo && hi > lo ? 'start' : v === hi && hi > lo ? 'end' : 'middle' }, tick(v)));
  }
  root.append(svg('text', { class: 'axis-label', x: (x0 + x1) / 2, y: H - 3, 'text-anchor': 'middle' }, curve.xLabel));
  // Lines: per model, per class.
  curve.models.forEach((m, mi) => {
    const pts = m.x.map((x, i) => ({ x, p: m.probs[i] ?? null, candidate: m.candidate[i] ?? true }))
      .filter((q): q is { x: number; p: ClassProbsView; candidate: boolean } => q.p !== null)
      .sort((a, b) => a.x - b.x);
    const g = svg('g', { class: `model model-${mi}` });
    g.dataset.model = models[mi] ?? String(mi);
    g.dataset.points = String(pts.length);
    CLASS_NAMES.forEach((cls, k) => {
      if (pts.length === 0) return;
      const d = pts.map((q, i) => `${i ? 'L' : 'M'}${px(q.x).toFixed(1)},${py(q.p[k]!).toFixed(1)}`).join(' ');
      const path = svg('path', { class: `line ${cls}`, d });
      if (DASH[mi % DASH.length]) path.setAttribute('stroke-dasharray', DASH[mi % DASH.length]!);
      g.append(path);
      for (const q of pts) {
        const c = svg('circle', { class: `point ${cls}${q.candidate ? '' : ' no-candidate'}`, cx: px(q.x).toFixed(1), cy: py(q.p[k]!).toFixed(1), r: 2.2 });
        c.append(svg('title', {}, `${models[mi] ?? mi}: ${curve.xLabel} ${tick(q.x)} → P(${cls}) ${q.p[k]!.toFixed(3)}${q.candidate ? '' : ' (no candidate with its thresholds)'}`));
        g.append(c);
      }
    });
    root.append(g);
  });
  const cap = document.createElement('figcaption');
  cap.textContent = TITLES[curve.name] ?? curve.name;
  cap.title = curve.description;
  fig.append(root, cap);
  return fig;
}

/** The key shared by the charts: class colours and one line style per model. */
export function curveKey(models: readonly string[]): HTMLElement {
  const key = document.createElement('div');
  key.className = 'curve-key';
  for (const cls of CLASS_NAMES) {
    const s = document.createElement('span');
    s.className = `key-class ${cls}`;
    s.textContent = `P(${cls})`;
    key.append(s);
  }
  models.forEach((m, mi) => {
    const root = svg('svg', { width: 26, height: 8, 'aria-hidden': 'true' });
    const l = svg('line', { class: 'line key-line', x1: 1, x2: 25, y1: 4, y2: 4 });
    if (DASH[mi % DASH.length]) l.setAttribute('stroke-dasharray', DASH[mi % DASH.length]!);
    root.append(l);
    const s = document.createElement('span');
    s.className = 'key-model';
    s.append(root, document.createTextNode(m));
    key.append(s);
  });
  const hollow = document.createElement('span');
  hollow.className = 'key-note';
  hollow.textContent = 'hollow point: no candidate with that model\'s thresholds';
  key.append(hollow);
  return key;
}
