/**
 * End-to-end, on the demo in a real VS Code (code-server, the packaged .vsix, headless
 * Chromium at 1400×900): the lists of issue "A reviewer's day", one assertion per complaint —
 *  - with the inspector open beside the table, QUAL and GT are on screen (pain 2);
 *  - Enter in the filter applies it and returns to the grid, so `j` moves the selection (5);
 *  - `GQ<20` shows the rows of `bcftools view -H -i 'FMT/GQ<20'` (11); `foo<1` is an error in
 *    the box, not "0 of N rows" (11);
 *  - Ctrl+L selects the locus text, so typing replaces the old locus (5);
 *  - a window reload restores the table's filter, sort and selection (10);
 *  - Compare Two VCFs opens on the disputes only (8 sites, not 156), ranked as the report
 *    ranks them, with A GT, B GT and REVIEW on screen (2, 3).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { loadedRow, openTable, runCommand, SCREENSHOTS, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { pick } from './demoDiff';
import { DiffModel } from '../../src/extension/diff/diffModel';

const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** Right edge of a header cell and the frame's width: the column is on screen when right ≤ width. */
async function onScreen(frame: Frame, col: string): Promise<{ right: number; width: number; shown: boolean }> {
  return frame.$eval(`.row.header [data-col="${col}"]`, (e) => ({ right: e.getBoundingClientRect().right, width: window.innerWidth, shown: getComputedStyle(e).display !== 'none' }));
}

async function assertOnScreen(frame: Frame, cols: readonly string[]): Promise<void> {
  for (const c of cols) {
    const r = await onScreen(frame, c);
    assert.ok(r.shown && r.right <= r.width, `${c}: ${JSON.stringify(r)}`);
  }
}

const statusText = (f: Frame): Promise<string> => f.textContent('.status').then((t) => t ?? '');

/** Waits until the status line reads `want`; on timeout the error says what it read instead. */
async function waitStatus(f: Frame, want: string, timeout: number): Promise<void> {
  await f.waitForFunction((w) => document.querySelector('.status')?.textContent === w, want, { timeout }).catch(async (e: unknown) => {
    throw new Error(`status "${await statusText(f).catch(() => '?')}", filter "${await f.inputValue('.filter').catch(() => '?')}", wanted "${want}": ${String(e)}`);
  });
}

async function setFilter(page: Page, table: Frame, text: string): Promise<void> {
  await table.focus('.grid');
  await page.keyboard.press('/');
  await table.waitForFunction(() => document.activeElement?.classList.contains('filter'));
  await table.fill('.filter', text);
  await table.waitForFunction(() => document.activeElement?.classList.contains('filter'));
  await page.keyboard.press('Enter');
}

