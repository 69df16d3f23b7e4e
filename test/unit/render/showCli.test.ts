/**
 * `variant-lens show --examples` on DeepVariant's golden examples: one channel PNG and one
 * RGB PNG per example, named as show_examples names them, pixels following the rescale
 * and RGB rules (docs/deepvariant.md §6.1). Site ground truth comes from bcftools on the golden VCFs;
 * PNGs are decoded by an independent python/zlib decoder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runShow } from '../../../src/cli/commands/show';
import type { CliContext } from '../../../src/cli/framework/command';
import { VariantLensError } from '../../../src/core/errors';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import type { DvExample } from '../../../src/core/io/examples/tfExample';
import { dv, sharedTest } from '../../helpers/paths';
import { decodePngs } from './pngCheck';

const tmp = mkdtempSync(join(tmpdir(), 'vl-show-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const CALLING = dv('golden.calling_examples.tfrecord.gz');

function ctx(): CliContext & { stdout: string[] } {
  const stdout: string[] = [];
  return { signal: new AbortController().signal, progress: () => {}, out: (t) => { stdout.push(t); }, stdout };
}

async function show(dir: string, ...args: string[]): Promise<string[]> {
  const c = ctx();
  assert.equal(await runShow(['--out', join(tmp, dir, 'g'), ...args], c), 0);
  return readdirSync(join(tmp, dir)).sort();
}

/** docs/deepvariant.md §6.1 rescale, written out here from the spec: uint8(min(v,254)/254*255). */
const rescale = (v: number): number => Math.trunc((Math.min(v, 254) / 254) * 255);

