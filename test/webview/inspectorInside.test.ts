/**
 * The inspector webview's layer activations and raw ↔ realigned switch (webview/inspector/
 * layersView.ts, realignView.ts) in real Chromium under the strict CSP, with a fake host:
 *  - "Layer activations" asks `inspector.layers` for the shown image of the current generation
 *    and draws per model and layer the maps (pixels the model does not read transparent, the
 *    others on the ramp), the similarity bars (orange from the first divergent layer on) and
 *    the sentence;
 *  - "realigned" asks `inspector.realign` once, swaps the pileup's images for the realigned
 *    ones (the channel canvases show the realigned bytes), shows both images with the changed
 *    rows marked in the margin and each model's AD/call before and after; "raw" swaps back.
 * Synthetic images: raw pixel (r, c, k) = (r + c + 7k) mod 255; realigned = raw + 40.
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

const DIR = join(TEST_CACHE, 'inspector-inside-webview');
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
  const t = (shift: number, hover: boolean, source: string) => ({
    height: H, width: W, channels, data: tensor(shift), source, altLabel: 'CG',
    windowStart: 7745, windowBases: bases, candidateColumn: 110, refRows: 5, readRows: 30, hover,
  });
  const call = (m: string, gt: string) => ({ model: m, gt, gq: '20', qual: '20.1', filter: 'PASS', pl: '20,0,30', alleles: 'C>CG', fromCandidate: true,
    images: [{ altLabel: 'CG', probabilities: [0.1, 0.8, 0.1] }], training: { inTraining: false, text: `${m}: held out` } });
  const state = {
    generation: 7, origin: 'table', trust: { trusted: true },
    site: { file: '/demo/default.vcf.gz', row: 3, chrom: 'chr22', pos: 7856, ref: 'C', alt: 'CG', id: '.', qual: '20.1', filter: 'PASS', samples: [], info: [], line: 'chr22\t7856' },
    tensors: [t(0, true, 'reads: HG003-sim.bam (Variant Lens encoder)')],
    models: { state: 'done', explanations: [], notes: [], calls: [call('default', '0/1'), call('retrained', '1/1')] },
  };
  // A map: columns < 86 or ≥ 135 not read (255), the rest a gradient 0…254 along the columns.
  const map = (label: string) => {
    const d = new Uint8Array(H * W).fill(255);
    for (let r = 0; r < H; r++) for (let c = 86; c < 135; c++) d[r * W + c] = Math.round(((c - 86) / 48) * 254);
    return { label, height: H, width: W, data: d, min: -1, max: 2 };
  };
  const layer = (name: string) => ({ layer: name, channels: 16, cells: { height: 50, width: 24 }, mean: map('channel mean'), top: [map('channel 3'), map('channel 9')] });
  const layers = {
    tensor: 0, altLabel: 'CG', comparedOn: 'layers', summary: 'identical through conv1; apart from conv2 on (CKA 0.41); outputs differ by at most 0.7',
    models: ['default', 'retrained'].map((m) => ({ model: m, probabilities: [0.1, 0.8, 0.1], layers: [layer('conv1'), layer('conv2'), layer('conv3')], notes: [] })),
    similarity: [{ layer: 'conv1', cka: 1, cosine: 1 }, { layer: 'conv2', cka: 0.41, cosine: 0.9 }, { layer: 'conv3', cka: 0.3, cosine: 0.8 }],
    firstDivergent: 1,
  };
  const view = (gt: string, ad: string, dp: number) => ({ gt, gq: '19', qual: '19.0', ad, dp, alleles: 'C>CG', probabilities: [0.1, 0.7, 0.2] });
  const realign = {
    raw: [t(0, false, 'reads as in the BAM')], realigned: [t(40, false, 'reads after DeepVariant\'s realigner')],
    marks: [{ row: 12, kind: 'moved', name: 'read-a', before: '7800 100M', after: '7798 2S98M' }, { row: 20, kind: 'cigar', name: 'read-b', before: '7790 60M40S', after: '7790 100M' }],
    dropped: ['read-c'], droppedRows: [30],
    models: [{ model: 'default', realignsReads: false, raw: view('0/1', '16,10', 26), realigned: view('1/1', '13,13', 26) },
      { model: 'retrained', realignsReads: false, raw: view('0/1', '16,10', 26), realigned: view('0/1', '13,13', 26) }],
    summary: 'IGV shows 10 CG reads of DP 26; after realignment the model saw 13 of DP 26 (2 read rows changed by the realigner, 1 left the image)',
    notes: [],
  };
  const reply = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string; params: Record<string, number> }) {
      posted.push(JSON.parse(JSON.stringify(msg)));
      if (msg.type !== 'request') return;
      let result: unknown;
      if (msg.method === 'inspector.init') result = state;
      else if (msg.method === 'inspector.layers') result = msg.params.generation === 7 ? layers : null;
      else if (msg.method === 'inspector.realign') result = msg.params.generation === 7 ? realign : null;
      else if (msg.method === 'inspector.hover') result = null;
      else if (msg.method === 'review.init') result = { vocabulary: { name: 'v', verdicts: [], tags: [] }, reviewer: 'me' };
      else if (msg.method === 'review.site') result = null;
      else {
        reply({ type: 'response', inReplyTo: msg.messageId, error: { code: 'unknown', message: msg.method } });
        return;
      }
      // The realigner takes a moment: the page must wait for it.
      setTimeout(() => reply({ type: 'response', inReplyTo: msg.messageId, result }), msg.method === 'inspector.realign' ? 200 : 0);
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
    --vscode-button-foreground:#ffffff; --vscode-focusBorder:#007fd4; --vscode-charts-green:#89d185; --vscode-charts-orange:#d18616; }
    body { background: var(--vscode-editor-background); color: var(--vscode-foreground); }`);
  const url = writeCspPage(join(DIR, 'index.html'), {
    nonce: 'dGVzdG5vbmNl', title: 'inspector', bundle: 'inspector', css: ['common.css', 'inspector.css', 'inspector-inside.css'],
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

/** Pixel (x, y) of the `n`-th canvas matching `selector`: [r, g, b, a]. */
const pixel = (selector: string, n: number, x: number, y: number): Promise<number[]> => page.$$eval(selector, (cs, a) => {
  const c = cs[a.n] as HTMLCanvasElement;
  return Array.from(c.getContext('2d')!.getImageData(a.x, a.y, 1, 1).data);
}, { n, x, y });

