/**
 * VCF text exactly as DeepVariant 1.5's postprocess_variants writes it through nucleus'
 * VcfWriter and htslib (docs/deepvariant.md §3.3 step 6):
 *  - header from dv_vcf_constants.deepvariant_header (FILTER PASS/RefCall/LowQual/NoCall,
 *    INFO END, FORMAT GT GQ DP MIN_DP AD VAF PL MED_DP), contigs from the reference .fai;
 *  - QUAL = floor(q·10 + 0.5)/10 (round_qualities), stored by htslib as float32, printed %g;
 *  - FORMAT keys in header order, present ones only: GT:GQ:DP:AD:VAF:PL;
 *  - VAF is a Float field: float32, printed %g (6 significant digits);
 *  - PL = (int)(-10·(GL_i − max GL)), truncated toward zero.
 *
 * Coordinates: calls are 0-based half-open; the VCF POS written is start + 1.
 */
import { readFile } from 'node:fs/promises';
import { VariantLensError, throwIfAborted, wrapError } from '../errors';
import type { ContigInfo } from '../io/fasta/referenceSource';
import type { GenotypeCall } from './genotypePostprocess';
import { formatPercentG } from './pythonNumerics';

/** The DeepVariant release whose postprocess rules this module reproduces. */
export const DEEPVARIANT_POSTPROCESS_VERSION = '1.5.0';

export interface DeepVariantHeaderOptions {
  readonly contigs: readonly ContigInfo[];
  readonly sampleName: string;
  /**
   * The line DeepVariant fills with `##DeepVariant_version=1.5.0`. We are not DeepVariant, so
   * by default we say who wrote the file and which rules it follows; pass a string to
   * override (without the leading `##`).
   */
  readonly versionLine?: string;
}

/** The header lines (without trailing newline), '#CHROM' line last. */
export function deepVariantHeaderLines(opts: DeepVariantHeaderOptions): string[] {
  const version = opts.versionLine ?? `variant-lens_postprocess=DeepVariant ${DEEPVARIANT_POSTPROCESS_VERSION} postprocess_variants rules`;
  return [
    '##fileformat=VCFv4.2',
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FILTER=<ID=RefCall,Description="Genotyping model thinks this site is reference.">',
    '##FILTER=<ID=LowQual,Description="Confidence in this variant being real is below calling threshold.">',
    '##FILTER=<ID=NoCall,Description="Site has depth=0 resulting in no call.">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position (for use with symbolic alleles)">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Conditional genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Minimum DP observed within the GVCF block.">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Read depth for each allele">',
    '##FORMAT=<ID=VAF,Number=A,Type=Float,Description="Variant allele fractions.">',
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods rounded to the closest integer">',
    '##FORMAT=<ID=MED_DP,Number=1,Type=Integer,Description="Median DP observed within the GVCF block rounded to the nearest integer.">',
    `##${version}`,
    ...opts.contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${opts.sampleName}`,
  ];
}

/** nucleus VcfWriter round_qualities, then htslib's float32 QUAL printed with %g. */
export function formatDvQual(quality: number): string {
  return formatPercentG(Math.fround(Math.floor(quality * 10 + 0.5) / 10));
}

/** PL from log10 GLs: zero-shift by the maximum, phred, C (int) truncation. */
export function phredLikelihoods(gls: readonly number[]): number[] {
  if (gls.length === 0) return [];
  const max = Math.max(...gls);
  return gls.map((gl) => Math.trunc(-10 * (gl - max)) + 0); // + 0 turns -0 into 0
}

function formatGenotype(gt: readonly number[]): string {
  return gt.map((a) => (a < 0 ? '.' : String(a))).join('/');
}

/** One data line (no newline). */
export function formatDeepVariantRecord(call: GenotypeCall): string {
  const keys = ['GT', 'GQ'];
  const values = [formatGenotype(call.genotype), String(call.gq)];
  if (call.dp !== undefined) { keys.push('DP'); values.push(String(call.dp)); }
  if (call.ad !== undefined && call.ad.length > 0) { keys.push('AD'); values.push(call.ad.join(',')); }
  if (call.vaf !== undefined && call.vaf.length > 0) { keys.push('VAF'); values.push(call.vaf.map((v) => formatPercentG(Math.fround(v))).join(',')); }
  if (call.genotypeLikelihoods.length > 0) { keys.push('PL'); values.push(phredLikelihoods(call.genotypeLikelihoods).join(',')); }
  return [
    call.referenceName,
    String(call.start + 1),
    '.',
    call.referenceBases,
    call.alternateBases.length ? call.alternateBases.join(',') : '.',
    formatDvQual(call.quality),
    call.filter,
    '.',
    keys.join(':'),
    values.join(':'),
  ].join('\t');
}

/**
 * Contigs of a FASTA from its `.fai` (`<fasta>.fai`), in file order — the order
 * postprocess_variants sorts by and lists in the header.
 */
export async function readFaiContigs(fastaPath: string, signal?: AbortSignal): Promise<ContigInfo[]> {
  throwIfAborted(signal);
  const fai = `${fastaPath}.fai`;
  let text: string;
  try {
    text = await readFile(fai, { encoding: 'utf8', signal });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new VariantLensError('missing-fai', `no FASTA index ${fai}; create it with \`samtools faidx ${fastaPath}\``, fastaPath);
    }
    throw wrapError(e, 'missing-fai', fai, 'cannot read FASTA index');
  }
  const contigs: ContigInfo[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const cols = line.split('\t');
    const length = Number(cols[1]);
    if (cols.length < 5 || !cols[0] || !Number.isInteger(length) || length < 0) {
      throw new VariantLensError('malformed-fasta', `line ${i + 1} of the index is not "name<TAB>length<TAB>offset<TAB>linebases<TAB>linewidth"`, fai);
    }
    contigs.push({ name: cols[0], length });
  }
  return contigs;
}
