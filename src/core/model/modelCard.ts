/**
 * Model cards: `model_card.json` next to each `model.onnx` says what the model is and what
 * it was trained on, so the UI can flag sites inside a model's training data (DeepVariant
 * holds out chr20–22 and HG003) and explain parameter-driven
 * disagreements between two models (e.g. vsc_min_fraction_snps 0.12 vs 0.02).
 *
 * Schema (all keys optional except name and version; validation lists what is missing):
 * {
 *   "name": "default", "version": "1.0.0", "description": "...",
 *   "architecture": "InceptionV3" | "small-cnn" | ...,
 *   "input": { "shape": [100, 221, 7], "channels": [1, 2, 3, 4, 5, 6, 19] },
 *   "trainedOn": { "samples": ["HG001", ...], "contigs": ["chr1", ...] | "regions": ["chr1:1-1000000", ...],
 *                  "heldOutSamples": ["HG003"], "heldOutContigs": ["chr20", "chr21", "chr22"] },
 *   "makeExamplesParams": { "min_base_quality": 10, "min_mapping_quality": 5,
 *                           "vsc_min_fraction_snps": 0.12, "vsc_min_fraction_indels": 0.06,
 *                           "vsc_min_count_snps": 2, "vsc_min_count_indels": 2, "p_error": 0.001, ... },
 *   "trainingRecipe": { "command": "...", ... } | "free text",
 *   "evaluation": { ... } | [ ... ]
 * }
 * Region strings are 1-based inclusive (samtools style).
 */
import { readFile } from 'node:fs/promises';
import { throwIfAborted, wrapError, VariantLensError } from '../errors';
import type { ExampleInfo } from '../io/examples/exampleInfo';

export type ParamValue = number | string | boolean;

export interface TrainingData {
  readonly samples?: readonly string[];
  readonly contigs?: readonly string[];
  /** "chr1:1-1000000" (1-based inclusive) or a bare contig name. */
  readonly regions?: readonly string[];
  readonly heldOutSamples?: readonly string[];
  readonly heldOutContigs?: readonly string[];
}

export interface ModelCard {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly architecture?: string;
  readonly input?: { readonly shape?: readonly number[]; readonly channels?: readonly number[] };
  readonly trainedOn?: TrainingData;
  readonly makeExamplesParams?: Readonly<Record<string, ParamValue>>;
  readonly trainingRecipe?: unknown;
  readonly evaluation?: unknown;
}

/** DeepVariant 1.5 make_examples defaults (docs/deepvariant.md §7.1), used when a card omits a parameter. */
export const DV_MAKE_EXAMPLES_DEFAULTS: Readonly<Record<string, ParamValue>> = {
  min_base_quality: 10,
  min_mapping_quality: 5,
  vsc_min_fraction_snps: 0.12,
  vsc_min_fraction_indels: 0.06,
  vsc_min_count_snps: 2,
  vsc_min_count_indels: 2,
  p_error: 0.001,
  partition_size: 1000,
  max_reads_per_partition: 1500,
  realign_reads: true,
};

/** The parameters a card should state (the ones that change which candidates exist). */
const KEY_PARAMS = ['min_base_quality', 'min_mapping_quality', 'vsc_min_fraction_snps', 'vsc_min_fraction_indels', 'vsc_min_count_snps', 'vsc_min_count_indels', 'p_error'];

