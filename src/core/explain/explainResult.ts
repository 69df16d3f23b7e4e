/**
 * The typed result of explaining one site ("why do the models disagree here?"): the cross-run
 * of every model on every model's make_examples parameters, occlusion of reads, channels and
 * column bands, and sensitivity curves. This is the contract of `variant-lens explain`'s
 * `explain.json`; the site inspector and the report render the same object. Pure data: plain
 * numbers, strings and arrays, so `JSON.stringify` of it is the file (and is byte-identical
 * for the same inputs and seed).
 *
 * Probabilities are always the three genotype classes of the site, in this order:
 * [P(hom-ref), P(het), P(hom-alt)], taken from the normalised genotype probabilities that
 * postprocess_variants computes for the site (docs/deepvariant.md §3.3 steps 3–4; for a
 * multi-allelic site the genotypes are grouped: hom-ref = 0/0, het = 0/x, hom-alt = x/y with
 * x, y ≥ 1, so the three still sum to 1).
 *
 * Coordinates: `position` is the 1-based VCF POS; read `start`/`end` are 0-based half-open;
 * image columns and rows are 0-based pixel indices (column (width-1)/2 is the variant start,
 * rows 0..referenceBandHeight-1 are the reference band, docs/deepvariant.md §1.1–1.2).
 */

/** Version of the explain.json layout. */
export const EXPLAIN_FORMAT_VERSION = 1;

export const GENOTYPE_CLASSES = ['hom-ref', 'het', 'hom-alt'] as const;
export type GenotypeClass = (typeof GENOTYPE_CLASSES)[number];

/** [P(hom-ref), P(het), P(hom-alt)]. */
export type ClassProbs = readonly [number, number, number];

export type VerdictKind = 'inputs' | 'weights' | 'both' | 'none';

export interface ExplainModelInfo {
  readonly name: string;
  /** The model folder as given. */
  readonly dir: string;
  /** example_info.json [H, W, C] and channel ids. */
  readonly shape: readonly [number, number, number];
  readonly channels: readonly number[];
  /** make_examples parameters that differ from DeepVariant's defaults (card values), for the notes. */
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** Notes from the card and the parameters (unknown parameters, no realignment). */
  readonly notes: readonly string[];
}

/** Model i on the images made with model j's make_examples parameters (in model i's layout). */
export interface CrossRunCell {
  /** [P(hom-ref), P(het), P(hom-alt)]; null when the images cannot be made (see `reason`). */
  readonly probs: ClassProbs | null;
  /** Most likely genotype as postprocess picks it, e.g. "0/1" (indices into `alleles`). */
  readonly gt: string | null;
  /** The genotype class of `gt`. */
  readonly genotypeClass: GenotypeClass | null;
  /** The call's alleles after postprocess's simplification: REF first. */
  readonly alleles: readonly string[];
  /** GQ and QUAL as postprocess computes them (docs/deepvariant.md §3.4). */
  readonly gq: number | null;
  readonly qual: number | null;
  /** Whether DeepVariant's candidate caller makes a candidate here with model j's thresholds. */
  readonly candidate: boolean;
  /** 'candidate': the images are of that candidate; 'given': of the site's alleles (no covering candidate). */
  readonly alleleSource: 'candidate' | 'given' | null;
  /** Read rows in the images, and rows whose supports channel says "supports an alt of this image". */
  readonly readRows: number;
  readonly altRows: number;
  /** DP and AD ([ref, alt…]) as the allele counter gives them with model j's thresholds. */
  readonly dp: number;
  readonly ad: readonly number[];
  /** Why the cell is empty (window off the contig, …); undefined when it has probabilities. */
  readonly reason?: string;
}

/** One read (the union over the models' images), with what dropping its row does. */
export interface ReadAttribution {
  readonly name: string;
  /** nucleus read_number: 0 for READ1 or unpaired, 1 for READ2. */
  readonly readNumber: 0 | 1;
  readonly mapq: number;
  readonly reverse: boolean;
  /** 0-based alignment start, exclusive end. */
  readonly start: number;
  readonly end: number;
  readonly cigar: string;
  /** Per model: the tensor row of this read in the model's own image, or null when the read is not in it. */
  readonly rows: readonly (number | null)[];
  /** Per model: whether the read supports an alt of the site in the model's images (supports channel 254). */
  readonly supportsAlt: readonly (boolean | null)[];
  /**
   * Per model: P(called class) with the read − P(called class) without it (its row removed and
   * the rows below moved up, i.e. the image made without this read). Positive: the read pushed
   * the model toward the genotype it called. null when the read is not in the model's image.
   */
  readonly deltaP: readonly (number | null)[];
  /** Per model: the same difference for each class [hom-ref, het, hom-alt]. */
  readonly deltaProbs: readonly (ClassProbs | null)[];
}

