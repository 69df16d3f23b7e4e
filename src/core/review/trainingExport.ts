/**
 * Closing the loop: reviewed sites as training truth for the next retraining
 * (`variant-lens review export --format training`). Each exported site gets the genotype the
 * reviewer endorsed:
 *   `<model>-correct`            that model's GT (review line's models column, else its VCF);
 *   `both-correct`/`all-correct` the GT the models share;
 *   `both-wrong`/`all-wrong`/`uncertain` and other verdicts: not exported (no truth to give).
 * A model that made no call (`./.`, or no record in its VCF) said "no variant": 0/0.
 * Sites on the model's held-out contigs or samples are refused (the leakage guard; the caller
 * supplies the check from the model card) unless forced.
 *
 * Outputs: a truth-patch VCF (GT only, one record per site) and a BED of the exported
 * intervals (0-based half-open: POS-1 … POS-1+len(REF)), the pair DeepVariant's training
 * labeler reads as truth VCF + confident regions (docs/deepvariant.md §4.2).
 */
import { VariantLensError } from '../errors';
import { type ModelSnapshot, escapeField } from './reviewFormat';
import type { ReviewEntry } from './reviewStore';
import { verdictModelId } from './vocabulary';

/** One site of the truth patch. */
export interface TrainingSite {
  readonly contig: string;
  /** VCF POS, 1-based. */
  readonly pos: number;
  readonly ref: string;
  readonly alts: readonly string[];
  /** Allele indices of the endorsed genotype (unphased, sorted), e.g. [0, 1]. */
  readonly gt: readonly number[];
  readonly verdict: string;
  /** Where the GT came from: "review" (models column) or "vcf:<model>" / "none" (no call). */
  readonly gtSource: string;
  /** The sample the leakage guard checked (undefined = unknown). */
  readonly sample?: string;
}

export interface TrainingExportOptions {
  /** `review-file: line N` of an entry (for errors naming the line). */
  readonly lineOf: (e: ReviewEntry) => string;
  /** A model's GT at the entry's site from `--vcf NAME=FILE`: allele string ("0/1"), null = no record, undefined = no VCF for that model. */
  readonly gtFromVcf: (model: string, e: ReviewEntry) => Promise<string | null | undefined>;
  /** Sample of an entry when the line has none (`--sample`, or the reviewed VCF's header). */
  readonly defaultSample?: string;
  /** Leakage guard: a reason when (contig, sample) is held out from the model's training. */
  readonly heldOut: (contig: string, sample: string | undefined) => string | undefined;
  /** Include held-out sites anyway (recorded by the caller). */
  readonly forceHeldOut: boolean;
}

export interface TrainingSelection {
  readonly sites: TrainingSite[];
  /** Sites cut for their verdict (both-wrong, uncertain, …): verdict → count. */
  readonly cut: Map<string, number>;
  /** Sites refused by the leakage guard (not forced), with the reason. */
  readonly refused: { readonly entry: ReviewEntry; readonly reason: string }[];
  /** Held-out sites included because of `forceHeldOut`. */
  readonly forced: { readonly site: TrainingSite; readonly reason: string }[];
  /** Sites with unresolved review conflicts (versions disagree): not exported. */
  readonly conflicts: ReviewEntry[];
}

const SHARED_VERDICTS = new Set(['both-correct', 'all-correct']);

/** "0/1", "1|0", "./." → sorted allele indices; missing alleles → 0 (a no-call says "no variant"); undefined when not a GT. */
export function parseGtAlleles(gt: string, nAlts: number): number[] | undefined {
  const parts = gt.split(/[/|]/);
  if (parts.length === 0 || parts.length > 2) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (p === '.') { out.push(0); continue; }
    if (!/^\d+$/.test(p)) return undefined;
    const n = Number(p);
    if (n > nAlts) return undefined;
    out.push(n);
  }
  return out.sort((a, b) => a - b);
}

