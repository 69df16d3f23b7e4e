/**
 * The lists' columns and keys in real Chromium (dist/webview/table.js and diff.js with a fake
 * host): resizing and hiding columns (sent to the host with columnsChanged), the all-"." ID
 * column hidden by default, a sort mark that does not cut the label, Enter in the filter box
 * returning to the grid so `j` moves the selection, an unknown filter field shown in the box,
 * Ctrl+L replacing the locus text, the `?` key list, stale messages clearing, the view state
 * sent for a reload and restored from table.init, and the diff's column order and scope chips.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildBundles, gotoWithFakeHost, launchChromium, writeCspPage } from './chromiumPage';
import { TEST_CACHE } from '../helpers/paths';

const DIR = join(TEST_CACHE, 'webview-list-keys');
const ROWS = 500;

interface HostArg {
  readonly rows: number;
  readonly restore?: unknown;
  readonly columns?: unknown;
}

/** The table's fake host (serialized into the page: plain code only). GQ of row i is i % 40. */
function tableHost(arg: HostArg): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: { type: string; method?: string; name?: string; params?: unknown; payload?: unknown }[] = [];
  w.__posted = posted;
  let viewId = 0;
  let view: number[] | null = null;
  const row = (index: number, i: number) => ({
    index, row: i, chrom: 'chr20', pos: 1000 + i, id: '.', ref: 'A', alt: 'G', qual: String(i % 50), filter: 'PASS', kind: 'SNP',
    samples: [{ gt: i % 2 ? '0/1' : '1/1', gq: String(i % 40), dp: '20', ad: '10,10', vaf: '0.5' }],
  });
  const count = () => (view ? view.length : arg.rows);
  const at = (k: number) => (view ? view[k]! : k);
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage: (m: { type: string; messageId: number; method: string; params: Record<string, unknown> }) => {
      posted.push(JSON.parse(JSON.stringify(m)));
      if (m.type !== 'request') return;
      const ok = (result: unknown) => setTimeout(() => window.postMessage({ type: 'response', inReplyTo: m.messageId, result }, '*'), 0);
      const fail = (message: string) => setTimeout(() => window.postMessage({ type: 'response', inReplyTo: m.messageId, error: { code: 'invalid-argument', message } }, '*'), 0);
      if (m.method === 'table.init') {
        const first = [];
        for (let i = 0; i < 50; i++) first.push(row(i, i));
        ok({
          file: '/x.vcf.gz', fileName: 'x.vcf.gz', samples: ['S1'], rowCount: arg.rows, viewCount: arg.rows, viewId, filterValues: ['PASS'], infoKeys: [], trust: { trusted: true }, firstRows: first,
          ...(arg.restore ? { restore: arg.restore } : {}), ...(arg.columns ? { columns: arg.columns } : {}),
        });
      } else if (m.method === 'table.rows') {
        const p = m.params as { viewId: number; from: number; to: number };
        const rows = [];
        if (p.viewId === viewId) for (let k = p.from; k < Math.min(p.to, count()); k++) rows.push(row(k, at(k)));
        ok({ viewId, rows });
      } else if (m.method === 'table.setView') {
        const p = m.params as { sort?: { column: string; descending: boolean }; filter?: { formatTerms?: { field: string; op: string; value: number }[]; text?: string } };
        if (p.filter?.text === 'fail') {
          fail('the host refused this view');
          return;
        }
        const keep: number[] = [];
        for (let i = 0; i < arg.rows; i++) {
          const t = p.filter?.formatTerms?.[0];
          if (t && t.field === 'GQ' && t.op === '<' && !(i % 40 < t.value)) continue;
          keep.push(i);
        }
        if (p.sort?.column === 'qual') keep.sort((a, b) => (p.sort!.descending ? -1 : 1) * ((a % 50) - (b % 50)) || a - b);
        view = p.filter || p.sort ? keep : null;
        viewId++;
        ok({ viewId, count: count(), ...(p.sort ? { sort: p.sort } : {}), ...(p.filter ? { filter: p.filter } : {}) });
      } else if (m.method === 'table.findLocus') {
        const p = m.params as { text: string };
        const mm = /:(\d+)$/.exec(p.text.replace(/,/g, ''));
        if (!mm) fail(`"${p.text}" is not a locus`);
        else ok({ index: Math.max(0, Math.min(count() - 1, Number(mm[1]) - 1000)) });
      } else if (m.method === 'table.ping') ok({ sentAt: 0, hostTime: 0 });
      else if (m.method === 'table.info') ok({ entries: [] });
      else if (m.method === 'review.init') ok({ vocabulary: { verdicts: [], tags: [] } });
    },
  });
}

let browser: Browser;
let url: string;

type Posted = { type: string; method?: string; name?: string; params?: Record<string, unknown>; payload?: Record<string, unknown> };
const postedOf = (page: Page): Promise<Posted[]> => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);

async function openTable(arg: Partial<HostArg> = {}, width = 1000): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 600 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await gotoWithFakeHost(page, url, tableHost, { rows: ROWS, ...arg });
  await page.waitForSelector('.rows .row[data-index]:not(.loading)');
  return page;
}

