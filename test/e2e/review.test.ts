/**
 * End-to-end review in a real VS Code (code-server, the packaged .vsix, headless Chromium —
 * codeServer.ts): the demo's diff (default.vcf.gz ↔ retrained.vcf.gz from `npm run demo`'s
 * pipeline, test/helpers/demoWorkspace.ts) is opened with "Compare Two VCFs"; three sites
 * are annotated with the keyboard only (j walks the list, 1 / 2 / 4 set default-correct /
 * retrained-correct / both-wrong); the window is reloaded ("Developer: Reload Window"); the
 * three verdicts are then found in the review file on disk, in the diff list's REVIEW column
 * and in the Review tree view (grouped by verdict, with the progress "3 / N reviewed").
 * Then one site of default.vcf.gz's own table (key 3): its REVIEW column and its review file.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { Frame, Page } from 'playwright-core';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { E2E_CACHE, SCREENSHOTS, quickOpen, runCommand, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';

const WORKSPACE = join(E2E_CACHE, 'review-workspace');
const REVIEW_FILE = join(WORKSPACE, 'default.vs.retrained.review.tsv');
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** A private copy of the demo workspace (the test writes its review file); data and models are linked. */
async function writeWorkspace(): Promise<void> {
  const demo = await ensureDemoWorkspace();
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(WORKSPACE, { recursive: true });
  for (const f of ['default.vcf.gz', 'default.vcf.gz.tbi', 'retrained.vcf.gz', 'retrained.vcf.gz.tbi', 'default.vs.retrained.review.tsv', '.vscode']) {
    cpSync(join(demo, f), join(WORKSPACE, f), { recursive: true });
  }
  for (const d of ['data', 'models']) if (existsSync(join(demo, d))) symlinkSync(join(demo, d), join(WORKSPACE, d));
}

async function pick(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Runs a palette command, retrying while the extension host is still registering commands. */
async function command(page: Page, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, title);
      return;
    } catch (e) {
      if (attempt === 4) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

async function openDiff(page: Page): Promise<Frame> {
  await command(page, 'Variant Lens: Compare Two VCFs');
  await pick(page, 'default.vcf.gz');
  await pick(page, 'retrained.vcf.gz');
  await pick(page, 'No truth set');
  const diff = await webviewFrame(page, '.diff-summary', 60_000);
  await diff.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]', { timeout: 60_000 });
  return diff;
}

interface RowText { chrom: string; pos: number; ref: string; alt: string; review: string }

async function rowText(diff: Frame, index: number): Promise<RowText> {
  return diff.$eval(`.rows .row[data-index="${index}"]`, (r) => {
    const cells = [...r.querySelectorAll('.cell')].map((c) => c.textContent ?? '');
    const review = r.querySelector('.c-review .review-chip')?.textContent ?? '';
    return { chrom: cells[0]!, pos: Number(cells[1]!.replace(/,/g, '')), ref: cells[2]!, alt: cells[3]!, review };
  });
}

const EXPECTED = [
  { key: '1', verdict: 'default-correct', group: 'Default correct' },
  { key: '2', verdict: 'retrained-correct', group: 'Retrained correct' },
  { key: '4', verdict: 'both-wrong', group: 'Both wrong' },
] as const;

