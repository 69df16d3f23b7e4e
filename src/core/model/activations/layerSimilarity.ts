/**
 * Where inside the network two models part ways at a site: per layer, how similar model A's
 * and model B's activations are on the same images.
 *
 *  - linear CKA (centred kernel alignment, Kornblith et al. 2019) with the spatial positions
 *    of all the site's images as samples and the channels as features: 1 when the two
 *    representations are equal up to rotation and scale, lower as they diverge. It needs
 *    only the same positions, so it works at one site with one image.
 *  - cosine of the pooled activations (channel means per image, concatenated): 1 when the
 *    pooled feature vectors point the same way. Needs the same channel count.
 *
 * Layers correspond when both models list the same layer names, in the same order, with the
 * same shapes. Otherwise the models are compared on their outputs only, and the result says so.
 */
import type { LayerActivation } from './activations';
import { inferenceBackend } from '../inferenceHost';
import { channelPlanes } from './activationMaps';

/** CKA at or above this is "identical" in the summary. */
export const IDENTICAL_CKA = 0.9999;

export interface LayerSimilarity {
  readonly layer: string;
  /** Linear CKA; undefined when it is not defined (a single sample). */
  readonly cka: number | undefined;
  /** Cosine of the pooled activations. */
  readonly cosine: number;
}

export interface OutputComparison {
  /** Largest |pA − pB| over images and classes. */
  readonly maxAbsDiff: number;
  /** Per image: do the two models' most likely classes agree? */
  readonly sameArgmax: readonly boolean[];
}

export interface SimilarityResult {
  readonly corresponding: boolean;
  /** Why the layers do not correspond, when they do not. */
  readonly reason: string | undefined;
  readonly layers: readonly LayerSimilarity[];
  /** Index of the first layer whose CKA is below IDENTICAL_CKA, or undefined. */
  readonly firstDivergent: number | undefined;
  readonly outputs: OutputComparison | undefined;
  /** "identical through Mixed_5d; apart from Mixed_6a on (CKA 0.41)". */
  readonly summary: string;
}

export interface ModelActivations {
  readonly activations: readonly LayerActivation[];
  readonly outputs?: readonly Float64Array[];
}

/**
 * The centred representation of a layer: c channels × r samples (the spatial positions of
 * every image), channel after channel; each channel's mean over the samples subtracted.
 */
function centredChannels(a: LayerActivation): { c: number; r: number; m: Float64Array } {
  const n = a.dims[0] ?? 0;
  const views = Array.from({ length: n }, (_, i) => channelPlanes(a, i));
  const c = views[0]?.c ?? 0;
  const p = views[0] ? views[0].h * views[0].w : 0;
  const r = n * p;
  const m = new Float64Array(c * r);
  views.forEach((v, i) => {
    for (let ch = 0; ch < c; ch++) {
      const src = v.planes.subarray(ch * p, (ch + 1) * p);
      const off = ch * r + i * p;
      for (let k = 0; k < p; k++) m[off + k] = src[k]!;
    }
  });
  for (let ch = 0; ch < c; ch++) {
    const off = ch * r;
    let s = 0;
    for (let k = 0; k < r; k++) s += m[off + k]!;
    const mean = s / r;
    for (let k = 0; k < r; k++) m[off + k]! -= mean;
  }
  return { c, r, m };
}

function rowDot(a: Float64Array, ia: number, b: Float64Array, ib: number, len: number): number {
  // Four partial sums: fewer dependent additions per step.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ia + k]! * b[ib + k]!;
    s1 += a[ia + k + 1]! * b[ib + k + 1]!;
    s2 += a[ia + k + 2]! * b[ib + k + 2]!;
    s3 += a[ia + k + 3]! * b[ib + k + 3]!;
  }
  for (; k < len; k++) s0 += a[ia + k]! * b[ib + k]!;
  return s0 + s1 + s2 + s3;
}

