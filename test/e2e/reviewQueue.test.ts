/**
 * The review queue end to end in a real VS Code (code-server, the packaged .vsix, headless
 * Chromium at 1400×900 — codeServer.ts) on the demo workspace (test/helpers/demoWorkspace.ts):
 * the diff default.vcf.gz ↔ retrained.vcf.gz is opened and switched to all differing sites;
 * "Variant Lens: Review Queue" opens the queue on that view; at least 24 tiles are on screen
 * with their pileups (made by the host from the demo's reads with both models' settings);
 * three verdicts are set with the keys 1, 2 and 4 (each advances to the next site); the
 * workspace review file then holds exactly those three sites and verdicts, and the diff
 * list's REVIEW column shows them (same file, through the review controller). Enter opens
 * the inspector on the selected site. Screenshot: test/e2e/screenshots/review-queue.png.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { E2E_CACHE, SCREENSHOTS, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';
import { command, pick, writeDemoWorkspace } from './demoDiff';

const WORKSPACE = join(E2E_CACHE, 'queue-workspace');
const REVIEW_FILE = join(WORKSPACE, 'variant-lens.review.tsv');
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** A private copy of the demo workspace (the test writes its review file); data and models are linked. */
async function writeWorkspace(): Promise<void> {
  await writeDemoWorkspace(WORKSPACE);
}

const KEYS = [
  { key: '1', verdict: 'default-correct' },
  { key: '2', verdict: 'retrained-correct' },
  { key: '4', verdict: 'both-wrong' },
] as const;

/** The locus text of tile `i` ("chr20:2078 T>C …" from its head's tooltip). */
async function tileSite(q: Frame, i: number): Promise<{ chrom: string; pos: number; ref: string; alt: string }> {
  const title = (await q.getAttribute(`.tile[data-index="${i}"] .tile-head`, 'title')) ?? '';
  const m = /^(\S+):(\d+) (\S+)>(\S+)/.exec(title);
  assert.ok(m, `tile ${i} head: ${title}`);
  return { chrom: m[1]!, pos: Number(m[2]), ref: m[3]!, alt: m[4]! };
}

