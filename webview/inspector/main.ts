/**
 * The site inspector webview: the selected record (fields, samples, INFO with header
 * descriptions), the trust/model state, every model's call next to the records
 * (modelTable.ts) and the site's pileup images with tabs, zoom and hover (pileupView.ts).
 * All text is set with textContent: it comes from untrusted files.
 */
import type { InspectorProtocol, InspectorState, TrustState } from '../../src/protocol/protocol';
import { connect } from '../common/hostConnection';
import { el } from '../common/dom';
import { modelSection } from './modelTable';
import { pileupSection } from './pileupView';
import type { ReviewClient } from '../common/reviewUi';
import { mountReviewForm } from './reviewForm';

const client = connect<InspectorProtocol>();
const app = document.getElementById('app')!;

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

function render(s: InspectorState): void {
  setTrust(s.trust);
  // State updates of the same site (tensors, then model results) keep the scroll position.
  const keep = app.dataset.site !== undefined && s.site !== undefined && app.dataset.site === `${s.site.chrom}:${s.site.pos}`;
  const scroll = { body: body.scrollTop, page: document.scrollingElement?.scrollTop ?? 0 };
  queueMicrotask(() => {
    if (!keep) return;
    body.scrollTop = scroll.body;
    if (document.scrollingElement) document.scrollingElement.scrollTop = scroll.page;
  });
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

  // Models vs records (modelTable.ts), then the pileup tabs (pileupView.ts).
  body.append(modelSection(s, client), pileupSection(s, { client }));

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
