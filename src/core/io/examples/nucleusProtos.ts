/**
 * The nucleus / DeepVariant protos Variant Lens reads and writes, decoded by hand from the
 * wire format (docs/deepvariant.md §4.3, §3.2): `Variant`, `VariantCall`, `ListValue`/`Value`,
 * `AltAlleleIndices`, `CallVariantsOutput` and `DeepVariantCall`.
 *
 * Coordinates: `DvVariant.start` is 0-based inclusive and `end` 0-based exclusive, as in
 * nucleus (so VCF POS = start + 1, and end − start = REF length).
 *
 * Encoding writes fields in field-number order and maps in the insertion order of the JS
 * object, which is what protobuf's C++/upb serializers produce for these messages; the
 * golden round-trip test (test/unit/io/examples/nucleusProtos.test.ts) checks the bytes.
 */
import { VariantLensError } from '../../errors';
import { ProtoReader, ProtoWriter, WireType } from './protobufWire';
import { readTfRecords } from './tfrecord';

/** One INFO value. nucleus `Value` oneof: number_value (double), int_value (int32), string_value, bool_value. */
export type DvValue = number | string | boolean;
/** nucleus `map<string, ListValue>`; key order is preserved from the wire. */
export type DvInfo = Record<string, DvValue[]>;

export interface DvVariantCall {
  /** Sample name, e.g. "NA12878". */
  callSetName: string;
  /** Allele indices; −1 = uncalled ('.'). Candidates carry [-1, -1]. */
  genotype: number[];
  /** log10 genotype likelihoods in VCF GL order (empty in examples). */
  genotypeLikelihood: number[];
  /** FORMAT-like values: DP (int), AD (ints, ref first), VAF (doubles, one per alt). */
  info: DvInfo;
  /**
   * Keys of `info` whose numbers are doubles (nucleus `number_value`) rather than int32
   * (`int_value`). Filled on decode. When encoding, a key is written as double if it is
   * listed here, or — when this is undefined — if it is "VAF" (DeepVariant's only double
   * call field), or if any of its numbers is not an integer.
   */
  doubleInfoKeys?: string[];
  isPhased: boolean;
}

export interface DvVariant {
  referenceName: string;
  /** 0-based inclusive. */
  start: number;
  /** 0-based exclusive. */
  end: number;
  referenceBases: string;
  alternateBases: string[];
  /** VCF ID column values. */
  names: string[];
  /** Phred QUAL; undefined when not set (proto3 default 0 is not written). */
  quality?: number;
  filter: string[];
  info: DvInfo;
  /** As `DvVariantCall.doubleInfoKeys`, for the variant-level info map (no default double keys). */
  doubleInfoKeys?: string[];
  calls: DvVariantCall[];
}

export interface CallVariantsOutput {
  variant: DvVariant;
  /** Indices into `variant.alternateBases` that this prediction is about, e.g. [0], [1], [0,1]. */
  altAlleleIndices: number[];
  /** Softmax [P(0 copies of these alts), P(1), P(2)] (docs/deepvariant.md §3.2). */
  genotypeProbabilities: number[];
}

export interface DeepVariantCall {
  variant: DvVariant;
  /** alt allele → names of reads supporting it (`fragment_name/read_number`, docs/deepvariant.md §2.5). */
  alleleSupport: Record<string, string[]>;
  /** Reads supporting the reference. */
  refSupport: string[];
}

// ---------------------------------------------------------------------------------------
// Value / ListValue / info maps

const DEFAULT_CALL_DOUBLE_KEYS = ['VAF'];

function decodeListValue(r: ProtoReader, key: string, doubles: Set<string>): DvValue[] {
  const out: DvValue[] = [];
  while (!r.done) {
    const t = r.tag();
    if (t.field !== 1 || t.wire !== WireType.LengthDelimited) { r.skip(t.wire); continue; }
    const v = r.message();
    // A Value is a oneof; the last field present wins (protobuf merge rule).
    let value: DvValue | undefined;
    while (!v.done) {
      const vt = v.tag();
      switch (vt.field) {
        case 2: v.expect(vt.wire, WireType.Fixed64, 'Value.number_value'); value = v.double(); doubles.add(key); break;
        case 3: v.expect(vt.wire, WireType.LengthDelimited, 'Value.string_value'); value = v.string(); break;
        case 4: v.expect(vt.wire, WireType.Varint, 'Value.bool_value'); value = v.bool(); break;
        case 7: v.expect(vt.wire, WireType.Varint, 'Value.int_value'); value = v.int32(); break;
        // null_value (1), struct_value (5), list_value (6) never occur in DeepVariant output;
        // they are skipped rather than mis-decoded.
        default: v.skip(vt.wire);
      }
    }
    if (value !== undefined) out.push(value);
  }
  return out;
}

