/**
 * Pileup tensors drawn the way DeepVariant 1.5's show_examples draws them (docs/deepvariant.md §6.1;
 * nucleus `util/vis.py`): the channel strip (channels side by side, greyscale) and the RGB
 * composite, each with the optional annotation header, plus show_examples' file names.
 *
 * Pure and DOM-free: the CLI encodes the result as PNG, the webview puts
 * the same bytes on a canvas, tests check pixels. No node or io imports here on purpose —
 * the webview bundles this file.
 */
import { CHANNEL_NAMES } from '../io/examples/channelIds';
import type { PileupTensor } from '../io/examples/pileupTensor';
import { drawText, textWidth } from './bitmapFont';

/** 8-bit greyscale, row-major, one byte per pixel. */
export interface GreyImage {
  readonly kind: 'grey';
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** 8-bit RGB, row-major, three bytes per pixel (R, G, B). */
export interface RgbImage {
  readonly kind: 'rgb';
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export type Image8 = GreyImage | RgbImage;

/** Height of show_examples' annotation header (`add_header(header_height=20)`). */
export const HEADER_HEIGHT = 20;
/** Tick marks: rows HEADER_HEIGHT−5 … HEADER_HEIGHT−1 at each block's midpoint. */
const TICK_HEIGHT = 5;
/** Top row of our label text (PIL draws at y=0 with its own font's internal leading). */
const LABEL_Y = 3;

/**
 * `scale_colors_for_png(v, vmin=0, vmax=254)`: clamp to [0, 254], then `uint8(v/254*255)`,
 * truncating (254 → 255, 152 → 152, 50 → 50). Computed with the same float64 operations
 * as numpy, in the same order.
 */
export const RESCALE_254: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let v = 0; v < 256; v++) t[v] = Math.trunc((Math.min(v, 254) / 254) * 255);
  return t;
})();

/**
 * The names of channel ids 1–6, used when there is no example_info.json: every DeepVariant
 * layout starts with these six (docs/deepvariant.md §2.2), whatever follows.
 */
const BASE_CHANNEL_LABELS = [
  'read base', 'base quality', 'mapping quality', 'strand', 'read supports variant', 'base differs from ref',
] as const;

/**
 * Column labels by DeepVariant channel id, never by position (docs/deepvariant.md §2.1, §6.1):
 *  - with the channel ids (example_info.json, or an encoder's tensor): the enum names
 *    (`CH_READ_BASE`, …, `CH_ALLELE_FREQUENCY`, `CH_INSERT_SIZE`);
 *  - without: the first six by name (ids 1–6 open every layout), then `channel N (id?)` —
 *    DV 1.5 show_examples would call a 7th channel "haplotype tag" by position, which is
 *    wrong for the insert-size and allele-frequency layouts, so no name is guessed.
 * Unknown ids fall back to `channel <id>`.
 */
export function channelLabels(numChannels: number, exampleInfoChannels?: readonly number[]): string[] {
  if (exampleInfoChannels) return exampleInfoChannels.map((id) => CHANNEL_NAMES[id]?.enumName ?? `channel ${id}`);
  return Array.from({ length: numChannels }, (_, i) => BASE_CHANNEL_LABELS[i] ?? `channel ${i + 1} (id?)`);
}

/**
 * `add_header`: a new image HEADER_HEIGHT rows taller, the header white (255), the
 * original pasted below it; the width is split into `labels.length` equal segments
 * (float width), each with a 5-px black tick at `int(segment * (i + 0.5))` — and at x+1
 * too when the segment width is an even number — and its label centred on that midpoint
 * (`int(mid − text_width/2)`, drawn after the ticks). An empty label draws only the tick.
 */
function addHeader<T extends Image8>(img: T, labels: readonly string[]): T {
  const bpp = img.kind === 'rgb' ? 3 : 1;
  const width = img.width;
  const height = img.height + HEADER_HEIGHT;
  const data = new Uint8Array(width * height * bpp);
  data.fill(255, 0, width * HEADER_HEIGHT * bpp);
  data.set(img.data, width * HEADER_HEIGHT * bpp);
  if (labels.length === 0) return { ...img, height, data };
  const segment = width / labels.length;
  const mids = labels.map((_, i) => Math.trunc(segment * (i + 0.5)));
  const setBlack = (x: number, y: number): void => {
    if (x < 0 || x >= width) return;
    data.fill(0, (y * width + x) * bpp, (y * width + x + 1) * bpp);
  };
  for (const x of mids) {
    for (let y = HEADER_HEIGHT - TICK_HEIGHT; y < HEADER_HEIGHT; y++) {
      setBlack(x, y);
      if (segment % 2 === 0) setBlack(x + 1, y);
    }
  }
  labels.forEach((label, i) => {
    const x = Math.trunc(mids[i]! - textWidth(label) / 2);
    drawText(data, width, HEADER_HEIGHT, bpp, x, LABEL_Y, label, 0);
  });
  return { ...img, height, data };
}

