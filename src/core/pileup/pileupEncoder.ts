/**
 * DeepVariant's pileup image encoder (pileup_image.py + pileup_image_native.cc; every rule
 * cited from docs/deepvariant.md §1–§2). The work is split in explicit stages so a realigner can be
 * slotted in before selection (see siteExamples.ts for fetch → filter → realign):
 *
 *   selectReads   which reads get rows and in which order (§1.3 item 5, §1.4, §1.5)
 *   encodeRows    the CIGAR walk and pixel values of every channel except "supports" (§2.4, §2.5)
 *   withSupports  one image per alt-allele combination: copy + fill the supports channel (§3.1)
 *
 * Coordinates: reference positions are 0-based; column c of the image is reference position
 * `windowStart + c`, and column (width-1)/2 is the variant start (§1.2).
 */
import { type AlignedRead, CigarOp, cigarToString } from '../io/sam/alignedRead';
import { VariantLensError } from '../errors';
import { CHANNEL_NAMES } from '../io/examples/channelIds';
import type { PileupTensor } from '../io/examples/pileupTensor';
import type { ExampleInfo } from '../io/examples/exampleInfo';
import { NumpyRandomState } from './numpyRandomState';
import { libstdcxxShuffle } from './libstdcxxShuffle';
import { readKey, readNumber } from './candidates/readFilters';
import { type AltAlignedPileup, type TypesToAltAlign, altLayoutOf } from './altAlignedPileup';
import { alleleFrequencyColor } from './alleleFrequency';

export type DownsamplingMode = 'dv1.5' | 'dv1.6';

/**
 * Which downsampling rules an example_info.json version implies (docs/deepvariant.md §1.5): 1.5.x and
 * earlier use the Python path (numpy shuffle + stable (hap, pos) sort), 1.6 and later the C++
 * one (libstdc++ mt19937_64 shuffle + (hap, pos, name, read_number) sort). docs/deepvariant.md §10 item 1
 * leaves open whether 1.6.0 itself already had the C++ path; we assume it did.
 */
export function downsamplingModeForVersion(version: string): DownsamplingMode {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return 'dv1.6';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major < 1 || (major === 1 && minor <= 5) ? 'dv1.5' : 'dv1.6';
}

export interface EncoderOptions {
  readonly height: number;
  /** Odd, ≥ 3 (PileupImageEncoderNative CHECK, docs/deepvariant.md §1.1). */
  readonly width: number;
  readonly referenceBandHeight: number;
  /** DeepVariant channel ids in tensor order; supported: 1–6 and 19. */
  readonly channels: readonly number[];
  readonly minMappingQuality: number;
  readonly minBaseQuality: number;
  readonly downsampling: DownsamplingMode;
  /** pic_options.random_seed (docs/deepvariant.md §1.5). */
  readonly randomSeed: number;
  readonly sortByHaplotypes: boolean;
  readonly hpTagForAssemblyPolishing: number;
  /** 0.6 by default; 0.3 with --add_supporting_other_alt_color (docs/deepvariant.md §2.3). */
  readonly otherAlleleSupportingReadAlpha: number;
  /**
   * make_examples `--alt_aligned_pileup` (docs/deepvariant.md §12): 'rows' stacks three `height`-row
   * blocks (the tensor is 3·height rows); 'diff_channels' / 'base_channels' add ids 9, 10 / 20, 21.
   */
  readonly altAlignedPileup: AltAlignedPileup;
  /** `--types_to_alt_align` (default 'indels'). */
  readonly typesToAltAlign: TypesToAltAlign;
}

export const DEFAULT_ENCODER_OPTIONS: EncoderOptions = {
  height: 100,
  width: 221,
  referenceBandHeight: 5,
  channels: [1, 2, 3, 4, 5, 6, 19],
  minMappingQuality: 5,
  minBaseQuality: 10,
  downsampling: 'dv1.6',
  randomSeed: 2101079370,
  sortByHaplotypes: false,
  hpTagForAssemblyPolishing: 0,
  otherAlleleSupportingReadAlpha: 0.6,
  altAlignedPileup: 'none',
  typesToAltAlign: 'indels',
};