/** ‖AᵀB‖²_F over channel rows: Σ_ij ⟨a_i, b_j⟩² (symmetric when a = b: half the work). */
function channelCross(a: Float64Array, ca: number, b: Float64Array, cb: number, r: number, same: boolean): number {
  let total = 0;
  for (let i = 0; i < ca; i++) {
    for (let j = same ? i : 0; j < cb; j++) {
      const d = rowDot(a, i * r, b, j * r, r);
      total += same && j !== i ? 2 * d * d : d * d;
    }
  }
  return total;
}

/** The sample Gram matrix X Xᵀ (r × r) of a channel-major c × r matrix, through its sample-major transpose. */
function sampleGram(x: Float64Array, c: number, r: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < r; p++) t[p * c + ch] = x[ch * r + p]!;
  const k = new Float64Array(r * r);
  for (let p = 0; p < r; p++) {
    for (let q = p; q < r; q++) {
      const d = rowDot(t, p * c, t, q * c, c);
      k[p * r + q] = d;
      k[q * r + p] = d;
    }
  }
  return k;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Linear CKA of two layers' activations over the same images and positions: ⟨XXᵀ, YYᵀ⟩ /
 * (‖XXᵀ‖ ‖YYᵀ‖) with X, Y centred, computed through channel×channel or sample×sample
 * products, whichever is cheaper. Undefined with fewer than 2 samples.
 */
export function linearCka(a: LayerActivation, b: LayerActivation): number | undefined {
  const x = centredChannels(a);
  const y = centredChannels(b);
  if (x.r !== y.r || x.r < 2) return undefined;
  const r = x.r;
  let xy: number;
  let xx: number;
  let yy: number;
  const channelCost = (x.c * x.c + y.c * y.c) / 2 + x.c * y.c;
  const sampleCost = ((x.c + y.c) * r) / 2 + r;
  if (channelCost <= sampleCost) {
    xy = channelCross(x.m, x.c, y.m, y.c, r, false);
    xx = channelCross(x.m, x.c, x.m, x.c, r, true);
    yy = channelCross(y.m, y.c, y.m, y.c, r, true);
  } else {
    const kx = sampleGram(x.m, x.c, r);
    const ky = sampleGram(y.m, y.c, r);
    xy = dot(kx, ky);
    xx = dot(kx, kx);
    yy = dot(ky, ky);
  }
  if (xx === 0 || yy === 0) return xx === yy && a.data.every((v, i) => v === b.data[i]) ? 1 : 0;
  return xy / Math.sqrt(xx * yy);
}

/** Cosine of the channel means of each image, concatenated. Both zero → 1. */
export function pooledCosine(a: LayerActivation, b: LayerActivation): number {
  const pool = (l: LayerActivation): number[] => {
    const out: number[] = [];
    for (let i = 0; i < (l.dims[0] ?? 0); i++) {
      const v = channelPlanes(l, i);
      const p = v.h * v.w;
      for (let ch = 0; ch < v.c; ch++) {
        let s = 0;
        for (let k = 0; k < p; k++) s += v.planes[ch * p + k]!;
        out.push(s / p);
      }
    }
    return out;
  };
  const pa = pool(a);
  const pb = pool(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < pa.length; i++) { ab += pa[i]! * pb[i]!; aa += pa[i]! * pa[i]!; bb += pb[i]! * pb[i]!; }
  if (aa === 0 || bb === 0) return aa === bb ? 1 : 0;
  return ab / Math.sqrt(aa * bb);
}

function compareOutputs(a: readonly Float64Array[] | undefined, b: readonly Float64Array[] | undefined): OutputComparison | undefined {
  if (!a || !b || a.length !== b.length) return undefined;
  let maxAbsDiff = 0;
  const argmax = (p: Float64Array): number => p.indexOf(Math.max(...p));
  const sameArgmax = a.map((pa, i) => {
    const pb = b[i]!;
    pa.forEach((v, k) => { maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - pb[k]!)); });
    return argmax(pa) === argmax(pb);
  });
  return { maxAbsDiff, sameArgmax };
}

