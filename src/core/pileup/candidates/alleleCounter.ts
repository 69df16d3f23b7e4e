/**
 * DeepVariant 1.5's allele counter (allelecounter.cc; facts in docs/deepvariant.md §7.2), non-legacy mode,
 * without read normalization (`--normalize_reads=False`, the default).
 *
 * For every read (MAPQ ≥ min_mapping_quality) the CIGAR is walked and turned into read
 * alleles at 0-based reference positions:
 *  - M/=/X: one REFERENCE or SUBSTITUTION allele per canonical base (A, C, G, T);
 *    a base below min_base_quality is kept but flagged low quality;
 *  - I and S: INSERTION / SOFT_CLIP at the previous position, bases = previous base + the
 *    inserted bases (previous base from the reference when the op starts the read);
 *    low quality when the summed quality is below min_base_quality · length;
 *  - D: DELETION at the previous position, bases = previous base + deleted reference bases;
 *  - N, P: advance only; H: nothing.
 * When a base allele and an indel allele of the same read land on the same position the
 * indel wins (the base allele is dropped). REFERENCE alleles are only counted (when not low
 * quality); every other allele is stored per read key `fragment_name/read_number`.
 */
import { type AlignedRead, CigarOp } from '../../io/sam/alignedRead';
import { doubled } from './growable';
import { readKey } from './readFilters';

export const enum AlleleType {
  REFERENCE = 1,
  SUBSTITUTION = 2,
  INSERTION = 3,
  DELETION = 4,
  SOFT_CLIP = 5,
}

export const ALLELE_TYPE_NAMES: Readonly<Record<AlleleType, string>> = {
  [AlleleType.REFERENCE]: 'reference',
  [AlleleType.SUBSTITUTION]: 'substitution',
  [AlleleType.INSERTION]: 'insertion',
  [AlleleType.DELETION]: 'deletion',
  [AlleleType.SOFT_CLIP]: 'soft clip',
};

/** One read's allele at one position, in the counter's own form (anchor base + inserted/deleted bases). */
export interface ReadAllele {
  readonly type: AlleleType;
  readonly bases: string;
  readonly lowQuality: boolean;
}

/**
 * Reference bases around the counted interval: `bases[i]` is position `start + i` (0-based).
 * It should reach one base before the first read and past the last deletion; positions
 * outside it behave as DeepVariant's off-contig reference (the allele is skipped).
 */
export interface RefWindow {
  readonly start: number;
  readonly bases: string;
}

export interface AlleleCounterOptions {
  readonly minMappingQuality: number;
  readonly minBaseQuality: number;
}

export const DEFAULT_ALLELE_COUNTER_OPTIONS: AlleleCounterOptions = { minMappingQuality: 5, minBaseQuality: 10 };

export interface PositionCounts {
  /** 0-based position. */
  readonly position: number;
  readonly refBase: string;
  /** Reads whose allele here is REFERENCE and not low quality. */
  readonly refSupport: number;
  /** Non-reference alleles by read key (includes low-quality ones). */
  readonly readAlleles: ReadonlyMap<string, ReadAllele>;
}

const EMPTY_ALLELES: ReadonlyMap<string, ReadAllele> = new Map();

function isCanonical(c: string): boolean {
  return c === 'A' || c === 'C' || c === 'G' || c === 'T';
}

function allCanonical(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isCanonical(s[i]!)) return false;
  return true;
}

/** One read's pending alleles (reused for every read; grown by doubling): position, type (0: skipped indel), low quality, bases. */
let pendingPos = new Int32Array(64);
let pendingType = new Uint8Array(64);
let pendingLow = new Uint8Array(64);
const pendingBases: string[] = [];

function growPending(): void {
  pendingPos = doubled(pendingPos);
  pendingType = doubled(pendingType);
  pendingLow = doubled(pendingLow);
}

/** Counts alleles over the 0-based half-open interval [start, end) of one contig. */
export class AlleleCounter {
  private readonly refSupport: Int32Array;
  private readonly nonRef: (Map<string, ReadAllele> | undefined)[];
  private readsCounted = 0;

  constructor(
    readonly contig: string,
    readonly start: number,
    readonly end: number,
    private readonly ref: RefWindow,
    private readonly options: AlleleCounterOptions = DEFAULT_ALLELE_COUNTER_OPTIONS,
  ) {
    if (end < start) throw new RangeError(`allele counter interval [${start}, ${end}) is empty`);
    if (ref.start > start || ref.start + ref.bases.length < end) throw new RangeError('the reference window must cover the counted interval');
    this.refSupport = new Int32Array(end - start);
    this.nonRef = new Array<Map<string, ReadAllele> | undefined>(end - start);
  }

  get readCount(): number {
    return this.readsCounted;
  }

  /** Reference base at a 0-based position, or '' outside the reference window. */
  private refAt(pos: number): string {
    const i = pos - this.ref.start;
    return i >= 0 && i < this.ref.bases.length ? this.ref.bases[i]! : '';
  }

  private refRange(pos: number, len: number): string {
    const i = pos - this.ref.start;
    if (i < 0 || i + len > this.ref.bases.length) return '';
    return this.ref.bases.slice(i, i + len);
  }

