/**
 * Validation of `inspector.hover` for every layout: the webview asks by image row, so a row of
 * the third block of a 300-row alt-aligned 'rows' image (docs/deepvariant.md §12.3) is a plain
 * row number; the block is the host's answer (InspectorHover.block), never the webview's say.
 */
import { test } from 'node:test';
import { inspectorSchema } from '../../src/protocol/validate';
import { assertAccepted, assertRejected } from './validateCases';

const hover = (params: unknown): unknown => ({ type: 'request', messageId: 4, method: 'inspector.hover', params });

test('inspector.hover: generation, image, row and column; rows of every block of a 300-row image', () => {
  assertAccepted(inspectorSchema, [
    hover({ generation: 3, tensor: 0, row: 0, col: 0 }),
    hover({ generation: 3, tensor: 0, row: 206, col: 110 }),
    hover({ generation: 3, tensor: 2, row: 299, col: 220 }),
  ]);
  assertRejected(inspectorSchema, [
    [hover({ generation: 3, tensor: 0, row: 206, col: 110, block: 2 }), /unexpected field "block"/, 4],
    [hover({ generation: 3, tensor: 0, row: -1, col: 110 }), /row: expected an integer/, 4],
    [hover({ generation: 3, tensor: 0, row: 10_001, col: 110 }), /row: expected an integer/, 4],
    [hover({ generation: 3, tensor: 0, row: 103.5, col: 110 }), /row: expected an integer/, 4],
    [hover({ generation: 3, tensor: 0, row: 206 }), /col: missing/, 4],
    [hover({ generation: 3, tensor: 1001, row: 206, col: 110 }), /tensor: expected an integer/, 4],
  ]);
});
