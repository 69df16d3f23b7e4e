/**
 * A planted dispute whose cause is the models' inputs, not their weights (issue #15): at one
 * heterozygous SNV of one sample, every read that carries the alt base gets MAPQ 3. A model
 * run with DeepVariant's default `min_mapping_quality` 5 never sees those reads (SamReader
 * drops them, the allele counter ignores them and the pileup gives them no row,
 * docs/deepvariant.md §1.2–1.3), so it has no candidate there; a model run with
 * `min_mapping_quality` 1 (the demo's retrained model) sees the alt reads and calls the
 * variant. On identical images the two models agree: the disagreement comes from the
 * make_examples parameters, which `variant-lens explain`'s cross-run shows.
 *
 * Deterministic: the site is the first one (by position) on the chosen contig that is a
 * simple het SNV of the sample, outside duplicated segments, low-coverage windows and
 * homopolymers, with no planted neighbour, at or after `from`.
 *
 * Coordinates: SimSite.pos and read starts are 0-based; `PlantedSite.pos` is the 1-based VCF POS.
 */
import type { WritableRead } from '../io/sam/bamWriter';
import type { SimGenome } from './simGenome';
import type { SimSite } from './simVariants';

/** MAPQ given to the alt-supporting reads: below DeepVariant's default minimum (5), at or above 1. */
export const PLANTED_MAPQ = 3;

export interface PlantedSite {
  readonly sample: string;
  readonly contig: string;
  /** 1-based VCF POS. */
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  /** What was changed, in words. */
  readonly change: string;
  /** Reads changed. */
  readonly reads: number;
}

const CIGAR_CONSUMES_REF = [true, false, true, true, false, false, false, true, true];
const CIGAR_CONSUMES_QUERY = [true, true, false, false, true, false, false, true, true];

/** The read's base at 0-based reference position `pos` (undefined: not aligned there, or deleted). */
function baseAt(r: WritableRead, pos: number): string | undefined {
  let ref = r.start;
  let q = 0;
  for (const c of r.cigar) {
    const len = c >>> 4;
    const op = c & 0xf;
    const consumesRef = CIGAR_CONSUMES_REF[op] ?? false;
    const consumesQuery = CIGAR_CONSUMES_QUERY[op] ?? false;
    if (consumesRef && pos < ref + len) return consumesQuery ? r.seq[q + (pos - ref)] : undefined;
    if (consumesRef) ref += len;
    if (consumesQuery) q += len;
  }
  return undefined;
}

/** Picks the site (see the module comment), or undefined when the contig has none. */
export function plantedSiteOf(genome: SimGenome, sites: readonly SimSite[], sample: number, contigName: string, from: number): SimSite | undefined {
  const contig = genome.names.indexOf(contigName);
  if (contig < 0) return undefined;
  const inDup = (pos: number): boolean => genome.duplicated.some((d) => [d.source, d.copy].some((x) => x.contig === contig && x.start - 500 <= pos && pos < x.end + 500));
  return sites
    .filter((s) => s.contig === contig && s.pos >= from && s.kind === 'SNV' && s.alts.length === 1 && !s.nearby && !s.lowCoverage && !s.homopolymer && !inDup(s.pos))
    .filter((s) => {
      const [a, b] = s.genotypes[sample]!;
      return (a === 0) !== (b === 0);
    })
    .sort((x, y) => x.pos - y.pos)[0];
}

/**
 * Gives MAPQ `PLANTED_MAPQ` to every mapped read that carries `site`'s alt base (in place in
 * `reads`); returns what it did.
 */
export function plantLowMapqAltReads(reads: WritableRead[], genome: SimGenome, site: SimSite, sampleName: string): PlantedSite {
  const contigName = genome.names[site.contig]!;
  const alt = site.alts[0]!;
  let changed = 0;
  for (let i = 0; i < reads.length; i++) {
    const r = reads[i]!;
    if (r.contig !== contigName || (r.flags & 0x4) !== 0 || r.start > site.pos || baseAt(r, site.pos) !== alt) continue;
    reads[i] = { ...r, mapq: PLANTED_MAPQ };
    changed++;
  }
  return {
    sample: sampleName, contig: contigName, pos: site.pos + 1, ref: site.ref, alt,
    change: `every read carrying the alt base has MAPQ ${PLANTED_MAPQ} (below DeepVariant's default min_mapping_quality 5)`, reads: changed,
  };
}
