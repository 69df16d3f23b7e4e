/**
 * DeepVariant 1.5's postprocess_variants maths for one candidate site: call_variants
 * outputs (CVOs, one per alt-allele combination image) in, genotype call out
 * (docs/deepvariant.md §3.2–3.5). This file is pure arithmetic on plain objects; reading CVO files,
 * sorting, grouping, haplotype resolution and VCF text live in postprocessVariants.ts,
 * haplotypeResolution.ts and deepVariantVcf.ts.
 *
 * Coordinates: `start`/`end` are 0-based half-open on the reference, as in nucleus
 * Variant protos (VCF POS = start + 1).
 */
import { VariantLensError } from '../errors';
import { pySum, pythonRound, roundHalfEven } from './pythonNumerics';

/** A candidate as make_examples wrote it (nucleus Variant with calls[0].info DP/AD/VAF, docs/deepvariant.md §4.3). */
export interface CandidateVariant {
  readonly referenceName: string;
  /** 0-based. */
  readonly start: number;
  /** 0-based, exclusive. */
  readonly end: number;
  readonly referenceBases: string;
  /** In DeepVariant's (lexicographic) order; CVO alt indices point into this list. */
  readonly alternateBases: readonly string[];
  /** calls[0].call_set_name (the sample). */
  readonly callSetName?: string;
  /** calls[0].info DP: reads counted by the allele counter (docs/deepvariant.md §7.3). */
  readonly dp?: number;
  /** calls[0].info AD: ref first, then one per alt. */
  readonly ad?: readonly number[];
  /** calls[0].info VAF: one per alt. */
  readonly vaf?: readonly number[];
}

/** One CallVariantsOutput (docs/deepvariant.md §3.2) as plain data: the model softmax for one image of a candidate. */
export interface CvoRecord {
  readonly variant: CandidateVariant;
  /** 0-based indices into variant.alternateBases of the alts this image was made for. */
  readonly altAlleleIndices: readonly number[];
  /** [P(0 copies), P(1 copy), P(2 copies)] of those alts, after round_gls. */
  readonly genotypeProbabilities: readonly number[];
}

export type DvFilter = 'PASS' | 'RefCall' | 'LowQual' | 'NoCall';

/** A genotyped site, the equivalent of the Variant proto postprocess_variants writes. */
export interface GenotypeCall {
  readonly referenceName: string;
  /** 0-based. */
  readonly start: number;
  /** 0-based, exclusive (start + len(REF) after allele simplification). */
  readonly end: number;
  readonly referenceBases: string;
  readonly alternateBases: readonly string[];
  readonly callSetName: string;
  /** QUAL, rounded to 7 decimals as DeepVariant stores it (the VCF shows 1 decimal). */
  readonly quality: number;
  readonly filter: DvFilter;
  /** Allele indices, [-1, -1] for `./.`. */
  readonly genotype: readonly [number, number];
  readonly gq: number;
  /** log10 genotype likelihoods in VCF genotype order (00, 01, 11, 02, 12, 22, …). */
  readonly genotypeLikelihoods: readonly number[];
  /** The normalised genotype probabilities the call was made from (same order). */
  readonly probabilities: readonly number[];
  readonly dp?: number;
  readonly ad?: readonly number[];
  readonly vaf?: readonly number[];
  /** Alts removed because their single-alt QUAL was below multi_allelic_qual_filter. */
  readonly prunedAlts: readonly string[];
  /** Set when haplotype resolution (docs/deepvariant.md §3.3 step 5) changed GT/GL. */
  readonly haplotypeResolved?: boolean;
}

/** postprocess_variants flag defaults in 1.5 (docs/deepvariant.md §3.3; deepvariant/postprocess_variants.py in 1.5). */
export interface PostprocessOptions {
  /** --qual_filter: QUAL below this is LowQual. */
  readonly qualFilter: number;
  /** --multi_allelic_qual_filter: alts whose single-alt QUAL is below this are pruned. */
  readonly multiAllelicQualFilter: number;
  /** --cnn_homref_call_min_gq: RefCalls with GQ below this get GT ./. */
  readonly cnnHomrefCallMinGq: number;
  /** Used when a CVO carries no call_set_name (DeepVariant's --sample_name fallback). */
  readonly sampleName?: string;
}

