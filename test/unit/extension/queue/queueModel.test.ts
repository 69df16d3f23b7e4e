/**
 * The review queue's host model (src/extension/queue/queueModel.ts) with a counting tile
 * function: batches (a small first batch, then larger ones; cached tiles at once), progress,
 * cancel between sites, the LRU cache per site, one build for a site asked for twice, review
 * cells and the reviewed count. Then the real tile path (queueTiles.ts through the
 * inspector's SiteSources, core/model/siteImages) on the demo workspace: both demo models'
 * settings, thumbnails the size of the RGB composite halved.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { VariantLensError } from '../../../../src/core/errors';
import type { ReviewCell, SiteRecord } from '../../../../src/protocol/protocol';
import type { QueueTile } from '../../../../src/protocol/queueProtocol';
import { LruCache, ReviewQueueModel, siteKey, type QueueEntry, type TileFn } from '../../../../src/extension/queue/queueModel';
import { tableQueue } from '../../../../src/extension/queue/queueSources';
import { tileMaker } from '../../../../src/extension/queue/queueTiles';
import { ModelLoader, modelSettingsOf } from '../../../../src/extension/inspector/modelLoader';
import { SiteSources } from '../../../../src/extension/inspector/siteTensors';
import { VcfTableModel } from '../../../../src/extension/table/vcfTableModel';
import { downscaleRgb } from '../../../../src/core/render/thumbnail';
import { ensureDemoWorkspace } from '../../../helpers/demoWorkspace';

function entries(n: number): QueueEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    contig: 'chr20', pos: 1000 + i, ref: 'A', alt: 'G', classes: ['gt-change'],
    calls: [{ label: 'A', gt: '0/1', qual: '30' }, { label: 'B', gt: '1/1', qual: '12' }],
    snapshot: [],
    record: async () => ({ chrom: 'chr20', pos: 1000 + i } as SiteRecord),
  }));
}

/** A tile function that counts calls per site and can be slowed down. */
function countingTiles(delayMs = 0): { fn: TileFn; calls: Map<number, number> } {
  const calls = new Map<number, number>();
  const fn: TileFn = async (e, signal) => {
    calls.set(e.pos, (calls.get(e.pos) ?? 0) + 1);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (signal.aborted) throw new VariantLensError('cancelled', 'operation cancelled');
    return { images: [{ models: ['default'], width: 2, height: 1, rgba: new Uint8Array([e.pos & 255, 0, 0, 255, 0, 0, 0, 255]) }] };
  };
  return { fn, calls };
}

const info = { title: 'a ↔ b', kind: 'diff' as const, viewCount: 1000, callLabels: ['A', 'B'] };

test('tiles come in batches: a first batch of 2, then 12; progress counts every site', async () => {
  const { fn, calls } = countingTiles();
  const m = new ReviewQueueModel(info, entries(1000), fn);
  const batches: number[][] = [];
  const progress: [number, number][] = [];
  const r = await m.tiles(0, 30, new AbortController().signal, (t) => batches.push(t.map((x) => x.index)), (d, t) => progress.push([d, t]));
  assert.deepEqual(batches.map((b) => b.length), [2, 12, 12, 4]);
  assert.deepEqual(batches.flat(), Array.from({ length: 30 }, (_, i) => i));
  assert.deepEqual(r, { made: 30, cached: 0 });
  assert.deepEqual(progress.at(0), [0, 30]);
  assert.deepEqual(progress.at(-1), [30, 30]);
  assert.equal(calls.size, 30);
  assert.equal(m.made, 30);
});

