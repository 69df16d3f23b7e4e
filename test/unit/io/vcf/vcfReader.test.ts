/**
 * VCF reader against bcftools: DeepVariant's real gVCF and the GIAB truth VCF field by
 * field, tabix region queries, plain/bgzipped/gzip streaming of a generated file with
 * awkward lines (CRLF, non-ASCII, lines across BGZF blocks), the row index, and bad input.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { formatGenotype } from '../../../../src/core/io/vcf/vcfRecord';
import { openVcf, type VcfFile } from '../../../../src/core/io/vcf/vcfReader';
import { dv, sharedTest } from '../../../helpers/paths';
import { seededRandom } from '../../../helpers/seededRandom';
import { expectOneError, run, withTempDir } from '../ioTestUtil';

const GVCF = dv('golden.postprocess_gvcf_output.g.vcf');
const TRUTH = dv('test_nist.b37_chr20_100kbp_at_10mb.vcf.gz');

/** bcftools prints missing as '.', numbers in its own format: compare numerically where both parse. */
function sameValue(ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  const a = ours.split(',');
  const b = theirs.split(',');
  return a.length === b.length && a.every((x, i) => x === b[i] || (x !== '' && b[i] !== '' && Math.abs(Number(x) - Number(b[i])) < 1e-6));
}

async function compareWithBcftoolsQuery(file: string, infoKeys: string[], formatKeys: string[]): Promise<number> {
  const fmt = `%CHROM\\t%POS\\t%REF\\t%ALT\\t%QUAL\\t%FILTER${infoKeys.map((k) => `\\t%INFO/${k}`).join('')}[\\t%GT${formatKeys.map((k) => `\\t%${k}`).join('')}]\\n`;
  const expected = run('bcftools', ['query', '-f', fmt, file]).trimEnd().split('\n').map((l) => l.split('\t'));
  const vcf = await openVcf(file);
  let i = 0;
  for await (const r of vcf.records()) {
    const e = expected[i++];
    assert.ok(e, `more records than bcftools at ${r.contig}:${r.pos}`);
    const where = `record ${i} (${r.contig}:${r.pos})`;
    assert.equal(r.contig, e[0], where);
    assert.equal(r.pos, Number(e[1]), where);
    assert.equal(r.ref, e[2], where);
    assert.equal(r.alts.length === 0 ? '.' : r.alts.join(','), e[3], where);
    assert.ok(sameValue(r.qual === undefined ? '.' : String(r.qual), e[4]!), `${where} QUAL ${r.qual} vs ${e[4]}`);
    assert.equal(r.filters.length === 0 ? '.' : r.filters.join(';'), e[5], where);
    infoKeys.forEach((k, j) => {
      const v = r.infoField(k);
      // bcftools prints a flag as 1 and an absent key as '.'.
      assert.equal(v === undefined ? '.' : v === true ? '1' : v, e[6 + j], `${where} INFO/${k}`);
    });
    const end = r.infoField('END');
    if (typeof end === 'string') assert.equal(r.end0, Number(end), `${where} end0 of a gVCF block is INFO/END (1-based inclusive = 0-based exclusive)`);
    const f0 = 6 + infoKeys.length;
    const g = r.genotype(0);
    assert.equal(g ? formatGenotype(g) : './.', e[f0] === '.' ? './.' : e[f0], `${where} GT`);
    formatKeys.forEach((k, j) => {
      const ours = r.sampleField(0, k) ?? '.';
      assert.ok(sameValue(ours, e[f0 + 1 + j]!), `${where} ${k}: ours ${ours}, bcftools ${e[f0 + 1 + j]}`);
    });
  }
  assert.equal(i, expected.length, 'record count');
  await vcf.close();
  return i;
}

