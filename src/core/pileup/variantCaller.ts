/**
 * DeepVariant 1.5's very-sensitive caller (variant_calling_multisample.cc; docs/deepvariant.md §7.3):
 * turns allele counts at a position into a candidate variant with DP/AD/VAF and the read
 * names supporting each alt. Single sample, no gVCF reference sites.
 *
 * Besides the candidate it explains every observed allele (count, fraction, the threshold
 * that rejected it), so the UI can say "alt fraction 0.05 is below vsc_min_fraction_snps 0.12".
 */
import { ALLELE_TYPE_NAMES, AlleleType, type PositionCounts, type ReadAllele, totalAlleleCount } from './candidates/alleleCounter';

export interface CallerOptions {
  readonly vscMinCountSnps: number;
  readonly vscMinCountIndels: number;
  readonly vscMinFractionSnps: number;
  readonly vscMinFractionIndels: number;
}

/** DeepVariant's defaults (make_examples_options.py; docs/deepvariant.md §7.1). */
export const DEFAULT_CALLER_OPTIONS: CallerOptions = {
  vscMinCountSnps: 2,
  vscMinCountIndels: 2,
  vscMinFractionSnps: 0.12,
  vscMinFractionIndels: 0.06,
};

/** Key in `alleleSupport` for reads whose allele is not one of the called alts. */
export const UNCALLED_ALLELE = 'UNCALLED_ALLELE';

export type AlleleRejection = 'low-count' | 'soft-clip' | 'low-fraction';

/** One distinct non-reference allele seen at a position, with the caller's verdict. */
export interface AlleleSummary {
  readonly type: AlleleType;
  readonly typeName: string;
  /** Counter form: anchor base + inserted or deleted bases (a single base for substitutions). */
  readonly bases: string;
  /** Reads with this allele that are not low quality (what the thresholds see). */
  readonly count: number;
  /** Reads with this allele flagged low quality (they still get the supports colour). */
  readonly lowQualityCount: number;
  /** count / DP. */
  readonly fraction: number;
  readonly minCount: number;
  readonly minFraction: number;
  readonly accepted: boolean;
  readonly rejection: AlleleRejection | undefined;
  /** Human sentence, e.g. "SNP G: fraction 0.050 (2/40) is below vsc_min_fraction_snps 0.12". */
  readonly explanation: string;
  /** VCF-style ALT against the candidate's REF when accepted. */
  readonly altBases: string | undefined;
}

