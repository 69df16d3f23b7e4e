/**
 * Per-reference mapped/unmapped counts, the numbers `samtools idxstats` prints, read
 * straight from a BAM index: BAI and CSI both carry a pseudo-bin per reference whose two
 * "chunks" hold (ref_beg, ref_end) and (n_mapped, n_unmapped) (SAM spec §5.2 / CSIv1 §2),
 * and an optional trailing n_no_coor (unplaced unmapped reads).
 *
 * Returns undefined when the index lacks the pseudo-bins (old writers); callers then count
 * by streaming the BAM (`countBamRecordsByStreaming`).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { VariantLensError, throwIfAborted } from '../../errors';
import { bgzfBlocks } from '../bgzf/bgzfReader';

export interface RefCounts {
  readonly mapped: number;
  readonly unmapped: number;
}

export interface IndexCounts {
  /** Per reference id, in header order. */
  readonly perRef: RefCounts[];
  /** Unplaced unmapped reads (idxstats' '*' line). */
  readonly noCoor: number;
}

/** BAI's pseudo-bin number (SAM spec §5.2: bin 37450 = ((1<<18)-1)/7 + 1). */
const BAI_PSEUDO_BIN = 37450;

class Cursor {
  p = 0;
  constructor(readonly b: Buffer, readonly file: string) {}
  need(n: number): void {
    if (this.p + n > this.b.length) throw new VariantLensError('bad-index', `ends early (at byte ${this.p}); the index is truncated, re-create it with samtools index`, this.file);
  }
  i32(): number { this.need(4); const v = this.b.readInt32LE(this.p); this.p += 4; return v; }
  u32(): number { this.need(4); const v = this.b.readUInt32LE(this.p); this.p += 4; return v; }
  u64(): number { this.need(8); const v = Number(this.b.readBigUInt64LE(this.p)); this.p += 8; return v; }
  skip(n: number): void { this.need(n); this.p += n; }
}

export async function readIndexCounts(indexPath: string, signal?: AbortSignal): Promise<IndexCounts | undefined> {
  throwIfAborted(signal);
  let raw = await readFile(indexPath);
  const isCsi = indexPath.endsWith('.csi');
  if (isCsi) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw new VariantLensError('bad-index', `is not a valid bgzipped CSI index: ${(e as Error).message}`, indexPath, { cause: e });
    }
  }
  const c = new Cursor(raw, indexPath);
  c.need(4);
  const magic = raw.subarray(0, 4).toString('latin1');
  c.skip(4);
  let pseudoBin = BAI_PSEUDO_BIN;
  if (isCsi) {
    if (magic !== 'CSI\x01') throw new VariantLensError('bad-index', 'is not a CSI index (bad magic)', indexPath);
    c.i32(); // min_shift
    const depth = c.i32();
    const lAux = c.i32();
    c.skip(lAux);
    pseudoBin = ((1 << ((depth + 1) * 3)) - 1) / 7 + 1;
  } else if (magic !== 'BAI\x01') {
    throw new VariantLensError('bad-index', 'is not a BAI index (bad magic)', indexPath);
  }
  const nRef = c.i32();
  const perRef: RefCounts[] = [];
  let sawPseudo = nRef === 0;
  for (let r = 0; r < nRef; r++) {
    const nBin = c.i32();
    let counts: RefCounts = { mapped: 0, unmapped: 0 };
    for (let k = 0; k < nBin; k++) {
      const bin = c.u32();
      if (isCsi) c.skip(8); // loffset
      const nChunk = c.i32();
      if (bin === pseudoBin && nChunk === 2) {
        c.skip(16); // ref_beg, ref_end
        counts = { mapped: c.u64(), unmapped: c.u64() };
        sawPseudo = true;
      } else {
        c.skip(nChunk * 16);
      }
    }
    if (!isCsi) c.skip(c.i32() * 8); // linear index
    perRef.push(counts);
  }
  const noCoor = c.p + 8 <= raw.length ? c.u64() : 0;
  return sawPseudo ? { perRef, noCoor } : undefined;
}

/**
 * Counts records per reference by decompressing the whole BAM and walking the record
 * headers (refID at +4, flag in the high 16 bits of flag_nc at +16 of each record).
 * Used when the index has no pseudo-bins.
 */
export async function countBamRecordsByStreaming(bamPath: string, nRef: number, signal?: AbortSignal): Promise<IndexCounts> {
  const perRef = Array.from({ length: nRef }, () => ({ mapped: 0, unmapped: 0 }));
  let noCoor = 0;
  let buf: Buffer = Buffer.alloc(0);
  let p = 0;
  let inHeader = true;
  for await (const block of bgzfBlocks(bamPath, signal)) {
    buf = p < buf.length ? Buffer.concat([buf.subarray(p), block.data]) : block.data;
    p = 0;
    if (inHeader) {
      if (buf.length < 12) continue;
      const lText = buf.readInt32LE(4);
      let q = 8 + lText;
      if (buf.length < q + 4) continue;
      const n = buf.readInt32LE(q);
      q += 4;
      let ok = true;
      for (let i = 0; i < n; i++) {
        if (buf.length < q + 4) { ok = false; break; }
        q += 4 + buf.readInt32LE(q) + 4;
      }
      if (!ok || buf.length < q) continue;
      p = q;
      inHeader = false;
    }
    while (p + 4 <= buf.length) {
      const size = buf.readInt32LE(p);
      if (p + 4 + size > buf.length) break;
      const refId = buf.readInt32LE(p + 4);
      const flag = buf.readUInt16LE(p + 18);
      if (refId < 0 || refId >= nRef) noCoor++;
      else if (flag & 4) perRef[refId]!.unmapped++;
      else perRef[refId]!.mapped++;
      p += 4 + size;
    }
  }
  if (p < buf.length) throw new VariantLensError('malformed-bam', 'ends in the middle of a record; the BAM is truncated', bamPath);
  return { perRef, noCoor };
}