test('cached tiles go out at once and are not made again; the LRU keeps the most recent', async () => {
  const { fn, calls } = countingTiles();
  const m = new ReviewQueueModel(info, entries(100), fn, { cacheSize: 20 });
  const sig = new AbortController().signal;
  await m.tiles(0, 10, sig, () => undefined);
  const batches: QueueTile[][] = [];
  const r = await m.tiles(5, 15, sig, (t) => batches.push(t));
  assert.deepEqual(r, { made: 5, cached: 5 });
  assert.deepEqual(batches[0]!.map((t) => t.index), [5, 6, 7, 8, 9], 'the cached tiles are the first batch');
  assert.equal(batches[0]![0]!.images[0]!.rgba[0], (1005) & 255, 'a cached tile keeps its image');
  for (let i = 0; i < 15; i++) assert.equal(calls.get(1000 + i), 1, `site ${i} made once`);
  await m.tiles(15, 40, sig, () => undefined);
  assert.equal(m.cachedTiles, 20);
  await m.tiles(0, 1, sig, () => undefined);
  assert.equal(calls.get(1000), 2, 'site 0 was evicted (LRU, capacity 20) and made again');
  m.clearTiles();
  assert.equal(m.cachedTiles, 0);
});

test('cancel stops between sites: no further tile is made, the request rejects as cancelled', async () => {
  const { fn, calls } = countingTiles(5);
  const m = new ReviewQueueModel(info, entries(1000), fn);
  const ctl = new AbortController();
  let got = 0;
  const p = m.tiles(0, 200, ctl.signal, (t) => {
    got += t.length;
    if (got >= 2) ctl.abort();
  });
  await assert.rejects(p, (e: unknown) => e instanceof VariantLensError && e.code === 'cancelled');
  assert.ok(calls.size <= 3, `made ${calls.size} tiles after cancel at 2`);
  // A cancelled tile is not cached: asking again makes it.
  const again = await m.tiles(0, 8, new AbortController().signal, () => undefined);
  assert.equal(again.cached, 2);
  assert.equal(again.made, 6);
});

test('a site asked for by two requests at once is made once; one request cancelled does not fail the other', async () => {
  const { fn, calls } = countingTiles(10);
  const m = new ReviewQueueModel(info, entries(10), fn);
  const a = new AbortController();
  const pa = m.tiles(0, 3, a.signal, () => undefined).catch((e: unknown) => e);
  const pb = m.tiles(0, 3, new AbortController().signal, () => undefined);
  const rb = await pb;
  assert.equal(rb.made + rb.cached, 3);
  await pa;
  assert.deepEqual([...calls.values()], [1, 1, 1]);
  // Cancel the first requester while it builds: the second still gets its tile.
  const m2 = new ReviewQueueModel(info, entries(10), countingTiles(20).fn);
  const c = new AbortController();
  const p1 = m2.tiles(5, 6, c.signal, () => undefined).catch((e: unknown) => e);
  const p2 = m2.tiles(5, 6, new AbortController().signal, () => undefined);
  setTimeout(() => c.abort(), 5);
  assert.ok((await p1) instanceof VariantLensError);
  assert.equal((await p2).made, 1);
});

test('sites carry review cells; reviewed counts the queue sites with a verdict', () => {
  const done = new Set([siteKey({ contig: 'chr20', pos: 1003, ref: 'A', alt: 'G' }), siteKey({ contig: 'chr20', pos: 1007, ref: 'A', alt: 'G' })]);
  const cell = { verdict: 'default-correct', title: 'Default correct', tags: [], note: '', reviewer: 'r', time: 't', versions: 1, conflict: false } satisfies ReviewCell;
  const m = new ReviewQueueModel(info, entries(10), countingTiles().fn, { reviewCell: (s) => (done.has(siteKey(s)) ? cell : undefined) });
  assert.equal(m.reviewed(), 2);
  const sites = m.sites(2, 5);
  assert.deepEqual(sites.map((s) => s.index), [2, 3, 4]);
  assert.equal(sites[1]!.review?.verdict, 'default-correct');
  assert.equal(sites[0]!.review, undefined);
  assert.deepEqual(m.sites(8, 50).map((s) => s.index), [8, 9], 'clamped to the queue');
  const i = m.init({ name: 'v', verdicts: [], tags: [] }, 'variant-lens.review.tsv');
  assert.equal(i.count, 10);
  assert.equal(i.reviewed, 2);
});

