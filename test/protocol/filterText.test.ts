/**
 * The filter box's language (src/protocol/filterText.ts): GQ / DP / VAF terms, case-insensitive
 * field names, and an error (never a silent empty view) for a term naming an unknown field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFilterText, parseFilterText } from '../../src/protocol/filterText';
import { tableSchema } from '../../src/protocol/validate';
import { assertAccepted, assertRejected } from './validateCases';

function ok(text: string) {
  const p = parseFilterText(text);
  assert.ok(p.ok, `${text}: ${p.ok ? '' : p.error}`);
  return p.filter;
}

function error(text: string): string {
  const p = parseFilterText(text);
  assert.equal(p.ok, false, `${text} parsed as ${JSON.stringify(p.ok ? p.filter : undefined)}`);
  return p.ok ? '' : p.error;
}

test('GQ, DP and VAF comparisons become format terms (any case, every operator)', () => {
  assert.deepEqual(ok('GQ<20').formatTerms, [{ field: 'GQ', op: '<', value: 20 }]);
  assert.deepEqual(ok('dp>=30 vaf>0.3').formatTerms, [{ field: 'DP', op: '>=', value: 30 }, { field: 'VAF', op: '>', value: 0.3 }]);
  assert.deepEqual(ok('GQ!=0 GQ=5 DP<=7').formatTerms, [{ field: 'GQ', op: '!=', value: 0 }, { field: 'GQ', op: '=', value: 5 }, { field: 'DP', op: '<=', value: 7 }]);
  assert.deepEqual(ok('VAF<.5').formatTerms, [{ field: 'VAF', op: '<', value: 0.5 }]);
  assert.match(error('GQ<abc'), /GQ<20/);
  assert.match(error('DP>'), /DP>=30/);
});

test('filter=pass is FILTER=PASS; field names are case-insensitive', () => {
  assert.deepEqual(ok('filter=pass').filters, ['pass']);
  assert.deepEqual(ok('Filter:RefCall').filters, ['RefCall']);
  assert.equal(ok('qual>=20').qualMin, 20);
  assert.deepEqual(ok('gt=0/1').genotypes, ['0/1']);
});

test('an unknown field is an error naming the known ones, never free text', () => {
  for (const t of ['foo<1', 'AC=2', 'MQ>=30', 'x:y', 'QD!=3']) assert.match(error(t), /unknown field .*FILTER, QUAL, GT, GQ, DP, VAF/, t);
  assert.match(error('foo<1'), /"foo"/);
  // Plain words and quoted text stay free text; a region is still a region.
  assert.equal(ok('rs123 DB').text, 'rs123 DB');
  assert.equal(ok('"AC=2"').text, 'AC=2');
  assert.equal(ok('chr20:1,000-2,000').region, 'chr20:1,000-2,000');
});

test('formatFilterText round-trips the new terms', () => {
  for (const t of ['GQ<20 DP>=30 VAF>0.3', 'FILTER=PASS GQ!=0', 'GT=0/1 SNP "AC=2"']) {
    assert.deepEqual(ok(formatFilterText(ok(t))), ok(t), t);
  }
});

test('table.setView validation: format terms accepted; an unknown field, operator or a non-number rejected', () => {
  const setView = (filter: unknown, id = 3) => ({ type: 'request', messageId: id, method: 'table.setView', params: { filter } });
  assertAccepted(tableSchema, [setView({ formatTerms: [{ field: 'GQ', op: '<', value: 20 }, { field: 'VAF', op: '!=', value: 0.5 }] })]);
  assertRejected(tableSchema, [
    [setView({ formatTerms: [{ field: 'MQ', op: '<', value: 20 }] }), /expected one of GQ, DP, VAF/, 3],
    [setView({ formatTerms: [{ field: 'GQ', op: '<>', value: 20 }] }), /expected one of/, 3],
    [setView({ formatTerms: [{ field: 'GQ', op: '<', value: '20' }] }), /finite number/, 3],
    [setView({ formatTerms: Array.from({ length: 31 }, () => ({ field: 'GQ', op: '<', value: 1 })) }), /more than 30/, 3],
  ]);
});
