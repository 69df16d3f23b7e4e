/**
 * The VCF diff engine: streams two coordinate-sorted VCFs side by side (one SideStream each,
 * sideStream.ts: reading, normalizing every ALT allele — split, trim, left-align,
 * variantNormalizer.ts — and re-sorting), matches alleles by
 * (contig, POS, REF, ALT) and classifies every allele (diffClasses.ts). Memory is bounded
 * by the largest locus group plus the re-sorting window (`siteWindow`, like bcftools norm
 * --site-win): normalized alleles are held until the raw stream is `siteWindow` bases past
 * them, because left-alignment can move an allele before alleles already read.
 *
 * Contig order (docs/decisions/0006-diff-matching.md): the reference's .fai order when a
 * reference is given, else A's header order followed by B's extra contigs. A file whose
 * header lists the shared contigs in another order is read contig by contig through its
 * index (`VcfSource.query`); a file whose body breaks the order fails with a message that
 * says how to sort it. Contig names are matched exactly, else through the 'chr' alias
 * ('20' ↔ 'chr20') (contigOrder.ts). Genotypes are parsed once per distinct text
 * (genotypeCache.ts), in a cache that lives for one run.
 *
 * Coordinates: VCF POS (1-based) throughout; `region` is 0-based half-open like every
 * `query` in src/core/io.
 */
import { VariantLensError, throwIfAborted } from '../errors';
import type { ReferenceSource } from '../io/fasta/referenceSource';
import type { VcfHeader } from '../io/vcf/vcfRecord';
import type { VcfSource } from '../io/vcf/vcfSource';
import type { BedRegions } from './bedRegions';
import { ContigOrder } from './contigOrder';
import { classMask, classesOfMask, type DiffSite, type DiffVariantKind, type SideCall, type SiteFeatureValues } from './diffClasses';
import { DiffSiteList } from './diffSiteList';
import { DiffSummaryBuilder, type DiffSummary, type HaplotypeStats } from './diffSummary';
import { GenotypeCache } from './genotypeCache';
import { SideStream, type AlleleItem, type DiffRegion } from './sideStream';
import { Stratifier } from './stratification';

export type { DiffRegion } from './sideStream';

export interface DiffProgress {
  readonly recordsA: number;
  readonly recordsB: number;
  readonly contig: string;
  /** 1-based POS of the last allele compared. */
  readonly pos: number;
  /** 0..1 by genome position when contig lengths are known (reference or header), else undefined. */
  readonly fraction: number | undefined;
}

export interface VcfDiffOptions {
  /** When given, indels are left-aligned against it and contigs follow its .fai order. */
  readonly reference?: ReferenceSource;
  /** Sample of each file: a name, or a 0-based index. Default: the first sample. */
  readonly sampleA?: string | number;
  readonly sampleB?: string | number;
  /** 'qual-change' when |QUAL_A − QUAL_B| is greater than this. Default 10. */
  readonly qualDelta?: number;
  /** Declares one side the truth: the summary then carries TP/FP/FN, precision, recall, F1. */
  readonly truth?: 'A' | 'B';
  /** Stratify by these regions (each carries its name). */
  readonly beds?: readonly BedRegions[];
  /** Only records overlapping this region (needs indexed or indexable inputs). */
  readonly region?: DiffRegion;
  /** Called for every differing site in genome order (and for 'same' ones with includeSame). */
  readonly onSite?: (site: DiffSite) => void;
  readonly includeSame?: boolean;
  /** Called about every `progressEvery` records and once at the end. */
  readonly onProgress?: (p: DiffProgress) => void;
  readonly progressEvery?: number;
  /** Re-sorting window in bases after left-alignment. Default 1000 (bcftools norm --site-win). */
  readonly siteWindow?: number;
  /** Read each sample's DP and AD into the SideCalls (for site features). */
  readonly sampleFields?: boolean;
  /**
   * [haplotype hook] A stage every classified allele passes through on its way to counting
   * (diff/haplotype/haplotypeStage.ts: superloci, haplotype replay, 'same-haplotypes', the
   * truth benchmark; docs/decisions/0013-haplotype-matching.md). Built by the caller, so this
   * folder does not import diff/haplotype.
   */
  readonly haplotypes?: (emit: AlleleSink) => AlleleStage;
}

