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
import { pipelineOptions } from '../../core/pileup/siteExamples';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens parity --golden G.tfrecord.gz --reads BAM --ref FASTA [--regions chr:start-end]
                              [--example-info J] [--realign-reads] [--json]

Rebuilds each golden example (site and alleles taken from the example's variant) and compares:
found (same site and alt indices), reference rows identical, whole image byte-identical,
pixels differing, and the reason class of each difference. Also runs our own candidate
caller over the region and counts the golden sites it finds.
  --regions    the calling region the goldens were made for: partitions start there
               (DeepVariant's testdata: chr20:10,000,000-10,010,000). Default: 1000-bp
               partitions counted from the contig start.
  --example-info  default: the golden file's own .example_info.json, else DV 1.5 [100,221,6].
  --realign-reads  run DeepVariant's local realigner on each partition first (make_examples
               --realign_reads, on in DeepVariant's goldens). Default: off.
  --json       print {summary, examples} as JSON instead of a table.`;

function line(r: ParityExampleResult): string {
  const status = !r.found ? 'NOT FOUND' : r.identical ? 'identical' : `${r.pixelsDiffering} px differ`;
  return `${String(r.index).padStart(3)}  ${r.locus.padEnd(26)} ${`${r.refBases}>${r.altBases.join(',')}`.slice(0, 24).padEnd(24)} [${r.altAlleleIndices.join(',')}]  ref rows ${r.referenceRowsIdentical ? 'same' : 'DIFF'}  rows ${r.goldenReadRows}/${r.ourReadRows} (${r.rowsMatched} identical)  ${status}${r.reasons.length ? '  — ' + r.reasons.join('; ') : ''}`;
}

export async function runParity(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    golden: { type: 'string' }, reads: { type: 'string' }, ref: { type: 'string' }, regions: { type: 'string' },
    'example-info': { type: 'string' }, json: { type: 'boolean' }, 'realign-reads': { type: 'boolean' },
  }, usage);
  const goldenPath = args.required('golden');
  const refPath = args.required('ref');
  const signal = ctx.signal;
  const infoPath = args.string('example-info') ?? (await findExampleInfo(goldenPath));
  const info: ExampleInfo = infoPath ? await readExampleInfo(infoPath, signal) : DV15_EXAMPLE_INFO;
  checkChannels(info.channels, infoPath);
  let region;
  const regionText = args.string('regions');
  if (regionText !== undefined) {
    region = parseRegion(regionText);
    if (!region) throw new VariantLensError('invalid-argument', `--regions "${regionText}" is not chr:start-end`);
  }
  const reference = await openReference(refPath, signal);
  const reads = await openAlignments(args.required('reads'), { referencePath: refPath }, signal);
  const json = args.flag('json');
  async function* golden() {
    for await (const r of readExamples(goldenPath, signal, { channels: info.channels })) yield r.example;
  }
  try {
    const { summary, examples } = await runGoldenParity({
      golden: golden(), reads, reference, options: pipelineOptions(info, { realignReads: args.flag('realign-reads') }), region, signal,
      onExample: json ? undefined : (r) => ctx.out(line(r) + '\n'),
    });
    if (json) ctx.out(JSON.stringify({ summary, examples }, null, 1) + '\n');
    else ctx.out('\n' + JSON.stringify(summary, null, 2) + '\n');
    return summary.found === summary.examples ? 0 : 1;
  } finally {
    await reads.close();
    await reference.close();
  }
}

registerCommand({ name: 'parity', summary: 'rebuild DeepVariant golden examples from the reads and explain every difference', usage, run: runParity });
