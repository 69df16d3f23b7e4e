/**
 * The side stream reads a file in its own order from `VcfFile.dataLines` and tokenizes each
 * line itself, handing lines of an unusual form to VcfRecord (sideStream.ts `addLine`). The
 * same files read through VcfRecords (a source without `dataLines`, as a region query or a
 * file read contig by contig are) must give the same sites, the same summary and the same
 * errors. The files mix the common form with the forms that take the other branches: a
 * lower-case REF, QUAL in exponent form and '.', POS with leading zeros and 16 digits, FORMAT
 * changing from line to line (a prefix of the previous one, reordered keys, a column without
 * GT), an empty sample field list, multi-allelic and symbolic ALTs, INFO values, several
 * FILTERs, an ID, an empty line.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVcf, type VcfFile } from '../../../src/core/io/vcf/vcfReader';
import type { VcfSource } from '../../../src/core/io/vcf/vcfSource';
import { diffVcfs } from '../../../src/core/diff/vcfDiff';
import type { DiffSite } from '../../../src/core/diff/diffClasses';
import { TEST_CACHE } from '../../helpers/paths';
import { writeSpacedVcf } from '../../helpers/vcfText';

const DIR = join(TEST_CACHE, 'diff-side-lines');

const HEADER = [
  '##fileformat=VCFv4.2',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="AD">',
  '##contig=<ID=chr1,length=1000000>',
  '##contig=<ID=chr2,length=1000000>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
];

const vcf = (name: string, rows: string[]): string => writeSpacedVcf(DIR, name, HEADER, rows);

// Columns: CHROM POS ID REF ALT QUAL FILTER INFO FORMAT S1 (spaces become tabs; '<EMPTY>' an empty line)
const A_ROWS = [
  'chr1 100 . A G 50 PASS . GT:GQ:DP:AD 0/1:50:30:15,15',
  'chr1 0110 . C T 40 PASS . GT:GQ:DP:AD 1/1:40:20:0,20', // leading zero in POS
  'chr1 120 rs7 g a 1e2 PASS . GT:GQ:DP:AD 0/1:30:10:5,5', // lower case, QUAL in exponent form
  'chr1 130 . T C . . DP=7;AF=0.5 GT:GQ 0/1:20', // FORMAT a prefix of the previous one, QUAL '.'
  'chr1 140 . G A 30 LowQual;X . GQ:GT 25:1/1', // keys reordered
  'chr1 150 . A C 30 PASS . GQ 25', // no GT
  '<EMPTY>',
  'chr1 0000000000000160 . T G,C,<*> 33.5 PASS . GT:GQ:DP:AD 1/2:12:30:2,14,14,0', // 16-digit POS, multi-allelic + symbolic
  'chr1 170 . CA C 25 PASS . GT:GQ:DP:AD 0/1:25:9:4,5',
  'chr1 180 . A G 60 RefCall . GT:GQ:DP:AD 0/0:60:40:40,0',
  'chr2 100 . A T 45 PASS . GT:GQ:DP:AD 0|1:45:30:15,15',
  'chr2 110 . C G 45 PASS . GT:GQ:DP:AD ./1:45:30:15,15',
  'chr2 120 . G A 45 PASS .', // no FORMAT column
];
const B_ROWS = [
  'chr1 100 . A G 50 PASS . GT:GQ:DP:AD 1/1:50:30:0,30',
  'chr1 120 . G A 90 PASS . GT:GQ 0/1:30',
  'chr1 140 . G A 30 PASS . GT:GQ 1/1:25',
  'chr1 160 . T C 33.5 PASS . GT:GQ 0/1:12',
  'chr1 170 . CA C 25 PASS . GT 0/1',
  'chr2 100 . A T 45 PASS . GT:GQ:DP:AD 1|0:45:30:15,15',
  'chr2 130 . T G 45 PASS . GT:GQ:DP:AD 1/1:45:30:0,30',
];

/** The same file read only through its records (no `dataLines`, no batches). */
function recordsOnly(f: VcfFile): VcfSource {
  return { path: f.path, header: (s) => f.header(s), records: (s) => f.records(s), query: (c, a, b, s) => f.query(c, a, b, s), close: () => f.close() };
}

async function run(a: VcfSource, b: VcfSource, sampleFields: boolean): Promise<{ sites: DiffSite[]; summary: string }> {
  const sites: DiffSite[] = [];
  const summary = await diffVcfs(a, b, { onSite: (s) => sites.push(s), includeSame: true, sampleFields, truth: 'B' });
  const { elapsedMs: _elapsed, ...rest } = summary;
  return { sites, summary: JSON.stringify(rest) };
}

test('a file read from its data lines gives the same sites and summary as through VcfRecords', async () => {
  const a = await openVcf(vcf('a.vcf', A_ROWS.map((r) => (r === '<EMPTY>' ? '' : r))));
  const b = await openVcf(vcf('b.vcf', B_ROWS));
  for (const sampleFields of [false, true]) {
    const lines = await run(a, b, sampleFields);
    const records = await run(recordsOnly(a), recordsOnly(b), sampleFields);
    assert.deepEqual(lines.sites, records.sites);
    assert.equal(lines.summary, records.summary);
    // The odd lines were read, not skipped: the lower-case record, the 16-digit POS, the QUAL 1e2.
    assert.ok(lines.sites.some((s) => s.pos === 120 && s.ref === 'G' && s.a?.qual === 100));
    assert.equal(lines.sites.filter((s) => s.pos === 160 && s.a !== undefined).length, 2);
    assert.ok(lines.sites.some((s) => s.pos === 140 && s.a?.gt === '1/1' && s.a.gq === 25));
  }
});

test('a malformed line fails with the same error read from data lines or through VcfRecords', async () => {
  const b = await openVcf(vcf('b2.vcf', B_ROWS));
  const bad: [string, RegExp][] = [
    ['chr1 200 . A G abc PASS . GT 0/1', /QUAL "abc"/],
    ['chr1 2x0 . A G 30 PASS . GT 0/1', /POS "2x0"/],
    ['chr1 200 . . G 30 PASS . GT 0/1', /REF "\."/],
    ['chr1 200 . A G 30 PASS', /7 tab-separated columns/],
    ['chr1 200 . A A 30 PASS . GT 0/1', /equal to REF/],
    ['chr1 200 . A G 30 PASS . GT 0/2', /names allele 2/],
    ['chr1 100 . A G 30 PASS . GT 0/1', /repeats the record of line 9/],
    ['chr1 50 . A G 30 PASS . GT 0/1', /comes after chr1:100/],
    ['#chr1 200 . A G 30 PASS . GT 0/1', /header line/],
  ];
  for (const [row, want] of bad) {
    const a = await openVcf(vcf('bad.vcf', ['chr1 100 . A G 30 PASS . GT 0/1', row]));
    const fromLines = await diffVcfs(a, b).then(() => 'no error', (e: Error) => e.message);
    const fromRecords = await diffVcfs(recordsOnly(a), recordsOnly(b)).then(() => 'no error', (e: Error) => e.message);
    assert.match(fromLines, want, row);
    assert.equal(fromLines, fromRecords, row);
  }
});
