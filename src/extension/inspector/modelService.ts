/**
 * The configured models (`variantLens.models`) for the inspector: running every model at the
 * selected site through ModelCaller.callSite (each model with its own make_examples settings —
 * the code `variant-lens call` uses, so the inspector's GT/QUAL equal the VCF `call` wrote
 * for an isolated site) on the reads source's encodings (siteTensors.ts: a site is encoded
 * once per distinct settings, the picture's encoding included), the "seen by" tabs, and the
 * model-card facts (training data, parameter differences) the inspector and the model-card
 * panel show. Loading (trust-gated, cached per folder) is modelLoader.ts.
 *
 * vscode-free: settings arrive as `ModelServiceConfig`, cancellation as an AbortSignal (the
 * extension converts CancellationTokens at the boundary). Unit-tested in
 * test/unit/extension/inspector/ (siteTensors, encodeOnce, modelTabs, badInputInspector).
 *
 * Single-site caveat (as in the demo report): the genotype is computed for this site alone,
 * so postprocess's haplotype resolution across overlapping sites (docs/deepvariant.md §3.3 step 5) is not
 * applied; a site whose call `call` changed that way differs and says so in the notes.
 *
 * Coordinates: SiteRecord.pos is the 1-based VCF POS.
 */
import { basename } from 'node:path';
import { throwIfAborted } from '../../core/errors';
import { formatDvQual, phredLikelihoods } from '../../core/model/deepVariantVcf';
import { ModelCaller, type SiteModelCall } from '../../core/model/modelCaller';
import { compareParams, explainCandidateDifference, siteInTrainingData, type ModelCard, type ParamDifference } from '../../core/model/modelCard';
import type { LoadedModel } from '../../core/model/onnxModel';
import { groupBySight, sameTensor } from '../../core/model/siteImages';
import type { AlleleSummary } from '../../core/pileup/variantCaller';
import type { ModelCallView, ModelComparison, SiteRecord, TensorPayload } from '../../protocol/protocol';
import { ModelLoader, type EncoderChoice, type ModelLoaderConfig, type ModelOrError, type NamedModel } from './modelLoader';
import { imageableAlleles, inputsFor, type SiteSourceConfig, type SiteSources, type TensorResult } from './siteTensors';

export interface ModelServiceConfig extends SiteSourceConfig, ModelLoaderConfig {}

export type ModelStateKind = 'disabled' | 'none' | 'idle' | 'loading' | 'ready' | 'running' | 'error';

export interface ModelServiceState {
  readonly kind: ModelStateKind;
  /** For the status bar: "2 models ready", "running…", "models disabled (untrusted)". */
  readonly text: string;
  readonly detail?: string;
}

export interface SiteComparison {
  readonly comparison: ModelComparison;
  /** Raw per-model results (their images), in model order; empty unless done. */
  readonly results: readonly { readonly name: string; readonly result: SiteModelCall }[];
}

function formatGt(gt: readonly number[]): string {
  return gt.map((a) => (a < 0 ? '.' : String(a))).join('/');
}

/** "chr1–19" for chr1, chr2, …, chr19; other lists joined with commas. */
export function summarizeContigs(contigs: readonly string[]): string {
  const m = contigs.map((c) => /^(.*?)(\d+)$/.exec(c));
  if (contigs.length >= 3 && m.every((x) => x && x[1] === m[0]![1])) {
    const nums = m.map((x) => Number(x![2]));
    if (nums.every((n, i) => i === 0 || n === nums[i - 1]! + 1)) return `${m[0]![1]}${nums[0]}–${nums[nums.length - 1]}`;
  }
  return contigs.join(', ');
}

const norm = (s: string): string => s.trim().replace(/^chr/i, '').toUpperCase();

/**
 * A plain sentence about a site and a model's training data, e.g. "default was trained on
 * chr1–19 of HG001-sim, HG002-sim: this site (chr5, HG003-sim) — sample held out, contig seen
 * in training". The yes/no/unknown comes from modelCard.siteInTrainingData.
 */
