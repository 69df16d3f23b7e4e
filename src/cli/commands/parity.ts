/**
 * `variant-lens parity` — rebuilds every example of a DeepVariant golden examples file from
 * the reads and reports, per example and in total, how close our encoder comes and why the
 * rest differ (docs/deepvariant.md §8.3).
 */
import { VariantLensError } from '../../core/errors';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { readExamples } from '../../core/io/examples/examplesFile';
import { openReference } from '../../core/io/fasta/fastaReader';
import { DV15_EXAMPLE_INFO, type ExampleInfo, findExampleInfo, readExampleInfo } from '../../core/io/examples/exampleInfo';
import { type ParityExampleResult, parseRegion, runGoldenParity } from '../../core/pileup/goldenParity';
import { checkChannels } from '../../core/pileup/pileupEncoder';
import { altLayoutOf } from '../../core/pileup/altAlignedPileup';
import { openPopulationVcfs } from '../../core/pileup/alleleFrequency';
import { pipelineOptions } from '../../core/pileup/siteExamples';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens parity --golden G.tfrecord.gz --reads BAM --ref FASTA [--regions chr:start-end]
                              [--example-info J] [--alt-aligned-pileup MODE] [--population-vcfs FILE[,FILE]]
                              [--realign-reads | --no-realign-reads] [--json]

Rebuilds each golden example (site and alleles taken from the example's variant) and compares:
found (same site and alt indices), reference rows identical, whole image byte-identical,
pixels differing, and the cause of each difference, naming the read. A difference is
explained only by one of these causes, each checked against the data:
  read realigned, realigner off        the golden row equals the row our realigner draws for
                                       this read, and the read's start or CIGAR differs raw
  read only in the realigned partition, realigner off
  read only in the raw partition, realigner off
  rows with equal sort keys in another order
Anything else (reference rows, a pixel in a read row, rows out of start order, a row
missing or extra) is unexplained; the command exits 1 when any example is unexplained.
Also runs our own candidate caller over the region and counts the golden sites it finds.
  --regions    the calling region the goldens were made for: partitions start there
               (DeepVariant's testdata: chr20:10,000,000-10,010,000). Default: 1000-bp
               partitions counted from the contig start.
  --example-info  default: the golden file's own .example_info.json, else DV 1.5 [100,221,6].
  --realign-reads  run DeepVariant's local realigner on each partition first (make_examples
               --realign_reads). Default: on, as DeepVariant made its goldens, unless the
               example_info.json says "realign_reads": false.
  --no-realign-reads  build our images from the raw reads; differences the realigner makes
               are then explained by the realigner causes above (checked by realigning).
  --alt-aligned-pileup  none | rows | diff_channels | base_channels (make_examples
               --alt_aligned_pileup). Default: from the channel ids (9/10: diff_channels,
               20/21: base_channels), else rows when the golden is 300 rows high (three
               100-row blocks; DeepVariant's example_info.json does not record it). Alt-aligned
               examples are compared block by block (reference pileup, then each alt's).
  --population-vcfs  cohort VCFs with INFO AF for channel 8 (make_examples --population_vcfs):
               one file for every contig, or several, each serving the contig of its
               first record; required when the golden has channel 8.
  --json       print {summary, examples} as JSON instead of a table.`;

function line(r: ParityExampleResult): string {
  const status = !r.found ? 'NOT FOUND' : r.identical ? 'identical' : `${r.pixelsDiffering} px differ`;
  const named = r.notes.filter((n) => n.cause === 'unexplained').slice(0, 3).map((n) => `\n       unexplained: ${n.detail ?? ''}${n.goldenRow !== undefined ? ` (golden row ${n.goldenRow})` : ''}${n.read ? ` read ${n.read}` : ''}`).join('');
  return `${String(r.index).padStart(3)}  ${r.locus.padEnd(26)} ${`${r.refBases}>${r.altBases.join(',')}`.slice(0, 24).padEnd(24)} [${r.altAlleleIndices.join(',')}]  ref rows ${r.referenceRowsIdentical ? 'same' : 'DIFF'}  rows ${r.goldenReadRows}/${r.ourReadRows} (${r.rowsMatched} identical)  ${status}${r.reasons.length ? '  — ' + r.reasons.join('; ') : ''}${named}`;
}

export async function runParity(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    golden: { type: 'string' }, reads: { type: 'string' }, ref: { type: 'string' }, regions: { type: 'string' },
    'example-info': { type: 'string' }, json: { type: 'boolean' }, 'alt-aligned-pileup': { type: 'string' }, 'population-vcfs': { type: 'string' }, 'realign-reads': { type: 'boolean' }, 'no-realign-reads': { type: 'boolean' },
  }, usage);
  const goldenPath = args.required('golden');
  const refPath = args.required('ref');
  const signal = ctx.signal;
  const infoPath = args.string('example-info') ?? (await findExampleInfo(goldenPath));
  const info: ExampleInfo = infoPath ? await readExampleInfo(infoPath, signal) : DV15_EXAMPLE_INFO;
  checkChannels(info.channels, infoPath);
  const alt = altLayoutOf(info, args.string('alt-aligned-pileup'));
  if (alt.inferred) ctx.progress(`parity: the golden is ${info.shape[0]} rows high: compared as alt-aligned "rows" pileups (three 100-row blocks); pass --alt-aligned-pileup none to compare it as one pileup`);
  let region;
  const regionText = args.string('regions');
  if (regionText !== undefined) {
    region = parseRegion(regionText);
    if (!region) throw new VariantLensError('invalid-argument', `--regions "${regionText}" is not chr:start-end`);
  }
  const populationVcfs = await openPopulationVcfs(args.string('population-vcfs'), info.channels, signal);
  const reference = await openReference(refPath, signal);
  const reads = await openAlignments(args.required('reads'), { referencePath: refPath }, signal);
  const json = args.flag('json');
  if (args.flag('realign-reads') && args.flag('no-realign-reads')) throw new VariantLensError('invalid-argument', '--realign-reads and --no-realign-reads contradict each other');
  // The goldens' producer: DeepVariant realigns short reads by default; our example_info may say otherwise.
  const producerRealigned = info.realignReads ?? true;
  const realign = args.flag('realign-reads') || (!args.flag('no-realign-reads') && producerRealigned);
  async function* golden() {
    for await (const r of readExamples(goldenPath, signal, { channels: info.channels })) yield r.example;
  }
  try {
    const { summary, examples } = await runGoldenParity({
      golden: golden(), reads, reference, options: pipelineOptions(info, { realignReads: realign, encoder: { altAlignedPileup: alt.layout }, ...(populationVcfs ? { populationVcfs } : {}) }), region, signal,
      onExample: json ? undefined : (r) => ctx.out(line(r) + '\n'),
    });
    if (json) ctx.out(JSON.stringify({ summary, examples }, null, 1) + '\n');
    else ctx.out('\n' + JSON.stringify(summary, null, 2) + '\n');
    return summary.unexplained.length === 0 && summary.found === summary.examples ? 0 : 1;
  } finally {
    await reads.close();
    await reference.close();
    await populationVcfs?.close();
  }
}

registerCommand({ name: 'parity', summary: 'rebuild DeepVariant golden examples from the reads and explain every difference', usage, run: runParity });
