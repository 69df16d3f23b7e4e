/**
 * Alt-aligned 'rows' images (docs/deepvariant.md §12.3) in the report's pileup images and the
 * review-queue tiles: drawn as three blocks through show's block layout (blockLayout, blockTop),
 * each block labelled; a plain 100-row image is drawn exactly as before.
 *
 * DeepVariant's rows golden (../shared/data/dv-layouts) is read in place; those tests skip only
 * when that folder is absent. The plain-image checks run without it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runShow } from '../../../src/cli/commands/show';
import type { CliContext } from '../../../src/cli/framework/command';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { altBlockOrder } from '../../../src/core/pileup/altAlignedPileup';
import { encodePng } from '../../../src/core/render/png';
import { BLOCK_GAP, HEADER_HEIGHT, blockLayout, blockTop, channelLabels, renderChannelStrip, renderRgb, showExamplesFileNames } from '../../../src/core/render/showExamples';
import { downscaleRgb, pileupThumbnail } from '../../../src/core/render/thumbnail';
import { blockLabelledImage } from '../../../src/core/report/demoReport';
import { collectSiteEvidence, evidencePictures } from '../../../src/core/report/siteEvidence';
import type { ModelCaller } from '../../../src/core/model/modelCaller';
import { readExampleInfo } from '../../../src/core/io/examples/exampleInfo';
import type { DvExample } from '../../../src/core/io/examples/tfExample';
import { modelPipeline } from '../../../src/core/model/makeExamplesParams';
import { pipelineOptions } from '../../../src/core/pileup/siteExamples';
import type { QueueEntry } from '../../../src/extension/queue/queueModel';
import { tileImage, tileMaker } from '../../../src/extension/queue/queueTiles';
import { SiteSources, type SiteSourceConfig } from '../../../src/extension/inspector/siteTensors';
import type { SiteRecord } from '../../../src/protocol/protocol';
import { SHARED_DATA, dv } from '../../helpers/paths';
import { decodePngs } from './pngCheck';

const L = join(SHARED_DATA, 'dv-layouts');
const HAS_LAYOUTS = existsSync(L);
const ROWS_GOLDEN = join(L, 'golden.alt_aligned_pileup_rows_examples.tfrecord.gz');
const layoutsTest = (name: string, fn: () => Promise<void>): void => {
  test(name, { skip: HAS_LAYOUTS ? false : `no ${L}` }, fn);
};
const tmp = mkdtempSync(join(tmpdir(), 'vl-rowsrest-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: () => undefined };
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * The golden's first alt-aligned example (alt blocks not empty), its index, its tensor, the
 * alts of its two alt blocks (DeepVariant 1.5 sorts them) and the file names `show` gives it.
 */
async function firstRowsExample(): Promise<{ index: number; tensor: PileupTensor; alts: [string, string]; names: { channels?: string; rgb?: string } }> {
  let index = 0;
  for await (const r of readExamples(ROWS_GOLDEN)) {
    const ex = r.example;
    const t = ex.tensor;
    if (t.data.subarray(100 * 221 * 6, 200 * 221 * 6).some((v) => v !== 0)) {
      const alts = ex.altAlleleIndices.map((i) => ex.variant.alternateBases[i]!);
      // Copy: the reader's tensor is a view into its record buffer.
      return {
        index, tensor: { ...t, data: Uint8Array.from(t.data) }, alts: altBlockOrder(alts, true),
        names: showExamplesFileNames(ex, { output: 'g', imageType: 'both' }),
      };
    }
    index++;
  }
  throw new Error('no alt-aligned example in the golden');
}

/** A deterministic 100×221×6 tensor (xorshift32 bytes, rows 81+ empty). */
function plainTensor(): PileupTensor {
  const H = 100, W = 221, C = 6;
  const data = new Uint8Array(H * W * C);
  let x = 2463534242;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    data[i] = i / (W * C) > 80 ? 0 : x % 256;
  }
  return { height: H, width: W, channels: [1, 2, 3, 4, 5, 6], data };
}

// The SHA-256 of what the report and the tiles drew for plainTensor() before 'rows' blocks
// (computed with main's renderChannelStrip/renderRgb/encodePng/pileupThumbnail of that commit).
const PLAIN_STRIP_PNG = 'd8d8177b6e38bab90e3e3d513769908b9b8db84692568cde26fc455102fbe69e';
const PLAIN_RGB_PNG = 'bbf962902e02e11791f2448783405b2cc3529a326f220958a42596ab15edb5e9';
const PLAIN_THUMB = '829987041a73650a9aaff830e9d4930d5b57e8c33c5fd6b082faded25149f020';

