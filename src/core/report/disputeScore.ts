/**
 * How much two call sets disagree at one diff site, and the most disputed sites of a diff
 * (the ten the demo report shows with their pileups). The score is lexicographic by design,
 * so a reader can predict the order without arithmetic:
 *
 *   score = 1000 · [GT differs] + 100 · [FILTER differs] + min(|ΔQUAL|, 99.9)
 *
 * - GT differs: the genotypes projected onto this allele (`SideCall.gt`, e.g. "0/1") are not
 *   equal. A side without the allele counts as "0/0": the model made no candidate there (or
 *   dropped it), which for a reviewer is "this model says no variant".
 * - FILTER differs: the FILTER classes (`filterStatus`: PASS, RefCall, LowQual, …) differ; a
 *   missing side counts as the class "absent", so only-A / only-B sites also score here.
 * - |ΔQUAL|: QUAL of a missing side (or a '.' QUAL) counts as 0. Capped below 100 so that it
 *   never outweighs a FILTER difference.
 *
 * Ties are broken by genome order (the diff's site order), so the ranking is deterministic.
 */
import { filterStatus, type DiffSite } from '../diff/diffClasses';

export interface DisputeScore {
  readonly score: number;
  readonly gtDiffers: boolean;
  readonly filterDiffers: boolean;
  /** |QUAL_A − QUAL_B| with a missing QUAL counted as 0 (not capped). */
  readonly qualDelta: number;
  /** Genotype of each side projected onto the allele; "0/0" for a missing side. */
  readonly gtA: string;
  readonly gtB: string;
  /** FILTER class of each side, "absent" for a missing side. */
  readonly filterA: string;
  readonly filterB: string;
}

/** Cap of the QUAL term, below the FILTER weight (100). */
export const QUAL_TERM_CAP = 99.9;

export function disputeScore(site: DiffSite): DisputeScore {
  const gtA = site.a?.gt ?? '0/0';
  const gtB = site.b?.gt ?? '0/0';
  const filterA = site.a ? filterStatus(site.a.filter) : 'absent';
  const filterB = site.b ? filterStatus(site.b.filter) : 'absent';
  const qualDelta = Math.abs((site.a?.qual ?? 0) - (site.b?.qual ?? 0));
  const gtDiffers = gtA !== gtB;
  const filterDiffers = filterA !== filterB;
  const score = (gtDiffers ? 1000 : 0) + (filterDiffers ? 100 : 0) + Math.min(qualDelta, QUAL_TERM_CAP);
  return { score, gtDiffers, filterDiffers, qualDelta, gtA, gtB, filterA, filterB };
}

export interface RankedSite {
  readonly site: DiffSite;
  readonly dispute: DisputeScore;
  /** 1-based rank. */
  readonly rank: number;
}

/**
 * The `n` highest-scoring sites, best first; sites with score 0 (no disagreement at all)
 * are never listed. `sites` must be in genome order (as the diff emits them): equal scores
 * keep that order.
 */
export function mostDisputedSites(sites: Iterable<DiffSite>, n: number): RankedSite[] {
  const scored: { site: DiffSite; dispute: DisputeScore; order: number }[] = [];
  let order = 0;
  for (const site of sites) {
    const dispute = disputeScore(site);
    if (dispute.score > 0) scored.push({ site, dispute, order: order++ });
  }
  scored.sort((x, y) => y.dispute.score - x.dispute.score || x.order - y.order);
  return scored.slice(0, Math.max(0, n)).map((s, i) => ({ site: s.site, dispute: s.dispute, rank: i + 1 }));
}
