/**
 * Error replies reach the user in the webviews (Chromium, fake host `acquireVsCodeApi`
 * replying with protocol errors as RpcServer does, src/protocol/rpc.ts toProtocolError):
 *  - table: table.init failing → the status line shows the error; a page (table.rows) failing
 *    with a malformed-line error → the status line shows file and line; an index error that
 *    arrives before table.init answered → shown once init is in;
 *  - inspector: inspector.init failing → the error paragraph; a state whose pileup note is a
 *    reader error and whose model table has one model failing to load → both texts shown.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { buildBundles, launchChromium, loadInline, newWatchedPage } from './chromiumPage';

let browser: Browser;
const problems: string[] = [];

const MALFORMED = '/data/x.vcf.gz: line 25005 has 4 tab-separated columns; a VCF record needs at least 8: "chr20\tNOTANUMBER\t.\tA"';
const PLAIN_GZIP = '/data/x.vcf.gz: is compressed with plain gzip, which allows no random access; recompress it with `bgzip`';

/**
 * A fake host as plain JavaScript (tsx helpers do not exist in the page): `setup` runs once,
 * then `answer` runs for every request `m` with ok(result) and fail(code, message) replying
 * to it asynchronously, as RpcServer does; `scenario` is in scope for both.
 */
const fakeHost = (scenario: string, setup: string, answer: string): string => `
(function (scenario) {
  const reply = (m) => setTimeout(() => window.postMessage(m, '*'), 0);
${setup}
  window.acquireVsCodeApi = () => ({
    getState: () => undefined,
    setState: () => undefined,
    postMessage: (m) => {
      if (m.type !== 'request') return;
      const ok = (result) => reply({ type: 'response', inReplyTo: m.messageId, result });
      const fail = (code, message) => reply({ type: 'response', inReplyTo: m.messageId, error: { code, message } });
${answer}
    },
  });
})(${JSON.stringify(scenario)});
`;

/** The table's fake host. `scenario`: 'init-error' | 'rows-error' | 'early-index-error'. */
const tableHost = (scenario: string): string => fakeHost(scenario, `
  const row = (i) => ({ index: i, row: i, chrom: 'chr20', pos: 1000 + i, id: '.', ref: 'A', alt: 'G', qual: '50', filter: 'PASS', kind: 'SNP', samples: [{ gt: '0/1', gq: '30', dp: '20', ad: '10,10', vaf: '0.5' }] });`, `
      if (m.method === 'table.init') {
        if (scenario === 'init-error') return fail('truncated-bgzf', '/data/cut.vcf.gz: does not end with the BGZF end-of-file marker, so it is truncated');
        if (scenario === 'early-index-error') {
          // The index failed before init was answered (slow webview): the event comes first.
          window.postMessage({ type: 'event', name: 'indexProgress', payload: { rows: 0, done: true, rowCount: -1, error: { code: 'unsupported', message: ${JSON.stringify(PLAIN_GZIP)} } } }, '*');
          return setTimeout(() => ok({ file: '/data/x.vcf.gz', fileName: 'x.vcf.gz', samples: ['S1'], rowCount: -1, viewCount: 1000, viewId: 0, filterValues: ['PASS'], infoKeys: [], trust: { trusted: true } }), 50);
        }
        return ok({ file: '/data/x.vcf.gz', fileName: 'x.vcf.gz', samples: ['S1'], rowCount: 30000, viewCount: 30000, viewId: 0, filterValues: ['PASS'], infoKeys: [], trust: { trusted: true } });
      }
      if (m.method === 'table.rows') {
        if (scenario === 'rows-error' && m.params.from <= 25000 && 25000 < m.params.to) return fail('malformed-vcf', ${JSON.stringify(MALFORMED)});
        const rows = [];
        for (let i = m.params.from; i < Math.min(m.params.to, 30000); i++) rows.push(row(i));
        return ok({ viewId: m.params.viewId, rows });
      }
      if (m.method === 'table.ping') return ok({ sentAt: 0, hostTime: 0 });
      if (m.method === 'review.init' || m.method === 'review.site') return fail('unsupported', 'no review here');
      fail('unknown', m.method);`);

