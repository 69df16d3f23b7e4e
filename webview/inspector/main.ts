/**
 * The site inspector webview, one screen: a one-line site header, the one-line review form
 * (reviewForm.ts), a slot for the explanation verdict sentence, every model's call next to
 * the records (modelTable.ts), the pileup (pileupView.ts; its bar has a slot for the
 * attribution overlay switch), then collapsible details (recorded call, INFO, VCF line) whose
 * open state is remembered (uiState.ts).
 *
 * Walking sites (j/k in the list) keeps the scroll anchor: the section at the top of the
 * screen stays there. List keys pressed here (j/k/n/1–9) go to the list that opened the site.
 * All text is set with textContent: it comes from untrusted files.
 */
import { FORWARDED_LIST_KEYS, type InspectorProtocol, type InspectorState, type TrustState } from '../../src/protocol/protocol';
import { connect } from '../common/hostConnection';
import { el } from '../common/dom';
import { isTextField, type ReviewClient } from '../common/reviewUi';
import { modelSection } from './modelTable';
import { pileupSection } from './pileupView';
import { layersSection } from './layersView';
import { pileupState, realignSection } from './realignView';
import { mountReviewForm } from './reviewForm';
import { mountExplanation } from './explainView';
import { saveUi, ui } from './uiState';

const client = connect<InspectorProtocol>();
const app = document.getElementById('app')!;

const trustBanner = el('div', 'trust-banner');
trustBanner.setAttribute('role', 'note');
const header = el('header', 'site-header');
// The review form: one line (verdicts, tags dropdown, note toggle): reviewForm.ts.
const reviewBox = el('section', 'review-form');
/** Filled by the explanation work: one sentence saying why the two models disagree here. */
const explanationSlot = el('div', 'explanation-slot');
explanationSlot.dataset.slot = 'explanation';
explanationSlot.hidden = true;
const body = el('div', 'inspector');
app.append(trustBanner, header, reviewBox, explanationSlot, body);
mountReviewForm(client as unknown as ReviewClient, reviewBox);
const explanation = mountExplanation(client, explanationSlot);

let origin: InspectorState['origin'];

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

/** A <details> section whose open state is remembered across sites and reloads. */
function section(name: string, title: string, openByDefault: boolean, ...content: HTMLElement[]): HTMLElement {
  const d = el('details', 'section');
  d.dataset.section = name;
  d.dataset.anchor = name;
  d.open = ui.open[name] ?? openByDefault;
  d.addEventListener('toggle', () => {
    ui.open[name] = d.open;
    saveUi();
  });
  d.append(el('summary', undefined, title), ...content);
  return d;
}

/** The scrolling element and the named block nearest the top of the screen, with its offset. */
function scrollAnchor(): { name: string; offset: number } | undefined {
  const top = 0;
  // The pileup, when any of it is on screen, is what the reviewer looks at: it stays put.
  const pileup = document.querySelector<HTMLElement>('[data-anchor="pileup"]');
  if (pileup) {
    const r = pileup.getBoundingClientRect();
    if (r.top < window.innerHeight && r.bottom > top) return { name: 'pileup', offset: r.top };
  }
  for (const e of document.querySelectorAll<HTMLElement>('[data-anchor]')) {
    const r = e.getBoundingClientRect();
    if (r.bottom > top) return { name: e.dataset.anchor!, offset: r.top };
  }
  return undefined;
}

/**
 * The anchor the user chose by scrolling (not the one a half-built page clamps to): a site
 * shows in steps (record, pileup, models), and each step restores this same anchor.
 */
let userAnchor: { name: string; offset: number } | undefined;
let restoring = false;
window.addEventListener('scroll', () => {
  if (restoring) return;
  userAnchor = (document.scrollingElement?.scrollTop ?? 0) > 0 ? scrollAnchor() : undefined;
}, { passive: true });

