// The realigner end to end on a hand-made partition (docs/deepvariant.md §11.3): reads from a
// haplotype with a 4-bp deletion, some mapped with the deletion and some with a soft clip
// instead; after realignment every one of them carries the deletion, the reads away from it
// are untouched, and the output order is unassigned reads first, then the window's reads.
// Also bad input: no reads, reads without bases, a window past the contig end, long reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cigarToString } from '../../../../src/core/io/sam/alignedRead';
import { libstdcxxSort } from '../../../../src/core/pileup/realigner/libstdcxxSort';
import { realignReads } from '../../../../src/core/pileup/realigner/realigner';
import { read } from '../syntheticReads';

function randomBases(n: number, seed: number): string {
  let s = '';
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; s += 'ACGT'[(x >>> 16) & 3]; }
  return s;
}

// Contig of 3000 bp; the partition is [1000, 2000); the deletion removes [1500, 1504).
let contig = randomBases(3000, 5);
contig = contig.slice(0, 1499) + 'ACGTC' + contig.slice(1504); // deleted CGTC cannot shift left (A ≠ C)
const alt = contig.slice(0, 1500) + contig.slice(1504);
const REF = { start: 0, bases: contig, contigLength: contig.length };
const PART = { contig: 'chrT', start: 1000, end: 2000 };

function altRead(start: number, soft: boolean, name: string): ReturnType<typeof read> {
  const seq = alt.slice(start, start + 100);
  const before = 1500 - start;
  if (soft) return read({ name, start, cigar: `${before}M${100 - before}S`, seq });
  return read({ name, start, cigar: `${before}M4D${100 - before}M`, seq });
}

test('reads of a deletion haplotype, mapped with soft clips or with the deletion, all end up with the deletion', () => {
  const reads = [
    read({ name: 'far', start: 1100, cigar: '100M', seq: contig.slice(1100, 1200) }),
    altRead(1420, false, 'd1'), { ...altRead(1430, true, 's1'), tags: { HP: 2, RG: 'g1' } }, altRead(1440, false, 'd2'), altRead(1450, true, 's2'), altRead(1460, false, 'd3'),
    read({ name: 'ref1', start: 1470, cigar: '100M', seq: contig.slice(1470, 1570) }),
    read({ name: 'ref2', start: 1480, cigar: '100M', seq: contig.slice(1480, 1580) }),
  ];
  const out = realignReads(reads, PART, REF);
  assert.equal(out.assembled.length, 1);
  const w = out.assembled[0]!;
  assert.ok(w.start <= 1500 && w.end >= 1504);
  assert.deepEqual([...w.haplotypes].sort(), [alt.slice(w.start, w.end - 4), contig.slice(w.start, w.end)].sort());
  // Unassigned first (the far read), then the window's reads in input order.
  assert.deepEqual(out.reads.map((r) => r.name), ['far', 'd1', 's1', 'd2', 's2', 'd3', 'ref1', 'ref2']);
  const byName = new Map(out.reads.map((r) => [r.name, r]));
  for (const [name, start] of [['d1', 1420], ['s1', 1430], ['d2', 1440], ['s2', 1450], ['d3', 1460]] as const) {
    const r = byName.get(name)!;
    assert.equal(r.start, start, name);
    assert.equal(cigarToString(r.cigar), `${1500 - start}M4D${100 - (1500 - start)}M`, name);
    assert.equal(r.end, start + 104);
  }
  assert.equal(cigarToString(byName.get('ref1')!.cigar), '100M');
  // A realigned read keeps everything but its start and CIGAR (tags included).
  const s1 = byName.get('s1')!;
  assert.deepEqual(s1.tags, { HP: 2, RG: 'g1' });
  assert.equal(s1.mapq, reads[2]!.mapq);
  assert.equal(s1.flags, reads[2]!.flags);
  assert.equal(s1.seq, reads[2]!.seq);
  assert.strictEqual(byName.get('far'), reads[0]); // untouched object
  assert.deepEqual(out.outcomes, ['unassigned', 'realigned', 'realigned', 'realigned', 'realigned', 'realigned', 'realigned', 'realigned']);
});

