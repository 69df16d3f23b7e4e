/**
 * DeepVariant's haplotype conflict resolution (haplotypes.maybe_resolve_conflicting_variants,
 * docs/deepvariant.md §3.3 step 5). The CNN genotypes each candidate alone, so overlapping calls can
 * claim more than two non-reference alleles at one base (e.g. a het deletion and a hom-alt
 * SNP inside it). Such groups are re-genotyped jointly over every configuration that fits
 * a diploid genome; the result is used only when the joint maximum agrees with each
 * variant's marginal maximum. Only GT and GL change; GQ, QUAL and FILTER are kept.
 *
 * Coordinates: 0-based half-open `start`/`end`, after allele simplification.
 */
import { genotypeLikelihoodIndex, genotypeOrder, type GenotypeCall } from './genotypePostprocess';

/** _MAX_OVERLAPPING_VARIANTS_TO_RESOLVE: 3^12 configurations at most. */
export const MAX_OVERLAPPING_VARIANTS_TO_RESOLVE = 12;
const PLOIDY = 2;

function nonrefCount(c: GenotypeCall): number {
  return (c.genotype[0] > 0 ? 1 : 0) + (c.genotype[1] > 0 ? 1 : 0);
}

/** _group_overlapping_variants: runs of calls (in sorted order) that overlap on one contig. */
export function groupOverlapping<T extends { referenceName: string; start: number; end: number }>(sorted: readonly T[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let prevChrom: string | undefined;
  let prevMaxEnd = -1;
  for (const v of sorted) {
    if (v.referenceName !== prevChrom || v.start >= prevMaxEnd) {
      if (current.length) groups.push(current);
      current = [v];
      prevChrom = v.referenceName;
      prevMaxEnd = v.end;
    } else {
      current.push(v);
      prevMaxEnd = Math.max(prevMaxEnd, v.end);
    }
  }
  if (current.length) groups.push(current);
  return groups;
}

/** _VariantCompatibilityCalculator.all_variants_compatible: ≤ ploidy alt alleles at every base. */
function compatibilityChecker(vs: readonly GenotypeCall[]): (counts: readonly number[]) => boolean {
  const minStart = Math.min(...vs.map((v) => v.start));
  const spans = vs.map((v) => [v.start - minStart, v.end - minStart] as const);
  const size = Math.max(...vs.map((v) => v.end - minStart));
  return (counts) => {
    const alts = new Int32Array(size);
    counts.forEach((cnt, i) => {
      const [s, e] = spans[i]!;
      for (let p = s; p < e; p++) alts[p]! += cnt;
    });
    return alts.every((x) => x <= PLOIDY);
  };
}

/** allele_indices_with_num_alts for diploids. */
function alleleIndicesWithNumAlts(numAltAlleles: number, numNonref: number): [number, number][] {
  if (numNonref === 0) return [[0, 0]];
  if (numNonref === 1) return Array.from({ length: numAltAlleles }, (_, i) => [0, i + 1] as [number, number]);
  const out: [number, number][] = [];
  for (let i = 1; i <= numAltAlleles; i++) for (let j = i; j <= numAltAlleles; j++) out.push([i, j]);
  return out;
}

/** itertools.product over lists, in Python's order (last list varies fastest). */
function* product<T>(lists: readonly (readonly T[])[]): Generator<T[]> {
  if (lists.some((l) => l.length === 0)) return;
  const idx = new Array<number>(lists.length).fill(0);
  while (true) {
    yield idx.map((k, i) => lists[i]![k]!);
    let d = lists.length - 1;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < lists[d]!.length) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}

/** genomics_math.log10sumexp. */
function log10SumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  let s = 0;
  for (const x of xs) s += Math.pow(10, x - m);
  return m + Math.log10(s);
}

/** genomics_math.normalize_log10_probs. */
function normalizeLog10(xs: readonly number[]): number[] {
  const lse = log10SumExp(xs);
  return xs.map((x) => Math.min(x - lse, 0));
}

function argmax(xs: readonly number[]): number {
  let b = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[b]!) b = i;
  return b;
}

/** _resolve_overlapping_variants for one group of overlapping non-reference calls. */
function resolveOverlapping(group: readonly GenotypeCall[]): GenotypeCall[] {
  if (group.length === 1) return [...group];
  const compatible = compatibilityChecker(group);
  if (compatible(group.map(nonrefCount))) return [...group];
  if (group.length > MAX_OVERLAPPING_VARIANTS_TO_RESOLVE) return [...group];

  const countConfigs = [...product(group.map(() => [0, 1, 2]))].filter((c) => compatible(c));
  const containers = group.map((v) => genotypeOrder(v.alternateBases.length).map(() => [] as number[]));
  let best: [number, number][] | undefined;
  let bestLikelihood: number | undefined;
  for (const counts of countConfigs) {
    const choices = group.map((v, i) => alleleIndicesWithNumAlts(v.alternateBases.length, counts[i]!));
    for (const config of product(choices)) {
      let likelihood = 0;
      config.forEach(([a, b], i) => { likelihood += group[i]!.genotypeLikelihoods[genotypeLikelihoodIndex(a, b)]!; });
      if (bestLikelihood === undefined || likelihood > bestLikelihood) { bestLikelihood = likelihood; best = config; }
      config.forEach(([a, b], i) => { containers[i]![genotypeLikelihoodIndex(a, b)]!.push(likelihood); });
    }
  }
  if (!best || containers.some((c) => c.some((l) => l.length === 0))) return [...group];
  const scaled = containers.map((c) => normalizeLog10(c.map(log10SumExp)));
  const marginal = scaled.map((gls, i) => genotypeOrder(group[i]!.alternateBases.length)[argmax(gls)]!);
  const agree = marginal.every(([a, b], i) => a === best![i]![0] && b === best![i]![1]);
  if (!agree) return [...group];
  return group.map((v, i) => ({ ...v, genotype: best![i]!, genotypeLikelihoods: scaled[i]!, haplotypeResolved: true }));
}

/** _maybe_resolve_mixed_calls: resolve only the non-reference calls, then re-sort by range. */
function resolveMixed(block: readonly GenotypeCall[]): GenotypeCall[] {
  if (block.length === 1) return [...block];
  const reference = block.filter((c) => nonrefCount(c) === 0);
  const variants = block.filter((c) => nonrefCount(c) > 0);
  const resolved = groupOverlapping(variants).flatMap(resolveOverlapping);
  // Python's stable sort by (reference_name, start, end); reference calls come first on ties.
  return [...reference, ...resolved].sort((a, b) =>
    (a.referenceName < b.referenceName ? -1 : a.referenceName > b.referenceName ? 1 : 0) || a.start - b.start || a.end - b.end);
}

/**
 * maybe_resolve_conflicting_variants over calls already in coordinate order (contig order
 * of the reference, then start, then end). Returns the calls in the same order.
 */
export function resolveConflictingVariants(sortedCalls: readonly GenotypeCall[]): GenotypeCall[] {
  return groupOverlapping(sortedCalls).flatMap(resolveMixed);
}
