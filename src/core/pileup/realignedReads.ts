/**
 * The reads of a calling region as DeepVariant's realigner leaves them (`variant-lens realign`):
 * each partition is fetched, filtered, sampled and realigned exactly as make_examples does
 * (siteExamples.ts PartitionReader, docs/deepvariant.md §1.3, §11), and each read is taken once,
 * as realigned in the partition that holds its original start (reads starting before the
 * region: its first partition). A read overlapping two partitions can be realigned
 * differently in each (DeepVariant realigns partitions independently); the image of a site
 * uses the partition holding the site, so at a site near a partition edge a neighbour's read
 * may be drawn differently from its record here.
 */
import { VariantLensError, throwIfAborted } from '../errors';
import type { AlignedRead } from '../io/sam/alignedRead';
import { readKey } from './candidates/readFilters';
import { type CallingRegion, PartitionReader, type PipelineOptions } from './siteExamples';

export interface RegionRealignment {
  /** One record per read, in the order partitions and the realigner gave them (not sorted). */
  readonly reads: AlignedRead[];
  readonly partitions: number;
  /** Reads whose start or CIGAR the realigner changed. */
  readonly moved: number;
  /** Reads that passed the filters but were dropped by max_reads_per_partition sampling. */
  readonly sampledOut: number;
}

function sameAlignment(a: AlignedRead, b: AlignedRead): boolean {
  if (a.start !== b.start || a.cigar.length !== b.cigar.length) return false;
  for (let i = 0; i < a.cigar.length; i++) if (a.cigar[i] !== b.cigar[i]) return false;
  return true;
}

/** A read's identity across the raw and realigned partitions. */
function identity(r: AlignedRead): string {
  return `${readKey(r)}/${r.flags & 0x900}`;
}

export async function realignRegion(
  reads: PartitionReader['reads'],
  reference: PartitionReader['reference'],
  options: PipelineOptions,
  region: CallingRegion,
  signal?: AbortSignal,
): Promise<RegionRealignment> {
  const realigned = new PartitionReader(reads, reference, { ...options, realignReads: true, realigner: options.realigner });
  const raw = new PartitionReader(reads, reference, { ...options, realignReads: false, realigner: undefined });
  const contigLength = await realigned.contigLength(region.contig, signal);
  if (region.start >= contigLength) throw new VariantLensError('region-invalid', `region ${region.contig}:${region.start + 1}-${region.end} starts past the end of ${region.contig} (${contigLength} bp)`, reference.path);
  if (region.end > contigLength) throw new VariantLensError('region-invalid', `region ${region.contig}:${region.start + 1}-${region.end} reaches past the end of ${region.contig} (${contigLength} bp)`, reference.path);
  const out: AlignedRead[] = [];
  let moved = 0;
  let sampledOut = 0;
  const parts = realigned.partitionsOf(region);
  for (const [k, part] of parts.entries()) {
    throwIfAborted(signal);
    const [r, p] = await Promise.all([raw.partition(part, region, signal), realigned.partition(part, region, signal)]);
    sampledOut += r.stats.passed - r.reads.length;
    const before = new Map<string, AlignedRead[]>();
    for (const x of r.reads) { const id = identity(x); const l = before.get(id); if (l) l.push(x); else before.set(id, [x]); }
    for (const x of p.reads) {
      const orig = before.get(identity(x))?.shift();
      if (!orig) throw new VariantLensError('unsupported', `realigner returned read ${x.name} that was not in partition ${part.contig}:${part.start + 1}-${part.end}`);
      const home = orig.start >= part.start && orig.start < part.end;
      if (!(home || (k === 0 && orig.start < part.start))) continue;
      if (!sameAlignment(orig, x)) moved++;
      out.push(x);
    }
  }
  return { reads: out, partitions: parts.length, moved, sampledOut };
}