export interface RenderOptions {
  /** Add the 20-px label header (show_examples `--annotation`, default true). */
  annotate?: boolean;
  /**
   * Alt-aligned 'rows' examples (docs/deepvariant.md §12.3): the tensor is this many stacked
   * pileups (3: reference, alt 1, alt 2); a BLOCK_GAP-row mid-grey band is drawn between them.
   */
  blocks?: number;
}

/** Rows of the grey band between stacked blocks. */
export const BLOCK_GAP = 3;
const GAP_GREY = 128;

/**
 * Where the stacked blocks of an alt-aligned 'rows' image sit once drawn (docs/deepvariant.md
 * §12.3): `blocks` equal blocks of `blockHeight` tensor rows, BLOCK_GAP grey rows between them.
 * One block (no gap) when `blocks` is absent, 1, or does not divide the height. The CLI's
 * `show` and the inspector both draw through this, so a drawn row means the same in both.
 */
export interface BlockLayout {
  readonly blocks: number;
  readonly blockHeight: number;
  /** Rows of the drawn image (tensor rows plus the gaps), before any header. */
  readonly drawnHeight: number;
}

export function blockLayout(tensorHeight: number, blocks: number | undefined): BlockLayout {
  if (!blocks || blocks <= 1 || tensorHeight % blocks !== 0) return { blocks: 1, blockHeight: tensorHeight, drawnHeight: tensorHeight };
  const blockHeight = tensorHeight / blocks;
  return { blocks, blockHeight, drawnHeight: tensorHeight + (blocks - 1) * BLOCK_GAP };
}

/** The drawn row of block `block`'s first row. */
export function blockTop(layout: BlockLayout, block: number): number {
  return block * (layout.blockHeight + BLOCK_GAP);
}

/** The drawn row of tensor row `row`. */
export function drawnRowOf(layout: BlockLayout, row: number): number {
  const b = Math.min(layout.blocks - 1, Math.floor(row / layout.blockHeight));
  return blockTop(layout, b) + (row - b * layout.blockHeight);
}

/** The block and tensor row under drawn row `drawn`; undefined in a grey gap or outside the image. */
export function tensorRowAt(layout: BlockLayout, drawn: number): { block: number; row: number } | undefined {
  if (!Number.isInteger(drawn) || drawn < 0 || drawn >= layout.drawnHeight) return undefined;
  const block = Math.floor(drawn / (layout.blockHeight + BLOCK_GAP));
  const within = drawn - blockTop(layout, block);
  if (within >= layout.blockHeight) return undefined;
  return { block, row: block * layout.blockHeight + within };
}

/**
 * Inserts BLOCK_GAP grey rows between `blocks` equal horizontal blocks of a row-major image of
 * `bytesPerPixel` bytes per pixel (1 grey, 3 RGB, 4 RGBA: the band is opaque grey). Used by
 * `show`, the inspector, the report and the review-queue tiles (a tile spreads its reduced
 * blocks), so the bands are the same everywhere.
 */
export function spreadBlocks(data: Uint8Array, width: number, height: number, bytesPerPixel: number, blocks: number | undefined): { readonly height: number; readonly data: Uint8Array } {
  const layout = blockLayout(height, blocks);
  if (layout.blocks === 1) return { height, data };
  const rowBytes = width * bytesPerPixel;
  const h = layout.blockHeight;
  const out = new Uint8Array(layout.drawnHeight * rowBytes).fill(GAP_GREY);
  if (bytesPerPixel === 4) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  for (let b = 0; b < layout.blocks; b++) out.set(data.subarray(b * h * rowBytes, (b + 1) * h * rowBytes), blockTop(layout, b) * rowBytes);
  return { height: layout.drawnHeight, data: out };
}

/** Inserts BLOCK_GAP grey rows between `blocks` equal horizontal blocks of an image. */
function separateBlocks<T extends Image8>(img: T, blocks: number | undefined): T {
  const spread = spreadBlocks(img.data, img.width, img.height, img.kind === 'rgb' ? 3 : 1, blocks);
  return spread.data === img.data ? img : { ...img, height: spread.height, data: spread.data };
}

