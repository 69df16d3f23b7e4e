/**
 * The pure renderer: rescale and RGB rules (docs/deepvariant.md §6.1, with expected values worked out
 * by hand from the formulas and, for whole tensors, computed by numpy with DeepVariant's
 * own expressions from nucleus vis.py), header layout, labels, file names (show_examples
 * `get_short_id` docstring examples) and PNG encoding (decoded by python's zlib).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { textWidth } from '../../../src/core/render/bitmapFont';
import { encodePng } from '../../../src/core/render/png';
import {
  HEADER_HEIGHT, RESCALE_254, channelLabels, renderChannelStrip, renderRgb, scaleNearest, shortId, showExamplesFileNames,
} from '../../../src/core/render/showExamples';
import { decodePngs } from './pngCheck';

const tmp = mkdtempSync(join(tmpdir(), 'vl-render-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Deterministic pseudo-random bytes (xorshift32, seed fixed). */
function bytes(n: number, seed: number, values?: readonly number[]): Uint8Array {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = values ? values[s % values.length]! : s % 255; // 0–254 like real tensors
  }
  return out;
}

function tensor(h: number, w: number, channels: number[], data: Uint8Array): PileupTensor {
  return { height: h, width: w, channels, data };
}

describe('rescale 0–254 → 0–255 (vmin=0, vmax=254, uint8 truncation)', () => {
  test('values from docs/deepvariant.md §6.1 and hand-worked cases', () => {
    // 254 → 255, 152 → 152, 50 → 50 (docs/deepvariant.md §6.1); 127 → 127.5 → 127; 253 → 253.996 → 253; 255 clamps to 254 → 255.
    assert.deepEqual([0, 1, 50, 70, 127, 152, 253, 254, 255].map((v) => RESCALE_254[v]), [0, 1, 50, 70, 127, 152, 253, 255, 255]);
  });
  test('all 256 values equal numpy scale_colors_for_png(vmin=0, vmax=254)', () => {
    const py = 'import numpy as np; a=np.arange(256,dtype=np.uint8); s=np.copy(a); s[s>254]=254; print(",".join(map(str,(((s-0)/(254-0))*255).astype(np.uint8))))';
    const numpy = execFileSync('python3', ['-c', py], { encoding: 'utf8' }).trim().split(',').map(Number);
    assert.deepEqual([...RESCALE_254], numpy);
  });
});

describe('channel strip', () => {
  test('channels side by side, rescaled, no header', () => {
    // 2 rows x 3 cols x 2 channels; value = 10*row + col for channel 0, 254 - that for channel 1.
    const data = new Uint8Array(12);
    for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) { data[(r * 3 + c) * 2] = 10 * r + c; data[(r * 3 + c) * 2 + 1] = 254 - (10 * r + c); }
    const img = renderChannelStrip(tensor(2, 3, [1, 2], data), undefined, { annotate: false });
    assert.deepEqual([img.kind, img.width, img.height], ['grey', 6, 2]);
    // Direct from the formula: trunc(v/254*255).
    const f = (v: number): number => Math.trunc((v / 254) * 255);
    assert.deepEqual([...img.data], [f(0), f(1), f(2), f(254), f(253), f(252), f(10), f(11), f(12), f(244), f(243), f(242)]);
  });

  test('header: 20 white rows, 5-px ticks at int(segment·(i+½)) (two when the segment is even), centred black labels', () => {
    const w = 221, h = 4;
    const t = tensor(h, w, [1, 2, 3, 4, 5, 6], bytes(h * w * 6, 7));
    const img = renderChannelStrip(t, ['read base', 'b', '', 'd', 'e', 'f']);
    assert.deepEqual([img.width, img.height], [221 * 6, h + HEADER_HEIGHT]);
    const px = (x: number, y: number): number => img.data[y * img.width + x]!;
    // Data below the header, rescaled.
    for (let x = 0; x < img.width; x += 97) {
      const ch = Math.floor(x / w), col = x % w;
      assert.equal(px(x, HEADER_HEIGHT + 2), RESCALE_254[t.data[((2 * w) + col) * 6 + ch]!]);
    }
    // Ticks: segment 221 (odd) → one column per block at 110, 331, 552, …
    for (let i = 0; i < 6; i++) {
      const mid = Math.trunc(221 * (i + 0.5));
      for (let y = 15; y < 20; y++) assert.equal(px(mid, y), 0, `tick ${i} row ${y}`);
      assert.equal(px(mid + 1, 17), 255, 'no second tick for an odd segment');
      assert.equal(px(mid, 14), 255, 'tick is 5 px tall');
    }
    // Labels: black pixels only inside [mid - width/2, mid + width/2) of their block, rows < 15.
    const blackIn = (x0: number, x1: number): number => {
      let n = 0;
      for (let y = 0; y < 15; y++) for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++) if (px(x, y) === 0) n++;
      return n;
    };
    const lw = textWidth('read base');
    const x0 = Math.trunc(110 - lw / 2);
    assert.ok(blackIn(x0, x0 + lw) > 20, 'label drawn');
    assert.equal(blackIn(0, x0) + blackIn(x0 + lw, 221), 0, 'label centred and confined');
    assert.equal(blackIn(442, 663), 0, 'empty label draws nothing');
    // An even segment width gets a 2-px tick.
    const even = renderChannelStrip(tensor(1, 4, [1, 2], new Uint8Array(8)), ['', '']);
    for (const x of [2, 3, 6, 7]) assert.equal(even.data[17 * 8 + x], 0, `even tick at ${x}`);
  });

  test('labels by channel id: enum names with ids; without ids the six base channels by name and no guessed name after them', () => {
    assert.deepEqual(channelLabels(6), ['read base', 'base quality', 'mapping quality', 'strand', 'read supports variant', 'base differs from ref']);
    assert.equal(channelLabels(7)[6], 'channel 7 (id?)');
    assert.deepEqual(channelLabels(11).slice(9), ['channel 10 (id?)', 'channel 11 (id?)']);
    // The allele-frequency layout: its 7th channel is id 8, not "haplotype tag".
    assert.equal(channelLabels(7, [1, 2, 3, 4, 5, 6, 8])[6], 'CH_ALLELE_FREQUENCY');
    assert.deepEqual(channelLabels(8, [1, 2, 3, 4, 5, 6, 9, 10]).slice(6), ['CH_DIFF_CHANNELS_ALTERNATE_ALLELE_1', 'CH_DIFF_CHANNELS_ALTERNATE_ALLELE_2']);
    assert.deepEqual(channelLabels(7, [1, 2, 3, 4, 5, 6, 19]), ['CH_READ_BASE', 'CH_BASE_QUALITY', 'CH_MAPPING_QUALITY', 'CH_STRAND', 'CH_READ_SUPPORTS_VARIANT', 'CH_BASE_DIFFERS_FROM_REF', 'CH_INSERT_SIZE']);
  });
});

