/**
 * tf.Example as DeepVariant's make_examples writes it (`dv_utils.make_example`,
 * docs/deepvariant.md §4.2). The `example_info.json` that names its channels (docs/deepvariant.md §2.7) is read by
 * exampleInfo.ts.
 *
 * Wire: Example{features=1: Features{feature=1: map<string, Feature>}}, Feature a oneof of
 * bytes_list=1 / float_list=2 / int64_list=3, each `{value=1 repeated}`. The map order on
 * the wire is not fixed (the calling and training goldens differ), so decoding accepts any
 * order and records it in `featureOrder`, which `encodeExample` reuses: decode → encode
 * gives back the original bytes.
 */
import { VariantLensError } from '../../errors';
import type { PileupTensor } from './pileupTensor';
import { decodeAltAlleleIndices, decodeVariant, encodeAltAlleleIndices, encodeVariant, type DvVariant } from './nucleusProtos';
import { ProtoReader, ProtoWriter, WireType } from './protobufWire';

/** One decoded make_examples example. */
export interface DvExample {
  /** `reference_name:start+1-end` as written (1-based inclusive, `ranges.to_literal`). */
  locus: string;
  /** The candidate (calling) or truth-labelled (training) variant; 0-based start. */
  variant: DvVariant;
  /** Which alts of `variant.alternateBases` this image is about, e.g. [0], [1], [0,1]. */
  altAlleleIndices: number[];
  /** The pileup, H·W·C uint8 (a view into the record payload, not a copy). */
  tensor: PileupTensor;
  /** Training only: copies of this example's alt(s) in the truth genotype (0, 1, 2). */
  label?: number;
  /** 1 = SNP, 2 = INDEL, 0 = other (`encoded_variant_type`). */
  variantType: number;
  /** PileupImageOptions.SequencingType; 0 = unspecified. Absent in old files. */
  sequencingType?: number;
  /** 1.8+ `denovo_label`, when present. */
  denovoLabel?: number;
  /** Order of the feature keys on the wire (filled on decode; used by encode). */
  featureOrder?: string[];
  /** Features this module does not interpret, kept for a faithful re-encode. */
  otherFeatures?: Record<string, TfFeature>;
}

/** A tf.train.Feature. int64 values are JS numbers (exact within ±2^53). */
export type TfFeature =
  | { kind: 'bytes'; values: Uint8Array[] }
  | { kind: 'float'; values: number[] }
  | { kind: 'int64'; values: number[] };

export interface DecodeExampleOptions {
  /**
   * Channel ids from example_info.json. Without them the channels are numbered 1..C, which
   * is right for DV 1.5's six channels but labels a WGS insert-size channel as id 7 —
   * pass the example_info of 7-channel files.
   */
  channels?: readonly number[];
}

// ---------------------------------------------------------------------------------------
// Generic feature map

function decodeFeature(r: ProtoReader): TfFeature {
  let f: TfFeature = { kind: 'bytes', values: [] };
  while (!r.done) {
    const t = r.tag();
    const list = r.message();
    if (t.field === 1) {
      const values: Uint8Array[] = [];
      while (!list.done) { const lt = list.tag(); if (lt.field === 1) values.push(list.bytes()); else list.skip(lt.wire); }
      f = { kind: 'bytes', values };
    } else if (t.field === 2) {
      const values: number[] = [];
      while (!list.done) { const lt = list.tag(); if (lt.field === 1) list.repeated(lt.wire, values, (x) => x.float()); else list.skip(lt.wire); }
      f = { kind: 'float', values };
    } else if (t.field === 3) {
      const values: number[] = [];
      while (!list.done) { const lt = list.tag(); if (lt.field === 1) list.repeated(lt.wire, values, (x) => x.int64()); else list.skip(lt.wire); }
      f = { kind: 'int64', values };
    }
  }
  return f;
}

