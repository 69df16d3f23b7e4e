/**
 * Checks of VCF record content that would otherwise give a wrong answer quietly (VCF 4.3
 * §1.6.1): an ALT equal to REF or empty, a GT allele that is not a number or names an ALT
 * the record does not have. Each returns the problem in words, or undefined when valid.
 */
import { VariantLensError } from '../../errors';

export function invalidAltReason(ref: string, alts: readonly string[]): string | undefined {
  for (const a of alts) {
    if (a === '') return alts.length === 1 ? 'has an empty ALT column (use "." for no ALT allele)' : 'has an empty allele in ALT';
    if (a.length === ref.length && a.toUpperCase() === ref) return `has ALT "${a}" equal to REF; an ALT allele must differ from REF`;
  }
  return undefined;
}

export function invalidGenotypeReason(text: string, g: { readonly alleles: readonly (number | null)[] }, altCount: number): string | undefined {
  return checkGtAlleles(g.alleles, altCount, text);
}

/** The error for an invalid record: file, line number, the problem and the start of the line. */
export function badRecord(file: string, lineNumber: number, what: string, line: string): VariantLensError {
  const where = lineNumber > 0 ? `line ${lineNumber}` : 'a record';
  return new VariantLensError('malformed-vcf', `${where} ${what}: "${line.slice(0, 80)}${line.length > 80 ? '…' : ''}"`, file);
}

/** GT alleles (already parsed) checked against the record's ALT count. */
export function checkGtAlleles(alleles: readonly (number | null)[], altCount: number, text: string): string | undefined {
  for (const a of alleles) {
    if (a === null) continue;
    if (!Number.isInteger(a) || a < 0) return `GT "${text}" has an allele that is not "." or a non-negative number`;
    if (a > altCount) return `GT "${text}" names allele ${a} but the record has ${altCount} ALT allele${altCount === 1 ? '' : 's'}`;
  }
  return undefined;
}
