/**
 * End-to-end: the packaged .vsix in a real VS Code 1.100 (code-server 4.100.3) driven by
 * headless Chromium. Opens a generated 5,000,000-record .vcf.gz with the table editor,
 * measures first rows / jump to the last row / extension-host round trips while indexing,
 * checks keyboard navigation and the inspector, and an untrusted workspace.
 * Ceilings are generous (CI machines are slow and shared); `npm run bench:ui` reports numbers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Frame } from 'playwright-core';
import { E2E_CACHE, SCREENSHOTS, quickOpen, runCommand, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';
import { BIG_RECORDS, bigVcfGz, smallVcf } from './vcfFixtures';

const WORKSPACE = join(E2E_CACHE, 'workspace');
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** The row element of view index i, once its data has arrived (data-row is set). */
const loadedRow = (i: number) => `.rows .row[data-index="${i}"]:not(.loading)`;

async function tableFrame(vs: RunningVsCode, fileName: string): Promise<Frame> {
  // The table webview's document title is the file name; several tables may be open.
  return webviewFrame(vs.page, `.grid[aria-label="VCF table ${fileName}"]`, 60_000);
}

test('5,000,000-record .vcf.gz: first rows, jump to last row, host responsiveness, keyboard, inspector', { timeout: 900_000 } /* generating the 5M file on a loaded machine takes minutes; the speed goals are the asserts below */, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  smallVcf(WORKSPACE);
  const big = await bigVcfGz(WORKSPACE);
  // Ground truth for the row count: bcftools, not our reader.
  const n = Number(spawnSync('sh', ['-c', `bcftools index -n '${big}'`], { encoding: 'utf8' }).stdout.trim());
  assert.equal(n, BIG_RECORDS);

  const vs = await startVsCode('trusted', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;

  // *.vcf.gz opens in the table editor by default.
  const quickOpenStart = Date.now();
  const t0 = await quickOpen(page, 'big.vcf.gz');
  const frame = await tableFrame(vs, 'big.vcf.gz');
  await frame.waitForSelector(loadedRow(0), { timeout: 60_000 });
  const firstRowsMs = Date.now() - t0;
  // Where the first-rows time went: host and webview milestones (Date.now() on both sides).
  const marks = await frame.$eval('#perf', (e) => ({ ...(e as HTMLElement).dataset }));
  const steps: [string, string][] = [
    ['hostOpenStart', 'custom editor: openCustomDocument'], ['hostOpened', 'header + head rows read'], ['hostResolve', 'resolveCustomEditor'],
    ['scriptStart', 'webview script running'], ['hostReady', 'host got ready'], ['hostInit', 'host got table.init'],
    ['hostInitAnswered', 'init + first page answered'], ['initReceived', 'webview got init'], ['firstRowsAt', 'first rows drawn'], ['hostIndexStart', 'index job started'],
  ];
  console.log(`[e2e] Quick Open found the file in ${t0 - quickOpenStart} ms; first rows of the 5M file, ms after Enter on it: ${steps.map(([k, what]) => `${what} ${marks[k] ? Number(marks[k]) - t0 : '?'}`).join('; ')}; seen by the test ${firstRowsMs}`);
  const firstPos = await frame.textContent(`${loadedRow(0)} .c-pos`);
  assert.equal(firstPos?.trim(), Number(spawnSync('sh', ['-c', `bcftools query -f '%POS\\n' '${big}' | head -1`], { encoding: 'utf8' }).stdout.trim()).toLocaleString('en-US'));

  // Indexing finishes: the status shows the count.
  const t1 = Date.now();
  await frame.waitForFunction((count) => document.querySelector('.status')?.textContent === `${count} rows`, BIG_RECORDS.toLocaleString('en-US'), { timeout: 240_000 });
  const indexMs = Date.now() - t1;
  const maxPing = Number(await frame.getAttribute('#perf', 'data-max-ping-ms'));
  const pings = Number(await frame.getAttribute('#perf', 'data-pings'));

  // Jump to the last row with End.
  await frame.click(loadedRow(0));
  const t2 = Date.now();
  await page.keyboard.press('End');
  await frame.waitForSelector(loadedRow(BIG_RECORDS - 1), { timeout: 30_000 });
  const jumpMs = Date.now() - t2;
  const lastLine = spawnSync('sh', ['-c', `bcftools query -f '%CHROM %POS\\n' '${big}' | tail -1`], { encoding: 'utf8' }).stdout.trim().split(' ');
  assert.equal(await frame.textContent(`${loadedRow(BIG_RECORDS - 1)} .c-chrom`), lastLine[0]);
  assert.equal(await frame.textContent(`${loadedRow(BIG_RECORDS - 1)} .c-pos`), Number(lastLine[1]).toLocaleString('en-US'));
  await page.screenshot({ path: join(SCREENSHOTS, 'table-last-row.png') });

  // Sort all 5,000,000 rows by QUAL (descending) in the host while the webview keeps pinging it.
  const t3 = Date.now();
  await frame.click('.row.header [data-sort="qual"]');
  await frame.waitForSelector('.row.header [data-sort="qual"][aria-sort="ascending"]', { timeout: 240_000 });
  const sortMs = Date.now() - t3;
  await frame.waitForSelector(loadedRow(0));
  const minQual = spawnSync('sh', ['-c', `bcftools query -f '%QUAL\\n' '${big}' | sort -g | head -1`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(Number(await frame.textContent(`${loadedRow(0)} .c-qual`)), Number(minQual));
  const maxPingSort = Number(await frame.getAttribute('#perf', 'data-max-ping-ms'));
  // Back to file order (ascending → descending → file order).
  await frame.click('.row.header [data-sort="qual"]');
  await frame.waitForSelector('.row.header [data-sort="qual"][aria-sort="descending"]', { timeout: 240_000 });
  await frame.click('.row.header [data-sort="qual"]');
  await frame.waitForSelector('.row.header [data-sort="qual"][aria-sort="none"]', { timeout: 60_000 });
  await frame.waitForSelector(loadedRow(0));
  await frame.click(loadedRow(0));

  // Keyboard: Home, then j j k → row 1 focused.
  await page.keyboard.press('Home');
  await frame.waitForSelector(`${loadedRow(0)}.focused`);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  await frame.waitForSelector(`${loadedRow(1)}.focused`);
  await page.keyboard.press('ArrowDown');
  await frame.waitForSelector(`${loadedRow(2)}.focused`);
  assert.equal(await frame.$$eval('.rows .row.focused', (e) => e.length), 1);
  // Rendering is virtual: only about a screen of row elements exists.
  const rowEls = await frame.$$eval('.rows .row', (e) => e.length);
  assert.ok(rowEls < 100, `${rowEls} row elements`);

  // Enter opens the site inspector beside the table, showing the record of row 2.
  await page.keyboard.press('Enter');
  const third = spawnSync('sh', ['-c', `bcftools query -f '%CHROM:%POS %QUAL [%GT]\\n' '${big}' | sed -n 3p`], { encoding: 'utf8' }).stdout.trim().split(' ');
  const inspector = await webviewFrame(page, '.inspector', 30_000);
  await inspector.waitForFunction((site) => document.getElementById('app')?.dataset.site === site, third[0], { timeout: 30_000 });
  const sampleRow = await inspector.$$eval('table.samples tr:nth-child(2) td', (tds) => tds.map((td) => td.textContent));
  assert.equal(sampleRow[1], third[2]);
  assert.match((await inspector.textContent('dl.record')) ?? '', new RegExp(`QUAL${third[1]!.replace('.', '\\.')}`));
  await page.screenshot({ path: join(SCREENSHOTS, 'table.png') });

  console.log(`[e2e] 5M .vcf.gz: first rows visible ${firstRowsMs} ms; index built ${indexMs} ms; jump to last row ${jumpMs} ms; host round trips while indexing: ${pings} pings, max ${maxPing} ms; sort 5M by QUAL ${sortMs} ms, max round trip incl. sort ${maxPingSort} ms`);
  // Generous ceilings (the machine is shared and loaded; targets are 2 s / 1 s / 200 ms, bench:ui has the numbers).
  assert.ok(firstRowsMs < 10_000, `first rows took ${firstRowsMs} ms`);
  assert.ok(jumpMs < 5_000, `jump to last row took ${jumpMs} ms`);
  assert.ok(maxPingSort > 0, 'no ping round trips were measured during indexing and sorting');
  assert.ok(maxPingSort < 2_000, `the extension host did not answer for ${maxPingSort} ms while indexing/sorting`);
});

test('plain .vcf: Open VCF as Table, sort by QUAL, filter, copy', { timeout: 180_000 }, async () => {
  const vs = running[0] ?? (await startVsCode('trusted', WORKSPACE, true));
  if (!running.includes(vs)) running.push(vs);
  const { page } = vs;
  const small = smallVcf(WORKSPACE);
  await quickOpen(page, 'small.vcf');
  await page.waitForSelector('.monaco-editor .view-lines');
  await runCommand(page, 'Variant Lens: Open VCF as Table');
  const frame = await tableFrame(vs, 'small.vcf');
  await frame.waitForFunction(() => document.querySelector('.status')?.textContent === '300 rows', undefined, { timeout: 30_000 });

  // Sort by QUAL descending (two clicks) — the first row must be bcftools' maximum QUAL.
  const quals = spawnSync('bcftools', ['query', '-f', '%QUAL\n', small], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
  const maxQual = Math.max(...quals);
  await frame.click('.row.header [data-sort="qual"]');
  await frame.waitForSelector('.row.header [data-sort="qual"][aria-sort="ascending"]');
  await frame.click('.row.header [data-sort="qual"]');
  await frame.waitForSelector('.row.header [data-sort="qual"][aria-sort="descending"]');
  await frame.waitForSelector(loadedRow(0));
  assert.equal(Number(await frame.textContent(`${loadedRow(0)} .c-qual`)), maxQual);

  // Filter: PASS SNPs on chr21 — the count must equal bcftools'.
  const expected = Number(spawnSync('sh', ['-c', `bcftools view -H -f PASS -v snps -t chr21 '${small}' | wc -l`], { encoding: 'utf8' }).stdout.trim());
  await frame.fill('input.filter', 'FILTER=PASS SNP chr21:1-46709983');
  await frame.press('input.filter', 'Enter');
  await frame.waitForFunction((n) => document.querySelector('.status')?.textContent === `${n} of 300 rows`, expected.toLocaleString('en-US'), { timeout: 30_000 });
  await page.screenshot({ path: join(SCREENSHOTS, 'table-filtered.png') });

  // Select two rows (click, Shift+j) and copy them as VCF lines.
  await frame.click(loadedRow(0));
  await page.keyboard.press('Shift+J');
  await frame.waitForSelector(`${loadedRow(1)}.selected`);
  await page.keyboard.press('Control+C');
  await frame.waitForFunction(() => document.querySelector('.status')?.textContent === 'copied 2 VCF lines', undefined, { timeout: 30_000 });
});

test('untrusted workspace: the table works, model loading is disabled and the UI says why', { timeout: 180_000 }, async () => {
  const vs = await startVsCode('untrusted', WORKSPACE, false);
  running.push(vs);
  const { page } = vs;
  await quickOpen(page, 'big.vcf.gz');
  const frame = await tableFrame(vs, 'big.vcf.gz');
  await frame.waitForSelector(loadedRow(0), { timeout: 60_000 });
  const banner = await frame.textContent('.trust-banner');
  assert.match(banner ?? '', /Model loading is disabled because this workspace is not trusted/);
  assert.equal(await frame.isVisible('.trust-banner'), true);
  // The status bar item says so too.
  const status = await page.locator('[id$="variantLens.status"]').textContent();
  assert.match(status ?? '', /models disabled \(untrusted\)/);
  await page.screenshot({ path: join(SCREENSHOTS, 'untrusted.png') });
});
