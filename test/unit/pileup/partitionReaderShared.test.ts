/**
 * PartitionReader shares a partition's (and a block's) work between callers through its
 * caches. The work runs under the signal of the caller that started it, so when that caller
 * is cancelled (the inspector walks on to the next site) a caller who joined it must get its
 * partition anyway, not the other caller's cancellation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VariantLensError, isCancelled } from '../../../src/core/errors';
import type { AlignedRead, AlignmentSource } from '../../../src/core/io/sam/alignedRead';
import type { ReferenceSource } from '../../../src/core/io/fasta/referenceSource';
import { PartitionReader, pipelineOptions } from '../../../src/core/pileup/siteExamples';

const REGION = { contig: 'chr1', start: 0, end: 10_000 };

/** Reads that arrive when `release()` is called; a fetch whose signal fires fails as cancelled. */
function gatedSources(): { reads: AlignmentSource; reference: ReferenceSource; fetches: (AbortSignal | undefined)[]; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const fetches: (AbortSignal | undefined)[] = [];
  const reads: AlignmentSource = {
    path: 'gated.bam',
    contigNames: () => Promise.resolve(['chr1']),
    sampleName: () => Promise.resolve(undefined),
    fetch: (_contig, _start, _end, signal) => {
      fetches.push(signal);
      return new Promise<AlignedRead[]>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new VariantLensError('cancelled', 'operation cancelled')), { once: true });
        void gate.then(() => resolve([]));
      });
    },
    close: () => Promise.resolve(),
  };
  const reference: ReferenceSource = {
    path: 'ref.fa',
    contigs: () => Promise.resolve([{ name: 'chr1', length: REGION.end }]),
    fetch: (_contig, start, end) => Promise.resolve('A'.repeat(end - start)),
    close: () => Promise.resolve(),
  };
  return { reads, reference, fetches, release };
}

for (const realignReads of [false, true]) {
  test(`a caller who joined a partition's work gets the partition when the caller who started it is cancelled (realigner ${realignReads ? 'on' : 'off'})`, async () => {
    const src = gatedSources();
    const reader = new PartitionReader(src.reads, src.reference, pipelineOptions(undefined, { realignReads }));
    const part = reader.partitionOf(REGION, 500);
    const first = new AbortController();
    const second = new AbortController();
    const p1 = realignReads ? reader.sitePartition(part, REGION, { start: 400, end: 600 }, first.signal) : reader.partition(part, REGION, first.signal);
    const p2 = realignReads ? reader.sitePartition(part, REGION, { start: 400, end: 600 }, second.signal) : reader.partition(part, REGION, second.signal);
    await new Promise((r) => setImmediate(r));
    assert.equal(src.fetches.length, 1, 'the second caller joined the first one\'s fetch');
    first.abort();
    await assert.rejects(p1, (e: unknown) => isCancelled(e));
    src.release();
    const got = await p2;
    assert.equal(got.reads.length, 0);
    assert.equal(src.fetches.length, 2, 'the work started again under the second caller\'s signal');
    assert.equal(src.fetches[1], second.signal);
  });
}

test('a joined caller that is cancelled itself fails as cancelled (no retry)', async () => {
  const src = gatedSources();
  const reader = new PartitionReader(src.reads, src.reference, pipelineOptions());
  const part = reader.partitionOf(REGION, 500);
  const first = new AbortController();
  const second = new AbortController();
  const p1 = reader.partition(part, REGION, first.signal);
  const p2 = reader.partition(part, REGION, second.signal);
  await new Promise((r) => setImmediate(r));
  second.abort();
  first.abort();
  await assert.rejects(p1, (e: unknown) => isCancelled(e));
  await assert.rejects(p2, (e: unknown) => isCancelled(e));
  assert.equal(src.fetches.length, 1);
});
