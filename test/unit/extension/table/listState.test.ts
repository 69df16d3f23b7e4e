/**
 * What the lists remember per workspace (src/extension/table/listState.ts) over a Memento-like
 * store: column layouts per list kind, each file's table view, validation on the way out, and
 * the bound on remembered files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListStateStore, MAX_REMEMBERED_VIEWS, type StateStore } from '../../../../src/extension/table/listState';

function memento(): StateStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(k: string) => data.get(k) as T | undefined,
    update: async (k: string, v: unknown) => {
      data.set(k, JSON.parse(JSON.stringify(v)));
    },
  };
}

test('column layouts are kept per list kind and survive a new store over the same memento', async () => {
  const m = memento();
  const s = new ListStateStore(m);
  assert.equal(s.columns('table'), undefined);
  await s.setColumns('table', { widths: { pos: 160 }, hidden: ['filter'] });
  await s.setColumns('diff', { widths: {}, hidden: ['kind'], shown: [] });
  const again = new ListStateStore(m);
  assert.deepEqual(again.columns('table'), { widths: { pos: 160 }, hidden: ['filter'] });
  assert.deepEqual(again.columns('diff'), { widths: {}, hidden: ['kind'], shown: [] });
});

test('a stored value that no longer validates is ignored, not handed to the webview', async () => {
  const m = memento();
  m.data.set('variantLens.columns.table', { widths: { pos: 5 }, hidden: [] });
  m.data.set('variantLens.tableViews', { '/a.vcf': { filterText: 'GQ<20', selected: 'x', first: 0 } });
  const s = new ListStateStore(m);
  assert.equal(s.columns('table'), undefined);
  assert.equal(s.view('/a.vcf'), undefined);
});

test('table views are kept per file; the oldest files are dropped beyond the bound', async () => {
  const m = memento();
  const s = new ListStateStore(m);
  const v = (i: number) => ({ filterText: `GQ<${i}`, sort: { column: 'qual' as const, descending: false }, selected: i, first: 0 });
  await s.setView('/a.vcf', v(1));
  await s.setView('/b.vcf', v(2));
  assert.deepEqual(s.view('/a.vcf'), v(1));
  assert.deepEqual(s.view('/b.vcf'), v(2));
  assert.equal(s.view('/c.vcf'), undefined);
  assert.equal(s.view('constructor'), undefined);
  // /a.vcf touched again: it becomes the newest and survives the bound.
  await s.setView('/a.vcf', v(3));
  for (let i = 0; i < MAX_REMEMBERED_VIEWS - 1; i++) await s.setView(`/f${i}.vcf`, v(i));
  assert.deepEqual(s.view('/a.vcf'), v(3));
  assert.equal(s.view('/b.vcf'), undefined);
  assert.equal(Object.keys(m.data.get('variantLens.tableViews') as object).length, MAX_REMEMBERED_VIEWS);
});
