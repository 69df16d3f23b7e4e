/**
 * DeepVariant 1.5's local realigner for one partition (`deepvariant/realigner/realigner.py:
 * Realigner.realign_reads`, `make_examples_core.py: RegionProcessor.realign_reads`;
 * docs/deepvariant.md §11.1–§11.7):
 *
 *   reads longer than 500 bases are set aside (never realigned);
 *   windows ← window selector over the rest (windowSelector.ts);
 *   per window (≤ 1000 bp, on the contig): haplotypes ← de Bruijn graph of the window's
 *     reference and the reads overlapping it (debruijnGraph.ts); windows whose only
 *     haplotype is the reference are dropped;
 *   each read goes to the assembled window it overlaps most (ties: the first window);
 *   per window: reads aligned to the haplotypes padded with 20 bp of reference beyond the
 *     window and the reads (fastPassAligner.ts);
 *   output: long reads, then unassigned reads, then each window's reads, each in input order.
 *
 * The output order is the order every later stage (allele counter, pileup ties) sees.
 */
import type { AlignedRead } from '../../io/sam/alignedRead';
import type { RefWindow } from '../candidates/alleleCounter';
import { type AlignerOptions, type AlignedReadResult, DV_ALIGNER_OPTIONS, fastPassAlign } from './fastPassAligner';
import { DV_DEBRUIJN_OPTIONS, DeBruijnGraph, type DeBruijnOptions } from './debruijnGraph';
import { DV_WINDOW_SELECTOR_OPTIONS, type Window, type WindowSelectorOptions, selectWindows } from './windowSelector';

export interface RealignerOptions {
  readonly windowSelector: WindowSelectorOptions;
  readonly debruijn: DeBruijnOptions;
  readonly aligner: AlignerOptions;
  /** Reads with more bases than this are not realigned (1.5: 500, hard-coded). */
  readonly maxReadLengthToRealign: number;
  /** Reference added around each window's reads for alignment (`_REF_ALIGN_MARGIN`). */
  readonly refAlignMargin: number;
}

export const DV_REALIGNER_OPTIONS: RealignerOptions = {
  windowSelector: DV_WINDOW_SELECTOR_OPTIONS,
  debruijn: DV_DEBRUIJN_OPTIONS,
  aligner: DV_ALIGNER_OPTIONS,
  maxReadLengthToRealign: 500,
  refAlignMargin: 20,
};

/** Reference bases around the partition plus the contig length (windows off the contig are skipped). */
export interface RealignmentReference extends RefWindow {
  readonly contigLength: number;
}

export interface RealignmentRegion {
  readonly contig: string;
  readonly start: number;
  readonly end: number;
}

export interface AssembledWindow extends Window {
  /** Sorted candidate haplotypes of the window (reference included). */
  readonly haplotypes: readonly string[];
  /** k of the graph that produced them. */
  readonly k: number;
  /** Reads assigned to the window. */
  readonly readCount: number;
  /** How many of them got a new alignment. */
  readonly realigned: number;
}

export interface RealignmentResult {
  /** Reads in DeepVariant's output order. */
  readonly reads: AlignedRead[];
  /** Every window the selector proposed. */
  readonly windows: readonly Window[];
  /** The windows that were assembled into haplotypes other than the reference alone. */
  readonly assembled: readonly AssembledWindow[];
  /** Per output read index: its fate ('long', 'unassigned' or the aligner's outcome). */
  readonly outcomes: readonly ('long' | 'unassigned' | AlignedReadResult['outcome'])[];
}

function refSlice(ref: RefWindow, start: number, end: number): string {
  const i = start - ref.start;
  const j = end - ref.start;
  if (i < 0 || j > ref.bases.length) throw new RangeError(`realigner: reference [${start}, ${end}) is outside the fetched window [${ref.start}, ${ref.start + ref.bases.length})`);
  return ref.bases.slice(i, j);
}

function overlap(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  return Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart));
}

/**
 * Realigns one partition's reads (already filtered and sampled, in input order).
 *
 * With `focus` (one site's reads, e.g. a click in the inspector), only what the reads over
 * `focus` depend on is done, and only the reads that end up overlapping `focus` are returned,
 * with the alignments and in the relative order of the whole-partition run. The windows are
 * selected over the whole partition as always; with D the longest reference span of a read
 * plus the alignment margin, a window's reads end up within D of the window, so only windows
 * within D of `focus` are aligned; a read's window is the assembled window it overlaps most,
 * so the windows within D + D of `focus` (every window a read of an aligned window or a read
 * over `focus` can overlap) are assembled; the others are not looked at. `assembled` then
 * lists only the windows aligned.
 */