export interface CardValidation {
  /** The card when it has at least a name and a version; undefined otherwise. */
  readonly card: ModelCard | undefined;
  /** Human-readable problems: missing fields, wrong types, disagreement with example_info. */
  readonly problems: string[];
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** Validates parsed card JSON. Never throws on content: a weak card still lets the model run. */
export function validateModelCard(json: unknown, exampleInfo?: ExampleInfo): CardValidation {
  const problems: string[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { card: undefined, problems: ['model_card.json is not a JSON object'] };
  const o = json as Record<string, unknown>;
  const name = typeof o['name'] === 'string' && o['name'] ? o['name'] : undefined;
  const version = typeof o['version'] === 'string' || typeof o['version'] === 'number' ? String(o['version']) : undefined;
  if (!name) problems.push('missing "name"');
  if (!version) problems.push('missing "version"');
  for (const k of ['description', 'architecture']) if (o[k] !== undefined && typeof o[k] !== 'string') problems.push(`"${k}" must be a string`);

  let input: ModelCard['input'];
  if (o['input'] !== undefined) {
    const i = o['input'] as Record<string, unknown>;
    const shape = Array.isArray(i?.['shape']) ? (i['shape'] as number[]) : undefined;
    const channels = Array.isArray(i?.['channels']) ? (i['channels'] as number[]) : undefined;
    input = { ...(shape ? { shape } : {}), ...(channels ? { channels } : {}) };
    if (exampleInfo && shape && shape.join(',') !== exampleInfo.shape.join(',')) problems.push(`card input shape [${shape.join(',')}] differs from example_info.json [${exampleInfo.shape.join(',')}]`);
    if (exampleInfo && channels && channels.join(',') !== exampleInfo.channels.join(',')) problems.push(`card input channels [${channels.join(',')}] differ from example_info.json [${exampleInfo.channels.join(',')}]`);
  }

  let trainedOn: TrainingData | undefined;
  const t = o['trainedOn'];
  if (t === undefined) problems.push('missing "trainedOn": training data unknown');
  else if (typeof t !== 'object' || t === null || Array.isArray(t)) problems.push('"trainedOn" must be an object');
  else {
    const tt = t as Record<string, unknown>;
    const out: Record<string, string[]> = {};
    for (const k of ['samples', 'contigs', 'regions', 'heldOutSamples', 'heldOutContigs']) {
      if (tt[k] === undefined) continue;
      const l = stringList(tt[k]);
      if (l) out[k] = l; else problems.push(`"trainedOn.${k}" must be a list of strings`);
    }
    if (!out['samples']) problems.push('missing "trainedOn.samples"');
    if (!out['contigs'] && !out['regions']) problems.push('missing "trainedOn.contigs" or "trainedOn.regions"');
    if (!out['heldOutSamples']) problems.push('missing "trainedOn.heldOutSamples"');
    if (!out['heldOutContigs']) problems.push('missing "trainedOn.heldOutContigs"');
    trainedOn = out;
  }

  let params: Record<string, ParamValue> | undefined;
  const p = o['makeExamplesParams'];
  if (p === undefined) problems.push('missing "makeExamplesParams": DeepVariant defaults assumed');
  else if (typeof p !== 'object' || p === null || Array.isArray(p)) problems.push('"makeExamplesParams" must be an object');
  else {
    params = {};
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') params[k] = v;
      else problems.push(`"makeExamplesParams.${k}" must be a number, string or boolean`);
    }
    const missing = KEY_PARAMS.filter((k) => params![k] === undefined);
    if (missing.length) problems.push(`"makeExamplesParams" does not state ${missing.join(', ')} (DeepVariant defaults assumed)`);
  }
  if (o['trainingRecipe'] === undefined) problems.push('missing "trainingRecipe"');
  if (o['evaluation'] === undefined) problems.push('missing "evaluation"');

  if (!name || !version) return { card: undefined, problems };
  const card: ModelCard = {
    name, version,
    ...(typeof o['description'] === 'string' ? { description: o['description'] } : {}),
    ...(typeof o['architecture'] === 'string' ? { architecture: o['architecture'] } : {}),
    ...(input ? { input } : {}),
    ...(trainedOn ? { trainedOn } : {}),
    ...(params ? { makeExamplesParams: params } : {}),
    ...(o['trainingRecipe'] !== undefined ? { trainingRecipe: o['trainingRecipe'] } : {}),
    ...(o['evaluation'] !== undefined ? { evaluation: o['evaluation'] } : {}),
  };
  return { card, problems };
}

/** Reads and validates `path`; a missing file is not an error (card undefined, "training data unknown"). */
export async function readModelCard(path: string, exampleInfo?: ExampleInfo, signal?: AbortSignal): Promise<CardValidation> {
  throwIfAborted(signal);
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { card: undefined, problems: ['no model_card.json: training data unknown'] };
    throw wrapError(e, 'model-card-invalid', path, 'cannot read model card');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // An error, not a warning: running on would silently use DeepVariant's default
    // make_examples parameters instead of the ones the card states.
    throw new VariantLensError('model-card-invalid', `is not valid JSON (${e instanceof Error ? e.message : String(e)}); fix it, or remove it to run with DeepVariant's default parameters`, path, { cause: e });
  }
  const v = validateModelCard(json, exampleInfo);
  const fatal = v.problems.find((p) => /^"makeExamplesParams(\.[^"]+)?" must be/.test(p)) ?? (json === null || typeof json !== 'object' || Array.isArray(json) ? 'the card must be a JSON object' : undefined);
  if (fatal) throw new VariantLensError('model-card-invalid', `${fatal}; fix the card (its make_examples parameters cannot be used as they are)`, path);
  return v;
}

