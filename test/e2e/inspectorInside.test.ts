/**
 * End-to-end in a real VS Code 1.100 (code-server 4.100.3) on the demo workspace: at an indel
 * where DeepVariant's realigner changes the reads (chr22:7856 C>CG of the demo's default.vcf.gz),
 *  - the raw ↔ realigned switch: the pileup swaps to the realigned reads, both pileups side by
 *    side with the changed rows marked, each model's AD and call before and after realignment
 *    (before = the AD and GT `variant-lens call` wrote: the demo models do not realign);
 *  - layer activations at a disputed site (chr21:16799, default 0/1 vs retrained 1/1): both
 *    demo models' maps per layer on the pileup and the per-layer similarity plot with its sentence.
 * Screenshots: inspector-realign.png, inspector-layers.png (README).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadedRow, openTable, runCommand, type RunningVsCode, SCREENSHOTS, startVsCode, webviewFrame } from './codeServer';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';

const SITE = 'chr22:7856';
const DISPUTED = 'chr21:16799';
const DISPUTED_POS = '16,799';

const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

test('inspector at an indel: raw ↔ realigned pileups, AD and calls before/after, layer activations of both models', { timeout: 600_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const vcf = join(demo, 'default.vcf.gz');
  const sites = execFileSync('bcftools', ['query', '-f', '%CHROM:%POS\n', vcf], { encoding: 'utf8' }).trim().split('\n');
  assert.ok(sites.includes(SITE), `${SITE} is a record of the demo's default.vcf.gz`);
  const recorded = (model: string): { gt: string; ad: string } => {
    const [gt, ad] = execFileSync('bcftools', ['query', '-r', SITE, '-f', '[%GT\t%AD]\n', join(demo, `${model}.vcf.gz`)], { encoding: 'utf8' }).trim().split('\t');
    return { gt: gt!, ad: ad! };
  };

  const vs = await startVsCode('inspector-inside', demo, true);
  running.push(vs);
  const { page } = vs;
  const table = await openTable(page, 'default.vcf.gz');
  await table.click(loadedRow(0));
  await page.keyboard.press('Control+l');
  await table.waitForFunction(() => document.activeElement?.classList.contains('locus'));
  await page.keyboard.type(SITE);
  await page.keyboard.press('Enter');
  await table.waitForFunction(() => document.querySelector('.rows .row.focused .c-pos')?.textContent?.trim() === '7,856', undefined, { timeout: 60_000 })
    .catch(async (e: unknown) => { throw new Error(`${String(e)}; focused row: ${await table.evaluate(() => document.querySelector('.rows .row.focused')?.textContent)}; status: ${await table.textContent('.status')}`); });
  await page.keyboard.press('Enter');
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForFunction((site) => document.getElementById('app')?.dataset.site === site, SITE, { timeout: 60_000 });
  await inspector.waitForSelector('section.models[data-state="done"]', { timeout: 180_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');

  // Raw ↔ realigned.
  const pileupBytes = (): Promise<string> => inspector.$eval('section.pileup figure canvas.pixels', (c) => (c as HTMLCanvasElement).toDataURL());
  const rawPicture = await pileupBytes();
  await inspector.click('.realign-bar .realign-realigned');
  await inspector.waitForSelector('section.realign[data-state="done"]', { timeout: 240_000 });
  await inspector.waitForFunction(() => document.querySelector('section.pileup .note')?.textContent?.startsWith('Realigned reads'), undefined, { timeout: 30_000 });
  assert.notEqual(await pileupBytes(), rawPicture, 'the pileup now draws the realigned reads');
  const summary = (await inspector.textContent('.realign-summary')) ?? '';
  assert.match(summary, /^IGV shows \d+ CG reads? of DP \d+; after realignment the model saw \d+ of DP \d+/);
  assert.ok((await inspector.$$eval('.realign-marks li', (l) => l.length)) > 0, 'rows the realigner changed are listed');
  assert.deepEqual(await inspector.$$eval('.realign-fig', (f) => f.map((x) => (x as HTMLElement).dataset.side)), ['raw', 'realigned']);
  const calls = await inspector.$$eval('table.realign-calls tr[data-model]', (trs) => trs.map((tr) => {
    const cells = Array.from(tr.querySelectorAll('td[data-side]')).map((td) => td.textContent ?? '');
    return { model: (tr as HTMLElement).dataset.model!, rawGt: cells[0]!, rawAd: cells[2]!, reGt: cells[5]!, reAd: cells[7]! };
  }));
  assert.deepEqual(calls.map((c) => c.model), ['default', 'retrained']);
  for (const c of calls) {
    // Before realignment: what `variant-lens call` wrote (the demo models do not realign).
    assert.equal(c.rawGt, recorded(c.model).gt, `${c.model} GT`);
    assert.equal(c.rawAd, recorded(c.model).ad, `${c.model} AD`);
    assert.notEqual(c.reAd, c.rawAd, `${c.model}: the realigner changes AD here`);
  }
  await inspector.locator('section.realign').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-realign.png') });
  // Back to the raw reads.
  await inspector.click('.realign-bar .realign-raw');
  await inspector.waitForFunction(() => !document.querySelector('section.pileup .note')?.textContent?.startsWith('Realigned reads'));
  assert.equal(await pileupBytes(), rawPicture);

  // Layer activations of both models at a disputed site (default 0/1, retrained 1/1 in the VCFs `call` wrote).
  const gts = ['default', 'retrained'].map((m) => execFileSync('bcftools', ['query', '-r', DISPUTED, '-f', '[%GT]\n', join(demo, `${m}.vcf.gz`)], { encoding: 'utf8' }).trim());
  assert.notEqual(gts[0], gts[1], `${DISPUTED} is disputed`);
  await table.focus('.grid');
  await page.keyboard.press('Control+l');
  await table.waitForFunction(() => document.activeElement?.classList.contains('locus'));
  await page.keyboard.type(DISPUTED);
  await page.keyboard.press('Enter');
  await table.waitForFunction((pos) => document.querySelector('.rows .row.focused .c-pos')?.textContent?.trim() === pos, DISPUTED_POS, { timeout: 60_000 });
  await page.keyboard.press('Enter');
  await inspector.waitForFunction((site) => document.getElementById('app')?.dataset.site === site, DISPUTED, { timeout: 60_000 });
  await inspector.waitForSelector('section.models[data-state="done"]', { timeout: 180_000 });
  assert.equal(await inspector.getAttribute('.realign-bar .realign-raw', 'aria-pressed'), 'true', 'the switch stays on raw');
  await inspector.click('section.layers .layers-toggle');
  await inspector.waitForSelector('section.layers[data-state="done"]', { timeout: 180_000 });
  assert.deepEqual(await inspector.$$eval('.layers-model', (b) => b.map((x) => (x as HTMLElement).dataset.model)), ['default', 'retrained']);
  assert.deepEqual(await inspector.$$eval('.layer-row', (r) => r.map((x) => (x as HTMLElement).dataset.layer)), ['conv1', 'conv2', 'conv3']);
  assert.deepEqual(await inspector.$$eval('.layer-row[data-layer="conv1"] > .layer-maps .act-fig', (f) => f.map((x) => (x as HTMLElement).dataset.model)), ['default', 'retrained']);
  assert.deepEqual(await inspector.$$eval('.sim-col', (c) => c.map((x) => (x as HTMLElement).dataset.layer)), ['conv1', 'conv2', 'conv3']);
  assert.match((await inspector.textContent('.layers-summary')) ?? '', /Model A vs B per layer \(linear CKA\): (identical|apart)/);
  await inspector.locator('section.layers').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-layers.png') });
});
