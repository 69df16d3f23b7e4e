/**
 * Planted truth variants and the haplotypes carrying them.
 *
 * A site is one VCF-style record over the reference: 0-based `pos`, `ref` = the reference
 * bases at [pos, pos + ref.length), and its alternate alleles spelled over the same span.
 * Every site is created normalized the way `bcftools norm` wants it: indels left-aligned
 * (shifted left while the last deleted/inserted base equals the base before) with one
 * anchor base, alleles parsimonious (no common suffix, and no common prefix beyond the
 * anchor). Sites never overlap each other, nor the range an indel could slide over, so a
 * haplotype's alignment is unambiguous and each record normalizes on its own.
 */
import type { Rng } from './prng';
import { type SimGenome, inDuplicated } from './simGenome';

export type VariantClass = 'SNV' | 'INS' | 'DEL' | 'MULTI';

export interface SimSite {
  readonly contig: number;
  /** 0-based start of REF. */
  readonly pos: number;
  readonly ref: string;
  readonly alts: string[];
  readonly kind: VariantClass;
  readonly homopolymer: boolean;
  nearby: boolean;
  lowCoverage: boolean;
  /** Per sample: allele index on haplotype 0 and haplotype 1 (0 = REF). */
  readonly genotypes: [number, number][];
}

export interface VariantOptions {
  readonly sampleCount: number;
  /** Mean spacing between population sites (bp); each sample carries ~58% of them. */
  readonly siteSpacing: number;
  /** Windows (0-based half-open) with reduced coverage, for the LOWCOV flag. */
  readonly lowCoverage: { contig: number; start: number; end: number }[];
}

const TRANSITION: Record<string, string> = { A: 'G', G: 'A', C: 'T', T: 'C' };

/** Length of the run of identical bases containing position i. */
function runLength(seq: string, i: number): number {
  if (i < 0 || i >= seq.length) return 0;
  const b = seq.charCodeAt(i);
  let s = i;
  let e = i + 1;
  while (s > 0 && seq.charCodeAt(s - 1) === b) s--;
  while (e < seq.length && seq.charCodeAt(e) === b) e++;
  return e - s;
}

/** A deletion of [d, d+len) shifted left as far as it goes; returns the new d. */
function leftAlignDeletion(seq: string, d: number, len: number): number {
  while (d > 1 && seq[d - 1] === seq[d + len - 1]) d--;
  return d;
}

/** How far right a deletion of [d, d+len) could slide: the exclusive end of its equivalence range. */
function deletionRightEnd(seq: string, d: number, len: number): number {
  while (d + len < seq.length && seq[d] === seq[d + len]) d++;
  return d + len;
}

/** An insertion of `ins` before position p, shifted left; returns [p, ins]. */
function leftAlignInsertion(seq: string, p: number, ins: string): [number, string] {
  while (p > 1 && seq[p - 1] === ins[ins.length - 1]) {
    ins = ins[ins.length - 1] + ins.slice(0, -1);
    p--;
  }
  return [p, ins];
}

function insertionRightEnd(seq: string, p: number, ins: string): number {
  while (p < seq.length && seq[p] === ins[0]) {
    ins = ins.slice(1) + ins[0];
    p++;
  }
  return p;
}

function randomIndelLength(rng: Rng): number {
  const r = rng.next();
  if (r < 0.5) return 1;
  if (r < 0.65) return 2;
  if (r < 0.75) return 3;
  return rng.int(4, 10);
}

function randomBases(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += 'ACGT'[rng.int(0, 3)];
  return s;
}

interface Candidate {
  pos: number;
  ref: string;
  alts: string[];
  kind: VariantClass;
  /** Exclusive end of the range this site occupies (REF plus any indel slide range). */
  blockEnd: number;
  homopolymer: boolean;
}

