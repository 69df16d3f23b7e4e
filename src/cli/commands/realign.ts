/**
 * `variant-lens realign` — the reads of a region as DeepVariant's local realigner leaves them,
 * written as a coordinate-sorted, indexed BAM that IGV opens (docs/deepvariant.md §11).
 */
import { VariantLensError } from '../../core/errors';
import { openReference } from '../../core/io/fasta/fastaReader';
import { resolveContig } from '../../core/io/contigAliases';
import { DV15_EXAMPLE_INFO } from '../../core/io/examples/exampleInfo';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { sortReadsByCoordinate, writeBam } from '../../core/io/sam/bamWriter';
import { parseRegion } from '../../core/pileup/goldenParity';
import { realignRegion } from '../../core/pileup/realignedReads';
import { pipelineOptions } from '../../core/pileup/siteExamples';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens realign --reads BAM --ref FASTA --regions chr:start-end --out realigned.bam

Runs DeepVariant's local realigner (make_examples --realign_reads) over the region, partition
by partition (1000 bp from the region's start, as make_examples does), and writes the reads
as a coordinate-sorted BAM with a .bai index, for IGV or samtools.
  One record per read: the read as realigned in the partition that holds its original start
  (reads starting before the region: as realigned in its first partition). DeepVariant
  realigns partitions independently, so a read overlapping two partitions may be drawn
  differently in the images of the other one.
  Reads are those make_examples keeps: mapped, not QC-fail, not duplicate, not secondary, not
  supplementary, MAPQ ≥ 5, mate not on another contig; the count equals
    samtools view -c -F 0xF04 -q 5 -e '!flag.paired || flag.proper_pair || flag.munmap ||
      rnext=="*" || rnext==rname' READS chr:start-end
  and at most 1500 per partition (make_examples' reservoir sampling; reported when it drops reads).
  Realigned reads keep their name, flags, bases, qualities and tags; start and CIGAR change.`;

export async function runRealign(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, { reads: { type: 'string' }, ref: { type: 'string' }, regions: { type: 'string' }, out: { type: 'string' } }, usage);
  const readsPath = args.required('reads');
  const refPath = args.required('ref');
  const regionText = args.required('regions');
  const outPath = args.required('out');
  const region = parseRegion(regionText);
  if (!region) throw new VariantLensError('invalid-argument', `--regions "${regionText}" is not chr:start-end`);
  const signal = ctx.signal;
  const reference = await openReference(refPath, signal);
  const reads = await openAlignments(readsPath, { referencePath: refPath }, signal);
  try {
    // The reads' own contig names (the BAM header names), lengths from the reference.
    const refContigs = await reference.contigs(signal);
    const readContigs = await reads.contigNames(signal);
    const contigs = readContigs.flatMap((name) => {
      const r = resolveContig(name, refContigs.map((c) => c.name));
      const c = r === undefined ? undefined : refContigs.find((x) => x.name === r);
      return c ? [{ name, length: c.length }] : [];
    });
    const readContig = resolveContig(region.contig, readContigs);
    if (readContig === undefined) throw new VariantLensError('contig-not-found', `contig "${region.contig}" is not in the reads' header`, readsPath);
    const result = await realignRegion(reads, reference, pipelineOptions(DV15_EXAMPLE_INFO, { realignReads: true }), region, signal);
    const sorted = sortReadsByCoordinate([...result.reads], contigs);
    const written = await writeBam(outPath, { contigs }, sorted, { signal });
    ctx.out(`${written.records} reads written to ${outPath} (index ${written.indexPath}); ${result.moved} realigned (start or CIGAR changed), ${result.partitions} partitions` +
      (result.sampledOut > 0 ? `; ${result.sampledOut} reads dropped by the 1500-reads-per-partition sampling` : '') + '\n');
    return 0;
  } finally {
    await reads.close();
    await reference.close();
  }
}

registerCommand({ name: 'realign', summary: "write the reads of a region as DeepVariant's realigner leaves them (sorted, indexed BAM)", usage, run: runRealign });
