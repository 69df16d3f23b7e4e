/** A reference genome: FASTA with .fai, or bgzipped FASTA with .fai + .gzi. 0-based half-open coordinates. */
export interface ContigInfo {
  readonly name: string;
  readonly length: number;
}

export interface ReferenceSource {
  readonly path: string;
  contigs(signal?: AbortSignal): Promise<ContigInfo[]>;
  /**
   * Bases of [start, end) on `contig` (aliases accepted), upper-cased as DeepVariant's
   * reader does (keep_true_case=False, docs/deepvariant.md §1.2). Throws `contig-not-found` or
   * `region-invalid` rather than returning a short string.
   */
  fetch(contig: string, start: number, end: number, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}
