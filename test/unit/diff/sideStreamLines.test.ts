/**
 * The side stream reads a file in its own order from `VcfFile.dataLines` and tokenizes each
 * line itself, handing lines of an unusual form to VcfRecord (sideStream.ts `addLine`). The
 * same files read through VcfRecords (a source without `dataLines`, as a region query or a
 * file read contig by contig are) must give the same sites, the same summary and the same
 * errors. The files mix the common form with the forms that take the other branches: a
 * lower-case REF, QUAL in exponent form and '.', POS with leading zeros and 16 digits, FORMAT
 * changing from line to line (a prefix of the previous one, reordered keys, a column without
 * GT), an empty sample field list, multi-allelic and symbolic ALTs, INFO values, several
 * FILTERs, an ID, an empty line.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openVcf, type VcfFile } from '../../../src/core/io/vcf/vcfReader';
import type { VcfSource } from '../../../src/core/io/vcf/vcfSource';
import { diffVcfs } from '../../../src/core/diff/vcfDiff';
import type { DiffSite } from '../../../src/core/diff/diffClasses';
import { TEST_CACHE } from '../../helpers/paths';
import { writeSpacedVcf } from '../../helpers/vcfText';
import { BGZF_EOF, compressBlock } from '../../../src/core/io/bgzf/bgzfWriter';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import { writeFasta } from '../../../src/core/io/fasta/fastaWriter';
import type { ReferenceSource } from '../../../src/core/io/fasta/referenceSource';

const DIR = join(TEST_CACHE, 'diff-side-lines');

const HEADER = [
  '##fileformat=VCFv4.2',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="DP">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="AD">',
  '##contig=<ID=chr1,length=1000000>',
  '##contig=<ID=chr2,length=1000000>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
];

const vcf = (name: string, rows: string[]): string => writeSpacedVcf(DIR, name, HEADER, rows);

// Columns: CHROM POS ID REF ALT QUAL FILTER INFO FORMAT S1 (spaces become tabs; '<EMPTY>' an empty line)
const A_ROWS = [
  'chr1 100 . A G 50 PASS . GT:GQ:DP:AD 0/1:50:30:15,15',
  'chr1 0110 . C T 40 PASS . GT:GQ:DP:AD 1/1:40:20:0,20', // leading zero in POS
  'chr1 120 rs7 g a 1e2 PASS . GT:GQ:DP:AD 0/1:30:10:5,5', // lower case, QUAL in exponent form
  'chr1 130 . T C . . DP=7;AF=0.5 GT:GQ 0/1:20', // FORMAT a prefix of the previous one, QUAL '.'
  'chr1 140 . G A 30 LowQual;X . GQ:GT 25:1/1', // keys reordered
  'chr1 150 . A C 30 PASS . GQ 25', // no GT
  '<EMPTY>',
  'chr1 0000000000000160 . T G,C,<*> 33.5 PASS . GT:GQ:DP:AD 1/2:12:30:2,14,14,0', // 16-digit POS, multi-allelic + symbolic
  'chr1 170 . CA C 25 PASS . GT:GQ:DP:AD 0/1:25:9:4,5',
  'chr1 180 . A G 60 RefCall . GT:GQ:DP:AD 0/0:60:40:40,0',
  'chr2 100 . A T 45 PASS . GT:GQ:DP:AD 0|1:45:30:15,15',
  'chr2 110 . C G 45 PASS . GT:GQ:DP:AD ./1:45:30:15,15',
  'chr2 120 . G A 45 PASS .', // no FORMAT column
];
const B_ROWS = [
  'chr1 100 . A G 50 PASS . GT:GQ:DP:AD 1/1:50:30:0,30',
  'chr1 120 . G A 90 PASS . GT:GQ 0/1:30',
  'chr1 140 . G A 30 PASS . GT:GQ 1/1:25',
  'chr1 160 . T C 33.5 PASS . GT:GQ 0/1:12',
  'chr1 170 . CA C 25 PASS . GT 0/1',
  'chr2 100 . A T 45 PASS . GT:GQ:DP:AD 1|0:45:30:15,15',
  'chr2 130 . T G 45 PASS . GT:GQ:DP:AD 1/1:45:30:0,30',
];

/** The same file read only through its records (no `dataLines`, no batches). */
function recordsOnly(f: VcfFile): VcfSource {
  return { path: f.path, header: (s) => f.header(s), records: (s) => f.records(s), query: (c, a, b, s) => f.query(c, a, b, s), close: () => f.close() };
}

async function run(a: VcfSource, b: VcfSource, sampleFields: boolean): Promise<{ sites: DiffSite[]; summary: string }> {
  const sites: DiffSite[] = [];
  const summary = await diffVcfs(a, b, { onSite: (s) => sites.push(s), includeSame: true, sampleFields, truth: 'B' });
  const { elapsedMs: _elapsed, ...rest } = summary;
  return { sites, summary: JSON.stringify(rest) };
}

