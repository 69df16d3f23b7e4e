/**
 * The inspector's raw ↔ realigned switch (`inspector.realign`): the site's pileup built from
 * the reads as they are in the BAM (what IGV shows) and after DeepVariant's local realigner
 * (make_examples --realign_reads; core/pileup/realigner through the pipeline's realign stage),
 * with the first model's make_examples settings otherwise; the read rows the realigner moved,
 * re-CIGARed or brought into the image marked; and every configured model's AD and call on
 * both sets of images, each with its own make_examples settings and only realign_reads changed.
 *
 * vscode-free; tested in test/unit/extension/inspector/realignService.test.ts.
 * Coordinates: SiteRecord.pos is the 1-based VCF POS; marks give 1-based read starts.
 */
import { VariantLensError, throwIfAborted } from '../../core/errors';
import { formatDvQual } from '../../core/model/deepVariantVcf';
import { modelPipeline } from '../../core/model/makeExamplesParams';
import { ModelCaller, type SiteModelCall } from '../../core/model/modelCaller';
import type { RowInfo } from '../../core/pileup/pileupEncoder';
import type { PipelineOptions, SiteExamples } from '../../core/pileup/siteExamples';
import type { InspectorRealign, RealignCallView, RealignRowMark, SiteRecord } from '../../protocol/protocol';
import type { EncoderChoice, NamedModel } from './modelLoader';
import { imageableAlleles, inputsFor, payloadsFromSite, type SiteSourceConfig, type SiteSources } from './siteTensors';

/** The same settings with the realigner on or off (DeepVariant's realigner when on). */
export function withRealignment(options: PipelineOptions, on: boolean): PipelineOptions {
  return { ...options, realignReads: on, realigner: on ? options.realigner : undefined };
}

const rowKey = (r: RowInfo): string => `${r.name}/${r.readNumber}`;
const placement = (r: RowInfo): string => `${r.start + 1} ${r.cigar}`;

/**
 * The realigned image's read rows that differ from the raw reads: a new start (moved), the
 * same start with a new CIGAR (e.g. a soft clip turned into match), or a read the raw image
 * does not hold (entered); and the raw image's reads missing from the realigned one.
 */
export function realignMarks(raw: Pick<SiteExamples, 'rows'>, realigned: Pick<SiteExamples, 'rows'>): { marks: RealignRowMark[]; dropped: string[]; droppedRows: number[] } {
  const before = new Map(raw.rows.map((r) => [rowKey(r), r]));
  const after = new Set(realigned.rows.map(rowKey));
  const marks: RealignRowMark[] = [];
  for (const r of realigned.rows) {
    const b = before.get(rowKey(r));
    if (!b) marks.push({ row: r.row, kind: 'entered', name: r.name, after: placement(r) });
    else if (b.start !== r.start) marks.push({ row: r.row, kind: 'moved', name: r.name, before: placement(b), after: placement(r) });
    else if (b.cigar !== r.cigar) marks.push({ row: r.row, kind: 'cigar', name: r.name, before: placement(b), after: placement(r) });
  }
  const gone = raw.rows.filter((r) => !after.has(rowKey(r)));
  return { marks, dropped: gone.map((r) => r.name), droppedRows: gone.map((r) => r.row) };
}

function callView(r: SiteModelCall): RealignCallView {
  const v = r.site.variant;
  const c = r.call;
  const base = { ad: v.ad.join(','), dp: v.dp, probabilities: Array.from(r.probabilities[0] ?? []) };
  if (!c) return { ...base, gt: '.', gq: '', qual: '', alleles: `${v.refBases}>${v.altBases.join(',') || '.'}`, noCallReason: r.noCallReason ?? 'no image' };
  const gt = c.genotype.map((a) => (a < 0 ? '.' : String(a))).join('/');
  return { ...base, gt, gq: String(c.gq), qual: formatDvQual(c.quality), alleles: `${c.referenceBases}>${c.alternateBases.join(',') || '.'}` };
}

