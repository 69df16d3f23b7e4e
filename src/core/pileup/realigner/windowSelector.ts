/**
 * DeepVariant's realignment window selector, VARIANT_READS model, as in 1.5
 * (`deepvariant/realigner/window_selector.py`, `window_selector.cc`; docs/deepvariant.md §11.4):
 *
 *  1. count alleles over the region expanded by `region_expansion_in_bp` (20) with an allele
 *     counter that skips reads with MAPQ < 20 and flags bases with quality < 20 as low quality;
 *  2. per position, +1 for every non-low-quality allele over its span: a substitution at its
 *     position; an insertion or soft clip of n bases over [anchor+1−n, anchor+1+n); a deletion
 *     of n bases over the deleted bases;
 *  3. positions whose count is within [min_num_supporting_reads, max_num_supporting_reads]
 *     (2..300) are candidates;
 *  4. candidates closer than 2·min_windows_distance (80) are merged into runs, and each run
 *     becomes the window [first − 80, last + 80).
 */
import type { AlignedRead } from '../../io/sam/alignedRead';
import { AlleleCounter, AlleleType, type RefWindow } from '../candidates/alleleCounter';

export interface WindowSelectorOptions {
  readonly minNumSupportingReads: number;
  readonly maxNumSupportingReads: number;
  readonly minMapq: number;
  readonly minBaseQuality: number;
  readonly minWindowsDistance: number;
  /** Windows wider than this are not assembled (checked by the realigner). */
  readonly maxWindowSize: number;
  readonly regionExpansionInBp: number;
}

/** `ws_*` flag defaults of make_examples 1.5 (deepvariant/realigner/realigner.py). */
export const DV_WINDOW_SELECTOR_OPTIONS: WindowSelectorOptions = {
  minNumSupportingReads: 2,
  maxNumSupportingReads: 300,
  minMapq: 20,
  minBaseQuality: 20,
  minWindowsDistance: 80,
  maxWindowSize: 1000,
  regionExpansionInBp: 20,
};

/** A 0-based half-open interval on the region's contig (may start below 0 or end past the contig). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * Per-position VARIANT_READS counts over `expanded` (index i is position expanded.start + i).
 * `ref` must cover `expanded` and one base before the earliest read.
 */
export function variantReadCounts(reads: readonly AlignedRead[], contig: string, expanded: Window, ref: RefWindow, o: WindowSelectorOptions = DV_WINDOW_SELECTOR_OPTIONS): Int32Array {
  const n = expanded.end - expanded.start;
  const counts = new Int32Array(Math.max(0, n));
  if (n <= 0) return counts;
  const counter = new AlleleCounter(contig, expanded.start, expanded.end, ref, { minMappingQuality: o.minMapq, minBaseQuality: o.minBaseQuality });
  for (const r of reads) counter.add(r);
  const bump = (from: number, to: number): void => {
    const a = Math.max(0, from);
    const b = Math.min(n, to);
    for (let i = a; i < b; i++) counts[i]!++;
  };
  for (const pos of counter.nonRefPositions()) {
    const i = pos - expanded.start;
    for (const a of counter.countsAt(pos).readAlleles.values()) {
      if (a.lowQuality) continue; // 1.5 skips low-quality alleles
      const len = a.bases.length;
      switch (a.type) {
        case AlleleType.SUBSTITUTION: bump(i, i + 1); break;
        case AlleleType.INSERTION:
        case AlleleType.SOFT_CLIP: bump(i + 1 - (len - 1), i + len); break;
        case AlleleType.DELETION: bump(i + 1, i + len); break;
        default: break;
      }
    }
  }
  return counts;
}

/** Candidate positions → windows (`_candidates_to_windows`), sorted by start then end. */
export function candidatesToWindows(positions: readonly number[], distance: number): Window[] {
  const sorted = [...positions].sort((a, b) => a - b);
  const out: Window[] = [];
  let first = NaN;
  let last = NaN;
  for (const p of sorted) {
    if (Number.isNaN(first)) { first = p; last = p; } else if (p > last + 2 * distance) {
      out.push({ start: first - distance, end: last + distance });
      first = p;
      last = p;
    } else last = p;
  }
  if (!Number.isNaN(first)) out.push({ start: first - distance, end: last + distance });
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * `select_windows`: the windows of `region` that need assembly. No reads → no windows.
 * `contigLength` clamps the expanded counting interval.
 */
export function selectWindows(reads: readonly AlignedRead[], contig: string, region: Window, contigLength: number, ref: RefWindow, o: WindowSelectorOptions = DV_WINDOW_SELECTOR_OPTIONS): Window[] {
  if (reads.length === 0) return [];
  const expanded = { start: Math.max(region.start - o.regionExpansionInBp, 0), end: Math.min(region.end + o.regionExpansionInBp, contigLength) };
  const counts = variantReadCounts(reads, contig, expanded, ref, o);
  const candidates: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c >= o.minNumSupportingReads && c <= o.maxNumSupportingReads) candidates.push(expanded.start + i);
  }
  return candidatesToWindows(candidates, o.minWindowsDistance);
}
