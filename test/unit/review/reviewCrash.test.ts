/**
 * Crash safety and multi-process writers, with real child processes
 * (fixtures/reviewWriter.ts, run as `node --import tsx`). Every wait is on the child's own
 * output (no sleeps): the parent kills a child right after it reports a completed write or
 * while it is parked between temp-file fsync and rename.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { lockPathFor } from '../../../src/core/review/fileLock';
import { ReviewStore } from '../../../src/core/review/reviewStore';
import { PROJECT_ROOT } from '../../helpers/paths';
import { seededRandom } from '../../helpers/seededRandom';
import { numbered, tempDir } from './fixtures/reviewTestUtil';

const WRITER = join(__dirname, 'fixtures', 'reviewWriter.ts');

function startWriter(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
}

/** Calls `onLine` for every stdout line; resolves with the exit code/signal. */
function watch(child: ChildProcessWithoutNullStreams, onLine: (line: string) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let buf = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

async function assertHas(path: string, contig: string, count: number): Promise<ReviewStore> {
  const s = await ReviewStore.open(path); // parses the whole file: throws if torn
  for (let i = 0; i < count; i++) {
    const e = s.get(numbered(contig, i));
    assert.ok(e, `${contig} annotation ${i} lost`);
    assert.deepEqual(e.versions, [numbered(contig, i)]);
  }
  return s;
}

test('SIGKILL during a loop of writes leaves a readable file with every completed annotation (5 runs)', async (t) => {
  const path = join(tempDir('kill'), 'calls.vcf.review.tsv');
  const r = seededRandom(7);
  let killedInsideWrite = 0;
  // 5,000 earlier annotations (~700 KB), so every write rewrites a realistic file.
  const earlier = Array.from({ length: 5000 }, (_, i) => numbered('chr22', i));
  await (await ReviewStore.open(path)).setMany(earlier);
  for (let run = 0; run < 5; run++) {
    const contig = `chr${run + 1}`;
    const killAfter = 3 + Math.floor(r() * 10); // the write during or before which to kill
    const trigger = run % 2 === 0 ? 'start' : 'renaming';
    const child = startWriter([path, contig, '100000']);
    let done = -1;
    const exit = await watch(child, (line) => {
      const m = /^(start|renaming|done) (\d+)$/.exec(line);
      if (!m) return;
      if (m[1] === 'done') done = Number(m[2]);
      // The child goes on without waiting for us. strace shows the kill arrives ~0.3 ms after
      // the line: on "start k" that is before write k takes the lock (a kill between writes);
      // on "renaming k" it is inside write k (rename, folder fsync, unlock).
      else if (m[1] === trigger && Number(m[2]) === killAfter) child.kill('SIGKILL');
    });
    assert.equal(exit.signal, 'SIGKILL', exit.stderr);
    assert.ok(done + 1 >= killAfter);
    // A lock file (or a lock/write temp file) left behind means the kill landed inside a
    // write; the next run's child must break the lock (dead pid) and remove the temp files.
    if (readdirSync(dirname(path)).some((f) => f !== basename(path))) killedInsideWrite++;
    const s = await assertHas(path, contig, done + 1);
    // The 5,000 earlier annotations and the earlier runs' are all still there.
    assert.equal(s.entries().filter((e) => e.site.contig === 'chr22').length, 5000);
    for (let k = 0; k < run; k++) assert.ok(s.entries().some((e) => e.site.contig === `chr${k + 1}`));
    // Whatever else the child managed to write is a contiguous prefix: nothing torn or skipped.
    const mine = s.entries().filter((e) => e.site.contig === contig).map((e) => e.site.pos - 1000);
    assert.deepEqual(mine, Array.from({ length: mine.length }, (_, i) => i));
  }
  t.diagnostic(`${killedInsideWrite} of 5 kills landed inside a write`);
  assert.ok(killedInsideWrite >= 1, 'no kill landed inside a write');
  // A last writer cleans up after the dead ones.
  await (await ReviewStore.open(path)).set(numbered('chr23', 0));
  assert.deepEqual(readdirSync(dirname(path)), [basename(path)]);
});

test('SIGKILL between the temp-file fsync and the rename keeps the previous file; the dead lock is broken', async () => {
  const path = join(tempDir('pause'), 'r.review.tsv');
  const child = startWriter([path, 'chr7', '50', '12']);
  let paused = -1;
  const exit = await watch(child, (line) => {
    const m = /^paused (\d+)$/.exec(line);
    if (m) {
      paused = Number(m[1]);
      child.kill('SIGKILL');
    }
  });
  assert.equal(exit.signal, 'SIGKILL', exit.stderr);
  assert.equal(paused, 12);
  // The killed write's temp file and lock are left behind, the review file is the previous one.
  const leftovers = readdirSync(dirname(path)).filter((f) => f !== basename(path));
  assert.ok(leftovers.some((f) => f.startsWith('.r.review.tsv.tmp-')), `temp file expected in ${leftovers.join(', ')}`);
  assert.ok(existsSync(lockPathFor(path)));
  const s = await assertHas(path, 'chr7', 12);
  assert.equal(s.size, 12);
  // A new writer breaks the dead process's lock, removes its temp file, and carries on.
  await s.set(numbered('chr7', 12));
  await assertHas(path, 'chr7', 13);
  assert.ok(!existsSync(lockPathFor(path)));
  assert.deepEqual(readdirSync(dirname(path)), [basename(path)]);
});

test('two writer processes: different sites all kept, the same site kept as a two-version conflict', async () => {
  const path = join(tempDir('procs'), 'r.review.tsv');
  const n = 60;
  const a = startWriter([path, 'chrA', String(n)], { REVIEW_WRITER_HANDSHAKE: '1' });
  const b = startWriter([path, 'chrB', String(n)], { REVIEW_WRITER_HANDSHAKE: '1' });
  let ready = 0;
  const go = (line: string): void => {
    if (line === 'ready' && ++ready === 2) {
      // Both opened the store before either wrote: their edits of the shared site must conflict.
      a.stdin.write('go\n');
      b.stdin.write('go\n');
    }
  };
  const [ea, eb] = await Promise.all([watch(a, go), watch(b, go)]);
  assert.equal(ea.code, 0, ea.stderr);
  assert.equal(eb.code, 0, eb.stderr);
  await assertHas(path, 'chrA', n);
  const s = await assertHas(path, 'chrB', n);
  assert.equal(s.size, 2 * n + 1);
  const shared = s.get(numbered('shared', 0))!;
  assert.equal(shared.conflict, true);
  assert.deepEqual(shared.versions.map((v) => v.verdict).sort(), ['verdict-of-chrA', 'verdict-of-chrB']);
});