/**
 * The titles of a 'rows' example's three blocks (docs/deepvariant.md §12.3): the reads aligned
 * to the reference, then to the haplotype of each block's alt (`altBlockOrder`: DeepVariant 1.5
 * sorts the image's alts; one alt fills both alt blocks).
 */
export function rowsBlockTitles(altBlocks: readonly [string, string]): [string, string, string] {
  return ['reference-aligned', `alt-1-aligned (${altBlocks[0]})`, `alt-2-aligned (${altBlocks[1]})`];
}

/** A block's label beside a drawn 'rows' image: its title and the drawn rows it spans. */
export interface BlockLabel {
  readonly title: string;
  /** Short form for a narrow label column: 'ref', 'alt 1', 'alt 2'. */
  readonly short: string;
  /** First drawn row of the block (after `offset` rows, e.g. HEADER_HEIGHT above an annotated image). */
  readonly top: number;
  readonly height: number;
}

/**
 * The labels of a 'rows' image's blocks at the rows `layout` draws them (blockTop), for the
 * report and the review-queue tiles, which label the blocks beside the pixels as the inspector does.
 */
export function rowsBlockLabels(layout: BlockLayout, altBlocks: readonly [string, string], offset = 0): BlockLabel[] {
  const titles = rowsBlockTitles(altBlocks);
  return Array.from({ length: layout.blocks }, (_, b) => ({
    title: titles[b] ?? `block ${b + 1}`, short: b === 0 ? 'ref' : `alt ${b}`, top: offset + blockTop(layout, b), height: layout.blockHeight,
  }));
}

/**
 * The channel strip: channel c occupies columns [c·W, (c+1)·W), each pixel rescaled
 * with RESCALE_254; H rows (+20 with the header). `labels` default to `channelLabels(C)`.
 */
export function renderChannelStrip(tensor: PileupTensor, labels?: readonly string[], options: RenderOptions = {}): GreyImage {
  const { height: h, width: w } = tensor;
  const c = tensor.channels.length;
  const out = new Uint8Array(h * w * c);
  const src = tensor.data;
  const stripWidth = w * c;
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const s = (row * w + col) * c;
      const d = row * stripWidth + col;
      for (let ch = 0; ch < c; ch++) out[d + ch * w] = RESCALE_254[src[s + ch]!]!;
    }
  }
  const img = separateBlocks<GreyImage>({ kind: 'grey', width: stripWidth, height: h, data: out }, options.blocks);
  if (options.annotate === false) return img;
  return addHeader(img, labels ?? channelLabels(c));
}

/** Indices in `tensor.channels` of channel ids 1…6, or the ids that are missing. */
export function baseChannelIndices(channels: readonly number[]): { indices: number[] } | { missing: number[] } {
  const indices = [1, 2, 3, 4, 5, 6].map((id) => channels.indexOf(id));
  const missing = [1, 2, 3, 4, 5, 6].filter((_, i) => indices[i]! < 0);
  return missing.length > 0 ? { missing } : { indices };
}

/**
 * `convert_6_channels_to_rgb` then the 0–254 → 0–255 rescale (docs/deepvariant.md §6.1):
 * R = read_base, G = min(base_quality, mapping_quality), B = strand, each multiplied by
 * alpha = (supports/254)·(differs/254) in float64 and cast to uint8 (truncation), then
 * RESCALE_254. Channels are found by id (1–6) wherever they sit in the tensor, so a
 * 7-channel WGS tensor works (insert size is ignored, as in DeepVariant). The header, when
 * annotated, has one empty label: a single midpoint tick (vis.py `labels = ['']`).
 */
export function renderRgb(tensor: PileupTensor, options: RenderOptions = {}): RgbImage {
  const found = baseChannelIndices(tensor.channels);
  if ('missing' in found) {
    throw new RangeError(`the RGB image needs channel ids 1–6; this tensor (channels [${tensor.channels.join(', ')}]) lacks ${found.missing.join(', ')}`);
  }
  const [iBase, iBq, iMq, iStrand, iSupp, iDiff] = found.indices as [number, number, number, number, number, number];
  const { height: h, width: w } = tensor;
  const c = tensor.channels.length;
  const src = tensor.data;
  const out = new Uint8Array(h * w * 3);
  const cast = (x: number): number => RESCALE_254[Math.min(255, Math.trunc(x))]!;
  for (let p = 0; p < h * w; p++) {
    const s = p * c;
    const alpha = (src[s + iSupp]! / 254) * (src[s + iDiff]! / 254);
    const bq = src[s + iBq]!;
    const mq = src[s + iMq]!;
    out[p * 3] = cast(src[s + iBase]! * alpha);
    out[p * 3 + 1] = cast(Math.min(bq, mq) * alpha);
    out[p * 3 + 2] = cast(src[s + iStrand]! * alpha);
  }
  const img = separateBlocks<RgbImage>({ kind: 'rgb', width: w, height: h, data: out }, options.blocks);
  if (options.annotate === false) return img;
  return addHeader(img, ['']);
}

