/**
 * The site inspector webview: the selected record (fields, samples, INFO with header
 * descriptions), the trust/model state, and the site's pileup tensors channel by channel
 * (grey levels = the uint8 channel values, like show_examples) when the host sends them.
 * All text is set with textContent: it comes from untrusted files.
 */
import type { InspectorProtocol, InspectorState, TensorPayload, TrustState } from '../../src/protocol/protocol';
import { CHANNEL_NAMES } from '../../src/core/pileup/channelIds';
import { connect } from '../common/hostConnection';
import type { ReviewClient } from '../common/reviewUi';
import { mountReviewForm } from './reviewForm';

const client = connect<InspectorProtocol>();
const app = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const trustBanner = el('div', 'trust-banner');
trustBanner.setAttribute('role', 'note');
const body = el('div', 'inspector');
// The review form (verdict keys 1–9, tags, note) sits above the record: reviewForm.ts.
const reviewBox = el('section', 'review-form');
app.append(trustBanner, reviewBox, body);
mountReviewForm(client as unknown as ReviewClient, reviewBox);

function setTrust(t: TrustState): void {
  trustBanner.hidden = t.trusted;
  trustBanner.textContent = t.trusted ? '' : t.modelsDisabledReason ?? 'Model loading is disabled in an untrusted workspace.';
  app.dataset.trusted = String(t.trusted);
}

function kv(dl: HTMLElement, k: string, v: string, title?: string): void {
  const dt = el('dt', undefined, k);
  if (title) dt.title = title;
  dl.append(dt, el('dd', undefined, v));
}

/** Draws one channel of a tensor as grey levels (value 0 black … 255 white). */
function drawChannel(t: TensorPayload, ch: number, scale: number): HTMLCanvasElement {
  const c = el('canvas', 'channel');
  c.width = t.width;
  c.height = t.height;
  c.style.width = `${t.width * scale}px`;
  c.style.height = `${t.height * scale}px`;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(t.width, t.height);
  const C = t.channels.length;
  for (let i = 0, n = t.width * t.height; i < n; i++) {
    const v = t.data[i * C + ch] ?? 0;
    img.data[i * 4] = v;
    img.data[i * 4 + 1] = v;
    img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function render(s: InspectorState): void {
  setTrust(s.trust);
  body.replaceChildren();
  const site = s.site;
  if (!site) {
    body.append(el('p', 'muted', 'Select a row in a VCF table (Enter or double-click) to inspect the site.'));
    app.dataset.site = '';
    return;
  }
  app.dataset.site = `${site.chrom}:${site.pos}`;
  body.append(el('h2', 'site-title', `${site.chrom}:${site.pos.toLocaleString('en-US')}  ${site.ref} > ${site.alt || '.'}`));
  const rec = el('dl', 'record');
  kv(rec, 'ID', site.id);
  kv(rec, 'QUAL', site.qual);
  kv(rec, 'FILTER', site.filter);
  kv(rec, 'file', site.file);
  body.append(rec);

  if (site.samples.length) {
    const t = el('table', 'samples');
    const head = el('tr');
    for (const h of ['sample', 'GT', 'GQ', 'DP', 'AD', 'VAF', 'PL']) head.append(el('th', undefined, h));
    t.append(head);
    for (const sm of site.samples) {
      const tr = el('tr');
      for (const v of [sm.name, sm.gt, sm.gq, sm.dp, sm.ad, sm.vaf, sm.pl]) tr.append(el('td', undefined, v));
      t.append(tr);
    }
    body.append(el('h3', undefined, 'Recorded call'), t);
  }

  body.append(el('h3', undefined, 'Pileup'));
  if (s.tensorNote) body.append(el('p', 'note', s.tensorNote));
  for (const tensor of s.tensors) {
    const sec = el('section', 'tensor');
    sec.append(el('div', 'tensor-title', `alt ${tensor.altLabel} — ${tensor.source} — ${tensor.height}×${tensor.width}×${tensor.channels.length}`));
    const strip = el('div', 'channels');
    tensor.channels.forEach((id, ch) => {
      const fig = el('figure');
      fig.append(drawChannel(tensor, ch, 2), el('figcaption', undefined, CHANNEL_NAMES[id]?.label ?? `channel ${id}`));
      strip.append(fig);
    });
    sec.append(strip);
    body.append(sec);
  }

  const info = el('dl', 'info');
  for (const e of site.info) kv(info, e.key, e.value, e.description);
  body.append(el('h3', undefined, 'INFO'), info);
  const line = el('pre', 'line', site.line);
  body.append(el('h3', undefined, 'VCF line'), line);
}

client.on('state', render);
client.on('trust', setTrust);
client.emit('ready', {});
void client.request('inspector.init', {}).then(render, (e: unknown) => {
  body.replaceChildren(el('p', 'error', e instanceof Error ? e.message : String(e)));
});