export function trainingSentence(name: string, card: ModelCard | undefined, contig: string, sample: string, pos: number): { inTraining: boolean | 'unknown'; text: string } {
  const m = siteInTrainingData(card, contig, sample, pos);
  const t = card?.trainedOn;
  if (!t) return { inTraining: m.inTraining, text: `${name}: ${m.reason}` };
  const where = t.contigs ? summarizeContigs(t.contigs) : t.regions ? t.regions.join(', ') : 'unknown contigs';
  const who = t.samples?.join(', ') ?? 'unknown samples';
  const sampleKey = norm(sample);
  const sampleState = t.heldOutSamples?.some((s) => norm(s) === sampleKey) ? 'sample held out'
    : t.samples?.some((s) => norm(s) === sampleKey) ? 'sample seen in training'
      : t.samples ? 'sample not in training' : 'sample unknown';
  const contigKey = norm(contig);
  const contigState = t.heldOutContigs?.some((c) => norm(c) === contigKey) ? 'contig held out'
    : t.contigs?.some((c) => norm(c) === contigKey) ? 'contig seen in training'
      : t.contigs ? 'contig not in training' : 'contig per regions';
  const verdict = m.inTraining === true ? 'INSIDE the training data' : m.inTraining === false ? 'not in the training data' : 'training membership unknown';
  return { inTraining: m.inTraining, text: `${name} was trained on ${where} of ${who}: this site (${contig}, ${sample}) — ${sampleState}, ${contigState}; ${verdict}` };
}

/** The non-reference allele with most reads (the one a candidate threshold decides on). */
function strongestAlt(alleles: readonly AlleleSummary[]): AlleleSummary | undefined {
  let best: AlleleSummary | undefined;
  for (const a of alleles) if (!best || a.count > best.count) best = a;
  return best;
}

function paramText(d: ParamDifference, a: string, b: string): string {
  return `${d.param}: ${a} ${String(d.a)}${d.aIsDefault ? ' (default)' : ''}, ${b} ${String(d.b)}${d.bIsDefault ? ' (default)' : ''}`;
}

export class ModelService {
  private caller: { key: string; caller: ModelCaller } | undefined;
  private stateValue: ModelServiceState = { kind: 'idle', text: '' };
  private running = 0;

  /**
   * `sources` gives the reads, the reference and the site's encodings (shared with the
   * pictures the inspector already shows); `loader` the models (the same loader whose
   * encoderChoice `sources` was given, so the first model's images are built once).
   */
  constructor(
    private readonly config: () => ModelServiceConfig,
    private readonly sources: SiteSources,
    private readonly onState: (s: ModelServiceState) => void = () => undefined,
    private readonly loader: ModelLoader = new ModelLoader(config),
  ) {
    this.refreshState();
  }

  get state(): ModelServiceState {
    return this.stateValue;
  }

  private setState(s: ModelServiceState): void {
    this.stateValue = s;
    this.onState(s);
  }

  /** Recomputes the idle state from the settings (after a trust or settings change). */
  refreshState(): void {
    const cfg = this.config();
    const n = cfg.models.length;
    if (!cfg.trusted) this.setState({ kind: 'disabled', text: 'models disabled (untrusted)', detail: cfg.untrustedReason });
    else if (n === 0) this.setState({ kind: 'none', text: 'no models', detail: 'No models configured (variantLens.models).' });
    else if (this.running === 0) {
      const loaded = cfg.models.filter((m) => this.loader.isLoaded(m.path)).length;
      this.setState(loaded === n
        ? { kind: 'ready', text: `${n} model${n === 1 ? '' : 's'} ready`, detail: cfg.models.map((m) => m.name).join(', ') }
        : { kind: 'idle', text: `${n} model${n === 1 ? '' : 's'}`, detail: `${cfg.models.map((m) => m.name).join(', ')} (loaded on first use)` });
    }
  }

  /** Loads every configured model (ModelLoader.models). Refuses in an untrusted workspace. */
  models(signal?: AbortSignal): Promise<NamedModel[]> {
    return this.loader.models(signal);
  }

  /** Every configured model, loaded or with its load error (ModelLoader.modelsEach). */
  modelsEach(signal?: AbortSignal): Promise<ModelOrError[]> {
    return this.loader.modelsEach(signal);
  }

  /** The make_examples settings of the first model, for the inspector's images (ModelLoader.encoderChoice). */
  encoderChoice(signal: AbortSignal): Promise<EncoderChoice> {
    return this.loader.encoderChoice(signal);
  }

