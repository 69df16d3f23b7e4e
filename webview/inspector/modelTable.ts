/**
 * The inspector's model comparison: what each open VCF recorded for the site (the table's
 * record; both sides from a diff) and every configured model's call (GT, GQ, QUAL, FILTER, PL,
 * and P(0/1/2 copies) per image), one row each. A cell that differs from the first row (the
 * first record) is highlighted, and so is its column header. Below: whether the site was in
 * each model's training data, and which parameter difference explains a disagreement.
 * All text via textContent (values come from files).
 */
import type { InspectorProtocol, InspectorState, RecordedCall } from '../../src/protocol/protocol';
import type { RpcClient } from '../../src/protocol/rpc';
import { el } from '../common/dom';
import { imageLabel } from './imageTabs';
import { saveUi, ui } from './uiState';

/** A folded block whose open state is remembered (uiState.ts). */
function remembered(name: string, cls: string): HTMLDetailsElement {
  const d = el('details', cls);
  d.dataset.section = name;
  d.open = ui.open[name] ?? false;
  d.addEventListener('toggle', () => { ui.open[name] = d.open; saveUi(); });
  return d;
}

/** P(0, 1, 2 copies of the alt) as a small stacked bar and three numbers on one line. */
function probabilityCell(p: readonly number[] | undefined): HTMLTableCellElement {
  const td = el('td', 'probs');
  if (!p) return td;
  const bar = el('span', 'pbar');
  bar.setAttribute('aria-hidden', 'true');
  ['hom-ref', 'het', 'hom-alt'].forEach((k, i) => {
    const seg = el('span', `pseg ${k}`);
    seg.style.width = `${Math.max(0, Math.min(1, p[i] ?? 0)) * 100}%`;
    bar.append(seg);
  });
  const nums = el('span', 'pnums', p.map((x) => x.toFixed(2)).join(' / '));
  td.title = `P(hom-ref) ${(p[0] ?? 0).toFixed(4)} · P(het) ${(p[1] ?? 0).toFixed(4)} · P(hom-alt) ${(p[2] ?? 0).toFixed(4)}`;
  td.append(bar, nums);
  return td;
}

/** "AD 2,20 vs 5,18": the records' allele depths differ (site-specific evidence). */
function adDifferences(records: readonly RecordedCall[]): string[] {
  const out: string[] = [];
  const withAd = records.filter((r) => r.ad && r.ad !== '.');
  for (let i = 1; i < withAd.length; i++) {
    const a = withAd[0]!;
    const b = withAd[i]!;
    if (a.ad !== b.ad || (a.dp && b.dp && a.dp !== b.dp)) out.push(`the VCFs saw different reads here: ${a.label} DP ${a.dp || '.'} AD ${a.ad}, ${b.label} DP ${b.dp || '.'} AD ${b.ad}`);
  }
  return out;
}

/** The records to compare: SiteRecord.records, else the shown record's first sample. */
export function recordedCalls(s: InspectorState): RecordedCall[] {
  const site = s.site;
  if (!site) return [];
  if (site.records) return [...site.records];
  const sm = site.samples[0];
  const name = site.file.split(/[\\/]/).pop() ?? site.file;
  return [{ label: name, file: site.file, gt: sm?.gt ?? '.', gq: sm?.gq ?? '', qual: site.qual, filter: site.filter, pl: sm?.pl ?? '', dp: sm?.dp ?? '', ad: sm?.ad ?? '', vaf: sm?.vaf ?? '', ...(sm?.mid ? { mid: sm.mid } : {}) }];
}

/** DeepVariant 1.8+ marks the calls its small model made (FORMAT MID=small_model, docs/deepvariant.md §15). */
function isSmallModel(r: Pick<RecordedCall, 'mid'>): boolean {
  return r.mid === 'small_model';
}

