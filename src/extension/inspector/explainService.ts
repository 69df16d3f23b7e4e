/**
 * The inspector's explanation of a disputed site: runs core/explain's explainSite (the
 * cross-run of every model on every model's make_examples images, read / channel / band
 * occlusion, sensitivity curves, the verdict; docs/explain.md) on the configured models,
 * reads and reference of the shown site, and turns the result into the ExplanationView the
 * webview draws (src/protocol/explainProtocol.ts): the numbers, plus the attribution overlays
 * as RGBA drawn with core/explain/attributionOverlay.ts and matched to the pileup tabs whose
 * pixels are exactly the images explained.
 *
 * vscode-free: settings arrive through the model service's config, cancellation as an
 * AbortSignal. Unit-tested in test/unit/extension/inspector/explainService.test.ts.
 *
 * Coordinates: SiteRecord.pos is the 1-based VCF POS (explainSite's `position`).
 */
import { VariantLensError } from '../../core/errors';
import { heatmapRgba, mapScale, pixelAttribution } from '../../core/explain/attributionOverlay';
import type { ClassProbs, ExplainResult } from '../../core/explain/explainResult';
import { type ExplainOutput, type ExplainProgress, explainSite } from '../../core/explain/explainSite';
import { sameTensor } from '../../core/model/siteImages';
import type { PileupTensor } from '../../core/io/examples/pileupTensor';
import {
  type ClassProbsView, type CrossRunCellView, EXPLAIN_LEGEND_WIDTH, type ExplainAttributionView, type ExplainCurveView, type ExplainOverlayView, type ExplanationView,
} from '../../protocol/explainProtocol';
import type { SiteRecord, TensorPayload } from '../../protocol/protocol';
import type { NamedModel } from './modelLoader';
import type { ModelServiceConfig } from './modelService';
import { imageableAlleles, inputsFor, type SiteSources } from './siteTensors';

/** Reads listed in the view: the ones with the largest |ΔP| for any model. */
const TOP_READS = 8;

export interface ExplainServiceDeps {
  readonly config: () => ModelServiceConfig;
  readonly sources: SiteSources;
  /** The configured models, loaded (ModelService.models: trust-gated, cached). */
  readonly models: (signal: AbortSignal) => Promise<NamedModel[]>;
}

export interface SiteExplanation {
  readonly names: readonly string[];
  readonly output: ExplainOutput;
}

/** Runs the explanation of one site. Throws a VariantLensError for what the user must fix (no reads, one model, …). */
export async function explainInspectorSite(
  deps: ExplainServiceDeps, site: SiteRecord, signal: AbortSignal, onProgress?: (p: ExplainProgress, names: readonly string[]) => void,
): Promise<SiteExplanation> {
  const cfg = deps.config();
  if (!cfg.trusted) throw new VariantLensError('unsupported', cfg.untrustedReason ?? 'Models are disabled in an untrusted workspace.');
  if (cfg.models.length < 2) throw new VariantLensError('invalid-argument', `Explaining a disagreement needs two models in variantLens.models (${cfg.models.length} configured).`);
  const inputs = inputsFor(site, cfg);
  if (!inputs.reads) throw new VariantLensError('invalid-argument', `No reads for sample ${site.samples.map((s) => s.name).join(', ') || '(none)'} in variantLens.reads: the explanation re-images the site from the reads.`);
  if (!inputs.reference) throw new VariantLensError('invalid-argument', 'No reference configured (variantLens.reference): the explanation re-images the site from the reads.');
  const named = await deps.models(signal);
  if (named.length < 2) throw new VariantLensError('invalid-argument', `Explaining a disagreement needs two models that load (${named.length} did).`);
  const [reads, reference] = await Promise.all([deps.sources.alignmentsOf(inputs.reads.path, signal, inputs.reference), deps.sources.referenceOf(inputs.reference, signal)]);
  const alleles = imageableAlleles(site);
  // Channel 8 re-imaged from the reads needs variantLens.populationVcfs, as the pictures do (siteTensors.ts).
  const af = named.find((m) => m.model.exampleInfo.channels.includes(8));
  const populationVcfs = af ? await deps.sources.populationVcfsFor(af.model.exampleInfo.channels, `${af.name}'s images`, signal) : undefined;
  const output = await explainSite({
    reads, reference, models: named.map((m) => m.model), ...(populationVcfs ? { populationVcfs } : {}), contig: site.chrom, position: site.pos, ...(alleles ? { alleles } : {}),
    sampleName: inputs.reads.sample ?? site.samples[0]?.name ?? 'default', signal, ...(onProgress ? { onProgress: (p: ExplainProgress) => onProgress(p, named.map((m) => m.name)) } : {}),
  });
  return { names: named.map((m) => m.name), output };
}

const probsView = (p: ClassProbs | null): ClassProbsView | null => (p ? [p[0], p[1], p[2]] : null);

function cellViews(crossRun: ExplainResult['crossRun']): CrossRunCellView[][] {
  return crossRun.map((row) => row.map((c) => ({
    probs: probsView(c.probs), gt: c.gt, genotypeClass: c.genotypeClass, candidate: c.candidate, dp: c.dp, ad: [...c.ad], readRows: c.readRows, altRows: c.altRows,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
  })));
}

/** The view of a cross-run known before the rest (the `explanation` event while it runs). */
export function runningView(generation: number, names: readonly string[], p: ExplainProgress): ExplanationView {
  return { generation, state: 'running', message: p.stage, done: p.done, total: p.total, models: names, params: names.map(() => []), ...(p.crossRun ? { crossRun: cellViews(p.crossRun) } : {}) };
}

