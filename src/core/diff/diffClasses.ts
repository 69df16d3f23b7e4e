/**
 * The vocabulary of a VCF diff: what one side says about one normalized allele, and the
 * classes a site can carry. The rules that assign the classes are written down in
 * docs/decisions/0006-diff-matching.md; `classifySite` is their only implementation.
 *
 * Coordinates: `pos` is 1-based VCF POS of the *normalized* allele (after split, trim and
 * left-alignment), so it can differ from the POS of the record it came from (`recordPos`).
 */

/**
 * 'same-haplotypes': the allele is called by one side only, but within its superlocus both
 * sides spell the same haplotypes written differently (an MNP vs two SNPs, a complex indel
 * vs indel + SNP). Assigned only by the haplotype stage, with a reference
 * (docs/decisions/0013-haplotype-matching.md); it replaces that allele's only-A / only-B.
 */
export type DiffClass = 'same' | 'gt-change' | 'only-A' | 'only-B' | 'filter-change' | 'qual-change' | 'same-haplotypes';

export const DIFF_CLASSES: readonly DiffClass[] = ['same', 'gt-change', 'only-A', 'only-B', 'filter-change', 'qual-change', 'same-haplotypes'];

/**
 * The classes where the two calls differ: a site with one of them is a dispute. QUAL-only
 * changes and same-haplotypes sites are not disputes.
 */
export const DISPUTE_CLASSES: readonly DiffClass[] = ['gt-change', 'filter-change', 'only-A', 'only-B'];

/** True when the calls differ at the site (one of DISPUTE_CLASSES). */
export function isDispute(site: Pick<DiffSite, 'classes'>): boolean {
  // A plain loop: the diff editor asks this of every differing site after a run (its views,
  // the review progress), hundreds of thousands of times on a whole genome.
  const cs = site.classes;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (c === 'gt-change' || c === 'filter-change' || c === 'only-A' || c === 'only-B') return true;
  }
  return false;
}

/**
 * The kind of a normalized allele: SNP: 1 base → 1 base. INDEL: lengths differ. MNP: equal
 * lengths > 1 (after trimming). Not the table's kind of a whole record (RowVariantKind).
 */
export type DiffVariantKind = 'SNP' | 'INDEL' | 'MNP';

export const VARIANT_KINDS: readonly DiffVariantKind[] = ['SNP', 'INDEL', 'MNP'];

/** What one VCF says about one normalized allele. */
export interface SideCall {
  /**
   * The sample's genotype projected onto this allele the way `bcftools norm -m -any` splits
   * it: this allele → 1, REF and every other ALT → 0, '.' stays '.'; unphased and sorted
   * ("1/2" gives "0/1" for each of its two alleles).
   */
  readonly gt: string;
  /** The record's own GT text ('' when the file has no samples or no GT). */
  readonly recordGt: string;
  /** True when the sample's genotype carries this allele (or the file has no GT: sites-only VCFs call every ALT). */
  readonly called: boolean;
  readonly qual: number | undefined;
  /** FILTER text as written ('.', 'PASS', 'RefCall', 'LowQual;X'). */
  readonly filter: string;
  readonly gq: number | undefined;
  /** POS of the record in the file (1-based), before normalization. */
  readonly recordPos: number;
  /** 1-based line number in the (decompressed) file; 0 when the reader does not know it. */
  readonly lineNumber: number;
  /**
   * The sample's read depth: FORMAT DP, else the sum of AD. Read only when the diff computes
   * site features (`VcfDiffOptions.sampleFields`); undefined otherwise or when absent.
   */
  readonly dp?: number | undefined;
  /** This allele's fraction of the sample's reads: AD[allele] / sum(AD) (with `sampleFields`). */
  readonly vaf?: number | undefined;
  /**
   * FORMAT MID of the sample: which model decided the call; DeepVariant 1.8+ writes
   * "small_model" for calls its small model made (docs/deepvariant.md §15). Absent when not written.
   */
  readonly mid?: string | undefined;
}

/** One normalized allele seen in at least one of the two files, with its classes. */
export interface DiffSite {
  readonly contig: string;
  /** 1-based POS of the normalized allele. */
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly kind: DiffVariantKind;
  /** The record in A carrying this allele, if any. */
  readonly a: SideCall | undefined;
  readonly b: SideCall | undefined;
  /** Never empty. 'same' only appears together with 'filter-change' / 'qual-change' or alone. */
  readonly classes: readonly DiffClass[];
  /** Reference context and neighbourhood, when the diff computes features (diff/features). */
  readonly features?: SiteFeatureValues;
}