export interface Candidate {
  readonly contig: string;
  /** 0-based start (the VCF POS - 1). */
  readonly start: number;
  /** 0-based exclusive end: start + REF length. */
  readonly end: number;
  readonly refBases: string;
  /** Sorted lexicographically, as DeepVariant does. */
  readonly altBases: readonly string[];
  readonly dp: number;
  /** [ref, alt1, …]. */
  readonly ad: readonly number[];
  readonly vaf: readonly number[];
  /** alt (or UNCALLED_ALLELE) → read keys `name/read_number`, low-quality alleles included. */
  readonly alleleSupport: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface PositionAnalysis {
  readonly position: number;
  readonly refBase: string;
  readonly dp: number;
  readonly refSupport: number;
  readonly alleles: readonly AlleleSummary[];
  readonly candidate: Candidate | undefined;
  /** Why no candidate (undefined when there is one). */
  readonly noCandidateReason: string | undefined;
}

function isIndel(t: AlleleType): boolean {
  return t === AlleleType.INSERTION || t === AlleleType.DELETION || t === AlleleType.SOFT_CLIP;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : String(x);
}

/** Groups the non-reference read alleles by (bases, type): [count not low quality, low-quality count]. */
function sumAlleles(readAlleles: ReadonlyMap<string, ReadAllele>): Map<string, { type: AlleleType; bases: string; count: number; low: number }> {
  const out = new Map<string, { type: AlleleType; bases: string; count: number; low: number }>();
  for (const a of readAlleles.values()) {
    const k = `${a.type}:${a.bases}`;
    let e = out.get(k);
    if (!e) out.set(k, e = { type: a.type, bases: a.bases, count: 0, low: 0 });
    if (a.lowQuality) e.low++;
    else e.count++;
  }
  return out;
}

/** ALT string of a counter allele against a (possibly deletion-extended) REF (BuildAlleleMap). */
export function alleleToAlt(type: AlleleType, bases: string, refBases: string): string | undefined {
  switch (type) {
    case AlleleType.SUBSTITUTION:
    case AlleleType.INSERTION:
      return bases + refBases.slice(1);
    case AlleleType.DELETION:
      if (bases.length > refBases.length) return undefined; // does not fit this REF
      return bases[0]! + refBases.slice(bases.length);
    default:
      return undefined;
  }
}

/**
 * A cheap necessary condition for `analyzePosition(...).candidate`: every allele needs at
 * least min(vsc_min_count_snps, vsc_min_count_indels) non-low-quality reads, and no allele
 * can have more reads than all non-reference, non-low-quality read alleles together. Most
 * non-reference positions (one sequencing error) fail it, and then skipping
 * `analyzePosition`, which also builds every allele's explanation text, changes nothing.
 */
export function mayBeCandidate(counts: PositionCounts, options: CallerOptions = DEFAULT_CALLER_OPTIONS): boolean {
  const need = Math.min(options.vscMinCountSnps, options.vscMinCountIndels);
  let n = 0;
  for (const a of counts.readAlleles.values()) if (!a.lowQuality && ++n >= need) return true;
  return n >= need;
}

/** Runs the caller at one position (CallVariant). */
export function analyzePosition(contig: string, counts: PositionCounts, options: CallerOptions = DEFAULT_CALLER_OPTIONS): PositionAnalysis {
  const dp = totalAlleleCount(counts);
  const summaries: AlleleSummary[] = [];
  const good: { type: AlleleType; bases: string; count: number }[] = [];
  for (const e of sumAlleles(counts.readAlleles).values()) {
    const indel = isIndel(e.type);
    const minCount = indel ? options.vscMinCountIndels : options.vscMinCountSnps;
    const minFraction = indel ? options.vscMinFractionIndels : options.vscMinFractionSnps;
    const fraction = dp > 0 ? e.count / dp : 0;
    // IsGoodAltAllele order: count, soft clip, fraction (docs/deepvariant.md §7.3).
    let rejection: AlleleRejection | undefined;
    if (e.count < minCount) rejection = 'low-count';
    else if (e.type === AlleleType.SOFT_CLIP) rejection = 'soft-clip';
    else if (fraction < minFraction) rejection = 'low-fraction';
    const label = `${ALLELE_TYPE_NAMES[e.type]} ${e.bases}`;
    const countFlag = indel ? 'vsc_min_count_indels' : 'vsc_min_count_snps';
    const fracFlag = indel ? 'vsc_min_fraction_indels' : 'vsc_min_fraction_snps';
    const lowNote = e.low > 0 ? ` (+${e.low} low-quality read${e.low > 1 ? 's' : ''} not counted)` : '';
    const explanation =
      rejection === 'low-count' ? `${label}: ${e.count} supporting read${e.count === 1 ? '' : 's'}${lowNote} is below ${countFlag} ${minCount}`
        : rejection === 'soft-clip' ? `${label}: soft clips are never candidates`
          : rejection === 'low-fraction' ? `${label}: alt fraction ${fmt(fraction)} (${e.count}/${dp}) is below ${fracFlag} ${minFraction}`
            : `${label}: ${e.count}/${dp} reads, fraction ${fmt(fraction)} ≥ ${fracFlag} ${minFraction}`;
    summaries.push({ type: e.type, typeName: ALLELE_TYPE_NAMES[e.type], bases: e.bases, count: e.count, lowQualityCount: e.low, fraction, minCount, minFraction, accepted: rejection === undefined, rejection, explanation, altBases: undefined });
    if (!rejection) good.push(e);
  }
  const refBase = counts.refBase;
  const base = { position: counts.position, refBase, dp, refSupport: counts.refSupport };
  if (!/^[ACGT]$/.test(refBase)) {
    return { ...base, alleles: summaries, candidate: undefined, noCandidateReason: `the reference base "${refBase || '?'}" is not A, C, G or T` };
  }
  if (good.length === 0) {
    const why = summaries.length === 0 ? 'no read shows a non-reference allele here' : summaries.map((s) => s.explanation).join('; ');
    return { ...base, alleles: summaries, candidate: undefined, noCandidateReason: why };
  }
  // CalcRefBases: REF grows by the longest deletion's deleted bases.
  let longestDel: { bases: string } | undefined;
  for (const g of good) if (g.type === AlleleType.DELETION && (!longestDel || g.bases.length > longestDel.bases.length)) longestDel = g;
  const refBases = longestDel ? refBase + longestDel.bases.slice(1) : refBase;
  const altOf = new Map<string, string>(); // `${type}:${bases}` → ALT
  const countOf = new Map<string, number>();
  for (const g of good) {
    const alt = alleleToAlt(g.type, g.bases, refBases)!;
    if (countOf.has(alt)) continue; // two alleles spelling the same ALT: keep the first (DeepVariant CHECK-fails here)
    altOf.set(`${g.type}:${g.bases}`, alt);
    countOf.set(alt, g.count);
  }
  const altBases = [...countOf.keys()].sort();
  const ad = [counts.refSupport, ...altBases.map((a) => countOf.get(a)!)];
  const vaf = altBases.map((a) => countOf.get(a)! / dp);
  const support = new Map<string, Set<string>>();
  for (const [key, a] of counts.readAlleles) {
    const alt = altOf.get(`${a.type}:${a.bases}`) ?? UNCALLED_ALLELE;
    let s = support.get(alt);
    if (!s) support.set(alt, s = new Set());
    s.add(key);
  }
  const alleles = summaries.map((s) => (s.accepted ? { ...s, altBases: altOf.get(`${s.type}:${s.bases}`) } : s));
  const candidate: Candidate = { contig, start: counts.position, end: counts.position + refBases.length, refBases, altBases, dp, ad, vaf, alleleSupport: support };
  return { ...base, alleles, candidate, noCandidateReason: undefined };
}

/**
 * Support for alleles given from outside (a VCF record, a golden example): each read's
 * allele is spelled against `refBases` and matched to `altBases`; anything else is
 * UNCALLED_ALLELE. DP/AD/VAF are counted the same way as the caller counts them.
 */
export function supportForAlleles(contig: string, counts: PositionCounts, refBases: string, altBases: readonly string[]): Candidate {
  const dp = totalAlleleCount(counts);
  const alts = new Set(altBases);
  const support = new Map<string, Set<string>>();
  const adOf = new Map<string, number>(altBases.map((a) => [a, 0]));
  for (const [key, a] of counts.readAlleles) {
    const spelled = alleleToAlt(a.type, a.bases, refBases);
    const alt = spelled !== undefined && alts.has(spelled) ? spelled : UNCALLED_ALLELE;
    let s = support.get(alt);
    if (!s) support.set(alt, s = new Set());
    s.add(key);
    if (alt !== UNCALLED_ALLELE && !a.lowQuality) adOf.set(alt, (adOf.get(alt) ?? 0) + 1);
  }
  const ad = [counts.refSupport, ...altBases.map((a) => adOf.get(a) ?? 0)];
  return {
    contig, start: counts.position, end: counts.position + refBases.length, refBases, altBases: [...altBases], dp, ad,
    vaf: altBases.map((a) => (dp > 0 ? (adOf.get(a) ?? 0) / dp : 0)), alleleSupport: support,
  };
}
