import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireFileLock, lockPathFor } from '../../../src/core/review/fileLock';
import { siteKey } from '../../../src/core/review/reviewFormat';
import { type ReviewChangeEvent, ReviewStore, mergeSites, reviewPathForDiff, reviewPathForVcf } from '../../../src/core/review/reviewStore';
import { numbered, tempDir } from './fixtures/reviewTestUtil';

test('two store instances editing different sites concurrently lose nothing', async () => {
  const path = join(tempDir('two'), 'r.review.tsv');
  const a = await ReviewStore.open(path);
  const b = await ReviewStore.open(path);
  // Interleaved, unawaited: every write re-reads and merges under the lock.
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 40; i++) {
    writes.push(a.set(numbered('chr1', 2 * i, 'default-correct', 'alice')));
    writes.push(b.set(numbered('chr1', 2 * i + 1, 'retrained-correct', 'bob')));
  }
  await Promise.all(writes);
  const c = await ReviewStore.open(path);
  assert.equal(c.size, 80);
  assert.equal(c.conflicts().length, 0);
  for (let i = 0; i < 80; i++) assert.equal(c.get(numbered('chr1', i))?.versions[0]?.reviewer, i % 2 === 0 ? 'alice' : 'bob');
  assert.ok(!existsSync(lockPathFor(path)), 'lock released');
  assert.deepEqual(readdirSync(join(path, '..')).filter((f) => f !== 'r.review.tsv'), [], 'no temp files left');
});

test('a conflicting edit of the same site keeps both versions, visibly, until resolved', async () => {
  const path = join(tempDir('conflict'), 'r.review.tsv');
  const a = await ReviewStore.open(path);
  const b = await ReviewStore.open(path);
  await a.set(numbered('chr2', 5, 'default-correct', 'alice'));
  await b.set({ ...numbered('chr2', 5, 'both-wrong', 'bob'), time: '2024-06-01T00:00:00.000Z' });
  const site = numbered('chr2', 5);
  for (const s of [b, await ReviewStore.open(path)]) {
    const e = s.get(site)!;
    assert.equal(e.conflict, true);
    assert.deepEqual(e.versions.map((v) => `${v.reviewer}:${v.verdict}`), ['alice:default-correct', 'bob:both-wrong']);
  }
  assert.equal(b.conflicts().length, 1);
  assert.equal(b.stats().conflicts, 1);
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('chr2\t'));
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.endsWith('\tconflict')));
  // Store a has not seen bob's version yet; reload shows it.
  const events: ReviewChangeEvent[] = [];
  a.onDidChange((e) => events.push(e));
  const changed = await a.reload();
  assert.deepEqual(changed, [siteKey(site)]);
  assert.equal(events[0]?.origin, 'disk');
  assert.equal(a.get(site)?.versions.length, 2);
  // Resolving keeps the chosen version only.
  await a.resolve(site, 1);
  await b.reload();
  assert.equal(b.get(site)?.conflict, false);
  assert.equal(b.get(site)?.versions[0]?.reviewer, 'bob');
});

test('reload merges changes made outside (another writer, git pull) and is a no-op when nothing changed', async () => {
  const path = join(tempDir('reload'), 'r.review.tsv');
  const a = await ReviewStore.open(path);
  await a.set(numbered('chr1', 1));
  assert.deepEqual(await a.reload(), []);
  // Someone edits the file by hand: changes site 1's verdict, adds site 2.
  const text = readFileSync(path, 'utf8').replace('\tuncertain\t', '\tboth-correct\t');
  const line = text.split('\n').find((l) => l.startsWith('chr1\t'))!;
  writeFileSync(path, text + line.replace('\t1001\t', '\t1002\t'));
  const changed = await a.reload();
  assert.equal(changed.length, 2);
  assert.equal(a.get(numbered('chr1', 1))?.versions[0]?.verdict, 'both-correct');
  assert.equal(a.get({ ...numbered('chr1', 1), pos: 1002 })?.versions[0]?.verdict, 'both-correct');
  // Our next write keeps their changes.
  await a.set(numbered('chr1', 3));
  const c = await ReviewStore.open(path);
  assert.equal(c.size, 3);
});

test('git conflict markers in the file (after a merge) become conflicts, then a clean file on the next write', async () => {
  const path = join(tempDir('gitmerge'), 'r.review.tsv');
  const a = await ReviewStore.open(path);
  await a.set(numbered('chr1', 1, 'default-correct', 'alice'));
  const text = readFileSync(path, 'utf8');
  const [head, line] = [text.slice(0, text.indexOf('chr1\t')), text.slice(text.indexOf('chr1\t'))];
  writeFileSync(path, `${head}<<<<<<< HEAD\n${line}=======\n${line.replace('default-correct', 'retrained-correct').replace('\talice\t', '\tbob\t')}>>>>>>> theirs\n`);
  await a.reload();
  assert.equal(a.get(numbered('chr1', 1))?.conflict, true);
  await a.set(numbered('chr1', 2));
  const out = readFileSync(path, 'utf8');
  assert.ok(!out.includes('<<<<<<<'));
  assert.equal((out.match(/\tconflict$/gm) ?? []).length, 2);
});