test('Review queue: ≥ 24 tiles at 1400×900 from the diff view, three verdicts by keys land in the review file', { timeout: 600_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await writeWorkspace();
  const vs = await startVsCode('queue', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;
  assert.deepEqual(page.viewportSize(), { width: 1400, height: 900 });

  await command(page, 'Variant Lens: Compare Two VCFs');
  await pick(page, 'default.vcf.gz');
  await pick(page, 'retrained.vcf.gz');
  await pick(page, 'No truth set');
  const diff = await webviewFrame(page, '.diff-summary', 60_000);
  await diff.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]', { timeout: 60_000 });
  // The diff opens on its disputes; the queue takes the current scope: all differing sites.
  await diff.click('.chip-group[data-group="scope"] .chip[data-scope="all"]');
  await diff.waitForFunction(() => Number(document.querySelector('.grid')?.getAttribute('data-count')) > 24 && document.querySelector('.grid')?.getAttribute('data-loaded') === 'true', undefined, { timeout: 30_000 });
  const viewCount = Number(await diff.getAttribute('.grid', 'data-count'));
  await command(page, 'Notifications: Clear All Notifications');

  const t0 = Date.now();
  await command(page, 'Variant Lens: Review Queue');
  const q = await webviewFrame(page, '.queue-grid', 60_000);
  await q.waitForSelector('#app[data-state="ready"] .tile', { timeout: 60_000 });
  assert.equal(await q.textContent('.queue-progress'), `0/${viewCount} reviewed`);
  const visible = Number(await q.getAttribute('.queue-grid', 'data-visible'));
  assert.ok(visible >= 24, `${visible} tiles at 1400×900 (${await q.getAttribute('.queue-grid', 'data-cols')} × ${await q.getAttribute('.queue-grid', 'data-rows')})`);
  // Every tile of the screen is whole inside the webview and has its pileup (or a reason).
  await q.waitForFunction((n) => Number(document.querySelector('.queue-grid')?.getAttribute('data-drawn')) >= n, visible, { timeout: 120_000 });
  const firstTilesMs = Date.now() - t0;
  const boxes = await q.locator('.tile').evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect()).map((r) => ({ right: r.right, bottom: r.bottom })));
  const size = await q.evaluate(() => ({ w: window.innerWidth, h: window.innerHeight }));
  assert.equal(boxes.length, visible);
  for (const b of boxes) assert.ok(b.right <= size.w && b.bottom <= size.h, `a tile is cut off: ${JSON.stringify(b)} in ${JSON.stringify(size)}`);
  const canvases = await q.locator('.tile canvas').count();
  assert.ok(canvases >= visible - 2, `${canvases} pileups drawn on ${visible} tiles (notes: ${(await q.locator('.tile-note').allTextContents()).join(' | ')})`);
  console.log(`review queue: ${visible} tiles on screen, all drawn ${firstTilesMs} ms after the command`);

  // Three verdicts by keys: 1 on site 0, 2 on site 1, 4 on site 2 (each key advances).
  await q.focus('.queue-grid');
  const sites = [];
  for (let i = 0; i < KEYS.length; i++) {
    assert.equal(await q.getAttribute('.tile.selected', 'data-index'), String(i));
    sites.push(await tileSite(q, i));
    await page.keyboard.press(KEYS[i]!.key);
    await q.waitForFunction(([n, v]) => document.querySelector(`.tile[data-index="${n}"] .review-chip`)?.textContent === v, [i, KEYS[i]!.verdict] as const, { timeout: 30_000 });
  }
  await q.waitForFunction((t) => document.querySelector('.queue-progress')?.textContent === t, `3/${viewCount} reviewed`, { timeout: 30_000 });
  assert.equal(await q.getAttribute('.tile.selected', 'data-index'), '3');

  // The review file holds the three sites (the store writes temp + rename right after the update).
  const lines = (): string[][] => (existsSync(REVIEW_FILE) ? readFileSync(REVIEW_FILE, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')) : []);
  const end = Date.now() + 15_000;
  while (lines().length !== 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  const rows = lines();
  assert.equal(rows.length, 3, rows.map((r) => r.join(' ')).join('\n'));
  sites.forEach((s, i) => {
    const row = rows.find((r) => r[0] === s.chrom && Number(r[1]) === s.pos && r[2] === s.ref && r[3] === s.alt);
    assert.ok(row, `${s.chrom}:${s.pos} ${s.ref}>${s.alt} in the review file:\n${rows.map((r) => r.join(' ')).join('\n')}`);
    assert.equal(row[5], KEYS[i]!.verdict);
    assert.match(row[10]!, /^default=[^;]*;retrained=/, 'the verdict stores both VCFs\' calls');
  });
  await command(page, 'Notifications: Clear All Notifications');
  await q.focus('.queue-grid');
  await page.screenshot({ path: join(SCREENSHOTS, 'review-queue.png') });

  // Enter opens the inspector on the selected site (site 3).
  const s3 = await tileSite(q, 3);
  await page.keyboard.press('Enter');
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForFunction((pos) => (document.body.textContent ?? '').includes(pos), s3.pos.toLocaleString('en-US'), { timeout: 60_000 });

  // The diff list (same review file, through the review controller) shows the verdicts too.
  const diffTab = page.locator('.tabs-container .tab').filter({ hasText: /Diff default\.vcf\.gz/ }).first();
  await diffTab.click();
  const d = await webviewFrame(page, '.diff-summary', 30_000);
  await d.waitForFunction((n) => document.querySelectorAll('.rows .row .c-review .review-chip').length >= n, KEYS.length, { timeout: 30_000 });
});
