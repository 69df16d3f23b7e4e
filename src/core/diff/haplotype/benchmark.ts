/**
 * Truth-set benchmarking per superlocus (docs/decisions/0013-haplotype-matching.md), in the
 * manner of hap.py v0.3 with default settings:
 * - truth calls whose FILTER is not PASS take no part; query calls are compared twice, all
 *   of them (the "ALL" rows) and only the PASS ones (the "PASS" rows);
 * - MNPs are decomposed into SNPs (one per changed base) and counted as SNPs; complex
 *   alleles (REF and ALT of different lengths, neither a pure insertion nor deletion) are
 *   counted as INDELs;
 * - a superlocus whose alleles pair up one to one is decided allele by allele (same GT → TP,
 *   other GT → FP + FN, "FP.gt"); otherwise both sides are replayed onto the reference:
 *   same haplotypes → every allele TP; same non-reference haplotypes with other genotypes
 *   → FP/FN counted in FP.gt; else (or beyond the size limits) allele by allele again;
 * - with confident regions, truth alleles outside them are not assessed (BD=N) and query
 *   alleles outside them are UNK.
 *
 * Labels follow the GA4GH intermediate format (ga4gh/benchmarking-tools
 * doc/ref-impl/intermediate.md and outputs.md): BD TP/FP/FN/N/UNK; BK as hap.py writes it
 * (gm genotype match, am allele match, lm another allele nearby, '.' nothing nearby); BI the
 * GA4GH sub-type (m, cm, gtmm, almm, miss) and whether the superlocus was replayed.
 */
import type { BedRegions } from '../bedRegions';
import { filterStatus, isTransition, type SideCall } from '../diffClasses';
import { replay, replayPad, editOf, type Edit, type ReplayOutcome } from './replay';
import { copiesOf, spanOf, type ReplayContext, type StageItem, type Superlocus, type SuperlocusConsumer } from './haplotypeStage';

export type BenchType = 'INDEL' | 'SNP';
/** hap.py's subtypes: ti/tv for SNPs, I/D/C by length for indels. */
export const SUBTYPES = ['*', 'ti', 'tv', 'I1_5', 'I6_15', 'I16_PLUS', 'D1_5', 'D6_15', 'D16_PLUS', 'C1_5', 'C6_15', 'C16_PLUS'] as const;
export const GENOTYPES = ['*', 'het', 'homalt', 'hetalt'] as const;
export const FILTERS = ['ALL', 'PASS'] as const;
export const TYPES: readonly BenchType[] = ['INDEL', 'SNP'];

/** Counter slots of one table cell. */
const T_TP = 0, T_FN = 1, Q_TP = 2, Q_FP = 3, Q_UNK = 4, FP_GT = 5, FP_AL = 6;
const NC = 7;

export interface BenchUnit {
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly type: BenchType;
  readonly sub: number;
  readonly gt: string;
  readonly call: SideCall;
  readonly pass: boolean;
  /** Index into GENOTYPES (1 het, 2 homalt, 3 hetalt). */
  readonly gtClass: number;
  readonly blt: string;
}

export interface Label { readonly bd: 'TP' | 'FP' | 'FN' | 'N' | 'UNK'; readonly bk: 'gm' | 'am' | 'lm' | '.'; readonly bi: string }

/** Where the intermediate VCF records go (Ga4ghVcfWriter): whole lines, or a one-allele superlocus' record from its parts. */
export interface VcfSink {
  add(line: string, filter: string): void;
  single(contig: Uint8Array, pos: number, ref: string, alt: string, qq: string, filter: string, id: number, regions: string, tail: Uint8Array, qqTail: string, headerFilter: string): void;
}

export interface BenchOptions {
  readonly truth: 'A' | 'B';
  /** Confident regions (hap.py -f): truth outside is not assessed, query outside is UNK. */
  readonly confident?: BedRegions;
  /** Stratification regions: the Subset column of extended.csv. */
  readonly strata: readonly BedRegions[];
  /** Receives the intermediate VCF body line by line. */
  /** Receives the intermediate VCF body. */
  readonly vcf?: VcfSink;
}

export interface BenchStats {
  superloci: number;
  /** Superloci with truth or query alleles. */
  assessed: number;
  replayed: number;
  tooBig: number;
  /** Replayed superloci whose haplotypes matched where allele matching would not have. */
  haplotypeMatches: number;
}

