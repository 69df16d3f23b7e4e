// The window selector against DeepVariant's own tests
// (deepvariant/realigner/window_selector_test.py, WindowSelectorTest: VARIANT_READS with
// support 1..10, min MAPQ 20, min base quality 20, window distance 4, expansion 20, on an
// all-A reference), then the realigner over a partition of the NA12878 test BAM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openAlignments } from '../../../../src/core/io/sam/alignmentReader';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { candidatesToWindows, selectWindows, variantReadCounts, type WindowSelectorOptions } from '../../../../src/core/pileup/realigner/windowSelector';
import { realignReads } from '../../../../src/core/pileup/realigner/realigner';
import { DEFAULT_READ_REQUIREMENTS, readRejection } from '../../../../src/core/pileup/candidates/readFilters';
import { reservoirSample } from '../../../../src/core/pileup/numpyRandomState';
import { AlleleCounter, AlleleType } from '../../../../src/core/pileup/candidates/alleleCounter';
import { read } from '../syntheticReads';
import { dv, sharedTest } from '../../../helpers/paths';

const TEST_CONFIG: WindowSelectorOptions = { minNumSupportingReads: 1, maxNumSupportingReads: 10, minMapq: 20, minBaseQuality: 20, minWindowsDistance: 4, maxWindowSize: 1000, regionExpansionInBp: 20 };
const REF = { start: 0, bases: 'A'.repeat(532) };

/** `_candidates_from_reads` over region [start, end) of the all-A test reference. */
function candidates(reads: ReturnType<typeof read>[], start = 0, end = 20, ref = REF): number[] {
  const expanded = { start: Math.max(0, start - 20), end: Math.min(end + 20, ref.bases.length) };
  const counts = variantReadCounts(reads, 'chrT', expanded, ref, TEST_CONFIG);
  const out: number[] = [];
  counts.forEach((c, i) => { if (c >= 1 && c <= 10) out.push(expanded.start + i); });
  return out;
}

const q = (n: number, v = 64): number[] => new Array<number>(n).fill(v);

test('test_candidates_from_one_read: positions of substitutions, insertions, deletions and soft clips', () => {
  assert.deepEqual(candidates([read({ seq: 'AAGA', start: 10, cigar: '4M', qual: q(4), mapq: 50 })]), [12]);
  assert.deepEqual(candidates([read({ seq: 'AAGTA', start: 10, cigar: '2M2I1M', qual: q(5), mapq: 50 })]), [10, 11, 12, 13]);
  assert.deepEqual(candidates([read({ seq: 'AAA', start: 10, cigar: '2M2D1M', qual: q(3), mapq: 50 })]), [12, 13]);
  assert.deepEqual(candidates([read({ seq: 'TGATAC', start: 10, cigar: '2S3M1S', qual: q(6), mapq: 50 })]), [8, 9, 10, 11, 12, 13]);
  assert.deepEqual(candidates([read({ seq: 'AAGA', start: 10, cigar: '2M1X1M', qual: q(4), mapq: 50 })]), [12]);
  // Low-quality bases are not counted.
  assert.deepEqual(candidates([read({ seq: 'AAGA', start: 10, cigar: '4M', qual: [64, 64, 10, 30], mapq: 50 })]), []);
  assert.deepEqual(candidates([read({ seq: 'AAGA', start: 10, cigar: '2M1X1M', qual: [64, 64, 30, 10], mapq: 50 })]), [12]);
});

test('test_candidates_from_reads_all_cigars: every CIGAR operation', () => {
  const cases: [string, string, number[]][] = [
    ['A', '1M', []], ['C', '1M', [10]], ['A', '1X', []], ['C', '1X', [10]], ['A', '1=', []], ['C', '1=', [10]],
    ['A', '1M1D', [11]], ['A', '1M2D', [11, 12]], ['A', '1M3D', [11, 12, 13]], ['A', '1M4D', [11, 12, 13, 14]],
    ['AA', '1M1I', [10, 11]], ['AAA', '1M2I', [9, 10, 11, 12]], ['AAAA', '1M3I', [8, 9, 10, 11, 12, 13]],
    ['AA', '1M1S', [10, 11]], ['AAA', '1M2S', [9, 10, 11, 12]], ['AAAA', '1M3S', [8, 9, 10, 11, 12, 13]],
    ['AA', '1S1M', [9, 10]], ['AAA', '2S1M', [8, 9, 10, 11]], ['AAAA', '3S1M', [7, 8, 9, 10, 11, 12]],
    ['AA', '1M1N1M', []], ['AA', '1M2N1M', []], ['A', '1M1H', []], ['A', '1H1M', []],
  ];
  for (const [bases, cigar, expected] of cases) {
    assert.deepEqual(candidates([read({ seq: bases, start: 10, cigar, qual: q(bases.length), mapq: 50 })]), expected, cigar);
  }
});

