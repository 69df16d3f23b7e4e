/**
 * What the lists keep and show across a reload, in real Chromium (dist/webview/diff.js and
 * table.js under the strict CSP, with a fake host):
 *  - the diff page saves its comparison, view, selection and scroll in the webview state
 *    (what the panel serializer gets back after a window reload), and a page opened with
 *    diff.init `restore` and a restored view gets its chips, text, sort and selection back
 *    once the run is done — not while it is still running;
 *  - with a truth VCF the summary shows each side's precision/recall against it and the
 *    A TRUTH | B TRUTH columns show each side's class; without one they start hidden;
 *  - both toolbars name the review file the verdicts go to.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildIfStale, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';
import { TEST_CACHE } from '../helpers/paths';

const DIR = join(TEST_CACHE, 'webview-list-restore');
const NONCE = 'bGlzdHJlc3RvcmU';

interface DiffHostArg {
  readonly init: Record<string, unknown>;
  readonly rows: readonly Record<string, unknown>[];
  /** init answers with state 'running' until window.__finish() is called. */
  readonly running: boolean;
}

/** The diff page's fake host: answers diff.init/rows/setView, records posts and setState. */
function diffHost(arg: DiffHostArg): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  const states: unknown[] = [];
  w.__posted = posted;
  w.__states = states;
  let running = arg.running;
  let viewId = 3;
  const send = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  w.__finish = () => {
    running = false;
    send({ type: 'event', name: 'runEnded', payload: { state: 'done' } });
  };
  let spec = (arg.init.view as { spec: unknown }).spec;
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: (s: unknown) => states.push(JSON.parse(JSON.stringify(s))),
    postMessage(m: { type: string; messageId: number; method: string; params: Record<string, unknown> }) {
      posted.push(JSON.parse(JSON.stringify(m)));
      if (m.type !== 'request') return;
      const ok = (result: unknown) => send({ type: 'response', inReplyTo: m.messageId, result });
      const count = running ? 0 : arg.rows.length;
      if (m.method === 'diff.init') ok({ ...arg.init, state: running ? 'running' : 'done', ...(running ? {} : { summary: arg.init.summaryDone }), summaryDone: undefined, view: { viewId, count, spec } });
      else if (m.method === 'diff.rows') {
        const p = m.params as { viewId: number; from: number; to: number };
        ok({ viewId, rows: p.viewId === viewId && !running ? arg.rows.slice(p.from, p.to) : [] });
      } else if (m.method === 'diff.setView') {
        viewId++;
        spec = m.params;
        ok({ viewId, count, spec });
      } else send({ type: 'response', inReplyTo: m.messageId, error: { code: 'unsupported', message: m.method } });
    },
  });
}

const SUMMARY = {
  sites: 40, differingSites: 30, classes: Object.fromEntries(['same', 'gt-change', 'only-A', 'only-B', 'filter-change', 'qual-change', 'same-haplotypes'].map((c) => [c, { SNP: 1, INDEL: 0, MNP: 0, total: 1 }])),
  a: { sample: 'S', records: 40, variantRecords: 40, het: 1, homAlt: 1, hetHomRatio: 1, tiTv: 2, calledAlleles: { SNP: 1, INDEL: 0 } },
  b: { sample: 'S', records: 40, variantRecords: 40, het: 1, homAlt: 1, hetHomRatio: 1, tiTv: 2, calledAlleles: { SNP: 1, INDEL: 0 } },
  strata: [], options: { normalized: true },
};
const truthRows = (tp: number, fp: number, fn: number) => ['SNP', 'INDEL', 'ALL'].map((type) => ({
  type, tp, fp, fn, fpGt: 0, precision: tp / (tp + fp), recall: tp / (tp + fn), f1: (2 * tp) / (2 * tp + fp + fn),
}));
const side = (gt: string) => ({ gt, alleleGt: gt, called: true, qual: '30', filter: 'PASS', gq: '40', recordPos: 0 });
const ROWS = Array.from({ length: 30 }, (_, i) => ({
  index: i, contig: 'chr20', pos: 1000 + i, ref: 'C', alt: 'T', kind: 'SNP', classes: ['gt-change'], a: side('0/1'), b: side('1/1'), dispute: 1000,
  truthA: i % 2 ? 'TP' : 'FP+FN', truthB: i % 2 ? 'FP+FN' : 'TP',
}));
const COMPARISON = { fileA: '/d/default.vcf.gz', fileB: '/d/retrained.vcf.gz', truthFile: '/d/data/truth.vcf.gz' };
const BASE_INIT = {
  fileA: COMPARISON.fileA, fileB: COMPARISON.fileB, nameA: 'default.vcf.gz', nameB: 'retrained.vcf.gz', summaryDone: SUMMARY,
  scopeCounts: { disputes: 30, qualOnly: 10, all: 40 }, reviewFile: '/d/variant-lens.review.tsv',
};