before(() => {
  buildBundles();
  mkdirSync(DIR, { recursive: true });
  // VS Code defines the --vscode-* variables; the font ones decide what fits in a header cell.
  writeFileSync(join(DIR, 'theme.css'), ':root { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px; }');
  url = writeCspPage(join(DIR, 'table.html'), {
    nonce: 'dGVzdG5vbmNl', title: 'table', bundle: 'table', css: ['common.css', 'table.css', 'review.css'],
    headExtra: `<link rel="stylesheet" href="${pathToFileURL(join(DIR, 'theme.css')).href}">`,
  });
});

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

test('table: the all-"." ID column starts hidden; QUAL and GT are on screen in a 520 px editor', async () => {
  const page = await openTable({}, 520);
  try {
    assert.equal(await page.$eval('.row.header [data-col="id"]', (e) => getComputedStyle(e).display), 'none');
    assert.equal(await page.$eval('.rows .row[data-index="0"] .c-id', (e) => getComputedStyle(e).display), 'none');
    for (const col of ['qual', 'gt0']) {
      const r = await page.$eval(`.row.header [data-col="${col}"]`, (e) => e.getBoundingClientRect().right);
      assert.ok(r <= 520, `${col} header ends at ${r}px`);
    }
    // The Columns menu lists ID unchecked; checking it shows the column and tells the host.
    await page.click('.columns-button');
    assert.equal(await page.isChecked('.columns-menu input[data-col="id"]'), false);
    await page.check('.columns-menu input[data-col="id"]');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.row.header [data-col="id"]')!).display !== 'none');
    const ev = (await postedOf(page)).filter((m) => m.name === 'columnsChanged').at(-1);
    assert.deepEqual(ev?.payload, { widths: {}, hidden: [], shown: ['id'] });
  } finally {
    await page.close();
  }
});

test('table: a column resized by its header edge and hidden from the menu; the layout goes to the host and comes back', async () => {
  const page = await openTable();
  try {
    const h = page.locator('.row.header [data-col="pos"]');
    const before = (await h.boundingBox())!;
    const handle = (await h.locator('.col-resize').boundingBox())!;
    await page.mouse.move(handle.x + 2, handle.y + 5);
    await page.mouse.down();
    await page.mouse.move(handle.x + 62, handle.y + 5, { steps: 4 });
    await page.mouse.up();
    const after = (await h.boundingBox())!;
    assert.ok(Math.abs(after.width - (before.width + 60)) <= 2, `POS ${before.width} → ${after.width}px`);
    // The row cells follow the header, and a resize is not a sort.
    assert.equal(Math.round((await page.locator('.rows .row[data-index="0"] .c-pos').boundingBox())!.width), Math.round(after.width));
    assert.equal((await postedOf(page)).filter((m) => m.method === 'table.setView').length, 0);
    await page.click('.row.header [data-col="filter"]', { button: 'right' });
    await page.uncheck('.columns-menu input[data-col="filter"]');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.rows .row[data-index="0"] .c-filter')!).display === 'none');
    const ev = (await postedOf(page)).filter((m) => m.name === 'columnsChanged').at(-1)!.payload as { widths: Record<string, number>; hidden: string[] };
    assert.deepEqual(ev.hidden, ['filter']);
    assert.ok(Math.abs(ev.widths.pos! - after.width) <= 1, JSON.stringify(ev));
  } finally {
    await page.close();
  }
  // A page opened with that layout (table.init's columns) shows it.
  const again = await openTable({ columns: { widths: { pos: 160 }, hidden: ['filter'] } });
  try {
    assert.equal(Math.round((await again.locator('.row.header [data-col="pos"]').boundingBox())!.width), 160);
    assert.equal(await again.$eval('.row.header [data-col="filter"]', (e) => getComputedStyle(e).display), 'none');
  } finally {
    await again.close();
  }
});

test('table: the sort mark fits beside QUAL (no "QUAL…")', async () => {
  const page = await openTable();
  try {
    await page.click('.row.header [data-sort="qual"]');
    await page.waitForSelector('.row.header [data-sort="qual"][aria-sort="ascending"] .sort-mark');
    const fits = await page.$eval('.row.header [data-sort="qual"]', (h) => {
      const range = document.createRange();
      range.selectNodeContents(h.firstChild!);
      const text = range.getBoundingClientRect();
      const mark = h.querySelector('.sort-mark')!.getBoundingClientRect();
      const cell = h.getBoundingClientRect();
      return { text: text.right, mark: mark.left, markRight: mark.right, cell: cell.right, overflow: h.scrollWidth > h.clientWidth };
    });
    assert.ok(fits.text <= fits.mark && fits.markRight <= fits.cell && !fits.overflow, JSON.stringify(fits));
  } finally {
    await page.close();
  }
});