/** The inspector's fake host. `scenario`: 'init-error' | anything else for a state with errors in it. */
const inspectorHost = (scenario: string): string => fakeHost(scenario, `
  const state = {
    generation: 1, trust: { trusted: true },
    site: { file: '/data/x.vcf.gz', row: 0, chrom: 'chr21', pos: 100, ref: 'A', alt: 'G', id: '.', qual: '50', filter: 'PASS', samples: [{ name: 'S1', gt: '0/1', gq: '30', dp: '20', ad: '10,10', vaf: '0.5', pl: '0,0,0' }], info: [], line: 'chr21\\t100\\t.\\tA\\tG\\t50\\tPASS\\t.' },
    tensors: [],
    tensorNote: '/data/ref.fa: contig "chr21" is not in the reference (chr20)',
    models: { state: 'done', explanations: [], notes: ['broken failed to load: /m/broken/model.onnx: model expects 7 channels, example_info.json says 6 channels'], calls: [
      { model: 'default', gt: '0/1', gq: '30', qual: '33.3', filter: 'PASS', pl: '30,0,40', alleles: 'A>G', fromCandidate: true, images: [{ altLabel: 'G', probabilities: [0.1, 0.8, 0.1] }], training: { inTraining: 'unknown', text: 'default: unknown' } },
      { model: 'broken', gt: '.', gq: '', qual: '', filter: '', pl: '', alleles: '', fromCandidate: false, images: [], noCallReason: 'model "broken" (/m/broken): /m/broken/model.onnx: model expects 7 channels, example_info.json says 6 channels', training: { inTraining: 'unknown', text: 'broken: could not be loaded' } },
    ] },
  };`, `
      if (m.method === 'inspector.init') return scenario === 'init-error' ? fail('internal', 'inspector failed: /data/x.bam: has no index') : ok(state);
      if (m.method === 'review.init') return ok({ vocabulary: { name: 'v', verdicts: [], tags: [] }, reviewer: 'me' });
      if (m.method === 'review.site') return ok(null);
      if (m.method === 'inspector.ping') return ok({ sentAt: 0, hostTime: 0 });
      fail('unknown', m.method);`);

async function open(kind: 'table' | 'inspector', host: string): Promise<Page> {
  const page = await newWatchedPage(browser, { width: 1200, height: 700 }, problems, { label: kind });
  await loadInline(page, kind, ['common.css', `${kind}.css`], host);
  return page;
}

before(async () => {
  buildBundles();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  assert.deepEqual(problems, []);
});

const status = (page: Page): Promise<string> => page.$eval('.status', (e) => e.textContent ?? '');

test('table: table.init error shows in the status line', async () => {
  const page = await open('table', tableHost('init-error'));
  await page.waitForSelector('.status.error');
  assert.match(await status(page), /\/data\/cut\.vcf\.gz: does not end with the BGZF end-of-file marker/);
  await page.close();
});

test('table: a page failing with a malformed line shows file and line; other pages still load', async () => {
  const page = await open('table', tableHost('rows-error'));
  await page.waitForSelector('.rows .row[data-index="0"]:not(.loading)');
  // Scroll to row 25,000 (its page holds the malformed line).
  await page.evaluate(() => {
    const sc = document.querySelector('.scroller');
    if (!sc) throw new Error('no scroller');
    const rowH = (document.querySelector('.rows .row') as HTMLElement).getBoundingClientRect().height;
    (sc as HTMLElement).scrollTop = rowH * 25_000;
  });
  await page.waitForSelector('.status.error');
  assert.equal(await status(page), MALFORMED);
  await page.evaluate(() => {
    (document.querySelector('.scroller') as HTMLElement).scrollTop = 0;
  });
  await page.waitForSelector('.rows .row[data-index="0"]:not(.loading)');
  await page.close();
});

test('table: an index error that arrives before table.init answered is still shown', async () => {
  const page = await open('table', tableHost('early-index-error'));
  await page.waitForSelector('.rows .row[data-index="0"]');
  await page.waitForSelector('.status.error');
  assert.equal(await status(page), PLAIN_GZIP);
  await page.close();
});

test('inspector: init error, reader note and a model that failed to load are shown', async () => {
  const failed = await open('inspector', inspectorHost('init-error'));
  await failed.waitForSelector('p.error');
  assert.equal(await failed.$eval('p.error', (e) => e.textContent), 'inspector failed: /data/x.bam: has no index');
  await failed.close();

  const page = await open('inspector', inspectorHost('state'));
  await page.waitForFunction(() => document.body.innerText.includes('is not in the reference'));
  const text = await page.evaluate(() => document.body.innerText);
  assert.ok(text.includes('/data/ref.fa: contig "chr21" is not in the reference (chr20)'), text);
  assert.ok(text.includes('/m/broken/model.onnx: model expects 7 channels, example_info.json says 6 channels'), text);
  await page.close();
});