  /** Adds one read (already through the SamReader filters). */
  add(read: AlignedRead): void {
    if (read.mapq < this.options.minMappingQuality) return;
    const minBq = this.options.minBaseQuality;
    const seq = read.seq;
    const qual = read.qual;
    const ref = this.ref;
    // Alleles in read order. Within an M run positions increase, so only the run's last base
    // can share a position with the next allele (an indel anchored there): every other base is
    // committed at once and only the last one waits in the pending list (module scratch: type
    // 0 is an indel DeepVariant skips, which supersedes nothing).
    let nP = 0;
    let key: string | undefined;
    let refPos = read.start;
    let readOff = 0;
    for (const c of read.cigar) {
      const len = c >>> 4;
      const op = c & 0xf;
      switch (op) {
        case CigarOp.M:
        case CigarOp.EQ:
        case CigarOp.X: {
          const from = Math.max(0, this.start - refPos);
          const to = Math.min(len, this.end - refPos);
          for (let i = from; i < to; i++) {
            const pos = refPos + i;
            const b = seq.charCodeAt(readOff + i);
            if (b !== 65 && b !== 67 && b !== 71 && b !== 84) continue; // A C G T only (CanBasesBeUsed)
            const low = (qual[readOff + i] ?? 0) < minBq;
            const isRef = ref.bases.charCodeAt(pos - ref.start) === b;
            if (i === len - 1) {
              if (nP === pendingPos.length) growPending();
              pendingPos[nP] = pos; pendingType[nP] = isRef ? AlleleType.REFERENCE : AlleleType.SUBSTITUTION; pendingLow[nP] = low ? 1 : 0; pendingBases[nP] = seq[readOff + i]!; nP++;
            } else if (isRef) {
              if (!low) this.refSupport[pos - this.start]!++;
            } else {
              key ??= readKey(read);
              this.commit(pos, key, { type: AlleleType.SUBSTITUTION, bases: seq[readOff + i]!, lowQuality: low });
            }
          }
          refPos += len;
          readOff += len;
          break;
        }
        case CigarOp.I:
        case CigarOp.S:
          if (nP === pendingPos.length) growPending();
          this.indelAllele(read, refPos, readOff, op, len, minBq, nP++);
          readOff += len;
          break;
        case CigarOp.D:
          if (nP === pendingPos.length) growPending();
          this.indelAllele(read, refPos, readOff, op, len, minBq, nP++);
          refPos += len;
          break;
        case CigarOp.N:
        case CigarOp.P:
          refPos += len;
          break;
        default:
          break;
      }
    }
    for (let i = 0; i < nP; i++) {
      const type = pendingType[i]!;
      const pos = pendingPos[i]!;
      if (type === 0 || pos < this.start || pos >= this.end) continue;
      // Indel preference: a later allele at the same position supersedes this one (docs/deepvariant.md §7.2).
      if (i + 1 < nP && pendingType[i + 1] !== 0 && pendingPos[i + 1] === pos) continue;
      if (type === AlleleType.REFERENCE) {
        if (!pendingLow[i]) this.refSupport[pos - this.start]!++;
        continue;
      }
      key ??= readKey(read);
      this.commit(pos, key, { type: type as AlleleType, bases: pendingBases[i]!, lowQuality: pendingLow[i] === 1 });
    }
    this.readsCounted++;
  }

  private commit(pos: number, key: string, allele: ReadAllele): void {
    const off = pos - this.start;
    let m = this.nonRef[off];
    if (!m) this.nonRef[off] = m = new Map();
    m.set(key, allele);
  }

  /** MakeIndelReadAllele, anchored at refPos - 1, into pending slot `at` (type 0 when DeepVariant skips it). */
  private indelAllele(read: AlignedRead, refPos: number, readOff: number, op: number, len: number, minBq: number, at: number): void {
    pendingType[at] = 0;
    pendingPos[at] = refPos - 1;
    const prev = readOff === 0 ? this.refAt(refPos - 1) : (read.seq[readOff - 1] ?? '');
    if (prev === '' || !isCanonical(prev)) return;
    if (op === CigarOp.D) {
      const deleted = this.refRange(refPos, len);
      if (deleted === '' || !allCanonical(deleted)) return;
      pendingType[at] = AlleleType.DELETION; pendingBases[at] = prev + deleted; pendingLow[at] = 0;
      return;
    }
    const inserted = read.seq.slice(readOff, readOff + len);
    if (inserted.length !== len || !allCanonical(inserted)) return;
    let qsum = 0;
    for (let i = 0; i < len; i++) qsum += read.qual[readOff + i] ?? 0;
    pendingType[at] = op === CigarOp.I ? AlleleType.INSERTION : AlleleType.SOFT_CLIP;
    pendingBases[at] = prev + inserted;
    pendingLow[at] = qsum < minBq * len ? 1 : 0;
  }

  /** Counts at a 0-based position inside [start, end). */
  countsAt(pos: number): PositionCounts {
    if (pos < this.start || pos >= this.end) throw new RangeError(`position ${pos} is outside the counted interval [${this.start}, ${this.end})`);
    const off = pos - this.start;
    return { position: pos, refBase: this.refAt(pos), refSupport: this.refSupport[off]!, readAlleles: this.nonRef[off] ?? EMPTY_ALLELES };
  }

  /** Positions with at least one non-reference read allele, ascending (where candidates can be). */
  *nonRefPositions(): Generator<number> {
    for (let off = 0; off < this.nonRef.length; off++) if (this.nonRef[off]) yield this.start + off;
  }
}

/**
 * TotalAlleleCounts(include_low_quality=false): reference support plus every non-reference,
 * non-low-quality read allele, soft clips included (docs/deepvariant.md §7.2). This is DP.
 */
export function totalAlleleCount(c: PositionCounts): number {
  let n = c.refSupport;
  for (const a of c.readAlleles.values()) if (!a.lowQuality) n++;
  return n;
}
