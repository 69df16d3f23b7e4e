/**
 * A model's make_examples parameters (its model card's `makeExamplesParams`, DeepVariant flag
 * names in snake_case) turned into our encoder's PipelineOptions, so that `variant-lens call`
 * and the training scripts find candidates and draw images exactly as the model's training
 * examples were made. This is what makes a retrained model (min_base_quality 5,
 * min_mapping_quality 1, vsc_min_fraction_snps 0.02) see a different candidate set than the
 * default one.
 *
 * Parameters we apply (docs/deepvariant.md §7.1 defaults when absent):
 *   min_base_quality, min_mapping_quality             read/base filters (docs/deepvariant.md §1.3, §7.2)
 *   vsc_min_count_snps, vsc_min_count_indels,
 *   vsc_min_fraction_snps, vsc_min_fraction_indels    the very-sensitive caller (docs/deepvariant.md §7.3)
 *   partition_size, max_reads_per_partition           partitioning and reservoir sampling (§1.3)
 *   keep_duplicates, keep_secondary_alignments, keep_supplementary_alignments
 *   realign_reads                                     DeepVariant's local realigner (realigner/realigner.ts)
 *                                                     runs in the encoder; DeepVariant's default (true) when absent,
 *                                                     so DeepVariant WGS/WES models realign and our demo models
 *                                                     (`realign_reads: false` in their cards) do not
 * Parameters that do not change our examples (p_error: the gVCF model only) are accepted.
 */
import { VariantLensError } from '../errors';
import type { ExampleInfo } from '../io/examples/exampleInfo';
import { DEFAULT_READ_REQUIREMENTS, type ReadRequirements } from '../pileup/candidates/readFilters';
import { type PipelineOptions, pipelineOptions } from '../pileup/siteExamples';
import { type CallerOptions, DEFAULT_CALLER_OPTIONS } from '../pileup/variantCaller';
import { DV_MAKE_EXAMPLES_DEFAULTS, type ParamValue } from './modelCard';

export type MakeExamplesParams = Readonly<Record<string, ParamValue>>;

/** The retrained demo model's parameters (issue #4): the changes that move the candidate set. */
export const RETRAINED_PARAM_CHANGES: MakeExamplesParams = {
  min_base_quality: 5,
  min_mapping_quality: 1,
  vsc_min_fraction_snps: 0.02,
};

/** Parameters that do not influence our candidates or images (accepted silently). */
const NEUTRAL_PARAMS = new Set(['p_error']);

export interface ModelPipeline {
  readonly options: PipelineOptions;
  /** Every parameter's effective value (card value, else DeepVariant's default). */
  readonly effective: Readonly<Record<string, ParamValue>>;
  /** Human-readable notes: unknown parameters. */
  readonly notes: readonly string[];
}

function numberParam(params: MakeExamplesParams, key: string, fallback: number, file: string | undefined, integer: boolean): number {
  const v = params[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new VariantLensError('model-card-invalid', `makeExamplesParams.${key} must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`, file);
  }
  return n;
}

function boolParam(params: MakeExamplesParams, key: string, fallback: boolean, file: string | undefined): boolean {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new VariantLensError('model-card-invalid', `makeExamplesParams.${key} must be true or false, got ${JSON.stringify(v)}`, file);
}

/**
 * PipelineOptions for a model: image shape, channels and downsampling from its
 * example_info.json, read filters and caller thresholds from its card's parameters.
 * `file` (the card) is named in errors about bad values.
 */
export function modelPipeline(info: ExampleInfo, params: MakeExamplesParams | undefined, file?: string): ModelPipeline {
  const p = params ?? {};
  const notes: string[] = [];
  const known = new Set([...Object.keys(DV_MAKE_EXAMPLES_DEFAULTS), ...NEUTRAL_PARAMS, 'keep_duplicates', 'keep_secondary_alignments', 'keep_supplementary_alignments']);
  for (const k of Object.keys(p)) if (!known.has(k)) notes.push(`make_examples parameter ${k} is not used by our encoder`);
  const d = (k: string): number => Number(DV_MAKE_EXAMPLES_DEFAULTS[k]);
  const readRequirements: ReadRequirements = {
    ...DEFAULT_READ_REQUIREMENTS,
    minMappingQuality: numberParam(p, 'min_mapping_quality', d('min_mapping_quality'), file, true),
    minBaseQuality: numberParam(p, 'min_base_quality', d('min_base_quality'), file, true),
    keepDuplicates: boolParam(p, 'keep_duplicates', DEFAULT_READ_REQUIREMENTS.keepDuplicates, file),
    keepSecondaryAlignments: boolParam(p, 'keep_secondary_alignments', DEFAULT_READ_REQUIREMENTS.keepSecondaryAlignments, file),
    keepSupplementaryAlignments: boolParam(p, 'keep_supplementary_alignments', DEFAULT_READ_REQUIREMENTS.keepSupplementaryAlignments, file),
  };
  const caller: CallerOptions = {
    vscMinCountSnps: numberParam(p, 'vsc_min_count_snps', DEFAULT_CALLER_OPTIONS.vscMinCountSnps, file, true),
    vscMinCountIndels: numberParam(p, 'vsc_min_count_indels', DEFAULT_CALLER_OPTIONS.vscMinCountIndels, file, true),
    vscMinFractionSnps: numberParam(p, 'vsc_min_fraction_snps', DEFAULT_CALLER_OPTIONS.vscMinFractionSnps, file, false),
    vscMinFractionIndels: numberParam(p, 'vsc_min_fraction_indels', DEFAULT_CALLER_OPTIONS.vscMinFractionIndels, file, false),
  };
  const partitionSize = numberParam(p, 'partition_size', d('partition_size'), file, true);
  const maxReadsPerPartition = numberParam(p, 'max_reads_per_partition', d('max_reads_per_partition'), file, true);
  if (partitionSize < 1) throw new VariantLensError('model-card-invalid', 'makeExamplesParams.partition_size must be at least 1', file);
  const realign = boolParam(p, 'realign_reads', DV_MAKE_EXAMPLES_DEFAULTS['realign_reads'] === true, file);
  const options = pipelineOptions(info, { readRequirements, caller, partitionSize, maxReadsPerPartition, realignReads: realign });
  const effective: Record<string, ParamValue> = {
    ...DV_MAKE_EXAMPLES_DEFAULTS,
    ...p,
    min_base_quality: readRequirements.minBaseQuality,
    min_mapping_quality: readRequirements.minMappingQuality,
    vsc_min_count_snps: caller.vscMinCountSnps,
    vsc_min_count_indels: caller.vscMinCountIndels,
    vsc_min_fraction_snps: caller.vscMinFractionSnps,
    vsc_min_fraction_indels: caller.vscMinFractionIndels,
    partition_size: partitionSize,
    max_reads_per_partition: maxReadsPerPartition,
    realign_reads: realign,
  };
  return { options, effective, notes };
}

/**
 * A key that is equal for two pipelines exactly when they give the same candidates and the
 * same images, so models sharing it share one encoding pass.
 */
export function pipelineKey(o: PipelineOptions): string {
  // The population VCFs by their paths (the reader object holds open files, not JSON).
  const { realigner, populationVcfs, ...rest } = o;
  return JSON.stringify(rest) + (realigner ? ':realigner' : '') + (populationVcfs ? `:population-vcfs=${JSON.stringify(populationVcfs.paths)}` : '');
}
