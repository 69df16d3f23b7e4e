/**
 * The make_examples pipeline for one site or one region, as explicit stages
 * (docs/deepvariant.md §1.3 for the order):
 *
 *   fetch      reads of a 1000-bp partition (blocks of partitions are fetched once and cached)
 *   filter     SamReader requirements (readFilters.ts)
 *   sample     per-partition reservoir sample to 1500 reads (numpy RandomState(609314161))
 *   realign    optional hook (`PipelineOptions.realigner`); DeepVariant runs its realigner here
 *   count      allele counter over the partition → candidates (alleleCounter.ts, variantCaller.ts)
 *   select     reads overlapping [start-5, end+5), downsampled and ordered (pileupEncoder.ts)
 *   encode     CIGAR walk, one image per alt-allele combination
 *
 * Coordinates: 0-based half-open everywhere except `position` (1-based VCF POS).
 */
import type { AlignedRead, AlignmentSource } from '../io/sam/alignedRead';
import type { ReferenceSource } from '../io/fasta/referenceSource';
import { VariantLensError, isCancelled, throwIfAborted } from '../errors';
import { resolveContig } from '../io/contigAliases';
import type { PileupTensor } from '../io/examples/pileupTensor';
import { AlleleCounter, type RefWindow } from './candidates/alleleCounter';
import { type MultiAllelicMode, altAlleleCombinations } from './altAlleleCombinations';
import { DEFAULT_EXAMPLE_INFO, type ExampleInfo } from '../io/examples/exampleInfo';
import { type CohortRecord, type PopulationVcfs, alleleFrequencies } from './alleleFrequency';
import { alignToAlts, altBlockOrder, assembleAltLayout, isIndel, pileupChannels } from './altAlignedPileup';
import { type EncodedRows, type EncoderOptions, type ReadSelection, type RowInfo, encodeRows, encoderOptionsFromExampleInfo, rowInfos, selectReads, withSupports } from './pileupEncoder';
import { reservoirSample } from './numpyRandomState';
import { realignReads } from './realigner/realigner';
import { DEFAULT_READ_REQUIREMENTS, type ReadRejection, type ReadRequirements, readRejection } from './candidates/readFilters';
import { type CallerOptions, type Candidate, DEFAULT_CALLER_OPTIONS, type PositionAnalysis, analyzePosition, mayBeCandidate, supportForAlleles } from './variantCaller';

