/**
 * The inspector's explanation of a disagreement (issue "why the two models disagree"), drawn
 * in the one-screen frame:
 *
 *  * the verdict slot (under the review form): the verdict kind and its one sentence, the
 *    cross-run table (model i on the images made with model j's make_examples parameters: a
 *    2×2 for two models, N×N for more), progress with Cancel while it runs, "Explain" for sites
 *    where the models agree (explained on request only);
 *  * the attribution overlay on the pileup (pileupView.ts asks `overlay`): off / model A /
 *    model B / difference, with the legend and its scale;
 *  * a folded details block under the pileup: the sensitivity curves (explainCharts.ts),
 *    per-channel (with the counterfactual named), per-band and per-read ΔP, the parameters.
 *
 * The host computes everything (extension/inspector/explainService.ts → core/explain); the
 * webview asks with `inspector.explain` once every model's call is in, and cancels through the
 * rpc when the user presses Cancel or another site is shown. All text via textContent.
 */
import type { ExplainAttributionView, ExplanationView, OverlayMode } from '../../src/protocol/explainProtocol';
import type { InspectorProtocol, InspectorState } from '../../src/protocol/protocol';
import { RpcError, type RpcClient } from '../../src/protocol/rpc';
import { el } from '../common/dom';
import { curveChart, curveKey } from './explainCharts';
import { saveUi, ui } from './uiState';

/** What pileupView draws over the image of tab `tensor` (undefined: nothing). */
export interface PileupOverlay {
  /** The switch and legend for the pileup bar (undefined while there is no explanation). */
  controls(redraw: () => void): HTMLElement | undefined;
  /** The RGBA overlay for tab `tensor` in the chosen mode. */
  imageFor(tensor: number): { rgba: Uint8Array; width: number; height: number } | undefined;
}

const KIND_TEXT: Record<string, string> = { inputs: 'inputs', weights: 'weights', both: 'inputs and weights', none: 'no dispute' };

function pct(x: number): string {
  return x.toFixed(2);
}

function fmtDelta(d: number | null | undefined): string {
  if (d === null || d === undefined) return '–';
  return `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`;
}

/** The models' calls disagree (GT or FILTER), so the explanation runs without being asked. */
function disputed(s: InspectorState): boolean {
  const calls = s.models?.calls ?? [];
  if (calls.length < 2) return false;
  return calls.some((c) => c.gt !== calls[0]!.gt || c.filter !== calls[0]!.filter || Boolean(c.noCallReason) !== Boolean(calls[0]!.noCallReason));
}

export interface ExplanationUi {
  /** Every state the page renders (a new generation resets; models done → asks). */
  update(s: InspectorState): void;
  /** The details block for the page body (under the pileup); undefined when there is nothing to show. */
  details(): HTMLElement | undefined;
  readonly overlay: PileupOverlay;
}

