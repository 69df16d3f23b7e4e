/**
 * Checks that a BAI/CSI/TBI index belongs to its data file, so a stale or foreign index is
 * reported instead of silently returning too few records:
 *
 *  - an index older than its data file gets a warning naming both files and the command
 *    that re-creates it (as samtools and htslib warn: "The index file is older than the data
 *    file");
 *  - a structural mismatch is a `bad-index` error naming the index and the command:
 *    a reference count different from the header, a chunk or linear-index offset past the
 *    end of the data file, a chunk that does not start on a BGZF block or whose first record
 *    is not of the queried reference.
 *
 * Also parses tabix (`.tbi`, and CSI with a tabix header in its aux data) into the binning
 * index of baiReader.ts, so VCF region queries read through our CRC-checked BGZF reader.
 */
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { VariantLensError } from '../../errors';
import { warn } from '../../warnings';
import { parseBamIndex, type BamIndex, type IndexChunk } from './baiReader';

export type IndexTool = 'samtools' | 'tabix';

/** The command that re-creates the index of `dataPath`. */
export function reindexCommand(dataPath: string, indexPath: string, tool: IndexTool): string {
  const csi = indexPath.endsWith('.csi');
  if (tool === 'samtools') return `samtools index${csi ? ' -c' : ''} ${dataPath}`;
  return `tabix -f ${csi ? '-C ' : ''}-p vcf ${dataPath}`;
}

/** Warns (once per pair) when the index is older than its data file. */
export async function warnIfIndexOlder(dataPath: string, indexPath: string, tool: IndexTool): Promise<boolean> {
  try {
    const [d, i] = await Promise.all([stat(dataPath), stat(indexPath)]);
    if (i.mtimeMs < d.mtimeMs) {
      warn(`the index file ${indexPath} is older than the data file ${dataPath}; if the data changed, re-create the index with: ${reindexCommand(dataPath, indexPath, tool)}`);
      return true;
    }
  } catch {
    // A missing file is reported by whoever opens it.
  }
  return false;
}

/** Largest virtual offset any chunk end or linear-index entry names, and the reference count. */
export interface IndexExtent {
  readonly nRef: number;
  readonly maxVirtualOffset: number;
  /** Per reference, the smallest chunk start (virtual offset), or -1 when it has no chunks. */
  readonly firstChunk: readonly number[];
}

class Cursor {
  p: number;
  constructor(readonly b: Buffer, readonly file: string, start: number) {
    this.p = start;
  }
  need(n: number): void {
    if (n < 0 || this.p + n > this.b.length) throw new VariantLensError('bad-index', `ends early (at byte ${this.p}); the index is truncated or not an index`, this.file);
  }
  i32(): number { this.need(4); const v = this.b.readInt32LE(this.p); this.p += 4; return v; }
  u64(): number { this.need(8); const v = this.b.readUInt32LE(this.p) + this.b.readUInt32LE(this.p + 4) * 0x100000000; this.p += 8; return v; }
  skip(n: number): void { this.need(n); this.p += n; }
}

