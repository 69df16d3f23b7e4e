/**
 * The inspector's explanation messages (src/protocol/explainProtocol.ts): `inspector.explain`
 * names the state generation only; anything else is refused with the request's id, and its
 * cancel travels as the rpc `cancel` message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcServer } from '../../src/protocol/rpc';
import type { InspectorProtocol } from '../../src/protocol/protocol';
import { inspectorSchema } from '../../src/protocol/validate';
import { assertAccepted, assertRejected } from './validateCases';

test('inspector.explain: a non-negative integer generation, nothing else', () => {
  assertAccepted(inspectorSchema, [
    { type: 'request', messageId: 3, method: 'inspector.explain', params: { generation: 0 } },
    { type: 'request', messageId: 4, method: 'inspector.explain', params: { generation: 12 } },
    { type: 'cancel', target: 4 },
  ]);
  assertRejected(inspectorSchema, [
    [{ type: 'request', messageId: 5, method: 'inspector.explain', params: {} }, /generation: missing/, 5],
    [{ type: 'request', messageId: 6, method: 'inspector.explain', params: { generation: -1 } }, /generation/, 6],
    [{ type: 'request', messageId: 7, method: 'inspector.explain', params: { generation: 1.5 } }, /generation/, 7],
    [{ type: 'request', messageId: 8, method: 'inspector.explain', params: { generation: '1' } }, /generation/, 8],
    [{ type: 'request', messageId: 9, method: 'inspector.explain', params: { generation: 1, model: '../x' } }, /unexpected field "model"/, 9],
    [{ type: 'request', messageId: 10, method: 'inspector.explain', params: null }, /expected an object/, 10],
    // The explanation is requested, never pushed by the page: the host event name is no webview event.
    [{ type: 'event', name: 'explanation', payload: { generation: 1 } }, /unknown event/, undefined],
  ]);
});

test('inspector.explain: a cancel message aborts the running handler, which answers "cancelled"', async () => {
  const posted: unknown[] = [];
  let aborted = false;
  const handlers = {
    'inspector.explain': (_p: { generation: number }, ctx: { signal: AbortSignal; progress(d: number, t: number, l?: string): void }) => new Promise((_resolve, reject) => {
      ctx.progress(1, 10, 'cross-run');
      ctx.signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); });
    }),
  } as unknown as ConstructorParameters<typeof RpcServer<InspectorProtocol>>[1];
  const server = new RpcServer<InspectorProtocol>(inspectorSchema, handlers, {}, (m) => posted.push(m), () => undefined);
  const running = server.handle({ type: 'request', messageId: 21, method: 'inspector.explain', params: { generation: 2 } });
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(posted[0], { type: 'progress', inReplyTo: 21, done: 1, total: 10, label: 'cross-run' });
  await server.handle({ type: 'cancel', target: 21 });
  await running;
  assert.ok(aborted, 'the handler saw the abort');
  const reply = posted.find((m) => (m as { type: string }).type === 'response') as { error?: { code: string } } | undefined;
  assert.equal(reply?.error?.code, 'cancelled');
});
