/**
 * What a VCF table view asks of the table engine (vcfTableColumns.ts): a sort and a filter.
 * The engine owns these types; src/protocol re-exports them for the webview, which sends them
 * unchanged in `table.setView`.
 *
 * Coordinates: region text is 1-based inclusive (samtools style).
 */

/** The column a view is sorted by; sample columns carry the 0-based sample index. */
export type SortColumn = 'file' | 'chrom' | 'pos' | 'id' | 'ref' | 'alt' | 'qual' | 'filter' | `gq:${number}` | `dp:${number}` | `vaf:${number}` | `gt:${number}`;

export interface SortSpec {
  readonly column: SortColumn;
  readonly descending: boolean;
}

/**
 * The kind of a table row (one VCF record): 'REF' when no ALT is a sequence (symbolic
 * alleles ignored), 'SNP' when REF and every concrete ALT are one base, else 'INDEL'
 * (VcfRecord.variantType). Not the diff's kind of a normalized allele (DiffVariantKind).
 */
export type RowVariantKind = 'SNP' | 'INDEL' | 'REF';

/** All present fields must hold for a row to pass (AND). Empty object = no filter. */
export interface FilterSpec {
  /** FILTER values; a row passes when any of its FILTER entries is listed ('.' = missing). */
  readonly filters?: readonly string[];
  readonly qualMin?: number;
  readonly qualMax?: number;
  /** Genotype text of the first sample (or `sample`), normalised so '0|1' matches '0/1'. */
  readonly genotypes?: readonly string[];
  readonly sample?: number;
  readonly kinds?: readonly RowVariantKind[];
  /** Region text, e.g. `chr20:10,000,000-10,010,000` or `chr20` (1-based inclusive, like samtools). */
  readonly region?: string;
  /** Case-insensitive substring of the whole VCF line. */
  readonly text?: string;
  /** Comparisons of the sample's FORMAT numbers (`GQ<20`, `DP>=30`, `VAF>0.3`), as `bcftools view -i 'FMT/…'`. */
  readonly formatTerms?: readonly FormatTerm[];
}

export type FormatField = 'GQ' | 'DP' | 'VAF';
export type CompareOp = '<' | '<=' | '>' | '>=' | '=' | '!=';

/** One `FIELD op value` term of a FilterSpec; the value is the first number of the field (AD-style lists). */
export interface FormatTerm {
  readonly field: FormatField;
  readonly op: CompareOp;
  readonly value: number;
}
