/**
 * Which strata a diff site falls in. Four groups:
 * - `bed`: inside each named BED file (e.g. GIAB confident regions), by overlap of the
 *   normalized REF span;
 * - `contigs`: DeepVariant's training hold-out (chr20, chr21, chr22 — also written 20, 21,
 *   22; DeepVariant trains without them, docs/deepvariant.md §9 / DESIGN "Know the hold-out") vs all
 *   other contigs;
 * - `filter`: the FILTER of each side (e.g. "A PASS", "B RefCall", "B absent");
 * - `gt`: the record genotype of each side, unphased ("A 0/1", "B 1/1", "A absent");
 * - `mid`: the FORMAT MID of each side's record where it has one ("A MID small_model": the call
 *   DeepVariant 1.8+'s small model made, docs/deepvariant.md §15), so small-model calls can be
 *   told from CNN calls.
 */
import type { BedRegions } from './bedRegions';
import type { DiffSite, SideCall } from './diffClasses';

export type StratumGroup = 'bed' | 'contigs' | 'filter' | 'gt' | 'mid';

export interface Stratum {
  readonly group: StratumGroup;
  readonly name: string;
}

export const HOLDOUT_STRATUM = 'hold-out chr20-22';
export const TRAINING_STRATUM = 'other contigs';

/** True for chr20/chr21/chr22 in either naming (with or without 'chr'). */
export function isHoldoutContig(contig: string): boolean {
  const c = contig.startsWith('chr') ? contig.slice(3) : contig;
  return c === '20' || c === '21' || c === '22';
}

export class Stratifier {
  private readonly strata = new Map<string, Stratum>();
  /** A number per stratum, in order of creation (for `comboOf`'s keys). */
  private readonly ids = new Map<Stratum, number>();
  /** `comboOf`: combination id by key, and the strata of each id. */
  private readonly comboByKey = new Map<number | string, number>();
  private readonly combos: (readonly Stratum[])[] = [];
  private lastContig = '';
  private lastContigStratum: Stratum | undefined;

  constructor(private readonly beds: readonly BedRegions[]) {}

  /** Per side and kind, stratum by raw FILTER / GT text: skips building keys on the hot path. */
  private readonly bySideText = [new Map<string, Stratum>(), new Map<string, Stratum>(), new Map<string, Stratum>(), new Map<string, Stratum>()];
  private readonly out: Stratum[] = [];

  /**
   * Every stratum a site belongs to. The returned objects are shared: compare by identity.
   * The returned array is reused by the next call.
   */
  strataOf(site: DiffSite): readonly Stratum[] {
    const out = this.out;
    out.length = 0;
    if (this.beds.length > 0) {
      const start0 = site.pos - 1;
      const end0 = start0 + site.ref.length;
      for (const bed of this.beds) if (bed.overlaps(site.contig, start0, end0)) out.push(this.get('bed', bed.name));
    }
    if (site.contig !== this.lastContig) {
      this.lastContig = site.contig;
      this.lastContigStratum = this.get('contigs', isHoldoutContig(site.contig) ? HOLDOUT_STRATUM : TRAINING_STRATUM);
    }
    out.push(this.lastContigStratum!);
    out.push(this.sideStratum(0, 'filter', 'A', site.a), this.sideStratum(1, 'filter', 'B', site.b));
    out.push(this.sideStratum(2, 'gt', 'A', site.a), this.sideStratum(3, 'gt', 'B', site.b));
    if (site.a?.mid !== undefined) out.push(this.get('mid', `A MID ${site.a.mid}`));
    if (site.b?.mid !== undefined) out.push(this.get('mid', `B MID ${site.b.mid}`));
    return out;
  }

