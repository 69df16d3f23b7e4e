/**
 * The review queue webview (dist/webview/queue.js) in real Chromium at 1400×900, under the
 * webviews' strict CSP, with a fake host answering the queue protocol for 412 sites (37 of
 * them reviewed): tiles arrive in batches (4, then 12) with progress, slowly enough that a
 * request can be cancelled. Checks the layout (≥ 24 whole tiles on screen, none overlapping),
 * the progress text, the keys (arrows, 1–9 verdicts that advance, Enter, PageDown), that the
 * page asks for the screen's tiles and cancels a request whose sites scrolled away.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT, TEST_CACHE } from '../helpers/paths';
import { buildIfStale, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'review-queue');
const SCREENSHOTS = join(PROJECT_ROOT, 'test/webview/screenshots');
const N = 412;
const REVIEWED = 37;

function fakeHost(arg: { n: number; reviewed: number }): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  w.__posted = posted;
  let reviewed = arg.reviewed;
  const verdicts = ['default-correct', 'retrained-correct', 'both-correct', 'both-wrong', 'uncertain'];
  const cells = new Map<number, unknown>();
  for (let i = 0; i < arg.reviewed; i++) cells.set(i * 7, { verdict: verdicts[i % 5], title: verdicts[i % 5], tags: [], note: '', reviewer: 'r', time: 't', versions: 1, conflict: false });
  const cancelled = new Set<number>();
  const post = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  const site = (i: number) => ({
    index: i, contig: 'chr20', pos: 10_000 + i * 37, ref: 'A', alt: i % 4 === 0 ? 'AT' : 'G', classes: [['gt-change', 'only-A', 'filter-change'][i % 3]],
    calls: [{ label: 'A', gt: '0/1', qual: String(30 + (i % 9)) }, { label: 'B', gt: i % 3 === 1 ? '—' : '1/1', qual: i % 3 === 1 ? '' : '12.5' }],
    ...(cells.has(i) ? { review: cells.get(i) } : {}),
  });
  const image = (i: number, model: string) => {
    const width = 111, height = 50;
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const row = Math.floor(p / width);
      rgba[p * 4] = row < 3 ? 200 : (i * 40 + row * 3) & 255;
      rgba[p * 4 + 1] = model === 'retrained' ? 180 : 60;
      rgba[p * 4 + 2] = (p % width) * 2;
      rgba[p * 4 + 3] = 255;
    }
    return { models: [model], width, height, rgba };
  };
  // Site 6: a model with DeepVariant's alt-aligned 'rows' layout: three 50-row blocks, grey bands at rows 50–52 and 103–105.
  const rowsImage = () => {
    const width = 111, height = 156;
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const row = Math.floor(p / width);
      const band = (row >= 50 && row < 53) || (row >= 103 && row < 106);
      rgba[p * 4] = band ? 128 : row < 50 ? 220 : row < 103 ? 30 : 120;
      rgba[p * 4 + 1] = band ? 128 : 90;
      rgba[p * 4 + 2] = band ? 128 : 40;
      rgba[p * 4 + 3] = 255;
    }
    const blocks = [
      { title: 'reference-aligned', short: 'ref', top: 0, height: 50 },
      { title: 'alt-1-aligned (G)', short: 'alt 1', top: 53, height: 50 },
      { title: 'alt-2-aligned (G)', short: 'alt 2', top: 106, height: 50 },
    ];
    return { models: ['default', 'retrained'], width, height, rgba, blocks };
  };
  const tile = (i: number) => (i === 6 ? { index: i, images: [rowsImage()] } : i % 5 === 0 ? { index: i, images: [image(i, 'default'), image(i, 'retrained')] } : { index: i, images: [{ ...image(i, 'default'), models: ['default', 'retrained'] }] });
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string; params: { from: number; to: number; index: number; shortcut: string }; target?: number }) {
      posted.push(JSON.parse(JSON.stringify(msg)));
      if (msg.type === 'cancel') {
        cancelled.add(msg.target!);
        return;
      }
      if (msg.type !== 'request') return;
      const reply = (result: unknown) => post({ type: 'response', inReplyTo: msg.messageId, result });
      const p = msg.params;
      if (msg.method === 'queue.init') {
        reply({ title: 'default.vcf.gz ↔ retrained.vcf.gz', kind: 'diff', count: arg.n, viewCount: arg.n, callLabels: ['A: default.vcf.gz', 'B: retrained.vcf.gz'], reviewed,
          vocabulary: { name: 'dispute', verdicts: verdicts.map((id, k) => ({ id, title: id, description: id, shortcut: String(k + 1) })), tags: [] }, reviewFileName: 'variant-lens.review.tsv' });
      } else if (msg.method === 'queue.sites') {
        const out = [];
        for (let i = p.from; i < Math.min(p.to, arg.n); i++) out.push(site(i));
        reply({ sites: out });
      } else if (msg.method === 'queue.tiles') {
        // Batches of 4, then 12, 15 ms apart; stops at a cancel (the host answers 'cancelled').
        let i = p.from;
        let size = 4;
        const step = () => {
          if (cancelled.has(msg.messageId)) {
            post({ type: 'response', inReplyTo: msg.messageId, error: { code: 'cancelled', message: 'queue.tiles cancelled' } });
            return;
          }
          const end = Math.min(p.to, i + size);
          const batch = [];
          for (; i < end; i++) batch.push(tile(i));
          post({ type: 'event', name: 'tiles', payload: { tiles: batch } });
          post({ type: 'progress', inReplyTo: msg.messageId, done: i - p.from, total: p.to - p.from, label: 'tiles' });
          size = 12;
          if (i < p.to) setTimeout(step, 15);
          else reply({ made: p.to - p.from, cached: 0 });
        };
        setTimeout(step, 15);
      } else if (msg.method === 'queue.verdict') {
        if (!cells.has(p.index)) reviewed++;
        const id = verdicts[Number(p.shortcut) - 1];
        const cell = { verdict: id, title: id, tags: [], note: '', reviewer: 'r', time: 't', versions: 1, conflict: false };
        cells.set(p.index, cell);
        reply({ cell, reviewed });
      } else if (msg.method === 'queue.undo') {
        reply({ undone: false });
      } else {
        post({ type: 'response', inReplyTo: msg.messageId, error: { code: 'unknown', message: msg.method } });
      }
    },
  });
}

let browser: Browser;
let page: Page;
const problems: string[] = [];

type Posted = { type: string; method?: string; params?: Record<string, unknown>; name?: string; payload?: Record<string, unknown>; target?: number; messageId?: number };
const postedOf = async (): Promise<Posted[]> => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
const requests = async (method: string): Promise<Posted[]> => (await postedOf()).filter((m) => m.type === 'request' && m.method === method);
const selected = async (): Promise<number> => Number(await page.getAttribute('.tile.selected', 'data-index'));

before(async () => {
  buildIfStale(['webview/queue', 'webview/common', 'src/protocol', 'media/queue.css'], ['dist/webview/queue.js', 'dist/media/queue.css']);
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'theme.css'), `:root { --vscode-foreground:#cccccc; --vscode-editor-background:#1e1e1e; --vscode-font-family:sans-serif; --vscode-font-size:13px;
    --vscode-editor-font-family:monospace; --vscode-descriptionForeground:#9d9d9d; --vscode-panel-border:#3c3c3c; --vscode-editorWidget-background:#252526;
    --vscode-button-background:#0e639c; --vscode-button-foreground:#ffffff; --vscode-input-background:#3c3c3c; --vscode-input-foreground:#cccccc;
    --vscode-focusBorder:#007fd4; --vscode-badge-background:#4d4d4d; --vscode-badge-foreground:#ffffff; --vscode-editorWarning-foreground:#cca700; }`);
  const url = writeCspPage(join(DIR, 'index.html'), {
    nonce: 'dGVzdG5vbmNl', title: 'queue', bundle: 'queue', css: ['common.css', 'review.css', 'queue.css'],
    headExtra: `<link rel="stylesheet" href="${pathToFileURL(join(DIR, 'theme.css')).href}">`,
  });
  browser = await launchChromium();
  page = await newWatchedPage(browser, { width: 1400, height: 900 }, problems, { console: ['error', 'warning'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(page, url, fakeHost, { n: N, reviewed: REVIEWED });
  await page.waitForSelector('#app[data-state="ready"] .tile', { timeout: 10_000 }).catch((e: unknown) => { throw new Error(`${String(e)}\n${problems.join('\n')}`); });
});

after(async () => {
  await browser?.close();
});

test('at 1400×900 the grid holds ≥ 24 whole tiles, none overlapping; the progress says 37/412 reviewed', async () => {
  const cols = Number(await page.getAttribute('.queue-grid', 'data-cols'));
  const rows = Number(await page.getAttribute('.queue-grid', 'data-rows'));
  const boxes = await page.locator('.tile').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height, right: r.right, bottom: r.bottom })));
  assert.equal(boxes.length, cols * rows, `${cols}×${rows} grid, ${boxes.length} tiles`);
  assert.ok(boxes.length >= 24, `${boxes.length} tiles at 1400×900`);
  const grid = await page.locator('.queue-grid').evaluate((g) => g.getBoundingClientRect().toJSON() as { right: number; bottom: number });
  for (const b of boxes) {
    assert.ok(b.right <= grid.right + 0.5 && b.bottom <= grid.bottom + 0.5 && b.right <= 1400 && b.bottom <= 900, `tile at ${b.x},${b.y} is cut off`);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!, c = boxes[j]!;
      assert.ok(a.right <= c.x + 0.5 || c.right <= a.x + 0.5 || a.bottom <= c.y + 0.5 || c.bottom <= a.y + 0.5, `tiles ${i} and ${j} overlap`);
    }
  }
  assert.equal(await page.textContent('.queue-progress'), `${REVIEWED}/${N} reviewed`);
  assert.match((await page.textContent('.queue-legend')) ?? '', /1 default-correct.*5 uncertain/);
});

test('tiles arrive in batches with progress and are drawn; each tile shows locus, classes, both calls', async () => {
  const visible = Number(await page.getAttribute('.queue-grid', 'data-visible'));
  await page.waitForFunction((n) => Number(document.querySelector('.queue-grid')?.getAttribute('data-drawn')) >= n, visible);
  const first = (await requests('queue.tiles'))[0]!;
  assert.equal(first.params!.from, 0);
  assert.ok(Number(first.params!.to) >= visible && Number(first.params!.to) <= 200, JSON.stringify(first.params));
  const t0 = page.locator('.tile[data-index="0"]');
  assert.match((await t0.locator('.tile-head').textContent()) ?? '', /chr20:10,000 A>AT.*gt-change/);
  assert.match((await t0.locator('.tile-calls').textContent()) ?? '', /A 0\/1 Q30.*B 1\/1 Q12\.5/);
  assert.equal(await t0.locator('canvas').count(), 2, 'site 0: the models saw different images → two images');
  assert.deepEqual(await t0.locator('.tile-model').allTextContents(), ['default', 'retrained']);
  assert.equal(await page.locator('.tile[data-index="1"] canvas').count(), 1, 'site 1: one image for both models');
  // The canvas holds the thumbnail's pixels (drawn under the CSP: no inline script or style).
  const px = await page.locator('.tile[data-index="1"] canvas').evaluate((c) => [...(c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 1, 1).data]);
  assert.deepEqual(px, [200, 60, 0, 255]);
  assert.equal(await page.locator('.tile[data-index="7"] .review-chip').textContent(), 'retrained-correct');
  assert.deepEqual(problems, []);
});

test("a 'rows' tile: its three blocks labelled beside the pixels at the blocks' rows (ref, alt 1, alt 2)", async () => {
  await page.waitForSelector('.tile[data-index="6"] .tile-block-label');
  const fig = page.locator('.tile[data-index="6"] .tile-image');
  assert.equal(await fig.getAttribute('data-blocks'), 'reference-aligned|alt-1-aligned (G)|alt-2-aligned (G)');
  const labels = fig.locator('.tile-block-label');
  assert.deepEqual(await labels.allTextContents(), ['ref', 'alt 1', 'alt 2']);
  assert.deepEqual(await labels.evaluateAll((ls) => ls.map((l) => (l as HTMLElement).title)), ['reference-aligned', 'alt-1-aligned (G)', 'alt-2-aligned (G)']);
  const c = (await fig.locator('canvas').boundingBox())!;
  const boxes = await Promise.all([0, 1, 2].map(async (k) => (await labels.nth(k).boundingBox())!));
  const scale = c.height / 156;
  for (const [k, top] of [0, 53, 106].entries()) {
    const b = boxes[k]!;
    assert.ok(Math.abs(b.y - (c.y + top * scale)) <= 1, `label ${k} starts at the block's row ${top}: ${b.y} vs ${c.y + top * scale}`);
    assert.ok(Math.abs(b.height - 50 * scale) <= 1, `label ${k} spans the block's 50 rows`);
    assert.ok(b.x + b.width <= c.x + 0.5, `label ${k} is beside the pixels, not over them`);
  }
  assert.ok(c.width > 100, `the image keeps its width (${c.width})`);
  // The canvas holds the tile's pixels: block 1's first row, the grey band.
  const px = await fig.locator('canvas').evaluate((e) => {
    // One read of the column (two reads make Chromium warn about willReadFrequently).
    const d = (e as HTMLCanvasElement).getContext('2d')!.getImageData(5, 0, 1, 156).data;
    return [[...d.subarray(53 * 4, 54 * 4)], [...d.subarray(51 * 4, 52 * 4)]];
  });
  assert.deepEqual(px, [[30, 90, 40, 255], [128, 128, 128, 255]]);
  assert.deepEqual(problems, []);
});

test('keys: arrows move, a digit sets the verdict and advances, Enter opens the inspector; progress follows', async () => {
  const cols = Number(await page.getAttribute('.queue-grid', 'data-cols'));
  await page.focus('.queue-grid');
  assert.equal(await selected(), 0);
  await page.keyboard.press('ArrowRight');
  assert.equal(await selected(), 1);
  await page.keyboard.press('ArrowDown');
  assert.equal(await selected(), 1 + cols);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowUp');
  assert.equal(await selected(), 0);
  await page.keyboard.press('ArrowRight'); // site 1
  await page.keyboard.press('2');
  assert.equal(await selected(), 2, 'a verdict advances');
  await page.keyboard.press('4');
  await page.keyboard.press('1');
  assert.equal(await selected(), 4);
  await page.waitForFunction(() => document.querySelector('.queue-progress')?.textContent === '40/412 reviewed');
  const v = (await requests('queue.verdict')).map((m) => m.params);
  assert.deepEqual(v, [{ index: 1, shortcut: '2' }, { index: 2, shortcut: '4' }, { index: 3, shortcut: '1' }]);
  assert.equal(await page.locator('.tile[data-index="2"] .review-chip').textContent(), 'both-wrong');
  // A digit without a verdict is refused in the page (nothing sent).
  await page.keyboard.press('9');
  assert.equal((await requests('queue.verdict')).length, 3);
  assert.match((await page.textContent('.status')) ?? '', /no verdict has the key 9/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (window as unknown as { __posted: { name?: string }[] }).__posted.some((m) => m.name === 'open'));
  const open = (await postedOf()).filter((m) => m.name === 'open');
  assert.deepEqual(open.map((m) => m.payload), [{ index: 4 }]);
});

test('PageDown moves a screen: the tiles of the old range are cancelled, the new screen is asked for', async () => {
  const page0 = Number(await page.getAttribute('.queue-grid', 'data-visible'));
  const before = (await requests('queue.tiles')).length;
  // Jump far while a request may still be running: End, then PageUp.
  await page.keyboard.press('End');
  assert.equal(await selected(), N - 1);
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => document.querySelector('#app')?.getAttribute('data-tiles') === 'done', undefined, { timeout: 10_000 });
  const reqs = (await requests('queue.tiles')).slice(before);
  assert.ok(reqs.length >= 2, `${reqs.length} tile requests`);
  const cancels = (await postedOf()).filter((m) => m.type === 'cancel').map((m) => m.target);
  assert.ok(cancels.length >= 1, 'a request for sites that scrolled away was cancelled');
  const first = Number(await page.getAttribute('.queue-grid', 'data-first'));
  assert.ok(first > 0 && first < N, `first tile ${first}`);
  await page.waitForFunction((n) => Number(document.querySelector('.queue-grid')?.getAttribute('data-drawn')) >= n, Number(await page.getAttribute('.queue-grid', 'data-visible')));
  assert.ok(page0 >= 24);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#app')?.getAttribute('data-tiles') !== 'loading');
  await page.screenshot({ path: join(SCREENSHOTS, 'review-queue.png') });
  assert.deepEqual(problems, []);
});