describe('RGB composite', () => {
  test('hand-worked pixels (docs/deepvariant.md §6.1 rule)', () => {
    // Pixel A: read row, supports=254, differs=254 → alpha 1: R=250→250, G=min(254,156)=156→156, B=70→70.
    // Pixel B: reference row [30,254,254,70,152,50] → alpha=(152/254)(50/254)=0.117800…
    //   R=trunc(30α)=3→3, G=trunc(254α)=29→29, B=trunc(70α)=8→8.
    // Pixel C: empty → 0,0,0.   Pixel D: base 180, bq 44, mq 254, strand 240, supp 152, diff 254 → α=0.598425…
    //   R=trunc(107.71)=107→107, G=trunc(26.33)=26→26, B=trunc(143.62)=143→143.
    const px = [[250, 254, 156, 70, 254, 254], [30, 254, 254, 70, 152, 50], [0, 0, 0, 0, 0, 0], [180, 44, 254, 240, 152, 254]];
    const img = renderRgb(tensor(1, 4, [1, 2, 3, 4, 5, 6], Uint8Array.from(px.flat())), { annotate: false });
    assert.deepEqual([img.kind, img.width, img.height], ['rgb', 4, 1]);
    assert.deepEqual([...img.data], [250, 156, 70, 3, 29, 8, 0, 0, 0, 107, 26, 143]);
  });

  test('a whole random tensor equals numpy convert_6_channels_to_rgb + scale_colors_for_png', () => {
    const h = 10, w = 23;
    const data = bytes(h * w * 6, 12345, [0, 1, 30, 44, 50, 70, 100, 127, 152, 156, 180, 222, 240, 250, 253, 254]);
    const file = join(tmp, 'rgb.bin');
    writeFileSync(file, data);
    const py = [
      'import numpy as np, sys',
      `a=np.fromfile(sys.argv[1],dtype=np.uint8).reshape(${h},${w},6); ch=[a[:,:,i] for i in range(6)]`,
      'qual=np.minimum(ch[1],ch[2]); alpha=np.multiply(ch[4]/254.0, ch[5]/254.0)',
      'rgb=np.multiply(np.stack([ch[0],qual,ch[3]]),alpha).astype(np.uint8).transpose([1,2,0])',
      's=np.copy(rgb); s[s>254]=254; s=(((s-0)/(254-0))*255).astype(np.uint8)',
      'sys.stdout.write(",".join(map(str,s.flatten())))',
    ].join('\n');
    const numpy = execFileSync('python3', ['-c', py, file], { encoding: 'utf8' }).split(',').map(Number);
    const img = renderRgb(tensor(h, w, [1, 2, 3, 4, 5, 6], data), { annotate: false });
    assert.deepEqual([...img.data], numpy);
  });

  test('channels are found by id: a 7-channel [19,1..6] tensor gives the same image; missing ids are an error', () => {
    const six = bytes(3 * 5 * 6, 99);
    const seven = new Uint8Array(3 * 5 * 7);
    for (let p = 0; p < 15; p++) { seven[p * 7] = 200; for (let c = 0; c < 6; c++) seven[p * 7 + 1 + c] = six[p * 6 + c]!; }
    const a = renderRgb(tensor(3, 5, [1, 2, 3, 4, 5, 6], six));
    const b = renderRgb(tensor(3, 5, [19, 1, 2, 3, 4, 5, 6], seven));
    assert.deepEqual(b, a);
    assert.throws(() => renderRgb(tensor(1, 1, [1, 2, 3, 4, 5, 19], new Uint8Array(6))), /lacks 6/);
  });

  test('annotated RGB: white 20-px header with one midpoint tick and no text', () => {
    const img = renderRgb(tensor(2, 221, [1, 2, 3, 4, 5, 6], new Uint8Array(2 * 221 * 6)));
    assert.equal(img.height, 22);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 221; x++) {
      const want = x === 110 && y >= 15 ? 0 : 255;
      for (let k = 0; k < 3; k++) assert.equal(img.data[(y * 221 + x) * 3 + k], want, `(${x},${y})`);
    }
  });
});

