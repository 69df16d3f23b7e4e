/**
 * Counts of a diff: per class by variant kind (and indel size bin), per-side call
 * statistics (het/hom ratio, Ti/Tv), truth metrics when one side is the truth, and the same
 * class counts per stratum. Plain JSON: this object is written as PREFIX.summary.json and
 * sent to the diff webview as is.
 */
import {
  DIFF_CLASSES, INDEL_BINS, filterStatus, indelBinIndex, isTransition, maskOfClasses,
  type DiffClass, type DiffSite, type IndelBin, type DiffVariantKind,
} from './diffClasses';
import type { Stratifier, Stratum, StratumGroup } from './stratification';

export type KindCounts = Record<DiffVariantKind, number> & { total: number };
export type ClassCounts = Record<DiffClass, KindCounts>;

export interface SideStats {
  readonly file: string;
  readonly sample: string;
  /** Data lines read (after --region restriction). */
  records: number;
  /** Records whose GT carries at least one ALT allele. */
  variantRecords: number;
  /** Of those: heterozygous (alleles differ, e.g. 0/1, 1/2) and homozygous ALT (1/1). */
  het: number;
  homAlt: number;
  hetHomRatio: number | null;
  /** Called normalized alleles by kind. */
  calledAlleles: KindCounts;
  transitions: number;
  transversions: number;
  tiTv: number | null;
  /** Normalized alleles present in the file whose GT does not carry them (0/0, ./., RefCall). */
  nonVariantAlleles: number;
}

