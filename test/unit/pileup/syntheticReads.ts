// Tiny synthetic reads for the pileup unit tests (not a test file itself).
import { type AlignedRead, cigarReferenceLength, parseCigar } from '../../../src/core/io/sam/alignedRead';

export interface ReadSpec {
  name?: string;
  start: number;
  cigar: string;
  seq: string;
  qual?: number[];
  flags?: number;
  mapq?: number;
  tlen?: number;
}

let counter = 0;

export function read(s: ReadSpec): AlignedRead {
  const cigar = parseCigar(s.cigar);
  return {
    name: s.name ?? `r${counter++}`,
    flags: s.flags ?? 0x1 | 0x2 | 0x40,
    contig: 'chrT',
    start: s.start,
    end: s.start + cigarReferenceLength(cigar),
    mapq: s.mapq ?? 60,
    cigar,
    seq: s.seq,
    qual: Uint8Array.from(s.qual ?? Array.from(s.seq, () => 40)),
    mateContig: 'chrT',
    mateStart: s.start + 200,
    tlen: s.tlen ?? 300,
    tags: {},
  };
}
