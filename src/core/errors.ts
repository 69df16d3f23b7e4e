/**
 * One error type for everything a user can hit. It says what happened, which file, and
 * (where we know it) what to do. The extension shows `message`; the CLI prints it and
 * exits non-zero; neither ever crashes on it.
 */
export type ErrorCode =
  | 'truncated-bgzf'
  | 'bad-gzip'
  | 'missing-index'
  | 'bad-index'
  | 'malformed-vcf'
  | 'malformed-bam'
  | 'malformed-cram'
  | 'malformed-fasta'
  | 'missing-fai'
  | 'contig-not-found'
  | 'region-invalid'
  | 'reference-mismatch'
  | 'tfrecord-corrupt'
  | 'protobuf-corrupt'
  | 'unknown-channel'
  | 'model-shape-mismatch'
  | 'model-load-failed'
  | 'model-card-invalid'
  | 'review-file-invalid'
  | 'file-not-found'
  | 'unsupported'
  | 'invalid-argument'
  | 'cancelled';

export class VariantLensError extends Error {
  override readonly name = 'VariantLensError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The file the problem is in, when there is one. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(file && !message.includes(file) ? `${file}: ${message}` : message, options);
  }
}

/** Throws a `cancelled` error if the signal has fired. Call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new VariantLensError('cancelled', 'operation cancelled');
}

export function isCancelled(e: unknown): boolean {
  return (e instanceof VariantLensError && e.code === 'cancelled') || (e instanceof Error && e.name === 'AbortError');
}

/** Wraps an unknown failure from a third-party reader into a VariantLensError naming the file. */
export function wrapError(e: unknown, code: ErrorCode, file: string, what: string): VariantLensError {
  if (e instanceof VariantLensError) return e;
  if (isCancelled(e)) return new VariantLensError('cancelled', 'operation cancelled');
  const detail = e instanceof Error ? e.message : String(e);
  return new VariantLensError(code, `${what}: ${detail}`, file, { cause: e });
}
