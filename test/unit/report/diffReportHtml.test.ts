/**
 * `variant-lens diff`'s PREFIX.html under its strict CSP: the one inline style and the one
 * inline script are allowed by their SHA-256 hashes (computed here from the page text with
 * node:crypto, as a browser does: over the exact characters between the tags), nothing else
 * may load, and file content (a hostile sample name) is escaped, not executed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CliContext } from '../../../src/cli/framework/command';
import { runDiff } from '../../../src/cli/commands/diff';
import { TEST_CACHE } from '../../helpers/paths';

const DIR = join(TEST_CACHE, 'diff-report-html');
const HOSTILE = '<script>alert(1)</script>';

function vcf(name: string, rows: string[]): string {
  mkdirSync(DIR, { recursive: true });
  const p = join(DIR, name);
  writeFileSync(p, [
    '##fileformat=VCFv4.2',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##contig=<ID=chr1,length=1000>',
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${HOSTILE}`,
    ...rows,
  ].join('\n') + '\n');
  return p;
}

function hashOf(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

test('diff HTML: CSP hashes match the inline style and script; a hostile sample name is escaped', async () => {
  const a = vcf('a.vcf', ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1', 'chr1\t200\t.\tC\tT\t50\tPASS\t.\tGT\t1/1']);
  const b = vcf('b.vcf', ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t1/1']);
  const ctx: CliContext = { signal: new AbortController().signal, progress: () => undefined, out: () => undefined };
  assert.equal(await runDiff([a, b, '--out', join(DIR, 'out')], ctx), 0);
  const html = readFileSync(join(DIR, 'out.html'), 'utf8');

  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp, 'the page has a CSP meta tag');
  const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.slice(d.indexOf(' ') + 1)]));
  assert.equal(directives.get('default-src'), "'none'");
  assert.equal(directives.get('img-src'), 'data:');

  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  assert.equal(styles.length, 1);
  assert.equal(directives.get('style-src'), hashOf(styles[0]!));
  // Executable scripts: every <script> without type="application/json" (the site data block).
  const scripts = [...html.matchAll(/<script( [^>]*)?>([\s\S]*?)<\/script>/g)].filter((m) => !/application\/json/.test(m[1] ?? '')).map((m) => m[2]!);
  assert.equal(scripts.length, 1);
  assert.equal(directives.get('script-src'), hashOf(scripts[0]!));

  assert.ok(!html.includes(HOSTILE), 'the sample name must not appear unescaped');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});