test('table: Enter in the filter applies and returns to the grid, then j moves the selection', async () => {
  const page = await openTable();
  try {
    await page.click('.rows .row[data-index="3"]');
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'filter');
    await page.keyboard.type('GQ<20');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.classList.contains('grid'));
    await page.waitForFunction(() => /260 of 500 rows/.test(document.querySelector('.status')?.textContent ?? ''));
    const before = Number(await page.getAttribute('.grid', 'data-selected') ?? '-1');
    await page.keyboard.press('j');
    await page.waitForFunction((b) => Number(document.querySelector('.grid')?.getAttribute('data-selected')) === b + 1, before);
    assert.equal(await page.inputValue('.filter'), 'GQ<20');
    const req = (await postedOf(page)).filter((m) => m.method === 'table.setView').at(-1);
    assert.deepEqual(req?.params, { filter: { formatTerms: [{ field: 'GQ', op: '<', value: 20 }] } });
  } finally {
    await page.close();
  }
});

test('table: an unknown field is an error in the box, not "0 of N rows"; fixing it clears the error', async () => {
  const page = await openTable();
  try {
    await page.fill('.filter', 'foo<1');
    await page.focus('.filter');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.filter-error:not([hidden])');
    assert.match((await page.textContent('.filter-error')) ?? '', /unknown field "foo"/);
    assert.equal(await page.getAttribute('.filter', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'filter invalid');
    assert.equal((await postedOf(page)).filter((m) => m.method === 'table.setView').length, 0);
    assert.doesNotMatch((await page.textContent('.status')) ?? '', /0 of/);
    await page.fill('.filter', 'GQ<20');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /260 of 500 rows/.test(document.querySelector('.status')?.textContent ?? ''));
    assert.equal(await page.isHidden('.filter-error'), true);
    // A host error stays until the next success: a move clears it.
    await page.fill('.filter', 'fail');
    await page.focus('.filter');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.status.error');
    await page.focus('.grid');
    await page.keyboard.press('j');
    await page.waitForFunction(() => !document.querySelector('.status')?.classList.contains('error') && /rows/.test(document.querySelector('.status')?.textContent ?? ''));
  } finally {
    await page.close();
  }
});

test('table: Ctrl+L selects the locus text, so typing replaces it', async () => {
  const page = await openTable();
  try {
    await page.focus('.grid');
    await page.keyboard.press('Control+l');
    await page.keyboard.type('chr20:1,010');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-selected') === '10');
    await page.keyboard.press('Control+l');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'locus');
    await page.keyboard.type('chr20:1,020');
    assert.equal(await page.inputValue('.locus'), 'chr20:1,020');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-selected') === '20');
  } finally {
    await page.close();
  }
});

test('table: ? lists every key; Esc closes the list', async () => {
  const page = await openTable();
  try {
    await page.focus('.grid');
    await page.keyboard.press('?');
    await page.waitForSelector('.key-help:not([hidden])');
    const keys = await page.locator('.key-help th').allTextContents();
    for (const k of ['j / k, ↓ / ↑', 'Enter', '1–9', 'Ctrl/Cmd+Z', 'Ctrl/Cmd+C', 'i', '/', 'Ctrl/Cmd+L', '?']) assert.ok(keys.includes(k), `${k} missing from ${keys.join(' | ')}`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.key-help', { state: 'hidden' });
  } finally {
    await page.close();
  }
});

test('table: filter, sort, selection and scroll go to the host and come back after a reload', async () => {
  const page = await openTable();
  try {
    await page.fill('.filter', 'GQ<20');
    await page.focus('.filter');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /260 of 500 rows/.test(document.querySelector('.status')?.textContent ?? ''));
    await page.click('.row.header [data-sort="qual"]');
    await page.waitForSelector('.row.header [data-sort="qual"][aria-sort="ascending"]');
    await page.click('.rows .row[data-index="4"]');
    await page.waitForFunction(() => (window as unknown as { __posted: Posted[] }).__posted.some((m) => m.name === 'viewStateChanged' && (m.payload as { selected: number }).selected === 4));
    const saved = (await postedOf(page)).filter((m) => m.name === 'viewStateChanged').at(-1)!.payload;
    assert.deepEqual(saved, { filterText: 'GQ<20', sort: { column: 'qual', descending: false }, selected: 4, first: 0 });
  } finally {
    await page.close();
  }
  const restored = await openTable({ restore: { filterText: 'GQ<20', sort: { column: 'qual', descending: false }, selected: 40, first: 30 } });
  try {
    await restored.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-selected') === '40');
    assert.equal(await restored.inputValue('.filter'), 'GQ<20');
    assert.equal(await restored.getAttribute('.row.header [data-sort="qual"]', 'aria-sort'), 'ascending');
    assert.match((await restored.textContent('.status')) ?? '', /260 of 500 rows/);
    assert.ok(Number(await restored.getAttribute('.grid', 'data-first')) >= 20, 'scrolled near the saved first row');
    const req = (await postedOf(restored)).filter((m) => m.method === 'table.setView');
    assert.deepEqual(req.map((m) => m.params), [{ sort: { column: 'qual', descending: false }, filter: { formatTerms: [{ field: 'GQ', op: '<', value: 20 }] } }]);
  } finally {
    await restored.close();
  }
});
