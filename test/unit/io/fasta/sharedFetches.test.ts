/**
 * SharedFetches (src/core/io/fasta/sharedFetches.ts): readers asking for the same chunk get
 * the same bases with one read of the FASTA; different chunks are read each; a failed fetch
 * is not remembered; older chunks are dropped beyond the few it keeps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedFetches } from '../../../../src/core/io/fasta/sharedFetches';
import type { ReferenceSource } from '../../../../src/core/io/fasta/referenceSource';

const SEQ = 'ACGTTGCAACGGTTAACCGGTT'.repeat(10);

function counting(failFirst = false): ReferenceSource & { reads: string[] } {
  const reads: string[] = [];
  let fail = failFirst;
  return {
    path: 'ref.fa', reads,
    contigs: () => Promise.resolve([{ name: 'chrT', length: SEQ.length }]),
    fetch: (contig, start, end) => {
      reads.push(`${contig}:${start}-${end}`);
      if (fail) { fail = false; return Promise.reject(new Error('read failed')); }
      return Promise.resolve(SEQ.slice(start, end));
    },
    close: () => Promise.resolve(),
  };
}

test('three readers of the same chunks: one read per chunk, the same bases', async () => {
  const inner = counting();
  const ref = new SharedFetches(inner);
  for (let reader = 0; reader < 3; reader++) {
    for (const [s, e] of [[0, 50], [50, 100], [100, 150]] as const) assert.equal(await ref.fetch('chrT', s, e), SEQ.slice(s, e));
  }
  assert.deepEqual(inner.reads, ['chrT:0-50', 'chrT:50-100', 'chrT:100-150']);
  // Concurrent asks share the pending read.
  const [x, y] = await Promise.all([ref.fetch('chrT', 150, 200), ref.fetch('chrT', 150, 200)]);
  assert.equal(x, y);
  assert.equal(inner.reads.filter((r) => r === 'chrT:150-200').length, 1);
  assert.equal((await ref.contigs())[0]!.length, SEQ.length);
});

test('a failed fetch is not kept; old chunks are dropped', async () => {
  const inner = counting(true);
  const ref = new SharedFetches(inner);
  await assert.rejects(ref.fetch('chrT', 0, 10), /read failed/);
  assert.equal(await ref.fetch('chrT', 0, 10), SEQ.slice(0, 10));
  assert.equal(inner.reads.length, 2);
  for (let i = 1; i <= 20; i++) await ref.fetch('chrT', i, i + 10);
  const before = inner.reads.length;
  await ref.fetch('chrT', 0, 10); // long evicted: read again
  assert.equal(inner.reads.length, before + 1);
  await ref.fetch('chrT', 20, 30); // recent: kept
  assert.equal(inner.reads.length, before + 1);
});