export class BenchmarkCounter implements SuperlocusConsumer {
  readonly stats: BenchStats = { superloci: 0, assessed: 0, replayed: 0, tooBig: 0, haplotypeMatches: 0 };
  readonly subsets: string[];
  /** [((((f * 2 + type) * NSUB + sub) * NSET + set) * NGT + gt) * NC + counter] */
  readonly cells: Float64Array;
  private readonly nset: number;
  private readonly truthIsA: boolean;
  private readonly regionsCache = new Map<number, string>();
  /** The contig of the last line written, as bytes. */
  private contigText = '';
  private contigBytes: Uint8Array = new Uint8Array(0);

  constructor(private readonly options: BenchOptions) {
    this.subsets = ['*', ...options.strata.map((s) => s.name)];
    this.nset = this.subsets.length;
    this.cells = new Float64Array(2 * 2 * SUBTYPES.length * this.nset * GENOTYPES.length * NC);
    this.truthIsA = options.truth === 'A';
    if (this.nset > 31) throw new Error('at most 30 stratification BED files');
  }

  /** The counters of one table cell (a view: for reading). */
  cell(filter: number, type: number, sub: number, set: number, gt: number): Float64Array {
    const i = this.cellIndex(filter, type, sub, set, gt);
    return this.cells.subarray(i, i + NC);
  }

  private cellIndex(filter: number, type: number, sub: number, set: number, gt: number): number {
    return ((((filter * 2 + type) * SUBTYPES.length + sub) * this.nset + set) * GENOTYPES.length + gt) * NC;
  }

  consume(locus: Superlocus, ctx: ReplayContext): Promise<void> | undefined {
    this.stats.superloci++;
    const items = locus.items;
    // Fast path, most superloci: one called allele (not an MNP) — no unit objects, no replay.
    let single: StageItem | undefined;
    let actives = 0;
    for (let i = 0; i < items.length; i++) if (items[i]!.active) { actives++; single = items[i]; }
    if (actives === 1 && single!.x.kind !== 'MNP') { this.consumeSingle(locus, single!); return undefined; }
    return this.consumeMany(locus, ctx);
  }

  /** Several called alleles (or an MNP): units, matching (replay when they do not pair up), counts and records; a promise only when replay must load the reference. */
  private consumeMany(locus: Superlocus, ctx: ReplayContext): Promise<void> | undefined {
    const items = locus.items;
    const t: BenchUnit[] = [];
    const q: BenchUnit[] = [];
    for (const it of items) {
      if (!it.active) continue;
      const tc = this.truthIsA ? it.a : it.b;
      const qc = this.truthIsA ? it.b : it.a;
      if (tc?.called && filterStatus(tc.filter) === 'PASS') unitsOf(it, tc, t);
      if (qc?.called) unitsOf(it, qc, q);
    }
    if (t.length === 0 && q.length === 0) return undefined;
    this.stats.assessed++;
    const all = this.match(t, q, locus, ctx, true);
    if (all instanceof Promise) return all.then((x) => this.consumePass(locus, ctx, t, q, x));
    return this.consumePass(locus, ctx, t, q, all);
  }

  /** The PASS matching (when some query call is filtered), then the counts. */
  private consumePass(locus: Superlocus, ctx: ReplayContext, t: BenchUnit[], q: BenchUnit[], all: Labels): Promise<void> | undefined {
    if (q.some((u) => !u.pass)) {
      const passQ = q.filter((u) => u.pass);
      const pass = this.match(t, passQ, locus, ctx, false);
      if (pass instanceof Promise) return pass.then((x) => this.countMany(locus, t, q, all, passQ, x));
      this.countMany(locus, t, q, all, passQ, pass);
    } else this.countMany(locus, t, q, all, q, all);
    return undefined;
  }

  private countMany(locus: Superlocus, t: BenchUnit[], q: BenchUnit[], all: Labels, passQ: BenchUnit[], pass: Labels): void {
    const tSets = t.map((u) => this.setsOf(locus.contig, u.pos, u.ref.length));
    const qSets = q.map((u) => this.setsOf(locus.contig, u.pos, u.ref.length));
    const passSets = passQ === q ? qSets : passQ.map((u) => this.setsOf(locus.contig, u.pos, u.ref.length));
    for (let i = 0; i < t.length; i++) if ((tSets[i]! & OUTSIDE) !== 0) all.t[i] = { ...all.t[i]!, bd: 'N' };
    for (let i = 0; i < q.length; i++) if ((qSets[i]! & OUTSIDE) !== 0) all.q[i] = { ...all.q[i]!, bd: 'UNK' };
    for (let i = 0; i < t.length; i++) {
      this.countTruth(0, t[i]!, tSets[i]!, all.t[i]!.bd === 'TP');
      this.countTruth(1, t[i]!, tSets[i]!, pass.t[i]!.bd === 'TP');
    }
    for (let i = 0; i < q.length; i++) this.countQuery(0, q[i]!, qSets[i]!, all.q[i]!);
    for (let i = 0; i < passQ.length; i++) this.countQuery(1, passQ[i]!, passSets[i]!, pass.q[i]!);
    if (this.options.vcf) this.writeRows(locus, t, all.t, q, all.q);
  }