test('a file read from its data lines gives the same sites and summary as through VcfRecords', async () => {
  const a = await openVcf(vcf('a.vcf', A_ROWS.map((r) => (r === '<EMPTY>' ? '' : r))));
  const b = await openVcf(vcf('b.vcf', B_ROWS));
  for (const sampleFields of [false, true]) {
    const lines = await run(a, b, sampleFields);
    const records = await run(recordsOnly(a), recordsOnly(b), sampleFields);
    assert.deepEqual(lines.sites, records.sites);
    assert.equal(lines.summary, records.summary);
    // The odd lines were read, not skipped: the lower-case record, the 16-digit POS, the QUAL 1e2.
    assert.ok(lines.sites.some((s) => s.pos === 120 && s.ref === 'G' && s.a?.qual === 100));
    assert.equal(lines.sites.filter((s) => s.pos === 160 && s.a !== undefined).length, 2);
    assert.ok(lines.sites.some((s) => s.pos === 140 && s.a?.gt === '1/1' && s.a.gq === 25));
  }
});

test('a malformed line fails with the same error read from data lines or through VcfRecords', async () => {
  const b = await openVcf(vcf('b2.vcf', B_ROWS));
  const bad: [string, RegExp][] = [
    ['chr1 200 . A G abc PASS . GT 0/1', /QUAL "abc"/],
    ['chr1 2x0 . A G 30 PASS . GT 0/1', /POS "2x0"/],
    ['chr1 200 . . G 30 PASS . GT 0/1', /REF "\."/],
    ['chr1 200 . A G 30 PASS', /7 tab-separated columns/],
    ['chr1 200 . A A 30 PASS . GT 0/1', /equal to REF/],
    ['chr1 200 . A G 30 PASS . GT 0/2', /names allele 2/],
    ['chr1 200 . AC A,ACC 30 PASS . GT 0/3', /names allele 3/],
    ['chr1 200 . AC A,,ACC 30 PASS . GT 0/1', /empty allele in ALT/],
    ['chr1 200 . AC ACC,AC 30 PASS . GT 0/1', /equal to REF/],
    ['chr1 100 . A G 30 PASS . GT:GQ 0/1:3', /repeats the record of line 9/],
    ['chr1 100 . A G 30 PASS . GT 0/1', /repeats the record of line 9/],
    ['chr1 50 . A G 30 PASS . GT 0/1', /comes after chr1:100/],
    ['#chr1 200 . A G 30 PASS . GT 0/1', /header line/],
  ];
  for (const [row, want] of bad) {
    const a = await openVcf(vcf('bad.vcf', ['chr1 100 . A G 30 PASS . GT 0/1', row]));
    const fromLines = await diffVcfs(a, b).then(() => 'no error', (e: Error) => e.message);
    const fromRecords = await diffVcfs(recordsOnly(a), recordsOnly(b)).then(() => 'no error', (e: Error) => e.message);
    // (A VcfFile's lines are read from their bytes; linesOnly reads them decoded.)
    const fromDecoded = await diffVcfs(linesOnly(a), linesOnly(b)).then(() => 'no error', (e: Error) => e.message);
    assert.match(fromLines, want, row);
    assert.equal(fromLines, fromRecords, row);
    assert.equal(fromLines, fromDecoded, row);
  }
});