/** "IGV shows 12 alt reads; after realignment the model saw 4" (alt = the imaged alts). */
export function realignSummary(raw: SiteExamples, realigned: SiteExamples, marks: readonly RealignRowMark[], dropped: readonly string[]): string {
  const alt = (s: SiteExamples): number => s.variant.ad.slice(1).reduce((a, b) => a + b, 0);
  const alts = raw.variant.altBases.join(',') || '.';
  const reads = `${marks.length} read row${marks.length === 1 ? '' : 's'} changed by the realigner${dropped.length ? `, ${dropped.length} left the image` : ''}`;
  return `IGV shows ${alt(raw)} ${alts} read${alt(raw) === 1 ? '' : 's'} of DP ${raw.variant.dp}; after realignment the model saw ${alt(realigned)} of DP ${realigned.variant.dp} (${reads})`;
}

export interface RealignServiceDeps {
  readonly config: () => SiteSourceConfig;
  readonly sources: SiteSources;
  readonly models: (signal: AbortSignal) => Promise<NamedModel[]>;
  readonly encoderChoice: (signal: AbortSignal) => Promise<EncoderChoice>;
}

export class RealignService {
  private caller: { key: string; caller: ModelCaller } | undefined;

  constructor(private readonly deps: RealignServiceDeps) {}

  async compare(site: SiteRecord, signal: AbortSignal): Promise<InspectorRealign> {
    const cfg = this.deps.config();
    if (!cfg.trusted) throw new VariantLensError('invalid-argument', 'Reads and models are not loaded in an untrusted workspace (Restricted Mode).');
    const inputs = inputsFor(site, cfg);
    const reads = inputs.reads;
    const referencePath = inputs.reference;
    if (!reads || !referencePath) throw new VariantLensError('invalid-argument', 'The raw ↔ realigned pileup needs the reads (variantLens.reads) and the reference (variantLens.reference): DeepVariant examples hold no reads to realign.');
    const alleles = imageableAlleles(site);
    const encoder = await this.deps.encoderChoice(signal);
    const encode = async (options: PipelineOptions, on: boolean): Promise<SiteExamples> =>
      (await this.deps.sources.siteExamples(site.chrom, site.pos, alleles, reads.path, referencePath, signal, withRealignment(options, on))).site;
    const [raw, realigned] = [await encode(encoder.options, false), await encode(encoder.options, true)];
    throwIfAborted(signal);
    const { marks, dropped, droppedRows } = realignMarks(raw, realigned);
    const notes: string[] = [];
    if (raw.noExampleReason) notes.push(`raw reads: no image (${raw.noExampleReason})`);
    if (realigned.noExampleReason) notes.push(`realigned reads: no image (${realigned.noExampleReason})`);
    const label = `${encoder.label}`;
    const out = {
      // The same layout as the shown images (a 'rows' image stays three blocks when switched).
      raw: payloadsFromSite(raw, `reads as in the BAM (no realignment; ${label})`, encoder.options.encoder.altAlignedPileup).map((t) => ({ ...t, hover: false })),
      realigned: payloadsFromSite(realigned, `reads after DeepVariant's realigner (${label})`, encoder.options.encoder.altAlignedPileup).map((t) => ({ ...t, hover: false })),
      marks, dropped, droppedRows, summary: realignSummary(raw, realigned, marks, dropped),
    };
    let models: NamedModel[] = [];
    try {
      models = cfg.trusted ? await this.deps.models(signal) : [];
    } catch (e) {
      if (signal.aborted) throw e;
      notes.push(`models: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (models.length === 0) return { ...out, models: [], notes };
    const [bam, reference] = await Promise.all([this.deps.sources.alignmentsOf(reads.path, signal, referencePath), this.deps.sources.referenceOf(referencePath, signal)]);
    const key = [reads.path, referencePath, ...models.map((m) => m.model.modelPath)].join('\n');
    if (this.caller?.key !== key) this.caller = { key, caller: new ModelCaller(bam, reference, models.map((m) => m.model)) };
    const sample = reads.sample ?? site.samples[0]?.name ?? 'default';
    const run = (on: boolean): Promise<SiteModelCall[]> => this.caller!.caller.callSite(site.chrom, site.pos, alleles, signal, sample, (options) => encode(options, on));
    const before = await run(false);
    const after = await run(true);
    throwIfAborted(signal);
    return {
      ...out,
      models: models.map((m, i) => ({
        model: m.name,
        realignsReads: modelPipeline(m.model.exampleInfo, m.model.card?.makeExamplesParams, m.model.dir).options.realignReads,
        raw: callView(before[i]!),
        realigned: callView(after[i]!),
      })),
      notes,
    };
  }

  reset(): void {
    this.caller = undefined;
  }
}
