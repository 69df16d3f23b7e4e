/**
 * The inspector webview (dist/webview/inspector.js) in real Chromium under the strict CSP,
 * with a fake `acquireVsCodeApi` host: a site with two images (a multi-allelic "A" and
 * "A,C"), a model table where the retrained model disagrees with the record, and hover
 * answers. Checks tabs, zoom (button, keys, Ctrl+wheel), that hover asks the host for the
 * hovered pixel of the current generation and shows its answer, and the highlighting.
 * The images are synthetic: pixel (r, c) of channel k is (r + c + 7k) mod 255, so the page's
 * channel canvases can be checked against show_examples' rescale (RESCALE_254) exactly.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RESCALE_254 } from '../../src/core/render/showExamples';
import { PROJECT_ROOT, TEST_CACHE } from '../helpers/paths';
import { buildBundles, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'inspector-webview');
const SCREENSHOTS = join(PROJECT_ROOT, 'test/webview/screenshots');

function fakeHost(): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  w.__posted = posted;
  const H = 100;
  const W = 221;
  const channels = [1, 2, 3, 4, 5, 6, 19];
  const tensor = (shift: number) => {
    const d = new Uint8Array(H * W * channels.length);
    for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) for (let k = 0; k < channels.length; k++) d[(r * W + c) * channels.length + k] = (r + c + 7 * k + shift) % 255;
    return d;
  };
  const bases = 'ACGT'.repeat(56).slice(0, W);
  const t = (alt: string, shift: number, seenBy: string[]) => ({
    height: H, width: W, channels, data: tensor(shift), source: 'reads: HG003-sim.bam (Variant Lens encoder, default\'s make_examples settings)', altLabel: alt,
    windowStart: 9999, windowBases: bases, candidateColumn: 110, refRows: 5, readRows: 40, hover: true, seenBy,
  });
  // DeepVariant's own example of alt A: the encoder's image with 10 pixels changed in rows 20–22 (30 pixels).
  const examples = () => {
    const base = t('A', 0, []);
    const d = base.data.slice();
    for (let r = 20; r <= 22; r++) for (let c = 100; c < 110; c++) d[(r * W + c) * channels.length + 1] = 1;
    return { ...base, data: d, source: 'examples: calling_examples.tfrecord.gz', seenBy: undefined, hover: false };
  };
  const state = {
    generation: 7,
    origin: 'table',
    trust: { trusted: true },
    site: {
      file: '/demo/default.vcf.gz', row: 3, chrom: 'chr20', pos: 10110, ref: 'G', alt: 'A,C', id: '.', qual: '33.3', filter: 'PASS',
      samples: [{ name: 'HG003-sim', gt: '1/2', gq: '30', dp: '40', ad: '2,20,18', vaf: '0.5,0.45', pl: '60,30,50,20,0,40' }], info: [], line: 'chr20\t10110\t.\tG\tA,C\t33.3\tPASS\t.\tGT\t1/2',
    },
    tensors: [t('A', 0, ['default', 'retrained']), t('A,C', 3, ['default']), examples()],
    models: {
      state: 'done', explanations: ['default vs retrained: alt fraction 0.05 is below vsc_min_fraction_snps 0.12 (default) and above 0.02 (retrained): only retrained makes this candidate'], notes: [],
      calls: [
        { model: 'default', gt: '1/2', gq: '30', qual: '33.3', filter: 'PASS', pl: '60,30,50,20,0,40', alleles: 'G>A,C', fromCandidate: true,
          images: [{ altLabel: 'A', probabilities: [0.1, 0.8, 0.1] }, { altLabel: 'A,C', probabilities: [0.05, 0.05, 0.9] }],
          training: { inTraining: false, text: 'default was trained on chr1–19 of HG001-sim, HG002-sim: this site (chr20, HG003-sim) — sample held out, contig held out; not in the training data' } },
        { model: 'retrained', gt: '0/1', gq: '12', qual: '24.9', filter: 'PASS', pl: '20,0,30', alleles: 'G>A', fromCandidate: true,
          images: [{ altLabel: 'A', probabilities: [0.2, 0.7, 0.1] }],
          training: { inTraining: true, text: 'retrained was trained on chr20: INSIDE the training data' } },
      ],
    },
  };
  const reply = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  w.__state = state;
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string; params: Record<string, number> }) {
      posted.push(JSON.parse(JSON.stringify(msg)));
      if (msg.type !== 'request') return;
      let result: unknown;
      if (msg.method === 'inspector.init') result = state;
      else if (msg.method === 'inspector.hover') {
        const p = msg.params as { generation: number; tensor: number; row: number; col: number };
        result = p.generation !== 7 ? null : {
          row: p.row, col: p.col, pos: 10000 + p.col, refBase: bases[p.col], region: p.row < 5 ? 'reference' : 'read',
          ...(p.row >= 5 ? { read: { name: `read-${p.row}`, mate: 1, flags: 99, mapq: 60, strand: '+', cigar: '150M', start: 9950, end: 10099, insertSize: 300, supports: `supports ${p.tensor === 0 ? 'A' : 'A,C'}` }, base: 'A', baseQuality: 37, op: 'M', what: 'base' } : {}),
        };
      } else if (msg.method === 'inspector.showModelCards') result = {};
      else if (msg.method === 'review.init') result = { vocabulary: { name: 'v', verdicts: [], tags: [] }, reviewer: 'me' };
      else if (msg.method === 'review.site') result = null;
      else {
        reply({ type: 'response', inReplyTo: msg.messageId, error: { code: 'unknown', message: msg.method } });
        return;
      }
      reply({ type: 'response', inReplyTo: msg.messageId, result });
    },
  });
}

let browser: Browser;
let page: Page;
const problems: string[] = [];
type Posted = { type: string; method?: string; params?: Record<string, number> };
const requests = async (method: string): Promise<Posted[]> =>
  (await page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted)).filter((m) => m.type === 'request' && m.method === method);

before(async () => {
  buildBundles();
  mkdirSync(DIR, { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(DIR, 'theme.css'), `:root { --vscode-foreground:#cccccc; --vscode-editor-background:#1e1e1e; --vscode-font-family:sans-serif; --vscode-font-size:13px;
    --vscode-editor-font-family:monospace; --vscode-descriptionForeground:#9d9d9d; --vscode-panel-border:#3c3c3c; --vscode-button-background:#0e639c;
    --vscode-button-foreground:#ffffff; --vscode-focusBorder:#007fd4; --vscode-editorWarning-foreground:#cca700; --vscode-diffEditor-insertedTextBackground:#9ccc2c33; }
    body { background: var(--vscode-editor-background); color: var(--vscode-foreground); }`);
  const url = writeCspPage(join(DIR, 'index.html'), {
    nonce: 'dGVzdG5vbmNl', title: 'inspector', bundle: 'inspector', css: ['common.css', 'inspector.css'],
    headExtra: `<link rel="stylesheet" href="${pathToFileURL(join(DIR, 'theme.css')).href}">`,
  });
  browser = await launchChromium();
  page = await newWatchedPage(browser, { width: 1400, height: 1000 }, problems, { console: ['error'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(page, url, fakeHost, undefined);
  await page.waitForSelector('section.pileup canvas.pixels').catch((e: unknown) => { throw new Error(`${String(e)}\n${problems.join('\n')}`); });
});

after(async () => {
  await browser?.close();
});

test('tabs: one per image, keyboard and click switch, the channels use show_examples\' rescale', async () => {
  const tabs = await page.$$eval('section.pileup .tab', (t) => t.map((x) => [x.textContent, x.getAttribute('aria-selected')]));
  assert.deepEqual(tabs, [['A', 'true'], ['A + C', 'false'], ['A', 'false']]);
  // Tabs grouped by origin (not one flat row): our encoder per model settings, DeepVariant's examples.
  assert.deepEqual(await page.$$eval('section.pileup .tab-group', (g) => g.map((x) => [(x as HTMLElement).dataset.group, x.querySelectorAll('.tab').length])),
    [['Variant Lens encoder, default = retrained settings', 1], ['Variant Lens encoder, default settings', 1], ['DeepVariant examples', 1]]);
  assert.equal(await page.$$eval('section.pileup figure canvas.pixels:not(.diff-overlay)', (c) => c.length), 8); // RGB + 7 channels
  // Channel 2 (base quality) of tab 0 at (row 10, col 20): value (10 + 20 + 7) → RESCALE_254.
  const px = async (fig: number, x: number, y: number): Promise<number> => page.$$eval('section.pileup figure canvas', (cs, a) => {
    const c = cs[a.fig] as HTMLCanvasElement;
    return c.getContext('2d')!.getImageData(a.x, a.y, 1, 1).data[0]!;
  }, { fig, x, y });
  assert.equal(await px(2, 20, 10), RESCALE_254[(10 + 20 + 7) % 255]);
  await page.click('section.pileup .tab[data-tab="1"]');
  await page.waitForSelector('section.pileup[data-tab="1"]');
  assert.equal(await px(2, 20, 10), RESCALE_254[(10 + 20 + 7 + 3) % 255]);
  await page.focus('section.pileup .tab[data-tab="1"]');
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('section.pileup[data-tab="0"]');
  // Columns 98..122 of the window (0-based start 9999): 1-based 10,098–10,122, candidate column 110.
  const bases = 'ACGT'.repeat(56);
  assert.equal(await page.textContent('.ref-context'), `reference 10,098–10,122: ${bases.slice(98, 110)}[${bases[110]}]${bases.slice(111, 123)}`);
  assert.equal(problems.join('\n'), '');
});

test('zoom: buttons, +/- keys and Ctrl+wheel scale the canvases (nearest neighbour)', async () => {
  const width = async (): Promise<number> => page.$eval('section.pileup figure canvas', (c) => (c as HTMLElement).getBoundingClientRect().width);
  assert.equal(await page.getAttribute('section.pileup', 'data-zoom'), '1');
  assert.equal(Math.round(await width()), 221 + 2); // + 1px border each side
  await page.click('section.pileup .zoom-in');
  await page.waitForSelector('section.pileup[data-zoom="2"]');
  assert.equal(Math.round(await width()), 221 * 2 + 2);
  await page.click('section.pileup .zoom-in');
  await page.waitForSelector('section.pileup[data-zoom="3"]');
  assert.equal(Math.round(await width()), 221 * 3 + 2);
  assert.equal(await page.$eval('section.pileup figure canvas', (c) => getComputedStyle(c).imageRendering), 'pixelated');
  await page.focus('section.pileup .zoom-out');
  await page.keyboard.press('-');
  await page.waitForSelector('section.pileup[data-zoom="2"]');
  const box = (await page.locator('section.pileup figure canvas').first().boundingBox())!;
  await page.mouse.move(box.x + 10, box.y + 10);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -100);
  await page.keyboard.up('Control');
  await page.waitForSelector('section.pileup[data-zoom="3"]');
  await page.click('section.pileup .zoom-out');
  await page.waitForSelector('section.pileup[data-zoom="2"]');
});

test('hover: asks the host for the pixel of the current generation and shows the read', async () => {
  const canvas = page.locator('section.pileup figure canvas').first();
  await canvas.hover({ position: { x: 110 * 2 + 1, y: 12 * 2 + 1 } });
  await page.waitForSelector('.hover-info[data-state="host"][data-row="12"][data-col="110"]');
  const asked = (await requests('inspector.hover')).at(-1)!;
  assert.deepEqual(asked.params, { generation: 7, tensor: 0, row: 12, col: 110 });
  const text = (await page.textContent('.hover-info')) ?? '';
  assert.match(text, /row 12, column 110 = position 10,110 \(reference G\) — candidate/);
  // Decoded first (the read's base, quality, MAPQ, strand, support), the raw bytes last.
  assert.match(text, /base A · base quality 37 · MAPQ 60 · strand \+ · supports A/);
  assert.match(text, /read read-12\/1 · CIGAR 150M · op M \(base\) · aligned 9,950–10,099 · insert size 300 · flags 99/);
  const lines = await page.$$eval('.hover-info > div', (d) => d.map((x) => x.textContent ?? ''));
  const decodedAt = lines.findIndex((l) => l.startsWith('pixel: '));
  const rawAt = lines.findIndex((l) => l.startsWith('raw: '));
  assert.ok(decodedAt > 0 && rawAt === lines.length - 1 && decodedAt < rawAt, lines.join('\n'));
  // Pixel (12, 110) of channel k holds (12 + 110 + 7k) mod 255: read base 122 is no base; strand (k=3) 143 is no known strand value.
  assert.match(lines[rawAt]!, /^raw: read base 122 · base quality 129 · mapping quality 136 · strand 143 · read supports variant 150 · base differs from ref 157 · insert size 164$/);
  await canvas.hover({ position: { x: 3, y: 3 } });
  await page.waitForSelector('.hover-info[data-state="host"][data-row="1"][data-col="1"]');
  assert.match((await page.textContent('.hover-info')) ?? '', /reference band/);
});

test('model table: records and models side by side, differences highlighted, training and explanations', async () => {
  const rows = await page.$$eval('table.model-table tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  // GT and the probabilities first (a narrow panel shows them), PL last.
  assert.deepEqual(rows[0], ['source', 'GT', 'P(hom-ref / het / hom-alt) A', 'P(hom-ref / het / hom-alt) A + C', 'GQ', 'QUAL', 'FILTER', 'DP · AD · VAF', 'PL']);
  assert.deepEqual(rows[1], ['VCF default.vcf.gz', '1/2', '', '', '30', '33.3', 'PASS', 'DP 40 · AD 2,20,18 · VAF 0.5,0.45', '60,30,50,20,0,40']);
  assert.deepEqual(rows[2], ['model default', '1/2', '0.10 / 0.80 / 0.10', '0.05 / 0.05 / 0.90', '30', '33.3', 'PASS', '', '60,30,50,20,0,40']);
  assert.deepEqual(rows[3], ['model retrained', '0/1', '0.20 / 0.70 / 0.10', '', '12', '24.9', 'PASS', '', '20,0,30']);
  // A stacked bar per model and image; the probabilities keep one line; model names are not link-coloured.
  assert.deepEqual(await page.$$eval('tr.model td.probs .pbar', (b) => b.map((x) => [...x.children].map((c) => Math.round((c as HTMLElement).getBoundingClientRect().width)).join(','))), ['5,38,5', '2,2,43', '10,34,5']);
  const oneLine = await page.$$eval('tr.model td.probs', (tds) => tds.filter((td) => td.textContent).every((td) => td.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(td).fontSize)));
  assert.equal(oneLine, true);
  assert.equal(await page.$eval('tr.model th', (th) => getComputedStyle(th).color), await page.$eval('body', (b) => getComputedStyle(b).color));
  const differs = await page.$$eval('table.model-table td.differs', (tds) => tds.map((td) => `${(td.parentElement as HTMLElement).dataset.name}:${(td as HTMLElement).dataset.col}`));
  assert.deepEqual(differs, ['retrained:gt', 'retrained:gq', 'retrained:qual']);
  assert.deepEqual(await page.$$eval('table.model-table th.differs', (t) => t.map((x) => x.textContent)), ['GT', 'GQ', 'QUAL']);
  assert.equal(await page.$eval('table.model-table td.differs', (td) => getComputedStyle(td).fontWeight), '700');
  assert.deepEqual(await page.$$eval('ul.training li', (l) => l.map((x) => x.className)), ['held-out', 'in-training']);
  assert.match((await page.textContent('ul.explanations')) ?? '', /below vsc_min_fraction_snps 0\.12 \(default\) and above 0\.02/);
  await page.click('.model-cards-button');
  await page.waitForFunction(() => (window as unknown as { __posted: { method?: string }[] }).__posted.some((m) => m.method === 'inspector.showModelCards'));
  await page.locator('section.models').screenshot({ path: join(SCREENSHOTS, 'inspector-models.png') });
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector.png'), fullPage: true });
  assert.equal(problems.join('\n'), '');
});

test('hover details: hidden when the mouse leaves the image or on Escape; arrow keys move a pixel cursor on the first image', async () => {
  const canvas = page.locator('section.pileup figure canvas').first();
  await canvas.hover({ position: { x: 50 * 2 + 1, y: 20 * 2 + 1 } });
  await page.waitForSelector('.hover-info[data-state="host"][data-row="20"][data-col="50"]');
  assert.equal(await page.$eval('.hover-info', (h) => getComputedStyle(h).position), 'sticky');
  // Leaving the image clears the box (a stale box stuck over the page was the bug).
  await page.mouse.move(1, 1);
  await page.waitForSelector('.hover-info[data-state="idle"]');
  assert.equal(await page.$eval('.hover-info', (h) => [h.childElementCount, getComputedStyle(h).position].join()), '0,static');
  // An answer still on its way after leaving is dropped: hover then leave at once, and wait until
  // the host's answer has been delivered (a listener added after the page's runs after it).
  await page.evaluate(() => {
    const w = window as unknown as { __answers: number[] };
    w.__answers = [];
    window.addEventListener('message', (e: MessageEvent<{ type?: string; inReplyTo?: number }>) => {
      if (e.data?.type === 'response' && typeof e.data.inReplyTo === 'number') w.__answers.push(e.data.inReplyTo);
    });
  });
  await canvas.hover({ position: { x: 60 * 2 + 1, y: 30 * 2 + 1 } });
  await page.mouse.move(1, 1);
  await page.waitForFunction(() => {
    const w = window as unknown as { __posted: { method?: string; messageId?: number; params?: { row: number } }[]; __answers: number[] };
    const asked = w.__posted.filter((m) => m.method === 'inspector.hover' && m.params?.row === 30);
    return asked.length > 0 && asked.every((m) => w.__answers.includes(m.messageId!));
  });
  assert.equal(await page.getAttribute('.hover-info', 'data-state'), 'idle');
  // Keyboard: the first image is one tab stop; focus starts on the candidate column, first read row.
  assert.deepEqual(await page.$$eval('section.pileup figure canvas', (cs) => cs.map((c) => c.getAttribute('tabindex'))), ['0', null, null, null, null, null, null, null]);
  await canvas.focus();
  await page.waitForSelector('.hover-info[data-state="host"][data-row="5"][data-col="110"]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowRight');
  await page.waitForSelector('.hover-info[data-state="host"][data-row="6"][data-col="120"]');
  assert.match((await page.textContent('.hover-info')) ?? '', /read read-6\/1/);
  assert.equal(await page.$eval('.cursor-mark', (m) => (m as HTMLElement).hidden), false);
  await page.keyboard.press('Escape');
  await page.waitForSelector('.hover-info[data-state="idle"]');
  assert.equal(await page.$eval('.cursor-mark', (m) => (m as HTMLElement).hidden), true);
  // Zooming with the keyboard keeps the focus on the (redrawn) first image.
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('+');
  await page.waitForSelector('section.pileup[data-zoom="3"]');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('tabindex')), '0');
  await page.waitForSelector('.hover-info[data-state="host"][data-row="6"][data-col="119"]');
  await page.keyboard.press('-');
  await page.waitForSelector('section.pileup[data-zoom="2"]');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.waitForSelector('.hover-info[data-state="idle"]');
  assert.equal(problems.join('\n'), '');
});

test('narrow panel: the model table scrolls sideways inside its region, the source column stays visible', async () => {
  await page.setViewportSize({ width: 420, height: 1000 });
  try {
    const m = await page.$eval('.model-table-wrap', (w) => {
      const wrap = w as HTMLElement;
      wrap.scrollLeft = 10_000;
      const first = wrap.querySelector('tr.model th') as HTMLElement;
      const wr = wrap.getBoundingClientRect();
      const fr = first.getBoundingClientRect();
      return { scrolls: wrap.scrollWidth > wrap.clientWidth, scrolled: wrap.scrollLeft > 0, inside: wr.right <= document.documentElement.clientWidth + 0.5, firstLeft: fr.left - wr.left, pageScroll: document.documentElement.scrollWidth <= document.documentElement.clientWidth, role: wrap.getAttribute('role'), tab: wrap.tabIndex };
    });
    assert.deepEqual(m, { scrolls: true, scrolled: true, inside: true, firstLeft: 0, pageScroll: true, role: 'region', tab: 0 });
    await page.locator('section.models').screenshot({ path: join(SCREENSHOTS, 'inspector-models-narrow.png') });
  } finally {
    await page.setViewportSize({ width: 1400, height: 1000 });
  }
});

test('channel legend: one line per DeepVariant channel id with its encoding; captions name the id', async () => {
  await page.click('details.channel-legend > summary');
  const legend = await page.$$eval('details.channel-legend dt', (d) => d.map((x) => [(x as HTMLElement).dataset.channelId, x.textContent]));
  assert.deepEqual(legend, [['1', '1 read base'], ['2', '2 base quality'], ['3', '3 mapping quality'], ['4', '4 strand'], ['5', '5 read supports variant'], ['6', '6 base differs from ref'], ['19', '19 insert size']]);
  const enc = await page.$$eval('details.channel-legend dd', (d) => Object.fromEntries(d.map((x) => [(x as HTMLElement).dataset.channelId, x.textContent])));
  assert.match(enc['1']!, /A 250 · G 180 · T 100 · C 30/);
  assert.match(enc['4']!, /forward 70 · reverse 240/);
  assert.match(enc['19']!, /TLEN/);
  // Keyed by id, not by position: the 7th image (position 6) is channel 19.
  assert.deepEqual(await page.$$eval('section.pileup figure[data-channel-id]', (f) => f.map((x) => (x as HTMLElement).dataset.channelId)), ['1', '2', '3', '4', '5', '6', '19']);
  assert.equal(await page.textContent('section.pileup figure[data-channel-id="19"] figcaption'), '19 insert size');
});

test('zoom keeps the candidate column on screen at 4×; trim hides the empty rows; grid puts channels side by side', async () => {
  const zoomTo = async (z: number): Promise<void> => {
    for (let i = 0; i < 8 && Number(await page.getAttribute('section.pileup', 'data-zoom')) !== z; i++) {
      await page.click(Number(await page.getAttribute('section.pileup', 'data-zoom')) < z ? 'section.pileup .zoom-in' : 'section.pileup .zoom-out');
    }
    await page.waitForSelector(`section.pileup[data-zoom="${z}"]`);
  };
  await page.setViewportSize({ width: 700, height: 900 });
  try {
    await zoomTo(4);
    await page.waitForFunction(() => [...document.querySelectorAll('section.pileup .viewport')].every((v) => v.scrollLeft > 0));
    const onScreen = await page.$$eval('section.pileup .candidate-mark', (ms) => ms.map((m) => {
      const r = m.getBoundingClientRect();
      const v = (m.closest('.viewport') as HTMLElement).getBoundingClientRect();
      return r.left >= v.left && r.right <= v.right && r.right <= document.documentElement.clientWidth;
    }));
    assert.equal(onScreen.length, 8);
    assert.ok(onScreen.every(Boolean), JSON.stringify(onScreen));
  } finally {
    await page.setViewportSize({ width: 1400, height: 1000 });
  }
  await zoomTo(1);
  // Trim is on by default: 5 reference rows + 40 read rows of 100.
  assert.equal(await page.$eval('section.pileup figure canvas', (c) => (c as HTMLCanvasElement).height), 45);
  await page.click('section.pileup .trim-rows');
  await page.waitForSelector('section.pileup[data-trim="false"]');
  assert.equal(await page.$eval('section.pileup figure canvas', (c) => (c as HTMLCanvasElement).height), 100);
  await page.click('section.pileup .trim-rows');
  await page.waitForSelector('section.pileup[data-trim="true"]');
  // Grid: at 1× several channels share a line.
  const tops = await page.$$eval('section.pileup figure', (f) => f.map((x) => Math.round(x.getBoundingClientRect().top)));
  assert.ok(new Set(tops).size < tops.length, `figure tops ${tops.join(',')}`);
  await page.click('section.pileup .grid-layout');
  await page.waitForSelector('section.pileup[data-layout="stack"]');
  const stacked = await page.$$eval('section.pileup figure', (f) => f.map((x) => Math.round(x.getBoundingClientRect().top)));
  assert.equal(new Set(stacked).size, stacked.length);
  await page.click('section.pileup .grid-layout');
  await page.waitForSelector('section.pileup[data-layout="grid"]');
  await zoomTo(2);
});

test('examples vs encoder: labelled groups, fixed layout, a difference overlay with "N pixels differ" and the rows', async () => {
  const imageTop = async (): Promise<number> => page.$eval('section.pileup figure canvas', (c) => c.getBoundingClientRect().top);
  const before = await imageTop();
  await page.click('section.pileup .tab[data-tab="2"]');
  await page.waitForSelector('section.pileup[data-tab="2"]');
  assert.equal(await imageTop(), before); // no layout shift between tabs
  assert.match((await page.textContent('.tensor-title')) ?? '', /^DeepVariant examples — A — /);
  assert.match((await page.textContent('.compare-label')) ?? '', /compare with Variant Lens encoder, default = retrained settings \(A\)/);
  await page.click('.compare-diff');
  await page.waitForSelector('.diff-summary');
  assert.equal(await page.textContent('.diff-summary'), '30 pixels differ in 3 rows: 20–22');
  assert.equal(await page.getAttribute('.diff-summary', 'data-rows'), '20,21,22');
  assert.equal(await page.$$eval('canvas.diff-overlay', (c) => c.length), 8);
  assert.equal(await imageTop(), before);
  await page.locator('section.pileup').screenshot({ path: join(SCREENSHOTS, 'inspector-examples-diff.png') });
  await page.click('.compare-off');
  await page.waitForSelector('.diff-summary', { state: 'detached' });
  await page.click('section.pileup .tab[data-tab="0"]');
  await page.waitForSelector('section.pileup[data-tab="0"]');
});

test('list keys: j/k/n/1–9 in the inspector go to the list (listKey event); a new site keeps the scroll anchor', async () => {
  await page.setViewportSize({ width: 700, height: 600 });
  try {
    await page.evaluate(() => { document.scrollingElement!.scrollTop = 0; });
    // Scroll so the pileup is at the top, then a new site arrives (as after j in the list).
    const target = await page.$eval('section.pileup', (p) => p.getBoundingClientRect().top + document.scrollingElement!.scrollTop);
    await page.evaluate((y) => { document.scrollingElement!.scrollTop = y; }, target);
    const topBefore = await page.$eval('section.pileup', (p) => Math.round(p.getBoundingClientRect().top));
    await page.evaluate(() => {
      const w = window as unknown as { __state: { generation: number; site: { pos: number } } };
      const next = { ...w.__state, generation: 8, site: { ...w.__state.site, pos: 10200 } };
      window.postMessage({ type: 'event', name: 'state', payload: next }, '*');
    });
    await page.waitForSelector('#app[data-site="chr20:10200"]');
    assert.equal(await page.$eval('section.pileup', (p) => Math.round(p.getBoundingClientRect().top)), topBefore);
    assert.ok(topBefore < 50, `pileup top ${topBefore}`);
    await page.evaluate(() => { (document.activeElement as HTMLElement | null)?.blur(); });
    for (const k of ['j', 'k', '2', 'n']) await page.keyboard.press(k);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string; name?: string }[] }).__posted.filter((m) => m.name === 'listKey').length >= 4);
    const keys = await page.evaluate(() => (window as unknown as { __posted: { name?: string; payload?: { key: string } }[] }).__posted.filter((m) => m.name === 'listKey').map((m) => m.payload!.key));
    assert.deepEqual(keys, ['j', 'k', '2', 'n']);
  } finally {
    await page.setViewportSize({ width: 1400, height: 1000 });
  }
});
