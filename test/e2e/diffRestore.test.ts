/**
 * End-to-end, on the demo in a real VS Code (code-server, the packaged .vsix, headless
 * Chromium at 1400×900): the diff's state of issue "A reviewer's day", one assertion per
 * complaint —
 *  - "Compare offers no truth file" (pain 11): Compare takes a third VCF as the truth; the
 *    summary shows each side's TP/FP/FN as `variant-lens diff --truth B` counts them, and
 *    A TRUTH | B TRUTH show each side's class per site;
 *  - "a browser refresh drops the diff and the inspector" (pain 10): after a browser refresh
 *    (right after the last change) the same diff is back, with its scope, sort and selection,
 *    and the inspector beside it on the same site, its pileup drawn and both models' calls
 *    (the panel serializers, and the host's own record when VS Code lost its one);
 *  - "Compare asks for all three files again" (pain 10): "Reopen Last Comparison" brings the
 *    last comparison, truth VCF included, without a question;
 *  - "two review files for one site" (pain 4): both toolbars name the one review file;
 *  - DP · AD · VAF beside each VCF row of the inspector for a diff site (model comparison).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { E2E_CACHE, loadedRow, openTable, runCommand, SCREENSHOTS, settledWebviewFrame, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { pick } from './demoDiff';
import { DiffModel } from '../../src/extension/diff/diffModel';
import { PROJECT_ROOT } from '../helpers/paths';

const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** The diff page once its run is done and its first rows are drawn. */
async function doneDiff(page: Page): Promise<Frame> {
  return settledWebviewFrame(page, '.diff-summary', (diff) => diff.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]', { timeout: 180_000 }), 270_000).catch(async (e: unknown) => {
    await page.screenshot({ path: join(E2E_CACHE, 'diff-restore-failed.png') });
    throw e;
  });
}

/** The webview's frame and the frames around it are on screen (not a hidden tab's). */
async function shown(frame: Frame): Promise<boolean> {
  for (let f: Frame | null = frame; f?.parentFrame(); f = f.parentFrame()) {
    const box = await (await f.frameElement()).boundingBox();
    if (!box || box.width < 50 || box.height < 50 || !(await (await f.frameElement()).isVisible())) return false;
  }
  return true;
}

/** The browser's console (every frame), written out when the checks after the refresh fail. */
const consoleLines: string[] = [];

/** Runs the checks after the refresh; on a failure, a screenshot of the window for the report. */
async function afterRefresh(page: Page, checks: () => Promise<void>): Promise<void> {
  try {
    await checks();
  } catch (e) {
    await page.screenshot({ path: join(E2E_CACHE, 'diff-restore-after-refresh-failed.png') }).catch(() => undefined);
    // Which webview frames exist and what they hold, for the report.
    const frames = await Promise.all(page.frames().map(async (f) => ({
      url: f.url().slice(0, 200),
      body: await f.evaluate(() => `${document.body?.className ?? ''} ${document.body?.innerHTML.length ?? -1}`).catch((err: unknown) => `error ${String(err).slice(0, 100)}`),
    })));
    writeFileSync(join(E2E_CACHE, 'diff-restore-after-refresh-failed.json'), JSON.stringify({ frames, console: consoleLines }, null, 1));
    throw e;
  }
}

const rowsShown = (diff: Frame): Promise<string[][]> => diff.$$eval('.rows .row:not([hidden])', (rows) => rows.map((r) => ['.c-chrom', '.c-pos', '.c-truth.side-a', '.c-truth.side-b'].map((c) => r.querySelector(c)?.textContent ?? '')));

