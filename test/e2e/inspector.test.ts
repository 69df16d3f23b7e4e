/**
 * End-to-end: the site inspector and the model comparison in a real VS Code 1.100
 * (code-server 4.100.3) on the demo workspace (scripts/demo.mjs via ensureDemoWorkspace():
 * HG003-sim reads, models default + retrained, and the VCFs `variant-lens call` wrote).
 * Trusts the workspace, opens default.vcf.gz, selects the first row, waits for the pileup
 * and both models, and checks each model's GT/QUAL against `bcftools query` on the VCF that
 * model's `call` wrote; then walks to the next row with the keyboard and checks again; hovers a
 * read pixel, zooms, opens the model cards. Screenshots: inspector.png (channels), models.png.
 * Then the same demo workspace (models configured in its .vscode/settings.json) NOT trusted:
 * selecting a row runs no model, and the inspector and the status bar say why.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { loadedRow, openTable, runCommand, type RunningVsCode, SCREENSHOTS, startVsCode, webviewFrame } from './codeServer';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';

const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});


/** Record `n` (0-based) of a VCF: [chrom, pos] (bcftools). */
function recordAt(file: string, n: number): [string, number] {
  const lines = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\n', file], { encoding: 'utf8' }).trim().split('\n');
  const [c, p] = lines[n]!.split('\t');
  return [c!, Number(p)];
}

/** What `call` wrote for a model at a site: GT and QUAL (bcftools query). */
function written(demo: string, model: string, chrom: string, pos: number): { gt: string; qual: string } {
  const out = execFileSync('bcftools', ['query', '-r', `${chrom}:${pos}`, '-f', '[%GT]\t%QUAL\n', join(demo, `${model}.vcf.gz`)], { encoding: 'utf8' }).trim();
  const [gt, qual] = out.split('\n')[0]!.split('\t');
  return { gt: gt!, qual: qual! };
}

async function checkModels(inspector: Frame, demo: string, chrom: string, pos: number): Promise<void> {
  await inspector.waitForFunction((site) => document.getElementById('app')?.dataset.site === site, `${chrom}:${pos}`, { timeout: 60_000 });
  await inspector.waitForSelector('section.models[data-state="done"]', { timeout: 120_000 });
  for (const model of ['default', 'retrained']) {
    const want = written(demo, model, chrom, pos);
    const gt = await inspector.textContent(`tr[data-model="${model}"] td[data-col="gt"]`);
    const qual = await inspector.textContent(`tr[data-model="${model}"] td[data-col="qual"]`);
    assert.equal(gt, want.gt, `${model} GT at ${chrom}:${pos}`);
    assert.equal(qual, want.qual, `${model} QUAL at ${chrom}:${pos}`);
  }
}