  /** One called allele in the superlocus: decided allele by allele, counted without allocating. */
  private consumeSingle(locus: Superlocus, it: StageItem): void {
    const tc = this.truthIsA ? it.a : it.b;
    const qc = this.truthIsA ? it.b : it.a;
    const tAct = tc !== undefined && tc.called && filterStatus(tc.filter) === 'PASS';
    const qAct = qc !== undefined && qc.called;
    if (!tAct && !qAct) return;
    this.stats.assessed++;
    const { pos, ref, alt } = it.x;
    const snp = it.x.kind === 'SNP';
    const type = snp ? 1 : 0;
    const sub = snp ? (isTransition(ref, alt) ? 1 : 2) : indelSubtype(pos, ref, alt);
    const sets = this.setsOf(locus.contig, pos, ref.length);
    const outside = (sets & OUTSIDE) !== 0;
    const qPass = qAct && filterStatus(qc.filter) === 'PASS';
    let tl: Label | undefined;
    let ql: Label | undefined;
    if (tAct && qAct) {
      const same = tc.gt === qc.gt;
      tl = same ? TP_M : FN_GTMM;
      ql = same ? TP_M : FP_GTMM;
    } else if (tAct) tl = FN_MISS;
    else ql = FP_MISS;
    // GT class, BLT and the sample column ids of each call, cached per (record GT, projected GT).
    const tg = tAct ? this.gtEntry(0, tc) : undefined;
    const qg = qAct ? this.gtEntry(1, qc) : undefined;
    if (tl && !outside) {
      const slot = tl.bd === 'TP' ? T_TP : T_FN;
      // The PASS rows: the truth allele is a TP there only when the query call is PASS too.
      this.bump2(type, sub, tg!.gtClass, sets, slot, -1, tl.bd === 'TP' && !qPass ? T_FN : slot, true);
    }
    if (ql) {
      const slot = outside ? Q_UNK : ql.bd === 'TP' ? Q_TP : Q_FP;
      const extra = outside || ql.bd === 'TP' ? -1 : ql.bk === 'am' ? FP_GT : -1;
      // PASS rows: without the query call a truth allele would be missed, and an unpaired PASS call stays what it was.
      this.bump2(type, sub, qg!.gtClass, sets, slot, extra, slot, qPass);
    }
    const vcf = this.options.vcf;
    if (vcf) {
      // CHROM POS . REF ALT QUAL FILTER BS=id[;Regions=…] FORMAT TRUTH QUERY, written straight
      // into the writer's buffer. FORMAT and both sample columns (but the query's QQ) are one
      // cached piece per pair of column texts (a few dozen distinct texts, columnId).
      const qq = ql && qc!.qual !== undefined ? qualText(qc!.qual) : '.';
      const filter = ql ? vcfFilter(qc!.filter) : '.';
      const regions = sets === 0 && this.options.confident === undefined ? '' : this.regionsInfo(sets);
      const tcol = tl ? tg!.column(tl, outside, snp, false) : MISSING_COLUMN;
      const qcol = ql ? qg!.column(ql, outside, snp, true) : MISSING_COLUMN;
      // Past MAX_COLUMNS distinct texts (odd GTs): the same bytes, built for this line.
      const tail = tcol >= 0 && qcol >= 0
        ? tailBytes(tcol, qcol)
        : Buffer.from(`\tGT:BD:BK:BI:BLT:BVT:QQ\t${tl ? columnText(tc!.gt, tl, outside, tg!.blt, snp, false) : COLUMN_TEXTS[MISSING_COLUMN]}\t${ql ? columnText(qc!.gt, ql, outside, qg!.blt, snp, true) : COLUMN_TEXTS[MISSING_COLUMN]}`, 'latin1');
      if (locus.contig !== this.contigText) { this.contigText = locus.contig; this.contigBytes = Buffer.from(locus.contig, 'latin1'); }
      vcf.single(this.contigBytes, pos, ref, alt, qq, filter, locus.id, regions, tail, ql ? qq : '', ql ? qc!.filter : '.');
    }
  }

