// The realigner's Smith-Waterman against the numbers of DeepVariant's own tests
// (deepvariant/realigner/fast_pass_aligner_test.cc: SswAlignerSanityCheck,
// AlignHaplotypesToReference_Test, SswAlignReadsToHaplotypes_Test). Those tests run the
// aligner with its C++ defaults: match 4, mismatch 6, gap open 8, gap extend 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DV_SW_SCORING, PrefixCache, encodeBases, smithWaterman } from '../../../../src/core/pileup/realigner/smithWaterman';

const CPP_DEFAULTS = { match: 4, mismatch: 6, gapOpen: 8, gapExtend: 1 };

function align(query: string, target: string): { pos: number; cigar: string; score: number } {
  const a = smithWaterman(encodeBases(query), encodeBases(target), CPP_DEFAULTS);
  return { pos: a.refBegin, cigar: a.cigar, score: a.score };
}

test('SswAlignerSanityCheck: GCCGAAGTTA in TTTGCCGAAGTTAAACCC is 10= at 3', () => {
  const a = align('GCCGAAGTTA', 'TTTGCCGAAGTTAAACCC');
  assert.equal(a.cigar, '10=');
  assert.equal(a.pos, 3);
  assert.equal(a.score, 40);
});

test('AlignHaplotypesToReference_Test: a deletion is placed at its leftmost position, a mismatch is X', () => {
  const ref = 'AGAAGGTCCCTTTGCCGAAGTTAAACCCTTTCGCGC';
  assert.deepEqual(align('GTCCCTTTGCCGAAGTTAAACCCTTT', ref), { pos: 5, cigar: '26=', score: 104 });
  const del = align('GTCCCTTTGCCGAGTTAAACCCTTT', ref);
  assert.equal(del.cigar, '12=1D13=');
  assert.equal(del.pos, 5);
  const snp = align('GTCCCTATGCCGAAGTTAAACCCTTT', ref);
  assert.equal(snp.cigar, '6=1X19=');
  assert.equal(snp.pos, 5);
});

test('SswAlignReadsToHaplotypes_Test: positions, CIGARs and scores of five reads on two haplotypes', () => {
  const hap1 = 'AAGTGCCCAGGGCCAAATGTTTTGGGTTTTGCAGGACAAAGTATGGTT'; // reference with 1 del
  const hap2 = 'AAGTGCCCAGGGCCAAATATGCACAGGGTTTTGCAGGACAAAGTATGGTT'; // reference with 1 sub
  const reads = ['CAGGGCCAAATGTTT', 'GCCATATATGCACAGGGTTATG', 'TTGGGTTGCAGGACA', 'ACAGGGTTTTTTGCAGGACAA', 'TGTTGGGTTCAGCAGTTTT'];
  // DeepVariant keeps alignments scoring ≥ 40 in that test; below it the entry stays empty.
  const hap1Expected = [{ pos: 7, cigar: '15=', score: 60 }, undefined, { pos: 21, cigar: '5=2D10=', score: 51 }, { pos: 23, cigar: '3S3=2I13=', score: 55 }, undefined];
  const hap2Expected = [{ pos: 7, cigar: '11=4S', score: 44 }, { pos: 11, cigar: '4=1X14=1X2=', score: 68 }, { pos: 25, cigar: '2S3=2D10=', score: 43 }, { pos: 22, cigar: '6=2I13=', score: 67 }, undefined];
  reads.forEach((r, i) => {
    for (const [hap, expected] of [[hap1, hap1Expected[i]], [hap2, hap2Expected[i]]] as const) {
      const a = align(r, hap);
      if (expected) assert.deepEqual(a, expected, `read ${i} on ${hap === hap1 ? 'hap1' : 'hap2'}`);
      else assert.ok(a.score < 40, `read ${i} scores ${a.score}, below the test's threshold`);
    }
  });
});

test('N pairs score as mismatches, and nothing positive gives score 0', () => {
  assert.equal(smithWaterman(encodeBases('NNNN'), encodeBases('NNNN')).score, 0);
  assert.equal(smithWaterman(encodeBases('AAAA'), encodeBases('CCCC')).score, 0);
  // A run of N in the middle of a read: each N costs a mismatch.
  const a = align('ACGTACGTNNACGTACGT', 'ACGTACGTAAACGTACGT');
  assert.equal(a.score, 16 * 4 - 2 * 6);
  assert.equal(a.cigar, '8=2X8=');
});

test('the banded search finds the same best alignment as the whole matrix on a long haplotype with a repeat', () => {
  // 600 bp of pseudo-random sequence with a 12-mer repeated far away; one read from the middle with an insertion.
  let s = '';
  let x = 7;
  for (let i = 0; i < 600; i++) { x = (x * 1103515245 + 12345) >>> 0; s += 'ACGT'[(x >>> 16) & 3]; }
  s = s.slice(0, 50) + s.slice(400, 412) + s.slice(62);
  const read = s.slice(300, 350) + 'TT' + s.slice(350, 399);
  const a = align(read, s);
  assert.equal(a.pos, 300);
  assert.equal(a.cigar, '50=2I49=');
  assert.equal(a.score, 99 * 4 - 8 - 1);
});

test('PrefixCache: a series of haplotypes sharing prefix and suffix gives the same alignments as fresh passes', () => {
  let x = 3;
  const rnd = (): number => { x = (x * 1103515245 + 12345) >>> 0; return x >>> 16; };
  const bases = (n: number): string => Array.from({ length: n }, () => 'ACGT'[rnd() & 3]).join('');
  const prefix = bases(150);
  const suffix = bases(150);
  const core = bases(200);
  // Haplotypes: the core with combinations of a SNP, a deletion and an insertion, sorted as the realigner does.
  const haps: string[] = [];
  for (let v = 0; v < 8; v++) {
    let c = core;
    if (v & 4) c = c.slice(0, 150) + 'TTTT' + c.slice(150);
    if (v & 2) c = c.slice(0, 90) + c.slice(93);
    if (v & 1) c = c.slice(0, 40) + (c[40] === 'A' ? 'C' : 'A') + c.slice(41);
    haps.push(prefix + c + suffix);
  }
  haps.sort();
  const hapCodes = haps.map((h) => encodeBases(h));
  const cache = new PrefixCache();
  for (let t = 0; t < 12; t++) {
    // Reads with many errors (so that the whole matrix is filled) from various places.
    const h = haps[t % haps.length]!;
    const start = (rnd() % (h.length - 101));
    const read = [...h.slice(start, start + 101)].map((b) => (rnd() % 7 === 0 ? 'ACGT'[rnd() & 3] : b)).join('');
    const q = encodeBases(read);
    for (const hc of hapCodes) {
      const fresh = smithWaterman(q, hc, DV_SW_SCORING);
      const cached = smithWaterman(q, hc, DV_SW_SCORING, undefined, cache);
      assert.deepEqual(cached, fresh);
    }
  }
});