/**
 * Encoder options for an example_info.json. The alt-aligned layout comes from the channel ids
 * (9/10, 20/21) or from `altAlignedPileup` ('rows' cannot be seen in the ids: its tensor is three
 * blocks of `shape[0] / 3` rows; docs/deepvariant.md §12.3).
 */
export function encoderOptionsFromExampleInfo(info: ExampleInfo, overrides: Partial<EncoderOptions> = {}): EncoderOptions {
  // The layout as `examples`, `show` and `parity` decide it (altLayoutOf): a 300-row
  // example_info.json without alt_aligned_pileup is 'rows' (DeepVariant does not record it, §12.3).
  const layout = overrides.altAlignedPileup ?? altLayoutOf(info).layout;
  if (layout === 'rows' && info.shape[0] % 3 !== 0) {
    throw new VariantLensError('invalid-argument', `alt-aligned "rows" pileups stack three blocks, but the height ${info.shape[0]} is not a multiple of 3`);
  }
  return {
    ...DEFAULT_ENCODER_OPTIONS,
    height: layout === 'rows' ? info.shape[0] / 3 : info.shape[0],
    width: info.shape[1],
    channels: info.channels,
    downsampling: downsamplingModeForVersion(info.version),
    ...overrides,
    altAlignedPileup: layout,
  };
}

// ---- pixel values (docs/deepvariant.md §2.3, §2.5) ----------------------------------------------------

/** ScaleColor with DeepVariant's float32 maths: (int)(254.0f * min(v, max) / max). */
export function scaleColor(v: number, max: number): number {
  const x = Math.min(v, max);
  return Math.trunc(Math.fround(Math.fround(254 * Math.fround(x)) / Math.fround(max)));
}

const BASE_COLOR = new Uint8Array(128);
BASE_COLOR['A'.charCodeAt(0)] = 250; // base_color_offset_a_and_g 40 + 3·stride 70
BASE_COLOR['G'.charCodeAt(0)] = 180; // 40 + 2·70
BASE_COLOR['T'.charCodeAt(0)] = 100; // base_color_offset_t_and_c 30 + 1·70
BASE_COLOR['C'.charCodeAt(0)] = 30; //  30 + 0·70

const BQ_COLOR = Uint8Array.from({ length: 256 }, (_, q) => scaleColor(q, 40));
const MQ_COLOR = Uint8Array.from({ length: 256 }, (_, q) => scaleColor(q, 60));
const POSITIVE_STRAND = 70;
const NEGATIVE_STRAND = 240;
const MATCHES_REF = Math.trunc(254 * 0.2); // reference_matching_read_alpha → 50
const DIFFERS_FROM_REF = 254; // reference_mismatching_read_alpha 1.0
const SUPPORTS_ALT = 254; // allele_supporting_read_alpha 1.0
const DOES_NOT_SUPPORT = Math.trunc(Math.fround(254 * Math.fround(0.6))); // allele_unsupporting_read_alpha → 152
const REFERENCE_QUALITY = scaleColor(60, 40); // reference_base_quality 60 at cap 40 → 254
const MAX_FRAGMENT_LENGTH = 1000;

export function insertSizeColor(tlen: number): number {
  return scaleColor(Math.abs(tlen), MAX_FRAGMENT_LENGTH);
}

/**
 * Channel 7 (CH_HAPLOTYPE_TAG, docs/deepvariant.md §14.3): the read's HP tag, one value for the
 * whole read: no tag, several values or a non-integer → 0; HP 1 and 2 swapped when
 * hp_tag_for_assembly_polishing is 2; ScaleColor(min(v, 2), 2) → 0, 127, 254. Values above 2
 * clamp (1.6+; 1.5 stops with a fatal error), negatives become 0. Reference rows are 0.
 */
export function haplotypeColor(read: AlignedRead, hpTagForAssemblyPolishing = 0): number {
  const hp = read.tags['HP'];
  if (typeof hp !== 'number' || !Number.isInteger(hp)) return 0;
  let v = hp;
  if (hpTagForAssemblyPolishing === 2 && (v === 1 || v === 2)) v = 3 - v;
  return v <= 0 ? 0 : scaleColor(Math.min(v, 2), 2);
}

