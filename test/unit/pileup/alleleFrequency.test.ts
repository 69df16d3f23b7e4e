/**
 * Channel 8, population allele frequency (docs/deepvariant.md §13): the colour formula, the
 * haplotype matching of cohort records, and `variant-lens parity` on DeepVariant's own
 * allele-frequency golden (../shared/data/dv-layouts) with one cohort VCF or one per contig.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runParity } from '../../../src/cli/commands/parity';
import type { CliContext } from '../../../src/cli/framework/command';
import { VariantLensError } from '../../../src/core/errors';
import { type CohortRecord, alleleFrequencies, alleleFrequencyColor } from '../../../src/core/pileup/alleleFrequency';
import type { ParitySummary } from '../../../src/core/pileup/goldenParity';
import { SHARED_DATA, dv, sharedTest } from '../../helpers/paths';

const L = join(SHARED_DATA, 'dv-layouts');
const rec = (start: number, ref: string, alts: string[], af: number[] | undefined): CohortRecord => ({ start, ref, alts, af: af?.map((x) => Math.fround(x)), where: 'cohort.vcf:1' });

describe('allele frequency channel', () => {
  test('colour: AF 1 → 254, 0.5 → 238, 1e-3 → 101, ≤ 1e-5 → 0 (§13.4)', () => {
    assert.deepEqual([1, 0.5, 1e-3, 1e-5, 0, 2e-5].map(alleleFrequencyColor), [254, 238, 101, 0, 0, 15]);
  });

  test('lookup: same haplotype over the joint span (another representation of the same deletion matches), last match wins, no match → 0', () => {
    //            0123456789
    const ref = 'GATTTTACCA';
    const refAt = (a: number, b: number): string | undefined => (a >= 0 && b <= ref.length ? ref.slice(a, b) : undefined);
    // Candidate deletes one T at 1..: ATT→AT; the cohort writes it as TT→T one base later.
    const cand = { start: 1, refBases: 'AT', altBases: ['A', 'G'] };
    assert.deepEqual([...alleleFrequencies(cand, [rec(2, 'TT', ['T'], [0.25])], refAt)], [['A', Math.fround(0.25)], ['G', 0]]);
    // Two matching records: the later one's AF is kept.
    assert.equal(alleleFrequencies(cand, [rec(1, 'AT', ['A'], [0.1]), rec(2, 'TT', ['T'], [0.3])], refAt).get('A'), Math.fround(0.3));
    // Nothing overlapping / another allele: 0.
    assert.equal(alleleFrequencies(cand, [rec(8, 'C', ['T'], [0.5])], refAt).get('A'), 0);
    // A matching record without AF is an error naming the cohort file.
    assert.throws(() => alleleFrequencies(cand, [rec(1, 'AT', ['A'], undefined)], refAt), (e: unknown) => e instanceof VariantLensError && /no INFO AF/.test(e.message) && e.file === 'cohort.vcf:1');
  });
});

async function parity(...extra: string[]): Promise<{ code: number; summary: ParitySummary }> {
  let out = '';
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: (t) => { out += t; } };
  const code = await runParity([
    '--golden', join(L, 'golden.allele_frequency_examples.tfrecord.gz'),
    '--reads', join(L, 'grch38_1k_subset_chr20_and_chr21.bam'),
    '--ref', join(L, 'grch38.chr20_and_21_10M.fa.gz'),
    '--regions', 'chr20:61001-62000', // the README's region for this golden
    '--json', ...extra,
  ], ctx);
  return { code, summary: (JSON.parse(out) as { summary: ParitySummary }).summary };
}

describe('parity on the allele-frequency golden', () => {
  sharedTest('one cohort VCF: all 78 examples found and byte-identical, 0 unexplained', async () => {
    const { code, summary } = await parity('--population-vcfs', join(L, 'cohort-chr20_and_chr21_100k.vcf.gz'));
    assert.equal(code, 0);
    assert.equal(summary.examples, 78);
    assert.equal(summary.found, 78);
    assert.equal(summary.identical, 78);
    assert.deepEqual(summary.unexplained, []);
  });

  sharedTest('one cohort VCF per contig (FILE,FILE): the same 78 byte-identical', async () => {
    const { summary } = await parity('--population-vcfs', `${dv('cohort-chr20_100k.vcf.gz')},${join(L, 'cohort-chr21_100k.vcf.gz')}`);
    assert.equal(summary.identical, 78);
  });

  sharedTest('without --population-vcfs the channel-8 golden is refused, naming the flag', async () => {
    await assert.rejects(parity(), (e: unknown) => e instanceof VariantLensError && /channel 8 \(CH_ALLELE_FREQUENCY/.test(e.message) && /--population-vcfs/.test(e.message));
  });
});
