/**
 * postprocess_variants with `--group_variants=false` (candidate import with a multi-allelic site
 * split across VCF lines; `postprocess_variants.py: _transform_call_variants_output_to_variants`,
 * `itertools.groupby` without a key): every call_variants output is its own record, except
 * consecutive identical outputs, which share a group.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CvoRecord } from '../../../src/core/model/genotypePostprocess';
import { postprocessVariants } from '../../../src/core/model/postprocessVariants';

const contigs = [{ name: 'chr1', length: 1000 }];
const cvo = (alt: string, probs: number[]): CvoRecord => ({
  variant: { referenceName: 'chr1', start: 99, end: 100, referenceBases: 'A', alternateBases: [alt], callSetName: 'S', dp: 30, ad: [10, 20], vaf: [0.66] },
  altAlleleIndices: [0],
  genotypeProbabilities: probs,
});

test('group_variants=false: two biallelic lines of one site stay two records, each genotyped on its own', async () => {
  const lines = [cvo('C', [0.05, 0.9, 0.05]), cvo('G', [0.01, 0.04, 0.95])];
  const { calls } = await postprocessVariants(lines, contigs, { groupVariants: false, disableHaplotypeResolution: true });
  assert.equal(calls.length, 2);
  assert.deepEqual(calls.map((c) => c.alternateBases), [['C'], ['G']]);
  assert.deepEqual(calls.map((c) => c.genotype), [[0, 1], [1, 1]]);
  // GQ = round(−10·log10(1 − p(called genotype))): 0.9 → 10, 0.95 → 13.
  assert.deepEqual(calls.map((c) => c.gq), [10, 13]);
  // Consecutive identical outputs form one group, whose alt-allele indices [0] [0] fail
  // postprocess' check of a site's outputs (expected [0]).
  await assert.rejects(postprocessVariants([lines[0]!, lines[0]!, lines[1]!], contigs, { groupVariants: false, disableHaplotypeResolution: true }), /alt allele indices \[0\] \[0\], expected \[0\]/);
  // The default groups by (contig, start, end): the same two lines are one group, not two records.
  const grouped = await postprocessVariants(lines, contigs, { disableHaplotypeResolution: true }).then((r) => r.calls.length, () => 'refused');
  assert.notEqual(grouped, 2);
});