  /**
   * A dense id (0, 1, 2, …) for the set of strata `site` falls in: sites with the same id fall
   * in the same strata (`comboStrata(id)`, in `strataOf`'s order). A counter can then add per
   * id and spread the sums over the strata once at the end, instead of adding to every stratum
   * of every site. Computed from the same per-slot strata as `strataOf`, without building a
   * list per site.
   */
  comboOf(site: DiffSite): number {
    let bedBits = 0;
    const beds = this.beds;
    if (beds.length > 0) {
      const start0 = site.pos - 1;
      const end0 = start0 + site.ref.length;
      for (let k = 0; k < beds.length; k++) if (beds[k]!.overlaps(site.contig, start0, end0)) bedBits |= 1 << k;
    }
    if (site.contig !== this.lastContig) {
      this.lastContig = site.contig;
      this.lastContigStratum = this.get('contigs', isHoldoutContig(site.contig) ? HOLDOUT_STRATUM : TRAINING_STRATUM);
    }
    const a = site.a;
    const b = site.b;
    const c = this.lastContigStratum === this.lastIdContig ? this.lastContigId : this.contigId();
    const fa = this.sideId(0, 'filter', 'A', a);
    const fb = this.sideId(1, 'filter', 'B', b);
    const ga = this.sideId(2, 'gt', 'A', a);
    const gb = this.sideId(3, 'gt', 'B', b);
    const ma = a?.mid === undefined ? 0 : 1 + this.idOf(this.get('mid', `A MID ${a.mid}`));
    const mb = b?.mid === undefined ? 0 : 1 + this.idOf(this.get('mid', `B MID ${b.mid}`));
    // One number when every part fits in 6 bits and the BED bits in 11 (7 × 6 + 11 ≤ 53 bits), else text.
    const key: number | string = (c | fa | fb | ga | gb | ma | mb) < 64 && bedBits < 2048
      ? ((((((bedBits * 64 + c) * 64 + fa) * 64 + fb) * 64 + ga) * 64 + gb) * 64 + ma) * 64 + mb
      : `${bedBits},${c},${fa},${fb},${ga},${gb},${ma},${mb}`;
    // Most sites repeat one of a few keys: a small direct-mapped cache before the Map.
    const slot = typeof key === 'number' ? (fa + fb * 3 + ga * 5 + gb * 7 + c * 11 + ma * 13 + mb * 17 + bedBits * 19) & 63 : -1;
    if (slot >= 0 && this.recentKeys[slot] === key) return this.recentIds[slot]!;
    let id = this.comboByKey.get(key);
    if (slot >= 0 && id !== undefined) { this.recentKeys[slot] = key as number; this.recentIds[slot] = id; }
    if (id === undefined) {
      id = this.combos.length;
      this.combos.push([...this.strataOf(site)]);
      this.comboByKey.set(key, id);
    }
    return id;
  }

  /** `comboOf`'s cache of recent numeric keys (NaN: empty) and their ids. */
  private readonly recentKeys = new Float64Array(64).fill(NaN);
  private readonly recentIds = new Int32Array(64);

  /** The strata of a `comboOf` id, in `strataOf`'s order. */
  comboStrata(id: number): readonly Stratum[] {
    return this.combos[id]!;
  }

  private lastIdContig: Stratum | undefined;
  private lastContigId = 0;
  /** Per side slot: stratum id by raw FILTER / GT text, and the last raw text and id. */
  private readonly idBySideText = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  private readonly lastIdRaw: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly lastIdVal = [0, 0, 0, 0];

  private contigId(): number {
    this.lastIdContig = this.lastContigStratum;
    return (this.lastContigId = this.idOf(this.lastContigStratum!));
  }

  /** `idOf(sideStratum(…))`, through the slot's raw text. */
  private sideId(slot: number, group: 'filter' | 'gt', side: string, call: SideCall | undefined): number {
    const raw = call === undefined ? '\u0000absent' : group === 'filter' ? call.filter : call.recordGt;
    if (raw === this.lastIdRaw[slot]) return this.lastIdVal[slot]!;
    const m = this.idBySideText[slot]!;
    let id = m.get(raw);
    if (id === undefined) m.set(raw, (id = this.idOf(this.sideStratum(slot, group, side, call))));
    this.lastIdRaw[slot] = raw;
    this.lastIdVal[slot] = id;
    return id;
  }

  private idOf(s: Stratum): number {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = this.ids.size));
    return id;
  }

  /** The last raw text and stratum of each slot: consecutive sites mostly repeat them. */
  private readonly lastRaw: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly lastStratum: (Stratum | undefined)[] = [undefined, undefined, undefined, undefined];

  private sideStratum(slot: number, group: 'filter' | 'gt', side: string, call: SideCall | undefined): Stratum {
    const raw = call === undefined ? '\u0000absent' : group === 'filter' ? call.filter : call.recordGt;
    if (raw === this.lastRaw[slot]) return this.lastStratum[slot]!;
    const st = this.sideStratumSlow(slot, group, side, call, raw);
    this.lastRaw[slot] = raw;
    this.lastStratum[slot] = st;
    return st;
  }

  private sideStratumSlow(slot: number, group: 'filter' | 'gt', side: string, call: SideCall | undefined, raw: string): Stratum {
    const m = this.bySideText[slot]!;
    let st = m.get(raw);
    if (!st) {
      st = this.get(group, `${side} ${group === 'filter' ? filterName(call) : this.gtName(call)}`);
      m.set(raw, st);
    }
    return st;
  }

  private get(group: StratumGroup, name: string): Stratum {
    const key = `${group}\t${name}`;
    let s = this.strata.get(key);
    if (!s) this.strata.set(key, (s = { group, name }));
    return s;
  }

  private gtName(call: SideCall | undefined): string {
    if (!call) return 'absent';
    if (call.recordGt === '') return 'no GT';
    return call.recordGt.split(/[/|]/).sort().join('/');
  }
}

function filterName(call: SideCall | undefined): string {
  if (!call) return 'absent';
  return call.filter === '.' ? 'PASS' : call.filter;
}