function restoreAnchor(a: { name: string; offset: number } | undefined, scrollTop: number): void {
  const se = document.scrollingElement;
  if (!se) return;
  const e = a ? document.querySelector<HTMLElement>(`[data-anchor="${a.name}"]`) : null;
  restoring = true;
  if (a && e) se.scrollTop += e.getBoundingClientRect().top - a.offset;
  else se.scrollTop = scrollTop;
  // The scroll event of this change arrives later: stop ignoring after it.
  requestAnimationFrame(() => { restoring = false; });
}

/** The state on screen (the realign switch redraws it). */
let shown: InspectorState | undefined;

function render(s: InspectorState): void {
  shown = s;
  setTrust(s.trust);
  origin = s.origin;
  // Keep the block at the top of the screen where it is (same site: a later update; new site: j/k).
  const anchor = userAnchor;
  const scrollTop = document.scrollingElement?.scrollTop ?? 0;
  // While the new site's images are being built, the pileup keeps the height of the last one,
  // so the page does not shrink under the anchor.
  const lastPileup = body.querySelector<HTMLElement>('section.pileup');
  const reserve = lastPileup?.querySelector('canvas') ? lastPileup.getBoundingClientRect().height : Number(lastPileup?.style.minHeight.replace('px', '') || 0);
  body.replaceChildren();
  header.replaceChildren();
  const site = s.site;
  if (!site) {
    explanation.update(s);
    body.append(el('p', 'muted', 'Select a row in a VCF table (Enter or double-click) to inspect the site.'));
    app.dataset.site = '';
    return;
  }
  ui.site = site;
  saveUi();
  app.dataset.site = `${site.chrom}:${site.pos}`;
  const title = el('h2', 'site-title', `${site.chrom}:${site.pos.toLocaleString('en-US')}  ${site.ref} > ${site.alt || '.'}`);
  const file = site.file.split(/[\\/]/).pop() ?? site.file;
  const facts = el('span', 'site-facts', `QUAL ${site.qual} · ${site.filter} · ${file}`);
  facts.title = site.file;
  header.append(title, facts);

  // Models vs records first (compact), then the pileup: both fit one screen.
  const models = modelSection(s, client);
  models.dataset.anchor = 'models';
  explanation.update(s);
  // The raw ↔ realigned switch (realignView.ts, in the pileup's bar) decides which reads the pileup draws.
  const realign = realignSection(s, client, () => { if (shown) render(shown); });
  const pileup = pileupSection(pileupState(s), { client, overlay: explanation.overlay });
  pileup.dataset.anchor = 'pileup';
  pileup.querySelector('.pileup-bar')?.append(realign.bar);
  if (!pileup.querySelector('canvas') && reserve > 0) pileup.style.minHeight = `${Math.round(reserve)}px`;
  body.append(models, pileup);
  const why = explanation.details();
  if (why) body.append(why);
  body.append(realign.section, layersSection(s, client));

  const rec = el('dl', 'record');
  kv(rec, 'ID', site.id);
  kv(rec, 'QUAL', site.qual);
  kv(rec, 'FILTER', site.filter);
  kv(rec, 'file', site.file);
  const recorded: HTMLElement[] = [rec];
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
    recorded.push(t);
  }
  body.append(section('record', 'Recorded call', false, ...recorded));
  const info = el('dl', 'info');
  for (const e of site.info) kv(info, e.key, e.value, e.description);
  body.append(section('info', 'INFO', false, info));
  body.append(section('line', 'VCF line', false, el('pre', 'line', site.line)));
  restoreAnchor(anchor, scrollTop);
}

// List keys go to the list the site came from (the host relays them); without one they act here.
document.addEventListener('keydown', (e) => {
  if (!origin || e.ctrlKey || e.metaKey || e.altKey || isTextField(e.target)) return;
  if (!FORWARDED_LIST_KEYS.test(e.key)) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  client.emit('listKey', { key: e.key });
}, { capture: true });

client.on('state', render);
client.on('trust', setTrust);
client.emit('ready', {});
void client.request('inspector.init', {}).then(render, (e: unknown) => {
  body.replaceChildren(el('p', 'error', e instanceof Error ? e.message : String(e)));
});