/** Builds a candidate site near `p` on `seq`, or undefined when the spot does not fit. */
function makeCandidate(rng: Rng, seq: string, p: number, kind: VariantClass, hp: { start: number; length: number } | undefined): Candidate | undefined {
  if (kind === 'SNV') {
    const b = seq[p]!;
    const alt = rng.chance(2 / 3) ? TRANSITION[b]! : rng.pick('ACGT'.replace(b, '').replace(TRANSITION[b]!, '').split(''));
    return { pos: p, ref: b, alts: [alt], kind, blockEnd: p + 1, homopolymer: runLength(seq, p) >= 5 || runLength(seq, p - 1) >= 5 || runLength(seq, p + 1) >= 5 };
  }
  if (kind === 'DEL') {
    const len = hp ? rng.int(1, Math.min(2, hp.length - 2)) : randomIndelLength(rng);
    const d = leftAlignDeletion(seq, hp ? hp.start : p, len);
    const anchor = d - 1;
    return { pos: anchor, ref: seq.slice(anchor, d + len), alts: [seq[anchor]!], kind, blockEnd: deletionRightEnd(seq, d, len), homopolymer: runLength(seq, d) >= 5 };
  }
  if (kind === 'INS') {
    let ins: string;
    let at = hp ? hp.start : p;
    if (hp) ins = seq[hp.start]!.repeat(rng.int(1, 2));
    else if (rng.chance(0.4)) ins = seq.slice(p, p + randomIndelLength(rng)); // tandem duplication
    else ins = randomBases(rng, randomIndelLength(rng));
    [at, ins] = leftAlignInsertion(seq, at, ins);
    const anchor = at - 1;
    return { pos: anchor, ref: seq[anchor]!, alts: [seq[anchor]! + ins], kind, blockEnd: insertionRightEnd(seq, at, ins), homopolymer: runLength(seq, at) >= 5 };
  }
  // MULTI: two alternate alleles at one position.
  if (!hp || rng.chance(0.5)) {
    const b = seq[p]!;
    const others = 'ACGT'.replace(b, '').split('');
    const first = rng.int(0, 2);
    const second = (first + rng.int(1, 2)) % 3;
    return { pos: p, ref: b, alts: [others[first]!, others[second]!], kind, blockEnd: p + 1, homopolymer: false };
  }
  // Two indel alleles in one homopolymer (e.g. A(T)n with n-1 and n+1 copies): both
  // left-aligned to the run's first base, sharing its anchor.
  const b = seq[hp.start]!;
  const choices = [-2, -1, 1, 2].filter((x) => hp.length + x >= 3);
  const i = rng.int(0, choices.length - 1);
  let j = rng.int(0, choices.length - 2);
  if (j >= i) j++;
  const changes = [choices[i]!, choices[j]!].sort((x, y) => x - y);
  const maxDel = Math.max(0, -changes[0]!);
  const anchor = hp.start - 1;
  const ref = seq[anchor]! + b.repeat(maxDel);
  const alts = changes.map((c) => seq[anchor]! + b.repeat(maxDel + c));
  return { pos: anchor, ref, alts, kind, blockEnd: hp.start + hp.length + 1, homopolymer: true };
}

/**
 * Plants sites over the genome and gives each sample genotypes. Sharing: a quarter of the
 * sites are carried by every sample, a quarter by two, half by one; ~62% of carriers are
 * heterozygous. About 84% SNVs, 13% indels (1–10 bp, a third of them in homopolymers or
 * tandem repeats), 3% multi-allelic; ~8% of sites get a neighbour 2–25 bp away.
 */
