import type { VcfHeader, VcfRecord } from './vcfRecord';

/**
 * A VCF file opened for reading: plain `.vcf` (streamed; a row → byte-offset index gives
 * random access) or bgzipped `.vcf.gz` (region queries through `.tbi`/`.csi` when present,
 * streamed otherwise). Every method takes an AbortSignal.
 */
export interface VcfSource {
  readonly path: string;
  header(signal?: AbortSignal): Promise<VcfHeader>;
  /** Every record in file order. Malformed lines throw `malformed-vcf` naming the line number. */
  records(signal?: AbortSignal): AsyncIterable<VcfRecord>;
  /** Records overlapping the 0-based half-open [start, end) on contig (aliases accepted). */
  query(contig: string, start: number, end: number, signal?: AbortSignal): AsyncIterable<VcfRecord>;
  close(): Promise<void>;
}
