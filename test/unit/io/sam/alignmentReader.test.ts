/**
 * BAM and CRAM reads against `samtools view` for the same regions, read by read and
 * field by field; contig aliases; idxstats counts; bad input.
 */
import assert from 'node:assert/strict';
import { copyFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { cigarToString, type AlignedRead } from '../../../../src/core/io/sam/alignedRead';
import { openAlignments } from '../../../../src/core/io/sam/alignmentReader';
import { dv, sharedTest } from '../../../helpers/paths';
import { seededRandom } from '../../../helpers/seededRandom';
import { expectOneError, run, withTempDir } from '../ioTestUtil';

const BAM = dv('NA12878_S1.chr20.10_10p1mb.bam');
const CRAM = dv('NA12878_S1.chr20.10_10p1mb.cram');
const REF = dv('ucsc.hg19.chr20.unittest.fasta.gz');

/** Our read as the first 11 SAM columns. */
function samColumns(r: AlignedRead): string[] {
  const q = r.qual.length > 0 && r.qual.every((x) => x === 255) ? '*' : Buffer.from(r.qual.map((x) => x + 33)).toString('latin1');
  const rnext = r.mateContig === undefined ? '*' : r.mateContig === r.contig ? '=' : r.mateContig;
  return [r.name, String(r.flags), r.contig, String(r.start + 1), String(r.mapq), cigarToString(r.cigar), rnext, String(r.mateStart + 1), String(r.tlen), r.seq === '' ? '*' : r.seq, q];
}

/** Compares one optional field `TAG:TYPE:VALUE` with our tag value. */
function sameTag(field: string, tags: AlignedRead['tags']): boolean {
  const [tag, type, ...rest] = field.split(':');
  const value = rest.join(':');
  const ours = tags[tag!];
  if (type === 'i' || type === 'f') return typeof ours === 'number' && Math.abs(ours - Number(value)) < 1e-4;
  if (type === 'B') return Array.isArray(ours) && ours.join(',') === value.split(',').slice(1).join(',');
  return ours === value;
}

describe('alignment reader vs samtools view', () => {
  sharedTest('BAM: 10 seeded random regions, every read and every field equal samtools view', async () => {
    const bam = await openAlignments(BAM);
    const rand = seededRandom(2024);
    let total = 0;
    for (let k = 0; k < 10; k++) {
      const start = 9_999_000 + Math.floor(rand() * 100_000);
      const end = start + 1 + Math.floor(rand() * 1500);
      const region = `chr20:${start + 1}-${end}`; // samtools regions are 1-based inclusive
      const expected = run('samtools', ['view', BAM, region]).split('\n').filter(Boolean);
      const reads = await bam.fetch(k % 2 === 0 ? 'chr20' : '20', start, end);
      assert.equal(reads.length, expected.length, `${region}: read count`);
      reads.forEach((r, i) => {
        const sam = expected[i]!.split('\t');
        assert.deepEqual(samColumns(r), sam.slice(0, 11), `${region} read ${i}`);
        const tagFields = sam.slice(11);
        assert.equal(Object.keys(r.tags).length, tagFields.length, `${region} read ${i} tag count`);
        for (const f of tagFields) assert.ok(sameTag(f, r.tags), `${region} read ${i} tag ${f} vs ${JSON.stringify(r.tags)}`);
      });
      total += reads.length;
    }
    assert.ok(total > 500, `only ${total} reads compared`);
    assert.deepEqual((await bam.contigNames()).slice(0, 3), ['chrM', 'chr1', 'chr2']);
    assert.equal(await bam.sampleName(), 'NA12878');
    await bam.close();
  });

  sharedTest('CRAM (with the bgzipped reference): regions equal samtools view -T, every SAM column (name, flags, start, MAPQ, CIGAR, mate, TLEN, seq, quals)', async () => {
    const cram = await openAlignments(CRAM, { referencePath: REF });
    for (const [start, end] of [[10_019_500, 10_019_700], [10_050_000, 10_050_400]] as const) {
      const region = `chr20:${start + 1}-${end}`;
      const expected = run('samtools', ['view', '-T', REF, CRAM, region]).split('\n').filter(Boolean).map((l) => l.split('\t'));
      const reads = await cram.fetch('20', start, end);
      assert.equal(reads.length, expected.length, `${region}: read count`);
      assert.ok(reads.length > 20);
      reads.forEach((r, i) => {
        const ours = samColumns(r);
        const sam = expected[i]!;
        for (const col of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) assert.equal(ours[col], sam[col], `${region} read ${i} column ${col + 1}`);
      });
    }
    await cram.close();
  });

  sharedTest('records per contig equal samtools idxstats (BAM from the BAI, CRAM by decoding)', async () => {
    const expected = run('samtools', ['idxstats', BAM]).trim().split('\n').map((l) => l.split('\t'));
    const bam = await openAlignments(BAM);
    const got = await bam.countPerContig();
    assert.deepEqual(got.map((c) => [c.contig, String(c.length), String(c.mapped), String(c.unmapped)]), expected);
    const cram = await openAlignments(CRAM, { referencePath: REF });
    const gotCram = await cram.countPerContig();
    const chr20 = gotCram.find((c) => c.contig === 'chr20')!;
    const e20 = expected.find((l) => l[0] === 'chr20')!;
    assert.equal(chr20.mapped + chr20.unmapped, Number(e20[2]) + Number(e20[3]));
  });
});

describe('alignment reader: bad input', () => {
  sharedTest('a truncated BAM is one clear malformed-bam error', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'cut.bam');
      copyFileSync(BAM, f);
      copyFileSync(`${BAM}.bai`, `${f}.bai`);
      truncateSync(f, Math.floor(statSync(f).size / 2));
      const err = await expectOneError(() => openAlignments(f));
      assert.equal(err.code, 'malformed-bam');
      assert.match(err.message, /truncated/);
      assert.ok(err.message.includes(f));
    });
  });

  sharedTest('a BAM without index says which index it expected and how to make it', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'noindex.bam');
      copyFileSync(BAM, f);
      const err = await expectOneError(() => openAlignments(f));
      assert.equal(err.code, 'missing-index');
      assert.ok(err.message.includes(`${f}.bai`));
      assert.ok(err.message.includes(`samtools index ${f}`));
    });
  });

  sharedTest('CRAM without a reference, and an unknown contig, are clear errors', async () => {
    // A CRAM opens without a reference (an embedded one may be inside); reading a slice
    // that needs the external reference is the error.
    const cram = await openAlignments(CRAM);
    const e1 = await expectOneError(() => cram.fetch('chr20', 10_000_000, 10_000_100));
    assert.equal(e1.code, 'invalid-argument');
    assert.match(e1.message, /needs the reference FASTA/);
    await cram.close();
    const bam = await openAlignments(BAM);
    const e2 = await expectOneError(() => bam.fetch('chr99', 0, 10));
    assert.equal(e2.code, 'contig-not-found');
    assert.match(e2.message, /chrM, chr1/);
  });
});