/** Genotypes compare unphased ("0|1" = "0/1"); QUAL numerically. */
function same(col: string, a: string, b: string): boolean {
  if (col === 'gt') return a.replace(/\|/g, '/') === b.replace(/\|/g, '/');
  if (col === 'qual' || col === 'gq') {
    const x = Number(a);
    const y = Number(b);
    if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x === y;
  }
  return a === b;
}

type Col = 'gt' | 'gq' | 'qual' | 'filter' | 'pl';

export function modelSection(s: InspectorState, client: RpcClient<InspectorProtocol>): HTMLElement {
  const sec = el('section', 'models');
  const head = el('div', 'models-head');
  head.append(el('h3', undefined, 'Models vs records'));
  const cards = el('button', 'model-cards-button', 'Model cards…');
  cards.title = 'Variant Lens: Show Model Cards';
  cards.addEventListener('click', () => void client.request('inspector.showModelCards', {}).catch(() => undefined));
  head.append(cards);
  sec.append(head);
  const m = s.models;
  sec.dataset.state = m?.state ?? 'none';
  if (m?.message) sec.append(el('p', m.state === 'error' ? 'error' : 'note', m.message));

  const records = recordedCalls(s);
  const calls = m?.calls ?? [];
  const imageLabels = [...new Set(calls.flatMap((c) => c.images.map((i) => i.altLabel)))];
  const table = el('table', 'model-table');
  const hr = el('tr');
  const ref = s.site?.ref ?? '';
  // GT and the probabilities first (what a narrow panel must show), PL last (long).
  const P = imageLabels.length;
  const headers = ['source', 'GT', ...imageLabels.map((l) => (P > 1 ? `P(hom-ref / het / hom-alt) ${imageLabel(ref, l)}` : 'P(hom-ref / het / hom-alt)')), 'GQ', 'QUAL', 'FILTER', 'DP · AD · VAF', 'PL'];
  const colOf = (i: number): Col | undefined => (i === 1 ? 'gt' : i === 2 + P ? 'gq' : i === 3 + P ? 'qual' : i === 4 + P ? 'filter' : i === 6 + P ? 'pl' : undefined);
  const ths = headers.map((h, i) => {
    const probs = i >= 2 && i < 2 + P;
    const th = el('th', probs ? 'probs' : i === 5 + P ? 'depths' : undefined, h);
    const col = colOf(i);
    if (col) th.dataset.col = col;
    if (probs) th.title = `P(0, 1, 2 copies of ${imageLabels[i - 2] || 'the alt'}): the model's softmax for this image`;
    hr.append(th);
    return th;
  });
  table.append(hr);
  type Row = { kind: 'record' | 'model'; name: string; cells: Record<Col, string>; title?: string; probs: Map<string, readonly number[]>; note?: string; depths?: string; smallModel?: boolean };
  const rows: Row[] = [
    ...records.map((r): Row => ({
      kind: 'record', name: r.label, cells: { gt: r.gt, gq: r.gq, qual: r.qual, filter: r.filter, pl: r.pl }, title: r.file, probs: new Map(), smallModel: isSmallModel(r),
      depths: [r.dp ? `DP ${r.dp}` : '', r.ad ? `AD ${r.ad}` : '', r.vaf ? `VAF ${r.vaf}` : ''].filter(Boolean).join(' · '),
    })),
    ...calls.map((c): Row => ({
      kind: 'model', name: c.model, cells: { gt: c.gt, gq: c.gq, qual: c.qual, filter: c.filter, pl: c.pl },
      title: `${c.alleles}${c.fromCandidate ? '' : ' (not this model\'s candidate: the record\'s alleles, asked anyway)'}`,
      probs: new Map(c.images.map((i) => [i.altLabel, i.probabilities])), ...(c.noCallReason ? { note: c.noCallReason } : {}),
    })),
  ];
  const first = rows[0];
  const differs = new Set<string>();
  for (const r of rows) {
    const tr = el('tr', r.kind);
    tr.dataset.kind = r.kind;
    tr.dataset.name = r.name;
    if (r.kind === 'model') tr.dataset.model = r.name;
    const th = el('th', 'source', r.kind === 'record' ? `VCF ${r.name}` : `model ${r.name}`);
    th.scope = 'row';
    if (r.smallModel) {
      tr.dataset.mid = 'small_model';
      th.append(el('span', 'small-model', ' · small model'));
    }
    // Long file names are cut with an ellipsis (the full name is the tooltip).
    th.title = `${r.kind === 'record' ? `VCF ${r.name}` : `model ${r.name}`}${r.title ? `\n${r.title}` : ''}`;
    tr.append(th);
    const cell = (col: Col): void => {
      const v = r.cells[col];
      const td = el('td', undefined, v);
      td.dataset.col = col;
      // A small-model record's GQ (and PL) are not what a CNN gives: a re-run is never flagged as (not) reproducing them.
      const smallModelQuality = col === 'gq' && (first?.smallModel === true || r.smallModel === true);
      if (first && r !== first && !smallModelQuality && (col === 'gt' || col === 'qual' || col === 'filter' || col === 'gq') && !same(col, v, first.cells[col])) {
        td.classList.add('differs');
        td.title = `differs from ${first.kind === 'record' ? 'the VCF' : first.name} (${first.cells[col] || 'empty'})`;
        differs.add(col);
      }
      tr.append(td);
    };
    cell('gt');
    for (const l of imageLabels) tr.append(probabilityCell(r.probs.get(l)));
    cell('gq');
    cell('qual');
    cell('filter');
    tr.append(el('td', 'depths', r.depths ?? ''));
    cell('pl');
    if (r.note) tr.title = r.note;
    table.append(tr);
  }
  for (const th of ths) if (th.dataset.col && differs.has(th.dataset.col)) th.classList.add('differs');
  sec.dataset.differs = [...differs].join(',');
  // A narrow panel scrolls the table sideways with the source column kept in view (inspector.css);
  // focusable so the keyboard can scroll it too.
  const wrap = el('div', 'model-table-wrap');
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', 'Models vs records (scrolls sideways)');
  wrap.append(table);
  sec.append(wrap);

  const training = calls.map((c) => c.training);
  if (training.length) {
    const ul = el('ul', 'training');
    for (const t of training) {
      const li = el('li', t.inTraining === true ? 'in-training' : t.inTraining === false ? 'held-out' : 'unknown', t.text);
      ul.append(li);
    }
    const d = remembered('training', 'training-details');
    const inside = training.some((t) => t.inTraining === true);
    d.append(el('summary', inside ? 'in-training' : undefined, inside ? 'Training data: this site was in a model\'s training data' : 'Training data'), ul);
    sec.append(d);
  }
  const noCalls = calls.filter((c) => c.noCallReason);
  const evidence = adDifferences(records);
  for (const r of records.filter(isSmallModel)) {
    evidence.unshift(`${r.label}: MID=small_model — DeepVariant's small model decided this record's GT, GQ and PL before any pileup image was made; the models here are CNN re-runs and do not reproduce its GQ/PL`);
  }
  if (m?.explanations.length || noCalls.length || evidence.length) {
    const ul = el('ul', 'explanations');
    for (const c of noCalls) ul.append(el('li', undefined, `${c.model}: no call — ${c.noCallReason ?? ''}`));
    for (const e of evidence) ul.append(el('li', undefined, e));
    for (const e of m?.explanations ?? []) ul.append(el('li', undefined, e));
    sec.append(el('h4', undefined, 'Why they differ here'), ul);
  }
  if (m?.notes.length) {
    const ul = el('ul', 'model-notes');
    for (const n of m.notes) ul.append(el('li', undefined, n));
    const d = remembered('notes', 'notes-details');
    d.append(el('summary', undefined, `Encoder notes (${m.notes.length})`), ul);
    sec.append(d);
  }
  return sec;
}
