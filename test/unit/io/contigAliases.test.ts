import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveContig } from '../../../src/core/io/contigAliases';

test('resolveContig: exact first, then chr-prefix and mitochondrion aliases', () => {
  const ucsc = ['chrM', 'chr1', 'chr20', 'chrX', 'chrUn_gl000220'];
  const ens = ['1', '20', 'X', 'MT', 'GL000220.1'];
  assert.equal(resolveContig('20', ucsc), 'chr20');
  assert.equal(resolveContig('chr20', ens), '20');
  assert.equal(resolveContig('X', ucsc), 'chrX');
  assert.equal(resolveContig('chrX', ens), 'X');
  assert.equal(resolveContig('MT', ucsc), 'chrM');
  assert.equal(resolveContig('M', ucsc), 'chrM');
  assert.equal(resolveContig('chrM', ens), 'MT');
  assert.equal(resolveContig('chrM', ['M']), 'M');
  assert.equal(resolveContig('Un_gl000220', ucsc), 'chrUn_gl000220');
  assert.equal(resolveContig('chr20', ['chr20', '20']), 'chr20');
  assert.equal(resolveContig('20', ['chr20', '20']), '20');
  assert.equal(resolveContig('2', ucsc), undefined);
  assert.equal(resolveContig('chr2', ens), undefined);
  assert.equal(resolveContig('Y', ucsc), undefined);
});
