/**
 * Sensitivity curves: the site's reads changed the way DeepVariant's own knobs change them,
 * then imaged again through the same make_examples stages (read filters → allele counter →
 * candidate → read selection → encoder; src/core/pileup/siteExamples.ts `siteFromPartition`):
 *
 *   depth            keep a fraction of the reads, 10 % … 100 % (as `--downsample_fraction`),
 *                    stratified: alt-supporting and other reads are thinned by the same
 *                    fraction (at least one of each kept), so the alt fraction stays put
 *   altFraction      remove the alt-supporting reads step by step (11 points, all → none);
 *                    x is the alt fraction the allele counter then sees (AD alts / DP)
 *   baseQuality      shift every base quality by −30 … +15 (clamped to 0–93)
 *   mappingQuality   cap every MAPQ at 0 … 60 (reads under min_mapping_quality then drop out)
 *
 * Which reads are dropped is decided by a hash of (seed, read key), so the same seed drops
 * the same reads for every model and every run.
 *
 * Coordinates: 0-based (`start` of the site is the variant's first reference base).
 */
import type { AlignedRead } from '../io/sam/alignedRead';
import { AlleleCounter } from '../pileup/candidates/alleleCounter';
import { readKey, readRejection } from '../pileup/candidates/readFilters';
import { type Partition, type PipelineOptions, type SiteExamples, siteFromPartition } from '../pileup/siteExamples';
import { analyzePosition } from '../pileup/variantCaller';

export type CurveName = 'depth' | 'altFraction' | 'baseQuality' | 'mappingQuality';
export const CURVE_NAMES: readonly CurveName[] = ['depth', 'altFraction', 'baseQuality', 'mappingQuality'];

export const DEPTH_FRACTIONS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
export const ALT_KEPT_FRACTIONS: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
export const BASE_QUALITY_SHIFTS: readonly number[] = [-30, -25, -20, -15, -10, -5, 0, 5, 10, 15];
export const MAPPING_QUALITY_CAPS: readonly number[] = [0, 5, 10, 15, 20, 25, 30, 40, 50, 60];

export const CURVE_TEXT: Readonly<Record<CurveName, { xLabel: string; description: string }>> = {
  depth: { xLabel: 'fraction of reads kept', description: 'reads downsampled to 10 %…100 % (alt-supporting and other reads thinned alike, seeded), then imaged again' },
  altFraction: { xLabel: 'alt allele fraction (AD alts / DP)', description: 'alt-supporting reads removed step by step (seeded order), then imaged again' },
  baseQuality: { xLabel: 'base quality shift', description: 'every base quality shifted by x (clamped to 0–93), then filtered, counted and imaged again' },
  mappingQuality: { xLabel: 'MAPQ cap', description: 'every MAPQ capped at x, then filtered, counted and imaged again (reads under min_mapping_quality drop out)' },
};

/** FNV-1a of `seed:key`: a stable pseudo-random rank of a read. */
export function readRank(seed: number, key: string): number {
  let h = 0x811c9dc5;
  const s = `${seed}:${key}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Reads in rank order (ties by key). */
function ranked(reads: readonly AlignedRead[], seed: number): AlignedRead[] {
  return reads
    .map((r) => ({ r, key: readKey(r), rank: 0 }))
    .map((x) => ({ ...x, rank: readRank(seed, x.key) }))
    .sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.r);
}

/** The reads of the site's partition that overlap the read-selection window [start-5, end+5), in partition order. */
export function offeredReads(partition: Partition, site: SiteExamples, options: PipelineOptions): AlignedRead[] {
  const qs = site.start - options.readOverlapBufferBp;
  const qe = site.start + site.refBases.length + options.readOverlapBufferBp;
  return partition.reads.filter((r) => r.start < qe && r.end > qs);
}

/** Keys of the reads that support one of the site's alts (allele_support of the site's variant). */
export function altSupportKeys(site: SiteExamples): Set<string> {
  const out = new Set<string>();
  for (const alt of site.altBases) for (const k of site.variant.alleleSupport.get(alt) ?? []) out.add(k);
  return out;
}

/**
 * Images the site again from changed reads: the reads pass the model's read filters again,
 * are counted again (allele support, DP/AD, candidate) and selected and encoded again. The
 * images are made for the site's alleles (DeepVariant's candidate when it covers them).
 */
export function reimage(partition: Partition, reads: readonly AlignedRead[], site: SiteExamples, options: PipelineOptions): SiteExamples {
  const kept = reads.filter((r) => readRejection(r, options.readRequirements) === undefined);
  const region = partition.region;
  const counter = new AlleleCounter(region.contig, region.start, region.end, partition.ref, options.readRequirements);
  for (const r of kept) counter.add(r);
  const analysis = analyzePosition(region.contig, counter.countsAt(site.start), options.caller);
  const p: Partition = { ...partition, reads: kept, counter };
  return siteFromPartition(p, analysis, { refBases: site.refBases, altBases: site.altBases }, 'prefer-candidate', options);
}

export interface CurvePoint {
  readonly x: number;
  readonly reads: AlignedRead[];
}

/** The changed read sets of one curve (x per point; `altFraction` x is filled in after imaging). */
export function curveReadSets(name: CurveName, offered: readonly AlignedRead[], altKeys: ReadonlySet<string>, seed: number): CurvePoint[] {
  const keepOrder = (subset: ReadonlySet<AlignedRead>): AlignedRead[] => offered.filter((r) => subset.has(r));
  switch (name) {
    case 'depth': {
      const alt = ranked(offered.filter((r) => altKeys.has(readKey(r))), seed);
      const other = ranked(offered.filter((r) => !altKeys.has(readKey(r))), seed);
      const take = (list: AlignedRead[], f: number): AlignedRead[] => list.slice(0, list.length === 0 ? 0 : Math.max(1, Math.round(f * list.length)));
      return DEPTH_FRACTIONS.map((f) => ({ x: f, reads: keepOrder(new Set([...take(alt, f), ...take(other, f)])) }));
    }
    case 'altFraction': {
      const alt = ranked(offered.filter((r) => altKeys.has(readKey(r))), seed);
      return ALT_KEPT_FRACTIONS.map((f) => {
        const removed = new Set(alt.slice(0, alt.length - Math.round(f * alt.length)));
        return { x: f, reads: offered.filter((r) => !removed.has(r)) };
      });
    }
    case 'baseQuality':
      return BASE_QUALITY_SHIFTS.map((d) => ({
        x: d,
        reads: offered.map((r) => ({ ...r, qual: r.qual.map((q) => (q === 255 ? q : Math.max(0, Math.min(93, q + d)))) })),
      }));
    case 'mappingQuality':
      return MAPPING_QUALITY_CAPS.map((cap) => ({ x: cap, reads: offered.map((r) => (r.mapq > cap ? { ...r, mapq: cap } : r)) }));
  }
}