export function baseColor(base: string): number {
  return BASE_COLOR[base.charCodeAt(0) & 0x7f] ?? 0;
}

const SUPPORTED_CHANNELS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 19, 9, 10, 20, 21]);

/** Throws `unknown-channel` naming the first channel id the encoder cannot produce. */
export function checkChannels(channels: readonly number[], file?: string): void {
  for (const id of channels) {
    if (!SUPPORTED_CHANNELS.has(id)) {
      const name = CHANNEL_NAMES[id]?.enumName;
      throw new VariantLensError('unknown-channel', `channel id ${id}${name ? ` (${name})` : ''} is not supported by the Variant Lens encoder; supported ids are 1–8, 19 and the alt-aligned 9, 10, 20, 21 (${[...SUPPORTED_CHANNELS].map((c) => CHANNEL_NAMES[c]!.name).join(', ')})`, file);
    }
  }
}

// ---- stage 1: read selection ---------------------------------------------------------------

export interface ReadSelection {
  /** Reads that got rows, in row order (row 0 = first read row under the reference band). */
  readonly reads: readonly AlignedRead[];
  /** How many reads were offered (overlapping [start-5, end+5)). */
  readonly offered: number;
  /** True when offered > max rows and the indices were shuffled (§1.5). */
  readonly shuffled: boolean;
  readonly rejectedMappingQuality: number;
  /** Reads dropped because a pixel drawn at the variant start has base quality < min (§1.3 item 5). */
  readonly rejectedBaseQuality: number;
  /** Acceptable reads never visited because the rows were full. */
  readonly notVisited: number;
}

function hapIndex(read: AlignedRead, o: EncoderOptions): number {
  if (!o.sortByHaplotypes) return 0;
  const hp = read.tags['HP'];
  if (typeof hp !== 'number' || !Number.isInteger(hp)) return 0;
  if (o.hpTagForAssemblyPolishing > 0 && hp === o.hpTagForAssemblyPolishing) return -1;
  return hp < 0 ? 0 : hp;
}

/**
 * EncodeRead's rejections (§1.3 item 5): MAPQ below the minimum, or any pixel drawn at the
 * variant start column with base quality below the minimum (M base, insertion anchor with the
 * first inserted base's quality, deletion/skip anchor with the preceding base's quality).
 */
export function readRejectionAtSite(read: AlignedRead, variantStart: number, o: Pick<EncoderOptions, 'minMappingQuality' | 'minBaseQuality'>): 'mapq' | 'base-quality' | undefined {
  if (read.mapq < o.minMappingQuality) return 'mapq';
  if (read.start > variantStart + 1 || read.end < variantStart) return undefined;
  const minBq = o.minBaseQuality;
  let refPos = read.start;
  let readOff = 0;
  for (const c of read.cigar) {
    const len = c >>> 4;
    switch (c & 0xf) {
      case CigarOp.M:
      case CigarOp.EQ:
      case CigarOp.X:
        if (variantStart >= refPos && variantStart < refPos + len && (read.qual[readOff + variantStart - refPos] ?? 0) < minBq) return 'base-quality';
        refPos += len;
        readOff += len;
        break;
      case CigarOp.I:
        if (refPos - 1 === variantStart && (read.qual[readOff] ?? 0) < minBq) return 'base-quality';
        readOff += len;
        break;
      case CigarOp.S:
        readOff += len;
        break;
      case CigarOp.D:
      case CigarOp.N:
        if (readOff > 0 && refPos - 1 === variantStart && (read.qual[readOff - 1] ?? 0) < minBq) return 'base-quality';
        refPos += len;
        break;
      default:
        break;
    }
    if (refPos > variantStart + 1) break;
  }
  return undefined;
}

/**
 * Picks at most height − referenceBandHeight reads and orders them (§1.4, §1.5):
 * shuffle the visiting order only when more reads are offered than rows exist (DV 1.5: numpy
 * RandomState; 1.6+: libstdc++ mt19937_64), visit until the rows are full skipping rejected
 * reads, then sort by (hap, position) stably (1.5) or by (hap, position, name, read_number) (1.6+).
 * `reads` must be in DeepVariant's input order (BAM order, or the realigner's output order).
 */
