/**
 * Opening files named by someone else (workspace settings, command-line arguments) safely:
 *
 *  - files named in settings must be regular files: a FIFO would block a reader forever, a
 *    device such as /dev/zero never ends, and an untrusted workspace must not make us read
 *    either;
 *  - whole-file reads are bounded: a regular file larger than the bound is refused before it
 *    is read, and on the command line, where pipes (`-`, `<(…)`) stay allowed, a stream is
 *    read only up to the bound.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { VariantLensError, throwIfAborted } from '../errors';

export interface ReadBound {
  /** Largest number of bytes read (and, for gzip, produced by decompression). */
  readonly maxBytes: number;
  /** Allow pipes and devices (command line). Default: regular files only. */
  readonly allowSpecial?: boolean;
}

/** Default bound for text files read whole (BED): well below V8's string limit. */
export const DEFAULT_MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * stat of a file named by someone else, with the errors every caller gives: not found, a
 * directory (unless `allowDirectory`), and, when `regularOnly`, anything but a regular file
 * (a pipe, device or socket). The one check behind `checkRegularFile` and `readBounded`.
 */
async function statNamed(path: string, what: string, regularOnly: boolean, allowDirectory = false): Promise<Stats> {
  let s: Stats;
  try {
    s = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VariantLensError('file-not-found', code === 'ENOENT' ? `${what} not found` : `cannot read the ${what}: ${(e as Error).message}`, path, { cause: e });
  }
  if (s.isDirectory()) {
    if (allowDirectory) return s;
    throw new VariantLensError('invalid-argument', `is a directory, not a ${what}`, path);
  }
  if (regularOnly && !s.isFile()) throw new VariantLensError('invalid-argument', `is not a regular file (a pipe, device or socket); a ${what} named in settings must be a regular file`, path);
  return s;
}

/**
 * Throws unless `path` is a regular file (no pipe, device, socket or directory; a directory
 * passes when `allowDirectory`, e.g. a model folder).
 */
export async function checkRegularFile(path: string, what = 'file', opts: { readonly allowDirectory?: boolean } = {}): Promise<void> {
  await statNamed(path, what, true, opts.allowDirectory);
}

function tooBig(path: string, max: number, what: string): VariantLensError {
  return new VariantLensError('invalid-argument', `is larger than ${max} bytes, the most read for a ${what}`, path);
}

/** The whole file, at most `bound.maxBytes` (see the file comment). `-` is standard input when allowed. */
export async function readBounded(path: string, bound: ReadBound, what = 'file', signal?: AbortSignal): Promise<Buffer> {
  throwIfAborted(signal);
  const stdin = path === '-' && bound.allowSpecial;
  if (!stdin) {
    const s = await statNamed(path, what, !bound.allowSpecial);
    if (s.isFile() && s.size > bound.maxBytes) throw tooBig(path, bound.maxBytes, what);
  }
  const input = stdin ? process.stdin : createReadStream(path, { signal });
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > bound.maxBytes) throw tooBig(path, bound.maxBytes, what);
      parts.push(chunk);
    }
  } catch (e) {
    if (e instanceof VariantLensError) throw e;
    throw new VariantLensError('invalid-argument', `cannot read the ${what}: ${(e as Error).message}`, path, { cause: e });
  } finally {
    if (!stdin) (input as ReturnType<typeof createReadStream>).destroy();
  }
  return Buffer.concat(parts);
}

/** gunzip with the same bound on the output (a small .gz can inflate to gigabytes). */
export function gunzipBounded(bytes: Buffer, path: string, maxBytes: number, what = 'file'): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(path, maxBytes, `${what} (decompressed)`);
    throw new VariantLensError('bad-gzip', `does not decompress (${(e as Error).message}); the file is corrupt`, path, { cause: e });
  }
}
