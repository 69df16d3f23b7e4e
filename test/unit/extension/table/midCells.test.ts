/**
 * FORMAT MID (DeepVariant 1.8+ writes MID=small_model for the calls its small model made,
 * docs/deepvariant.md §15) reaches the table's sample cells and the inspector's records.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VcfRecord } from '../../../../src/core/io/vcf/vcfRecord';
import { sampleCells } from '../../../../src/extension/table/vcfTableModel';

test('sample cells carry MID when the record has it, and only then', () => {
  const small = new VcfRecord('chr20\t100\t.\tA\tG\t40\tPASS\t.\tGT:GQ:MID:PL\t0/1:40:small_model:40,0,50', 1, 'x.vcf');
  assert.deepEqual(sampleCells(small, 0), { gt: '0/1', gq: '40', dp: '', ad: '', vaf: '', mid: 'small_model' });
  const cnn = new VcfRecord('chr20\t200\t.\tC\tT\t40\tPASS\t.\tGT:GQ\t1/1:45', 2, 'x.vcf');
  assert.equal('mid' in sampleCells(cnn, 0), false);
  const dot = new VcfRecord('chr20\t300\t.\tC\tT\t40\tPASS\t.\tGT:GQ:MID\t1/1:45:.', 3, 'x.vcf');
  assert.equal('mid' in sampleCells(dot, 0), false);
});