function snapshotFor(models: readonly ModelSnapshot[], model: string): ModelSnapshot | undefined {
  return models.find((m) => m.model === model) ?? models.find((m) => verdictModelId(m.model) === model);
}

/**
 * Picks the sites to export and their genotypes. Throws (naming file and line) when a site
 * needs a GT that neither the review line nor a `--vcf` gives, or when the GT is not valid.
 */
export async function selectTrainingSites(entries: readonly ReviewEntry[], models: readonly string[], options: TrainingExportOptions): Promise<TrainingSelection> {
  const sel: TrainingSelection = { sites: [], cut: new Map(), refused: [], forced: [], conflicts: [] };
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.conflict) { sel.conflicts.push(e); continue; }
    const a = e.versions[0]!;
    const verdict = a.verdict;
    const alts = e.site.alt === '.' ? [] : e.site.alt.split(',');
    const modelOfVerdict = verdict.endsWith('-correct') && !SHARED_VERDICTS.has(verdict) ? verdict.slice(0, -'-correct'.length) : undefined;
    if (!modelOfVerdict && !SHARED_VERDICTS.has(verdict)) {
      sel.cut.set(verdict, (sel.cut.get(verdict) ?? 0) + 1);
      continue;
    }
    const where = (): string => `${options.lineOf(e)} (${e.site.contig}:${e.site.pos} ${e.site.ref}>${e.site.alt}, ${verdict})`;
    const gtOf = async (model: string): Promise<{ gt: string; source: string } | undefined> => {
      const snap = snapshotFor(a.models, model);
      if (snap?.gt !== undefined) return { gt: snap.gt, source: 'review' };
      const v = await options.gtFromVcf(model, e);
      if (v === undefined) return undefined;
      return v === null ? { gt: './.', source: 'none' } : { gt: v, source: `vcf:${model}` };
    };
    let chosen: { gt: number[]; source: string } | undefined;
    if (modelOfVerdict) {
      const g = await gtOf(modelOfVerdict);
      if (!g) throw new VariantLensError('review-file-invalid', `${where()}: no genotype for model "${modelOfVerdict}" — the line's models column has none; give --vcf ${modelOfVerdict}=FILE`);
      const alleles = parseGtAlleles(g.gt, alts.length);
      if (!alleles) throw new VariantLensError('review-file-invalid', `${where()}: genotype "${g.gt}" of model "${modelOfVerdict}" is not a diploid GT over ${alts.length} alt(s)`);
      chosen = { gt: alleles, source: g.source };
    } else {
      const names = [...new Set([...a.models.map((m) => m.model), ...models])];
      const gts: { model: string; gt: number[]; source: string }[] = [];
      for (const m of names) {
        const g = await gtOf(m);
        if (!g) continue;
        const alleles = parseGtAlleles(g.gt, alts.length);
        if (!alleles) throw new VariantLensError('review-file-invalid', `${where()}: genotype "${g.gt}" of model "${m}" is not a diploid GT over ${alts.length} alt(s)`);
        gts.push({ model: m, gt: alleles, source: g.source });
      }
      if (gts.length === 0) throw new VariantLensError('review-file-invalid', `${where()}: no genotype — the line's models column has none; give --vcf NAME=FILE for the models`);
      const distinct = new Set(gts.map((g) => g.gt.join('/')));
      if (distinct.size > 1) throw new VariantLensError('review-file-invalid', `${where()}: the models' genotypes differ (${gts.map((g) => `${g.model}=${g.gt.join('/')}`).join(', ')}), so "${verdict}" names no single genotype; review the site again`);
      chosen = { gt: gts[0]!.gt, source: gts[0]!.source };
    }
    const sample = a.sample ?? options.defaultSample;
    const site: TrainingSite = { contig: e.site.contig, pos: e.site.pos, ref: e.site.ref, alts, gt: chosen.gt, verdict, gtSource: chosen.source, ...(sample !== undefined ? { sample } : {}) };
    const reason = options.heldOut(e.site.contig, sample);
    if (reason !== undefined && !options.forceHeldOut) { sel.refused.push({ entry: e, reason }); continue; }
    const key = `${site.contig}\t${site.pos}\t${site.ref}\t${site.alts.join(',')}`;
    if (seen.has(key)) {
      const first = sel.sites.find((s) => `${s.contig}\t${s.pos}\t${s.ref}\t${s.alts.join(',')}` === key)!;
      if (first.gt.join('/') !== site.gt.join('/')) throw new VariantLensError('review-file-invalid', `${where()}: the site is reviewed for two samples with different genotypes (${first.gt.join('/')} vs ${site.gt.join('/')}); a truth patch holds one genotype per site`);
      continue;
    }
    seen.add(key);
    sel.sites.push(site);
    if (reason !== undefined) sel.forced.push({ site, reason });
  }
  return sel;
}

