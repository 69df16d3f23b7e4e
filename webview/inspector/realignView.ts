/**
 * The raw ↔ realigned switch: the pileup drawn from the reads as they are in the BAM (what
 * IGV shows) or after DeepVariant's local realigner (`inspector.realign`, computed by the host
 * on first use per site). Switching to "realigned" swaps the pileup's images for the realigned
 * ones (`pileupState`); the section beside it shows both images of the shown tab side by side
 * with the read rows the realigner changed marked in the left margin (moved, new CIGAR,
 * entered the image; an alt-aligned 'rows' image is drawn as its three labelled blocks with show's
 * grey bands, docs/deepvariant.md §12.3, and the marks are rows of its reference-aligned block,
 * the reads the realigner moved), the sentence "IGV shows N alt reads; after realignment the model saw M",
 * and every model's AD and call before and after.
 *
 * The switch position is remembered across sites (uiState.open.realigned). Text is set with
 * textContent (read names come from files).
 */
import type { InspectorProtocol, InspectorRealign, InspectorState, RealignCallView, RealignRowMark, TensorPayload } from '../../src/protocol/protocol';
import type { RpcClient } from '../../src/protocol/rpc';
import { blockLayout, blockTop, renderRgb, type BlockLayout } from '../../src/core/render/showExamples';
import { el } from '../common/dom';
import { blockTitles, cropBlocks, rowsBlockHeight, usedBlockRows } from './imageTabs';
import { saveUi, ui } from './uiState';

const REALIGN_TIMEOUT_MS = 120_000;

/** Margin colours of the marks (fixed: they are drawn into the image like the pileup's pixels). */
const MARK_RGB: Record<RealignRowMark['kind'] | 'left', [number, number, number]> = { moved: [255, 80, 200], cigar: [255, 200, 0], entered: [0, 220, 255], left: [150, 150, 150] };
const MARGIN = 4;

let answer: { generation: number; value: Promise<InspectorRealign | null>; done?: InspectorRealign | null } | undefined;

const realignedOn = (): boolean => ui.open.realigned ?? false;

/** The realigner's answer for `generation`, asked once (the page is redrawn on every state update). */
function ask(client: RpcClient<InspectorProtocol>, generation: number, onDone: () => void): Promise<InspectorRealign | null> {
  if (answer?.generation !== generation) {
    const entry: NonNullable<typeof answer> = { generation, value: client.request('inspector.realign', { generation }, { timeoutMs: REALIGN_TIMEOUT_MS }) };
    answer = entry;
    entry.value.then((v) => { entry.done = v; onDone(); }, () => { if (answer === entry) answer = undefined; });
  }
  return answer.value;
}

/** The state the pileup draws: its images swapped for the realigned ones when the switch says so and they are here. */
export function pileupState(s: InspectorState): InspectorState {
  const r = answer?.generation === s.generation ? answer?.done : undefined;
  if (!realignedOn() || !r || r.realigned.length === 0) return s;
  return { ...s, tensors: r.realigned, tensorNote: `Realigned reads: ${r.realigned[0]!.source}. ${r.summary}. Hover shows pixel values only.` };
}

type Mark = { readonly row: number; readonly kind: RealignRowMark['kind'] | 'left' };
const marksRows = (marks: readonly Mark[]): number[] => marks.map((m) => m.row);

/**
 * An image as RGB on a canvas with a margin of MARGIN columns on the left holding the marks.
 * A 'rows' image: each block cut to the rows any block or mark needs (the blocks stay equal,
 * cropBlocks), drawn as blocks (blockLayout), the marks in the reference-aligned block (its
 * drawn rows are the image's rows: blockTop 0), and the blocks labelled beside it (as in the pileup).
 */
