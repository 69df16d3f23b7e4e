/**
 * The features of a diff site and their bins (docs/decisions/0016-site-features.md): what the
 * site list's columns, the filter language, the plots and the enrichment ranking share.
 *
 * Per-call values (VAF, DP, GQ, QUAL, MID) are A's when A's record has the value, else B's;
 * FILTER is A's when A has a record for the allele, else B's; the reference context, the neighbour distance and the
 * hold-out flag belong to the site. Every site falls in exactly one bin of every feature
 * (a '.' bin holds sites without the value), so the bins of a feature sum to the totals.
 */
import type { DiffSite, SideCall, SiteFeatureValues } from '../diffClasses';
import { filterStatus } from '../diffClasses';

export type FeatureName =
  | 'vaf' | 'dp' | 'gq' | 'qual' | 'filter' | 'type' | 'indel_length' | 'homopolymer'
  | 'repeat_unit' | 'repeat_copies' | 'gc' | 'neighbor_distance' | 'held_out' | 'mid';

/** A numeric bin [lo, hi) (hi = Infinity for the last), or a categorical value. */
export interface FeatureBin {
  readonly label: string;
  readonly lo?: number;
  readonly hi?: number;
}

export interface FeatureDef {
  readonly name: FeatureName;
  /** How a sentence names it ("sites in homopolymer ≥ 6"). */
  readonly label: string;
  readonly numeric: boolean;
  readonly bins: readonly FeatureBin[];
}

const MISSING: FeatureBin = { label: '.' };

function edges(values: readonly number[], unit = ''): FeatureBin[] {
  const out: FeatureBin[] = [];
  for (let k = 0; k < values.length; k++) {
    const lo = values[k]!;
    const hi = k + 1 < values.length ? values[k + 1]! : Infinity;
    const label = hi === Infinity ? `≥${lo}${unit}` : Number.isInteger(lo) && Number.isInteger(hi) && hi - lo === 1 ? `${lo}${unit}` : `${lo}–${hi}${unit}`;
    out.push({ label, lo, hi });
  }
  return out;
}

function cats(values: readonly string[]): FeatureBin[] {
  return values.map((label) => ({ label }));
}

/** Integer bins whose labels name the integers they hold ("6–7" = 6 or 7). */
function intBins(values: readonly number[]): FeatureBin[] {
  return edges(values).map((b) => (b.hi === Infinity || b.hi! - b.lo! === 1 ? b : { ...b, label: `${b.lo}–${b.hi! - 1}` }));
}

export const FEATURES: readonly FeatureDef[] = [
  { name: 'vaf', label: 'VAF', numeric: true, bins: [...edges([0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8]), MISSING] },
  { name: 'dp', label: 'depth', numeric: true, bins: [...intBins([0, 10, 15, 20, 30, 50]), MISSING] },
  { name: 'gq', label: 'GQ', numeric: true, bins: [...intBins([0, 10, 20, 30, 50]), MISSING] },
  { name: 'qual', label: 'QUAL', numeric: true, bins: [...edges([0, 10, 20, 30, 50]), MISSING] },
  { name: 'filter', label: 'FILTER', numeric: false, bins: cats(['PASS', 'RefCall', 'other']) },
  { name: 'type', label: 'type', numeric: false, bins: cats(['SNP', 'INDEL', 'MNP']) },
  { name: 'indel_length', label: 'indel length', numeric: true, bins: [{ label: 'del>15', lo: -Infinity, hi: -15 }, { label: 'del6-15', lo: -15, hi: -5 }, { label: 'del1-5', lo: -5, hi: 0 }, { label: '0', lo: 0, hi: 1 }, { label: 'ins1-5', lo: 1, hi: 6 }, { label: 'ins6-15', lo: 6, hi: 16 }, { label: 'ins>15', lo: 16, hi: Infinity }] },
  { name: 'homopolymer', label: 'homopolymer', numeric: true, bins: [...intBins([1, 2, 4, 6]), MISSING] },
  { name: 'repeat_unit', label: 'tandem-repeat unit (bp)', numeric: true, bins: [{ label: 'none', lo: 0, hi: 2 }, ...intBins([2, 3, 4, 5, 6, 7]).slice(0, -1), MISSING] },
  { name: 'repeat_copies', label: 'tandem-repeat copies', numeric: true, bins: [...intBins([0, 2, 4, 6, 10]), MISSING] },
  { name: 'gc', label: 'GC (±50 bp)', numeric: true, bins: [...edges([0, 0.3, 0.4, 0.5, 0.6]), MISSING] },
  { name: 'neighbor_distance', label: 'distance to the next variant', numeric: true, bins: [...intBins([1, 11, 51, 201]), MISSING] },
  { name: 'held_out', label: 'hold-out contig', numeric: false, bins: cats(['yes', 'no']) },
  { name: 'mid', label: 'MID', numeric: false, bins: [...cats(['small_model']), { label: 'other' }, MISSING] },
];

/** The call whose values a site's per-call features use: A's record, else B's. */
export function siteCall(s: DiffSite): SideCall | undefined {
  return s.a ?? s.b;
}