export const TRAINING_INFO_HEADER: readonly string[] = [
  '##INFO=<ID=VL_VERDICT,Number=1,Type=String,Description="Variant Lens review verdict that gave this truth genotype; percent-encoded">',
  '##INFO=<ID=VL_GT_SOURCE,Number=1,Type=String,Description="Where the genotype came from: review (models column of the review file), vcf:MODEL (that model\'s VCF), none (no call: 0/0)">',
  '##INFO=<ID=VL_HELD_OUT,Number=0,Type=Flag,Description="Site on a held-out contig or sample of the model; included with --force-held-out">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
];

/** Header lines of the truth patch (ending with the #CHROM line). */
export function trainingVcfHeader(opts: {
  readonly contigs: readonly { readonly name: string; readonly length?: number }[];
  readonly sample: string;
  readonly model: string;
  readonly review: string;
  readonly forced: readonly { readonly site: TrainingSite; readonly reason: string }[];
}): string[] {
  const lines = ['##fileformat=VCFv4.2', `##source=variant-lens review export --format training`, `##variantLensTrainingModel=${opts.model}`, `##variantLensReview=${opts.review}`];
  if (opts.forced.length > 0) lines.push(`##variantLensForceHeldOut=${opts.forced.length} site(s) on held-out contigs or samples of ${opts.model} included (--force-held-out): ${[...new Set(opts.forced.map((f) => f.reason))].join('; ')}`);
  lines.push(...TRAINING_INFO_HEADER);
  for (const c of opts.contigs) lines.push(`##contig=<ID=${c.name}${c.length !== undefined ? `,length=${c.length}` : ''}>`);
  lines.push(`#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${opts.sample}`);
  return lines;
}

/** An INFO value: characters VCF reserves there (whitespace ; = , %) percent-encoded; '' → '.'. */
function infoValue(s: string): string {
  return s === '' ? '.' : s.replace(/[\s;=,%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Record lines of the patch, in the given site order (sort first). */
export function trainingVcfRecords(sites: readonly TrainingSite[], forced: ReadonlySet<TrainingSite>): string[] {
  return sites.map((s) => {
    const info = [`VL_VERDICT=${infoValue(s.verdict)}`, `VL_GT_SOURCE=${infoValue(s.gtSource)}`];
    if (forced.has(s)) info.push('VL_HELD_OUT');
    return `${s.contig}\t${s.pos}\t.\t${s.ref}\t${s.alts.length === 0 ? '.' : s.alts.join(',')}\t.\tPASS\t${info.join(';')}\tGT\t${s.gt.join('/')}`;
  });
}

/** BED (chrom, 0-based start, end, name = verdict) of the exported sites, in the given order. */
export function trainingBed(sites: readonly TrainingSite[]): string {
  const lines = sites.map((s) => `${s.contig}\t${s.pos - 1}\t${s.pos - 1 + s.ref.length}\t${escapeField(s.verdict).replace(/\s/g, '_')}`);
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
