/**
 * The shared VCF data-line tokenizer against a plain split on tabs, and its edge cases:
 * trailing tab, CRLF, empty fields, too few columns (VcfRecord's error), sample columns;
 * VcfRecord.tabsInto gives the same tabs as a fresh scan; the writer's tabix span (which
 * reads REF's length through the tokenizer) indexes a deletion across a 16 kb window the
 * way tabix does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FIXED_COLUMN_TABS, VcfLineTabs, fieldEnd, findTabs, leadingColumns, lineEnd } from '../../../../src/core/io/vcf/vcfLineTokenizer';
import { VcfRecord } from '../../../../src/core/io/vcf/vcfRecord';
import { writeVcf } from '../../../../src/core/io/vcf/vcfWriter';
import { seededRandom } from '../../../helpers/seededRandom';

/** Every column the tokenizer reports, cut with start/end. */
function columnsOf(tabs: VcfLineTabs, line: string): string[] {
  const out: string[] = [];
  for (let k = 0; k <= tabs.found; k++) out.push(tabs.column(line, k)!);
  return out;
}

describe('VcfLineTabs', () => {
  test('columns equal a split on tabs for seeded random lines (0 to 12 columns, empty fields)', () => {
    const rand = seededRandom(11);
    const alphabet = ['A', 'C', '.', '0/1', 'PASS', 'DP=3;END=9', '', 'GT:GQ', 'x y', ','];
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(rand() * 12);
      const cols = Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]!);
      const line = cols.join('\t');
      const tabs = new VcfLineTabs();
      const found = tabs.scan(line);
      assert.equal(found, Math.min(n - 1, 9), line);
      assert.equal(tabs.hasFixedColumns, n >= 8, line);
      // Up to the 9 slots, every column is reported; the last one runs to the end of the line.
      const got = columnsOf(tabs, line);
      const want = n <= 10 ? cols : [...cols.slice(0, 9), cols.slice(9).join('\t')];
      assert.deepEqual(got, want, JSON.stringify(line));
      for (let k = found; k < tabs.slots; k++) assert.equal(tabs.at[k], -1);
    }
  });

  test('a trailing tab makes one more, empty, column', () => {
    const line = 'chr1\t5\t.\tA\tC\t.\tPASS\tDP=1\t';
    const tabs = new VcfLineTabs();
    assert.equal(tabs.scan(line), 8);
    assert.equal(tabs.column(line, 7), 'DP=1');
    assert.equal(tabs.column(line, 8), '');
    assert.equal(tabs.start(8), line.length);
    assert.equal(tabs.end(8, line), line.length);
    assert.equal(tabs.column(line, 9), undefined);
    assert.equal(tabs.sampleStart(line, 0), -1, 'no tab after FORMAT: no sample column');
  });

  test('CRLF: the CR is not part of the last column', () => {
    const tabs = new VcfLineTabs();
    const sites = 'chr1\t5\t.\tA\tC\t.\tPASS\tEND=9\r';
    assert.equal(lineEnd(sites), sites.length - 1);
    assert.equal(tabs.scan(sites), 7);
    assert.equal(tabs.column(sites, 7), 'END=9');
    const withSample = 'chr1\t5\t.\tA\tC\t.\tPASS\t.\tGT\t0/1\r';
    tabs.scan(withSample);
    const s = tabs.sampleStart(withSample, 0);
    assert.equal(withSample.slice(s, fieldEnd(withSample, s)), '0/1');
    assert.equal(lineEnd('no cr'), 5);
    assert.equal(lineEnd(''), 0);
    assert.equal(lineEnd('\r'), 0);
    // VcfRecord reads INFO and the samples without the CR too.
    const rec = new VcfRecord(sites, 1, 'x.vcf');
    assert.equal(rec.infoText, 'END=9');
    assert.equal(rec.end0, 9);
    assert.equal(new VcfRecord(withSample, 1, 'x.vcf').sampleField(0, 'GT'), '0/1');
  });

  test('empty fields have start === end', () => {
    const line = 'chr1\t1\t\tA\t\t\t\t\t';
    const tabs = new VcfLineTabs();
    assert.equal(tabs.scan(line), 8);
    for (const k of [2, 4, 5, 6, 7, 8]) {
      assert.equal(tabs.start(k), tabs.end(k, line), `column ${k}`);
      assert.equal(tabs.column(line, k), '');
    }
    assert.equal(tabs.column(line, 3), 'A');
  });

  test('fewer than 8 columns: not a record; VcfRecord fails naming the column count and line', () => {
    const tabs = new VcfLineTabs();
    for (const [line, cols] of [['chr1\t5\t.\tA\tC\t.\tPASS', 7], ['chr1', 1], ['chr1 5 . A C . PASS .', 1], ['', 1]] as const) {
      const found = tabs.scan(line);
      assert.equal(found, cols - 1);
      assert.ok(found < FIXED_COLUMN_TABS);
      assert.equal(tabs.hasFixedColumns, false);
      assert.throws(() => new VcfRecord(line, 12, 'x.vcf'), (e: Error & { code?: string }) =>
        e.code === 'malformed-vcf' && e.message.includes(`line 12 has ${cols} tab-separated column${cols === 1 ? '' : 's'}; a VCF record needs at least 8`), line);
    }
  });

  test('sample columns: start of each sample, -1 past the last or without FORMAT', () => {
    const line = 'chr1\t5\t.\tA\tC\t.\tPASS\t.\tGT:GQ\t0/1:30\t1/1:7\t./.';
    const tabs = new VcfLineTabs();
    assert.equal(tabs.scan(line), 9);
    assert.equal(tabs.column(line, 8), 'GT:GQ');
    const samples = [0, 1, 2].map((s) => {
      const a = tabs.sampleStart(line, s);
      return line.slice(a, fieldEnd(line, a));
    });
    assert.deepEqual(samples, ['0/1:30', '1/1:7', './.']);
    assert.equal(tabs.sampleStart(line, 3), -1);
    const short = new VcfLineTabs(8);
    short.scan(line);
    assert.equal(short.sampleStart(line, 0), -1, 'a tokenizer without the FORMAT slot knows no samples');
  });

  test('findTabs: fewer slots than tabs, and continuing from a filled prefix', () => {
    const line = 'a\tb\tc\td\te';
    const t = new Int32Array(6).fill(99);
    assert.equal(findTabs(line, t, 2), 2);
    assert.deepEqual([...t], [1, 3, 99, 99, 99, 99], 'only the asked slots are written');
    assert.equal(findTabs(line, t, 6, 2), 4);
    assert.deepEqual([...t], [1, 3, 5, 7, -1, -1]);
    assert.equal(findTabs('', t), 0);
    assert.deepEqual([...t], [-1, -1, -1, -1, -1, -1]);
  });

  test('VcfRecord.tabsInto gives the tabs of a fresh scan', () => {
    const lines = [
      'chr1\t100\trs1\tA\tC,G\t5\tq10;s50\tDP=3;END=120',
      'chr1\t100\trs1\tA\tC,G\t5\tq10;s50\tDP=3\tGT\t0/1',
      'chr10\t7\t.\tAT\tA\t.\t.\t.\tGT:GQ\t1|1:3\t0/0:1',
      'chr10\t8\t.\tA\tT\t.\t.\t.\t',
      'chr2\t9\t.\tN\t<*>\t0\tRefCall\tEND=20\r',
    ];
    for (const line of lines) {
      const fresh = new VcfLineTabs();
      fresh.scan(line);
      const fromRecord = new VcfLineTabs();
      fromRecord.at.fill(123);
      new VcfRecord(line, 1, 'x.vcf').tabsInto(fromRecord);
      assert.deepEqual([...fromRecord.at], [...fresh.at], JSON.stringify(line));
      assert.equal(fromRecord.found, fresh.found, JSON.stringify(line));
    }
  });
});

