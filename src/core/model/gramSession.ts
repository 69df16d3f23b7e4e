/**
 * The matrix products behind linear CKA (activations/layerSimilarity.ts), run by onnxruntime in
 * the inference worker instead of JavaScript: for centred channel-major matrices X (cx × r)
 * and Y (cy × r) it returns ‖X Yᵀ‖², ‖X Xᵀ‖², ‖Y Yᵀ‖² (channel products), or ⟨XᵀX, YᵀY⟩,
 * ‖XᵀX‖², ‖YᵀY‖² (sample products) — equal quantities, whichever products are smaller.
 *
 * The two tiny graphs (Transpose, MatMul, Mul, ReduceSum/ReduceSumSquare; opset 13) are
 * written here with the protobuf writer and kept as sessions for the life of the worker.
 */
import type * as OrtTypes from 'onnxruntime-node';
import { ProtoWriter } from '../io/examples/protobufWire';
import { loadOrt } from './onnxSessionCache';

export interface GramRequest {
  /** cx·r and cy·r float32 values, channel after channel, each channel centred over its r samples. */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

export interface GramResult {
  /** ⟨K_x, K_y⟩, ‖K_x‖², ‖K_y‖² of the sample Gram matrices (= the channel-product forms). */
  readonly xy: number;
  readonly xx: number;
  readonly yy: number;
}

type Node = [op: string, inputs: string[], output: string, keepdims?: boolean];

function valueInfo(name: string, dims: string[] | undefined): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims ?? []) shape.message(1, new ProtoWriter().stringField(2, d));
  const tensor = new ProtoWriter().int32Field(1, 1);
  if (dims) tensor.message(2, shape);
  return new ProtoWriter().stringField(1, name).message(2, new ProtoWriter().message(1, tensor));
}

function model(nodes: Node[]): Uint8Array {
  const g = new ProtoWriter();
  nodes.forEach(([op, inputs, output, keepdims], i) => {
    const n = new ProtoWriter();
    for (const x of inputs) n.stringField(1, x);
    n.stringField(2, output).stringField(3, `n${i}`).stringField(4, op);
    if (keepdims === false) n.message(5, new ProtoWriter().stringField(1, 'keepdims').int64Field(3, 0).int32Field(20, 2));
    g.message(1, n);
  });
  g.stringField(2, 'gram');
  g.message(11, valueInfo('X', ['a', 'r']));
  g.message(11, valueInfo('Y', ['b', 'r']));
  for (const o of ['xy', 'xx', 'yy']) g.message(12, valueInfo(o, []));
  return new ProtoWriter().int64Field(1, 7).message(7, g).message(8, new ProtoWriter().stringField(1, '').int64Field(2, 13)).finish();
}

const CHANNEL: Node[] = [
  ['Transpose', ['X'], 'XT'], ['Transpose', ['Y'], 'YT'],
  ['MatMul', ['X', 'YT'], 'XY'], ['MatMul', ['X', 'XT'], 'XX'], ['MatMul', ['Y', 'YT'], 'YY'],
  ['ReduceSumSquare', ['XY'], 'xy', false], ['ReduceSumSquare', ['XX'], 'xx', false], ['ReduceSumSquare', ['YY'], 'yy', false],
];
const SAMPLE: Node[] = [
  ['Transpose', ['X'], 'XT'], ['Transpose', ['Y'], 'YT'],
  ['MatMul', ['XT', 'X'], 'K'], ['MatMul', ['YT', 'Y'], 'L'], ['Mul', ['K', 'L'], 'KL'],
  ['ReduceSum', ['KL'], 'xy', false], ['ReduceSumSquare', ['K'], 'xx', false], ['ReduceSumSquare', ['L'], 'yy', false],
];

const sessions = new Map<'channel' | 'sample', Promise<OrtTypes.InferenceSession>>();

function session(kind: 'channel' | 'sample'): Promise<OrtTypes.InferenceSession> {
  let s = sessions.get(kind);
  if (!s) {
    s = loadOrt().InferenceSession.create(model(kind === 'channel' ? CHANNEL : SAMPLE), { graphOptimizationLevel: 'all' });
    sessions.set(kind, s);
    s.catch(() => sessions.delete(kind));
  }
  return s;
}

/** The three CKA sums of one layer pair, through the smaller of the channel or sample products. */
export async function gramSums(req: GramRequest): Promise<GramResult> {
  const { cx, cy, r } = req;
  const kind = cx * cx + cy * cy + cx * cy <= 3 * r * r ? 'channel' : 'sample';
  const ort = loadOrt();
  const s = await session(kind);
  const out = await s.run({ X: new ort.Tensor('float32', req.x, [cx, r]), Y: new ort.Tensor('float32', req.y, [cy, r]) });
  const v = (name: string): number => Number((out[name]!.data as Float32Array)[0]);
  return { xy: v('xy'), xx: v('xx'), yy: v('yy') };
}