  /** The last GtEntry of each side (0 truth, 1 query) and the texts it was found for: most calls repeat one of a few GTs. */
  private readonly lastRecordGt: string[] = ['', ''];
  private readonly lastGt: string[] = ['', ''];
  private readonly lastEntry: (GtEntry | undefined)[] = [undefined, undefined];
  private readonly gtEntries = new Map<string, Map<string, GtEntry>>();

  private gtEntry(side: 0 | 1, call: SideCall): GtEntry {
    const rec = call.recordGt;
    const gt = call.gt;
    const last = this.lastEntry[side];
    if (last !== undefined && rec === this.lastRecordGt[side] && gt === this.lastGt[side]) return last;
    let byGt = this.gtEntries.get(rec);
    if (byGt === undefined) this.gtEntries.set(rec, (byGt = new Map()));
    let e = byGt.get(gt);
    if (e === undefined) {
      e = new GtEntry(gt, genotypeClass(rec, gt));
      if (byGt.size < 1000) byGt.set(gt, e);
    }
    this.lastRecordGt[side] = rec;
    this.lastGt[side] = gt;
    this.lastEntry[side] = e;
    return e;
  }

  /** ";Regions=CONF,name,…" for a `setsOf` value (cached per value). */
  private regionsInfo(sets: number): string {
    let s = this.regionsCache.get(sets);
    if (s === undefined) {
      const parts: string[] = [];
      if (this.options.confident && (sets & OUTSIDE) === 0) parts.push('CONF');
      this.options.strata.forEach((st, k) => { if ((sets & (1 << (k + 1))) !== 0) parts.push(st.name.replace(/[^A-Za-z0-9_.-]/g, '_')); });
      s = parts.length ? `;Regions=${parts.join(',')}` : '';
      this.regionsCache.set(sets, s);
    }
    return s;
  }

  /** Bit 0: outside the confident regions; bit k: inside stratum k (1-based). */
  private setsOf(contig: string, pos: number, refLength: number): number {
    const start0 = pos - 1;
    const end0 = start0 + refLength;
    const conf = this.options.confident;
    let bits = conf !== undefined && !conf.overlaps(contig, start0, end0) ? OUTSIDE : 0;
    const strata = this.options.strata;
    for (let k = 0; k < strata.length; k++) if (strata[k]!.overlaps(contig, start0, end0)) bits |= 1 << (k + 1);
    return bits;
  }

  private infoOf(locus: Superlocus, sets: number): string {
    let regions = '';
    if (this.options.confident && (sets & OUTSIDE) === 0) regions = 'CONF';
    const strata = this.options.strata;
    for (let k = 0; k < strata.length; k++) if ((sets & (1 << (k + 1))) !== 0) regions += (regions ? ',' : '') + strata[k]!.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    return regions ? `BS=${locus.id};Regions=${regions}` : `BS=${locus.id}`;
  }

  /** Labels every unit of both sides (`record`: count the replay in the statistics); a promise only when replay must load the reference. */
  private match(t: BenchUnit[], q: BenchUnit[], locus: Superlocus, ctx: ReplayContext, record: boolean): Labels | Promise<Labels> {
    if (t.length === 0) return { t: [], q: q.map(() => FP_MISS) };
    if (q.length === 0) return { t: t.map(() => FN_MISS), q: [] };
    const pairs = pairUp(t, q);
    if (pairs.unpairedT === 0 && pairs.unpairedQ === 0) return direct(t, q, pairs.qOfT, '');
    // Representations differ: replay both sides onto the reference.
    const te: Edit[] = t.map((u) => editOf(u.pos, u.ref, u.alt, copiesOf(u.gt)));
    const qe: Edit[] = q.map((u) => editOf(u.pos, u.ref, u.alt, copiesOf(u.gt)));
    const span = spanOf([...te, ...qe]);
    if (span.end0 - span.start0 > ctx.limits.maxSpan) return this.matched(t, q, pairs.qOfT, 'too-big', record);
    // The A-vs-B stage's replay of the same edits (truth A: A's edits are the truth's) has this outcome.
    const prior = locus.replayed;
    if (prior !== undefined && sameEdits(te, this.truthIsA ? prior.a : prior.b) && sameEdits(qe, this.truthIsA ? prior.b : prior.a)) return this.matched(t, q, pairs.qOfT, prior.outcome, record);
    const pad = Math.max(replayPad(te), replayPad(qe));
    const s0 = Math.max(0, span.start0 - pad);
    const e0 = span.end0 + pad;
    if (!ctx.loaded(s0, e0)) return ctx.ensure(s0, e0).then(() => this.matched(t, q, pairs.qOfT, replay(ctx.ref.slice(s0, e0), s0, te, qe, ctx.limits), record));
    return this.matched(t, q, pairs.qOfT, replay(ctx.ref.slice(s0, e0), s0, te, qe, ctx.limits), record);
  }

