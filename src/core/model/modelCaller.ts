/**
 * Calling with one or more models, DeepVariant's three stages end to end:
 *
 *   make_examples     each model's own candidate caller and encoder settings (its model
 *                     card's make_examples parameters + its example_info.json, see
 *                     makeExamplesParams.ts). Models whose settings agree share one encoding
 *                     pass; all models share the reads fetched for a window.
 *   call_variants     every model on every image, batched, in the inference worker; outputs
 *                     go through round_gls (docs/deepvariant.md §3.2)
 *   postprocess       DeepVariant 1.5's postprocess_variants (docs/deepvariant.md §3.3): merge the images
 *                     of a site, GT/GQ/QUAL/PL/FILTER, haplotype resolution, VCF text
 *
 * `callRegions` runs a whole region (the `variant-lens call` command); `callSite` one site for
 * the site inspector ("what does each model say here").
 *
 * Coordinates: regions and `start`s are 0-based half-open; `position` is the 1-based VCF POS.
 */
import { VariantLensError, throwIfAborted } from '../errors';
import type { AlignmentSource } from '../io/sam/alignedRead';
import { SharedFetchSource } from '../io/sam/sharedFetchSource';
import type { ContigInfo, ReferenceSource } from '../io/fasta/referenceSource';
import { writeVcf, type VcfWriteResult } from '../io/vcf/vcfWriter';
import { type CallingRegion, PartitionReader, type PipelineOptions, type SiteExamples, buildSiteExamples, regionExamples } from '../pileup/siteExamples';
import { deepVariantHeaderLines, formatDeepVariantRecord, DEEPVARIANT_POSTPROCESS_VERSION } from './deepVariantVcf';
import { type CvoRecord, type GenotypeCall, DV_POSTPROCESS_DEFAULTS, postprocessSite, roundGls } from './genotypePostprocess';
import { type ModelPipeline, modelPipeline } from './makeExamplesParams';
import type { LoadedModel } from './onnxModel';
import { type PostprocessVariantsOptions, postprocessVariants } from './postprocessVariants';
import { groupBySettings } from './siteImages';

/** A site given by its alleles (VCF mode): images are made for these alleles. */
export interface GivenSite {
  readonly contig: string;
  /** 0-based start (VCF POS - 1). */
  readonly start: number;
  readonly refBases: string;
  readonly altBases: readonly string[];
}

export interface CallProgress {
  /** The encoding pass running (1-based; one per distinct make_examples setting) and their number. */
  readonly pass: number;
  readonly passes: number;
  /** Names of the models of this pass. */
  readonly passModels: readonly string[];
  /** Sites imaged so far in this pass. */
  readonly sitesDone: number;
  /** Known in VCF mode; undefined when calling regions. */
  readonly sitesTotal: number | undefined;
  /** Bases of the regions whose candidates are done in this pass, and the total. */
  readonly basesDone: number;
  readonly basesTotal: number;
  /** Images encoded so far and through the models, per second of wall time. */
  readonly examples: number;
  readonly examplesPerSecond: number;
}

export interface ModelCallSet {
  readonly model: LoadedModel;
  /** Effective make_examples parameters and notes (unknown parameters, no realignment). */
  readonly pipeline: ModelPipeline;
  /** Sorted, postprocessed calls (haplotype-resolved), one per candidate site. */
  readonly calls: GenotypeCall[];
  /** The call_variants outputs the calls were made from (one per image, round_gls-ed), in calling order. */
  readonly cvos: readonly CvoRecord[];
  readonly candidates: number;
  readonly examples: number;
  /** Sites that got no image (window off the contig, …) with the reason. */
  readonly skipped: readonly { readonly contig: string; readonly position: number; readonly reason: string }[];
}

export interface CallRegionsOptions {
  /** Calling regions; candidates come from each model's caller. */
  readonly regions?: readonly CallingRegion[];
  /** Or sites with alleles (VCF mode): each is imaged whether or not a caller would propose it. */
  readonly sites?: readonly GivenSite[];
  /** Sample name written to the VCF (call_set_name). */
  readonly sampleName: string;
  /** Images per model run (default 64). */
  readonly batchSize?: number;
  readonly postprocess?: PostprocessVariantsOptions;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: CallProgress) => void;
}