// ---------------------------------------------------------------------------------------
// Hold-out checks

/** GIAB sample ids and their Coriell names (HG001 = NA12878, …). */
const SAMPLE_ALIASES: readonly (readonly string[])[] = [
  ['HG001', 'NA12878'], ['HG002', 'NA24385'], ['HG003', 'NA24149'], ['HG004', 'NA24143'],
  ['HG005', 'NA24631'], ['HG006', 'NA24694'], ['HG007', 'NA24695'],
];

function sampleKey(s: string): string {
  const u = s.trim().toUpperCase();
  const alias = SAMPLE_ALIASES.find((a) => a.includes(u));
  return alias ? alias[0]! : u;
}

/** `chr20` and `20` are the same contig; so are chrM, M and MT. */
function contigKey(c: string): string {
  const n = c.trim().replace(/^chr/i, '').toUpperCase();
  return n === 'MT' ? 'M' : n;
}

function parseRegion(r: string): { contig: string; start?: number; end?: number } {
  const m = /^(.+):([\d,]+)-([\d,]+)$/.exec(r.trim());
  if (!m) return { contig: r.trim() };
  return { contig: m[1]!, start: Number(m[2]!.replace(/,/g, '')), end: Number(m[3]!.replace(/,/g, '')) };
}

export interface TrainingMembership {
  readonly inTraining: boolean | 'unknown';
  readonly reason: string;
}

/**
 * The leakage guard's question: is this contig, or this sample, held out from the model's
 * training (trainedOn.heldOutContigs / heldOutSamples)? The reason, or undefined.
 */
export function heldOutReason(card: ModelCard, contig: string, sample: string | undefined): string | undefined {
  const t = card.trainedOn;
  if (!t) return undefined;
  const ck = contigKey(contig);
  if (t.heldOutContigs?.some((c) => contigKey(c) === ck)) return `${contig} is held out from ${card.name}'s training (heldOutContigs: ${t.heldOutContigs.join(', ')})`;
  if (sample !== undefined) {
    const sk = sampleKey(sample);
    if (t.heldOutSamples?.some((s) => sampleKey(s) === sk)) return `sample ${sample} is held out from ${card.name}'s training (heldOutSamples: ${t.heldOutSamples.join(', ')})`;
  }
  return undefined;
}

/**
 * Was this site (contig, optional 1-based position) of this sample in the model's training
 * data? Held-out contigs/samples answer `false` first; then the training lists decide.
 */
export function siteInTrainingData(card: ModelCard | undefined, contig: string, sample: string, pos1?: number): TrainingMembership {
  if (!card || !card.trainedOn) return { inTraining: 'unknown', reason: `training data unknown (${card ? `the card of ${card.name} does not say what it was trained on` : 'no model card'})` };
  const t = card.trainedOn;
  const ck = contigKey(contig);
  const sk = sampleKey(sample);
  const heldContig = t.heldOutContigs?.find((c) => contigKey(c) === ck);
  if (heldContig) return { inTraining: false, reason: `${contig} is held out from ${card.name}'s training (heldOutContigs: ${t.heldOutContigs!.join(', ')})` };
  const heldSample = t.heldOutSamples?.find((s) => sampleKey(s) === sk);
  if (heldSample) return { inTraining: false, reason: `sample ${sample} is held out from ${card.name}'s training (heldOutSamples: ${t.heldOutSamples!.join(', ')})` };

  let sampleIn: boolean | undefined;
  if (t.samples) sampleIn = t.samples.some((s) => sampleKey(s) === sk);
  if (sampleIn === false) return { inTraining: false, reason: `sample ${sample} is not among ${card.name}'s training samples (${t.samples!.join(', ')})` };

  let contigIn: boolean | 'unknown' | undefined;
  if (t.contigs) contigIn = t.contigs.some((c) => contigKey(c) === ck);
  else if (t.regions) {
    const regions = t.regions.map(parseRegion).filter((r) => contigKey(r.contig) === ck);
    if (regions.length === 0) contigIn = false;
    else if (regions.some((r) => r.start === undefined)) contigIn = true;
    else if (pos1 === undefined) contigIn = 'unknown';
    else contigIn = regions.some((r) => pos1 >= r.start! && pos1 <= r.end!);
  }
  if (contigIn === false) return { inTraining: false, reason: `${contig}${pos1 !== undefined ? `:${pos1}` : ''} is outside ${card.name}'s training ${t.contigs ? 'contigs' : 'regions'}` };
  if (sampleIn === true && contigIn === true) return { inTraining: true, reason: `${card.name} was trained on sample ${sample} at ${contig}${pos1 !== undefined ? `:${pos1}` : ''}` };
  const missing = [sampleIn === undefined ? 'training samples' : '', contigIn === undefined ? 'training contigs/regions' : contigIn === 'unknown' ? 'a position to check the training regions' : ''].filter(Boolean);
  return { inTraining: 'unknown', reason: `cannot tell whether ${contig} of ${sample} was in ${card.name}'s training data: missing ${missing.join(' and ')}` };
}