/** Indices of `tensors` whose pixels equal one of `own`'s images. */
function matchingTensors(tensors: readonly TensorPayload[], own: readonly PileupTensor[]): number[] {
  const out: number[] = [];
  tensors.forEach((t, k) => {
    if (own.some((o) => sameTensor(t, o))) out.push(k);
  });
  return out;
}

/** The colour scale of the overlays: −1 … +1 through heatmapRgba, so the legend is the overlay's own colours. */
function legendRgba(): Uint8Array {
  const values = new Float32Array(EXPLAIN_LEGEND_WIDTH);
  for (let i = 0; i < values.length; i++) values[i] = (i / (values.length - 1)) * 2 - 1;
  return heatmapRgba({ width: values.length, height: 1, values }, 1).data;
}

/** The attribution overlays of the first two models and their difference, on the images explained. */
function overlays(result: ExplainResult, out: ExplainOutput, names: readonly string[], tensors: readonly TensorPayload[]): ExplainOverlayView[] {
  const views: ExplainOverlayView[] = [];
  const maps: { mode: ExplainOverlayView['mode']; model: number; minus?: number }[] = [{ mode: 'a', model: 0 }, { mode: 'b', model: 1 }, { mode: 'diff', model: 0, minus: 1 }];
  const computed = maps.flatMap((m) => {
    const own = out.ownSites[m.model]?.examples.map((e) => e.tensor);
    if (!own?.length || (m.minus !== undefined && !out.ownSites[m.minus])) return [];
    const map = pixelAttribution(result, m.model, own[0]!, m.minus);
    return [{ ...m, map, own }];
  });
  // A and B share one scale, so switching between them compares like with like.
  const shared = Math.max(0, ...computed.filter((c) => c.mode !== 'diff').map((c) => mapScale(c.map)));
  for (const c of computed) {
    const scale = c.mode === 'diff' ? mapScale(c.map) : shared;
    const cls = result.crossRun[c.model]?.[c.model]?.genotypeClass ?? 'hom-ref';
    const title = c.mode === 'diff'
      ? `ΔP(${cls}) of ${names[0]} − ${names[1]} (on ${names[0]}'s image): red, ${names[0]} leans on the read more`
      : `ΔP(${cls}) of ${names[c.model]} (its call): red pushed toward it, blue away`;
    views.push({ mode: c.mode, title, model: names[c.model]!, tensors: matchingTensors(tensors, c.own), width: c.map.width, height: c.map.height, rgba: heatmapRgba(c.map, scale).data, scale });
  }
  return views;
}

function readViews(result: ExplainResult): ExplainAttributionView[] {
  const size = (d: readonly (number | null)[]): number => Math.max(0, ...d.map((x) => Math.abs(x ?? 0)));
  return [...result.reads]
    .sort((a, b) => size(b.deltaP) - size(a.deltaP) || (a.start - b.start))
    .slice(0, TOP_READS)
    .map((r) => {
      const support = r.supportsAlt.map((s, i) => (s === null ? null : `${result.models[i]?.name ?? i}: ${s ? 'alt' : 'not alt'}`)).filter(Boolean).join(', ');
      return { label: `${r.name}/${r.readNumber + 1}`, detail: `MAPQ ${r.mapq} · ${r.reverse ? '−' : '+'} strand · ${r.cigar} · supports ${support}`, deltaP: [...r.deltaP] };
    });
}

/** The finished explanation as the webview draws it. */
export function explanationView(generation: number, e: SiteExplanation, tensors: readonly TensorPayload[]): ExplanationView {
  const { result } = e.output;
  const names = e.names;
  const curves: ExplainCurveView[] = (['depth', 'altFraction', 'baseQuality', 'mappingQuality'] as const).map((name) => {
    const c = result.curves[name];
    return {
      name, xLabel: c.xLabel, description: c.description,
      models: names.map((_, i) => ({ x: [...(c.x[i] ?? [])], probs: (c.probs[i] ?? []).map(probsView), candidate: [...(c.candidate[i] ?? [])] })),
    };
  });
  return {
    generation, state: 'done', done: 1, total: 1, models: names,
    params: result.models.map((m) => Object.entries(m.params).map(([k, v]) => `${k} ${String(v)}`)),
    crossRun: cellViews(result.crossRun),
    verdict: { kind: result.verdict.kind, text: result.verdict.text, inputShift: result.verdict.inputShift, weightShift: result.verdict.weightShift },
    called: result.crossRun.map((row, i) => row[i]?.genotypeClass ?? null),
    overlays: overlays(result, e.output, names, tensors),
    legend: legendRgba(),
    curves,
    channels: result.channels.map((c) => ({ label: `${c.id} ${c.name}`, detail: c.baseline.description, deltaP: [...c.deltaP] })),
    bands: result.bands.map((b) => ({
      label: `${(b.refStart + 1).toLocaleString('en-US')}–${b.refEnd.toLocaleString('en-US')}${b.centre ? ' (variant)' : ''}`,
      detail: `columns ${b.colStart}–${b.colEnd - 1}: ${result.bandBaseline}`, deltaP: [...b.deltaP],
    })),
    reads: readViews(result),
    readCount: result.reads.length,
    partial: result.partial,
    problems: [...result.problems],
  };
}
