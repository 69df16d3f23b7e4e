/**
 * Alt-aligned pileups (make_examples `--alt_aligned_pileup`, docs/deepvariant.md §12): for an
 * alt-aligned candidate, the reads are also aligned to each alt haplotype
 * (`prefix + alt + suffix`) with the realigner's fast-pass aligner, and one pileup per alt is
 * drawn against that haplotype; the layouts combine them with the reference pileup:
 *
 *   rows            [ref; alt1; alt2] stacked vertically (3H × W × C)
 *   diff_channels   the reference pileup's channels + each alt pileup's channel index 5
 *                   (base differs, ids 9 and 10)
 *   base_channels   … + each alt pileup's channel index 0 (read base, ids 20 and 21)
 *
 * Facts: docs/deepvariant.md §12.2 (reads and alignment, `make_examples_core.py:
 * align_to_all_haplotypes`, `realigner.py: align_to_haplotype, trim_read, trim_cigar`) and §12.3
 * (image assembly, `pileup_image.py: create_pileup_images, _represent_alt_aligned_pileups`).
 */
import { VariantLensError } from '../errors';
import { type AlignedRead, CigarOp } from '../io/sam/alignedRead';
import { fastPassAlign, withAlignment } from './realigner/fastPassAligner';
import { DV_ALIGNER_OPTIONS } from './realigner/fastPassAligner';
import type { PileupTensor } from '../io/examples/pileupTensor';

export type AltAlignedPileup = 'none' | 'rows' | 'diff_channels' | 'base_channels';
export type TypesToAltAlign = 'indels' | 'all';

/** Channel ids the alt layouts append (docs/deepvariant.md §12.3). */
export const ALT_CHANNEL_IDS: Readonly<Record<'diff_channels' | 'base_channels', readonly [number, number]>> = {
  diff_channels: [9, 10],
  base_channels: [20, 21],
};
const ALT_IDS = new Set([9, 10, 20, 21]);

/** The channels each single pileup (ref or alt) is drawn with: the layout's list without the alt ids. */
export function pileupChannels(channels: readonly number[]): number[] {
  return channels.filter((id) => !ALT_IDS.has(id));
}

/** The layout an example_info's channels imply (diff/base channels); 'rows' is not visible in channel ids. */
export function layoutFromChannels(channels: readonly number[]): AltAlignedPileup {
  if (channels.includes(9) || channels.includes(10)) return 'diff_channels';
  if (channels.includes(20) || channels.includes(21)) return 'base_channels';
  return 'none';
}

/**
 * nucleus `variant_utils.is_indel`: at least one allele (REF or an alt) is longer than one base.
 * With `types_to_alt_align == 'indels'` only these candidates are alt-aligned (§12.1).
 */
export function isIndel(refBases: string, altBases: readonly string[]): boolean {
  return refBases.length > 1 || altBases.some((a) => a.length > 1);
}

const REF_ADVANCING = (op: number): boolean => op === CigarOp.M || op === CigarOp.D || op === CigarOp.N || op === CigarOp.EQ || op === CigarOp.X;
const READ_ADVANCING = (op: number): boolean => op === CigarOp.M || op === CigarOp.I || op === CigarOp.S || op === CigarOp.EQ || op === CigarOp.X;

/**
 * `trim_cigar` (§12.2 item 4): skip `refTrim` reference bases, then keep ops until `refLength`
 * reference bases are covered. Quirk kept: once covered, following read-only ops (I, S) are
 * still appended, and the next reference-advancing op is appended with length 0.
 */
export function trimCigar(cigar: Uint32Array, refTrim: number, refLength: number): { cigar: number[]; readTrim: number; readLength: number } {
  let trimRemaining = refTrim;
  let cover = refLength;
  let readTrim = 0;
  let readLength = 0;
  const out: number[] = [];
  for (const cu of cigar) {
    const op = cu & 0xf;
    let len = cu >>> 4;
    const advRef = REF_ADVANCING(op);
    const advRead = READ_ADVANCING(op);
    let refStep = advRef ? len : 0;
    if (trimRemaining > 0) {
      if (refStep <= trimRemaining) {
        trimRemaining -= refStep;
        readTrim += advRead ? len : 0;
        continue;
      }
      refStep -= trimRemaining;
      readTrim += advRead ? trimRemaining : 0;
      len = refStep;
      trimRemaining = 0;
    }
    if (refStep <= cover) {
      out.push((len << 4) | op);
      cover -= refStep;
      readLength += advRead ? len : 0;
    } else {
      out.push((cover << 4) | op);
      readLength += advRead ? cover : 0;
      break;
    }
  }
  return { cigar: out, readTrim, readLength };
}

