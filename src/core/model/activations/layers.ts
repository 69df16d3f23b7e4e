/**
 * Which intermediate tensors of an ONNX model are "layers" a user can look at, and which
 * ones are shown by default:
 *
 *  - an InceptionV3-style model (DeepVariant's: Slim `InceptionV3/Mixed_5b/concat`, Keras via
 *    tf2onnx `…/mixed0/concat`, torchvision via torch.onnx `/net/Mixed_5b/Concat`): the stem
 *    (the tensor the first mixed block reads) and the output of each mixed block (the last
 *    Concat inside the block's name scope);
 *  - any other model (our demo CNNs, scripts/train/train.py): each conv block, i.e. a Conv
 *    followed by the single-consumer chain of activations, normalisations and pooling after it.
 *
 * Every other node output that depends on the model input can be chosen by its tensor name
 * (or its node's name). Weights and constant folding results are not layers.
 */
import { VariantLensError } from '../../errors';
import type { OnnxGraph, OnnxNode } from '../onnxGraph';

export type LayerKind = 'stem' | 'mixed' | 'conv-block' | 'tensor';
/** Axis order of a 4-D activation: ONNX Conv/Pool are NCHW; a Concat on axis 3 or a Transpose may give NHWC. */
export type ActivationLayout = 'NCHW' | 'NHWC' | 'unknown';

export interface LayerInfo {
  /** What the user types: "stem", "Mixed_5b", "conv2", or a tensor name. */
  readonly name: string;
  /** The ONNX tensor it reads. */
  readonly tensor: string;
  /** The node producing it, and that node's op. */
  readonly node: string;
  readonly opType: string;
  readonly kind: LayerKind;
  readonly layout: ActivationLayout;
}

const MIXED_SCOPE = /^mixed_?\d+[a-z]?$/i;
/** Ops a conv block may end with after its Conv (each with one data input). */
const BLOCK_CHAIN_OPS = new Set(['Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Clip', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Softplus',
  'BatchNormalization', 'InstanceNormalization', 'LRN', 'MaxPool', 'AveragePool', 'Dropout', 'Identity']);
const NCHW_OPS = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'BatchNormalization', 'InstanceNormalization', 'LRN', 'GlobalAveragePool', 'GlobalMaxPool']);
const PASS_THROUGH_OPS = new Set([...BLOCK_CHAIN_OPS, 'Add', 'Mul', 'Sub', 'Div', 'Relu6']);

interface GraphIndex {
  readonly producer: Map<string, OnnxNode>;
  readonly consumers: Map<string, OnnxNode[]>;
  /** Node outputs that depend on a graph input (the activations, not weights). */
  readonly dataTensors: Set<string>;
}

const indexCache = new WeakMap<OnnxGraph, GraphIndex>();

function indexGraph(g: OnnxGraph): GraphIndex {
  const cached = indexCache.get(g);
  if (cached) return cached;
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  const dataTensors = new Set<string>(g.inputs);
  for (const n of g.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) {
      if (!i) continue;
      const list = consumers.get(i);
      if (list) list.push(n); else consumers.set(i, [n]);
    }
    if (n.inputs.some((i) => dataTensors.has(i))) for (const o of n.outputs) if (o) dataTensors.add(o);
  }
  for (const i of g.inputs) dataTensors.delete(i);
  const idx = { producer, consumers, dataTensors };
  indexCache.set(g, idx);
  return idx;
}

/** The axis order of `tensor`, traced back through element-wise ops to a Conv/Pool, Concat or Transpose. */
export function tensorLayout(g: OnnxGraph, tensor: string): ActivationLayout {
  const { producer } = indexGraph(g);
  let t = tensor;
  for (let depth = 0; depth < 64; depth++) {
    const n = producer.get(t);
    if (!n) return 'unknown';
    if (NCHW_OPS.has(n.opType)) return 'NCHW';
    if (n.opType === 'Concat') {
      const axis = n.ints.get('axis')?.[0];
      return axis === 1 || axis === -3 ? 'NCHW' : axis === 3 || axis === -1 ? 'NHWC' : 'unknown';
    }
    if (n.opType === 'Transpose') {
      const perm = n.ints.get('perm')?.join(',');
      return perm === '0,2,3,1' ? 'NHWC' : perm === '0,3,1,2' ? 'NCHW' : 'unknown';
    }
    if (!PASS_THROUGH_OPS.has(n.opType) || !n.inputs[0]) return 'unknown';
    t = n.inputs[0];
  }
  return 'unknown';
}