test('bad input: no reads, reads without bases, windows past the contig end, long reads', () => {
  assert.deepEqual(realignReads([], PART, REF), { reads: [], windows: [], assembled: [], outcomes: [] });
  const noSeq = read({ start: 1400, cigar: '100M', seq: '' });
  const out = realignReads([noSeq, noSeq], PART, REF);
  assert.deepEqual(out.reads, [noSeq, noSeq]);
  assert.deepEqual(out.windows, []);
  // Near the contig start, the window [−60, 100) is proposed but not assembled (off the contig).
  const startRef = { start: 0, bases: contig, contigLength: contig.length };
  const early = [0, 1].map((i) => read({ name: `e${i}`, start: 0, cigar: '10M', seq: contig.slice(0, 9) + (contig[9] === 'A' ? 'C' : 'A') }));
  const o2 = realignReads(early, { contig: 'chrT', start: 0, end: 1000 }, startRef);
  assert.ok(o2.windows.some((w) => w.start < 0));
  assert.equal(o2.assembled.length, 0);
  assert.deepEqual(o2.reads, early);
  // Reads longer than 500 bases come first and are never realigned.
  const long = read({ name: 'long', start: 1200, cigar: '600M', seq: contig.slice(1200, 1800) });
  const o3 = realignReads([altRead(1450, true, 'x'), altRead(1440, true, 'y'), long], PART, REF);
  assert.equal(o3.reads[0], long);
  assert.equal(o3.outcomes[0], 'long');
});

test('libstdcxxSort: a sort, stable up to 16 elements (insertion sort)', () => {
  const items = Array.from({ length: 16 }, (_, i) => ({ key: i % 3, id: i }));
  const sorted = libstdcxxSort([...items], (a, b) => a.key < b.key);
  assert.deepEqual(sorted.map((x) => x.id), [0, 3, 6, 9, 12, 15, 1, 4, 7, 10, 13, 2, 5, 8, 11, 14]);
  const many = Array.from({ length: 300 }, (_, i) => ({ key: (i * 7919) % 101, id: i }));
  const s2 = libstdcxxSort([...many], (a, b) => a.key < b.key);
  for (let i = 1; i < s2.length; i++) assert.ok(s2[i - 1]!.key <= s2[i]!.key);
  assert.deepEqual(s2.map((x) => x.id).sort((a, b) => a - b), many.map((x) => x.id));
});

test('with a focus, the reads overlapping it come out as in the whole run (same alignments, same order), and no others', () => {
  const reads = [
    read({ name: 'far', start: 1100, cigar: '100M', seq: contig.slice(1100, 1200) }),
    read({ name: 'far2', start: 1850, cigar: '100M', seq: contig.slice(1850, 1950) }),
    altRead(1420, false, 'd1'), altRead(1430, true, 's1'), altRead(1440, false, 'd2'), altRead(1450, true, 's2'), altRead(1460, false, 'd3'),
    read({ name: 'ref1', start: 1470, cigar: '100M', seq: contig.slice(1470, 1570) }),
    read({ name: 'ref2', start: 1480, cigar: '100M', seq: contig.slice(1480, 1580) }),
  ];
  const whole = realignReads(reads, PART, REF);
  const key = (r: { name: string; start: number; cigar: Uint32Array }): string => `${r.name}@${r.start}:${cigarToString(r.cigar)}`;
  let windowed = 0;
  for (const at of [1000, 1150, 1425, 1502, 1530, 1575, 1700, 1900]) {
    const focus = { start: at - 6, end: at + 7 };
    const part = realignReads(reads, PART, REF, undefined, focus);
    const expected = whole.reads.filter((r) => r.start < focus.end && r.end > focus.start).map(key);
    assert.deepEqual(part.reads.map(key), expected, `focus at ${at}`);
    assert.equal(part.outcomes.length, part.reads.length);
    if (part.assembled.length > 0) windowed++;
  }
  // Far from the window (1000, 1150 and 1900 with 100-bp reads), nothing is assembled or aligned.
  assert.equal(windowed, 5);
  assert.equal(realignReads(reads, PART, REF, undefined, { start: 1894, end: 1907 }).assembled.length, 0);
});