export const DV_POSTPROCESS_DEFAULTS: PostprocessOptions = {
  qualFilter: 1.0,
  multiAllelicQualFilter: 1.0,
  cnnHomrefCallMinGq: 20.0,
};

/** DeepVariant's default sample name (dv_constants.DEFAULT_SAMPLE_NAME). */
export const DEFAULT_SAMPLE_NAME = 'default';

/**
 * nucleus genomics_math `_MAX_CONFIDENCE = 1 - 1.25e-10` (docs/deepvariant.md §3.5). Computed the same
 * way as in Python so that `1 - MAX_CONFIDENCE` is the same double (≈1.25e-10, not exactly).
 */
export const MAX_CONFIDENCE = 1.0 - 1.25e-10;
const MIN_PROB = 1.0 - MAX_CONFIDENCE;

/** call_variants' GL precision (`_GL_PRECISION = 10`). */
export const GL_PRECISION = 10;
/** postprocess_variants' `_QUAL_PRECISION = 7`. */
export const QUAL_PRECISION = 7;

/** nucleus perror_to_phred: -10·log10(p). */
export function perrorToPhred(p: number): number {
  return -10 * Math.log10(p);
}

/** nucleus ptrue_to_bounded_phred: phred of 1 - min(p, MAX_CONFIDENCE). */
export function ptrueToBoundedPhred(ptrue: number): number {
  if (!(ptrue >= 0 && ptrue <= 1)) throw new VariantLensError('invalid-argument', `probability must be in [0, 1], got ${ptrue}`);
  return perrorToPhred(1.0 - Math.min(ptrue, MAX_CONFIDENCE));
}

/** nucleus perror_to_bounded_log10_perror: log10(max(p, 1 - MAX_CONFIDENCE)). */
export function boundedLog10(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new VariantLensError('invalid-argument', `probability must be in [0, 1], got ${p}`);
  return Math.log10(Math.max(p, MIN_PROB));
}

/**
 * call_variants' round_gls (docs/deepvariant.md §3.2) as it behaves on a TensorFlow float32 softmax:
 * the first smallest probability is remembered; every value is rounded with numpy's
 * float32 `around` (x·10^p, rint half-even, ÷10^p, all in float32 — Python's round() on a
 * np.float32 dispatches there); then the smallest is replaced by
 * max(0, around(1 − Σothers, p)) computed in float64. Throws if the values do not sum to
 * 1 within 1e-6, which is what a model emitting logits instead of a softmax produces.
 * Apply it to model outputs before building CvoRecords; postprocess itself does not round.
 * The golden CVOs of DeepVariant 1.5 are fixed points of this function (tested).
 */
export function roundGls(probs: ArrayLike<number>, precision: number = GL_PRECISION): number[] {
  const p = Array.from(probs, (x) => Math.fround(x));
  const total = pySum(p);
  if (Math.abs(total - 1) > 1e-6) {
    throw new VariantLensError('invalid-argument',
      `genotype probabilities [${p.join(', ')}] sum to ${total}, not 1: the model output is not a softmax (logits?)`);
  }
  let minIndex = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! < p[minIndex]!) minIndex = i;
  const scale32 = Math.fround(10 ** precision);
  const scale64 = 10 ** precision;
  const rounded = p.map((x) => Math.fround(roundHalfEven(Math.fround(x * scale32)) / scale32));
  const others = pySum(rounded.filter((_, i) => i !== minIndex));
  rounded[minIndex] = Math.max(0, roundHalfEven((1 - others) * scale64) / scale64);
  return rounded;
}

/**
 * postprocess_variants.compute_quals: GQ = np.around(phred(p[index])) (half-even) and
 * QUAL = round(phred(min(sum(p[1:]), 1)), 7), both capped by MAX_CONFIDENCE.
 */
