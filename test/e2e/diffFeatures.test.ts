/**
 * "Where they disagree" in a real VS Code (code-server, the packaged .vsix, 1400×900): the
 * demo's diff (default ↔ retrained, the demo's settings name its reference, so the features
 * stage runs). The plots must be drawn when the diff finishes (the time is printed), and a
 * click on a histogram bin must list exactly the disputed sites that the bin's filter selects
 * in the CLI's own sites TSV (`variant-lens diff --ref`, the demo's diff/ folder), computed
 * here from its columns with the rule of docs/decisions/0016-site-features.md (A's value,
 * else B's).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_CACHE, SCREENSHOTS, startVsCode, type RunningVsCode } from './codeServer';
import { command, openDemoDiff, writeDemoWorkspace } from './demoDiff';

const WORKSPACE = join(E2E_CACHE, 'diff-features-workspace');
const DISPUTES = ['gt-change', 'filter-change', 'only-A', 'only-B'];
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** The TSV's disputed sites whose VAF (A's, else B's) lies in [lo, hi), as "chrom:pos". */
function tsvSites(tsv: string, feature: string, lo: number, hi: number): string[] {
  const [head, ...rows] = readFileSync(tsv, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const col = (name: string): number => { const i = head!.indexOf(name); assert.ok(i >= 0, `${name} column in ${tsv}`); return i; };
  const value = (r: string[]): number | undefined => {
    const a = r[col(`${feature}_a`)]!;
    const b = r[col(`${feature}_b`)]!;
    const v = a !== '.' ? a : b;
    return v === '.' ? undefined : Number(v);
  };
  return rows.filter((r) => r[col('classes')]!.split(',').some((c) => DISPUTES.includes(c)))
    .filter((r) => { const v = value(r); return v !== undefined && v >= lo && v < hi; })
    .map((r) => `${r[col('chrom')]}:${r[col('pos')]}`);
}

test('diff editor: the feature plots are drawn when the diff finishes; a bin lists exactly the CLI TSV\'s sites for its filter', { timeout: 600_000 }, async () => {
  const demo = await writeDemoWorkspace(WORKSPACE);
  const vs = await startVsCode('diff-features', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;
  const diff = await openDemoDiff(page);
  const done = Date.now();
  await diff.waitForSelector('.diff-features .feature-plot .bin', { state: 'attached', timeout: 30_000 });
  const drawn = await diff.$$eval('.diff-features svg.feature-plot', (s) => s.length);
  console.log(`feature plots: ${drawn} histograms drawn ${Date.now() - done} ms after the diff finished (demo diff; folded until opened)`);
  assert.ok(drawn >= 10, `${drawn} histograms`);
  assert.equal(await diff.$$eval('.diff-features svg.joint-plot', (s) => s.length), 2);
  // Folded at first (the list keeps its room); its summary names the most enriched bin. Open it.
  assert.match((await diff.textContent('.diff-features summary')) ?? '', /^Where they disagree — \S+: \d+/);
  await diff.click('.diff-features summary');
  await diff.waitForSelector('.diff-features .feature-plot .bin', { state: 'visible' });
  const sentences = await diff.$$eval('.diff-features .sentences li', (li) => li.map((x) => x.textContent ?? ''));
  assert.ok(sentences.length > 0, 'the enrichment names at least one bin');
  console.log(`where they disagree: ${sentences[0]}`);

  // The VAF bin that holds the most disputed sites (the demo's gt-change sites sit at VAF 0.6–0.8).
  const bins = await diff.$$eval('.diff-features .bin[data-feature="vaf"]', (gs) => gs.map((g) => ({ filter: g.getAttribute('data-filter') ?? '', label: g.getAttribute('aria-label') ?? '' })));
  const withSites = bins.map((b) => ({ ...b, n: Number(/: (\d+) of \d+ dispute sites/.exec(b.label)?.[1] ?? 0) })).sort((x, y) => y.n - x.n);
  const bin = withSites[0]!;
  assert.ok(bin.n > 0, JSON.stringify(withSites));
  const m = /^vaf>=([\d.]+) vaf<([\d.]+)$/.exec(bin.filter) ?? /^vaf>=([\d.]+)$/.exec(bin.filter);
  assert.ok(m, bin.filter);
  const want = tsvSites(join(demo, 'diff', 'default_vs_retrained.sites.tsv'), 'vaf', Number(m[1]), m[2] ? Number(m[2]) : Infinity);
  assert.equal(want.length, bin.n, 'the bin counts what the TSV holds');

  await diff.click(`.diff-features .bin[data-feature="vaf"][data-filter="${bin.filter}"]`);
  await diff.waitForFunction((f) => (document.querySelector('input.filter') as HTMLInputElement | null)?.value === f, bin.filter);
  await diff.waitForFunction((n) => document.querySelector('.grid')?.getAttribute('data-count') === String(n) && !document.querySelector('.rows .row.loading'), want.length, { timeout: 30_000 });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await command(page, 'Notifications: Clear All Notifications');
  await page.screenshot({ path: join(SCREENSHOTS, 'diff-features.png') });
  // The plots take half the panel: fold them so the list shows every row of the bin (it draws visible rows only).
  await diff.click('.diff-features summary');
  await diff.waitForFunction((n) => document.querySelectorAll('.rows .row[data-index]:not(.loading):not([hidden])').length >= n, want.length, { timeout: 30_000 });
  const shown = await diff.$$eval('.rows .row[data-index]:not([hidden])', (rows) => rows.map((r) => `${r.querySelector('.c-chrom')?.textContent ?? ''}:${(r.querySelector('.c-pos')?.textContent ?? '').replace(/,/g, '')}`));
  assert.deepEqual([...shown].sort(), [...want].sort());
});
