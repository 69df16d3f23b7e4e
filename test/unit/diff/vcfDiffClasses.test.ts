/**
 * Two hand-written VCFs with one site per class (and a few combinations). The expected
 * classes come from the construction of the files and the rules of
 * docs/decisions/0006-diff-matching.md, written out per site below — not from a run of the
 * engine.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { DiffSiteList } from '../../../src/core/diff/diffSiteList';
import { collectVcfDiff, diffVcfs } from '../../../src/core/diff/vcfDiff';
import { loadBedRegions } from '../../../src/core/diff/bedRegions';
import type { DiffSite } from '../../../src/core/diff/diffClasses';
import { TEST_CACHE } from '../../helpers/paths';
import { writeSpacedVcf } from '../../helpers/vcfText';

const DIR = join(TEST_CACHE, 'diff-classes');

const HEADER = [
  '##fileformat=VCFv4.2',
  '##FILTER=<ID=PASS,Description="All filters passed">',
  '##FILTER=<ID=RefCall,Description="ref">',
  '##FILTER=<ID=LowQual,Description="low">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
  '##contig=<ID=chr1,length=1000000>',
  '##contig=<ID=chr20,length=1000000>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
];

const vcf = (name: string, rows: string[]): string => writeSpacedVcf(DIR, name, HEADER, rows);

// Columns: CHROM POS ID REF ALT QUAL FILTER INFO FORMAT S1
const A_ROWS = [
  'chr1 100 . A G 50 PASS . GT:GQ 0/1:50', //   same
  'chr1 200 . C T 50 PASS . GT:GQ 1/1:40', //   gt-change 1/1 → 0/1
  'chr1 300 . G A 30 PASS . GT:GQ 0/1:30', //   only-A + filter-change (B: RefCall 0/0)
  'chr1 400 . T C 50 PASS . GT:GQ 0/1:50', //   same + qual-change (50 vs 20, delta 30 > 10)
  'chr1 500 . A C 50 PASS . GT:GQ 0/1:50', //   only-A (B has nothing)
  'chr1 650 . G GA 40 PASS . GT:GQ 0/1:40', //  only-A (B has another allele here)
  'chr1 700 . C A 5 LowQual . GT:GQ 0/1:5', //  same + filter-change (LowQual vs PASS, both 0/1) ; qual 5 vs 12: not > 10
  'chr1 800 . A T 3 RefCall . GT:GQ 0/0:30', // neither called, both RefCall → same
  'chr1 900 . T G,C 40 PASS . GT:GQ 1/2:20', // split: T>G same (0/1 vs 0/1); T>C only-A
  'chr20 100 . C G 45 PASS . GT:GQ 1/1:45', //  hold-out contig: gt-change 1/1 → 0/1
];
const B_ROWS = [
  'chr1 100 . A G 52 PASS . GT:GQ 0/1:52',
  'chr1 200 . C T 50 PASS . GT:GQ 0/1:40',
  'chr1 300 . G A 25 RefCall . GT:GQ 0/0:12', // QUAL 30 vs 25: within the delta
  'chr1 400 . T C 20 PASS . GT:GQ 0/1:20',
  'chr1 600 . T TA 40 PASS . GT:GQ 1/1:40', //  only-B
  'chr1 650 . G GAA 40 PASS . GT:GQ 0/1:40', // only-B (different allele than A's G>GA)
  'chr1 700 . C A 12 PASS . GT:GQ 0/1:12',
  'chr1 800 . A T 4 RefCall . GT:GQ ./.:3',
  'chr1 900 . T G 40 PASS . GT:GQ 0/1:20',
  'chr20 100 . C G 45 PASS . GT:GQ 0/1:45',
  'chr20 200 . A G 30 PASS . GT:GQ 0/1:30', //  only-B
];

const EXPECTED: Record<string, string[]> = {
  'chr1:100 A>G': ['same'],
  'chr1:200 C>T': ['gt-change'],
  'chr1:300 G>A': ['only-A', 'filter-change'],
  'chr1:400 T>C': ['same', 'qual-change'],
  'chr1:500 A>C': ['only-A'],
  'chr1:600 T>TA': ['only-B'],
  'chr1:650 G>GA': ['only-A'],
  'chr1:650 G>GAA': ['only-B'],
  'chr1:700 C>A': ['same', 'filter-change'],
  'chr1:800 A>T': ['same'],
  'chr1:900 T>G': ['same'],
  'chr1:900 T>C': ['only-A'],
  'chr20:100 C>G': ['gt-change'],
  'chr20:200 A>G': ['only-B'],
};

const key = (s: DiffSite): string => `${s.contig}:${s.pos} ${s.ref}>${s.alt}`;

test('constructed sites get the expected classes, GTs and counts', async () => {
  const a = await openVcf(vcf('a.vcf', A_ROWS));
  const b = await openVcf(vcf('b.vcf', B_ROWS));
  const all: DiffSite[] = [];
  const summary = await diffVcfs(a, b, { qualDelta: 10, includeSame: true, onSite: (s) => all.push(s) });
  const got = Object.fromEntries(all.map((s) => [key(s), [...s.classes]]));
  assert.deepEqual(got, EXPECTED);

  const byKey = new Map(all.map((s) => [key(s), s]));
  const gt = byKey.get('chr1:200 C>T')!;
  assert.equal(gt.a?.gt, '1/1');
  assert.equal(gt.b?.gt, '0/1');
  const refcall = byKey.get('chr1:300 G>A')!;
  assert.equal(refcall.a?.called, true);
  assert.equal(refcall.b?.called, false);
  assert.equal(refcall.b?.filter, 'RefCall');
  assert.equal(refcall.b?.recordGt, '0/0');
  // The 1/2 record projects to 0/1 for each of its alleles, as bcftools norm -m -any writes it.
  assert.equal(byKey.get('chr1:900 T>C')!.a?.gt, '0/1');

  // Counts per class (each class of a multi-class site counts once).
  const count = (c: string): number => Object.values(EXPECTED).filter((cs) => cs.includes(c)).length;
  for (const c of ['same', 'gt-change', 'only-A', 'only-B', 'filter-change', 'qual-change'] as const) {
    assert.equal(summary.classes[c].total, count(c), c);
  }
  assert.equal(summary.classes['only-B'].INDEL, 2); // T>TA, G>GAA
  assert.equal(summary.classes['only-B'].SNP, 1);
  assert.equal(summary.indelBins['only-B']['ins1-5'], 2);
  assert.equal(summary.sites, Object.keys(EXPECTED).length);
  assert.equal(summary.differingSites, Object.values(EXPECTED).filter((cs) => !(cs.length === 1 && cs[0] === 'same')).length);
  // Called on both sides: 100, 200, 400, 700, 900 T>G, chr20:100.
  assert.equal(summary.sharedCalled, 6);

  // Side statistics of A: variant records are those with an ALT in GT: all but the 0/0 at 800.
  assert.equal(summary.a.records, 10);
  assert.equal(summary.a.variantRecords, 9);
  assert.equal(summary.a.homAlt, 2); // chr1:200 1/1, chr20:100 1/1
  assert.equal(summary.a.het, 7);
  // A's called SNP alleles: 100 A>G (Ti), 200 C>T (Ti), 300 G>A (Ti), 400 T>C (Ti), 500 A>C (Tv),
  // 700 C>A (Tv), 900 T>G (Tv), 900 T>C (Ti), chr20 C>G (Tv) → 5 Ti / 4 Tv.
  assert.equal(summary.a.transitions, 5);
  assert.equal(summary.a.transversions, 4);

  // Strata: hold-out contigs hold the two chr20 sites.
  const holdout = summary.strata.find((s) => s.group === 'contigs' && s.name.startsWith('hold-out'))!;
  assert.equal(holdout.sites, 2);
  assert.equal(holdout.classes['gt-change'].total, 1);
  assert.equal(holdout.classes['only-B'].total, 1);
  const bRefCall = summary.strata.find((s) => s.group === 'filter' && s.name === 'B RefCall')!;
  assert.equal(bRefCall.sites, 2); // 300 and 800
});

test('truth metrics: B as truth, hap.py-style TP/FP/FN with GT mismatch as FP and FN', async () => {
  const a = await openVcf(vcf('a.vcf', A_ROWS));
  const b = await openVcf(vcf('b.vcf', B_ROWS));
  const summary = await diffVcfs(a, b, { truth: 'B' });
  const snp = summary.truth!.rows.find((r) => r.type === 'SNP')!;
  const indel = summary.truth!.rows.find((r) => r.type === 'INDEL')!;
  // Query A's PASS calls (LowQual at 700 is ignored as hap.py ignores filtered calls):
  // SNP TP: 100, 400, 900 T>G = 3. GT mismatch: 200, chr20:100 = 2 (FP and FN).
  // SNP FP: 300 (B 0/0), 500, 900 T>C = 3, plus 2 GT = 5. SNP FN: 700 (A's call is LowQual), chr20:200, plus 2 GT = 4.
  assert.deepEqual([snp.tp, snp.fp, snp.fn, snp.fpGt], [3, 5, 4, 2]);
  // INDEL: A G>GA FP; B T>TA and G>GAA FN.
  assert.deepEqual([indel.tp, indel.fp, indel.fn], [0, 1, 2]);
  assert.equal(snp.precision, 3 / 8);
  assert.equal(snp.recall, 3 / 7);
  assert.ok(Math.abs(snp.f1! - (2 * (3 / 8) * (3 / 7)) / (3 / 8 + 3 / 7)) < 1e-12);
});

test('BED strata, region restriction, paging, and cancellation', async () => {
  const bedPath = join(DIR, 'r.bed');
  writeFileSync(bedPath, 'chr1\t150\t450\n'); // 0-based half-open: POS 151..450
  const bed = await loadBedRegions('mid', bedPath);
  const a = await openVcf(vcf('a.vcf', A_ROWS));
  const b = await openVcf(vcf('b.vcf', B_ROWS));
  const { summary, sites } = await collectVcfDiff(a, b, { beds: [bed] });
  const mid = summary.strata.find((s) => s.group === 'bed' && s.name === 'mid')!;
  assert.equal(mid.sites, 3); // POS 200, 300, 400
  assert.ok(sites instanceof DiffSiteList);
  assert.equal(sites.length, summary.differingSites);
  const onlyA = sites.query({ classes: ['only-A'] });
  assert.deepEqual(onlyA.page(0, 10).map(key), ['chr1:300 G>A', 'chr1:500 A>C', 'chr1:650 G>GA', 'chr1:900 T>C']);
  const byQual = sites.query({ sortBy: 'qualA', descending: true });
  const quals = byQual.page(0, byQual.length).map((s) => s.a?.qual).filter((q) => q !== undefined);
  assert.deepEqual(quals, [...quals].sort((x, y) => y - x));

  const region = await diffVcfs(a, b, { region: { contig: 'chr1', start: 149, end: 450 } });
  assert.equal(region.sites, 3);

  const ac = new AbortController();
  ac.abort();
  await assert.rejects(diffVcfs(a, b, {}, ac.signal), (e: Error & { code?: string }) => e.code === 'cancelled');
});

test('an unsorted file fails with a message naming it and the line', async () => {
  const a = await openVcf(vcf('a.vcf', A_ROWS));
  const bad = await openVcf(vcf('unsorted.vcf', [B_ROWS[1]!, B_ROWS[0]!]));
  await assert.rejects(diffVcfs(a, bad), (e: Error) => e.message.includes('unsorted.vcf') && e.message.includes('line 11') && e.message.includes('bcftools sort'));
});