export function realignReads(reads: readonly AlignedRead[], region: RealignmentRegion, reference: RealignmentReference, options: RealignerOptions = DV_REALIGNER_OPTIONS, focus?: Window): RealignmentResult {
  const long: AlignedRead[] = [];
  const short: AlignedRead[] = [];
  for (const r of reads) (r.seq.length > options.maxReadLengthToRealign ? long : short).push(r);
  const windows = selectWindows(short, region.contig, region, reference.contigLength, reference, options.windowSelector);

  const assembled: { start: number; end: number; haplotypes: string[]; k: number; reads: AlignedRead[]; align: boolean }[] = [];
  // Read spans read once (a read's end may be computed on access).
  const starts = new Float64Array(short.length);
  const ends = new Float64Array(short.length);
  let maxSpan = 0;
  for (let i = 0; i < short.length; i++) {
    starts[i] = short[i]!.start;
    ends[i] = short[i]!.end;
    if (ends[i]! - starts[i]! > maxSpan) maxSpan = ends[i]! - starts[i]!;
  }
  const reach = maxSpan + options.refAlignMargin;
  const near = (w: Window, d: number): boolean => !focus || (w.start - d < focus.end && w.end + d > focus.start);
  for (const w of windows) {
    if (w.end - w.start > options.windowSelector.maxWindowSize) continue;
    if (w.start < 0 || w.end > reference.contigLength) continue;
    if (!near(w, 2 * reach)) continue;
    const ref = refSlice(reference, w.start, w.end);
    const windowReads: AlignedRead[] = [];
    for (let i = 0; i < short.length; i++) if (starts[i]! < w.end && ends[i]! > w.start) windowReads.push(short[i]!);
    const graph = DeBruijnGraph.build(ref, windowReads, options.debruijn);
    const haplotypes = graph ? graph.candidateHaplotypes() : [ref];
    if (haplotypes.length === 0 || (haplotypes.length === 1 && haplotypes[0] === ref)) continue;
    assembled.push({ start: w.start, end: w.end, haplotypes, k: graph?.k ?? 0, reads: [], align: near(w, reach) });
  }

  const outReads: AlignedRead[] = [...long];
  const outcomes: RealignmentResult['outcomes'][number][] = long.map(() => 'long' as const);
  for (let ri = 0; ri < short.length; ri++) {
    const r = short[ri]!;
    let best = -1;
    let bestLen = 0;
    for (let i = 0; i < assembled.length; i++) {
      const len = overlap(starts[ri]!, ends[ri]!, assembled[i]!.start, assembled[i]!.end);
      if (len > bestLen) { bestLen = len; best = i; }
    }
    if (best < 0) { outReads.push(r); outcomes.push('unassigned'); } else assembled[best]!.reads.push(r);
  }

  const info: AssembledWindow[] = [];
  for (const a of assembled) {
    if (!a.align) continue;
    let realigned = 0;
    if (a.reads.length > 0) {
      let spanStart = Infinity;
      let spanEnd = -Infinity;
      for (const r of a.reads) { if (r.start < spanStart) spanStart = r.start; if (r.end > spanEnd) spanEnd = r.end; }
      const refStart = Math.max(0, Math.min(spanStart, a.start) - options.refAlignMargin);
      const refEnd = Math.min(reference.contigLength, Math.max(spanEnd, a.end) + options.refAlignMargin);
      if (refEnd <= a.end) {
        for (const r of a.reads) { outReads.push(r); outcomes.push('unassigned'); }
      } else {
        const prefix = refSlice(reference, refStart, a.start);
        const suffix = refSlice(reference, a.end, refEnd);
        const windowRef = refSlice(reference, a.start, a.end);
        const results = fastPassAlign({
          reference: prefix + windowRef + suffix,
          haplotypes: a.haplotypes.map((h) => prefix + h + suffix),
          refStart,
          refPrefixLength: prefix.length,
          refSuffixLength: suffix.length,
          options: options.aligner,
        }, a.reads);
        for (const res of results) {
          if (!res.read) continue;
          outReads.push(res.read);
          outcomes.push(res.outcome);
          if (res.outcome === 'realigned') realigned++;
        }
      }
    }
    info.push({ start: a.start, end: a.end, haplotypes: a.haplotypes, k: a.k, readCount: a.reads.length, realigned });
  }
  if (!focus) return { reads: outReads, windows, assembled: info, outcomes };
  const keep: number[] = [];
  for (let i = 0; i < outReads.length; i++) if (outReads[i]!.start < focus.end && outReads[i]!.end > focus.start) keep.push(i);
  return { reads: keep.map((i) => outReads[i]!), windows, assembled: info, outcomes: keep.map((i) => outcomes[i]!) };
}
