/**
 * The haplotype stage of the diff engine (docs/decisions/0013-haplotype-matching.md): sits
 * between allele matching and counting. Every classified allele goes through `push`; nearby
 * called alleles of both sides are grouped into superloci; a superlocus that allele matching
 * leaves with only-A *and* only-B alleles is replayed onto the reference, and when both sides
 * spell the same haplotypes its only-A / only-B alleles become 'same-haplotypes'. With a
 * truth side, each superlocus is also handed to the benchmark counter (benchmark.ts).
 * Alleles leave through `emit` in the order they came in.
 *
 * Coordinates: allele `pos` is 1-based VCF POS; spans are 0-based half-open.
 */
import type { ReferenceSource } from '../../io/fasta/referenceSource';
import type { SideCall, DiffVariantKind } from '../diffClasses';
import type { HaplotypeStats } from '../diffSummary';
import type { AlleleSink, AlleleStage } from '../vcfDiff';
import { DEFAULT_REPLAY_LIMITS, editOf, replay, replayPad, substitutionKey, type Edit, type ReplayLimits, type ReplayOutcome } from './replay';
import { ReferenceCache } from './referenceCache';

/** The allele fields the stage reads (the engine's allele items have them). */
export interface StageAllele {
  readonly contig: string;
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly kind: DiffVariantKind;
}

/** One allele in the stage. Items and superloci are pooled: they must not be kept after `consume`. */
export interface StageItem {
  x: StageAllele;
  a: SideCall | undefined;
  b: SideCall | undefined;
  mask: number;
  /** Called by either side: takes part in grouping. */
  active: boolean;
}

export interface Superlocus {
  /** 1, 2, … in genome order (the BS annotation of the intermediate VCF). */
  id: number;
  contig: string;
  readonly items: StageItem[];
  start0: number;
  end0: number;
  /** Right end including how far its indels could slide in their repeat (set before processing). */
  extEnd0: number;
  hasIndel: boolean;
  /**
   * The A-vs-B replay of this superlocus when it ran (A's and B's called edits, outcome): a
   * truth comparison of the same edits has the same outcome (replay is symmetric in its sides).
   */
  replayed: { readonly a: readonly Edit[]; readonly b: readonly Edit[]; readonly outcome: ReplayOutcome } | undefined;
}

/** What a superlocus' sites need from the stage: reference bases and the replay limits. */
export interface ReplayContext {
  readonly ref: ReferenceCache;
  readonly limits: ReplayLimits;
  /** Loads the reference over [start0, end0) of the superlocus' contig. */
  ensure(start0: number, end0: number): Promise<void>;
  /** True when [start0, end0) of the superlocus' contig is loaded (no `ensure` needed). */
  loaded(start0: number, end0: number): boolean;
}

/** Receives every superlocus (with its reference loaded on demand) before its alleles are emitted. */
export interface SuperlocusConsumer {
  /** Returns a promise only when it needs the reference (most superloci are decided synchronously). */
  consume(locus: Superlocus, ctx: ReplayContext): Promise<void> | undefined;
}

export interface StageStats {
  superloci: number;
  /** Superloci whose alleles did not all pair up directly and that were replayed onto the reference. */
  replayed: number;
  /** Of those: beyond the size limits, compared allele by allele instead. */
  tooBig: number;
  /** Alleles moved from only-A / only-B into 'same-haplotypes'. */
  sameHaplotypeAlleles: number;
}

/** Class bits (diffClasses.ts: bit i ↔ DIFF_CLASSES[i]). */
const ONLY_A = 4;
const ONLY_B = 8;
export const SAME_HAPLOTYPES_BIT = 64;

/** Alleles whose spans are at most this many bases apart share a superlocus. */
const GAP = 1;
/** How far an indel may slide right in its repeat before grouping stops looking. */
const MAX_SLIDE = 1000;

