/**
 * The inspector's explanation (webview/inspector/explainView.ts, explainCharts.ts) in real
 * Chromium under the strict CSP, with a fake host: two models that disagree, so the page asks
 * `inspector.explain` by itself; the host reports progress, sends the cross-run early (the
 * `explanation` event), then the full view. Checks the verdict and the 2×2, the attribution
 * overlay switch (the overlay's pixels are the host's RGBA, only on the tabs it names), the
 * SVG curves (one line per class and model, a point per x, hollow where no candidate), the
 * attribution tables, and that Cancel sends the rpc `cancel` for the running request.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT, TEST_CACHE } from '../helpers/paths';
import { buildBundles, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'explain-webview');
const SCREENSHOTS = join(PROJECT_ROOT, 'test/webview/screenshots');

function fakeHost(): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  w.__posted = posted;
  w.__explainMode = 'answer';
  const H = 60;
  const W = 101;
  const channels = [1, 2, 3, 4, 5, 6];
  const tensor = (shift: number) => {
    const d = new Uint8Array(H * W * channels.length);
    for (let r = 0; r < 30; r++) for (let c = 0; c < W; c++) for (let k = 0; k < channels.length; k++) d[(r * W + c) * channels.length + k] = 60 + ((r + c + 7 * k + shift) % 150);
    return d;
  };
  const t = (alt: string, shift: number, seenBy: string[]) => ({
    height: H, width: W, channels, data: tensor(shift), source: 'reads: HG003-sim.bam', altLabel: alt,
    windowStart: 30007, windowBases: 'ACGT'.repeat(26).slice(0, W), candidateColumn: 50, refRows: 5, readRows: 25, hover: false, seenBy,
  });
  const state = {
    generation: 3, origin: 'diff', trust: { trusted: true },
    site: { file: '/demo/retrained.vcf.gz', row: 1, chrom: 'chr21', pos: 30058, ref: 'T', alt: 'C', id: '.', qual: '40', filter: 'PASS',
      samples: [{ name: 'HG003-sim', gt: '1/1', gq: '20', dp: '31', ad: '11,20', vaf: '0.64', pl: '40,20,0' }], info: [], line: 'chr21\t30058\t.\tT\tC' },
    tensors: [t('C', 0, ['default']), t('C', 5, ['retrained'])],
    models: {
      state: 'done', explanations: [], notes: [],
      calls: [
        { model: 'default', gt: '.', gq: '', qual: '', filter: '', pl: '', alleles: '', images: [], fromCandidate: false, noCallReason: 'no candidate', training: { inTraining: false, text: 'held out' } },
        { model: 'retrained', gt: '1/1', gq: '20', qual: '40', filter: 'PASS', pl: '40,20,0', alleles: 'T>C', fromCandidate: true, images: [{ altLabel: 'C', probabilities: [0, 0, 1] }], training: { inTraining: false, text: 'held out' } },
      ],
    },
  };
  // Overlay A: rows 10–19 red-ish with alpha 200 on tab 0; B on tab 1; difference on tab 0.
  const rgba = (r: number, b: number) => {
    const d = new Uint8Array(W * H * 4);
    for (let y = 10; y < 20; y++) for (let x = 0; x < W; x++) { const p = (y * W + x) * 4; d[p] = r; d[p + 1] = 40; d[p + 2] = b; d[p + 3] = 200; }
    return d;
  };
  const legend = new Uint8Array(101 * 4);
  for (let i = 0; i < 101; i++) { legend[i * 4] = i < 50 ? i * 5 : 255; legend[i * 4 + 2] = i > 50 ? 255 - (i - 50) * 5 : 255; legend[i * 4 + 3] = 255; }
  const crossRun = [
    [{ probs: [0.03, 0.96, 0.01], gt: '0/1', genotypeClass: 'het', candidate: false, dp: 11, ad: [11, 0], readRows: 11, altRows: 0 }, { probs: [0, 0, 1], gt: '1/1', genotypeClass: 'hom-alt', candidate: true, dp: 31, ad: [11, 20], readRows: 31, altRows: 20 }],
    [{ probs: [1, 0, 0], gt: '0/0', genotypeClass: 'hom-ref', candidate: false, dp: 11, ad: [11, 0], readRows: 11, altRows: 0 }, { probs: [0, 0, 1], gt: '1/1', genotypeClass: 'hom-alt', candidate: true, dp: 31, ad: [11, 20], readRows: 31, altRows: 20 }],
  ];
  const xs = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  const curve = (name: string, label: string) => ({
    name, xLabel: label, description: `${label} varied`,
    models: [0, 1].map((m) => ({ x: xs, probs: xs.map((x) => [1 - x, x * (m ? 0.2 : 0.8), x * (m ? 0.8 : 0.2)]), candidate: xs.map((x) => m === 1 || x > 0.45) })),
  });
  const full = {
    generation: 3, state: 'done', done: 1, total: 1, models: ['default', 'retrained'], params: [['min_base_quality 10'], ['min_base_quality 5', 'min_mapping_quality 1']], crossRun,
    verdict: { kind: 'inputs', text: 'inputs: on identical images the models agree, so the images decide: retrained sees 20 alt reads that default drops (min_mapping_quality 1 vs 5)', inputShift: 1, weightShift: 0.03 },
    called: ['het', 'hom-alt'],
    overlays: [
      { mode: 'a', title: 'ΔP(het) of default', model: 'default', tensors: [0], width: W, height: H, rgba: rgba(230, 20), scale: 0.25 },
      { mode: 'b', title: 'ΔP(hom-alt) of retrained', model: 'retrained', tensors: [1], width: W, height: H, rgba: rgba(20, 230), scale: 0.25 },
      { mode: 'diff', title: 'ΔP(het) of default − retrained', model: 'default', tensors: [0], width: W, height: H, rgba: rgba(120, 120), scale: 0.5 },
    ],
    legend,
    curves: [curve('depth', 'fraction of reads kept'), curve('altFraction', 'alt fraction'), curve('baseQuality', 'base quality shift'), curve('mappingQuality', 'MAPQ cap')],
    channels: [{ label: '1 read_base', detail: 'read base → the reference base', deltaP: [0.4, -0.2] }, { label: '5 mapping_quality', detail: 'MAPQ → the site median', deltaP: [0.01, 0.5] }],
    bands: [{ label: '30,053–30,063 (variant)', detail: 'columns 45–55', deltaP: [0.3, 0.6] }],
    reads: [{ label: 'r7/1', detail: 'MAPQ 3 · + strand · 150M · supports retrained: alt', deltaP: [null, 0.2] }],
    readCount: 31, partial: false, problems: [],
  };
  const reply = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string; params: unknown }) {
      posted.push(JSON.parse(JSON.stringify(msg)));
      if (msg.type !== 'request') return;
      let result: unknown;
      if (msg.method === 'inspector.init') result = state;
      else if (msg.method === 'review.init') result = { vocabulary: { name: 'v', verdicts: [], tags: [] }, reviewer: 'me' };
      else if (msg.method === 'review.site') result = null;
      else if (msg.method === 'inspector.explain') {
        reply({ type: 'progress', inReplyTo: msg.messageId, done: 4, total: 4, label: 'cross-run' });
        reply({ type: 'event', name: 'explanation', payload: { generation: 3, state: 'running', message: 'cross-run', done: 4, total: 40, models: ['default', 'retrained'], params: [[], []], crossRun } });
        if (w.__explainMode === 'hold') return;
        setTimeout(() => window.postMessage({ type: 'response', inReplyTo: msg.messageId, result: full }, '*'), 400);
        return;
      } else {
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
type Posted = { type: string; method?: string; messageId?: number; target?: number; params?: Record<string, number> };
const posted = async (): Promise<Posted[]> => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);

before(async () => {
  buildBundles();
  mkdirSync(DIR, { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(DIR, 'theme.css'), `:root { --vscode-foreground:#cccccc; --vscode-editor-background:#1e1e1e; --vscode-font-family:sans-serif; --vscode-font-size:13px;
    --vscode-editor-font-family:monospace; --vscode-descriptionForeground:#9d9d9d; --vscode-panel-border:#3c3c3c; --vscode-button-background:#0e639c;
    --vscode-button-foreground:#ffffff; --vscode-focusBorder:#007fd4; --vscode-charts-blue:#3794ff; --vscode-charts-yellow:#cca700; --vscode-charts-red:#f14c4c;
    --vscode-charts-orange:#d18616; --vscode-errorForeground:#f48771; }
    body { background: var(--vscode-editor-background); color: var(--vscode-foreground); }`);
  const url = writeCspPage(join(DIR, 'index.html'), {
    nonce: 'dGVzdG5vbmNl', title: 'inspector', bundle: 'inspector', css: ['common.css', 'inspector.css', 'review.css', 'explain.css'],
    headExtra: `<link rel="stylesheet" href="${pathToFileURL(join(DIR, 'theme.css')).href}">`,
  });
  browser = await launchChromium();
  page = await newWatchedPage(browser, { width: 1400, height: 900 }, problems, { console: ['error'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(page, url, fakeHost, undefined);
  await page.waitForSelector('.explanation-slot[data-state="done"]', { timeout: 20_000 }).catch((e: unknown) => { throw new Error(`${String(e)}\n${problems.join('\n')}`); });
});

after(async () => {
  await browser?.close();
});

test('the models disagree: the page asks inspector.explain for its generation by itself, once', async () => {
  const asks = (await posted()).filter((m) => m.type === 'request' && m.method === 'inspector.explain');
  assert.equal(asks.length, 1);
  assert.deepEqual(asks[0]!.params, { generation: 3 });
});

test('verdict sentence and the 2×2 cross-run in the slot, above the pileup', async () => {
  assert.equal(await page.textContent('.explanation-slot .verdict-kind'), 'inputs');
  assert.match((await page.textContent('.explanation-slot .verdict-text'))!, /^inputs: on identical images the models agree/);
  const cells = await page.$$eval('table.cross-run td.cell', (tds) => tds.map((td) => [(td as HTMLElement).dataset.i, (td as HTMLElement).dataset.j, td.querySelector('b')?.textContent, td.classList.contains('own')]));
  assert.deepEqual(cells, [['0', '0', '0/1', true], ['0', '1', '1/1', false], ['1', '0', '0/0', false], ['1', '1', '1/1', true]]);
  assert.match((await page.getAttribute('table.cross-run td[data-i="0"][data-j="0"]', 'title'))!, /no candidate/);
  assert.equal(await page.textContent('table.cross-run td[data-i="0"][data-j="0"]'), '0/1 het 0.96 · no cand.');
  // The sentence is clamped; a click shows all of it.
  await page.click('.explanation-slot .verdict-text');
  assert.equal(await page.getAttribute('.explanation-slot .verdict-text', 'aria-expanded'), 'true');
  await page.click('.explanation-slot .verdict-text');
  // One screen at 1400×900: the verdict, the model table and the pileup's first image are all in view.
  for (const sel of ['.explanation-slot .verdict-text', 'section.models', 'section.pileup canvas.pixels']) {
    const box = (await page.locator(sel).first().boundingBox())!;
    assert.ok(box.y >= 0 && box.y + Math.min(box.height, 40) <= 900, `${sel} at y=${box.y} is off the 1400×900 screen`);
  }
});

test('overlay switch: A draws the host\'s RGBA over tab 0 only; difference; off removes it', async () => {
  assert.equal(await page.$$eval('canvas.attribution-overlay', (c) => c.length), 0, 'off by default');
  const buttons = await page.$$eval('.overlay-switch button', (b) => b.map((x) => x.textContent));
  assert.deepEqual(buttons, ['off', 'default', 'retrained', 'difference']);
  await page.click('.overlay-switch button.overlay-a');
  await page.waitForSelector('canvas.attribution-overlay');
  const px = (y: number) => page.$eval('canvas.attribution-overlay', (c, yy) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(50, yy, 1, 1).data), y);
  // (canvas stores premultiplied alpha: a colour read back can be off by one)
  const near = (a: number | undefined, b: number, what: string): void => assert.ok(a !== undefined && Math.abs(a - b) <= 2, `${what}: ${a} vs ${b}`);
  const inside = await px(12);
  near(inside[0], 230, 'red');
  near(inside[2], 20, 'blue');
  assert.equal(inside[3], 200);
  assert.equal((await px(2))[3], 0, 'transparent where nothing is attributed');
  assert.equal(await page.getAttribute('.overlay-legend', 'data-scale'), '0.25');
  assert.deepEqual(await page.$$eval('.overlay-legend .legend-end', (e) => e.map((x) => x.textContent)), ['−0.250', '+0.250']);
  // Model B's overlay belongs to tab 1 (its own image): not drawn on tab 0.
  await page.click('.overlay-switch button.overlay-b');
  await page.waitForFunction(() => document.querySelector('.overlay-switch button.overlay-b')?.getAttribute('aria-pressed') === 'true');
  assert.equal(await page.$$eval('canvas.attribution-overlay', (c) => c.length), 0);
  await page.click('section.pileup .tab[data-tab="1"]');
  await page.waitForSelector('canvas.attribution-overlay');
  near((await px(12))[2], 230, 'blue of B');
  await page.click('section.pileup .tab[data-tab="0"]');
  await page.click('.overlay-switch button.overlay-diff');
  await page.waitForSelector('canvas.attribution-overlay');
  near((await px(12))[0], 120, 'red of the difference');
  assert.equal(await page.getAttribute('.overlay-legend', 'data-scale'), '0.5');
  await page.click('.overlay-switch button.overlay-a');
  await page.waitForSelector('canvas.attribution-overlay');
});

test('curves: four SVG charts, three lines per model, a point per x, hollow without a candidate', async () => {
  await page.click('details.explain-details > summary');
  const charts = await page.$$eval('figure.curve-chart', (f) => f.map((x) => (x as HTMLElement).dataset.curve));
  assert.deepEqual(charts, ['depth', 'altFraction', 'baseQuality', 'mappingQuality']);
  const depth = await page.$eval('figure.curve-chart[data-curve="depth"]', (f) => ({
    lines: f.querySelectorAll('path.line').length,
    dashed: f.querySelectorAll('g.model-1 path.line[stroke-dasharray]').length,
    points: f.querySelectorAll('circle.point').length,
    hollow: f.querySelectorAll('g.model-0 circle.point.no-candidate').length,
    hollowB: f.querySelectorAll('g.model-1 circle.point.no-candidate').length,
  }));
  assert.deepEqual(depth, { lines: 6, dashed: 3, points: 60, hollow: 12, hollowB: 0 });
  // P(het) of model 0 at x = 1 sits at the top-ish (0.8) and its title says so.
  const titles = await page.$$eval('figure.curve-chart[data-curve="depth"] g.model-0 circle.point.het title', (t) => t.map((x) => x.textContent));
  assert.equal(titles.length, 10);
  assert.match(titles[9]!, /default: fraction of reads kept 1 → P\(het\) 0\.800/);
  const stroke = await page.$eval('figure.curve-chart path.line.hom-alt', (p) => getComputedStyle(p).stroke);
  assert.equal(stroke, 'rgb(241, 76, 76)', 'the class colour comes from the theme variable');
});

test('attribution tables: channels with their counterfactual, bands, reads', async () => {
  const rows = await page.$$eval('.attribution.channels tr', (tr) => tr.slice(1).map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.querySelector('.dnum')?.textContent ?? td.textContent)));
  assert.deepEqual(rows, [['1 read_base', '+0.400', '−0.200', 'read base → the reference base'], ['5 mapping_quality', '+0.010', '+0.500', 'MAPQ → the site median']]);
  assert.equal(await page.$$eval('.attribution.reads td.delta .dnum', (d) => d.map((x) => x.textContent).join(' ')), '– +0.200');
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-explain.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('Cancel sends the rpc cancel of the running inspector.explain and says so', async () => {
  await page.evaluate(() => { (window as unknown as { __explainMode: string }).__explainMode = 'hold'; });
  await page.click('.explanation-slot button.explain-run');
  await page.waitForSelector('.explanation-slot[data-state="running"] button.explain-cancel');
  // The progress event follows the running state (a message later): wait for it, then check it.
  await page.waitForFunction(() => /cross-run/.test(document.querySelector('.explain-progress')?.textContent ?? ''), undefined, { timeout: 5000 });
  assert.match((await page.textContent('.explain-progress'))!, /cross-run 4\/4 images/);
  // The early cross-run is on screen while the rest runs.
  await page.waitForSelector('.explanation-slot table.cross-run');
  await page.click('.explanation-slot button.explain-cancel');
  await page.waitForSelector('.explanation-slot .explain-error');
  assert.equal(await page.textContent('.explanation-slot .explain-error'), 'Explanation cancelled.');
  const all = await posted();
  const asks = all.filter((m) => m.type === 'request' && m.method === 'inspector.explain');
  const cancel = all.filter((m) => m.type === 'cancel');
  assert.equal(asks.length, 2);
  assert.deepEqual(cancel.map((c) => c.target), [asks[1]!.messageId]);
});
