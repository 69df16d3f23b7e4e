/**
 * The simulated reference genome: contigs chr1…chr22 of 40–60 kb with varying GC content,
 * planted homopolymers and short tandem repeats, and a few segments copied exactly between
 * contigs so reads there cannot be placed uniquely (an aligner gives them MAPQ 0–3).
 * All coordinates are 0-based half-open.
 */
import type { Rng } from './prng';

export interface Interval {
  readonly contig: number;
  readonly start: number;
  readonly end: number;
}

/** An exact copy of `source` at `copy` (same length, same bases). */
export interface DuplicatedSegment {
  readonly source: Interval;
  readonly copy: Interval;
}

/** A planted short tandem repeat: `unit` repeated `copies` times from `start`. */
export interface TandemRepeat {
  readonly contig: number;
  readonly start: number;
  readonly unit: string;
  readonly copies: number;
}

export interface SimGenome {
  readonly names: string[];
  /** Upper-case ACGT per contig. */
  readonly seqs: string[];
  readonly duplicated: DuplicatedSegment[];
  readonly repeats: TandemRepeat[];
  /** Homopolymer runs of ≥ 6 bases found in the final sequence, per contig. */
  readonly homopolymers: { contig: number; start: number; length: number }[];
}

export interface GenomeOptions {
  readonly contigCount: number;
  readonly minLength: number;
  readonly maxLength: number;
  readonly duplicatedSegments: number;
}

const BASES = 'ACGT';

export function simulateGenome(rng: Rng, options: GenomeOptions): SimGenome {
  const names: string[] = [];
  const codes: Uint8Array[] = [];
  const repeats: TandemRepeat[] = [];
  for (let c = 0; c < options.contigCount; c++) {
    names.push(`chr${c + 1}`);
    // Lengths rounded to 100 bp keep the manifest readable.
    const length = Math.round(rng.int(options.minLength, options.maxLength) / 100) * 100;
    const s = new Uint8Array(length);
    // GC content drifts between segments of 0.5–4 kb (isochore-like variation).
    let i = 0;
    while (i < length) {
      const segEnd = Math.min(length, i + rng.int(500, 4000));
      const gc = Math.min(0.65, Math.max(0.28, rng.normal(0.42, 0.08)));
      for (; i < segEnd; i++) {
        const isGc = rng.chance(gc);
        const hi = rng.chance(0.5);
        s[i] = isGc ? (hi ? 1 : 2) : hi ? 0 : 3; // C/G or A/T
      }
    }
    // Homopolymers, ~1 per 700 bp, 5–14 long (the runs indel errors and calls love).
    const nHp = rng.poisson(length / 700);
    for (let k = 0; k < nHp; k++) {
      const len = 5 + Math.min(9, Math.floor(-Math.log(1 - rng.next()) * 3));
      const at = rng.int(100, length - 100 - len);
      s.fill(rng.int(0, 3), at, at + len);
    }
    // Short tandem repeats: 2–4 bp units, 4–12 copies, ~1 per 5 kb.
    const nStr = rng.poisson(length / 5000);
    for (let k = 0; k < nStr; k++) {
      const unitLen = rng.int(2, 4);
      let unit = '';
      while (unit.length < unitLen || new Set(unit).size < 2) {
        unit = '';
        for (let u = 0; u < unitLen; u++) unit += BASES[rng.int(0, 3)];
      }
      const copies = rng.int(4, 12);
      const at = rng.int(100, length - 100 - unitLen * copies);
      for (let j = 0; j < unitLen * copies; j++) s[at + j] = BASES.indexOf(unit[j % unitLen]!);
      repeats.push({ contig: c, start: at, unit, copies });
    }
    codes.push(s);
  }

  // Duplicated segments: copy 1.5–3 kb from one contig onto another, away from contig
  // ends and from each other.
  const duplicated: DuplicatedSegment[] = [];
  const taken: Interval[] = [];
  const overlaps = (x: Interval): boolean => taken.some((t) => t.contig === x.contig && t.start < x.end + 500 && x.start < t.end + 500);
  let attempts = 0;
  // Copies go between two different contigs, so a one-contig genome has none.
  while (options.contigCount > 1 && duplicated.length < options.duplicatedSegments && attempts++ < 1000) {
    const len = rng.int(1500, 3000);
    const a = rng.int(0, options.contigCount - 1);
    let b = rng.int(0, options.contigCount - 2);
    if (b >= a) b++;
    const sa = rng.int(1000, codes[a]!.length - 1000 - len);
    const sb = rng.int(1000, codes[b]!.length - 1000 - len);
    const source = { contig: a, start: sa, end: sa + len };
    const copy = { contig: b, start: sb, end: sb + len };
    if (overlaps(source) || overlaps(copy)) continue;
    codes[b]!.set(codes[a]!.subarray(sa, sa + len), sb);
    taken.push(source, copy);
    duplicated.push({ source, copy });
  }

  const seqs = codes.map((s) => {
    let out = '';
    for (let i = 0; i < s.length; i += 8192) out += String.fromCharCode(...Array.from(s.subarray(i, i + 8192), (x) => BASES.charCodeAt(x)));
    return out;
  });

  // Keep only repeats that survived the copying intact.
  const intact = repeats.filter((r) => seqs[r.contig]!.slice(r.start, r.start + r.unit.length * r.copies) === r.unit.repeat(r.copies));
  const homopolymers: SimGenome['homopolymers'] = [];
  seqs.forEach((seq, contig) => {
    let i = 0;
    while (i < seq.length) {
      let j = i + 1;
      while (j < seq.length && seq.charCodeAt(j) === seq.charCodeAt(i)) j++;
      if (j - i >= 6) homopolymers.push({ contig, start: i, length: j - i });
      i = j;
    }
  });
  return { names, seqs, duplicated, repeats: intact, homopolymers };
}

/** Whether [start, end) on `contig` touches a duplicated segment (either copy), widened by `margin`. */
export function inDuplicated(genome: SimGenome, contig: number, start: number, end: number, margin = 0): boolean {
  return genome.duplicated.some((d) =>
    [d.source, d.copy].some((x) => x.contig === contig && x.start - margin < end && start < x.end + margin),
  );
}
