/**
 * `variant-lens examples` — our make_examples: DeepVariant-compatible tf.Examples for the
 * candidates of some regions, or for the sites of a VCF, plus `<out>.example_info.json`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VariantLensError } from '../../core/errors';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { openReference } from '../../core/io/fasta/fastaReader';
import { TfRecordWriter } from '../../core/io/examples/tfrecord';
import { type DvExample, encodeExample } from '../../core/io/examples/tfExample';
import { openVcf } from '../../core/io/vcf/vcfReader';
import { DEFAULT_EXAMPLE_INFO, type ExampleInfo, readExampleInfo } from '../../core/io/examples/exampleInfo';
import { type MakeExamplesParams, modelPipeline } from '../../core/model/makeExamplesParams';
import { type ParamValue, readModelCard } from '../../core/model/modelCard';
import { labelFromTruth, siteToDvExamples } from '../../core/pileup/exampleRecords';
import { parseRegion } from '../../core/pileup/goldenParity';
import { altLayoutOf, layoutExampleInfo } from '../../core/pileup/altAlignedPileup';
import { openPopulationVcfs } from '../../core/pileup/alleleFrequency';
import { checkChannels } from '../../core/pileup/pileupEncoder';
import { type CallingRegion, PartitionReader, buildSiteExamples, pipelineOptions, regionExamples } from '../../core/pileup/siteExamples';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens examples --reads BAM --ref FASTA (--regions R | --vcf V) --out X.tfrecord.gz
                                [--example-info J] [--model-card CARD] [--params JSON]
                                [--sample NAME] [--truth TRUTH.vcf.gz] [--alt-aligned-pileup MODE]
                                [--population-vcfs FILE[,FILE]]

Writes DeepVariant make_examples-style tf.Examples (TFRecord; gzip when the name ends in .gz)
and X.tfrecord.gz.example_info.json.
  --regions R        chr:start-end (1-based, inclusive; commas allowed) or a contig name;
                     repeatable or comma-free list. Candidates come from DeepVariant's allele
                     counter and very-sensitive caller (vsc 2/2/0.12/0.06), partitions of 1000 bp.
  --vcf V            make examples for V's sites and alleles instead (whether or not the
                     caller would have made a candidate); --regions then restricts the sites.
  --example-info J   image shape, channels and DeepVariant version (default: 1.6 WGS layout,
                     [100,221,7] channels 1-6,19; a 1.5 file selects the 1.5 downsampling).
  --model-card CARD  make the examples with a model's make_examples parameters: the card's
                     makeExamplesParams (DeepVariant flag names; defaults for the rest), and,
                     without --example-info, the example_info.json next to the card.
  --params JSON      make_examples parameters as a JSON object, e.g.
                     '{"vsc_min_fraction_snps": 0.02, "min_base_quality": 5}'; applied over
                     the card's. Used: min_base_quality, min_mapping_quality, vsc_min_count_*,
                     vsc_min_fraction_*, partition_size, max_reads_per_partition, keep_*.
  --sample NAME      call_set_name in the variants (default: the BAM's @RG SM, else "default").
  --truth TRUTH      training mode: add label = copies of the example's alts in the truth
                     genotype (first sample), matched by position and alleles.
  --alt-aligned-pileup MODE  none | rows | diff_channels | base_channels (make_examples
                     --alt_aligned_pileup, docs/deepvariant.md §12): indel candidates also get
                     pileups of the reads aligned to each alt haplotype; rows triples the
                     height, diff_channels adds channels 9 and 10, base_channels 20 and 21.
                     The written example_info.json records the layout.
  --population-vcfs F  cohort VCFs with INFO AF for channel 8 (make_examples
                     --population_vcfs; give an example_info.json with channel 8): one file
                     for every contig, or one per contig (the contig of its first record).
No realignment is done (DeepVariant realigns by default; see variant-lens parity).`;

export async function runExamples(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    reads: { type: 'string' }, ref: { type: 'string' }, regions: { type: 'string', multiple: true }, vcf: { type: 'string' },
    'example-info': { type: 'string' }, sample: { type: 'string' }, out: { type: 'string' }, truth: { type: 'string' },
    'model-card': { type: 'string' }, params: { type: 'string' }, 'alt-aligned-pileup': { type: 'string' }, 'population-vcfs': { type: 'string' },
  }, usage);
  const readsPath = args.required('reads');
  const refPath = args.required('ref');
  const out = args.required('out');
  const vcfPath = args.string('vcf');
  const regionArgs = args.all('regions');
  if (!vcfPath && regionArgs.length === 0) throw new VariantLensError('invalid-argument', `give --regions or --vcf\n${usage}`);
  const signal = ctx.signal;
  const cardPath = args.string('model-card');
  const cardInfo = cardPath ? join(dirname(cardPath), 'example_info.json') : undefined;
  const infoPath = args.string('example-info') ?? (cardInfo && existsSync(cardInfo) ? cardInfo : undefined);
  const plainInfo: ExampleInfo = infoPath ? await readExampleInfo(infoPath, signal) : DEFAULT_EXAMPLE_INFO;
  const altFlag = args.string('alt-aligned-pileup');
  const alt = altLayoutOf(plainInfo, altFlag);
  const layout = alt.layout;
  const info = alt.fromInfo ? { ...plainInfo, ...(layout !== 'none' ? { altAlignedPileup: layout } : {}) } : layoutExampleInfo(plainInfo, layout);
  checkChannels(info.channels, infoPath);
  const paramsText = args.string('params');
  let options = pipelineOptions(info, { encoder: { altAlignedPileup: layout } });
  if (cardPath !== undefined || paramsText !== undefined) {
    const params = { ...(cardPath ? await cardParams(cardPath, signal) : {}), ...(paramsText !== undefined ? parseParams(paramsText) : {}) };
    const pipeline = modelPipeline(info, params, paramsText !== undefined ? '--params' : cardPath);
    for (const note of pipeline.notes) ctx.progress(`examples: ${note}`);
    options = { ...pipeline.options, encoder: { ...pipeline.options.encoder, altAlignedPileup: layout, height: options.encoder.height } };
  }
  const populationVcfs = await openPopulationVcfs(args.string('population-vcfs'), info.channels, signal);
  if (populationVcfs) options = { ...options, populationVcfs };
  const reference = await openReference(refPath, signal);
  const reads = await openAlignments(readsPath, { referencePath: refPath }, signal);
  const sample = args.string('sample') ?? (await reads.sampleName(signal)) ?? 'default';
  const reader = new PartitionReader(reads, reference, options);
  const contigs = await reference.contigs(signal);

  const regions: CallingRegion[] = [];
  for (const text of regionArgs.flatMap((r) => r.split(/\s+/)).filter(Boolean)) {
    const r = parseRegion(text);
    if (r) { regions.push(r); continue; }
    const c = contigs.find((x) => x.name === text);
    if (!c) throw new VariantLensError('invalid-argument', `--regions "${text}" is neither chr:start-end nor a contig of ${refPath}`);
    regions.push({ contig: c.name, start: 0, end: c.length });
  }

  const truth = args.string('truth') ? await openVcf(args.string('truth')!, signal) : undefined;
  const writer = await TfRecordWriter.open(out);
  let sites = 0;
  let noImage = 0;
  try {
    const jobs: { region: CallingRegion; sites?: { start: number; refBases: string; altBases: string[] }[] }[] = [];
    if (vcfPath) {
      const vcf = await openVcf(vcfPath, signal);
      const byContig = new Map<string, { start: number; refBases: string; altBases: string[] }[]>();
      for await (const rec of vcf.records(signal)) {
        const alts = rec.alts.filter((a) => /^[ACGTN]+$/i.test(a));
        if (alts.length === 0) continue;
        const start = rec.pos - 1;
        if (regions.length > 0 && !regions.some((r) => r.contig === rec.contig && start >= r.start && start < r.end)) continue;
        let l = byContig.get(rec.contig);
        if (!l) byContig.set(rec.contig, l = []);
        l.push({ start, refBases: rec.ref.toUpperCase(), altBases: alts.map((a) => a.toUpperCase()) });
      }
      await vcf.close();
      for (const [contig, list] of byContig) jobs.push({ region: { contig, start: 0, end: await reader.contigLength(contig, signal) }, sites: list });
    } else {
      for (const region of regions) jobs.push({ region });
    }
    for (const job of jobs) {
      ctx.progress(`examples: ${job.region.contig}:${job.region.start + 1}-${job.region.end}${job.sites ? ` (${job.sites.length} VCF sites)` : ''}`);
      for await (const site of regionExamples(reader, job.region, signal, job.sites)) {
        sites++;
        if (site.examples.length === 0) { noImage++; ctx.progress(`  no image at ${site.contig}:${site.position}: ${site.noExampleReason}`); continue; }
        let labelOf: ((alts: readonly string[]) => number) | undefined;
        if (truth) {
          const recs: { ref: string; alts: string[]; gt: (number | null)[] }[] = [];
          for await (const t of truth.query(site.contig, site.start, site.start + 1, signal)) {
            if (t.pos - 1 !== site.start) continue;
            recs.push({ ref: t.ref.toUpperCase(), alts: t.alts.map((a) => a.toUpperCase()), gt: [...(t.genotype(0)?.alleles ?? [])] });
          }
          labelOf = (alts) => labelFromTruth(site.refBases, alts, recs);
        }
        for (const ex of siteToDvExamples(site, sample, labelOf)) await writer.write(encodeExample(ex));
      }
    }
  } finally {
    await writer.close();
    await truth?.close();
    await populationVcfs?.close();
    await reads.close();
    await reference.close();
  }
  await writeFile(`${out}.example_info.json`, JSON.stringify({ version: info.version, shape: info.shape, channels: info.channels, ...(layout !== 'none' ? { alt_aligned_pileup: layout } : {}) }));
  ctx.progress(`wrote ${writer.written} examples for ${sites - noImage} sites to ${out}${noImage ? ` (${noImage} sites without an image)` : ''}`);
  return 0;
}

/** `--params '{"vsc_min_fraction_snps": 0.02}'`: a flat JSON object of make_examples flags. */
export function parseParams(text: string): MakeExamplesParams {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VariantLensError('invalid-argument', `--params is not valid JSON (${e instanceof Error ? e.message : String(e)}); give an object such as '{"vsc_min_fraction_snps": 0.02}'`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new VariantLensError('invalid-argument', `--params must be a JSON object of make_examples parameters, got ${JSON.stringify(json)}`);
  }
  const params: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') throw new VariantLensError('invalid-argument', `--params: "${k}" must be a number, string or boolean, got ${JSON.stringify(v)}`);
    params[k] = v;
  }
  return params;
}