test('layer activations: asked on demand for the shown image, maps and similarity drawn', async () => {
  assert.equal((await requests('inspector.layers')).length, 0, 'nothing is run before the button');
  await page.click('section.layers .layers-toggle');
  await page.waitForSelector('section.layers[data-state="done"]');
  assert.deepEqual((await requests('inspector.layers')).map((r) => r.params), [{ generation: 7, tensor: 0 }]);
  assert.deepEqual(await page.$$eval('section.layers .layers-model', (b) => b.map((x) => (x as HTMLElement).dataset.model)), ['default', 'retrained']);
  assert.deepEqual(await page.$$eval('section.layers .layer-row', (r) => r.map((x) => (x as HTMLElement).dataset.layer)), ['conv1', 'conv2', 'conv3']);
  // Per layer the two models' channel means side by side, their top channels folded under them.
  assert.deepEqual(await page.$$eval('.layer-row[data-layer="conv2"] > .layer-maps .act-fig', (f) => f.map((x) => x.textContent)), ['default · channel mean', 'retrained · channel mean']);
  assert.equal(await page.$$eval('.layer-row[data-layer="conv2"] .layer-top .act-fig', (f) => f.length), 4);
  assert.match(await page.$eval('.layer-row[data-layer="conv2"] .layer-name', (e) => e.textContent ?? ''), /conv2 · 16 channels · 50×24 cells · CKA 0\.410/);
  assert.equal(await page.$$eval('section.layers canvas.act-map', (c) => c.length), 2 * 3 * 3);
  assert.deepEqual(await page.$eval('section.layers canvas.act-map', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]), [221, 100]);
  // Column 10 is not read by the model: transparent. Column 86 is the minimum (dark blue), 134 the maximum (yellow).
  assert.equal((await pixel('section.layers canvas.act-map', 0, 10, 50))[3], 0);
  assert.deepEqual(await pixel('section.layers canvas.act-map', 0, 86, 50), [0, 40, 160, 255]);
  assert.deepEqual(await pixel('section.layers canvas.act-map', 0, 134, 50), [255, 240, 30, 255]);
  assert.match(await page.$eval('.layers-summary', (e) => e.textContent ?? ''), /identical through conv1; apart from conv2 on/);
  assert.deepEqual(await page.$$eval('.sim-col', (c) => c.map((x) => [(x as HTMLElement).dataset.layer, x.querySelector('.sim-bar')!.className])),
    [['conv1', 'sim-bar same'], ['conv2', 'sim-bar apart'], ['conv3', 'sim-bar apart']]);
  const heights = await page.$$eval('.sim-bar', (b) => b.map((x) => Math.round(x.getBoundingClientRect().height)));
  assert.ok(heights[0]! > heights[1]! && heights[1]! > heights[2]!, heights.join(','));
  await page.locator('section.layers').screenshot({ path: join(SCREENSHOTS, 'inspector-layers.png') });
  // Closing hides the maps without asking again.
  await page.click('section.layers .layers-toggle');
  assert.equal(await page.$eval('.layers-slot', (e) => (e as HTMLElement).hidden), true);
  assert.equal((await requests('inspector.layers')).length, 1);
});