describe('VCF reader vs bcftools', () => {
  sharedTest('DeepVariant gVCF: every record and field matches bcftools query (gVCF blocks, <*>, multi-allelic)', async () => {
    const n = await compareWithBcftoolsQuery(GVCF, ['END'], ['GQ', 'DP', 'MIN_DP', 'AD', 'VAF', 'PL']);
    assert.ok(n > 100);
    const vcf = await openVcf(GVCF);
    let blocks = 0;
    let nonRef = 0;
    for await (const r of vcf.records()) {
      if (r.infoField('END') !== undefined) blocks++;
      if (r.alts.includes('<*>')) nonRef++;
    }
    // grep -c 'END=' golden.postprocess_gvcf_output.g.vcf ; grep -v '^#' ... | grep -c '<\*>'
    assert.equal(blocks, Number(run('bash', ['-c', `grep -v '^#' ${GVCF} | grep -c 'END='`]).trim()));
    assert.equal(nonRef, Number(run('bash', ['-c', `grep -v '^#' ${GVCF} | grep -c '<\\*>'`]).trim()));
  });

  sharedTest('GIAB truth VCF (.vcf.gz + .tbi): 221 records, fields match bcftools query', async () => {
    assert.equal(await compareWithBcftoolsQuery(TRUTH, ['platforms', 'varType', 'callsetnames', 'filt'], ['GQ', 'DP', 'PS']), 221);
  });

  sharedTest('tabix region queries return the records bcftools view -r returns (aliases accepted)', async () => {
    const vcf = await openVcf(TRUTH);
    assert.ok(vcf.indexPath?.endsWith('.tbi'));
    const rand = seededRandom(7);
    for (let k = 0; k < 10; k++) {
      const start = 10_000_000 + Math.floor(rand() * 95_000);
      const end = start + 1 + Math.floor(rand() * 8000);
      const expected = run('bcftools', ['view', '-H', '-r', `chr20:${start + 1}-${end}`, TRUTH]).split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 5).join('\t'));
      const got: string[] = [];
      for await (const r of vcf.query(k % 2 === 0 ? 'chr20' : '20', start, end)) got.push([r.contig, r.pos, r.id, r.ref, r.alts.join(',')].join('\t'));
      assert.deepEqual(got, expected, `region chr20:${start + 1}-${end}`);
    }
    const none: unknown[] = [];
    for await (const r of vcf.query('chr1', 0, 1000)) none.push(r);
    assert.equal(none.length, 0);
    await vcf.close();
  });

  sharedTest('plain gVCF region query (scan) agrees with bcftools, gVCF blocks overlap by INFO/END', async () => {
    const vcf = await openVcf(GVCF);
    // bcftools cannot region-query plain text (-r needs an index; -t matches POS only), so
    // the expected set is bcftools' POS/REF/INFO/END per record with the overlap rule applied.
    const rows = run('bcftools', ['query', '-f', '%POS\\t%REF\\t%INFO/END\\n', GVCF]).trim().split('\n').map((l) => l.split('\t'));
    const [s, e] = [10_003_000, 10_003_500];
    const expected = rows.filter(([pos, ref, end]) => {
      const start0 = Number(pos) - 1;
      const end0 = end === '.' ? start0 + ref!.length : Number(end);
      return start0 < e && end0 > s;
    }).map(([pos]) => Number(pos));
    const got: number[] = [];
    for await (const r of vcf.query('20', s, e)) got.push(r.pos);
    assert.deepEqual(got, expected);
    assert.ok(expected.length > 0);
  });
});

/** A generated VCF with two contigs, CRLF lines, a non-ASCII sample name and INFO value, multi-allelics and missing values. */
function generatedVcf(n: number): { text: string; lines: string[] } {
  const rand = seededRandom(42);
  const header = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=chr1,length=5000000>',
    '##contig=<ID=chr2,length=5000000>',
    '##INFO=<ID=NOTE,Number=1,Type=String,Description="free text, with commas">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSäm-1\tS2',
  ];
  const lines: string[] = [];
  let pos = 100;
  for (let i = 0; i < n; i++) {
    const contig = i < n / 2 ? 'chr1' : 'chr2';
    if (i === Math.floor(n / 2)) pos = 100;
    pos += 1 + Math.floor(rand() * 300);
    const alt = ['A', 'C,G', '<*>', 'TT', '.'][i % 5]!;
    const info = i % 97 === 0 ? `NOTE=caf\u00e9-${i}` : i % 3 === 0 ? '.' : `END=${pos + 10}`;
    const gt = ['0/1', '1|1', './.', '0/0', '.'][i % 5]!;
    lines.push([contig, pos, i % 11 === 0 ? `rs${i}` : '.', 'T', alt, i % 7 === 0 ? '.' : (rand() * 100).toFixed(2), i % 4 === 0 ? 'PASS' : '.', info, 'GT:GQ', `${gt}:${i % 99}`, `0/0:.`].join('\t'));
  }
  const text = header.join('\n') + '\n' + lines.map((l, i) => (i % 13 === 0 ? l + '\r' : l)).join('\n') + '\n';
  return { text, lines };
}