/** The card's makeExamplesParams; a card that cannot be used is an error here (the user asked for it). */
async function cardParams(path: string, signal: AbortSignal): Promise<MakeExamplesParams> {
  if (!existsSync(path)) throw new VariantLensError('file-not-found', 'model card not found (--model-card)', path);
  const { card, problems } = await readModelCard(path, undefined, signal);
  if (!card) throw new VariantLensError('model-card-invalid', `not a usable model card: ${problems.join('; ')}`, path);
  return card.makeExamplesParams ?? {};
}

registerCommand({ name: 'examples', summary: 'make DeepVariant-compatible tf.Examples from reads (our make_examples)', usage, run: runExamples });

/**
 * The examples DeepVariant would make at one locus (`show --reads … --locus chr:pos`):
 * its candidate there or, with `vcfAlleles`, the VCF record's alleles. Used by `show`.
 */
export async function examplesAtLocus(opts: {
  readsPath: string;
  refPath: string;
  locus: string;
  exampleInfoPath?: string;
  vcfPath?: string;
  sample?: string;
  altAlignedPileup?: string;
  populationVcfs?: string;
  signal: AbortSignal;
  progress: (line: string) => void;
}): Promise<DvExample[]> {
  const { signal } = opts;
  const m = /^(.+):([\d,]+)$/.exec(opts.locus.trim());
  if (!m) throw new VariantLensError('invalid-argument', `--locus "${opts.locus}" must be chr:pos (1-based)`);
  const contig = m[1]!;
  const position = Number(m[2]!.replace(/,/g, ''));
  const plainInfo: ExampleInfo = opts.exampleInfoPath ? await readExampleInfo(opts.exampleInfoPath, signal) : DEFAULT_EXAMPLE_INFO;
  const alt = altLayoutOf(plainInfo, opts.altAlignedPileup);
  const layout = alt.layout;
  const info = alt.fromInfo ? { ...plainInfo, ...(layout !== 'none' ? { altAlignedPileup: layout } : {}) } : layoutExampleInfo(plainInfo, layout);
  checkChannels(info.channels, opts.exampleInfoPath);
  const populationVcfs = await openPopulationVcfs(opts.populationVcfs, info.channels, signal);
  const reference = await openReference(opts.refPath, signal);
  const reads = await openAlignments(opts.readsPath, { referencePath: opts.refPath }, signal);
  try {
    let alleles: { refBases: string; altBases: string[] } | undefined;
    if (opts.vcfPath) {
      const vcf = await openVcf(opts.vcfPath, signal);
      try {
        for await (const rec of vcf.query(contig, position - 1, position, signal)) {
          if (rec.pos !== position) continue;
          const alts = rec.alts.filter((a) => /^[ACGTN]+$/i.test(a)).map((a) => a.toUpperCase());
          if (alts.length > 0) alleles = { refBases: rec.ref.toUpperCase(), altBases: alts };
          break;
        }
      } finally {
        await vcf.close();
      }
      if (!alleles) opts.progress(`no VCF record at ${contig}:${position} in ${opts.vcfPath}; using DeepVariant's candidate`);
    }
    const site = await buildSiteExamples({ reads, reference, contig, position, alleles, options: pipelineOptions(info, { encoder: { altAlignedPileup: layout }, ...(populationVcfs ? { populationVcfs } : {}) }), signal });
    for (const n of site.notes) opts.progress(n);
    for (const a of site.analysis.alleles) opts.progress(`  ${a.explanation}`);
    if (site.examples.length === 0) throw new VariantLensError('invalid-argument', `no example at ${contig}:${position}: ${site.noExampleReason}`);
    const sample = opts.sample ?? (await reads.sampleName(signal)) ?? 'default';
    return siteToDvExamples(site, sample);
  } finally {
    await reads.close();
    await reference.close();
    await populationVcfs?.close();
  }
}
