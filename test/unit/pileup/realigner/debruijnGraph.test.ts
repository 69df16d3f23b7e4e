// The de Bruijn graph against DeepVariant's own tests
// (deepvariant/realigner/python/debruijn_graph_wrap_test.py and debruijn_graph_test.cc):
// haplotypes of small hand-made windows, pruning, low-quality bases, k selection, and the
// complex region chr20:10,095,379-10,095,500 of the NA12878 test BAM (k = 44, 2 haplotypes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openAlignments } from '../../../../src/core/io/sam/alignmentReader';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { DeBruijnGraph, type DeBruijnOptions, minKForReference, minKWithoutRunRepeat } from '../../../../src/core/pileup/realigner/debruijnGraph';
import { dv, sharedTest } from '../../../helpers/paths';

/** The wrap test's options (min_k 12, max_k 50, step 2, MAPQ 20, base quality 20, edge weight 2, 10 paths). */
const WRAP: DeBruijnOptions = { minK: 12, maxK: 50, stepK: 2, minMapq: 20, minBaseQuality: 20, minEdgeWeight: 2, maxNumPaths: 10 };
const singleK = (k: number): DeBruijnOptions => ({ ...WRAP, minK: k, maxK: k, stepK: 1 });

function gr(seq: string, qual: number[] = Array.from(seq, () => 30), mapq = 30): { seq: string; qual: Uint8Array; mapq: number } {
  return { seq, qual: Uint8Array.from(qual), mapq };
}

test('test_basics: GATTACA with two GATGACA reads at k=3 gives both haplotypes; read edges weigh 2, reference edges 1', () => {
  const r = gr('GATGACA');
  const g = DeBruijnGraph.build('GATTACA', [r, r], singleK(3))!;
  assert.deepEqual(g.candidateHaplotypes(), ['GATGACA', 'GATTACA']);
  assert.deepEqual(g.edge('GAT', 'ATT'), { weight: 1, isRef: true });
  assert.deepEqual(g.edge('GAT', 'ATG'), { weight: 2, isRef: false });
  assert.deepEqual(g.edge('GAC', 'ACA'), { weight: 2, isRef: false });
  assert.deepEqual(g.size(), { vertices: 8, edges: 8 });
});

test('test_pruning_1: a path traced by one read only is pruned', () => {
  const g = DeBruijnGraph.build('GATTACA', [gr('GATGACA')], singleK(3))!;
  assert.deepEqual(g.candidateHaplotypes(), ['GATTACA']);
  assert.equal(g.edge('GAT', 'ATG'), undefined);
  assert.deepEqual(g.size(), { vertices: 5, edges: 4 });
});

test('test_pruning_2: read k-mers outside source → sink are pruned', () => {
  const r = gr('CCGATGACACC');
  const g = DeBruijnGraph.build('GATTACA', [r, r], singleK(3))!;
  assert.deepEqual(g.candidateHaplotypes(), ['GATGACA', 'GATTACA']);
  assert.deepEqual(g.size(), { vertices: 8, edges: 8 });
  assert.equal(g.edge('CCG', 'CGA'), undefined);
});

test('debruijn_graph_test.cc: with min edge weight 1 a single read is enough', () => {
  const g = DeBruijnGraph.build('GATTACA', [gr('GATGACA')], { ...singleK(3), minEdgeWeight: 1 })!;
  assert.deepEqual(g.candidateHaplotypes(), ['GATGACA', 'GATTACA']);
});

test('test_adding_edges_with_bad_positions: a low-quality or N base drops the k=2 edges that contain it', () => {
  const edges: [string, string][] = [['GA', 'AT'], ['AT', 'TT'], ['TT', 'TA'], ['TA', 'AC'], ['AC', 'CA']];
  const dropped: Record<number, string[]> = {
    0: ['GA->AT'], 1: ['GA->AT', 'AT->TT'], 2: ['GA->AT', 'AT->TT', 'TT->TA'], 3: ['AT->TT', 'TT->TA', 'TA->AC'],
    4: ['TT->TA', 'TA->AC', 'AC->CA'], 5: ['TA->AC', 'AC->CA'], 6: ['AC->CA'],
  };
  for (let bad = -1; bad < 7; bad++) {
    for (const kind of ['qual', 'base'] as const) {
      const bases = [...'GATTACA'];
      const quals = new Array<number>(7).fill(30);
      if (bad >= 0) { if (kind === 'qual') quals[bad] = 1; else bases[bad] = 'N'; }
      const r = gr(bases.join(''), quals);
      const g = DeBruijnGraph.build('GATTACA', [r, r], singleK(2))!;
      for (const [a, b] of edges) {
        const expected = bad >= 0 && dropped[bad]!.includes(`${a}->${b}`) ? 1 : 3;
        assert.equal(g.edge(a, b)?.weight, expected, `bad ${kind} at ${bad}: ${a}->${b}`);
      }
    }
  }
});