export function computeQuals(predictions: readonly number[], predictionIndex: number): { gq: number; qual: number } {
  const gq = roundHalfEven(ptrueToBoundedPhred(predictions[predictionIndex]!));
  const qual = ptrueToBoundedPhred(Math.min(pySum(predictions.slice(1)), 1.0));
  return { gq, qual: pythonRound(qual, QUAL_PRECISION) };
}

/** VCF genotype order for diploid calls: (0,0),(0,1),(1,1),(0,2),(1,2),(2,2),… */
export function genotypeOrder(numAlts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j <= numAlts; j++) for (let i = 0; i <= j; i++) out.push([i, j]);
  return out;
}

/** Index of genotype (a, b) in the likelihood array: b(b+1)/2 + a with a ≤ b. */
export function genotypeLikelihoodIndex(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return lo + (hi * (hi + 1)) / 2;
}

/**
 * nucleus simplify_alleles: strip the longest common suffix, keeping at least one base in
 * every allele (['CAA','CA'] → ['CA','C']; ['ATT','TT'] → ['AT','T']).
 */
export function simplifyAlleles(alleles: readonly string[]): string[] {
  const shortest = Math.min(...alleles.map((a) => a.length));
  let common = 0;
  for (let i = 1; i < shortest; i++) {
    const c = alleles[0]![alleles[0]!.length - i];
    if (!alleles.every((a) => a[a.length - i] === c)) break;
    common = i;
  }
  return common ? alleles.map((a) => a.slice(0, a.length - common)) : [...alleles];
}

function simplifyVariant(v: CandidateVariant): CandidateVariant {
  const [ref, ...alts] = simplifyAlleles([v.referenceBases, ...v.alternateBases]) as [string, ...string[]];
  return { ...v, referenceBases: ref, alternateBases: alts, end: v.start + ref.length };
}

function sameCandidate(a: CandidateVariant, b: CandidateVariant): boolean {
  return a.referenceName === b.referenceName && a.start === b.start && a.end === b.end &&
    a.referenceBases === b.referenceBases && a.alternateBases.length === b.alternateBases.length &&
    a.alternateBases.every((x, i) => x === b.alternateBases[i]);
}

/** The alt-index sets make_examples makes for n alts: [0],[1],…,[0,1],… (docs/deepvariant.md §3.1), sorted. */
function expectedAltIndexSets(numAlts: number): string[] {
  const out: number[][] = [];
  for (let i = 0; i < numAlts; i++) out.push([i]);
  for (let i = 0; i < numAlts; i++) for (let j = i + 1; j < numAlts; j++) out.push([i, j]);
  return out.map((x) => x.join(',')).sort();
}

/** Lexicographic comparison of sorted alt-index lists (Python list ordering). */
function compareIndexLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** _sort_grouped_variants: order a site's CVOs by sorted(alt_allele_indices), stable. */
export function sortSiteOutputs(cvos: readonly CvoRecord[]): CvoRecord[] {
  const keyed = cvos.map((c) => ({ c, k: [...c.altAlleleIndices].sort((x, y) => x - y) }));
  return keyed.sort((x, y) => compareIndexLists(x.k, y.k)).map((x) => x.c);
}

/**
 * get_alt_alleles_to_remove: alts whose single-alt image gives QUAL < qualFilter; if that
 * would remove every alt, the alt with the highest QUAL (first of equals) is kept.
 */
export function altAllelesToRemove(cvos: readonly CvoRecord[], qualFilter: number): Set<string> {
  const remove = new Set<string>();
  if (!qualFilter || cvos.length === 0) return remove;
  const canonical = cvos[0]!.variant;
  let maxQual: number | undefined;
  let maxQualAllele: string | undefined;
  for (const cvo of cvos) {
    if (cvo.altAlleleIndices.length !== 1) continue;
    const { qual } = computeQuals(cvo.genotypeProbabilities, 0);
    const allele = canonical.alternateBases[cvo.altAlleleIndices[0]!]!;
    if (maxQual === undefined || maxQual < qual) { maxQual = qual; maxQualAllele = allele; }
    if (qual < qualFilter) remove.add(allele);
  }
  if (remove.size === canonical.alternateBases.length && maxQualAllele !== undefined) remove.delete(maxQualAllele);
  return remove;
}

