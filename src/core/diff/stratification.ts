/**
 * Which strata a diff site falls in. Four groups:
 * - `bed`: inside each named BED file (e.g. GIAB confident regions), by overlap of the
 *   normalized REF span;
 * - `contigs`: DeepVariant's training hold-out (chr20, chr21, chr22 — also written 20, 21,
 *   22; DeepVariant trains without them, dv-spec §9 / DESIGN "Know the hold-out") vs all
 *   other contigs;
 * - `filter`: the FILTER of each side (e.g. "A PASS", "B RefCall", "B absent");
 * - `gt`: the record genotype of each side, unphased ("A 0/1", "B 1/1", "A absent").
 */
import type { BedRegions } from './bedRegions';
import type { DiffSite, SideCall } from './diffClasses';

export type StratumGroup = 'bed' | 'contigs' | 'filter' | 'gt';

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
  private lastContig = '';
  private lastContigStratum: Stratum | undefined;
  private readonly gtCache = new Map<string, string>();

  constructor(private readonly beds: readonly BedRegions[]) {}

  /** Every stratum a site belongs to. The returned objects are shared: compare by identity. */
  strataOf(site: DiffSite): Stratum[] {
    const out: Stratum[] = [];
    const start0 = site.pos - 1;
    const end0 = start0 + site.ref.length;
    for (const bed of this.beds) if (bed.overlaps(site.contig, start0, end0)) out.push(this.get('bed', bed.name));
    if (site.contig !== this.lastContig) {
      this.lastContig = site.contig;
      this.lastContigStratum = this.get('contigs', isHoldoutContig(site.contig) ? HOLDOUT_STRATUM : TRAINING_STRATUM);
    }
    out.push(this.lastContigStratum!);
    out.push(this.get('filter', `A ${filterName(site.a)}`), this.get('filter', `B ${filterName(site.b)}`));
    out.push(this.get('gt', `A ${this.gtName(site.a)}`), this.get('gt', `B ${this.gtName(site.b)}`));
    return out;
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
    let g = this.gtCache.get(call.recordGt);
    if (g === undefined) {
      g = call.recordGt.split(/[/|]/).sort().join('/');
      this.gtCache.set(call.recordGt, g);
    }
    return g;
  }
}

function filterName(call: SideCall | undefined): string {
  if (!call) return 'absent';
  return call.filter === '.' ? 'PASS' : call.filter;
}