/**
 * What the features stage (diff/features/featureStage.ts) learns of a site from the
 * reference and the neighbouring sites; the per-call values (DP, VAF, GQ, QUAL, MID) stay on
 * the SideCalls. Definitions: docs/decisions/0016-site-features.md.
 */
export interface SiteFeatureValues {
  /** Longest single-base run on the reference touching the allele (1 = none; undefined without a reference). */
  readonly homopolymer: number | undefined;
  /** Period (1–6 bp) of the longest tandem repeat touching the allele; 0 when none (< 2 copies). */
  readonly repeatUnit: number | undefined;
  /** Whole copies of that unit (0 when none). */
  readonly repeatCopies: number | undefined;
  /** G+C fraction of the reference within 50 bp of the allele (N not counted); undefined when all N. */
  readonly gc: number | undefined;
  /** Bases to the nearest site at another POS on the same contig; undefined when alone on it. */
  readonly neighborDistance: number | undefined;
  /** True on the hold-out contigs (DeepVariant: chr20–22). */
  readonly heldOut: boolean;
}

export function variantKind(ref: string, alt: string): DiffVariantKind {
  if (ref.length === alt.length) return ref.length === 1 ? 'SNP' : 'MNP';
  return 'INDEL';
}

/**
 * FILTER as a comparable status. '.' (filters not applied) and 'PASS' are the same status:
 * truth sets often write one, callers the other, and neither marks the call as filtered.
 */
export function filterStatus(filter: string): string {
  if (filter === '.' || filter === 'PASS' || filter === '') return 'PASS';
  return filter.includes(';') ? filter.split(';').sort().join(';') : filter;
}

/**
 * The classes of `classifySite` as a bit mask (bit i ↔ DIFF_CLASSES[i]; never 0): the diff
 * engine counts by mask and only expands masks into class names at the end.
 */
export function classMask(a: SideCall | undefined, b: SideCall | undefined, qualDelta: number): number {
  let mask = 0;
  const cA = a?.called === true;
  const cB = b?.called === true;
  if (cA && cB) mask |= a!.gt === b!.gt ? 1 : 2;
  else if (cA) mask |= 4;
  else if (cB) mask |= 8;
  if (a && b) {
    if (a.filter !== b.filter && filterStatus(a.filter) !== filterStatus(b.filter)) mask |= 16;
    if (a.qual !== undefined && b.qual !== undefined && Math.abs(a.qual - b.qual) > qualDelta) mask |= 32;
  }
  return mask === 0 ? 1 : mask;
}

/** The shared frozen class list of a mask from `classMask`. */
export function classesOfMask(mask: number): readonly DiffClass[] {
  return CLASS_LISTS[mask]!;
}

/** The mask of a class list (the inverse of `classesOfMask`). */
export function maskOfClasses(classes: readonly DiffClass[]): number {
  let m = 0;
  for (const c of classes) m |= 1 << DIFF_CLASSES.indexOf(c);
  return m;
}

/** CLASS_LISTS[mask]: bit i set ↔ DIFF_CLASSES[i] present, in DIFF_CLASSES order. */
const CLASS_LISTS: readonly (readonly DiffClass[])[] = Array.from({ length: 1 << DIFF_CLASSES.length }, (_, m) => Object.freeze(DIFF_CLASSES.filter((_c, i) => (m & (1 << i)) !== 0)));

/** Indel length bins (ALT length − REF length), as in hap.py's extended tables, coarser. */
export type IndelBin = 'del>15' | 'del6-15' | 'del1-5' | 'ins1-5' | 'ins6-15' | 'ins>15';

export const INDEL_BINS: readonly IndelBin[] = ['del>15', 'del6-15', 'del1-5', 'ins1-5', 'ins6-15', 'ins>15'];

/** Index in INDEL_BINS of an indel whose ALT is `d` bases longer than its REF (d ≠ 0). */
export function indelBinIndex(d: number): number {
  if (d < 0) return d >= -5 ? 2 : d >= -15 ? 1 : 0;
  return d <= 5 ? 3 : d <= 15 ? 4 : 5;
}

/** A↔G and C↔T are transitions; every other base change is a transversion. */
export function isTransition(ref: string, alt: string): boolean {
  if (ref.length !== 1 || alt.length !== 1) return false;
  // Char codes: A 65, C 67, G 71, T 84 (no string concatenation: called for every SNP).
  const r = ref.charCodeAt(0);
  const a = alt.charCodeAt(0);
  return (r === 65 && a === 71) || (r === 71 && a === 65) || (r === 67 && a === 84) || (r === 84 && a === 67);
}
