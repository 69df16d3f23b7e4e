/**
 * An advisory lock next to a file (`<file>.lock`) for the few milliseconds of a
 * read-merge-write cycle, so two writers (two VS Code windows, the CLI, a script) never
 * interleave. The lock file is created atomically with O_EXCL semantics (written in full
 * to a temp file, then hard-linked into place, which fails if the lock exists), so its
 * content — pid, host, time — is never half written.
 *
 * Stale locks: a writer killed while holding the lock leaves the file behind. It is broken
 * when its process is gone (same host, `kill(pid, 0)` says ESRCH) or when it is older than
 * `staleMs` (other hosts, reused pids). Breaking renames the lock aside first and checks it
 * is still the same lock, so two waiters cannot both break it and then remove a fresh one.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { VariantLensError, throwIfAborted } from '../errors';

export interface LockOptions {
  readonly signal?: AbortSignal;
  /** Give up after this long (ms). Default 15 s: a merge-write cycle takes milliseconds. */
  readonly timeoutMs?: number;
  /** A lock older than this (ms) is stale even if its pid looks alive. Default 30 s. */
  readonly staleMs?: number;
}

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly time: number;
  readonly nonce: string;
}

export function lockPathFor(target: string): string {
  return `${target}.lock`;
}

/** Runs `fn` while holding the lock on `target`; always releases it. */
export async function withFileLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquireFileLock(target, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Acquires the lock on `target` and returns the function that releases it. */
export async function acquireFileLock(target: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const lockPath = lockPathFor(target);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const staleMs = options.staleMs ?? 30_000;
  const me: LockInfo = { pid: process.pid, host: hostname(), time: Date.now(), nonce: randomBytes(8).toString('hex') };
  const started = Date.now();
  let delay = 2;
  let lastHolder: LockInfo | undefined;
  for (;;) {
    throwIfAborted(options.signal);
    if (await tryCreate(lockPath, { ...me, time: Date.now() })) {
      return async () => {
        // Remove only our own lock: if it was broken as stale and re-taken, it is not ours.
        const cur = await readLock(lockPath);
        if (cur?.nonce === me.nonce) await unlink(lockPath).catch(() => undefined);
      };
    }
    const holder = await readLock(lockPath);
    if (holder) lastHolder = holder;
    if (await isStale(lockPath, holder, staleMs)) {
      await breakLock(lockPath, holder);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = lastHolder ? `process ${lastHolder.pid} on ${lastHolder.host} since ${new Date(lastHolder.time).toISOString()}` : 'another process';
      throw new VariantLensError('review-file-invalid', `the review file is locked by ${who}; if no Variant Lens is running, delete ${lockPath}`, target);
    }
    await pause(delay, options.signal);
    delay = Math.min(delay * 2, 50);
  }
}

async function tryCreate(lockPath: string, info: LockInfo): Promise<boolean> {
  const temp = `${lockPath}.${info.pid}-${info.nonce}`;
  await writeFile(temp, JSON.stringify(info), { flag: 'wx' });
  try {
    await link(temp, lockPath); // atomic; EEXIST when somebody holds the lock
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new VariantLensError('review-file-invalid', `could not create the lock file: ${(e as Error).message}`, lockPath, { cause: e });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.time === 'number' && typeof v.nonce === 'string') {
      return v as LockInfo;
    }
  } catch {
    // Missing (released meanwhile) or unreadable: decided by age below.
  }
  return undefined;
}

async function isStale(lockPath: string, holder: LockInfo | undefined, staleMs: number): Promise<boolean> {
  if (holder) {
    if (holder.host === hostname() && !processAlive(holder.pid)) return true;
    return Date.now() - holder.time > staleMs;
  }
  try {
    const st = await stat(lockPath);
    return Date.now() - st.mtimeMs > staleMs;
  } catch {
    return false; // gone: the next attempt will take it
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function breakLock(lockPath: string, judged: LockInfo | undefined): Promise<void> {
  // One breaker at a time (`<lock>.break`, created with link like the lock itself). Without
  // it, two waiters that both judged the same lock stale could each move a lock aside: the
  // second one would move (and fail to put back) the fresh lock a third writer had just
  // taken, and two writers would hold the lock.
  const guard = `${lockPath}.break`;
  const mine = `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(mine, String(Date.now()), { flag: 'wx' });
  try {
    try {
      await link(mine, guard);
    } catch {
      // Another breaker is at work; clear its guard only if it died (breaking takes ms).
      const st = await stat(guard).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
      return;
    }
    try {
      // Under the guard, nobody else breaks: break only the very lock that was judged stale.
      const cur = await readLock(lockPath);
      if (judged ? cur?.nonce !== judged.nonce : cur !== undefined) return;
      const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await rename(lockPath, aside);
      } catch {
        return; // released meanwhile
      }
      const moved = await readLock(aside);
      if (judged && moved?.nonce !== judged.nonce) {
        // Only its own holder (alive after all) can have replaced it in between: put it back.
        await link(aside, lockPath).catch(() => undefined);
      }
      await unlink(aside).catch(() => undefined);
    } finally {
      // Remove the guard only if it is still ours (same inode as our temp file).
      const [g, m] = await Promise.all([stat(guard).catch(() => undefined), stat(mine).catch(() => undefined)]);
      if (g && m && g.ino === m.ino) await unlink(guard).catch(() => undefined);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

/** A break guard older than this belongs to a breaker that died. */
const GUARD_STALE_MS = 5_000;

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(new VariantLensError('cancelled', 'operation cancelled')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Removes leftovers of writers that died: lock temp files (`<file>.lock.<pid>-<nonce>`,
 * `<file>.lock.stale-…`) and atomic-write temp files (`.<file>.tmp-<pid>-<nonce>`) whose
 * process is gone (this host) or that are older than `maxAgeMs`. Call while holding the lock:
 * then no live writer of this file is between its temp write and its rename.
 */
export async function removeStaleTempFiles(target: string, maxAgeMs = 60_000): Promise<string[]> {
  const dir = dirname(target);
  const name = basename(target);
  const patterns = [
    new RegExp(`^${escapeRegExp(name)}\\.lock\\.(?:stale-)?(\\d+)-[0-9a-f]+$`),
    new RegExp(`^\\.${escapeRegExp(name)}\\.tmp-(\\d+)-[0-9a-f]+$`),
  ];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const f of names) {
    const m = patterns.map((p) => p.exec(f)).find((x) => x !== null);
    if (!m) continue;
    const p = join(dir, f);
    const pid = Number(m[1]);
    let old = false;
    try {
      old = Date.now() - (await stat(p)).mtimeMs > maxAgeMs;
    } catch {
      continue;
    }
    if ((pid !== process.pid && !processAlive(pid)) || old) {
      await unlink(p).then(() => removed.push(f), () => undefined);
    }
  }
  return removed;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