describe('variant-lens show --examples (golden calling examples)', () => {
  sharedTest('--image-type both writes 84 channel and 84 RGB PNGs named like show_examples', async () => {
    const files = await show('both', '--examples', CALLING, '--image-type', 'both');
    const channels = files.filter((f) => f.startsWith('g_channels_'));
    const rgb = files.filter((f) => f.startsWith('g_rgb_'));
    assert.equal(channels.length, 84);
    assert.equal(rgb.length, 84);
    assert.equal(files.length, 168);
    // Names worked out from show_examples' rules for known golden sites (0-based start):
    //   chr20:10000117 C→T (docs/deepvariant.md §2.5), chr20:10002458 G→GTT,GTTT (§3.1, three images),
    //   chr20:10001436 A→AAGGCT (§2.4, alt longer than 5 → INS5bp), TAAAACTATGC→T (DEL10bp).
    for (const name of [
      'g_channels_chr20:10000116_C->T.png', 'g_rgb_chr20:10000116_C->T.png',
      'g_channels_chr20:10002457_G->GTT.png', 'g_channels_chr20:10002457_G->GTTT.png', 'g_channels_chr20:10002457_G->GTT|GTTT.png',
      'g_channels_chr20:10001435_INS5bp.png', 'g_rgb_chr20:10004768_DEL10bp.png',
    ]) assert.ok(files.includes(name), name);
    // Every image is at a site of DeepVariant's output VCF (bcftools), and every site has one.
    const vcf = execFileSync('bcftools', ['query', '-f', '%CHROM:%POS\n', dv('golden.postprocess_single_site_output.vcf')], { encoding: 'utf8' }).trim().split('\n');
    const sites = new Set(channels.map((f) => /^g_channels_(chr20):(\d+)_/.exec(f)!).map((m) => `${m[1]}:${Number(m[2]) + 1}`));
    assert.deepEqual([...sites].sort(), [...vcf].sort());
  });

  sharedTest('pixels: channel strip = rescaled tensor under a 20-px header; RGB follows the composite rule', async () => {
    const dir = 'px';
    await show(dir, '--examples', CALLING, '--image-type', 'both', '--num-records', '1');
    let ex0: DvExample | undefined;
    for await (const r of readExamples(CALLING)) { ex0 = r.example; break; }
    const t = ex0!.tensor;
    const [strip, rgb] = decodePngs([join(tmp, dir, 'g_channels_chr20:10000116_C->T.png'), join(tmp, dir, 'g_rgb_chr20:10000116_C->T.png')]);
    assert.deepEqual([strip!.width, strip!.height, strip!.colorType], [221 * 6, 120, 0]);
    for (let row = 0; row < 100; row++) {
      for (let col = 0; col < 221; col++) {
        for (let ch = 0; ch < 6; ch++) {
          const v = t.data[(row * 221 + col) * 6 + ch]!;
          const got = strip!.pixels[(row + 20) * 1326 + ch * 221 + col];
          if (got !== rescale(v)) assert.fail(`strip pixel row ${row} col ${col} ch ${ch}: ${got} != rescale(${v})`);
        }
      }
    }
    // Reference row, column 110 = [30,254,254,70,152,50] (docs/deepvariant.md §2.5) → 30,255,255,70,152,50.
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((ch) => strip!.pixels[20 * 1326 + ch * 221 + 110]), [30, 255, 255, 70, 152, 50]);
    // RGB of that pixel: alpha=(152/254)(50/254) → R=trunc(30α)=3, G=trunc(254α)=29, B=trunc(70α)=8.
    assert.deepEqual([rgb!.width, rgb!.height, rgb!.colorType], [221, 120, 2]);
    assert.deepEqual([...rgb!.pixels.subarray((20 * 221 + 110) * 3, (20 * 221 + 111) * 3)], [3, 29, 8]);
    // Header: white except the single midpoint tick at x=110, rows 15–19.
    assert.equal(rgb!.pixels[(17 * 221 + 110) * 3], 0);
    assert.equal(rgb!.pixels[(17 * 221 + 109) * 3], 255);
  });

  sharedTest('--vcf (headerless) and --regions select sites; --num-records caps; --scale enlarges; training labels in names', async () => {
    const lines = execFileSync('bcftools', ['view', '-H', dv('golden.postprocess_single_site_output.vcf')], { encoding: 'utf8' }).trim().split('\n');
    const headerless = join(tmp, 'two_sites.vcf');
    writeFileSync(headerless, lines.filter((l) => /\t(10002458|10000117)\t/.test(l)).join('\n') + '\n');
    const byVcf = await show('vcf', '--examples', CALLING, '--vcf', headerless);
    assert.deepEqual(byVcf, ['g_channels_chr20:10000116_C->T.png', 'g_channels_chr20:10002457_G->GTT.png', 'g_channels_chr20:10002457_G->GTTT.png', 'g_channels_chr20:10002457_G->GTT|GTTT.png'].sort());

    const byRegion = await show('region', '--examples', CALLING, '--regions', 'chr20:10,002,458', '--image-type', 'rgb');
    assert.equal(byRegion.length, 3);
    assert.ok(byRegion.every((f) => f.startsWith('g_rgb_chr20:10002457_')));

    assert.equal((await show('five', '--examples', CALLING, '--num-records', '5')).length, 5);

    const [scaled] = await show('scaled', '--examples', CALLING, '--num-records', '1', '--scale', '2', '--no-annotation');
    const [png] = decodePngs([join(tmp, 'scaled', scaled!)]);
    assert.deepEqual([png!.width, png!.height], [221 * 6 * 2, 200]);

    const training = await show('train', '--examples', dv('golden.training_examples.tfrecord.gz'), '--example-info', dv('golden.training_examples.tfrecord.gz.example_info.json'));
    assert.equal(training.length, 49);
    // docs/deepvariant.md §8.2: labels 0/1/2 = 1/12/36.
    assert.deepEqual([0, 1, 2].map((l) => training.filter((f) => f.endsWith(`_label${l}.png`)).length), [1, 12, 36]);
  });
});

describe('variant-lens show errors', () => {
  test('--examples is required; bad --image-type is rejected', async () => {
    await assert.rejects(runShow(['--out', join(tmp, 'x')], ctx()), (e: unknown) => e instanceof VariantLensError && e.code === 'invalid-argument' && /--examples/.test(e.message));
    await assert.rejects(runShow(['--examples', 'a.tfrecord', '--out', join(tmp, 'x'), '--image-type', 'jpeg'], ctx()), /--image-type must be channels, rgb or both/);
  });
  test('a missing examples file names the file', async () => {
    const p = join(tmp, 'absent.tfrecord.gz');
    await assert.rejects(runShow(['--examples', p, '--out', join(tmp, 'y', 'g')], ctx()), (e: unknown) => e instanceof VariantLensError && e.code === 'file-not-found' && e.message.includes(p));
  });
});
