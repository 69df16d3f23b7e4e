/**
 * Coordinate-sorted BAM writer with a BAI index (SAM spec §4.2 and §5.2), used by the
 * simulator and by exports. Reads are AlignedReads (0-based `start`, packed CIGAR); the
 * writer streams them into a BGZF file as they come and builds the index on the way, so
 * the input must already be sorted (see `sortReadsByCoordinate`).
 */
import { writeFileSync } from 'node:fs';
import { VariantLensError, throwIfAborted, wrapError } from '../../errors';
import { type AlignedRead, Flag, type TagValue, cigarReferenceLength } from './alignedRead';
import { BinningIndexBuilder, reg2bin } from '../index/baiIndex';
import { BgzfFileWriter } from '../bgzf/bgzfWriter';
import type { ContigInfo } from '../fasta/referenceSource';

export interface BamReadGroup {
  readonly id: string;
  readonly sample: string;
  /** PL; defaults to ILLUMINA. */
  readonly platform?: string;
}

export interface BamHeaderSpec {
  /** @SQ lines in this order; reads name their contig by these names. */
  readonly contigs: readonly ContigInfo[];
  readonly readGroups?: readonly BamReadGroup[];
  /**
   * Full SAM header text to store instead of the generated one (@HD/@SQ/@RG/@PG). It must
   * list the same @SQ lines as `contigs`, in order; BAM readers trust the binary list.
   */
  readonly headerText?: string;
}

/** What the writer needs of a read; `end` is recomputed from the CIGAR. */
export type WritableRead = Omit<AlignedRead, 'end'>;

export interface WriteBamOptions {
  /** Write `${path}.bai` too (default true). */
  readonly index?: boolean;
  readonly signal?: AbortSignal;
  /** zlib level (default 6). */
  readonly level?: number;
}

export interface WriteBamResult {
  readonly path: string;
  readonly indexPath: string | undefined;
  readonly records: number;
  /** Per contig, in header order: mapped and unmapped-placed counts (what `samtools idxstats` prints). */
  readonly perContig: readonly { name: string; mapped: number; unmapped: number }[];
  readonly unplaced: number;
}

/** The header text the writer generates when no `headerText` is given. */
export function samHeaderText(header: BamHeaderSpec): string {
  const lines = ['@HD\tVN:1.6\tSO:coordinate'];
  for (const c of header.contigs) lines.push(`@SQ\tSN:${c.name}\tLN:${c.length}`);
  for (const rg of header.readGroups ?? []) lines.push(`@RG\tID:${rg.id}\tSM:${rg.sample}\tPL:${rg.platform ?? 'ILLUMINA'}`);
  lines.push('@PG\tID:variant-lens\tPN:variant-lens');
  return lines.join('\n') + '\n';
}

/**
 * Writes `reads` (coordinate-sorted: header contig order, then 0-based start; reads
 * without a contig last) to `path` as BAM, and `${path}.bai` unless `index: false`.
 * Throws `invalid-argument` naming the read when the order or a field is wrong.
 */