describe('a plain 100-row image is drawn exactly as before', () => {
  test('report pictures: byte-identical PNGs, no block labels', () => {
    const p = evidencePictures(plainTensor(), undefined);
    assert.equal(sha(encodePng(p.strip)), PLAIN_STRIP_PNG);
    assert.equal(sha(encodePng(p.rgb!)), PLAIN_RGB_PNG);
    assert.equal(p.blocks, undefined);
    // Asked for 'rows' with a height three does not divide: still one image, no labels.
    const odd = { ...plainTensor(), height: 100 };
    const q = evidencePictures(odd, ['A', 'A']);
    assert.equal(sha(encodePng(q.strip)), PLAIN_STRIP_PNG);
    assert.equal(q.blocks, undefined);
  });

  test('queue tile: the same RGBA bytes, no blocks', () => {
    const img = tileImage({ tensor: plainTensor() }, false, ['m'], 2);
    assert.deepEqual([img.width, img.height], [111, 50]);
    assert.equal(sha(img.rgba), PLAIN_THUMB);
    assert.equal(sha(pileupThumbnail(plainTensor(), 2).data), PLAIN_THUMB);
    assert.equal(img.blocks, undefined);
    // A 'rows' model's image without alt blocks (not alt-aligned) is drawn plain too.
    assert.equal(sha(tileImage({ tensor: plainTensor() }, true, ['m'], 2).rgba), PLAIN_THUMB);
  });
});

