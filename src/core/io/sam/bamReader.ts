/**
 * A BAM reader written for the pileup pipeline's access pattern (many small, nearby region
 * queries): the index (baiReader.ts) names the chunks that can hold a region's reads; only
 * those BGZF blocks are read and inflated, and inflated blocks stay in a small LRU shared by
 * all queries of this file, so consecutive 1–10 kb partitions inflate each block once.
 *
 * Records (SAM spec §4.2) are decoded straight into `AlignedRead`s: bases through a
 * 256-entry table (two bases per byte), qualities as a view on the decoded bytes, the CIGAR
 * copied into a Uint32Array, optional fields decoded only when `tags` is first read.
 *
 * Coordinates: BAM `pos` is 0-based, as is AlignedRead.start; queries are 0-based half-open.
 * A read overlaps [beg, end) when pos < end and its end > beg, where the end is
 * pos + reference length of the CIGAR, or pos + 1 for an unmapped read or one without CIGAR
 * (htslib's bam_endpos; the set `samtools view FILE region` prints).
 */
import type { FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { VariantLensError, throwIfAborted } from '../../errors';
import { CigarOp, type AlignedRead, type TagValue } from './alignedRead';
import { type BamIndex, parseBamIndex } from '../index/baiReader';
import { MAX_BLOCK_SIZE, bgzfBlocks, looksLikeBgzf, openForRead } from '../bgzf/bgzfReader';
import { checkBgzfTrailer } from '../bgzf/bgzfIntegrity';
import { bamIndexExtent, checkIndexFitsData, chunkMismatch, outsideBin, readIndexBytes, sampleReferences } from '../index/indexCheck';

export interface BamReference {
  readonly name: string;
  readonly length: number;
}

export interface BamHeader {
  /** SAM header text (@HD/@SQ/@RG/@PG lines). */
  readonly text: string;
  readonly references: readonly BamReference[];
}

/** Uncompressed bytes of BGZF blocks kept across queries (a 10-kb partition at 30x is ~12 blocks). */
const DEFAULT_CACHE_BLOCKS = 96;

interface Block {
  readonly data: Buffer;
  /** Compressed size: the next block starts at coffset + csize. */
  readonly csize: number;
}

export class BamReader {
  /** Open handle (a promise, so concurrent queries after close() reopen it once). */
  private fh: Promise<FileHandle> | undefined;
  private readonly cache = new Map<number, Block>();
  private readonly names: readonly string[];
  private constructor(
    readonly path: string,
    readonly index: BamIndex,
    readonly header: BamHeader,
    private readonly size: number,
    private readonly cacheBlocks: number,
  ) {
    this.names = header.references.map((r) => r.name);
  }

  /**
   * Opens `path` with its index at `indexPath` (.bai or .csi). Reads the header now, so a
   * file that is not a BAM fails here with `malformed-bam`, a bad index with `bad-index`.
   */
  static async open(path: string, indexPath: string, signal?: AbortSignal, cacheBlocks = DEFAULT_CACHE_BLOCKS): Promise<BamReader> {
    const header = await readBamHeader(path, signal);
    throwIfAborted(signal);
    // One read of the index: parsed for queries and checked against this BAM
    // (reference count, offsets inside the file, age; src/core/io/index/indexCheck.ts).
    const rawIndex = await readIndexBytes(indexPath);
    const index = parseBamIndex(rawIndex, indexPath);
    const fh = await openForRead(path);
    const size = (await fh.stat()).size;
    const extent = bamIndexExtent(rawIndex, indexPath);
    try {
      await checkIndexFitsData({ dataPath: path, indexPath, tool: 'samtools', dataSize: size, extent, headerRefs: header.references.length });
    } catch (e) {
      await fh.close();
      throw e;
    }
    const r = new BamReader(path, index, header, size, cacheBlocks);
    r.fh = Promise.resolve(fh);
    // Each reference's first chunk must start a record of that reference: a foreign index
    // with the same reference count is caught here (before `info` prints its counts).
    try {
      for (const ref of sampleReferences(extent.firstChunk)) {
        throwIfAborted(signal);
        const beg = extent.firstChunk[ref]!;
        let seg: Buffer[];
        try {
          seg = await r.chunkSegments(beg, beg + 65536 * 2, signal);
        } catch (e) {
          if (e instanceof VariantLensError && /no BGZF block header at byte/.test(e.message)) throw chunkMismatch(path, indexPath, 'samtools', beg, 'no BGZF block starts');
          throw e;
        }
        const head = Buffer.concat(seg.slice(0, 2)).subarray(0, 8);
        if (head.length < 8) continue; // a record split across blocks: checked when fetched
        const bsize = head.readInt32LE(0);
        const rid = head.readInt32LE(4);
        if (bsize < 32 || rid !== ref) throw chunkMismatch(path, indexPath, 'samtools', beg, bsize < 32 ? 'no BAM record starts' : `the first record is on reference ${rid}, not ${ref}`);
      }
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  /**
   * Reads of reference `refId` overlapping 0-based half-open [beg, end), in file order.
   * AlignedRead.contig/mateContig are the header's reference names.
   */
  async fetch(refId: number, beg: number, end: number, signal?: AbortSignal): Promise<AlignedRead[]> {
    const out: AlignedRead[] = [];
    const names = this.names;
    const chunks = this.index.chunksFor(refId, beg, end);
    if (chunks.length > 0) await this.checkMinOffset(refId, beg, signal);
    for (const chunk of chunks) {
      throwIfAborted(signal);
      let segments: Buffer[];
      try {
        segments = await this.chunkSegments(chunk.beg, chunk.end, signal);
      } catch (e) {
        // The chunk's start is not a BGZF block: the index, not the BAM, is wrong.
        if (e instanceof VariantLensError && /no BGZF block header at byte/.test(e.message) && Math.floor(chunk.beg / 65536) === Number(/at byte (\d+)/.exec(e.message)?.[1])) {
          throw chunkMismatch(this.path, this.index.path, 'samtools', chunk.beg, 'no BGZF block starts');
        }
        throw e;
      }
      // The chunk must start with a record of the queried reference (SAM spec §5.2: chunks
      // of a bin hold that reference's reads); anything else means a stale or foreign index.
      const first = segments[0];
      if (first && first.length >= 8) {
        const size = first.readInt32LE(0);
        const ref = first.readInt32LE(4);
        if (size < 32 || ref !== refId) {
          throw chunkMismatch(this.path, this.index.path, 'samtools', chunk.beg, size < 32 ? 'no BAM record starts' : `the first record is on reference ${ref}, not ${refId}`);
        }
        // ... and that record must start inside the bin the chunk belongs to (baiReader.ts
        // IndexChunk): a stale index pointing at another record of the same reference would
        // otherwise skip the reads of the region without a word.
        if (first.length >= 12) {
          const pos = Math.max(0, first.readInt32LE(8));
          if (pos < chunk.binBeg || pos >= chunk.binEnd) throw outsideBin(this.path, this.index.path, 'samtools', chunk, pos);
        }
      } else if (segments.length === 0 && chunk.end > chunk.beg) {
        throw chunkMismatch(this.path, this.index.path, 'samtools', chunk.beg, 'there is no data');
      }
      if (decodeSegments(segments, this.path, refId, beg, end, names, out)) break;
    }
    return out;
  }

  /**
   * When the index says `beg`'s 16-kb window holds reads, the read at its linear-index offset
   * overlaps it (SAM spec §5.1.3), so it starts before the window's end (baiReader.ts
   * minOffsetFor): a stale index that points at a later read of the same reference would
   * otherwise skip the region's reads without a word.
   */
  private async checkMinOffset(refId: number, beg: number, signal?: AbortSignal): Promise<void> {
    const m = this.index.minOffsetFor(refId, beg);
    if (!m) return;
    let head: Buffer;
    try {
      head = Buffer.concat(await this.chunkSegments(m.offset, m.offset + 12, signal));
    } catch (e) {
      if (e instanceof VariantLensError && /no BGZF block header at byte/.test(e.message)) throw chunkMismatch(this.path, this.index.path, 'samtools', m.offset, 'no BGZF block starts');
      throw e;
    }
    if (head.length < 12 || head.readInt32LE(4) !== refId) return; // a record split across blocks, or a window filled from another reference
    const pos = head.readInt32LE(8);
    if (pos >= m.spanEnd) {
      throw chunkMismatch(this.path, this.index.path, 'samtools', m.offset, `the read the index names for position ${beg + 1} starts at ${pos + 1}, after the end (${m.spanEnd}) of the index window holding that position`);
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.cache.clear();
    if (fh) await (await fh).close();
  }

  /**
   * Decompressed bytes from virtual offset vBeg up to vEnd (exclusive), as views on the
   * (cached) blocks: no copy, records straddling two blocks are joined by the decoder.
   */
  private async chunkSegments(vBeg: number, vEnd: number, signal?: AbortSignal): Promise<Buffer[]> {
    const c0 = Math.floor(vBeg / 65536);
    const u0 = vBeg - c0 * 65536;
    const c1 = Math.floor(vEnd / 65536);
    const u1 = vEnd - c1 * 65536;
    const parts: Buffer[] = [];
    // Blocks inflated by this call, looked up here first: a chunk longer than the cache
    // would otherwise evict its own first blocks before they are used.
    const fresh = new Map<number, Block>();
    let c = c0;
    while (c < c1 || (c === c1 && u1 > 0)) {
      if (c >= this.size) throw chunkMismatch(this.path, this.index.path, 'samtools', vBeg, `the file has only ${this.size} bytes`);
      let block = fresh.get(c) ?? this.cached(c);
      if (!block) {
        await this.load(c, c1, fresh, signal);
        block = fresh.get(c);
        if (!block) throw truncated(this.path, c);
      }
      if (c === c0 && u0 > block.data.length) throw chunkMismatch(this.path, this.index.path, 'samtools', vBeg, `the block holds only ${block.data.length} bytes`);
      const from = c === c0 ? u0 : 0;
      const to = c === c1 ? Math.min(u1, block.data.length) : block.data.length;
      if (to > from) parts.push(from === 0 && to === block.data.length ? block.data : block.data.subarray(from, to));
      c += block.csize;
    }
    return parts;
  }

  private cached(coffset: number): Block | undefined {
    const hit = this.cache.get(coffset);
    if (hit) {
      // LRU: move to the back.
      this.cache.delete(coffset);
      this.cache.set(coffset, hit);
    }
    return hit;
  }

  /**
   * Reads the blocks from `from` up to the one starting at `last` with one read call (at most
   * MAX_READ bytes; stopping before a block already cached), inflates them into `fresh` and
   * the cache.
   */
  private async load(from: number, last: number, fresh: Map<number, Block>, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    this.fh ??= openForRead(this.path);
    const fh = await this.fh.catch((e: unknown) => { this.fh = undefined; throw e; });
    let stop = Math.min(last, from + MAX_READ);
    for (const k of this.cache.keys()) if (k > from && k <= stop) stop = k - 1;
    const want = Math.min(this.size - from, stop - from + MAX_BLOCK_SIZE);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, from);
    let at = 0;
    let c = from;
    while (c <= stop) {
      if (bytesRead - at < 18) break;
      if (!looksLikeBgzf(buf.subarray(at, at + 18))) {
        throw new VariantLensError('malformed-bam', `no BGZF block header at byte ${c}; the BAM is corrupt (re-create it)`, this.path);
      }
      const csize = buf.readUInt16LE(at + 16) + 1;
      if (bytesRead - at < csize) break;
      const isize = buf.readUInt32LE(at + csize - 4);
      let data: Buffer;
      try {
        // chunkSize = the block's size: one output allocation instead of 16-KiB pieces joined.
        data = isize === 0 ? EMPTY : inflateRawSync(buf.subarray(at + 18, at + csize - 8), { chunkSize: Math.max(isize, 64) });
      } catch (e) {
        throw new VariantLensError('malformed-bam', `the BGZF block at byte ${c} does not inflate (${e instanceof Error ? e.message : String(e)}); the BAM is corrupt`, this.path, { cause: e });
      }
      checkBgzfTrailer(buf, at, csize, data, c, this.path, 'malformed-bam');
      const block = { data, csize };
      fresh.set(c, block);
      this.cache.set(c, block);
      if (this.cache.size > this.cacheBlocks) this.cache.delete(this.cache.keys().next().value!);
      at += csize;
      c += csize;
    }
  }
}

/** Largest single read when loading blocks (a whole-contig query reads in slices of this). */
const MAX_READ = 4 << 20;

const EMPTY = Buffer.alloc(0);

function truncated(path: string, coffset: number): VariantLensError {
  return new VariantLensError('malformed-bam', `the file ends in the middle of the BGZF block at byte ${coffset}; the BAM is truncated (re-copy or re-create it)`, path);
}

/** Reads the BAM header (magic, text, references) from the first blocks. */
export async function readBamHeader(path: string, signal?: AbortSignal): Promise<BamHeader> {
  const parts: Buffer[] = [];
  let have = 0;
  let need = 12;
  let buf = EMPTY;
  let textLen = -1;
  let nRef = -1;
  const notBam = (why: string): VariantLensError => new VariantLensError('malformed-bam', `cannot read the BAM header: ${why}`, path);
  try {
    for await (const block of bgzfBlocks(path, signal, 0, 1 << 16)) {
      parts.push(block.data);
      have += block.data.length;
      if (have < need) continue;
      buf = Buffer.concat(parts);
      parts.length = 0;
      parts.push(buf);
      if (textLen < 0) {
        if (buf.toString('latin1', 0, 4) !== 'BAM\x01') {
          throw notBam(buf[0] === 0x40 /* @ */ ? 'it is bgzipped SAM text, not BAM; convert it with: samtools view -b -o out.bam FILE' : 'it does not start with the BAM magic "BAM\\1"');
        }
        textLen = buf.readInt32LE(4);
        if (textLen < 0) throw notBam(`negative header text length ${textLen}`);
        need = 8 + textLen + 4;
        if (have < need) continue;
      }
      if (nRef < 0) {
        nRef = buf.readInt32LE(8 + textLen);
        if (nRef < 0) throw notBam(`negative reference count ${nRef}`);
      }
      // Walk the reference list as far as the bytes go.
      let p = 12 + textLen;
      let complete = true;
      for (let i = 0; i < nRef; i++) {
        if (p + 4 > have) { complete = false; break; }
        const l = buf.readInt32LE(p);
        if (l < 1) throw notBam(`reference ${i} has name length ${l}`);
        p += 4 + l + 4;
      }
      if (!complete || p > have) { need = Math.max(have + 1, p); continue; }
      const text = textEnd(buf, 8, 8 + textLen);
      const references: BamReference[] = [];
      p = 12 + textLen;
      for (let i = 0; i < nRef; i++) {
        const l = buf.readInt32LE(p);
        references.push({ name: buf.toString('latin1', p + 4, p + 4 + l - 1), length: buf.readInt32LE(p + 4 + l) });
        p += 4 + l + 4;
      }
      return { text, references };
    }
  } catch (e) {
    if (e instanceof VariantLensError && e.code !== 'truncated-bgzf') throw e;
    throw new VariantLensError('malformed-bam', `cannot read the BAM header: ${e instanceof Error ? e.message : String(e)}`, path, { cause: e });
  }
  throw notBam(have === 0 ? 'the file is empty' : 'the file ends inside the header; it is truncated');
}

/** Header text up to its first NUL (writers may pad it). */
function textEnd(buf: Buffer, from: number, to: number): string {
  const nul = buf.indexOf(0, from);
  return buf.toString('utf8', from, nul >= 0 && nul < to ? nul : to);
}

// ---- record decoding ------------------------------------------------------------------------

/**
 * Bases, four at a time: two packed bytes (SAM spec §4.2.3: high nibble first) as a uint16
 * index → the four ASCII codes packed little-endian in a uint32 (256 KiB table).
 */
const SEQ_QUADS = (() => {
  const codes = '=ACMGRSVTWYHKDBN';
  const t = new Uint32Array(65536);
  for (let x = 0; x < 65536; x++) {
    const lo = x & 0xff;
    const hi = x >> 8;
    t[x] = (codes.charCodeAt(lo >> 4) | (codes.charCodeAt(lo & 15) << 8) | (codes.charCodeAt(hi >> 4) << 16) | (codes.charCodeAt(hi & 15) << 24)) >>> 0;
  }
  return t;
})();

/** `buf.latin1Slice(a, b)`: Node's undocumented but long-standing fast path behind toString('latin1'); a third faster on short strings. */
const latin1: (b: Buffer, from: number, to: number) => string =
  typeof (Buffer.prototype as unknown as { latin1Slice?: unknown }).latin1Slice === 'function'
    ? (b, from, to) => (b as unknown as { latin1Slice(from: number, to: number): string }).latin1Slice(from, to)
    : (b, from, to) => b.toString('latin1', from, to);

/** Scratch space for building base strings (its own 4-byte aligned memory; grown on demand). */
let seqScratch = Buffer.from(new ArrayBuffer(1024));
let seqScratch32 = new Uint32Array(seqScratch.buffer, 0, 256);

function decodeSeq(b: Buffer, at: number, n: number): string {
  if (n === 0) return '';
  const bytes = (n + 1) >> 1;
  const quads = (bytes + 1) >> 1;
  if (quads * 4 > seqScratch.length) {
    seqScratch = Buffer.from(new ArrayBuffer(quads * 4 + 1024));
    seqScratch32 = new Uint32Array(seqScratch.buffer, 0, seqScratch.length >> 2);
  }
  const s32 = seqScratch32;
  const whole = bytes >> 1;
  let q = at;
  for (let i = 0; i < whole; i++, q += 2) s32[i] = SEQ_QUADS[b[q]! | (b[q + 1]! << 8)]!;
  if (bytes & 1) s32[whole] = SEQ_QUADS[b[q]!]!; // last byte alone (the next byte is not ours)
  return latin1(seqScratch, 0, n);
}

/**
 * Decodes the records in `segments` (consecutive pieces of one index chunk, which starts
 * and ends on record boundaries) into `out`, keeping reads of `refId` that overlap
 * [beg, end). A record split between segments is copied into one small buffer. Returns true
 * when a record at or past the region was seen (the file is sorted: later chunks cannot
 * hold more).
 */
function decodeSegments(segments: readonly Buffer[], file: string, refId: number, beg: number, end: number, names: readonly string[], out: AlignedRead[]): boolean {
  let carry: Buffer | undefined;
  for (const seg of segments) {
    let from = 0;
    if (carry) {
      // Complete the straddling record: first its 4-byte length, then its body.
      let need = carry.length < 4 ? 4 : 4 + carry.readInt32LE(0);
      let take = Math.min(seg.length, need - carry.length);
      carry = Buffer.concat([carry, seg.subarray(0, take)]);
      from = take;
      if (carry.length === 4 && need === 4) {
        need = 4 + carry.readInt32LE(0);
        if (need < 36) throw badSize(file, need - 4);
        take = Math.min(seg.length - from, need - 4);
        carry = Buffer.concat([carry, seg.subarray(from, from + take)]);
        from += take;
      }
      if (carry.length < need) continue; // a record longer than this block: keep collecting
      const r = decodeRecords(carry, 0, file, refId, beg, end, names, out);
      if (r < 0) return true;
      carry = undefined;
    }
    const stop = decodeRecords(seg, from, file, refId, beg, end, names, out);
    if (stop < 0) return true;
    if (stop < seg.length) carry = Buffer.from(seg.subarray(stop));
  }
  if (carry) {
    throw new VariantLensError('malformed-bam', 'a record runs past the end of the chunk its index names; the BAM or its index is corrupt or truncated (re-create the index with samtools index)', file);
  }
  return false;
}

function cigarSeqMismatch(file: string, b: Buffer, r0: number, nameLen: number, queryLen: number, seqLen: number): VariantLensError {
  const name = nameLen > 1 ? b.toString('latin1', r0 + 32, r0 + 32 + nameLen - 1) : '?';
  return new VariantLensError('malformed-bam', `record "${name}" has a CIGAR of query length ${queryLen} but a SEQ of ${seqLen} bases; the BAM is invalid (samtools refuses it too: "CIGAR and query sequence are of different length")`, file);
}

function badSize(file: string, size: number): VariantLensError {
  return new VariantLensError('malformed-bam', `has a record of ${size} bytes (at least 32 are needed); the BAM is corrupt`, file);
}

/**
 * Decodes the whole records of `b` from byte `p` on. Returns -1 when a record at or past the
 * region was seen, else the offset of the first incomplete record (b.length when none).
 */
function decodeRecords(b: Buffer, p: number, file: string, refId: number, beg: number, end: number, names: readonly string[], out: AlignedRead[]): number {
  const n = b.length;
  while (p + 4 <= n) {
    const size = b.readInt32LE(p);
    if (size < 32) throw badSize(file, size);
    const r0 = p + 4;
    const next = r0 + size;
    if (next > n) return p;
    p = next;
    const rid = b.readInt32LE(r0);
    const pos = b.readInt32LE(r0 + 4);
    if (rid !== refId || pos >= end) return -1;
    const nameLen = b[r0 + 8]!;
    const mapq = b[r0 + 9]!;
    const nOps = b.readUInt16LE(r0 + 12);
    const flags = b.readUInt16LE(r0 + 14);
    const seqLen = b.readInt32LE(r0 + 16);
    const cigarAt = r0 + 32 + nameLen;
    // Reference length from the packed CIGAR (M, D, N, =, X consume the reference).
    let refLen = 0;
    let queryLen = 0;
    for (let i = 0, q = cigarAt; i < nOps; i++, q += 4) {
      const op = b[q]! & 0xf;
      if (op === CigarOp.M || op === CigarOp.D || op === CigarOp.N || op === CigarOp.EQ || op === CigarOp.X) refLen += b.readUInt32LE(q) >>> 4;
      if (op === CigarOp.M || op === CigarOp.I || op === CigarOp.S || op === CigarOp.EQ || op === CigarOp.X) queryLen += b.readUInt32LE(q) >>> 4;
    }
    if (seqLen < 0) throw new VariantLensError('malformed-bam', `has a record with a negative SEQ length (${seqLen}); the BAM is corrupt`, file);
    const seqAt = cigarAt + nOps * 4;
    const qualAt = seqAt + ((seqLen + 1) >> 1);
    const tagAt = qualAt + seqLen;
    if (tagAt > next) throw new VariantLensError('malformed-bam', `has a record whose fields overrun its length (${size} bytes); the BAM is corrupt`, file);
    // Long CIGARs (> 65535 ops) live in the CG tag; the CIGAR field then holds kSmN (SAM spec §4.2.2).
    const longCigar = nOps === 2 && b.readUInt32LE(cigarAt) === ((seqLen << 4) | CigarOp.S) && (b[cigarAt + 4]! & 0xf) === CigarOp.N;
    // SAM spec §1.4: the CIGAR's query length equals SEQ's length (when SEQ is not '*').
    if (!longCigar && seqLen > 0 && nOps > 0 && queryLen !== seqLen) throw cigarSeqMismatch(file, b, r0, nameLen, queryLen, seqLen);
    if (!longCigar && ((flags & 4) !== 0 || nOps === 0 ? pos + 1 : pos + refLen) <= beg) continue;
    const read = new BamRead(b, r0, pos, refLen, nameLen, nOps, flags, mapq, seqLen, names, tagAt, next);
    if (longCigar) {
      const cg = read.tags['CG'];
      if (Array.isArray(cg)) {
        read.useLongCigar(Uint32Array.from(cg));
        let q = 0;
        for (const c of read.cigar) {
          const op = c & 0xf;
          if (op === CigarOp.M || op === CigarOp.I || op === CigarOp.S || op === CigarOp.EQ || op === CigarOp.X) q += c >>> 4;
        }
        if (seqLen > 0 && q !== seqLen) throw cigarSeqMismatch(file, b, r0, nameLen, q, seqLen);
      }
      if (((flags & 4) !== 0 ? pos + 1 : read.end) <= beg) continue;
    }
    out.push(read);
  }
  return p;
}

/** One decoded BAM record; `tags` is decoded on first access and cached. */
class BamRead implements AlignedRead {
  readonly name: string;
  readonly flags: number;
  readonly contig: string;
  readonly start: number;
  end: number;
  readonly mapq: number;
  cigar: Uint32Array;
  readonly seq: string;
  readonly qual: Uint8Array;
  readonly mateContig: string | undefined;
  readonly mateStart: number;
  readonly tlen: number;
  private tagCache: Record<string, TagValue> | undefined;
  private readonly buf: Buffer;
  private readonly tagAt: number;
  private readonly tagEnd: number;

  constructor(b: Buffer, r0: number, pos: number, refLen: number, nameLen: number, nOps: number, flags: number, mapq: number, seqLen: number, names: readonly string[], tagAt: number, tagEnd: number) {
    const rid = b.readInt32LE(r0);
    const mateRef = b.readInt32LE(r0 + 20);
    const nameAt = r0 + 32;
    const cigarAt = nameAt + nameLen;
    const seqAt = cigarAt + nOps * 4;
    const qualAt = seqAt + ((seqLen + 1) >> 1);
    // read_name is NUL-terminated: l_read_name counts the NUL.
    this.name = nameLen > 1 ? latin1(b, nameAt, nameAt + nameLen - 1) : '';
    this.flags = flags;
    this.contig = names[rid] ?? '*';
    this.start = pos;
    this.end = pos + refLen;
    this.mapq = mapq;
    const cigar = new Uint32Array(nOps);
    for (let i = 0; i < nOps; i++) cigar[i] = b.readUInt32LE(cigarAt + 4 * i);
    this.cigar = cigar;
    this.seq = decodeSeq(b, seqAt, seqLen);
    // A view, not a copy: the decoded bytes belong to this query (or to an immutable cached block).
    this.qual = new Uint8Array(b.buffer, b.byteOffset + qualAt, seqLen);
    this.mateContig = mateRef >= 0 ? names[mateRef] : undefined;
    this.mateStart = b.readInt32LE(r0 + 24);
    this.tlen = b.readInt32LE(r0 + 28);
    this.tagCache = undefined;
    this.buf = b;
    this.tagAt = tagAt;
    this.tagEnd = tagEnd;
  }

  get tags(): Readonly<Record<string, TagValue>> {
    return (this.tagCache ??= decodeTags(this.buf, this.tagAt, this.tagEnd));
  }

  /** @internal Replaces the kSmN placeholder CIGAR with the real one from the CG tag. */
  useLongCigar(cigar: Uint32Array): void {
    this.cigar = cigar;
    let refLen = 0;
    for (const c of cigar) {
      const op = c & 0xf;
      if (op === CigarOp.M || op === CigarOp.D || op === CigarOp.N || op === CigarOp.EQ || op === CigarOp.X) refLen += c >>> 4;
    }
    this.end = this.start + refLen;
    const tags = this.tagCache!;
    delete tags['CG'];
  }
}

const TAG_SIZES: Partial<Record<string, number>> = { c: 1, C: 1, s: 2, S: 2, i: 4, I: 4, f: 4 };

/** Optional fields (SAM spec §4.2.4) from `at` to `stop`. Values as SAM prints them: A/Z/H strings, integers and floats numbers, B arrays number[]. */
function decodeTags(b: Buffer, at: number, stop: number): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  let p = at;
  while (p + 3 <= stop) {
    const key = String.fromCharCode(b[p]!, b[p + 1]!);
    const type = String.fromCharCode(b[p + 2]!);
    p += 3;
    switch (type) {
      case 'A': out[key] = String.fromCharCode(b[p]!); p += 1; break;
      case 'c': out[key] = b.readInt8(p); p += 1; break;
      case 'C': out[key] = b[p]!; p += 1; break;
      case 's': out[key] = b.readInt16LE(p); p += 2; break;
      case 'S': out[key] = b.readUInt16LE(p); p += 2; break;
      case 'i': out[key] = b.readInt32LE(p); p += 4; break;
      case 'I': out[key] = b.readUInt32LE(p); p += 4; break;
      case 'f': out[key] = b.readFloatLE(p); p += 4; break;
      case 'Z':
      case 'H': {
        let e = b.indexOf(0, p);
        if (e < 0 || e > stop) e = stop;
        out[key] = b.toString('latin1', p, e);
        p = e + 1;
        break;
      }
      case 'B': {
        const sub = String.fromCharCode(b[p]!);
        const count = b.readInt32LE(p + 1);
        p += 5;
        const w = TAG_SIZES[sub];
        if (w === undefined || count < 0 || p + count * w > stop) return out; // corrupt: keep what decoded
        const arr = new Array<number>(count);
        for (let i = 0; i < count; i++, p += w) {
          switch (sub) {
            case 'c': arr[i] = b.readInt8(p); break;
            case 'C': arr[i] = b[p]!; break;
            case 's': arr[i] = b.readInt16LE(p); break;
            case 'S': arr[i] = b.readUInt16LE(p); break;
            case 'i': arr[i] = b.readInt32LE(p); break;
            case 'I': arr[i] = b.readUInt32LE(p); break;
            default: arr[i] = b.readFloatLE(p);
          }
        }
        out[key] = arr;
        break;
      }
      default:
        return out; // unknown type: its size is unknown, stop here (htslib would reject the record)
    }
  }
  return out;
}
