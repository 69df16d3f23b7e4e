/**
 * `model check`: runs an ONNX model on DeepVariant's own examples and compares its
 * probabilities with DeepVariant's call_variants output (CVO) for the same examples
 * (docs/deepvariant.md §3.2, §5). Order of work, so nothing runs on inputs that cannot mean
 * anything:
 *
 *   1. layouts   the model's example_info.json, the examples' example_info.json and the
 *                records' image/shape must agree (inputAgreement.ts) — refused otherwise;
 *   2. inference every example, batched;
 *   3. matching  CVO records to examples by variant (contig, start, REF, ALTs) and alt-allele indices;
 *   4. numbers   max and p99 |Δp| over the 3 probabilities, GT (argmax) agreement;
 *   5. pitfalls  when the numbers disagree, the known conversion pitfalls are tried: the CVO
 *                reproduced by feeding the pixels un-normalized (no (x−128)/128), or in NCHW
 *                order, names that pitfall; raw-vs-EMA weights and channel order are hints only.
 */
import { VariantLensError, throwIfAborted } from '../errors';
import { findExampleInfo, readExampleInfo, type ExampleInfo } from '../io/examples/exampleInfo';
import { readExamples, resolveExamplesPaths } from '../io/examples/examplesFile';
import { readCallVariantsOutputs, recordDecodeError, type DvVariant } from '../io/examples/nucleusProtos';
import type { PileupTensor } from '../io/examples/pileupTensor';
import { decodeExample, type DvExample } from '../io/examples/tfExample';
import { readTfRecords } from '../io/examples/tfrecord';
import { roundGls } from './genotypePostprocess';
import { checkInputAgreement, type InputLayout } from './inputAgreement';
import type { LoadedModel } from './onnxModel';
import type { InputTransform } from './onnxSessionCache';

export interface ModelCheckRequest {
  readonly model: LoadedModel;
  readonly examplesPath: string;
  /** Explicit example_info.json of the examples (default: found next to them). */
  readonly exampleInfoPath?: string;
  readonly cvoPath: string;
  readonly signal?: AbortSignal;
  readonly progress?: (line: string) => void;
}

export interface ModelCheckResult {
  /** Examples run through the model. */
  readonly examples: number;
  /** CVO records matched to an example. */
  readonly matched: number;
  /** CVO records with no example (and examples with no CVO record). */
  readonly unmatchedCvo: number;
  readonly unmatchedExamples: number;
  readonly maxAbsDiff: number;
  readonly p99AbsDiff: number;
  /** Fraction of matched examples whose argmax class agrees. */
  readonly gtAgreement: number;
  /** Named pitfalls (detected) and hints (possible, not detectable from the data). */
  readonly pitfalls: readonly { readonly name: string; readonly detected: boolean; readonly detail: string }[];
}

/** A site-and-alts key shared by examples and CVO records. */
export function predictionKey(v: Pick<DvVariant, 'referenceName' | 'start' | 'referenceBases' | 'alternateBases'>, altAlleleIndices: readonly number[]): string {
  return `${v.referenceName}:${v.start}:${v.referenceBases}>${v.alternateBases.join(',')}|${altAlleleIndices.join(',')}`;
}

/** The examples' layout sides: their example_info.json (when found) and their first record. */
export async function examplesLayouts(examplesPath: string, exampleInfoPath: string | undefined, signal?: AbortSignal): Promise<{ info: ExampleInfo | undefined; infoPath: string | undefined; sides: InputLayout[] }> {
  const infoPath = exampleInfoPath ?? (await findExampleInfo(examplesPath));
  const info = infoPath ? await readExampleInfo(infoPath, signal) : undefined;
  const sides: InputLayout[] = [];
  if (info && infoPath) sides.push({ source: "the examples' example_info.json", file: infoPath, shape: info.shape, channels: info.channels });
  // The first record's own image/shape (channel ids are not in the record), decoded without
  // channel ids so that a disagreeing example_info.json cannot fail the decode first.
  const files = await resolveExamplesPaths(examplesPath, signal);
  for (const file of files) {
    let found = false;
    for await (const rec of readTfRecords(file, signal)) {
      let ex: DvExample;
      try {
        ex = decodeExample(rec.payload);
      } catch (e) {
        throw recordDecodeError(e, file, rec.index, 'DeepVariant tf.Example');
      }
      const t = ex.tensor;
      sides.push({ source: "the examples' records", file, shape: [t.height, t.width, t.channels.length], channels: undefined });
      found = true;
      break;
    }
    if (found) break;
  }
  return { info, infoPath, sides };
}

function percentile99(values: Float64Array): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  // numpy.percentile's default (linear interpolation between closest ranks).
  const pos = 0.99 * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

const argmax = (p: ArrayLike<number>): number => (p[1]! > p[0]! ? (p[2]! > p[1]! ? 2 : 1) : p[2]! > p[0]! ? 2 : 0);

interface Compared { maxAbsDiff: number; p99AbsDiff: number; gtAgreement: number; matched: number }

