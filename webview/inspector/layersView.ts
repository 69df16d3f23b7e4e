/**
 * "Inside the networks": the layer activations of every configured model on the image shown
 * in the pileup (`inspector.layers`, computed by the host on demand: one extra model run per
 * model), drawn beside each other — per model and layer the channel mean and the strongest
 * channels on the pileup's grid — and the per-layer similarity of the first two models as a
 * small bar plot with the sentence "identical through conv1; apart from conv2 on".
 *
 * Opened with its button (remembered across sites in uiState.open.layers); a new site or
 * another tab asks again. Colours of the maps are a fixed ramp (they are data, like the
 * pileup); everything else uses the theme (inspector.css). Text is set with textContent.
 */
import type { ActivationMapPayload, InspectorLayers, InspectorProtocol, InspectorState } from '../../src/protocol/protocol';
import type { RpcClient } from '../../src/protocol/rpc';
import { el } from '../common/dom';
import { saveUi, ui } from './uiState';

/** Host work can take seconds (a model run per model, the similarity in the worker). */
const LAYERS_TIMEOUT_MS = 120_000;

/** Dark blue (low) → teal → yellow (high), as the CLI's PNGs (core/model/activations/activationMaps.ts). */
function ramp(v: number): [number, number, number] {
  const t = v / 254;
  return [Math.round(255 * Math.max(0, Math.min(1, 1.6 * t - 0.4))), Math.round(40 + 200 * t), Math.round(130 * (1 - t) + 30)];
}

/** A map on a canvas of the pileup's size; cells the model does not read stay transparent. */
export function mapCanvas(m: ActivationMapPayload, zoom: number): HTMLCanvasElement {
  const c = el('canvas', 'act-map');
  c.width = m.width;
  c.height = m.height;
  c.style.width = `${m.width * zoom}px`;
  c.style.height = `${m.height * zoom}px`;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(m.width, m.height);
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i]!;
    if (v === 255) continue;
    const [r, g, b] = ramp(v);
    img.data[i * 4] = r;
    img.data[i * 4 + 1] = g;
    img.data[i * 4 + 2] = b;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 0.01 ? x.toPrecision(3) : x.toExponential(1));

/** The per-layer similarity as bars (CKA, or the pooled cosine where CKA is undefined). */
function similarityPlot(r: InspectorLayers): HTMLElement {
  const plot = el('div', 'sim-plot');
  plot.setAttribute('role', 'img');
  plot.setAttribute('aria-label', `Similarity per layer: ${r.summary}`);
  r.similarity.forEach((l, i) => {
    const v = l.cka ?? l.cosine;
    const col = el('div', 'sim-col');
    col.dataset.layer = l.layer;
    const track = el('div', 'sim-track');
    const bar = el('div', `sim-bar ${r.firstDivergent !== null && i >= r.firstDivergent ? 'apart' : 'same'}`);
    bar.style.height = `${Math.round(Math.max(0, Math.min(1, v)) * 100)}%`;
    bar.title = `${l.layer}: CKA ${l.cka === null ? 'n/a' : l.cka.toFixed(4)}, pooled cosine ${l.cosine.toFixed(4)}`;
    track.append(bar);
    col.append(track, el('span', 'sim-value', v.toFixed(2)), el('span', 'sim-label', l.layer));
    plot.append(col);
  });
  return plot;
}

function probabilities(p: readonly number[]): string {
  return p.length === 3 ? `P(hom-ref, het, hom-alt) = ${p.map((x) => x.toFixed(3)).join(', ')}` : '';
}

/** One map as a figure: caption (model · map), range in the tooltip. */
function mapFigure(model: string, map: ActivationMapPayload, zoom: number): HTMLElement {
  const fig = el('figure', 'act-fig');
  fig.dataset.model = model;
  const cap = el('figcaption', undefined, `${model} · ${map.label}`);
  cap.title = `range ${fmt(map.min)} … ${fmt(map.max)}`;
  fig.append(cap, mapCanvas(map, zoom));
  return fig;
}

/**
 * The answer drawn: the comparison, each model's output, then a row per layer with the models'
 * channel means side by side (the strongest channels of each model folded under it).
 */
