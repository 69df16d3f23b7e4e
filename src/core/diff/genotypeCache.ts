/**
 * Genotypes of the diff, parsed once per distinct GT text: a VCF has few distinct GTs
 * ("0/1", "1/1", "0|1", …) and millions of records, so the side streams look each GT up here
 * instead of splitting it per record. One cache per diff run, shared by both sides
 * (vcfDiff.ts creates it); nothing is kept between runs.
 */
import { zygosityOf } from './diffSummary';

/** A record's GT, parsed once per distinct text: allele indices, zygosity, projections per ALT. */
export class GtInfo {
  private readonly proj: string[] = [];
  private readonly calledK: boolean[] = [];
  readonly zygosity: 0 | 1 | 2;
  /**
   * The largest allele index (0 when all are '.'), or -1 when an allele is neither '.' nor a
   * non-negative integer: a record's GT is valid when 0 ≤ maxAllele ≤ its ALT count.
   */
  readonly maxAllele: number;

  constructor(readonly text: string, readonly alleles: (number | null)[] | undefined) {
    this.zygosity = alleles === undefined ? 0 : zygosityOf(alleles);
    let max = 0;
    for (const a of alleles ?? []) {
      if (a === null) continue;
      if (!Number.isInteger(a) || a < 0) { max = -1; break; }
      if (a > max) max = a;
    }
    this.maxAllele = max;
  }

  /** `projectGenotype` of this GT onto ALT number k (1-based), cached. */
  projected(k: number): string {
    return (this.proj[k] ??= projectGenotype(this.alleles!, k));
  }

  /** True when the projection onto ALT k carries the ALT (contains a '1'). */
  calls(k: number): boolean {
    return (this.calledK[k] ??= this.projected(k).includes('1'));
  }
}

/** No GT (absent, '.', or no sample column). Immutable apart from its (empty) projections. */
export const NO_GT = new GtInfo('', undefined);

/** Distinct GT texts kept at most (a pathological file cannot grow the cache without bound). */
const MAX_CACHED = 10_000;

export class GenotypeCache {
  /** Three-character GTs "x/y" and "x|y" with one-digit alleles: gt3[(x * 10 + y) * 2 + phased]. */
  private readonly gt3: (GtInfo | undefined)[] = new Array<GtInfo | undefined>(200);
  private readonly byText = new Map<string, GtInfo>();

  /** The GtInfo of the GT text line[s, e) (not empty, not '.'). */
  at(line: string, s: number, e: number): GtInfo {
    if (e - s === 3) {
      const sep = line.charCodeAt(s + 1);
      const x = line.charCodeAt(s) - 48;
      const y = line.charCodeAt(s + 2) - 48;
      if ((sep === 47 /* / */ || sep === 124 /* | */) && x >= 0 && x <= 9 && y >= 0 && y <= 9) {
        const i = (x * 10 + y) * 2 + (sep === 124 ? 1 : 0);
        return (this.gt3[i] ??= new GtInfo(line.slice(s, e), [x, y]));
      }
    }
    return this.ofText(line.slice(s, e));
  }

  /** `at` for the GT bytes b[s, e) (not empty, not '.'): the common three-byte GT without a string. */
  atBytes(b: Buffer, s: number, e: number): GtInfo {
    if (e - s === 3) {
      const sep = b[s + 1]!;
      const x = b[s]! - 48;
      const y = b[s + 2]! - 48;
      if ((sep === 47 /* / */ || sep === 124 /* | */) && x >= 0 && x <= 9 && y >= 0 && y <= 9) {
        const i = (x * 10 + y) * 2 + (sep === 124 ? 1 : 0);
        return (this.gt3[i] ??= new GtInfo(String.fromCharCode(b[s]!, sep, b[s + 2]!), [x, y]));
      }
    }
    return this.ofText(b.toString('utf8', s, e));
  }

  private ofText(text: string): GtInfo {
    let g = this.byText.get(text);
    if (g === undefined) {
      g = new GtInfo(text, parseAlleles(text));
      if (this.byText.size < MAX_CACHED) this.byText.set(text, g);
    }
    return g;
  }
}

function parseAlleles(gt: string): (number | null)[] {
  // VCF 4.4: a leading phase marker ("/1", "|0|1") is not an allele.
  const lead = gt.charCodeAt(0);
  const body = lead === 47 || lead === 124 ? gt.slice(1) : gt;
  return body.split(/[/|]/).map((s) => (s === '.' ? null : /^\d+$/.test(s) ? Number(s) : NaN));
}

/** The six diploid projections as text, indexed by the two projected alleles ('.', '0', '1'). */
const DIPLOID: Readonly<Record<string, string>> = { '..': './.', '.0': './0', '.1': './1', '00': '0/0', '01': '0/1', '11': '1/1' };

/**
 * GT projected onto ALT number k (1-based) as `bcftools norm -m -any` writes it: k → 1,
 * every other allele → 0, missing stays '.'; then unphased and sorted ('.' first).
 */
function projectGenotype(alleles: readonly (number | null)[], k: number): string {
  if (alleles.length === 2) {
    const x = alleles[0]!;
    const y = alleles[1]!;
    const px = x === null ? '.' : x === k ? '1' : '0';
    const py = y === null ? '.' : y === k ? '1' : '0';
    return DIPLOID[px <= py ? px + py : py + px]!;
  }
  return alleles.map((x) => (x === null ? '.' : x === k ? '1' : '0')).sort().join('/');
}