export function selectReads(reads: readonly AlignedRead[], variantStart: number, o: EncoderOptions): ReadSelection {
  const maxRows = o.height - o.referenceBandHeight;
  const n = reads.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const shuffled = n > maxRows;
  if (shuffled) {
    if (o.downsampling === 'dv1.5') new NumpyRandomState(o.randomSeed).shuffle(order);
    else libstdcxxShuffle(order, o.randomSeed);
  }
  const kept: AlignedRead[] = [];
  let rejMq = 0;
  let rejBq = 0;
  let visited = 0;
  for (const i of order) {
    if (kept.length >= maxRows) break;
    visited++;
    const r = reads[i]!;
    const why = readRejectionAtSite(r, variantStart, o);
    if (why === 'mapq') rejMq++;
    else if (why === 'base-quality') rejBq++;
    else kept.push(r);
  }
  const keyed = kept.map((read) => ({ read, hap: hapIndex(read, o), pos: read.start, name: read.name, num: readNumber(read) }));
  if (o.downsampling === 'dv1.5') {
    keyed.sort((a, b) => a.hap - b.hap || a.pos - b.pos); // Array.prototype.sort is stable, like Python's sorted
  } else {
    keyed.sort((a, b) => a.hap - b.hap || a.pos - b.pos || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.num - b.num);
  }
  let notVisited = 0;
  if (visited < n) {
    for (let k = visited; k < n; k++) if (readRejectionAtSite(reads[order[k]!]!, variantStart, o) === undefined) notVisited++;
  }
  return { reads: keyed.map((k) => k.read), offered: n, shuffled, rejectedMappingQuality: rejMq, rejectedBaseQuality: rejBq, notVisited };
}

// ---- stage 2: the CIGAR walk ---------------------------------------------------------------

/** The pileup of one site before the supports channel is filled in. */
export interface EncodedRows {
  /** Supports channel is 0 in read rows; reference rows are complete. */
  readonly tensor: PileupTensor;
  /** For each read row: 1 where the read drew a pixel (where the supports channel goes). */
  readonly drawn: readonly Uint8Array[];
  readonly reads: readonly AlignedRead[];
  readonly windowStart: number;
  readonly variantStart: number;
}

interface ChannelSlots {
  base: number;
  bq: number;
  mq: number;
  strand: number;
  supports: number;
  differs: number;
  insert: number;
  haplotype: number;
}

function channelSlots(channels: readonly number[]): ChannelSlots {
  checkChannels(channels);
  const alt = channels.find((id) => [9, 10, 20, 21].includes(id));
  if (alt !== undefined) throw new Error(`internal: channel ${alt} belongs to the alt-aligned layout; draw each pileup with pileupChannels()`);
  return {
    base: channels.indexOf(1),
    bq: channels.indexOf(2),
    mq: channels.indexOf(3),
    strand: channels.indexOf(4),
    supports: channels.indexOf(5),
    differs: channels.indexOf(6),
    insert: channels.indexOf(19),
    haplotype: channels.indexOf(7),
  };
}

/**
 * Draws the reference band and one row per read (§1.7, §2.4, §2.5). `refBases` are the
 * `width` reference bases of [windowStart, windowStart + width), upper case.
 */
