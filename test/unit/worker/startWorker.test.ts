/**
 * The one worker start-up module (src/core/worker/startWorker.ts): script lookup (bundle
 * before source), the environment override (in-process; worker, an error without a script),
 * the tsx bootstrap for a TypeScript worker, and the in-process fallback of a worker that
 * cannot start.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FallbackRunner, WorkerStartError, startWorker, workerPlan } from '../../../src/core/worker/startWorker';

const dir = mkdtempSync(join(tmpdir(), 'vl-worker-'));
const ENV = 'VARIANT_LENS_TEST_WORKER';
after(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env[ENV];
});

const plan = (): ReturnType<typeof workerPlan> => workerPlan({ dir, bundled: 'w.js', source: 'w.ts', env: ENV, what: 'test worker', code: 'unsupported' });

test('workerPlan: no script → in process (an error when the worker is forced); the bundle before the source', () => {
  delete process.env[ENV];
  assert.deepEqual(plan(), { kind: 'in-process' });
  process.env[ENV] = 'worker';
  assert.throws(plan, (e: unknown) => (e as Error).message === `${ENV}=worker but no test worker script next to ${dir}` && (e as { code?: string }).code === 'unsupported');
  writeFileSync(join(dir, 'w.ts'), 'export {};\n');
  assert.deepEqual(plan(), { kind: 'worker', script: join(dir, 'w.ts'), fallback: false });
  delete process.env[ENV];
  assert.deepEqual(plan(), { kind: 'worker', script: join(dir, 'w.ts'), fallback: true });
  writeFileSync(join(dir, 'w.js'), '');
  assert.deepEqual(plan(), { kind: 'worker', script: join(dir, 'w.js'), fallback: true });
  process.env[ENV] = 'in-process';
  assert.deepEqual(plan(), { kind: 'in-process' });
  delete process.env[ENV];
});

test('startWorker runs a TypeScript worker through the tsx bootstrap, with its workerData', async () => {
  const script = join(dir, 'echo.ts');
  writeFileSync(script, "import { parentPort, workerData } from 'node:worker_threads';\nconst n: number = (workerData as { n: number }).n;\nparentPort!.postMessage(n * 2);\n");
  const w = startWorker(script, { n: 21 });
  const got = await new Promise<unknown>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  assert.equal(got, 42);
  await w.terminate();
});

interface Runner { readonly kind: string; job(x: number): Promise<string> }

test('FallbackRunner: a worker that cannot start hands the job (and every later one) to the in-process runner', async () => {
  const made: string[] = [];
  const broken = (): Runner => { made.push('worker'); return { kind: 'worker', job: async () => { throw new WorkerStartError('exited with code 1'); } }; };
  const local = (): Runner => { made.push('in-process'); return { kind: 'in-process', job: async (x) => `local ${x}` }; };
  const r = new FallbackRunner<Runner>(broken, local);
  assert.equal(r.current.kind, 'worker');
  const retries: boolean[] = [];
  const [a, b] = await Promise.all([r.run((x, retry) => { retries.push(retry); return x.job(1); }), r.run((x) => x.job(2))]);
  assert.deepEqual([a, b], ['local 1', 'local 2']);
  assert.deepEqual(retries, [false, true]);
  assert.equal(r.current.kind, 'in-process');
  assert.deepEqual(made, ['worker', 'in-process'], 'one replacement for jobs that found out together');
  assert.equal(await r.run((x) => x.job(3)), 'local 3');

  // Other errors are the job's own: no fallback.
  const failing = new FallbackRunner<Runner>(() => ({ kind: 'worker', job: async () => { throw new Error('bad filter'); } }), local);
  await assert.rejects(failing.run((x) => x.job(1)), /bad filter/);
  assert.equal(failing.current.kind, 'worker');
  // A worker that throws while being constructed: in process from the start.
  const ctor = new FallbackRunner<Runner>(() => { throw new Error('no threads'); }, local);
  assert.equal(ctor.current.kind, 'in-process');
});