/** One row of the hap.py-style table. */
export interface TruthRow {
  readonly type: 'SNP' | 'INDEL' | 'ALL';
  tp: number;
  fp: number;
  fn: number;
  /** Of fp: the allele is in the truth too, with another genotype (counted in fp and fn). */
  fpGt: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface TruthMetrics {
  readonly truth: 'A' | 'B';
  readonly rows: TruthRow[];
  /** How these rows match: always allele by allele ('allele'); the haplotype-aware hap.py rows are in `DiffSummary.happy`. */
  readonly matching?: 'allele';
}

export interface StratumSummary {
  readonly group: StratumGroup;
  readonly name: string;
  readonly sites: number;
  readonly classes: ClassCounts;
  readonly truth?: TruthRow[];
}

export interface DiffSummary {
  readonly version: 1;
  readonly a: SideStats;
  readonly b: SideStats;
  readonly options: { readonly qualDelta: number; readonly normalized: boolean; readonly truth: 'A' | 'B' | null; readonly region: string | null; readonly beds: string[] };
  /** Every normalized allele seen in either file. */
  sites: number;
  /** Sites with any class other than a lone 'same'. */
  differingSites: number;
  /** Alleles called on both sides (any GT) — what `bcftools isec` reports as shared when both inputs are restricted to GT="alt". */
  sharedCalled: number;
  readonly classes: ClassCounts;
  readonly indelBins: Record<DiffClass, Record<IndelBin, number>>;
  readonly truth?: TruthMetrics;
  readonly strata: StratumSummary[];
  /** Wall time of the diff in milliseconds. */
  elapsedMs: number;
  /** With a reference: superloci and haplotype replay (docs/decisions/0013-haplotype-matching.md). */
  haplotypes?: HaplotypeStats;
  /** With --truth and a reference: the hap.py-compatible rows written to PREFIX.summary.csv (haplotype matching). */
  happy?: {
    readonly matching: 'haplotype';
    readonly rows: readonly Record<string, unknown>[];
    readonly files: readonly string[];
    /** Superloci of the truth comparison: with calls (`assessed`), replayed, matched by haplotype after replay, too big. */
    readonly stats: { readonly superloci: number; readonly assessed: number; readonly replayed: number; readonly tooBig: number; readonly haplotypeMatches: number };
  };
}

export interface HaplotypeStats {
  superloci: number;
  /** Superloci that were replayed onto the reference (their alleles did not all pair up). */
  replayed: number;
  /** Of those: beyond the limits, compared allele by allele instead. */
  tooBig: number;
  /** Alleles moved from only-A / only-B into 'same-haplotypes'. */
  sameHaplotypeAlleles: number;
  readonly limits: { readonly maxHets: number; readonly maxSpan: number };
}

function kindCounts(): KindCounts {
  return { SNP: 0, INDEL: 0, MNP: 0, total: 0 };
}

function classCounts(): ClassCounts {
  const c = {} as ClassCounts;
  for (const k of DIFF_CLASSES) c[k] = kindCounts();
  return c;
}

function truthRows(): TruthRow[] {
  return (['SNP', 'INDEL', 'ALL'] as const).map((type) => ({ type, tp: 0, fp: 0, fn: 0, fpGt: 0, precision: null, recall: null, f1: null }));
}

function sideStats(file: string, sample: string): SideStats {
  return {
    file, sample, records: 0, variantRecords: 0, het: 0, homAlt: 0, hetHomRatio: null,
    calledAlleles: kindCounts(), transitions: 0, transversions: 0, tiTv: null, nonVariantAlleles: 0,
  };
}

/**
 * Counts are kept per class *mask* (bit i ↔ DIFF_CLASSES[i], MASKS masks) and kind — one
 * typed-array increment per site instead of one per class — and expanded into the
 * per-class objects in `finish()`.
 */
/** Number of class masks (bit i ↔ DIFF_CLASSES[i]). */
const MASKS = 1 << DIFF_CLASSES.length;
const KINDS_BY_INDEX: readonly DiffVariantKind[] = ['SNP', 'INDEL', 'MNP'];

interface StratumAcc {
  readonly stratum: Stratum;
  sites: number;
  /** [mask * 3 + kind index] → sites. */
  readonly byMask: Float64Array;
  readonly truth: TruthRow[] | undefined;
}

/** Adds mask-indexed counts into per-class counts. */
function expandMasks(byMask: Float64Array, into: ClassCounts): void {
  for (let m = 1; m < MASKS; m++) {
    for (let k = 0; k < 3; k++) {
      const n = byMask[m * 3 + k]!;
      if (n === 0) continue;
      const kind = KINDS_BY_INDEX[k]!;
      for (let i = 0; i < DIFF_CLASSES.length; i++) {
        if ((m & (1 << i)) === 0) continue;
        const c = into[DIFF_CLASSES[i]!];
        c[kind] += n;
        c.total += n;
      }
    }
  }
}

const TP: TruthOutcome = { tp: 1, fp: 0, fn: 0, fpGt: 0 };
const FP_GT: TruthOutcome = { tp: 0, fp: 1, fn: 1, fpGt: 1 };
const FN: TruthOutcome = { tp: 0, fp: 0, fn: 1, fpGt: 0 };
const FP: TruthOutcome = { tp: 0, fp: 1, fn: 0, fpGt: 0 };
const OUTCOMES: readonly (TruthOutcome | undefined)[] = [undefined, TP, FP_GT, FN, FP];

/** Truth outcomes by index (`add`'s shapes): 0 none, 1 TP, 2 genotype mismatch (FP + FN), 3 FN, 4 FP. */
const NO = 5;

/**
 * Shapes (`add`): everything the site-level counts need of one allele, as one index —
 * ((((mask * 3 + kind) * 3 + A's state) * 3 + B's state) * 2 + transition) * NO + outcome, a
 * side's state being 0 absent, 1 present but not called, 2 called.
 */
const SHAPES = MASKS * 3 * 3 * 3 * 2 * NO;

export class DiffSummaryBuilder {
  readonly summary: DiffSummary;
  private readonly strata = new Map<Stratum, StratumAcc>();
  private readonly t0 = Date.now();
  /** Sites by shape (see SHAPES), expanded into the summary's counts in `finish`. */
  private readonly shapes = new Float64Array(SHAPES);
  /** [mask * 6 + bin index] → indels. */
  private readonly binsByMask = new Float64Array(MASKS * 6);
  /** Per combination of strata (Stratifier.comboOf): sites by (mask * 3 + kind) * NO + outcome, spread over the strata in `finish`. */
  private readonly combos: Float64Array[] = [];
  /** The truth side, when there is one. */
  private readonly truthIsA: boolean | undefined;