export interface HaplotypeStageOptions {
  /** Move only-A + only-B alleles that spell the same haplotypes into 'same-haplotypes'. */
  readonly reclassify: boolean;
  /** Sees every superlocus (the truth benchmark). */
  readonly consumer?: SuperlocusConsumer;
  readonly limits?: ReplayLimits;
  readonly signal?: AbortSignal;
}

/** The `haplotypes` option of `diffVcfs`: a stage over `reference` for each diff run. */
export function haplotypeStages(reference: ReferenceSource, options: HaplotypeStageOptions): (emit: AlleleSink) => AlleleStage {
  return (emit) => new HaplotypeStage(reference, emit, options);
}

export class HaplotypeStage implements AlleleStage {
  readonly stats: StageStats = { superloci: 0, replayed: 0, tooBig: 0, sameHaplotypeAlleles: 0 };
  private readonly ref: ReferenceCache;
  private readonly limits: ReplayLimits;
  private open: Superlocus | undefined;
  private readonly queue: Superlocus[] = [];
  private nextId = 1;
  private readonly freeItems: StageItem[] = [];
  private readonly freeLoci: Superlocus[] = [];
  private readonly ctx: ReplayContext;
  private ctxContig = '';

  constructor(
    reference: ReferenceSource,
    private readonly emit: (x: StageAllele, a: SideCall | undefined, b: SideCall | undefined, mask: number) => void,
    private readonly options: HaplotypeStageOptions,
  ) {
    this.ref = new ReferenceCache(reference, options.signal);
    this.limits = options.limits ?? DEFAULT_REPLAY_LIMITS;
    this.ctx = { ref: this.ref, limits: this.limits, ensure: (s, e) => this.ref.ensure(this.ctxContig, s, e), loaded: (s, e) => this.ref.has(this.ctxContig, s, e) };
  }

  summaryStats(): HaplotypeStats {
    return { ...this.stats, limits: { maxHets: this.limits.maxHets, maxSpan: this.limits.maxSpan } };
  }

  /** True when enough superloci wait that the engine should `await drain()`. */
  get backlog(): boolean {
    return this.queue.length >= 64 || this.inflight !== undefined;
  }

  /** A superlocus `push` handed to `process` that did not finish synchronously (the queue waits for it). */
  private inflight: Promise<void> | undefined;

  push(x: StageAllele, a: SideCall | undefined, b: SideCall | undefined, mask: number): void {
    const active = a?.called === true || b?.called === true;
    let item = this.freeItems.pop();
    if (item) { item.x = x; item.a = a; item.b = b; item.mask = mask; item.active = active; } else item = { x, a, b, mask, active };
    const s0 = x.pos - 1;
    const e0 = s0 + x.ref.length;
    const o = this.open;
    if (o && o.contig === x.contig && (!active || o.end0 < 0 || s0 <= o.end0 + GAP)) {
      o.items.push(item);
      if (active) {
        if (o.end0 < 0) o.start0 = s0;
        if (e0 > o.end0) o.end0 = e0;
        if (x.ref.length !== x.alt.length) o.hasIndel = true;
      }
      return;
    }
    if (o) {
      // A closed superlocus of one called allele without an indel (most of them), with nothing
      // waiting before it, cannot merge with another: it is decided now rather than queued.
      if (this.queue.length === 0 && this.inflight === undefined && !o.hasIndel && o.items.length === 1 && o.items[0]!.active && o.items[0]!.x.kind !== 'MNP') {
        this.inflight = this.process(o);
      } else this.queue.push(o);
    }
    let n = this.freeLoci.pop();
    if (n) {
      n.contig = x.contig;
      n.items.push(item);
    } else n = { id: 0, contig: x.contig, items: [item], start0: 0, end0: 0, extEnd0: 0, hasIndel: false, replayed: undefined };
    n.start0 = active ? s0 : -1;
    n.end0 = active ? e0 : -1;
    n.extEnd0 = -1;
    n.hasIndel = active && x.ref.length !== x.alt.length;
    this.open = n;
  }

