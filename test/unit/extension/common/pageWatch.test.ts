/**
 * PageWatch (src/extension/common/pageWatch.ts): a webview page that never says ready (a blank
 * panel after a browser refresh in code-server) is loaded again, at most three times, only
 * while visible; a page that says ready is left alone.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { PageWatch } from '../../../../src/extension/common/pageWatch';

test('a page that never says ready is loaded again after 6, 12 and 24 s while visible, then given up', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let visible = false;
  const reloads: number[] = [];
  const warnings: string[] = [];
  let now = 0;
  const tick = (ms: number): void => {
    now += ms;
    t.mock.timers.tick(ms);
  };
  const watch = new PageWatch(() => reloads.push(now), () => visible, (m) => warnings.push(m), 'diff a ↔ b');
  tick(6000);
  assert.deepEqual(reloads, [], 'hidden: not loaded again');
  visible = true;
  tick(5999);
  assert.deepEqual(reloads, []);
  tick(1);
  assert.deepEqual(reloads, [12_000]);
  tick(12_000);
  assert.deepEqual(reloads, [12_000, 24_000]);
  tick(24_000);
  assert.deepEqual(reloads, [12_000, 24_000, 48_000]);
  tick(48_000);
  tick(100_000);
  assert.equal(reloads.length, 3, 'three tries at most');
  assert.match(warnings.at(-1)!, /diff a ↔ b: the page did not load after 3 more tries/);
  assert.match(warnings[0]!, /try 1 of 3/);
  watch.dispose();
});

test('a page that says ready, or a closed panel, is never loaded again', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const reload = mock.fn();
  const ready = new PageWatch(reload, () => true, () => undefined, 'inspector');
  const closed = new PageWatch(reload, () => true, () => undefined, 'inspector');
  t.mock.timers.tick(3000);
  ready.ready();
  closed.dispose();
  t.mock.timers.tick(200_000);
  assert.equal(reload.mock.callCount(), 0);
});