test('LruCache: get refreshes, set evicts the oldest', () => {
  const c = new LruCache<number>(2);
  c.set('a', 1);
  c.set('b', 2);
  c.get('a');
  c.set('c', 3);
  assert.equal(c.has('b'), false);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
});

test('downscaleRgb: box average by 2, odd edges average what they hold, alpha 255', () => {
  const img = { kind: 'rgb' as const, width: 3, height: 1, data: new Uint8Array([10, 20, 30, 30, 40, 50, 200, 100, 0]) };
  const t = downscaleRgb(img, 2);
  assert.equal(t.width, 2);
  assert.equal(t.height, 1);
  assert.deepEqual([...t.data], [20, 30, 40, 255, 200, 100, 0, 255]);
  assert.throws(() => downscaleRgb(img, 0), /positive integer/);
});

test('real tiles of the demo table: both models\' settings, RGB thumbnails 111×50, notes instead of errors', { timeout: 300_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  const table = await VcfTableModel.open(join(demo, 'default.vcf.gz'));
  try {
    const q = await tableQueue(table);
    assert.ok(q.entries.length >= 24, `${q.entries.length} sites`);
    assert.equal(q.info.callLabels[0], 'default.vcf.gz');
    const models = [{ name: 'default', path: join(demo, 'models/default') }, { name: 'retrained', path: join(demo, 'models/retrained') }];
    const loader = new ModelLoader(() => ({ trusted: true, models, untrustedReason: 'untrusted' }));
    const config = () => ({ trusted: true, reads: { bySample: new Map([['HG003-sim', join(demo, 'data/HG003-sim.bam')]]), unnamed: [] }, reference: join(demo, 'data/reference.fa'), examples: [] });
    let encodes = 0;
    const sources = new SiteSources(config, undefined, async (req) => {
      encodes++;
      const { buildSiteExamples } = await import('../../../../src/core/pileup/siteExamples');
      return buildSiteExamples(req);
    });
    const make = tileMaker({ sources, config, models: async (s) => modelSettingsOf(await loader.modelsEach(s)) });
    const m = new ReviewQueueModel(q.info, q.entries, make);
    const got: QueueTile[] = [];
    await m.tiles(0, 8, new AbortController().signal, (t) => got.push(...t));
    assert.equal(got.length, 8);
    assert.equal(encodes, 16, 'one encoding per site and per distinct settings (the two demo models differ)');
    const withImages = got.filter((t) => t.images.length > 0);
    assert.ok(withImages.length >= 6, JSON.stringify(got.map((t) => t.note)));
    for (const t of withImages) {
      for (const img of t.images) {
        assert.equal(img.width, 111);
        assert.equal(img.height, 50);
        assert.equal(img.rgba.length, 111 * 50 * 4);
        assert.ok(img.models.length >= 1);
      }
      assert.deepEqual(t.images.flatMap((i) => i.models).sort(), ['default', 'retrained'], 'every model is named once, on the image it saw');
      assert.ok(t.images.some((img) => img.rgba.some((v, k) => k % 4 === 0 && v > 0)), 'the composite has coloured pixels');
    }
    // Untrusted: a note, no reads opened.
    const untrusted = tileMaker({ sources, config: () => ({ ...config(), trusted: false }), models: async () => [] });
    const t = await untrusted(q.entries[0]!, new AbortController().signal);
    assert.deepEqual(t.images, []);
    assert.match(t.note ?? '', /untrusted/);
    // No reads for the sample: a note naming the problem, not a thrown error.
    const noReads = tileMaker({ sources, config: () => ({ ...config(), reads: { bySample: new Map(), unnamed: [] } }), models: async () => [] });
    assert.match((await noReads(q.entries[0]!, new AbortController().signal)).note ?? '', /no reads/);
  } finally {
    await table.close();
  }
});