function decodeInfoEntry(r: ProtoReader, info: DvInfo, doubles: Set<string>): void {
  let key = '';
  let valueBytes: ProtoReader | undefined;
  while (!r.done) {
    const t = r.tag();
    if (t.field === 1) key = r.string();
    else if (t.field === 2) valueBytes = r.message();
    else r.skip(t.wire);
  }
  info[key] = valueBytes ? decodeListValue(valueBytes, key, doubles) : [];
}

function encodeInfo(w: ProtoWriter, field: number, info: DvInfo, doubleKeys: ReadonlySet<string>): void {
  for (const [key, values] of Object.entries(info)) {
    const list = new ProtoWriter();
    const asDouble = doubleKeys.has(key) || values.some((x) => typeof x === 'number' && !Number.isInteger(x));
    for (const v of values) {
      const value = new ProtoWriter();
      if (typeof v === 'string') value.stringField(3, v);
      else if (typeof v === 'boolean') value.boolField(4, v);
      else if (asDouble) value.doubleField(2, v);
      else value.int32Field(7, v);
      list.message(1, value);
    }
    const entry = new ProtoWriter().stringField(1, key).message(2, list);
    w.message(field, entry);
  }
}

// ---------------------------------------------------------------------------------------
// VariantCall

export function decodeVariantCall(r: ProtoReader): DvVariantCall {
  const call: DvVariantCall = { callSetName: '', genotype: [], genotypeLikelihood: [], info: {}, isPhased: false };
  const doubles = new Set<string>();
  while (!r.done) {
    const t = r.tag();
    switch (t.field) {
      case 9: call.callSetName = r.string(); break;
      case 7: r.repeated(t.wire, call.genotype, (x) => x.int32()); break;
      case 6: r.repeated(t.wire, call.genotypeLikelihood, (x) => x.double()); break;
      case 2: decodeInfoEntry(r.message(), call.info, doubles); break;
      case 10: call.isPhased = r.bool(); break;
      default: r.skip(t.wire); // phaseset (5) and call_set_id (8) are deprecated
    }
  }
  call.doubleInfoKeys = [...doubles];
  return call;
}

function encodeVariantCall(call: DvVariantCall): ProtoWriter {
  const w = new ProtoWriter();
  const doubleKeys = new Set(call.doubleInfoKeys ?? DEFAULT_CALL_DOUBLE_KEYS);
  encodeInfo(w, 2, call.info, doubleKeys);
  w.packed(6, call.genotypeLikelihood, (x, v) => x.double(v));
  w.packed(7, call.genotype, (x, v) => x.int32(v));
  if (call.callSetName) w.stringField(9, call.callSetName);
  if (call.isPhased) w.boolField(10, true);
  return w;
}

// ---------------------------------------------------------------------------------------
// Variant

export function decodeVariantFrom(r: ProtoReader): DvVariant {
  const v: DvVariant = { referenceName: '', start: 0, end: 0, referenceBases: '', alternateBases: [], names: [], filter: [], info: {}, calls: [] };
  const doubles = new Set<string>();
  while (!r.done) {
    const t = r.tag();
    switch (t.field) {
      case 14: v.referenceName = r.string(); break;
      case 16: v.start = r.int64(); break;
      case 13: v.end = r.int64(); break;
      case 3: v.names.push(r.string()); break;
      case 6: v.referenceBases = r.string(); break;
      case 7: v.alternateBases.push(r.string()); break;
      case 8: r.expect(t.wire, WireType.Fixed64, 'Variant.quality'); v.quality = r.double(); break;
      case 9: v.filter.push(r.string()); break;
      case 10: decodeInfoEntry(r.message(), v.info, doubles); break;
      case 11: v.calls.push(decodeVariantCall(r.message())); break;
      default: r.skip(t.wire); // id (2), created (12), variant_set_id (15): deprecated
    }
  }
  v.doubleInfoKeys = [...doubles];
  return v;
}

/** Decodes a serialized nucleus `Variant` (e.g. the `variant/encoded` feature). */
export function decodeVariant(bytes: Uint8Array): DvVariant {
  return decodeVariantFrom(new ProtoReader(bytes));
}

export function variantWriter(v: DvVariant): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of v.names) w.stringField(3, n);
  if (v.referenceBases) w.stringField(6, v.referenceBases);
  for (const a of v.alternateBases) w.stringField(7, a);
  if (v.quality !== undefined && v.quality !== 0) w.doubleField(8, v.quality);
  for (const f of v.filter) w.stringField(9, f);
  encodeInfo(w, 10, v.info, new Set(v.doubleInfoKeys ?? []));
  for (const c of v.calls) w.message(11, encodeVariantCall(c));
  if (v.end !== 0) w.int64Field(13, v.end);
  if (v.referenceName) w.stringField(14, v.referenceName);
  if (v.start !== 0) w.int64Field(16, v.start);
  return w;
}

/** Serializes a nucleus `Variant`. */
export function encodeVariant(v: DvVariant): Uint8Array {
  return variantWriter(v).finish();
}

// ---------------------------------------------------------------------------------------
// AltAlleleIndices