  /** Runs every model at a site. Never throws for a user problem: the comparison says it. */
  async compare(site: SiteRecord, signal: AbortSignal, onRunning?: () => void): Promise<SiteComparison> {
    const cfg = this.config();
    const empty = (state: ModelComparison['state'], message?: string): SiteComparison => ({ comparison: { state, ...(message ? { message } : {}), calls: [], explanations: [], notes: [] }, results: [] });
    if (!cfg.trusted) return empty('disabled', cfg.untrustedReason);
    if (cfg.models.length === 0) return empty('no-models', 'No models configured: add model folders to variantLens.models ("Variant Lens: Configure Reads, Reference and Models…").');
    const inputs = inputsFor(site, cfg);
    const reads = inputs.reads;
    const referencePath = inputs.reference;
    if (!reads) return empty('error', `No reads for sample ${site.samples.map((s) => s.name).join(', ') || '(none)'} in variantLens.reads (or chosen for this VCF): the models need the reads to build their images.`);
    if (!referencePath) return empty('error', 'No reference configured (variantLens.reference): the models need it to build their images.');
    this.running++;
    this.setState({ kind: 'running', text: 'running…', detail: `models at ${site.chrom}:${site.pos}` });
    onRunning?.();
    try {
      // Each model loads on its own: a broken one is reported in its row, the others still run.
      const each = await this.modelsEach(signal);
      const models = each.flatMap((m) => ('model' in m ? [m] : []));
      const failed = each.flatMap((m) => ('error' in m ? [m] : []));
      if (models.length === 0) return empty('error', failed.map((f) => f.error).join('\n'));
      const [bam, reference] = await Promise.all([this.sources.alignmentsOf(reads.path, signal, referencePath), this.sources.referenceOf(referencePath, signal)]);
      const key = [reads.path, referencePath, ...models.map((m) => m.path)].join('\n');
      if (this.caller?.key !== key) this.caller = { key, caller: new ModelCaller(bam, reference, models.map((m) => m.model)) };
      const sample = reads.sample ?? site.samples[0]?.name ?? 'default';
      const alleles = imageableAlleles(site);
      // Each distinct make_examples setting is encoded once per site: through the reads
      // source's cache, which already holds the images the inspector shows (siteImages.ts).
      const encode = async (options: EncoderChoice['options']) => (await this.sources.siteExamples(site.chrom, site.pos, alleles, reads.path, referencePath, signal, options)).site;
      const results = await this.caller.caller.callSite(site.chrom, site.pos, alleles, signal, sample, encode);
      throwIfAborted(signal);
      const named = results.map((result, i) => ({ name: models[i]!.name, result }));
      const described = this.describe(site, sample, named);
      if (failed.length === 0) return { comparison: described, results: named };
      // The failed models keep their place (settings order) with the load error as the reason.
      const byName = new Map(described.calls.map((c) => [c.model, c]));
      const calls = each.map((m): ModelCallView => byName.get(m.name) ?? {
        model: m.name, gt: '.', gq: '', qual: '', filter: '', pl: '', alleles: '', images: [], fromCandidate: false,
        noCallReason: 'error' in m ? m.error : 'not run', training: { inTraining: 'unknown', text: `${m.name}: could not be loaded` },
      });
      return { comparison: { ...described, calls, notes: [...failed.map((f) => `${f.name} failed to load: ${f.error}`), ...described.notes] }, results: named };
    } catch (e) {
      if (signal.aborted) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      return empty('error', msg.includes(basename(reads.path)) || msg.includes('/') ? msg : `${msg} (reads ${reads.path})`);
    } finally {
      this.running--;
      this.refreshState();
    }
  }

