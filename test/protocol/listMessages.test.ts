/**
 * Validation of the lists' new messages (src/protocol/validate.ts): columnsChanged (table and
 * diff), viewStateChanged (table), and the diff view's scope and dispute sort.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffComparison, diffPageState, diffSchema, tableSchema } from '../../src/protocol/validate';
import { assertAccepted, assertRejected } from './validateCases';

const ev = (name: string, payload: unknown) => ({ type: 'event', name, payload });

test('columnsChanged: keys, widths in [24, 2000], at most 200 columns; accepted by the table and the diff', () => {
  const good = [
    ev('columnsChanged', { widths: {}, hidden: [] }),
    ev('columnsChanged', { widths: { pos: 160, gt0: 24, agt: 2000 }, hidden: ['id', 'filter'], shown: ['id'] }),
  ];
  assertAccepted(tableSchema, good);
  assertAccepted(diffSchema, good);
  const bad: [unknown, RegExp, undefined][] = [
    [ev('columnsChanged', { widths: { pos: 10 } , hidden: [] }), /integer in \[24, 2000\]/, undefined],
    [ev('columnsChanged', { widths: { pos: 99999 }, hidden: [] }), /integer in \[24, 2000\]/, undefined],
    [ev('columnsChanged', { widths: { 'Bad Key': 50 }, hidden: [] }), /does not match/, undefined],
    [ev('columnsChanged', { widths: { pos: 50 } }), /hidden: missing/, undefined],
    [ev('columnsChanged', { widths: [], hidden: [] }), /expected an object/, undefined],
    [ev('columnsChanged', { widths: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`c${i}`, 50])), hidden: [] }), /more than 200/, undefined],
    [ev('columnsChanged', { widths: {}, hidden: ['<script>'] }), /does not match/, undefined],
    [ev('columnsChanged', { widths: {}, hidden: [], extra: 1 }), /unexpected field/, undefined],
  ];
  assertRejected(tableSchema, bad);
  assertRejected(diffSchema, bad);
});

test('viewStateChanged: filter text, optional sort, selection ≥ -1, first row ≥ 0 (table only)', () => {
  assertAccepted(tableSchema, [
    ev('viewStateChanged', { filterText: 'GQ<20', sort: { column: 'qual', descending: false }, selected: 4, first: 0 }),
    ev('viewStateChanged', { filterText: '', selected: -1, first: 0 }),
  ]);
  assertRejected(tableSchema, [
    [ev('viewStateChanged', { filterText: 'x'.repeat(1001), selected: 0, first: 0 }), /longer than 1000/, undefined],
    [ev('viewStateChanged', { filterText: '', selected: -2, first: 0 }), /integer in \[-1/, undefined],
    [ev('viewStateChanged', { filterText: '', selected: 0, first: 0.5 }), /integer/, undefined],
    [ev('viewStateChanged', { filterText: '', sort: { column: 'evil', descending: false }, selected: 0, first: 0 }), /does not match/, undefined],
  ]);
  assertRejected(diffSchema, [[ev('viewStateChanged', { filterText: '', selected: 0, first: 0 }), /unknown event/, undefined]]);
});

test('diff.setView: the disputes / QUAL-only scope and the dispute sort', () => {
  const req = (params: unknown) => ({ type: 'request', messageId: 8, method: 'diff.setView', params });
  assertAccepted(diffSchema, [req({ scope: 'disputes', sortBy: 'dispute', descending: true }), req({ scope: 'qual-only' })]);
  assertRejected(diffSchema, [
    [req({ scope: 'all' }), /expected one of disputes, qual-only/, 8],
    [req({ sortBy: 'score' }), /expected one of/, 8],
  ]);
});

test('the diff page state (panel serializer) and the last comparison: shape, paths, view spec, selection', () => {
  const c = { fileA: '/d/a.vcf.gz', fileB: '/d/b.vcf.gz' };
  const ok = (check: typeof diffPageState, v: unknown): void => assert.equal(check(v, 's'), undefined, JSON.stringify(v));
  const bad = (check: typeof diffPageState, v: unknown, why: RegExp): void => assert.match(check(v, 's') ?? 'accepted', why, JSON.stringify(v));
  ok(diffComparison, c);
  ok(diffComparison, { ...c, truth: 'A' });
  ok(diffComparison, { ...c, truthFile: '/d/truth.vcf.gz' });
  ok(diffPageState, { comparison: c, view: { scope: 'disputes', sortBy: 'dispute', descending: true, classes: ['gt-change'], text: 'chr20' }, selected: -1, first: 0 });
  bad(diffComparison, { fileA: '/d/a.vcf.gz' }, /fileB: missing/);
  bad(diffComparison, { ...c, truth: 'C' }, /expected one of A, B/);
  bad(diffComparison, { ...c, fileA: '' }, /does not match/);
  bad(diffComparison, { ...c, fileA: 'a\nb' }, /does not match/);
  bad(diffComparison, { ...c, fileA: 'x'.repeat(4097) }, /longer than 4096/);
  bad(diffComparison, { ...c, extra: 1 }, /unexpected field "extra"/);
  bad(diffPageState, { comparison: c, view: { classes: ['<script>'] }, selected: 0, first: 0 }, /expected one of/);
  bad(diffPageState, { comparison: c, view: {}, selected: -2, first: 0 }, /integer in \[-1/);
  bad(diffPageState, { comparison: c, view: {}, selected: 0 }, /first: missing/);
  bad(diffPageState, 'x', /expected an object/);
});
