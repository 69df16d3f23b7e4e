/**
 * `variant-lens postprocess` on DeepVariant 1.5's golden call_variants output must reproduce
 * golden.postprocess_single_site_output.vcf: every data line byte for byte (GT, GQ, QUAL
 * text, FILTER, DP, AD, VAF, PL). The header differs in exactly one line: DeepVariant writes
 * `##DeepVariant_version=1.5.0`, we write which rules we follow instead of claiming to be
 * DeepVariant.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { main } from '../../../src/cli/main';
import { dv, sharedTest } from '../../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'vl-postprocess-'));
after(() => rmSync(dir, { recursive: true, force: true }));

sharedTest('postprocess CLI reproduces all 78 golden records byte for byte', async () => {
  const out = join(dir, 'calls.vcf');
  const code = await main(['postprocess', '--cvo', dv('golden.postprocess_single_site_input.tfrecord.gz'),
    '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'), '--out', out]);
  assert.equal(code, 0);
  const ours = readFileSync(out, 'utf8').split('\n');
  const golden = readFileSync(dv('golden.postprocess_single_site_output.vcf'), 'utf8').split('\n');
  const data = (lines: string[]): string[] => lines.filter((l) => l !== '' && !l.startsWith('#'));
  const oursData = data(ours);
  const goldenData = data(golden);
  assert.equal(goldenData.length, 78);
  assert.equal(oursData.length, 78);
  oursData.forEach((line, i) => assert.equal(line, goldenData[i], `record ${i + 1}`));

  const header = (lines: string[]): string[] => lines.filter((l) => l.startsWith('#'));
  const oursHeader = header(ours);
  const goldenHeader = header(golden);
  assert.equal(oursHeader.length, goldenHeader.length);
  const differing = goldenHeader.map((g, i) => [g, oursHeader[i]!] as const).filter(([g, o]) => g !== o);
  assert.deepEqual(differing, [['##DeepVariant_version=1.5.0', '##variant-lens_postprocess=DeepVariant 1.5.0 postprocess_variants rules']]);
});

sharedTest('postprocess CLI: a missing .fai and a missing CVO file are errors naming the file', async () => {
  const out = join(dir, 'x.vcf');
  const stderr: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => { stderr.push(String(s)); return true; }) as typeof process.stderr.write;
  try {
    assert.equal(await main(['postprocess', '--cvo', dv('golden.postprocess_single_site_input.tfrecord.gz'), '--ref', join(dir, 'nope.fa'), '--out', out]), 1);
    assert.equal(await main(['postprocess', '--cvo', join(dir, 'none.tfrecord.gz'), '--ref', dv('ucsc.hg19.chr20.unittest.fasta.gz'), '--out', out]), 1);
  } finally {
    process.stderr.write = orig;
  }
  assert.match(stderr.join(''), /nope\.fa\.fai; create it with `samtools faidx/);
  assert.match(stderr.join(''), /none\.tfrecord\.gz/);
});