test('Review: annotate three diff sites with the keyboard, reload, find them in the file, the column and the tree', { timeout: 420_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await writeWorkspace();
  assert.equal(readFileSync(REVIEW_FILE, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).length, 0, 'the demo review file starts empty');
  const vs = await startVsCode('review', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;

  // The VCF table's own review file: key 3 on default.vcf.gz's first row → its REVIEW column and
  // default.vcf.gz.review.tsv (the reviewer: git's user.name here, else the OS user). First, in the fresh window.
  await quickOpen(page, 'default.vcf.gz');
  const table = await webviewFrame(page, '.grid[aria-label="VCF table default.vcf.gz"]', 60_000);
  const first = '.rows .row[data-index="0"]:not(.loading)';
  await table.waitForSelector(first, { timeout: 60_000 });
  await table.click(first);
  await page.keyboard.press('3');
  await table.waitForFunction(() => document.querySelector('.rows .row[data-index="0"] .c-review .review-chip')?.textContent === 'both-correct', undefined, { timeout: 30_000 });
  const cells = await table.$eval(first, (r) => [...r.querySelectorAll('.cell')].map((c) => c.textContent ?? ''));
  const tableFile = join(WORKSPACE, 'default.vcf.gz.review.tsv');
  const tableRows = readFileSync(tableFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
  assert.equal(tableRows.length, 1);
  const r = tableRows[0]!;
  assert.deepEqual([r[0], r[1], r[5]], [cells[0], cells[1]!.replace(/,/g, ''), 'both-correct']);
  let gitName = '';
  try {
    gitName = execFileSync('git', ['config', '--get', 'user.name'], { cwd: WORKSPACE, encoding: 'utf8' }).trim();
  } catch {
    // not set: the OS user
  }
  assert.equal(r[8], gitName || userInfo().username);
  assert.match(r[10]!, /^default=/, 'models column snapshots the models (or the VCF)');

  let diff = await openDiff(page);
  const total = Number(await diff.getAttribute('.grid', 'data-count'));
  assert.ok(total >= 3, `the demo diff lists ${total} sites`);
  await diff.focus('.grid');
  const sites: RowText[] = [];
  for (let i = 0; i < EXPECTED.length; i++) {
    await page.keyboard.press('j');
    await diff.waitForFunction((n) => document.querySelector('.rows .row.selected')?.getAttribute('data-index') === String(n), i);
    await page.keyboard.press(EXPECTED[i]!.key);
    // The host saves, then tells the list to re-fetch: the chip shows the verdict.
    await diff.waitForFunction(([n, v]) => document.querySelector(`.rows .row[data-index="${n}"] .c-review .review-chip`)?.textContent === v, [i, EXPECTED[i]!.verdict] as const, { timeout: 30_000 });
    sites.push(await rowText(diff, i));
  }

  // On disk before the reload: one line per site, in coordinate order, with both models' snapshot.
  const lines = (): string[][] => readFileSync(REVIEW_FILE, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
  // The list is ranked by dispute score, the file is in coordinate order: compare in coordinate order.
  const byCoordinate = sites.map((s, i) => ({ s, verdict: EXPECTED[i]!.verdict })).sort((x, y) => (x.s.chrom < y.s.chrom ? -1 : x.s.chrom > y.s.chrom ? 1 : x.s.pos - y.s.pos));
  const check = (rows: string[][]): void => {
    assert.equal(rows.length, 3, rows.map((r) => r.join(' ')).join('\n'));
    byCoordinate.forEach(({ s, verdict }, i) => {
      const r = rows[i]!;
      assert.deepEqual([r[0], Number(r[1]), r[2], r[3], r[5]], [s.chrom, s.pos, s.ref.toUpperCase(), s.alt, verdict]);
      assert.match(r[10]!, /^default=[^;]*;retrained=/, 'models column snapshots both VCFs');
      assert.equal(r[11], '.', 'no conflict');
    });
  };
  check(lines());

  await command(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // The old panel is gone with the reload; open the diff again.
  await page.waitForFunction(() => !document.querySelector('.diff-summary'), undefined, { timeout: 10_000 }).catch(() => undefined);
  diff = await openDiff(page);
  for (let i = 0; i < EXPECTED.length; i++) {
    await diff.waitForFunction(([n, v]) => document.querySelector(`.rows .row[data-index="${n}"] .c-review .review-chip`)?.textContent === v, [i, EXPECTED[i]!.verdict] as const, { timeout: 30_000 });
  }
  assert.equal(await diff.$$eval('.rows .row:not([hidden]) .c-review .review-chip', (c) => c.length), 3, 'exactly three rows carry a verdict');
  check(lines());

  // The Review tree: groups by verdict with counts, the three sites, progress in the title.
  await command(page, 'Variant Lens: Focus on Review View');
  const tree = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Review' }) });
  for (const e of EXPECTED) await tree.locator('.monaco-list-row', { hasText: `${e.group} (1)` }).waitFor({ timeout: 30_000 });
  for (const s of sites) await tree.locator('.monaco-list-row', { hasText: `${s.chrom}:${s.pos.toLocaleString('en-US')} ${s.ref}>${s.alt}` }).first().waitFor({ timeout: 10_000 });
  const header = (await tree.locator('.pane-header').first().textContent()) ?? '';
  assert.match(header, new RegExp(`3 / ${total.toLocaleString('en-US')} reviewed`));
  // Screenshot: the tree beside the list and its REVIEW column.
  await command(page, 'Notifications: Clear All Notifications');
  await page.screenshot({ path: join(SCREENSHOTS, 'review.png') });
});
