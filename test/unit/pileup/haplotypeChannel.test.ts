/**
 * Channel 7 (CH_HAPLOTYPE_TAG) and haplotype sorting (docs/deepvariant.md §14), from a hand-made
 * HP-tagged BAM: values 0/127/254 for HP 0 (or no tag) / 1 / 2, constant over each read's drawn
 * columns, reference rows 0; with sort_by_haplotypes the rows go HP 0, then 1, then 2, each by
 * start (§14.2); without it, by start only. Also a 199-wide image (the PacBio width) and a
 * height other than 100.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseExampleInfo } from '../../../src/core/io/examples/exampleInfo';
import { tensorPixel } from '../../../src/core/io/examples/pileupTensor';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { writeFasta } from '../../../src/core/io/fasta/fastaWriter';
import { type AlignedRead, parseCigar } from '../../../src/core/io/sam/alignedRead';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { writeBam, type WritableRead } from '../../../src/core/io/sam/bamWriter';
import { haplotypeColor } from '../../../src/core/pileup/pileupEncoder';
import { buildSiteExamples, pipelineOptions } from '../../../src/core/pileup/siteExamples';

const tmp = mkdtempSync(join(tmpdir(), 'vl-hp-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// A 1000-bp reference; a SNP A→G at 0-based 500 carried by the HP 1 reads.
let genome = '';
for (let i = 0; i < 1000; i++) genome += 'ACGT'[(i * 7 + (i >> 3)) % 4];
genome = genome.slice(0, 500) + 'A' + genome.slice(501);
const VAR = 500;

/** name, start, HP (undefined = no tag), carries the alt. */
const SPECS: [string, number, number | undefined, boolean][] = [
  ['a', 420, 2, false], ['b', 430, 1, true], ['c', 440, undefined, false], ['d', 450, 1, true],
  ['e', 455, 0, false], ['f', 460, 2, false], ['g', 470, 1, true], ['h', 480, 2, false],
];

function mkRead([name, start, hp, alt]: (typeof SPECS)[number]): WritableRead {
  let seq = genome.slice(start, start + 100);
  if (alt) seq = seq.slice(0, VAR - start) + 'G' + seq.slice(VAR - start + 1);
  return {
    name, flags: 0x1 | 0x2 | 0x40, contig: 'chrT', start, mapq: 60, cigar: parseCigar('100M'), seq,
    qual: new Uint8Array(100).fill(35), mateContig: 'chrT', mateStart: start + 200, tlen: 300,
    tags: hp === undefined ? {} : { HP: hp },
  };
}

const bam = join(tmp, 'hp.bam');
const fa = join(tmp, 'ref.fa');
before(async () => {
  await writeFasta(fa, [{ name: 'chrT', seq: genome }]);
  await writeBam(bam, { contigs: [{ name: 'chrT', length: genome.length }], readGroups: [{ id: 'rg', sample: 'S' }] }, SPECS.map(mkRead));
});

async function site(sortByHaplotypes: boolean, shape: [number, number, number], channels: number[]) {
  const info = parseExampleInfo(JSON.stringify({ version: '1.5.0', shape, channels }));
  const reads = await openAlignments(bam, { referencePath: fa });
  const reference = await openReference(fa);
  try {
    return await buildSiteExamples({
      reads, reference, contig: 'chrT', position: VAR + 1, alleles: { refBases: 'A', altBases: ['G'] }, alleleMode: 'given',
      options: pipelineOptions(info, { encoder: { sortByHaplotypes } }),
    });
  } finally {
    await reads.close();
    await reference.close();
  }
}

describe('haplotype tag channel 7', () => {
  test('ScaleColor(HP, 2): 0, 127, 254; no tag / negative → 0; >2 clamps; polishing tag 2 swaps 1 and 2', () => {
    const r = (hp: unknown): AlignedRead => ({ tags: hp === undefined ? {} : { HP: hp } } as unknown as AlignedRead);
    assert.deepEqual([r(undefined), r(0), r(1), r(2), r(3), r(-1), r('1')].map((x) => haplotypeColor(x)), [0, 0, 127, 254, 254, 0, 0]);
    assert.deepEqual([r(1), r(2)].map((x) => haplotypeColor(x, 2)), [254, 127]);
  });

  test('values and row order from an HP-tagged BAM, sorted by haplotype', async () => {
    const s = await site(true, [100, 221, 7], [1, 2, 3, 4, 5, 6, 7]);
    // HP 0 / no tag first (by start: c, e), then HP 1 (b, d, g), then HP 2 (a, f, h).
    assert.deepEqual(s.rowReads.map((r) => r.name), ['c', 'e', 'b', 'd', 'g', 'a', 'f', 'h']);
    const t = s.examples[0]!.tensor;
    const col = 110; // the variant column: every read covers it
    assert.deepEqual(s.rowReads.map((_, k) => tensorPixel(t, 5 + k, col, 6)), [0, 0, 127, 127, 127, 254, 254, 254]);
    // Constant over the read's drawn columns, 0 where it draws nothing; reference rows 0.
    const a = s.rowReads.findIndex((r) => r.name === 'a');
    const aStartCol = 420 - (VAR - 110);
    assert.equal(tensorPixel(t, 5 + a, aStartCol, 6), 254);
    assert.equal(tensorPixel(t, 5 + a, aStartCol + 99, 6), 254);
    assert.equal(tensorPixel(t, 5 + a, aStartCol + 100, 6), 0);
    assert.equal(tensorPixel(t, 5 + a, aStartCol - 1, 6), 0);
    for (let r = 0; r < 5; r++) assert.equal(tensorPixel(t, r, col, 6), 0);
    // Supports channel agrees with the reads carrying G (HP 1).
    assert.deepEqual(s.rowReads.map((_, k) => tensorPixel(t, 5 + k, col, 4)), [152, 152, 254, 254, 254, 152, 152, 152]);
  });

  test('without sort_by_haplotypes the rows are by start only; a 199-wide, 60-row image', async () => {
    const s = await site(false, [60, 199, 7], [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(s.rowReads.map((r) => r.name), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const t = s.examples[0]!.tensor;
    assert.deepEqual([t.height, t.width], [60, 199]);
    assert.equal(s.windowStart, VAR - 99); // (199 − 1) / 2 columns left of the variant
    assert.equal(tensorPixel(t, 0, 99, 0), 250); // the reference A at the centre column
    assert.deepEqual(s.rowReads.map((_, k) => tensorPixel(t, 5 + k, 99, 6)), [254, 127, 0, 127, 0, 254, 127, 254]);
  });
});
