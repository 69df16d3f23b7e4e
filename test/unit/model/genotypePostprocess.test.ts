/**
 * DeepVariant 1.5 postprocess maths. Expected values come from DeepVariant's own outputs:
 * the worked examples of docs/deepvariant.md §3.4 (lines of golden.postprocess_single_site_output.vcf),
 * the golden CVOs/VCF themselves (shared tier), and the worked example in DeepVariant's
 * haplotypes.py docstring for conflict resolution.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatDeepVariantRecord, phredLikelihoods } from '../../../src/core/model/deepVariantVcf';
import {
  addCallToVariant, mergePredictions, postprocessSite, roundGls, simplifyAlleles,
  type CandidateVariant, type CvoRecord,
} from '../../../src/core/model/genotypePostprocess';
import { resolveConflictingVariants } from '../../../src/core/model/haplotypeResolution';
import { postprocessVariants, readCvoRecords } from '../../../src/core/model/postprocessVariants';
import { dv, sharedTest } from '../../helpers/paths';

function cvo(variant: CandidateVariant, altAlleleIndices: number[], genotypeProbabilities: number[]): CvoRecord {
  return { variant, altAlleleIndices, genotypeProbabilities };
}

test('docs/deepvariant.md §3.4 worked example: chr20:10002458 G→GTT,GTTT gives 1/2, GQ 5, QUAL 23.7, PL 22,20,4,20,0,14', () => {
  // Probabilities as quoted (6 decimals) in docs/deepvariant.md §3.4 from the golden CVOs; DP/AD/VAF
  // from the golden VCF line.
  const v: CandidateVariant = {
    referenceName: 'chr20', start: 10002457, end: 10002458, referenceBases: 'G', alternateBases: ['GTT', 'GTTT'],
    callSetName: 'NA12878', dp: 53, ad: [3, 27, 15], vaf: [0.509434, 0.283019],
  };
  const cvos = [
    cvo(v, [0, 1], [0.006086, 0.008723, 0.985191]), // deliberately out of order: the site sorts them
    cvo(v, [0], [0.044863, 0.570332, 0.384804]),
    cvo(v, [1], [0.523908, 0.444497, 0.031595]),
  ];
  const merged = mergePredictions([cvos[1]!, cvos[2]!, cvos[0]!], 1.0);
  // Per-genotype minima of §3.4, before normalisation: 00 .006086, 01 .008723, 11 .384804, 02 .008723, 12 .985191, 22 .031595.
  const minima = [0.006086, 0.008723, 0.384804, 0.008723, 0.985191, 0.031595];
  const sum = minima.reduce((a, b) => a + b, 0);
  merged.predictions.forEach((p, i) => assert.ok(Math.abs(p - minima[i]! / sum) < 1e-15, `genotype ${i}`));
  const call = postprocessSite(cvos);
  assert.deepEqual(call.genotype, [1, 2]);
  assert.equal(call.gq, 5);
  assert.equal(call.filter, 'PASS');
  assert.deepEqual(phredLikelihoods(call.genotypeLikelihoods), [22, 20, 4, 20, 0, 14]);
  assert.equal(formatDeepVariantRecord(call),
    'chr20\t10002458\t.\tG\tGTT,GTTT\t23.7\tPASS\t.\tGT:GQ:DP:AD:VAF:PL\t1/2:5:53:3,27,15:0.509434,0.283019:22,20,4,20,0,14');
});

test('PL truncates toward zero: probabilities [2.04387e-4, 0.999625, 1.70168e-4] give 36,0,37 (docs/deepvariant.md §3.3 step 6)', () => {
  const v: CandidateVariant = { referenceName: 'chr20', start: 10000116, end: 10000117, referenceBases: 'C', alternateBases: ['T'], dp: 55, ad: [25, 30], vaf: [0.545455] };
  const call = addCallToVariant(v, [2.04387e-4, 0.999625, 1.70168e-4]);
  assert.deepEqual(phredLikelihoods(call.genotypeLikelihoods), [36, 0, 37]);
  assert.deepEqual(call.genotype, [0, 1]);
});

test('pruned alt: its images are skipped, AD/VAF entries removed, alleles simplified', () => {
  // A two-alt site where the first alt is far below QUAL 1 (p00 ≈ 1) and the second is hom-alt.
  // CAA → C (2-bp deletion, pruned) and CAA → CA (1-bp deletion): after pruning the alleles
  // CAA/CA share the suffix A and simplify to CA/C, and end moves from 102 to 101.
  const v: CandidateVariant = { referenceName: 'chr1', start: 99, end: 102, referenceBases: 'CAA', alternateBases: ['C', 'CA'], dp: 31, ad: [4, 2, 19], vaf: [0.064516, 0.612903] };
  const cvos = [cvo(v, [0], [0.9989, 0.0008, 0.0003]), cvo(v, [1], [0.01, 0.2, 0.79]), cvo(v, [0, 1], [0.5, 0.3, 0.2])];
  const m = mergePredictions(cvos, 1.0);
  assert.deepEqual(m.prunedAlts, ['C']);
  assert.deepEqual([m.variant.referenceBases, ...m.variant.alternateBases, m.variant.end], ['CA', 'C', 101]);
  assert.deepEqual(m.variant.ad, [4, 19]);
  assert.deepEqual(m.variant.vaf, [0.612903]);
  // Only the [1] image remains: predictions are its probabilities renormalised.
  const s = 0.01 + 0.2 + 0.79;
  assert.deepEqual(m.predictions, [0.01 / s, 0.2 / s, 0.79 / s]);
  const call = addCallToVariant(m.variant, m.predictions);
  assert.deepEqual(call.genotype, [1, 1]);
});

test('every alt below the filter: the one with the highest QUAL is kept', () => {
  const v: CandidateVariant = { referenceName: 'chr1', start: 9, end: 10, referenceBases: 'A', alternateBases: ['C', 'G'], ad: [30, 1, 1] };
  const m = mergePredictions([cvo(v, [0], [0.99, 0.005, 0.005]), cvo(v, [1], [0.95, 0.03, 0.02]), cvo(v, [0, 1], [0.9, 0.05, 0.05])], 1.0);
  // QUALs: C = -10log10(0.99) = 0.04, G = -10log10(0.95) = 0.22 → G kept.
  assert.deepEqual(m.variant.alternateBases, ['G']);
});

test('allele simplification strips the common suffix, keeping one base', () => {
  assert.deepEqual(simplifyAlleles(['CAA', 'CA']), ['CA', 'C']);
  assert.deepEqual(simplifyAlleles(['ATT', 'TT']), ['AT', 'T']);
  assert.deepEqual(simplifyAlleles(['A', 'G']), ['A', 'G']);
});

test('FILTER and GT rules: RefCall with GQ < 20 → ./., no AD → NoCall with PL 0,0', () => {
  const base: CandidateVariant = { referenceName: 'chr1', start: 0, end: 1, referenceBases: 'A', alternateBases: ['T'], dp: 20, ad: [15, 5], vaf: [0.25] };
  const lowGqRef = addCallToVariant(base, [0.7, 0.2, 0.1]); // GQ = round(-10log10(0.3)) = 5
  assert.equal(lowGqRef.filter, 'RefCall');
  assert.deepEqual(lowGqRef.genotype, [-1, -1]);
  assert.equal(lowGqRef.gq, 5);
  const confidentRef = addCallToVariant(base, [0.999, 0.0009, 0.0001]); // GQ 30
  assert.equal(confidentRef.filter, 'RefCall');
  assert.deepEqual(confidentRef.genotype, [0, 0]);
  const noAd = addCallToVariant({ ...base, ad: [0, 0] }, [0.1, 0.8, 0.1]);
  assert.equal(noAd.filter, 'NoCall');
  assert.equal(noAd.gq, 0);
  assert.match(formatDeepVariantRecord(noAd), /\t\.\/\.:0:20:0,0:0\.25:0,0$/);
});

test('LowQual: a non-ref call whose QUAL is below --qual_filter', () => {
  // With normalised probabilities a non-ref argmax means p00 < 0.5, so QUAL > 3 and the
  // default filter of 1 never fires; a stricter filter shows the rule.
  // 00 = 0.3, 01 = 0.1, 11 = 0.1, 02 = 0.1, 12 = 0.35, 22 = 0.05 → 1/2, QUAL = -10log10(0.3) = 5.2.
  const v: CandidateVariant = { referenceName: 'chr1', start: 0, end: 1, referenceBases: 'A', alternateBases: ['C', 'T'], ad: [5, 5, 5] };
  const strict = addCallToVariant(v, [0.3, 0.1, 0.1, 0.1, 0.35, 0.05], { qualFilter: 10, multiAllelicQualFilter: 1, cnnHomrefCallMinGq: 20 });
  assert.deepEqual(strict.genotype, [1, 2]);
  assert.equal(strict.filter, 'LowQual');
  assert.equal(addCallToVariant(v, [0.3, 0.1, 0.1, 0.1, 0.35, 0.05]).filter, 'PASS');
});

test('roundGls: sums far from 1 (logits) are rejected; the smallest value absorbs the rounding', () => {
  assert.throws(() => roundGls([2.1, -0.3, 0.4]), /not a softmax/);
  const r = roundGls(Float32Array.from([0.2, 0.3, 0.5]));
  assert.equal(r[0], Math.max(0, Math.round((1 - (r[1]! + r[2]!)) * 1e10) / 1e10));
});

test('haplotype resolution: DeepVariant docstring example (het deletion with a hom-alt SNP inside) → het/het with its marginals', () => {
  // haplotypes.py: deletion probs (0.01, 0.9, 0.09), SNP inside (0.02, 0.48, 0.5); naive calls
  // 0/1 + 1/1 would need 3 alt alleles. Joint: het/het; marginals ≈ (0.022, 0.974, 0.004) and
  // (0.043, 0.946, 0.011), exactly ([0.01, 0.45, 0.0018] and [0.02, 0.4368, 0.005]) / 0.4618.
  const del: CandidateVariant = { referenceName: 'chr1', start: 99, end: 103, referenceBases: 'ACGT', alternateBases: ['A'], dp: 30, ad: [15, 15], vaf: [0.5] };
  const snp: CandidateVariant = { referenceName: 'chr1', start: 101, end: 102, referenceBases: 'G', alternateBases: ['T'], dp: 30, ad: [10, 20], vaf: [0.666667] };
  const far: CandidateVariant = { referenceName: 'chr1', start: 500, end: 501, referenceBases: 'G', alternateBases: ['T'], dp: 30, ad: [0, 30], vaf: [1] };
  const calls = [addCallToVariant(del, [0.01, 0.9, 0.09]), addCallToVariant(snp, [0.02, 0.48, 0.5]), addCallToVariant(far, [0.001, 0.01, 0.989])];
  assert.deepEqual(calls[1]!.genotype, [1, 1]); // the conflict exists before resolution
  const out = resolveConflictingVariants(calls);
  assert.equal(out.length, 3);
  assert.deepEqual(out[0]!.genotype, [0, 1]);
  assert.deepEqual(out[1]!.genotype, [0, 1]);
  const near = (got: readonly number[], want: number[]): void =>
    got.forEach((g, i) => assert.ok(Math.abs(Math.pow(10, g) - want[i]!) < 1e-12, `${Math.pow(10, g)} vs ${want[i]}`));
  near(out[0]!.genotypeLikelihoods, [0.01 / 0.4618, 0.45 / 0.4618, 0.0018 / 0.4618]);
  near(out[1]!.genotypeLikelihoods, [0.02 / 0.4618, 0.4368 / 0.4618, 0.005 / 0.4618]);
  // GQ, QUAL and FILTER are left as they were; the far SNP is untouched.
  for (const i of [0, 1]) {
    assert.equal(out[i]!.gq, calls[i]!.gq);
    assert.equal(out[i]!.quality, calls[i]!.quality);
    assert.equal(out[i]!.filter, calls[i]!.filter);
    assert.equal(out[i]!.haplotypeResolved, true);
  }
  assert.equal(out[2], calls[2]);
  // Compatible overlaps (het + het) are not touched.
  const compatible = resolveConflictingVariants([addCallToVariant(del, [0.01, 0.9, 0.09]), addCallToVariant(snp, [0.02, 0.9, 0.08])]);
  assert.equal(compatible.some((c) => c.haplotypeResolved), false);
});

sharedTest('all 84 golden CVOs are fixed points of roundGls (float32 round_gls semantics)', async () => {
  let n = 0;
  for await (const c of readCvoRecords(dv('golden.postprocess_single_site_input.tfrecord.gz'))) {
    assert.deepEqual(roundGls(c.genotypeProbabilities), [...c.genotypeProbabilities], `record ${n}`);
    n++;
  }
  assert.equal(n, 84);
});

sharedTest('docs/deepvariant.md §3.4 second example from the golden CVOs: chr20:10008758 C→A,CA prunes A', async () => {
  const cvos: CvoRecord[] = [];
  for await (const c of readCvoRecords(dv('golden.postprocess_single_site_input.tfrecord.gz'))) if (c.variant.start === 10008757) cvos.push(c);
  assert.equal(cvos.length, 3);
  const call = postprocessSite(cvos);
  assert.deepEqual(call.prunedAlts, ['A']);
  const golden = readFileSync(dv('golden.postprocess_single_site_output.vcf'), 'utf8').split('\n').find((l) => l.startsWith('chr20\t10008758\t'));
  assert.equal(formatDeepVariantRecord(call), golden);
});

sharedTest('postprocessVariants over the golden CVOs: 78 calls, 71 PASS and 7 RefCall', async () => {
  const { calls, sampleName } = await postprocessVariants(readCvoRecords(dv('golden.postprocess_single_site_input.tfrecord.gz')), [{ name: 'chr20', length: 63025520 }]);
  assert.equal(sampleName, 'NA12878');
  assert.equal(calls.length, 78);
  assert.equal(calls.filter((c) => c.filter === 'PASS').length, 71);
  assert.equal(calls.filter((c) => c.filter === 'RefCall').length, 7);
});

sharedTest('a CVO on a contig the reference lacks is a clear error', async () => {
  await assert.rejects(
    postprocessVariants(readCvoRecords(dv('golden.postprocess_single_site_input.tfrecord.gz')), [{ name: '20', length: 63025520 }]),
    /chr20:\d+ is on a contig the reference does not have/);
});