function markedCanvas(t: TensorPayload, marks: readonly Mark[], zoom: number, ref: string): HTMLElement {
  const bh = rowsBlockHeight(t);
  const image = { height: t.height, width: t.width, channels: t.channels, data: t.data };
  let img: ReturnType<typeof renderRgb>;
  let rows: number;
  let layout: BlockLayout | undefined;
  if (bh !== undefined) {
    const need = Math.min(bh, Math.max(usedBlockRows(t, bh), (t.refRows ?? 5) + (t.readRows ?? bh), ...marksRows(marks).map((r) => r + 1)));
    const shown = cropBlocks(t, bh, need);
    img = renderRgb({ height: shown.height, width: shown.width, channels: shown.channels, data: shown.data }, { annotate: false, blocks: 3 });
    layout = blockLayout(shown.height, 3);
    rows = img.height;
  } else {
    img = renderRgb(image, { annotate: false });
    // Down to the last read row (the rest of the image is empty).
    rows = Math.min(img.height, Math.max((t.refRows ?? 5) + (t.readRows ?? t.height), ...marksRows(marks)) + 1);
  }
  const w = img.width + MARGIN;
  const c = el('canvas', 'realign-image');
  c.width = w;
  c.height = rows;
  c.style.width = `${w * zoom}px`;
  c.style.height = `${rows * zoom}px`;
  const ctx = c.getContext('2d')!;
  const data = ctx.createImageData(w, rows);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = (y * img.width + x) * 3;
      const d = (y * w + x + MARGIN) * 4;
      data.data[d] = img.data[s]!; data.data[d + 1] = img.data[s + 1]!; data.data[d + 2] = img.data[s + 2]!; data.data[d + 3] = 255;
    }
  }
  const markLimit = layout ? layout.blockHeight : rows;
  for (const m of marks) {
    if (m.row >= markLimit) continue;
    const [r, g, b] = MARK_RGB[m.kind];
    for (let x = 0; x < MARGIN - 1; x++) {
      const d = (m.row * w + x) * 4;
      data.data[d] = r; data.data[d + 1] = g; data.data[d + 2] = b; data.data[d + 3] = 255;
    }
  }
  ctx.putImageData(data, 0, 0);
  if (!layout) return c;
  const titles = blockTitles(t, ref);
  const body = el('div', 'blocked');
  body.dataset.blocks = titles.join('|');
  const labels = el('div', 'block-labels');
  labels.style.height = `${rows * zoom}px`;
  titles.forEach((text, b) => {
    const l = el('div', 'block-label', b === 0 ? 'ref' : `alt ${b}`);
    l.title = text;
    l.dataset.block = String(b);
    l.style.top = `${blockTop(layout, b) * zoom}px`;
    l.style.height = `${layout.blockHeight * zoom}px`;
    labels.append(l);
  });
  body.append(labels, c);
  return body;
}

function callCells(c: RealignCallView): string[] {
  return [c.gt + (c.noCallReason ? ` (${c.noCallReason})` : ''), c.gq, c.ad, String(c.dp), c.probabilities.map((p) => p.toFixed(2)).join(' / ')];
}

/** Both images of the shown tab, the sentence, the marks and each model before/after. */
export function renderRealign(r: InspectorRealign, tab: number, zoom: number, ref = ''): HTMLElement {
  const box = el('div', 'realign-body');
  box.append(el('p', 'realign-summary', r.summary));
  const i = Math.min(tab, r.raw.length - 1);
  if (i >= 0 && r.realigned[i]) {
    const pair = el('div', 'realign-pair');
    const fig = (title: string, t: TensorPayload, marks: readonly Mark[], side: string): HTMLElement => {
      const f = el('figure', 'realign-fig');
      f.dataset.side = side;
      f.append(el('figcaption', undefined, title), markedCanvas(t, marks, zoom, ref));
      return f;
    };
    pair.append(fig(`raw reads (as in the BAM, as IGV shows them) · ${r.raw[i]!.altLabel}`, r.raw[i]!, r.droppedRows.map((row) => ({ row, kind: 'left' as const })), 'raw'),
      fig(`realigned (what the model sees when make_examples realigns) · ${r.realigned[i]!.altLabel}`, r.realigned[i]!, r.marks, 'realigned'));
    box.append(pair);
  }
  const legend = el('p', 'realign-legend muted');
  for (const [kind, text] of [['moved', 'moved (new start)'], ['cigar', 'new CIGAR'], ['entered', 'entered the image'], ['left', 'left the image (raw image)']] as const) {
    const k = el('span', `mark-key mark-${kind}`, text);
    legend.append(k, document.createTextNode(' '));
  }
  if (r.dropped.length) legend.append(document.createTextNode(` · left the image: ${r.dropped.join(', ')}`));
  box.append(legend);
  if (r.models.length) {
    const t = el('table', 'realign-calls');
    const h1 = el('tr');
    h1.append(el('th', undefined, 'model'));
    const raw = el('th', undefined, 'raw reads');
    raw.colSpan = 5;
    const re = el('th', undefined, 'realigned reads');
    re.colSpan = 5;
    h1.append(raw, re);
    const h2 = el('tr');
    h2.append(el('th'));
    for (let k = 0; k < 2; k++) for (const c of ['GT', 'GQ', 'AD', 'DP', 'P(0/1/2 copies)']) h2.append(el('th', undefined, c));
    t.append(h1, h2);
    for (const m of r.models) {
      const tr = el('tr');
      tr.dataset.model = m.model;
      const name = el('td', undefined, m.model);
      name.title = m.realignsReads ? `${m.model}'s make_examples settings realign reads: the realigned column is what it was trained on` : `${m.model}'s make_examples settings do not realign reads: the raw column is what it was trained on`;
      tr.append(name);
      for (const [k, c] of [m.raw, m.realigned].entries()) {
        for (const v of callCells(c)) {
          const td = el('td', undefined, v);
          td.dataset.side = k === 0 ? 'raw' : 'realigned';
          tr.append(td);
        }
      }
      if (m.raw.gt !== m.realigned.gt) tr.classList.add('changed');
      t.append(tr);
    }
    box.append(t);
  }
  if (r.marks.length) {
    const d = el('details', 'realign-marks');
    d.append(el('summary', undefined, `${r.marks.length} read row${r.marks.length === 1 ? '' : 's'} changed by the realigner`));
    const ul = el('ul');
    for (const m of r.marks) ul.append(el('li', `mark-${m.kind}`, `row ${m.row}: ${m.name} ${m.before ? `${m.before} → ` : ''}${m.after} (${m.kind === 'cigar' ? 'new CIGAR' : m.kind})`));
    d.append(ul);
    box.append(d);
  }
  for (const n of r.notes) box.append(el('p', 'note', n));
  return box;
}

