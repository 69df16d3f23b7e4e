/**
 * Counterfactual images for occlusion: the same pileup with one read removed, one channel
 * replaced by a realistic baseline, or one band of columns made to look like reads matching
 * the reference. Pure functions over PileupTensor (no I/O).
 *
 * Baselines are what the pixel would be if that piece of evidence were unremarkable, never
 * zeros: a zero channel is not "no information" to a model trained on DeepVariant's images,
 * it is a pileup without reads. Pixel values follow our encoder (src/core/pileup/pileupEncoder.ts,
 * docs/deepvariant.md §2.5):
 *   1 read base            → the reference base's colour at that column (A 250, G 180, T 100, C 30)
 *   2 base quality         → the site's median base-quality pixel
 *   3 mapping quality      → the site's median mapping-quality pixel
 *   4 strand               → flipped (70 ↔ 240)
 *   5 read supports variant→ "does not support" (152)
 *   6 base differs from ref→ "matches" (50)
 *   19 insert size         → the site's median insert-size pixel
 * Only pixels a read drew are changed (the reference band and empty pixels stay as they are).
 */
import { CHANNEL_NAMES } from '../io/examples/channelIds';
import type { PileupTensor } from '../io/examples/pileupTensor';
import { baseColor } from '../pileup/pileupEncoder';
import type { ChannelBaselineKind } from './explainResult';

/** Pixel values of our encoder (docs/deepvariant.md §2.5). */
export const POSITIVE_STRAND_PIXEL = 70;
export const NEGATIVE_STRAND_PIXEL = 240;
export const DOES_NOT_SUPPORT_PIXEL = 152;
export const SUPPORTS_ALT_PIXEL = 254;
export const MATCHES_REF_PIXEL = 50;

/** The pixels drawn by read rows: `masks[k][col]` is 1 where read row k has a pixel. */
export interface SiteGeometry {
  readonly referenceBandHeight: number;
  /** Reference bases of the image's columns. */
  readonly windowBases: string;
  /** One mask per read row (row referenceBandHeight + k). */
  readonly drawn: readonly Uint8Array[];
}

/** The pileup without read row k: rows below move up one, the last read row becomes empty. */
export function withoutReadRow(t: PileupTensor, band: number, k: number): PileupTensor {
  const rowBytes = t.width * t.channels.length;
  const data = t.data.slice();
  const row = band + k;
  data.copyWithin(row * rowBytes, (row + 1) * rowBytes, t.height * rowBytes);
  data.fill(0, (t.height - 1) * rowBytes);
  return { height: t.height, width: t.width, channels: t.channels, data };
}

export function baselineKind(id: number): ChannelBaselineKind {
  switch (id) {
    case 1: return 'reference-base';
    case 4: return 'flipped-strand';
    case 5: return 'does-not-support';
    case 6: return 'matches-reference';
    default: return 'site-median';
  }
}

/** Median (lower of the two middle values) of channel `slot` over drawn read pixels; 0 without any. */
export function medianDrawnPixel(t: PileupTensor, g: SiteGeometry, slot: number): number {
  const counts = new Uint32Array(256);
  let n = 0;
  const C = t.channels.length;
  for (let k = 0; k < g.drawn.length; k++) {
    const mask = g.drawn[k]!;
    const rowOff = (g.referenceBandHeight + k) * t.width * C;
    for (let c = 0; c < t.width; c++) {
      if (!mask[c]) continue;
      counts[t.data[rowOff + c * C + slot]!]!++;
      n++;
    }
  }
  if (n === 0) return 0;
  const half = Math.floor((n - 1) / 2);
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += counts[v]!;
    if (acc > half) return v;
  }
  return 255;
}

/** Replacement value of one pixel of channel `id` (undefined: leave it). */
function replacement(id: number, current: number, col: number, g: SiteGeometry, median: number): number {
  switch (baselineKind(id)) {
    case 'reference-base': return baseColor(g.windowBases[col] ?? 'N');
    case 'flipped-strand': return current === NEGATIVE_STRAND_PIXEL ? POSITIVE_STRAND_PIXEL : current === POSITIVE_STRAND_PIXEL ? NEGATIVE_STRAND_PIXEL : current;
    case 'does-not-support': return DOES_NOT_SUPPORT_PIXEL;
    case 'matches-reference': return MATCHES_REF_PIXEL;
    case 'site-median': return median;
  }
}

