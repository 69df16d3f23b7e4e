/**
 * End-to-end: "Variant Lens: Compare Two VCFs" in a real VS Code (code-server, the packaged
 * .vsix, headless Chromium — test/e2e/codeServer.ts). Two VCFs with planted differences are
 * picked through the quick picks; the diff panel shows the summary and the list; walking the
 * list with the keyboard and pressing Enter opens the site inspector with both records.
 *
 *   site i (i = 0..59, chr20 POS 1000 + 10·i, C>T)
 *   i % 4 = 0  same call in both → not listed     1  only in A → only-A
 *           2  A 0/1, B 1/1      → gt-change       3  A PASS 0/1, B RefCall 0/0 → only-A + filter-change
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_CACHE, SCREENSHOTS, runCommand, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';

const WORKSPACE = join(E2E_CACHE, 'diff-workspace');
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

const header = [
  '##fileformat=VCFv4.2',
  '##FILTER=<ID=RefCall,Description="Genotyping model thinks this site is reference.">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
  '##contig=<ID=chr20,length=64444167>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA12878',
];
const line = (i: number, gt: string, filter: string): string => `chr20\t${1000 + 10 * i}\t.\tC\tT\t30\t${filter}\t.\tGT:GQ\t${gt}:40`;

function writeWorkspace(): { a: string[]; b: string[] } {
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(WORKSPACE, { recursive: true });
  const a: string[] = [];
  const b: string[] = [];
  for (let i = 0; i < 60; i++) {
    a.push(line(i, '0/1', 'PASS'));
    if (i % 4 === 0) b.push(line(i, '0/1', 'PASS'));
    if (i % 4 === 2) b.push(line(i, '1/1', 'PASS'));
    if (i % 4 === 3) b.push(line(i, '0/0', 'RefCall'));
  }
  writeFileSync(join(WORKSPACE, 'default.vcf'), [...header, ...a].join('\n') + '\n');
  writeFileSync(join(WORKSPACE, 'retrained.vcf'), [...header, ...b].join('\n') + '\n');
  return { a, b };
}

async function pick(vs: RunningVsCode, text: string): Promise<void> {
  const input = vs.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor();
  await vs.page.keyboard.press('Enter');
}

test('Compare Two VCFs: quick picks, summary, list, keyboard walk, inspector with both records', { timeout: 300_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { a, b } = writeWorkspace();
  const vs = await startVsCode('diff', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;

  // Right after start-up the palette may not list the extension's commands yet (the
  // extension host is still scanning): retry a few times before failing.
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'Variant Lens: Compare Two VCFs');
      break;
    } catch (e) {
      await page.screenshot({ path: join(E2E_CACHE, 'diff-palette-failure.png') });
      if (attempt === 4) throw e;
      await page.keyboard.press('Escape');
    }
  }
  await pick(vs, 'default.vcf');
  await pick(vs, 'retrained.vcf');
  await pick(vs, 'No truth set');

  const diff = await webviewFrame(page, '.diff-summary', 60_000);
  await diff.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]', { timeout: 60_000 });
  // 45 differing sites by construction: 15 only-A, 15 gt-change, 15 only-A + filter-change.
  assert.equal(await diff.getAttribute('.grid', 'data-count'), '45');
  assert.match((await diff.textContent('.classes-table caption')) ?? '', /45 differing of 60 sites/);
  assert.match((await diff.textContent('.chip[data-chip="only-A"]')) ?? '', /only-A 30/);
  assert.match((await diff.textContent('.chip[data-chip="gt-change"]')) ?? '', /gt-change 15/);

  // Filter to gt-change, walk to the second site, open it.
  await diff.click('.chip[data-chip="gt-change"]');
  await diff.waitForFunction(() => document.querySelector('.grid')?.getAttribute('data-count') === '15');
  await diff.focus('.grid');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await diff.waitForFunction(() => document.querySelector('.rows .row.selected')?.getAttribute('data-index') === '1');
  await page.keyboard.press('Enter');
  // The second gt-change site is i = 6 (i % 4 === 2): POS 1060.
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForFunction(() => document.getElementById('app')?.dataset.site === 'chr20:1060', undefined, { timeout: 60_000 });
  const lineText = (await inspector.textContent('pre.line')) ?? '';
  assert.equal(lineText, `A  ${a[6]}\nB  ${b.find((l) => l.includes('\t1060\t'))}`);
  const samples = await inspector.$$eval('table.samples tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(samples, ['0/1', '1/1']);
  await page.screenshot({ path: join(SCREENSHOTS, 'diff-editor.png') });
});
