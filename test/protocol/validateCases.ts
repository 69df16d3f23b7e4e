/**
 * The two checks every panel's validation test makes (src/protocol/validate.ts): each good
 * message passes; each bad one is rejected with a reason matching its pattern, and with the
 * messageId when it is a request the host can still answer (undefined otherwise).
 */
import assert from 'node:assert/strict';
import type { PanelProtocol } from '../../src/protocol/protocol';
import { validateWebviewMessage, type PanelSchema } from '../../src/protocol/validate';

export type BadCase = [message: unknown, reason: RegExp, messageId: number | undefined];

export function assertAccepted<P extends PanelProtocol>(schema: PanelSchema<P>, good: readonly unknown[]): void {
  for (const m of good) {
    const r = validateWebviewMessage(schema, m);
    assert.ok(r.ok, `${JSON.stringify(m)} rejected: ${r.ok ? '' : r.error}`);
  }
}

export function assertRejected<P extends PanelProtocol>(schema: PanelSchema<P>, bad: readonly BadCase[]): void {
  for (const [m, re, id] of bad) {
    const r = validateWebviewMessage(schema, m);
    assert.equal(r.ok, false, `${JSON.stringify(m)} accepted`);
    if (!r.ok) {
      assert.match(r.error, re, JSON.stringify(m));
      assert.equal(r.messageId, id, JSON.stringify(m));
    }
  }
}
