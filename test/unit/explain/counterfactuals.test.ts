/**
 * The pure parts of the explanation: counterfactual pileups (pixel values of each channel's
 * baseline as our encoder draws them, docs/deepvariant.md §2.5), column bands, the verdict rule,
 * and the attribution overlay (heat map colours, scale bar).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heatmapRgba, overlayOnRgb, pixelAttribution, scaleBar } from '../../../src/core/explain/attributionOverlay';
import { BAND_CHANNELS, columnBands, medianDrawnPixel, siteMedians, withBandBaseline, withChannelBaseline, withoutReadRow } from '../../../src/core/explain/counterfactuals';
import type { CrossRunCell } from '../../../src/core/explain/explainResult';
import { decideVerdict } from '../../../src/core/explain/verdict';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { baseColor } from '../../../src/core/pileup/pileupEncoder';

const CH = [1, 2, 3, 4, 5, 6, 19];
const H = 8;
const W = 5;
const BAND = 2;
const REF = 'ACGTA';

/** Two read rows: row 2 drawn on columns 0–3 (an alt T over the reference G at column 2), row 3 on columns 1–4. */
function tensor(): { t: PileupTensor; drawn: Uint8Array[] } {
  const data = new Uint8Array(H * W * CH.length);
  const set = (row: number, col: number, vals: number[]): void => vals.forEach((v, k) => { data[(row * W + col) * CH.length + k] = v; });
  for (let r = 0; r < BAND; r++) for (let c = 0; c < W; c++) set(r, c, [baseColor(REF[c]!), 254, 254, 70, 152, 50, 254]);
  const drawn = [Uint8Array.of(1, 1, 1, 1, 0), Uint8Array.of(0, 1, 1, 1, 1)];
  for (let c = 0; c < 4; c++) set(2, c, [c === 2 ? baseColor('T') : baseColor(REF[c]!), 190, 254, 240, 254, c === 2 ? 254 : 50, 76]);
  for (let c = 1; c < 5; c++) set(3, c, [baseColor(REF[c]!), 127, 203, 70, 152, 50, 90]);
  return { t: { height: H, width: W, channels: CH, data }, drawn };
}

const px = (t: PileupTensor, row: number, col: number, id: number): number => t.data[(row * W + col) * CH.length + CH.indexOf(id)]!;

describe('counterfactual pileups', () => {
  const { t, drawn } = tensor();
  const g = { referenceBandHeight: BAND, windowBases: REF, drawn };
  const medians = siteMedians(t, g);

  test('channel baselines by id: reference base, median, flipped strand, does not support, matches', () => {
    assert.equal(medianDrawnPixel(t, g, CH.indexOf(2)), 127); // 4×190, 4×127 → lower middle
    assert.deepEqual([...medians.keys()], [2, 3, 19]);
    const base = withChannelBaseline(t, g, 1, medians);
    assert.equal(px(base, 2, 2, 1), baseColor('G')); // the alt T becomes the reference G
    const strand = withChannelBaseline(t, g, 4, medians);
    assert.equal(px(strand, 2, 0, 4), 70);
    assert.equal(px(strand, 3, 1, 4), 240);
    assert.equal(px(withChannelBaseline(t, g, 5, medians), 2, 1, 5), 152);
    assert.equal(px(withChannelBaseline(t, g, 6, medians), 2, 2, 6), 50);
    const mq = withChannelBaseline(t, g, 3, medians);
    assert.equal(px(mq, 2, 0, 3), medians.get(3));
    // Never outside drawn pixels, never in the reference band.
    for (const id of CH) {
      const out = withChannelBaseline(t, g, id, medians);
      assert.equal(px(out, 2, 4, id), 0, `channel ${id}: empty pixel stays 0`);
      assert.equal(px(out, 0, 2, id), px(t, 0, 2, id), `channel ${id}: reference band unchanged`);
    }
    // The input tensor is not modified.
    assert.equal(px(t, 2, 2, 1), baseColor('T'));
  });

  test('a band is made to look like reference-matching reads, strand and insert size kept', () => {
    const b = withBandBaseline(t, g, medians, 2, 3);
    assert.deepEqual(BAND_CHANNELS, [1, 2, 3, 5, 6]);
    assert.equal(px(b, 2, 2, 1), baseColor('G'));
    assert.equal(px(b, 2, 2, 5), 152);
    assert.equal(px(b, 2, 2, 6), 50);
    assert.equal(px(b, 2, 2, 4), 240);
    assert.equal(px(b, 2, 2, 19), 76);
    assert.equal(px(b, 2, 1, 5), 254); // outside the band
  });

  test('dropping a read row moves the rows below up and empties the last row', () => {
    const d = withoutReadRow(t, BAND, 0);
    assert.equal(px(d, 2, 1, 2), 127); // row 3 moved to row 2
    assert.equal(px(d, 3, 1, 2), 0);
    assert.equal(px(d, 0, 0, 1), baseColor('A'));
  });

  test('column bands: one band centred on the variant column, covering every column once', () => {
    for (const [w, n] of [[221, 11], [221, 10], [101, 7], [5, 3], [221, 1]] as const) {
      const bands = columnBands(w, n);
      const centre = bands.filter((b) => b.centre);
      assert.equal(centre.length, 1);
      const half = (w - 1) / 2;
      assert.ok(centre[0]!.colStart <= half && half < centre[0]!.colEnd);
      if (n % 2 === 1) assert.equal(half - centre[0]!.colStart, centre[0]!.colEnd - 1 - half);
      assert.equal(bands[0]!.colStart, 0);
      assert.equal(bands[bands.length - 1]!.colEnd, w);
      for (let i = 1; i < bands.length; i++) assert.equal(bands[i]!.colStart, bands[i - 1]!.colEnd);
      assert.ok(bands.every((b) => b.colEnd - b.colStart <= n));
    }
  });
});

