/**
 * The review parts of the webviews in real Chromium under the strict CSP (scripts by nonce),
 * each bundle with a fake `acquireVsCodeApi` that answers its protocol and records every
 * message the page posts — so the tests check what the page *asks* the host:
 *  - inspector (dist/webview/inspector.js): the review form shows the site's annotation and
 *    its conflict; 1–9 send `review.annotate` with the shortcut, `n` focuses the note,
 *    Ctrl+Enter saves verdict + tags + note, Ctrl+Z undoes only outside the note;
 *  - diff list (dist/webview/diff.js): the REVIEW column renders verdict chips and the ⚠
 *    conflict marker; 1–9 annotate the selected row (viewId/index target); `reviewChanged`
 *    makes the list fetch its rows again; nothing review-related is sent at start-up.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TEST_CACHE } from '../helpers/paths';
import { buildIfStale, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'review-webviews');
const NONCE = 'cmV2aWV3bm9uY2U';

function ensureBundles(): void {
  buildIfStale(['webview', 'src/protocol', 'media/review.css'], ['dist/webview/inspector.js', 'dist/webview/diff.js', 'dist/media/review.css']);
}

function page(name: string, bundle: string, css: readonly string[]): string {
  return writeCspPage(join(DIR, `${name}.html`), { nonce: NONCE, title: name, bundle, css });
}

/**
 * The fake host, serialized into the page before the bundle. `answers` maps a method to its
 * result; requests for other methods get an error reply. `window.__emit(name, payload)` sends
 * a host event.
 */
function fakeHost(answers: Record<string, unknown>): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  w.__posted = posted;
  const send = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  w.__emit = (name: string, payload: unknown) => send({ type: 'event', name, payload });
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string; params: { viewId?: number; from?: number; to?: number } }) {
      posted.push(JSON.parse(JSON.stringify(msg)));
      if (msg.type !== 'request') return;
      if (msg.method === 'diff.rows') {
        const all = answers['diff.rows'] as unknown[];
        const p = msg.params;
        const rows = all.slice(p.from, Math.min(p.to!, all.length));
        send({ type: 'response', inReplyTo: msg.messageId, result: { viewId: p.viewId, rows } });
        return;
      }
      if (msg.method in answers) send({ type: 'response', inReplyTo: msg.messageId, result: answers[msg.method] });
      else send({ type: 'response', inReplyTo: msg.messageId, error: { code: 'unknown', message: msg.method } });
    },
  });
}

type Posted = { type: string; method?: string; params?: Record<string, unknown>; name?: string };

const VOCAB = {
  name: 'model-dispute',
  verdicts: [
    { id: 'default-correct', title: 'Default correct', description: '', shortcut: '1' },
    { id: 'retrained-correct', title: 'Retrained correct', description: '', shortcut: '2' },
    { id: 'both-correct', title: 'Both correct', description: '', shortcut: '3' },
  ],
  tags: [{ id: 'LVF', title: 'Low variant frequency', description: '' }, { id: 'MN', title: 'Homopolymer', description: '' }],
};
const cell = (verdict: string, versions = 1, note = '') => ({ verdict, title: verdict, tags: [], note, reviewer: 'alice', time: '2024-05-01T12:00:00.000Z', versions, conflict: versions > 1 });
const SITE = { file: '/d/default.vcf.gz', row: 0, chrom: 'chr20', pos: 1000, ref: 'C', alt: 'T', id: '.', qual: '30', filter: 'PASS', samples: [], info: [], line: 'chr20\t1000\t.\tC\tT' };

let browser: Browser;
const problems: string[] = [];

async function open(url: string, answers: Record<string, unknown>): Promise<Page> {
  const p = await newWatchedPage(browser, { width: 1200, height: 700 }, problems, { console: ['error'], allowedUrls: ['file:'] });
  await gotoWithFakeHost(p, url, fakeHost, answers);
  return p;
}
const postedOf = (p: Page): Promise<Posted[]> => p.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
const requests = async (p: Page, method: string): Promise<Posted[]> => (await postedOf(p)).filter((m) => m.type === 'request' && m.method === method);
async function until(p: Page, method: string, n: number): Promise<Posted[]> {
  await p.waitForFunction(([m, k]) => (window as unknown as { __posted: Posted[] }).__posted.filter((x) => x.method === m).length >= k, [method, n] as const);
  return requests(p, method);
}