/** `trim_read` (§12.2 item 4): the read cut to [regionStart, regionEnd); tags, flags and mate kept. */
export function trimRead(read: AlignedRead, regionStart: number, regionEnd: number): AlignedRead {
  const trimLeft = Math.max(regionStart - read.start, 0);
  const refLength = regionEnd - Math.max(regionStart, read.start);
  const t = trimCigar(read.cigar, trimLeft, refLength);
  const start = trimLeft !== 0 ? regionStart : read.start;
  const cigar = Uint32Array.from(t.cigar);
  const cut = withAlignment(read, start, cigar);
  return { ...cut, seq: read.seq.slice(t.readTrim, t.readTrim + t.readLength), qual: read.qual.subarray(t.readTrim, t.readTrim + t.readLength), tags: read.tags };
}

/** Reads shorter than this after trimming are not alt-aligned (§12.2 item 5). */
const MIN_TRIMMED_LENGTH = 15;
/** `central_allele_margin` cap of `align_to_haplotype` (§12.2 item 7). */
const CENTRAL_ALLELE_MARGIN = 100;

export interface AltAlignment {
  /** Reads aligned to each alt haplotype (alt-haplotype coordinates), in input order minus dropped reads. */
  readonly readsByAlt: ReadonlyMap<string, readonly AlignedRead[]>;
  /**
   * Each alt's "reference" row sequence: `prefix[-hw:] + alt + suffix[:max(hw+1-len(alt), 0)]`,
   * cut to the width; shorter than the width near a contig end (§12.2 item 9).
   */
  readonly sequenceByAlt: ReadonlyMap<string, string>;
}

/**
 * `align_to_all_haplotypes` + `align_to_haplotype` (§12.2): trims the reads to
 * [max(start−hw, 0), min(contigLength, refEnd+hw)), drops reads shorter than 15 bases, and for
 * each alt aligns them to `prefix + alt + suffix` with the fast-pass aligner (force alignment:
 * unaligned reads are dropped; a merged CIGAR that is not normalized keeps the trimmed alignment).
 * `refAt(a, b)` returns the reference bases of [a, b).
 */
export function alignToAlts(
  reads: readonly AlignedRead[],
  variant: { readonly start: number; readonly refBases: string; readonly altBases: readonly string[] },
  width: number,
  contigLength: number,
  refAt: (start: number, end: number) => string,
): AltAlignment {
  const hw = (width - 1) / 2;
  const start = variant.start;
  const refEnd = start + variant.refBases.length;
  const validEnd = Math.min(contigLength, refEnd + hw);
  const regionStart = Math.max(start - hw, 0);
  const trimmed = reads.map((r) => trimRead(r, regionStart, validEnd)).filter((r) => r.seq.length >= MIN_TRIMMED_LENGTH);
  const prefix = refAt(regionStart, start);
  const suffix = refAt(refEnd, validEnd);
  const margin = Math.min(prefix.length, suffix.length, CENTRAL_ALLELE_MARGIN);
  const readsByAlt = new Map<string, AlignedRead[]>();
  const sequenceByAlt = new Map<string, string>();
  for (const alt of variant.altBases) {
    const haplotype = prefix + alt + suffix;
    const aligned = trimmed.length === 0 ? [] : fastPassAlign({
      reference: haplotype,
      haplotypes: [haplotype],
      refStart: start - prefix.length,
      refPrefixLength: prefix.length - margin,
      refSuffixLength: suffix.length - margin,
      options: { ...DV_ALIGNER_OPTIONS, forceAlignment: true },
    }, trimmed);
    readsByAlt.set(alt, aligned.flatMap((a) => (a.read ? [a.read] : [])));
    const seq = prefix.slice(Math.max(0, prefix.length - hw)) + alt + suffix.slice(0, Math.max(hw + 1 - alt.length, 0));
    sequenceByAlt.set(alt, seq.slice(0, width));
  }
  return { readsByAlt, sequenceByAlt };
}

/**
 * The alts of an image's blocks in order (§12.3): DeepVariant 1.5 sorts the combination's alt
 * strings; 1.6+ keeps variant order. A single alt is used for both blocks.
 */