test('test_k_exceeds_read_length and test_k_exceeds_ref_length', () => {
  const r = gr('GATGACA');
  assert.ok(DeBruijnGraph.build('GATTACATG', [r, r], singleK(8)));
  assert.equal(DeBruijnGraph.build('GATTACA', [], singleK(7)), undefined);
  assert.equal(DeBruijnGraph.build('GATTACA', [], singleK(8)), undefined);
});

test('test_ref_cycle_detector: the smallest k without a repeated reference k-mer', () => {
  const cases: [string, number][] = [
    ['ACGTACGT', 5], ['ACGTAAACGT', 5], ['ACGTAAACGTAAA', 8], ['AAACGTAAACGT', 7], ['AAACGTAAACGTAAA', 10],
    ['TGGTAAGTTTATAAGGTTATAAGCTGAGAGGTTTTGCTGATCTTGGCTGAGCTCAGCTGGGCAGGTCTTCCGGTCTTGGCTGGGGTTCACTGACACACAAGCAGCTGACAGTTGGCTGATCTAGGATGGCCTCAGCTGGG', 11],
  ];
  for (const [ref, good] of cases) {
    for (let k = Math.max(good - 5, 1); k < Math.min(good + 5, ref.length); k++) {
      const g = DeBruijnGraph.build(ref, [], singleK(k));
      if (k < good) assert.equal(g, undefined, `${ref} k=${k}`);
      else assert.ok(g, `${ref} k=${k}`);
    }
  }
});

test('more than max_num_paths paths gives no haplotypes at all', () => {
  // Three SNPs far enough apart to form independent bubbles, each on two reads → 2³ = 8 paths.
  const ref = 'ACGTTGCAAGTCCTAGGATCCAGTTACGGACTTGCA';
  const snp = (pos: number, base: string): string => ref.slice(0, pos) + base + ref.slice(pos + 1);
  const reads = [snp(8, 'T'), snp(8, 'T'), snp(18, 'G'), snp(18, 'G'), snp(29, 'T'), snp(29, 'T')].map((s) => gr(s));
  const all = DeBruijnGraph.build(ref, reads, { ...singleK(6), maxNumPaths: 10 })!;
  assert.equal(all.candidateHaplotypes().length, 8);
  assert.ok(all.candidateHaplotypes().includes(ref));
  const limited = DeBruijnGraph.build(ref, reads, { ...singleK(6), maxNumPaths: 4 })!;
  assert.deepEqual(limited.candidateHaplotypes(), []);
});

sharedTest('test_complex_region and test_straightforward_region on the NA12878 test BAM', async () => {
  const reference = await openReference(dv('ucsc.hg19.chr20.unittest.fasta.gz'));
  const reads = await openAlignments(dv('NA12878_S1.chr20.10_10p1mb.bam'), {});
  try {
    // chr20:10,095,379-10,095,500 holds a heterozygous 9-bp deletion of a TGA repeat.
    const ref = await reference.fetch('chr20', 10_095_378, 10_095_500);
    const rs = await reads.fetch('chr20', 10_095_378, 10_095_500);
    const g = DeBruijnGraph.build(ref, rs, WRAP)!;
    assert.equal(g.k, 44);
    const haps = g.candidateHaplotypes();
    assert.equal(haps.length, 2);
    assert.ok(haps.includes(ref));
    assert.ok(haps.some((h) => h.length === ref.length - 9));
    const ref2 = await reference.fetch('chr20', 9_999_999, 10_000_100);
    const g30 = DeBruijnGraph.build(ref2, await reads.fetch('chr20', 9_999_999, 10_000_100), singleK(30))!;
    assert.deepEqual(g30.candidateHaplotypes(), [ref2]);
  } finally {
    await reads.close();
    await reference.close();
  }
});