test('raw ↔ realigned: the pileup swaps images, both shown side by side with marks, AD and calls before and after', async () => {
  // Channel 2 (base quality) at (row 10, col 20): raw (10 + 20 + 7), realigned + 40.
  const channel2 = (): Promise<number> => pixel('section.pileup figure canvas.pixels', 2, 20, 10).then((p) => p[0]!);
  assert.equal(await channel2(), RESCALE_254[(10 + 20 + 7) % 255]);
  assert.equal((await requests('inspector.realign')).length, 0);
  // On raw the switch sits in the pileup's bar and its section is hidden (the one-screen layout is unchanged).
  assert.equal(await page.$eval('section.pileup .pileup-bar .realign-bar .realign-raw', (b) => b.getAttribute('aria-pressed')), 'true');
  assert.equal(await page.$eval('section.realign', (e) => (e as HTMLElement).hidden), true);
  await page.click('.realign-bar .realign-realigned');
  await page.waitForSelector('section.realign[data-state="loading"]');
  await page.waitForSelector('section.realign[data-state="done"]');
  assert.deepEqual((await requests('inspector.realign')).map((r) => r.params), [{ generation: 7 }]);
  await page.waitForFunction(() => document.querySelector('section.pileup .note')?.textContent?.startsWith('Realigned reads'));
  assert.equal(await channel2(), RESCALE_254[(10 + 20 + 7 + 40) % 255]);
  assert.equal(await page.$eval('.realign-realigned', (b) => b.getAttribute('aria-pressed')), 'true');
  assert.match(await page.$eval('.realign-summary', (e) => e.textContent ?? ''), /^IGV shows 10 CG reads of DP 26; after realignment the model saw 13/);
  assert.deepEqual(await page.$$eval('.realign-fig', (f) => f.map((x) => (x as HTMLElement).dataset.side)), ['raw', 'realigned']);
  // The moved read's row has the margin mark in the realigned image only; a plain row none.
  const moved = await pixel('.realign-fig canvas', 1, 0, 12);
  assert.deepEqual(moved, [255, 80, 200, 255]);
  assert.deepEqual(await pixel('.realign-fig canvas', 1, 0, 20), [255, 200, 0, 255]);
  assert.equal((await pixel('.realign-fig canvas', 0, 0, 12))[3], 0);
  // The read that left the image is marked in the raw image.
  assert.deepEqual(await pixel('.realign-fig canvas', 0, 0, 30), [150, 150, 150, 255]);
  assert.equal((await pixel('.realign-fig canvas', 1, 0, 30))[3], 0);
  assert.equal((await pixel('.realign-fig canvas', 1, 0, 13))[3], 0);
  const rows = await page.$$eval('table.realign-calls tr[data-model]', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.model, tr.className,
    ...Array.from(tr.querySelectorAll('td[data-side]')).filter((_, i) => i % 5 === 0 || i % 5 === 2).map((td) => td.textContent)]));
  assert.deepEqual(rows, [['default', 'changed', '0/1', '16,10', '1/1', '13,13'], ['retrained', '', '0/1', '16,10', '0/1', '13,13']]);
  assert.match(await page.$eval('.realign-legend', (e) => e.textContent ?? ''), /left the image: read-c/);
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-realign.png'), fullPage: true });
  // Back to raw: the pileup draws the raw bytes again; the answer is kept (no second request).
  await page.click('.realign-bar .realign-raw');
  await page.waitForFunction(() => document.querySelector('.realign-raw')?.getAttribute('aria-pressed') === 'true');
  assert.equal(await channel2(), RESCALE_254[(10 + 20 + 7) % 255]);
  assert.equal(await page.$eval('section.realign', (e) => (e as HTMLElement).hidden), true);
  await page.click('.realign-bar .realign-realigned');
  await page.waitForSelector('section.realign[data-state="done"]');
  assert.equal(await channel2(), RESCALE_254[(10 + 20 + 7 + 40) % 255]);
  assert.equal((await requests('inspector.realign')).length, 1);
  assert.deepEqual(problems, []);
});