/** [haplotype hook] Where a stage sends each allele, in order, with its (possibly changed) class mask. */
export type AlleleSink = (x: StageAlleleFields, a: SideCall | undefined, b: SideCall | undefined, mask: number) => void;

/** [haplotype hook] The allele fields a stage sees. */
export interface StageAlleleFields {
  readonly contig: string;
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly kind: DiffVariantKind;
  /**
   * Set by a features stage (diff/features): handed on to the site. A stage may reuse the
   * object (and the fields object itself) for the next allele: the engine copies both into
   * the sites it keeps.
   */
  readonly features?: SiteFeatureValues;
}

/** [haplotype hook] What the engine needs from a stage. */
export interface AlleleStage {
  push(x: StageAlleleFields, a: SideCall | undefined, b: SideCall | undefined, mask: number): void;
  /** True when the engine should `await drain()` before reading on. */
  readonly backlog: boolean;
  drain(final?: boolean): Promise<void>;
  /** Statistics for `DiffSummary.haplotypes` (a haplotype stage has them). */
  summaryStats?(): HaplotypeStats;
}

export const DEFAULT_QUAL_DELTA = 10;

/**
 * Diffs A against B. Resolves with the summary once both files are read; differing sites
 * stream through `options.onSite` meanwhile. Rejects with `cancelled` when `signal` fires,
 * and with a VariantLensError naming the file for unsorted or malformed input.
 */