/**
 * The switch (for the pileup's bar) and its section (under the pileup: empty and hidden while
 * the switch is on raw, so the one-screen layout is unchanged); `redraw` redraws the page.
 */
export function realignSection(s: InspectorState, client: RpcClient<InspectorProtocol>, redraw: () => void): { bar: HTMLElement; section: HTMLElement } {
  const sec = el('section', 'realign');
  sec.dataset.anchor = 'realign';
  const bar = el('div', 'realign-bar');
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', 'Reads as in the BAM or after DeepVariant\'s realigner');
  const button = (mode: 'raw' | 'realigned', text: string, title: string): HTMLButtonElement => {
    const b = el('button', `toggle realign-${mode}`, text);
    b.type = 'button';
    b.title = title;
    b.setAttribute('aria-pressed', String(realignedOn() === (mode === 'realigned')));
    b.addEventListener('click', () => {
      if (realignedOn() === (mode === 'realigned')) return;
      ui.open.realigned = mode === 'realigned';
      saveUi();
      redraw();
    });
    return b;
  };
  const status = el('span', 'realign-status muted');
  status.setAttribute('aria-live', 'polite');
  bar.append(el('span', 'realign-title', 'reads'),
    button('raw', 'raw', 'The reads as in the BAM (what IGV shows)'),
    button('realigned', 'realigned', 'The reads after DeepVariant\'s local realigner (make_examples --realign_reads): windows, haplotypes, reads realigned'),
    status);
  const body = el('div', 'realign-slot');
  sec.append(body);
  sec.hidden = true;
  const canAsk = s.generation !== undefined && s.tensors.length > 0 && s.tensors.some((t) => t.hover);
  if (!canAsk) {
    for (const b of bar.querySelectorAll('button')) {
      b.disabled = true;
      b.title = 'Needs the reads: DeepVariant\'s examples hold no reads to realign';
    }
    return { bar, section: sec };
  }
  if (!realignedOn()) return { bar, section: sec };
  sec.hidden = false;
  const generation = s.generation!;
  const have = answer?.generation === generation ? answer : undefined;
  if (have?.done !== undefined) {
    if (have.done) {
      body.replaceChildren(el('h3', 'realign-head', 'Raw ↔ realigned'), renderRealign(have.done, ui.tab, Math.max(1, Math.min(2, ui.zoom)), s.site?.ref ?? ''));
      sec.dataset.state = 'done';
    }
    return { bar, section: sec };
  }
  sec.dataset.state = 'loading';
  status.textContent = 'realigning…';
  body.replaceChildren(el('p', 'muted', 'Realigning the reads and running the models on both pileups…'));
  ask(client, generation, () => { if (sec.isConnected) redraw(); }).catch((e: unknown) => {
    if (!sec.isConnected) return;
    status.textContent = '';
    body.replaceChildren(el('p', 'error', e instanceof Error ? e.message : String(e)));
    sec.dataset.state = 'error';
  });
  return { bar, section: sec };
}
