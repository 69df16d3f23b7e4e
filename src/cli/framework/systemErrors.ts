/**
 * One-line messages for operating-system errors that reach the CLI's top level (a path that
 * is a directory, a folder that does not exist, no permission): the path and the problem,
 * never a stack trace.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { VariantLensError } from '../../core/errors';

const WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EINVAL: 'invalid argument',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  ENXIO: 'no such device or address',
};

/** "PATH: problem" for a Node system error, or undefined for anything else. */
export function systemErrorLine(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || !/^E[A-Z]+$/.test(err.code)) return undefined;
  const what = WORDS[err.code] ?? err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  const path = err.path ?? (err as { dest?: string }).dest;
  return path ? `${path}: ${what}` : `${what} (${err.code})`;
}

/** Creates the folder an output file goes into (mkdir -p); a failure names the folder. */
export function ensureParentDir(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new VariantLensError('invalid-argument', `cannot create the output folder: ${systemErrorLine(e) ?? String(e)}`, dir, { cause: e });
  }
}
