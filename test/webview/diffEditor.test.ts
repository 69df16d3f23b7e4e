/**
 * The diff webview (dist/webview/diff.js) in real Chromium, under the same strict CSP as in
 * VS Code (scripts by nonce only), with a fake `acquireVsCodeApi` that answers the diff
 * protocol from a synthetic list of 100,000 differing sites. Site i has class
 * CLASSES[i % 5] and kind SNP unless i % 3 === 0 (INDEL); the fake host filters by class and
 * kind and records every message the page posts, so the test checks what the page *asks*.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT, TEST_CACHE } from '../helpers/paths';
import { buildIfStale, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'diff-editor');
const SCREENSHOTS = join(PROJECT_ROOT, 'test/webview/screenshots');
const N = 100_000;

/** Rebuilds the bundles when dist/webview/diff.js is missing or older than its sources. */
function ensureBundle(): void {
  buildIfStale(['webview/diff', 'webview/table', 'webview/common', 'src/protocol', 'media/diff.css'], ['dist/webview/diff.js', 'dist/media/diff.css']);
}

/**
 * Runs in the page before the bundle: the fake VS Code API + host. Plain JS (it is serialized
 * into the page). Replies arrive asynchronously through window.postMessage, like VS Code's.
 */
function fakeHost(n: number): void {
  const CLASSES = ['only-A', 'only-B', 'gt-change', 'filter-change', 'qual-change'];
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  w.__posted = posted;
  let viewId = 1;
  let rows: Int32Array | null = null; // null = identity over all n sites
  const site = (i: number) => ({
    contig: 'chr20', pos: 10_000_000 + i * 10, ref: i % 3 === 0 ? 'AT' : 'A', alt: 'G', kind: i % 3 === 0 ? 'INDEL' : 'SNP',
    classes: [CLASSES[i % 5]],
    a: i % 5 === 1 ? undefined : { gt: '0/1', alleleGt: '0/1', called: true, qual: String(30 + (i % 7)), filter: 'PASS', gq: String(20 + (i % 9)), recordPos: 10_000_000 + i * 10 },
    b: i % 5 === 0 ? undefined : { gt: i % 5 === 2 ? '1/1' : '0/1', alleleGt: '0/1', called: true, qual: String(12 + (i % 7)), filter: i % 5 === 3 ? 'RefCall' : 'PASS', gq: '9', recordPos: 10_000_000 + i * 10 },
  });
  const kc = (snp: number, indel: number) => ({ SNP: snp, INDEL: indel, MNP: 0, total: snp + indel });
  const side = (file: string, tiTv: number) => ({
    file, sample: 'NA12878', records: 123456, variantRecords: 100000, het: 60000, homAlt: 40000, hetHomRatio: 1.5,
    calledAlleles: kc(90000, 10000), transitions: 0, transversions: 0, tiTv, nonVariantAlleles: 0,
  });
  const classes = { same: kc(777, 33), 'only-A': kc(13334, 6666), 'only-B': kc(13333, 6667), 'gt-change': kc(13333, 6667), 'filter-change': kc(13333, 6667), 'qual-change': kc(13333, 6667) };
  const summary = {
    version: 1, a: side('/data/default.vcf.gz', 2.07), b: side('/data/retrained.vcf.gz', 1.98),
    options: { qualDelta: 10, normalized: true, truth: 'A', region: null, beds: ['confident=/data/conf.bed'] },
    sites: 100810, differingSites: n, sharedCalled: 5, classes, indelBins: {},
    truth: { truth: 'A', rows: [
      { type: 'SNP', tp: 900, fp: 100, fn: 50, fpGt: 10, precision: 0.9, recall: 900 / 950, f1: 0.9243 },
      { type: 'INDEL', tp: 80, fp: 20, fn: 20, fpGt: 2, precision: 0.8, recall: 0.8, f1: 0.8 },
      { type: 'ALL', tp: 980, fp: 120, fn: 70, fpGt: 12, precision: 980 / 1100, recall: 980 / 1050, f1: 0.9116 },
    ] },
    strata: [
      { group: 'bed', name: 'confident', sites: 5000, classes },
      { group: 'contigs', name: 'hold-out chr20-22', sites: 100810, classes },
      { group: 'filter', name: 'B RefCall', sites: 20000, classes },
    ],
    elapsedMs: 5,
  };
  const reply = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  const count = () => (rows ? rows.length : n);
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string; params: Record<string, unknown> }) {
      posted.push(JSON.parse(JSON.stringify(msg)));
      if (msg.type !== 'request') return;
      let result: unknown;
      if (msg.method === 'diff.init') {
        result = { fileA: '/data/default.vcf.gz', fileB: '/data/retrained.vcf.gz', nameA: 'default.vcf.gz', nameB: 'retrained.vcf.gz', state: 'done', summary, view: { viewId, count: count(), spec: {} } };
      } else if (msg.method === 'diff.setView') {
        const p = msg.params as { classes?: string[]; kinds?: string[] };
        const keep: number[] = [];
        for (let i = 0; i < n; i++) {
          const s = site(i);
          if (p.classes && !p.classes.includes(s.classes[0]!)) continue;
          if (p.kinds && !p.kinds.includes(s.kind)) continue;
          keep.push(i);
        }
        rows = Int32Array.from(keep);
        viewId++;
        result = { viewId, count: count(), spec: p };
      } else if (msg.method === 'diff.rows') {
        const p = msg.params as { viewId: number; from: number; to: number };
        const out = [];
        if (p.viewId === viewId) for (let i = p.from; i < Math.min(p.to, count()); i++) out.push({ index: i, ...site(rows ? rows[i]! : i) });
        result = { viewId, rows: out };
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

type Posted = { type: string; method?: string; params?: Record<string, unknown>; name?: string; payload?: Record<string, unknown> };
const postedOf = async (): Promise<Posted[]> => page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
const requests = async (method: string): Promise<Posted[]> => (await postedOf()).filter((m) => m.type === 'request' && m.method === method);

before(async () => {
  ensureBundle();
  mkdirSync(DIR, { recursive: true });
  // VS Code defines the --vscode-* variables; a dark-theme subset makes the screenshot legible.
  writeFileSync(join(DIR, 'theme.css'), `:root { --vscode-foreground:#cccccc; --vscode-editor-background:#1e1e1e; --vscode-font-family:sans-serif; --vscode-font-size:13px;
    --vscode-editor-font-family:monospace; --vscode-editor-font-size:13px; --vscode-descriptionForeground:#9d9d9d; --vscode-panel-border:#3c3c3c;
    --vscode-button-background:#0e639c; --vscode-button-foreground:#ffffff; --vscode-input-background:#3c3c3c; --vscode-input-foreground:#cccccc;
    --vscode-list-activeSelectionBackground:#04395e; --vscode-list-activeSelectionForeground:#ffffff; --vscode-focusBorder:#007fd4;
    --vscode-editorGroupHeader-tabsBackground:#252526; --vscode-badge-background:#4d4d4d; --vscode-list-hoverBackground:#2a2d2e; }`);
  const url = writeCspPage(join(DIR, 'index.html'), {
    nonce: 'dGVzdG5vbmNl', title: 'diff', bundle: 'diff', css: ['common.css', 'table.css', 'diff.css'],
    headExtra: `<link rel="stylesheet" href="${pathToFileURL(join(DIR, 'theme.css')).href}">`,
  });
  browser = await launchChromium();
  page = await newWatchedPage(browser, { width: 1400, height: 900 }, problems, { console: ['error', 'warning'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(page, url, fakeHost, N);
  await page.waitForSelector('.grid[data-loaded="true"][data-count]', { timeout: 10_000 }).catch((e: unknown) => { throw new Error(`${String(e)}\n${problems.join("\n")}`); });
});

after(async () => {
  await browser?.close();
});

test('says ready, pulls the summary and renders it', async () => {
  const posted = await postedOf();
  assert.deepEqual(posted[0], { type: 'event', name: 'ready', payload: {} });
  assert.equal(posted[1]?.method, 'diff.init');
  const cell = async (table: string, row: string, col: number): Promise<string> =>
    (await page.locator(`${table} tr`, { has: page.locator('th', { hasText: new RegExp(`^${row}$`) }) }).locator('td').nth(col).textContent()) ?? '';
  assert.equal(await cell('.classes-table', 'only-A', 0), '13,334');
  assert.equal(await cell('.classes-table', 'only-A', 1), '6,666');
  assert.equal(await cell('.classes-table', 'gt-change', 3), '20,000');
  assert.match((await page.textContent('.classes-table caption')) ?? '', /100,000 differing of 100,810 sites/);
  assert.equal(await cell('.sides-table', 'Ti/Tv', 0), '2.07');
  assert.equal(await cell('.sides-table', 'Ti/Tv', 1), '1.98');
  assert.equal(await cell('.sides-table', 'het/hom ratio', 0), '1.50');
  assert.equal(await cell('.truth-table', 'SNP', 0), '900');
  assert.equal(await cell('.truth-table', 'ALL', 3), '89.09%'); // precision 980/1100
  assert.equal(await cell('.truth-table', 'ALL', 5), '91.16%');
  assert.equal(await cell('.strata-table', 'BED: confident', 0), '5,000');
  assert.equal(await cell('.strata-table', 'BED: confident', 1), String((5000 - 810).toLocaleString('en-US')));
  assert.match((await page.textContent('.status')) ?? '', /100,000 differing sites/);
});

test('the virtual list renders only the visible rows and pulls pages, not the list', async () => {
  const shown = Number(await page.getAttribute('.grid', 'data-shown'));
  const viewportRows = Math.ceil((await page.locator('.scroller').evaluate((e) => e.clientHeight)) / 22);
  assert.ok(shown > 5 && shown <= viewportRows + 1, `${shown} rows shown for a viewport of ${viewportRows}`);
  assert.equal(await page.locator('.rows .row').count(), shown + (await page.locator('.rows .row[hidden]').count()));
  const firstRow = page.locator('.rows .row').first();
  assert.equal(await firstRow.locator('.c-pos').textContent(), '10,000,000');
  assert.equal(await firstRow.locator('.c-classes').textContent(), 'only-A');
  // Scroll to the middle: rows there come from one new page request.
  await page.locator('.scroller').evaluate((e) => { e.scrollTop = 50_000 * 22; });
  await page.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-first') === '50000' && document.querySelector('.grid')?.getAttribute('data-loaded') === 'true');
  assert.equal(await page.locator('.rows .row').first().locator('.c-pos').textContent(), (10_000_000 + 50_000 * 10).toLocaleString('en-US'));
  const pages = await requests('diff.rows');
  const pulled = pages.reduce((n, m) => n + (Number(m.params!.to) - Number(m.params!.from)), 0);
  assert.ok(pages.length <= 4 && pulled <= 800, `${pages.length} page requests, ${pulled} rows pulled of ${N}`);
});

test('class, kind and stratum chips send the right view request', async () => {
  const before = (await requests('diff.setView')).length;
  await page.click('.chip-group[data-group="class"] .chip[data-chip="gt-change"]');
  await page.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-count') === '20000');
  await page.click('.chip-group[data-group="kind"] .chip[data-chip="INDEL"]');
  // gt-change is i % 5 === 2, INDEL is i % 3 === 0: i ≡ 12 (mod 15).
  const expected = String(Array.from({ length: N }, (_, i) => i).filter((i) => i % 15 === 12).length);
  await page.waitForFunction((n) => document.querySelector('.grid')?.getAttribute('data-count') === n, expected);
  await page.click('.chip-group[data-group="stratum-bed"] .chip[data-chip="confident"]');
  await page.waitForFunction(() => document.querySelectorAll('.chip-group:not([data-group="scope"]) .chip[aria-pressed="true"]').length === 3);
  const views = (await requests('diff.setView')).slice(before).map((m) => m.params);
  assert.deepEqual(views, [
    { classes: ['gt-change'] },
    { classes: ['gt-change'], kinds: ['INDEL'] },
    { classes: ['gt-change'], kinds: ['INDEL'], strata: [{ group: 'bed', name: 'confident' }] },
  ]);
  // Every listed row carries the chosen class and kind. The rows are read in one evaluation in
  // the page, once the last view (the fake host numbers views from 1, one more per
  // diff.setView) is drawn with every row loaded: a redraw between two reads from the test can
  // show loading rows with empty cells (seen in CI). A wrong filter never satisfies the wait.
  const lastView = String(1 + (await requests('diff.setView')).length);
  const rowsOf = (): { classes: string[]; kinds: string[]; view: string | null; loaded: string | null } => {
    const grid = document.querySelector('.grid');
    const text = (sel: string): string[] => Array.from(document.querySelectorAll(sel)).map((e) => e.textContent ?? '');
    return { classes: text('.rows .row:not([hidden]) .c-classes'), kinds: text('.rows .row:not([hidden]) .c-kind'), view: grid?.getAttribute('data-view-id') ?? null, loaded: grid?.getAttribute('data-loaded') ?? null };
  };
  let shown = await page.evaluate(rowsOf);
  for (let tries = 0; tries < 100 && !(shown.view === lastView && shown.loaded === 'true' && shown.classes.length > 0 && [...shown.classes, ...shown.kinds].every((t) => t !== '')); tries++) {
    await new Promise((r) => setTimeout(r, 50));
    shown = await page.evaluate(rowsOf);
  }
  assert.equal(shown.view, lastView, 'the last view is shown');
  assert.ok(shown.classes.length > 5, `${shown.classes.length} rows shown`);
  assert.deepEqual(new Set(shown.classes), new Set(['gt-change']));
  assert.deepEqual(new Set(shown.kinds), new Set(['INDEL']));
  // Sorting by A QUAL keeps the filters and adds the sort.
  await page.click('.row.header [data-sort="qualA"]');
  await page.waitForFunction(() => document.querySelector('.row.header [data-sort="qualA"]')?.getAttribute('aria-sort') === 'ascending');
  const last = (await requests('diff.setView')).at(-1)!.params;
  assert.deepEqual(last, { classes: ['gt-change'], kinds: ['INDEL'], strata: [{ group: 'bed', name: 'confident' }], sortBy: 'qualA', descending: false });
  // Un-toggle everything: back to the whole list.
  await page.click('.row.header [data-sort="qualA"]');
  await page.click('.row.header [data-sort="qualA"]');
  for (const sel of ['.chip-group[data-group="class"] .chip[data-chip="gt-change"]', '.chip-group[data-group="kind"] .chip[data-chip="INDEL"]', '.chip-group[data-group="stratum-bed"] .chip[data-chip="confident"]']) await page.click(sel);
  await page.waitForFunction(() => document.querySelectorAll('.chip-group:not([data-group="scope"]) .chip[aria-pressed="true"]').length === 0 && document.querySelector('.grid')?.getAttribute('data-count') === '100000');
  assert.deepEqual((await requests('diff.setView')).at(-1)!.params, {});
});

test('keyboard walk posts the selection; Enter asks to open the inspector', async () => {
  await page.waitForSelector('.grid[data-loaded="true"]');
  const viewId = Number(await page.getAttribute('.grid', 'data-view-id'));
  await page.focus('.grid');
  // The four keys in one task (four separate key presses can be further apart than the
  // debounce on a loaded machine): the walk must still end in one message.
  await page.evaluate(() => {
    const grid = document.querySelector('.grid')!;
    for (const key of ['j', 'j', 'ArrowDown', 'k']) grid.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  });
  const selectedEvents = async (): Promise<Posted[]> => (await postedOf()).filter((m) => m.type === 'event' && m.name === 'siteSelected');
  await page.waitForFunction(() => (window as unknown as { __posted: { name?: string }[] }).__posted.some((m) => m.name === 'siteSelected'));
  // Debounced: one walk, one message, for the row the walk ended on.
  assert.deepEqual((await selectedEvents()).map((m) => m.payload), [{ viewId, index: 1, open: false }]);
  assert.equal(await page.locator('.rows .row.selected').getAttribute('data-index'), '1');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (window as unknown as { __posted: { name?: string }[] }).__posted.filter((m) => m.name === 'siteSelected').length === 2);
  assert.deepEqual((await selectedEvents()).at(-1)!.payload, { viewId, index: 1, open: true });
  // End jumps to the last site and scrolls it into view.
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('.rows .row.selected')?.getAttribute('data-index') === '99999');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-loaded') === 'true' && document.querySelector('.rows .row.selected')?.getAttribute('data-index') === '0');
  await page.screenshot({ path: join(SCREENSHOTS, 'diff-editor.png') });
  assert.deepEqual(problems, []);
});

test('diff list: A GT | B GT | REVIEW right after ALT and on screen; the scope chips ask for disputes / QUAL-only / all; ? lists the keys', async () => {
  const labels = await page.locator('.row.header .cell').allTextContents();
  const at = (l: string): number => labels.findIndex((x) => x.replace(/[▲▼]/g, '') === l);
  assert.deepEqual([at('ALT') + 1, at('ALT') + 2, at('ALT') + 3], [at('A GT'), at('B GT'), at('REVIEW')], labels.join(' | '));
  for (const col of ['agt', 'bgt', 'review']) {
    const right = await page.$eval(`.row.header [data-col="${col}"]`, (e) => e.getBoundingClientRect().right);
    assert.ok(right <= 520, `${col} ends at ${right}px: visible in a half-width panel beside the side bar`);
  }
  const before = (await requests('diff.setView')).length;
  await page.click('.chip-group[data-group="scope"] .chip[data-scope="disputes"]');
  await page.waitForFunction(() => document.querySelector('.chip[data-scope="disputes"]')?.getAttribute('aria-pressed') === 'true');
  await page.click('.chip-group[data-group="scope"] .chip[data-scope="qual-only"]');
  await page.waitForFunction(() => document.querySelector('.chip[data-scope="qual-only"]')?.getAttribute('aria-pressed') === 'true');
  await page.click('.chip-group[data-group="scope"] .chip[data-scope="all"]');
  await page.waitForFunction(() => document.querySelector('.chip[data-scope="all"]')?.getAttribute('aria-pressed') === 'true');
  assert.deepEqual((await requests('diff.setView')).slice(before).map((m) => m.params), [{ scope: 'disputes' }, { scope: 'qual-only' }, {}]);
  await page.focus('.grid');
  await page.keyboard.press('?');
  await page.waitForSelector('.key-help:not([hidden])');
  assert.ok((await page.locator('.key-help th').allTextContents()).includes('Enter'));
  await page.keyboard.press('Escape');
  await page.waitForSelector('.key-help', { state: 'hidden' });
});
