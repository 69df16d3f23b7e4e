/**
 * The features stage of a diff: every classified allele (the agreed ones too) passes through
 * it on its way to counting. It adds the reference context (referenceContext.ts), the
 * distance to the nearest site at another POS and the hold-out flag to each site, and counts
 * every feature bin (featureBins.ts) by group — agreed sites, disputes, each dispute class —
 * plus, with a truth side, the query's TP/FP/FN. The counts become `summary.features` and the
 * ranking `summary.enrichment` (enrichment.ts). One pass, no second read of the VCFs; the
 * reference is read in 1 MiB blocks in genome order.
 *
 * Disputes are the sites whose calls differ: gt-change, filter-change, only-A, only-B; a
 * QUAL-only change (and a same-haplotypes site) is agreed.
 */
import { throwIfAborted } from '../../errors';
import type { ReferenceSource } from '../../io/fasta/referenceSource';
import { DISPUTE_CLASSES, maskOfClasses, type DiffSite, type SideCall, type SiteFeatureValues } from '../diffClasses';
import { truthOutcome, type HaplotypeStats } from '../diffSummary';
import type { AlleleSink, AlleleStage, StageAlleleFields } from '../vcfDiff';
import { FEATURES, callBinsInto, siteFeatureBinsInto, type FeatureName } from './featureBins';
import { rankEnrichment, type BinCounts, type EnrichmentEntry } from './enrichment';
import { ReferenceBlock, type MutableReferenceContext } from './referenceContext';

/** The groups each bin counts: agreed sites, any dispute, and each dispute class. */
export const FEATURE_GROUPS = ['agreed', 'dispute', 'gt-change', 'filter-change', 'only-A', 'only-B'] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];

/** DeepVariant's released models hold out chr20–22 (docs/deepvariant.md §1). */
export const DEFAULT_HELD_OUT_CONTIGS: readonly string[] = ['chr20', 'chr21', 'chr22'];

const GT_CHANGE = maskOfClasses(['gt-change']);
const FILTER_CHANGE = maskOfClasses(['filter-change']);
const ONLY_A = maskOfClasses(['only-A']);
const ONLY_B = maskOfClasses(['only-B']);
const DISPUTE = maskOfClasses(DISPUTE_CLASSES);

/** True when a class mask holds a dispute (the calls differ). */
export function isDisputeMask(mask: number): boolean {
  return (mask & DISPUTE) !== 0;
}

/** A 2-D histogram of A's value against B's (sites with a record on both sides). */
export interface JointHistogram {
  readonly feature: 'qual' | 'gq';
  /** Bin k holds [edges[k], edges[k + 1]); the last bin is open above. */
  readonly edges: readonly number[];
  /** counts[ka][kb]. */
  readonly counts: number[][];
}

export interface FeatureBinSummary {
  readonly feature: FeatureName;
  readonly bin: string;
  /** Bounds of a numeric bin ([lo, hi); null for categories and the '.' bin). */
  readonly lo: number | null;
  readonly hi: number | null;
  readonly counts: Record<FeatureGroup, number>;
  /** With a truth side: the query's outcomes at the sites of this bin. */
  readonly truth?: { tp: number; fp: number; fn: number };
}

export interface FeatureSummary {
  readonly groups: readonly FeatureGroup[];
  readonly totals: Record<FeatureGroup, number>;
  readonly bins: FeatureBinSummary[];
  readonly joint: JointHistogram[];
  /** The side taken as truth for the TP/FP/FN per bin, if any. */
  readonly truth: 'A' | 'B' | null;
  readonly heldOutContigs: readonly string[];
}

export interface FeatureStageOptions {
  readonly reference?: ReferenceSource;
  readonly heldOutContigs?: readonly string[];
  readonly truth?: 'A' | 'B';
  readonly signal?: AbortSignal;
}

/** FEATURE_OFFSET[f]: the first bin of feature f among all features' bins (the last entry: all bins). */
const FEATURE_OFFSET = Int32Array.from({ length: FEATURES.length + 1 }, (_, f) => FEATURES.slice(0, f).reduce((n, d) => n + d.bins.length, 0));

