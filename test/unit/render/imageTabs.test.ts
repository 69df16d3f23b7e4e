/** The inspector's pure tab helpers (webview/inspector/imageTabs.ts): indel labels, grouping, pixel difference. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TensorPayload } from '../../../src/protocol/protocol';
import { alleleLabel, groupTabs, imageDifference, imageLabel, rowRanges, usedRows } from '../../../webview/inspector/imageTabs';

const tensor = (over: Partial<TensorPayload> = {}): TensorPayload => ({
  height: 4, width: 3, channels: [1, 2], data: new Uint8Array(4 * 3 * 2), source: 'reads: x.bam (Variant Lens encoder, default\'s make_examples settings)', altLabel: 'A', ...over,
});

test('indel labels say what the allele is', () => {
  assert.equal(alleleLabel('TAAAACTATGC', 'T'), 'del AAAACTATGC');
  assert.equal(alleleLabel('A', 'AAGGCT'), 'ins AGGCT');
  assert.equal(alleleLabel('G', 'A'), 'A');
  assert.equal(alleleLabel('GA', 'TC'), 'GA>TC');
  assert.equal(imageLabel('TAAAACTATGC', 'T,TA'), 'del AAAACTATGC + del AAACTATGC');
});

test('tabs grouped by origin: DeepVariant examples, our encoder per model settings', () => {
  const ts = [
    tensor({ seenBy: ['default'] }), tensor({ altLabel: 'C', seenBy: ['default'] }), tensor({ seenBy: ['retrained'] }),
    tensor({ source: 'examples: calling_examples.tfrecord.gz' }), tensor({ altLabel: 'C', source: 'examples: calling_examples.tfrecord.gz' }),
  ];
  assert.deepEqual(groupTabs(ts), [
    { title: 'Variant Lens encoder, default settings', tabs: [0, 1] },
    { title: 'Variant Lens encoder, retrained settings', tabs: [2] },
    { title: 'DeepVariant examples', tabs: [3, 4] },
  ]);
  assert.deepEqual(groupTabs([tensor()]).map((g) => g.title), ['Variant Lens encoder, default settings']);
});

test('pixel difference: count, rows, and rows present on one side only', () => {
  const a = tensor();
  const d = a.data.slice();
  d[(1 * 3 + 2) * 2 + 1] = 9; // row 1, col 2, channel 2
  d[(3 * 3 + 0) * 2] = 9; // row 3, col 0
  const r = imageDifference(a, { ...a, data: d });
  assert.equal(r.pixels, 2);
  assert.deepEqual(r.rows, [1, 3]);
  assert.equal(r.mask[1 * 3 + 2], 1);
  assert.equal(imageDifference(a, a).pixels, 0);
  assert.match(imageDifference(a, tensor({ width: 5, data: new Uint8Array(4 * 5 * 2) })).incomparable ?? '', /shapes differ/);
  assert.equal(rowRanges([1, 2, 3, 7, 9, 10]), '1–3, 7, 9–10');
});

test('used rows: reference band + reads, else up to the last non-empty row', () => {
  assert.equal(usedRows(tensor({ refRows: 1, readRows: 2 })), 3);
  const d = new Uint8Array(4 * 3 * 2);
  d[(1 * 3) * 2] = 5;
  assert.equal(usedRows(tensor({ data: d })), 2);
});
