/**
 * The ranking of disputed sites (src/core/report/disputeScore.ts). Expected scores are worked
 * out by hand from the documented formula
 *   score = 1000·[GT differs] + 100·[FILTER differs] + min(|ΔQUAL|, 99.9)
 * with a missing side counted as GT 0/0, FILTER "absent", QUAL 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiffSite, SideCall } from '../../../src/core/diff/diffClasses';
import { disputeScore, mostDisputedSites } from '../../../src/core/report/disputeScore';

function side(gt: string, qual: number | undefined, filter = 'PASS'): SideCall {
  return { gt, recordGt: gt, called: gt.includes('1'), qual, filter, gq: undefined, recordPos: 0, lineNumber: 0 };
}

function site(pos: number, a: SideCall | undefined, b: SideCall | undefined): DiffSite {
  return { contig: 'chr20', pos, ref: 'A', alt: 'G', kind: 'SNP', a, b, classes: ['gt-change'] };
}

test('GT, FILTER and QUAL terms add up as documented', () => {
  // 0/1 vs 1/1, both PASS, QUAL 30 vs 42.5: 1000 + 0 + 12.5
  assert.equal(disputeScore(site(1, side('0/1', 30), side('1/1', 42.5))).score, 1012.5);
  // same GT, PASS vs RefCall, QUAL 20 vs 3: 0 + 100 + 17
  const s = disputeScore(site(1, side('0/1', 20), side('0/1', 3, 'RefCall')));
  assert.equal(s.score, 117);
  assert.equal(s.filterA, 'PASS');
  assert.equal(s.filterB, 'RefCall');
  // '.' and PASS are the same FILTER class; equal everything: 0
  assert.equal(disputeScore(site(1, side('0/1', 20, '.'), side('0/1', 20))).score, 0);
});

test('a missing side counts as 0/0, FILTER absent, QUAL 0; |ΔQUAL| is capped at 99.9', () => {
  // only in A, 1/1 QUAL 250: 1000 + 100 + min(250, 99.9)
  const onlyA = disputeScore(site(1, side('1/1', 250), undefined));
  assert.equal(onlyA.score, 1000 + 100 + 99.9);
  assert.equal(onlyA.gtB, '0/0');
  assert.equal(onlyA.filterB, 'absent');
  assert.equal(onlyA.qualDelta, 250);
  // B has a RefCall 0/0 record, A nothing: GT equal (0/0), FILTER absent vs RefCall, QUAL 0 vs 4
  assert.equal(disputeScore(site(1, undefined, side('0/0', 4, 'RefCall'))).score, 104);
  // missing QUAL ('.') counts as 0
  assert.equal(disputeScore(site(1, side('0/1', undefined), side('0/1', 7))).score, 7);
});

test('ranking: score first, then genome order; zero scores never listed; n limits', () => {
  const sites = [
    site(10, side('0/1', 30), side('0/1', 35)), // 5
    site(20, side('0/1', 30), side('1/1', 30)), // 1000
    site(30, side('0/1', 30), side('0/1', 30)), // 0
    site(40, side('0/1', 30), undefined), // 1130
    site(50, side('0/1', 30), side('1/1', 30)), // 1000, after pos 20
    site(60, side('0/1', 10), side('0/1', 10, 'LowQual')), // 100
  ];
  const ranked = mostDisputedSites(sites, 10);
  assert.deepEqual(ranked.map((r) => r.site.pos), [40, 20, 50, 60, 10]);
  assert.deepEqual(ranked.map((r) => r.rank), [1, 2, 3, 4, 5]);
  assert.deepEqual(mostDisputedSites(sites, 2).map((r) => r.site.pos), [40, 20]);
  assert.deepEqual(mostDisputedSites(sites, 0), []);
});
