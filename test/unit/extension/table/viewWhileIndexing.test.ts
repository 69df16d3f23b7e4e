/**
 * A table view asked for while the row index is still being built (what a window reload does:
 * the page restores its filter and sort right after table.init, when indexing has just
 * started) waits for the index and applies, instead of failing with "still being indexed"
 * (the filter-not-reapplied-after-reload bug of issue "A reviewer's day"). Cancelling such a
 * view stops the wait, not the index.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VcfTableModel } from '../../../../src/extension/table/vcfTableModel';
import { VariantLensError } from '../../../../src/core/errors';
import { parseFilterText } from '../../../../src/protocol/filterText';

/** The filter a restored page sends for the text "GQ<20" (webview/table/main.ts restoreView). */
function gq20() {
  const p = parseFilterText('GQ<20');
  assert.ok(p.ok);
  return p.filter;
}

let dir: string;
let path: string;
const N = 30_000;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vl-view-indexing-'));
  const lines = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=chr20,length=63025520>',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  ];
  // GQ cycles 0..49: GQ<20 keeps exactly 20 of every 50 records.
  for (let i = 0; i < N; i++) lines.push(`chr20\t${1001 + 10 * i}\t.\tA\tG\t${50 + (i % 7)}\tPASS\t.\tGT:GQ\t0/1:${i % 50}`);
  writeFileSync(join(dir, 'a.vcf'), lines.join('\n') + '\n');
  path = join(dir, 'a.vcf.gz');
  execFileSync('sh', ['-c', `bgzip -c '${join(dir, 'a.vcf')}' > '${path}'`]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a filter and sort asked for while the index is being built wait for it and apply', async () => {
  const m = await VcfTableModel.open(path);
  try {
    const indexing = m.buildIndex();
    assert.equal(m.rowCount, -1, 'the index is not built yet when the view is asked for');
    const v = await m.setView({ column: 'qual', descending: true }, gq20());
    assert.equal((await indexing).count, N);
    assert.equal(v.count, (N / 50) * 20);
    assert.equal(v.sort?.column, 'qual');
    const page = await m.rows(v.viewId, 0, 5);
    assert.deepEqual(page.rows.map((r) => r.qual), ['56', '56', '56', '56', '56']);
  } finally {
    await m.close();
  }
});

test('cancelling a view that waits for the index rejects it as cancelled; the index still finishes', async () => {
  const m = await VcfTableModel.open(path);
  try {
    const indexing = m.buildIndex();
    const ac = new AbortController();
    const v = m.setView({ column: 'qual', descending: false }, undefined, ac.signal);
    ac.abort();
    await assert.rejects(v, (e: unknown) => e instanceof VariantLensError && e.code === 'cancelled');
    assert.equal((await indexing).count, N);
    assert.equal((await m.setView(undefined, { qualMin: 55 })).count, Math.floor(N / 7) * 2 + (N % 7 > 5 ? 1 : 0));
  } finally {
    await m.close();
  }
});