/** Walks the per-reference part of a BAI/TBI (`csi` false) or CSI starting at n_ref. */
function extentFrom(raw: Buffer, at: number, csi: boolean, file: string, pseudoBin = 37450): IndexExtent {
  const c = new Cursor(raw, file, at);
  const nRef = c.i32();
  if (nRef < 0) throw new VariantLensError('bad-index', `claims ${nRef} references; the index is corrupt`, file);
  let max = 0;
  const firstChunk: number[] = [];
  for (let r = 0; r < nRef; r++) {
    let first = -1;
    const nBin = c.i32();
    if (nBin < 0) throw new VariantLensError('bad-index', `reference ${r} claims ${nBin} bins; the index is corrupt`, file);
    for (let k = 0; k < nBin; k++) {
      const bin = c.i32() >>> 0;
      if (csi) {
        const lo = c.u64();
        if (lo > max) max = lo;
      }
      const nChunk = c.i32();
      if (nChunk < 0) throw new VariantLensError('bad-index', `bin ${bin} claims ${nChunk} chunks; the index is corrupt`, file);
      // Pseudo-bins hold counts, not offsets: bin 37450 for BAI/TBI, ((8^(depth+1))-1)/7 + 1 for CSI.
      const pseudo = bin === pseudoBin;
      for (let j = 0; j < nChunk; j++) {
        const b = c.u64();
        const e = c.u64();
        if (pseudo) continue;
        if (first < 0 || b < first) first = b;
        if (b > max) max = b;
        if (e > max) max = e;
      }
    }
    firstChunk.push(first);
    if (!csi) {
      const nIntv = c.i32();
      if (nIntv < 0) throw new VariantLensError('bad-index', `reference ${r} claims ${nIntv} linear-index entries; the index is corrupt`, file);
      for (let j = 0; j < nIntv; j++) {
        const v = c.u64();
        if (v > max) max = v;
      }
    }
  }
  return { nRef, maxVirtualOffset: max, firstChunk };
}

/** The pseudo-bin of a CSI of `depth` levels (CSIv1 §2). */
function csiPseudoBin(depth: number): number {
  return ((8 ** (depth + 1)) - 1) / 7 + 1;
}

/** Decompressed index bytes (CSI and TBI are BGZF; BAI is raw). gunzip checks every CRC. */
export async function readIndexBytes(indexPath: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await readFile(indexPath);
  } catch (e) {
    throw new VariantLensError('bad-index', `cannot read the index: ${e instanceof Error ? e.message : String(e)}`, indexPath, { cause: e });
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw new VariantLensError('bad-index', `does not decompress (${e instanceof Error ? e.message : String(e)}); the index is corrupt`, indexPath, { cause: e });
    }
  }
  return raw;
}

/** The extent of a BAI or CSI (decompressed bytes). */
export function bamIndexExtent(raw: Buffer, indexPath: string): IndexExtent {
  const magic = raw.subarray(0, 4).toString('latin1');
  if (magic === 'BAI\x01') return extentFrom(raw, 4, false, indexPath);
  if (magic === 'CSI\x01') {
    const depth = raw.readInt32LE(8);
    const c = new Cursor(raw, indexPath, 12);
    const lAux = c.i32();
    return extentFrom(raw, 16 + lAux, true, indexPath, csiPseudoBin(depth));
  }
  throw new VariantLensError('bad-index', 'is neither a BAI nor a CSI index (bad magic)', indexPath);
}

/**
 * Throws `bad-index` unless the index fits its data file: same reference count as the
 * header (when given) and no offset past the end of the file. Warns when it is older.
 */
export async function checkIndexFitsData(o: {
  dataPath: string;
  indexPath: string;
  tool: IndexTool;
  dataSize: number;
  extent: IndexExtent;
  /** Number of references in the data file's header (BAM), if known. */
  headerRefs?: number;
}): Promise<void> {
  const fix = `re-create it with: ${reindexCommand(o.dataPath, o.indexPath, o.tool)}`;
  await warnIfIndexOlder(o.dataPath, o.indexPath, o.tool);
  if (o.headerRefs !== undefined && o.extent.nRef !== o.headerRefs) {
    throw new VariantLensError('bad-index', `lists ${o.extent.nRef} references but the header of ${o.dataPath} has ${o.headerRefs}; the index belongs to another file; ${fix}`, o.indexPath);
  }
  const maxC = Math.floor(o.extent.maxVirtualOffset / 65536);
  if (maxC > o.dataSize) {
    throw new VariantLensError('bad-index', `points to byte ${maxC}, past the end of ${o.dataPath} (${o.dataSize} bytes): the data file is truncated or the index belongs to another file; ${fix}`, o.indexPath);
  }
}

/**
 * References whose first chunk is checked when an index is opened: all of them up to
 * `max`, else `max` spread evenly (a human reference with decoys has thousands).
 */