/** All features of a serialized tf.Example, in wire order. */
export function decodeFeatures(payload: Uint8Array): Map<string, TfFeature> {
  const out = new Map<string, TfFeature>();
  const top = new ProtoReader(payload);
  while (!top.done) {
    const t = top.tag();
    if (t.field !== 1) { top.skip(t.wire); continue; }
    top.expect(t.wire, WireType.LengthDelimited, 'Example.features');
    const feats = top.message();
    while (!feats.done) {
      const ft = feats.tag();
      if (ft.field !== 1) { feats.skip(ft.wire); continue; }
      const entry = feats.message();
      let key = '';
      let feature: TfFeature = { kind: 'bytes', values: [] };
      while (!entry.done) {
        const et = entry.tag();
        if (et.field === 1) key = entry.string();
        else if (et.field === 2) feature = decodeFeature(entry.message());
        else entry.skip(et.wire);
      }
      out.set(key, feature);
    }
  }
  return out;
}

function featureWriter(f: TfFeature): ProtoWriter {
  const list = new ProtoWriter();
  if (f.kind === 'bytes') for (const b of f.values) list.bytesField(1, b);
  else if (f.kind === 'float') list.packed(1, f.values, (w, v) => w.float(v));
  else list.packed(1, f.values, (w, v) => w.int64(v));
  const field = f.kind === 'bytes' ? 1 : f.kind === 'float' ? 2 : 3;
  return new ProtoWriter().message(field, list);
}

/** Serializes features in the given order. */
export function encodeFeatures(features: Iterable<[string, TfFeature]>): Uint8Array {
  const feats = new ProtoWriter();
  for (const [key, f] of features) feats.message(1, new ProtoWriter().stringField(1, key).message(2, featureWriter(f)));
  return new ProtoWriter().message(1, feats).finish();
}

// ---------------------------------------------------------------------------------------
// DeepVariant examples

const KNOWN = new Set(['locus', 'variant/encoded', 'variant_type', 'alt_allele_indices/encoded', 'image/encoded', 'image/shape', 'sequencing_type', 'label', 'denovo_label']);

function bytesOf(fs: Map<string, TfFeature>, key: string): Uint8Array {
  const f = fs.get(key);
  const v = f?.kind === 'bytes' ? f.values[0] : undefined;
  if (!v) throw new VariantLensError('protobuf-corrupt', `example has no bytes feature "${key}"`);
  return v;
}

function intsOf(fs: Map<string, TfFeature>, key: string): number[] | undefined {
  const f = fs.get(key);
  if (!f) return undefined;
  if (f.kind !== 'int64') throw new VariantLensError('protobuf-corrupt', `example feature "${key}" is ${f.kind}, expected int64`);
  return f.values;
}

/**
 * Decodes one serialized make_examples tf.Example. Errors are 'protobuf-corrupt' without a
 * file (callers add file and record; see `readExamples`).
 */
export function decodeExample(payload: Uint8Array, options: DecodeExampleOptions = {}): DvExample {
  const fs = decodeFeatures(payload);
  const shape = intsOf(fs, 'image/shape');
  if (!shape || shape.length !== 3) throw new VariantLensError('protobuf-corrupt', `example has no 3-value "image/shape" (got ${JSON.stringify(shape)})`);
  const [h, w, c] = shape as [number, number, number];
  const image = bytesOf(fs, 'image/encoded');
  if (image.length !== h * w * c) throw new VariantLensError('protobuf-corrupt', `"image/encoded" has ${image.length} bytes but image/shape [${h},${w},${c}] needs ${h * w * c}`);
  let channels: readonly number[];
  if (options.channels) {
    if (options.channels.length !== c) throw new VariantLensError('invalid-argument', `example_info lists ${options.channels.length} channels [${options.channels.join(',')}] but the example has ${c}`);
    channels = options.channels;
  } else {
    channels = Array.from({ length: c }, (_, i) => i + 1);
  }
  const locusBytes = bytesOf(fs, 'locus');
  const ex: DvExample = {
    locus: new TextDecoder().decode(locusBytes),
    variant: decodeVariant(bytesOf(fs, 'variant/encoded')),
    altAlleleIndices: decodeAltAlleleIndices(bytesOf(fs, 'alt_allele_indices/encoded')),
    tensor: { height: h, width: w, channels, data: image },
    variantType: intsOf(fs, 'variant_type')?.[0] ?? 0,
    featureOrder: [...fs.keys()],
  };
  const seq = intsOf(fs, 'sequencing_type');
  if (seq && seq.length > 0) ex.sequencingType = seq[0];
  const label = intsOf(fs, 'label');
  if (label && label.length > 0) ex.label = label[0];
  const denovo = intsOf(fs, 'denovo_label');
  if (denovo && denovo.length > 0) ex.denovoLabel = denovo[0];
  for (const [k, f] of fs) {
    if (!KNOWN.has(k)) (ex.otherFeatures ??= {})[k] = f;
  }
  return ex;
}