test('test_candidates_from_reads_respects_region, _deletion, _mapq and overlapping events', () => {
  for (let start = 0; start < 10; start++) {
    assert.deepEqual(candidates([read({ seq: 'G', start, cigar: '1M', qual: [64], mapq: 50 })], 5, 8), start < 28 ? [start] : []);
    const del = candidates([read({ seq: 'AA', start, cigar: '1M4D1M', qual: [64, 64], mapq: 50 })], 5, 8, { start: 0, bases: 'A'.repeat(100) });
    assert.deepEqual(del, [1, 2, 3, 4].map((d) => start + d).filter((p) => p < 28));
  }
  assert.deepEqual(candidates([read({ seq: 'AGA', start: 10, cigar: '3M', qual: q(3), mapq: 19 })]), []);
  assert.deepEqual(candidates([read({ seq: 'AGA', start: 10, cigar: '3M', qual: q(3), mapq: 20 })]), [11]);
  assert.deepEqual(candidates([read({ seq: 'AAGACCAAA', start: 0, cigar: '4M2I3M', qual: q(9), mapq: 50 })]), [2, 3, 4, 5]);
});

test('test_candidates_to_windows: runs closer than twice the distance merge', () => {
  const w = (...p: number[]): { start: number; end: number }[] => candidatesToWindows(p, 4);
  assert.deepEqual(w(100, 200), [{ start: 96, end: 104 }, { start: 196, end: 204 }]);
  assert.deepEqual(w(2, 8), [{ start: -2, end: 12 }]);
  assert.deepEqual(w(2, 14), [{ start: -2, end: 6 }, { start: 10, end: 18 }]);
  assert.deepEqual(w(2, 10), [{ start: -2, end: 14 }]);
  assert.deepEqual(w(2, 11), [{ start: -2, end: 6 }, { start: 7, end: 15 }]);
  for (let d = 1; d < 20; d++) {
    assert.deepEqual(candidatesToWindows([100, 100 - 2 * d - 1, 100 + d], d), [{ start: 100 - 3 * d - 1, end: 100 - d - 1 }, { start: 100 - d, end: 100 + 2 * d }]);
  }
});

test('test_select_windows: three reads with a G at 100 give the window [96, 104); no reads, no windows', () => {
  const reads = [64, 63, 62].map((v) => read({ seq: 'AGA', start: 99, cigar: '3M', qual: q(3, v), mapq: 50 }));
  assert.deepEqual(selectWindows(reads, 'chrT', { start: 0, end: 200 }, 300, { start: 0, bases: 'A'.repeat(300) }, TEST_CONFIG), [{ start: 96, end: 104 }]);
  assert.deepEqual(selectWindows([], 'chrT', { start: 1, end: 100 }, 500, { start: 0, bases: 'A'.repeat(500) }, TEST_CONFIG), []);
});

sharedTest('realignReads over the partition chr20:10,008,000-10,009,000 of the NA12878 test BAM', async () => {
  const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  const bam = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
  try {
    // The goldens' grid starts at 9,999,999 (--regions chr20:10,000,000-10,010,000).
    const part = { contig: 'chr20', start: 10_007_999, end: 10_008_999 };
    const raw = (await bam.fetch('chr20', part.start, part.end)).filter((r) => readRejection(r, DEFAULT_READ_REQUIREMENTS) === undefined);
    const reads = raw.length > 1500 ? reservoirSample(raw, 1500, 609314161) : raw;
    const refStart = part.start - 400;
    const ref = { start: refStart, bases: await reference.fetch('chr20', refStart, part.end + 400), contigLength: 63_025_520 };
    const out = realignReads(reads, part, ref);
    assert.equal(out.reads.length, reads.length);
    assert.deepEqual(new Set(out.reads.map((r) => `${r.name}/${r.flags & 0xc0}`)).size, new Set(reads.map((r) => `${r.name}/${r.flags & 0xc0}`)).size);
    assert.ok(out.windows.length > 0 && out.assembled.length > 0);
    // The indel sites of golden examples 61–71 (chr20:10,008,717–10,008,963) lie in assembled windows.
    for (const pos of [10_008_716, 10_008_749, 10_008_951]) assert.ok(out.assembled.some((w) => w.start <= pos && pos < w.end), `window over ${pos}`);
    for (const w of out.assembled) assert.ok(w.haplotypes.length >= 2 && w.haplotypes.length <= 256);
    // Realigned reads keep their bases and have consistent CIGARs.
    for (const r of out.reads) {
      let readLen = 0;
      for (const c of r.cigar) if ([0, 1, 4, 7, 8].includes(c & 0xf)) readLen += c >>> 4;
      assert.equal(readLen, r.seq.length, r.name);
    }
    assert.ok(out.outcomes.filter((o) => o === 'realigned').length > 50);
  } finally {
    await bam.close();
    await reference.close();
  }
});

