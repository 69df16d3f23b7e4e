/**
 * Inside the networks at the inspector's site (`inspector.layers`): every configured model
 * runs once on the same image — the one the inspector shows — with its default layers exposed
 * (core/model/activations/siteLayers.ts), and the answer carries each layer's channel-mean and
 * top-channel maps on the pileup's grid (bytes, for the webview to draw) and the per-layer
 * similarity of the first two models. Models that cannot read the image (another input shape)
 * are named in the notes; models whose layers do not correspond are compared on their outputs
 * only, and the summary says so.
 *
 * vscode-free; tested in test/unit/extension/inspector/layerService.test.ts.
 */
import { VariantLensError, throwIfAborted } from '../../core/errors';
import type { ActivationMap, LayerMaps } from '../../core/model/activations/activationMaps';
import { layersComparison } from '../../core/model/activations/layerFigures';
import { siteLayers } from '../../core/model/activations/siteLayers';
import type { ActivationMapPayload, InspectorLayers, LayerMapsView, TensorPayload } from '../../protocol/protocol';
import type { NamedModel } from './modelLoader';

/** Channels per layer sent to the webview besides the mean. */
const TOP_CHANNELS = 3;

/** A map as bytes: 0–254 over [min, max], 255 outside what the model reads. */
export function mapPayload(m: ActivationMap): ActivationMapPayload {
  const n = m.height * m.width;
  const data = new Uint8Array(n);
  const span = m.max - m.min;
  for (let i = 0; i < n; i++) {
    const v = m.values[i]!;
    data[i] = Number.isNaN(v) ? 255 : span > 0 ? Math.round(((v - m.min) / span) * 254) : 0;
  }
  return { label: m.channel === undefined ? 'channel mean' : `channel ${m.channel}`, height: m.height, width: m.width, data, min: m.min, max: m.max };
}

function layerView(l: LayerMaps): LayerMapsView {
  return { layer: l.layer, channels: l.channels, cells: { ...l.cells }, mean: mapPayload(l.mean), top: l.top.map(mapPayload) };
}

/**
 * The layers of every model in `models` on image `index` of `tensors` (the inspector's shown
 * images). Throws a VariantLensError when no model can read the image.
 */
export async function inspectorLayers(models: readonly NamedModel[], tensors: readonly TensorPayload[], index: number, signal: AbortSignal): Promise<InspectorLayers> {
  const t = tensors[index];
  if (!t) throw new VariantLensError('invalid-argument', `no image ${index} at this site`);
  if (models.length === 0) throw new VariantLensError('invalid-argument', 'No models configured (variantLens.models): the layer activations need at least one model.');
  const image = { height: t.height, width: t.width, channels: t.channels, data: t.data };
  const fits = (m: NamedModel): boolean => {
    const [h, w, c] = m.model.exampleInfo.shape;
    return h === t.height && w === t.width && c === t.channels.length;
  };
  const usable = models.filter(fits);
  const notes = models.filter((m) => !fits(m)).map((m) => `${m.name} reads ${m.model.exampleInfo.shape.join('×')} images, not this ${t.height}×${t.width}×${t.channels.length} one: its layers are not shown`);
  if (usable.length === 0) throw new VariantLensError('model-shape-mismatch', notes.join('; '));
  const r = await siteLayers(usable.map((m) => m.model), [image], { topK: TOP_CHANNELS, signal });
  throwIfAborted(signal);
  const comparison = layersComparison(r);
  return {
    tensor: index,
    altLabel: t.altLabel,
    models: r.models.map((m, i) => ({
      model: usable[i]!.name,
      probabilities: Array.from(m.activations.outputs[0] ?? []),
      layers: (m.maps[0] ?? []).map(layerView),
      notes: [...m.activations.notes, ...(i === 0 ? notes : [])],
    })),
    comparedOn: comparison.kind,
    summary: usable.length < 2 && notes.length ? `${comparison.text}; ${notes.join('; ')}` : comparison.text,
    similarity: (r.similarity?.corresponding ? r.similarity.layers : []).map((l) => ({ layer: l.layer, cka: l.cka ?? null, cosine: l.cosine })),
    firstDivergent: r.similarity?.firstDivergent ?? null,
  };
}
