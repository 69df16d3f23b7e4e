/**
 * Inside the networks at a disputed site, for the report's site sections: both models run once
 * more on the same images (the first model's own, from its make_examples settings) with their
 * default layers exposed (core/model/activations/siteLayers.ts); per model one picture (a row
 * per layer: the channel mean and the two strongest channels on the pileup) and, for the two
 * models, the per-layer similarity (linear CKA) as an SVG bar plot with its sentence — or, when
 * their layers do not correspond, the sentence saying they are compared on their outputs only.
 *
 * Coordinates: `position` is the 1-based VCF POS.
 */
import { throwIfAborted } from '../errors';
import { layerGridImage, layersComparison, type LayersComparison } from '../model/activations/layerFigures';
import type { SimilarityResult } from '../model/activations/layerSimilarity';
import { siteLayers } from '../model/activations/siteLayers';
import type { ModelCaller } from '../model/modelCaller';
import type { LoadedModel } from '../model/onnxModel';
import { encodePng } from '../render/png';

export interface LayersEvidence {
  /** Whose images the models ran on, and which alts. */
  readonly images: string;
  readonly comparison: LayersComparison;
  readonly similarity: SimilarityResult | undefined;
  readonly similaritySvg: string | undefined;
  readonly models: readonly { readonly name: string; readonly png: Uint8Array; readonly width: number; readonly height: number; readonly notes: readonly string[] }[];
}

export interface LayersEvidenceRequest {
  readonly caller: ModelCaller;
  /** The caller's models, in its order, and their display names. */
  readonly models: readonly LoadedModel[];
  readonly names: readonly string[];
  readonly contig: string;
  readonly position: number;
  readonly refBases: string;
  readonly altBases: readonly string[];
  readonly sample: string;
  readonly signal?: AbortSignal;
}

/** The layers of every model on the first model's images at the site; undefined when no model has an image there. */
export async function collectLayersEvidence(req: LayersEvidenceRequest): Promise<LayersEvidence | undefined> {
  throwIfAborted(req.signal);
  const results = await req.caller.callSite(req.contig, req.position, { refBases: req.refBases, altBases: req.altBases }, req.signal, req.sample);
  const k = results.findIndex((r) => r.site.examples.length > 0);
  if (k < 0) return undefined;
  const site = results[k]!.site;
  const tensors = site.examples.map((e) => e.tensor);
  const r = await siteLayers(req.models, tensors, { topK: 2, ...(req.signal ? { signal: req.signal } : {}) });
  const alt = site.examples[0]!.altAlleles.join(',');
  const models = r.models.map((m, i) => {
    const img = layerGridImage(`${req.names[i]!} on ${req.names[k]!}'s image for alt ${alt}`, m.maps[0] ?? []);
    return { name: req.names[i]!, png: encodePng(img), width: img.width, height: img.height, notes: m.activations.notes };
  });
  return { images: `${req.names[k]!}'s images (alt ${alt})`, comparison: layersComparison(r), similarity: r.similarity, similaritySvg: r.similaritySvg, models };
}