test('diff state on the demo: a truth VCF in Compare, diff and inspector restored after a browser refresh, Reopen Last Comparison, the review file in the toolbars', { timeout: 1_200_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const fileA = join(demo, 'default.vcf.gz');
  const fileB = join(demo, 'retrained.vcf.gz');
  const truth = join(demo, 'data', 'HG003-sim.truth.vcf.gz');
  const reference = join(demo, 'data', 'reference.fa');

  // What the panel must show: the same model run in Node, and the CLI's own truth counts.
  const model = new DiffModel({ fileA, fileB, reference, truthFile: truth });
  await model.run(new AbortController().signal);
  const init = model.init();
  const allView = model.setView({ sortBy: 'qualA', descending: false });
  const firstRows = model.rows(allView.viewId, 0, 12).rows;
  const expectedAll = firstRows.map((r) => [r.contig, r.pos.toLocaleString('en-US'), r.truthA ?? '', r.truthB ?? '']);
  /** VCF rows the inspector shows for the 4th site: one per file that has a record there. */
  const recordsAt3 = (firstRows[3]!.a ? 1 : 0) + (firstRows[3]!.b ? 1 : 0);
  await model.close();
  /** The CLI's summary.csv rows (hap.py, haplotype matching) of the last cliAll run per query, as the panel's hap.py table shows them. */
  const happyCsv = new Map<string, string[][]>();
  const cliAll = (query: string): { tp: number; fp: number; fn: number } => {
    const out = join(mkdtempSync(join(tmpdir(), 'vl-e2e-truth-')), 'd');
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli.js'), 'diff', query, truth, '--truth', 'B', '--ref', reference, '--out', out], { stdio: 'ignore' });
    const s = JSON.parse(readFileSync(`${out}.summary.json`, 'utf8')) as { truth: { rows: { type: string; tp: number; fp: number; fn: number }[] } };
    const r = s.truth.rows.find((x) => x.type === 'ALL')!;
    // Type, Filter, TRUTH.TOTAL, TRUTH.TP, TRUTH.FN, QUERY.TOTAL, QUERY.FP, QUERY.UNK, FP.gt, Recall, Precision, F1 (summary.csv columns 0–8, 10, 11, 13).
    happyCsv.set(query, readFileSync(`${out}.summary.csv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).map((c) => [c[0]!, c[1]!, ...[2, 3, 4, 5, 6, 7, 8, 10, 11, 13].map((i) => c[i]!)]));
    return { tp: r.tp, fp: r.fp, fn: r.fn };
  };
  const cliA = cliAll(fileA);
  const cliB = cliAll(fileB);
  const ours = (m: NonNullable<typeof init.truthVs>['a']) => {
    const r = m.rows.find((x) => x.type === 'ALL')!;
    return { tp: r.tp, fp: r.fp, fn: r.fn };
  };
  assert.deepEqual(ours(init.truthVs!.a), cliA, 'A vs truth: the panel model counts as the CLI does');
  assert.deepEqual(ours(init.truthVs!.b), cliB, 'B vs truth: the panel model counts as the CLI does');
  assert.ok(expectedAll.some((r) => r[2] === 'TP') && expectedAll.some((r) => r[2] !== 'TP' || r[3] !== 'TP'), JSON.stringify(expectedAll));

  const vs = await startVsCode('diffstate', demo, true);
  running.push(vs);
  const { page } = vs;
  page.on('console', (m) => consoleLines.push(`${m.type()} ${m.location().url.slice(0, 120)}: ${m.text().slice(0, 300)}`));
  page.on('pageerror', (err) => consoleLines.push(`pageerror ${err.message.slice(0, 300)}`));

  // Pain 4: the table's toolbar names the one workspace review file.
  const table = await openTable(page, 'default.vcf.gz');
  await table.waitForSelector('.toolbar .review-file:not([hidden])');
  assert.equal(await table.textContent('.toolbar .review-file'), 'verdicts → variant-lens.review.tsv');

  // Pain 11: Compare offers a truth VCF after A and B.
  await runCommand(page, 'Variant Lens: Compare Two VCFs');
  await pick(page, 'default.vcf.gz');
  await pick(page, 'retrained.vcf.gz');
  await pick(page, 'A truth VCF');
  await pick(page, 'HG003-sim.truth.vcf.gz');
  let diff = await doneDiff(page);
  await runCommand(page, 'Notifications: Clear All Notifications');
  assert.equal(await diff.textContent('.toolbar .review-file'), 'verdicts → variant-lens.review.tsv');
  const caption = await diff.textContent('.truth-vs-table caption');
  assert.equal(caption, 'Truth: HG003-sim.truth.vcf.gz (PASS calls of each side; allele matching)');
  const allRows = await diff.$$eval('.truth-vs-table tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')).filter((r) => /ALL$/.test(r[0] ?? '')));
  const num = (s: string): number => Number(s.replace(/,/g, ''));
  assert.deepEqual(allRows.map((r) => ({ tp: num(r[1]!), fp: num(r[2]!), fn: num(r[3]!) })), [cliA, cliB]);
  // With the workspace's reference: hap.py's summary (haplotype matching), cell for cell the CLI's summary.csv.
  assert.match((await diff.textContent('.happy-table caption')) ?? '', /^hap\.py summary vs HG003-sim\.truth\.vcf\.gz: haplotype matching/);
  const happyCells = await diff.$$eval('.happy-table tr', (trs) => trs.slice(1).map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  const expectedHappy = (['A', 'B'] as const).flatMap((side) => happyCsv.get(side === 'A' ? fileA : fileB)!.map(([type, filter, ...rest]) => [`${side} ${type} ${filter}`, ...rest]));
  assert.deepEqual(happyCells, expectedHappy, 'the panel\'s hap.py table equals summary.csv of diff SIDE TRUTH --truth B --ref');
  await diff.locator('.happy-table').screenshot({ path: join(SCREENSHOTS, 'diff-happy-summary.png') });

  // Pain 10: all sites, sorted by A QUAL, the 4th row selected; then a reload of the window.
  await diff.click('.chip[data-scope="all"]');
  await diff.waitForFunction((n) => document.querySelector('.grid')?.getAttribute('data-count') === n, String(init.scopeCounts!.all));
  await diff.click('.row.header [data-sort="qualA"]');
  await diff.waitForSelector('.row.header [data-sort="qualA"][aria-sort="ascending"]');
  await diff.waitForSelector(`${loadedRow(11)}`);
  assert.deepEqual((await rowsShown(diff)).slice(0, 12), expectedAll, 'A TRUTH / B TRUTH per site');
  await diff.click(loadedRow(3));
  await diff.waitForSelector(`${loadedRow(3)}.focused`);
  const selectedPos = await diff.textContent(`${loadedRow(3)} .c-pos`);
  await page.screenshot({ path: join(SCREENSHOTS, 'diff-truth-vcf.png') });
  // DP · AD · VAF beside both VCF rows of the inspector for this diff site.
  await page.keyboard.press('Enter');
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForFunction((n) => document.querySelectorAll('.model-table tr.record').length === n, recordsAt3, { timeout: 120_000 });
  const depths = await inspector.$$eval('.model-table tr.record td.depths', (tds) => tds.map((t) => t.textContent ?? ''));
  assert.equal(depths.length, recordsAt3);
  for (const d of depths) assert.match(d, /^DP \d+ · AD \d+(,\d+)+ · VAF [\d.]+$/, JSON.stringify(depths));

  // The inspector shows the diff's site; it is still busy (its models may be running) when the page goes away.
  const shownSite = await inspector.$eval('#app', (a) => (a as HTMLElement).dataset.site ?? '');
  assert.equal(shownSite, `${firstRows[3]!.contig}:${firstRows[3]!.pos}`);

  // A browser refresh (not "Developer: Reload Window", which waits for VS Code to store its
  // editors): right after the last change, as a user may press F5. The page keeps its state
  // 150 ms after the last change (the webview state and the host's record of the panel).
  await diff.waitForSelector('.grid[data-saved-selected="3"][data-saved-sort="qualA"]');
  await page.reload();
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await afterRefresh(page, async () => {
    // The diff: same comparison, scope, sort and selection.
    diff = await doneDiff(page);
    await diff.waitForSelector(`${loadedRow(3)}.focused`, { timeout: 60_000 });
    assert.equal(await diff.getAttribute('.chip[data-scope="all"]', 'aria-pressed'), 'true');
    assert.equal(await diff.getAttribute('.row.header [data-sort="qualA"]', 'aria-sort'), 'ascending');
    assert.equal(await diff.textContent(`${loadedRow(3)} .c-pos`), selectedPos);
    assert.equal(await diff.getAttribute('.grid', 'data-count'), String(init.scopeCounts!.all));
    assert.equal(await diff.textContent('.truth-vs-table caption'), caption, 'the restored diff still compares with the truth VCF');
    // The inspector beside it: the same site, its pileup drawn and both models' calls beside the VCF rows.
    // The models' rows are read in the same evaluation in the page that sees the run done: the
    // site can be set once more as the restored diff comes back (its focused row), which runs
    // the models again (a CI run read the rows of that second run while it was running).
    let calls: { records: number; models: string[] } | undefined;
    const restored = await settledWebviewFrame(page, '.inspector', async (f) => {
      await f.waitForFunction((site) => document.getElementById('app')?.dataset.site === site, shownSite, { timeout: 120_000 });
      await f.waitForSelector('section.pileup canvas.pixels', { timeout: 120_000 });
      const done = await f.waitForFunction(() => {
        if (document.querySelector('section.models[data-state="done"]') === null) return false;
        const models = [...document.querySelectorAll('.model-table tr.model')].map((tr) => (tr as HTMLElement).dataset.model ?? '');
        return models.length > 0 ? { records: document.querySelectorAll('.model-table tr.record').length, models } : false;
      }, undefined, { timeout: 180_000 });
      calls = (await done.jsonValue()) as { records: number; models: string[] };
    }, 420_000);
    assert.equal(calls?.records, recordsAt3);
    assert.deepEqual(calls?.models, ['default', 'retrained']);
    const pixels = await restored.$eval('section.pileup canvas.pixels', (c) => {
      const canvas = c as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! + d[i + 1]! + d[i + 2]! > 0) lit++;
      return { width: canvas.width, height: canvas.height, lit };
    });
    assert.ok(pixels.width > 0 && pixels.height > 0 && pixels.lit > 0, `the restored pileup is drawn: ${JSON.stringify(pixels)}`);
    // Both on screen side by side, not a blank or background tab.
    for (const f of [diff, restored]) assert.ok(await shown(f), `${f === diff ? 'diff' : 'inspector'} not on screen after the refresh`);
    const boxes = await Promise.all([diff, restored].map(async (f) => (await (await f.parentFrame()!.frameElement()).boundingBox())!));
    assert.ok(boxes[0]!.x + boxes[0]!.width <= boxes[1]!.x + 1, `diff at ${JSON.stringify(boxes[0])}, inspector at ${JSON.stringify(boxes[1])}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'diff-after-reload.png') });
  });

  // Pain 10: close every editor, then Reopen Last Comparison: no question, the truth VCF included.
  await runCommand(page, 'View: Close All Editors');
  await page.waitForFunction(() => document.querySelectorAll('.tabs-container .tab').length === 0, undefined, { timeout: 30_000 });
  await runCommand(page, 'Variant Lens: Reopen Last Comparison');
  diff = await doneDiff(page);
  assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no file was asked for');
  assert.equal(await diff.textContent('.truth-vs-table caption'), caption);
  assert.equal(await diff.getAttribute('.chip[data-scope="disputes"]', 'aria-pressed'), 'true');
  assert.equal(await diff.getAttribute('.grid', 'data-count'), String(init.scopeCounts!.disputes));
});