export async function diffVcfs(a: VcfSource, b: VcfSource, options: VcfDiffOptions = {}, signal?: AbortSignal): Promise<DiffSummary> {
  throwIfAborted(signal);
  const [headerA, headerB, refContigs] = await Promise.all([
    a.header(signal),
    b.header(signal),
    options.reference ? options.reference.contigs(signal) : Promise.resolve(undefined),
  ]);
  const sampleA = resolveSample(headerA, options.sampleA, a.path);
  const sampleB = resolveSample(headerB, options.sampleB, b.path);

  const contigs = new ContigOrder();
  if (refContigs) for (const c of refContigs) contigs.add(c.name, c.length);
  else for (const h of [headerA, headerB]) for (const c of h.contigs) contigs.add(c.name, c.length);
  for (const h of [headerA, headerB]) for (const c of h.contigs) contigs.setLengthIfUnknown(c.name, c.length);

  const qualDelta = options.qualDelta ?? DEFAULT_QUAL_DELTA;
  const regionText = options.region ? `${options.region.contig}:${options.region.start + 1}-${options.region.end}` : undefined;
  const beds = options.beds ?? [];
  const builder = new DiffSummaryBuilder({
    fileA: a.path, fileB: b.path,
    sampleA: sampleA.name, sampleB: sampleB.name,
    qualDelta, normalized: options.reference !== undefined, truth: options.truth, region: regionText,
    beds: beds.map((x) => `${x.name}=${x.path}`),
  }, new Stratifier(beds));

  const window = options.siteWindow ?? 1000;
  const genotypes = new GenotypeCache();
  const sideA = new SideStream('A', a, headerA, sampleA.index, genotypes, contigs, options, window, builder, signal);
  const sideB = new SideStream('B', b, headerB, sampleB.index, genotypes, contigs, options, window, builder, signal);
  const onSite = options.onSite;
  const includeSame = options.includeSame === true;
  const progressEvery = options.progressEvery ?? 200_000;
  let nextProgress = progressEvery;
  let lastContig = '';
  let lastPos = 0;
  const report = (): void => {
    const r = options.region;
    const fraction = r ? Math.max(0, Math.min(1, (lastPos - 1 - r.start) / Math.max(1, r.end - r.start))) : contigs.fraction(lastContig, lastPos);
    options.onProgress?.({ recordsA: sideA.records, recordsB: sideB.records, contig: lastContig, pos: lastPos, fraction });
  };

  const scratch: { -readonly [K in keyof DiffSite]: DiffSite[K] } = { contig: '', pos: 0, ref: '', alt: '', kind: 'SNP', a: undefined, b: undefined, classes: classesOfMask(1) };
  const groupA: AlleleItem[] = [];
  const groupB: AlleleItem[] = [];
  // The allele items themselves serve as SideCalls for counting; sites that leave the engine
  // get clean SideCall copies (no engine fields in what the UI and writers see).
  const emitFinal: AlleleSink = (x, callA, callB, mask) => {
    if (onSite && (includeSame || mask !== 1 /* a lone 'same' */)) {
      const site: DiffSite = x.features === undefined
        ? { contig: x.contig, pos: x.pos, ref: x.ref, alt: x.alt, kind: x.kind, a: sideCallOf(callA), b: sideCallOf(callB), classes: classesOfMask(mask) }
        : { contig: x.contig, pos: x.pos, ref: x.ref, alt: x.alt, kind: x.kind, a: sideCallOf(callA), b: sideCallOf(callB), classes: classesOfMask(mask), features: featuresOf(x.features) };
      builder.add(site, mask);
      onSite(site);
    } else {
      // Nobody keeps this site: count it through one reused object (no allocation per 'same' allele).
      scratch.contig = x.contig;
      scratch.pos = x.pos;
      scratch.ref = x.ref;
      scratch.alt = x.alt;
      scratch.kind = x.kind;
      scratch.a = callA;
      scratch.b = callB;
      // (scratch.classes is not kept up to date: `add` counts by the mask it is given.)
      builder.add(scratch, mask);
    }
  };
  // [haplotype hook] alleles pass through the haplotype stage (superloci, replay) on their way to counting.
  const hap = options.haplotypes?.(emitFinal);
  const emit = (x: AlleleItem, callA: AlleleItem | undefined, callB: AlleleItem | undefined): void => {
    const mask = classMask(callA, callB, qualDelta);
    // B's DP and AD (read lazily with sampleFields, sideStream.ts) where anything reads them:
    // a site handed to onSite (a stage never turns a 'same' allele into another class), and
    // the per-call features, which take B's value only when A has none.
    if (callB?.deferred !== undefined && (includeSame || mask !== 1 || callA === undefined || callA.dp === undefined || callA.vaf === undefined)) sideB.resolveDepth(callB);
    if (hap) hap.push(x, callA, callB, mask); // [haplotype hook]
    else emitFinal(x, callA, callB, mask);
    if (sideA.records + sideB.records >= nextProgress) {
      nextProgress += progressEvery;
      lastContig = x.contig;
      lastPos = x.pos;
      throwIfAborted(signal);
      report();
    }
  };

  for (;;) {
    if (hap?.backlog) await hap.drain(); // [haplotype hook]
    if (sideA.i >= sideA.ready.length && !sideA.done) await sideA.fill();
    if (sideB.i >= sideB.ready.length && !sideB.done) await sideB.fill();
    const ha = sideA.ready[sideA.i];
    const hb = sideB.ready[sideB.i];
    if (!ha && !hb) break;
    // Fast paths: one allele at this locus on each side (the common case), or on one side only.
    if (ha && hb && ha.rank === hb.rank && ha.pos === hb.pos) {
      const na = sideA.ready[sideA.i + 1];
      const nb = sideB.ready[sideB.i + 1];
      if (na && nb && (na.pos !== ha.pos || na.rank !== ha.rank) && (nb.pos !== hb.pos || nb.rank !== hb.rank) && ha.ref === hb.ref && ha.alt === hb.alt) {
        sideA.i++;
        sideB.i++;
        emit(ha, ha, hb);
        continue;
      }
    } else if (ha || hb) {
      const aFirst = ha !== undefined && (!hb || ha.rank < hb.rank || (ha.rank === hb.rank && ha.pos < hb.pos));
      const side = aFirst ? sideA : sideB;
      const h = (aFirst ? ha : hb)!;
      const next = side.ready[side.i + 1];
      if (next && (next.pos !== h.pos || next.rank !== h.rank) && (aFirst ? sideB.done || hb !== undefined : sideA.done || ha !== undefined)) {
        side.i++;
        if (aFirst) emit(h, h, undefined);
        else emit(h, undefined, h);
        continue;
      }
    }
    const lead = !hb || (ha && (ha.rank < hb.rank || (ha.rank === hb.rank && ha.pos <= hb.pos))) ? ha! : hb;
    const rank = lead.rank;
    const pos = lead.pos;
    await sideA.takeGroup(rank, pos, groupA);
    await sideB.takeGroup(rank, pos, groupB);
    // Pair equal alleles; the usual group is one allele on each side, or one on one side.
    for (const x of groupA) {
      let match: AlleleItem | undefined;
      for (let j = 0; j < groupB.length; j++) {
        const y = groupB[j]!;
        if (!y.used && y.ref === x.ref && y.alt === x.alt) { match = y; y.used = true; break; }
      }
      emit(x, x, match);
    }
    for (const y of groupB) if (!y.used) emit(y, undefined, y);
  }
  // [haplotype hook] the last superloci, then the stage's statistics in the summary.
  if (hap) await hap.drain(true);
  report();
  const summary = builder.finish();
  if (hap?.summaryStats) summary.haplotypes = hap.summaryStats();
  return summary;
}

