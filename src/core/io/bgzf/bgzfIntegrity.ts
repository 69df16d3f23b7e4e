/**
 * The BGZF block trailer check (SAM spec §4.1): every block ends with the CRC32 of its
 * uncompressed data and ISIZE, its uncompressed length. Raw inflate checks neither, and a
 * flipped bit inside a stored or Huffman-coded run often still inflates to the right number
 * of bytes, so without this check a corrupt `.vcf.gz`, BAM or `.fa.gz` reads silently wrong.
 * node's `zlib.crc32` (zlib's own, several GB/s) keeps the cost small next to inflate; see
 * docs/decisions/0011-bgzf-crc-check.md for the measured cost.
 */
import type { Stats } from 'node:fs';
import { crc32 } from 'node:zlib';
import { VariantLensError, type ErrorCode } from '../../errors';

/**
 * Whether the CRC32 is computed. Always on in the product (the CLI and the extension never
 * change it); `bench:io` and `bench:encoder` switch it off for alternate passes to report
 * what the check costs, next to bcftools/samtools in the same run (docs/decisions/0011).
 * ISIZE is checked either way.
 */
let crcCheck = true;

/** For the benches only (see `crcCheck`): turns the CRC32 computation off or back on. */
export function setBgzfCrcCheck(on: boolean): void {
  crcCheck = on;
}

/**
 * The blocks of one open file whose CRC32 has already been checked, for readers that stream
 * the same file many times (the VCF table re-reads the whole file for each text filter). A
 * block checked once is not checked again while the file on disk is the same one: every pass
 * calls `sameFile` with the stat of the handle it reads, and any change of device, inode,
 * size, mtime or ctime (ctime moves on every write, even when mtime is set back) forgets
 * every block. ISIZE is still checked on every read. Decision 0014 measured the CRC at about
 * 9 % of a text-filter pass.
 */
export class CheckedBlocks {
  private stamp = '';
  private readonly offsets = new Set<number>();

  /** Starts a pass over the file whose handle has stat `st`; forgets everything if it changed. */
  sameFile(st: Stats): void {
    const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (stamp !== this.stamp) {
      this.offsets.clear();
      this.stamp = stamp;
    }
  }

  /** How many blocks have been checked (for tests). */
  get size(): number {
    return this.offsets.size;
  }

  has(coffset: number): boolean {
    return this.offsets.has(coffset);
  }

  add(coffset: number): void {
    this.offsets.add(coffset);
  }
}

/**
 * Throws unless `data` is what the block at `buf[at .. at + csize)` says it holds: ISIZE equal
 * to `data.length` and CRC32 equal to the CRC of `data`. With `checked`, a block already in it
 * skips the CRC and a block that passes is added to it.
 */
export function checkBgzfTrailer(buf: Uint8Array, at: number, csize: number, data: Uint8Array, coffset: number, file: string, code: ErrorCode = 'truncated-bgzf', checked?: CheckedBlocks): void {
  const end = at + csize;
  const isize = (buf[end - 4]! | (buf[end - 3]! << 8) | (buf[end - 2]! << 16) | (buf[end - 1]! << 24)) >>> 0;
  if (data.length !== isize) {
    throw new VariantLensError(code, `the BGZF block at byte ${coffset} inflates to ${data.length} bytes but its trailer says ${isize}; the file is corrupt (bgzip -t reports the same)`, file);
  }
  if (!crcCheck || checked?.has(coffset)) return;
  const want = (buf[end - 8]! | (buf[end - 7]! << 8) | (buf[end - 6]! << 16) | (buf[end - 5]! << 24)) >>> 0;
  const got = data.length === 0 ? 0 : crc32(data) >>> 0;
  if (got !== want) {
    throw new VariantLensError(code, `the BGZF block at byte ${coffset} fails its CRC32 check (data ${hex(got)}, trailer ${hex(want)}); the file is corrupt (bgzip -t reports the same)`, file);
  }
  checked?.add(coffset);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