  /** Calls, training sentences and explanations of disagreements. */
  describe(site: SiteRecord, sample: string, named: readonly { name: string; result: SiteModelCall }[]): ModelComparison {
    const calls: ModelCallView[] = named.map(({ name, result: r }) => {
      const c = r.call;
      const training = trainingSentence(name, r.model.card, site.chrom, sample, site.pos);
      const images = r.site.examples.map((ex, i) => ({ altLabel: ex.altAlleles.join(','), probabilities: Array.from(r.probabilities[i] ?? []) }));
      if (!c) return { model: name, gt: '.', gq: '', qual: '', filter: '', pl: '', alleles: '', images, fromCandidate: false, noCallReason: r.noCallReason ?? 'no image', training };
      return {
        model: name, gt: formatGt(c.genotype), gq: String(c.gq), qual: formatDvQual(c.quality), filter: c.filter,
        pl: phredLikelihoods(c.genotypeLikelihoods).join(','), alleles: `${c.referenceBases}>${c.alternateBases.join(',') || '.'}`,
        images, fromCandidate: r.site.alleleSource === 'candidate', training,
      };
    });
    const notes: string[] = [];
    for (const { name, result: r } of named) for (const n of r.site.notes) notes.push(`${name}: ${n}`);
    const explanations: string[] = [];
    for (let i = 0; i < named.length; i++) {
      for (let j = i + 1; j < named.length; j++) {
        const a = named[i]!;
        const b = named[j]!;
        const diffs = compareParams(a.result.model.card, b.result.model.card);
        const ca = calls[i]!;
        const cb = calls[j]!;
        const disagree = ca.gt !== cb.gt || ca.filter !== cb.filter || a.result.site.dvWouldMakeCandidate !== b.result.site.dvWouldMakeCandidate;
        if (!disagree || diffs.length === 0) continue;
        // Evidence: the strongest alt under the more permissive model's read filters (its counts
        // include every read the other model counts).
        const permissive = a.result.site.dvWouldMakeCandidate || !b.result.site.dvWouldMakeCandidate ? a : b;
        const alt = strongestAlt(permissive.result.site.analysis.alleles);
        if (alt) {
          const ex = explainCandidateDifference(a.result.model.card, b.result.model.card, {
            altFraction: alt.fraction, altCount: alt.count, isIndel: alt.typeName !== 'substitution',
          });
          if (a.result.site.dvWouldMakeCandidate !== b.result.site.dvWouldMakeCandidate || ex.a.makesCandidate !== ex.b.makesCandidate) explanations.push(`${a.name} vs ${b.name}: ${ex.summary}`);
        }
        // Site-specific evidence only (the generic parameter list is in the Model Cards panel):
        // the read filters count different reads here.
        const da = a.result.site.analysis;
        const db = b.result.site.analysis;
        const altA = strongestAlt(da.alleles);
        const altB = strongestAlt(db.alleles);
        if (da.dp !== db.dp || (altA?.count ?? 0) !== (altB?.count ?? 0)) {
          const filters = diffs.filter((d) => /quality|mapq|min_|downsample|max_reads/i.test(d.param));
          explanations.push(`${a.name} counts DP ${da.dp}, ${altA?.count ?? 0} alt reads here; ${b.name} DP ${db.dp}, ${altB?.count ?? 0} alt reads${filters.length ? ` (read filters: ${filters.map((d) => paramText(d, a.name, b.name)).join('; ')})` : ''}`);
        }
      }
    }
    return { state: 'done', calls, explanations, notes };
  }

  /** Model cards for the model-card panel (loads the models: trusted workspaces only). */
  async cards(signal?: AbortSignal): Promise<{ name: string; model: LoadedModel }[]> {
    return this.models(signal);
  }

  /** Forget loaded models and the caller (settings changed). */
  reset(): void {
    this.loader.reset();
    this.caller = undefined;
    this.refreshState();
  }
}

/**
 * The inspector's tabs once the models ran: the images shown get "seen by" the models that
 * saw exactly them; images a model saw that are not shown become extra tabs (one per distinct
 * image). The models are grouped by what they saw with the core grouping the report uses
 * (core/model/siteImages.ts groupBySight); the group whose images are the ones shown (the same
 * encoding, siteImages.ts SiteImageCache) is recognised without comparing pixels.
 */
export function tensorsWithModels(shown: Pick<TensorResult, 'tensors' | 'siteExamples'>, results: readonly { readonly name: string; readonly result: SiteModelCall }[]): TensorPayload[] {
  const seen = shown.tensors.map((): string[] => []);
  const extra: (TensorPayload & { seenBy: string[] })[] = [];
  for (const g of groupBySight(results.map((r) => ({ site: r.result.site, name: r.name })))) {
    const names = g.members.map((m) => m.name);
    if (shown.siteExamples && g.site === shown.siteExamples && g.site.examples.length === shown.tensors.length) {
      for (const s of seen) s.push(...names);
      continue;
    }
    // Other settings (or DeepVariant's own examples shown): image by image.
    g.site.examples.forEach((ex) => {
      const label = ex.altAlleles.join(',');
      const k = shown.tensors.findIndex((t) => t.altLabel === label && sameTensor(t, ex.tensor));
      if (k >= 0) {
        seen[k]!.push(...names);
        return;
      }
      const same = extra.find((t) => t.altLabel === label && sameTensor(t, ex.tensor));
      if (same) same.seenBy.push(...names);
      else extra.push({
        height: ex.tensor.height, width: ex.tensor.width, channels: [...ex.tensor.channels], data: ex.tensor.data, altLabel: label,
        source: `reads (Variant Lens encoder, ${names[0]!}'s make_examples settings)`, seenBy: [...names],
        windowStart: g.site.windowStart, windowBases: g.site.windowBases, candidateColumn: g.site.start - g.site.windowStart,
        refRows: g.site.rows[0]?.row ?? 5, readRows: g.site.rows.length,
      });
    });
  }
  return [...shown.tensors.map((t, k) => (seen[k]!.length > 0 ? { ...t, seenBy: seen[k]! } : t)), ...extra];
}