/** What one model says at one site (`callSite`). */
export interface SiteModelCall {
  readonly model: LoadedModel;
  /** The images this model's settings give (shared with models of the same settings). */
  readonly site: SiteExamples;
  /** Softmax of each image, in `site.examples` order (before round_gls). */
  readonly probabilities: readonly Float64Array[];
  /** The postprocessed call (single-site: no haplotype resolution), or undefined without images. */
  readonly call: GenotypeCall | undefined;
  /** Why there is no call (no candidate under this model's thresholds, window off the contig, …). */
  readonly noCallReason: string | undefined;
}

/** Models that share make_examples settings, and the reader that encodes for them. */
interface Group {
  readonly options: PipelineOptions;
  readonly reader: PartitionReader;
  readonly members: readonly { readonly model: LoadedModel; readonly pipeline: ModelPipeline }[];
}

interface PendingSite {
  readonly site: SiteExamples;
}

/** The CVO candidate for a site: DP/AD/VAF as make_examples writes them (docs/deepvariant.md §7.3). */
function cvoVariant(site: SiteExamples, sampleName: string): CvoRecord['variant'] {
  const v = site.variant;
  return {
    referenceName: site.contig,
    start: site.start,
    end: site.start + site.refBases.length,
    referenceBases: site.refBases,
    alternateBases: site.altBases,
    callSetName: sampleName,
    dp: v.dp,
    ad: v.ad,
    vaf: v.vaf,
  };
}

export class ModelCaller {
  private readonly groups: Group[] = [];
  private readonly sharedReads: SharedFetchSource;

  /**
   * `models` keep their order in every result. Each model's make_examples parameters come
   * from its card (DeepVariant defaults when it has none).
   */
  constructor(readonly reads: AlignmentSource, readonly reference: ReferenceSource, readonly models: readonly LoadedModel[]) {
    if (models.length === 0) throw new VariantLensError('invalid-argument', 'give at least one model');
    this.sharedReads = new SharedFetchSource(reads, { maxWindows: 8 });
    // One encoding pass per distinct make_examples settings (siteImages.ts).
    const withPipelines = models.map((model) => ({ model, pipeline: modelPipeline(model.exampleInfo, model.card?.makeExamplesParams, model.dir) }));
    for (const g of groupBySettings(withPipelines, (m) => m.pipeline.options)) {
      this.groups.push({ options: g.options, reader: new PartitionReader(this.sharedReads, reference, g.options), members: g.members });
    }
  }

  /** Number of distinct encoding passes (1 when every model uses the same settings). */
  get encodingPasses(): number {
    return this.groups.length;
  }

  /**
   * Every model at one site: builds each setting's images (DeepVariant's candidate there when
   * it covers `alleles`, else the given alleles; without `alleles` the candidate only), runs
   * the models and postprocesses. Reuses cached reads of nearby sites.
   *
   * `encode` replaces the encoding of one settings group: the site inspector passes its
   * SiteImageCache (siteImages.ts), so the images it already showed are not built again.
   */
  async callSite(
    contig: string, position: number, alleles?: { readonly refBases: string; readonly altBases: readonly string[] }, signal?: AbortSignal, sampleName = 'default',
    encode?: (options: PipelineOptions) => Promise<SiteExamples>,
  ): Promise<SiteModelCall[]> {
    const perGroup = await Promise.all(this.groups.map(async (g) => {
      const site = encode ? await encode(g.options) : await buildSiteExamples({
        reads: this.sharedReads, reference: this.reference, contig, position, options: g.options, partitionReader: g.reader, signal,
        ...(alleles ? { alleles } : {}),
      });
      const tensors = site.examples.map((e) => e.tensor);
      const results: SiteModelCall[] = [];
      for (const { model } of g.members) {
        if (tensors.length === 0) {
          results.push({ model, site, probabilities: [], call: undefined, noCallReason: site.noExampleReason ?? 'no image' });
          continue;
        }
        const probabilities = await model.predict(tensors, signal);
        const variant = cvoVariant(site, sampleName);
        const cvos = site.examples.map((e, i) => ({ variant, altAlleleIndices: e.altAlleleIndices, genotypeProbabilities: roundGls(probabilities[i]!) }));
        const call = postprocessSite(cvos, { ...DV_POSTPROCESS_DEFAULTS, sampleName });
        results.push({ model, site, probabilities, call, noCallReason: undefined });
      }
      return results;
    }));
    const byModel = new Map(perGroup.flat().map((r) => [r.model, r]));
    return this.models.map((m) => byModel.get(m)!);
  }

