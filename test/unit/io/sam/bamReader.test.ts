/**
 * The native BAM reader against samtools: a CSI index gives the same reads as the BAI, a
 * whole-region query larger than the block cache and a tiny cache give the same reads as
 * samtools view, reads placed but unmapped are included like samtools does, and a CIGAR of
 * more than 65535 operations (stored in the CG tag) reads back whole.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cigarToString } from '../../../../src/core/io/sam/alignedRead';
import { openAlignments } from '../../../../src/core/io/sam/alignmentReader';
import { BamReader } from '../../../../src/core/io/sam/bamReader';
import { dv, sharedTest } from '../../../helpers/paths';
import { seededRandom } from '../../../helpers/seededRandom';
import { run, withTempDir } from '../ioTestUtil';

const BAM = dv('NA12878_S1.chr20.10_10p1mb.bam');

/** name, flag, POS (1-based) of each line of `samtools view`. */
function samKeys(text: string): string[] {
  return text.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 4).filter((_, i) => i !== 2).join(' '));
}

describe('BAM reader', () => {
  sharedTest('CSI index and a 2-block cache: same reads as samtools view for seeded regions, the whole 100 kb, and regions with unmapped placed reads', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'csi.bam');
      copyFileSync(BAM, f);
      run('samtools', ['index', '-c', f]);
      const csi = await openAlignments(f);
      assert.equal(csi.indexPath, `${f}.csi`);
      const tiny = await BamReader.open(BAM, `${BAM}.bai`, undefined, 2);
      const chr20 = tiny.header.references.findIndex((r) => r.name === 'chr20');
      // Placed unmapped reads (flag 4 with a POS): samtools gives them a one-base span.
      const unmappedPos = run('samtools', ['view', '-f', '4', BAM, 'chr20']).split('\n').filter(Boolean).slice(0, 3).map((l) => Number(l.split('\t')[3]));
      assert.ok(unmappedPos.length > 0, 'the test BAM should hold placed unmapped reads');
      const rand = seededRandom(77);
      const regions: [number, number][] = [[9_990_000, 10_110_000], ...unmappedPos.map((p) => [p - 1, p] as [number, number])];
      for (let k = 0; k < 8; k++) {
        const s = 9_999_000 + Math.floor(rand() * 100_000);
        regions.push([s, s + 1 + Math.floor(rand() * 20_000)]);
      }
      for (const [s, e] of regions) {
        const expected = samKeys(run('samtools', ['view', BAM, `chr20:${s + 1}-${e}`]));
        const fromCsi = (await csi.fetch('chr20', s, e)).map((r) => `${r.name} ${r.flags} ${r.start + 1}`);
        const fromTiny = (await tiny.fetch(chr20, s, e)).map((r) => `${r.name} ${r.flags} ${r.start + 1}`);
        assert.equal(fromCsi.length, expected.length, `chr20:${s + 1}-${e} (CSI) read count`);
        assert.deepEqual(fromCsi, expected, `chr20:${s + 1}-${e} (CSI)`);
        assert.deepEqual(fromTiny, expected, `chr20:${s + 1}-${e} (2-block cache)`);
      }
      assert.deepEqual(await tiny.fetch(chr20, 50_000_000, 50_001_000), []);
      await tiny.close();
      await csi.close();
    });
  });
});

describe('BAM reader: long CIGAR', () => {
  test('a read with 70,000 CIGAR operations (CG tag) reads back with its full CIGAR, end and no CG tag', async () => {
    await withTempDir(async (dir) => {
      const nPairs = 35_000;
      const cigar = '1M1I'.repeat(nPairs);
      const seq = 'AC'.repeat(nPairs);
      const sam = join(dir, 'long.sam');
      const bam = join(dir, 'long.bam');
      writeFileSync(sam, [
        '@HD\tVN:1.6\tSO:coordinate',
        '@SQ\tSN:ctg\tLN:100000',
        `long\t0\tctg\t101\t60\t${cigar}\t*\t0\t0\t${seq}\t*\tNM:i:7`,
        `short\t0\tctg\t200\t60\t10M\t*\t0\t0\tACGTACGTAC\t*`,
      ].join('\n') + '\n');
      run('samtools', ['view', '-b', '-o', bam, sam]);
      run('samtools', ['index', bam]);
      const f = await openAlignments(bam);
      const reads = await f.fetch('ctg', 35_099, 35_100);
      const expected = run('samtools', ['view', bam, 'ctg:35100-35100']).split('\n').filter(Boolean).map((l) => l.split('\t'));
      assert.equal(reads.length, expected.length);
      assert.equal(reads.length, 1);
      assert.equal(cigarToString(reads[0]!.cigar), expected[0]![5]);
      assert.equal(reads[0]!.end, 100 + nPairs);
      assert.deepEqual(reads[0]!.tags, { NM: 7 });
      assert.equal(reads[0]!.seq, seq);
      await f.close();
    });
  });
});
