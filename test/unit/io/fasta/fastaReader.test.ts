/** FASTA reader against samtools faidx; aliases; bad input. */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { writeFasta } from '../../../../src/core/io/fasta/fastaWriter';
import { dv, sharedTest } from '../../../helpers/paths';
import { seededRandom } from '../../../helpers/seededRandom';
import { expectOneError, run, withTempDir } from '../ioTestUtil';

const REF = dv('ucsc.hg19.chr20.unittest.fasta.gz');

function faidx(file: string, region: string): string {
  return run('samtools', ['faidx', file, region]).split('\n').slice(1).join('').toUpperCase();
}

describe('FASTA reader', () => {
  sharedTest('bgzipped FASTA + .fai + .gzi: random regions equal samtools faidx; "20" resolves to chr20', async () => {
    const ref = await openReference(REF);
    assert.deepEqual(await ref.contigs(), [{ name: 'chr20', length: Number(run('cut', ['-f2', `${REF}.fai`]).trim()) }]);
    const rand = seededRandom(11);
    for (let k = 0; k < 8; k++) {
      const start = 9_990_000 + Math.floor(rand() * 120_000);
      const end = start + 1 + Math.floor(rand() * 3000);
      const expected = faidx(REF, `chr20:${start + 1}-${end}`);
      assert.equal(await ref.fetch(k % 2 ? '20' : 'chr20', start, end), expected);
    }
    await ref.close();
  });

  test('plain FASTA with lower case and odd line widths: upper-cased, equal to samtools faidx', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'r.fa');
      const rand = seededRandom(5);
      const seq = (n: number): string => Array.from({ length: n }, () => 'ACGTacgtN'[Math.floor(rand() * 9)]).join('');
      const a = seq(1003);
      const m = seq(77);
      writeFileSync(f, `>1 desc\n${a.replace(/(.{60})/g, '$1\n')}\n>MT\n${m.replace(/(.{7})/g, '$1\n')}\n`);
      run('samtools', ['faidx', f]);
      const ref = await openReference(f);
      assert.deepEqual((await ref.contigs()).map((c) => [c.name, c.length]), [['1', 1003], ['MT', 77]]);
      assert.equal(await ref.fetch('chr1', 0, 1003), a.toUpperCase());
      assert.equal(await ref.fetch('1', 59, 61), faidx(f, '1:60-61'));
      assert.equal(await ref.fetch('chrM', 5, 30), faidx(f, 'MT:6-30'));
      assert.equal(await ref.fetch('MT', 10, 10), '');
      const e1 = await expectOneError(() => ref.fetch('1', 1000, 1004));
      assert.equal(e1.code, 'region-invalid');
      const e2 = await expectOneError(() => ref.fetch('chr2', 0, 1));
      assert.equal(e2.code, 'contig-not-found');
      assert.match(e2.message, /available: 1, MT/);
      assert.ok(e2.message.includes(f));
    });
  });

  test('plain FASTA with CRLF line ends, over 1 MiB (the cached chunks): equal to samtools faidx; a control byte is an error, as before', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'crlf.fa');
      const rand = seededRandom(9);
      const n = (1 << 20) + 12_345;
      const bases = Array.from({ length: n }, () => 'ACGTNacgtn'[Math.floor(rand() * 10)]).join('');
      writeFileSync(f, `>c1\r\n${bases.replace(/(.{61})/g, '$1\r\n')}\r\n`);
      run('samtools', ['faidx', f]);
      const ref = await openReference(f);
      assert.equal(await ref.fetch('c1', 0, n), bases.toUpperCase());
      for (let k = 0; k < 6; k++) {
        const start = Math.floor(rand() * (n - 200_000));
        const end = start + 1 + Math.floor(rand() * (k % 2 ? 150_000 : 500));
        assert.equal(await ref.fetch('c1', start, end), faidx(f, `c1:${start + 1}-${end}`));
      }
      await ref.close();
      const g = join(dir, 'ctl.fa');
      writeFileSync(g, '>x\nACGT\x01CGT\n');
      writeFileSync(`${g}.fai`, 'x\t8\t3\t8\t9\n');
      const bad = await openReference(g);
      const e = await expectOneError(() => bad.fetch('x', 0, 8));
      assert.equal(e.code, 'malformed-fasta');
      await bad.close();
    });
  });

  test('a FASTA without .fai is one missing-fai error with the samtools faidx command', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'nofai.fa');
      writeFileSync(f, '>x\nACGT\n');
      const err = await expectOneError(() => openReference(f));
      assert.equal(err.code, 'missing-fai');
      assert.ok(err.message.includes(`samtools faidx ${f}`));
    });
  });

  sharedTest('a contig absent from the real reference is contig-not-found listing available names', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'ref.fa.gz');
      for (const ext of ['', '.fai', '.gzi']) copyFileSync(`${REF}${ext}`, `${f}${ext}`);
      const ref = await openReference(f);
      const err = await expectOneError(() => ref.fetch('chr21', 0, 100));
      assert.equal(err.code, 'contig-not-found');
      assert.match(err.message, /available: chr20/);
    });
  });
  test('reads through the cached 1 MiB chunks (large reads, reads across chunk edges, small reads after them) = the bases written, plain and bgzipped', async () => {
    await withTempDir(async (dir) => {
      const rand = seededRandom(5);
      const bases = (n: number): string => Array.from({ length: n }, () => 'ACGTacgtN'[Math.floor(rand() * 9)]).join('');
      const contigs = [{ name: 'c1', seq: bases(2_600_000) }, { name: 'c2', seq: bases(1_100_000) }];
      for (const file of [join(dir, 'ref.fa'), join(dir, 'ref.fa.gz')]) {
        await writeFasta(file, contigs, { lineWidth: 70 });
        const ref = await openReference(file);
        const M = 1 << 20;
        const ranges: [string, number, number][] = [
          ['c1', M - 2048, 2 * M + 2048], ['c1', 0, M], ['c1', 5, 9], ['c1', M - 3, M + 3], ['c1', 2 * M - 10, 2 * M + 70_000],
          ['c2', 1_000_000, 1_100_000], ['c1', 100, 200_000], ['c1', 0, 2_600_000], ['c2', M - 1, M + 1], ['c1', 2_599_000, 2_600_000],
        ];
        for (let k = 0; k < 40; k++) {
          const c = contigs[k % 2]!;
          const start = Math.floor(rand() * c.seq.length);
          ranges.push([c.name, start, Math.min(c.seq.length, start + 1 + Math.floor(rand() * (k % 3 === 0 ? 1_500_000 : 5000)))]);
        }
        for (const [name, start, end] of ranges) {
          const want = contigs.find((c) => c.name === name)!.seq.slice(start, end).toUpperCase();
          const got = await ref.fetch(name, start, end);
          assert.ok(got === want, `${file} ${name}:${start}-${end}: ${got.length} bases, want ${want.length}`);
        }
        await ref.close();
      }
    });
  });
});
