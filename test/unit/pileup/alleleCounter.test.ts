// Allele counter and very-sensitive caller rules of docs/deepvariant.md §7.2–§7.3 on synthetic reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlleleCounter, AlleleType, totalAlleleCount } from '../../../src/core/pileup/candidates/alleleCounter';
import { UNCALLED_ALLELE, analyzePosition, supportForAlleles } from '../../../src/core/pileup/variantCaller';
import { readRejection, DEFAULT_READ_REQUIREMENTS, readKey } from '../../../src/core/pileup/candidates/readFilters';
import { read } from './syntheticReads';

// Reference positions 100..119 (0-based).
const REF = { start: 100, bases: 'ACGTACGTACGTACGTACGT' };

function counter(reads: ReturnType<typeof read>[]): AlleleCounter {
  const c = new AlleleCounter('chrT', 100, 120, REF);
  for (const r of reads) c.add(r);
  return c;
}

test('substitutions, reference support, low-quality flag and DP (docs/deepvariant.md §7.2)', () => {
  // Position 105 is C. 6 reads C, 3 reads G (one of them q5 = low quality), 1 read N (not canonical: ignored).
  const reads = [
    ...Array.from({ length: 6 }, (_, i) => read({ name: `ref${i}`, start: 104, cigar: '3M', seq: 'ACG' })),
    read({ name: 'alt0', start: 104, cigar: '3M', seq: 'AGG' }),
    read({ name: 'alt1', start: 104, cigar: '3M', seq: 'AGG' }),
    read({ name: 'alt2', start: 104, cigar: '3M', seq: 'AGG', qual: [40, 5, 40] }),
    read({ name: 'n', start: 104, cigar: '3M', seq: 'ANG' }),
  ];
  const c = counter(reads).countsAt(105);
  assert.equal(c.refBase, 'C');
  assert.equal(c.refSupport, 6);
  assert.equal(c.readAlleles.size, 3);
  assert.equal(c.readAlleles.get('alt2/0')?.lowQuality, true);
  assert.equal(totalAlleleCount(c), 8); // 6 ref + 2 good alts; the low-quality one is not counted
  const a = analyzePosition('chrT', c);
  assert.ok(a.candidate);
  assert.equal(a.candidate.refBases, 'C');
  assert.deepEqual(a.candidate.altBases, ['G']);
  assert.equal(a.candidate.dp, 8);
  assert.deepEqual(a.candidate.ad, [6, 2]);
  assert.deepEqual(a.candidate.vaf, [2 / 8]);
  // allele_support includes the low-quality read.
  assert.deepEqual([...a.candidate.alleleSupport.get('G')!].sort(), ['alt0/0', 'alt1/0', 'alt2/0']);
});

test('thresholds: count and fraction, with the explanation the UI shows', () => {
  const many = Array.from({ length: 30 }, (_, i) => read({ name: `ref${i}`, start: 104, cigar: '3M', seq: 'ACG' }));
  const one = counter([...many, read({ name: 'x', start: 104, cigar: '3M', seq: 'ATG' })]).countsAt(105);
  const a1 = analyzePosition('chrT', one);
  assert.equal(a1.candidate, undefined);
  assert.equal(a1.alleles[0]!.rejection, 'low-count');
  assert.match(a1.noCandidateReason!, /1 supporting read is below vsc_min_count_snps 2/);
  const two = counter([...many, read({ name: 'x', start: 104, cigar: '3M', seq: 'ATG' }), read({ name: 'y', start: 104, cigar: '3M', seq: 'ATG' })]).countsAt(105);
  const a2 = analyzePosition('chrT', two);
  assert.equal(a2.candidate, undefined);
  assert.equal(a2.alleles[0]!.rejection, 'low-fraction');
  assert.match(a2.alleles[0]!.explanation, /alt fraction 0\.063 \(2\/32\) is below vsc_min_fraction_snps 0\.12/);
  // The same reads pass with a retrained model's vsc_min_fraction_snps 0.02.
  const a3 = analyzePosition('chrT', two, { vscMinCountSnps: 2, vscMinCountIndels: 2, vscMinFractionSnps: 0.02, vscMinFractionIndels: 0.06 });
  assert.deepEqual(a3.candidate?.altBases, ['T']);
});

test('indel wins over the base at its anchor; insertion and deletion alleles; REF extended by the longest deletion; alts sorted', () => {
  const reads = [
    // insertion TT after 105 (C): allele CTT at 105; the M base at 105 is dropped for this read
    read({ name: 'i1', start: 104, cigar: '2M2I2M', seq: 'ACTTGT' }),
    read({ name: 'i2', start: 104, cigar: '2M2I2M', seq: 'ACTTGT' }),
    // deletion of 106,107 (GT): allele CGT at 105
    read({ name: 'd1', start: 104, cigar: '2M2D2M', seq: 'ACAC' }),
    read({ name: 'd2', start: 104, cigar: '2M2D2M', seq: 'ACAC' }),
    // deletion of 106 (G): allele CG
    read({ name: 'e1', start: 104, cigar: '2M1D2M', seq: 'ACTA' }),
    read({ name: 'e2', start: 104, cigar: '2M1D2M', seq: 'ACTA' }),
    ...Array.from({ length: 4 }, (_, i) => read({ name: `ref${i}`, start: 104, cigar: '4M', seq: 'ACGT' })),
  ];
  const c = counter(reads).countsAt(105);
  assert.equal(c.refSupport, 4);
  assert.deepEqual(c.readAlleles.get('i1/0'), { type: AlleleType.INSERTION, bases: 'CTT', lowQuality: false });
  assert.deepEqual(c.readAlleles.get('d1/0'), { type: AlleleType.DELETION, bases: 'CGT', lowQuality: false });
  const cand = analyzePosition('chrT', c).candidate!;
  assert.equal(cand.refBases, 'CGT');
  // CTT+GT, C (2-bp deletion), CT (1-bp deletion: C + REF[2:]) — sorted as strings
  assert.deepEqual(cand.altBases, ['C', 'CT', 'CTTGT']);
  assert.equal(cand.end, 108);
  assert.deepEqual(cand.ad, [4, 2, 2, 2]);
  assert.equal(cand.dp, 10);
});

