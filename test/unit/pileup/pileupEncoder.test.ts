// Every channel value and the CIGAR walk, on tiny synthetic reads; the expected pixels are
// written from docs/deepvariant.md §2.3–§2.5 (values) and §2.4 (walk), not from the encoder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VariantLensError } from '../../../src/core/errors';
import { DEFAULT_ENCODER_OPTIONS, type EncoderOptions, describeColumn, encodeRows, selectReads, withSupports } from '../../../src/core/pileup/pileupEncoder';
import { NumpyRandomState } from '../../../src/core/pileup/numpyRandomState';
import { altAlleleCombinations } from '../../../src/core/pileup/altAlleleCombinations';
import { tensorPixel, type PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { read } from './syntheticReads';

// Window: 11 columns over reference positions 100..110 (0-based); variant start 105 = column 5.
const REF = 'ACGTACGTACG';
const WS = 100;
const VS = 105;
const O: EncoderOptions = { ...DEFAULT_ENCODER_OPTIONS, height: 10, width: 11, channels: [1, 2, 3, 4, 5, 6, 19] };
const BAND = 5;

function pixel(t: PileupTensor, row: number, col: number): number[] {
  return t.channels.map((_, ch) => tensorPixel(t, row, col, ch));
}

const Z = [0, 0, 0, 0, 0, 0, 0];

test('reference rows: base colour, 254, 254, 70, 152, 50, 254 in all 5 rows (docs/deepvariant.md §2.5)', () => {
  const { tensor } = encodeRows([], WS, 'ACGTNACGTAC', VS, O);
  const colour: Record<string, number> = { A: 250, C: 30, G: 180, T: 100, N: 0 };
  for (let r = 0; r < BAND; r++) {
    for (let c = 0; c < 11; c++) assert.deepEqual(pixel(tensor, r, c), [colour['ACGTNACGTAC'[c]!]!, 254, 254, 70, 152, 50, 254], `row ${r} col ${c}`);
  }
  for (let r = BAND; r < 10; r++) for (let c = 0; c < 11; c++) assert.deepEqual(pixel(tensor, r, c), Z);
});

test('M bases: read base, floor-scaled qualities, strand, differs, insert size (docs/deepvariant.md §2.5)', () => {
  // Covers 102..106: ref G T A C G; read G T T C G (mismatch at 104).
  const r = read({ start: 102, cigar: '5M', seq: 'GTTCG', qual: [30, 40, 20, 35, 50], mapq: 37, tlen: -300 });
  const { tensor } = encodeRows([r], WS, REF, VS, O);
  const row = BAND;
  assert.deepEqual(pixel(tensor, row, 0), Z);
  assert.deepEqual(pixel(tensor, row, 1), Z);
  // bq floor(254*30/40)=190, mq floor(254*37/60)=156, forward 70, supports 0 until filled, match 50, |TLEN| 300 → floor(76.2)=76
  assert.deepEqual(pixel(tensor, row, 2), [180, 190, 156, 70, 0, 50, 76]);
  assert.deepEqual(pixel(tensor, row, 3), [100, 254, 156, 70, 0, 50, 76]);
  assert.deepEqual(pixel(tensor, row, 4), [100, 127, 156, 70, 0, 254, 76]); // T vs ref A: differs 254; q20 → 127
  assert.deepEqual(pixel(tensor, row, 5), [30, 222, 156, 70, 0, 50, 76]); // q35 → floor(222.25)
  assert.deepEqual(pixel(tensor, row, 6), [180, 254, 156, 70, 0, 50, 76]); // q50 capped at 40 → 254
  for (let c = 7; c < 11; c++) assert.deepEqual(pixel(tensor, row, c), Z);
});

test('strand 240 for reverse reads; insert size 0 for TLEN 0 and 254 above 1000; MAPQ cap 60', () => {
  const a = read({ start: 105, cigar: '1M', seq: 'C', flags: 0x1 | 0x10 | 0x80, tlen: 0, mapq: 70 });
  const b = read({ start: 105, cigar: '1M', seq: 'C', tlen: 1500, mapq: 5 });
  const { tensor } = encodeRows([a, b], WS, REF, VS, O);
  assert.deepEqual(pixel(tensor, BAND, 5), [30, 254, 254, 240, 0, 50, 0]);
  assert.deepEqual(pixel(tensor, BAND + 1, 5), [30, 254, 21, 70, 0, 50, 254]); // mq floor(254*5/60)=21
});

test('insertion: anchor pixel at the previous base, base 0, quality of the first inserted base, overwrites the M pixel (docs/deepvariant.md §2.4)', () => {
  // 103,104 = "TA" (match), insertion GG anchored at 104, then 105,106 = "CG".
  const r = read({ start: 103, cigar: '2M2I2M', seq: 'TAGGCG', qual: [20, 21, 12, 13, 30, 31] });
  const { tensor } = encodeRows([r], WS, REF, VS, O);
  assert.deepEqual(pixel(tensor, BAND, 3), [100, 127, 254, 70, 0, 50, 76]);
  assert.deepEqual(pixel(tensor, BAND, 4), [0, 76, 254, 70, 0, 254, 76]); // q12 → floor(76.2)
  assert.deepEqual(pixel(tensor, BAND, 5), [30, 190, 254, 70, 0, 50, 76]);
  assert.deepEqual(pixel(tensor, BAND, 6), [180, 196, 254, 70, 0, 50, 76]); // q31 → floor(196.85)
  assert.deepEqual(pixel(tensor, BAND, 7), Z);
  const d = describeColumn(r, WS, 4);
  assert.equal(d.kind, 'insertion-anchor');
  assert.equal(d.inserted, 'GG');
  assert.equal(d.quality, 12);
});

test('deletion: anchor pixel with the preceding base quality, deleted columns empty (docs/deepvariant.md §2.4)', () => {
  // 101..103 = "CGT", deletion of 104..106, then 107,108 = "TA".
  const r = read({ start: 101, cigar: '3M3D2M', seq: 'CGTTA', qual: [40, 40, 24, 40, 40] });
  const { tensor } = encodeRows([r], WS, REF, VS, O);
  assert.deepEqual(pixel(tensor, BAND, 1), [30, 254, 254, 70, 0, 50, 76]);
  assert.deepEqual(pixel(tensor, BAND, 3), [0, 152, 254, 70, 0, 254, 76]); // q24 → floor(152.4)
  for (const c of [4, 5, 6]) assert.deepEqual(pixel(tensor, BAND, c), Z);
  assert.deepEqual(pixel(tensor, BAND, 7), [100, 254, 254, 70, 0, 50, 76]);
  assert.deepEqual(pixel(tensor, BAND, 8), [250, 254, 254, 70, 0, 50, 76]);
  assert.equal(describeColumn(r, WS, 5).kind, 'deleted');
});

test('N skip draws the same anchor as D; N bases are base 0 and differ from the reference', () => {
  const r = read({ start: 102, cigar: '2M2N2M', seq: 'GNCG', qual: [40, 30, 40, 40] });
  const { tensor } = encodeRows([r], WS, REF, VS, O);
  assert.deepEqual(pixel(tensor, BAND, 2), [180, 254, 254, 70, 0, 50, 76]);
  assert.deepEqual(pixel(tensor, BAND, 3), [0, 190, 254, 70, 0, 254, 76]); // N base drawn then overwritten by the skip anchor (same values)
  assert.deepEqual(pixel(tensor, BAND, 4), Z);
  assert.deepEqual(pixel(tensor, BAND, 5), Z);
  assert.deepEqual(pixel(tensor, BAND, 6), [30, 254, 254, 70, 0, 254, 76]); // C at ref G: differs
  const n = read({ start: 105, cigar: '1M', seq: 'N', qual: [40] });
  assert.deepEqual(pixel(encodeRows([n], WS, REF, VS, O).tensor, BAND, 5), [0, 254, 254, 70, 0, 254, 76]);
});

test('soft clips draw nothing', () => {
  const r = read({ start: 104, cigar: '2S3M2S', seq: 'GGACGTT', qual: [2, 2, 40, 40, 40, 2, 2] });
  const { tensor } = encodeRows([r], WS, REF, VS, O);
  for (const c of [0, 1, 2, 3, 7, 8, 9, 10]) assert.deepEqual(pixel(tensor, BAND, c), Z, `col ${c}`);
  assert.deepEqual(pixel(tensor, BAND, 4), [250, 254, 254, 70, 0, 50, 76]);
  // Low-quality soft-clipped bases never reject the read (docs/deepvariant.md §1.3 item 5).
  assert.equal(selectReads([r], VS, O).reads.length, 1);
});

test('reads running off either window edge are clipped to the window', () => {
  const left = read({ start: 95, cigar: '10M', seq: 'TTTTTACGTA' }); // 95..104 → columns 0..4
  const right = read({ start: 108, cigar: '6M', seq: 'ACGAAA' }); // 108..113 → columns 8..10
  const { tensor } = encodeRows([left, right], WS, REF, VS, O);
  for (let c = 0; c <= 4; c++) assert.equal(tensor.data[((BAND) * 11 + c) * 7], [250, 30, 180, 100, 250][c]);
  for (let c = 5; c < 11; c++) assert.deepEqual(pixel(tensor, BAND, c), Z);
  for (let c = 0; c < 8; c++) assert.deepEqual(pixel(tensor, BAND + 1, c), Z);
  assert.deepEqual([8, 9, 10].map((c) => tensorPixel(tensor, BAND + 1, c, 0)), [250, 30, 180]);
  // A deletion anchor or insertion anchor left of the window is skipped too.
  const del = read({ start: 98, cigar: '2M3D4M', seq: 'TTACGT' }); // anchor at 99 (column -1)
  assert.deepEqual(pixel(encodeRows([del], WS, REF, VS, O).tensor, BAND, 0), Z);
});

test('read rejection: MAPQ below 5; base quality below 10 at the variant start, including indel anchors (docs/deepvariant.md §1.3)', () => {
  const ok = read({ name: 'ok', start: 104, cigar: '3M', seq: 'ACG', qual: [40, 10, 40] });
  const lowMq = read({ name: 'lowmq', start: 104, cigar: '3M', seq: 'ACG', mapq: 4 });
  const lowBq = read({ name: 'lowbq', start: 104, cigar: '3M', seq: 'ACG', qual: [40, 9, 40] });
  const lowElsewhere = read({ name: 'lowelse', start: 104, cigar: '3M', seq: 'ACG', qual: [0, 40, 0] });
  const insAnchor = read({ name: 'ins', start: 104, cigar: '2M1I1M', seq: 'ACTG', qual: [40, 40, 5, 40] }); // anchor at 105
  const delAnchor = read({ name: 'del', start: 104, cigar: '2M1D1M', seq: 'ACT', qual: [40, 8, 40] }); // anchor at 105, preceding base q8
  const sel = selectReads([ok, lowMq, lowBq, lowElsewhere, insAnchor, delAnchor], VS, { ...O, height: 20 }); // 15 rows: no shuffle
  assert.deepEqual(sel.reads.map((r) => r.name), ['lowelse', 'ok']); // same start: the 1.6+ default sort breaks the tie by name
  assert.equal(sel.rejectedMappingQuality, 1);
  assert.equal(sel.rejectedBaseQuality, 3);
  assert.equal(sel.shuffled, false);
});

test('row order: DV 1.5 stable by position (ties keep input order); 1.6+ ties broken by name then read number', () => {
  const a = read({ name: 'zeta', start: 104, cigar: '2M', seq: 'AC' });
  const b = read({ name: 'alpha', start: 104, cigar: '2M', seq: 'AC', flags: 0x1 | 0x80 });
  const c = read({ name: 'alpha', start: 104, cigar: '2M', seq: 'AC', flags: 0x1 | 0x40 });
  const d = read({ name: 'mid', start: 103, cigar: '3M', seq: 'TAC' });
  assert.deepEqual(selectReads([a, b, c, d], VS, { ...O, downsampling: 'dv1.5' }).reads, [d, a, b, c]);
  assert.deepEqual(selectReads([a, b, c, d], VS, { ...O, downsampling: 'dv1.6' }).reads, [d, c, b, a]);
});

test('downsampling: only with more reads than rows; DV 1.5 visits reads in numpy shuffle order', () => {
  const o = { ...O, height: 100, downsampling: 'dv1.5' as const };
  const reads = Array.from({ length: 100 }, (_, i) => read({ name: `n${String(i).padStart(3, '0')}`, start: 100 + (i % 7), cigar: '8M', seq: 'ACGTACGT'.slice(0, 8) }));
  const sel = selectReads(reads, VS, o);
  assert.equal(sel.shuffled, true);
  assert.equal(sel.reads.length, 95);
  // docs/deepvariant.md §1.6: shuffle(range(100)) starts [96, 7, 15, 64, …]; the 5 reads visited last are left out.
  const order = new NumpyRandomState(2101079370).shuffle(Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(order.slice(0, 4), [96, 7, 15, 64]);
  const left = new Set(order.slice(95).map((i) => reads[i]!.name));
  assert.deepEqual(reads.filter((r) => !sel.reads.includes(r)).map((r) => r.name).sort(), [...left].sort());
  assert.equal(selectReads(reads.slice(0, 95), VS, o).shuffled, false);
});

test('supports channel: 254 for reads supporting this image’s alt, 152 otherwise, one value per read; all combinations in DV order', () => {
  assert.deepEqual(altAlleleCombinations(3), [[0], [1], [2], [0, 1], [0, 2], [1, 2]]);
  const r1 = read({ name: 'a', start: 104, cigar: '3M', seq: 'AGG' });
  const r2 = read({ name: 'b', start: 104, cigar: '3M', seq: 'ATG' });
  const r3 = read({ name: 'c', start: 104, cigar: '3M', seq: 'ACG' });
  const rows = encodeRows([r1, r2, r3], WS, REF, VS, O);
  const support = new Map([['G', new Set(['a/0'])], ['T', new Set(['b/0'])], ['UNCALLED_ALLELE', new Set(['c/0'])]]);
  const val = (idx: number[]) => {
    const { tensor } = withSupports(rows, ['G', 'T'], support, idx, O);
    return [0, 1, 2].map((k) => [3, 4, 5, 6, 7].map((c) => tensorPixel(tensor, BAND + k, c, 4)));
  };
  // Reads cover columns 4..6 only; the supports value goes where the read drew pixels.
  assert.deepEqual(val([0]), [[0, 254, 254, 254, 0], [0, 152, 152, 152, 0], [0, 152, 152, 152, 0]]);
  assert.deepEqual(val([1]), [[0, 152, 152, 152, 0], [0, 254, 254, 254, 0], [0, 152, 152, 152, 0]]);
  assert.deepEqual(val([0, 1]), [[0, 254, 254, 254, 0], [0, 254, 254, 254, 0], [0, 152, 152, 152, 0]]);
  // other_allele_supporting_read_alpha 0.3 (--add_supporting_other_alt_color) → 76
  const t = withSupports(rows, ['G', 'T'], support, [1], { ...O, otherAlleleSupportingReadAlpha: 0.3 }).tensor;
  assert.equal(tensorPixel(t, BAND, 5, 4), 76);
});

test('6-channel DV 1.5 layout and unknown channel ids', () => {
  const r = read({ start: 105, cigar: '1M', seq: 'C' });
  const { tensor } = encodeRows([r], WS, REF, VS, { ...O, channels: [1, 2, 3, 4, 5, 6] });
  assert.equal(tensor.data.length, 10 * 11 * 6);
  assert.deepEqual(pixel(tensor, BAND, 5), [30, 254, 254, 70, 0, 50]);
  // Channel 7 (haplotype tag) is drawn now; ids 11–18 are not.
  assert.throws(() => encodeRows([r], WS, REF, VS, { ...O, channels: [1, 2, 11] }), (e: unknown) => e instanceof VariantLensError && e.code === 'unknown-channel' && /channel id 11\b/.test(e.message) && /CH_READ_MAPPING_PERCENT/.test(e.message));
});
