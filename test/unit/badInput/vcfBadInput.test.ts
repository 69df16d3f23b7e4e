/**
 * Bad VCF input: every kind either ends in one VariantLensError naming the file, the line
 * and the problem, or gives the correct result. Fixtures are made at test time (bgzip, tabix).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { diffVcfs } from '../../../src/core/diff/vcfDiff';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { openVcf } from '../../../src/core/io/vcf/vcfReader';
import { parseGenotype } from '../../../src/core/io/vcf/vcfRecord';
import { expectBad, makeFixtures, sh, type Fixtures } from './fixtures';

let fx: Fixtures;
before(() => { fx = makeFixtures(); });
after(() => fx.cleanup());

/** Streams every record and decodes ALT and the first sample's GT, as the table and inspector do. */
async function readAll(path: string): Promise<number> {
  const v = await openVcf(path);
  let n = 0;
  try {
    for await (const r of v.records()) {
      void r.alts;
      r.genotype(0);
      n++;
    }
  } finally {
    await v.close();
  }
  return n;
}

async function diffWithGood(path: string, refPath?: string): Promise<unknown> {
  const a = await openVcf(path);
  const b = await openVcf(fx.vcf);
  const reference = refPath ? await openReference(refPath) : undefined;
  try {
    return await diffVcfs(a, b, reference ? { reference } : {});
  } finally {
    await a.close();
    await b.close();
  }
}

/** A VCF that is the fixture's with record `i` (0-based) replaced (or extra lines added after it). */
function vcfWith(name: string, edit: (records: string[]) => string[], header = fx.vcfHeader): string {
  const p = fx.file(name);
  writeFileSync(p, [...header, ...edit([...fx.vcfRecords])].join('\n') + '\n');
  return p;
}

const HEADER_LINES = 6; // fileformat, 2 contigs, 2 FORMAT, #CHROM
function lineOf(i: number): string {
  return `line ${HEADER_LINES + i + 1}`;
}

function setCol(rec: string, col: number, value: string): string {
  const f = rec.split('\t');
  f[col] = value;
  return f.join('\t');
}

