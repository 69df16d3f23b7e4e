/**
 * `variant-lens call` with both demo models on the simulated HG003-sim chr20–chr22, which no
 * model saw in training (DeepVariant's hold-out rule; see the model cards). Precision and
 * recall come from bcftools isec against the planted truth (scripts/train/bcftoolsEval.ts),
 * model disagreements from `bcftools query` of the two VCFs — never from our own counts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlignmentSource } from '../../../src/core/io/sam/alignedRead';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { ModelCaller } from '../../../src/core/model/modelCaller';
import { loadModel } from '../../../src/core/model/onnxModel';
import { evaluateWithBcftools, formatMetrics, type Evaluation } from '../../../scripts/train/bcftoolsEval';
import { TEST_CACHE } from '../../helpers/paths';
import { ensureSimulatedDataset } from '../../helpers/simData';
import { DEFAULT_MODEL, RETRAINED_MODEL, assertDeepVariantLike, bcftools, call, countDisagreements, queryRecords } from './callTestUtil';

const SAMPLE = 'HG003-sim';
const HELD_OUT = ['chr20', 'chr21', 'chr22'];
const work = join(TEST_CACHE, 'call-sim');
let sim = '';
let prefix = '';
let progress: string[] = [];
const evaluation = new Map<string, Evaluation>();

after(() => shutdownInference());

describe('variant-lens call on held-out simulated data', () => {
  before(async () => {
    sim = await ensureSimulatedDataset(1);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    prefix = join(work, SAMPLE);
    progress = await call([
      '--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'),
      '--model', DEFAULT_MODEL, '--model', RETRAINED_MODEL,
      ...HELD_OUT.flatMap((c) => ['--regions', c]), '--out', prefix,
    ]);
  });

  test('one bgzipped, indexed, DeepVariant-like VCF per model; sample from the BAM @RG SM', () => {
    for (const m of ['default', 'retrained']) {
      const vcf = `${prefix}.${m}.vcf.gz`;
      assert.ok(existsSync(`${vcf}.tbi`), `${vcf}.tbi`);
      assertDeepVariantLike(vcf, SAMPLE);
      // The index works: a region query returns exactly that contig's records.
      const all = bcftools(['view', '-H', vcf]).split('\n').filter((l) => l.startsWith('chr21\t')).length;
      assert.equal(bcftools(['view', '-H', '-r', 'chr21', vcf]).split('\n').filter(Boolean).length, all);
      assert.ok(all > 0);
    }
    assert.ok(progress.some((l) => /sites, [\d.]+\/[\d.]+ kb, \d+ examples, [\d.]+ examples\/s/.test(l)), progress.join('\n'));
  });

  test('precision/recall vs the planted truth (bcftools isec); default SNV F1 >= 0.95', () => {
    for (const m of ['default', 'retrained']) {
      const e = evaluateWithBcftools({
        calls: `${prefix}.${m}.vcf.gz`, truth: join(sim, `${SAMPLE}.truth.vcf.gz`), reference: join(sim, 'reference.fa'),
        regions: HELD_OUT.join(','), confidentBed: join(sim, `${SAMPLE}.confident.bed`), work: join(work, `bcftools.${m}`),
      });
      evaluation.set(m, e);
      console.log(`${m} on ${SAMPLE} ${HELD_OUT.join(',')}: ${formatMetrics('SNV', e.snv)}; ${formatMetrics('INDEL', e.indel)}`);
      // Sanity of the count itself: TP + FN is the truth's non-ref SNVs in the confident BED.
      const truthSnvs = bcftools(['view', '-H', '-v', 'snps', '-t', HELD_OUT.join(','), '-R', join(sim, `${SAMPLE}.confident.bed`), join(sim, `${SAMPLE}.truth.vcf.gz`)])
        .split('\n').filter(Boolean).length;
      assert.ok(e.snv.tp + e.snv.fn >= truthSnvs, `${e.snv.tp}+${e.snv.fn} vs ${truthSnvs} truth SNV records`);
    }
    assert.ok(evaluation.get('default')!.snv.f1 >= 0.95, `default SNV F1 ${evaluation.get('default')!.snv.f1}`);
  });

  test('the two models disagree on some sites (GT or FILTER), and the retrained parameters add candidates', () => {
    const d = countDisagreements(`${prefix}.default.vcf.gz`, `${prefix}.retrained.vcf.gz`);
    console.log(`default vs retrained: ${d.genotypeOrFilter.length} shared sites with another GT/FILTER, ` +
      `${d.passOnlyInOne.length} PASS calls only one model makes, ${d.nonPassOnlyInOne} non-PASS records only in one VCF`);
    for (const s of [...d.genotypeOrFilter, ...d.passOnlyInOne].slice(0, 10)) console.log(`  ${s}`);
    assert.ok(d.genotypeOrFilter.length + d.passOnlyInOne.length > 0);
    // min_base_quality 5 / min_mapping_quality 1 / vsc_min_fraction_snps 0.02 admit more candidates.
    assert.ok(queryRecords(`${prefix}.retrained.vcf.gz`).size > queryRecords(`${prefix}.default.vcf.gz`).size);
  });

  test('callSite gives the same GT/FILTER/GQ as the region run for a sample of sites', async () => {
    const reads = await openAlignments(join(sim, `${SAMPLE}.bam`));
    const reference = await openReference(join(sim, 'reference.fa'));
    const models = [await loadModel(DEFAULT_MODEL), await loadModel(RETRAINED_MODEL)];
    const caller = new ModelCaller(reads, reference, models);
    try {
      const recs = [...queryRecords(`${prefix}.default.vcf.gz`).values()].filter((r) => r.key.startsWith('chr22:')).slice(0, 12);
      assert.ok(recs.length >= 10);
      const retrained = queryRecords(`${prefix}.retrained.vcf.gz`);
      for (const r of recs) {
        const [contig, pos, ref, alt] = r.key.split(':') as [string, string, string, string];
        const res = await caller.callSite(contig, Number(pos), { refBases: ref, altBases: alt.split(',') }, undefined, SAMPLE);
        for (const [i, vcf] of [[0, r], [1, retrained.get(r.key)]] as const) {
          const c = res[i]!.call;
          if (!vcf || !c) continue;
          // Haplotype resolution (region run only) can change overlapping calls; none here overlap.
          const gt = c.genotype.map((a) => (a < 0 ? '.' : String(a))).join('/');
          assert.equal(gt, vcf.gt, `${r.key} model ${i}`);
          assert.equal(c.filter, vcf.filter, `${r.key} model ${i}`);
          assert.equal(String(c.gq), vcf.gq, `${r.key} model ${i}`);
        }
      }
    } finally {
      await reads.close();
      await reference.close();
    }
  });

  test('models with different make_examples parameters share one BAM fetch per window', async () => {
    const reads = await openAlignments(join(sim, `${SAMPLE}.bam`));
    const reference = await openReference(join(sim, 'reference.fa'));
    const fetched: string[] = [];
    const counting: AlignmentSource = {
      path: reads.path,
      contigNames: (s) => reads.contigNames(s),
      sampleName: (s) => reads.sampleName(s),
      fetch: (c, b, e, s) => { fetched.push(`${c}:${b}-${e}`); return reads.fetch(c, b, e, s); },
      close: () => reads.close(),
    };
    try {
      const caller = new ModelCaller(counting, reference, [await loadModel(DEFAULT_MODEL), await loadModel(RETRAINED_MODEL)]);
      assert.equal(caller.encodingPasses, 2);
      const length = (await reference.contigs()).find((c) => c.name === 'chr21')!.length;
      const sets = await caller.callRegions({ regions: [{ contig: 'chr21', start: 0, end: length }], sampleName: SAMPLE });
      assert.equal(sets.length, 2);
      // 10 partitions of 1000 bp per fetch window (docs/deepvariant.md §1.3 partitions; PartitionReader blocks).
      assert.equal(fetched.length, Math.ceil(length / 10_000), fetched.join(' '));
      assert.equal(new Set(fetched).size, fetched.length);
    } finally {
      await reads.close();
      await reference.close();
    }
  });

  test('--vcf: every truth site of chr21 is imaged with its own alleles', async () => {
    const out = join(work, 'vcfmode');
    await call(['--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'), '--model', DEFAULT_MODEL,
      '--vcf', join(sim, `${SAMPLE}.truth.vcf.gz`), '--regions', 'chr21', '--out', out]);
    const want = bcftools(['query', '-r', 'chr21', '-f', '%CHROM:%POS\n', join(sim, `${SAMPLE}.truth.vcf.gz`)]).split('\n').filter(Boolean);
    const got = bcftools(['query', '-f', '%CHROM:%POS\n', `${out}.default.vcf.gz`]).split('\n').filter(Boolean);
    assert.deepEqual(got, want);
  });

  test('Ctrl-C (abort) cancels cleanly: rejects with "cancelled" and writes no VCF', async () => {
    const out = join(work, 'cancelled');
    const ac = new AbortController();
    await assert.rejects(
      call(['--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'), '--model', DEFAULT_MODEL, '--model', RETRAINED_MODEL,
        '--regions', 'chr20', '--out', out], ac.signal, (line) => { if (/examples\/s/.test(line)) ac.abort(); }),
      (e: Error & { code?: string }) => e.code === 'cancelled',
    );
    assert.ok(!existsSync(`${out}.default.vcf.gz`));
    assert.ok(!existsSync(`${out}.retrained.vcf.gz`));
  });

  test('errors name the problem: unknown region contig, missing model folder', async () => {
    await assert.rejects(call(['--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'), '--model', DEFAULT_MODEL, '--regions', 'chrX', '--out', join(work, 'x')]),
      /--regions "chrX" is neither chr:start-end nor a contig/);
    await assert.rejects(call(['--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'), '--model', join(work, 'no-such-model'), '--regions', 'chr20', '--out', join(work, 'x')]),
      /example_info\.json/);
  });
});
