/**
 * Bad input through the VCF table's host model (src/extension/table/vcfTableModel.ts), driven the
 * way vcfTableEditor.ts drives it: `open` (openCustomDocument), `rows` (table.init /
 * table.rows), `buildIndex` (the background index whose error goes to the webview as
 * indexProgress.error), `setView`/`findLocus` (table.setView / table.findLocus).
 *
 * Decided behaviour for a malformed record (line numbers are 1-based file lines):
 *  - when it is read while opening (the first HEAD_ROWS = 1000 records, rounded up to the
 *    reader's chunk, whose records are parsed together: one BGZF block of a .vcf.gz, up to
 *    16 MB of a plain .vcf): opening fails with the file and line (VS Code shows it in
 *    place of the editor);
 *  - later in the file: the table opens and indexes (the row index scans line starts only);
 *    the page holding the line, its site record, and sort/filter (which read every record)
 *    fail with the file and line (the webview's status line); every other page still works.
 * A failed row index (plain gzip) leaves the first 1000 rows usable (paging and site
 * records come from the records read at open) and requests needing the index answer the
 * index's error, not "still being indexed".
 * Every test listens for unhandled rejections: a failure must surface as an error, not leak.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VcfTableModel } from '../../../../src/extension/table/vcfTableModel';
import { VariantLensError } from '../../../../src/core/errors';

let dir: string;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => { unhandled.push(e); };

/** A one-sample VCF of `n` SNVs on chr20 (POS 1001, 1011, …); `bad` replaces record k (0-based) with a 4-column line. */
function vcfText(n: number, bad?: number): { text: string; badLine?: number } {
  const header = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=chr20,length=63025520>',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  ];
  const lines = [...header];
  let badLine: number | undefined;
  for (let i = 0; i < n; i++) {
    if (i === bad) {
      lines.push('chr20\tNOTANUMBER\t.\tA');
      badLine = lines.length; // 1-based line number of the line just pushed
    } else {
      lines.push(`chr20\t${1001 + 10 * i}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1`);
    }
  }
  return { text: lines.join('\n') + '\n', ...(badLine !== undefined ? { badLine } : {}) };
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function bgzip(plain: string, out: string): string {
  execFileSync('sh', ['-c', `bgzip -c '${plain}' > '${out}'`]);
  return out;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vl-badinput-table-'));
  process.on('unhandledRejection', onUnhandled);
});

after(() => {
  process.off('unhandledRejection', onUnhandled);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(unhandled, [], 'unhandled rejections');
});

test('malformed line among the first 1000 records: open fails naming the file and the line', async () => {
  const { text, badLine } = vcfText(300, 150);
  for (const p of [write('early.vcf', text), bgzip(write('early-src.vcf', text), join(dir, 'early.vcf.gz'))]) {
    await assert.rejects(VcfTableModel.open(p), (e: unknown) => {
      assert.ok(e instanceof VariantLensError, String(e));
      assert.equal(e.code, 'malformed-vcf');
      assert.ok(e.message.includes(p), e.message);
      assert.match(e.message, new RegExp(`line ${badLine}\\b`));
      return true;
    });
  }
});

test('malformed line far into a .vcf.gz: the table opens and indexes; the page holding it, sort and filter fail with file and line; other pages work', async () => {
  const { text, badLine } = vcfText(30000, 25000);
  const p = bgzip(write('late.vcf', text), join(dir, 'late.vcf.gz'));
  const m = await VcfTableModel.open(p);
  try {
    const first = await m.rows(m.viewId, 0, 200);
    assert.equal(first.rows.length, 200);
    assert.equal(first.rows[199]!.pos, 1001 + 10 * 199);
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof Error, String(e));
      assert.equal((e as VariantLensError).code, 'malformed-vcf', e.message);
      assert.ok(e.message.includes(p), e.message);
      assert.match(e.message, new RegExp(`line ${badLine}\\b`));
      return true;
    };
    // The row index only scans line starts, so it counts the bad line as a row.
    assert.equal((await m.buildIndex()).count, 30000);
    await assert.rejects(m.rows(m.viewId, 24990, 25010), check);
    await assert.rejects(m.site(25000), check);
    await assert.rejects(m.setView({ column: 'pos', descending: true }, undefined), check);
    await assert.rejects(m.setView(undefined, { qualMin: 10 }), check);
    // Pages without the bad line, their sites and the locus search still answer.
    assert.deepEqual((await m.rows(m.viewId, 29990, 30000)).rows.map((r) => r.pos), Array.from({ length: 10 }, (_, i) => 1001 + 10 * (29990 + i)));
    assert.equal((await m.site(5)).pos, 1001 + 10 * 5);
    assert.equal(await m.findLocus('chr20:20001'), 1900);
  } finally {
    await m.close();
  }
});

test('a .vcf.gz without its .tbi opens and pages by the row index (no index needed)', async () => {
  const { text } = vcfText(3000);
  const gz = bgzip(write('notbi.vcf', text), join(dir, 'notbi.vcf.gz'));
  assert.equal(existsSync(`${gz}.tbi`), false);
  const m = await VcfTableModel.open(gz);
  try {
    const ix = await m.buildIndex();
    assert.equal(ix.count, 3000);
    const r = await m.rows(m.viewId, 2990, 3000);
    assert.deepEqual(r.rows.map((x) => x.pos), Array.from({ length: 10 }, (_, i) => 1001 + 10 * (2990 + i)));
    assert.equal(await m.findLocus('chr20:20001'), 1900);
  } finally {
    await m.close();
  }
});

test('a truncated .vcf.gz fails to open with truncated-bgzf naming the file', async () => {
  const { text } = vcfText(6000);
  const gz = bgzip(write('trunc-src.vcf', text), join(dir, 'full.vcf.gz'));
  const bytes = readFileSync(gz);
  const cut = write('trunc.vcf.gz', '');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  await assert.rejects(VcfTableModel.open(cut), (e: unknown) => {
    assert.ok(e instanceof VariantLensError, String(e));
    assert.equal(e.code, 'truncated-bgzf');
    assert.ok(e.message.includes(cut), e.message);
    return true;
  });
});

test('a plain-gzip .vcf.gz: head rows show, the index fails saying to recompress with bgzip', async () => {
  const { text } = vcfText(3000);
  const src = write('plain.vcf', text);
  const gz = join(dir, 'plain.vcf.gz');
  execFileSync('sh', ['-c', `gzip -c '${src}' > '${gz}'`]);
  const m = await VcfTableModel.open(gz);
  try {
    assert.equal((await m.rows(m.viewId, 0, 200)).rows.length, 200);
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof Error, String(e));
      assert.ok(e.message.includes(gz), e.message);
      assert.match(e.message, /plain gzip.*bgzip/);
      return true;
    };
    await assert.rejects(m.buildIndex(), check);
    await assert.rejects(m.findLocus('chr20:5000'), check);
    await assert.rejects(m.setView(undefined, { qualMin: 10 }), check);
    assert.equal((await m.site(150)).pos, 1001 + 10 * 150);
  } finally {
    await m.close();
  }
});