  /** The labels of a replayed superlocus by its outcome. */
  private matched(t: BenchUnit[], q: BenchUnit[], qOfT: number[], outcome: ReplayOutcome, record: boolean): Labels {
    if (record) {
      this.stats.replayed++;
      if (outcome === 'too-big') this.stats.tooBig++;
      if (outcome === 'genotype') this.stats.haplotypeMatches++;
    }
    if (outcome === 'genotype') return { t: t.map(() => TP_CM), q: q.map(() => TP_CM) };
    if (outcome === 'allele') return { t: t.map(() => FN_GTMM_REPLAY), q: q.map(() => FP_GTMM_REPLAY) };
    return direct(t, q, qOfT, outcome === 'too-big' ? ';too-big' : ';replay');
  }

  private countTruth(f: number, u: BenchUnit, sets: number, tp: boolean): void {
    if ((sets & OUTSIDE) !== 0) return;
    this.bump(f, u.type === 'INDEL' ? 0 : 1, u.sub, u.gtClass, sets, tp ? T_TP : T_FN, -1);
  }

  private countQuery(f: number, u: BenchUnit, sets: number, l: Label): void {
    const type = u.type === 'INDEL' ? 0 : 1;
    if ((sets & OUTSIDE) !== 0) { this.bump(f, type, u.sub, u.gtClass, sets, Q_UNK, -1); return; }
    if (l.bd === 'TP') this.bump(f, type, u.sub, u.gtClass, sets, Q_TP, -1);
    else this.bump(f, type, u.sub, u.gtClass, sets, Q_FP, l.bk === 'am' ? FP_GT : l.bk === 'lm' ? FP_AL : -1);
  }

  /** Adds one to `slot` (and `extra`) of every cell the unit falls in: '*' and its subtype × '*' and its strata × '*' and its genotype. */
  private bump(f: number, type: number, sub: number, gtClass: number, sets: number, slot: number, extra: number): void {
    const cells = this.cells;
    const nset = this.nset;
    const ft = (f * 2 + type) * SUBTYPES.length;
    for (let set = 0; set < nset; set++) {
      if (set > 0 && (sets & (1 << set)) === 0) continue;
      // Cells (subtype '*' or sub) × (genotype '*' or gtClass), index ((ft + s) * nset + set) * NGT + g.
      const star = ((ft * nset + set) * GENOTYPES.length) * NC;
      cells[star + slot]!++;
      if (extra >= 0) cells[star + extra]!++;
      if (gtClass !== 0) {
        const i = star + gtClass * NC;
        cells[i + slot]!++;
        if (extra >= 0) cells[i + extra]!++;
      }
      if (sub !== 0) {
        const s0 = (((ft + sub) * nset + set) * GENOTYPES.length) * NC;
        cells[s0 + slot]!++;
        if (extra >= 0) cells[s0 + extra]!++;
        if (gtClass !== 0) {
          const i = s0 + gtClass * NC;
          cells[i + slot]!++;
          if (extra >= 0) cells[i + extra]!++;
        }
      }
    }
  }

  /**
   * `bump(0, …, slot, extra)`, and `bump(1, …, passSlot, extra)` when `pass`: the ALL and PASS
   * rows of one unit in one call (the two filter planes share everything but the plane).
   */
  private bump2(type: number, sub: number, gtClass: number, sets: number, slot: number, extra: number, passSlot: number, pass: boolean): void {
    if (this.nset !== 1) {
      this.bump(0, type, sub, gtClass, sets, slot, extra);
      if (pass) this.bump(1, type, sub, gtClass, sets, passSlot, extra);
      return;
    }
    const cells = this.cells;
    const NGT = GENOTYPES.length;
    // One subset ('*'): cell index ((f * 2 + type) * NSUB + s) * NGT + g, times NC.
    const plane = 2 * SUBTYPES.length * NGT * NC;
    const star = (type * SUBTYPES.length * NGT) * NC;
    const g = gtClass * NC;
    const s0 = star + sub * NGT * NC;
    for (let f = 0; f < 2; f++) {
      if (f === 1 && !pass) return;
      const base = f * plane;
      const sl = f === 0 ? slot : passSlot;
      cells[base + star + sl]!++;
      if (extra >= 0) cells[base + star + extra]!++;
      if (gtClass !== 0) {
        cells[base + star + g + sl]!++;
        if (extra >= 0) cells[base + star + g + extra]!++;
      }
      if (sub !== 0) {
        cells[base + s0 + sl]!++;
        if (extra >= 0) cells[base + s0 + extra]!++;
        if (gtClass !== 0) {
          cells[base + s0 + g + sl]!++;
          if (extra >= 0) cells[base + s0 + g + extra]!++;
        }
      }
    }
  }

