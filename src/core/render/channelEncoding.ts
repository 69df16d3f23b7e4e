/**
 * What a pixel value means in each DeepVariant channel, keyed by the channel id of
 * example_info.json (DeepVariantChannelEnum, docs/deepvariant.md §2.1), never by position:
 * a legend line per channel and a decoder from the 0–254 byte back to the read's property
 * (docs/deepvariant.md §2.3 constants, §2.5 read-row values, §2.6 opt-channels).
 *
 * The encoder truncates (`floor(254 · min(v, cap) / cap)`), so a byte decodes to the smallest
 * input that gives it; the cap itself decodes to "≥ cap".
 */
import { CHANNEL_NAMES } from '../io/examples/channelIds';

export interface ChannelLegend {
  readonly id: number;
  /** "read base", "base quality", … */
  readonly label: string;
  /** The enum name (CH_READ_BASE, …). */
  readonly enumName: string;
  /** One line: how values are encoded. */
  readonly encoding: string;
}

const BASE_BY_VALUE: ReadonlyMap<number, string> = new Map([[250, 'A'], [180, 'G'], [100, 'T'], [30, 'C']]);

/** The smallest integer v in [0, cap] with floor(254·v/cap) = byte; undefined if none. */
function unscale(byte: number, cap: number): number | undefined {
  for (let v = 0; v <= cap; v++) if (Math.floor((254 * v) / cap) === byte) return v;
  return undefined;
}

function scaled(byte: number, cap: number, what: string): string {
  if (byte >= 254) return `${what} ≥ ${cap}`;
  const v = unscale(byte, cap);
  return v === undefined ? `${what} ? (not a value the encoder writes)` : `${what} ${v}`;
}

const ENCODINGS: Readonly<Record<number, string>> = {
  1: 'A 250 · G 180 · T 100 · C 30 · 0 = N, indel anchor (*) or no read',
  2: 'floor(254 · min(q, 40) / 40); reference rows 254',
  3: 'one value per read: floor(254 · min(MAPQ, 60) / 60); reference rows 254',
  4: 'one value per read: forward 70 · reverse 240; reference rows 70',
  5: 'one value per read: 254 supports an alt of this image · 152 supports another alt, the reference or nothing (76 with --add_supporting_other_alt_color)',
  6: 'per base: 50 matches the reference · 254 differs (indel anchors always 254)',
  7: 'HP tag: 0 → 0 · 1 → 127 · 2 → 254',
  8: '((log10(1e-5) − log10(AF)) / log10(1e-5)) · 254; 0 when AF ≤ 1e-5',
  9: 'alt-aligned (diff_channels): channel 6 of the pileup aligned to the alt-1 haplotype: 50 matches the alt haplotype · 254 differs · 0 no read',
  10: 'alt-aligned (diff_channels): channel 6 of the pileup aligned to the alt-2 haplotype (the alt-1 one again for a single alt): 50 matches · 254 differs · 0 no read',
  19: 'one value per read: floor(254 · min(|TLEN|, 1000) / 1000); TLEN 0 → 0; reference rows 254',
  20: 'alt-aligned (base_channels): channel 1 (read base) of the pileup aligned to the alt-1 haplotype: A 250 · G 180 · T 100 · C 30',
  21: 'alt-aligned (base_channels): channel 1 (read base) of the pileup aligned to the alt-2 haplotype: A 250 · G 180 · T 100 · C 30',
};

export function channelLegend(id: number): ChannelLegend {
  const n = CHANNEL_NAMES[id];
  return {
    id,
    label: n?.label ?? `channel ${id}`,
    enumName: n?.enumName ?? `unknown channel id ${id}`,
    encoding: ENCODINGS[id] ?? 'encoding not decoded by Variant Lens (raw 0–254 shown)',
  };
}

/** The decoded meaning of `byte` in channel `id`, or undefined when only the raw value can be shown. */
export function decodeChannel(id: number, byte: number): string | undefined {
  switch (id) {
    case 1: return `base ${BASE_BY_VALUE.get(byte) ?? (byte === 0 ? 'none (N, * anchor or empty)' : '?')}`;
    case 2: return scaled(byte, 40, 'base quality');
    case 3: return scaled(byte, 60, 'MAPQ');
    case 4: return byte === 70 ? 'strand +' : byte === 240 ? 'strand −' : byte === 0 ? 'strand: no read' : 'strand ?';
    case 5: return byte === 254 ? 'supports an alt of this image' : byte === 152 ? 'supports another alt / the reference' : byte === 76 ? 'supports another alt' : byte === 0 ? 'no read' : undefined;
    case 6: return byte === 50 ? 'matches the reference' : byte === 254 ? 'differs from the reference' : byte === 0 ? 'no read' : undefined;
    case 7: return byte === 0 ? 'HP 0' : byte === 127 ? 'HP 1' : byte === 254 ? 'HP 2' : undefined;
    case 8: return byte === 0 ? 'AF ≤ 1e-5' : `AF ≈ ${(10 ** (-5 * (1 - byte / 254))).toPrecision(2)}`;
    case 9: case 10: {
      const hap = id === 9 ? 'alt-1' : 'alt-2';
      return byte === 50 ? `matches the ${hap} haplotype` : byte === 254 ? `differs from the ${hap} haplotype` : byte === 0 ? `no read aligned to the ${hap} haplotype` : undefined;
    }
    case 20: case 21: return `${id === 20 ? 'alt-1' : 'alt-2'}-aligned base ${BASE_BY_VALUE.get(byte) ?? (byte === 0 ? 'none' : '?')}`;
    case 19: return byte >= 254 ? 'insert size ≥ 1000' : byte === 0 ? 'insert size 0 / no read' : `insert size ${unscale(byte, 1000) ?? '?'}–${(unscale(byte + 1, 1000) ?? 1000) - 1}`;
    default: return undefined;
  }
}

/**
 * The hover line of one pixel: decoded values first (in channel order), then the raw bytes
 * ("raw: read base 250 · base quality 222 · …").
 */
export function pixelDescription(channels: readonly number[], values: ArrayLike<number>): { decoded: string[]; raw: string } {
  const decoded: string[] = [];
  const raw: string[] = [];
  channels.forEach((id, i) => {
    const v = values[i] ?? 0;
    const d = decodeChannel(id, v);
    if (d) decoded.push(d);
    raw.push(`${channelLegend(id).label} ${v}`);
  });
  const empty = channels.every((_, i) => (values[i] ?? 0) === 0);
  return { decoded: empty ? ['empty pixel (no read here)'] : decoded, raw: `raw: ${raw.join(' · ')}` };
}
