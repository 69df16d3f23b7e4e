/**
 * Why do the models disagree at this site? The explanation engine: everything is ONNX
 * inference on images made by our make_examples stages (src/core/pileup/siteExamples.ts),
 * batched per model through `LoadedModel.predict` (the inference worker), with the outputs
 * postprocessed as postprocess_variants does for one site (docs/deepvariant.md §3.2–3.4).
 *
 *   cross-run   model i on images made with model j's make_examples parameters (its card's
 *               makeExamplesParams), in model i's layout (example_info.json): an N×N table
 *   occlusion   per model, on its own images: each read row dropped; each channel replaced by
 *               a realistic baseline (counterfactuals.ts); each band of N columns made to look
 *               like reference-matching reads
 *   curves      per model: depth, alt fraction, base quality, mapping quality varied the
 *               DeepVariant way and imaged again (readVariations.ts)
 *   verdict     inputs | weights | both | none from the cross-run (verdict.ts)
 *
 * Deterministic: given the same inputs and seed the result (and its JSON) is identical.
 * Cancellable through `signal`; `onProgress` reports images run so far, and the cross-run as
 * soon as it is known (the first thing a reviewer looks at).
 *
 * Coordinates: `position` is the 1-based VCF POS; everything else is 0-based.
 */
import { VariantLensError, throwIfAborted } from '../errors';
import { CHANNEL_NAMES } from '../io/examples/channelIds';
import type { PileupTensor } from '../io/examples/pileupTensor';
import type { AlignedRead, AlignmentSource } from '../io/sam/alignedRead';
import { SharedFetchSource } from '../io/sam/sharedFetchSource';
import type { ReferenceSource } from '../io/fasta/referenceSource';
import { DV_POSTPROCESS_DEFAULTS, type GenotypeCall, genotypeOrder, mostLikelyGenotype, postprocessSite, roundGls } from '../model/genotypePostprocess';
import { DV_MAKE_EXAMPLES_DEFAULTS, compareParams } from '../model/modelCard';
import { modelPipeline, pipelineKey } from '../model/makeExamplesParams';
import type { LoadedModel } from '../model/onnxModel';
import { encodeRows } from '../pileup/pileupEncoder';
import { readKey, readNumber } from '../pileup/candidates/readFilters';
import { type CallingRegion, type Partition, PartitionReader, type PipelineOptions, type SiteExamples, buildSiteExamples } from '../pileup/siteExamples';
import type { PopulationVcfs } from '../pileup/alleleFrequency';
import { cigarToString } from '../io/sam/alignedRead';
import { BAND_BASELINE_TEXT, type SiteGeometry, SUPPORTS_ALT_PIXEL, baselineDescription, baselineKind, columnBands, siteMedians, withBandBaseline, withChannelBaseline, withoutReadRow } from './counterfactuals';
import {
  type BandAttribution, type ChannelAttribution, type ClassProbs, type CrossRunCell, EXPLAIN_FORMAT_VERSION, type ExplainCurves, type ExplainModelInfo, type ExplainResult,
  GENOTYPE_CLASSES, type GenotypeClass, type ReadAttribution, type SensitivityCurve, genotypeClassOf,
} from './explainResult';
import { CURVE_NAMES, CURVE_TEXT, type CurveName, altSupportKeys, curveReadSets, offeredReads, reimage } from './readVariations';
import { decideVerdict } from './verdict';

export const DEFAULT_BAND_WIDTH = 11;
export const DEFAULT_EXPLAIN_SEED = 1;

export type ExplainStage = 'images' | 'cross-run' | 'occlusion' | 'curves' | 'done';

export interface ExplainProgress {
  readonly stage: ExplainStage;
  /** Images through the models so far, and the total planned (the cross-run's until it is done; exact from the 'occlusion' stage on). */
  readonly done: number;
  readonly total: number;
  /** Set once the cross-run is complete (the last 'cross-run' event, and every later one). */
  readonly crossRun?: readonly (readonly CrossRunCell[])[];
}