const BLOCK = 1 << 20;
/** Alleles between drains the stage asks for (as often as before it finished sites as they come). */
const DRAIN_EVERY = 4096;
const MARGIN = 2048;
const JOINT_EDGES = Array.from({ length: 21 }, (_, k) => k * 5); // 0, 5, …, 100 (last open)
const JOINT = JOINT_EDGES.length;

/**
 * Sites are finished as they arrive: a POS's alleles wait only for the next POS (their
 * neighbour distance), and an allele is queued only while the reference block its context
 * needs is read (once per 1 MiB) — no array of held alleles, no per-allele await. The
 * features object and the fields handed on are reused from site to site — the engine copies
 * what it keeps (vcfDiff.ts), so a whole genome of agreed sites allocates nothing here.
 */
export class FeatureStage implements AlleleStage {
  /** The alleles at the current POS (`gContig`, `gPos`), waiting for the next POS. */
  private gx: StageAlleleFields[] = [];
  private ga: (SideCall | undefined)[] = [];
  private gb: (SideCall | undefined)[] = [];
  private gm: number[] = [];
  private gn = 0;
  private gContig = '';
  private gPos = 0;
  /** The group's reference context was found (its contig is in the reference). */
  private gHasContext = false;
  /** Alleles that arrived while the stage waited for the reference (the contig list or a block), in order. */
  private qx: StageAlleleFields[] = [];
  private qa: (SideCall | undefined)[] = [];
  private qb: (SideCall | undefined)[] = [];
  private qm: number[] = [];
  private qh = 0;
  /** Alleles pushed since the last drain. */
  private sinceDrain = 0;
  private block: ReferenceBlock | undefined;
  private lengths: Map<string, number> | undefined;
  private prevContig = '';
  private prevPos = -1;
  private readonly heldOut: Set<string>;
  private readonly flat = new Float64Array(FEATURE_OFFSET[FEATURES.length]! * FEATURE_GROUPS.length);
  private readonly truthCounts: Float64Array[] | undefined;
  /** The agreed group's counts (feature f, bin k at offset[f] + k) and total; `flat` holds the other groups. */
  private readonly agreed = new Float64Array(FEATURE_OFFSET[FEATURES.length]!);
  private agreedTotal = 0;
  private readonly totals = new Float64Array(FEATURE_GROUPS.length);
  /** The QUAL and the GQ 2-D histograms, cell [ka][kb] of the first at ka · JOINT + kb, of the second JOINT² further. */
  private readonly jointCells = new Float64Array(2 * JOINT * JOINT);
  private readonly bins = new Int32Array(FEATURES.length);
  private readonly context: MutableReferenceContext = { homopolymer: 1, repeatUnit: 0, repeatCopies: 0, gc: undefined };
  private readonly features: { -readonly [K in keyof SiteFeatureValues]: SiteFeatureValues[K] } = { homopolymer: undefined, repeatUnit: undefined, repeatCopies: undefined, gc: undefined, neighborDistance: undefined, heldOut: false };
  private readonly site: { -readonly [K in keyof DiffSite]: DiffSite[K] } = { contig: '', pos: 0, ref: '', alt: '', kind: 'SNP', a: undefined, b: undefined, classes: [], features: undefined };

  constructor(private readonly emit: AlleleSink, private readonly options: FeatureStageOptions = {}) {
    this.heldOut = new Set((options.heldOutContigs ?? DEFAULT_HELD_OUT_CONTIGS).map(contigKey));
    this.truthCounts = options.truth ? FEATURES.map((f) => new Float64Array(f.bins.length * 3)) : undefined;
    this.site.features = this.features;
  }

  push(x: StageAlleleFields, a: SideCall | undefined, b: SideCall | undefined, mask: number): void {
    this.sinceDrain++;
    if (this.qh < this.qx.length || !this.step(x, a, b, mask)) {
      this.qx.push(x);
      this.qa.push(a);
      this.qb.push(b);
      this.qm.push(mask);
    }
  }

  /**
   * True while alleles wait for the reference, and after every 4,096 alleles: the engine then
   * drains before reading on — this stage and the stage before it (chainStages), which holds
   * its alleles until drained. (The drains every 4,096 alleles keep the cadence the stages
   * had before this one finished sites as they come.)
   */
  get backlog(): boolean {
    return this.qh < this.qx.length || this.sinceDrain >= DRAIN_EVERY;
  }