/**
 * The pileup with channel `id` replaced by its baseline in every drawn read pixel of columns
 * [colStart, colEnd) (default: all columns). `medians` gives the site-median pixel per
 * channel id (see `siteMedians`).
 */
export function withChannelBaseline(t: PileupTensor, g: SiteGeometry, id: number, medians: ReadonlyMap<number, number>, colStart = 0, colEnd = t.width): PileupTensor {
  const slot = t.channels.indexOf(id);
  if (slot < 0) return t;
  const data = t.data.slice();
  const C = t.channels.length;
  const median = medians.get(id) ?? 0;
  for (let k = 0; k < g.drawn.length; k++) {
    const mask = g.drawn[k]!;
    const rowOff = (g.referenceBandHeight + k) * t.width * C;
    for (let c = colStart; c < colEnd; c++) {
      if (!mask[c]) continue;
      const p = rowOff + c * C + slot;
      data[p] = replacement(id, data[p]!, c, g, median);
    }
  }
  return { height: t.height, width: t.width, channels: t.channels, data };
}

/** Site-median pixel of each median-baseline channel present in the tensor. */
export function siteMedians(t: PileupTensor, g: SiteGeometry): Map<number, number> {
  const out = new Map<number, number>();
  t.channels.forEach((id, slot) => {
    if (baselineKind(id) === 'site-median') out.set(id, medianDrawnPixel(t, g, slot));
  });
  return out;
}

/** Channels a column band gets replaced in: the evidence of variation, not the read's identity. */
export const BAND_CHANNELS: readonly number[] = [1, 2, 3, 5, 6];

export const BAND_BASELINE_TEXT =
  'in the band\'s columns every read pixel is made to match the reference: read base → the reference base, base differs from ref → matches, ' +
  'read supports variant → does not support, base and mapping quality → the site\'s medians; strand and insert size are kept';

/** The pileup with columns [colStart, colEnd) of every read row made to look like reference-matching reads. */
export function withBandBaseline(t: PileupTensor, g: SiteGeometry, medians: ReadonlyMap<number, number>, colStart: number, colEnd: number): PileupTensor {
  let out = t;
  for (const id of BAND_CHANNELS) if (t.channels.includes(id)) out = withChannelBaseline(out, g, id, medians, colStart, colEnd);
  return out;
}

/** Column bands of width n, placed so that one band is centred on the variant column. */
export function columnBands(width: number, n: number): { colStart: number; colEnd: number; centre: boolean }[] {
  const half = (width - 1) / 2;
  const centreStart = half - Math.floor(n / 2);
  const first = ((centreStart % n) + n) % n;
  const out: { colStart: number; colEnd: number; centre: boolean }[] = [];
  if (first > 0) out.push({ colStart: 0, colEnd: first, centre: false });
  for (let s = first; s < width; s += n) out.push({ colStart: s, colEnd: Math.min(width, s + n), centre: s <= half && half < s + n });
  return out;
}

/** Human description of a channel baseline. */
export function baselineDescription(id: number, medianPixels: readonly (number | null)[]): string {
  const label = CHANNEL_NAMES[id]?.label ?? `channel ${id}`;
  switch (baselineKind(id)) {
    case 'reference-base': return `${label} → the reference base at each column`;
    case 'flipped-strand': return `${label} → the opposite strand`;
    case 'does-not-support': return `${label} → does not support (${DOES_NOT_SUPPORT_PIXEL})`;
    case 'matches-reference': return `${label} → matches the reference (${MATCHES_REF_PIXEL})`;
    case 'site-median': {
      const px = [...new Set(medianPixels.filter((p): p is number => p !== null))];
      return `${label} → the site's median (pixel ${px.join(' / ') || 'n/a'})`;
    }
  }
}