export function plantVariants(rng: Rng, genome: SimGenome, options: VariantOptions): SimSite[] {
  const sites: SimSite[] = [];
  const n = options.sampleCount;
  const patterns: number[][] = [];
  for (let mask = 1; mask < 1 << n; mask++) patterns.push([...Array(n).keys()].filter((s) => mask & (1 << s)));
  const patternWeights = patterns.map((p) => (p.length === n ? 0.25 : p.length === 1 ? 0.5 / n : 0.25 / Math.max(1, patterns.length - n - 1)));

  genome.seqs.forEach((seq, contig) => {
    const occupied = new Uint8Array(seq.length);
    const free = (s: number, e: number): boolean => {
      if (s < 200 || e > seq.length - 200) return false;
      for (let i = s - 1; i <= e; i++) if (occupied[i]) return false;
      return !inDuplicated(genome, contig, s, e, 5);
    };
    const hps = genome.homopolymers.filter((h) => h.contig === contig);
    const strs = genome.repeats.filter((r) => r.contig === contig);
    const target = Math.round(seq.length / options.siteSpacing);
    let attempts = 0;
    let placed = 0;
    const place = (c: Candidate, carriers: number[], nearby: boolean): SimSite | undefined => {
      if (!free(c.pos, c.blockEnd)) return undefined;
      occupied.fill(1, c.pos, c.blockEnd);
      const genotypes: [number, number][] = [];
      carriers.forEach((s, k) => {
        while (genotypes.length < s) genotypes.push([0, 0]);
        let gt: [number, number];
        if (c.alts.length === 2) {
          gt = k === 0 ? [1, 2] : rng.pick<[number, number]>([[0, 1], [1, 1], [0, 2], [1, 2]]);
        } else {
          gt = rng.chance(0.62) ? [0, 1] : [1, 1];
        }
        // Random phase for heterozygotes.
        genotypes.push(rng.chance(0.5) ? gt : [gt[1], gt[0]]);
      });
      while (genotypes.length < n) genotypes.push([0, 0]);
      const site: SimSite = { contig, ...c, nearby, lowCoverage: false, genotypes };
      sites.push(site);
      placed++;
      return site;
    };
    while (placed < target && attempts++ < target * 20) {
      const r = rng.next();
      const kind: VariantClass = r < 0.84 ? 'SNV' : r < 0.905 ? 'DEL' : r < 0.97 ? 'INS' : 'MULTI';
      let hp: { start: number; length: number } | undefined;
      let p = rng.int(250, seq.length - 250);
      if ((kind === 'DEL' || kind === 'INS') && rng.chance(0.33)) {
        // Indel in a homopolymer or a tandem repeat (unit expansion/contraction).
        if (strs.length > 0 && rng.chance(0.3)) {
          const s = rng.pick(strs);
          const unit = s.unit;
          const c = kind === 'DEL'
            ? (() => { const d = leftAlignDeletion(seq, s.start, unit.length); return { pos: d - 1, ref: seq.slice(d - 1, d + unit.length), alts: [seq[d - 1]!], kind, blockEnd: deletionRightEnd(seq, d, unit.length), homopolymer: false }; })()
            : (() => { const [at, ins] = leftAlignInsertion(seq, s.start, unit); return { pos: at - 1, ref: seq[at - 1]!, alts: [seq[at - 1]! + ins], kind, blockEnd: insertionRightEnd(seq, at, ins), homopolymer: false }; })();
          place(c, patterns[rng.weighted(patternWeights)]!, false);
          continue;
        }
        if (hps.length > 0) hp = rng.pick(hps);
      }
      if (kind === 'MULTI' && hps.length > 0 && rng.chance(0.5)) hp = rng.pick(hps);
      if (hp) p = hp.start;
      const c = makeCandidate(rng, seq, p, kind, hp);
      if (!c) continue;
      const carriers = patterns[rng.weighted(patternWeights)]!;
      const site = place(c, carriers, false);
      if (site && rng.chance(0.08)) {
        // A neighbour 2–25 bp to the right, same carriers: clustered variants that
        // share reads (and sometimes a haplotype).
        const q = site.pos + site.ref.length + rng.int(2, 25);
        const r2 = rng.next();
        const k2: VariantClass = r2 < 0.75 ? 'SNV' : r2 < 0.875 ? 'DEL' : 'INS';
        const c2 = q < seq.length - 250 ? makeCandidate(rng, seq, q, k2, undefined) : undefined;
        if (c2 && place(c2, carriers, true)) site.nearby = true;
      }
    }
  });
  sites.sort((a, b) => a.contig - b.contig || a.pos - b.pos);
  // Flag neighbours (within 25 bp) and low-coverage sites for the truth VCF's INFO.
  for (let i = 1; i < sites.length; i++) {
    const a = sites[i - 1]!;
    const b = sites[i]!;
    if (a.contig === b.contig && b.pos - (a.pos + a.ref.length) <= 25) {
      a.nearby = true;
      b.nearby = true;
    }
  }
  for (const s of sites) {
    s.lowCoverage = options.lowCoverage.some((w) => w.contig === s.contig && w.start <= s.pos && s.pos < w.end);
  }
  return sites;
}

