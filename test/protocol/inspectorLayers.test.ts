/** Validation of the inspector's layer-activation and raw ↔ realigned requests. */
import { test } from 'node:test';
import { inspectorSchema } from '../../src/protocol/validate';
import { assertAccepted, assertRejected } from './validateCases';

test('inspector.layers: a generation and an image index, nothing else', () => {
  assertAccepted(inspectorSchema, [
    { type: 'request', messageId: 1, method: 'inspector.layers', params: { generation: 3, tensor: 0 } },
    { type: 'request', messageId: 2, method: 'inspector.layers', params: { generation: 0, tensor: 1000 } },
  ]);
  assertRejected(inspectorSchema, [
    [{ type: 'request', messageId: 9, method: 'inspector.layers', params: { generation: 3 } }, /tensor: missing/, 9],
    [{ type: 'request', messageId: 9, method: 'inspector.layers', params: { generation: 3, tensor: -1 } }, /integer/, 9],
    [{ type: 'request', messageId: 9, method: 'inspector.layers', params: { generation: 3, tensor: 1001 } }, /integer/, 9],
    [{ type: 'request', messageId: 9, method: 'inspector.layers', params: { generation: '3', tensor: 0 } }, /integer/, 9],
    [{ type: 'request', messageId: 9, method: 'inspector.layers', params: { generation: 3, tensor: 0, layers: ['conv1'] } }, /unexpected field "layers"/, 9],
    [{ type: 'request', messageId: 9, method: 'inspector.layers', params: null }, /expected an object/, 9],
  ]);
});

test('inspector.realign: a generation, nothing else', () => {
  assertAccepted(inspectorSchema, [{ type: 'request', messageId: 1, method: 'inspector.realign', params: { generation: 7 } }]);
  assertRejected(inspectorSchema, [
    [{ type: 'request', messageId: 9, method: 'inspector.realign', params: {} }, /generation: missing/, 9],
    [{ type: 'request', messageId: 9, method: 'inspector.realign', params: { generation: 1.5 } }, /integer/, 9],
    [{ type: 'request', messageId: 9, method: 'inspector.realign', params: { generation: 1, realign: true } }, /unexpected field "realign"/, 9],
  ]);
});
