/**
 * Region queries of a bgzipped VCF through its `.tbi`/`.csi`, read with our BGZF reader
 * (every block CRC-checked) and checked against the file (src/core/io/index/indexCheck.ts):
 * an index naming offsets past the end, sequences the header does not list, or a chunk
 * that does not start with a record of the queried sequence is a `bad-index` error naming
 * the index and the tabix command, never a silently short answer.
 */
import { VariantLensError, throwIfAborted } from '../../errors';
import { checkIndexFitsData, chunkMismatch, parseTabixIndex, readIndexBytes, sampleReferences, type TabixIndex } from '../index/indexCheck';
import type { LineBatch } from './lineScanner';
import { resolveContig } from '../contigAliases';
import { VcfRecord } from './vcfRecord';

export interface TabixQueryTarget {
  readonly path: string;
  readonly size: number;
  readonly headerContigs: readonly string[];
  randomLineBatches(start: number, end: number | undefined, signal: AbortSignal | undefined): AsyncGenerator<LineBatch>;
}

/** Reads and checks the index once per file. */
export async function loadTabixIndex(target: TabixQueryTarget, indexPath: string): Promise<TabixIndex> {
  const tbx = parseTabixIndex(await readIndexBytes(indexPath), indexPath);
  await checkIndexFitsData({ dataPath: target.path, indexPath, tool: 'tabix', dataSize: target.size, extent: tbx.extent });
  if (target.headerContigs.length > 0) {
    const known = new Set(target.headerContigs);
    const foreign = tbx.names.find((n) => !known.has(n));
    if (foreign !== undefined) {
      throw new VariantLensError('bad-index', `indexes sequence "${foreign}", which the header of ${target.path} does not list; the index belongs to another file; re-create it with: tabix -f -p vcf ${target.path}`, indexPath);
    }
  }
  // Each sequence's first chunk must start a record of that sequence (a foreign index whose
  // names match is caught here, not by a short answer later).
  for (const ref of sampleReferences(tbx.extent.firstChunk)) {
    const beg = tbx.extent.firstChunk[ref]!;
    const name = tbx.names[ref];
    for await (const batch of target.randomLineBatches(beg, undefined, undefined)) {
      const line = batch.lines[0];
      if (line === undefined) continue;
      const tab = line.indexOf('\t');
      const chrom = tab < 0 ? line : line.slice(0, tab);
      if (chrom !== name) throw chunkMismatch(target.path, indexPath, 'tabix', beg, `the line there is not a record of ${name ?? `sequence ${ref}`} ("${line.slice(0, 30)}")`);
      break;
    }
  }
  return tbx;
}

/** Records overlapping 0-based half-open [start, end) of `contig` (aliases accepted). */
export async function* tabixQuery(target: TabixQueryTarget, indexPath: string, tbx: TabixIndex, contig: string, start: number, end: number, signal?: AbortSignal): AsyncGenerator<VcfRecord> {
  const ref = resolveContig(contig, [...tbx.names]);
  if (ref === undefined) return;
  const refId = tbx.names.indexOf(ref);
  // Widen by one base on each side (as before); the exact overlap test (INFO/END aware) is ours.
  const chunks = tbx.index.chunksFor(refId, Math.max(0, start - 1), end + 1);
  if (chunks.length === 0) return;
  // The file is sorted: read on from the first chunk until past the region. The bytes between
  // chunks are records of the same sequence outside the region, which the test below drops.
  const from = chunks[0]!.beg;
  let first = true;
  for await (const batch of target.randomLineBatches(from, undefined, signal)) {
    throwIfAborted(signal);
    for (const line of batch.lines) {
      if (line === '') continue;
      const tab = line.indexOf('\t');
      const chrom = tab < 0 ? line : line.slice(0, tab);
      if (first) {
        first = false;
        if (chrom !== ref || line.charCodeAt(0) === 35) {
          throw chunkMismatch(target.path, indexPath, 'tabix', from, `the line there is not a record of ${ref} ("${line.slice(0, 30)}")`);
        }
      }
      if (chrom !== ref) return;
      const r = new VcfRecord(line, 0, target.path);
      if (r.start0 >= end) return;
      if (r.start0 < end && r.end0 > start) yield r;
    }
  }
}
