/**
 * The row index scans bytes (no line strings): its rows and contig runs must equal the
 * generated lines for awkward input: CRLF endings, blank lines, contigs that prefix each other
 * (chr1 / chr10), non-ASCII contig names, frequent contig switches and lines crossing BGZF
 * block boundaries (bgzip CLI).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openVcf } from '../../../../src/core/io/vcf/vcfReader';
import { seededRandom } from '../../../helpers/seededRandom';
import { run, withTempDir } from '../ioTestUtil';

describe('VCF row index byte scan', () => {
  test('rows and contig runs equal the generated lines (CRLF, blank lines, chr1/chr10, non-ASCII, block boundaries)', async () => {
    await withTempDir(async (dir) => {
      const contigs = ['chr1', 'chr10', 'chr1', 'çhr2', 'chr', 'chr10', 'c', 'chr1'];
      const rand = seededRandom(11);
      const lines: string[] = [];
      for (const c of contigs) {
        let pos = 0;
        const n = 200 + Math.floor(rand() * 3000);
        for (let i = 0; i < n; i++) {
          pos += 1 + Math.floor(rand() * 50);
          lines.push(`${c}\t${pos}\t.\tA\tG\t${Math.floor(rand() * 60)}\tPASS\tDP=${i}\tGT\t0/1`);
        }
      }
      const header = ['##fileformat=VCFv4.2', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS'];
      // Blank lines between records (kept out of the index), CRLF endings throughout.
      const body = lines.map((l, i) => (i % 997 === 5 ? `${l}\r\n\r\n` : `${l}\r\n`)).join('');
      const plain = join(dir, 'x.vcf');
      writeFileSync(plain, header.join('\r\n') + '\r\n' + body);
      run('bgzip', ['-k', plain]);
      const expectedRuns: [string, number, number][] = [];
      lines.forEach((l, i) => {
        const c = l.slice(0, l.indexOf('\t'));
        const last = expectedRuns[expectedRuns.length - 1];
        if (last && last[0] === c) last[2]++;
        else expectedRuns.push([c, i, 1]);
      });
      for (const f of [plain, `${plain}.gz`]) {
        const vcf = await openVcf(f);
        const idx = await vcf.buildRowIndex();
        assert.equal(idx.count, lines.length, f);
        assert.deepEqual(idx.contigRuns.map((r) => [r.contig, r.firstRow, r.rowCount]), expectedRuns, f);
        for (let k = 0; k < 30; k++) {
          const from = Math.floor(rand() * lines.length);
          const to = Math.min(lines.length, from + 1 + Math.floor(rand() * 500));
          assert.deepEqual((await idx.readRows(from, to)).map((r) => r.line), lines.slice(from, to), `${f} rows ${from}-${to}`);
        }
        await vcf.close();
      }
    });
  });
});
