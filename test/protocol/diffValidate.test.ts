/**
 * Validation of every message the diff webview may send (src/protocol/validate.ts, "Diff
 * panel" section): the good shapes pass, and hostile ones are rejected with a reason — and
 * with the messageId when the bad message is a request the host can still answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffHappySummaries, diffSchema } from '../../src/protocol/validate';
import { assertAccepted, assertRejected, type BadCase } from './validateCases';
import { MAX_PAGE_ROWS, MAX_TEXT } from '../../src/protocol/protocol';

test('accepts every well-formed diff request and event', () => {
  const good: unknown[] = [
    { type: 'request', messageId: 1, method: 'diff.init', params: {} },
    { type: 'request', messageId: 2, method: 'diff.rows', params: { viewId: 3, from: 0, to: 200 } },
    { type: 'request', messageId: 3, method: 'diff.rows', params: { viewId: 3, from: 5, to: 5 + MAX_PAGE_ROWS } },
    { type: 'request', messageId: 4, method: 'diff.setView', params: {} },
    {
      type: 'request', messageId: 5, method: 'diff.setView', params: {
        classes: ['only-A', 'only-B', 'gt-change', 'filter-change', 'qual-change', 'same'], kinds: ['SNP', 'INDEL', 'MNP'],
        strata: [{ group: 'bed', name: 'GIAB confident' }, { group: 'filter', name: 'B RefCall' }, { group: 'gt', name: 'A 0/1' }, { group: 'contigs', name: 'hold-out chr20-22' }],
        text: 'chr20:10001', sortBy: 'qualDelta', descending: true,
      },
    },
    { type: 'request', messageId: 6, method: 'diff.ping', params: { sentAt: 1.5 } },
    { type: 'event', name: 'ready', payload: {} },
    { type: 'event', name: 'siteSelected', payload: { viewId: 2, index: 99_999, open: false } },
    { type: 'event', name: 'cancelRun', payload: {} },
    { type: 'event', name: 'pageState', payload: { comparison: { fileA: '/d/a.vcf.gz', fileB: '/d/b.vcf.gz', truthFile: '/d/t.vcf.gz' }, view: { scope: 'disputes', sortBy: 'qualA', descending: false }, selected: 3, first: 0 } },
    { type: 'cancel', target: 5 },
  ];
  assertAccepted(diffSchema, good);
});

test('rejects malformed or hostile diff messages', () => {
  const bad: BadCase[] = [
    [{ type: 'request', messageId: 9, method: 'diff.rows', params: { viewId: 0, from: 0, to: MAX_PAGE_ROWS + 1 } }, /more than/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.rows', params: { viewId: 0, from: 10, to: 2 } }, /to < from/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.rows', params: { viewId: -1, from: 0, to: 2 } }, /integer/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { classes: ['only-C'] } }, /expected one of/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { classes: 'only-A' } }, /expected an array/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { kinds: ['REF'] } }, /expected one of/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { strata: [{ group: 'sample', name: 'x' }] } }, /expected one of/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { strata: [{ group: 'bed', name: 'x'.repeat(201) }] } }, /longer than 200/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { strata: [{ group: 'bed', name: 'a\nb' }] } }, /does not match/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { strata: [{ group: 'bed' }] } }, /name: missing/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { strata: Array.from({ length: 1001 }, () => ({ group: 'bed', name: 'x' })) } }, /more than 1000/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { text: 'x'.repeat(MAX_TEXT + 1) } }, /longer than/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { sortBy: 'pos; drop' } }, /expected one of/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { descending: 'yes' } }, /boolean/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.setView', params: { __proto__: { x: 1 }, evil: true } }, /unexpected field "evil"/, 9],
    [{ type: 'request', messageId: 9, method: 'table.rows', params: { viewId: 0, from: 0, to: 1 } }, /unknown method/, 9],
    [{ type: 'request', messageId: 9, method: 'diff.init', params: { x: 1 } }, /unexpected field/, 9],
    [{ type: 'event', name: 'siteSelected', payload: { viewId: 1, index: 1.5, open: true } }, /integer/, undefined],
    [{ type: 'event', name: 'siteSelected', payload: { viewId: 1, index: 2 } }, /open: missing/, undefined],
    [{ type: 'event', name: 'cancelRun', payload: { now: true } }, /unexpected field/, undefined],
    [{ type: 'event', name: 'runProgress', payload: {} }, /unknown event/, undefined],
    [{ type: 'event', name: 'pageState', payload: { comparison: { fileA: '/d/a.vcf.gz', fileB: '/d/b.vcf.gz' }, view: {}, selected: -2, first: 0 } }, /integer in \[-1/, undefined],
    [{ type: 'event', name: 'pageState', payload: { comparison: { fileA: '/d/a.vcf.gz' }, view: {}, selected: 0, first: 0 } }, /fileB: missing/, undefined],
    [{ type: 'event', name: 'pageState', payload: { comparison: { fileA: '/d/a.vcf.gz', fileB: '/d/b.vcf.gz' }, view: { sortBy: 'x' }, selected: 0, first: 0 } }, /expected one of/, undefined],
  ];
  assertRejected(diffSchema, bad);
});

test('hap.py summaries in diff.init (DiffTruthVs.happy): the page draws well-formed rows and reports malformed ones', () => {
  const row = (type: string, filter: string) => ({
    type, filter, truthTotal: 3, truthTp: 2, truthFn: 1, queryTotal: 4, queryTp: 2, queryFp: 2, queryUnk: 0, fpGt: 1, fpAl: 0,
    recall: 2 / 3, precision: 0.5, fracNa: 0, f1: 4 / 7,
  });
  const rows = [row('INDEL', 'ALL'), row('INDEL', 'PASS'), row('SNP', 'ALL'), row('SNP', 'PASS')];
  assert.equal(diffHappySummaries({ a: rows, b: rows }, 'happy'), undefined);
  // No calls: metrics are null (summary.csv leaves the cell empty).
  assert.equal(diffHappySummaries({ a: [{ ...row('SNP', 'ALL'), recall: null, precision: null, fracNa: null, f1: null }], b: [] }, 'happy'), undefined);
  const bad: [unknown, RegExp][] = [
    [undefined, /expected an object/],
    [{ a: rows }, /happy\.b: missing/],
    [{ a: [...rows, row('SNP', 'ALL')], b: rows }, /more than 4/],
    [{ a: [{ ...row('MNP', 'ALL') }], b: [] }, /type: expected one of INDEL, SNP/],
    [{ a: [{ ...row('SNP', 'FILTERED') }], b: [] }, /filter: expected one of ALL, PASS/],
    [{ a: [{ ...row('SNP', 'ALL'), truthTp: -1 }], b: [] }, /truthTp: expected an integer/],
    [{ a: [{ ...row('SNP', 'ALL'), queryFp: 1.5 }], b: [] }, /queryFp: expected an integer/],
    [{ a: [{ ...row('SNP', 'ALL'), recall: 1.2 }], b: [] }, /recall: expected null or a number in \[0, 1\]/],
    [{ a: [{ ...row('SNP', 'ALL'), f1: '0.9' }], b: [] }, /f1: expected null or a number/],
    [{ a: [{ ...row('SNP', 'ALL'), html: '<img src=x>' }], b: [] }, /unexpected field "html"/],
  ];
  for (const [v, want] of bad) assert.match(diffHappySummaries(v, 'happy') ?? 'accepted', want);
});