/** The counts as DeepVariant's window selector forms them: the allele counter's read alleles per position. */
function countsFromAlleleCounter(reads: ReturnType<typeof read>[], expanded: { start: number; end: number }, ref: { start: number; bases: string }, o: WindowSelectorOptions): Int32Array {
  const n = expanded.end - expanded.start;
  const counts = new Int32Array(n);
  const counter = new AlleleCounter('chrT', expanded.start, expanded.end, ref, { minMappingQuality: o.minMapq, minBaseQuality: o.minBaseQuality });
  for (const r of reads) counter.add(r);
  const bump = (from: number, to: number): void => { for (let i = Math.max(0, from); i < Math.min(n, to); i++) counts[i]!++; };
  for (const pos of counter.nonRefPositions()) {
    const i = pos - expanded.start;
    for (const a of counter.countsAt(pos).readAlleles.values()) {
      if (a.lowQuality) continue;
      const len = a.bases.length;
      if (a.type === AlleleType.SUBSTITUTION) bump(i, i + 1);
      else if (a.type === AlleleType.INSERTION || a.type === AlleleType.SOFT_CLIP) bump(i + 1 - (len - 1), i + len);
      else if (a.type === AlleleType.DELETION) bump(i + 1, i + len);
    }
  }
  return counts;
}

test('variantReadCounts equals the counts formed from the allele counter on random reads (indels, clips, Ns, low qualities, lower-case reference, shared read keys)', () => {
  let seed = 7;
  const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  const base = (): string => 'ACGT'[Math.floor(rnd() * 4)]!;
  let nonZero = 0;
  for (let trial = 0; trial < 200; trial++) {
    const refStart = 1000;
    let bases = '';
    for (let i = 0; i < 400; i++) bases += rnd() < 0.02 ? (rnd() < 0.5 ? 'N' : 'a') : base();
    const ref = { start: refStart, bases };
    const reads: ReturnType<typeof read>[] = [];
    for (let r = 0; r < 25; r++) {
      const start = refStart + 1 + Math.floor(rnd() * 300);
      const ops: string[] = [];
      let seq = '';
      let refPos = start;
      const addOp = (op: string, len: number): void => {
        ops.push(`${len}${op}`);
        if (op === 'M') { for (let x = 0; x < len; x++) { const rb = bases[refPos - refStart + x] ?? 'A'; seq += rnd() < 0.05 ? (rnd() < 0.2 ? 'N' : base()) : rb.toUpperCase(); } refPos += len; }
        else if (op === 'D' || op === 'N') refPos += len;
        else for (let x = 0; x < len; x++) seq += rnd() < 0.05 ? 'N' : base();
      };
      if (rnd() < 0.3) addOp('S', 1 + Math.floor(rnd() * 10));
      if (rnd() < 0.05) addOp('I', 1 + Math.floor(rnd() * 3));
      for (let seg = 0; seg < 1 + Math.floor(rnd() * 3); seg++) {
        addOp('M', 1 + Math.floor(rnd() * 40));
        const x = rnd();
        if (x < 0.25) addOp('I', 1 + Math.floor(rnd() * 5));
        else if (x < 0.5) addOp('D', 1 + Math.floor(rnd() * 5));
        else if (x < 0.55) { addOp('I', 1 + Math.floor(rnd() * 3)); addOp('D', 1 + Math.floor(rnd() * 3)); }
        else if (x < 0.58) addOp('N', 1 + Math.floor(rnd() * 5));
      }
      addOp('M', 1 + Math.floor(rnd() * 30));
      if (rnd() < 0.3) addOp('S', 1 + Math.floor(rnd() * 10));
      const qual = Array.from(seq, () => (rnd() < 0.1 ? Math.floor(rnd() * 20) : 30 + Math.floor(rnd() * 10)));
      // Some reads share a name and read number (the later read's allele replaces the earlier one's).
      const name = rnd() < 0.1 && reads.length > 0 ? reads[Math.floor(rnd() * reads.length)]!.name : `t${trial}r${r}`;
      reads.push(read({ name, start, cigar: ops.join(''), seq, qual, mapq: rnd() < 0.1 ? 10 : 60 }));
    }
    const expanded = { start: refStart + 20 + Math.floor(rnd() * 40), end: refStart + 300 + Math.floor(rnd() * 80) };
    const o = { ...TEST_CONFIG, minBaseQuality: 20 };
    const want = countsFromAlleleCounter(reads, expanded, ref, o);
    const got = variantReadCounts(reads, 'chrT', expanded, ref, o);
    assert.deepEqual(Array.from(got), Array.from(want), `trial ${trial}`);
    nonZero += want.filter((c) => c > 0).length;
  }
  assert.ok(nonZero > 5000, `${nonZero} positions with variant reads`);
});