describe("DeepVariant's rows golden in the report and the tiles", () => {
  layoutsTest('report: the channel strip and the RGB composite are the PNGs `show` writes, each block where show puts it, labelled', async () => {
    const { index, tensor, alts, names } = await firstRowsExample();
    assert.deepEqual([tensor.height, tensor.width, tensor.channels.length], [300, 221, 6]);
    const dir = join(tmp, 'show');
    assert.equal(await runShow(['--examples', ROWS_GOLDEN, '--out', join(dir, 'g'), '--num-records', String(index + 1), '--image-type', 'both'], ctx), 0);
    const channelsFile = join(dir, names.channels!);
    const rgbFile = join(dir, names.rgb!);
    const p = evidencePictures(tensor, alts);
    const stripPng = encodePng(p.strip);
    const rgbPng = encodePng(p.rgb!);
    assert.ok(Buffer.from(stripPng).equals(readFileSync(channelsFile)), 'channel strip PNG = show\'s bytes');
    assert.ok(Buffer.from(rgbPng).equals(readFileSync(rgbFile)), 'RGB PNG = show\'s bytes');

    // Pixels, decoded independently: block k row r at header + blockTop(k) + r; grey bands between.
    const stripFile = join(tmp, 'strip.png');
    writeFileSync(stripFile, stripPng);
    const [img] = decodePngs([stripFile]);
    const W = 221 * 6;
    assert.deepEqual([img!.width, img!.height], [W, HEADER_HEIGHT + 300 + 2 * BLOCK_GAP]);
    const layout = blockLayout(300, 3);
    for (let k = 0; k < 3; k++) {
      for (const r of [0, 5, 42, 99]) {
        const y = HEADER_HEIGHT + blockTop(layout, k) + r;
        for (let col = 0; col < 221; col += 13) {
          for (const ch of [0, 4]) {
            const v = tensor.data[((k * 100 + r) * 221 + col) * 6 + ch]!;
            assert.equal(img!.pixels[y * W + ch * 221 + col], Math.trunc((Math.min(v, 254) / 254) * 255), `block ${k} row ${r} col ${col} ch ${ch}`);
          }
        }
      }
    }
    for (const gap of [100, 101, 102, 203, 204, 205]) assert.equal(img!.pixels[(HEADER_HEIGHT + gap) * W + 7], 128, `band row ${gap}`);

    // The labels: at the blocks' drawn rows under the header, with DeepVariant's block titles.
    assert.deepEqual(p.blocks, [
      { title: 'reference-aligned', short: 'ref', top: HEADER_HEIGHT, height: 100 },
      { title: `alt-1-aligned (${alts[0]})`, short: 'alt 1', top: HEADER_HEIGHT + 103, height: 100 },
      { title: `alt-2-aligned (${alts[1]})`, short: 'alt 2', top: HEADER_HEIGHT + 206, height: 100 },
    ]);
  });

  layoutsTest('report HTML: each image labelled beside its pixels at the blocks\' rows (SVG, no style attribute)', async () => {
    const { tensor, alts } = await firstRowsExample();
    const p = evidencePictures(tensor, alts);
    const img = '<img class="pileup">';
    const lines = (svg: string): number[][] => [...svg.matchAll(/<line x1="14.5" x2="14.5" y1="([\d.]+)" y2="([\d.]+)"\/>/g)].map((m) => [Number(m[1]), Number(m[2])]);
    // Channel strip (scale 1): each label from 1 + its top to 1 + top + 100 (the img has a 1-px border).
    const strip = blockLabelledImage({ blocks: p.blocks! }, img, p.strip, 1);
    assert.match(strip, new RegExp(`^<div class="blocked"><svg class="block-labels" width="16" height="${p.strip.height + 2}" `));
    assert.ok(strip.endsWith(`</svg>${img}</div>`));
    assert.deepEqual(lines(strip), [[21, 121], [124, 224], [227, 327]]);
    assert.match(strip, /<title>reference-aligned<\/title>.*>ref<\/text>.*<title>alt-1-aligned \(.*>alt 1<\/text>.*>alt 2<\/text>/);
    // RGB composite shown 442 px wide (scale 2).
    assert.deepEqual(lines(blockLabelledImage({ blocks: p.blocks! }, img, p.rgb!, 2)), [[41, 241], [247, 447], [453, 653]]);
    assert.ok(!/ style="/.test(strip), 'no style attribute (the page\'s CSP blocks them)');
    // A plain image is passed through untouched.
    assert.equal(blockLabelledImage({}, img, p.strip, 1), img);
  });

  layoutsTest('queue tile: each block reduced on its own and spread with show\'s grey bands, labelled at blockTop', async () => {
    const { tensor, alts } = await firstRowsExample();
    const img = tileImage({ tensor, altBlocks: [{ alt: alts[0], reads: [] }, { alt: alts[1], reads: [] }] }, true, ['m'], 2);
    const layout = blockLayout(150, 3);
    assert.deepEqual([img.width, img.height], [111, layout.drawnHeight]);
    assert.equal(img.height, 150 + 2 * BLOCK_GAP);
    assert.deepEqual(img.blocks, [
      { title: 'reference-aligned', short: 'ref', top: 0, height: 50 },
      { title: `alt-1-aligned (${alts[0]})`, short: 'alt 1', top: 53, height: 50 },
      { title: `alt-2-aligned (${alts[1]})`, short: 'alt 2', top: 106, height: 50 },
    ]);
    const rowBytes = 111 * 4;
    for (let k = 0; k < 3; k++) {
      // Block k of the tile = the thumbnail of block k's 100 rows alone.
      const block: PileupTensor = { ...tensor, height: 100, data: tensor.data.subarray(k * 100 * 221 * 6, (k + 1) * 100 * 221 * 6) };
      const alone = downscaleRgb(renderRgb(block, { annotate: false }), 2).data;
      const top = blockTop(layout, k);
      assert.ok(Buffer.from(img.rgba.subarray(top * rowBytes, (top + 50) * rowBytes)).equals(Buffer.from(alone)), `block ${k}`);
    }
    for (const y of [50, 51, 52, 103, 104, 105]) {
      const row = img.rgba.subarray(y * rowBytes, (y + 1) * rowBytes);
      assert.ok(row.every((v, i) => v === (i % 4 === 3 ? 255 : 128)), `band row ${y} is opaque grey`);
    }
    // The same tensor as one tall image (before): 150 rows, the blocks' edges mixed, no labels.
    const tall = tileImage({ tensor }, false, ['m'], 2);
    assert.equal(tall.height, 150);
    assert.equal(tall.blocks, undefined);
  });
});


describe('the review queue on a rows model', () => {
  const chr20 = dv('NA12878_S1.chr20.10_10p1mb.bam');
  test('tileMaker and the report\'s evidence: a rows model\'s site as three labelled blocks of DeepVariant\'s golden pixels; a plain model\'s tile as one 50-row image', {
    skip: HAS_LAYOUTS && existsSync(chr20) ? false : `no ${L} or ${chr20}`, timeout: 300_000,
  }, async () => {
    const info = await readExampleInfo(`${ROWS_GOLDEN}.example_info.json`);
    const rowsOptions = modelPipeline(info, undefined).options;
    assert.equal(rowsOptions.encoder.altAlignedPileup, 'rows');
    // An indel of the golden (alt-aligned), as a VCF record.
    let golden: DvExample | undefined;
    for await (const r of readExamples(ROWS_GOLDEN)) {
      const v = r.example.variant;
      if (r.example.altAlleleIndices.length === 1 && (v.referenceBases.length > 1 || v.alternateBases.some((a) => a.length > 1))) { golden = r.example; break; }
    }
    const v = golden!.variant;
    const record: SiteRecord = {
      file: '/x.vcf.gz', row: 0, chrom: v.referenceName, pos: v.start + 1, ref: v.referenceBases, alt: v.alternateBases.join(','), id: '.', qual: '30', filter: 'PASS',
      samples: [{ name: 'NA12878', gt: '0/1', gq: '30', dp: '', ad: '', vaf: '', pl: '' }], info: [], line: '',
    };
    const entry: QueueEntry = { contig: record.chrom, pos: record.pos, ref: record.ref, alt: record.alt, classes: [], calls: [], snapshot: [], record: async () => record };
    const config = (): SiteSourceConfig => ({ trusted: true, reads: { bySample: new Map(), unnamed: [chr20] }, reference: dv('ucsc.hg19.chr20.unittest.fasta.gz'), examples: [] });
    const sources = new SiteSources(config);
    const tile = await tileMaker({ sources, config, models: async () => [{ name: 'rows', options: rowsOptions }] })(entry, new AbortController().signal);
    const alt = golden!.altAlleleIndices.map((i) => v.alternateBases[i]!);
    assert.equal(tile.images.length, 1, tile.note ?? '');
    const img = tile.images[0]!;
    assert.deepEqual(img.models, ['rows']);
    assert.deepEqual([img.width, img.height], [111, 156]);
    assert.deepEqual(img.blocks?.map((b) => [b.title, b.top, b.height]), [
      ['reference-aligned', 0, 50], [`alt-1-aligned (${alt[0]})`, 53, 50], [`alt-2-aligned (${alt[0]})`, 106, 50],
    ]);
    // The site has one alt: its only image is the golden's, so each tile block is the golden block reduced.
    const layout = blockLayout(150, 3);
    for (let k = 0; k < 3; k++) {
      const block: PileupTensor = { ...golden!.tensor, height: 100, data: golden!.tensor.data.subarray(k * 100 * 221 * 6, (k + 1) * 100 * 221 * 6) };
      const want = downscaleRgb(renderRgb(block, { annotate: false }), 2).data;
      const top = blockTop(layout, k) * 111 * 4;
      assert.ok(Buffer.from(img.rgba.subarray(top, top + want.length)).equals(Buffer.from(want)), `block ${k} = the golden's block ${k} reduced`);
    }
    // The report's evidence for the same site: a rows model's images are show's three blocks, labelled.
    const { site } = await sources.siteExamples(record.chrom, record.pos, { refBases: v.referenceBases, altBases: [...v.alternateBases] }, chr20, dv('ucsc.hg19.chr20.unittest.fasta.gz'), new AbortController().signal, rowsOptions);
    const caller = {
      callSite: async () => [{ model: { name: 'rows', exampleInfo: info, card: undefined, dir: '/models/rows' }, site, probabilities: site.examples.map(() => Float64Array.of(0.1, 0.8, 0.1)), call: undefined, noCallReason: 'test' }],
    } as unknown as ModelCaller;
    const evidence = await collectSiteEvidence({ caller, names: ['rows'], contig: record.chrom, position: record.pos, refBases: v.referenceBases, altBases: [...v.alternateBases], sample: 'NA12878' });
    const im = evidence.groups[0]!.images.find((x) => x.altAlleles.join(',') === alt.join(','))!;
    assert.ok(Buffer.from(im.channelsPng).equals(Buffer.from(encodePng(renderChannelStrip(golden!.tensor, channelLabels(6, [1, 2, 3, 4, 5, 6]), { blocks: 3 })))), 'the report\'s channel strip = show\'s drawing of the golden');
    assert.deepEqual(im.blocks?.map((b) => [b.short, b.top]), [['ref', HEADER_HEIGHT], ['alt 1', HEADER_HEIGHT + 103], ['alt 2', HEADER_HEIGHT + 206]]);
    assert.deepEqual([im.channelsSize.height, im.rgbSize?.height], [HEADER_HEIGHT + 306, HEADER_HEIGHT + 306]);
    // The same site for a plain model: one image of 50 rows, no blocks.
    const plain = await tileMaker({ sources, config, models: async () => [{ name: 'plain', options: pipelineOptions() }] })(entry, new AbortController().signal);
    assert.deepEqual([plain.images[0]!.height, plain.images[0]!.blocks], [50, undefined]);
  });
});