export interface MergedPrediction {
  /** The candidate after pruning (with AD/VAF entries of pruned alts removed) and simplification. */
  readonly variant: CandidateVariant;
  /** Normalised genotype probabilities in VCF genotype order for the pruned variant. */
  readonly predictions: number[];
  readonly prunedAlts: string[];
}

/**
 * merge_predictions (docs/deepvariant.md §3.3 step 3). `cvos` are all CVOs of one site, already in
 * sortSiteOutputs order. Throws when they do not describe one candidate with the full set
 * of alt combinations (DeepVariant's is_valid_call_variants_outputs).
 */
export function mergePredictions(cvos: readonly CvoRecord[], multiAllelicQualFilter: number): MergedPrediction {
  const first = cvos[0];
  if (!first) throw new VariantLensError('invalid-argument', 'merge_predictions needs at least one call_variants output');
  const canonical = first.variant;
  const site = `${canonical.referenceName}:${canonical.start + 1}`;
  const seen = cvos.map((c) => [...c.altAlleleIndices].sort((a, b) => a - b).join(',')).sort();
  const expected = expectedAltIndexSets(canonical.alternateBases.length);
  if (seen.join('|') !== expected.join('|')) {
    throw new VariantLensError('invalid-argument',
      `${site}: call_variants outputs have alt allele indices [${seen.join('] [')}], expected [${expected.join('] [')}]`);
  }
  for (const c of cvos) {
    if (!sameCandidate(c.variant, canonical)) throw new VariantLensError('invalid-argument', `${site}: call_variants outputs of one site disagree on the candidate`);
    if (c.genotypeProbabilities.length !== 3) throw new VariantLensError('invalid-argument', `${site}: expected 3 genotype probabilities, got ${c.genotypeProbabilities.length}`);
  }
  if (cvos.length === 1) {
    return { variant: simplifyVariant(canonical), predictions: [...first.genotypeProbabilities], prunedAlts: [] };
  }

  const toRemove = altAllelesToRemove(cvos, multiAllelicQualFilter);

  // convert_call_variants_outputs_to_probs_dict: keys are allele *strings*, so one image's
  // p00 goes to (ref,ref), p0x to (ref,a) and pxx to every (a,b) of its alt set.
  const dict = new Map<string, number[]>();
  const push = (a: string, b: string, p: number): void => {
    const k = `${a}\u0000${b}`;
    const list = dict.get(k);
    if (list) list.push(p); else dict.set(k, [p]);
  };
  const ref = canonical.referenceBases;
  for (const cvo of cvos) {
    const alts = [...new Set(cvo.altAlleleIndices.map((i) => canonical.alternateBases[i]!))];
    if (alts.some((a) => toRemove.has(a))) continue; // images with a pruned alt are skipped entirely
    const [p00, p0x, pxx] = cvo.genotypeProbabilities as [number, number, number];
    push(ref, ref, p00);
    for (const a of alts) push(ref, a, p0x);
    for (const a of alts) for (const b of alts) push(a, b, pxx);
  }

  const pruned = pruneAlleles(canonical, toRemove);
  const alleles = [pruned.referenceBases, ...pruned.alternateBases];
  let predictions = genotypeOrder(pruned.alternateBases.length).map(([i, j]) => {
    const list = dict.get(`${alleles[i]}\u0000${alleles[j]}`);
    return list && list.length ? Math.min(...list) : 0;
  });
  if (pySum(predictions) === 0) predictions = predictions.map(() => 1.0);
  const denominator = pySum(predictions) || 1.0;
  predictions = predictions.map((p) => p / denominator);
  // Simplification must come after the lookup: the dictionary is keyed by unsimplified alleles.
  return { variant: simplifyVariant(pruned), predictions, prunedAlts: canonical.alternateBases.filter((a) => toRemove.has(a)) };
}