/** Why the two layer lists do not correspond, or undefined when they do. */
export function correspondence(a: readonly LayerActivation[], b: readonly LayerActivation[]): string | undefined {
  const names = (l: readonly LayerActivation[]): string => l.map((x) => x.layer).join(', ') || 'none';
  if (a.length === 0 || b.length === 0) return 'one of the models has no layer activations';
  if (a.length !== b.length || a.some((l, i) => l.layer !== b[i]!.layer)) {
    return `the models' layers do not correspond (A: ${names(a)}; B: ${names(b)})`;
  }
  const bad = a.findIndex((l, i) => l.dims.join(',') !== b[i]!.dims.join(',') || l.layout !== b[i]!.layout);
  if (bad >= 0) return `layer ${a[bad]!.layer} has shape [${a[bad]!.dims.join(',')}] in A and [${b[bad]!.dims.join(',')}] in B`;
  return undefined;
}

function assemble(a: ModelActivations, b: ModelActivations, reason: string | undefined, layers: readonly LayerSimilarity[]): SimilarityResult {
  const outputs = compareOutputs(a.outputs, b.outputs);
  const outText = outputs ? `outputs differ by at most ${outputs.maxAbsDiff.toPrecision(3)} in probability` : 'outputs not compared';
  if (reason) {
    return { corresponding: false, reason, layers: [], firstDivergent: undefined, outputs, summary: `${reason}; compared on their outputs only: ${outText}` };
  }
  const score = (l: LayerSimilarity): number => l.cka ?? l.cosine;
  const k = layers.findIndex((l) => score(l) < IDENTICAL_CKA);
  const firstDivergent = k < 0 ? undefined : k;
  let summary: string;
  const fmt = (l: LayerSimilarity): string => (l.cka !== undefined ? `CKA ${l.cka.toFixed(3)}` : `cosine ${l.cosine.toFixed(3)}`);
  if (firstDivergent === undefined) summary = `identical at every layer (${layers.length} layers, CKA ≥ ${IDENTICAL_CKA})`;
  else if (firstDivergent === 0) summary = `apart from the first layer, ${layers[0]!.layer}, on (${fmt(layers[0]!)})`;
  else summary = `identical through ${layers[firstDivergent - 1]!.layer}; apart from ${layers[firstDivergent]!.layer} on (${fmt(layers[firstDivergent]!)})`;
  return { corresponding: true, reason: undefined, layers, firstDivergent, outputs, summary: `${summary}; ${outText}` };
}

/** Per-layer similarity of two models' activations at the same site (same images, same order), in JavaScript. */
export function layerSimilarity(a: ModelActivations, b: ModelActivations): SimilarityResult {
  const reason = correspondence(a.activations, b.activations);
  const layers = reason ? [] : a.activations.map((la, i): LayerSimilarity => {
    const lb = b.activations[i]!;
    return { layer: la.layer, cka: linearCka(la, lb), cosine: pooledCosine(la, lb) };
  });
  return assemble(a, b, reason, layers);
}

/**
 * The same as layerSimilarity, with the CKA matrix products run by onnxruntime in the
 * inference worker (float32; several times faster on InceptionV3-sized layers, and off the
 * caller's thread). Agrees with layerSimilarity to ~1e-5.
 */
export async function layerSimilarityInWorker(a: ModelActivations, b: ModelActivations, signal?: AbortSignal): Promise<SimilarityResult> {
  const reason = correspondence(a.activations, b.activations);
  const layers: LayerSimilarity[] = [];
  if (!reason) {
    const backend = inferenceBackend();
    for (const [i, la] of a.activations.entries()) {
      const lb = b.activations[i]!;
      const x = centredChannels(la);
      const y = centredChannels(lb);
      let cka: number | undefined;
      if (x.r === y.r && x.r >= 2) {
        const g = await backend.gramSums({ x: Float32Array.from(x.m), y: Float32Array.from(y.m), cx: x.c, cy: y.c, r: x.r }, signal);
        cka = g.xx === 0 || g.yy === 0 ? (g.xx === g.yy && la.data.every((v, k) => v === lb.data[k]) ? 1 : 0) : g.xy / Math.sqrt(g.xx * g.yy);
      }
      layers.push({ layer: la.layer, cka, cosine: pooledCosine(la, lb) });
    }
  }
  return assemble(a, b, reason, layers);
}
