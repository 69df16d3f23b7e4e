/**
 * Small pictures of a pileup for the review queue's tiles: the RGB composite as
 * show_examples draws it (renderRgb, docs/deepvariant.md §6.1, no header), reduced by an
 * integer factor with a box average (every source pixel counts, so a single supporting read
 * still tints its block), as RGBA bytes a canvas takes with putImageData.
 * An alt-aligned 'rows' tensor (docs/deepvariant.md §12.3) is reduced block by block (no
 * reduced pixel mixes two blocks) and the reduced blocks are spread with show's grey bands
 * (showExamples.ts spreadBlocks / blockLayout), so the tile labels them at blockTop.
 */
import type { PileupTensor } from '../io/examples/pileupTensor';
import { blockLayout, renderRgb, spreadBlocks, type BlockLayout, type RgbImage } from './showExamples';

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

/**
 * A 'rows' tensor's thumbnail: each of its `blocks` stacked pileups reduced by `factor` on its
 * own, then spread with the grey bands; `layout` says where each reduced block is drawn
 * (blockTop). A tensor whose height `blocks` does not divide is reduced as one image.
 */
export function blockedThumbnail(tensor: PileupTensor, blocks: number, factor = 2): RgbaImage & { readonly layout: BlockLayout } {
  const rgb = renderRgb(tensor, { annotate: false });
  const tensorLayout = blockLayout(rgb.height, blocks);
  if (tensorLayout.blocks === 1) {
    const t = downscaleRgb(rgb, factor);
    return { ...t, layout: blockLayout(t.height, 1) };
  }
  const rowBytes = rgb.width * 3;
  const parts = Array.from({ length: tensorLayout.blocks }, (_, b) => downscaleRgb({
    kind: 'rgb', width: rgb.width, height: tensorLayout.blockHeight,
    data: rgb.data.subarray(b * tensorLayout.blockHeight * rowBytes, (b + 1) * tensorLayout.blockHeight * rowBytes),
  }, factor));
  const width = parts[0]!.width;
  const stacked = new Uint8Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) { stacked.set(p.data, at); at += p.data.length; }
  const spread = spreadBlocks(stacked, width, parts[0]!.height * parts.length, 4, tensorLayout.blocks);
  return { width, height: spread.height, data: spread.data, layout: blockLayout(parts[0]!.height * parts.length, tensorLayout.blocks) };
}
