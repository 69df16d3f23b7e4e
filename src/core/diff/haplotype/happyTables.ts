/**
 * hap.py-compatible tables from the benchmark counts: PREFIX.summary.csv (hap.py v0.3's
 * columns and row order: INDEL ALL, INDEL PASS, SNP ALL, SNP PASS) and PREFIX.extended.csv
 * (per Subtype × Subset × Filter × Genotype, the Subset being '*' or a stratification BED).
 * Metric definitions: Illumina/hap.py doc/happy.md and the GA4GH performance metrics
 * (ga4gh/benchmarking-tools doc/standards/GA4GHBenchmarkingPerformanceMetricsDefinitions.md):
 * Recall = TRUTH.TP / (TRUTH.TP + TRUTH.FN), Precision = QUERY.TP / (QUERY.TP + QUERY.FP),
 * Frac_NA = QUERY.UNK / QUERY.TOTAL, F1 = 2 P R / (P + R).
 */
import { FILTERS, GENOTYPES, SUBTYPES, TYPES, type BenchmarkCounter } from './benchmark';

export const SUMMARY_COLUMNS = [
  'Type', 'Filter', 'TRUTH.TOTAL', 'TRUTH.TP', 'TRUTH.FN', 'QUERY.TOTAL', 'QUERY.FP', 'QUERY.UNK', 'FP.gt', 'FP.al',
  'METRIC.Recall', 'METRIC.Precision', 'METRIC.Frac_NA', 'METRIC.F1_Score',
  'TRUTH.TOTAL.TiTv_ratio', 'QUERY.TOTAL.TiTv_ratio', 'TRUTH.TOTAL.het_hom_ratio', 'QUERY.TOTAL.het_hom_ratio',
] as const;

export const EXTENDED_COLUMNS = [
  'Type', 'Subtype', 'Subset', 'Filter', 'Genotype', 'QQ.Field', 'QQ',
  'METRIC.Recall', 'METRIC.Precision', 'METRIC.Frac_NA', 'METRIC.F1_Score', 'FP.gt', 'FP.al',
  'TRUTH.TOTAL', 'TRUTH.TP', 'TRUTH.FN', 'QUERY.TOTAL', 'QUERY.TP', 'QUERY.FP', 'QUERY.UNK',
] as const;

/** One summary row as numbers (what the CLI prints and summary.json carries). */
export interface HappyRow {
  readonly type: 'INDEL' | 'SNP';
  readonly filter: 'ALL' | 'PASS';
  truthTotal: number; truthTp: number; truthFn: number;
  queryTotal: number; queryTp: number; queryFp: number; queryUnk: number;
  fpGt: number; fpAl: number;
  recall: number | null; precision: number | null; fracNa: number | null; f1: number | null;
}

interface Totals { tTp: number; tFn: number; qTp: number; qFp: number; qUnk: number; fpGt: number; fpAl: number }

function totals(c: Float64Array): Totals {
  return { tTp: c[0]!, tFn: c[1]!, qTp: c[2]!, qFp: c[3]!, qUnk: c[4]!, fpGt: c[5]!, fpAl: c[6]! };
}

function metrics(x: Totals): Pick<HappyRow, 'recall' | 'precision' | 'fracNa' | 'f1'> {
  const recall = x.tTp + x.tFn > 0 ? x.tTp / (x.tTp + x.tFn) : null;
  const precision = x.qTp + x.qFp > 0 ? x.qTp / (x.qTp + x.qFp) : null;
  const qTotal = x.qTp + x.qFp + x.qUnk;
  const fracNa = qTotal > 0 ? x.qUnk / qTotal : null;
  const f1 = recall !== null && precision !== null && recall + precision > 0 ? (2 * recall * precision) / (recall + precision) : null;
  return { recall, precision, fracNa, f1 };
}