describe('tabix span of the VCF writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vl-tokenizer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a deletion across a 16 kb window is found inside it, as through tabix\'s own index', async () => {
    const header = ['##fileformat=VCFv4.2', '##contig=<ID=chr1,length=100000>', '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO'];
    // REF spans 1-based 16380..16399, across the 16,384 linear-index window boundary; ALT is one base.
    const del = `chr1\t16380\t.\t${'A'.repeat(20)}\tA\t50\tPASS\t.`;
    const lines = ['chr1\t100\t.\tC\tT\t50\tPASS\t.', del, 'chr1\t40000\t.\tG\tA\t50\tPASS\t.'];
    const gz = join(dir, 'del.vcf.gz');
    await writeVcf(gz, header, lines);
    const copy = join(dir, 'copy.vcf.gz');
    copyFileSync(gz, copy);
    execFileSync('tabix', ['-f', '-p', 'vcf', copy]);
    const query = (f: string): string => execFileSync('tabix', [f, 'chr1:16390-16391'], { encoding: 'utf8' });
    assert.equal(query(copy), `${del}\n`, 'tabix finds the deletion through its own index');
    assert.equal(query(gz), `${del}\n`, 'and through ours');
  });
});

test('leadingColumns: the first n columns as text, fewer when the line is short, no CR', () => {
  assert.deepEqual(leadingColumns('chr1\t10\t.\tA\tC\t50\tPASS\tDP=3\tGT\t0/1', 6), ['chr1', '10', '.', 'A', 'C', '50']);
  assert.deepEqual(leadingColumns('chr1\t10\t.\tA\tC\t50\tPASS\tDP=3\r', 8), ['chr1', '10', '.', 'A', 'C', '50', 'PASS', 'DP=3']);
  assert.deepEqual(leadingColumns('chr1\t10\t.\tA', 8), ['chr1', '10', '.', 'A']);
  assert.deepEqual(leadingColumns('chr1\t\t.', 3), ['chr1', '', '.']);
  assert.deepEqual(leadingColumns('x', 1), ['x']);
});
