/**
 * The standalone diff report (PREFIX.html from `variant-lens diff`) in real Chromium: it
 * loads with no console errors and no network, shows the summary, pages the site list, and
 * sorts when a column header is clicked. The inputs are two seeded random VCFs written here.
 * Then the demo's own diff of the two models' VCFs (issue #6: summary JSON and HTML exist,
 * gt-change and filter-change sites listed, the HTML opens with no console errors).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { main } from '../../src/cli/main';
import { PROJECT_ROOT, TEST_CACHE } from '../helpers/paths';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { launchChromium, newWatchedPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'diff-html');
const SCREENSHOTS = join(PROJECT_ROOT, 'test/webview/screenshots');

/**
 * Opens a report's HTML in Chromium, waits for the site list, runs `check`, then asserts the
 * page logged no error or warning and requested nothing beyond file: and data: URLs.
 */
async function withReport(html: string, check: (page: Page) => Promise<void>): Promise<void> {
  const browser = await launchChromium();
  try {
    const problems: string[] = [];
    const page = await newWatchedPage(browser, { width: 1400, height: 1000 }, problems, { console: ['error', 'warning'], allowedUrls: ['file:', 'data:'] });
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector('#sites tbody tr');
    await check(page);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
}

/** Park–Miller LCG: deterministic across runs. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function writeInputs(): { a: string; b: string } {
  mkdirSync(DIR, { recursive: true });
  const header = [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=RefCall,Description="ref">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
    '##contig=<ID=chr20,length=64000000>',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA12878',
  ];
  const r = rng(20240601);
  const a: string[] = [];
  const b: string[] = [];
  const bases = 'ACGT';
  for (let i = 0; i < 400; i++) {
    const pos = 10_000_000 + i * 25;
    const ref = bases[i % 4]!;
    const alt = bases[(i + 1 + Math.floor(r() * 3)) % 4]!;
    const q = 20 + Math.round(r() * 400) / 10;
    const gt = r() < 0.5 ? '0/1' : '1/1';
    const row = (gtx: string, qual: number, filter: string): string => `chr20\t${pos}\t.\t${ref}\t${alt}\t${qual}\t${filter}\t.\tGT:GQ\t${gtx}:${Math.round(qual)}`;
    const u = r();
    a.push(row(gt, q, 'PASS'));
    if (u < 0.35) b.push(row(gt, q, 'PASS'));
    else if (u < 0.5) b.push(row(gt === '0/1' ? '1/1' : '0/1', q, 'PASS'));
    else if (u < 0.65) b.push(row('0/0', 3.1, 'RefCall'));
    else if (u < 0.8) b.push(row(gt, q + 15.5, 'PASS'));
    else if (u >= 0.9) a.pop(); // only in B
    if (u >= 0.9) b.push(row(gt, q, 'PASS'));
    // 0.8 ≤ u < 0.9: only in A
  }
  const pa = join(DIR, 'a.vcf');
  const pb = join(DIR, 'b.vcf');
  writeFileSync(pa, [...header, ...a].join('\n') + '\n');
  writeFileSync(pb, [...header, ...b].join('\n') + '\n');
  return { a: pa, b: pb };
}

test('diff report opens in Chromium without console errors, pages and sorts', async () => {
  const { a, b } = writeInputs();
  const prefix = join(DIR, 'report');
  const code = await main(['diff', a, b, '--out', prefix, '--truth', 'A']);
  assert.equal(code, 0);
  const summary = JSON.parse(readFileSync(`${prefix}.summary.json`, 'utf8')) as { differingSites: number; classes: Record<string, { total: number }> };
  const tsvRows = readFileSync(`${prefix}.sites.tsv`, 'utf8').trim().split('\n').length - 1;
  assert.equal(tsvRows, summary.differingSites);
  assert.ok(summary.differingSites > 200, 'enough sites to page');
  for (const c of ['gt-change', 'only-A', 'only-B', 'filter-change', 'qual-change']) assert.ok(summary.classes[c]!.total > 0, c);

  await withReport(`${prefix}.html`, async (page) => {
    // First page: 200 rows of all differing sites.
    assert.equal(await page.locator('#sites tbody tr').count(), 200);
    assert.match((await page.textContent('#range')) ?? '', new RegExp(`1–200 of ${summary.differingSites}`));
    // The class table shows the JSON's counts.
    const onlyA = await page.locator('#classes tr', { hasText: 'only-A' }).locator('td').last().textContent();
    assert.equal(Number(onlyA), summary.classes['only-A']!.total);

    // Sort by qual_a (column 8): order changes and is ascending, blanks (only-B rows) last.
    const qualCol = async (): Promise<string[]> => page.locator('#sites tbody tr td:nth-child(9)').allTextContents();
    const before = await qualCol();
    await page.click('#sites th[data-col="8"]');
    const after = await qualCol();
    assert.notDeepEqual(after, before);
    const nums = after.filter((t) => t !== '').map(Number);
    assert.deepEqual(nums, [...nums].sort((x, y) => x - y));
    assert.equal(await page.getAttribute('#sites th[data-col="8"]', 'aria-sort'), 'ascending');
    await page.click('#sites th[data-col="8"]');
    const desc = (await qualCol()).filter((t) => t !== '').map(Number);
    assert.deepEqual(desc, [...desc].sort((x, y) => y - x));

    // Filter by class: exactly the only-B sites remain.
    await page.selectOption('#cls', 'only-B');
    assert.equal(await page.locator('#sites tbody tr').count(), Math.min(200, summary.classes['only-B']!.total));

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.selectOption('#cls', '');
    await page.screenshot({ path: join(SCREENSHOTS, 'diff-report.png'), fullPage: false });
  });
});

test('the demo models\' diff (demo/diff/default_vs_retrained): summary JSON, TSV and HTML exist; the HTML opens in Chromium with no console errors and lists the gt-change and filter-change sites', async () => {
  const demo = await ensureDemoWorkspace();
  const prefix = join(demo, 'diff', 'default_vs_retrained');
  for (const ext of ['summary.json', 'sites.tsv', 'html']) assert.ok(existsSync(`${prefix}.${ext}`), `the demo wrote ${prefix}.${ext}`);
  const summary = JSON.parse(readFileSync(`${prefix}.summary.json`, 'utf8')) as { differingSites: number; classes: Record<string, { total: number }> };
  assert.ok(summary.classes['gt-change']!.total > 0, 'no gt-change site between the demo models');
  assert.ok(summary.classes['filter-change']!.total > 0, 'no filter-change site between the demo models');

  await withReport(`${prefix}.html`, async (page) => {
    assert.equal(await page.locator('#sites tbody tr').count(), Math.min(200, summary.differingSites));
    for (const c of ['gt-change', 'filter-change']) {
      await page.selectOption('#cls', c);
      assert.equal(await page.locator('#sites tbody tr').count(), Math.min(200, summary.classes[c]!.total), c);
    }
    await page.selectOption('#cls', '');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-diff-report.png'), fullPage: false });
  });
});
