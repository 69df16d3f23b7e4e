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
import { spatialView } from './activationMaps';

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

/** Rows = positions of every image, columns = channels; columns centred. Float64. */
function centredMatrix(a: LayerActivation): { rows: number; cols: number; m: Float64Array } {
  const n = a.dims[0] ?? 0;
  const views = Array.from({ length: n }, (_, i) => spatialView(a, i));
  const c = views[0]?.c ?? 0;
  const p = views[0] ? views[0].h * views[0].w : 0;
  const rows = n * p;
  const m = new Float64Array(rows * c);
  views.forEach((v, i) => {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < v.h; y++) for (let x = 0; x < v.w; x++) m[(i * p + y * v.w + x) * c + ch] = v.at(ch, y, x);
    }
  });
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += m[r * c + ch]!;
    const mean = s / rows;
    for (let r = 0; r < rows; r++) m[r * c + ch]! -= mean;
  }
  return { rows, cols: c, m };
}

/** Σ_ij (AᵀB)_ij² for A (rows×ca), B (rows×cb), i.e. ‖AᵀB‖²_F. */
function crossFrob(a: Float64Array, ca: number, b: Float64Array, cb: number, rows: number): number {
  let total = 0;
  const col = new Float64Array(cb);
  for (let i = 0; i < ca; i++) {
    col.fill(0);
    for (let r = 0; r < rows; r++) {
      const x = a[r * ca + i]!;
      if (x === 0) continue;
      const off = r * cb;
      for (let j = 0; j < cb; j++) col[j]! += x * b[off + j]!;
    }
    for (let j = 0; j < cb; j++) total += col[j]! * col[j]!;
  }
  return total;
}

/** ‖A Aᵀ ∘ B Bᵀ‖ sum via the rows×rows Gram matrices (cheaper when rows < channels). */
function gram(a: Float64Array, cols: number, rows: number): Float64Array {
  const k = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += a[i * cols + c]! * a[j * cols + c]!;
      k[i * rows + j] = s;
      k[j * rows + i] = s;
    }
  }
  return k;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Linear CKA of two layers' activations over the same images and positions. */
export function linearCka(a: LayerActivation, b: LayerActivation): number | undefined {
  const x = centredMatrix(a);
  const y = centredMatrix(b);
  if (x.rows !== y.rows || x.rows < 2) return undefined;
  let xy: number;
  let xx: number;
  let yy: number;
  if (x.rows <= Math.max(x.cols, y.cols)) {
    const kx = gram(x.m, x.cols, x.rows);
    const ky = gram(y.m, y.cols, y.rows);
    xy = dot(kx, ky);
    xx = dot(kx, kx);
    yy = dot(ky, ky);
  } else {
    xy = crossFrob(x.m, x.cols, y.m, y.cols, x.rows);
    xx = crossFrob(x.m, x.cols, x.m, x.cols, x.rows);
    yy = crossFrob(y.m, y.cols, y.m, y.cols, y.rows);
  }
  if (xx === 0 || yy === 0) return xx === yy && a.data.every((v, i) => v === b.data[i]) ? 1 : 0;
  return xy / Math.sqrt(xx * yy);
}

/** Cosine of the channel means of each image, concatenated. Both zero → 1. */
export function pooledCosine(a: LayerActivation, b: LayerActivation): number {
  const pool = (l: LayerActivation): number[] => {
    const out: number[] = [];
    for (let i = 0; i < (l.dims[0] ?? 0); i++) {
      const v = spatialView(l, i);
      for (let ch = 0; ch < v.c; ch++) {
        let s = 0;
        for (let y = 0; y < v.h; y++) for (let x = 0; x < v.w; x++) s += v.at(ch, y, x);
        out.push(s / (v.h * v.w));
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

/** Per-layer similarity of two models' activations at the same site (same images, same order). */
export function layerSimilarity(a: ModelActivations, b: ModelActivations): SimilarityResult {
  const outputs = compareOutputs(a.outputs, b.outputs);
  const outText = outputs ? `outputs differ by at most ${outputs.maxAbsDiff.toPrecision(3)} in probability` : 'outputs not compared';
  const reason = correspondence(a.activations, b.activations);
  if (reason) {
    return { corresponding: false, reason, layers: [], firstDivergent: undefined, outputs, summary: `${reason}; compared on their outputs only: ${outText}` };
  }
  const layers = a.activations.map((la, i): LayerSimilarity => {
    const lb = b.activations[i]!;
    return { layer: la.layer, cka: linearCka(la, lb), cosine: pooledCosine(la, lb) };
  });
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
