/**
 * End-to-end (code-server, 1400×900): the one-screen inspector frame of issue "A reviewer's
 * day", one assertion per complaint it fixes, on the demo data with the models configured
 * under other names ("dv-base", "dv-tuned") in a workspace of links to the demo files:
 *
 *  1. with the table and the inspector side by side, the pileup and both models'
 *     probabilities are on screen without scrolling; after `j` the inspector keeps its anchor;
 *  5. j pressed in the inspector moves the table's selection (keys forwarded to the list);
 *  7. the probabilities header reads "P(hom-ref / het / hom-alt)";
 *  8. the channel legend names DeepVariant channel ids;
 * 10. a window reload restores the inspector (same site, same zoom);
 * 11. the verdict buttons read `<model>-correct` for the configured model names.
 *
 * Screenshots: inspector-frame.png (one screen), inspector-frame-restored.png.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { E2E_CACHE, loadedRow, openTable, runCommand, type RunningVsCode, SCREENSHOTS, startVsCode, webviewFrame } from './codeServer';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';

const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

const MODELS = ['dv-base', 'dv-tuned'];

/** A workspace of links to the demo's files whose settings name the two demo models differently. */
function renamedWorkspace(demo: string): string {
  const ws = join(E2E_CACHE, `frame-ws-${process.pid}`);
  rmSync(ws, { recursive: true, force: true });
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  for (const f of readdirSync(demo)) if (f !== '.vscode' && !f.startsWith('.demo')) symlinkSync(join(demo, f), join(ws, f));
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({
    'variantLens.reads': { 'HG003-sim': 'data/HG003-sim.bam' },
    'variantLens.reference': 'data/reference.fa',
    'variantLens.models': [{ name: MODELS[0], path: 'models/default' }, { name: MODELS[1], path: 'models/retrained' }],
  }, null, 2));
  return ws;
}

function recordAt(file: string, n: number): string {
  const lines = execFileSync('bcftools', ['query', '-f', '%CHROM:%POS\n', file], { encoding: 'utf8' }).trim().split('\n');
  return lines[n]!;
}

async function waitSite(inspector: Frame, site: string): Promise<void> {
  await inspector.waitForFunction((s) => document.getElementById('app')?.dataset.site === s, site, { timeout: 60_000 });
}

/** Bottom of `selector`'s first match relative to the inspector's viewport, and the viewport height. */
async function visible(inspector: Frame, selector: string): Promise<{ top: number; bottom: number; height: number; left: number; right: number; width: number }> {
  return inspector.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    // Inside a sideways-scrolling box, what counts is the box's visible part.
    const box = e.closest('.model-table-wrap')?.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: window.innerHeight, left: r.left, right: Math.max(r.right, 0), width: Math.min(window.innerWidth, box?.right ?? Infinity) };
  });
}

async function inspectorFrame(page: Page): Promise<Frame> {
  return webviewFrame(page, '.inspector', 90_000);
}

