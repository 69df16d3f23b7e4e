// The fast-pass aligner's pieces against DeepVariant's own test numbers
// (deepvariant/realigner/fast_pass_aligner_test.cc: SetPositionsMap*_Test,
// CalculateReadToRefAlignment*_Test, CalculateReadToRefAlignmentCommonTest), plus the
// whole read → haplotype → reference path on a hand-made window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CigarOp, cigarToString } from '../../../../src/core/io/sam/alignedRead';
import { type CigarUnit, fastPassAlign, isAlignmentNormalized, mergeReadToRef, parseAlignerCigar, positionShifts, referenceAlignmentFacts } from '../../../../src/core/pileup/realigner/fastPassAligner';
import { encodeBases, smithWaterman } from '../../../../src/core/pileup/realigner/smithWaterman';
import { read } from '../syntheticReads';

const CPP_DEFAULTS = { match: 4, mismatch: 6, gapOpen: 8, gapExtend: 1 };

function text(ops: readonly CigarUnit[]): string {
  return ops.map((u) => `${u.len}${'MIDNSHP=X'[u.op]}`).join('');
}

test('SetPositionsMap: shifts from the haplotype→reference CIGAR', () => {
  assert.deepEqual([...positionShifts(24, '10=1X3=')], new Array(24).fill(0));
  assert.deepEqual([...positionShifts(9, '3=4I2=')], [0, 0, 0, 0, -1, -2, -3, -4, -4]);
  assert.deepEqual([...positionShifts(5, '3=4D2=')], [0, 0, 0, 4, 4]);
  assert.deepEqual([...positionShifts(9, '3=4D2=2I2=')], [0, 0, 0, 4, 4, 4, 3, 2, 2]);
  assert.deepEqual([...positionShifts(11, '3=4I2=2D2=')], [0, 0, 0, 0, -1, -2, -3, -4, -4, -2, -2]);
});

/** Haplotype aligned to the reference with Smith-Waterman, then the read's CIGAR merged (CalculateReadToRefAlignment). */
function merged(reference: string, haplotype: string, readSeq: string, pos: number, readCigar: string): string {
  const h = smithWaterman(encodeBases(haplotype), encodeBases(reference), CPP_DEFAULTS);
  return text(mergeReadToRef(readSeq.length, parseAlignerCigar(readCigar), parseAlignerCigar(h.cigar), pos));
}

test('CalculateReadToRefAlignment_MatchMismatch and _HaplotypeSoftClipped', () => {
  const ref = 'ATCAAGGGAAAAAGTGCCCAGGGCCAAATATGTTTTGGGTTTTGCAGGACAAAGTATGGTTGAAACTGAGCTGAAGATATG';
  assert.equal(merged(ref, 'TGTTTAGGGTTTTGCAGGACAAAGTATGGTTGAAACTG', 'TGTTTAGGGTTTTGCAGGA', 7, '19='), '19M');
  const nRef = 'nnnnnnnnnnnTGTTTTGGGTTTTGCAGGACAAAGTATGGTTGAAACTGAGCTGAAGATATG';
  assert.equal(merged(nRef, 'GATCATGTTTAGGGTTTTGCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTAGGGTTTT', 0, '19='), '5S13M');
});

test('CalculateReadToRefAlignmentCommonTest: insertions, deletions and their cancellation', () => {
  const ref = 'CTCTGTAATCGGATCATGTTTTGGGTTTTGCAGGACAAAGTATGGTTGAAACTGAGCTGAAGATATG';
  const cases: [string, string, string, number, string, string][] = [
    ['ins_snp_merge', 'CGGATCATGTTTTTTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGATTTTTGGGTTTTCAG', 2, '7=1X15=', '7M2I11M1D3M'],
    ['ins_ins_merge', 'CGGATCATGTTTTTTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTTTTTGGGTTTTCAG', 2, '7=1I16=', '7M3I11M1D3M'],
    ['del_del_merge', 'CGGATCATGTTTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTGGGTTTTCAGGACAAA', 2, '7=1D18=', '7M2D9M1D9M'],
    ['del_ins_merge', 'CGGATCATGTTTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTTTGGGTTTTCAGGACAAA', 2, '7=2I19=', '7M1I11M1D9M'],
    ['del_ins_merge2', 'CGGATCATGTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTGGGTTTTCAGGACAAA', 2, '7=2I17=', '7M1D10M1D9M'],
    ['ins_del_merge', 'CGGATCATGTTTTTTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTTTGGGTTTTCAGGACAAA', 2, '7=1D21=', '7M1I11M1D9M'],
    ['2ins_3del_merge', 'CGGATCATGTTTTTTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTGGGTTTTCAGGACAAA', 2, '7=3D19=', '7M1D10M1D9M'],
    ['1ins_1del_back_to_back', 'CGGATCATGTTTTGGGTTTTCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTTGGGTTTTCCAGGACAAA', 2, '18=1I9=', '28M'],
    ['1ins_1del_consecutive', 'CGGATCATGTTTTGGGTTTTTTGCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTTGGGTTTTGCAGGACAAA', 2, '16=2D12=', '28M'],
    ['1del_1ins_consecutive2', 'CGGATCATGTTTTGGGTTTTGCGCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTTGGGTTGCGCAGGACAAA', 2, '16=2D12=', '28M'],
    ['two_dels_different_positions', 'CGGATCATGTTTGGGTTTTGCAGGACAAAGTATGGTTGAAACTG', 'GATCATGTTTGGTTTT', 2, '10=1D6=', '7M1D3M1D6M'],
  ];
  for (const [name, hap, readSeq, pos, readCigar, expected] of cases) {
    assert.equal(merged(ref, hap, readSeq, pos, readCigar), expected, name);
  }
});