// ---------------------------------------------------------------------------------------
// Parameter comparison

export interface ParamDifference {
  readonly param: string;
  /** Effective values (the card's, or DeepVariant's default when the card omits it). */
  readonly a: ParamValue | undefined;
  readonly b: ParamValue | undefined;
  readonly aIsDefault: boolean;
  readonly bIsDefault: boolean;
}

function effective(card: ModelCard | undefined, param: string): { value: ParamValue | undefined; isDefault: boolean } {
  const v = card?.makeExamplesParams?.[param];
  if (v !== undefined) return { value: v, isDefault: false };
  return { value: DV_MAKE_EXAMPLES_DEFAULTS[param], isDefault: true };
}

/** The make_examples parameters whose effective values differ between two models. */
export function compareParams(a: ModelCard | undefined, b: ModelCard | undefined): ParamDifference[] {
  const keys = [...new Set([...KEY_PARAMS, ...Object.keys(a?.makeExamplesParams ?? {}), ...Object.keys(b?.makeExamplesParams ?? {})])];
  const out: ParamDifference[] = [];
  for (const param of keys) {
    const ea = effective(a, param);
    const eb = effective(b, param);
    if (ea.value !== eb.value) out.push({ param, a: ea.value, b: eb.value, aIsDefault: ea.isDefault, bIsDefault: eb.isDefault });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Why does one model have a candidate the other lacks?

/** One read at the site, for re-applying each model's read and base-quality thresholds. */
export interface SiteRead {
  readonly supportsAlt: boolean;
  /**
   * Base quality of the read's base (or summed inserted-base quality / length) at the site;
   * undefined for a deletion, which never goes through the base-quality test (docs/deepvariant.md §7.2).
   */
  readonly baseQuality?: number;
  readonly mappingQuality: number;
}

export interface CandidateEvidence {
  /** Alt reads / counted reads, as the allele counter saw it (used when `reads` is absent). */
  readonly altFraction: number;
  readonly altCount: number;
  readonly isIndel: boolean;
  /** Per-read detail; when given, counts and fractions are recomputed under each model's thresholds. */
  readonly reads?: readonly SiteRead[];
}

export interface CandidateVerdict {
  readonly model: string;
  readonly makesCandidate: boolean;
  readonly altCount: number;
  readonly altFraction: number;
  /** Each threshold and how the site compares with it. */
  readonly reasons: string[];
}

export interface CandidateExplanation {
  readonly a: CandidateVerdict;
  readonly b: CandidateVerdict;
  /** One sentence for the UI. */
  readonly summary: string;
}

function num(card: ModelCard | undefined, param: string): { value: number; label: string } {
  const e = effective(card, param);
  return { value: Number(e.value), label: `${e.value}${e.isDefault ? ' (default)' : ''}` };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(3)));
}

