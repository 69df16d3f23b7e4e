/**
 * The table webview bundle (dist/webview/table.js) in real Chromium, with a fake
 * `acquireVsCodeApi` that answers protocol requests like the host would (1,000,000 rows).
 * Checks virtual rendering, the scaled scrollbar, keyboard navigation and that a header click
 * sends a sort request.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { buildBundles, launchChromium, loadInline } from './chromiumPage';

const ROWS = 1_000_000;
let browser: Browser;
let page: Page;

/**
 * Runs in the page: a fake VS Code API that plays the host. Plain JavaScript source text:
 * functions transpiled by tsx may reference helpers (__name) that do not exist in the page.
 */
const FAKE_HOST = `
(function (rowCount) {
  window.__sent = [];
  const reply = (m) => setTimeout(() => window.postMessage(m, '*'), 0);
  const row = (i) => ({
    index: i, row: i, chrom: 'chr20', pos: 1000 + i, id: '.', ref: 'A', alt: 'G', qual: String(i % 50), filter: 'PASS', kind: 'SNP',
    samples: [{ gt: '0/1', gq: '30', dp: '20', ad: '10,10', vaf: '0.5' }],
  });
  window.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage: (m) => {
      window.__sent.push(m);
      if (m.type !== 'request') return;
      const ok = (result) => reply({ type: 'response', inReplyTo: m.messageId, result });
      if (m.method === 'table.init') ok({ file: '/x.vcf.gz', fileName: 'x.vcf.gz', samples: ['S1'], rowCount, viewCount: rowCount, viewId: 0, filterValues: ['PASS'], infoKeys: [], trust: { trusted: true } });
      else if (m.method === 'table.rows') {
        const rows = [];
        for (let i = m.params.from; i < Math.min(m.params.to, rowCount); i++) rows.push(row(i));
        ok({ viewId: m.params.viewId, rows });
      } else if (m.method === 'table.setView') ok({ viewId: 1, count: rowCount, sort: m.params.sort });
      else if (m.method === 'table.ping') ok({ sentAt: 0, hostTime: 0 });
      else if (m.method === 'table.info') ok({ entries: [] });
    },
  });
})(${ROWS});
`;

before(async () => {
  buildBundles();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await loadInline(page, 'table', ['common.css', 'table.css'], FAKE_HOST);
});

after(async () => {
  await browser?.close();
});

test('renders only the visible rows of a 1,000,000-row view', async () => {
  await page.waitForSelector('.rows .row[data-index="0"]:not(.loading)');
  const n = await page.$$eval('.rows .row', (e) => e.length);
  assert.ok(n > 5 && n < 60, `${n} row elements`);
  assert.equal(await page.textContent('.rows .row[data-index="0"] .c-pos'), '1,000');
  // The spacer is capped far below Chromium's ~33M px element-height limit.
  const h = await page.$eval('.spacer', (e) => e.getBoundingClientRect().height);
  assert.ok(h <= 8_000_000 && h > 1_000_000, `spacer ${h}px`);
  const rowRequests = await page.evaluate(() => (window as unknown as { __sent: { method?: string }[] }).__sent.filter((m) => m.method === 'table.rows').length);
  assert.ok(rowRequests <= 3, `${rowRequests} page requests for the first screen`);
});

test('scrolling to the bottom shows the last row (scaled scrollbar)', async () => {
  await page.$eval('.scroller', (e) => { e.scrollTop = e.scrollHeight; });
  await page.waitForSelector(`.rows .row[data-index="${ROWS - 1}"]:not(.loading)`);
  assert.equal(await page.textContent(`.rows .row[data-index="${ROWS - 1}"] .c-pos`), (1000 + ROWS - 1).toLocaleString('en-US'));
  await page.$eval('.scroller', (e) => { e.scrollTop = 0; });
  await page.waitForSelector('.rows .row[data-index="0"]:not(.loading)');
});

test('keyboard: j/k and arrows move the selection; End jumps to the last row', async () => {
  await page.click('.rows .row[data-index="0"]');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('k');
  await page.waitForSelector('.rows .row[data-index="2"].focused');
  await page.keyboard.press('End');
  await page.waitForSelector(`.rows .row[data-index="${ROWS - 1}"].focused:not(.loading)`);
  await page.keyboard.press('Home');
  await page.waitForSelector('.rows .row[data-index="0"].focused');
});

test('a header click sends a sort request', async () => {
  await page.click('.row.header [data-sort="qual"]');
  await page.waitForSelector('.row.header [data-sort="qual"][aria-sort="ascending"]');
  const req = await page.evaluate(() => (window as unknown as { __sent: { method?: string; params?: unknown }[] }).__sent.filter((m) => m.method === 'table.setView').at(-1));
  assert.deepEqual(req?.params, { sort: { column: 'qual', descending: false } });
});

test('the page size the host sends with table.init (variantLens.table.pageSize) sizes every row request', async () => {
  const p = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  try {
    const host = FAKE_HOST.replace("trust: { trusted: true } });", "trust: { trusted: true }, pageSize: 50 });");
    assert.notEqual(host, FAKE_HOST);
    await loadInline(p, 'table', ['common.css', 'table.css'], host);
    await p.waitForSelector('.rows .row[data-index="0"]:not(.loading)');
    await p.$eval('.scroller', (e) => { e.scrollTop = e.scrollHeight / 2; });
    await p.waitForFunction(() => (window as unknown as { __sent: { method?: string }[] }).__sent.filter((m) => m.method === 'table.rows').length >= 1);
    const reqs = await p.evaluate(() => (window as unknown as { __sent: { method?: string; params?: { from: number; to: number } }[] }).__sent.filter((m) => m.method === 'table.rows').map((m) => m.params!));
    assert.ok(reqs.length >= 1);
    for (const r of reqs) {
      assert.equal(r.to - r.from, 50, JSON.stringify(r));
      assert.equal(r.from % 50, 0, JSON.stringify(r));
    }
  } finally {
    await p.close();
  }
});