export function renderLayers(r: InspectorLayers, zoom: number): HTMLElement {
  const box = el('div', 'layers-body');
  box.dataset.compared = r.comparedOn;
  const summary = el('p', 'layers-summary', r.comparedOn === 'layers' ? `Model A vs B per layer (linear CKA): ${r.summary}` : r.summary);
  box.append(summary);
  if (r.comparedOn === 'layers' && r.similarity.length > 0) box.append(similarityPlot(r));
  const models = el('ul', 'layers-models');
  for (const m of r.models) {
    const li = el('li', 'layers-model', `${m.model} on image ${r.altLabel}: ${probabilities(m.probabilities)}`);
    li.dataset.model = m.model;
    for (const n of m.notes) li.append(el('div', 'note', n));
    models.append(li);
  }
  box.append(models);
  const names = [...new Set(r.models.flatMap((m) => m.layers.map((l) => l.layer)))];
  for (const name of names) {
    const row = el('div', 'layer-row');
    row.dataset.layer = name;
    const first = r.models.map((m) => m.layers.find((l) => l.layer === name)).find((l) => l !== undefined)!;
    const sim = r.similarity.find((x) => x.layer === name);
    row.append(el('div', 'layer-name', `${name} · ${first.channels} channels · ${first.cells.height}×${first.cells.width} cells${sim ? ` · CKA ${sim.cka === null ? 'n/a' : sim.cka.toFixed(3)}` : ''}`));
    const means = el('div', 'layer-maps');
    const top = el('div', 'layer-maps');
    for (const m of r.models) {
      const l = m.layers.find((x) => x.layer === name);
      if (!l) continue;
      means.append(mapFigure(m.model, l.mean, zoom));
      for (const t of l.top) top.append(mapFigure(m.model, t, zoom));
    }
    const more = el('details', 'layer-top');
    more.append(el('summary', undefined, 'strongest channels'), top);
    row.append(means, more);
    box.append(row);
  }
  return box;
}

let cached: { key: string; answer: Promise<InspectorLayers | null> } | undefined;

/** The section under the pileup: a button, then the maps and the similarity of the shown image. */
export function layersSection(s: InspectorState, client: RpcClient<InspectorProtocol>): HTMLElement {
  const sec = el('section', 'layers');
  sec.dataset.anchor = 'layers';
  const head = el('div', 'layers-bar');
  const button = el('button', 'toggle layers-toggle', 'Layer activations');
  button.type = 'button';
  button.title = 'Run every model once more with its layers exposed: each layer\'s channel mean and strongest channels on this pileup, and where the two models part ways';
  const status = el('span', 'layers-status muted');
  status.setAttribute('aria-live', 'polite');
  head.append(button, status);
  const body = el('div', 'layers-slot');
  sec.append(head, body);
  if (s.generation === undefined || s.tensors.length === 0 || !s.models || s.models.state === 'disabled' || s.models.state === 'no-models') {
    button.disabled = true;
    status.textContent = s.models?.state === 'no-models' ? 'no models configured' : s.tensors.length === 0 ? 'no image' : '';
    return sec;
  }
  const generation = s.generation;
  const tab = Math.min(ui.tab, s.tensors.length - 1);
  let asked = false;
  const load = async (): Promise<void> => {
    asked = true;
    sec.dataset.state = 'loading';
    status.textContent = `running the models with their layers exposed on image ${s.tensors[tab]!.altLabel}…`;
    try {
      // One request per site and image: the page is redrawn on every state update.
      const key = `${generation}:${tab}`;
      if (cached?.key !== key) cached = { key, answer: client.request('inspector.layers', { generation, tensor: tab }, { timeoutMs: LAYERS_TIMEOUT_MS }) };
      const r = await cached.answer;
      if (!r || !sec.isConnected) return;
      body.replaceChildren(renderLayers(r, 1));
      status.textContent = '';
      sec.dataset.state = 'done';
    } catch (e) {
      cached = undefined;
      if (!sec.isConnected) return;
      status.textContent = '';
      body.replaceChildren(el('p', 'error', e instanceof Error ? e.message : String(e)));
      sec.dataset.state = 'error';
    }
  };
  const open = (on: boolean): void => {
    ui.open.layers = on;
    saveUi();
    button.setAttribute('aria-pressed', String(on));
    body.hidden = !on;
    if (on && !asked) void load();
  };
  button.addEventListener('click', () => open(!(ui.open.layers ?? false)));
  // Ask only once the models ran (their run loads them; the layers then add one run each).
  if (s.models.state === 'done' || s.models.state === 'error') open(ui.open.layers ?? false);
  else {
    button.setAttribute('aria-pressed', String(ui.open.layers ?? false));
    status.textContent = ui.open.layers ? 'waiting for the models…' : '';
  }
  return sec;
}
