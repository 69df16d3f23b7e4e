/**
 * Counts of a diff: per class by variant kind (and indel size bin), per-side call
 * statistics (het/hom ratio, Ti/Tv), truth metrics when one side is the truth, and the same
 * class counts per stratum. Plain JSON: this object is written as PREFIX.summary.json and
 * sent to the diff webview as is.
 */
import {
  DIFF_CLASSES, INDEL_BINS, filterStatus, indelBin, isTransition,
  type DiffClass, type DiffSite, type IndelBin, type VariantKind,
} from './diffClasses';
import type { Stratifier, Stratum, StratumGroup } from './stratification';

export type KindCounts = Record<VariantKind, number> & { total: number };
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

interface StratumAcc {
  readonly stratum: Stratum;
  sites: number;
  readonly classes: ClassCounts;
  readonly truth: TruthRow[] | undefined;
}

export class DiffSummaryBuilder {
  readonly summary: DiffSummary;
  private readonly strata = new Map<Stratum, StratumAcc>();
  private readonly t0 = Date.now();

  constructor(
    init: { fileA: string; fileB: string; sampleA: string; sampleB: string; qualDelta: number; normalized: boolean; truth: 'A' | 'B' | undefined; region: string | undefined; beds: string[] },
    private readonly stratifier: Stratifier | undefined,
  ) {
    const indelBins = {} as Record<DiffClass, Record<IndelBin, number>>;
    for (const c of DIFF_CLASSES) indelBins[c] = Object.fromEntries(INDEL_BINS.map((b) => [b, 0])) as Record<IndelBin, number>;
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
      truth: init.truth ? { truth: init.truth, rows: truthRows() } : undefined,
      strata: [],
      elapsedMs: 0,
    };
  }

  /** Counts one record of a side (before splitting): genotype zygosity. `alleles` are the GT's allele indices. */
  addRecord(side: 'A' | 'B', alleles: readonly (number | null)[] | undefined): void {
    const s = side === 'A' ? this.summary.a : this.summary.b;
    s.records++;
    if (!alleles) return;
    let first = -1;
    let hasAlt = false;
    let het = false;
    for (const x of alleles) {
      const v = x ?? -1;
      if (v > 0) hasAlt = true;
      if (first === -1) first = v;
      else if (v !== first) het = true;
    }
    if (!hasAlt) return;
    s.variantRecords++;
    if (het) s.het++;
    else s.homAlt++;
  }

  add(site: DiffSite): void {
    const sm = this.summary;
    sm.sites++;
    const kind = site.kind;
    let differing = false;
    for (const c of site.classes) {
      const k = sm.classes[c];
      k[kind]++;
      k.total++;
      if (c !== 'same') differing = true;
    }
    if (differing) sm.differingSites++;
    const bin = kind === 'INDEL' ? indelBin(site.ref, site.alt) : undefined;
    if (bin) for (const c of site.classes) sm.indelBins[c][bin]++;
    const cA = site.a?.called === true;
    const cB = site.b?.called === true;
    if (cA && cB) sm.sharedCalled++;
    this.sideAllele(sm.a, site, site.a);
    this.sideAllele(sm.b, site, site.b);
    const truthCounts = sm.truth ? truthOutcome(site, sm.truth.truth) : undefined;
    if (truthCounts && sm.truth) addTruth(sm.truth.rows, kind, truthCounts);
    if (this.stratifier) {
      for (const st of this.stratifier.strataOf(site)) {
        let acc = this.strata.get(st);
        if (!acc) this.strata.set(st, (acc = { stratum: st, sites: 0, classes: classCounts(), truth: sm.truth ? truthRows() : undefined }));
        acc.sites++;
        for (const c of site.classes) {
          const k = acc.classes[c];
          k[kind]++;
          k.total++;
        }
        if (truthCounts && acc.truth) addTruth(acc.truth, kind, truthCounts);
      }
    }
  }

  private sideAllele(s: SideStats, site: DiffSite, call: DiffSite['a']): void {
    if (!call) return;
    if (!call.called) { s.nonVariantAlleles++; return; }
    s.calledAlleles[site.kind]++;
    s.calledAlleles.total++;
    if (site.kind === 'SNP') {
      if (isTransition(site.ref, site.alt)) s.transitions++;
      else s.transversions++;
    }
  }

  finish(): DiffSummary {
    const sm = this.summary;
    for (const s of [sm.a, sm.b]) {
      s.hetHomRatio = s.homAlt > 0 ? s.het / s.homAlt : null;
      s.tiTv = s.transversions > 0 ? s.transitions / s.transversions : null;
    }
    if (sm.truth) finishTruth(sm.truth.rows);
    const order: StratumGroup[] = ['bed', 'contigs', 'filter', 'gt'];
    const accs = [...this.strata.values()].sort((x, y) => order.indexOf(x.stratum.group) - order.indexOf(y.stratum.group) || x.stratum.name.localeCompare(y.stratum.name));
    sm.strata.length = 0;
    for (const acc of accs) {
      if (acc.truth) finishTruth(acc.truth);
      sm.strata.push({ group: acc.stratum.group, name: acc.stratum.name, sites: acc.sites, classes: acc.classes, ...(acc.truth ? { truth: acc.truth } : {}) });
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
function truthOutcome(site: DiffSite, truthSide: 'A' | 'B'): TruthOutcome | undefined {
  const t = truthSide === 'A' ? site.a : site.b;
  const q = truthSide === 'A' ? site.b : site.a;
  const tCalled = t?.called === true;
  const qCalled = q?.called === true && filterStatus(q.filter) === 'PASS';
  if (!tCalled && !qCalled) return undefined;
  if (tCalled && qCalled) return t!.gt === q!.gt ? { tp: 1, fp: 0, fn: 0, fpGt: 0 } : { tp: 0, fp: 1, fn: 1, fpGt: 1 };
  return tCalled ? { tp: 0, fp: 0, fn: 1, fpGt: 0 } : { tp: 0, fp: 1, fn: 0, fpGt: 0 };
}

function addTruth(rows: TruthRow[], kind: VariantKind, o: TruthOutcome): void {
  // MNPs are counted with SNPs in the hap.py table (hap.py decomposes them into SNPs).
  const typeRow = rows[kind === 'INDEL' ? 1 : 0]!;
  for (const r of [typeRow, rows[2]!]) {
    r.tp += o.tp;
    r.fp += o.fp;
    r.fn += o.fn;
    r.fpGt += o.fpGt;
  }
}

function finishTruth(rows: TruthRow[]): void {
  for (const r of rows) {
    r.precision = r.tp + r.fp > 0 ? r.tp / (r.tp + r.fp) : null;
    r.recall = r.tp + r.fn > 0 ? r.tp / (r.tp + r.fn) : null;
    r.f1 = r.precision !== null && r.recall !== null && r.precision + r.recall > 0 ? (2 * r.precision * r.recall) / (r.precision + r.recall) : null;
  }
}