/** Decodes `AltAlleleIndices{indices=1 packed int32}`, e.g. `0a 02 00 01` → [0, 1]. */
export function decodeAltAlleleIndices(bytes: Uint8Array): number[] {
  return decodeAltAlleleIndicesFrom(new ProtoReader(bytes));
}

function decodeAltAlleleIndicesFrom(r: ProtoReader): number[] {
  const out: number[] = [];
  while (!r.done) {
    const t = r.tag();
    if (t.field === 1) r.repeated(t.wire, out, (x) => x.int32());
    else r.skip(t.wire);
  }
  return out;
}

function altAlleleIndicesWriter(indices: readonly number[]): ProtoWriter {
  return new ProtoWriter().packed(1, indices, (x, v) => x.int32(v));
}

export function encodeAltAlleleIndices(indices: readonly number[]): Uint8Array {
  return altAlleleIndicesWriter(indices).finish();
}

// ---------------------------------------------------------------------------------------
// CallVariantsOutput (call_variants output, docs/deepvariant.md §3.2)

export function decodeCallVariantsOutput(bytes: Uint8Array): CallVariantsOutput {
  const r = new ProtoReader(bytes);
  const out: CallVariantsOutput = { variant: decodeVariant(new Uint8Array(0)), altAlleleIndices: [], genotypeProbabilities: [] };
  while (!r.done) {
    const t = r.tag();
    switch (t.field) {
      case 1: out.variant = decodeVariantFrom(r.message()); break;
      case 2: out.altAlleleIndices = decodeAltAlleleIndicesFrom(r.message()); break;
      case 3: r.repeated(t.wire, out.genotypeProbabilities, (x) => x.double()); break;
      default: r.skip(t.wire); // debug_info (4) is not used by postprocess
    }
  }
  return out;
}

export function encodeCallVariantsOutput(cvo: CallVariantsOutput): Uint8Array {
  return new ProtoWriter()
    .message(1, variantWriter(cvo.variant))
    .message(2, altAlleleIndicesWriter(cvo.altAlleleIndices))
    .packed(3, cvo.genotypeProbabilities, (x, v) => x.double(v))
    .finish();
}

// ---------------------------------------------------------------------------------------
// DeepVariantCall (candidates, docs/deepvariant.md §4.3)

export function decodeDeepVariantCall(bytes: Uint8Array): DeepVariantCall {
  const r = new ProtoReader(bytes);
  const out: DeepVariantCall = { variant: decodeVariant(new Uint8Array(0)), alleleSupport: {}, refSupport: [] };
  while (!r.done) {
    const t = r.tag();
    switch (t.field) {
      case 1: out.variant = decodeVariantFrom(r.message()); break;
      case 2: {
        const e = r.message();
        let key = '';
        const names: string[] = [];
        while (!e.done) {
          const et = e.tag();
          if (et.field === 1) key = e.string();
          else if (et.field === 2) {
            const s = e.message();
            while (!s.done) {
              const st = s.tag();
              if (st.field === 1) names.push(s.string());
              else s.skip(st.wire);
            }
          } else e.skip(et.wire);
        }
        out.alleleSupport[key] = names;
        break;
      }
      case 4: out.refSupport.push(r.string()); break;
      default: r.skip(t.wire); // allele_frequency (3), *_ext (5, 6) are not used here
    }
  }
  return out;
}

export function encodeDeepVariantCall(call: DeepVariantCall): Uint8Array {
  const w = new ProtoWriter().message(1, variantWriter(call.variant));
  for (const [alt, names] of Object.entries(call.alleleSupport)) {
    const reads = new ProtoWriter();
    for (const n of names) reads.stringField(1, n);
    w.message(2, new ProtoWriter().stringField(1, alt).message(2, reads));
  }
  for (const n of call.refSupport) w.stringField(4, n);
  return w.finish();
}

// ---------------------------------------------------------------------------------------
// Files

/**
 * Streams the CallVariantsOutput records of a call_variants output file (TFRecord, gzip
 * when named `.gz`), CRCs checked. A record that does not decode gives 'protobuf-corrupt'
 * naming the file and the record.
 */
export async function* readCallVariantsOutputs(path: string, signal?: AbortSignal): AsyncIterable<CallVariantsOutput & { recordIndex: number }> {
  for await (const rec of readTfRecords(path, signal)) {
    let cvo: CallVariantsOutput;
    try {
      cvo = decodeCallVariantsOutput(rec.payload);
    } catch (e) {
      throw recordDecodeError(e, path, rec.index, 'CallVariantsOutput');
    }
    yield { ...cvo, recordIndex: rec.index };
  }
}

/** Re-throws a protobuf decoding failure naming the file and record. */
export function recordDecodeError(e: unknown, path: string, index: number, what: string): VariantLensError {
  const detail = e instanceof Error ? e.message : String(e);
  return new VariantLensError('protobuf-corrupt', `record ${index} is not a valid ${what}: ${detail}`, path, { cause: e });
}