/** Nearest-neighbour enlargement by an integer factor (`--scale`; crisp pixel blocks). */
export function scaleNearest<T extends Image8>(img: T, scale: number): T {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer, got ${scale}`);
  if (scale === 1) return img;
  const bpp = img.kind === 'rgb' ? 3 : 1;
  const width = img.width * scale;
  const height = img.height * scale;
  const data = new Uint8Array(width * height * bpp);
  const srcStride = img.width * bpp;
  const row = new Uint8Array(width * bpp);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = y * srcStride + x * bpp;
      for (let k = 0; k < scale; k++) {
        const d = (x * scale + k) * bpp;
        for (let b = 0; b < bpp; b++) row[d + b] = img.data[s + b]!;
      }
    }
    for (let k = 0; k < scale; k++) data.set(row, (y * scale + k) * width * bpp);
  }
  return { ...img, width, height, data };
}

// ---------------------------------------------------------------------------------------
// File names

/** The parts of a nucleus Variant that names need (0-based start). */
export interface VariantForNaming {
  readonly referenceName: string;
  readonly start: number;
  readonly referenceBases: string;
  readonly alternateBases: readonly string[];
}

/** show_examples' MAX_SIZE_TO_PRINT. */
const MAX_SIZE_TO_PRINT = 5;

/**
 * show_examples `get_short_id` (docs/deepvariant.md §6.1): `chrom:START_REF->ALT1|ALT2` with the
 * 0-based start; if REF or any used alt is longer than 5 bases, `chrom:START_` followed by
 * `DEL{n}bp` / `INS{n}bp` / `MNP{n}bp` per used alt (joined by '|'), each prefixed with
 * `alt{i}` when two alts of the variant have the same length.
 */
export function shortId(variant: VariantForNaming, altIndices: readonly number[]): string {
  const prefix = `${variant.referenceName}:${variant.start}`;
  const ref = variant.referenceBases;
  const alts = variant.alternateBases;
  const used = altIndices.map((i) => alts[i] ?? '');
  if (ref.length > MAX_SIZE_TO_PRINT || used.some((a) => a.length > MAX_SIZE_TO_PRINT)) {
    const useAltIndices = new Set(alts.map((a) => a.length)).size < alts.length;
    const types = altIndices.map((i) => {
      const a = alts[i] ?? '';
      const diff = a.length - ref.length;
      const type = diff < 0 ? `DEL${-diff}bp` : diff > 0 ? `INS${diff}bp` : `MNP${a.length}bp`;
      return `${useAltIndices ? `alt${i}` : ''}${type}`;
    });
    return `${prefix}_${types.join('|')}`;
  }
  return `${prefix}_${ref}->${used.join('|')}`;
}

export type ImageType = 'channels' | 'rgb' | 'both';

/**
 * DV 1.5 show_examples file names (docs/deepvariant.md §6.1): `{output}_channels_{short_id}{_labelN}.png`
 * and `{output}_rgb_{short_id}{_labelN}.png`; without `output` the prefix is empty. The
 * `_labelN` part appears only for labelled (training) examples. Names the image types
 * that are not requested are undefined.
 */
export function showExamplesFileNames(
  example: { readonly variant: VariantForNaming; readonly altAlleleIndices: readonly number[]; readonly label?: number },
  options: { output?: string; imageType?: ImageType; truthLabels?: boolean },
): { channels?: string; rgb?: string } {
  const prefix = options.output !== undefined && options.output !== '' ? `${options.output}_` : '';
  const id = shortId(example.variant, example.altAlleleIndices);
  const label = (options.truthLabels ?? true) && example.label !== undefined ? `_label${example.label}` : '';
  const type = options.imageType ?? 'channels';
  return {
    ...(type === 'channels' || type === 'both' ? { channels: `${prefix}channels_${id}${label}.png` } : {}),
    ...(type === 'rgb' || type === 'both' ? { rgb: `${prefix}rgb_${id}${label}.png` } : {}),
  };
}
