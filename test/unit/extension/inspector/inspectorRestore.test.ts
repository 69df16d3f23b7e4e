/** The inspector's saved page state read back after a reload (inspectorRestore.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openInspector, restoredSite } from '../../../../src/extension/inspector/inspectorRestore';

const site = { file: '/d/a.vcf.gz', row: 3, chrom: 'chr20', pos: 10110, ref: 'G', alt: 'A', id: '.', qual: '30', filter: 'PASS', samples: [], info: [], line: 'x' };

test('a saved site is restored; anything else is ignored', () => {
  assert.deepEqual(restoredSite({ zoom: 2, site }), site);
  assert.equal(restoredSite(undefined), undefined);
  assert.equal(restoredSite({ zoom: 2 }), undefined);
  assert.equal(restoredSite({ site: { ...site, pos: '10110' } }), undefined);
  assert.equal(restoredSite({ site: { ...site, pos: 0 } }), undefined);
  assert.equal(restoredSite({ site: { ...site, samples: 'x' } }), undefined);
});

test('the record of the open inspector: open with its site, open without one, or closed', () => {
  assert.deepEqual(openInspector({ site }), { site });
  assert.deepEqual(openInspector({}), {});
  assert.deepEqual(openInspector({ site: { ...site, pos: -1 } }), {}, 'a bad site: open, without it');
  assert.equal(openInspector(null), undefined, 'closed');
  assert.equal(openInspector('x'), undefined);
});