test('IsAlignmentNormalized: a deletion whose last base equals the read base before it can shift left', () => {
  // Reference GATCGAGAGAGAGATC; read GATCGA--GAGAGATC (2D after 6 bases): 'GA' ends in A = read base before it.
  const reference = 'GATCGAGAGAGAGATC';
  const readSeq = 'GATCGAGAGAGATC';
  const ops = [{ op: CigarOp.M, len: 6 }, { op: CigarOp.D, len: 2 }, { op: CigarOp.M, len: 8 }];
  assert.equal(isAlignmentNormalized(ops, 0, reference, readSeq), false);
  const left = [{ op: CigarOp.M, len: 4 }, { op: CigarOp.D, len: 2 }, { op: CigarOp.M, len: 10 }];
  assert.equal(isAlignmentNormalized(left, 0, reference, readSeq), true);
});

test('fastPassAlign: a soft-clipped read becomes a full match and a read with the window\'s deletion gets it in its CIGAR', () => {
  // Window reference with a 3-bp deletion on the alternative haplotype.
  let ref = '';
  let x = 99;
  for (let i = 0; i < 200; i++) { x = (x * 1103515245 + 12345) >>> 0; ref += 'ACGT'[(x >>> 16) & 3]; }
  ref = ref.slice(0, 99) + 'ACGT' + ref.slice(103); // the deleted CGT cannot shift left (ref[99] = A ≠ T)
  const alt = ref.slice(0, 100) + ref.slice(103);
  const refStart = 1000;
  // Read 1: from the alt haplotype, aligned by a mapper as 40M3D50M.
  const r1 = read({ start: refStart + 60, cigar: '40M3D50M', seq: alt.slice(60, 150) });
  // Read 2: a reference read whose last 5 bases were soft-clipped by the mapper.
  const r2 = read({ start: refStart + 20, cigar: '85M5S', seq: ref.slice(20, 110) });
  // Read 3: the same alt read, but mapped with its tail soft-clipped instead of a deletion.
  const r3 = read({ start: refStart + 50, cigar: '50M40S', seq: alt.slice(50, 140) });
  const out = fastPassAlign({ reference: ref, haplotypes: [alt, ref].sort(), refStart, refPrefixLength: 20, refSuffixLength: 20 }, [r1, r2, r3]);
  assert.deepEqual(out.map((o) => o.outcome), ['realigned', 'realigned', 'realigned']);
  assert.equal(out[0]!.read!.start, refStart + 60);
  assert.equal(cigarToString(out[0]!.read!.cigar), '40M3D50M');
  assert.equal(out[1]!.read!.start, refStart + 20);
  assert.equal(cigarToString(out[1]!.read!.cigar), '90M');
  assert.equal(out[2]!.read!.start, refStart + 50);
  assert.equal(cigarToString(out[2]!.read!.cigar), '50M3D40M');
  assert.equal(out[2]!.read!.end, refStart + 50 + 93);
});

test('referenceAlignmentFacts: whether a haplotype aligns to the reference and whether all matches, as Smith-Waterman says, without aligning', () => {
  let seed = 20261207;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[rnd(alphabet.length)]).join('');
  const alphabets = ['ACGT', 'AC', 'GT', 'N', 'ACGTN', 'AN', 'acgt'];
  const seen = { aligns: 0, notAligns: 0, allMatches: 0, unknown: 0 };
  for (let t = 0; t < 3000; t++) {
    const ref = pick(alphabets[rnd(alphabets.length)]!, 1 + rnd(40));
    let hap: string;
    const kind = rnd(5);
    if (kind === 0) { const a = rnd(ref.length); hap = ref.slice(a, a + 1 + rnd(ref.length - a)); } // a copy of part of the reference
    else if (kind === 1) { hap = ref; } // the whole reference (as a string that is not the reference object)
    else if (kind === 2) { const a = rnd(ref.length); hap = ref.slice(0, a) + pick('ACGTN', 1) + ref.slice(a + 1); } // one base changed
    else hap = pick(alphabets[rnd(alphabets.length)]!, 1 + rnd(50));
    const h = encodeBases(hap);
    const r = encodeBases(ref);
    const sw = smithWaterman(h, r);
    const facts = referenceAlignmentFacts(h, r);
    assert.equal(facts.aligns, sw.score > 0, `aligns: ${hap} / ${ref}`);
    if (facts.allMatches === undefined) {
      // Only a haplotype holding a base other than ACGT, found in the reference as it is, is left to the alignment.
      assert.ok(/[^ACGT]/i.test(hap) && ref.toUpperCase().includes(hap.toUpperCase()), `unknown: ${hap} / ${ref}`);
      seen.unknown++;
    } else {
      assert.equal(facts.allMatches, sw.score > 0 && sw.cigar === `${hap.length}=`, `all matches: ${hap} / ${ref} (${sw.cigar})`);
      if (facts.allMatches) seen.allMatches++;
    }
    if (facts.aligns) seen.aligns++; else seen.notAligns++;
  }
  // Every case was met (the random mix is not vacuous).
  assert.ok(seen.aligns > 100 && seen.notAligns > 100 && seen.allMatches > 100 && seen.unknown > 10, JSON.stringify(seen));
});