function verdict(card: ModelCard | undefined, fallbackName: string, ev: CandidateEvidence): CandidateVerdict & { fracParam: string; fraction: { value: number; label: string }; countParam: string; count: { value: number; label: string } } {
  const model = card?.name ?? fallbackName;
  const fracParam = ev.isIndel ? 'vsc_min_fraction_indels' : 'vsc_min_fraction_snps';
  const countParam = ev.isIndel ? 'vsc_min_count_indels' : 'vsc_min_count_snps';
  const fraction = num(card, fracParam);
  const count = num(card, countParam);
  const reasons: string[] = [];
  let altCount = ev.altCount;
  let altFraction = ev.altFraction;
  if (ev.reads) {
    // docs/deepvariant.md §7.1–7.2: reads under min_mapping_quality are not counted at all; bases under
    // min_base_quality are low-quality alleles, excluded from counts and from the total.
    const mq = num(card, 'min_mapping_quality');
    const bq = num(card, 'min_base_quality');
    const usable = ev.reads.filter((r) => r.mappingQuality >= mq.value);
    const counted = usable.filter((r) => r.baseQuality === undefined || r.baseQuality >= bq.value);
    altCount = counted.filter((r) => r.supportsAlt).length;
    altFraction = counted.length ? altCount / counted.length : 0;
    const droppedMq = ev.reads.length - usable.length;
    const droppedBq = usable.length - counted.length;
    if (droppedMq) reasons.push(`${droppedMq} read(s) below min_mapping_quality ${mq.label} are not counted`);
    if (droppedBq) reasons.push(`${droppedBq} base(s) below min_base_quality ${bq.label} are low quality and not counted`);
  }
  const countOk = altCount >= count.value;
  const fracOk = altFraction >= fraction.value;
  reasons.push(`alt count ${altCount} ${countOk ? '≥' : '<'} ${countParam} ${count.label}`);
  reasons.push(`alt fraction ${fmt(altFraction)} ${fracOk ? '≥' : '<'} ${fracParam} ${fraction.label}`);
  return { model, makesCandidate: countOk && fracOk, altCount, altFraction, reasons, fracParam, fraction, countParam, count };
}

/**
 * Applies each model's candidate thresholds (very-sensitive caller, docs/deepvariant.md §7.3) to the
 * evidence at a site and says which model makes the candidate and why.
 */
export function explainCandidateDifference(a: ModelCard | undefined, b: ModelCard | undefined, ev: CandidateEvidence): CandidateExplanation {
  const va = verdict(a, 'model A', ev);
  const vb = verdict(b, 'model B', ev);
  const strip = ({ model, makesCandidate, altCount, altFraction, reasons }: CandidateVerdict): CandidateVerdict => ({ model, makesCandidate, altCount, altFraction, reasons });
  let summary: string;
  if (va.makesCandidate === vb.makesCandidate) {
    summary = va.makesCandidate
      ? `both ${va.model} and ${vb.model} make this candidate (alt fraction ${fmt(va.altFraction)}, ${va.altCount} alt reads)`
      : `neither ${va.model} nor ${vb.model} makes this candidate: ${va.reasons.filter((r) => r.includes('<')).join('; ')}`;
  } else {
    const [yes, no] = va.makesCandidate ? [va, vb] : [vb, va];
    const fracDiffers = no.altFraction < no.fraction.value && yes.altFraction >= yes.fraction.value;
    const countDiffers = no.altCount < no.count.value && yes.altCount >= yes.count.value;
    const parts: string[] = [];
    if (fracDiffers) {
      parts.push(no.altFraction === yes.altFraction
        ? `alt fraction ${fmt(no.altFraction)} is below ${no.fracParam} ${no.fraction.label} (${no.model}) and above ${yes.fraction.label} (${yes.model})`
        : `alt fraction is ${fmt(no.altFraction)} under ${no.model}'s read filters, below its ${no.fracParam} ${no.fraction.label}, and ${fmt(yes.altFraction)} under ${yes.model}'s, above ${yes.fraction.label}`);
    }
    if (countDiffers) {
      parts.push(no.altCount === yes.altCount
        ? `alt count ${no.altCount} is below ${no.countParam} ${no.count.label} (${no.model}) and at least ${yes.count.label} (${yes.model})`
        : `alt count is ${no.altCount} under ${no.model}'s read filters (below ${no.count.label}) and ${yes.altCount} under ${yes.model}'s`);
    }
    summary = `${parts.join('; ')}: only ${yes.model} makes this candidate`;
  }
  return { a: strip(va), b: strip(vb), summary };
}
