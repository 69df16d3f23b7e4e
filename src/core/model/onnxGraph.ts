/**
 * A minimal in-memory reader and editor of an ONNX model's graph, for exposing intermediate
 * tensors as extra graph outputs (layer activations).
 *
 * Reading decodes only what layer selection needs: the nodes (name, op_type, inputs,
 * outputs, integer attributes such as Concat's axis, Constant tensors of int64), the graph
 * inputs, outputs, initializer names and value_info entries. The weights are skipped by length.
 *
 * Editing (`exposeTensors`) copies every byte of the ModelProto and GraphProto as it is and
 * only appends one GraphProto.output (a ValueInfoProto) per exposed tensor. When the graph
 * carries a value_info for that tensor (tf2onnx writes many), its bytes are copied as the
 * output's type; otherwise the output is written with its name alone: onnxruntime-node 1.30
 * infers the type and shape of such an output (checked by test/unit/model/activations).
 *
 * Field numbers are those of onnx/onnx.proto3: ModelProto graph=7; GraphProto node=1,
 * initializer=5, input=11, output=12, value_info=13; NodeProto input=1, output=2, name=3,
 * op_type=4, attribute=5; AttributeProto name=1, i=3, t=5, ints=8; TensorProto dims=1,
 * data_type=2, int64_data=7, name=8, raw_data=9; ValueInfoProto name=1.
 */
import { VariantLensError } from '../errors';
import { ProtoReader, WireType } from '../io/examples/protobufWire';

export interface OnnxNode {
  /** Position in the graph's node list (ONNX keeps nodes in topological order). */
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer and integer-list attributes (axis, perm, …). */
  readonly ints: ReadonlyMap<string, readonly number[]>;
  /** For Constant nodes holding an int64/int32 tensor: its values. */
  readonly constInts?: readonly number[];
}

export interface OnnxGraph {
  readonly nodes: readonly OnnxNode[];
  /** Graph inputs that are not initializers (the feeds). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly initializers: ReadonlySet<string>;
  /** Small int64/int32 initializers (≤ 16 values), e.g. Slice starts and ends. */
  readonly initializerInts: ReadonlyMap<string, readonly number[]>;
  /** Names of tensors that have a value_info entry. */
  readonly valueInfo: ReadonlySet<string>;
}

function corrupt(what: string, file?: string): VariantLensError {
  return new VariantLensError('model-load-failed', `not a readable ONNX model: ${what}`, file);
}

/** The ModelProto's graph field: where its payload starts and ends. */
function findGraph(bytes: Uint8Array, file?: string): { tagStart: number; start: number; end: number } {
  const r = new ProtoReader(bytes);
  let found: { tagStart: number; start: number; end: number } | undefined;
  while (!r.done) {
    const tagStart = r.pos;
    const { field, wire } = r.tag();
    if (field === 7 && wire === WireType.LengthDelimited) {
      const len = r.uint32();
      found = { tagStart, start: r.pos, end: r.pos + len };
      r.pos += len;
      if (r.pos > bytes.length) throw corrupt('graph runs past the end of the file', file);
    } else {
      r.skip(wire);
    }
  }
  if (!found) throw corrupt('no graph in the ModelProto', file);
  return found;
}

/** Values of an int64/int32 TensorProto (raw_data or int64_data/int32_data), or undefined. */
function tensorInts(r: ProtoReader, maxValues: number): { name: string; values: number[] | undefined } {
  let name = '';
  let dataType = 0;
  let raw: Uint8Array | undefined;
  const listed: number[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 2 && wire === WireType.Varint) dataType = r.uint32();
    else if (field === 8 && wire === WireType.LengthDelimited) name = r.string();
    else if (field === 9 && wire === WireType.LengthDelimited) raw = r.bytes();
    else if ((field === 7 || field === 5) && listed.length <= maxValues) r.repeated(wire, listed, (x) => x.int64());
    else r.skip(wire);
  }
  if (dataType !== 7 && dataType !== 6) return { name, values: undefined }; // INT64 = 7, INT32 = 6
  if (raw) {
    const size = dataType === 7 ? 8 : 4;
    if (raw.length / size > maxValues || raw.length % size !== 0) return { name, values: undefined };
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: number[] = [];
    for (let i = 0; i < raw.length; i += size) out.push(size === 8 ? Number(v.getBigInt64(i, true)) : v.getInt32(i, true));
    return { name, values: out };
  }
  return { name, values: listed.length <= maxValues ? listed : undefined };
}