function layer(g: OnnxGraph, name: string, tensor: string, kind: LayerKind): LayerInfo {
  const n = indexGraph(g).producer.get(tensor)!;
  return { name, tensor, node: n.name, opType: n.opType, kind, layout: tensorLayout(g, tensor) };
}

function mixedScope(nodeName: string): string | undefined {
  const parts = nodeName.split('/');
  const i = parts.findIndex((p) => MIXED_SCOPE.test(p));
  return i < 0 ? undefined : parts.slice(0, i + 1).join('/');
}

/** A mixed block's output: the last Concat in its scope (inner concats of InceptionE blocks come before it). */
function blockOutput(nodes: readonly OnnxNode[]): OnnxNode {
  const concats = nodes.filter((n) => n.opType === 'Concat');
  return (concats.length ? concats : nodes).at(-1)!;
}

/**
 * The last tensor produced before node `before` that every later computation goes through:
 * after it is produced, it is the only activation still waiting for a consumer. For an
 * InceptionV3 that is the stem's output (the last max pool), whether the first block's
 * branches are scoped under the block (Slim, torchvision) or not (Keras via tf2onnx).
 */
function lastCutBefore(g: OnnxGraph, before: number): string | undefined {
  const idx = indexGraph(g);
  const n = g.nodes.length;
  const diff = new Int32Array(n + 1);
  const lastUse = new Map<string, number>();
  for (const node of g.nodes) for (const i of node.inputs) if (idx.dataTensors.has(i) || g.inputs.includes(i)) lastUse.set(i, node.index);
  for (const o of g.outputs) lastUse.set(o, n);
  for (const [t, last] of lastUse) {
    const start = idx.producer.get(t)?.index ?? 0;
    if (last > start) { diff[start]!++; diff[last]!--; }
  }
  let live = 0;
  let cut: string | undefined;
  for (let i = 0; i < before; i++) {
    live += diff[i]!;
    const o = g.nodes[i]!.outputs[0];
    if (live === 1 && o && idx.dataTensors.has(o) && (lastUse.get(o) ?? -1) > i) cut = o;
  }
  return cut;
}

const defaultsCache = new WeakMap<OnnxGraph, readonly LayerInfo[]>();

/** The default layers: stem + mixed blocks for an InceptionV3-style model, else each conv block. */
export function defaultLayers(g: OnnxGraph): LayerInfo[] {
  let d = defaultsCache.get(g);
  if (!d) {
    d = findDefaultLayers(g);
    defaultsCache.set(g, d);
  }
  return [...d];
}

function findDefaultLayers(g: OnnxGraph): LayerInfo[] {
  const idx = indexGraph(g);
  const isData = (n: OnnxNode): boolean => n.outputs.some((o) => idx.dataTensors.has(o));
  // Mixed blocks, in graph order of their first node.
  const scopes = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) {
    if (!isData(n)) continue;
    const s = mixedScope(n.name);
    if (s === undefined) continue;
    const list = scopes.get(s);
    if (list) list.push(n); else scopes.set(s, [n]);
  }
  if (scopes.size > 0) {
    const out: LayerInfo[] = [];
    const firstOut = blockOutput([...scopes.values()][0]!);
    const stem = lastCutBefore(g, firstOut.index);
    if (stem !== undefined) out.push(layer(g, 'stem', stem, 'stem'));
    for (const [scope, nodes] of scopes) out.push(layer(g, scope.split('/').at(-1)!, blockOutput(nodes).outputs[0]!, 'mixed'));
    return out;
  }
  const out: LayerInfo[] = [];
  for (const n of g.nodes) {
    if (n.opType !== 'Conv' || !isData(n)) continue;
    let t = n.outputs[0]!;
    for (;;) {
      const cs = idx.consumers.get(t) ?? [];
      const next = cs[0];
      if (cs.length !== 1 || !next || !BLOCK_CHAIN_OPS.has(next.opType) || next.inputs[0] !== t || g.outputs.includes(t)) break;
      t = next.outputs[0]!;
    }
    out.push(layer(g, `conv${out.length + 1}`, t, 'conv-block'));
  }
  return out;
}