export function mountExplanation(client: RpcClient<InspectorProtocol>, slot: HTMLElement): ExplanationUi {
  let generation: number | undefined;
  let view: ExplanationView | undefined;
  let error: string | undefined;
  let running: AbortController | undefined;
  let progress = '';
  let asked = false;
  let modelsDone = false;
  let modelCount = 0;
  let redrawPileup: (() => void) | undefined;
  let detailsBox: HTMLElement | undefined;
  let verdictOpen = false;
  let mode: OverlayMode | 'off' = ui.explainOverlay ?? 'off';

  const setMode = (m: OverlayMode | 'off'): void => {
    mode = m;
    ui.explainOverlay = m;
    saveUi();
    redrawPileup?.();
  };

  const ask = (): void => {
    if (generation === undefined || running) return;
    asked = true;
    error = undefined;
    view = undefined;
    const g = generation;
    const ctrl = new AbortController();
    running = ctrl;
    progress = 'starting…';
    draw();
    client.request('inspector.explain', { generation: g }, {
      signal: ctrl.signal,
      timeoutMs: 120_000,
      onProgress: (done, total, label) => {
        progress = `${label ?? 'running'} ${done}/${total} images`;
        drawProgress();
      },
    }).then((v) => {
      if (g !== generation) return;
      view = v;
    }, (e: unknown) => {
      if (g !== generation) return;
      error = e instanceof RpcError && e.code === 'cancelled' ? 'Explanation cancelled.' : e instanceof Error ? e.message : String(e);
    }).finally(() => {
      if (running === ctrl) running = undefined;
      if (g !== generation) return;
      draw();
      redrawPileup?.();
    });
  };

  client.on('explanation', (v) => {
    if (v.generation !== generation || !running) return;
    view = v;
    draw();
  });

  const progressLine = el('span', 'explain-progress');
  progressLine.setAttribute('role', 'status');
  const drawProgress = (): void => {
    progressLine.textContent = running ? `Explaining: ${progress}` : '';
  };

  function crossRunTable(v: ExplanationView): HTMLElement {
    const t = el('table', 'cross-run');
    t.setAttribute('aria-label', 'Cross-run: each model on the images made with each model\'s make_examples parameters');
    const head = el('tr');
    const corner = el('th', 'corner', 'model ↓ · images →');
    corner.title = 'Row: the model run. Column: whose make_examples parameters made the images.';
    head.append(corner);
    for (const m of v.models) head.append(el('th', undefined, m));
    t.append(head);
    v.crossRun!.forEach((row, i) => {
      const tr = el('tr');
      tr.append(el('th', undefined, v.models[i] ?? String(i)));
      row.forEach((c, j) => {
        const td = el('td', `cell ${c.genotypeClass ?? 'empty'}${i === j ? ' own' : ''}${c.candidate ? '' : ' no-candidate'}`);
        td.dataset.i = String(i);
        td.dataset.j = String(j);
        if (c.probs) {
          const k = c.genotypeClass === 'hom-ref' ? 0 : c.genotypeClass === 'het' ? 1 : 2;
          td.append(el('b', undefined, c.gt ?? '.'), el('span', 'cell-p', ` ${c.genotypeClass} ${pct(c.probs[k]!)}`));
          if (!c.candidate) td.append(el('span', 'cell-note', ' · no cand.'));
          td.title = `${v.models[i]} on ${v.models[j]}'s images: P(hom-ref) ${c.probs[0].toFixed(4)}, P(het) ${c.probs[1].toFixed(4)}, P(hom-alt) ${c.probs[2].toFixed(4)} · DP ${c.dp} · AD ${c.ad.join(',')} · ${c.readRows} read rows, ${c.altRows} support the alt${c.candidate ? '' : ` · ${v.models[j]}'s thresholds make no candidate here (DeepVariant would emit nothing)`}`;
        } else {
          td.textContent = '–';
          td.title = c.reason ?? 'no image';
        }
        tr.append(td);
      });
      t.append(tr);
    });
    return t;
  }

  function draw(): void {
    slot.replaceChildren();
    const show = generation !== undefined && (running !== undefined || view !== undefined || error !== undefined || (modelsDone && modelCount >= 2));
    slot.hidden = !show;
    slot.dataset.state = running ? 'running' : view ? view.state : error ? 'error' : 'idle';
    if (!show) { drawDetails(); return; }
    const line = el('div', 'explain-line');
    const kind = view?.verdict?.kind;
    const badge = el('span', `verdict-kind ${kind ?? 'pending'}`, kind ? KIND_TEXT[kind] ?? kind : 'why?');
    badge.title = 'inputs: the images decide (make_examples parameters); weights: the models read identical images differently';
    line.append(badge);
    if (view?.verdict) {
      // Clamped to three lines; a click (or Enter) shows all of it.
      const text = el('span', 'verdict-text', view.verdict.text);
      text.title = view.verdict.text;
      text.tabIndex = 0;
      text.setAttribute('role', 'button');
      text.setAttribute('aria-expanded', String(verdictOpen));
      const flip = (): void => { verdictOpen = !verdictOpen; text.setAttribute('aria-expanded', String(verdictOpen)); };
      text.addEventListener('click', flip);
      text.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { flip(); ev.preventDefault(); } });
      line.append(text);
    } else if (error) {
      line.append(el('span', 'explain-error', error));
    } else if (!running) {
      line.append(el('span', 'muted', 'The models agree here.'));
    }
    drawProgress();
    line.append(progressLine);
    if (running) {
      const cancel = el('button', 'explain-cancel', 'Cancel');
      cancel.type = 'button';
      cancel.addEventListener('click', () => running?.abort());
      line.append(cancel);
    } else {
      const again = el('button', 'explain-run', view || error ? 'Explain again' : 'Explain');
      again.type = 'button';
      again.title = 'Run the cross-run, the occlusions and the curves at this site';
      again.addEventListener('click', ask);
      line.append(again);
    }
    slot.append(line);
    if (view?.crossRun) slot.append(crossRunTable(view));
    drawDetails();
  }

  function attributionTable(title: string, rows: readonly ExplainAttributionView[], v: ExplanationView, cls: string): HTMLElement {
    const wrap = el('div', `attribution ${cls}`);
    wrap.append(el('h4', undefined, title));
    const t = el('table', 'attribution-table');
    const head = el('tr');
    head.append(el('th', undefined, ''));
    v.models.forEach((m, i) => {
      const th = el('th', 'num', `ΔP ${m}`);
      th.title = `P(${v.called?.[i] ?? 'called'}) of ${m} with − without`;
      head.append(th);
    });
    head.append(el('th', undefined, 'what it was replaced with / details'));
    t.append(head);
    const max = Math.max(1e-9, ...rows.flatMap((r) => r.deltaP.map((d) => Math.abs(d ?? 0))));
    for (const r of rows) {
      const tr = el('tr');
      tr.append(el('td', 'label', r.label));
      for (const d of r.deltaP) {
        const td = el('td', 'num delta');
        const bar = el('span', `dbar ${d !== null && d < 0 ? 'neg' : 'pos'}`);
        bar.style.width = `${Math.round((Math.abs(d ?? 0) / max) * 40)}px`;
        bar.setAttribute('aria-hidden', 'true');
        td.append(el('span', 'dnum', fmtDelta(d)), bar);
        tr.append(td);
      }
      tr.append(el('td', 'detail', r.detail));
      t.append(tr);
    }
    wrap.append(t);
    return wrap;
  }

  function drawDetails(): void {
    if (!view || view.state !== 'done') { detailsBox = undefined; return; }
    const v = view;
    const d = el('details', 'section explain-details');
    d.dataset.section = 'explain';
    d.dataset.anchor = 'explain';
    d.open = ui.open.explain ?? false;
    d.addEventListener('toggle', () => { ui.open.explain = d.open; saveUi(); });
    d.append(el('summary', undefined, `Why they disagree: curves and attributions (${v.readCount ?? 0} reads, ${v.channels?.length ?? 0} channels, ${v.bands?.length ?? 0} bands)`));
    const charts = el('div', 'curve-charts');
    for (const c of v.curves ?? []) charts.append(curveChart(c, v.models));
    d.append(charts, curveKey(v.models));
    const called = v.models.map((m, i) => `${m} called ${v.called?.[i] ?? '–'}`).join(', ');
    d.append(el('p', 'muted', `ΔP = P(called genotype) on the real image − on the image without that evidence (${called}). Positive: the evidence pushed the model toward its call.`));
    const tables = el('div', 'attribution-tables');
    tables.append(
      attributionTable('Channels (replaced by a realistic counterfactual, not zeros)', v.channels ?? [], v, 'channels'),
      attributionTable('Column bands', v.bands ?? [], v, 'bands'),
      attributionTable(`Reads with the largest |ΔP| (of ${v.readCount ?? 0})`, v.reads ?? [], v, 'reads'),
    );
    d.append(tables);
    const params = v.params.map((p, i) => `${v.models[i]}: ${p.length ? p.join(', ') : 'DeepVariant defaults'}`);
    d.append(el('p', 'muted', `make_examples parameters (non-default): ${params.join(' · ')}`));
    if (v.problems?.length) {
      const ul = el('ul', 'explain-problems');
      for (const p of v.problems) ul.append(el('li', 'note', p));
      d.append(ul);
    }
    detailsBox = d;
    // Arrived after the page was drawn: put it in place (render() appends it on later states).
    const old = document.querySelector('details.explain-details');
    if (old) old.replaceWith(d);
    else document.querySelector('section.pileup')?.after(d);
  }

  const overlay: PileupOverlay = {
    controls(redraw) {
      redrawPileup = redraw;
      const v = view;
      if (!v?.overlays?.length) return undefined;
      const box = el('div', 'overlay-switch');
      box.setAttribute('role', 'group');
      box.setAttribute('aria-label', 'Attribution overlay');
      box.append(el('span', 'overlay-label', 'attribution:'));
      const choices: [OverlayMode | 'off', string, string][] = [['off', 'off', 'No overlay']];
      for (const o of v.overlays) choices.push([o.mode, o.mode === 'diff' ? 'difference' : o.model, o.title]);
      for (const [m, text, title] of choices) {
        const b = el('button', `toggle overlay-${m}`, text);
        b.type = 'button';
        b.title = title;
        b.setAttribute('aria-pressed', String(mode === m));
        b.addEventListener('click', () => setMode(m));
        box.append(b);
      }
      const o = v.overlays.find((x) => x.mode === mode);
      if (o && v.legend) {
        const legend = el('span', 'overlay-legend');
        const c = el('canvas', 'legend-bar');
        c.width = v.legend.length / 4;
        c.height = 1;
        const ctx = c.getContext('2d');
        if (ctx) {
          const img = ctx.createImageData(c.width, 1);
          img.data.set(v.legend);
          ctx.putImageData(img, 0, 0);
        }
        const lo = `−${o.scale.toFixed(3)}`;
        const hi = `+${o.scale.toFixed(3)}`;
        legend.append(el('span', 'legend-end', lo), c, el('span', 'legend-end', hi));
        legend.title = o.title;
        legend.dataset.scale = String(o.scale);
        box.append(legend);
        if (o.tensors.length === 0) box.append(el('span', 'note', `not on these tabs: ${o.model}'s own images are not shown`));
      }
      return box;
    },
    imageFor(tensor) {
      if (mode === 'off') return undefined;
      const o = view?.overlays?.find((x) => x.mode === mode);
      if (!o?.tensors.includes(tensor)) return undefined;
      return { rgba: o.rgba, width: o.width, height: o.height };
    },
  };

  return {
    update(s) {
      if (s.generation !== generation) {
        running?.abort();
        running = undefined;
        generation = s.generation;
        view = undefined;
        error = undefined;
        asked = false;
      }
      modelsDone = s.models?.state === 'done';
      modelCount = s.models?.calls.length ?? 0;
      if (modelsDone && !asked && disputed(s)) ask();
      else draw();
    },
    details: () => detailsBox,
    overlay,
  };
}