function readNode(r: ProtoReader, index: number): OnnxNode {
  let name = '';
  let opType = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const ints = new Map<string, number[]>();
  let constInts: number[] | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) inputs.push(r.string());
    else if (field === 2 && wire === WireType.LengthDelimited) outputs.push(r.string());
    else if (field === 3 && wire === WireType.LengthDelimited) name = r.string();
    else if (field === 4 && wire === WireType.LengthDelimited) opType = r.string();
    else if (field === 5 && wire === WireType.LengthDelimited) {
      const a = r.message();
      let aname = '';
      const vals: number[] = [];
      let t: number[] | undefined;
      while (!a.done) {
        const at = a.tag();
        if (at.field === 1 && at.wire === WireType.LengthDelimited) aname = a.string();
        else if (at.field === 3 && at.wire === WireType.Varint) vals.push(a.int64());
        else if (at.field === 8) a.repeated(at.wire, vals, (x) => x.int64());
        else if (at.field === 5 && at.wire === WireType.LengthDelimited) t = tensorInts(a.message(), 16).values;
        else a.skip(at.wire);
      }
      if (vals.length) ints.set(aname, vals);
      if (t && aname === 'value') constInts = t;
    } else r.skip(wire);
  }
  return { index, name, opType, inputs, outputs, ints, ...(opType === 'Constant' && constInts ? { constInts } : {}) };
}

function valueInfoName(r: ProtoReader): string {
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WireType.LengthDelimited) return r.string();
    r.skip(wire);
  }
  return '';
}

/** Reads the graph of an ONNX model held in memory. `file` only names it in errors. */
export function readOnnxGraph(bytes: Uint8Array, file?: string): OnnxGraph {
  try {
    const g = findGraph(bytes, file);
    const r = new ProtoReader(bytes, g.start, g.end);
    const nodes: OnnxNode[] = [];
    const inputs: string[] = [];
    const outputs: string[] = [];
    const initializers = new Set<string>();
    const initializerInts = new Map<string, readonly number[]>();
    const valueInfo = new Set<string>();
    while (!r.done) {
      const { field, wire } = r.tag();
      if (wire !== WireType.LengthDelimited) { r.skip(wire); continue; }
      if (field === 1) nodes.push(readNode(r.message(), nodes.length));
      else if (field === 5) {
        const t = tensorInts(r.message(), 16);
        initializers.add(t.name);
        if (t.values) initializerInts.set(t.name, t.values);
      } else if (field === 11) inputs.push(valueInfoName(r.message()));
      else if (field === 12) outputs.push(valueInfoName(r.message()));
      else if (field === 13) valueInfo.add(valueInfoName(r.message()));
      else r.skip(wire);
    }
    return { nodes, inputs: inputs.filter((i) => !initializers.has(i)), outputs, initializers, initializerInts, valueInfo };
  } catch (e) {
    if (e instanceof VariantLensError && e.code === 'model-load-failed') throw e;
    throw corrupt(e instanceof Error ? e.message : String(e), file);
  }
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array[] {
  return [varint(field * 8 + WireType.LengthDelimited), varint(payload.length), payload];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * Returns a copy of the model whose graph also outputs `tensors` (names of node outputs),
 * after its own outputs. Every other byte is kept as it is. Tensors that are already graph
 * outputs are not added twice. Throws 'invalid-argument' for a name no node produces.
 */
export function exposeTensors(bytes: Uint8Array, tensors: readonly string[], file?: string): Uint8Array {
  const graph = readOnnxGraph(bytes, file);
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const missing = tensors.filter((t) => !produced.has(t));
  if (missing.length) throw new VariantLensError('invalid-argument', `no node of the model outputs ${missing.map((m) => JSON.stringify(m)).join(', ')}`, file);
  const g = findGraph(bytes, file);
  // value_info payloads by name, copied as the new outputs when present.
  const infos = new Map<string, Uint8Array>();
  const r = new ProtoReader(bytes, g.start, g.end);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 13 && wire === WireType.LengthDelimited) {
      const payload = r.bytes();
      infos.set(valueInfoName(new ProtoReader(payload)), payload);
    } else r.skip(wire);
  }
  const already = new Set(graph.outputs);
  const added: Uint8Array[] = [];
  for (const t of new Set(tensors)) {
    if (already.has(t)) continue;
    const nameBytes = new TextEncoder().encode(t);
    added.push(...lengthDelimited(12, infos.get(t) ?? concat(lengthDelimited(1, nameBytes))));
  }
  const extra = concat(added);
  // One copy of the model: prefix, graph tag with its new length, old graph, new outputs, suffix.
  return concat([
    bytes.subarray(0, g.tagStart),
    varint(7 * 8 + WireType.LengthDelimited), varint(g.end - g.start + extra.length),
    bytes.subarray(g.start, g.end), extra,
    bytes.subarray(g.end),
  ]);
}