  async drain(final = false): Promise<void> {
    this.sinceDrain = 0;
    const reference = this.options.reference;
    if (reference !== undefined && !this.lengths) this.lengths = new Map((await reference.contigs(this.options.signal)).map((c) => [c.name, c.length]));
    const qx = this.qx;
    while (this.qh < qx.length) {
      const k = this.qh;
      const x = qx[k]!;
      if (!this.step(x, this.qa[k], this.qb[k], this.qm[k]!)) {
        // The block this POS needs: awaited once per 1 MiB, never per site.
        await this.loadBlock(x.contig, x.pos - 1, x.ref.length, this.lengths!.get(x.contig)!);
        continue;
      }
      this.qh++;
    }
    if (this.qh > 0) {
      this.qx.length = 0;
      this.qa.length = 0;
      this.qb.length = 0;
      this.qm.length = 0;
      this.qh = 0;
    }
    if (final && this.gn > 0) this.finishGroup(undefined);
  }

  /**
   * Takes one allele: finishes the current POS when the allele starts another, then adds it
   * to its POS. False (nothing done) when the allele starts a POS whose reference context
   * needs what is not loaded yet (the contig list, or another block).
   */
  private step(x: StageAlleleFields, a: SideCall | undefined, b: SideCall | undefined, mask: number): boolean {
    if (this.gn === 0 || x.contig !== this.gContig || x.pos !== this.gPos) {
      // A new POS: its context first (the first allele's REF length, as every allele of the POS shares it).
      let hasContext = false;
      if (this.options.reference !== undefined) {
        const lengths = this.lengths;
        if (lengths === undefined) return false;
        if (lengths.has(x.contig)) {
          const i = x.pos - 1;
          const block = this.block;
          if (!block || block.contig !== x.contig || !block.covers(i, x.ref.length)) return false;
          // The previous POS is finished before the context object is refilled.
          if (this.gn > 0) this.finishGroup(x.contig === this.gContig ? x.pos : undefined);
          block.contextInto(i, x.ref.length, this.context);
          hasContext = true;
        }
      }
      if (this.gn > 0) this.finishGroup(x.contig === this.gContig ? x.pos : undefined);
      this.gContig = x.contig;
      this.gPos = x.pos;
      this.gHasContext = hasContext;
    }
    const n = this.gn++;
    this.gx[n] = x;
    this.ga[n] = a;
    this.gb[n] = b;
    this.gm[n] = mask;
    return true;
  }

  /** Reads the block of the reference around 0-based `i` on `contig` (of length `len`). */
  private async loadBlock(contig: string, i: number, refLen: number, len: number): Promise<void> {
    throwIfAborted(this.options.signal);
    const start = Math.max(0, Math.floor(i / BLOCK) * BLOCK - MARGIN);
    const end = Math.min(len, Math.max(start + BLOCK + 2 * MARGIN, i + refLen + 2 * MARGIN));
    const seq = await this.options.reference!.fetch(contig, start, end, this.options.signal);
    if (this.block) this.block.load(contig, start, seq, len);
    else this.block = new ReferenceBlock(contig, start, seq, len);
  }

  /** Counts and hands on the alleles of the current POS; `next`: the next POS on the contig. */
  private finishGroup(next: number | undefined): void {
    const contig = this.gContig;
    const pos = this.gPos;
    const prev = this.prevContig === contig && this.prevPos >= 0 && this.prevPos !== pos ? pos - this.prevPos : undefined;
    const after = next === undefined ? undefined : next - pos;
    const f = this.features;
    const c = this.context;
    const hasContext = this.gHasContext;
    f.homopolymer = hasContext ? c.homopolymer : undefined;
    f.repeatUnit = hasContext ? c.repeatUnit : undefined;
    f.repeatCopies = hasContext ? c.repeatCopies : undefined;
    f.gc = hasContext ? c.gc : undefined;
    f.neighborDistance = prev === undefined ? after : after === undefined ? prev : Math.min(prev, after);
    f.heldOut = this.isHeldOut(contig);
    // The site's own bins (reference context, neighbour, hold-out) once for the POS.
    siteFeatureBinsInto(f, this.bins);
    const n = this.gn;
    this.gn = 0;
    for (let k = 0; k < n; k++) {
      const x = this.gx[k]!;
      const a = this.ga[k];
      const b = this.gb[k];
      const mask = this.gm[k]!;
      // One reused object is both the site the bins read and the fields handed on (the engine
      // reads contig, pos, ref, alt, kind and features of it, and copies what it keeps).
      const s = this.site;
      s.contig = x.contig;
      s.pos = x.pos;
      s.ref = x.ref;
      s.alt = x.alt;
      s.kind = x.kind;
      s.a = a;
      s.b = b;
      this.count(s, a, b, mask);
      this.emit(s, a, b, mask);
      // Let go of the allele (held on, it would outlive the young generation).
      this.gx[k] = undefined!;
      this.ga[k] = undefined;
      this.gb[k] = undefined;
    }
    this.prevContig = contig;
    this.prevPos = pos;
  }