/** The value of a feature at a site: a number, a category, or undefined (the '.' bin). */
export function featureValue(s: DiffSite, name: FeatureName): number | string | undefined {
  const c = siteCall(s);
  const f = s.features;
  switch (name) {
    case 'vaf': return s.a?.vaf ?? s.b?.vaf;
    case 'dp': return s.a?.dp ?? s.b?.dp;
    case 'gq': return s.a?.gq ?? s.b?.gq;
    case 'qual': return s.a?.qual ?? s.b?.qual;
    case 'filter': { const st = c ? filterStatus(c.filter) : 'PASS'; return st === 'PASS' || st === 'RefCall' ? st : 'other'; }
    case 'type': return s.kind;
    case 'indel_length': return s.alt.length - s.ref.length;
    case 'homopolymer': return f?.homopolymer;
    case 'repeat_unit': return f?.repeatUnit;
    case 'repeat_copies': return f?.repeatCopies;
    case 'gc': return f?.gc;
    case 'neighbor_distance': return f?.neighborDistance;
    case 'held_out': return f === undefined ? undefined : f.heldOut ? 'yes' : 'no';
    case 'mid': { const m = s.a?.mid || s.b?.mid; return m === undefined || m === '' ? undefined : m === 'small_model' ? m : 'other'; }
  }
}

/** Index in `def.bins` of a value (the '.' bin, or the last bin, for undefined). */
export function binIndex(def: FeatureDef, v: number | string | undefined): number {
  const bins = def.bins;
  if (v === undefined) return bins.length - 1;
  if (typeof v === 'number') {
    for (let k = 0; k < bins.length; k++) {
      const b = bins[k]!;
      if (b.lo !== undefined && v >= b.lo && v < b.hi!) return k;
    }
    return bins.length - 1;
  }
  const k = bins.findIndex((b) => b.label === v);
  return k >= 0 ? k : bins.length - 1;
}

export function featureDef(name: string): FeatureDef | undefined {
  return FEATURES.find((f) => f.name === name);
}

/** Small non-negative integers below this are binned through a table. */
const INT_TABLE = 1024;

/**
 * Grid cells per numeric feature for non-integer values: cell g holds [g·step, (g + 1)·step),
 * where every finite bound of the feature is a multiple of `step`, so a cell lies inside one bin.
 */
const GRID_CELLS = 64;

/**
 * The bin of a number in a numeric feature: a table for small integers; other numbers (VAF,
 * QUAL, GC: doubles) through a grid of equal cells, the cell's bin checked against its bounds
 * (a value that rounds into a neighbouring cell at a bound fails the check and is found by
 * the scan over the bounds, as `binIndex` does) — the answer is always `binIndex`'s.
 */
class NumericBinner {
  private readonly table: Int8Array;
  /** Bounds of each bin as `binIndex` tests them (NaN for a bin without bounds: never matches). */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly last: number;
  /** 1 / step of the grid (0: no grid), and the bin of each grid cell. */
  private readonly perCell: number;
  private readonly grid: Int8Array;

  constructor(def: FeatureDef, private readonly offset = 0) {
    this.table = Int8Array.from({ length: INT_TABLE }, (_, v) => binIndex(def, v - offset));
    this.lo = Float64Array.from(def.bins, (b) => (b.lo === undefined ? NaN : b.lo));
    this.hi = Float64Array.from(def.bins, (b) => (b.lo === undefined ? NaN : b.hi!));
    this.last = def.bins.length - 1;
    const bounds = def.bins.flatMap((b) => [b.lo, b.hi]).filter((x): x is number => x !== undefined && Number.isFinite(x));
    const step = [10, 5, 1, 0.5, 0.1, 0.05, 0.01].find((st) => bounds.every((x) => Math.abs(Math.round(x / st) * st - x) < 1e-9 && Math.round(x / st) >= 0));
    this.perCell = step === undefined ? 0 : 1 / step;
    this.grid = Int8Array.from({ length: step === undefined ? 0 : GRID_CELLS }, (_, g) => binIndex(def, (g + 0.5) * step!));
  }

  bin(v: number | undefined): number {
    if (v === undefined) return this.last;
    const j = v + this.offset;
    if ((j | 0) === j && j >= 0 && j < INT_TABLE) return this.table[j]!;
    const lo = this.lo;
    const hi = this.hi;
    const g = Math.floor(v * this.perCell);
    if (g >= 0 && g < this.grid.length) {
      const k = this.grid[g]!;
      if (v >= lo[k]! && v < hi[k]!) return k;
    }
    for (let k = 0; k < lo.length; k++) if (v >= lo[k]! && v < hi[k]!) return k;
    return this.last;
  }
}

function defOf(name: FeatureName): FeatureDef {
  return FEATURES.find((f) => f.name === name)!;
}

function indexOf(name: FeatureName): number {
  return FEATURES.findIndex((f) => f.name === name);
}

