/**
 * Issue #6: "The two demo models' VCFs diff into a non-empty list of gt-change and
 * filter-change sites". The diff runs through the CLI on the demo workspace; every site it
 * calls gt-change or filter-change is then checked against `bcftools query` on the two VCFs,
 * so the classes are confirmed by an independent reader, not by our own code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, TEST_CACHE } from '../../helpers/paths';
import { ensureDemoWorkspace } from '../../helpers/demoWorkspace';

function bcftoolsCalls(vcf: string): Map<string, { gt: string; filter: string }> {
  const out = execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t[%GT]\n', vcf], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const calls = new Map<string, { gt: string; filter: string }>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [chrom, pos, ref, alt, filter, gt] = line.split('\t') as [string, string, string, string, string, string];
    calls.set(`${chrom}:${pos}:${ref}:${alt}`, { gt: gt.replace('|', '/'), filter });
  }
  return calls;
}

test('the demo models disagree: gt-change and filter-change sites, confirmed by bcftools', async () => {
  const demo = await ensureDemoWorkspace();
  const a = join(demo, 'default.vcf.gz');
  const b = join(demo, 'retrained.vcf.gz');
  const out = join(mkdtempSync(join(TEST_CACHE, 'demo-diff-')), 'd');
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli.js'), 'diff', a, b, '--out', out], { encoding: 'utf8' });
  const summary = JSON.parse(readFileSync(`${out}.summary.json`, 'utf8')) as { classes: Record<string, { total: number }> };
  assert.ok(summary.classes['gt-change']!.total > 0, 'no gt-change site between the demo models');
  assert.ok(summary.classes['filter-change']!.total > 0, 'no filter-change site between the demo models');

  const callsA = bcftoolsCalls(a);
  const callsB = bcftoolsCalls(b);
  const lines = readFileSync(`${out}.sites.tsv`, 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  const col = (name: string): number => header.indexOf(name);
  let gtChecked = 0;
  let filterChecked = 0;
  for (const line of lines.slice(1)) {
    const f = line.split('\t');
    const classes = f[col('classes')]!.split(',');
    const key = `${f[col('chrom')]}:${f[col('pos')]}:${f[col('ref')]}:${f[col('alt')]}`;
    if (classes.includes('gt-change')) {
      // Both files hold this exact record (the demo VCFs are already normalized, one allele per line
      // or with the same multi-allelic layout) and bcftools sees different genotypes.
      const ra = callsA.get(key);
      const rb = callsB.get(key);
      if (ra && rb) {
        assert.notEqual(ra.gt, rb.gt, `${key}: bcftools sees the same GT ${ra.gt}`);
        gtChecked++;
      }
    }
    if (classes.includes('filter-change')) {
      const fa = callsA.get(key)?.filter ?? 'absent';
      const fb = callsB.get(key)?.filter ?? 'absent';
      assert.notEqual(fa, fb, `${key}: bcftools sees the same FILTER ${fa}`);
      filterChecked++;
    }
  }
  assert.ok(gtChecked > 0, 'no gt-change site could be checked against bcftools');
  assert.ok(filterChecked > 0, 'no filter-change site could be checked against bcftools');
});