  private writeRows(locus: Superlocus, t: BenchUnit[], tl: Label[], q: BenchUnit[], ql: Label[]): void {
    const vcf = this.options.vcf!;
    const rows: { pos: number; ref: string; alt: string; t?: number; q?: number }[] = [];
    const byKey = new Map<string, (typeof rows)[number]>();
    t.forEach((u, i) => { const r = { pos: u.pos, ref: u.ref, alt: u.alt, t: i }; rows.push(r); byKey.set(`${u.pos}:${u.ref}:${u.alt}`, r); });
    q.forEach((u, i) => {
      const k = `${u.pos}:${u.ref}:${u.alt}`;
      const r = byKey.get(k);
      if (r && r.q === undefined) r.q = i;
      else rows.push({ pos: u.pos, ref: u.ref, alt: u.alt, q: i });
    });
    rows.sort((x, y) => x.pos - y.pos);
    for (const r of rows) {
      const sets = this.setsOf(locus.contig, r.pos, r.ref.length);
      const qu = r.q !== undefined ? q[r.q] : undefined;
      const qual = qu?.call.qual !== undefined ? qualText(qu.call.qual) : '.';
      const filter = qu ? vcfFilter(qu.call.filter) : '.';
      vcf.add(`${locus.contig}\t${r.pos}\t.\t${r.ref}\t${r.alt}\t${qual}\t${filter}\t${this.infoOf(locus, sets)}\tGT:BD:BK:BI:BLT:BVT:QQ\t${column(r.t !== undefined ? t[r.t] : undefined, r.t !== undefined ? tl[r.t] : undefined, false)}\t${column(qu, r.q !== undefined ? ql[r.q] : undefined, true)}`, filter);
    }
  }
}

const OUTSIDE = 1;

type Labels = { t: Label[]; q: Label[] };

/** True when both edit lists hold the same edits in the same order. */
function sameEdits(x: readonly Edit[], y: readonly Edit[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a.start0 !== b.start0 || a.end0 !== b.end0 || a.seq !== b.seq || a.copies !== b.copies) return false;
  }
  return true;
}
const TP_M: Label = Object.freeze({ bd: 'TP', bk: 'gm', bi: 'm' });
const TP_CM: Label = Object.freeze({ bd: 'TP', bk: 'gm', bi: 'cm;replay' });
const FN_GTMM: Label = Object.freeze({ bd: 'FN', bk: 'am', bi: 'gtmm' });
const FP_GTMM: Label = Object.freeze({ bd: 'FP', bk: 'am', bi: 'gtmm' });
const FN_GTMM_REPLAY: Label = Object.freeze({ bd: 'FN', bk: 'am', bi: 'gtmm;replay' });
const FP_GTMM_REPLAY: Label = Object.freeze({ bd: 'FP', bk: 'am', bi: 'gtmm;replay' });
const FN_MISS: Label = Object.freeze({ bd: 'FN', bk: '.', bi: 'miss' });
const FP_MISS: Label = Object.freeze({ bd: 'FP', bk: '.', bi: 'miss' });

/** Sample column texts of one-allele superloci, by id (COLUMN_TEXTS[id]); id 0 is the missing column. */
const COLUMN_TEXTS: string[] = ['.:.:.:.:.:.:.'];
const MISSING_COLUMN = 0;
/** Column ids by GT, then BLT, then [label, outside, SNP, query] (see columnId). */
const COLUMNS = new Map<string, Map<string, (number | undefined)[]>>();
const LABELS: readonly Label[] = [TP_M, FN_GTMM, FN_MISS, FP_GTMM, FP_MISS];
/** At most this many distinct column texts get an id (a call set has a few dozen); 1,000 × 1,000 tails at most. */
const MAX_COLUMNS = 1000;

/** The text of a one-allele superlocus' sample column: "GT:BD:BK:BI:BLT:BVT:", then "." for the truth (its QQ; the query's QQ is appended by the caller). */
function columnText(gt: string, l: Label, outside: boolean, blt: string, snp: boolean, query: boolean): string {
  const bd = outside ? (query ? 'UNK' : 'N') : l.bd;
  return `${gt}:${bd}:${l.bk}:${l.bi}:${blt}:${snp ? 'SNP' : 'INDEL'}:${query ? '' : '.'}`;
}

