/**
 * Training examples for the demo models: our make_examples (src/core/pileup) over the
 * simulated dataset with truth labels, with a model's make_examples parameters.
 *
 *   node --import tsx scripts/train/makeTrainingExamples.ts --sim DIR --sample HG001-sim \
 *        --contigs chr1,chr2,... --params default|retrained --out X.tfrecord.gz
 *
 * It is `variant-lens examples --truth` with one difference: the candidate thresholds and read
 * filters come from `--params` (through modelPipeline, the same mapping `variant-lens call`
 * applies to a model card), which the examples command does not expose. Labels: the number of
 * copies of an image's alts in the truth genotype (labelFromTruth, docs/deepvariant.md §4.2); candidates
 * absent from the truth get label 0 — the false positives the model must learn to reject.
 * Writes one tf.Example per image (DeepVariant layout) and X.tfrecord.gz.example_info.json.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/framework/args';
import { openAlignments } from '../../src/core/io/sam/alignmentReader';
import { openReference } from '../../src/core/io/fasta/fastaReader';
import { TfRecordWriter } from '../../src/core/io/examples/tfrecord';
import { encodeExample } from '../../src/core/io/examples/tfExample';
import { openVcf } from '../../src/core/io/vcf/vcfReader';
import { DEFAULT_EXAMPLE_INFO } from '../../src/core/io/examples/exampleInfo';
import { labelFromTruth, siteToDvExamples } from '../../src/core/pileup/exampleRecords';
import { PartitionReader, regionExamples } from '../../src/core/pileup/siteExamples';
import { DV_MAKE_EXAMPLES_DEFAULTS } from '../../src/core/model/modelCard';
import { RETRAINED_PARAM_CHANGES, modelPipeline } from '../../src/core/model/makeExamplesParams';

const usage = 'usage: makeTrainingExamples.ts --sim DIR --sample NAME --contigs chr1,chr2,... --params default|retrained --out X.tfrecord.gz';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    sim: { type: 'string' }, sample: { type: 'string' }, contigs: { type: 'string' }, params: { type: 'string' }, out: { type: 'string' },
  }, usage);
  const sim = args.required('sim');
  const sample = args.required('sample');
  const out = args.required('out');
  const which = args.required('params');
  if (which !== 'default' && which !== 'retrained') throw new Error(`--params must be default or retrained\n${usage}`);
  const params = which === 'default' ? DV_MAKE_EXAMPLES_DEFAULTS : { ...DV_MAKE_EXAMPLES_DEFAULTS, ...RETRAINED_PARAM_CHANGES };
  // The demo models are trained on raw reads (no realigner); the card says so (realign_reads false).
  const { options } = modelPipeline(DEFAULT_EXAMPLE_INFO, { ...params, realign_reads: false });

  const reference = await openReference(join(sim, 'reference.fa'));
  const reads = await openAlignments(join(sim, `${sample}.bam`));
  const truth = await openVcf(join(sim, `${sample}.truth.vcf.gz`));
  const contigs = await reference.contigs();
  const wanted = args.required('contigs').split(',').filter(Boolean);
  const reader = new PartitionReader(reads, reference, options);
  const writer = await TfRecordWriter.open(out);
  const labels = [0, 0, 0];
  let sites = 0;
  try {
    for (const name of wanted) {
      const c = contigs.find((x) => x.name === name);
      if (!c) throw new Error(`contig ${name} is not in ${sim}/reference.fa`);
      for await (const site of regionExamples(reader, { contig: c.name, start: 0, end: c.length })) {
        if (site.examples.length === 0) continue;
        sites++;
        const recs: { ref: string; alts: string[]; gt: (number | null)[] }[] = [];
        // Truth records starting at the candidate's 0-based start (tabix query is 0-based half-open).
        for await (const t of truth.query(site.contig, site.start, site.start + 1)) {
          if (t.pos - 1 !== site.start) continue;
          recs.push({ ref: t.ref.toUpperCase(), alts: t.alts.map((a) => a.toUpperCase()), gt: [...(t.genotype(0)?.alleles ?? [])] });
        }
        for (const ex of siteToDvExamples(site, sample, (alts) => labelFromTruth(site.refBases, alts, recs))) {
          labels[ex.label!]!++;
          await writer.write(encodeExample(ex));
        }
      }
    }
  } finally {
    await writer.close();
    await truth.close();
    await reads.close();
    await reference.close();
  }
  await writeFile(`${out}.example_info.json`, JSON.stringify({ version: DEFAULT_EXAMPLE_INFO.version, shape: DEFAULT_EXAMPLE_INFO.shape, channels: DEFAULT_EXAMPLE_INFO.channels }));
  process.stderr.write(`${sample} ${which}: ${sites} candidate sites, ${writer.written} examples (labels 0/1/2: ${labels.join('/')}) → ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`makeTrainingExamples: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