describe('bad VCF records', () => {
  test('GT "-1/1" is an error, not 0/1 (reader and diff)', async () => {
    const p = vcfWith('gt-neg.vcf', (r) => { r[3] = setCol(r[3]!, 9, '-1/1:30'); return r; });
    const want = { code: 'malformed-vcf', file: p, where: lineOf(3), problem: /GT "-1\/1" has an allele that is not "\." or a non-negative number/ };
    await expectBad(() => readAll(p), want);
    await expectBad(() => diffWithGood(p), want);
  });

  test('GT "0/3" with one ALT is an error naming the allele count', async () => {
    const p = vcfWith('gt-range.vcf', (r) => { r[5] = setCol(r[5]!, 9, '0/3:30'); return r; });
    const want = { code: 'malformed-vcf', file: p, where: lineOf(5), problem: /GT "0\/3" names allele 3 but the record has 1 ALT allele/ };
    await expectBad(() => readAll(p), want);
    await expectBad(() => diffWithGood(p), want);
  });

  test('GT "a/b" is an error', async () => {
    const p = vcfWith('gt-text.vcf', (r) => { r[2] = setCol(r[2]!, 9, 'a/b:30'); return r; });
    await expectBad(() => diffWithGood(p), { code: 'malformed-vcf', file: p, where: lineOf(2), problem: /GT "a\/b" has an allele that is not/ });
    await expectBad(() => readAll(p), { code: 'malformed-vcf', file: p, where: lineOf(2), problem: /GT "a\/b"/ });
  });

  test('REF "." is an error', async () => {
    const p = vcfWith('ref-dot.vcf', (r) => { r[1] = setCol(r[1]!, 3, '.'); return r; });
    await expectBad(() => readAll(p), { code: 'malformed-vcf', file: p, where: lineOf(1), problem: /has REF "\."; REF must be the reference base/ });
  });

  test('ALT equal to REF is an error (reader and diff)', async () => {
    const p = vcfWith('alt-eq-ref.vcf', (r) => { const ref = r[0]!.split('\t')[3]!; r[0] = setCol(r[0]!, 4, ref); return r; });
    const want = { code: 'malformed-vcf', file: p, where: lineOf(0), problem: /equal to REF; an ALT allele must differ from REF/ };
    await expectBad(() => readAll(p), want);
    await expectBad(() => diffWithGood(p), want);
  });

  test('an empty ALT column is an error', async () => {
    const p = vcfWith('alt-empty.vcf', (r) => { r[6] = setCol(r[6]!, 4, ''); return r; });
    const want = { code: 'malformed-vcf', file: p, where: lineOf(6), problem: /has an empty ALT column/ };
    await expectBad(() => readAll(p), want);
    await expectBad(() => diffWithGood(p), want);
  });

  test('an empty allele inside ALT ("C,,G") is an error', async () => {
    const p = vcfWith('alt-empty-allele.vcf', (r) => { r[7] = setCol(r[7]!, 4, 'C,,G'); return r; });
    await expectBad(() => diffWithGood(p), { code: 'malformed-vcf', file: p, where: lineOf(7), problem: /has an empty allele in ALT/ });
  });

  test('a repeated record is an error naming both lines (not a spurious only-A)', async () => {
    const p = vcfWith('dup.vcf', (r) => { r.splice(9, 0, r[8]!); return r; });
    await expectBad(() => diffWithGood(p), { code: 'malformed-vcf', file: p, where: lineOf(9), problem: new RegExp(`repeats the record of ${lineOf(8)}`) });
  });

  test('the single breakend ".G" is symbolic, not an indel', async () => {
    const p = vcfWith('breakend.vcf', (r) => { const ref = r[4]!.split('\t')[3]!; r[4] = setCol(r[4]!, 4, `.${ref}`); return r; });
    const v = await openVcf(p);
    const recs = [];
    for await (const r of v.records()) recs.push(r);
    await v.close();
    assert.equal(recs[4]!.variantType, 'REF');
    // Against the fixture: that record's allele (a deletion) is only-B; nothing is only-A.
    const d = await diffVcfs(await openVcf(p), await openVcf(fx.vcf));
    assert.equal(d.classes['only-A'].total, 0);
    assert.equal(d.classes['only-A'].INDEL, 0);
    assert.equal(d.classes['only-B'].total, 1);
    assert.equal(d.classes['only-B'].INDEL, 1);
    assert.equal(d.classes.same.total, fx.vcfRecords.length - 1);
  });

  test('VCF 4.4 leading phase markers: "/1" is one allele 1, "/0|1" is 0 and 1', () => {
    assert.deepEqual(parseGenotype('/1').alleles, [1]);
    assert.deepEqual(parseGenotype('|1').alleles, [1]);
    assert.deepEqual(parseGenotype('/0|1').alleles, [0, 1]);
    assert.equal(parseGenotype('/0|1').phased, true);
    assert.deepEqual(parseGenotype('0/1').alleles, [0, 1]);
  });

  test('a leading phase marker in a file is read right, and "/1" with one ALT is valid', async () => {
    const p = vcfWith('phase44.vcf', (r) => { r[0] = setCol(r[0]!, 9, '/1:30'); r[1] = setCol(r[1]!, 9, '/0|1:30'); return r; });
    const v = await openVcf(p);
    const it = v.records();
    const r0 = (await it.next()).value!;
    const r1 = (await it.next()).value!;
    assert.deepEqual(r0.genotype(0)!.alleles, [1]);
    assert.deepEqual(r1.genotype(0)!.alleles, [0, 1]);
    await v.close();
    await diffWithGood(p); // no error
  });

  test('POS above 2^53 is an error about POS, not the sort order', async () => {
    const p = vcfWith('pos-huge.vcf', (r) => { r[10] = setCol(r[10]!, 1, '90071992547409930'); return r; });
    await expectBad(() => readAll(p), { code: 'malformed-vcf', file: p, where: lineOf(10), problem: /POS 90071992547409930, larger than 2\^53 - 1/ });
  });

  test('POS that is not a number is an error', async () => {
    const p = vcfWith('pos-text.vcf', (r) => { r[2] = setCol(r[2]!, 1, '12x'); return r; });
    await expectBad(() => readAll(p), { code: 'malformed-vcf', file: p, where: lineOf(2), problem: /has POS "12x", which is not a non-negative integer/ });
  });

  test('too few columns is an error', async () => {
    const p = vcfWith('cols.vcf', (r) => { r[3] = r[3]!.split('\t').slice(0, 5).join('\t'); return r; });
    await expectBad(() => readAll(p), { code: 'malformed-vcf', file: p, where: lineOf(3), problem: /has 5 tab-separated columns; a VCF record needs at least 8/ });
  });

  test('QUAL that is not a number is an error', async () => {
    const p = vcfWith('qual.vcf', (r) => { r[4] = setCol(r[4]!, 5, 'high'); return r; });
    await expectBad(() => readAll(p), { code: 'malformed-vcf', file: p, where: lineOf(4), problem: /has QUAL "high", which is not a number/ });
  });

  test('a header line after the first record is an error', async () => {
    const p = vcfWith('late-header.vcf', (r) => { r.splice(3, 0, '##INFO=<ID=X,Number=1,Type=String,Description="x">'); return r; });
    await expectBad(() => readAll(p), { code: 'malformed-vcf', file: p, where: lineOf(3), problem: /is a header line/ });
  });

  test('a file without a header is an error', async () => {
    const p = vcfWith('noheader.vcf', (r) => r, []);
    await expectBad(() => openVcf(p), { code: 'malformed-vcf', file: p, problem: /has no header/ });
  });

  test('a UTF-8 byte-order mark before ##fileformat is skipped (same records)', async () => {
    const p = fx.file('bom.vcf');
    writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([...fx.vcfHeader, ...fx.vcfRecords].join('\n') + '\n')]));
    const v = await openVcf(p);
    assert.equal(v.vcfHeader.fileformat, 'VCFv4.2');
    assert.equal(v.vcfHeader.samples[0], 'S1');
    await v.close();
    assert.equal(await readAll(p), fx.vcfRecords.length);
  });

  test('a line over the length cap is an error naming the file and line (plain and bgzipped)', async () => {
    const long = setCol(fx.vcfRecords[20]!, 7, `NOTE=${'x'.repeat(50_000)}`);
    const p = vcfWith('longline.vcf', (r) => { r[20] = long; return r; });
    const gz = fx.file('longline.vcf.gz');
    writeFileSync(gz, sh('bgzip', ['-c', p]), 'latin1');
    const old = process.env['VARIANT_LENS_MAX_LINE_BYTES'];
    process.env['VARIANT_LENS_MAX_LINE_BYTES'] = '20000';
    try {
      for (const f of [p, gz]) {
        const want = { code: 'malformed-vcf', file: f, where: lineOf(20), problem: /is longer than 20000 bytes, the most Variant Lens reads in one line/ };
        await expectBad(() => readAll(f), want);
        const v = await openVcf(f);
        await expectBad(() => v.buildRowIndex(), want);
        await v.close();
      }
    } finally {
      if (old === undefined) delete process.env['VARIANT_LENS_MAX_LINE_BYTES'];
      else process.env['VARIANT_LENS_MAX_LINE_BYTES'] = old;
    }
    assert.equal(await readAll(p), fx.vcfRecords.length); // under the default cap: fine
  });

  test('a contig that is not in the reference is contig-not-found, not a sort-order error', async () => {
    const p = vcfWith('unknown-contig.vcf', (r) => { r.splice(5, 0, setCol(r[5]!, 0, 'chrZ')); return r; });
    await expectBad(() => diffWithGood(p, fx.ref), { code: 'contig-not-found', file: p, where: lineOf(5), problem: /contig "chrZ" is not in the reference/ });
  });

  test('a contig no header lists, out of order, is named as such (no reference)', async () => {
    const p = vcfWith('unlisted-contig.vcf', (r) => { r.splice(5, 0, setCol(r[5]!, 0, 'chrZ')); return r; });
    await expectBad(() => diffWithGood(p), { code: 'contig-not-found', file: p, problem: /contig "chrZ" is not listed in the ##contig lines of either file/ });
  });

  test('an unsorted file names both lines and the sort command', async () => {
    const p = vcfWith('unsorted.vcf', (r) => { [r[10], r[11]] = [r[11]!, r[10]!]; return r; });
    await expectBad(() => diffWithGood(p), { code: 'malformed-vcf', file: p, where: lineOf(11), problem: /bcftools sort/ });
  });

  test('a directory given as the VCF is one line naming it', async () => {
    await expectBad(() => openVcf(fx.dir), { code: 'invalid-argument', file: fx.dir, problem: /is a directory, not a file/ });
  });

  test('a missing VCF is file-not-found', async () => {
    const p = fx.file('nope.vcf');
    await expectBad(() => openVcf(p), { code: 'file-not-found', file: p, problem: /no such file/ });
  });
});