/** The id of `columnText(…)` in COLUMN_TEXTS, or -1 once MAX_COLUMNS texts have ids (the caller then writes the text). */
function columnId(gt: string, l: Label, outside: boolean, blt: string, snp: boolean, query: boolean): number {
  let byBlt = COLUMNS.get(gt);
  if (byBlt === undefined) {
    if (COLUMN_TEXTS.length >= MAX_COLUMNS) return -1;
    byBlt = new Map();
    COLUMNS.set(gt, byBlt);
  }
  let cols = byBlt.get(blt);
  if (cols === undefined) { cols = []; byBlt.set(blt, cols); }
  const k = ((LABELS.indexOf(l) * 2 + (outside ? 1 : 0)) * 2 + (snp ? 1 : 0)) * 2 + (query ? 1 : 0);
  let id = cols[k];
  if (id === undefined) {
    const text = columnText(gt, l, outside, blt, snp, query);
    id = COLUMN_TEXTS.indexOf(text);
    if (id < 0) {
      if (COLUMN_TEXTS.length >= MAX_COLUMNS) return -1;
      id = COLUMN_TEXTS.push(text) - 1;
    }
    cols[k] = id;
  }
  return id;
}

/** A call's genotype as the one-allele path needs it: GENOTYPES index, BLT, and its sample column ids by label (columnId, cached). */
class GtEntry {
  readonly gtClass: number;
  readonly blt: string;
  /** columnId by ((label * 2 + outside) * 2 + SNP) * 2 + query; -2 not looked up yet. */
  private readonly ids = new Int32Array(LABELS.length * 8).fill(-2);

  constructor(private readonly gt: string, cls: [number, string]) {
    this.gtClass = cls[0];
    this.blt = cls[1];
  }

  column(l: Label, outside: boolean, snp: boolean, query: boolean): number {
    const k = ((labelIndex(l) * 2 + (outside ? 1 : 0)) * 2 + (snp ? 1 : 0)) * 2 + (query ? 1 : 0);
    let id = this.ids[k]!;
    if (id === -2) this.ids[k] = id = columnId(this.gt, l, outside, this.blt, snp, query);
    return id;
  }
}

function labelIndex(l: Label): number {
  return l === TP_M ? 0 : l === FN_GTMM ? 1 : l === FN_MISS ? 2 : l === FP_GTMM ? 3 : 4;
}

/** "\tFORMAT\tTRUTH\tQUERY" (without the query's QQ) as bytes, by truth and then query column id. */
const TAILS: (Uint8Array | undefined)[][] = [];

function tailBytes(t: number, q: number): Uint8Array {
  const byQ = TAILS[t] ??= [];
  let b = byQ[q];
  if (b === undefined) {
    b = Buffer.from(`\tGT:BD:BK:BI:BLT:BVT:QQ\t${COLUMN_TEXTS[t]}\t${COLUMN_TEXTS[q]}`, 'latin1');
    byQ[q] = b;
  }
  return b;
}

const QUAL_TEXT = new Map<number, string>();
/** QUALs with one decimal (DeepVariant writes them so): text by QUAL × 10, checked against the QUAL itself. */
const QUAL_BY_TENTH: (string | undefined)[] = [];
const QUAL_OF_TENTH = new Float64Array(100_000).fill(NaN);

/** QUAL as text; the few hundred distinct values of a call set are converted once. */
function qualText(q: number): string {
  const tenth = q * 10;
  if (tenth >= 0 && tenth < 100_000 && Number.isInteger(tenth)) {
    if (QUAL_OF_TENTH[tenth] === q) return QUAL_BY_TENTH[tenth]!;
    const s = String(q);
    QUAL_OF_TENTH[tenth] = q;
    QUAL_BY_TENTH[tenth] = s;
    return s;
  }
  let s = QUAL_TEXT.get(q);
  if (s === undefined) {
    s = String(q);
    if (QUAL_TEXT.size < 100_000) QUAL_TEXT.set(q, s);
  }
  return s;
}

function vcfFilter(f: string): string {
  return f === '' ? '.' : f;
}

function column(u: BenchUnit | undefined, l: Label | undefined, isQuery: boolean): string {
  if (!u || !l) return '.:.:.:.:.:.:.';
  const qq = isQuery && u.call.qual !== undefined ? qualText(u.call.qual) : '.';
  return `${u.gt}:${l.bd}:${l.bk}:${l.bi}:${u.blt}:${u.type}:${qq}`;
}