describe('VCF reader: generated files', () => {
  const N = 6000;
  const { text, lines } = generatedVcf(N);

  async function checkFile(vcf: VcfFile): Promise<void> {
    assert.deepEqual(vcf.vcfHeader.samples, ['Säm-1', 'S2']);
    const got: string[] = [];
    for await (const r of vcf.records()) got.push(r.line);
    assert.equal(got.length, N);
    assert.deepEqual(got, lines);
  }

  test('plain, bgzipped (bgzip CLI) and plain-gzip files stream the same records; row index pages match', async () => {
    await withTempDir(async (dir) => {
      const plain = join(dir, 'g.vcf');
      writeFileSync(plain, text);
      run('bgzip', ['-k', plain]);
      const bgz = `${plain}.gz`;
      run('tabix', ['-p', 'vcf', bgz]);
      const gz = join(dir, 'plain-gzip.vcf.gz');
      writeFileSync(gz, gzipSync(Buffer.from(text)));
      for (const [f, kind] of [[plain, 'vcf'], [bgz, 'bgzf'], [gz, 'gzip']] as const) {
        const vcf = await openVcf(f);
        assert.equal(vcf.kind, kind);
        await checkFile(vcf);
        await vcf.close();
      }
      // Row index: random pages equal the matching slices of the generated lines.
      for (const f of [plain, bgz]) {
        const vcf = await openVcf(f);
        let progressCalls = 0;
        const idx = await vcf.buildRowIndex(undefined, () => { progressCalls++; });
        assert.ok(progressCalls >= 1);
        assert.equal(idx.count, N);
        assert.deepEqual(idx.contigRuns.map((r) => [r.contig, r.firstRow, r.rowCount]), [['chr1', 0, N / 2], ['chr2', N / 2, N / 2]]);
        const rand = seededRandom(3);
        for (let k = 0; k < 25; k++) {
          const from = Math.floor(rand() * N);
          const to = Math.min(N, from + 1 + Math.floor(rand() * 300));
          const rows = await idx.readRows(from, to);
          assert.deepEqual(rows.map((r) => r.line), lines.slice(from, to), `${f} rows ${from}-${to}`);
        }
        assert.deepEqual((await idx.readRows(N - 2, N + 10)).map((r) => r.line), lines.slice(N - 2));
        // findRow: first row on the contig with POS >= target (checked against the generated list).
        for (const [contig, target] of [['chr2', 1], ['chr1', 50_000], ['2', 300_000], ['chr1', 10 ** 9]] as const) {
          const name = contig === '2' ? 'chr2' : contig;
          const runStart = lines.findIndex((l) => l.startsWith(name + '\t'));
          const runEnd = name === 'chr1' ? N / 2 : N;
          let expected = lines.findIndex((l, i) => i >= runStart && i < runEnd && Number(l.split('\t')[1]) >= target);
          if (expected < 0) expected = runEnd;
          assert.equal(await idx.findRow(contig, target), expected, `findRow ${contig}:${target}`);
        }
        const err = await expectOneError(() => idx.findRow('chr7', 1));
        assert.equal(err.code, 'contig-not-found');
        await vcf.close();
      }
      // Region query through the tabix index equals bcftools.
      const vcf = await openVcf(bgz);
      const expected = run('bcftools', ['view', '-H', '-r', 'chr2:20000-60000', bgz]).split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 2).join(':'));
      const got: string[] = [];
      for await (const r of vcf.query('chr2', 19_999, 60_000)) got.push(`${r.contig}:${r.pos}`);
      assert.deepEqual(got, expected);
      await vcf.close();
    });
  });

  test('records decode lazily: genotypes, missing values, multi-allelic and symbolic ALTs', async () => {
    await withTempDir(async (dir) => {
      const plain = join(dir, 'g.vcf');
      writeFileSync(plain, text);
      const vcf = await openVcf(plain);
      const recs = [];
      for await (const r of vcf.records()) { recs.push(r); if (recs.length === 5) break; }
      assert.deepEqual(recs.map((r) => r.alts), [['A'], ['C', 'G'], ['<*>'], ['TT'], []]);
      assert.deepEqual(recs.map((r) => r.variantType), ['SNP', 'SNP', 'REF', 'INDEL', 'REF']);
      assert.deepEqual(recs[0]!.genotype(0), { alleles: [0, 1], phased: false });
      assert.deepEqual(recs[1]!.genotype(0), { alleles: [1, 1], phased: true });
      assert.deepEqual(recs[2]!.genotype(0), { alleles: [null, null], phased: false });
      assert.equal(recs[4]!.genotype(0), undefined);
      assert.equal(recs[0]!.sampleField(1, 'GQ'), undefined);
      assert.equal(recs[0]!.qual, undefined); // i % 7 === 0
      assert.deepEqual(recs[0]!.filters, ['PASS']);
      assert.equal(recs[0]!.infoField('NOTE'), 'café-0');
      await vcf.close();
    });
  });
});