/** A calling region, 0-based half-open; partitions start at `start` (make_examples `regions_to_process`). */
export interface CallingRegion {
  readonly contig: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The realignment stage: gets the partition's filtered, sampled reads in input order and
 * returns the reads to use, in DeepVariant's order (`long_reads + realigned_short_reads`).
 */
export type Realigner = (
  reads: readonly AlignedRead[],
  partition: CallingRegion,
  reference: RefWindow & { readonly contigLength: number },
  signal?: AbortSignal,
  /**
   * One site's span: the realigner may return only the reads that end up overlapping it (with
   * the alignments and relative order of the whole-partition run). Returning all reads is fine.
   */
  focus?: { readonly start: number; readonly end: number },
) => Promise<AlignedRead[]>;

/** DeepVariant's realigner (realigner/realigner.ts) as the pipeline's realign stage. */
export const dvRealigner: Realigner = (reads, partition, reference, _signal, focus) => Promise.resolve(realignReads(reads, partition, reference, undefined, focus).reads);

export interface PipelineOptions {
  readonly readRequirements: ReadRequirements;
  readonly caller: CallerOptions;
  readonly encoder: EncoderOptions;
  readonly partitionSize: number;
  readonly maxReadsPerPartition: number;
  /** make_examples `random_seed` for the reservoir sample (docs/deepvariant.md §1.3). */
  readonly reservoirSeed: number;
  /** `read_overlap_buffer_bp`: reads must overlap [start - 5, end + 5) (docs/deepvariant.md §1.3 item 4). */
  readonly readOverlapBufferBp: number;
  readonly multiAllelicMode: MultiAllelicMode;
  readonly realigner: Realigner | undefined;
  /** make_examples `--realign_reads`: run DeepVariant's realigner (`dvRealigner`) when no `realigner` is given. */
  readonly realignReads: boolean;
  /** Partitions fetched together in one read of the BAM (a cache block). */
  readonly partitionsPerFetch: number;
  /** `--population_vcfs`: cohort allele frequencies for channel 8 (docs/deepvariant.md §13). */
  readonly populationVcfs?: PopulationVcfs;
}

export function pipelineOptions(info: ExampleInfo = DEFAULT_EXAMPLE_INFO, overrides: Partial<Omit<PipelineOptions, 'encoder'>> & { encoder?: Partial<EncoderOptions> } = {}): PipelineOptions {
  const readRequirements = overrides.readRequirements ?? DEFAULT_READ_REQUIREMENTS;
  const { encoder: encOverrides, ...rest } = overrides;
  return {
    readRequirements,
    caller: DEFAULT_CALLER_OPTIONS,
    partitionSize: 1000,
    maxReadsPerPartition: 1500,
    reservoirSeed: 609314161,
    readOverlapBufferBp: 5,
    multiAllelicMode: 'add-het-alt-images',
    realigner: undefined,
    realignReads: false,
    partitionsPerFetch: 10,
    ...rest,
    encoder: encoderOptionsFromExampleInfo(info, {
      minMappingQuality: readRequirements.minMappingQuality,
      minBaseQuality: readRequirements.minBaseQuality,
      ...encOverrides,
    }),
  };
}

export interface PartitionStats {
  /** Reads overlapping the partition in the alignment file. */
  readonly fetched: number;
  readonly rejected: Readonly<Partial<Record<ReadRejection, number>>>;
  /** After the filters. */
  readonly passed: number;
  /** True when more than maxReadsPerPartition passed and the reservoir sample kept 1500. */
  readonly sampled: boolean;
}

/** One partition's reads after fetch → filter → sample → realign, and its allele counts. */
export interface Partition {
  readonly region: CallingRegion;
  readonly reads: readonly AlignedRead[];
  readonly ref: RefWindow;
  readonly contigLength: number;
  readonly stats: PartitionStats;
  readonly counter: AlleleCounter;
  /** Population VCF records overlapping the partition (and 1 kb past it), when population VCFs are given. */
  readonly cohort: readonly CohortRecord[] | undefined;
}

interface Block {
  readonly start: number;
  readonly end: number;
  readonly reads: AlignedRead[];
  readonly ref: RefWindow;
}

/**
 * Awaits work that callers share through a cache (`get` returns the cached promise or starts
 * it). The work runs under the signal of the caller that started it; when that caller is
 * cancelled, everyone who joined it sees a `cancelled` failure. A joiner whose own signal
 * still stands starts the work again (the failed entry has left the cache by then), so a
 * click on the next site never shows the previous site's cancellation.
 */
async function joinShared<T>(get: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await get();
    } catch (e) {
      if (!isCancelled(e) || signal?.aborted || attempt >= 3) throw e;
    }
  }
}

/**
 * Fetches and prepares partitions, caching the last few blocks of reads so that the sites
 * of one region (and repeated clicks on nearby sites) read the BAM once.
 */
export class PartitionReader {
  private readonly blocks = new Map<string, Promise<Block>>();
  private readonly partitions = new Map<string, Promise<Partition>>();
  private contigLengths: Map<string, number> | undefined;
  private static readonly MAX_BLOCKS = 4;
  private static readonly MAX_PARTITIONS = 24;

  constructor(readonly reads: AlignmentSource, readonly reference: ReferenceSource, readonly options: PipelineOptions) {}

  async contigLength(contig: string, signal?: AbortSignal): Promise<number> {
    if (!this.contigLengths) {
      const list = await this.reference.contigs(signal);
      this.contigLengths = new Map(list.map((c) => [c.name, c.length]));
    }
    const name = resolveContig(contig, [...this.contigLengths.keys()]);
    if (name !== undefined) return this.contigLengths.get(name)!;
    throw new VariantLensError('contig-not-found', `contig "${contig}" is not in the reference (${[...this.contigLengths.keys()].slice(0, 8).join(', ')}…)`, this.reference.path);
  }

  /** The partition of `region` that holds 0-based `pos` (1000-bp steps from region.start). */
  partitionOf(region: CallingRegion, pos: number): CallingRegion {
    const size = this.options.partitionSize;
    const k = Math.floor((pos - region.start) / size);
    const start = region.start + k * size;
    return { contig: region.contig, start, end: Math.min(start + size, region.end) };
  }

