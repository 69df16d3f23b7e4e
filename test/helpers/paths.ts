/**
 * Where tests find data. `../shared/data` (relative to the project root) holds the real
 * DeepVariant test data; it exists in CI and on developer machines, but the repository's
 * core tests must not need it, so tests of that tier use `sharedTest`, which marks them
 * skipped (with the reason) only when the folder is absent.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

export const PROJECT_ROOT = resolve(__dirname, '../..');
export const SHARED_DATA = resolve(PROJECT_ROOT, '../shared/data');
export const DV_CHR20 = join(SHARED_DATA, 'dv-chr20');
export const HAS_SHARED = existsSync(DV_CHR20);

/** A file in ../shared/data/dv-chr20. */
export function dv(name: string): string {
  return join(DV_CHR20, name);
}

/** Cache folder for generated test data (simulated dataset, generated VCFs). Git-ignored. */
export const TEST_CACHE = join(PROJECT_ROOT, '.cache', 'test');

/** Like `test`, but only where ../shared/data exists. */
export function sharedTest(name: string, fn: () => Promise<void> | void): void {
  if (HAS_SHARED) test(name, fn);
  else test(name, { skip: '../shared/data is not present on this machine' }, fn);
}
