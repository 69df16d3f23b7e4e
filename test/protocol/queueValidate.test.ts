/**
 * Validation of the review queue's messages (src/protocol/queueProtocol.ts queueSchema):
 * page and tile ranges (bounded), verdict shortcuts 1–9 only, the `open` event, and nothing
 * from the other panels' protocols.
 */
import { test } from 'node:test';
import { MAX_QUEUE_PAGE, MAX_TILES_PER_REQUEST, queueSchema } from '../../src/protocol/queueProtocol';
import { assertAccepted, assertRejected, type BadCase } from './validateCases';

const req = (messageId: number, method: string, params: unknown) => ({ type: 'request', messageId, method, params });
const ev = (name: string, payload: unknown) => ({ type: 'event', name, payload });

test('queue requests: init, pages of sites, tile ranges, verdicts by shortcut, undo', () => {
  assertAccepted(queueSchema, [
    req(1, 'queue.init', {}),
    req(2, 'queue.sites', { from: 0, to: MAX_QUEUE_PAGE }),
    req(3, 'queue.tiles', { from: 400, to: 400 + MAX_TILES_PER_REQUEST }),
    req(4, 'queue.tiles', { from: 7, to: 7 }),
    req(5, 'queue.verdict', { index: 36, shortcut: '1' }),
    req(6, 'queue.verdict', { index: 0, shortcut: '9' }),
    req(7, 'queue.undo', {}),
    { type: 'cancel', target: 3 },
  ]);
  const bad: BadCase[] = [
    [req(10, 'queue.sites', { from: 0, to: MAX_QUEUE_PAGE + 1 }), /more than 500 sites/, 10],
    [req(11, 'queue.sites', { from: 10, to: 5 }), /to < from/, 11],
    [req(12, 'queue.tiles', { from: 0, to: MAX_TILES_PER_REQUEST + 1 }), /more than 200 sites/, 12],
    [req(13, 'queue.tiles', { from: -1, to: 5 }), /integer/, 13],
    [req(14, 'queue.tiles', { from: 0.5, to: 5 }), /integer/, 14],
    [req(15, 'queue.verdict', { index: 3, shortcut: '0' }), /does not match/, 15],
    [req(16, 'queue.verdict', { index: 3, shortcut: '12' }), /longer than 1/, 16],
    [req(17, 'queue.verdict', { index: 3 }), /shortcut: missing/, 17],
    [req(18, 'queue.verdict', { index: 3, shortcut: '1', verdict: 'x' }), /unexpected field "verdict"/, 18],
    [req(19, 'queue.init', { x: 1 }), /unexpected field/, 19],
    [req(20, 'diff.rows', { viewId: 0, from: 0, to: 10 }), /unknown method "diff.rows"/, 20],
    [req(21, 'review.annotate', { shortcut: '1' }), /unknown method/, 21],
  ];
  assertRejected(queueSchema, bad);
});

test('queue events: ready and open(index); nothing else', () => {
  assertAccepted(queueSchema, [ev('ready', {}), ev('open', { index: 0 }), ev('open', { index: 19_999 })]);
  assertRejected(queueSchema, [
    [ev('open', { index: -1 }), /integer/, undefined],
    [ev('open', {}), /index: missing/, undefined],
    [ev('open', { index: 1, path: '/etc/passwd' }), /unexpected field/, undefined],
    [ev('siteSelected', { viewId: 0, index: 0, open: true }), /unknown event/, undefined],
    [ev('listKey', { key: 'j' }), /unknown event/, undefined],
  ]);
});