  /** Every partition of a region, in order. */
  partitionsOf(region: CallingRegion): CallingRegion[] {
    const out: CallingRegion[] = [];
    for (let s = region.start; s < region.end; s += this.options.partitionSize) {
      out.push({ contig: region.contig, start: s, end: Math.min(s + this.options.partitionSize, region.end) });
    }
    return out;
  }

  private block(contig: string, start: number, end: number, contigLength: number, signal?: AbortSignal): Promise<Block> {
    return joinShared(() => this.sharedBlock(contig, start, end, contigLength, signal), signal);
  }

  private sharedBlock(contig: string, start: number, end: number, contigLength: number, signal?: AbortSignal): Promise<Block> {
    const key = `${contig}:${start}-${end}`;
    let p = this.blocks.get(key);
    if (!p) {
      p = (async () => {
        const reads = await this.reads.fetch(contig, start, end, signal);
        // Reference for the whole block: one base before the earliest read (insertion /
        // deletion anchors at a read start) and past the latest read end and every image window,
        // plus the realigner's 20-bp alignment margin around the reads.
        // The realigner's windows reach 100 bp past the partition (20-bp expansion + 80), plus its 20-bp margin.
        const pad = Math.max((this.options.encoder.width - 1) / 2 + 1, 121);
        let lo = start - pad;
        let hi = end + pad;
        for (const r of reads) {
          if (r.start - 21 < lo) lo = r.start - 21;
          if (r.end + 21 > hi) hi = r.end + 21;
        }
        lo = Math.max(0, lo);
        hi = Math.min(contigLength, hi);
        const bases = await this.reference.fetch(contig, lo, hi, signal);
        return { start, end, reads, ref: { start: lo, bases } };
      })();
      this.blocks.set(key, p);
      p.catch(() => this.blocks.delete(key));
      while (this.blocks.size > PartitionReader.MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    }
    return p;
  }

  /** fetch → filter → sample → realign → count, for one partition (cached). */
  partition(part: CallingRegion, region: CallingRegion, signal?: AbortSignal): Promise<Partition> {
    return joinShared(() => this.sharedPartition(part, region, signal), signal);
  }

  private sharedPartition(part: CallingRegion, region: CallingRegion, signal?: AbortSignal): Promise<Partition> {
    const key = `${part.contig}:${part.start}-${part.end}`;
    let p = this.partitions.get(key);
    if (!p) {
      p = this.loadPartition(part, region, signal);
      this.partitions.set(key, p);
      p.catch(() => this.partitions.delete(key));
      while (this.partitions.size > PartitionReader.MAX_PARTITIONS) this.partitions.delete(this.partitions.keys().next().value!);
    }
    return p;
  }

  /**
   * The partition as one site at 0-based `start` sees it: the reads overlapping `focus` (which
   * holds `start`), realigned as in the whole partition but only as far as those reads need
   * (realigner.ts, `focus`). Without realignment, or when the whole partition is cached, the
   * whole partition.
   */
  sitePartition(part: CallingRegion, region: CallingRegion, focus: { readonly start: number; readonly end: number }, signal?: AbortSignal): Promise<Partition> {
    return joinShared(() => this.sharedSitePartition(part, region, focus, signal), signal);
  }

  private sharedSitePartition(part: CallingRegion, region: CallingRegion, focus: { readonly start: number; readonly end: number }, signal?: AbortSignal): Promise<Partition> {
    const key = `${part.contig}:${part.start}-${part.end}`;
    if (this.partitions.has(key) || !(this.options.realigner ?? this.options.realignReads)) return this.sharedPartition(part, region, signal);
    const siteKey = `${key}@${focus.start}-${focus.end}`;
    let p = this.partitions.get(siteKey);
    if (!p) {
      p = this.loadPartition(part, region, signal, focus);
      this.partitions.set(siteKey, p);
      p.catch(() => this.partitions.delete(siteKey));
      while (this.partitions.size > PartitionReader.MAX_PARTITIONS) this.partitions.delete(this.partitions.keys().next().value!);
    }
    return p;
  }

  private async loadPartition(part: CallingRegion, region: CallingRegion, signal?: AbortSignal, focus?: { readonly start: number; readonly end: number }): Promise<Partition> {
    throwIfAborted(signal);
    const o = this.options;
    const contigLength = await this.contigLength(part.contig, signal);
    const span = o.partitionSize * o.partitionsPerFetch;
    const k = Math.floor((part.start - region.start) / span);
    const bStart = region.start + k * span;
    const bEnd = Math.min(bStart + span, region.end);
    const block = bStart <= part.start && part.end <= bEnd
      ? await this.block(part.contig, bStart, bEnd, contigLength, signal)
      : await this.block(part.contig, part.start, part.end, contigLength, signal);
    // Reads overlapping the partition, in file order (what sam_reader.query(partition) returns).
    const rejected: Partial<Record<ReadRejection, number>> = {};
    let fetched = 0;
    const passed: AlignedRead[] = [];
    for (const r of block.reads) {
      if (!(r.start < part.end && r.end > part.start)) continue;
      fetched++;
      const why = readRejection(r, o.readRequirements);
      if (why) rejected[why] = (rejected[why] ?? 0) + 1;
      else passed.push(r);
    }
    const sampled = passed.length > o.maxReadsPerPartition;
    let reads: AlignedRead[] = sampled ? reservoirSample(passed, o.maxReadsPerPartition, o.reservoirSeed) : passed;
    const realigner = o.realigner ?? (o.realignReads ? dvRealigner : undefined);
    if (realigner) reads = await realigner(reads, part, { ...block.ref, contigLength }, signal, focus);
    throwIfAborted(signal);
    const counter = new AlleleCounter(part.contig, part.start, part.end, block.ref, o.readRequirements);
    for (const r of reads) counter.add(r);
    // Candidates start in the partition; their REF may reach past it.
    const cohort = o.populationVcfs ? await o.populationVcfs.records(part.contig, part.start, part.end + 1000, signal) : undefined;
    return { region: part, reads, ref: block.ref, contigLength, stats: { fetched, rejected, passed: passed.length, sampled }, counter, cohort };
  }
}

// ---- one site -------------------------------------------------------------------------------

export interface SiteExample {
  /** Indices into the site's `altBases`, e.g. [0], [1], [0, 1]. */
  readonly altAlleleIndices: readonly number[];
  readonly altAlleles: readonly string[];
  readonly tensor: PileupTensor;
  /** Supports-channel value of each read row (254 supports these alts, 152 otherwise). */
  readonly supports: Uint8Array;
  /**
   * Alt-aligned layouts (docs/deepvariant.md §12.3): the alt of each of the two alt blocks and the
   * reads of its rows, in row order (empty when the candidate is not alt-aligned).
   */
  readonly altBlocks?: readonly [AltBlock, AltBlock];
}

export interface AltBlock {
  readonly alt: string;
  readonly reads: readonly AlignedRead[];
}

export interface SiteExamples {
  readonly contig: string;
  /** 0-based variant start (column (width-1)/2 of the image). */
  readonly start: number;
  /** 1-based VCF POS. */
  readonly position: number;
  /** The alleles the images are made for. */
  readonly refBases: string;
  readonly altBases: readonly string[];
  /** 'candidate': DeepVariant's own candidate; 'given': the caller's (VCF / golden) alleles. */
  readonly alleleSource: 'candidate' | 'given';
  /** DP/AD/VAF and allele_support for the alleles above. */
  readonly variant: Candidate;
  /** What the allele counter and caller say at this position (counts, fractions, thresholds). */
  readonly analysis: PositionAnalysis;
  /** Whether DeepVariant's candidate caller makes a candidate here from these reads. */
  readonly dvWouldMakeCandidate: boolean;
  /** Plain-language notes for a reviewer (why no candidate, allele differences, …). */
  readonly notes: readonly string[];
  /** 0-based position of image column 0, and the reference bases of the window. */
  readonly windowStart: number;
  readonly windowBases: string;
  readonly examples: readonly SiteExample[];
  /** One entry per read row, in row order. */
  readonly rows: readonly RowInfo[];
  /** The reads of the rows (for `describeColumn`). */
  readonly rowReads: readonly AlignedRead[];
  readonly selection: ReadSelection | undefined;
  readonly partition: { readonly start: number; readonly end: number; readonly stats: PartitionStats };
  /** Set when no image can be made (window off the contig, REF mismatch, no alleles). */
  readonly noExampleReason: string | undefined;
}

export interface SiteRequest {
  readonly reads: AlignmentSource;
  readonly reference: ReferenceSource;
  readonly contig: string;
  /** 1-based VCF POS (the first REF base). */
  readonly position: number;
  /** A VCF record's (or a golden example's) alleles; without them DeepVariant's candidate is used. */
  readonly alleles?: { readonly refBases: string; readonly altBases: readonly string[] };
  /**
   * 'prefer-candidate' (default): when DeepVariant's candidate at this position covers the
   * given alts, image the candidate (what the model saw). 'given': always image the given alleles.
   */
  readonly alleleMode?: 'prefer-candidate' | 'given';
  /** The calling region whose partitions apply (default: the whole contig, partitions from 0). */
  readonly region?: CallingRegion;
  readonly options?: PipelineOptions;
  /** Reuse a reader (and its cache) across calls; must match reads/reference/options. */
  readonly partitionReader?: PartitionReader;
  readonly signal?: AbortSignal;
}

/** Whether the candidate's alleles cover the given ones (given may be postprocess-simplified). */
function candidateCovers(c: Candidate, refBases: string, altBases: readonly string[]): boolean {
  if (!c.refBases.startsWith(refBases)) return false;
  const suffix = c.refBases.slice(refBases.length);
  return altBases.every((a) => c.altBases.includes(a + suffix));
}

/** Images for one site: DeepVariant's candidate there, or the given alleles. */
export async function buildSiteExamples(req: SiteRequest): Promise<SiteExamples> {
  const signal = req.signal;
  const options = req.options ?? req.partitionReader?.options ?? pipelineOptions();
  const reader = req.partitionReader ?? new PartitionReader(req.reads, req.reference, options);
  const start = req.position - 1;
  if (!Number.isInteger(start) || start < 0) throw new VariantLensError('invalid-argument', `position must be a 1-based integer, got ${req.position}`);
  const contigLength = await reader.contigLength(req.contig, signal);
  if (start >= contigLength) throw new VariantLensError('region-invalid', `${req.contig}:${req.position} is past the end of the contig (${contigLength} bp)`, req.reference.path);
  const region = req.region ?? { contig: req.contig, start: 0, end: contigLength };
  if (start < region.start || start >= region.end) throw new VariantLensError('invalid-argument', `${req.contig}:${req.position} is outside the calling region ${region.contig}:${region.start + 1}-${region.end}`);
  const part = reader.partitionOf(region, start);
  // With realignment, only this site's reads are realigned: those overlapping
  // [start − buffer, start + REF length + buffer) (what the counts at the site and the read
  // selection look at); a longer candidate REF than guessed widens it once.
  const buffer = options.readOverlapBufferBp;
  const focusFor = (refLength: number): { start: number; end: number } => ({ start: start - buffer - 1, end: start + Math.max(1, refLength) + buffer + 1 });
  let focus = focusFor(req.alleles?.refBases.length ?? 1);
  let partition = await reader.sitePartition(part, region, focus, signal);
  let analysis = analyzePosition(req.contig, partition.counter.countsAt(start), options.caller);
  const candidateEnd = focusFor(analysis.candidate?.refBases.length ?? 1).end;
  if (candidateEnd > focus.end) {
    focus = { start: focus.start, end: candidateEnd };
    partition = await reader.sitePartition(part, region, focus, signal);
    analysis = analyzePosition(req.contig, partition.counter.countsAt(start), options.caller);
  }
  return siteFromPartition(partition, analysis, req.alleles, req.alleleMode ?? 'prefer-candidate', options, signal);
}

/** Stage select + encode for one site of a prepared partition. */
export function siteFromPartition(
  partition: Partition,
  analysis: PositionAnalysis,
  given: { readonly refBases: string; readonly altBases: readonly string[] } | undefined,
  alleleMode: 'prefer-candidate' | 'given',
  options: PipelineOptions,
  signal?: AbortSignal,
): SiteExamples {
  throwIfAborted(signal);
  const o = options.encoder;
  const contig = partition.region.contig;
  const start = analysis.position;
  const notes: string[] = [];
  const cand = analysis.candidate;
  let variant: Candidate | undefined;
  let alleleSource: 'candidate' | 'given' = 'candidate';
  if (!cand) notes.push(`DeepVariant would not make a candidate here: ${analysis.noCandidateReason}`);
  if (given) {
    if (given.altBases.length === 0) throw new VariantLensError('invalid-argument', `the site ${contig}:${start + 1} has no ALT allele`);
    if (alleleMode === 'prefer-candidate' && cand && candidateCovers(cand, given.refBases, given.altBases)) {
      variant = cand;
      if (cand.refBases !== given.refBases || cand.altBases.length !== given.altBases.length) {
        notes.push(`DeepVariant's candidate is ${cand.refBases}→${cand.altBases.join(',')}; the given record ${given.refBases}→${given.altBases.join(',')} (postprocess prunes and simplifies alleles); images are for the candidate`);
      }
    } else {
      variant = supportForAlleles(contig, partition.counter.countsAt(start), given.refBases, given.altBases);
      alleleSource = 'given';
      if (cand && alleleMode === 'prefer-candidate') notes.push(`DeepVariant's candidate here is ${cand.refBases}→${cand.altBases.join(',')}, not the given ${given.refBases}→${given.altBases.join(',')}; images are for the given alleles`);
    }
  } else {
    variant = cand;
  }
  const half = (o.width - 1) / 2;
  const windowStart = start - half;
  const base = {
    contig, start, position: start + 1, analysis, dvWouldMakeCandidate: cand !== undefined, notes,
    windowStart, partition: { start: partition.region.start, end: partition.region.end, stats: partition.stats },
  };
  const refBases = variant?.refBases ?? analysis.refBase;
  const empty = (reason: string): SiteExamples => ({
    ...base, refBases, altBases: variant?.altBases ?? [], alleleSource, variant: variant ?? supportForAlleles(contig, partition.counter.countsAt(start), analysis.refBase, []),
    windowBases: '', examples: [], rows: [], rowReads: [], selection: undefined, noExampleReason: reason,
  });
  if (!variant) return empty(analysis.noCandidateReason ?? 'no alleles');
  // The window must lie on the contig, else DeepVariant makes no example (docs/deepvariant.md §1.2).
  if (windowStart < 0 || windowStart + o.width > partition.contigLength) {
    return empty(`the ${o.width}-column window around ${contig}:${start + 1} runs off the contig (DeepVariant: "Could not create PileupImage")`);
  }
  const ref = partition.ref;
  const off = windowStart - ref.start;
  if (off < 0 || off + o.width > ref.bases.length) throw new Error(`internal: reference window [${ref.start}, ${ref.start + ref.bases.length}) does not cover the image at ${windowStart}`);
  const windowBases = ref.bases.slice(off, off + o.width);
  if (windowBases[half] !== variant.refBases[0]) {
    throw new VariantLensError('reference-mismatch', `REF ${variant.refBases} at ${contig}:${start + 1} does not match the reference base ${windowBases[half]}; is the VCF from another reference build?`);
  }
  // select: reads overlapping [start - 5, end + 5), in the partition's order (§1.3 item 4).
  const end = start + variant.refBases.length;
  const qs = start - options.readOverlapBufferBp;
  const qe = end + options.readOverlapBufferBp;
  const offered = partition.reads.filter((r) => r.start < qe && r.end > qs);
  const layout = o.altAlignedPileup;
  // Each single pileup (reference, and each alt) is drawn with the layout's channels minus the alt ids.
  const po: EncoderOptions = layout === 'none' ? o : { ...o, channels: pileupChannels(o.channels) };
  const selection = selectReads(offered, start, po);
  const rows = encodeRows(selection.reads, windowStart, windowBases, start, po);
  // Alt-aligned pileups (docs/deepvariant.md §12): reads aligned to each alt haplotype, drawn against it.
  let altRows: Map<string, EncodedRows> | undefined;
  const altReads = new Map<string, readonly AlignedRead[]>();
  if (layout !== 'none' && (o.typesToAltAlign === 'all' || isIndel(variant.refBases, variant.altBases))) {
    const refAt = (a: number, b: number): string => {
      if (a < ref.start || b > ref.start + ref.bases.length) throw new Error(`internal: reference window [${ref.start}, ${ref.start + ref.bases.length}) does not cover [${a}, ${b}) for the alt haplotypes`);
      return ref.bases.slice(a - ref.start, b - ref.start);
    };
    const aligned = alignToAlts(offered, { start, refBases: variant.refBases, altBases: variant.altBases }, o.width, partition.contigLength, refAt);
    altRows = new Map();
    for (const alt of variant.altBases) {
      const seq = aligned.sequenceByAlt.get(alt)!;
      // DeepVariant 1.5 makes no example for the whole candidate (create_pileup_images returns None).
      if (seq.length !== o.width) return empty(`the alt haplotype ${alt} gives ${seq.length} of ${o.width} window bases (near the contig end): DeepVariant makes no alt-aligned example`);
      const sel = selectReads(aligned.readsByAlt.get(alt)!, start, po);
      altRows.set(alt, encodeRows(sel.reads, windowStart, seq, start, po));
      altReads.set(alt, sel.reads);
    }
  }
  // Channel 8: the candidate's alt frequencies in the population VCFs (docs/deepvariant.md §13.3).
  let frequencies: Map<string, number> | undefined;
  if (o.channels.includes(8)) {
    if (!options.populationVcfs) throw new VariantLensError('invalid-argument', `channel 8 (CH_ALLELE_FREQUENCY) needs population VCFs: pass --population-vcfs FILE[,FILE]`);
    frequencies = alleleFrequencies(variant, partition.cohort ?? [], (a, b) => (a >= ref.start && b <= ref.start + ref.bases.length ? ref.bases.slice(a - ref.start, b - ref.start) : undefined));
  }
  const examples: SiteExample[] = [];
  for (const idx of altAlleleCombinations(variant.altBases.length, options.multiAllelicMode)) {
    const { tensor: refTensor, supports } = withSupports(rows, variant.altBases, variant.alleleSupport, idx, po, frequencies);
    let tensor = refTensor;
    let altBlocks: [AltBlock, AltBlock] | undefined;
    if (layout !== 'none') {
      const order = altBlockOrder(idx.map((i) => variant.altBases[i]!), o.downsampling === 'dv1.5');
      altBlocks = [{ alt: order[0], reads: altReads.get(order[0]) ?? [] }, { alt: order[1], reads: altReads.get(order[1]) ?? [] }];
      const blocks = order.map((alt) => {
        const r = altRows?.get(alt);
        // Not alt-aligned (a SNP with types_to_alt_align=indels): all-zero alt pileups.
        return r ? withSupports(r, variant.altBases, variant.alleleSupport, idx, po, frequencies).tensor : { ...refTensor, data: new Uint8Array(refTensor.data.length) };
      }) as [PileupTensor, PileupTensor];
      tensor = assembleAltLayout(layout, refTensor, blocks, o.channels);
    }
    examples.push({ altAlleleIndices: idx, altAlleles: idx.map((i) => variant.altBases[i]!), tensor, supports, ...(altBlocks ? { altBlocks } : {}) });
  }
  return {
    ...base, refBases: variant.refBases, altBases: variant.altBases, alleleSource, variant,
    windowBases, examples, rows: rowInfos(selection.reads, o.referenceBandHeight), rowReads: selection.reads, selection, noExampleReason: undefined,
  };
}

// ---- a whole region (our make_examples) ------------------------------------------------------

/**
 * DeepVariant's make_examples over a calling region: every candidate of every partition, in
 * order, as SiteExamples. With `sites`, images are made for those alleles instead (VCF mode:
 * each given site is imaged whether or not the caller would make a candidate).
 */
export async function* regionExamples(
  reader: PartitionReader,
  region: CallingRegion,
  signal?: AbortSignal,
  sites?: readonly { readonly start: number; readonly refBases: string; readonly altBases: readonly string[] }[],
): AsyncGenerator<SiteExamples> {
  const o = reader.options;
  const byPartition = new Map<number, { start: number; refBases: string; altBases: readonly string[] }[]>();
  if (sites) {
    for (const s of sites) {
      if (s.start < region.start || s.start >= region.end) continue;
      const p = reader.partitionOf(region, s.start).start;
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, list = []);
      list.push(s);
    }
  }
  for (const part of reader.partitionsOf(region)) {
    throwIfAborted(signal);
    if (sites && !byPartition.has(part.start)) continue;
    const partition = await reader.partition(part, region, signal);
    if (sites) {
      for (const s of byPartition.get(part.start)!.sort((a, b) => a.start - b.start)) {
        const analysis = analyzePosition(region.contig, partition.counter.countsAt(s.start), o.caller);
        yield siteFromPartition(partition, analysis, s, 'given', o, signal);
      }
    } else {
      for (const pos of partition.counter.nonRefPositions()) {
        const counts = partition.counter.countsAt(pos);
        if (!mayBeCandidate(counts, o.caller)) continue; // no candidate possible: skip the explanations
        const analysis = analyzePosition(region.contig, counts, o.caller);
        if (!analysis.candidate) continue;
        yield siteFromPartition(partition, analysis, undefined, 'prefer-candidate', o, signal);
      }
    }
  }
}
