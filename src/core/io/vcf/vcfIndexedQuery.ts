/**
 * Region queries of a bgzipped VCF through its `.tbi`/`.csi`, read with our BGZF reader
 * (every block CRC-checked) and checked against the file (src/core/io/index/indexCheck.ts):
 * an index naming offsets past the end, sequences the header does not list, or a chunk
 * that does not start with a record of the queried sequence inside the chunk's bin is a
 * `bad-index` error naming
 * the index and the tabix command, never a silently short answer.
 */
import { VariantLensError, throwIfAborted } from '../../errors';
import { checkIndexFitsData, chunkMismatch, outsideBin, parseTabixIndex, readIndexBytes, sampleReferences, type TabixIndex } from '../index/indexCheck';
import type { LineBatch } from './lineScanner';
import { resolveContig } from '../contigAliases';
import { VcfRecord } from './vcfRecord';

export interface TabixQueryTarget {
  readonly path: string;
  readonly size: number;
  readonly headerContigs: readonly string[];
  randomLineBatches(start: number, end: number | undefined, signal: AbortSignal | undefined, wantOffsets?: boolean): AsyncGenerator<LineBatch>;
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
  // When the index says `start`'s window holds records, the record at its linear-index
  // offset overlaps it, so it starts before the window's end (baiReader.ts minOffsetFor); a
  // stale index pointing at a later record would otherwise skip the region's records. That
  // record is usually passed by the read below (checked there, by its offset); else it is
  // read on its own after it.
  const min = tbx.index.minOffsetFor(refId, Math.max(0, start - 1));
  let minChecked = min === undefined;
  const checkMin = (line: string): void => {
    minChecked = true;
    const tab = line.indexOf('\t');
    if ((tab < 0 ? line : line.slice(0, tab)) !== ref) return;
    const pos0 = Math.max(0, new VcfRecord(line, 0, target.path).start0);
    if (pos0 >= min!.spanEnd) {
      throw chunkMismatch(target.path, indexPath, 'tabix', min!.offset, `the record the index names for position ${start + 1} starts at ${pos0 + 1}, after the end (${min!.spanEnd}) of the index window holding that position`);
    }
  };
  // The file is sorted: read on from the first chunk until past the region. The bytes between
  // chunks are records of the same sequence outside the region, which the test below drops.
  const from = chunks[0]!.beg;
  let first = true;
  let checkBin = true;
  reading: for await (const batch of target.randomLineBatches(from, undefined, signal, !minChecked)) {
    throwIfAborted(signal);
    const lines = batch.lines;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      if (!minChecked && batch.offsets![i] === min!.offset) checkMin(line);
      const tab = line.indexOf('\t');
      const chrom = tab < 0 ? line : line.slice(0, tab);
      if (first) {
        first = false;
        if (chrom !== ref || line.charCodeAt(0) === 35) {
          throw chunkMismatch(target.path, indexPath, 'tabix', from, `the line there is not a record of ${ref} ("${line.slice(0, 30)}")`);
        }
      }
      if (chrom !== ref) break reading;
      const r = new VcfRecord(line, 0, target.path);
      if (checkBin) {
        // The record at the chunk start must start inside the chunk's bin (tabix bins by
        // POS - 1, as here): else the index is stale and would skip the region's records.
        checkBin = false;
        const pos0 = Math.max(0, r.start0);
        if (pos0 < chunks[0]!.binBeg || pos0 >= chunks[0]!.binEnd) throw outsideBin(target.path, indexPath, 'tabix', chunks[0]!, pos0);
      }
      if (r.start0 >= end) break reading;
      if (r.start0 < end && r.end0 > start) yield r;
    }
  }
  if (!minChecked) {
    for await (const batch of target.randomLineBatches(min!.offset, undefined, signal)) {
      const line = batch.lines.find((l) => l !== '');
      if (line === undefined) continue;
      checkMin(line);
      break;
    }
  }
}
