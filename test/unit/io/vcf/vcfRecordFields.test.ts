/**
 * VcfRecord's fast paths against the plain definitions: QUAL parsed from char codes equals
 * Number(text) for every form (seeded random decimals, signs, exponents, odd spellings), and
 * the lazily cut columns equal a split on tabs, also when consecutive records change contig.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VcfRecord } from '../../../../src/core/io/vcf/vcfRecord';
import { seededRandom } from '../../../helpers/seededRandom';

function line(chrom: string, qual: string, extra = ''): string {
  return `${chrom}\t100\trs1\tA\tC,G\t${qual}\tq10;s50\tDP=3;END=120${extra}`;
}

describe('VcfRecord fast paths', () => {
  test('QUAL equals Number(text) for 20,000 seeded decimals and the odd spellings', () => {
    const rand = seededRandom(5);
    const texts = ['0', '-0', '5.', '.5', '-.5', '007', '1e3', '1E-2', '+5', ' 5', 'Infinity', '-Infinity', '0.1', '0.30000000000000004',
      '123456789012345', '1234567890123456', '12345678901234567890', '1.0000000000000000000001', '9007199254740993', '60.000'];
    for (let i = 0; i < 20_000; i++) {
      const intDigits = Math.floor(rand() * 8);
      const fracDigits = Math.floor(rand() * 10);
      let t = rand() < 0.1 ? '-' : '';
      for (let k = 0; k < intDigits; k++) t += String(Math.floor(rand() * 10));
      if (fracDigits > 0 || intDigits === 0) t += '.';
      for (let k = 0; k < fracDigits; k++) t += String(Math.floor(rand() * 10));
      if (/\d/.test(t)) texts.push(t);
    }
    for (const t of texts) {
      const r = new VcfRecord(line('chr1', t), 1, 'x.vcf');
      assert.ok(Object.is(r.qual, Number(t)), `QUAL "${t}": ${r.qual} vs ${Number(t)}`);
    }
    assert.equal(new VcfRecord(line('chr1', '.'), 1, 'x.vcf').qual, undefined);
    for (const bad of ['', 'abc', '1.2.3', '-', '.a']) {
      assert.throws(() => new VcfRecord(line('chr1', bad), 7, 'x.vcf'), (e: Error & { code?: string }) => e.code === 'malformed-vcf' && /line 7 has QUAL/.test(e.message), bad);
    }
  });

  test('lazily cut columns equal a split on tabs, across contig changes', () => {
    const lines = [line('chr1', '1'), line('chr1', '2', '\tGT\t0/1'), line('chr10', '3'), line('chr1', '4'), line('chr', '5'), line('chr1', '6')];
    for (const l of lines) {
      const r = new VcfRecord(l, 1, 'x.vcf');
      const cols = l.split('\t');
      assert.equal(r.contig, cols[0]);
      assert.equal(r.id, cols[2]);
      assert.deepEqual(r.alts, cols[4]!.split(','));
      assert.deepEqual(r.filters, cols[6]!.split(';'));
      assert.equal(r.infoText, cols[7]);
      assert.equal(r.end0, 120);
      assert.equal(r.sampleCount, Math.max(0, cols.length - 9));
    }
  });
});