  /** Processes the waiting superloci (all of them when `final`). */
  async drain(final = false): Promise<void> {
    if (this.inflight !== undefined) {
      const p = this.inflight;
      this.inflight = undefined;
      await p;
    }
    if (final && this.open) { this.queue.push(this.open); this.open = undefined; }
    const q = this.queue;
    let i = 0;
    while (i < q.length) {
      const locus = q[i]!;
      if (locus.hasIndel && locus.extEnd0 < 0) {
        const p = this.extend(locus);
        if (p) await p;
      }
      // An indel that can slide into the next superlocus joins it.
      const next = q[i + 1] ?? (final ? undefined : this.open);
      if (next && next.contig === locus.contig && next.start0 >= 0 && locus.hasIndel && next.start0 <= locus.extEnd0 + GAP) {
        if (next === this.open) break; // wait until it is complete
        merge(locus, next);
        q.splice(i + 1, 1);
        next.items.length = 0;
        this.freeLoci.push(next);
        locus.extEnd0 = -1;
        continue;
      }
      const p = this.process(locus);
      if (p) await p;
      i++;
    }
    q.splice(0, i);
  }

  /** Sets `extEnd0`; a promise only when reference chunks must be loaded first. */
  private extend(locus: Superlocus): Promise<void> | undefined {
    let ext = locus.end0;
    for (const it of locus.items) {
      if (!it.active || it.x.ref.length === it.x.alt.length) continue;
      const e = editOf(it.x.pos, it.x.ref, it.x.alt, 1);
      const reach = e.end0 + MAX_SLIDE + 1;
      if (!this.ref.has(locus.contig, e.start0, reach)) {
        return this.ref.ensure(locus.contig, e.start0, reach).then(() => this.extend(locus));
      }
      ext = Math.max(ext, slideEnd(this.ref, e));
    }
    locus.extEnd0 = ext;
    return undefined;
  }

  /** Reclassifies, counts and emits one superlocus; a promise only when replay needs the reference. */
  private process(locus: Superlocus): Promise<void> | undefined {
    this.stats.superloci++;
    locus.id = this.nextId++;
    this.ctxContig = locus.contig;
    let bits = 0;
    for (const it of locus.items) bits |= it.mask;
    const needsReplay = this.options.reclassify && (bits & ONLY_A) !== 0 && (bits & ONLY_B) !== 0;
    if (needsReplay) {
      const r = this.reclassify(locus);
      if (r) return r.then(() => this.consumeAndEmit(locus));
    }
    return this.consumeAndEmit(locus);
  }

  /** Hands the superlocus to the consumer, then emits it; a promise only when the consumer needs the reference. */
  private consumeAndEmit(locus: Superlocus): Promise<void> | undefined {
    const p = this.options.consumer?.consume(locus, this.ctx);
    if (p) return p.then(() => this.emitAll(locus));
    this.emitAll(locus);
    return undefined;
  }

