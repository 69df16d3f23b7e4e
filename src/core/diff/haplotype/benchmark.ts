/**
 * Truth-set benchmarking per superlocus (docs/decisions/0011-haplotype-matching.md), in the
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
import { REPLAY_PAD, replay, editOf, type Edit, type ReplayOutcome } from './replay';
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

export interface Label { bd: 'TP' | 'FP' | 'FN' | 'N' | 'UNK'; bk: 'gm' | 'am' | 'lm' | '.'; bi: string }

export interface BenchOptions {
  readonly truth: 'A' | 'B';
  /** Confident regions (hap.py -f): truth outside is not assessed, query outside is UNK. */
  readonly confident?: BedRegions;
  /** Stratification regions: the Subset column of extended.csv. */
  readonly strata: readonly BedRegions[];
  /** Receives the intermediate VCF body line by line. */
  readonly onVcfLine?: (line: string) => void;
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

  constructor(private readonly options: BenchOptions) {
    this.subsets = ['*', ...options.strata.map((s) => s.name)];
    this.nset = this.subsets.length;
    this.cells = new Float64Array(2 * 2 * SUBTYPES.length * this.nset * GENOTYPES.length * NC);
  }

  cell(filter: number, type: number, sub: number, set: number, gt: number): Float64Array {
    const i = ((((filter * 2 + type) * SUBTYPES.length + sub) * this.nset + set) * GENOTYPES.length + gt) * NC;
    return this.cells.subarray(i, i + NC);
  }

  async consume(locus: Superlocus, ctx: ReplayContext): Promise<void> {
    this.stats.superloci++;
    const truthIsA = this.options.truth === 'A';
    const t: BenchUnit[] = [];
    const q: BenchUnit[] = [];
    for (const it of locus.items) {
      if (!it.active) continue;
      const tc = truthIsA ? it.a : it.b;
      const qc = truthIsA ? it.b : it.a;
      if (tc?.called && filterStatus(tc.filter) === 'PASS') unitsOf(it, tc, t);
      if (qc?.called) unitsOf(it, qc, q);
    }
    if (t.length === 0 && q.length === 0) return;
    this.stats.assessed++;
    const all = await this.match(t, q, locus, ctx, true);
    let passQ = q;
    let pass = all;
    if (q.some((u) => !u.pass)) {
      passQ = q.filter((u) => u.pass);
      pass = await this.match(t, passQ, locus, ctx, false);
    }
    const conf = this.options.confident;
    const inConf = (u: BenchUnit): boolean => conf === undefined || conf.overlaps(locus.contig, u.pos - 1, u.pos - 1 + u.ref.length);
    const tIn = t.map(inConf);
    const qIn = q.map(inConf);
    for (const [l, i] of all.t.map((x, k) => [x, k] as const)) if (!tIn[i]) l.bd = 'N';
    for (const [l, i] of all.q.map((x, k) => [x, k] as const)) if (!qIn[i]) l.bd = 'UNK';
    this.count(0, t, tIn, all.t, q, qIn, all.q, locus.contig);
    const passIn = passQ === q ? qIn : passQ.map(inConf);
    this.count(1, t, tIn, pass.t, passQ, passIn, pass.q, locus.contig);
    if (this.options.onVcfLine) this.writeRows(locus, t, all.t, q, all.q);
  }

  /** Labels every unit of both sides (`record`: count the replay in the statistics). */
  private async match(t: BenchUnit[], q: BenchUnit[], locus: Superlocus, ctx: ReplayContext, record: boolean): Promise<{ t: Label[]; q: Label[] }> {
    if (t.length === 0) return { t: [], q: q.map(() => ({ bd: 'FP', bk: '.', bi: 'miss' })) };
    if (q.length === 0) return { t: t.map(() => ({ bd: 'FN', bk: '.', bi: 'miss' })), q: [] };
    const pairs = pairUp(t, q);
    if (pairs.unpairedT === 0 && pairs.unpairedQ === 0) return direct(t, q, pairs.qOfT, '');
    // Representations differ: replay both sides onto the reference.
    const te: Edit[] = t.map((u) => editOf(u.pos, u.ref, u.alt, copiesOf(u.gt)));
    const qe: Edit[] = q.map((u) => editOf(u.pos, u.ref, u.alt, copiesOf(u.gt)));
    const span = spanOf([...te, ...qe]);
    let outcome: ReplayOutcome;
    if (span.end0 - span.start0 > ctx.limits.maxSpan) outcome = 'too-big';
    else {
      const s0 = Math.max(0, span.start0 - REPLAY_PAD);
      const e0 = span.end0 + REPLAY_PAD;
      await ctx.ensure(s0, e0);
      outcome = replay(ctx.ref.slice(s0, e0), s0, te, qe, ctx.limits);
    }
    if (record) {
      this.stats.replayed++;
      if (outcome === 'too-big') this.stats.tooBig++;
      if (outcome === 'genotype') this.stats.haplotypeMatches++;
    }
    if (outcome === 'genotype') return { t: t.map(() => ({ bd: 'TP', bk: 'gm', bi: 'cm;replay' })), q: q.map(() => ({ bd: 'TP', bk: 'gm', bi: 'cm;replay' })) };
    if (outcome === 'allele') return { t: t.map(() => ({ bd: 'FN', bk: 'am', bi: 'gtmm;replay' })), q: q.map(() => ({ bd: 'FP', bk: 'am', bi: 'gtmm;replay' })) };
    return direct(t, q, pairs.qOfT, outcome === 'too-big' ? ';too-big' : ';replay');
  }

  private count(f: number, t: BenchUnit[], tIn: boolean[], tl: Label[], q: BenchUnit[], qIn: boolean[], ql: Label[], contig: string): void {
    for (let i = 0; i < t.length; i++) {
      if (!tIn[i]) continue;
      const slot = tl[i]!.bd === 'TP' ? T_TP : T_FN;
      this.add(f, t[i]!, contig, slot, -1);
    }
    for (let i = 0; i < q.length; i++) {
      const l = ql[i]!;
      if (!qIn[i]) { this.add(f, q[i]!, contig, Q_UNK, -1); continue; }
      if (l.bd === 'TP') this.add(f, q[i]!, contig, Q_TP, -1);
      else this.add(f, q[i]!, contig, Q_FP, l.bk === 'am' ? FP_GT : l.bk === 'lm' ? FP_AL : -1);
    }
  }

  private add(f: number, u: BenchUnit, contig: string, slot: number, extra: number): void {
    const type = u.type === 'INDEL' ? 0 : 1;
    const start0 = u.pos - 1;
    const end0 = start0 + u.ref.length;
    for (let set = 0; set < this.nset; set++) {
      if (set > 0 && !this.options.strata[set - 1]!.overlaps(contig, start0, end0)) continue;
      for (const sub of u.sub === 0 ? [0] : [0, u.sub]) {
        for (const gt of u.gtClass === 0 ? [0] : [0, u.gtClass]) {
          const c = this.cell(f, type, sub, set, gt);
          c[slot]!++;
          if (extra >= 0) c[extra]!++;
        }
      }
    }
  }

  private writeRows(locus: Superlocus, t: BenchUnit[], tl: Label[], q: BenchUnit[], ql: Label[]): void {
    const out = this.options.onVcfLine!;
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
    const conf = this.options.confident;
    for (const r of rows) {
      const start0 = r.pos - 1;
      const end0 = start0 + r.ref.length;
      const regions: string[] = [];
      if (conf?.overlaps(locus.contig, start0, end0)) regions.push('CONF');
      for (const s of this.options.strata) if (s.overlaps(locus.contig, start0, end0)) regions.push(s.name.replace(/[^A-Za-z0-9_.-]/g, '_'));
      const qu = r.q !== undefined ? q[r.q] : undefined;
      const qual = qu?.call.qual !== undefined ? String(qu.call.qual) : '.';
      const filter = qu ? vcfFilter(qu.call.filter) : '.';
      const info = `BS=${locus.id}${regions.length ? `;Regions=${regions.join(',')}` : ''}`;
      out(`${locus.contig}\t${r.pos}\t.\t${r.ref}\t${r.alt}\t${qual}\t${filter}\t${info}\tGT:BD:BK:BI:BLT:BVT:QQ\t${column(r.t !== undefined ? t[r.t] : undefined, r.t !== undefined ? tl[r.t] : undefined, false)}\t${column(qu, r.q !== undefined ? ql[r.q] : undefined, true)}`);
    }
  }
}

function vcfFilter(f: string): string {
  return f === '' ? '.' : f;
}

function column(u: BenchUnit | undefined, l: Label | undefined, isQuery: boolean): string {
  if (!u || !l) return '.:.:.:.:.:.:.';
  const qq = isQuery && u.call.qual !== undefined ? String(u.call.qual) : '.';
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