  constructor(
    init: { fileA: string; fileB: string; sampleA: string; sampleB: string; qualDelta: number; normalized: boolean; truth: 'A' | 'B' | undefined; region: string | undefined; beds: string[] },
    private readonly stratifier: Stratifier | undefined,
  ) {
    const indelBins = {} as Record<DiffClass, Record<IndelBin, number>>;
    for (const c of DIFF_CLASSES) indelBins[c] = Object.fromEntries(INDEL_BINS.map((b) => [b, 0])) as Record<IndelBin, number>;
    this.truthIsA = init.truth === undefined ? undefined : init.truth === 'A';
    this.summary = {
      version: 1,
      a: sideStats(init.fileA, init.sampleA),
      b: sideStats(init.fileB, init.sampleB),
      options: { qualDelta: init.qualDelta, normalized: init.normalized, truth: init.truth ?? null, region: init.region ?? null, beds: init.beds },
      sites: 0,
      differingSites: 0,
      sharedCalled: 0,
      classes: classCounts(),
      indelBins,
      truth: init.truth ? { truth: init.truth, rows: truthRows(), matching: 'allele' } : undefined,
      strata: [],
      elapsedMs: 0,
    };
  }

  /** Counts one record of a side (before splitting): genotype zygosity. `alleles` are the GT's allele indices. */
  addRecord(side: 'A' | 'B', alleles: readonly (number | null)[] | undefined): void {
    this.addRecordZygosity(side, alleles ? zygosityOf(alleles) : 0);
  }

  /** Like `addRecord` with the zygosity already known: 0 no ALT in the GT (or no GT), 1 het, 2 hom ALT. */
  addRecordZygosity(side: 'A' | 'B', zygosity: 0 | 1 | 2): void {
    const s = side === 'A' ? this.summary.a : this.summary.b;
    s.records++;
    if (zygosity === 0) return;
    s.variantRecords++;
    if (zygosity === 1) s.het++;
    else s.homAlt++;
  }

  /**
   * Counts one site. `mask` is `classMask` of its calls (the engine passes it; else derived from
   * `site.classes`). One typed-array increment (its shape) and one per combination of strata;
   * `finish` expands them into the summary.
   */
  add(site: DiffSite, mask = maskOfClasses(site.classes)): void {
    const kind = site.kind;
    const ki = kind === 'SNP' ? 0 : kind === 'INDEL' ? 1 : 2;
    const j = mask * 3 + ki;
    if (ki === 1) {
      const d = site.alt.length - site.ref.length;
      if (d !== 0) { const bj = mask * 6 + indelBinIndex(d); this.binsByMask[bj] = this.binsByMask[bj]! + 1; }
    }
    const a = site.a;
    const b = site.b;
    const aS = a === undefined ? 0 : a.called ? 2 : 1;
    const bS = b === undefined ? 0 : b.called ? 2 : 1;
    const ti = ki === 0 && (aS === 2 || bS === 2) && isTransition(site.ref, site.alt) ? 1 : 0;
    let o = 0;
    const truthIsA = this.truthIsA;
    if (truthIsA !== undefined) {
      // truthOutcome's rules, as an index.
      const t = truthIsA ? a : b;
      const q = truthIsA ? b : a;
      const tCalled = t?.called === true;
      const qCalled = q?.called === true && filterStatus(q.filter) === 'PASS';
      if (tCalled && qCalled) o = t!.gt === q!.gt ? 1 : 2;
      else if (tCalled) o = 3;
      else if (qCalled) o = 4;
    }
    const shape = (((j * 3 + aS) * 3 + bS) * 2 + ti) * NO + o;
    this.shapes[shape] = this.shapes[shape]! + 1;
    if (this.stratifier) {
      // Counted once per combination of strata; `finish` adds each combination to its strata.
      const id = this.stratifier.comboOf(site);
      const acc = this.combos[id] ?? (this.combos[id] = new Float64Array(MASKS * 3 * NO));
      const k = j * NO + o;
      acc[k] = acc[k]! + 1;
    }
  }

