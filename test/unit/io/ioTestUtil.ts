/**
 * Helpers shared by the reader tests: running samtools/bcftools for ground truth, temp
 * folders (the seeded PRNG is test/helpers/seededRandom.ts), and a guard that fails a test when any promise rejection goes
 * unhandled while it runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** stdout of a command-line tool (samtools, bcftools, bgzip, tabix). */
export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'vl-io-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/**
 * Runs `fn`, which must reject with a VariantLensError; returns it. Also asserts that no
 * promise rejection went unhandled meanwhile (a reader leaking a rejected promise would
 * crash the extension host).
 */
export async function expectOneError(fn: () => Promise<unknown>): Promise<Error & { code?: string; file?: string }> {
  const leaked: unknown[] = [];
  const onUnhandled = (reason: unknown): void => { leaked.push(reason); };
  process.on('unhandledRejection', onUnhandled);
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  // Let pending rejections surface: unhandledRejection fires after the microtask queue drains.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  process.off('unhandledRejection', onUnhandled);
  if (leaked.length > 0) throw new Error(`unhandled rejection(s): ${leaked.map(String).join('; ')}`);
  if (!(caught instanceof Error)) throw new Error('expected an error, but the call succeeded');
  if (caught.name !== 'VariantLensError') throw new Error(`expected a VariantLensError, got ${caught.name}: ${caught.message}`);
  return caught as Error & { code?: string; file?: string };
}
