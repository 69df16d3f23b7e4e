/**
 * The inspector webview (dist/webview/inspector.js) in real Chromium under the strict CSP, on
 * DeepVariant's layout goldens (../shared/data/dv-layouts) loaded through the inspector's
 * examples-file source (SiteSources with `variantLens.examples`, src/extension/inspector/siteTensors.ts):
 *  - a 300-row alt-aligned `rows` example is drawn as three blocks (reference-aligned,
 *    alt-1-aligned, alt-2-aligned) split by show's grey bands (showExamples.ts blockLayout),
 *    each block labelled beside the pixels, the pixels equal to show_examples' rescale of the
 *    golden's rows; hover says which block a row is in, and a grey band shows nothing;
 *  - a `diff_channels` example names channels 9 and 10 by DeepVariant id, with the alt of their
 *    block, in the captions and the legend; the legend decodes ids 7, 8, 9, 10 and 19.
 * Skipped only when ../shared/data is absent.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { readExamples } from '../../src/core/io/examples/examplesFile';
import { BLOCK_GAP, RESCALE_254 } from '../../src/core/render/showExamples';
import { SiteSources } from '../../src/extension/inspector/siteTensors';
import type { SiteRecord, TensorPayload } from '../../src/protocol/protocol';
import { HAS_SHARED, PROJECT_ROOT, SHARED_DATA, TEST_CACHE } from '../helpers/paths';
import { alleleLabel } from '../../webview/inspector/imageTabs';
import { buildBundles, gotoWithFakeHost, launchChromium, newWatchedPage, writeCspPage } from './chromiumPage';

const DIR = join(TEST_CACHE, 'inspector-layouts-webview');
const SCREENSHOTS = join(PROJECT_ROOT, 'test/webview/screenshots');
const L = join(SHARED_DATA, 'dv-layouts');
const ROWS = join(L, 'golden.alt_aligned_pileup_rows_examples.tfrecord.gz');
const DIFF = join(L, 'golden.alt_aligned_pileup_diff_channels_examples.tfrecord.gz');

/** A tensor payload as it crosses postMessage, with the bytes as base64 (the fake host decodes them). */
type WirePayload = Omit<TensorPayload, 'data'> & { data64: string };
interface HostArg { site: SiteRecord; tensors: WirePayload[] }

function fakeHost(arg: HostArg): void {
  const w = window as unknown as Record<string, unknown>;
  const posted: unknown[] = [];
  w.__posted = posted;
  const decode = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  const tensors = arg.tensors.map(({ data64, ...t }) => ({ ...t, data: decode(data64) }));
  const state = { generation: 3, origin: 'table', trust: { trusted: true }, site: arg.site, tensors };
  const reply = (m: unknown) => setTimeout(() => window.postMessage(m, '*'), 0);
  w.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage(msg: { type: string; messageId: number; method: string }) {
      posted.push(JSON.parse(JSON.stringify(msg)));
      if (msg.type !== 'request') return;
      let result: unknown;
      if (msg.method === 'inspector.init') result = state;
      else if (msg.method === 'inspector.hover') result = null;
      else if (msg.method === 'review.init') result = { vocabulary: { name: 'v', verdicts: [], tags: [] }, reviewer: 'me' };
      else if (msg.method === 'review.site') result = null;
      else {
        reply({ type: 'response', inReplyTo: msg.messageId, error: { code: 'unknown', message: msg.method } });
        return;
      }
      reply({ type: 'response', inReplyTo: msg.messageId, result });
    },
  });
}

let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];
/** The rows golden's example shown in tab 0 (its tensor for the pixel checks). */
let rowsPayload: TensorPayload;
let site: SiteRecord;

const wire = (t: TensorPayload): WirePayload => {
  const { data, ...rest } = t;
  return { ...rest, data64: Buffer.from(data).toString('base64') };
};