export interface ExplainRequest {
  readonly reads: AlignmentSource;
  readonly reference: ReferenceSource;
  /** Two or more models (one works: a 1×1 cross-run and verdict "none"); same input shape and channels. */
  readonly models: readonly LoadedModel[];
  readonly contig: string;
  /** 1-based VCF POS. */
  readonly position: number;
  /** The site's alleles; without them, the first model (in order) whose parameters make a candidate here gives them. */
  readonly alleles?: { readonly refBases: string; readonly altBases: readonly string[] };
  /** Seed of the read choices in the depth and alt-fraction curves (default 1). */
  readonly seed?: number;
  /** Column band width N (default 11). */
  readonly bandWidth?: number;
  /** call_set_name for postprocess (does not change the numbers). */
  readonly sampleName?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ExplainProgress) => void;
  /** Skip the occlusion runs or the curves (default: both run); what is skipped is listed in `problems`. */
  readonly stages?: { readonly occlusion?: boolean; readonly curves?: boolean };
  /** Population allele frequencies for models whose channels include 8 (make_examples `--population_vcfs`, docs/deepvariant.md §13). */
  readonly populationVcfs?: PopulationVcfs;
}

export interface ExplainOutput {
  readonly result: ExplainResult;
  /** Each model's own images (the cross-run diagonal), for drawing pileups and overlays. */
  readonly ownSites: readonly (SiteExamples | undefined)[];
}

/** One make_examples setting and its images of the site. */
interface Pipeline {
  readonly key: string;
  readonly options: PipelineOptions;
  readonly reader: PartitionReader;
  site?: SiteExamples;
}

/** [P(hom-ref), P(het), P(hom-alt)] from postprocess's genotype probabilities (VCF genotype order). */
export function classProbs(call: GenotypeCall): ClassProbs {
  const order = genotypeOrder(call.alternateBases.length);
  const out = [0, 0, 0];
  call.probabilities.forEach((p, k) => {
    const [a, b] = order[k]!;
    const c = GENOTYPE_CLASSES.indexOf(genotypeClassOf(a, b));
    out[c] = out[c]! + p;
  });
  return [out[0]!, out[1]!, out[2]!];
}

function cvoVariant(site: SiteExamples, sampleName: string): Parameters<typeof postprocessSite>[0][number]['variant'] {
  return {
    referenceName: site.contig, start: site.start, end: site.start + site.refBases.length, referenceBases: site.refBases, alternateBases: site.altBases,
    callSetName: sampleName, dp: site.variant.dp, ad: site.variant.ad, vaf: site.variant.vaf,
  };
}

/** postprocess_variants for one site from one model's softmax of each of the site's images. */
function siteCall(site: SiteExamples, probs: readonly Float64Array[], sampleName: string): GenotypeCall {
  const variant = cvoVariant(site, sampleName);
  const cvos = site.examples.map((e, k) => ({ variant, altAlleleIndices: e.altAlleleIndices, genotypeProbabilities: roundGls(probs[k]!) }));
  return postprocessSite(cvos, { ...DV_POSTPROCESS_DEFAULTS, sampleName });
}

