/**
 * The inspector's raw ↔ realigned side-by-side (webview/inspector/realignView.ts) on an
 * alt-aligned 'rows' image (docs/deepvariant.md §12.3) in real Chromium under the strict CSP,
 * with a fake host: both images drawn as three blocks with show's grey bands (blockLayout),
 * each block cut to the rows any block needs (the blocks stay equal), the realigner's marks in
 * the reference-aligned block, and the blocks labelled beside the pixels (ref, alt 1, alt 2).
 * Synthetic 300×221×6 images: block k row r col c channel ch = 20 + 60k + ((r + c + ch) mod 40)
 * for r < 40 (zero below); the realigned image adds 10.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BLOCK_GAP, blockLayout, blockTop, renderRgb } from '../../src/core/render/showExamples';
import { TEST_CACHE } from '../helpers/paths';
import { buildBundles, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'inspector-realign-rows-webview');
const H = 300, W = 221, C = 6, USED = 40;

function rowsData(shift: number): Uint8Array {
  const d = new Uint8Array(H * W * C);
  for (let k = 0; k < 3; k++) for (let r = 0; r < USED; r++) for (let c = 0; c < W; c++) for (let ch = 0; ch < C; ch++) d[((k * 100 + r) * W + c) * C + ch] = 20 + 60 * k + ((r + c + ch) % 40) + shift;
  return d;
}

function fakeHost(arg: { raw: number[]; realigned: number[] }): void {
  const w = window as unknown as Record<string, unknown>;
  const bases = 'ACGT'.repeat(56).slice(0, 221);
  const t = (data: number[], hover: boolean, source: string) => ({
    height: 300, width: 221, channels: [1, 2, 3, 4, 5, 6], data: Uint8Array.from(data), source, altLabel: 'CG', altLayout: 'rows', altBlocks: ['CG', 'CG'],
    windowStart: 7745, windowBases: bases, candidateColumn: 110, refRows: 5, readRows: 30, hover,
  });
  const call = (m: string, gt: string) => ({ model: m, gt, gq: '20', qual: '20.1', filter: 'PASS', pl: '20,0,30', alleles: 'C>CG', fromCandidate: true,
    images: [{ altLabel: 'CG', probabilities: [0.1, 0.8, 0.1] }], training: { inTraining: false, text: `${m}: held out` } });
  const state = {
    generation: 7, origin: 'table', trust: { trusted: true },
    site: { file: '/demo/default.vcf.gz', row: 3, chrom: 'chr22', pos: 7856, ref: 'C', alt: 'CG', id: '.', qual: '20.1', filter: 'PASS', samples: [], info: [], line: 'chr22\t7856' },
    tensors: [t(arg.raw, true, 'reads: HG003-sim.bam (Variant Lens encoder)')],
    models: { state: 'done', explanations: [], notes: [], calls: [call('default', '0/1')] },
  };
  const view = (gt: string) => ({ gt, gq: '19', qual: '19.0', ad: '16,10', dp: 26, alleles: 'C>CG', probabilities: [0.1, 0.7, 0.2] });
  const realign = {
    raw: [t(arg.raw, false, 'reads as in the BAM')], realigned: [t(arg.realigned, false, 'reads after DeepVariant\'s realigner')],
    marks: [{ row: 12, kind: 'moved', name: 'read-a', before: '7800 100M', after: '7798 2S98M' }],
    dropped: [], droppedRows: [],
    models: [{ model: 'default', realignsReads: true, raw: view('0/1'), realigned: view('1/1') }],
    summary: 'IGV shows 10 CG reads of DP 26; after realignment the model saw 13 of DP 26 (1 read row changed by the realigner)',
    notes: [],
  };
  const reply = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string; params: Record<string, number> }) {
      if (msg.type !== 'request') return;
      let result: unknown;
      if (msg.method === 'inspector.init') result = state;
      else if (msg.method === 'inspector.realign') result = realign;
      else if (msg.method === 'inspector.hover') result = null;
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

before(async () => {
  buildBundles();
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'theme.css'), `:root { --vscode-foreground:#cccccc; --vscode-editor-background:#1e1e1e; --vscode-font-family:sans-serif; --vscode-font-size:13px;
    --vscode-editor-font-family:monospace; --vscode-descriptionForeground:#9d9d9d; --vscode-panel-border:#3c3c3c; --vscode-button-background:#0e639c;
    --vscode-button-foreground:#ffffff; --vscode-focusBorder:#007fd4; }
    body { background: var(--vscode-editor-background); color: var(--vscode-foreground); }`);
  const url = writeCspPage(join(DIR, 'index.html'), {
    nonce: 'dGVzdG5vbmNl', title: 'inspector', bundle: 'inspector', css: ['common.css', 'inspector.css', 'inspector-inside.css'],
    headExtra: `<link rel="stylesheet" href="${pathToFileURL(join(DIR, 'theme.css')).href}">`,
  });
  browser = await launchChromium();
  page = await newWatchedPage(browser, { width: 1400, height: 1000 }, problems, { console: ['error'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(page, url, fakeHost, { raw: [...rowsData(0)], realigned: [...rowsData(10)] });
  await page.waitForSelector('section.pileup canvas.pixels').catch((e: unknown) => { throw new Error(`${String(e)}\n${problems.join('\n')}`); });
});

after(async () => {
  await browser?.close();
});

test("raw ↔ realigned on a 'rows' image: both sides as three labelled blocks with show's bands, marks in the reference-aligned block", async () => {
  await page.click('.realign-bar .realign-realigned');
  await page.waitForSelector('section.realign[data-state="done"]');
  const figs = page.locator('.realign-fig');
  assert.equal(await figs.count(), 2);
  // Each block cut to its 40 used rows: 3 · 40 + 2 · BLOCK_GAP drawn rows, MARGIN (4) + 221 columns.
  const layout = blockLayout(3 * USED, 3);
  const sizes = await page.$$eval('.realign-fig canvas.realign-image', (cs) => cs.map((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]));
  assert.deepEqual(sizes, [[225, layout.drawnHeight], [225, layout.drawnHeight]]);
  assert.equal(layout.drawnHeight, 3 * USED + 2 * BLOCK_GAP);
  // Pixels: one read per canvas (all rows of column 4 + 20 and of the margin column 0).
  const cols = await page.$$eval('.realign-fig canvas.realign-image', (cs) => cs.map((c) => {
    const cv = c as HTMLCanvasElement;
    const ctx = cv.getContext('2d')!;
    return Array.from(ctx.getImageData(0, 0, 25, cv.height).data);
  }));
  for (const [side, shift] of [[0, 0], [1, 10]] as const) {
    const shown = new Uint8Array(3 * USED * W * C);
    const full = rowsData(shift);
    for (let k = 0; k < 3; k++) shown.set(full.subarray(k * 100 * W * C, (k * 100 + USED) * W * C), k * USED * W * C);
    const want = renderRgb({ height: 3 * USED, width: W, channels: [1, 2, 3, 4, 5, 6], data: shown }, { annotate: false, blocks: 3 });
    const at = (x: number, y: number): number[] => cols[side]!.slice((y * 25 + x) * 4, (y * 25 + x) * 4 + 4);
    for (let k = 0; k < 3; k++) {
      for (const r of [0, 17, USED - 1]) {
        const y = blockTop(layout, k) + r;
        const s = (y * W + 20) * 3;
        assert.deepEqual(at(4 + 20, y), [want.data[s]!, want.data[s + 1]!, want.data[s + 2]!, 255], `side ${side} block ${k} row ${r}`);
      }
    }
    for (const y of [USED, USED + 1, USED + 2, 2 * USED + 3]) assert.deepEqual(at(4 + 20, y), [128, 128, 128, 255], `side ${side} band row ${y}`);
    // The moved read's mark: row 12 of the realigned image's reference-aligned block only.
    assert.deepEqual(at(0, 12), side === 1 ? [255, 80, 200, 255] : [0, 0, 0, 0]);
    assert.equal(at(0, blockTop(layout, 1) + 12)[3], 0, 'no mark in the alt blocks');
  }
  // Labels beside each canvas at the blocks' drawn rows (zoom 1 or 2).
  for (let f = 0; f < 2; f++) {
    const fig = figs.nth(f);
    assert.equal(await fig.locator('.blocked').getAttribute('data-blocks'), 'reference-aligned|alt-1-aligned (ins G)|alt-2-aligned (ins G)');
    const labels = fig.locator('.block-label');
    assert.deepEqual(await labels.allTextContents(), ['ref', 'alt 1', 'alt 2']);
    const c = (await fig.locator('canvas.realign-image').boundingBox())!;
    const zoom = c.height / layout.drawnHeight;
    for (let k = 0; k < 3; k++) {
      const b = (await labels.nth(k).boundingBox())!;
      assert.ok(Math.abs(b.y - (c.y + blockTop(layout, k) * zoom)) <= 1.5, `fig ${f} label ${k} at the block's top: ${b.y} vs ${c.y + blockTop(layout, k) * zoom}`);
      assert.ok(Math.abs(b.height - USED * zoom) <= 1.5, `fig ${f} label ${k} spans its block`);
      assert.ok(b.x + b.width <= c.x + 0.5, `fig ${f} label ${k} beside the pixels`);
    }
  }
  assert.deepEqual(problems, []);
});