export function happyRows(counter: BenchmarkCounter): HappyRow[] {
  const rows: HappyRow[] = [];
  for (let type = 0; type < 2; type++) {
    for (let f = 0; f < 2; f++) {
      const x = totals(counter.cell(f, type, 0, 0, 0));
      rows.push({
        type: TYPES[type]!, filter: FILTERS[f]!,
        truthTotal: x.tTp + x.tFn, truthTp: x.tTp, truthFn: x.tFn,
        queryTotal: x.qTp + x.qFp + x.qUnk, queryTp: x.qTp, queryFp: x.qFp, queryUnk: x.qUnk,
        fpGt: x.fpGt, fpAl: x.fpAl, ...metrics(x),
      });
    }
  }
  return rows;
}

/** A metric as PREFIX.summary.csv writes it: 6 decimals at most, empty when undefined. */
export function formatCsvNumber(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '' : String(Math.round(x * 1e6) / 1e6);
}

const num = formatCsvNumber;

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/** PREFIX.summary.csv text. */
export function summaryCsv(counter: BenchmarkCounter): string {
  const lines: string[] = [SUMMARY_COLUMNS.join(',')];
  for (const r of happyRows(counter)) {
    const type = r.type === 'INDEL' ? 0 : 1;
    const f = r.filter === 'ALL' ? 0 : 1;
    // Ti/Tv of SNP totals; het/hom from the genotype split (as hap.py: NaN / empty for INDEL Ti/Tv).
    const side = (subTi: number, subTv: number, slotA: number[]): number | null => {
      let ti = 0;
      let tv = 0;
      for (const s of slotA) { ti += counter.cell(f, type, subTi, 0, 0)[s]!; tv += counter.cell(f, type, subTv, 0, 0)[s]!; }
      return type === 1 ? ratio(ti, tv) : null;
    };
    const hetHom = (slots: number[]): number | null => {
      let het = 0;
      let hom = 0;
      for (const s of slots) { het += counter.cell(f, type, 0, 0, 1)[s]! + counter.cell(f, type, 0, 0, 3)[s]!; hom += counter.cell(f, type, 0, 0, 2)[s]!; }
      return ratio(het, hom);
    };
    lines.push([
      r.type, r.filter, r.truthTotal, r.truthTp, r.truthFn, r.queryTotal, r.queryFp, r.queryUnk, r.fpGt, r.fpAl,
      num(r.recall), num(r.precision), num(r.fracNa), num(r.f1),
      num(side(1, 2, [0, 1])), num(side(1, 2, [2, 3, 4])), num(hetHom([0, 1])), num(hetHom([2, 3, 4])),
    ].join(','));
  }
  return lines.join('\n') + '\n';
}

/** PREFIX.extended.csv text: every Subtype × Subset × Filter × Genotype cell with any count. */
export function extendedCsv(counter: BenchmarkCounter): string {
  const lines: string[] = [EXTENDED_COLUMNS.join(',')];
  for (let type = 0; type < 2; type++) {
    for (let sub = 0; sub < SUBTYPES.length; sub++) {
      if (sub > 0 && (type === 1) !== (sub <= 2)) continue;
      for (let set = 0; set < counter.subsets.length; set++) {
        for (let f = 0; f < 2; f++) {
          for (let gt = 0; gt < GENOTYPES.length; gt++) {
            const x = totals(counter.cell(f, type, sub, set, gt));
            const any = x.tTp + x.tFn + x.qTp + x.qFp + x.qUnk;
            if (any === 0 && !(sub === 0 && gt === 0)) continue;
            const m = metrics(x);
            lines.push([
              TYPES[type], SUBTYPES[sub], csvText(counter.subsets[set]!), FILTERS[f], GENOTYPES[gt], 'QUAL', '*',
              num(m.recall), num(m.precision), num(m.fracNa), num(m.f1), x.fpGt, x.fpAl,
              x.tTp + x.tFn, x.tTp, x.tFn, x.qTp + x.qFp + x.qUnk, x.qTp, x.qFp, x.qUnk,
            ].join(','));
          }
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

function csvText(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