export function sampleReferences(firstChunk: readonly number[], max = 64): number[] {
  const withData = firstChunk.flatMap((v, r) => (v >= 0 ? [r] : []));
  if (withData.length <= max) return withData;
  return Array.from({ length: max }, (_, i) => withData[Math.floor((i * withData.length) / max)]!);
}

/** The error for a chunk whose bytes are not what the index promised. */
export function chunkMismatch(dataPath: string, indexPath: string, tool: IndexTool, vOffset: number, what: string): VariantLensError {
  const c = Math.floor(vOffset / 65536);
  return new VariantLensError('bad-index', `points to virtual offset ${c}:${vOffset - c * 65536} of ${dataPath}, where ${what}: the index does not match the data file (stale or foreign); re-create it with: ${reindexCommand(dataPath, indexPath, tool)}`, indexPath);
}

/** The error for a chunk whose first record starts outside the chunk's bin (0-based `pos`). */
export function outsideBin(dataPath: string, indexPath: string, tool: IndexTool, chunk: IndexChunk, pos: number): VariantLensError {
  return chunkMismatch(dataPath, indexPath, tool, chunk.beg, `the first record starts at position ${pos + 1}, outside the bin (${chunk.binBeg + 1}-${chunk.binEnd}) whose chunk this is`);
}

/** A parsed tabix index: the binning index plus the sequence names in index order. */
export interface TabixIndex {
  readonly index: BamIndex;
  readonly names: readonly string[];
  readonly extent: IndexExtent;
  /** Lines to skip at the top (tabix `skip`), and the meta character. */
  readonly meta: string;
}

function readNames(raw: Buffer, at: number, len: number, file: string): string[] {
  if (at + len > raw.length || len < 0) throw new VariantLensError('bad-index', 'ends inside its sequence names; the index is truncated', file);
  const s = raw.toString('utf8', at, at + len);
  const names = s.split('\0');
  if (names[names.length - 1] === '') names.pop();
  return names;
}

/** Parses a `.tbi` or a tabix-style `.csi` (decompressed bytes). */
export function parseTabixIndex(raw: Buffer, indexPath: string): TabixIndex {
  const magic = raw.subarray(0, 4).toString('latin1');
  if (magic === 'TBI\x01') {
    const c = new Cursor(raw, indexPath, 4);
    const nRef = c.i32();
    c.skip(16); // format, col_seq, col_beg, col_end
    const meta = String.fromCharCode(c.i32());
    c.skip(4); // skip
    const lNm = c.i32();
    const names = readNames(raw, c.p, lNm, indexPath);
    const rest = c.p + lNm;
    if (names.length !== nRef) throw new VariantLensError('bad-index', `says ${nRef} sequences but names ${names.length}; the index is corrupt`, indexPath);
    // The per-reference data has the BAI layout: parse it as one.
    const head = Buffer.alloc(8);
    head.write('BAI\x01', 0, 'latin1');
    head.writeInt32LE(nRef, 4);
    const asBai = Buffer.concat([head, raw.subarray(rest)]);
    return { index: parseBamIndex(asBai, indexPath), names, extent: extentFrom(asBai, 4, false, indexPath), meta };
  }
  if (magic === 'CSI\x01') {
    const c = new Cursor(raw, indexPath, 12);
    const lAux = c.i32();
    const auxAt = c.p;
    let names: string[] = [];
    let meta = '#';
    if (lAux >= 28) {
      const a = new Cursor(raw, indexPath, auxAt + 16);
      meta = String.fromCharCode(a.i32());
      a.skip(4);
      const lNm = a.i32();
      names = readNames(raw, a.p, lNm, indexPath);
    }
    c.skip(lAux);
    return { index: parseBamIndex(raw, indexPath), names, extent: extentFrom(raw, auxAt + lAux, true, indexPath, csiPseudoBin(raw.readInt32LE(8))), meta };
  }
  throw new VariantLensError('bad-index', 'is not a tabix index (bad magic); re-create it with tabix', indexPath);
}