/** The SideCall part of an allele, as its own object (what sites handed to `onSite` carry). */
function sideCallOf(x: SideCall | undefined): SideCall | undefined {
  if (x === undefined) return undefined;
  return { gt: x.gt, recordGt: x.recordGt, called: x.called, qual: x.qual, filter: x.filter, gq: x.gq, recordPos: x.recordPos, lineNumber: x.lineNumber, dp: x.dp, vaf: x.vaf, mid: x.mid };
}

/** A kept copy of a stage's (reused) features object. */
function featuresOf(f: SiteFeatureValues): SiteFeatureValues {
  return { homopolymer: f.homopolymer, repeatUnit: f.repeatUnit, repeatCopies: f.repeatCopies, gc: f.gc, neighborDistance: f.neighborDistance, heldOut: f.heldOut };
}

function resolveSample(header: VcfHeader, wanted: string | number | undefined, file: string): { index: number; name: string } {
  const samples = header.samples;
  if (wanted === undefined) return { index: 0, name: samples[0] ?? '(no samples)' };
  if (typeof wanted === 'string') {
    const i = samples.indexOf(wanted);
    if (i >= 0) return { index: i, name: wanted };
    if (/^\d+$/.test(wanted)) return resolveSample(header, Number(wanted), file);
    throw new VariantLensError('invalid-argument', `sample "${wanted}" is not in this VCF (samples: ${samples.join(', ') || 'none'})`, file);
  }
  if (!Number.isInteger(wanted) || wanted < 0 || wanted >= samples.length) {
    throw new VariantLensError('invalid-argument', `sample index ${wanted} is out of range: the VCF has ${samples.length} sample(s)`, file);
  }
  return { index: wanted, name: samples[wanted]! };
}

export type { DiffSite };

/**
 * For the diff editor: runs the diff and keeps every differing site in a list the UI can
 * filter, sort and page (`sites.query({...}).page(offset, limit)`).
 */
export async function collectVcfDiff(
  a: VcfSource, b: VcfSource, options: VcfDiffOptions = {}, signal?: AbortSignal,
): Promise<{ summary: DiffSummary; sites: DiffSiteList }> {
  const sites = new DiffSiteList();
  const forward = options.onSite;
  const summary = await diffVcfs(a, b, { ...options, onSite: (s) => { sites.push(s); forward?.(s); } }, signal);
  return { summary, sites };
}
