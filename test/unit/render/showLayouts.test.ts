/**
 * `variant-lens show` on DeepVariant's alt-aligned and allele-frequency goldens
 * (../shared/data/dv-layouts): rows examples drawn as three blocks split by a grey band, and
 * channel labels by DeepVariant channel id (docs/deepvariant.md §6.1, §12.3).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { runShow } from '../../../src/cli/commands/show';
import type { CliContext } from '../../../src/cli/framework/command';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import { BLOCK_GAP, HEADER_HEIGHT, RESCALE_254, channelLabels, renderChannelStrip } from '../../../src/core/render/showExamples';
import { SHARED_DATA, sharedTest } from '../../helpers/paths';
import { decodePngs } from './pngCheck';

const tmp = mkdtempSync(join(tmpdir(), 'vl-showlay-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const L = join(SHARED_DATA, 'dv-layouts');
const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: () => undefined };

async function firstPng(name: string, golden: string): Promise<string> {
  const dir = join(tmp, name);
  assert.equal(await runShow(['--examples', join(L, golden), '--out', join(dir, 'g'), '--num-records', '1'], ctx), 0);
  return join(dir, readdirSync(dir)[0]!);
}

describe('show on the layout goldens', () => {
  sharedTest('rows [300,221,6]: three 100-row blocks with a grey band between them', async () => {
    const png = await firstPng('rows', 'golden.alt_aligned_pileup_rows_examples.tfrecord.gz');
    const [img] = decodePngs([png]);
    const W = 221 * 6;
    assert.deepEqual([img!.width, img!.height], [W, HEADER_HEIGHT + 300 + 2 * BLOCK_GAP]);
    let ex;
    for await (const r of readExamples(join(L, 'golden.alt_aligned_pileup_rows_examples.tfrecord.gz'))) { ex = r.example; break; }
    const t = ex!.tensor;
    // Block k's row r sits at header + k·(100 + gap) + r; the bands are grey 128.
    for (const [k, r] of [[0, 0], [1, 0], [1, 7], [2, 99]] as const) {
      const y = HEADER_HEIGHT + k * (100 + BLOCK_GAP) + r;
      for (let col = 0; col < 221; col += 17) assert.equal(img!.pixels[y * W + col], RESCALE_254[t.data[((k * 100 + r) * 221 + col) * 6]!], `block ${k} row ${r} col ${col}`);
    }
    assert.equal(img!.pixels[(HEADER_HEIGHT + 100) * W + 5], 128);
  });

  sharedTest('allele frequency [100,221,7]: the 7th channel is labelled CH_ALLELE_FREQUENCY (id 8), not by position', async () => {
    const golden = 'golden.allele_frequency_examples.tfrecord.gz';
    const png = await firstPng('af', golden);
    const [img] = decodePngs([png]);
    let ex;
    for await (const r of readExamples(join(L, golden))) { ex = r.example; break; }
    assert.deepEqual(ex!.tensor.channels, [1, 2, 3, 4, 5, 6, 8]);
    const byId = renderChannelStrip(ex!.tensor, channelLabels(7, ex!.tensor.channels));
    const byPosition = renderChannelStrip(ex!.tensor, [...channelLabels(6), 'haplotype tag']);
    const header = (d: Uint8Array): string => Buffer.from(d.subarray(0, 221 * 7 * HEADER_HEIGHT)).toString('hex');
    assert.equal(header(img!.pixels), header(byId.data));
    assert.notEqual(header(img!.pixels), header(byPosition.data));
  });
});