  private heldOutContig = '';
  private heldOutValue = false;

  private isHeldOut(contig: string): boolean {
    if (contig !== this.heldOutContig) {
      this.heldOutContig = contig;
      this.heldOutValue = this.heldOut.has(contigKey(contig));
    }
    return this.heldOutValue;
  }

  private count(s: DiffSite, a: SideCall | undefined, b: SideCall | undefined, mask: number): void {
    const bins = this.bins;
    callBinsInto(s, bins);
    const offset = FEATURE_OFFSET;
    const F = bins.length;
    if ((mask & DISPUTE) === 0) {
      // Agreed (most sites): their own array, one group (no ×G index, no group loop).
      this.agreedTotal++;
      const agreed = this.agreed;
      for (let f = 0; f < F; f++) agreed[offset[f]! + bins[f]!]!++;
    } else {
      const groups = groupsOf(mask);
      const G = FEATURE_GROUPS.length;
      const flat = this.flat;
      for (let g = 1; g < G; g++) if (groups & (1 << g)) this.totals[g]!++;
      // One flat array: feature f, bin k, group g at (offset[f] + k) * G + g.
      for (let f = 0; f < F; f++) {
        const base = (offset[f]! + bins[f]!) * G;
        for (let g = 1; g < G; g++) if (groups & (1 << g)) flat[base + g]!++;
      }
    }
    if (this.truthCounts) {
      const truth = truthOutcome(s, this.options.truth!);
      if (truth) {
        for (let f = 0; f < F; f++) {
          const t = this.truthCounts[f]!;
          const k = bins[f]!;
          t[k * 3]! += truth.tp;
          t[k * 3 + 1]! += truth.fp;
          t[k * 3 + 2]! += truth.fn;
        }
      }
    }
    if (a !== undefined && b !== undefined) {
      const joint = this.jointCells;
      const qa = jointBin(a.qual);
      const qb = jointBin(b.qual);
      if (qa >= 0 && qb >= 0) joint[qa * JOINT + qb]!++;
      const ga = jointBin(a.gq);
      const gb = jointBin(b.gq);
      if (ga >= 0 && gb >= 0) joint[JOINT * JOINT + ga * JOINT + gb]!++;
    }
  }

  /** The binned counts (summary.features). */
  summary(): FeatureSummary {
    const G = FEATURE_GROUPS.length;
    const bins: FeatureBinSummary[] = [];
    FEATURES.forEach((def, f) => {
      def.bins.forEach((bin, k) => {
        const cell = FEATURE_OFFSET[f]! + k;
        const counts = Object.fromEntries(FEATURE_GROUPS.map((g, gi) => [g, gi === 0 ? this.agreed[cell]! : this.flat[cell * G + gi]!])) as Record<FeatureGroup, number>;
        const t = this.truthCounts?.[f];
        bins.push({
          feature: def.name, bin: bin.label,
          lo: bin.lo === undefined || !Number.isFinite(bin.lo) ? null : bin.lo,
          hi: bin.hi === undefined || !Number.isFinite(bin.hi) ? null : bin.hi,
          counts,
          ...(t ? { truth: { tp: t[k * 3]!, fp: t[k * 3 + 1]!, fn: t[k * 3 + 2]! } } : {}),
        });
      });
    });
    return {
      groups: FEATURE_GROUPS,
      totals: Object.fromEntries(FEATURE_GROUPS.map((g, gi) => [g, gi === 0 ? this.agreedTotal : this.totals[gi]!])) as Record<FeatureGroup, number>,
      bins,
      joint: [
        { feature: 'qual', edges: JOINT_EDGES, counts: jointCounts(this.jointCells, 0) },
        { feature: 'gq', edges: JOINT_EDGES, counts: jointCounts(this.jointCells, JOINT * JOINT) },
      ],
      truth: this.options.truth ?? null,
      heldOutContigs: [...(this.options.heldOutContigs ?? DEFAULT_HELD_OUT_CONTIGS)],
    };
  }
}

