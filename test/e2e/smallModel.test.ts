/**
 * DeepVariant 1.8+ VCFs mark the calls its small model made (FORMAT MID=small_model,
 * docs/deepvariant.md §15): in a real VS Code (code-server, 1400×900) the table shows the MID
 * column with those records marked, and the inspector marks the record row "small model" and
 * says that the CNN re-runs do not reproduce its GQ/PL. The VCF is the demo's default.vcf.gz
 * with a MID written into every record (small_model on even records, deepvariant on odd ones).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { E2E_CACHE, SCREENSHOTS, loadedRow, openTable, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';
import { command, writeDemoWorkspace } from './demoDiff';

const WORKSPACE = join(E2E_CACHE, 'small-model-workspace');
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** default.vcf.gz with FORMAT MID added to every record; returns the number of small-model records. */
function writeMidVcf(): number {
  const text = gunzipSync(readFileSync(join(WORKSPACE, 'default.vcf.gz'))).toString('utf8');
  let n = 0;
  let small = 0;
  const out = text.split('\n').map((l) => {
    if (l.startsWith('#CHROM')) return `##FORMAT=<ID=MID,Number=1,Type=String,Description="Identifies which model called this variant.">\n${l}`;
    if (l === '' || l.startsWith('#')) return l;
    const f = l.split('\t');
    const mid = n++ % 2 === 0 ? 'small_model' : 'deepvariant';
    if (mid === 'small_model') small++;
    f[8] = `${f[8]}:MID`;
    f[9] = `${f[9]}:${mid}`;
    return f.join('\t');
  });
  const vcf = join(WORKSPACE, 'small.vcf');
  writeFileSync(vcf, out.join('\n'));
  execFileSync('bcftools', ['view', '-Oz', '-o', `${vcf}.gz`, vcf]);
  execFileSync('tabix', ['-f', '-p', 'vcf', `${vcf}.gz`]);
  return small;
}

test('MID=small_model records are marked in the table and the inspector', { timeout: 480_000 }, async () => {
  await writeDemoWorkspace(WORKSPACE);
  const small = writeMidVcf();
  assert.ok(small > 10);
  const vs = await startVsCode('small-model', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;
  const table = await openTable(page, 'small.vcf.gz');
  // The MID column is shown (not all '.'); the first record is a small-model call.
  await table.waitForSelector('.row.header [data-col="mid0"]', { state: 'visible' });
  assert.equal((await table.textContent(`${loadedRow(0)} .c-mid`))?.trim(), 'small_model');
  assert.equal((await table.textContent(`${loadedRow(1)} .c-mid`))?.trim(), 'deepvariant');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await command(page, 'Notifications: Clear All Notifications');
  await page.screenshot({ path: join(SCREENSHOTS, 'small-model-table.png') });
  await table.click(loadedRow(0));
  await page.keyboard.press('Enter');
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForSelector('tr[data-mid="small_model"] .small-model', { timeout: 120_000 });
  await inspector.waitForFunction(() => (document.body.textContent ?? '').includes('MID=small_model'), undefined, { timeout: 120_000 });
  await inspector.waitForSelector('section.models[data-state="done"]', { timeout: 180_000 });
  await command(page, 'Notifications: Clear All Notifications');
  await page.screenshot({ path: join(SCREENSHOTS, 'small-model.png') });
});