/** Every layer a user can choose: the default ones first, then every other data tensor by name. */
export function listLayers(g: OnnxGraph): LayerInfo[] {
  const defaults = defaultLayers(g);
  const seen = new Set(defaults.map((l) => l.tensor));
  const idx = indexGraph(g);
  const rest: LayerInfo[] = [];
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      if (!o || seen.has(o) || !idx.dataTensors.has(o) || g.outputs.includes(o)) continue;
      seen.add(o);
      rest.push(layer(g, o, o, 'tensor'));
    }
  }
  return [...defaults, ...rest];
}

const LIST_IN_ERROR = 40;

/**
 * Resolves user layer names (a default layer's name, a tensor name or a node name; "default"
 * for the default set, "all" for every layer) in the order given. An unknown name is an
 * 'invalid-argument' error that lists the available layers.
 */
export function resolveLayers(g: OnnxGraph, names: readonly string[] | undefined, file?: string): LayerInfo[] {
  if (!names || names.length === 0) return defaultLayers(g);
  const all = listLayers(g);
  const byName = new Map<string, LayerInfo>();
  for (const l of all) {
    byName.set(l.name, l);
    if (!byName.has(l.tensor)) byName.set(l.tensor, l);
  }
  for (const l of all) if (!byName.has(l.node)) byName.set(l.node, l);
  const out: LayerInfo[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if (name === 'default') out.push(...defaultLayers(g));
    else if (name === 'all') out.push(...all);
    else {
      const l = byName.get(name) ?? byName.get(name.toLowerCase()) ?? all.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (l) out.push(l); else unknown.push(name);
    }
  }
  if (unknown.length) {
    const shown = all.slice(0, LIST_IN_ERROR).map((l) => l.name);
    const more = all.length > LIST_IN_ERROR ? `, … and ${all.length - LIST_IN_ERROR} more tensor names` : '';
    throw new VariantLensError('invalid-argument',
      `unknown layer ${unknown.map((u) => JSON.stringify(u)).join(', ')}; available layers: ${shown.join(', ')}${more} (or "default", "all")`, file);
  }
  const seen = new Set<string>();
  return out.filter((l) => (seen.has(l.tensor) ? false : (seen.add(l.tensor), true)));
}

/**
 * The part of the input image the graph actually reads, when it begins with a Slice of the
 * NHWC input by constants (the demo CNNs crop the centre columns): rows and columns, half-open.
 */
export function inputWindow(g: OnnxGraph, height: number, width: number): { rows: [number, number]; cols: [number, number] } {
  const window = { rows: [0, height] as [number, number], cols: [0, width] as [number, number] };
  const input = g.inputs[0];
  if (!input) return window;
  const idx = indexGraph(g);
  const consumers = idx.consumers.get(input) ?? [];
  if (consumers.length !== 1 || consumers[0]!.opType !== 'Slice') return window;
  const s = consumers[0]!;
  const ints = (name: string | undefined): readonly number[] | undefined => {
    if (!name) return undefined;
    return g.initializerInts.get(name) ?? idx.producer.get(name)?.constInts;
  };
  const starts = ints(s.inputs[1]);
  const ends = ints(s.inputs[2]);
  const axes = s.inputs[3] ? ints(s.inputs[3]) : starts?.map((_, i) => i);
  const steps = s.inputs[4] ? ints(s.inputs[4]) : undefined;
  if (!starts || !ends || !axes || starts.length !== ends.length || axes.length !== starts.length || steps?.some((x) => x !== 1)) return window;
  const clamp = (v: number, size: number): number => Math.max(0, Math.min(size, v < 0 ? v + size : v));
  axes.forEach((axis, i) => {
    const a = axis < 0 ? axis + 4 : axis;
    if (a === 1) window.rows = [clamp(starts[i]!, height), clamp(ends[i]!, height)];
    if (a === 2) window.cols = [clamp(starts[i]!, width), clamp(ends[i]!, width)];
  });
  return window;
}