before(async () => {
  ensureBundles();
  mkdirSync(DIR, { recursive: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('inspector review form: state, conflict, 1–9, n, Ctrl+Enter, Ctrl+Z', async () => {
  const state = {
    reviewFile: '/d/default.vs.retrained.review.tsv', reviewFileName: 'default.vs.retrained.review.tsv',
    site: { contig: 'chr20', pos: 1000, ref: 'C', alt: 'T' },
    cell: { ...cell('both-correct', 2, 'second look'), tags: ['MN'] },
    versions: [cell('default-correct'), { ...cell('both-correct', 1, 'second look'), tags: ['MN'] }],
    canUndo: true,
  };
  const p = await open(page('inspector', 'inspector', ['common.css', 'inspector.css', 'review.css']), {
    'inspector.init': { site: SITE, tensors: [], trust: { trusted: true } },
    'review.init': { vocabulary: VOCAB, reviewer: 'alice' },
    'review.site': state,
    'review.annotate': { cell: cell('retrained-correct') },
    'review.undo': { undone: true },
  });
  await p.waitForSelector('.review-form:not([hidden])[data-site="chr20:1000"]');
  // The page's own start comes first: ready, inspector.init, then the review pull.
  const first = (await postedOf(p)).slice(0, 4).map((m) => m.name ?? m.method);
  assert.deepEqual(first, ['ready', 'inspector.init', 'review.init', 'review.site']);
  assert.equal(await p.getAttribute('.review-form', 'data-conflict'), 'true');
  assert.equal(await p.isVisible('.review-resolve'), true);
  assert.match((await p.textContent('.review-versions')) ?? '', /default-correct \(alice\) vs both-correct \(alice\)/);
  assert.equal(await p.getAttribute('.review-verdicts button[data-verdict="both-correct"]', 'aria-pressed'), 'true');
  assert.equal(await p.isChecked('.review-tags input[value="MN"]'), true);
  assert.equal(await p.inputValue('.review-note-input'), 'second look');

  await p.keyboard.press('2');
  let annotate = await until(p, 'review.annotate', 1);
  assert.deepEqual(annotate[0]!.params, { shortcut: '2', tags: ['MN'], note: 'second look' });

  await p.keyboard.press('n');
  assert.equal(await p.evaluate(() => document.activeElement?.className), 'review-note-input');
  await p.keyboard.press('Control+A');
  await p.keyboard.type('strand bias; 1 2 3');
  assert.equal((await requests(p, 'review.annotate')).length, 1, 'digits typed in the note are text, not verdicts');
  await p.keyboard.press('Control+z'); // text undo inside the note: not a review undo
  assert.equal((await requests(p, 'review.undo')).length, 0);
  await p.fill('.review-note-input', 'strand bias');
  // Tags live in a dropdown; the form (verdicts, tags, note toggle, Save/Undo) is one line.
  // One line: every control of the form (verdict buttons, tags summary, note toggle, Save/Undo)
  // stands on the same row.
  const tops = await p.$$eval('.review-line button:not([hidden]), .review-line summary', (els) => els
    .filter((e) => (e as HTMLElement).offsetParent !== null)
    .map((e) => `${(e.textContent ?? '').trim().slice(0, 20)}@${Math.round(e.getBoundingClientRect().top)}`));
  const rows = new Set(tops.map((t) => Number(t.split('@').pop())));
  assert.ok(tops.length >= 6, `controls: ${tops.join(', ')}`);
  assert.ok(Math.max(...rows) - Math.min(...rows) <= 2, `review form is not one line: ${tops.join(', ')}`);
  assert.equal(await p.isVisible('.review-tags input[value="LVF"]'), false);
  await p.click('.review-tags-menu > summary');
  await p.check('.review-tags input[value="LVF"]');
  assert.match((await p.textContent('.review-tags-summary')) ?? '', /^Tags \(2\): MN, LVF$/);
  await p.focus('.review-note-input');
  await p.keyboard.press('Control+Enter');
  annotate = await until(p, 'review.annotate', 2);
  assert.deepEqual(annotate[1]!.params, { verdict: 'retrained-correct', tags: ['MN', 'LVF'], note: 'strand bias' });

  await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await p.keyboard.press('Control+z');
  await until(p, 'review.undo', 1);
  // A host push (another window's edit) re-renders the form.
  const pushed = { ...state, cell: cell('default-correct'), versions: [cell('default-correct')] };
  await p.evaluate((s) => (window as unknown as { __emit: (n: string, x: unknown) => void }).__emit('reviewSite', s), pushed);
  await p.waitForSelector('.review-form[data-verdict="default-correct"][data-conflict="false"]');
  assert.equal(await p.isVisible('.review-resolve'), false);
  await p.close();
  assert.deepEqual(problems, []);
});

test('diff list: REVIEW column chips and conflict marker, 1–9 on the selected row, reviewChanged re-fetches', async () => {
  const side = { gt: '0/1', alleleGt: '0/1', called: true, qual: '30', filter: 'PASS', gq: '40', recordPos: 0 };
  const rows = Array.from({ length: 30 }, (_, i) => ({
    index: i, contig: 'chr20', pos: 1000 + i, ref: 'C', alt: 'T', kind: 'SNP', classes: ['gt-change'], a: side, b: { ...side, gt: '1/1' },
    ...(i === 1 ? { review: cell('default-correct', 1, 'clear on both strands') } : i === 2 ? { review: cell('both-correct', 2) } : {}),
  }));
  const p = await open(page('diff', 'diff', ['common.css', 'table.css', 'diff.css', 'review.css']), {
    'diff.init': { fileA: '/d/default.vcf.gz', fileB: '/d/retrained.vcf.gz', nameA: 'default.vcf.gz', nameB: 'retrained.vcf.gz', state: 'done', view: { viewId: 7, count: rows.length, spec: {} } },
    'diff.rows': rows,
    'review.annotate': { cell: cell('both-correct') },
  });
  await p.waitForSelector('.grid[data-loaded="true"]');
  const start = (await postedOf(p)).map((m) => m.name ?? m.method);
  assert.deepEqual(start.slice(0, 2), ['ready', 'diff.init']);
  assert.equal(start.filter((m) => m?.startsWith('review.')).length, 0, 'no review request before a key is pressed');
  assert.equal(await p.textContent('.row.header .c-review'), 'REVIEW');
  assert.equal(await p.textContent('.rows .row[data-index="1"] .c-review .review-chip'), 'default-correct');
  assert.equal(await p.textContent('.rows .row[data-index="1"] .c-review .review-note'), 'clear on both strands');
  assert.equal(await p.getAttribute('.rows .row[data-index="1"] .c-review', 'data-conflict'), 'false');
  assert.equal(await p.textContent('.rows .row[data-index="2"] .c-review .review-conflict'), '⚠ 2');
  assert.equal(await p.getAttribute('.rows .row[data-index="2"] .c-review', 'data-conflict'), 'true');
  assert.equal(await p.textContent('.rows .row[data-index="0"] .c-review'), '');

  await p.focus('.grid');
  await p.keyboard.press('3'); // nothing selected yet: no request
  await p.keyboard.press('j');
  await p.keyboard.press('j');
  await p.keyboard.press('j');
  await p.keyboard.press('3');
  const annotate = await until(p, 'review.annotate', 1);
  assert.deepEqual(annotate.map((m) => m.params), [{ target: { viewId: 7, index: 2 }, shortcut: '3' }]);
  await p.keyboard.press('Control+z');
  await until(p, 'review.undo', 1);

  const before = (await requests(p, 'diff.rows')).length;
  await p.evaluate(() => (window as unknown as { __emit: (n: string, x: unknown) => void }).__emit('reviewChanged', { count: 3 }));
  await until(p, 'diff.rows', before + 1);
  // After the re-fetch (a loading frame empties every cell), unchanged verdicts are drawn again.
  await p.waitForSelector('.grid[data-loaded="true"]');
  assert.equal(await p.textContent('.rows .row[data-index="1"] .c-review .review-chip', { timeout: 5000 }), 'default-correct');
  assert.equal(await p.textContent('.rows .row[data-index="2"] .c-review .review-conflict', { timeout: 5000 }), '⚠ 2');
  await p.close();
  assert.deepEqual(problems, []);
});