/**
 * One sample's record at a site, restricted to the alleles it carries and re-trimmed to
 * stay parsimonious (e.g. REF "CAA" ALT "CA","C" seen as 0/1 becomes REF "CA" ALT "C").
 * Undefined for a 0/0 sample.
 */
export function sampleRecord(site: SimSite, sample: number): { pos: number; ref: string; alts: string[]; gt: string } | undefined {
  const [h0, h1] = site.genotypes[sample]!;
  if (h0 === 0 && h1 === 0) return undefined;
  const used = [...new Set([h0, h1].filter((a) => a > 0))].sort((x, y) => x - y);
  let alleles = [site.ref, ...used.map((a) => site.alts[a - 1]!)];
  let pos = site.pos;
  // Common suffix first (keeps indels left-aligned), then common leading bases.
  while (alleles.every((a) => a.length >= 2) && alleles.every((a) => a[a.length - 1] === alleles[0]![alleles[0]!.length - 1])) {
    alleles = alleles.map((a) => a.slice(0, -1));
  }
  while (alleles.every((a) => a.length >= 2) && alleles.every((a) => a[0] === alleles[0]![0])) {
    alleles = alleles.map((a) => a.slice(1));
    pos++;
  }
  const index = (a: number): number => (a === 0 ? 0 : used.indexOf(a) + 1);
  const g = [index(h0), index(h1)].sort((x, y) => x - y);
  return { pos, ref: alleles[0]!, alts: alleles.slice(1), gt: `${g[0]}/${g[1]}` };
}

/**
 * A haplotype of one contig: its bases and, per base, the 0-based reference position it
 * aligns to (-1 inside an insertion). Deleted reference bases simply do not appear.
 */
export interface Haplotype {
  readonly seq: Uint8Array;
  readonly refPos: Int32Array;
}

export function buildHaplotype(refSeq: string, sites: readonly SimSite[], sample: number, hap: 0 | 1): Haplotype {
  const seq: number[] = [];
  const refPos: number[] = [];
  let r = 0;
  for (const site of sites) {
    const allele = site.genotypes[sample]![hap];
    if (!allele) continue;
    for (; r < site.pos; r++) { seq.push(refSeq.charCodeAt(r)); refPos.push(r); }
    const ref = site.ref;
    const alt = site.alts[allele - 1]!;
    // Strip the common suffix, then the common prefix: what is left is the edit, placed
    // at its leftmost position (the alleles are left-aligned already).
    let suffix = 0;
    while (suffix < Math.min(ref.length, alt.length) && ref[ref.length - 1 - suffix] === alt[alt.length - 1 - suffix]) suffix++;
    let prefix = 0;
    while (prefix < Math.min(ref.length, alt.length) - suffix && ref[prefix] === alt[prefix]) prefix++;
    for (let k = 0; k < prefix; k++) { seq.push(alt.charCodeAt(k)); refPos.push(site.pos + k); }
    const refCore = ref.length - suffix - prefix;
    const altCore = alt.length - suffix - prefix;
    const matched = Math.min(refCore, altCore);
    for (let k = 0; k < matched; k++) { seq.push(alt.charCodeAt(prefix + k)); refPos.push(site.pos + prefix + k); }
    for (let k = matched; k < altCore; k++) { seq.push(alt.charCodeAt(prefix + k)); refPos.push(-1); }
    // Reference bases refCore-matched are deleted: skipped.
    for (let k = 0; k < suffix; k++) { seq.push(alt.charCodeAt(alt.length - suffix + k)); refPos.push(site.pos + ref.length - suffix + k); }
    r = site.pos + ref.length;
  }
  for (; r < refSeq.length; r++) { seq.push(refSeq.charCodeAt(r)); refPos.push(r); }
  return { seq: Uint8Array.from(seq), refPos: Int32Array.from(refPos) };
}