/** prune_alleles: drop alts and their AD (ref kept at index 0) and VAF entries. */
function pruneAlleles(v: CandidateVariant, toRemove: ReadonlySet<string>): CandidateVariant {
  if (toRemove.size === 0) return v;
  const keepAlt = v.alternateBases.map((a) => !toRemove.has(a));
  return {
    ...v,
    alternateBases: v.alternateBases.filter((_, i) => keepAlt[i]),
    ad: v.ad?.filter((_, i) => i === 0 || keepAlt[i - 1] === true),
    vaf: v.vaf?.filter((_, i) => keepAlt[i] === true),
  };
}

/** most_likely_genotype: argmax (first of equals) mapped to [h2, h1] with h2 ≤ h1. */
export function mostLikelyGenotype(predictions: readonly number[]): { index: number; genotype: [number, number] } {
  let best = 0;
  for (let i = 1; i < predictions.length; i++) if (predictions[i]! > predictions[best]!) best = i;
  let index = 0;
  for (let h1 = 0; ; h1++) {
    for (let h2 = 0; h2 <= h1; h2++) {
      if (index === best) return { index, genotype: [h2, h1] };
      index++;
    }
  }
}

/**
 * add_call_to_variant (docs/deepvariant.md §3.3 step 4): GT, GQ, QUAL, GL, uncall_gt_if_no_ad,
 * FILTER, then uncall_homref_gt_if_lowqual.
 */
export function addCallToVariant(
  variant: CandidateVariant, predictions: readonly number[], options: PostprocessOptions = DV_POSTPROCESS_DEFAULTS,
  prunedAlts: readonly string[] = [],
): GenotypeCall {
  const nGenotypes = genotypeOrder(variant.alternateBases.length).length;
  if (predictions.length !== nGenotypes) {
    throw new VariantLensError('invalid-argument',
      `${variant.referenceName}:${variant.start + 1}: ${predictions.length} genotype probabilities for ${variant.alternateBases.length} alt(s), expected ${nGenotypes}`);
  }
  const { index, genotype: gt } = mostLikelyGenotype(predictions);
  let { gq } = computeQuals(predictions, index);
  const { qual } = computeQuals(predictions, index);
  let genotype: [number, number] = gt;
  let gls = predictions.map(boundedLog10);
  // uncall_gt_if_no_ad: a missing AD sums to 0 as well.
  if (pySum(variant.ad ?? []) === 0) {
    genotype = [-1, -1];
    gls = [0, 0];
    gq = 0;
  }
  let filter: DvFilter;
  if (genotype[0] === -1 && genotype[1] === -1) filter = 'NoCall';
  else if (genotype[0] === 0 && genotype[1] === 0) filter = 'RefCall';
  else if (qual < options.qualFilter) filter = 'LowQual';
  else filter = 'PASS';
  if (filter === 'RefCall' && gq < options.cnnHomrefCallMinGq) genotype = [-1, -1];
  return {
    referenceName: variant.referenceName,
    start: variant.start,
    end: variant.end,
    referenceBases: variant.referenceBases,
    alternateBases: variant.alternateBases,
    callSetName: variant.callSetName || options.sampleName || DEFAULT_SAMPLE_NAME,
    quality: qual,
    filter,
    genotype,
    gq,
    genotypeLikelihoods: gls,
    probabilities: [...predictions],
    ...(variant.dp !== undefined ? { dp: variant.dp } : {}),
    ...(variant.ad !== undefined ? { ad: variant.ad } : {}),
    ...(variant.vaf !== undefined ? { vaf: variant.vaf } : {}),
    prunedAlts,
  };
}

/**
 * One site end to end, as postprocess_variants does it for a group: sort the CVOs by alt
 * indices, merge, and genotype. This is what the UI calls for "what does this model say
 * here" (haplotype resolution needs the neighbours; see postprocessVariants).
 */
export function postprocessSite(cvos: readonly CvoRecord[], options: PostprocessOptions = DV_POSTPROCESS_DEFAULTS): GenotypeCall {
  const merged = mergePredictions(sortSiteOutputs(cvos), options.multiAllelicQualFilter);
  return addCallToVariant(merged.variant, merged.predictions, options, merged.prunedAlts);
}
