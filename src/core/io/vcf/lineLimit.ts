/**
 * The longest text line we read (VCF, BED, TSV through lineScanner.ts). Without a cap a
 * multi-gigabyte line grows one buffer until V8 aborts the whole process (in VS Code the
 * extension host). The default, 256 MiB, is far above any real VCF line (a record with
 * 500,000 samples' genotypes is a few MB) and below V8's string limit (~512 M chars).
 * `VARIANT_LENS_MAX_LINE_BYTES` lowers or raises it (tests use a few KB); it is read when a
 * line first crosses a chunk boundary, so a worker thread started with the variable set
 * uses it too.
 */
import { VariantLensError } from '../../errors';

export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

export function maxLineBytes(): number {
  const v = Number(process.env['VARIANT_LENS_MAX_LINE_BYTES']);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_LINE_BYTES;
}

/**
 * A line over the cap. lineScanner knows neither the file nor the line number; the reader
 * that counts lines rethrows it with both (`withLine`).
 */
export class LineTooLongError extends VariantLensError {
  constructor(readonly limit: number, readonly startOffset: number, file?: string, lineNo?: number) {
    super('malformed-vcf', `${lineNo !== undefined ? `line ${lineNo}` : `the line starting at offset ${startOffset}`} is longer than ${limit} bytes, the most Variant Lens reads in one line (set VARIANT_LENS_MAX_LINE_BYTES to change it); the file is corrupt or not a text file`, file);
  }

  withLine(file: string, lineNo: number): LineTooLongError {
    return new LineTooLongError(this.limit, this.startOffset, file, lineNo);
  }
}

/** Running byte count of a line being assembled from chunks. */
export function checkCarry(total: number, startOffset: number): void {
  const limit = maxLineBytes();
  if (total > limit) throw new LineTooLongError(limit, startOffset);
}