describe('scale, file names, PNG', () => {
  test('nearest-neighbour scale repeats each pixel in an S×S block', () => {
    const img = scaleNearest({ kind: 'grey', width: 2, height: 1, data: Uint8Array.of(7, 9) }, 3);
    assert.deepEqual([img.width, img.height, ...img.data], [6, 3, 7, 7, 7, 9, 9, 9, 7, 7, 7, 9, 9, 9, 7, 7, 7, 9, 9, 9]);
  });

  test('short ids follow the show_examples get_short_id examples', () => {
    const v = (name: string, start: number, ref: string, alts: string[]) => ({ referenceName: name, start, referenceBases: ref, alternateBases: alts });
    assert.equal(shortId(v('1', 55424995, 'TC', ['T']), [0]), '1:55424995_TC->T');
    assert.equal(shortId(v('1', 55424996, 'CT', ['C', 'CTT']), [0, 1]), '1:55424996_CT->C|CTT');
    assert.equal(shortId(v('20', 62456134, 'A', ['A' + 'C'.repeat(103)]), [0]), '20:62456134_INS103bp');
    assert.equal(shortId(v('20', 62481177, 'A' + 'G'.repeat(51), ['A']), [0]), '20:62481177_DEL51bp');
    assert.equal(shortId(v('2', 5, 'ACGTAC', ['TTTTTT']), [0]), '2:5_MNP6bp');
    // Two alts of equal length → alt{i} prefixes.
    assert.equal(shortId(v('2', 5, 'A', ['AAAAAAA', 'CCCCCCC']), [0, 1]), '2:5_alt0INS6bp|alt1INS6bp');
  });

  test('file names: {output}_channels_/rgb_{short_id}{_labelN}.png', () => {
    const ex = { variant: { referenceName: 'chr20', start: 10000116, referenceBases: 'C', alternateBases: ['T'] }, altAlleleIndices: [0] };
    assert.deepEqual(showExamplesFileNames(ex, { output: 'out/x', imageType: 'both' }), { channels: 'out/x_channels_chr20:10000116_C->T.png', rgb: 'out/x_rgb_chr20:10000116_C->T.png' });
    assert.deepEqual(showExamplesFileNames({ ...ex, label: 2 }, { output: 'p', imageType: 'rgb' }), { rgb: 'p_rgb_chr20:10000116_C->T_label2.png' });
    assert.deepEqual(showExamplesFileNames({ ...ex, label: 2 }, { imageType: 'channels', truthLabels: false }), { channels: 'channels_chr20:10000116_C->T.png' });
  });

  test('PNG (grey and RGB) decodes with an independent python/zlib decoder (CRCs, filters) to the same pixels', () => {
    const grey = renderChannelStrip(tensor(5, 7, [1, 2, 3], bytes(105, 3)));
    const rgb = renderRgb(tensor(5, 7, [1, 2, 3, 4, 5, 6], bytes(210, 4)));
    const gp = join(tmp, 'g.png'), rp = join(tmp, 'r.png');
    writeFileSync(gp, encodePng(grey));
    writeFileSync(rp, encodePng(rgb));
    const [g, r] = decodePngs([gp, rp]);
    assert.deepEqual([g!.width, g!.height, g!.colorType, g!.chunks], [21, 25, 0, ['IHDR', 'IDAT', 'IEND']]);
    assert.deepEqual(g!.pixels, grey.data);
    assert.deepEqual([r!.width, r!.height, r!.colorType], [7, 25, 2]);
    assert.deepEqual(r!.pixels, rgb.data);
  });
});
