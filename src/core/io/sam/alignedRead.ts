/**
 * The read model shared by every alignment reader (BAM, CRAM, our simulator) and the
 * pileup encoder. Coordinates are 0-based; `start` is the alignment start without soft
 * clips (SAM POS - 1), like nucleus' `read.alignment.position.position`.
 */

/** BAM CIGAR operation codes (SAM spec §4.2): the low 4 bits of a packed CIGAR element. */
export const enum CigarOp {
  M = 0,
  I = 1,
  D = 2,
  N = 3,
  S = 4,
  H = 5,
  P = 6,
  EQ = 7,
  X = 8,
}

export const CIGAR_CHARS = 'MIDNSHP=X';

/** SAM flag bits used by the readers and the encoder. */
export const enum Flag {
  PAIRED = 0x1,
  PROPER_PAIR = 0x2,
  UNMAPPED = 0x4,
  MATE_UNMAPPED = 0x8,
  REVERSE = 0x10,
  MATE_REVERSE = 0x20,
  READ1 = 0x40,
  READ2 = 0x80,
  SECONDARY = 0x100,
  QC_FAIL = 0x200,
  DUPLICATE = 0x400,
  SUPPLEMENTARY = 0x800,
}

export type TagValue = string | number | number[];

export interface AlignedRead {
  /** QNAME. */
  readonly name: string;
  readonly flags: number;
  /** Contig name as written in the alignment file's header. */
  readonly contig: string;
  /** 0-based leftmost aligned reference position (SAM POS - 1). */
  readonly start: number;
  /** 0-based exclusive end: start + reference length of M/=/X/D/N ops. */
  readonly end: number;
  readonly mapq: number;
  /** Packed CIGAR as in BAM: (length << 4) | op. */
  readonly cigar: Uint32Array;
  /** Read bases, upper case, as stored (reverse-strand reads are already reverse-complemented, as in SAM). '' when absent. */
  readonly seq: string;
  /** Phred base qualities, one per base; 255 for every base when absent ('*'). */
  readonly qual: Uint8Array;
  /** Mate contig name, or undefined when unavailable ('*'). */
  readonly mateContig: string | undefined;
  /** 0-based mate start, or -1. */
  readonly mateStart: number;
  /** Signed TLEN as in SAM. */
  readonly tlen: number;
  /** Optional fields (e.g. HP, NM, RG). */
  readonly tags: Readonly<Record<string, TagValue>>;
}

export function cigarToString(cigar: Uint32Array): string {
  if (cigar.length === 0) return '*';
  let s = '';
  for (const c of cigar) s += `${c >>> 4}${CIGAR_CHARS[c & 0xf]}`;
  return s;
}

export function parseCigar(text: string): Uint32Array {
  if (text === '*' || text === '') return new Uint32Array(0);
  const out: number[] = [];
  const re = /(\d+)([MIDNSHP=X])/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(text)) !== null) {
    out.push((Number(m[1]) << 4) | CIGAR_CHARS.indexOf(m[2]!));
    pos = re.lastIndex;
  }
  if (pos !== text.length) throw new Error(`malformed CIGAR "${text}"`);
  return Uint32Array.from(out);
}

/** Reference length consumed by a CIGAR (M, D, N, =, X). */
export function cigarReferenceLength(cigar: Uint32Array): number {
  let n = 0;
  for (const c of cigar) {
    const op = c & 0xf;
    if (op === CigarOp.M || op === CigarOp.D || op === CigarOp.N || op === CigarOp.EQ || op === CigarOp.X) n += c >>> 4;
  }
  return n;
}

/** Anything that can give reads overlapping a 0-based half-open interval. */
export interface AlignmentSource {
  readonly path: string;
  /** Contig names in header order. */
  contigNames(signal?: AbortSignal): Promise<string[]>;
  /** Sample name from the header's @RG SM, if any. */
  sampleName(signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Reads overlapping [start, end) on `contig` (the name may be an alias, e.g. "20" for
   * "chr20"), in file order, including unmapped-placed, duplicate, secondary reads:
   * filtering is the caller's business (DeepVariant's rules live in src/core/pileup).
   */
  fetch(contig: string, start: number, end: number, signal?: AbortSignal): Promise<AlignedRead[]>;
  close(): Promise<void>;
}
