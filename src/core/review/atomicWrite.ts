/**
 * Crash-safe replacement of a small text file: the new content goes to a temporary file in
 * the same directory (same filesystem, so rename is atomic), is fsync'ed, then renamed over
 * the target, and the directory is fsync'ed so the rename itself is durable. A process
 * killed at any point leaves either the old file or the new one, never a mix; at worst a
 * stray `.<name>.tmp-<pid>-<nonce>` file, which readers ignore.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VariantLensError, throwIfAborted } from '../errors';

export interface AtomicWriteOptions {
  readonly signal?: AbortSignal;
  /**
   * Called after the temporary file is complete and fsync'ed, right before the rename.
   * Crash tests use it to stop a writer at the worst moment; production code passes nothing.
   */
  readonly beforeRename?: (tempPath: string) => Promise<void> | void;
}

/** The temporary-file prefix, so directory listings and watchers can ignore them. */
export function tempPrefix(target: string): string {
  return `.${basename(target)}.tmp-`;
}

export async function atomicWriteFile(target: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  throwIfAborted(options.signal);
  const dir = dirname(target);
  const temp = join(dir, `${tempPrefix(target)}${process.pid}-${randomBytes(4).toString('hex')}`);
  let renamed = false;
  try {
    const fh = await open(temp, 'wx', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, target);
    renamed = true;
    await syncDirectory(dir);
  } catch (e) {
    if (!renamed) await unlink(temp).catch(() => undefined);
    if (e instanceof VariantLensError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file-not-found' : 'review-file-invalid';
    throw new VariantLensError(code, `could not write the file (${detail}); check that the folder exists and is writable`, target, { cause: e });
  }
}

/** fsync of the directory makes the rename durable on power loss (ext4/xfs); unsupported on Windows. */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open a directory for fsync; NTFS rename is already journaled.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
