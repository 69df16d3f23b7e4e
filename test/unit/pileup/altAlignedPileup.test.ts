/**
 * Alt-aligned pileups (docs/deepvariant.md §12): trim_cigar's rules, the layouts' assembly, and
 * `variant-lens parity` on DeepVariant's own rows and diff_channels goldens
 * (../shared/data/dv-layouts, made by make_examples_test with --alt_aligned_pileup).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runParity } from '../../../src/cli/commands/parity';
import type { CliContext } from '../../../src/cli/framework/command';
import { CigarOp, cigarToString, parseCigar } from '../../../src/core/io/sam/alignedRead';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { altBlockOrder, altLayoutOf, assembleAltLayout, isIndel, trimCigar } from '../../../src/core/pileup/altAlignedPileup';
import type { ParityExampleResult, ParitySummary } from '../../../src/core/pileup/goldenParity';
import { SHARED_DATA, dv, sharedTest } from '../../helpers/paths';

const LAYOUTS = join(SHARED_DATA, 'dv-layouts');
const cig = (c: number[]): string => cigarToString(Uint32Array.from(c));

describe('alt-aligned pileup rules', () => {
  test('trim_cigar: trims the left, covers the window, keeps the quirk (I after the window, then a 0-length op)', () => {
    // 10M2I10M: skip 4 ref bases, cover 6 → 6M; then the I is appended and the next M with length 0.
    let t = trimCigar(parseCigar('10M2I10M'), 4, 6);
    assert.equal(cig(t.cigar), '6M2I0M');
    assert.equal(t.readTrim, 4);
    assert.equal(t.readLength, 8);
    // A deletion inside the trimmed part consumes reference only; a soft clip at the start is skipped with the trim.
    t = trimCigar(parseCigar('3S5M4D10M'), 7, 5);
    assert.equal(cig(t.cigar), '2D3M');
    assert.equal(t.readTrim, 3 + 5);
    assert.equal(t.readLength, 3);
    // Nothing trimmed: a leading soft clip is kept, and the window is covered exactly.
    t = trimCigar(parseCigar('2S8M'), 0, 8);
    assert.equal(cig(t.cigar), '2S8M');
    assert.equal(t.readLength, 10);
    assert.equal(CigarOp.M, 0);
  });

  test('is_indel, block order (1.5 sorts the pair by string), layout from example_info', () => {
    assert.equal(isIndel('A', ['G']), false);
    assert.equal(isIndel('A', ['G', 'GT']), true);
    assert.equal(isIndel('TA', ['T']), true);
    assert.deepEqual(altBlockOrder(['GTT', 'G'], true), ['G', 'GTT']);
    assert.deepEqual(altBlockOrder(['GTT', 'G'], false), ['GTT', 'G']);
    assert.deepEqual(altBlockOrder(['C'], true), ['C', 'C']);
    assert.deepEqual(altLayoutOf({ shape: [100, 221, 8], channels: [1, 2, 3, 4, 5, 6, 9, 10] }), { layout: 'diff_channels', inferred: false, fromInfo: true });
    assert.deepEqual(altLayoutOf({ shape: [300, 221, 6], channels: [1, 2, 3, 4, 5, 6] }), { layout: 'rows', inferred: true, fromInfo: true });
    assert.deepEqual(altLayoutOf({ shape: [300, 221, 6], channels: [1, 2, 3, 4, 5, 6] }, 'none'), { layout: 'none', inferred: false, fromInfo: false });
    assert.throws(() => altLayoutOf({ shape: [100, 221, 6], channels: [1, 2, 3, 4, 5, 6] }, 'single_row'), /must be none, rows, diff_channels or base_channels/);
  });

  test('assembly: rows stacks ref/alt1/alt2; diff_channels takes channel index 5 of each alt block, base_channels index 0', () => {
    const mk = (v: number): PileupTensor => {
      const data = new Uint8Array(2 * 3 * 6);
      for (let p = 0; p < 6; p++) for (let c = 0; c < 6; c++) data[p * 6 + c] = v + c;
      return { height: 2, width: 3, channels: [1, 2, 3, 4, 5, 6], data };
    };
    const [r, a1, a2] = [mk(10), mk(100), mk(200)];
    const rows = assembleAltLayout('rows', r, [a1, a2], [1, 2, 3, 4, 5, 6]);
    assert.equal(rows.height, 6);
    assert.deepEqual([rows.data[0], rows.data[36], rows.data[72]], [10, 100, 200]);
    const diff = assembleAltLayout('diff_channels', r, [a1, a2], [1, 2, 3, 4, 5, 6, 9, 10]);
    assert.deepEqual(Array.from(diff.data.subarray(0, 8)), [10, 11, 12, 13, 14, 15, 105, 205]);
    const base = assembleAltLayout('base_channels', r, [a1, a2], [1, 2, 3, 4, 5, 6, 20, 21]);
    assert.deepEqual(Array.from(base.data.subarray(0, 8)), [10, 11, 12, 13, 14, 15, 100, 200]);
  });
});

async function parity(golden: string, ...extra: string[]): Promise<{ code: number; summary: ParitySummary; examples: ParityExampleResult[] }> {
  let out = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: (t) => { out += t; } };
  const code = await runParity([
    '--golden', join(LAYOUTS, golden),
    '--reads', dv('NA12878_S1.chr20.10_10p1mb.bam'),
    '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'),
    '--regions', 'chr20:10,000,000-10,010,000', // the README's region for these goldens
    '--json', ...extra,
  ], ctx);
  return { code, ...(JSON.parse(out) as { summary: ParitySummary; examples: ParityExampleResult[] }) };
}

describe('parity on the alt-aligned goldens', () => {
  sharedTest('rows [300,221,6]: all 49 examples found and byte-identical, 0 unexplained', async () => {
    const { code, summary } = await parity('golden.alt_aligned_pileup_rows_examples.tfrecord.gz');
    assert.equal(code, 0);
    assert.equal(summary.examples, 49);
    assert.equal(summary.found, 49);
    assert.equal(summary.identical, 49);
    assert.deepEqual(summary.unexplained, []);
  });

  sharedTest('diff_channels [100,221,8] channels 9, 10: all 49 examples found and byte-identical, 0 unexplained', async () => {
    const { code, summary, examples } = await parity('golden.alt_aligned_pileup_diff_channels_examples.tfrecord.gz');
    assert.equal(code, 0);
    assert.equal(summary.found, 49);
    assert.equal(summary.identical, 49);
    assert.deepEqual(summary.unexplained, []);
    // Indel sites are among them (the only ones alt-aligned with types_to_alt_align=indels).
    assert.ok(examples.filter((e) => e.indelSite).length >= 4);
  });
});