test('undo restores the previous state of the site and is refused after another writer changed it', async () => {
  const path = join(tempDir('undo'), 'r.review.tsv');
  const a = await ReviewStore.open(path);
  await a.set(numbered('chr1', 1, 'uncertain'));
  await a.set(numbered('chr1', 1, 'both-wrong'));
  await a.set(numbered('chr1', 2, 'both-wrong'));
  assert.equal(await a.undo(), siteKey(numbered('chr1', 2)));
  assert.equal(a.get(numbered('chr1', 2)), undefined);
  await a.undo();
  assert.equal(a.get(numbered('chr1', 1))?.versions[0]?.verdict, 'uncertain');
  const onDisk = await ReviewStore.open(path);
  assert.equal(onDisk.size, 1);
  assert.equal(onDisk.get(numbered('chr1', 1))?.versions[0]?.verdict, 'uncertain');
  // b changes site 1 after a's edit: a's undo must not discard b's verdict.
  const b = await ReviewStore.open(path);
  await b.set(numbered('chr1', 1, 'default-correct', 'bob'));
  await a.reload();
  await assert.rejects(a.undo(), /changed by another writer/);
  assert.equal((await ReviewStore.open(path)).get(numbered('chr1', 1))?.versions[0]?.reviewer, 'bob');
  assert.equal(await a.undo(), undefined);
  assert.equal(a.canUndo, false);
});

test('three-way merge rules: one-sided changes win, two-sided become conflicts, edits beat deletions', () => {
  const A = [numbered('c', 1, 'a')];
  const B = [numbered('c', 1, 'b')];
  const C = [numbered('c', 1, 'c')];
  const m = (base?: typeof A, theirs?: typeof A, ours?: typeof A): string[] | undefined => {
    const mk = (v?: typeof A): Map<string, typeof A> => new Map(v ? [['k', v]] : []);
    return mergeSites(mk(base), mk(theirs), mk(ours)).get('k')?.map((x) => x.verdict);
  };
  assert.deepEqual(m(A, A, B), ['b']);
  assert.deepEqual(m(A, B, A), ['b']);
  assert.deepEqual(m(A, B, B), ['b']);
  assert.deepEqual(m(A, B, C), ['b', 'c']);
  assert.deepEqual(m(undefined, B, C), ['b', 'c']);
  assert.deepEqual(m(A, undefined, A), undefined); // deleted there, untouched here
  assert.deepEqual(m(A, undefined, C), ['c']); // deleted there, edited here: keep the edit
  assert.deepEqual(m(A, B, undefined), ['b']);
});

test('a stale lock left by a dead process is broken; a live one makes the writer wait and time out', async () => {
  const path = join(tempDir('lock'), 'r.review.tsv');
  // A pid that certainly does not exist any more: a child that has exited.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  writeFileSync(lockPathFor(path), JSON.stringify({ pid: deadPid, host: hostname(), time: Date.now(), nonce: 'dead' }));
  const a = await ReviewStore.open(path, { lock: { timeoutMs: 2000 } });
  await a.set(numbered('chr1', 1));
  assert.equal((await ReviewStore.open(path)).size, 1);
  assert.ok(!existsSync(lockPathFor(path)));

  const release = await acquireFileLock(path); // held by this live process
  const b = await ReviewStore.open(path, { lock: { timeoutMs: 150 } });
  await assert.rejects(b.set(numbered('chr1', 2)), (e: Error) => /locked by process \d+ on .*; if no Variant Lens is running, delete .*r\.review\.tsv\.lock/.test(e.message));
  await release();
  await b.set(numbered('chr1', 2));
  assert.equal((await ReviewStore.open(path)).size, 2);
});

test('entriesAt finds site-level and per-sample verdicts of a record; stats count them', async () => {
  const path = join(tempDir('stats'), 'r.review.tsv');
  const s = await ReviewStore.open(path);
  await s.setMany([
    { ...numbered('chr1', 1, 'Somatic', 'alice'), tags: ['LVF', 'D'] },
    { ...numbered('chr1', 1, 'Fail', 'bob'), sample: 'TUMOR', tags: ['D'] },
    numbered('chr1', 2, 'Somatic', 'alice'),
  ]);
  assert.equal(s.entriesAt({ contig: 'chr1', pos: 1001, ref: 'A', alt: 'G' }).length, 2);
  assert.equal(s.entriesAt({ contig: 'chr1', pos: 1001, ref: 'A', alt: 'T' }).length, 0);
  const st = s.stats();
  assert.equal(st.sites, 3);
  assert.deepEqual([...st.byVerdict].sort(), [['Fail', 1], ['Somatic', 2]]);
  assert.deepEqual([...st.byReviewer].sort(), [['alice', 2], ['bob', 1]]);
  assert.deepEqual([...st.byTag].sort(), [['D', 2], ['LVF', 2]]);
});

test('sidecar paths', () => {
  assert.equal(reviewPathForVcf('/d/calls.vcf.gz'), '/d/calls.vcf.gz.review.tsv');
  assert.equal(reviewPathForDiff('/d/default.vcf.gz', '/e/retrained.vcf'), '/d/default.vs.retrained.review.tsv');
});
