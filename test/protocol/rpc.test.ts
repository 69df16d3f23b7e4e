import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcClient, RpcError, RpcServer, type RequestHandlers } from '../../src/protocol/rpc';
import type { AnyMessage, TableProtocol, TableRow } from '../../src/protocol/protocol';
import { tableSchema } from '../../src/protocol/validate';

/** Wires a client and a server through structuredClone (what postMessage does), asynchronously. */
function pair(handlers: Partial<RequestHandlers<TableProtocol>>, opts: { dropReplies?: boolean } = {}) {
  const toHost: unknown[] = [];
  const toWebview: AnyMessage[] = [];
  const invalid: string[] = [];
  const client = new RpcClient<TableProtocol>((m) => {
    toHost.push(m);
    const copy = structuredClone(m);
    queueMicrotask(() => void server.handle(copy));
  });
  const all = {
    'table.init': () => { throw new Error('not used'); },
    'table.rows': () => { throw new Error('not used'); },
    'table.setView': () => { throw new Error('not used'); },
    'table.findLocus': () => { throw new Error('not used'); },
    'table.info': () => { throw new Error('not used'); },
    'table.copyRows': () => { throw new Error('not used'); },
    'table.ping': (p: { sentAt: number }) => ({ sentAt: p.sentAt, hostTime: 42 }),
    ...handlers,
  } as RequestHandlers<TableProtocol>;
  const server: RpcServer<TableProtocol> = new RpcServer<TableProtocol>(tableSchema, all, {}, (m) => {
    toWebview.push(m as AnyMessage);
    if (opts.dropReplies && m.type === 'response') return;
    const copy = structuredClone(m);
    queueMicrotask(() => client.handle(copy));
  }, (e) => invalid.push(e));
  return { client, server, toHost, toWebview, invalid };
}

test('a request resolves with the handler result', async () => {
  const { client } = pair({});
  const r = await client.request('table.ping', { sentAt: 7 });
  assert.deepEqual(r, { sentAt: 7, hostTime: 42 });
  assert.equal(client.pendingCount, 0);
});

test('a throwing handler settles the request with an error reply carrying the error code', async () => {
  const err = Object.assign(new Error('chr99 is not in the header of x.vcf.gz'), { code: 'contig-not-found' });
  const { client } = pair({ 'table.findLocus': () => { throw err; } });
  await assert.rejects(client.request('table.findLocus', { viewId: 0, text: 'chr99:1' }), (e: unknown) => {
    assert.ok(e instanceof RpcError);
    assert.equal(e.code, 'contig-not-found');
    assert.match(e.message, /chr99/);
    return true;
  });
});

test('an invalid request is answered with invalid-message instead of hanging', async () => {
  const { client, invalid } = pair({});
  await assert.rejects(
    client.request('table.rows', { viewId: 0, from: 5, to: 1 }),
    (e: unknown) => e instanceof RpcError && e.code === 'invalid-message' && /to < from/.test(e.message),
  );
  assert.equal(invalid.length, 1);
});

test('a request with no reply times out', async () => {
  const { client } = pair({}, { dropReplies: true });
  const t0 = Date.now();
  await assert.rejects(client.request('table.ping', { sentAt: 1 }, { timeoutMs: 30 }), (e: unknown) => e instanceof RpcError && e.code === 'timeout');
  assert.ok(Date.now() - t0 >= 25);
  assert.equal(client.pendingCount, 0);
});

test('cancellation travels as a message and aborts the host handler; progress arrives before', async () => {
  let sawAbort = false;
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const { client, toHost } = pair({
    'table.setView': (_p, ctx) => new Promise((_resolve, reject) => {
      ctx.progress(1, 10, 'sorting');
      started();
      ctx.signal.addEventListener('abort', () => {
        sawAbort = true;
        reject(Object.assign(new Error('operation cancelled'), { code: 'cancelled' }));
      });
    }),
  });
  const ac = new AbortController();
  const progress: number[] = [];
  const p = client.request('table.setView', { sort: { column: 'qual', descending: true } }, { signal: ac.signal, onProgress: (d) => progress.push(d) });
  await startedP;
  await new Promise((r) => setImmediate(r)); // let the progress message arrive
  ac.abort();
  await assert.rejects(p, (e: unknown) => e instanceof RpcError && e.code === 'cancelled');
  assert.deepEqual(progress, [1]);
  assert.ok(toHost.some((m) => (m as AnyMessage).type === 'cancel'));
  await new Promise((r) => setImmediate(r));
  assert.ok(sawAbort, 'host handler saw the abort');
});

test('typed arrays and rows survive the structured-clone transport', async () => {
  const row: TableRow = { index: 0, row: 3, chrom: 'chr20', pos: 10, id: '.', ref: 'A', alt: 'G', qual: '3.1', filter: 'PASS', kind: 'SNP', samples: [{ gt: '0/1', gq: '3', dp: '4', ad: '2,2', vaf: '0.5' }] };
  const { client } = pair({ 'table.rows': (p) => ({ viewId: p.viewId, rows: [row] }) });
  const r = await client.request('table.rows', { viewId: 4, from: 0, to: 1 });
  assert.deepEqual(r, { viewId: 4, rows: [row] });
});

test('host events reach subscribed handlers', async () => {
  const { client, server } = pair({});
  const got: number[] = [];
  client.on('reveal', (p) => got.push(p.index));
  server.emit('reveal', { index: 12, viewId: 0 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [12]);
});