  /** The site counts of the shapes `add` counted, into the summary. */
  private expandShapes(): void {
    const sm = this.summary;
    const shapes = this.shapes;
    for (let shape = 0; shape < shapes.length; shape++) {
      const n = shapes[shape]!;
      if (n === 0) continue;
      let r = shape;
      const o = r % NO; r = (r - o) / NO;
      const ti = r % 2; r = (r - ti) / 2;
      const bS = r % 3; r = (r - bS) / 3;
      const aS = r % 3; r = (r - aS) / 3;
      const j = r;
      const ki = j % 3;
      const mask = (j - ki) / 3;
      const kind = KINDS_BY_INDEX[ki]!;
      sm.sites += n;
      this.byMask[j] = this.byMask[j]! + n;
      if (mask !== 1) sm.differingSites += n; // 1 = a lone 'same'
      if (aS === 2 && bS === 2) sm.sharedCalled += n;
      for (const [st, s] of [[aS, sm.a], [bS, sm.b]] as const) {
        if (st === 1) s.nonVariantAlleles += n;
        else if (st === 2) {
          s.calledAlleles[kind] += n;
          s.calledAlleles.total += n;
          if (ki === 0) {
            if (ti === 1) s.transitions += n;
            else s.transversions += n;
          }
        }
      }
      if (o !== 0 && sm.truth) addTruth(sm.truth.rows, kind, OUTCOMES[o]!, n);
    }
  }

  /** [mask * 3 + kind index] → sites, filled by `expandShapes`. */
  private readonly byMask = new Float64Array(MASKS * 3);

  /** Adds the per-combination counts to the strata (once, from `finish`). */
  private spreadCombos(): void {
    const truth = this.summary.truth !== undefined;
    for (let id = 0; id < this.combos.length; id++) {
      const c = this.combos[id];
      if (c === undefined) continue;
      for (const st of this.stratifier!.comboStrata(id)) {
        let acc = this.strata.get(st);
        if (!acc) this.strata.set(st, (acc = { stratum: st, sites: 0, byMask: new Float64Array(MASKS * 3), truth: truth ? truthRows() : undefined }));
        for (let j = 0; j < MASKS * 3; j++) {
          for (let o = 0; o < NO; o++) {
            const n = c[j * NO + o]!;
            if (n === 0) continue;
            acc.sites += n;
            acc.byMask[j] = acc.byMask[j]! + n;
            if (o !== 0 && acc.truth) addTruth(acc.truth, KINDS_BY_INDEX[j % 3]!, OUTCOMES[o]!, n);
          }
        }
      }
    }
    this.combos.length = 0;
  }