describe('inspector: DeepVariant layouts', { skip: HAS_SHARED ? false : '../shared/data is not present on this machine' }, () => {
  before(async () => {
    // The first indel of the rows golden (an alt-aligned candidate: its alt blocks hold reads).
    let first;
    for await (const r of readExamples(ROWS)) {
      const v = r.example.variant;
      if (v.referenceBases.length > 1 || v.alternateBases.some((a) => a.length > 1)) { first = r.example; break; }
    }
    const v = first!.variant;
    site = {
      file: '/layouts/NA12878.vcf.gz', row: 0, chrom: v.referenceName, pos: v.start + 1, ref: v.referenceBases, alt: v.alternateBases.join(','), id: '.', qual: '30', filter: 'PASS',
      samples: [{ name: 'NA12878', gt: '0/1', gq: '30', dp: '', ad: '', vaf: '', pl: '' }], info: [], line: '',
    };
    // Through the inspector's examples-file source, as `variantLens.examples` gives them.
    const load = async (path: string): Promise<TensorPayload[]> => {
      const s = new SiteSources(() => ({ trusted: true, reads: { bySample: new Map(), unnamed: [] }, reference: undefined, examples: [path] }));
      try {
        return [...(await s.tensors(site, new AbortController().signal)).tensors];
      } finally {
        await s.reset();
      }
    };
    const rows = await load(ROWS);
    const diff = await load(DIFF);
    rowsPayload = rows[0]!;
    assert.equal(rowsPayload.altLayout, 'rows');
    assert.equal(diff[0]!.altLayout, 'diff_channels');
    // Channels 7, 8 and 19 for the legend: a synthetic image of the same site (the goldens have none of 7 and 19).
    const channels = [1, 2, 3, 4, 5, 6, 7, 8, 19];
    const synthetic: TensorPayload = {
      height: 100, width: 221, channels, data: new Uint8Array(100 * 221 * channels.length).fill(127),
      source: 'examples: synthetic.tfrecord.gz', altLabel: rowsPayload.altLabel, candidateColumn: 110, refRows: 5,
    };

    buildBundles();
    mkdirSync(DIR, { recursive: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(DIR, 'theme.css'), `:root { --vscode-foreground:#cccccc; --vscode-editor-background:#1e1e1e; --vscode-font-family:sans-serif; --vscode-font-size:13px;
      --vscode-editor-font-family:monospace; --vscode-descriptionForeground:#9d9d9d; --vscode-panel-border:#3c3c3c; --vscode-button-background:#0e639c;
      --vscode-button-foreground:#ffffff; --vscode-focusBorder:#007fd4; --vscode-editorWarning-foreground:#cca700; }
      body { background: var(--vscode-editor-background); color: var(--vscode-foreground); }`);
    const url = writeCspPage(join(DIR, 'index.html'), {
      nonce: 'dGVzdG5vbmNl', title: 'inspector', bundle: 'inspector', css: ['common.css', 'inspector.css'],
      headExtra: `<link rel="stylesheet" href="${pathToFileURL(join(DIR, 'theme.css')).href}">`,
    });
    browser = await launchChromium();
    page = await newWatchedPage(browser, { width: 1500, height: 1100 }, problems, { console: ['error'], allowedUrls: ['file:'] });
    await gotoWithFakeHost(page, url, fakeHost, { site, tensors: [wire(rowsPayload), wire(diff[0]!), wire(synthetic)] });
    await page.waitForSelector('section.pileup canvas.pixels').catch((e: unknown) => { throw new Error(`${String(e)}\n${problems.join('\n')}`); });
  });

  after(async () => {
    await browser?.close();
  });

  test('a 300-row rows example: three labelled blocks split by show\'s grey bands, the golden\'s pixels in each', async () => {
    await page.waitForSelector('section.pileup[data-tab="0"] .tensor-title[data-layout="rows"]');
    assert.match((await page.textContent('.tensor-title')) ?? '', /300×221×6 — alt-aligned rows: 3 blocks of 100 rows/);
    const label = alleleLabel(site.ref, site.alt.split(',')[0]!);
    assert.equal(await page.getAttribute('.block-titles', 'data-blocks'), `reference-aligned|alt-1-aligned (${label})|alt-2-aligned (${label})`);
    // Every figure (RGB composite + 6 channels) has the three block labels beside its pixels.
    const figures = await page.$$eval('section.pileup figure', (fs) => fs.map((f) => [...f.querySelectorAll('.block-label')].map((l) => [(l as HTMLElement).dataset.block, l.textContent, (l as HTMLElement).title])));
    assert.equal(figures.length, 7);
    for (const f of figures) assert.deepEqual(f, [['0', 'ref', 'reference-aligned'], ['1', 'alt 1', `alt-1-aligned (${label})`], ['2', 'alt 2', `alt-2-aligned (${label})`]]);

    // The channel canvas (channel id 1, figure 1): blocks trimmed to the same height k, grey bands between.
    const { height, tops } = await page.$eval('section.pileup figure[data-channel-id="1"]', (f) => ({
      height: (f.querySelector('canvas.pixels') as HTMLCanvasElement).height,
      tops: [...f.querySelectorAll('.block-label')].map((l) => parseFloat((l as HTMLElement).style.top)),
    }));
    const k = (height - 2 * BLOCK_GAP) / 3;
    assert.ok(Number.isInteger(k) && k > 5 && k <= 100, `3 equal blocks: canvas height ${height}`);
    assert.deepEqual(tops, [1, 1 + (k + BLOCK_GAP), 1 + 2 * (k + BLOCK_GAP)], 'labels at the blocks\' drawn rows (zoom 1)');
    const column = async (x: number): Promise<number[]> => page.$eval('section.pileup figure[data-channel-id="1"] canvas.pixels', (c, xx) => {
      const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(xx, 0, 1, (c as HTMLCanvasElement).height).data;
      return Array.from({ length: d.length / 4 }, (_, i) => d[i * 4]!);
    }, x);
    const t = rowsPayload;
    const golden = (row: number, col: number): number => RESCALE_254[t.data[(row * t.width + col) * t.channels.length]!]!;
    for (const x of [3, 110, 150]) {
      const drawn = await column(x);
      for (let b = 0; b < 3; b++) {
        for (const r of [0, 4, 5, k - 1]) assert.equal(drawn[b * (k + BLOCK_GAP) + r], golden(b * 100 + r, x), `block ${b} row ${r} column ${x}`);
        if (b < 2) for (let g = 0; g < BLOCK_GAP; g++) assert.equal(drawn[b * (k + BLOCK_GAP) + k + g], 128, `grey band after block ${b}`);
      }
    }
    // The trim toggle shows all 100 rows of each block.
    await page.click('section.pileup .trim-rows');
    await page.waitForSelector('section.pileup[data-trim="false"]');
    assert.equal(await page.$eval('section.pileup figure[data-channel-id="1"] canvas.pixels', (c) => (c as HTMLCanvasElement).height), 300 + 2 * BLOCK_GAP);
    const full = await column(110);
    assert.equal(full[2 * (100 + BLOCK_GAP) + 99], golden(299, 110));
    await page.click('section.pileup .trim-rows');
    await page.waitForSelector('section.pileup[data-trim="true"]');
    await page.locator('section.pileup').screenshot({ path: join(SCREENSHOTS, 'inspector-layout-rows.png') });
    assert.equal(problems.join('\n'), '');
  });

  test('hover names the block of the row; the grey band between blocks shows nothing', async () => {
    const height = await page.$eval('section.pileup figure[data-channel-id="1"] canvas.pixels', (c) => (c as HTMLCanvasElement).height);
    const k = (height - 2 * BLOCK_GAP) / 3;
    // At zoom 1 the labels sit beside a viewport that shows the whole image (nothing scrolled away).
    const vp = await page.$eval('section.pileup figure[data-channel-id="1"] .viewport', (v) => ({ sw: v.scrollWidth, cw: v.clientWidth, sl: v.scrollLeft }));
    assert.ok(vp.sw <= vp.cw && vp.sl === 0, JSON.stringify(vp));
    const canvas = page.locator('section.pileup figure[data-channel-id="1"] canvas.pixels');
    // Row 6 of block 2 (tensor row 206) at zoom 1; the column is checked by test/webview/inspector.test.ts.
    await canvas.hover({ position: { x: 110.5, y: 2 * (k + BLOCK_GAP) + 6.5 } });
    await page.waitForSelector('.hover-info[data-state="local"][data-row="206"]', { timeout: 5000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: ${await page.$eval('.hover-info', (h) => JSON.stringify({ ...(h as HTMLElement).dataset, text: h.textContent }))}`);
    });
    assert.match((await page.textContent('.hover-info')) ?? '', /row 206 \(alt-2-aligned \(.+\) block, its row 6\), column 1[01]\d = alt-2 haplotype column/);
    await canvas.hover({ position: { x: 110.5, y: 3.5 } });
    await page.waitForSelector('.hover-info[data-state="local"][data-row="3"]');
    assert.match((await page.textContent('.hover-info')) ?? '', /row 3 \(reference-aligned block, its row 3\), column 1[01]\d/);
    // The band after block 0.
    await canvas.hover({ position: { x: 110.5, y: k + 1.5 } });
    await page.waitForSelector('.hover-info[data-state="idle"]');
  });

  test('diff_channels: channels 9 and 10 named by DeepVariant id with their block\'s alt, in captions and legend; ids 7, 8, 19 decoded', async () => {
    await page.click('section.pileup .tab[data-tab="1"]');
    await page.waitForSelector('section.pileup[data-tab="1"] .tensor-title[data-layout="diff_channels"]');
    assert.equal(await page.$$eval('.block-label', (l) => l.length), 0, 'no blocks in a 100-row image');
    const label = alleleLabel(site.ref, site.alt.split(',')[0]!);
    const caps = await page.$$eval('section.pileup figure figcaption', (c) => c.map((x) => [x.textContent, (x as HTMLElement).title]));
    assert.deepEqual(caps.map((c) => c[0]), ['RGB composite', '1 read base', '2 base quality', '3 mapping quality', '4 strand', '5 read supports variant', '6 base differs from ref',
      `9 alternate allele 1 (${label})`, `10 alternate allele 2 (${label})`]);
    assert.match(caps[7]![1]!, /^CH_DIFF_CHANNELS_ALTERNATE_ALLELE_1: alt-aligned \(diff_channels\)/);
    assert.match(caps[8]![1]!, /^CH_DIFF_CHANNELS_ALTERNATE_ALLELE_2: /);
    const legend = async (): Promise<Record<string, [string, string]>> => page.$$eval('.channel-legend dt', (dts) => Object.fromEntries(dts.map((dt) => [(dt as HTMLElement).dataset.channelId, [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? '']])));
    const l = await legend();
    assert.equal(l['9']![0], `9 alternate allele 1 (${label})`);
    assert.match(l['9']![1], /50 matches the alt haplotype · 254 differs/);
    assert.match(l['10']![1], /alt-2 haplotype/);
    // Hover decodes by id: the alt images' reference rows are 50 in channels 9 and 10 (docs/deepvariant.md §12.3).
    await page.locator('section.pileup figure[data-channel-id="9"] canvas.pixels').hover({ position: { x: 60.5, y: 2.5 } });
    await page.waitForSelector('.hover-info[data-state="local"][data-row="2"]');
    const hoverText = (await page.textContent('.hover-info')) ?? '';
    assert.match(hoverText, /matches the alt-1 haplotype · matches the alt-2 haplotype/);
    assert.match(hoverText, /alternate allele 1 50 · alternate allele 2 50$/);
    // The synthetic image with ids 7, 8 and 19: each has its encoding, none "not decoded".
    await page.click('section.pileup .tab[data-tab="2"]');
    await page.waitForSelector('section.pileup[data-tab="2"]');
    const s = await legend();
    assert.deepEqual(Object.keys(s).sort((a, b) => Number(a) - Number(b)), ['1', '2', '3', '4', '5', '6', '7', '8', '19']);
    assert.match(s['7']![0], /^7 haplotype tag$/);
    assert.match(s['8']![0], /^8 allele frequency$/);
    assert.match(s['19']![0], /^19 insert size$/);
    for (const id of ['7', '8', '19']) assert.doesNotMatch(s[id]![1], /not decoded/);
    assert.equal(problems.join('\n'), '');
  });
});