test('inspector on the demo: pileup, both models = call\'s VCFs, keyboard walk, hover, zoom, model cards', { timeout: 480_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const vs = await startVsCode('inspector', demo, true);
  running.push(vs);
  const { page } = vs;
  const vcf = join(demo, 'default.vcf.gz');

  const table = await openTable(page, 'default.vcf.gz');
  await table.click(loadedRow(0));
  await page.keyboard.press('Enter');

  const [chrom0, pos0] = recordAt(vcf, 0);
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await checkModels(inspector, demo, chrom0, pos0);
  // The pileup: one tab per image, 7 channels + the RGB composite, from the reads.
  await inspector.waitForSelector('section.pileup canvas.pixels', { timeout: 60_000 });
  assert.equal(await inspector.$$eval('section.pileup figure canvas', (c) => c.length), 8);
  // The title says the origin plainly; its tooltip names the reads file.
  assert.match((await inspector.textContent('section.pileup .tensor-title')) ?? '', /^Variant Lens encoder, default = retrained settings — /);
  assert.match((await inspector.getAttribute('section.pileup .tensor-title', 'title')) ?? '', /reads: HG003-sim\.bam \(Variant Lens encoder/);
  assert.ok((await inspector.$$eval('section.pileup .tab', (t) => t.length)) >= 1);
  // Both demo models are trained without chr20 and HG003-sim: the UI says so plainly.
  assert.match((await inspector.textContent('ul.training')) ?? '', /default was trained on chr1–19 of HG001-sim, HG002-sim: this site \(chr20, HG003-sim\) — sample held out, contig held out/);

  // Hover a read row at the candidate column: the host answers with the read's details.
  const canvas = inspector.locator('section.pileup figure canvas').first();
  // Hover at 2× (the default 1× puts a pixel under half a screen pixel of the pointer).
  if (Number(await inspector.getAttribute('section.pileup', 'data-zoom')) < 2) await inspector.click('section.pileup .zoom-in');
  await inspector.waitForSelector('section.pileup[data-zoom="2"]');
  const zoom = Number(await inspector.getAttribute('section.pileup', 'data-zoom'));
  await canvas.hover({ position: { x: 110 * zoom + zoom / 2, y: 12 * zoom + zoom / 2 } });
  await inspector.waitForSelector('.hover-info[data-state="host"]', { timeout: 30_000 });
  const hoverText = (await inspector.textContent('.hover-info')) ?? '';
  assert.match(hoverText, new RegExp(`position ${pos0.toLocaleString('en-US')}`));
  // Decoded first (base, quality, MAPQ, strand), then the read, the raw bytes last.
  assert.match(hoverText, /MAPQ \d+ · strand [+-]/);
  assert.match(hoverText, /read \S+ · CIGAR \S+/);
  assert.ok(hoverText.indexOf('MAPQ') < hoverText.indexOf('raw: '), hoverText);
  // Zoom in with the button.
  await inspector.click('section.pileup .zoom-in');
  await inspector.waitForSelector(`section.pileup[data-zoom="${zoom + 1}"]`);
  await inspector.click('section.pileup .zoom-out');
  await inspector.waitForSelector(`section.pileup[data-zoom="${zoom}"]`);

  // The "git repository in a parent folder" toast would cover the panel in the screenshots.
  await runCommand(page, 'Notifications: Clear All Notifications');
  await inspector.locator('section.pileup').scrollIntoViewIfNeeded();
  // Hovering again for the screenshot; leaving the image hides the details (they must not stick).
  await canvas.hover({ position: { x: 110 * zoom + zoom / 2, y: 12 * zoom + zoom / 2 } });
  await inspector.waitForSelector('.hover-info[data-state="host"]', { timeout: 30_000 });
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector.png') });
  await page.mouse.move(2, 2);
  await inspector.waitForSelector('.hover-info[data-state="idle"]');
  await inspector.locator('section.models').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, 'models.png') });

  // Keyboard: back in the table, j walks to the next record; the inspector follows.
  await table.click(loadedRow(0));
  await page.keyboard.press('j');
  await table.waitForSelector(`${loadedRow(1)}.focused`);
  const [chrom1, pos1] = recordAt(vcf, 1);
  await checkModels(inspector, demo, chrom1, pos1);

  // The model cards: the parameter differences between the two models.
  await runCommand(page, 'Variant Lens: Show Model Cards');
  const cards = await webviewFrame(page, '.model-cards', 60_000);
  const cardText = (await cards.textContent('.model-cards')) ?? '';
  assert.match(cardText, /default vs retrained/);
  assert.match(cardText, /vsc_min_fraction_snps/);
});

test('untrusted demo workspace: its configured models are not loaded, the inspector and the status bar say why', { timeout: 300_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  // The demo's settings do configure both models: their absence from the inspector is the trust rule.
  const settings = JSON.parse(readFileSync(join(demo, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
  assert.equal((settings['variantLens.models'] as unknown[] | undefined)?.length, 2);
  const vs = await startVsCode('inspector-untrusted', demo, false);
  running.push(vs);
  const { page } = vs;
  const table = await openTable(page, 'default.vcf.gz');
  await table.click(loadedRow(0));
  await page.keyboard.press('Enter');
  const [chrom0, pos0] = recordAt(join(demo, 'default.vcf.gz'), 0);
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForFunction((site) => document.getElementById('app')?.dataset.site === site, `${chrom0}:${pos0}`, { timeout: 60_000 });
  await inspector.waitForSelector('section.models[data-state="disabled"]', { timeout: 60_000 });
  assert.match((await inspector.textContent('section.models')) ?? '', /Model loading is disabled because this workspace is not trusted/);
  assert.equal(await inspector.$$eval('section.models tr[data-model]', (r) => r.length), 0, 'no model row: nothing was run');
  const status = await page.locator('[id$="variantLens.status"]').textContent();
  assert.match(status ?? '', /models disabled \(untrusted\)/);
});