export type ChannelBaselineKind = 'reference-base' | 'site-median' | 'flipped-strand' | 'does-not-support' | 'matches-reference';

/** What a channel is replaced with in the read rows (the counterfactual), by DeepVariant channel id. */
export interface ChannelBaseline {
  readonly kind: ChannelBaselineKind;
  /** Plain-language description, e.g. "base quality → the site's median (pixel 203, ≈ Q32)". */
  readonly description: string;
  /** The pixel value used, per model, for 'site-median' (null for the other kinds, which depend on the pixel). */
  readonly pixel: readonly (number | null)[];
}

export interface ChannelAttribution {
  /** DeepVariant channel id (docs/deepvariant.md §2.1). */
  readonly id: number;
  /** e.g. "base_quality". */
  readonly name: string;
  readonly baseline: ChannelBaseline;
  /** Per model: P(called class) on the real image − on the counterfactual; null when the model lacks the channel. */
  readonly deltaP: readonly (number | null)[];
  readonly deltaProbs: readonly (ClassProbs | null)[];
}

export interface BandAttribution {
  /** Image columns [colStart, colEnd). */
  readonly colStart: number;
  readonly colEnd: number;
  /** 0-based reference positions of those columns [refStart, refEnd). */
  readonly refStart: number;
  readonly refEnd: number;
  /** True for the band holding the variant's column. */
  readonly centre: boolean;
  readonly deltaP: readonly (number | null)[];
  readonly deltaProbs: readonly (ClassProbs | null)[];
}

export interface SensitivityCurve {
  /** What x is, e.g. "fraction of reads kept". */
  readonly xLabel: string;
  /** How the reads were changed (one sentence). */
  readonly description: string;
  /** Per model: x of each point (it can depend on the model's own reads, e.g. the alt fraction). */
  readonly x: readonly (readonly number[])[];
  /** Per model, per point: [P(hom-ref), P(het), P(hom-alt)]; null where no image can be made. */
  readonly probs: readonly (readonly (ClassProbs | null)[])[];
  /** Per model, per point: whether DeepVariant's caller still makes a candidate with the model's thresholds. */
  readonly candidate: readonly (readonly boolean[])[];
  /** Per model, per point: read rows in the image. */
  readonly readRows: readonly (readonly number[])[];
}

export interface ExplainCurves {
  readonly depth: SensitivityCurve;
  readonly altFraction: SensitivityCurve;
  readonly baseQuality: SensitivityCurve;
  readonly mappingQuality: SensitivityCurve;
}

export interface ExplainVerdict {
  readonly kind: VerdictKind;
  /** One sentence generated from the numbers. */
  readonly text: string;
  /** Whether the models' own calls (the crossRun diagonal) differ. */
  readonly dispute: boolean;
  /**
   * Largest change of one model's probabilities when only the images change (total variation
   * distance between two cells of a crossRun row), and largest difference between two models
   * on the same images (between two cells of a column). 0–1.
   */
  readonly inputShift: number;
  readonly weightShift: number;
  /** The pair of models the sentence is about (indices), when there is a dispute. */
  readonly pair: readonly [number, number] | null;
}

export interface ExplainResult {
  readonly format: typeof EXPLAIN_FORMAT_VERSION;
  readonly locus: {
    readonly contig: string;
    /** 1-based VCF POS. */
    readonly position: number;
    /** The site's alleles (given, or the first model's candidate). */
    readonly refBases: string;
    readonly altBases: readonly string[];
    readonly allelesFrom: 'given' | 'candidate';
  };
  readonly seed: number;
  readonly classes: typeof GENOTYPE_CLASSES;
  readonly models: readonly ExplainModelInfo[];
  /** crossRun[i][j]: model i on images made with model j's make_examples parameters. */
  readonly crossRun: readonly (readonly CrossRunCell[])[];
  /** Every read in any model's own image, ordered by start, name, read number. */
  readonly reads: readonly ReadAttribution[];
  readonly channels: readonly ChannelAttribution[];
  /** Width N of the column bands (the centre band is centred on the variant column). */
  readonly bandWidth: number;
  /** What a band is replaced with (one sentence). */
  readonly bandBaseline: string;
  readonly bands: readonly BandAttribution[];
  readonly curves: ExplainCurves;
  readonly verdict: ExplainVerdict;
  /** True when some part could not be computed (see `problems`); the rest is valid. */
  readonly partial: boolean;
  readonly problems: readonly string[];
}

/** Class of a genotype given as allele indices (either order). */
export function genotypeClassOf(a: number, b: number): GenotypeClass {
  if (a === 0 && b === 0) return 'hom-ref';
  if (a === 0 || b === 0) return 'het';
  return 'hom-alt';
}
