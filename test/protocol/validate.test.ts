import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PAGE_ROWS, inspectorSchema, tablePageRows, tableSchema, validateWebviewMessage } from '../../src/protocol/validate';
import { assertAccepted, assertRejected, type BadCase } from './validateCases';
import { MAX_PAGE_ROWS } from '../../src/protocol/protocol';

test('accepts every well-formed table request and event', () => {
  const good: unknown[] = [
    { type: 'request', messageId: 1, method: 'table.init', params: {} },
    { type: 'request', messageId: 2, method: 'table.rows', params: { viewId: 0, from: 0, to: 200 } },
    { type: 'request', messageId: 3, method: 'table.setView', params: { sort: { column: 'qual', descending: true }, filter: { kinds: ['SNP'], qualMin: 10, region: 'chr20:1-2' } } },
    { type: 'request', messageId: 4, method: 'table.setView', params: {} },
    { type: 'request', messageId: 5, method: 'table.findLocus', params: { viewId: 3, text: 'chr20:10,000,000' } },
    { type: 'request', messageId: 6, method: 'table.copyRows', params: { rows: [1, 2, 3] } },
    { type: 'request', messageId: 7, method: 'table.ping', params: { sentAt: 123.5 } },
    { type: 'request', messageId: 8, method: 'table.setView', params: { sort: { column: 'gq:0', descending: false } } },
    { type: 'event', name: 'ready', payload: {} },
    { type: 'event', name: 'siteSelected', payload: { row: 5, index: 2, open: true } },
    { type: 'cancel', target: 3 },
  ];
  assertAccepted(tableSchema, good);
});

test('rejects hostile or malformed messages, and keeps the messageId of bad requests so they can be answered', () => {
  const bad: BadCase[] = [
    [null, /expected an object/, undefined],
    ['table.init', /expected an object/, undefined],
    [{ type: 'request', messageId: -1, method: 'table.init', params: {} }, /messageId/, undefined],
    [{ type: 'request', messageId: 1.5, method: 'table.init', params: {} }, /messageId/, undefined],
    [{ type: 'request', messageId: 9, method: 'constructor', params: {} }, /unknown method/, 9],
    [{ type: 'request', messageId: 9, method: '__proto__', params: {} }, /unknown method/, 9],
    [{ type: 'request', messageId: 9, method: 'table.rows', params: { viewId: 0, from: 10, to: 5 } }, /to < from/, 9],
    [{ type: 'request', messageId: 9, method: 'table.rows', params: { viewId: 0, from: 0, to: MAX_PAGE_ROWS + 1 } }, /more than/, 9],
    [{ type: 'request', messageId: 9, method: 'table.rows', params: { viewId: 0, from: '0', to: 5 } }, /integer/, 9],
    [{ type: 'request', messageId: 9, method: 'table.rows', params: { viewId: 0, from: 0, to: 5, extra: 1 } }, /unexpected field "extra"/, 9],
    [{ type: 'request', messageId: 9, method: 'table.setView', params: { sort: { column: 'qual; rm -rf', descending: true } } }, /does not match/, 9],
    [{ type: 'request', messageId: 9, method: 'table.setView', params: { filter: { qualMin: Infinity } } }, /finite number/, 9],
    [{ type: 'request', messageId: 9, method: 'table.setView', params: { filter: { kinds: ['SV'] } } }, /one of SNP, INDEL, REF/, 9],
    [{ type: 'request', messageId: 9, method: 'table.findLocus', params: { viewId: 0, text: 'x'.repeat(5000) } }, /longer than/, 9],
    [{ type: 'request', messageId: 9, method: 'table.init' }, /params: missing/, 9],
    [{ type: 'event', name: 'siteSelected', payload: { row: -2, index: 0, open: false } }, /integer/, undefined],
    [{ type: 'event', name: 'evil', payload: {} }, /unknown event/, undefined],
    [{ type: 'response', inReplyTo: 1, result: {} }, /expected request, cancel or event/, undefined],
    [{ type: 'cancel', target: 'all' }, /integer/, undefined],
  ];
  assertRejected(tableSchema, bad);
});

test('a panel schema only accepts its own methods', () => {
  const r = validateWebviewMessage(inspectorSchema, { type: 'request', messageId: 1, method: 'table.rows', params: { viewId: 0, from: 0, to: 1 } });
  assert.equal(r.ok, false);
  assert.ok(validateWebviewMessage(inspectorSchema, { type: 'request', messageId: 1, method: 'inspector.init', params: {} }).ok);
});

test('table page size from table.init: an integer the table.rows check accepts, else the default', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown; maximum?: number }> } } };
  const setting = manifest.contributes.configuration.properties['variantLens.table.pageSize']!;
  assert.equal(DEFAULT_PAGE_ROWS, setting.default);
  assert.ok(setting.maximum! <= MAX_PAGE_ROWS, 'every allowed setting value is a valid page request');
  assert.equal(tablePageRows(50), 50);
  assert.equal(tablePageRows(MAX_PAGE_ROWS), MAX_PAGE_ROWS);
  for (const bad of [undefined, 0, -5, 12.5, MAX_PAGE_ROWS + 1, '200', null]) assert.equal(tablePageRows(bad), DEFAULT_PAGE_ROWS, String(bad));
  // A page of the size the host may send is a valid table.rows request.
  const req = { type: 'request', messageId: 1, method: 'table.rows', params: { viewId: 0, from: 0, to: tablePageRows(MAX_PAGE_ROWS) } };
  assert.equal(validateWebviewMessage(tableSchema, req).ok, true);
});

test('inspector listKey: only the list keys j/k/n/1–9, one character', () => {
  assertAccepted(inspectorSchema, ['j', 'k', 'n', '1', '9'].map((key) => ({ type: 'event', name: 'listKey', payload: { key } })));
  assertRejected(inspectorSchema, [
    [{ type: 'event', name: 'listKey', payload: { key: 'x' } }, /key/, undefined],
    [{ type: 'event', name: 'listKey', payload: { key: '0' } }, /key/, undefined],
    [{ type: 'event', name: 'listKey', payload: { key: 'jj' } }, /key/, undefined],
    [{ type: 'event', name: 'listKey', payload: {} }, /key/, undefined],
  ]);
});
