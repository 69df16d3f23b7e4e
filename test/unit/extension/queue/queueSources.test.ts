/**
 * The review queue's sites (src/extension/queue/queueSources.ts) from a real diff of the demo's
 * two call sets (diffModel.ts) and from the demo table: the queue is the current view (the
 * scope and a class filter), in the view's order, with both VCFs' GT/QUAL; a verdict set on a
 * queue site through the workspace review file (reviewWorkspace.ts, as the queue panel does)
 * is the diff row's REVIEW cell and the table row's, and the queue counts it as reviewed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DISPUTE_VOCABULARY } from '../../../../src/core/review/vocabulary';
import { DiffModel } from '../../../../src/extension/diff/diffModel';
import { ReviewQueueModel } from '../../../../src/extension/queue/queueModel';
import { diffQueue, tableQueue } from '../../../../src/extension/queue/queueSources';
import { ReviewWorkspace } from '../../../../src/extension/review/reviewWorkspace';
import { VcfTableModel } from '../../../../src/extension/table/vcfTableModel';
import { ensureDemoWorkspace } from '../../../helpers/demoWorkspace';
import { TEST_CACHE } from '../../../helpers/paths';

const DIR = join(TEST_CACHE, `queue-sources-${process.pid}`);

test('a diff queue is the diff view (scope, class filter, order) with both calls; its verdicts are the diff\'s and the table\'s', { timeout: 120_000 }, async () => {
  const demo = await ensureDemoWorkspace();
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const diff = new DiffModel({ fileA: join(demo, 'default.vcf.gz'), fileB: join(demo, 'retrained.vcf.gz') });
  const table = await VcfTableModel.open(join(demo, 'default.vcf.gz'));
  try {
    await diff.run(new AbortController().signal);
    // The default view: the disputes, most disputed first.
    const disputes = diffQueue(diff);
    assert.equal(disputes.entries.length, diff.viewCount);
    assert.ok(disputes.entries.length > 0);
    for (let i = 0; i < diff.viewCount; i++) {
      const s = diff.siteAt(diff.viewId, i)!;
      const e = disputes.entries[i]!;
      assert.deepEqual([e.contig, e.pos, e.ref, e.alt], [s.contig, s.pos, s.ref, s.alt], `entry ${i} in the view's order`);
      assert.ok(e.classes.some((c) => ['gt-change', 'filter-change', 'only-A', 'only-B'].includes(c)));
    }
    assert.deepEqual(disputes.info.callLabels, ['A: default.vcf.gz', 'B: retrained.vcf.gz']);
    // All differing sites, then only gt-change.
    diff.setView({});
    const all = diffQueue(diff);
    assert.equal(all.entries.length, diff.viewCount);
    assert.ok(all.entries.length > disputes.entries.length);
    diff.setView({ classes: ['gt-change'] });
    const gt = diffQueue(diff);
    assert.ok(gt.entries.length > 0 && gt.entries.length < all.entries.length);
    for (const e of gt.entries) {
      assert.ok(e.classes.includes('gt-change'));
      assert.notEqual(e.calls[0]!.gt, e.calls[1]!.gt, `${e.contig}:${e.pos}: a gt-change shows two GTs`);
      assert.deepEqual(e.snapshot.map((m) => m.model), ['default', 'retrained']);
    }
    const rec = await gt.entries[0]!.record();
    assert.equal(rec.pos, gt.entries[0]!.pos);
    assert.equal(rec.records?.length, 2);

    // A verdict on a queue site (what queue.verdict does) is the diff row's and the table row's cell.
    const file = join(DIR, 'variant-lens.review.tsv');
    const ws = new ReviewWorkspace({ vocabulary: () => DISPUTE_VOCABULARY, reviewer: () => 'alice' });
    const queue = new ReviewQueueModel(gt.info, gt.entries, async () => ({ images: [] }), { reviewCell: (s) => ws.cell(file, s) });
    assert.equal(queue.reviewed(), 0);
    const e = gt.entries.find((x) => x.calls[0]!.gt !== '—')!;
    await ws.annotate(file, e, { shortcut: '2', models: e.snapshot });
    assert.equal(queue.reviewed(), 1);
    assert.equal(queue.sites(0, gt.entries.length).find((s) => s.pos === e.pos)?.review?.verdict, 'retrained-correct');
    diff.reviewCell = (s) => ws.cell(file, s);
    const row = diff.rows(diff.viewId, 0, diff.viewCount).rows.find((r) => r.pos === e.pos && r.alt === e.alt);
    assert.equal(row?.review?.verdict, 'retrained-correct');
    table.reviewCell = (s) => ws.cell(file, s);
    await table.buildIndex();
    const t = await tableQueue(table);
    assert.equal(t.entries.length, table.rowCount);
    assert.equal(t.info.callLabels[0], 'default.vcf.gz');
    const tq = new ReviewQueueModel(t.info, t.entries, async () => ({ images: [] }), { reviewCell: (s) => ws.cell(file, s) });
    assert.equal(tq.reviewed(), 1, 'the table queue sees the verdict set from the diff queue (one review file)');
    const ix = await table.findLocus(`${e.contig}:${e.pos}`);
    const trows = (await table.rows(table.viewId, ix, ix + 4)).rows;
    assert.ok(trows.some((r) => r.pos === e.pos && r.review?.verdict === 'retrained-correct'));
  } finally {
    await diff.close();
    await table.close();
  }
});
