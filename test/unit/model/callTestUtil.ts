/**
 * Helpers for the `variant-lens call` tests: run the command's code path in process, read
 * VCF fields with `bcftools query` (ground truth for what the files hold), and count model
 * disagreements from bcftools output.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCall } from '../../../src/cli/commands/call';
import type { CliContext } from '../../../src/cli/framework/command';
import { PROJECT_ROOT } from '../../helpers/paths';

export const DEFAULT_MODEL = join(PROJECT_ROOT, 'models', 'default');
export const RETRAINED_MODEL = join(PROJECT_ROOT, 'models', 'retrained');

export function bcftools(args: string[]): string {
  return execFileSync('bcftools', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `variant-lens call ARGV` (runCall, the code path of dist/cli.js); returns the progress lines. */
export async function call(argv: string[], signal: AbortSignal = new AbortController().signal, onProgress?: (line: string) => void): Promise<string[]> {
  const lines: string[] = [];
  const ctx: CliContext = { signal, progress: (l) => { lines.push(l); onProgress?.(l); }, out: () => {} };
  assert.equal(await runCall(argv, ctx), 0);
  return lines;
}

export interface QueriedRecord {
  readonly key: string;
  readonly filter: string;
  readonly gt: string;
  readonly gq: string;
  readonly qual: string;
}

/** CHROM:POS:REF:ALT → FILTER, GT, GQ, QUAL as `bcftools query` prints them. */
export function queryRecords(vcf: string): Map<string, QueriedRecord> {
  const out = new Map<string, QueriedRecord>();
  for (const line of bcftools(['query', '-f', '%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t%QUAL\t[%GT\t%GQ]\n', vcf]).split('\n')) {
    if (!line) continue;
    const [c, p, r, a, filter, qual, gt, gq] = line.split('\t') as [string, string, string, string, string, string, string, string];
    out.set(`${c}:${p}:${r}:${a}`, { key: `${c}:${p}:${r}:${a}`, filter, gt, gq, qual });
  }
  return out;
}

export interface Disagreements {
  /** Sites in both VCFs whose GT or FILTER differ. */
  readonly genotypeOrFilter: string[];
  /** PASS in one VCF, absent from the other (the other model had no candidate there). */
  readonly passOnlyInOne: string[];
  /** Non-PASS (RefCall/LowQual/NoCall) records absent from the other VCF: both say "no variant". */
  readonly nonPassOnlyInOne: number;
}

export function countDisagreements(a: string, b: string): Disagreements {
  const ra = queryRecords(a);
  const rb = queryRecords(b);
  const genotypeOrFilter: string[] = [];
  const passOnlyInOne: string[] = [];
  let nonPassOnlyInOne = 0;
  for (const [k, x] of ra) {
    const y = rb.get(k);
    if (y) {
      if (x.gt !== y.gt || x.filter !== y.filter) genotypeOrFilter.push(`${k} ${x.gt} ${x.filter} vs ${y.gt} ${y.filter}`);
    } else if (x.filter === 'PASS') passOnlyInOne.push(`${k} ${x.gt} PASS only in A`);
    else nonPassOnlyInOne++;
  }
  for (const [k, y] of rb) {
    if (ra.has(k)) continue;
    if (y.filter === 'PASS') passOnlyInOne.push(`${k} ${y.gt} PASS only in B`);
    else nonPassOnlyInOne++;
  }
  return { genotypeOrFilter, passOnlyInOne, nonPassOnlyInOne };
}

/** Checks that bcftools accepts the file and the header/FORMAT look like DeepVariant's. */
export function assertDeepVariantLike(vcf: string, sample: string): void {
  const header = bcftools(['view', '-h', vcf]);
  for (const id of ['PASS', 'RefCall', 'LowQual', 'NoCall']) assert.match(header, new RegExp(`##FILTER=<ID=${id},`));
  for (const id of ['GT', 'GQ', 'DP', 'AD', 'VAF', 'PL']) assert.match(header, new RegExp(`##FORMAT=<ID=${id},`));
  assert.match(header, /##variant-lens_call=model /);
  assert.equal(bcftools(['query', '-l', vcf]).trim(), sample);
  for (const line of bcftools(['view', '-H', vcf]).split('\n').filter(Boolean)) {
    const cols = line.split('\t');
    assert.equal(cols[8], 'GT:GQ:DP:AD:VAF:PL', line);
    assert.ok(['PASS', 'RefCall', 'LowQual', 'NoCall'].includes(cols[6]!), line);
  }
}