export function encodeRows(reads: readonly AlignedRead[], windowStart: number, refBases: string, variantStart: number, o: EncoderOptions): EncodedRows {
  const { height: H, width: W, referenceBandHeight: band } = o;
  if (W < 3 || W % 2 === 0) throw new VariantLensError('invalid-argument', `pileup width must be odd and at least 3, got ${W}`);
  if (refBases.length !== W) throw new VariantLensError('invalid-argument', `expected ${W} reference bases, got ${refBases.length}`);
  if (reads.length > H - band) throw new VariantLensError('invalid-argument', `${reads.length} reads do not fit in ${H - band} rows`);
  const C = o.channels.length;
  const s = channelSlots(o.channels);
  const data = new Uint8Array(H * W * C);
  const refCodes = new Uint8Array(W);
  for (let c = 0; c < W; c++) refCodes[c] = refBases.charCodeAt(c) & 0x7f;

  // Reference band: rows 0..band-1 identical (§1.1, §2.5).
  for (let c = 0; c < W; c++) {
    const o0 = c * C;
    if (s.base >= 0) data[o0 + s.base] = BASE_COLOR[refCodes[c]!]!;
    if (s.bq >= 0) data[o0 + s.bq] = REFERENCE_QUALITY;
    if (s.mq >= 0) data[o0 + s.mq] = REFERENCE_QUALITY; // 1.5: MappingQualityColor(60); 1.6+: ScaleColor(60, 40): both 254
    if (s.strand >= 0) data[o0 + s.strand] = POSITIVE_STRAND;
    if (s.supports >= 0) data[o0 + s.supports] = DOES_NOT_SUPPORT;
    if (s.differs >= 0) data[o0 + s.differs] = MATCHES_REF;
    if (s.insert >= 0) data[o0 + s.insert] = 254;
  }
  const rowBytes = W * C;
  for (let r = 1; r < band; r++) data.copyWithin(r * rowBytes, 0, rowBytes);

  const drawn: Uint8Array[] = [];
  // The current read's row and constant channel values (set per read; `put` is made once).
  let rowOff = 0;
  let mqv = 0;
  let strandv = 0;
  let insv = 0;
  let hpv = 0;
  let mask = new Uint8Array(0);
  const sBase = s.base;
  const sBq = s.bq;
  const sMq = s.mq;
  const sStrand = s.strand;
  const sDiffers = s.differs;
  const sInsert = s.insert;
  const sHp = s.haplotype;
  const put = (col: number, basev: number, q: number, differs: number): void => {
    if (col < 0 || col >= W) return; // off-window pixels are skipped (§2.4)
    const p = rowOff + col * C;
    if (sBase >= 0) data[p + sBase] = basev;
    if (sBq >= 0) data[p + sBq] = BQ_COLOR[q]!;
    if (sMq >= 0) data[p + sMq] = mqv;
    if (sStrand >= 0) data[p + sStrand] = strandv;
    if (sDiffers >= 0) data[p + sDiffers] = differs;
    if (sInsert >= 0) data[p + sInsert] = insv;
    if (sHp >= 0) data[p + sHp] = hpv;
    mask[col] = 1;
  };
  for (let k = 0; k < reads.length; k++) {
    const read = reads[k]!;
    mask = new Uint8Array(W);
    drawn.push(mask);
    rowOff = (band + k) * rowBytes;
    mqv = MQ_COLOR[Math.min(read.mapq, 255)]!;
    strandv = read.flags & 0x10 ? NEGATIVE_STRAND : POSITIVE_STRAND;
    insv = sInsert >= 0 ? insertSizeColor(read.tlen) : 0;
    hpv = sHp >= 0 ? haplotypeColor(read, o.hpTagForAssemblyPolishing) : 0;
    const seq = read.seq;
    const qual = read.qual;
    let refPos = read.start;
    let readOff = 0;
    for (const cu of read.cigar) {
      const len = cu >>> 4;
      switch (cu & 0xf) {
        case CigarOp.M:
        case CigarOp.EQ:
        case CigarOp.X: {
          // put() for each base of the run, inline (every column of [from, to) is in the window).
          const col = refPos - windowStart;
          const from = Math.max(0, -col);
          const to = Math.min(len, W - col);
          for (let i = from; i < to; i++) {
            const b = seq.charCodeAt(readOff + i) & 0x7f;
            const c = col + i;
            const p = rowOff + c * C;
            if (sBase >= 0) data[p + sBase] = BASE_COLOR[b]!;
            if (sBq >= 0) data[p + sBq] = BQ_COLOR[qual[readOff + i] ?? 0]!;
            if (sMq >= 0) data[p + sMq] = mqv;
            if (sStrand >= 0) data[p + sStrand] = strandv;
            if (sDiffers >= 0) data[p + sDiffers] = b === refCodes[c] ? MATCHES_REF : DIFFERS_FROM_REF;
            if (sInsert >= 0) data[p + sInsert] = insv;
            if (sHp >= 0) data[p + sHp] = hpv;
            mask[c] = 1;
          }
          refPos += len;
          readOff += len;
          break;
        }
        case CigarOp.I:
          // Anchor pixel at the previous reference base, '*' (base colour 0), quality of the
          // first inserted base; overwrites the M pixel drawn there (§2.4).
          put(refPos - 1 - windowStart, 0, qual[readOff] ?? 0, DIFFERS_FROM_REF);
          readOff += len;
          break;
        case CigarOp.S:
          readOff += len; // soft clips draw nothing
          break;
        case CigarOp.D:
        case CigarOp.N:
          // Anchor pixel before the gap with the preceding base's quality; deleted columns stay 0.
          if (readOff > 0) put(refPos - 1 - windowStart, 0, qual[readOff - 1] ?? 0, DIFFERS_FROM_REF);
          refPos += len;
          break;
        default:
          break; // H, P
      }
    }
  }
  return { tensor: { height: H, width: W, channels: o.channels, data }, drawn, reads, windowStart, variantStart };
}