  /** Emits the alleles and returns the superlocus and its items to the pools. */
  private emitAll(locus: Superlocus): void {
    const emit = this.emit;
    const items = locus.items;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      emit(it.x, it.a, it.b, it.mask);
      it.a = undefined;
      it.b = undefined;
      if (this.freeItems.length < 4096) this.freeItems.push(it);
    }
    // Emptied by pop (a superlocus holds one or a few items): setting `length` is a runtime call.
    while (items.length > 0) items.pop();
    locus.replayed = undefined;
    if (this.freeLoci.length < 1024) this.freeLoci.push(locus);
  }

  /** A vs B: only-A and only-B alleles of one superlocus that spell the same haplotypes; a promise only when the reference must be loaded first. */
  private reclassify(locus: Superlocus): Promise<void> | undefined {
    const ea: Edit[] = [];
    const eb: Edit[] = [];
    for (const it of locus.items) {
      if (it.a?.called) ea.push(editOf(it.x.pos, it.x.ref, it.x.alt, copiesOf(it.a.gt)));
      if (it.b?.called) eb.push(editOf(it.x.pos, it.x.ref, it.x.alt, copiesOf(it.b.gt)));
    }
    this.stats.replayed++;
    // Substitutions only (an MNP vs its SNPs): the same bases changed with the same copies is a match, no reference needed.
    const ka = substitutionKey(ea);
    if (ka !== undefined && ka === substitutionKey(eb)) { this.markSame(locus); return undefined; }
    const span = spanOf([...ea, ...eb]);
    if (span.end0 - span.start0 > this.limits.maxSpan) { this.stats.tooBig++; return undefined; }
    const pad = Math.max(replayPad(ea), replayPad(eb));
    const s0 = Math.max(0, span.start0 - pad);
    const e0 = span.end0 + pad;
    if (!this.ref.has(locus.contig, s0, e0)) return this.ref.ensure(locus.contig, s0, e0).then(() => this.replayed(locus, ea, eb, s0, e0));
    this.replayed(locus, ea, eb, s0, e0);
    return undefined;
  }

  /** The A-vs-B replay over the loaded reference [s0, e0), kept on the superlocus for the truth comparison. */
  private replayed(locus: Superlocus, ea: Edit[], eb: Edit[], s0: number, e0: number): void {
    const outcome = replay(this.ref.slice(s0, e0), s0, ea, eb, this.limits);
    locus.replayed = { a: ea, b: eb, outcome };
    if (outcome === 'too-big') this.stats.tooBig++;
    if (outcome === 'genotype') this.markSame(locus);
  }

  private markSame(locus: Superlocus): void {
    for (const it of locus.items) {
      if ((it.mask & (ONLY_A | ONLY_B)) === 0) continue;
      it.mask = (it.mask & ~(ONLY_A | ONLY_B)) | SAME_HAPLOTYPES_BIT;
      this.stats.sameHaplotypeAlleles++;
    }
  }
}

function merge(into: Superlocus, from: Superlocus): void {
  for (const it of from.items) into.items.push(it);
  if (from.end0 > into.end0) into.end0 = from.end0;
  into.hasIndel ||= from.hasIndel;
}

/** The reference span an edit list covers, padded by one base on each side. */
export function spanOf(edits: readonly Edit[]): { start0: number; end0: number } {
  let s = Infinity;
  let e = -Infinity;
  for (const x of edits) {
    if (x.start0 < s) s = x.start0;
    if (x.end0 > e) e = x.end0;
  }
  if (s === Infinity) return { start0: 0, end0: 0 };
  return { start0: Math.max(0, s - 1), end0: e + 1 };
}

/**
 * How many copies of the allele a projected GT carries, for replay: 2 when every called
 * copy is the allele (1/1, haploid 1), else 1 (0/1, ./1 half-calls, 1 of 0/0/1).
 */
export function copiesOf(gt: string): 1 | 2 {
  if (gt === '0/1' || gt === './1') return 1;
  if (gt === '1/1' || gt === '1') return 2;
  const parts = gt.split(/[/|]/);
  return parts.every((p) => p === '1') ? 2 : 1;
}

/** The right end of an indel's footprint after sliding it right through its repeat. */
function slideEnd(ref: ReferenceCache, e: Edit): number {
  let s = e.start0;
  let end = e.end0;
  if (e.seq === '' && end > s) {
    // Deletion of [s, end): slides while the base leaving equals the base entering.
    for (let k = 0; k < MAX_SLIDE && ref.base(s) === ref.base(end) && ref.base(end) !== undefined; k++) { s++; end++; }
    return end + 1;
  }
  if (e.start0 === e.end0 && e.seq.length > 0) {
    let seq = e.seq;
    for (let k = 0; k < MAX_SLIDE && ref.base(s) === seq[0]; k++) { seq = seq.slice(1) + seq[0]; s++; }
    return s + 1;
  }
  return end;
}