function cell(cls: 'hom-ref' | 'het' | 'hom-alt', p: number, candidate = true): CrossRunCell {
  const k = ['hom-ref', 'het', 'hom-alt'].indexOf(cls);
  const probs = [0, 0, 0] as [number, number, number];
  probs[k] = p;
  probs[(k + 1) % 3] = 1 - p;
  return {
    probs, gt: ['0/0', '0/1', '1/1'][k]!, genotypeClass: cls, alleles: ['A', 'G'], gq: 20, qual: 20, candidate, alleleSource: 'candidate',
    readRows: 20, altRows: 8, dp: 20, ad: [12, 8],
  };
}

describe('the verdict rule', () => {
  const ctx = (X: CrossRunCell[][]) => ({ names: X.map((_, i) => `m${i}`), crossRun: X, reads: [], paramDifferences: () => ['min_base_quality 5 vs 10'] });
  test('inputs, weights, both, none', () => {
    assert.equal(decideVerdict(ctx([[cell('het', 0.9), cell('hom-ref', 0.8)], [cell('het', 0.7), cell('hom-ref', 0.9)]])).kind, 'inputs');
    assert.equal(decideVerdict(ctx([[cell('het', 0.9), cell('het', 0.8)], [cell('hom-alt', 0.7), cell('hom-alt', 0.9)]])).kind, 'weights');
    assert.equal(decideVerdict(ctx([[cell('het', 0.9), cell('hom-ref', 0.8)], [cell('hom-alt', 0.7), cell('hom-alt', 0.9)]])).kind, 'both');
    assert.equal(decideVerdict(ctx([[cell('het', 0.9), cell('hom-ref', 0.8)], [cell('het', 0.7), cell('het', 0.9)]])).kind, 'none');
    // No candidate counts as a reference call: B's thresholds make none, A on B's images says hom-ref.
    const v = decideVerdict(ctx([[cell('het', 0.9), cell('hom-ref', 0.95, false)], [cell('het', 0.8), cell('het', 0.6, false)]]));
    assert.equal(v.kind, 'inputs');
    assert.match(v.text, /^inputs: .*min_base_quality 5 vs 10/);
    assert.ok(Math.abs(v.inputShift - 0.95) < 1e-9, `inputShift ${v.inputShift}`); // m0: [0, .9, .1] vs [.95, .05, 0]
  });
});

describe('attribution overlay', () => {
  test('heat map: red for positive, blue for negative, transparent at 0, alpha grows with size', () => {
    const m = { width: 3, height: 1, values: Float32Array.of(0.2, 0, -0.1) };
    const h = heatmapRgba(m);
    assert.deepEqual([...h.data.subarray(0, 4)], [255, 0, 0, 255]);
    assert.deepEqual([...h.data.subarray(4, 8)], [0, 0, 0, 0]);
    assert.equal(h.data[10], 255); // blue
    assert.ok(h.data[11]! < 255 && h.data[11]! > 64);
    const base = { kind: 'rgb' as const, width: 3, height: 2, data: new Uint8Array(18).fill(100) };
    const o = overlayOnRgb(base, h, 1);
    assert.deepEqual([...o.data.subarray(0, 3)], [100, 100, 100]); // row 0 untouched
    assert.deepEqual([...o.data.subarray(9, 12)], [255, 0, 0]);
    assert.deepEqual([...o.data.subarray(12, 15)], [100, 100, 100]);
  });

  test('pixel attribution: read ΔP × relative band |ΔP| on drawn pixels; the difference compares ΔP toward the same class', () => {
    const { t } = tensor();
    const result = {
      crossRun: [[{ genotypeClass: 'het' }, {}], [{}, { genotypeClass: 'hom-alt' }]],
      bands: [
        { colStart: 0, colEnd: 2, deltaP: [0.1, 0.2] },
        { colStart: 2, colEnd: 5, deltaP: [0.4, 0.2] },
      ],
      reads: [{ rows: [2, 2], deltaP: [0.3, 0.2], deltaProbs: [[-0.1, 0.3, -0.2], [0, -0.2, 0.2]] }],
    } as unknown as Parameters<typeof pixelAttribution>[0];
    const own = pixelAttribution(result, 0, t);
    const at = (m: { values: Float32Array }, row: number, col: number): number => m.values[row * W + col]!;
    assert.ok(Math.abs(at(own, 2, 2) - 0.3) < 1e-6); // band weight 0.4 / 0.4
    assert.ok(Math.abs(at(own, 2, 0) - 0.3 * 0.25) < 1e-6); // band weight 0.1 / 0.4
    assert.equal(at(own, 2, 4), 0); // not drawn by the read of row 2
    assert.equal(at(own, 3, 2), 0); // no read attribution for row 3
    const diff = pixelAttribution(result, 0, t, 1);
    // ΔP(het): 0.3 for model 0, −0.2 for model 1 → 0.5, × the mean band weight (1 + 1) / 2 at column 2.
    assert.ok(Math.abs(at(diff, 2, 2) - 0.5) < 1e-6, `${at(diff, 2, 2)}`);
  });

  test('scale bar: as wide as asked, blue on the left, red on the right, labelled', () => {
    const s = scaleBar(0.25, 200, 'dP(het) A');
    assert.equal(s.width, 200);
    const barRow = 2 + 7 + 3 + 2;
    const at = (x: number): number[] => [...s.data.subarray((barRow * 200 + x) * 3, (barRow * 200 + x) * 3 + 3)];
    assert.deepEqual(at(2), [0, 0, 255]);
    assert.deepEqual(at(197), [255, 0, 0]);
    assert.ok(s.data.some((v) => v === 0), 'text drawn');
  });
});
