/**
 * Activation maps of one layer for one image, on the pileup's own geometry, so that they can
 * be drawn beside (or over) the pileup:
 *
 *  - the channel mean at each spatial cell;
 *  - the top-k channels, ranked by their mean absolute activation over the cells.
 *
 * Each map is upsampled to the pileup's H×W by nearest cell: pixel (y, x) inside the part of
 * the pileup the graph reads (`window`; the demo CNNs read the centre columns only) takes the
 * value of cell (⌊(y−r0)·h/(r1−r0)⌋, ⌊(x−c0)·w/(c1−c0)⌋) of the h×w activation; pixels outside
 * the window are NaN (the model did not see them). A layer without spatial axes ([N, C]) is one
 * cell covering the window.
 */
import { VariantLensError } from '../../errors';
import type { GreyImage, RgbImage } from '../../render/showExamples';
import { exampleActivation, type LayerActivation } from './activations';

export interface PileupGeometry {
  readonly height: number;
  readonly width: number;
  /** Rows and columns (half-open) the model reads; default the whole pileup. */
  readonly window?: { readonly rows: readonly [number, number]; readonly cols: readonly [number, number] };
}

export interface ActivationMap {
  /** "mean", or "channel 17". */
  readonly label: string;
  readonly channel: number | undefined;
  /** For a top channel: its mean absolute activation (the ranking score). */
  readonly score: number | undefined;
  readonly height: number;
  readonly width: number;
  /** height·width values, row-major; NaN outside the window. */
  readonly values: Float32Array;
  /** Range of the values inside the window. */
  readonly min: number;
  readonly max: number;
}

export interface LayerMaps {
  readonly layer: string;
  readonly example: number;
  /** The activation's own grid: channels × h × w. */
  readonly channels: number;
  readonly cells: { readonly height: number; readonly width: number };
  readonly mean: ActivationMap;
  readonly top: readonly ActivationMap[];
}

/**
 * One image's activation as channel planes: `planes` holds c planes of h·w values, channel
 * after channel (a view of the activation for NCHW, a transposed copy for NHWC).
 */
export function channelPlanes(a: LayerActivation, example: number): { c: number; h: number; w: number; planes: Float32Array } {
  const { dims, data } = exampleActivation(a, example);
  if (dims.length === 1) return { c: dims[0]!, h: 1, w: 1, planes: data };
  if (dims.length === 3) {
    if (a.layout === 'NHWC') {
      const [h, w, c] = dims as [number, number, number];
      const p = h * w;
      const planes = new Float32Array(c * p);
      for (let i = 0; i < p; i++) for (let ch = 0; ch < c; ch++) planes[ch * p + i] = data[i * c + ch]!;
      return { c, h, w, planes };
    }
    const [c, h, w] = dims as [number, number, number];
    return { c, h, w, planes: data };
  }
  throw new VariantLensError('unsupported', `layer ${a.layer} has shape [${a.dims.join(',')}]; activation maps need [N, C] or a 4-D image tensor`);
}

function upsample(grid: Float64Array | Float32Array, h: number, w: number, g: PileupGeometry): { values: Float32Array; min: number; max: number } {
  const [r0, r1] = g.window?.rows ?? [0, g.height];
  const [c0, c1] = g.window?.cols ?? [0, g.width];
  const values = new Float32Array(g.height * g.width);
  if (r0 > 0 || c0 > 0 || r1 < g.height || c1 < g.width) values.fill(Number.NaN);
  const colCell = new Int32Array(Math.max(0, c1 - c0));
  for (let x = c0; x < c1; x++) colCell[x - c0] = Math.min(w - 1, Math.floor(((x - c0) * w) / (c1 - c0)));
  let prevCell = -1;
  let prevRow = 0;
  for (let y = r0; y < r1; y++) {
    const cy = Math.min(h - 1, Math.floor(((y - r0) * h) / (r1 - r0)));
    const row = y * g.width;
    if (cy === prevCell) {
      // Same cell row as the row above: copy it.
      values.copyWithin(row + c0, prevRow + c0, prevRow + c1);
    } else {
      const cellRow = cy * w;
      for (let x = c0; x < c1; x++) values[row + x] = grid[cellRow + colCell[x - c0]!]!;
      prevCell = cy;
    }
    prevRow = row;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < h * w; i++) {
    const v = grid[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { values, min, max };
}

/** Channel-mean and top-k channel maps of `act` for image `example`, on the pileup's H×W. */
export function activationMaps(act: LayerActivation, geometry: PileupGeometry, options: { example?: number; topK?: number } = {}): LayerMaps {
  const example = options.example ?? 0;
  const v = channelPlanes(act, example);
  const cells = v.h * v.w;
  const meanGrid = new Float64Array(cells);
  const score = new Float64Array(v.c);
  for (let ch = 0; ch < v.c; ch++) {
    const off = ch * cells;
    let s = 0;
    for (let i = 0; i < cells; i++) {
      const val = v.planes[off + i]!;
      meanGrid[i]! += val;
      s += Math.abs(val);
    }
    score[ch] = s / cells;
  }
  for (let i = 0; i < cells; i++) meanGrid[i]! /= v.c;
  const mean = { label: 'mean', channel: undefined, score: undefined, height: geometry.height, width: geometry.width, ...upsample(meanGrid, v.h, v.w, geometry) };
  const k = Math.max(0, Math.min(v.c, options.topK ?? 4));
  // Top k by score (ties: lower channel first), by insertion into a k-long list.
  const order: number[] = [];
  for (let ch = 0; ch < v.c; ch++) {
    if (order.length === k && (k === 0 || score[ch]! <= score[order[k - 1]!]!)) continue;
    let at = order.length;
    while (at > 0 && score[order[at - 1]!]! < score[ch]!) at--;
    order.splice(at, 0, ch);
    if (order.length > k) order.pop();
  }
  const top = order.map((ch): ActivationMap => ({
    label: `channel ${ch}`, channel: ch, score: score[ch], height: geometry.height, width: geometry.width,
    ...upsample(v.planes.subarray(ch * cells, (ch + 1) * cells), v.h, v.w, geometry),
  }));
  return { layer: act.layer, example, channels: v.c, cells: { height: v.h, width: v.w }, mean, top };
}

/**
 * A map as an 8-bit image for PNG output: values scaled from [min, max] to 0–255 (a constant
 * map is 0), NaN (outside what the model reads) drawn as mid grey in RGB, 255 (white) in grey.
 * `rgb` uses a blue→yellow ramp.
 */
export function activationMapImage(map: ActivationMap, kind: 'grey' | 'rgb' = 'rgb'): GreyImage | RgbImage {
  const span = map.max - map.min;
  const n = map.height * map.width;
  const scaled = (v: number): number => (span > 0 ? Math.round(((v - map.min) / span) * 255) : 0);
  if (kind === 'grey') {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = Number.isNaN(map.values[i]!) ? 255 : scaled(map.values[i]!);
    return { kind: 'grey', width: map.width, height: map.height, data };
  }
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = map.values[i]!;
    if (Number.isNaN(v)) { data[i * 3] = 128; data[i * 3 + 1] = 128; data[i * 3 + 2] = 128; continue; }
    const t = scaled(v) / 255;
    // Dark blue (low) → teal → yellow (high).
    data[i * 3] = Math.round(255 * Math.max(0, Math.min(1, 1.6 * t - 0.4)));
    data[i * 3 + 1] = Math.round(40 + 200 * t);
    data[i * 3 + 2] = Math.round(130 * (1 - t) + 30);
  }
  return { kind: 'rgb', width: map.width, height: map.height, data };
}
