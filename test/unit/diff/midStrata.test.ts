/**
 * `diff` stratified by FORMAT MID (DeepVariant 1.8+ marks small-model calls `MID=small_model`,
 * docs/deepvariant.md §15): hand-written VCFs where the expected strata follow from the rows.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { diffVcfs } from '../../../src/core/diff/vcfDiff';
import type { DiffSite } from '../../../src/core/diff/diffClasses';
import { TEST_CACHE } from '../../helpers/paths';
import { writeSpacedVcf } from '../../helpers/vcfText';

const DIR = join(TEST_CACHE, 'diff-mid');
const HEADER = [
  '##fileformat=VCFv4.2',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
  '##FORMAT=<ID=MID,Number=1,Type=String,Description="Identifies which model called this variant.">',
  '##contig=<ID=chr20,length=1000000>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
];
const vcf = (name: string, rows: string[]): string => writeSpacedVcf(DIR, name, HEADER, rows);

test('diff strata by MID: small-model calls of each side counted apart from CNN calls', async () => {
  // A is DeepVariant 1.9 (three small-model calls, one CNN call without MID); B another run without MID.
  const a = await openVcf(vcf('a.vcf', [
    'chr20 100 . A G 40 PASS . GT:GQ:MID 0/1:40:small_model',
    'chr20 200 . C T 40 PASS . GT:GQ:MID 1/1:45:small_model',
    'chr20 300 . G A 30 PASS . GT:GQ 0/1:30',
    'chr20 400 . T C 35 PASS . GT:MID:GQ 0/1:small_model:35',
  ]));
  const b = await openVcf(vcf('b.vcf', [
    'chr20 100 . A G 40 PASS . GT:GQ 0/1:40',
    'chr20 200 . C T 40 PASS . GT:GQ 0/1:33',
    'chr20 300 . G A 30 PASS . GT:GQ 0/1:30',
  ]));
  const sites: DiffSite[] = [];
  const summary = await diffVcfs(a, b, { includeSame: true, onSite: (s) => sites.push(s) });
  const small = summary.strata.find((s) => s.group === 'mid' && s.name === 'A MID small_model')!;
  assert.ok(small, JSON.stringify(summary.strata.map((s) => `${s.group}:${s.name}`)));
  assert.equal(small.sites, 3); // 100, 200, 400 (MID before GQ in FORMAT at 400)
  assert.equal(small.classes['gt-change'].total, 1); // 200: 1/1 vs 0/1
  assert.equal(small.classes['only-A'].total, 1); // 400
  assert.equal(summary.strata.filter((s) => s.group === 'mid').length, 1); // B has no MID
  assert.deepEqual(sites.map((s) => [s.pos, s.a?.mid, s.b?.mid]), [[100, 'small_model', undefined], [200, 'small_model', undefined], [300, undefined, undefined], [400, 'small_model', undefined]]);
  // GQ is still read when MID follows or precedes it.
  assert.deepEqual(sites.map((s) => s.a?.gq), [40, 45, 30, 35]);
});