// Module constants: no property lookup per site.
const F_VAF = indexOf('vaf');
const F_DP = indexOf('dp');
const F_GQ = indexOf('gq');
const F_QUAL = indexOf('qual');
const F_FILTER = indexOf('filter');
const F_TYPE = indexOf('type');
const F_INDEL = indexOf('indel_length');
const F_HOMOPOLYMER = indexOf('homopolymer');
const F_REPEAT_UNIT = indexOf('repeat_unit');
const F_REPEAT_COPIES = indexOf('repeat_copies');
const F_GC = indexOf('gc');
const F_NEIGHBOR = indexOf('neighbor_distance');
const F_HELD_OUT = indexOf('held_out');
const F_MID = indexOf('mid');
const BIN_DP = new NumericBinner(defOf('dp'));
const BIN_GQ = new NumericBinner(defOf('gq'));
const BIN_QUAL = new NumericBinner(defOf('qual'));
const BIN_VAF = new NumericBinner(defOf('vaf'));
const BIN_INDEL = new NumericBinner(defOf('indel_length'), INT_TABLE / 2);
const BIN_HOMOPOLYMER = new NumericBinner(defOf('homopolymer'));
const BIN_REPEAT_UNIT = new NumericBinner(defOf('repeat_unit'));
const BIN_REPEAT_COPIES = new NumericBinner(defOf('repeat_copies'));
const BIN_GC = new NumericBinner(defOf('gc'));
const BIN_NEIGHBOR = new NumericBinner(defOf('neighbor_distance'));
const KIND_SNP = binIndex(defOf('type'), 'SNP');
const KIND_INDEL = binIndex(defOf('type'), 'INDEL');
const KIND_MNP = binIndex(defOf('type'), 'MNP');
const FILTER_BIN = { PASS: binIndex(defOf('filter'), 'PASS'), RefCall: binIndex(defOf('filter'), 'RefCall'), other: binIndex(defOf('filter'), 'other') };
const HELD_OUT_BIN = { yes: binIndex(defOf('held_out'), 'yes'), no: binIndex(defOf('held_out'), 'no'), missing: binIndex(defOf('held_out'), undefined) };
const MID_BIN = { small: binIndex(defOf('mid'), 'small_model'), other: binIndex(defOf('mid'), 'other'), missing: binIndex(defOf('mid'), undefined) };

/**
 * Every feature's bin at a site at once, `out[f]` = `binIndex(FEATURES[f], featureValue(s,
 * FEATURES[f].name))` (the features stage counts every site of a whole genome: no switch per
 * feature, no strings, integer values binned through tables).
 */
export function siteBinsInto(s: DiffSite, out: Int32Array): void {
  callBinsInto(s, out);
  siteFeatureBinsInto(s.features, out);
}

/** The bins of `siteBinsInto` that the calls and the allele decide (VAF, DP, GQ, QUAL, FILTER, type, indel length, MID). */
export function callBinsInto(s: DiffSite, out: Int32Array): void {
  const a = s.a;
  const b = s.b;
  out[F_VAF] = BIN_VAF.bin(a?.vaf ?? b?.vaf);
  out[F_DP] = BIN_DP.bin(a?.dp ?? b?.dp);
  out[F_GQ] = BIN_GQ.bin(a?.gq ?? b?.gq);
  out[F_QUAL] = BIN_QUAL.bin(a?.qual ?? b?.qual);
  const c = a ?? b;
  const filter = c === undefined ? 'PASS' : c.filter;
  // filterStatus: '.', 'PASS' and '' are PASS; a ';' list is sorted, so only 'RefCall' itself is RefCall.
  out[F_FILTER] = filter === 'PASS' || filter === '.' || filter === '' ? FILTER_BIN.PASS : filter === 'RefCall' ? FILTER_BIN.RefCall : FILTER_BIN.other;
  out[F_TYPE] = s.kind === 'SNP' ? KIND_SNP : s.kind === 'INDEL' ? KIND_INDEL : KIND_MNP;
  out[F_INDEL] = BIN_INDEL.bin(s.alt.length - s.ref.length);
  const m = a?.mid || b?.mid;
  out[F_MID] = m === undefined || m === '' ? MID_BIN.missing : m === 'small_model' ? MID_BIN.small : MID_BIN.other;
}

/**
 * The bins of `siteBinsInto` that the site's own features decide (reference context,
 * neighbour distance, hold-out): the same for every allele at one POS, so the stage finds
 * them once per POS.
 */
export function siteFeatureBinsInto(f: SiteFeatureValues | undefined, out: Int32Array): void {
  out[F_HOMOPOLYMER] = BIN_HOMOPOLYMER.bin(f?.homopolymer);
  out[F_REPEAT_UNIT] = BIN_REPEAT_UNIT.bin(f?.repeatUnit);
  out[F_REPEAT_COPIES] = BIN_REPEAT_COPIES.bin(f?.repeatCopies);
  out[F_GC] = BIN_GC.bin(f?.gc);
  out[F_NEIGHBOR] = BIN_NEIGHBOR.bin(f?.neighborDistance);
  out[F_HELD_OUT] = f === undefined ? HELD_OUT_BIN.missing : f.heldOut ? HELD_OUT_BIN.yes : HELD_OUT_BIN.no;
}
