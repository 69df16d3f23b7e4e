/**
 * Small hand-written VCFs for tests: header lines as given, data rows written with spaces
 * between columns (each run of spaces becomes one tab), so a test's rows line up as a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `dir/name` from header lines and space-separated rows; returns its path. */
export function writeSpacedVcf(dir: string, name: string, header: readonly string[], rows: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, [...header, ...rows.map((r) => r.replace(/ +/g, '\t'))].join('\n') + '\n');
  return p;
}
