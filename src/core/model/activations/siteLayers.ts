/**
 * The whole "inside the network" step for one site, as `explain --layers`, the inspector and
 * the report need it: every model run once with its layers exposed, the maps of each layer
 * on the pileup, and — for two models — where their layers part ways.
 */
import type { PileupTensor } from '../../io/examples/pileupTensor';
import type { LoadedModel } from '../onnxModel';
import { activationMaps, type LayerMaps } from './activationMaps';
import { runWithActivations, type ActivationOptions, type SiteActivations } from './activations';
import { summarizeActivations, similarityPlotSvg, type ActivationSummary } from './activationSummary';
import { layerSimilarityInWorker, type SimilarityResult } from './layerSimilarity';

export interface SiteLayers {
  /** Per model, in the order given. */
  readonly models: readonly {
    readonly activations: SiteActivations;
    /** maps[image][layer]. */
    readonly maps: readonly (readonly LayerMaps[])[];
    readonly summary: ActivationSummary;
  }[];
  /** Model 0 against model 1, when there are two or more models. */
  readonly similarity: SimilarityResult | undefined;
  readonly similaritySvg: string | undefined;
}

/**
 * Runs each model once on the site's images with `layers` exposed (default layers when
 * omitted), computes the channel-mean and top-`topK` maps of every layer and image on the
 * pileup, and compares the first two models layer by layer.
 */
export async function siteLayers(models: readonly LoadedModel[], tensors: readonly PileupTensor[],
  options: ActivationOptions & { layers?: readonly string[]; topK?: number } = {}): Promise<SiteLayers> {
  const out: SiteLayers['models'][number][] = [];
  for (const m of models) {
    const activations = await runWithActivations(m, tensors, options.layers, options);
    const geometry = { height: m.exampleInfo.shape[0], width: m.exampleInfo.shape[1], window: activations.inputWindow };
    const maps = tensors.map((_, i) => activations.activations.map((a) => activationMaps(a, geometry, { example: i, topK: options.topK ?? 4 })));
    out.push({ activations, maps, summary: summarizeActivations(activations, 0, options.topK ?? 4) });
  }
  const similarity = out.length >= 2 ? await layerSimilarityInWorker(out[0]!.activations, out[1]!.activations, options.signal) : undefined;
  return { models: out, similarity, similaritySvg: similarity ? similarityPlotSvg(similarity) : undefined };
}