test('soft clips: anchored at the previous base, counted in DP, never candidates', () => {
  // Trailing soft clip: allele at the last aligned base (107), superseding its base allele.
  const reads = [
    read({ name: 's1', start: 104, cigar: '4M2S', seq: 'ACGTGG' }),
    read({ name: 's2', start: 104, cigar: '4M2S', seq: 'ACGTGG' }),
    read({ name: 'r', start: 104, cigar: '4M', seq: 'ACGT' }),
  ];
  const c = counter(reads).countsAt(107);
  assert.equal(c.refSupport, 1);
  assert.equal(c.readAlleles.get('s1/0')?.type, AlleleType.SOFT_CLIP);
  assert.equal(c.readAlleles.get('s1/0')?.bases, 'TGG');
  assert.equal(totalAlleleCount(c), 3);
  const a = analyzePosition('chrT', c);
  assert.equal(a.candidate, undefined);
  assert.equal(a.alleles[0]!.rejection, 'soft-clip');
  // Leading soft clip: anchored at start - 1 with the reference base as previous base.
  const lead = counter([read({ name: 'l', start: 106, cigar: '2S2M', seq: 'AAGT' })]).countsAt(105);
  assert.deepEqual(lead.readAlleles.get('l/0'), { type: AlleleType.SOFT_CLIP, bases: 'CAA', lowQuality: false });
});

test('MAPQ below min_mapping_quality is not counted; read keys use read_number 0/1', () => {
  const lo = read({ name: 'q', start: 104, cigar: '3M', seq: 'AGG', mapq: 4 });
  const c = counter([lo]).countsAt(105);
  assert.equal(c.readAlleles.size, 0);
  assert.equal(readKey(read({ name: 'm', start: 1, cigar: '1M', seq: 'A', flags: 0x1 | 0x80 })), 'm/1');
  assert.equal(readKey(read({ name: 'm', start: 1, cigar: '1M', seq: 'A', flags: 0 })), 'm/0');
});

test('SamReader filters (docs/deepvariant.md §1.3): duplicates, QC fail, secondary, supplementary, unmapped, mate on another contig, MAPQ', () => {
  const base = { start: 104, cigar: '3M', seq: 'ACG' };
  const req = DEFAULT_READ_REQUIREMENTS;
  assert.equal(readRejection(read({ ...base, flags: 0x1 | 0x400 }), req), 'duplicate');
  assert.equal(readRejection(read({ ...base, flags: 0x1 | 0x200 }), req), 'qc-fail');
  assert.equal(readRejection(read({ ...base, flags: 0x100 }), req), 'secondary');
  assert.equal(readRejection(read({ ...base, flags: 0x800 }), req), 'supplementary');
  assert.equal(readRejection(read({ ...base, flags: 0x4 }), req), 'unmapped');
  assert.equal(readRejection(read({ ...base, mapq: 4 }), req), 'low-mapq');
  assert.equal(readRejection(read({ ...base, mapq: 5 }), req), undefined);
  const other = { ...read({ ...base, flags: 0x1 }), mateContig: 'chrOther' };
  assert.equal(readRejection(other, req), 'mate-on-other-contig');
  assert.equal(readRejection({ ...other, flags: 0x1 | 0x2 }, req), undefined); // proper-pair flag wins
  assert.equal(readRejection({ ...other, flags: 0x1 | 0x8 }, req), undefined); // mate unmapped
});

test('given alleles (VCF mode): read alleles respelled against the VCF REF; others are UNCALLED_ALLELE', () => {
  const reads = [
    read({ name: 'd', start: 104, cigar: '2M2D2M', seq: 'ACAC' }), // deletion CGT at 105
    read({ name: 's', start: 104, cigar: '3M', seq: 'ATG' }), // SNP T
    read({ name: 'r', start: 104, cigar: '4M', seq: 'ACGT' }),
  ];
  const c = counter(reads).countsAt(105);
  const v = supportForAlleles('chrT', c, 'CGT', ['C', 'TGT']);
  assert.deepEqual([...v.alleleSupport.get('C')!], ['d/0']);
  assert.deepEqual([...v.alleleSupport.get('TGT')!], ['s/0']);
  assert.deepEqual(v.ad, [1, 1, 1]);
  const w = supportForAlleles('chrT', c, 'C', ['A']);
  assert.deepEqual([...w.alleleSupport.get(UNCALLED_ALLELE)!].sort(), ['d/0', 's/0']);
});