export function altBlockOrder(imageAlts: readonly string[], sortByString: boolean): [string, string] {
  const alts = sortByString ? [...imageAlts].sort() : [...imageAlts];
  return [alts[0]!, alts[1] ?? alts[0]!];
}

/**
 * The example tensor of a layout (§12.3) from the reference pileup and the two alt blocks (each
 * drawn with `pileupChannels(channels)`): 'rows' stacks them; the channel layouts take the
 * reference pileup's channels plus alt block k's channel index 5 (9, 10) or 0 (20, 21).
 */
export function assembleAltLayout(layout: Exclude<AltAlignedPileup, 'none'>, ref: PileupTensor, alts: readonly [PileupTensor, PileupTensor], channels: readonly number[]): PileupTensor {
  if (layout === 'rows') {
    const data = new Uint8Array(ref.data.length * 3);
    data.set(ref.data, 0);
    data.set(alts[0].data, ref.data.length);
    data.set(alts[1].data, ref.data.length * 2);
    return { height: ref.height * 3, width: ref.width, channels: ref.channels, data };
  }
  const C = channels.length;
  const c0 = ref.channels.length;
  const src: { t: PileupTensor; k: number }[] = channels.map((id) => {
    switch (id) {
      case 9: return { t: alts[0], k: 5 };
      case 10: return { t: alts[1], k: 5 };
      case 20: return { t: alts[0], k: 0 };
      case 21: return { t: alts[1], k: 0 };
      default: return { t: ref, k: ref.channels.indexOf(id) };
    }
  });
  const n = ref.height * ref.width;
  const data = new Uint8Array(n * C);
  for (let ch = 0; ch < C; ch++) {
    const { t, k } = src[ch]!;
    if (k < 0) throw new Error(`internal: channel ${channels[ch]} is not in the pileup`);
    const d = t.data;
    for (let p = 0; p < n; p++) data[p * C + ch] = d[p * c0 + k]!;
  }
  return { height: ref.height, width: ref.width, channels, data };
}

/** Parses a `--alt-aligned-pileup` value (make_examples' flag values). */
export function parseAltAlignedPileup(text: string): AltAlignedPileup {
  if (text === 'none' || text === 'rows' || text === 'diff_channels' || text === 'base_channels') return text;
  throw new VariantLensError('invalid-argument', `--alt-aligned-pileup must be none, rows, diff_channels or base_channels, got "${text}"`);
}

/**
 * The layout of examples described by an example_info.json: the flag when given, else what the
 * file records, else the channel ids (9/10, 20/21), else 'rows' when the height is three
 * 100-row blocks (DeepVariant's example_info.json does not record the layout, §12.3).
 */
export function altLayoutOf(info: { readonly shape: readonly number[]; readonly channels: readonly number[]; readonly altAlignedPileup?: AltAlignedPileup }, flag?: string): { layout: AltAlignedPileup; inferred: boolean; fromInfo: boolean } {
  if (flag !== undefined) return { layout: parseAltAlignedPileup(flag), inferred: false, fromInfo: false };
  if (info.altAlignedPileup) return { layout: info.altAlignedPileup, inferred: false, fromInfo: true };
  const byIds = layoutFromChannels(info.channels);
  if (byIds !== 'none') return { layout: byIds, inferred: false, fromInfo: true };
  if (info.shape[0] === 300) return { layout: 'rows', inferred: true, fromInfo: true };
  return { layout: 'none', inferred: false, fromInfo: true };
}

/**
 * The example_info of a layout built on a plain pileup's: 'rows' triples the height, the
 * channel layouts append their two ids (§12.3). An example_info that already describes the
 * layout is returned as it is.
 */
export function layoutExampleInfo<T extends { readonly shape: readonly [number, number, number]; readonly channels: readonly number[]; readonly altAlignedPileup?: AltAlignedPileup }>(info: T, layout: AltAlignedPileup): T {
  if (layout === 'none' || info.altAlignedPileup === layout) return info;
  if (layout === 'rows') return { ...info, shape: [info.shape[0] * 3, info.shape[1], info.shape[2]], altAlignedPileup: 'rows' };
  const ids = ALT_CHANNEL_IDS[layout];
  if (ids.every((id) => info.channels.includes(id))) return { ...info, altAlignedPileup: layout };
  const channels = [...pileupChannels(info.channels), ...ids];
  return { ...info, shape: [info.shape[0], info.shape[1], channels.length], channels, altAlignedPileup: layout };
}