export async function writeBam(
  path: string,
  header: BamHeaderSpec,
  reads: Iterable<WritableRead>,
  options: WriteBamOptions = {},
): Promise<WriteBamResult> {
  throwIfAborted(options.signal);
  const contigIndex = new Map(header.contigs.map((c, i) => [c.name, i] as const));
  if (contigIndex.size !== header.contigs.length) throw new VariantLensError('invalid-argument', 'duplicate contig names in BAM header', path);
  const out = new BgzfFileWriter(path, options.level ?? 6);
  const index = new BinningIndexBuilder(header.contigs.length);
  const perContig = header.contigs.map((c) => ({ name: c.name, mapped: 0, unmapped: 0 }));
  let records = 0;
  let unplaced = 0;
  try {
    out.write(encodeHeader(header));
    // The header gets its own block(s), as htslib does, so reads start at a block boundary.
    out.flush();
    let lastRef = 0;
    let lastPos = -1;
    for (const read of reads) {
      if ((records & 0x3fff) === 0) {
        throwIfAborted(options.signal);
        // Let other work (and the abort) through on long writes.
        if (records > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const refId = read.contig === '*' || read.contig === '' ? -1 : contigIndex.get(read.contig);
      if (refId === undefined) throw new VariantLensError('invalid-argument', `read ${read.name}: contig "${read.contig}" is not in the header`, path);
      if (refId >= 0 && !(Number.isInteger(read.start) && read.start >= 0 && read.start < header.contigs[refId]!.length)) {
        throw new VariantLensError('invalid-argument', `read ${read.name}: start ${read.start} is outside ${read.contig}`, path);
      }
      const sortRef = refId < 0 ? Number.MAX_SAFE_INTEGER : refId;
      if (sortRef < lastRef || (sortRef === lastRef && refId >= 0 && read.start < lastPos)) {
        throw new VariantLensError('invalid-argument', `reads are not coordinate-sorted: ${read.name} at ${read.contig}:${read.start + 1} comes after position ${lastPos + 1} of contig #${lastRef}`, path);
      }
      lastRef = sortRef;
      lastPos = refId < 0 ? lastPos : read.start;
      const mateRef = read.mateContig === undefined || read.mateContig === '*' ? -1 : read.mateContig === '=' ? refId : contigIndex.get(read.mateContig);
      if (mateRef === undefined) throw new VariantLensError('invalid-argument', `read ${read.name}: mate contig "${read.mateContig}" is not in the header`, path);
      const unmapped = (read.flags & Flag.UNMAPPED) !== 0;
      const refLen = unmapped ? 0 : cigarReferenceLength(read.cigar);
      const end = read.start + Math.max(refLen, 1);
      const vStart = out.virtualOffset;
      out.write(encodeRecord(read, refId, mateRef, refId < 0 ? 4680 : reg2bin(read.start, end), path));
      const vEnd = out.virtualOffset;
      if (refId < 0) {
        index.addUnplaced();
        unplaced++;
      } else {
        index.add(refId, read.start, end, vStart, vEnd, !unmapped);
        const pc = perContig[refId]!;
        if (unmapped) pc.unmapped++;
        else pc.mapped++;
      }
      records++;
    }
    out.close();
  } catch (e) {
    out.abandon();
    throw wrapError(e, 'invalid-argument', path, 'cannot write BAM');
  }
  let indexPath: string | undefined;
  if (options.index ?? true) {
    indexPath = `${path}.bai`;
    try {
      writeFileSync(indexPath, index.toBai());
    } catch (e) {
      throw wrapError(e, 'invalid-argument', indexPath, 'cannot write BAI index');
    }
  }
  return { path, indexPath, records, perContig, unplaced };
}

/**
 * Sorts reads in place the way `samtools sort` orders a coordinate-sorted BAM: by header
 * contig order, then 0-based start; reads without a contig last. The sort is stable, so
 * ties keep their input order (deterministic output for a deterministic input).
 */
export function sortReadsByCoordinate<T extends WritableRead>(reads: T[], contigs: readonly ContigInfo[]): T[] {
  const order = new Map(contigs.map((c, i) => [c.name, i] as const));
  const key = (r: T): number => (r.contig === '*' || r.contig === '' ? Number.MAX_SAFE_INTEGER : order.get(r.contig) ?? Number.MAX_SAFE_INTEGER);
  return reads.sort((a, b) => key(a) - key(b) || a.start - b.start);
}

function encodeHeader(header: BamHeaderSpec): Buffer {
  const text = Buffer.from(header.headerText ?? samHeaderText(header), 'utf8');
  const names = header.contigs.map((c) => Buffer.from(c.name + '\0', 'utf8'));
  let size = 4 + 4 + text.length + 4;
  for (const n of names) size += 4 + n.length + 4;
  const buf = Buffer.alloc(size);
  let p = buf.write('BAM\x01', 0, 'latin1');
  buf.writeInt32LE(text.length, p); p += 4;
  text.copy(buf, p); p += text.length;
  buf.writeInt32LE(names.length, p); p += 4;
  header.contigs.forEach((c, i) => {
    const n = names[i]!;
    buf.writeInt32LE(n.length, p); p += 4;
    n.copy(buf, p); p += n.length;
    buf.writeInt32LE(c.length, p); p += 4;
  });
  return buf;
}

/** 4-bit base codes of BAM's "=ACMGRSVTWYHKDBN"; anything else becomes N (15). */
const SEQ_CODE = (() => {
  const t = new Uint8Array(256).fill(15);
  const alphabet = '=ACMGRSVTWYHKDBN';
  for (let i = 0; i < alphabet.length; i++) {
    t[alphabet.charCodeAt(i)] = i;
    t[alphabet.toLowerCase().charCodeAt(i)] = i;
  }
  return t;
})();

function encodeRecord(read: WritableRead, refId: number, mateRef: number, bin: number, path: string): Buffer {
  const name = Buffer.from(read.name + '\0', 'utf8');
  if (name.length > 255) throw new VariantLensError('invalid-argument', `read name longer than 254 bytes: ${read.name}`, path);
  const lSeq = read.seq.length;
  if (lSeq > 0 && read.qual.length !== lSeq) throw new VariantLensError('invalid-argument', `read ${read.name}: ${read.qual.length} qualities for ${lSeq} bases`, path);
  if (read.cigar.length > 0xffff) throw new VariantLensError('unsupported', `read ${read.name}: more than 65535 CIGAR operations`, path);
  const tags = encodeTags(read.tags, read.name, path);
  const size = 36 + name.length + read.cigar.length * 4 + ((lSeq + 1) >> 1) + lSeq + tags.length;
  const buf = Buffer.alloc(size);
  buf.writeInt32LE(size - 4, 0);
  buf.writeInt32LE(refId, 4);
  buf.writeInt32LE(refId < 0 ? -1 : read.start, 8);
  buf.writeUInt8(name.length, 12);
  buf.writeUInt8(read.mapq, 13);
  buf.writeUInt16LE(bin, 14);
  buf.writeUInt16LE(read.cigar.length, 16);
  buf.writeUInt16LE(read.flags, 18);
  buf.writeInt32LE(lSeq, 20);
  buf.writeInt32LE(mateRef, 24);
  buf.writeInt32LE(mateRef < 0 ? -1 : read.mateStart, 28);
  buf.writeInt32LE(read.tlen, 32);
  let p = 36;
  name.copy(buf, p); p += name.length;
  for (const c of read.cigar) { buf.writeUInt32LE(c >>> 0, p); p += 4; }
  for (let i = 0; i < lSeq; i += 2) {
    const hi = SEQ_CODE[read.seq.charCodeAt(i)]!;
    const lo = i + 1 < lSeq ? SEQ_CODE[read.seq.charCodeAt(i + 1)]! : 0;
    buf[p++] = (hi << 4) | lo;
  }
  buf.set(read.qual.subarray(0, lSeq), p); p += lSeq;
  tags.copy(buf, p);
  return buf;
}

function encodeTags(tags: Readonly<Record<string, TagValue>>, readName: string, path: string): Buffer {
  const parts: Buffer[] = [];
  for (const [tag, value] of Object.entries(tags)) {
    if (!/^[A-Za-z][A-Za-z0-9]$/.test(tag)) throw new VariantLensError('invalid-argument', `read ${readName}: bad tag name "${tag}"`, path);
    if (typeof value === 'string') {
      parts.push(Buffer.from(`${tag}Z${value}\0`, 'utf8'));
    } else if (typeof value === 'number') {
      const type = numberType([value]);
      const b = Buffer.alloc(3 + TYPE_SIZE[type]!);
      b.write(tag + type, 0, 'latin1');
      writeTyped(b, 3, type, value);
      parts.push(b);
    } else {
      const type = numberType(value);
      const b = Buffer.alloc(8 + value.length * TYPE_SIZE[type]!);
      b.write(`${tag}B${type}`, 0, 'latin1');
      b.writeInt32LE(value.length, 4);
      value.forEach((v, i) => writeTyped(b, 8 + i * TYPE_SIZE[type]!, type, v));
      parts.push(b);
    }
  }
  return Buffer.concat(parts);
}

const TYPE_SIZE: Record<string, number> = { c: 1, C: 1, s: 2, S: 2, i: 4, I: 4, f: 4 };

/** Smallest BAM integer type holding every value, or 'f' when one is not an integer. */
function numberType(values: readonly number[]): string {
  if (values.some((v) => !Number.isInteger(v))) return 'f';
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  if (min >= 0) return max <= 0xff ? 'C' : max <= 0xffff ? 'S' : 'I';
  if (min >= -0x80 && max <= 0x7f) return 'c';
  if (min >= -0x8000 && max <= 0x7fff) return 's';
  return 'i';
}

function writeTyped(b: Buffer, at: number, type: string, v: number): void {
  switch (type) {
    case 'c': b.writeInt8(v, at); break;
    case 'C': b.writeUInt8(v, at); break;
    case 's': b.writeInt16LE(v, at); break;
    case 'S': b.writeUInt16LE(v, at); break;
    case 'i': b.writeInt32LE(v, at); break;
    case 'I': b.writeUInt32LE(v, at); break;
    default: b.writeFloatLE(v, at);
  }
}