  /**
   * make_examples → call_variants → postprocess_variants over regions (or given sites) for
   * every model. Returns one call set per model, in model order.
   */
  async callRegions(opts: CallRegionsOptions): Promise<ModelCallSet[]> {
    const signal = opts.signal;
    const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 64));
    if (!opts.regions?.length && !opts.sites?.length) throw new VariantLensError('invalid-argument', 'give regions or sites to call');
    const contigs = await this.reference.contigs(signal);
    const jobs = await this.jobs(opts, contigs, signal);
    const basesTotal = jobs.reduce((n, j) => n + (j.region.end - j.region.start), 0);
    const sitesTotal = opts.sites ? jobs.reduce((n, j) => n + (j.sites?.length ?? 0), 0) : undefined;
    const t0 = Date.now();
    let pass = 0;
    let passModels: string[] = [];
    let sitesDone = 0;
    let basesDone = 0;
    let examples = 0;
    let lastReport = 0;
    const report = (force: boolean): void => {
      if (!opts.onProgress) return;
      const now = Date.now();
      if (!force && now - lastReport < 500) return;
      lastReport = now;
      const secs = Math.max(1e-3, (now - t0) / 1000);
      opts.onProgress({ pass, passes: this.groups.length, passModels, sitesDone, sitesTotal, basesDone, basesTotal, examples, examplesPerSecond: examples / secs });
    };

    const perModel = new Map<LoadedModel, { cvos: CvoRecord[]; candidates: number; examples: number; skipped: { contig: string; position: number; reason: string }[] }>();
    for (const m of this.models) perModel.set(m, { cvos: [], candidates: 0, examples: 0, skipped: [] });

    for (const g of this.groups) {
      pass++;
      passModels = g.members.map((m) => m.model.name);
      sitesDone = 0;
      basesDone = 0;
      const span = g.options.partitionSize * g.options.partitionsPerFetch;
      let batch: PendingSite[] = [];
      let batchImages = 0;
      let inFlight: Promise<void> = Promise.resolve();
      // Runs the models on a batch while the next one is being encoded (the worker thread
      // runs onnxruntime; encoding stays on this thread).
      const flush = async (): Promise<void> => {
        const sites = batch;
        batch = [];
        batchImages = 0;
        await inFlight;
        if (sites.length === 0) return;
        inFlight = (async () => {
          const tensors = sites.flatMap((s) => s.site.examples.map((e) => e.tensor));
          for (const { model } of g.members) {
            const probs = await model.predict(tensors, signal);
            let k = 0;
            const acc = perModel.get(model)!;
            for (const s of sites) {
              const variant = cvoVariant(s.site, opts.sampleName);
              const cvos = s.site.examples.map((e) => ({ variant, altAlleleIndices: e.altAlleleIndices, genotypeProbabilities: roundGls(probs[k++]!) }));
              acc.cvos.push(...cvos);
              acc.candidates++;
              acc.examples += cvos.length;
            }
          }
          examples += tensors.length;
          report(false);
        })();
        // Surface a failure at the next flush rather than as an unhandled rejection.
        inFlight.catch(() => undefined);
      };

      for (const job of jobs) {
        for (const { window: w, sites: siteList } of windows(job.region, span, job.sites)) {
          throwIfAborted(signal);
          for await (const site of regionExamples(g.reader, w, signal, siteList)) {
            sitesDone++;
            if (site.examples.length === 0) {
              for (const { model } of g.members) perModel.get(model)!.skipped.push({ contig: site.contig, position: site.position, reason: site.noExampleReason ?? 'no image' });
              continue;
            }
            batch.push({ site });
            batchImages += site.examples.length;
            if (batchImages >= batchSize) await flush();
          }
          basesDone += w.end - w.start;
          report(false);
        }
      }
      await flush();
      await inFlight;
      report(true);
    }

    const out: ModelCallSet[] = [];
    for (const model of this.models) {
      throwIfAborted(signal);
      const acc = perModel.get(model)!;
      const { calls } = await postprocessVariants(acc.cvos, contigs, { ...opts.postprocess, sampleName: opts.sampleName }, signal);
      const pipeline = this.groups.flatMap((g) => g.members).find((m) => m.model === model)!.pipeline;
      out.push({ model, pipeline, calls, cvos: acc.cvos, candidates: acc.candidates, examples: acc.examples, skipped: acc.skipped });
    }
    return out;
  }

  private async jobs(opts: CallRegionsOptions, contigs: readonly ContigInfo[], signal?: AbortSignal): Promise<{ region: CallingRegion; sites?: GivenSite[] }[]> {
    const lengthOf = new Map(contigs.map((c) => [c.name, c.length]));
    const jobs: { region: CallingRegion; sites?: GivenSite[] }[] = [];
    if (opts.sites) {
      // VCF mode: partitions run from the contig start (as make_examples over whole contigs);
      // only windows holding sites are visited. Regions, when given, restrict the sites.
      const byContig = new Map<string, GivenSite[]>();
      for (const s of opts.sites) {
        if (opts.regions?.length && !opts.regions.some((r) => r.contig === s.contig && s.start >= r.start && s.start < r.end)) continue;
        let l = byContig.get(s.contig);
        if (!l) byContig.set(s.contig, l = []);
        l.push(s);
      }
      for (const [contig, sites] of byContig) {
        const name = lengthOf.has(contig) ? contig : undefined;
        const length = name ? lengthOf.get(name)! : await this.groups[0]!.reader.contigLength(contig, signal);
        jobs.push({ region: { contig, start: 0, end: length }, sites: sites.sort((a, b) => a.start - b.start) });
      }
      return jobs;
    }
    for (const r of opts.regions ?? []) {
      const length = lengthOf.get(r.contig) ?? await this.groups[0]!.reader.contigLength(r.contig, signal);
      if (!(r.start >= 0 && r.start < r.end && r.end <= length)) {
        throw new VariantLensError('region-invalid', `region ${r.contig}:${r.start + 1}-${r.end} is not inside the contig (1-${length})`, this.reference.path);
      }
      jobs.push({ region: r });
    }
    return jobs;
  }
}