  finish(): DiffSummary {
    const sm = this.summary;
    this.expandShapes();
    for (const c of DIFF_CLASSES) sm.classes[c] = kindCounts();
    expandMasks(this.byMask, sm.classes);
    for (const c of DIFF_CLASSES) for (const b of INDEL_BINS) sm.indelBins[c][b] = 0;
    for (let m = 1; m < MASKS; m++) {
      for (let bi = 0; bi < INDEL_BINS.length; bi++) {
        const n = this.binsByMask[m * 6 + bi]!;
        if (n === 0) continue;
        for (let i = 0; i < DIFF_CLASSES.length; i++) if ((m & (1 << i)) !== 0) sm.indelBins[DIFF_CLASSES[i]!][INDEL_BINS[bi]!] += n;
      }
    }
    for (const s of [sm.a, sm.b]) {
      s.hetHomRatio = s.homAlt > 0 ? s.het / s.homAlt : null;
      s.tiTv = s.transversions > 0 ? s.transitions / s.transversions : null;
    }
    if (sm.truth) finishTruth(sm.truth.rows);
    this.spreadCombos();
    const order: StratumGroup[] = ['bed', 'contigs', 'filter', 'gt', 'mid'];
    const accs = [...this.strata.values()].sort((x, y) => order.indexOf(x.stratum.group) - order.indexOf(y.stratum.group) || x.stratum.name.localeCompare(y.stratum.name));
    sm.strata.length = 0;
    for (const acc of accs) {
      if (acc.truth) finishTruth(acc.truth);
      const classes = classCounts();
      expandMasks(acc.byMask, classes);
      sm.strata.push({ group: acc.stratum.group, name: acc.stratum.name, sites: acc.sites, classes, ...(acc.truth ? { truth: acc.truth } : {}) });
    }
    sm.elapsedMs = Date.now() - this.t0;
    return sm;
  }
}

interface TruthOutcome { tp: number; fp: number; fn: number; fpGt: number }

/**
 * hap.py-like outcome of one allele: a query call counts only when its FILTER is PASS (hap.py
 * ignores filtered query records by default); the truth counts every call. A call matching
 * the truth allele with the same projected GT is a TP; a genotype mismatch is an FP *and* an
 * FN (genotype-matching semantics of vcfeval/hap.py), tallied in fpGt too.
 */
export function truthOutcome(site: DiffSite, truthSide: 'A' | 'B'): TruthOutcome | undefined {
  const t = truthSide === 'A' ? site.a : site.b;
  const q = truthSide === 'A' ? site.b : site.a;
  const tCalled = t?.called === true;
  const qCalled = q?.called === true && filterStatus(q.filter) === 'PASS';
  if (!tCalled && !qCalled) return undefined;
  if (tCalled && qCalled) return t!.gt === q!.gt ? TP : FP_GT;
  return tCalled ? FN : FP;
}

/**
 * The outcome of one allele as a class name, for the sites of a diff against a truth VCF: TP,
 * FP, FN, or FP+FN (a genotype mismatch), counted as the summary counts it (truthOutcome);
 * undefined when neither side calls it.
 */
export type TruthClass = 'TP' | 'FP' | 'FN' | 'FP+FN';

export function truthClassOf(site: DiffSite, truthSide: 'A' | 'B'): TruthClass | undefined {
  const o = truthOutcome(site, truthSide);
  if (!o) return undefined;
  return o.tp ? 'TP' : o.fpGt ? 'FP+FN' : o.fp ? 'FP' : 'FN';
}

/** Adds `n` sites of outcome `o` to the type's row and the ALL row. */
function addTruth(rows: TruthRow[], kind: DiffVariantKind, o: TruthOutcome, n: number): void {
  // MNPs are counted with SNPs in the hap.py table (hap.py decomposes them into SNPs).
  const typeRow = rows[kind === 'INDEL' ? 1 : 0]!;
  for (const r of [typeRow, rows[2]!]) {
    r.tp += o.tp * n;
    r.fp += o.fp * n;
    r.fn += o.fn * n;
    r.fpGt += o.fpGt * n;
  }
}

function finishTruth(rows: TruthRow[]): void {
  for (const r of rows) {
    r.precision = r.tp + r.fp > 0 ? r.tp / (r.tp + r.fp) : null;
    r.recall = r.tp + r.fn > 0 ? r.tp / (r.tp + r.fn) : null;
    r.f1 = r.precision !== null && r.recall !== null && r.precision + r.recall > 0 ? (2 * r.precision * r.recall) / (r.precision + r.recall) : null;
  }
}

/**
 * Zygosity of a GT from its allele indices (null = '.'): 0 no ALT allele, 1 heterozygous
 * (the alleles differ, a missing one counting as different), 2 homozygous ALT.
 */
export function zygosityOf(alleles: readonly (number | null)[]): 0 | 1 | 2 {
  let first = -1;
  let hasAlt = false;
  let het = false;
  for (const x of alleles) {
    const v = x ?? -1;
    if (v > 0) hasAlt = true;
    if (first === -1) first = v;
    else if (v !== first) het = true;
  }
  return !hasAlt ? 0 : het ? 1 : 2;
}