/**
 * Two stages in a row (the haplotype stage, then the features stage): what the engine's one
 * stage hook takes. The first stage's output feeds the second; both drain when the engine
 * drains; the first one's statistics are the summary's.
 */
export function chainStages(
  first: ((emit: AlleleSink) => AlleleStage) | undefined,
  second: (emit: AlleleSink) => AlleleStage,
): (emit: AlleleSink) => AlleleStage {
  return (emit) => {
    const s2 = second(emit);
    if (!first) return s2;
    return new ChainedStages(first((x, a, b, mask) => s2.push(x, a, b, mask)), s2);
  };
}

/**
 * Two stages in a row as one (a class: the engine asks `backlog` and calls `push` for every
 * allele, and an object literal with a getter is a dictionary-mode object, each of those
 * a slow lookup).
 */
class ChainedStages implements AlleleStage {
  readonly summaryStats: (() => HaplotypeStats) | undefined;

  constructor(private readonly s1: AlleleStage, private readonly s2: AlleleStage) {
    this.summaryStats = s1.summaryStats ? () => s1.summaryStats!() : undefined;
  }

  push(x: StageAlleleFields, a: SideCall | undefined, b: SideCall | undefined, mask: number): void {
    this.s1.push(x, a, b, mask);
  }

  get backlog(): boolean {
    return this.s1.backlog || this.s2.backlog;
  }

  async drain(final?: boolean): Promise<void> {
    await this.s1.drain(final);
    await this.s2.drain(final);
  }
}

/** The ranked enrichment of every dispute class (and of disputes as a whole) over agreed sites. */
export function enrichmentOf(summary: FeatureSummary, minDisputed = 3): EnrichmentEntry[] {
  const input: BinCounts[] = [];
  for (const bin of summary.bins) {
    const def = FEATURES.find((f) => f.name === bin.feature)!;
    for (const g of FEATURE_GROUPS) {
      if (g === 'agreed') continue;
      input.push({
        class: g, feature: bin.feature, featureLabel: def.label, bin: bin.bin,
        disputed: bin.counts[g], agreed: bin.counts.agreed,
        disputedTotal: summary.totals[g], agreedTotal: summary.totals.agreed,
      });
    }
  }
  return rankEnrichment(input, minDisputed);
}

/** Bit g set ↔ the site counts in FEATURE_GROUPS[g]. */
function groupsOf(mask: number): number {
  if ((mask & DISPUTE) === 0) return 1; // agreed
  let g = 2; // dispute
  if (mask & GT_CHANGE) g |= 4;
  if (mask & FILTER_CHANGE) g |= 8;
  if (mask & ONLY_A) g |= 16;
  if (mask & ONLY_B) g |= 32;
  return g;
}

/** The cell of a value in the 2-D histograms (5-unit cells, the last open above; below 0: the first); -1 for a value that is not a finite number. */
function jointBin(v: number | undefined): number {
  if (v === undefined || !Number.isFinite(v)) return -1;
  return Math.max(0, Math.min(JOINT - 1, Math.floor(v / 5)));
}

/** One 2-D histogram of `cells` (from `at`) as counts[ka][kb]. */
function jointCounts(cells: Float64Array, at: number): number[][] {
  return JOINT_EDGES.map((_, ka) => JOINT_EDGES.map((_, kb) => cells[at + ka * JOINT + kb]!));
}

/** chr20 and 20 are one contig. */
function contigKey(c: string): string {
  return c.replace(/^chr/i, '').toUpperCase();
}