function altRowCount(site: SiteExamples): number {
  let n = 0;
  for (let k = 0; k < site.rows.length; k++) if (site.examples.some((e) => e.supports[k] === SUPPORTS_ALT_PIXEL)) n++;
  return n;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sub(a: ClassProbs, b: ClassProbs): ClassProbs {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

/** Collects tensors to run through one model, each group answered by a callback with its outputs. */
class Batch {
  readonly tensors: PileupTensor[] = [];
  private readonly groups: { from: number; to: number; done: (probs: Float64Array[]) => void }[] = [];
  add(tensors: readonly PileupTensor[], done: (probs: Float64Array[]) => void): void {
    const from = this.tensors.length;
    this.tensors.push(...tensors);
    this.groups.push({ from, to: this.tensors.length, done });
  }
  async run(model: LoadedModel, signal: AbortSignal | undefined, onDone: (n: number) => void): Promise<void> {
    if (this.tensors.length === 0) return;
    const out = await model.predict(this.tensors, signal, (p) => onDone(p.done));
    for (const g of this.groups) g.done(out.slice(g.from, g.to));
  }
}

function checkModels(models: readonly LoadedModel[]): void {
  if (models.length === 0) throw new VariantLensError('invalid-argument', 'give at least one model to explain a site');
  const first = models[0]!;
  for (const m of models.slice(1)) {
    const a = first.exampleInfo;
    const b = m.exampleInfo;
    if (a.shape.join(',') !== b.shape.join(',') || a.channels.join(',') !== b.channels.join(',')) {
      throw new VariantLensError('model-shape-mismatch',
        `models ${first.name} and ${m.name} take different inputs ([${a.shape.join(',')}] channels ${a.channels.join(',')} vs [${b.shape.join(',')}] channels ${b.channels.join(',')}); ` +
        'reads, channels and bands can only be compared between models with the same input shape', m.dir);
    }
  }
  const names = models.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new VariantLensError('invalid-argument', `two models are named "${dup}"; give them different names in their model_card.json`);
}

/** Card parameters that differ from DeepVariant's defaults. */
function nonDefaultParams(m: LoadedModel): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(m.card?.makeExamplesParams ?? {}).sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (DV_MAKE_EXAMPLES_DEFAULTS[k] !== v) out[k] = v;
  }
  return out;
}

