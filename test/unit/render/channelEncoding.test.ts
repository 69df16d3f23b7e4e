/** Channel legend and pixel decoding keyed by DeepVariant channel id (docs/deepvariant.md §2.3, §2.5). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelLegend, decodeChannel, pixelDescription } from '../../../src/core/render/channelEncoding';

test('legend by channel id, not by position', () => {
  assert.equal(channelLegend(19).label, 'insert size');
  assert.equal(channelLegend(19).enumName, 'CH_INSERT_SIZE');
  assert.match(channelLegend(1).encoding, /A 250 · G 180 · T 100 · C 30/);
  assert.match(channelLegend(99).encoding, /raw/);
});

test('decodes the bytes the encoder writes (truncating scale)', () => {
  assert.equal(decodeChannel(1, 180), 'base G');
  assert.equal(decodeChannel(1, 0), 'base none (N, * anchor or empty)');
  // floor(254·37/40) = 234; floor(254·36/40) = 228.
  assert.equal(decodeChannel(2, 234), 'base quality 37');
  assert.equal(decodeChannel(2, 228), 'base quality 36');
  assert.equal(decodeChannel(2, 254), 'base quality ≥ 40');
  // MAPQ 37 gives 156 (docs/deepvariant.md §2.5).
  assert.equal(decodeChannel(3, 156), 'MAPQ 37');
  assert.equal(decodeChannel(4, 240), 'strand −');
  assert.equal(decodeChannel(5, 254), 'supports an alt of this image');
  assert.equal(decodeChannel(6, 50), 'matches the reference');
  // TLEN 300 → floor(254·300/1000) = 76; 76 also covers 300–303.
  assert.equal(decodeChannel(19, 76), 'insert size 300–303');
  assert.equal(decodeChannel(15, 12), undefined);
});

test('pixel description: decoded values, then the raw bytes', () => {
  const d = pixelDescription([1, 2, 3, 4, 5, 6, 19], [250, 234, 156, 70, 254, 254, 76]);
  assert.deepEqual(d.decoded, ['base A', 'base quality 37', 'MAPQ 37', 'strand +', 'supports an alt of this image', 'differs from the reference', 'insert size 300–303']);
  assert.equal(d.raw, 'raw: read base 250 · base quality 234 · mapping quality 156 · strand 70 · read supports variant 254 · base differs from ref 254 · insert size 76');
  assert.deepEqual(pixelDescription([1, 2], [0, 0]).decoded, ['empty pixel (no read here)']);
});
