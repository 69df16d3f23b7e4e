/**
 * postprocess_variants as a whole (docs/deepvariant.md §3.3): call_variants outputs in, a sorted,
 * genotyped, haplotype-resolved call set and its VCF text out.
 *
 *  1. sort CVOs by (contig index in the reference, start, end), stable;
 *  2. group consecutive CVOs with the same (contig, start, end);
 *  3. per group: merge_predictions + add_call_to_variant (genotypePostprocess.ts);
 *  4. haplotype conflict resolution (haplotypeResolution.ts);
 *  5. VCF text (deepVariantVcf.ts).
 *
 * The input is plain `CvoRecord`s, so `variant-lens call` can feed model outputs straight
 * in (after roundGls) without writing a TFRecord first.
 */
import { createWriteStream } from 'node:fs';
import { VariantLensError, throwIfAborted, wrapError } from '../errors';
import { encodeCallVariantsOutput, readCallVariantsOutputs, type DvValue, type DvVariant } from '../io/examples/nucleusProtos';
import { TfRecordWriter } from '../io/examples/tfrecord';
import type { ContigInfo } from '../io/fasta/referenceSource';
import { deepVariantHeaderLines, formatDeepVariantRecord, readFaiContigs } from './deepVariantVcf';
import {
  DEFAULT_SAMPLE_NAME, DV_POSTPROCESS_DEFAULTS, postprocessSite,
  type CandidateVariant, type CvoRecord, type GenotypeCall, type PostprocessOptions,
} from './genotypePostprocess';
import { resolveConflictingVariants } from './haplotypeResolution';

export interface PostprocessVariantsOptions extends Partial<PostprocessOptions> {
  /** docs/deepvariant.md §3.3 step 5; DeepVariant's --disable_haplotype_resolution. */
  readonly disableHaplotypeResolution?: boolean;
  /**
   * DeepVariant's `--group_variants` (default true): CVOs of the same (contig, start, end) are
   * merged into one record. False (used with vcf_candidate_importer when multi-allelic sites
   * are split across VCF lines): `itertools.groupby` without a key, so only consecutive
   * identical CVOs share a group and every other CVO becomes its own record
   * (`postprocess_variants.py: _transform_call_variants_output_to_variants`).
   */
  readonly groupVariants?: boolean;
}

function sameCvo(a: CvoRecord, b: CvoRecord): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function numbers(values: readonly DvValue[] | undefined): number[] | undefined {
  if (!values) return undefined;
  return values.map((v) => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number(v)));
}

/** The candidate fields postprocess needs from a decoded nucleus Variant (calls[0] DP/AD/VAF). */
export function candidateFromDvVariant(v: DvVariant): CandidateVariant {
  const call = v.calls[0];
  const dp = numbers(call?.info['DP']);
  const ad = numbers(call?.info['AD']);
  const vaf = numbers(call?.info['VAF']);
  return {
    referenceName: v.referenceName,
    start: v.start,
    end: v.end,
    referenceBases: v.referenceBases,
    alternateBases: v.alternateBases,
    ...(call?.callSetName ? { callSetName: call.callSetName } : {}),
    ...(dp && dp.length ? { dp: dp[0]! } : {}),
    ...(ad ? { ad } : {}),
    ...(vaf ? { vaf } : {}),
  };
}

/**
 * Sorts, groups, genotypes and resolves. `contigs` give the sort order (the reference's
 * .fai order, as DeepVariant); a CVO on a contig the reference lacks is an error.
 */
export async function postprocessVariants(
  cvos: Iterable<CvoRecord> | AsyncIterable<CvoRecord>,
  contigs: readonly ContigInfo[],
  options: PostprocessVariantsOptions = {},
  signal?: AbortSignal,
): Promise<{ sampleName: string; calls: GenotypeCall[] }> {
  const contigIndex = new Map(contigs.map((c, i) => [c.name, i]));
  const keyed: { cvo: CvoRecord; contig: number; seq: number }[] = [];
  for await (const cvo of cvos) {
    if (keyed.length % 4096 === 0) throwIfAborted(signal);
    const contig = contigIndex.get(cvo.variant.referenceName);
    if (contig === undefined) {
      throw new VariantLensError('contig-not-found',
        `call_variants output at ${cvo.variant.referenceName}:${cvo.variant.start + 1} is on a contig the reference does not have (reference contigs: ${contigs.slice(0, 5).map((c) => c.name).join(', ')}${contigs.length > 5 ? ', …' : ''})`);
    }
    keyed.push({ cvo, contig, seq: keyed.length });
  }
  keyed.sort((a, b) => a.contig - b.contig || a.cvo.variant.start - b.cvo.variant.start || a.cvo.variant.end - b.cvo.variant.end || a.seq - b.seq);

  // DeepVariant takes the sample from the first CVO, then --sample_name, then "default".
  const sampleName = keyed[0]?.cvo.variant.callSetName || options.sampleName || DEFAULT_SAMPLE_NAME;
  const opts: PostprocessOptions = { ...DV_POSTPROCESS_DEFAULTS, ...options, sampleName };

  const calls: GenotypeCall[] = [];
  for (let i = 0; i < keyed.length;) {
    if (calls.length % 1024 === 0) throwIfAborted(signal);
    const v = keyed[i]!.cvo.variant;
    let j = i + 1;
    while (j < keyed.length) {
      if (options.groupVariants === false) {
        if (!sameCvo(keyed[j]!.cvo, keyed[i]!.cvo)) break;
        j++;
        continue;
      }
      const w = keyed[j]!.cvo.variant;
      if (w.referenceName !== v.referenceName || w.start !== v.start || w.end !== v.end) break;
      j++;
    }
    const call = postprocessSite(keyed.slice(i, j).map((k) => k.cvo), opts);
    calls.push({ ...call, callSetName: sampleName });
    i = j;
  }
  return { sampleName, calls: options.disableHaplotypeResolution ? calls : resolveConflictingVariants(calls) };
}