test('inspector frame at 1400×900: one screen, anchored walk, keys to the list, model-named verdicts, legend ids, reload restores', { timeout: 900_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  const ws = renamedWorkspace(demo);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const vs = await startVsCode('inspector-frame', ws, true);
  running.push(vs);
  const { page } = vs;
  const vcf = join(demo, 'default.vcf.gz');

  const table = await openTable(page, 'default.vcf.gz');
  await table.click(loadedRow(0));
  await page.keyboard.press('Enter');
  const inspector = await inspectorFrame(page);
  await waitSite(inspector, recordAt(vcf, 0));
  await inspector.waitForSelector('section.models[data-state="done"]', { timeout: 180_000 });
  await inspector.waitForSelector('section.pileup canvas.pixels', { timeout: 60_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');

  // 1. Pileup and both models' probabilities on screen, no scrolling.
  assert.equal(await inspector.evaluate(() => document.scrollingElement!.scrollTop), 0);
  const canvas = await visible(inspector, 'section.pileup figure canvas');
  assert.ok(canvas.top >= 0 && canvas.bottom <= canvas.height, `first pileup image at ${canvas.top}–${canvas.bottom} of ${canvas.height}`);
  for (const m of MODELS) {
    const p = await visible(inspector, `tr[data-model="${m}"] td.probs`);
    assert.ok(p.bottom <= p.height && p.right <= p.width && p.left >= 0, `${m} probabilities at x ${p.left}–${p.right} of ${p.width}, y …${p.bottom} of ${p.height}`);
    assert.match((await inspector.textContent(`tr[data-model="${m}"] td.probs`)) ?? '', /^\d\.\d\d \/ \d\.\d\d \/ \d\.\d\d$/);
  }
  // 7. The header says what the three numbers are.
  assert.match((await inspector.textContent('table.model-table th.probs')) ?? '', /^P\(hom-ref \/ het \/ hom-alt\)/);
  // 11. Verdicts named after the configured models.
  const verdicts = await inspector.$$eval('.review-verdicts button', (b) => b.map((x) => (x as HTMLElement).dataset.verdict));
  assert.deepEqual(verdicts.slice(0, 2), MODELS.map((m) => `${m}-correct`));
  assert.match((await inspector.textContent('.review-verdicts button')) ?? '', new RegExp(`${MODELS[0]}-correct`));
  // 8. The legend names the channel ids of the image.
  await inspector.click('details.channel-legend > summary');
  const ids = await inspector.$$eval('details.channel-legend dt', (d) => d.map((x) => x.textContent));
  assert.ok(ids.length >= 6, ids.join(','));
  assert.equal(ids[0], '1 read base');
  assert.ok(ids.every((t) => /^\d+ \S/.test(t ?? '')), ids.join(','));
  await inspector.click('details.channel-legend > summary');
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-frame.png') });

  // 1. After j the inspector keeps its anchor: open the folded details (a page taller than the
  // screen), scroll the pileup to the top, walk in the table.
  for (const name of ['record', 'info', 'line']) await inspector.click(`details[data-section="${name}"] > summary`);
  await inspector.evaluate(() => {
    const p = document.querySelector('section.pileup')!;
    document.scrollingElement!.scrollTop += p.getBoundingClientRect().top;
  });
  const before = Math.round((await visible(inspector, 'section.pileup')).top);
  await table.click(loadedRow(0));
  await page.keyboard.press('j');
  await table.waitForSelector(`${loadedRow(1)}.focused`);
  await waitSite(inspector, recordAt(vcf, 1));
  await inspector.waitForSelector('section.pileup canvas.pixels', { timeout: 60_000 });
  await inspector.waitForSelector('section.models[data-state="done"]', { timeout: 180_000 });
  const afterTop = Math.round((await visible(inspector, 'section.pileup')).top);
  assert.ok(Math.abs(afterTop - before) <= 2, `pileup top ${before} → ${afterTop}`);
  assert.ok(await inspector.evaluate(() => document.scrollingElement!.scrollTop > 0), 'the inspector did not jump back to the top');

  // 5. j pressed while the inspector has focus moves the table's selection.
  await inspector.click('.site-header');
  await page.keyboard.press('j');
  await table.waitForSelector(`${loadedRow(2)}.focused`, { timeout: 30_000 });
  await waitSite(inspector, recordAt(vcf, 2));

  // 10. Reload: the inspector comes back on the same site, at the same zoom.
  await inspector.click('section.pileup .zoom-in');
  const zoom = await inspector.getAttribute('section.pileup', 'data-zoom');
  await inspector.waitForFunction(() => document.querySelector('section.pileup')?.getAttribute('data-zoom') !== null);
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const restored = await inspectorFrame(page);
  await waitSite(restored, recordAt(vcf, 2));
  await restored.waitForSelector('section.pileup canvas.pixels', { timeout: 60_000 });
  assert.equal(await restored.getAttribute('section.pileup', 'data-zoom'), zoom);
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-frame-restored.png') });
});

test('variantLens.inspector.location = panel: the inspector opens as a bottom-panel view under a full-width table', { timeout: 600_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  const ws = renamedWorkspace(demo);
  const vs = await startVsCode('inspector-panel', ws, true, { 'variantLens.inspector.location': 'panel' });
  running.push(vs);
  const { page } = vs;
  const vcf = join(demo, 'default.vcf.gz');
  const table = await openTable(page, 'default.vcf.gz');
  await table.click(loadedRow(0));
  await page.keyboard.press('Enter');
  const inspector = await inspectorFrame(page);
  await waitSite(inspector, recordAt(vcf, 0));
  await inspector.waitForSelector('section.pileup canvas.pixels', { timeout: 60_000 });
  // The view sits in the bottom panel: below the table, as wide as the editor area.
  const view = (await (await inspector.frameElement()).boundingBox())!;
  const grid = (await (await table.frameElement()).boundingBox())!;
  assert.ok(view.y >= grid.y + 100, `inspector at y ${view.y}, table at y ${grid.y}`);
  assert.ok(view.width > 900, `inspector width ${view.width}`);
  assert.equal(await page.locator('.part.panel .pane-header, .part.panel .composite-bar').first().isVisible(), true);
  // Keys still reach the table from the view.
  await inspector.click('.site-header');
  await page.keyboard.press('j');
  await table.waitForSelector(`${loadedRow(1)}.focused`, { timeout: 30_000 });
  await waitSite(inspector, recordAt(vcf, 1));
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-bottom-panel.png') });
});
