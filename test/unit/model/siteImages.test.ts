/**
 * core/model/siteImages.ts without reads or models: the encoding cache (one encoder call per
 * site and settings; failures, cancellations and eviction forgotten), the grouping by settings
 * and by sight. The encoder is a counting fake; the SiteExamples are minimal synthetic ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VariantLensError } from '../../../src/core/errors';
import { groupBySettings, groupBySight, sameImages, sameTensor, SiteImageCache, type SiteEncodeFn } from '../../../src/core/model/siteImages';
import { pipelineOptions, type SiteExamples, type SiteRequest } from '../../../src/core/pileup/siteExamples';

const DEFAULTS = pipelineOptions();
const OTHER = pipelineOptions(undefined, { partitionSize: 500 });

/** A SiteExamples with one image per alt whose bytes are all `fill`. */
function fakeSite(position: number, fill: number, alts: readonly string[] = ['T']): SiteExamples {
  return {
    contig: 'chr1', start: position - 1, position, refBases: 'A', altBases: alts, alleleSource: 'given',
    examples: alts.map((a, i) => ({ altAlleleIndices: [i], altAlleles: [a], tensor: { height: 2, width: 3, channels: [1, 2], data: new Uint8Array(12).fill(fill) }, supports: new Uint8Array(0) })),
  } as unknown as SiteExamples;
}

function counting(fill = 7): { encode: SiteEncodeFn; calls: SiteRequest[] } {
  const calls: SiteRequest[] = [];
  return { calls, encode: async (req) => { calls.push(req); return fakeSite(req.position, fill); } };
}

const request = (position: number, options = DEFAULTS, signal?: AbortSignal): SiteRequest & { options: typeof DEFAULTS } =>
  ({ reads: undefined as never, reference: undefined as never, contig: 'chr1', position, options, ...(signal ? { signal } : {}) });
const key = (position: number) => ({ inputs: 'a.bam\nref.fa', contig: 'chr1', position, alleles: { refBases: 'A', altBases: ['T'] } });

test('SiteImageCache: one encoder call per site and settings; another site, settings or inputs encode again', async () => {
  const { encode, calls } = counting();
  const cache = new SiteImageCache(encode);
  const a = await cache.images(key(100), request(100));
  const b = await cache.images(key(100), request(100, pipelineOptions()));
  assert.equal(calls.length, 1);
  assert.equal(a, b);
  await cache.images(key(100), request(100, OTHER));
  assert.equal(calls.length, 2);
  await cache.images(key(101), request(101));
  assert.equal(calls.length, 3);
  await cache.images({ ...key(100), inputs: 'b.bam\nref.fa' }, request(100));
  assert.equal(calls.length, 4);
  await cache.images({ ...key(100), alleles: undefined }, request(100));
  assert.equal(calls.length, 5);
  // Concurrent askers share the one running encoding.
  const [x, y] = await Promise.all([cache.images(key(200), request(200)), cache.images(key(200), request(200))]);
  assert.equal(x, y);
  assert.equal(calls.length, 6);
  cache.clear();
  await cache.images(key(100), request(100));
  assert.equal(calls.length, 7);
});

test('SiteImageCache: a failed encoding, or one running under an aborted signal, is built again', async () => {
  let n = 0;
  const cache = new SiteImageCache(async (req) => {
    n++;
    if (n === 1) throw new VariantLensError('missing-index', 'no .bai');
    if (req.signal) await new Promise((resolve) => setTimeout(resolve, 20));
    if (req.signal?.aborted) throw new VariantLensError('cancelled', 'operation cancelled');
    return fakeSite(req.position, n);
  });
  await assert.rejects(cache.images(key(1), request(1)), /no \.bai/);
  assert.equal((await cache.images(key(1), request(1))).examples[0]!.tensor.data[0], 2);
  assert.equal(n, 2);
  // The user moves on (the old work is aborted) and comes back to the same site at once.
  const old = new AbortController();
  const first = cache.images(key(5), request(5, DEFAULTS, old.signal));
  old.abort();
  const again = await cache.images(key(5), request(5, DEFAULTS, new AbortController().signal));
  await assert.rejects(first, /cancelled/);
  assert.equal(n, 4);
  assert.equal(again.position, 5);
  // A finished encoding stays usable although its signal was aborted afterwards.
  const done = new AbortController();
  const made = await cache.images(key(6), request(6, DEFAULTS, done.signal));
  done.abort();
  assert.equal(await cache.images(key(6), request(6)), made);
  assert.equal(n, 5);
});

test('SiteImageCache: keeps the most recently used sites up to its capacity', async () => {
  const { encode, calls } = counting();
  const cache = new SiteImageCache(encode, 2);
  await cache.images(key(1), request(1));
  await cache.images(key(2), request(2));
  await cache.images(key(1), request(1)); // 1 is now the most recent
  await cache.images(key(3), request(3)); // evicts 2
  assert.equal(calls.length, 3);
  await cache.images(key(1), request(1));
  assert.equal(calls.length, 3);
  await cache.images(key(2), request(2));
  assert.equal(calls.length, 4);
});

test('groupBySettings: one group per pipelineKey, in order, members in order', () => {
  const models = [{ n: 'a', o: DEFAULTS }, { n: 'b', o: OTHER }, { n: 'c', o: pipelineOptions() }];
  const groups = groupBySettings(models, (m) => m.o);
  assert.deepEqual(groups.map((g) => g.members.map((m) => m.n)), [['a', 'c'], ['b']]);
  assert.equal(groups[0]!.options, DEFAULTS);
  assert.notEqual(groups[0]!.key, groups[1]!.key);
});

test('groupBySight: the same encoding or identical pixels share a group; other pixels or alleles do not', () => {
  const s1 = fakeSite(10, 1);
  const same = fakeSite(10, 1);
  const other = fakeSite(10, 2);
  const twoAlts = fakeSite(10, 1, ['T', 'G']);
  assert.ok(sameImages(s1, same));
  assert.ok(!sameImages(s1, other));
  assert.ok(!sameImages(s1, twoAlts));
  assert.ok(sameTensor(s1.examples[0]!.tensor, same.examples[0]!.tensor));
  assert.ok(!sameTensor(s1.examples[0]!.tensor, { ...same.examples[0]!.tensor, channels: [1, 3] }));
  const groups = groupBySight([{ site: s1, name: 'a' }, { site: other, name: 'b' }, { site: s1, name: 'c' }, { site: same, name: 'd' }, { site: twoAlts, name: 'e' }]);
  assert.deepEqual(groups.map((g) => g.members.map((m) => m.name)), [['a', 'c', 'd'], ['b'], ['e']]);
  assert.equal(groups[0]!.site, s1);
});
