/**
 * Small pictures of a pileup for the review queue's tiles: the RGB composite as
 * show_examples draws it (renderRgb, docs/deepvariant.md §6.1, no header), reduced by an
 * integer factor with a box average (every source pixel counts, so a single supporting read
 * still tints its block), as RGBA bytes a canvas takes with putImageData.
 */
import type { PileupTensor } from '../io/examples/pileupTensor';
import { renderRgb, type RgbImage } from './showExamples';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width · height · 4 bytes. */
  readonly data: Uint8Array;
}

/** Box-average reduction of an RGB image by `factor` (edge blocks average what they hold); alpha 255. */
export function downscaleRgb(img: RgbImage, factor: number): RgbaImage {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`factor must be a positive integer, got ${factor}`);
  const width = Math.ceil(img.width / factor);
  const height = Math.ceil(img.height / factor);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y1 = Math.min(img.height, (y + 1) * factor);
    for (let x = 0; x < width; x++) {
      const x1 = Math.min(img.width, (x + 1) * factor);
      let r = 0, g = 0, b = 0, n = 0;
      for (let sy = y * factor; sy < y1; sy++) {
        for (let sx = x * factor; sx < x1; sx++) {
          const s = (sy * img.width + sx) * 3;
          r += img.data[s]!;
          g += img.data[s + 1]!;
          b += img.data[s + 2]!;
          n++;
        }
      }
      const d = (y * width + x) * 4;
      data[d] = Math.round(r / n);
      data[d + 1] = Math.round(g / n);
      data[d + 2] = Math.round(b / n);
      data[d + 3] = 255;
    }
  }
  return { width, height, data };
}

/** The tensor's RGB composite reduced by `factor` (default 2: 221×100 → 111×50). */
export function pileupThumbnail(tensor: PileupTensor, factor = 2): RgbaImage {
  return downscaleRgb(renderRgb(tensor, { annotate: false }), factor);
}