describe('VCF reader: bad input', () => {
  test('a malformed line is one malformed-vcf error naming the file and the line number', async () => {
    await withTempDir(async (dir) => {
      const { text: t } = generatedVcf(50);
      const lines = t.split('\n');
      lines[20] = 'chr1\tnotanumber\t.\tA\tC\t1\tPASS\t.\tGT\t0/1\t0/0';
      const f = join(dir, 'bad.vcf');
      writeFileSync(f, lines.join('\n'));
      const err = await expectOneError(async () => { const v = await openVcf(f); for await (const _ of v.records()) { /* drain */ } });
      assert.equal(err.code, 'malformed-vcf');
      assert.match(err.message, /line 21\b/);
      assert.ok(err.message.includes(f));
      // Too few columns, on a bgzipped copy: the line number counts decompressed lines.
      lines[20] = 'chr1\t12345\t.\tA';
      writeFileSync(f, lines.join('\n'));
      run('bgzip', ['-f', f]);
      const err2 = await expectOneError(async () => { const v = await openVcf(`${f}.gz`); for await (const _ of v.records()) { /* drain */ } });
      assert.equal(err2.code, 'malformed-vcf');
      assert.match(err2.message, /line 21 has 4 tab-separated columns/);
    });
  });

  sharedTest('a truncated .vcf.gz is one truncated-bgzf error naming the file', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'cut.vcf.gz');
      copyFileSync(TRUTH, f);
      truncateSync(f, Math.floor(statSync(f).size * 0.6));
      const err = await expectOneError(() => openVcf(f));
      assert.equal(err.code, 'truncated-bgzf');
      assert.ok(err.message.includes(f));
    });
  });

  test('a BGZF block cut mid-way in a multi-block file fails while streaming, not silently', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'g.vcf');
      writeFileSync(f, generatedVcf(6000).text);
      run('bgzip', [f]);
      const gz = `${f}.gz`;
      // Keep the EOF marker but drop bytes in the middle: the block chain breaks.
      const bytes = readFileSync(gz);
      const cut = Buffer.concat([bytes.subarray(0, Math.floor(bytes.length / 2)), bytes.subarray(bytes.length - 28)]);
      writeFileSync(gz, cut);
      const err = await expectOneError(async () => { const v = await openVcf(gz); for await (const _ of v.records()) { /* drain */ } });
      assert.equal(err.code, 'truncated-bgzf');
      assert.ok(err.message.includes(gz));
    });
  });

  test('aborting a stream ends it with one cancelled error', async () => {
    await withTempDir(async (dir) => {
      const f = join(dir, 'g.vcf');
      writeFileSync(f, generatedVcf(6000).text);
      run('bgzip', [f]);
      const vcf = await openVcf(`${f}.gz`);
      const ac = new AbortController();
      let seen = 0;
      const err = await expectOneError(async () => {
        for await (const batch of vcf.recordBatches(ac.signal)) { seen += batch.length; ac.abort(); }
      });
      assert.equal(err.code, 'cancelled');
      assert.ok(seen > 0 && seen < 6000);
    });
  });

  test('a missing file is file-not-found; a non-VCF is malformed-vcf', async () => {
    await withTempDir(async (dir) => {
      const err = await expectOneError(() => openVcf(join(dir, 'nope.vcf')));
      assert.equal(err.code, 'file-not-found');
      const f = join(dir, 'x.vcf');
      writeFileSync(f, 'hello\tworld\n');
      const err2 = await expectOneError(() => openVcf(f));
      assert.equal(err2.code, 'malformed-vcf');
    });
  });
});