// The byte path (sideStream.ts `addBytes`): a VcfFile hands its data lines out as bytes, and the
// side stream reads the common SNP line from them and decodes every other line for `addLine`.
// Rows that take each of its branches: FORMAT changing and changing back, MID, missing and
// odd GQ/DP/AD values, a non-ASCII FILTER, a triploid GT, ALT or REF N, a negative QUAL, a
// FORMAT without a sample column, fewer sample fields than keys, empty fields, a second sample,
// indels and multi-allelic records (left-aligned in a homopolymer with the reference), a GT
// naming an ALT the record lacks (in the errors' test above).
const HEADER2 = [...HEADER.slice(0, -1), '##FORMAT=<ID=MID,Number=1,Type=String,Description="MID">', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2'];
const BYTE_ROWS = [
  'chr1 100 . A G 50 PASS . GT:GQ:DP:AD 0/1:50:30:15,15 1/1:20:10:0,10',
  'chr1 101 . C T 51.5 PASS . GT:GQ:DP:AD 1/1:51:31:1,30 0/1:20:10:5,5',
  'chr1 105 . A G 50 PASS . GT:GQ:DP:AD:MID 0/1:50:30:15,15:small_model 0/0:20:10:10,0:.',
  'chr1 106 . C T 50 PASS . GT:GQ:DP:AD 0/1:.:.:.,3 0/1:3:4:2,2',
  'chr1 107 . C T 50 PASS . GT:GQ:DP:AD 0/1:1e1:12345678901:3,,4 ./.:.:.:.',
  'chr1 108 . G C 12.25 LowQual;Ünïcode . GT:GQ:DP:AD 1|0:7:5:2,3 0|1:7:5:2,3',
  'chr1 109 . G C 12.25 PASS . GT:GQ:DP:AD 1/1/1:7:5:2,3 0/1:7:5:2,3',
  'chr1 110 . T N 5 PASS . GT 0/1 0/1',
  'chr1 111 . N A 5 PASS . GT:GQ:DP:AD 0/1:9:8:4,4 0/1:9:8:4,4',
  'chr1 112 . A G -3.5 PASS . GT:GQ:DP:AD 0/1:50:30:15,15 0/1:50:30:15,15',
  'chr1 113 . AAA AA 30 PASS . GT:GQ:DP:AD 0/1:30:20:10,10 0/1:30:20:10,10',
  'chr1 114 . A G 30 PASS . GT:GQ:DP:AD',
  'chr1 115 . A AA,AAA 30 PASS . GT:GQ:DP:AD 1/2:20:20:5,5,10 0/1:20:20:10,10,0',
  'chr1 115 . AC A,ACC 20 PASS . GT:GQ:DP:AD 2/2:20:20:5,5,10 0/1:20:20:10,10,0',
  'chr1 116 . A G 30 PASS . GT:GQ:DP:AD 0/1 1/1:1',
  'chr1 117 . A G 30 PASS . GT:GQ:DP:AD ::: 0/1:::',
  'chr1 118 . A G 30 . . GT:GQ:DP:AD 1/1:-1:+5:7 0/1:2:3:4,5',
  'chr1 119 . A G,T 30 PASS . GT:GQ:DP:AD 1/2:5:6:1,2,3 0/1:5:6:1,2,3',
  'chr2 100 . A T 45 PASS . GT:GQ:DP:AD 0|1:45:30:15,15 0/1:45:30:15,15',
  'chr2 101 . A T 45 PASS . GT:GQ:DP:AD 0|1:45:30:15,15',
];
const BYTE_B_ROWS = [
  'chr1 100 . A G 50 PASS . GT:GQ:DP:AD 0/1:50:30:15,15 1/1:20:10:0,10',
  'chr1 106 . C T 90 RefCall . GT:GQ:DP:AD 0/0:50:30:30,0 0/1:3:4:2,2',
  'chr1 108 . G C 12.25 PASS . GT:GQ 1|0:7 0|1:7',
  'chr1 111 . AA A 30 PASS . GT:GQ:DP:AD 0/1:30:20:10,10 0/1:30:20:10,10',
  'chr1 112 . A G 3.5 PASS . GT:GQ:DP:AD 0/1:50:31:15,16 0/1:50:30:15,15',
  'chr2 100 . A T 45 PASS . GT:GQ:DP:AD 1/1:45:30:0,30 0/1:45:30:15,15',
];

/** The same file read as decoded lines only (`dataLines`: no bytes), as a plain-gzip file is read. */
function linesOnly(f: VcfFile): VcfSource {
  return Object.assign(recordsOnly(f), { dataLines: (s?: AbortSignal) => f.dataLines(s) });
}

/** `text` as a BGZF file cut into blocks of `every` bytes, so that lines cross blocks. */
function bgzfOf(path: string, text: string, every: number): string {
  const data = Buffer.from(text, 'utf8');
  const blocks: Buffer[] = [];
  for (let i = 0; i < data.length; i += every) blocks.push(compressBlock(data.subarray(i, i + every)));
  writeFileSync(path, Buffer.concat([...blocks, Buffer.from(BGZF_EOF)]));
  return path;
}

test('the byte path reads every line as the decoded lines and the VcfRecords do (LF and CRLF, plain and BGZF with lines across blocks)', async () => {
  const plainA = writeSpacedVcf(DIR, 'bytes-a.vcf', HEADER2, BYTE_ROWS);
  const plainB = writeSpacedVcf(DIR, 'bytes-b.vcf', HEADER2, BYTE_B_ROWS);
  const textA = readFileSync(plainA, 'utf8');
  const textB = readFileSync(plainB, 'utf8');
  const variants: [string, string][] = [
    [plainA, plainB],
    [bgzfOf(join(DIR, 'bytes-a.vcf.gz'), textA, 37), bgzfOf(join(DIR, 'bytes-b.vcf.gz'), textB, 53)],
    [join(DIR, 'bytes-a-crlf.vcf'), join(DIR, 'bytes-b-crlf.vcf')],
  ];
  writeFileSync(variants[2]![0], textA.replace(/\n/g, '\r\n'));
  writeFileSync(variants[2]![1], textB.replace(/\n/g, '\r\n'));
  // chr1: an A run at 101–130 (1-based), where the indels at 111–115 left-align to 100.
  const seq = 'ACGT'.repeat(250_000).split('');
  for (let i = 100; i < 130; i++) seq[i] = 'A';
  const { path: refPath } = await writeFasta(join(DIR, 'bytes-ref.fa'), [{ name: 'chr1', seq: seq.join('') }, { name: 'chr2', seq: 'ACGT'.repeat(250_000) }]);
  const reference = await openReference(refPath);
  let read = 0;
  for (const [pa, pb] of variants) {
    const a = await openVcf(pa);
    const b = await openVcf(pb);
    assert.ok(a.dataByteBatches() !== undefined, 'the byte path is taken');
    for (const [sample, sampleFields, ref] of [[0, false, false], [0, true, false], [1, true, false], [0, true, true], [1, false, true]] as const) {
      {
        const opts = { sampleA: sample, sampleB: sample, sampleFields, reference: ref ? reference : undefined };
        const bytes = await runWith(a, b, opts);
        const lines = await runWith(linesOnly(a), linesOnly(b), opts);
        const records = await runWith(recordsOnly(a), recordsOnly(b), opts);
        assert.deepEqual(bytes.sites, lines.sites, `${pa} sample ${sample} sampleFields ${sampleFields} reference ${ref}`);
        assert.equal(bytes.summary, lines.summary);
        assert.deepEqual(bytes.sites, records.sites);
        assert.equal(bytes.summary, records.summary);
        read += bytes.sites.length;
        // The deletions at 111 (B) and 113 (A) are one allele once left-aligned against the reference.
        if (ref) assert.ok(bytes.sites.some((s) => s.pos === 100 && s.ref === 'TA' && s.alt === 'T' && s.a !== undefined && s.b !== undefined), 'left-aligned deletion matched');
        // Values only the byte path reads from bytes are there: the MID, a DP and VAF of both sides, the non-ASCII FILTER.
        const s105 = bytes.sites.find((s) => s.pos === 105)!;
        if (sample === 0) assert.equal(s105.a?.mid, 'small_model');
        assert.equal(bytes.sites.find((s) => s.pos === 108)!.a?.filter, 'LowQual;Ünïcode');
        if (sampleFields && sample === 0) {
          const s112 = bytes.sites.find((s) => s.pos === 112)!;
          assert.equal(s112.a?.dp, 30);
          assert.equal(s112.b?.dp, 31);
          assert.equal(s112.b?.vaf, 16 / 31);
        }
      }
    }
    await a.close();
    await b.close();
  }
  assert.ok(read > 0);
});

test('the byte path names the same line as the line reader when a line is too long', async () => {
  const rows = ['chr1 100 . A G 50 PASS . GT 0/1', 'chr1 101 . A G 50 PASS . GT 0/1', `chr1 102 . A G 50 PASS ${'X'.repeat(3000)} GT 0/1`, 'chr1 103 . A G 50 PASS . GT 0/1'];
  const plain = writeSpacedVcf(DIR, 'long.vcf', HEADER, rows);
  const gz = bgzfOf(join(DIR, 'long.vcf.gz'), readFileSync(plain, 'utf8'), 700);
  const b = await openVcf(vcf('long-b.vcf', ['chr1 100 . A G 50 PASS . GT 0/1']));
  const before = process.env['VARIANT_LENS_MAX_LINE_BYTES'];
  process.env['VARIANT_LENS_MAX_LINE_BYTES'] = '2000';
  try {
    for (const p of [plain, gz]) {
      const a = await openVcf(p);
      const fromBytes = await diffVcfs(a, b).then(() => 'no error', (e: Error) => e.message);
      const fromLines = await diffVcfs(linesOnly(a), b).then(() => 'no error', (e: Error) => e.message);
      assert.match(fromBytes, /line 11 is longer than 2000 bytes/, p); // 8 header lines, then rows 9, 10, 11
      assert.equal(fromBytes, fromLines, p);
      await a.close();
    }
  } finally {
    if (before === undefined) delete process.env['VARIANT_LENS_MAX_LINE_BYTES'];
    else process.env['VARIANT_LENS_MAX_LINE_BYTES'] = before;
  }
});

async function runWith(a: VcfSource, b: VcfSource, options: { sampleA: number; sampleB: number; sampleFields: boolean; reference?: ReferenceSource }): Promise<{ sites: DiffSite[]; summary: string }> {
  const sites: DiffSite[] = [];
  const summary = await diffVcfs(a, b, { ...options, onSite: (s) => sites.push(s), includeSame: true, truth: 'B' });
  const { elapsedMs: _elapsed, ...rest } = summary;
  return { sites, summary: JSON.stringify(rest) };
}