test('minKWithoutRunRepeat: the first k (on the step lattice) at which no run holds a k-mer twice, as a k-mer set per run and k finds it', () => {
  // Deterministic pseudo-random runs built from short tandem repeats and copies, so repeats of many lengths occur.
  let seed = 12345;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const base = (): string => 'ACGT'[rnd(4)]!;
  const piece = (): string => {
    const kind = rnd(3);
    if (kind === 0) { const unit = Array.from({ length: 1 + rnd(6) }, base).join(''); return unit.repeat(1 + rnd(8)); }
    return Array.from({ length: 5 + rnd(30) }, base).join('');
  };
  const brute = (reads: { bases: string; runs: number[] }[], k0: number, step: number, maxK: number): number => {
    for (let k = k0; k <= maxK; k += step) {
      let repeat = false;
      for (const r of reads) for (let j = 0; j < r.runs.length && !repeat; j += 2) {
        const seen = new Set<string>();
        for (let i = r.runs[j]!; i + k <= r.runs[j + 1]!; i++) { const km = r.bases.slice(i, i + k); if (seen.has(km)) { repeat = true; break; } seen.add(km); }
      }
      if (!repeat) return k;
    }
    return Infinity;
  };
  let checked = 0;
  for (let t = 0; t < 300; t++) {
    const reads: { bases: string; runs: number[] }[] = [];
    for (let r = 0; r < 1 + rnd(6); r++) {
      let bases = '';
      while (bases.length < 40 + rnd(120)) { const p = piece(); bases += p; if (rnd(3) === 0) bases += p.slice(rnd(p.length)); }
      // Runs of good bases separated by one bad position.
      const runs: number[] = [];
      for (let i = 0; i < bases.length;) { const e = Math.min(bases.length, i + 10 + rnd(bases.length)); runs.push(i, e); i = e + 1; }
      reads.push({ bases, runs });
    }
    const k0 = 3 + rnd(10);
    const step = 1 + rnd(3);
    const maxK = k0 + rnd(80);
    const got = minKWithoutRunRepeat(reads, k0, step, maxK);
    const want = brute(reads, k0, step, maxK);
    if (want === Infinity) assert.ok(got > maxK, `case ${t}: every k repeats, got ${got}`);
    else assert.equal(got, want, `case ${t}`);
    if (want !== k0) checked++;
  }
  assert.ok(checked > 100, `only ${checked} cases needed a k above the first`);
});

test('minKForReference: the first k (step lattice, up to min(max_k, length − 1)) without a repeated reference k-mer, as a k-mer set per k finds it', () => {
  let seed = 777;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const base = (): string => 'ACGTN'[rnd(rnd(8) === 0 ? 5 : 4)]!;
  const brute = (ref: string, o: DeBruijnOptions): number => {
    for (let k = o.minK; k <= Math.min(o.maxK, ref.length - 1); k += o.stepK) {
      const seen = new Set<string>();
      let repeated = false;
      for (let i = 0; i + k <= ref.length && !repeated; i++) { const km = ref.slice(i, i + k); repeated = seen.has(km); seen.add(km); }
      if (!repeated) return k;
    }
    return -1;
  };
  let aboveMin = 0;
  for (let t = 0; t < 400; t++) {
    let ref = '';
    while (ref.length < 5 + rnd(200)) {
      const unit = Array.from({ length: 1 + rnd(12) }, base).join('');
      ref += rnd(2) === 0 ? unit.repeat(1 + rnd(6)) : unit;
      if (rnd(4) === 0) ref += ref.slice(rnd(ref.length));
    }
    const o: DeBruijnOptions = { ...WRAP, minK: 2 + rnd(12), maxK: 10 + rnd(60), stepK: 1 + rnd(3) };
    const want = brute(ref, o);
    assert.equal(minKForReference(ref, o), want, `case ${t}: ${ref}`);
    if (want > o.minK || want < 0) aboveMin++;
  }
  assert.ok(aboveMin > 100, `only ${aboveMin} cases needed a k above the first`);
});