test('lists on the demo: columns beside the inspector, filter keys and terms, locus box, reload, the disputes view', { timeout: 900_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const vcf = join(demo, 'default.vcf.gz');
  const vs = await startVsCode('lists', demo, true);
  running.push(vs);
  const { page } = vs;

  // Pain 2: the table beside the inspector keeps QUAL and GT on screen (ID, all ".", is hidden).
  const table = await openTable(page, 'default.vcf.gz');
  await table.click(loadedRow(0));
  await page.keyboard.press('Enter');
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForSelector('#app[data-site]', { timeout: 120_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');
  await assertOnScreen(table, ['chrom', 'pos', 'ref', 'alt', 'qual', 'filter', 'gt0']);
  assert.equal((await onScreen(table, 'id')).shown, false, 'the all-"." ID column is hidden');
  await page.screenshot({ path: join(SCREENSHOTS, 'lists-table-beside-inspector.png') });

  // Pain 11: GQ<20 = bcftools; pain 5: Enter returns to the grid and j moves the selection.
  const total = Number(execFileSync('sh', ['-c', `bcftools view -H '${vcf}' | wc -l`], { encoding: 'utf8' }).trim());
  const gq = Number(execFileSync('sh', ['-c', `bcftools view -H -i 'FMT/GQ<20' '${vcf}' | wc -l`], { encoding: 'utf8' }).trim());
  assert.ok(gq > 1 && gq < total, `GQ<20 keeps ${gq} of ${total}: not a trivial case`);
  await setFilter(page, table, 'GQ<20');
  const want = `${gq.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`;
  await waitStatus(table, want, 60_000);
  await table.waitForFunction(() => document.activeElement?.classList.contains('grid'));
  await table.waitForSelector(`${loadedRow(0)}.focused`);
  await page.keyboard.press('j');
  await table.waitForSelector(`${loadedRow(1)}.focused`);
  assert.equal(await table.inputValue('.filter'), 'GQ<20', 'j moved the selection instead of typing into the box');

  // Pain 11: an unknown field is an error in the box; the view stays.
  await setFilter(page, table, 'foo<1');
  await table.waitForSelector('.filter-error:not([hidden])');
  assert.match((await table.textContent('.filter-error')) ?? '', /unknown field "foo"/);
  assert.doesNotMatch(await statusText(table), /^0 of/);
  await page.screenshot({ path: join(SCREENSHOTS, 'lists-filter-error.png') });
  await setFilter(page, table, 'GQ<20');
  await table.waitForSelector('.filter-error', { state: 'hidden' });

  // Pain 5: Ctrl+L selects the old locus, so typing replaces it.
  const sites = execFileSync('bcftools', ['query', '-i', 'FMT/GQ<20', '-f', '%CHROM:%POS\n', vcf], { encoding: 'utf8' }).trim().split('\n');
  await table.focus('.grid');
  await page.keyboard.press('Control+l');
  await table.waitForFunction(() => document.activeElement?.classList.contains('locus'));
  await page.keyboard.type(sites[2]!);
  await page.keyboard.press('Enter');
  await table.waitForSelector(`${loadedRow(2)}.focused`);
  await page.keyboard.press('Control+l');
  await table.waitForFunction(() => document.activeElement?.classList.contains('locus'));
  await page.keyboard.type(sites[4]!);
  assert.equal(await table.inputValue('.locus'), sites[4], 'the new locus replaced the old one');
  await page.keyboard.press('Enter');
  await table.waitForSelector(`${loadedRow(4)}.focused`);

  // Pain 10: sort by QUAL, select a row, reload the window: filter, sort and selection come back.
  // (The page asks for the saved filter right after table.init, while the row index is still
  // being built; the host now waits for the index instead of refusing: vcfTableModel.setView.)
  {
    await table.click('.row.header [data-sort="qual"]');
    await table.waitForSelector('.row.header [data-sort="qual"][aria-sort="ascending"]', { timeout: 60_000 });
    await table.click(loadedRow(3));
    await table.waitForSelector(`${loadedRow(3)}.focused`);
    const selectedPos = await table.textContent(`${loadedRow(3)} .c-pos`);
    await page.waitForTimeout(1500); // the view state goes to the host 300 ms after the last change
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // VS Code normally restores the table editor itself. In the full e2e run it sometimes comes
    // back without it (under investigation); then reopen the file: the view state (filter, sort,
    // selection) lives in the host's workspaceState, so it must come back either way.
    const restored = await webviewFrame(page, '.grid[aria-label="VCF table default.vcf.gz"]', 60_000)
      .catch(async () => openTable(page, 'default.vcf.gz'));
    await waitStatus(restored, want, 120_000);
    await restored.waitForSelector(`${loadedRow(3)}.focused`, { timeout: 60_000 });
    assert.equal(await restored.inputValue('.filter'), 'GQ<20');
    assert.equal(await restored.getAttribute('.row.header [data-sort="qual"]', 'aria-sort'), 'ascending');
    assert.equal(await restored.textContent(`${loadedRow(3)} .c-pos`), selectedPos);
    await page.screenshot({ path: join(SCREENSHOTS, 'lists-table-after-reload.png') });
  }

  // Pains 2 and 3: the demo diff opens on its disputes, ranked as the report ranks them, A GT | B GT | REVIEW on screen.
  const model = new DiffModel({ fileA: vcf, fileB: join(demo, 'retrained.vcf.gz'), reference: join(demo, 'data', 'reference.fa') });
  await model.run(new AbortController().signal);
  const init = model.init();
  const expected = model.rows(init.view.viewId, 0, init.view.count).rows.map((r) => `${r.contig}:${r.pos}`);
  await model.close();
  assert.ok(init.scopeCounts!.disputes > 0 && init.scopeCounts!.disputes < 20 && init.scopeCounts!.all > 100, JSON.stringify(init.scopeCounts));
  await runCommand(page, 'Variant Lens: Compare Two VCFs');
  await pick(page, 'default.vcf.gz');
  await pick(page, 'retrained.vcf.gz');
  await pick(page, 'No truth set');
  const diff = await webviewFrame(page, '.diff-summary', 60_000);
  await diff.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]', { timeout: 120_000 });
  assert.equal(await diff.getAttribute('.grid', 'data-count'), String(init.scopeCounts!.disputes));
  assert.equal(await diff.getAttribute('.chip[data-scope="disputes"]', 'aria-pressed'), 'true');
  assert.equal(await diff.getAttribute('.row.header [data-sort="dispute"]', 'aria-sort'), 'descending');
  const shown = await diff.$$eval('.rows .row:not([hidden])', (rows) => rows.map((r) => `${r.querySelector('.c-chrom')?.textContent}:${r.querySelector('.c-pos')?.textContent?.replace(/,/g, '')}`));
  assert.deepEqual(shown, expected);
  await assertOnScreen(diff, ['alt', 'agt', 'bgt', 'review']);
  await runCommand(page, 'Notifications: Clear All Notifications');
  assert.match(await statusText(diff), new RegExp(`^${init.scopeCounts!.disputes} disputes · \\d+ / ${init.scopeCounts!.disputes} disputes reviewed`));
  await page.screenshot({ path: join(SCREENSHOTS, 'lists-diff-disputes.png') });
  // The QUAL-only changes are one chip away.
  await diff.click('.chip[data-scope="qual-only"]');
  await diff.waitForFunction((n) => document.querySelector('.grid')?.getAttribute('data-count') === n, String(init.scopeCounts!.qualOnly));
});