// ---- stage 3: one image per alt-allele combination ------------------------------------------

/**
 * Supports-channel colour of one read for one image (§2.5): walk the candidate's alts in
 * order; if the read's key supports an alt that is in this image → 254; supports another
 * alt → other_allele_supporting_read_alpha; otherwise (ref, UNCALLED_ALLELE) → 152.
 */
export function supportsColor(key: string, altBases: readonly string[], alleleSupport: ReadonlyMap<string, ReadonlySet<string>>, imageAlts: ReadonlySet<string>, otherAlpha: number): number {
  for (const alt of altBases) {
    const s = alleleSupport.get(alt);
    if (s && s.has(key)) return imageAlts.has(alt) ? SUPPORTS_ALT : Math.trunc(Math.fround(254 * Math.fround(otherAlpha)));
  }
  return DOES_NOT_SUPPORT;
}

/**
 * Channel 8 of one read for one image (docs/deepvariant.md §13.4): the AF colour of the alt the
 * read supports when that alt is in the image, else 0.
 */
export function alleleFrequencyValue(key: string, altBases: readonly string[], alleleSupport: ReadonlyMap<string, ReadonlySet<string>>, imageAlts: ReadonlySet<string>, frequencies: ReadonlyMap<string, number>): number {
  for (const alt of altBases) {
    const s = alleleSupport.get(alt);
    if (s && s.has(key)) return imageAlts.has(alt) ? alleleFrequencyColor(frequencies.get(alt) ?? 0) : 0;
  }
  return 0;
}

/**
 * A copy of the rows with the supports channel (and the allele-frequency channel, given the
 * candidate's alt frequencies) filled for this image's alts.
 */
export function withSupports(rows: EncodedRows, altBases: readonly string[], alleleSupport: ReadonlyMap<string, ReadonlySet<string>>, imageAltIndices: readonly number[], o: EncoderOptions, frequencies?: ReadonlyMap<string, number>): { tensor: PileupTensor; supports: Uint8Array } {
  const t = rows.tensor;
  const data = t.data.slice();
  const C = t.channels.length;
  const slot = t.channels.indexOf(5);
  const afSlot = t.channels.indexOf(8);
  if (afSlot >= 0 && !frequencies) throw new VariantLensError('invalid-argument', 'channel 8 (allele frequency) needs population VCFs (--population-vcfs)');
  const imageAlts = new Set(imageAltIndices.map((i) => altBases[i]!));
  const band = o.referenceBandHeight;
  const supports = new Uint8Array(rows.reads.length);
  for (let k = 0; k < rows.reads.length; k++) {
    const v = supportsColor(readKey(rows.reads[k]!), altBases, alleleSupport, imageAlts, o.otherAlleleSupportingReadAlpha);
    supports[k] = v;
    const mask = rows.drawn[k]!;
    const rowOff = (band + k) * t.width * C;
    if (slot >= 0) for (let c = 0; c < t.width; c++) if (mask[c]) data[rowOff + c * C + slot] = v;
    if (afSlot >= 0) {
      const af = alleleFrequencyValue(readKey(rows.reads[k]!), altBases, alleleSupport, imageAlts, frequencies!);
      for (let c = 0; c < t.width; c++) if (mask[c]) data[rowOff + c * C + afSlot] = af;
    }
  }
  return { tensor: { height: t.height, width: t.width, channels: t.channels, data }, supports };
}