/** The feature order `dv_utils.make_example` builds its dict in (used when `featureOrder` is absent). */
const DEFAULT_ORDER = ['locus', 'variant/encoded', 'variant_type', 'alt_allele_indices/encoded', 'image/encoded', 'image/shape', 'sequencing_type', 'label', 'denovo_label'];

/**
 * Serializes an example with the keys and types `dv_utils.make_example` writes
 * (docs/deepvariant.md §4.2). `sequencing_type` is written when set (make_examples always sets it; pass 0 for
 * "unspecified"), `label` only for training examples.
 */
export function encodeExample(ex: DvExample): Uint8Array {
  const t = ex.tensor;
  if (t.data.length !== t.height * t.width * t.channels.length) throw new VariantLensError('invalid-argument', `tensor has ${t.data.length} bytes, expected ${t.height}x${t.width}x${t.channels.length}`);
  const feats = new Map<string, TfFeature>();
  const enc = new TextEncoder();
  feats.set('locus', { kind: 'bytes', values: [enc.encode(ex.locus)] });
  feats.set('variant/encoded', { kind: 'bytes', values: [encodeVariant(ex.variant)] });
  feats.set('variant_type', { kind: 'int64', values: [ex.variantType] });
  feats.set('alt_allele_indices/encoded', { kind: 'bytes', values: [encodeAltAlleleIndices(ex.altAlleleIndices)] });
  feats.set('image/encoded', { kind: 'bytes', values: [t.data] });
  feats.set('image/shape', { kind: 'int64', values: [t.height, t.width, t.channels.length] });
  if (ex.sequencingType !== undefined) feats.set('sequencing_type', { kind: 'int64', values: [ex.sequencingType] });
  if (ex.label !== undefined) feats.set('label', { kind: 'int64', values: [ex.label] });
  if (ex.denovoLabel !== undefined) feats.set('denovo_label', { kind: 'int64', values: [ex.denovoLabel] });
  for (const [k, f] of Object.entries(ex.otherFeatures ?? {})) feats.set(k, f);
  const order = [...(ex.featureOrder ?? DEFAULT_ORDER).filter((k) => feats.has(k))];
  for (const k of feats.keys()) if (!order.includes(k)) order.push(k);
  return encodeFeatures(order.map((k) => [k, feats.get(k)!] as [string, TfFeature]));
}

/** `chr:start+1-end` — the `locus` feature for a variant (1-based inclusive, ranges.to_literal). */
export function locusLiteral(v: Pick<DvVariant, 'referenceName' | 'start' | 'end'>): string {
  return `${v.referenceName}:${v.start + 1}-${v.end}`;
}

/**
 * `encoded_variant_type` (docs/deepvariant.md §4.2): 1 = SNP when REF and every alt are 1 bp, 2 = INDEL
 * when REF or any alt is longer than 1 bp (nucleus `is_indel`, so an MNP counts as INDEL
 * too), 0 otherwise (no alts).
 */
export function encodedVariantType(v: Pick<DvVariant, 'referenceBases' | 'alternateBases'>): number {
  if (v.alternateBases.length === 0) return 0;
  const lens = [v.referenceBases.length, ...v.alternateBases.map((a) => a.length)];
  if (lens.every((n) => n === 1)) return 1;
  if (lens.some((n) => n > 1)) return 2;
  return 0;
}