let browser: Browser;
const problems: string[] = [];
let diffUrl: string;
let tableUrl: string;

before(async () => {
  buildIfStale(['webview', 'src/protocol', 'media'], ['dist/webview/diff.js', 'dist/webview/table.js', 'dist/media/diff.css', 'dist/media/table.css']);
  mkdirSync(DIR, { recursive: true });
  diffUrl = writeCspPage(join(DIR, 'diff.html'), { nonce: NONCE, title: 'diff', bundle: 'diff', css: ['common.css', 'table.css', 'diff.css', 'review.css'] });
  tableUrl = writeCspPage(join(DIR, 'table.html'), { nonce: NONCE, title: 'table', bundle: 'table', css: ['common.css', 'table.css', 'review.css'] });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function openDiff(arg: DiffHostArg): Promise<Page> {
  const p = await newWatchedPage(browser, { width: 1400, height: 800 }, problems, { console: ['error'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(p, diffUrl, diffHost, arg);
  return p;
}
type State = { comparison: unknown; view: Record<string, unknown>; selected: number; first: number };
const statesOf = (p: Page): Promise<State[]> => p.evaluate(() => (window as unknown as { __states: State[] }).__states);

test('diff: the page saves comparison, view and selection for a reload; the truth VCF and the review file are shown', async () => {
  const p = await openDiff({ init: { ...BASE_INIT, comparison: COMPARISON, view: { spec: { scope: 'disputes', sortBy: 'dispute', descending: true } }, truthVs: { file: COMPARISON.truthFile, name: 'truth.vcf.gz', a: { truth: 'B', rows: truthRows(8, 2, 1), matching: 'allele' }, b: { truth: 'B', rows: truthRows(6, 4, 3), matching: 'allele' } } }, rows: ROWS, running: false });
  await p.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]');
  // The review file verdicts go to, named in the toolbar (its path in the tooltip).
  assert.equal(await p.textContent('.toolbar .review-file'), 'verdicts → variant-lens.review.tsv');
  assert.match((await p.getAttribute('.toolbar .review-file', 'title')) ?? '', /\/d\/variant-lens\.review\.tsv/);
  // Truth VCF: each side's metrics in the summary, each side's class per site.
  const truthCaption = await p.textContent('.truth-vs-table caption');
  assert.equal(truthCaption, 'Truth: truth.vcf.gz (PASS calls of each side; allele matching, no reference: haplotype matching needs one)');
  assert.equal(await p.$$('.happy-table').then((x) => x.length), 0, 'no hap.py table without a reference');
  const allRows = await p.$$eval('.truth-vs-table tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)).filter((r) => /ALL/.test(r[0] ?? '')));
  assert.deepEqual(allRows, [['A ALL', '8', '2', '1', '80.00%', '88.89%', '84.21%'], ['B ALL', '6', '4', '3', '60.00%', '66.67%', '63.16%']]);
  for (const col of ['atruth', 'btruth']) assert.notEqual(await p.$eval(`.row.header [data-col="${col}"]`, (e) => getComputedStyle(e).display), 'none');
  assert.equal(await p.textContent('.rows .row[data-index="0"] .c-truth.side-a'), 'FP+FN');
  assert.equal(await p.textContent('.rows .row[data-index="1"] .c-truth.side-a'), 'TP');
  assert.equal(await p.textContent('.rows .row[data-index="1"] .c-truth.side-b'), 'FP+FN');

  // A scope, a class chip, a sort and a selection: each goes to the webview state.
  await p.click('.chip[data-chip="gt-change"]');
  await p.click('.row.header [data-sort="qualA"]');
  await p.waitForSelector('.row.header [data-sort="qualA"][aria-sort="ascending"]');
  await p.focus('.grid');
  await p.keyboard.press('j');
  await p.keyboard.press('j');
  await p.keyboard.press('j');
  await p.waitForFunction(() => {
    const s = (window as unknown as { __states: { selected: number; view: { sortBy?: string } }[] }).__states.at(-1);
    return s?.selected === 2 && s.view.sortBy === 'qualA';
  });
  const last = (await statesOf(p)).at(-1)!;
  assert.deepEqual(last.comparison, COMPARISON);
  assert.deepEqual(last.view, { classes: ['gt-change'], sortBy: 'qualA', descending: false, scope: 'disputes' });
  assert.equal(last.selected, 2);
  await p.close();
  assert.deepEqual(problems, []);
});

test('diff: with a reference, hap.py\'s summary of each side (haplotype matching) shows the numbers of summary.csv; a malformed one is reported, not drawn', async () => {
  // Rows as DiffModel sends them (happyRows); the cells must read as summary.csv writes them (happyTables.ts).
  const happyRow = (type: string, filter: string, tp: number, fn: number, fp: number, unk: number, fpGt: number) => {
    const recall = tp + fn > 0 ? tp / (tp + fn) : null;
    const precision = tp + fp > 0 ? tp / (tp + fp) : null;
    const f1 = recall !== null && precision !== null && recall + precision > 0 ? (2 * recall * precision) / (recall + precision) : null;
    return { type, filter, truthTotal: tp + fn, truthTp: tp, truthFn: fn, queryTotal: tp + fp + unk, queryTp: tp, queryFp: fp, queryUnk: unk, fpGt, fpAl: 0, recall, precision, fracNa: tp + fp + unk > 0 ? unk / (tp + fp + unk) : null, f1 };
  };
  const happy = {
    a: [happyRow('INDEL', 'ALL', 1, 0, 0, 0, 0), happyRow('INDEL', 'PASS', 1, 0, 0, 0, 0), happyRow('SNP', 'ALL', 2, 1, 1, 0, 0), happyRow('SNP', 'PASS', 2, 1, 1, 0, 0)],
    b: [happyRow('INDEL', 'ALL', 0, 0, 0, 0, 0), happyRow('INDEL', 'PASS', 0, 0, 0, 0, 0), happyRow('SNP', 'ALL', 41_234, 3, 7, 2, 2), happyRow('SNP', 'PASS', 41_230, 7, 5, 2, 2)],
  };
  const truthVs = { file: COMPARISON.truthFile, name: 'truth.vcf.gz', a: { truth: 'B', rows: truthRows(8, 2, 1), matching: 'allele' }, b: { truth: 'B', rows: truthRows(6, 4, 3), matching: 'allele' }, happy };
  const p = await openDiff({ init: { ...BASE_INIT, comparison: COMPARISON, view: { spec: {} }, truthVs }, rows: ROWS, running: false });
  await p.waitForSelector('#app[data-state="done"] .happy-table');
  assert.equal(await p.textContent('.truth-vs-table caption'), 'Truth: truth.vcf.gz (PASS calls of each side; allele matching)');
  assert.equal(await p.textContent('.happy-table caption'), 'hap.py summary vs truth.vcf.gz: haplotype matching (superloci replayed onto the reference), as diff --truth --ref writes summary.csv');
  const cells = await p.$$eval('.happy-table tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  assert.deepEqual(cells[0], ['side Type Filter', 'TRUTH.TOTAL', 'TP', 'FN', 'QUERY.TOTAL', 'FP', 'UNK', 'FP.gt', 'Recall', 'Precision', 'F1']);
  // Each short header names its summary.csv column.
  assert.deepEqual(await p.$$eval('.happy-table tr:first-of-type th', (ths) => ths.slice(1).map((th) => th.getAttribute('title'))),
    ['TRUTH.TOTAL', 'TRUTH.TP', 'TRUTH.FN', 'QUERY.TOTAL', 'QUERY.FP', 'QUERY.UNK', 'FP.gt', 'METRIC.Recall', 'METRIC.Precision', 'METRIC.F1_Score']);
  assert.deepEqual(cells.slice(1).map((r) => r[0]), ['A INDEL ALL', 'A INDEL PASS', 'A SNP ALL', 'A SNP PASS', 'B INDEL ALL', 'B INDEL PASS', 'B SNP ALL', 'B SNP PASS']);
  // summary.csv text: integers without separators, metrics rounded to 6 decimals, empty when undefined.
  assert.deepEqual(cells[3], ['A SNP ALL', '3', '2', '1', '3', '1', '0', '0', '0.666667', '0.666667', '0.666667']);
  assert.deepEqual(cells[5], ['B INDEL ALL', '0', '0', '0', '0', '0', '0', '0', '', '', '']);
  assert.deepEqual(cells[7], ['B SNP ALL', '41237', '41234', '3', '41243', '7', '2', '2', '0.999927', '0.99983', '0.999879']);
  await p.close();

  // A payload that fails the protocol check (a metric out of range) is named, not drawn.
  const badVs = { ...truthVs, happy: { a: happy.a, b: [{ ...happy.b[0], recall: 7 }] } };
  const q = await openDiff({ init: { ...BASE_INIT, comparison: COMPARISON, view: { spec: {} }, truthVs: badVs }, rows: ROWS, running: false });
  await q.waitForSelector('#app[data-state="done"] .happy-table-error');
  assert.match((await q.textContent('.happy-table-error')) ?? '', /hap\.py summary not shown: happy\.b\[0\]\.recall: expected null or a number in \[0, 1\]/);
  assert.equal((await q.$$('table.happy-table')).length, 0);
  await q.close();
});

test('diff: a restored page gets its chips, text, sort and selection back once the run is done; without a truth VCF the truth columns are hidden', async () => {
  const spec = { classes: ['gt-change'], text: 'chr20', sortBy: 'qualB', descending: true, scope: 'qual-only' };
  const p = await openDiff({ init: { ...BASE_INIT, comparison: { fileA: COMPARISON.fileA, fileB: COMPARISON.fileB }, view: { spec }, restore: { selected: 17, first: 10 } }, rows: ROWS, running: true });
  await p.waitForSelector('#app[data-state="running"]');
  // While running: the chips and text are the restored view's, nothing is selected, and the
  // page does not overwrite the saved state with an empty list.
  assert.equal(await p.getAttribute('.chip[data-chip="gt-change"]', 'aria-pressed'), 'true');
  assert.equal(await p.getAttribute('.chip[data-scope="qual-only"]', 'aria-pressed'), 'true');
  assert.equal(await p.inputValue('.diff-filters .filter'), 'chr20');
  assert.equal((await statesOf(p)).length, 0);
  await p.evaluate(() => (window as unknown as { __finish: () => void }).__finish());
  await p.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]');
  await p.waitForSelector('.rows .row[data-index="17"].focused');
  assert.equal(await p.getAttribute('.row.header [data-sort="qualB"]', 'aria-sort'), 'descending');
  const sel = (await p.$$eval('[role="row"][aria-selected="true"], .rows .row.focused', (rs) => rs.map((r) => (r as HTMLElement).dataset.index)));
  assert.ok(sel.includes('17'), JSON.stringify(sel));
  for (const col of ['atruth', 'btruth']) assert.equal(await p.$eval(`.row.header [data-col="${col}"]`, (e) => getComputedStyle(e).display), 'none');
  await p.waitForFunction(() => (window as unknown as { __states: { selected: number }[] }).__states.at(-1)?.selected === 17);
  const last = (await statesOf(p)).at(-1)!;
  assert.deepEqual(last.view, spec);
  await p.close();
  assert.deepEqual(problems, []);
});

/** The table's fake host: table.init with a review file, then empty pages. */
function tableHost(reviewFile: string): void {
  const row = (i: number) => ({ index: i, row: i, chrom: 'chr20', pos: 1000 + i, id: '.', ref: 'A', alt: 'G', qual: '30', filter: 'PASS', kind: 'SNP', samples: [{ gt: '0/1', gq: '30', dp: '20', ad: '10,10', vaf: '0.5' }] });
  (window as unknown as Record<string, unknown>).acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(m: { type: string; messageId: number; method: string; params: { from: number; to: number; viewId: number } }) {
      if (m.type !== 'request') return;
      const ok = (result: unknown) => setTimeout(() => window.postMessage({ type: 'response', inReplyTo: m.messageId, result }, '*'), 0);
      const rows = (from: number, to: number) => Array.from({ length: Math.max(0, Math.min(to, 20) - from) }, (_, k) => row(from + k));
      if (m.method === 'table.init') ok({ file: '/d/x.vcf.gz', fileName: 'x.vcf.gz', samples: ['S1'], rowCount: 20, viewCount: 20, viewId: 0, filterValues: ['PASS'], infoKeys: [], trust: { trusted: true }, firstRows: rows(0, 20), reviewFile });
      else if (m.method === 'table.rows') ok({ viewId: 0, rows: rows(m.params.from, m.params.to) });
      else setTimeout(() => window.postMessage({ type: 'response', inReplyTo: m.messageId, error: { code: 'unsupported', message: m.method } }, '*'), 0);
    },
  });
}

test('table: the toolbar names the review file the verdicts go to', async () => {
  const p = await newWatchedPage(browser, { width: 1000, height: 500 }, problems, { console: ['error'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(p, tableUrl, tableHost, '/work/ws/variant-lens.review.tsv');
  await p.waitForSelector('.rows .row[data-index="0"]:not(.loading)');
  assert.equal(await p.textContent('.toolbar .review-file'), 'verdicts → variant-lens.review.tsv');
  assert.equal(await p.getAttribute('.toolbar .review-file', 'data-file'), '/work/ws/variant-lens.review.tsv');
  assert.equal(await p.isVisible('.toolbar .review-file'), true);
  await p.close();
  assert.deepEqual(problems, []);
});