// ---- row metadata for hover -----------------------------------------------------------------

export interface RowInfo {
  /** Tensor row (reference rows are 0..band-1; reads start at band). */
  readonly row: number;
  readonly name: string;
  readonly readNumber: 0 | 1;
  readonly flags: number;
  readonly reverse: boolean;
  readonly mapq: number;
  readonly cigar: string;
  /** 0-based alignment start and exclusive end. */
  readonly start: number;
  readonly end: number;
  readonly tlen: number;
}

export function rowInfos(reads: readonly AlignedRead[], band: number): RowInfo[] {
  return reads.map((r, k) => ({
    row: band + k, name: r.name, readNumber: readNumber(r), flags: r.flags, reverse: (r.flags & 0x10) !== 0,
    mapq: r.mapq, cigar: cigarToString(r.cigar), start: r.start, end: r.end, tlen: r.tlen,
  }));
}

export interface ColumnDetail {
  /** 0-based reference position of the column. */
  readonly refPos: number;
  /** What the read has there: an aligned base, the anchor of an insertion/deletion/skip, a deleted or skipped base, or nothing. */
  readonly kind: 'base' | 'insertion-anchor' | 'deletion-anchor' | 'deleted' | 'skipped' | 'none';
  /** CIGAR op letter covering the column ('' when none). */
  readonly op: string;
  readonly base: string;
  readonly quality: number | undefined;
  /** 0-based offset in the read sequence, when a base is involved. */
  readonly readOffset: number | undefined;
  /** Inserted bases for an insertion anchor. */
  readonly inserted: string | undefined;
}

/** What a read shows at image column `col` (same walk as encodeRows, so anchors win as in the image). */
export function describeColumn(read: AlignedRead, windowStart: number, col: number): ColumnDetail {
  const target = windowStart + col;
  let detail: ColumnDetail = { refPos: target, kind: 'none', op: '', base: '', quality: undefined, readOffset: undefined, inserted: undefined };
  let refPos = read.start;
  let readOff = 0;
  for (const cu of read.cigar) {
    const len = cu >>> 4;
    const opc = cu & 0xf;
    const letter = 'MIDNSHP=X'[opc] ?? '?';
    switch (opc) {
      case CigarOp.M:
      case CigarOp.EQ:
      case CigarOp.X:
        if (target >= refPos && target < refPos + len) {
          const i = readOff + target - refPos;
          detail = { refPos: target, kind: 'base', op: letter, base: read.seq[i] ?? 'N', quality: read.qual[i], readOffset: i, inserted: undefined };
        }
        refPos += len;
        readOff += len;
        break;
      case CigarOp.I:
        if (refPos - 1 === target) detail = { refPos: target, kind: 'insertion-anchor', op: letter, base: '*', quality: read.qual[readOff], readOffset: readOff, inserted: read.seq.slice(readOff, readOff + len) };
        readOff += len;
        break;
      case CigarOp.S:
        readOff += len;
        break;
      case CigarOp.D:
      case CigarOp.N:
        if (readOff > 0 && refPos - 1 === target) detail = { refPos: target, kind: 'deletion-anchor', op: letter, base: '*', quality: read.qual[readOff - 1], readOffset: readOff - 1, inserted: undefined };
        if (target >= refPos && target < refPos + len) detail = { refPos: target, kind: opc === CigarOp.D ? 'deleted' : 'skipped', op: letter, base: '', quality: undefined, readOffset: undefined, inserted: undefined };
        refPos += len;
        break;
      default:
        break;
    }
  }
  return detail;
}