/**
 * Splits a region into windows of `span` bases from its start. Partitions of a window are the
 * partitions of the whole region (both step from region.start by the partition size, and
 * `span` is a multiple of it), so calling window by window gives the same candidates. With
 * `sites` (sorted by start), only windows holding sites are returned, each with its sites.
 */
function windows(region: CallingRegion, span: number, sites?: readonly GivenSite[]): { window: CallingRegion; sites: GivenSite[] | undefined }[] {
  const at = (k: number): CallingRegion => {
    const s = region.start + k * span;
    return { contig: region.contig, start: s, end: Math.min(s + span, region.end) };
  };
  if (!sites) {
    const out: { window: CallingRegion; sites: undefined }[] = [];
    for (let k = 0; region.start + k * span < region.end; k++) out.push({ window: at(k), sites: undefined });
    return out;
  }
  const byWindow = new Map<number, GivenSite[]>();
  for (const s of sites) {
    if (s.start < region.start || s.start >= region.end) continue;
    const k = Math.floor((s.start - region.start) / span);
    let l = byWindow.get(k);
    if (!l) byWindow.set(k, l = []);
    l.push(s);
  }
  return [...byWindow].map(([k, list]) => ({ window: at(k), sites: list }));
}

/** The `##` line naming the model in a call set's VCF header. */
export function modelHeaderLine(model: LoadedModel): string {
  const card = model.card;
  return `variant-lens_call=model ${model.name}${card ? ` ${card.version}` : ''} (${model.modelPath}); DeepVariant ${DEEPVARIANT_POSTPROCESS_VERSION} postprocess_variants rules`;
}

/** Writes a call set as a DeepVariant-style VCF (bgzipped + .tbi when `path` ends in .gz). */
export async function writeCallSetVcf(path: string, set: ModelCallSet, contigs: readonly ContigInfo[], sampleName: string, signal?: AbortSignal): Promise<VcfWriteResult> {
  const header = deepVariantHeaderLines({ contigs, sampleName, versionLine: modelHeaderLine(set.model) });
  return writeVcf(path, header, set.calls.map(formatDeepVariantRecord), { signal });
}
