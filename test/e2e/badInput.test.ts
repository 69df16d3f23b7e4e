/**
 * End-to-end: bad input in a real VS Code never takes the extension host down.
 *  * A .vcf.gz with a malformed line inside its first BGZF block: the editor shows our error
 *    (file name + line number) in place of the table, not VS Code's generic failure screen.
 *  * A .vcf.gz with a malformed line deep in the file: the table opens, pages before the bad
 *    line work, and jumping to the page that holds it shows the error with its line number.
 *  * Afterwards a good .vcf.gz still opens and pages: the host stayed alive and responsive.
 * The bad files are written by the test (bgzip from Debian's tabix package), so the expected
 * line numbers come from the files themselves, not from our reader.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_CACHE, loadedRow, openTable, quickOpen, type RunningVsCode, SCREENSHOTS, startVsCode, webviewFrame } from './codeServer';
import { smallVcf } from './vcfFixtures';

const WORKSPACE = join(E2E_CACHE, 'bad-input-workspace');
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});


/** Writes `name` (bgzipped) from VCF text; returns the path. */
function bgzipped(name: string, text: string): string {
  const plain = join(WORKSPACE, name.replace(/\.gz$/, ''));
  writeFileSync(plain, text);
  execFileSync('bgzip', ['-f', plain]);
  return `${plain}.gz`;
}

/** The 1-based file line number of data record `k` (0-based) in VCF text. */
function lineOfRecord(text: string, k: number): number {
  const lines = text.split('\n');
  const headerLines = lines.findIndex((l) => !l.startsWith('#'));
  return headerLines + k + 1;
}

test('malformed VCF lines show our error with the line number; the host stays up', { timeout: 240_000 }, async () => {
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(WORKSPACE, { recursive: true });
  const small = readFileSync(smallVcf(WORKSPACE), 'utf8');
  const lines = small.split('\n');
  const firstData = lines.findIndex((l) => !l.startsWith('#'));

  // 1) Record 20 broken: a POS that is not a number, inside the first BGZF block.
  const early = [...lines];
  early[firstData + 20] = early[firstData + 20]!.replace(/^(\S+)\t\d+/, '$1\tPOSX');
  bgzipped('early.vcf.gz', early.join('\n'));
  const earlyLine = lineOfRecord(small, 20);

  // 2) 40,000 good records (many BGZF blocks) with record 30,000 cut to 4 columns.
  const body = lines.slice(firstData).filter((l) => l !== '');
  const header = lines.slice(0, firstData).join('\n');
  const deep: string[] = [];
  for (let i = 0; i < 40_000; i++) {
    const rec = body[i % body.length]!.split('\t');
    rec[0] = 'chr20';
    rec[1] = String(1_000 + i * 10);
    deep.push(i === 30_000 ? rec.slice(0, 4).join('\t') : rec.join('\t'));
  }
  const deepText = `${header}\n${deep.join('\n')}\n`;
  bgzipped('deep.vcf.gz', deepText);
  const deepLine = lineOfRecord(deepText, 30_000);

  // 3) A good file to open afterwards.
  bgzipped('good.vcf.gz', small);

  const vs = await startVsCode('bad-input', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;

  // 1) The editor shows our message (file, line, problem), not VS Code's generic failure screen.
  await quickOpen(page, 'early.vcf.gz');
  const errorFrame = await webviewFrame(page, '.open-error', 60_000);
  const shown = (await errorFrame.textContent('.open-error .error-message')) ?? '';
  assert.match(shown, /early\.vcf\.gz/);
  assert.match(shown, new RegExp(`line ${earlyLine}\\b`));
  assert.match(shown, /POS/);
  await page.screenshot({ path: join(SCREENSHOTS, 'bad-input-early.png') });

  // 2) The deep file opens and its first rows are there; going to the bad record's locus
  //    reports the error with the file and the line number.
  const deepFrame = await openTable(page, 'deep.vcf.gz');
  assert.equal((await deepFrame.textContent(`${loadedRow(0)} .c-pos`))?.trim(), '1,000');
  // Wait for the row index to finish (or to stop at the bad line): a page error shown while it
  // still runs would otherwise be replaced by the final row count.
  await deepFrame.waitForFunction(() => {
    const t = document.querySelector('.status')?.textContent ?? '';
    return (/rows/.test(t) && !/indexing/.test(t)) || /line \d+/.test(t);
  }, undefined, { timeout: 120_000 });
  // Go to the locus just before the bad record (POS 1,000 + 10·30,000): the page holding it is read.
  await deepFrame.fill('input.locus', 'chr20:300,990');
  await deepFrame.press('input.locus', 'Enter');
  await deepFrame.waitForFunction((n) => new RegExp(`deep\\.vcf\\.gz.*line ${n}\\b`).test(document.querySelector('.status')?.textContent ?? ''), deepLine, { timeout: 60_000 })
    .catch(async (e: unknown) => { throw new Error(`${String(e)}; status: ${await deepFrame.textContent('.status')}; errors: ${await deepFrame.evaluate(() => [...document.querySelectorAll('.error, .filter-error, [role=alert]')].map((x) => x.textContent).join(' | '))}`); });
  await page.screenshot({ path: join(SCREENSHOTS, 'bad-input-deep.png') });

  // 3) The host is alive: another file opens and shows its first row as bcftools reads it.
  const goodFrame = await openTable(page, 'good.vcf.gz');
  const firstPos = execFileSync('sh', ['-c', `bcftools query -f '%POS\\n' '${join(WORKSPACE, 'good.vcf.gz')}' | head -1`], { encoding: 'utf8' }).trim();
  assert.equal((await goodFrame.textContent(`${loadedRow(0)} .c-pos`))?.trim(), Number(firstPos).toLocaleString('en-US'));
  assert.ok(!vs.serverLog.join('').includes('Extension host terminated'), 'the extension host crashed');
});
