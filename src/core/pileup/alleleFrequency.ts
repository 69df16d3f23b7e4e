/**
 * The population allele-frequency channel (CH_ALLELE_FREQUENCY = 8, make_examples
 * `--use_allele_frequency --population_vcfs`; docs/deepvariant.md §13):
 *
 *   readers    one VCF serves every contig; with several, each file serves the contig of its
 *              first record (§13.2);
 *   lookup     cohort records overlapping the candidate; each alt's frequency is the INFO AF of
 *              the last cohort alt whose haplotype over the joint span equals the candidate
 *              alt's (§13.3); float32;
 *   pixel      per read, constant: the AF colour of the alt it supports when that alt is in the
 *              image, else 0; reference rows 0 (§13.4).
 */
import { VariantLensError, throwIfAborted } from '../errors';
import { type VcfFile, openVcf } from '../io/vcf/vcfReader';

export interface CohortRecord {
  /** 0-based start. */
  readonly start: number;
  readonly ref: string;
  readonly alts: readonly string[];
  /** INFO AF values (one per alt), undefined when the record has none. */
  readonly af: readonly number[] | undefined;
  /** "file:line" for errors. */
  readonly where: string;
}

/** `make_population_vcf_readers` (§13.2): the population VCFs, by contig. */
export class PopulationVcfs {
  private constructor(private readonly files: readonly VcfFile[], private readonly byContig: ReadonlyMap<string, VcfFile> | undefined) {}

  /** Opens `paths` (split on ',' as DeepVariant's flag is). Several files: each serves the contig of its first record. */
  static async open(paths: readonly string[], signal?: AbortSignal): Promise<PopulationVcfs> {
    const files: VcfFile[] = [];
    try {
      for (const p of paths) files.push(await openVcf(p, signal));
      if (files.length === 1) return new PopulationVcfs(files, undefined);
      const byContig = new Map<string, VcfFile>();
      for (const f of files) {
        let first: string | undefined;
        for await (const rec of f.records(signal)) { first = rec.contig; break; }
        if (first === undefined) continue;
        if (byContig.has(first)) throw new VariantLensError('invalid-argument', `two population VCFs start on contig ${first}; with several files, each must hold one contig (DeepVariant assigns each file to the contig of its first record)`, f.path);
        byContig.set(first, f);
      }
      return new PopulationVcfs(files, byContig);
    } catch (e) {
      for (const f of files) await f.close();
      throw e;
    }
  }

  /** The files, in the order given (a cache key: the same files give the same frequencies). */
  get paths(): string[] {
    return this.files.map((f) => f.path);
  }

  /** Cohort records overlapping [start, end) of `contig`, in file order; [] when no file serves the contig. */
  async records(contig: string, start: number, end: number, signal?: AbortSignal): Promise<CohortRecord[]> {
    const file = this.byContig ? this.byContig.get(contig) : this.files[0];
    if (!file) return [];
    const out: CohortRecord[] = [];
    for await (const rec of file.query(contig, Math.max(0, start), end, signal)) {
      throwIfAborted(signal);
      const s = rec.pos - 1;
      if (!(s < end && s + rec.ref.length > start)) continue;
      const afText = rec.infoField('AF');
      const af = typeof afText === 'string' ? afText.split(',').map((x) => Math.fround(Number(x))) : undefined;
      out.push({ start: s, ref: rec.ref.toUpperCase(), alts: rec.alts.map((a) => a.toUpperCase()), af, where: `${file.path}:${rec.lineNumber}` });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const f of this.files) await f.close();
  }
}

/**
 * `add_allele_frequencies_to_candidates` for one candidate (§13.3): the frequency of each alt
 * (0 when no cohort alt has the same haplotype). `refAt(a, b)` gives the reference of [a, b),
 * or undefined when the span is not on the reference. The REF frequency is never drawn and is
 * not computed.
 */
export function alleleFrequencies(
  candidate: { readonly start: number; readonly refBases: string; readonly altBases: readonly string[] },
  cohort: readonly CohortRecord[],
  refAt: (start: number, end: number) => string | undefined,
): Map<string, number> {
  const out = new Map<string, number>(candidate.altBases.map((a) => [a, 0]));
  const end = candidate.start + candidate.refBases.length;
  const overlapping = cohort.filter((r) => r.start < end && r.start + r.ref.length > candidate.start);
  if (overlapping.length === 0) return out;
  const lo = Math.min(candidate.start, ...overlapping.map((r) => r.start));
  const hi = Math.max(end, ...overlapping.map((r) => r.start + r.ref.length));
  const span = refAt(lo, hi);
  if (span === undefined) return out;
  const hap = (start: number, ref: string, alt: string): string => span.slice(0, start - lo) + alt + span.slice(start - lo + ref.length);
  for (const alt of candidate.altBases) {
    const mine = hap(candidate.start, candidate.refBases, alt);
    for (const r of overlapping) {
      r.alts.forEach((calt, j) => {
        if (hap(r.start, r.ref, calt) !== mine) return;
        const v = r.af?.[j];
        if (v === undefined || Number.isNaN(v)) throw new VariantLensError('malformed-vcf', `population VCF record matches candidate ${candidate.refBases}>${alt} but has no INFO AF value for ${calt} (DeepVariant requires one)`, r.where);
        out.set(alt, v); // later matches overwrite earlier ones
      });
    }
  }
  return out;
}

const MIN_NON_ZERO_AF = Math.fround(0.00001);
const LOG_MIN = Math.fround(Math.log10(MIN_NON_ZERO_AF));

/** `AlleleFrequencyColor` (§13.4), float32: 0 at or below 1e-5, 254 at AF 1. */
export function alleleFrequencyColor(af: number): number {
  const f = Math.fround(af);
  if (f <= MIN_NON_ZERO_AF) return 0;
  const l = Math.fround(Math.log10(f));
  return Math.trunc(Math.fround(Math.fround(Math.fround(LOG_MIN - l) / LOG_MIN) * 254));
}

/**
 * `--population-vcfs FILE[,FILE]` for examples whose channels are `channels`: opened when given
 * (split on ',' or spaces, as make_examples does), refused when channel 8 needs them and they are
 * missing, or when they are given for examples without channel 8.
 */
export async function openPopulationVcfs(flag: string | undefined, channels: readonly number[], signal?: AbortSignal): Promise<PopulationVcfs | undefined> {
  const paths = (flag ?? '').split(/[,\s]+/).filter(Boolean);
  if (paths.length === 0) {
    if (channels.includes(8)) throw new VariantLensError('invalid-argument', `these examples have channel 8 (CH_ALLELE_FREQUENCY, channels [${channels.join(',')}]): pass --population-vcfs FILE[,FILE] (the cohort VCFs with INFO AF that make_examples was given)`);
    return undefined;
  }
  if (!channels.includes(8)) throw new VariantLensError('invalid-argument', `--population-vcfs is only used by channel 8 (CH_ALLELE_FREQUENCY), and these examples have channels [${channels.join(',')}]; add 8 to the example_info.json channels`);
  return PopulationVcfs.open(paths, signal);
}