function compare(ours: ReadonlyMap<string, ArrayLike<number>>, cvo: ReadonlyMap<string, readonly number[]>): Compared {
  const diffs: number[] = [];
  let agree = 0;
  let matched = 0;
  for (const [k, p] of cvo) {
    const q = ours.get(k);
    if (!q) continue;
    matched++;
    for (let i = 0; i < 3; i++) diffs.push(Math.abs((q[i] ?? 0) - (p[i] ?? 0)));
    if (argmax(q) === argmax(p)) agree++;
  }
  const d = Float64Array.from(diffs);
  return { maxAbsDiff: d.reduce((m, x) => Math.max(m, x), 0), p99AbsDiff: percentile99(d), gtAgreement: matched ? agree / matched : 0, matched };
}

/** Agreement at float32-softmax precision: a like-for-like CVO differs by rounding only. */
const AGREES = 1e-5;

export async function runModelCheck(req: ModelCheckRequest): Promise<ModelCheckResult> {
  const { model, signal } = req;
  const info = model.exampleInfo;
  // 1. layouts, before any inference or record matching.
  const ex = await examplesLayouts(req.examplesPath, req.exampleInfoPath, signal);
  checkInputAgreement({ source: 'the model', file: model.dir, shape: info.shape, channels: info.channels }, ex.sides);
  if (!ex.info) req.progress?.(`model check: no example_info.json next to ${req.examplesPath}; channel ids assumed to be the model's [${info.channels.join(',')}]`);

  // 2. inference.
  const tensors: PileupTensor[] = [];
  const keys: string[] = [];
  for await (const rec of readExamples(req.examplesPath, signal, { channels: info.channels })) {
    throwIfAborted(signal);
    tensors.push(rec.example.tensor);
    keys.push(predictionKey(rec.example.variant, rec.example.altAlleleIndices));
  }
  if (tensors.length === 0) throw new VariantLensError('invalid-argument', 'the examples file has no examples', req.examplesPath);
  req.progress?.(`model check: ${tensors.length} examples through ${model.name}`);
  const run = async (transform: InputTransform): Promise<Map<string, Float64Array>> => {
    const probs = await model.predict(tensors, signal, undefined, transform);
    // round_gls, as call_variants writes its outputs (docs/deepvariant.md §3.2): like for like.
    return new Map(keys.map((k, i) => [k, Float64Array.from(roundGls(probs[i]!))]));
  };
  const ours = await run('dv');

  // 3. matching.
  const cvo = new Map<string, readonly number[]>();
  for await (const c of readCallVariantsOutputs(req.cvoPath, signal)) {
    if (c.genotypeProbabilities.length !== 3) throw new VariantLensError('protobuf-corrupt', `record ${c.recordIndex}: ${c.genotypeProbabilities.length} genotype probabilities, expected 3`, req.cvoPath);
    cvo.set(predictionKey(c.variant, c.altAlleleIndices), c.genotypeProbabilities);
  }
  const base = compare(ours, cvo);
  if (base.matched === 0) {
    throw new VariantLensError('invalid-argument', `none of the ${cvo.size} call_variants output records matches an example (site, alleles and alt-allele indices); are they from the same make_examples run?`, req.cvoPath);
  }

  // 5. pitfalls.
  const pitfalls: { name: string; detected: boolean; detail: string }[] = [];
  if (base.maxAbsDiff > AGREES) {
    for (const [transform, name, what] of [
      ['raw', 'missing (x-128)/128 preprocessing', 'the CVO is reproduced when the pixels are fed as 0–255 values without (x−128)/128: one side skipped DeepVariant\'s preprocessing (it is outside the graph, docs/deepvariant.md §5)'],
      ['nchw', 'NCHW input', 'the CVO is reproduced when the pixels are fed in channel-first (NCHW) order: one side was exported or fed NCHW; DeepVariant models take NHWC'],
    ] as const) {
      const alt = compare(await run(transform), cvo);
      const numbers = `max |Δp| ${alt.maxAbsDiff.toExponential(2)} that way, ${base.maxAbsDiff.toExponential(2)} as DeepVariant feeds it`;
      // Detected: that input reproduces the CVO exactly; much closer but not exact is only a hint.
      if (alt.maxAbsDiff <= AGREES) pitfalls.push({ name, detected: true, detail: `${what} (${numbers})` });
      else if (alt.maxAbsDiff < base.maxAbsDiff / 10) pitfalls.push({ name, detected: false, detail: `closer but not reproduced: ${numbers}` });
    }
    if (!pitfalls.some((p) => p.detected)) {
      pitfalls.push({ name: 'raw vs EMA weights', detected: false, detail: 'not detectable from the outputs: DeepVariant checkpoints hold raw and exponential-moving-average weights, and call_variants uses the EMA ones' });
      pitfalls.push({ name: 'channel order', detected: false, detail: `not detectable from the outputs: check that the model was trained on channels [${info.channels.join(',')}] in this order` });
    }
  }
  return {
    examples: tensors.length,
    matched: base.matched,
    unmatchedCvo: cvo.size - base.matched,
    unmatchedExamples: new Set(keys).size - base.matched,
    maxAbsDiff: base.maxAbsDiff,
    p99AbsDiff: base.p99AbsDiff,
    gtAgreement: base.gtAgreement,
    pitfalls,
  };
}
