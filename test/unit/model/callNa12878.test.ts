/**
 * `variant-lens call` with both demo models on real NA12878 reads (DeepVariant's test BAM,
 * chr20:10,000,000–10,100,000, hg19). Precision/recall against the GIAB truth inside the
 * confident BED are counted by bcftools isec and printed; a tiny model trained on simulated
 * reads is not expected to match DeepVariant, so the test asserts that the run completes,
 * the VCFs are valid, every truth variant in the BED is accounted for, and the models
 * disagree (the point of the demo), not a quality bar.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { evaluateWithBcftools, formatMetrics } from '../../../scripts/train/bcftoolsEval';
import { TEST_CACHE, dv, sharedTest } from '../../helpers/paths';
import { DEFAULT_MODEL, RETRAINED_MODEL, assertDeepVariantLike, bcftools, call, countDisagreements } from './callTestUtil';

after(() => shutdownInference());

const BAM = dv('NA12878_S1.chr20.10_10p1mb.bam');
const REF = dv('ucsc.hg19.chr20.unittest.fasta.gz');
const TRUTH = dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz');
const BED = dv('test_nist.b37_chr20_100kbp_at_10mb.bed');

describe('variant-lens call on NA12878 chr20:10,000,000-10,100,000', () => {
  sharedTest('completes for both models; bcftools isec vs GIAB truth in the confident BED is reported', async () => {
    const work = join(TEST_CACHE, 'call-na12878');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const prefix = join(work, 'NA12878');
    const t0 = Date.now();
    await call(['--reads', BAM, '--ref', REF, '--model', DEFAULT_MODEL, '--model', RETRAINED_MODEL,
      '--regions', 'chr20:10,000,000-10,100,000', '--out', prefix]);
    console.log(`call on 100 kb with 2 models: ${Date.now() - t0} ms`);
    // Truth variants in the BED (bcftools, the denominator of recall).
    const truthInBed = bcftools(['view', '-H', '-R', BED, TRUTH]).split('\n').filter(Boolean).length;
    for (const m of ['default', 'retrained']) {
      const vcf = `${prefix}.${m}.vcf.gz`;
      // The BAM's @RG SM is NA12878.
      assertDeepVariantLike(vcf, 'NA12878');
      const e = evaluateWithBcftools({ calls: vcf, truth: TRUTH, reference: REF, regions: 'chr20:10000000-10100000', confidentBed: BED, work: join(work, `bcftools.${m}`) });
      console.log(`${m} on NA12878 (GIAB truth, confident BED): ${formatMetrics('SNV', e.snv)}; ${formatMetrics('INDEL', e.indel)}`);
      // Multi-allelic truth rows split into one record per alt: at least one per truth row.
      assert.ok(e.snv.tp + e.snv.fn + e.indel.tp + e.indel.fn >= truthInBed, `${truthInBed} truth records in the BED`);
      assert.ok(e.snv.tp > 0, 'some true SNVs are called');
    }
    const d = countDisagreements(`${prefix}.default.vcf.gz`, `${prefix}.retrained.vcf.gz`);
    console.log(`NA12878 default vs retrained: ${d.genotypeOrFilter.length} shared sites with another GT/FILTER, ${d.passOnlyInOne.length} PASS calls only one model makes`);
    assert.ok(d.genotypeOrFilter.length > 0);
  });
});