/** The inverse of candidateFromDvVariant: the candidate as make_examples' Variant proto (calls[0] with DP/AD/VAF, genotype [-1,-1]). */
export function dvVariantFromCandidate(v: CandidateVariant): DvVariant {
  const info: DvVariant['calls'][number]['info'] = {};
  if (v.dp !== undefined) info['DP'] = [v.dp];
  if (v.ad) info['AD'] = [...v.ad];
  if (v.vaf) info['VAF'] = [...v.vaf];
  return {
    referenceName: v.referenceName, start: v.start, end: v.end, referenceBases: v.referenceBases, alternateBases: [...v.alternateBases],
    names: [], filter: [], info: {},
    calls: [{ callSetName: v.callSetName ?? '', genotype: [-1, -1], genotypeLikelihood: [], info, isPhased: false }],
  };
}

/**
 * Writes CvoRecords as DeepVariant's call_variants output: CallVariantsOutput protos in a
 * TFRecord, gzip when `path` ends in .gz (docs/deepvariant.md §3.2, §4.3).
 */
export async function writeCvoRecords(path: string, cvos: Iterable<CvoRecord>): Promise<number> {
  const writer = await TfRecordWriter.open(path);
  try {
    for (const c of cvos) {
      await writer.write(encodeCallVariantsOutput({ variant: dvVariantFromCandidate(c.variant), altAlleleIndices: [...c.altAlleleIndices], genotypeProbabilities: [...c.genotypeProbabilities] }));
    }
  } finally {
    await writer.close();
  }
  return writer.written;
}

/** Reads a call_variants output TFRecord (gzip when named .gz) as CvoRecords. */
export async function* readCvoRecords(path: string, signal?: AbortSignal): AsyncIterable<CvoRecord> {
  for await (const cvo of readCallVariantsOutputs(path, signal)) {
    yield { variant: candidateFromDvVariant(cvo.variant), altAlleleIndices: cvo.altAlleleIndices, genotypeProbabilities: cvo.genotypeProbabilities };
  }
}

/** Whole VCF text for a call set. */
export function formatDeepVariantVcf(calls: readonly GenotypeCall[], contigs: readonly ContigInfo[], sampleName: string, versionLine?: string): string {
  const lines = deepVariantHeaderLines({ contigs, sampleName, ...(versionLine !== undefined ? { versionLine } : {}) });
  for (const c of calls) lines.push(formatDeepVariantRecord(c));
  return lines.join('\n') + '\n';
}

export interface PostprocessFileResult {
  readonly sampleName: string;
  readonly records: number;
  readonly calls: GenotypeCall[];
}

/**
 * `variant-lens postprocess`: CVO TFRecord + reference (.fai for contigs) → plain VCF at
 * `outPath`. Errors name the file they come from.
 */
export async function postprocessCvoFile(
  cvoPath: string, fastaPath: string, outPath: string, options: PostprocessVariantsOptions = {}, signal?: AbortSignal,
): Promise<PostprocessFileResult> {
  const contigs = await readFaiContigs(fastaPath, signal);
  const { sampleName, calls } = await postprocessVariants(readCvoRecords(cvoPath, signal), contigs, options, signal)
    .catch((e: unknown) => { throw e instanceof VariantLensError && !e.file ? new VariantLensError(e.code, e.message, cvoPath, { cause: e }) : wrapError(e, 'protobuf-corrupt', cvoPath, 'cannot postprocess'); });
  const text = formatDeepVariantVcf(calls, contigs, sampleName);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(outPath);
    out.on('error', (e) => reject(wrapError(e, 'invalid-argument', outPath, 'cannot write VCF')));
    out.end(text, () => resolve());
  });
  return { sampleName, records: calls.length, calls };
}