/** Explains one site for every model. */
export async function explainSite(req: ExplainRequest): Promise<ExplainOutput> {
  const signal = req.signal;
  const models = req.models;
  checkModels(models);
  if (!Number.isInteger(req.position) || req.position < 1) throw new VariantLensError('invalid-argument', `position must be a 1-based integer, got ${req.position}`);
  const seed = req.seed ?? DEFAULT_EXPLAIN_SEED;
  if (!Number.isInteger(seed)) throw new VariantLensError('invalid-argument', `seed must be an integer, got ${seed}`);
  const bandWidth = req.bandWidth ?? DEFAULT_BAND_WIDTH;
  if (!Number.isInteger(bandWidth) || bandWidth < 1) throw new VariantLensError('invalid-argument', `band width must be a positive integer, got ${bandWidth}`);
  const sampleName = req.sampleName ?? 'default';
  const n = models.length;
  const where = `${req.contig}:${req.position}`;
  const problems: string[] = [];
  let done = 0;
  let total = 0;
  const progress = (stage: ExplainStage, extra: Partial<ExplainProgress> = {}): void => req.onProgress?.({ stage, done, total, ...extra });
  progress('images');

  // ---- pipelines: cell (i, j) uses model i's layout with model j's parameters
  const reads = new SharedFetchSource(req.reads, { closesInner: false });
  const pipelines = new Map<string, Pipeline>();
  const cellKey: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    for (let j = 0; j < n; j++) {
      const mj = models[j]!;
      const own = modelPipeline(models[i]!.exampleInfo, mj.card?.makeExamplesParams, mj.dir).options;
      const options = req.populationVcfs && own.encoder.channels.includes(8) ? { ...own, populationVcfs: req.populationVcfs } : own;
      const key = pipelineKey(options);
      if (!pipelines.has(key)) pipelines.set(key, { key, options, reader: new PartitionReader(reads, req.reference, options) });
      row.push(key);
    }
    cellKey.push(row);
  }
  const anyReader = pipelines.values().next().value!.reader;
  const contigLength = await anyReader.contigLength(req.contig, signal);
  if (req.position > contigLength) throw new VariantLensError('region-invalid', `${where} is past the end of the contig (${contigLength} bp)`, req.reference.path);
  const region: CallingRegion = { contig: req.contig, start: 0, end: contigLength };
  const build = (p: Pipeline, alleles?: { refBases: string; altBases: readonly string[] }): Promise<SiteExamples> =>
    buildSiteExamples({ reads, reference: req.reference, contig: req.contig, position: req.position, options: p.options, partitionReader: p.reader, signal, region, ...(alleles ? { alleles } : {}) });

  // ---- the site's alleles
  let alleles = req.alleles;
  let allelesFrom: 'given' | 'candidate' = 'given';
  if (!alleles) {
    const reasons: string[] = [];
    let noReads = true;
    for (let i = 0; i < n && !alleles; i++) {
      const p = pipelines.get(cellKey[i]![i]!)!;
      const s = await build(p);
      if (s.analysis.dp > 0 || s.rows.length > 0) noReads = false;
      if (s.examples.length > 0) alleles = { refBases: s.refBases, altBases: s.altBases };
      else if (s.dvWouldMakeCandidate) throw new VariantLensError('region-invalid', `${where}: ${s.noExampleReason ?? 'no image can be made'}`);
      else reasons.push(`${models[i]!.name}: ${s.noExampleReason ?? 'no candidate'}`);
    }
    if (!alleles && noReads) throw new VariantLensError('invalid-argument', `no reads at ${where}: nothing to explain`, req.reads.path);
    if (!alleles) throw new VariantLensError('invalid-argument', `no candidate at ${where} with any model's make_examples parameters (${reasons.join('; ')}); give the alleles as ${where}:REF>ALT to image them anyway`);
    allelesFrom = 'candidate';
  }
  for (const p of pipelines.values()) {
    throwIfAborted(signal);
    p.site = await build(p, alleles);
  }
  const own = models.map((_, i) => pipelines.get(cellKey[i]![i]!)!);
  const ownSites = own.map((p) => (p.site!.examples.length > 0 ? p.site : undefined));
  ownSites.forEach((o, i) => {
    if (!o) problems.push(`${models[i]!.name} has no image of its own at ${where} (${own[i]!.site!.noExampleReason ?? 'no image'}): no reads, channels, bands or curves for it`);
  });
  if (own.every((p) => p.site!.examples.length === 0)) {
    const reason = own[0]!.site!.noExampleReason ?? 'no image';
    throw new VariantLensError(/off the contig/.test(reason) ? 'region-invalid' : 'invalid-argument', `no model has an image at ${where}: ${reason}`);
  }
  if (own.every((p) => p.site!.rows.length === 0)) throw new VariantLensError('invalid-argument', `no reads at ${where} pass the models' read filters: nothing to explain`, req.reads.path);

  const runAll = async (batches: Batch[], stage: ExplainStage, extra: Partial<ExplainProgress> = {}): Promise<void> => {
    for (let i = 0; i < n; i++) {
      throwIfAborted(signal);
      const before = done;
      await batches[i]!.run(models[i]!, signal, (d) => { done = before + d; progress(stage, extra); });
      done = before + batches[i]!.tensors.length;
    }
  };

  // ---- cross-run first: it is what a reviewer looks at first
  const crossBatches = models.map(() => new Batch());
  const cellProbs = new Map<string, GenotypeCall>(); // `${i}|${key}` → call
  for (let i = 0; i < n; i++) {
    for (const key of new Set(cellKey[i])) {
      const s = pipelines.get(key)!.site!;
      if (s.examples.length === 0) continue;
      crossBatches[i]!.add(s.examples.map((e) => e.tensor), (probs) => cellProbs.set(`${i}|${key}`, siteCall(s, probs, sampleName)));
    }
  }
  total = crossBatches.reduce((t, b) => t + b.tensors.length, 0);
  await runAll(crossBatches, 'cross-run');
  const crossRun: CrossRunCell[][] = models.map((_, i) => models.map((__, j) => {
    const key = cellKey[i]![j]!;
    const s = pipelines.get(key)!.site!;
    const call = cellProbs.get(`${i}|${key}`);
    const common = {
      candidate: s.dvWouldMakeCandidate, readRows: s.rows.length, altRows: altRowCount(s), dp: s.variant.dp, ad: [...s.variant.ad],
    };
    if (!call) {
      const reason = s.noExampleReason ?? 'no image';
      problems.push(`cross-run ${models[i]!.name} on ${models[j]!.name}'s parameters: ${reason}`);
      return { probs: null, gt: null, genotypeClass: null, alleles: [s.refBases, ...s.altBases], gq: null, qual: null, alleleSource: null, ...common, reason };
    }
    const { genotype: [a, b] } = mostLikelyGenotype(call.probabilities);
    return {
      probs: classProbs(call), gt: `${a}/${b}`, genotypeClass: genotypeClassOf(a, b), alleles: [call.referenceBases, ...call.alternateBases],
      gq: call.gq, qual: call.quality, alleleSource: s.alleleSource, ...common,
    };
  }));
  progress('cross-run', { crossRun });

  // ---- geometry and counterfactual inputs of each model's own images
  const geometry: (SiteGeometry | undefined)[] = own.map((p) => {
    const s = p.site!;
    if (s.examples.length === 0) return undefined;
    const o = p.options.encoder;
    return { referenceBandHeight: o.referenceBandHeight, windowBases: s.windowBases, drawn: encodeRows(s.rowReads, s.windowStart, s.windowBases, s.start, o).drawn };
  });
  const medians = own.map((p, i) => (geometry[i] ? siteMedians(p.site!.examples[0]!.tensor, geometry[i]!) : new Map<number, number>()));
  const partitions: (Partition | undefined)[] = await Promise.all(own.map(async (p) => (p.site!.examples.length ? p.reader.partition(p.reader.partitionOf(region, p.site!.start), region, signal) : undefined)));

  // ---- plan occlusion and curves (the progress total is exact from here on)
  const width = models[0]!.exampleInfo.shape[1];
  const channels = models[0]!.exampleInfo.channels;
  const bands = columnBands(width, bandWidth);
  const occBatches = models.map(() => new Batch());
  const curveBatches = models.map(() => new Batch());

  // occlusion: results per model
  const readDelta: (Map<number, ClassProbs> | undefined)[] = models.map(() => undefined);
  const channelDelta: (Map<number, ClassProbs> | undefined)[] = models.map(() => undefined);
  const bandDelta: (ClassProbs[] | undefined)[] = models.map(() => undefined);
  const baseProbs = (i: number): ClassProbs => classProbs(cellProbs.get(`${i}|${cellKey[i]![i]}`)!);
  const doOcclusion = req.stages?.occlusion !== false;
  const doCurves = req.stages?.curves !== false;
  if (!doOcclusion) problems.push('occlusion (reads, channels, bands) not computed: not requested');
  if (!doCurves) problems.push('curves not computed: not requested');
  for (let i = 0; i < n; i++) {
    const s = ownSites[i];
    const g = geometry[i];
    if (!s || !g || !doOcclusion) continue;
    const band = g.referenceBandHeight;
    const rd = new Map<number, ClassProbs>();
    const cd = new Map<number, ClassProbs>();
    const bd: ClassProbs[] = [];
    readDelta[i] = rd;
    channelDelta[i] = cd;
    bandDelta[i] = bd;
    const occluded = (tensors: PileupTensor[], set: (d: ClassProbs) => void): void => {
      // A counterfactual that changes no pixel (e.g. a MAPQ channel already at its median) needs no model run.
      if (tensors.every((t, k) => sameBytes(t.data, s.examples[k]!.tensor.data))) set([0, 0, 0]);
      else occBatches[i]!.add(tensors, (probs) => set(sub(baseProbs(i), classProbs(siteCall(s, probs, sampleName)))));
    };
    for (let k = 0; k < s.rows.length; k++) occluded(s.examples.map((e) => withoutReadRow(e.tensor, band, k)), (d) => rd.set(k, d));
    for (const id of channels) occluded(s.examples.map((e) => withChannelBaseline(e.tensor, g, id, medians[i]!)), (d) => cd.set(id, d));
    bands.forEach((b, bi) => occluded(s.examples.map((e) => withBandBaseline(e.tensor, g, medians[i]!, b.colStart, b.colEnd)), (d) => { bd[bi] = d; }));
  }

  // curves
  const curvePoints: { x: number[]; probs: (ClassProbs | null)[]; candidate: boolean[]; readRows: number[] }[][] = CURVE_NAMES.map(() => models.map(() => ({ x: [], probs: [], candidate: [], readRows: [] })));
  for (let i = 0; i < n; i++) {
    const s = ownSites[i];
    const part = partitions[i];
    if (!s || !part || !doCurves) continue;
    const options = own[i]!.options;
    const offered = offeredReads(part, s, options);
    const altKeys = altSupportKeys(s);
    CURVE_NAMES.forEach((name, ci) => {
      throwIfAborted(signal);
      const acc = curvePoints[ci]![i]!;
      for (const pt of curveReadSets(name, offered, altKeys, seed)) {
        const r = reimage(part, pt.reads, s, options);
        const idx = acc.x.length;
        acc.x.push(name === 'altFraction' ? (r.variant.dp > 0 ? r.variant.ad.slice(1).reduce((a, b) => a + b, 0) / r.variant.dp : 0) : pt.x);
        acc.candidate.push(r.dvWouldMakeCandidate);
        acc.readRows.push(r.rows.length);
        acc.probs.push(null);
        if (r.examples.length === 0) {
          problems.push(`${models[i]!.name}: ${name} curve point ${pt.x}: ${r.noExampleReason ?? 'no image'}`);
          continue;
        }
        if (r.examples.length === s.examples.length && r.examples.every((e, k) => e.altAlleleIndices.join() === s.examples[k]!.altAlleleIndices.join() && sameBytes(e.tensor.data, s.examples[k]!.tensor.data))) {
          acc.probs[idx] = baseProbs(i); // the unchanged point (e.g. 100 % depth): the model's own images
          continue;
        }
        curveBatches[i]!.add(r.examples.map((e) => e.tensor), (probs) => { acc.probs[idx] = classProbs(siteCall(r, probs, sampleName)); });
      }
    });
  }
  total = done + [...occBatches, ...curveBatches].reduce((t, b) => t + b.tensors.length, 0);
  progress('occlusion', { crossRun });


  // ---- occlusion and curves
  await runAll(occBatches, 'occlusion', { crossRun });
  await runAll(curveBatches, 'curves', { crossRun });

  const calledClass: (GenotypeClass | null)[] = crossRun.map((row, i) => row[i]!.genotypeClass);
  const deltaOf = (i: number, d: ClassProbs | undefined): number | null => {
    const cls = calledClass[i];
    return d && cls ? d[GENOTYPE_CLASSES.indexOf(cls)]! : null;
  };

  // reads: the union over the models' own images
  const byKey = new Map<string, { read: AlignedRead; rows: (number | null)[]; supports: (boolean | null)[]; deltas: (ClassProbs | null)[] }>();
  for (let i = 0; i < n; i++) {
    const s = ownSites[i];
    if (!s) continue;
    const band = geometry[i]!.referenceBandHeight;
    s.rowReads.forEach((r, k) => {
      const key = readKey(r);
      let e = byKey.get(key);
      if (!e) byKey.set(key, e = { read: r, rows: models.map(() => null), supports: models.map(() => null), deltas: models.map(() => null) });
      e.rows[i] = band + k;
      e.supports[i] = s.examples.some((ex) => ex.supports[k] === SUPPORTS_ALT_PIXEL);
      e.deltas[i] = readDelta[i]?.get(k) ?? null;
    });
  }
  const readList: ReadAttribution[] = [...byKey.values()]
    .sort((x, y) => x.read.start - y.read.start || (x.read.name < y.read.name ? -1 : x.read.name > y.read.name ? 1 : 0) || readNumber(x.read) - readNumber(y.read))
    .map((e) => ({
      name: e.read.name, readNumber: readNumber(e.read), mapq: e.read.mapq, reverse: (e.read.flags & 0x10) !== 0, start: e.read.start, end: e.read.end,
      cigar: cigarToString(e.read.cigar), rows: e.rows, supportsAlt: e.supports,
      deltaP: e.deltas.map((d, i) => deltaOf(i, d ?? undefined)), deltaProbs: e.deltas,
    }));

  const channelList: ChannelAttribution[] = channels.map((id) => {
    const pixel = models.map((_, i) => (baselineKind(id) === 'site-median' && ownSites[i] ? medians[i]!.get(id) ?? null : null));
    return {
      id, name: CHANNEL_NAMES[id]?.name ?? `channel_${id}`,
      baseline: { kind: baselineKind(id), description: baselineDescription(id, pixel), pixel },
      deltaP: models.map((_, i) => deltaOf(i, channelDelta[i]?.get(id))),
      deltaProbs: models.map((_, i) => channelDelta[i]?.get(id) ?? null),
    };
  });

  const windowStart = (ownSites.find((s) => s !== undefined)!).windowStart;
  const bandList: BandAttribution[] = bands.map((b, bi) => ({
    colStart: b.colStart, colEnd: b.colEnd, refStart: windowStart + b.colStart, refEnd: windowStart + b.colEnd, centre: b.centre,
    deltaP: models.map((_, i) => deltaOf(i, bandDelta[i]?.[bi])),
    deltaProbs: models.map((_, i) => bandDelta[i]?.[bi] ?? null),
  }));

  const curve = (name: CurveName): SensitivityCurve => {
    const pts = curvePoints[CURVE_NAMES.indexOf(name)]!;
    return { ...CURVE_TEXT[name], x: pts.map((p) => p.x), probs: pts.map((p) => p.probs), candidate: pts.map((p) => p.candidate), readRows: pts.map((p) => p.readRows) };
  };
  const curves: ExplainCurves = { depth: curve('depth'), altFraction: curve('altFraction'), baseQuality: curve('baseQuality'), mappingQuality: curve('mappingQuality') };

  const names = models.map((m) => m.name);
  const verdict = decideVerdict({
    names, crossRun, reads: readList,
    paramDifferences: (a, b) => compareParams(models[a]!.card, models[b]!.card).map((d) => `${d.param} ${String(d.b)} vs ${String(d.a)}`),
  });

  const modelInfo: ExplainModelInfo[] = models.map((m, i) => ({
    name: m.name, dir: m.dir, shape: [m.exampleInfo.shape[0], m.exampleInfo.shape[1], m.exampleInfo.shape[2]], channels: [...m.exampleInfo.channels],
    params: nonDefaultParams(m), notes: [...m.cardProblems, ...modelPipeline(m.exampleInfo, m.card?.makeExamplesParams, m.dir).notes, ...(ownSites[i] ? [] : [`no image of its own at ${where}: ${own[i]!.site!.noExampleReason ?? 'no image'}`])],
  }));

  const result: ExplainResult = {
    format: EXPLAIN_FORMAT_VERSION,
    locus: { contig: req.contig, position: req.position, refBases: alleles.refBases, altBases: [...alleles.altBases], allelesFrom },
    seed, classes: GENOTYPE_CLASSES, models: modelInfo, crossRun, reads: readList, channels: channelList,
    bandWidth, bandBaseline: BAND_BASELINE_TEXT, bands: bandList, curves, verdict,
    partial: problems.length > 0, problems,
  };
  progress('done', { crossRun });
  return { result, ownSites };
}
