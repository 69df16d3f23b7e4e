/**
 * DeepVariant's read requirements (nucleus SamReader, docs/deepvariant.md §1.3 item 1): reads that fail
 * are never seen by the allele counter or the pileup. Also the read identity DeepVariant
 * uses everywhere (`fragment_name/read_number`, docs/deepvariant.md §7.2).
 */
import { type AlignedRead, Flag } from '../../io/sam/alignedRead';

export interface ReadRequirements {
  /** `--min_mapping_quality` (WGS default 5). Reads with MAPQ below it are dropped. */
  readonly minMappingQuality: number;
  /** `--min_base_quality` (default 10): not a reader filter (ENFORCED_BY_CLIENT), used by the counter and the pileup. */
  readonly minBaseQuality: number;
  readonly keepDuplicates: boolean;
  readonly keepSecondaryAlignments: boolean;
  readonly keepSupplementaryAlignments: boolean;
}

export const DEFAULT_READ_REQUIREMENTS: ReadRequirements = {
  minMappingQuality: 5,
  minBaseQuality: 10,
  keepDuplicates: false,
  keepSecondaryAlignments: false,
  keepSupplementaryAlignments: false,
};

export type ReadRejection = 'unmapped' | 'duplicate' | 'qc-fail' | 'secondary' | 'supplementary' | 'mate-on-other-contig' | 'low-mapq';

/**
 * nucleus `IsReadProperlyPlaced` (docs/deepvariant.md §1.3): unpaired, or proper-pair flag, or mate
 * unmapped / RNEXT '*', or mate on the same contig. Not the SAM proper-pair test.
 */
export function isProperlyPlaced(read: AlignedRead): boolean {
  if (!(read.flags & Flag.PAIRED)) return true;
  if (read.flags & Flag.PROPER_PAIR) return true;
  if (read.flags & Flag.MATE_UNMAPPED) return true;
  if (read.mateContig === undefined || read.mateContig === '*' || read.mateContig === '=') return true;
  return read.mateContig === read.contig;
}

/** Why SamReader would drop this read, or undefined when it passes. */
export function readRejection(read: AlignedRead, req: ReadRequirements): ReadRejection | undefined {
  const f = read.flags;
  if (f & Flag.UNMAPPED || read.cigar.length === 0) return 'unmapped';
  if (f & Flag.QC_FAIL) return 'qc-fail';
  if (f & Flag.DUPLICATE && !req.keepDuplicates) return 'duplicate';
  if (f & Flag.SECONDARY && !req.keepSecondaryAlignments) return 'secondary';
  if (f & Flag.SUPPLEMENTARY && !req.keepSupplementaryAlignments) return 'supplementary';
  if (!isProperlyPlaced(read)) return 'mate-on-other-contig';
  if (read.mapq < req.minMappingQuality) return 'low-mapq';
  return undefined;
}

/** nucleus `read_number`: 0 if READ1 is set or the read is unpaired, else 1 (docs/deepvariant.md §1.3). */
export function readNumber(read: AlignedRead): 0 | 1 {
  if (!(read.flags & Flag.PAIRED) || read.flags & Flag.READ1) return 0;
  return 1;
}

/** DeepVariant's read key `fragment_name + "/" + read_number` (allele_support, supports channel). */
export function readKey(read: AlignedRead): string {
  return `${read.name}/${readNumber(read)}`;
}