/** Pairs units with equal (POS, REF, ALT), first come first paired. */
function pairUp(t: BenchUnit[], q: BenchUnit[]): { qOfT: number[]; unpairedT: number; unpairedQ: number } {
  const used = new Uint8Array(q.length);
  const qOfT: number[] = [];
  let unpairedT = 0;
  let paired = 0;
  for (const u of t) {
    let hit = -1;
    for (let j = 0; j < q.length; j++) {
      const v = q[j]!;
      if (used[j] === 0 && v.pos === u.pos && v.ref === u.ref && v.alt === u.alt) { hit = j; break; }
    }
    qOfT.push(hit);
    if (hit < 0) unpairedT++;
    else { used[hit] = 1; paired++; }
  }
  return { qOfT, unpairedT, unpairedQ: q.length - paired };
}

/** Allele-by-allele labels: paired with the same GT → TP; another GT → FN/FP (am); unpaired → FN/FP (lm when the other side has alleles here). */
function direct(t: BenchUnit[], q: BenchUnit[], qOfT: number[], note: string): { t: Label[]; q: Label[] } {
  const tl: Label[] = [];
  const ql: (Label | undefined)[] = new Array<Label | undefined>(q.length);
  for (let i = 0; i < t.length; i++) {
    const j = qOfT[i]!;
    if (j < 0) { tl.push({ bd: 'FN', bk: q.length > 0 ? 'lm' : '.', bi: `${q.length > 0 ? 'almm' : 'miss'}${note}` }); continue; }
    const same = t[i]!.gt === q[j]!.gt;
    tl.push(same ? { bd: 'TP', bk: 'gm', bi: `m${note}` } : { bd: 'FN', bk: 'am', bi: `gtmm${note}` });
    ql[j] = same ? { bd: 'TP', bk: 'gm', bi: `m${note}` } : { bd: 'FP', bk: 'am', bi: `gtmm${note}` };
  }
  for (let j = 0; j < q.length; j++) ql[j] ??= { bd: 'FP', bk: t.length > 0 ? 'lm' : '.', bi: `${t.length > 0 ? 'almm' : 'miss'}${note}` };
  return { t: tl, q: ql as Label[] };
}

/** The counting units of one side's call on an allele: MNPs split into their SNPs. */
function unitsOf(it: StageItem, call: SideCall, out: BenchUnit[]): void {
  const { pos, ref, alt, kind } = it.x;
  const pass = filterStatus(call.filter) === 'PASS';
  const [gtClass, blt] = genotypeClass(call.recordGt, call.gt);
  if (kind === 'MNP') {
    for (let i = 0; i < ref.length; i++) {
      if (ref[i] === alt[i]) continue;
      const r = ref[i]!;
      const a = alt[i]!;
      out.push({ pos: pos + i, ref: r, alt: a, type: 'SNP', sub: isTransition(r, a) ? 1 : 2, gt: call.gt, call, pass, gtClass, blt });
    }
    return;
  }
  if (kind === 'SNP') {
    out.push({ pos, ref, alt, type: 'SNP', sub: isTransition(ref, alt) ? 1 : 2, gt: call.gt, call, pass, gtClass, blt });
    return;
  }
  out.push({ pos, ref, alt, type: 'INDEL', sub: indelSubtype(pos, ref, alt), gt: call.gt, call, pass, gtClass, blt });
}

/** Index in SUBTYPES of an indel or complex allele. */
export function indelSubtype(pos: number, ref: string, alt: string): number {
  const e = editOf(pos, ref, alt, 1);
  const del = e.end0 - e.start0;
  const ins = e.seq.length;
  const bin = (n: number): number => (n <= 5 ? 0 : n <= 15 ? 1 : 2);
  if (del === 0) return 3 + bin(ins);
  if (ins === 0) return 6 + bin(del);
  return 9 + bin(Math.max(del, ins));
}

const GT_CLASS = new Map<string, [number, string]>();

/**
 * hap.py-style location type of a record GT: het, homalt, hetalt (two different ALTs),
 * halfcall (one allele missing), nocall; haploid ALT calls count as homalt.
 */
export function genotypeClass(recordGt: string, projected: string): [number, string] {
  const key = recordGt || projected;
  let hit = GT_CLASS.get(key);
  if (hit) return hit;
  const parts = key.split(/[/|]/);
  const alts = new Set(parts.filter((p) => p !== '.' && p !== '0'));
  const missing = parts.filter((p) => p === '.').length;
  if (missing === parts.length) hit = [0, 'nocall'];
  else if (missing > 0) hit = [1, 'halfcall'];
  else if (alts.size >= 2) hit = [3, 'hetalt'];
  else if (alts.size === 1 && parts.every((p) => p !== '0')) hit = [2, 'homalt'];
  else hit = [1, 'het'];
  if (GT_CLASS.size < 1000) GT_CLASS.set(key, hit);
  return hit;
}
