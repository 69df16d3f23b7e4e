/**
 * Haplotype replay: applies each side's genotyped alleles to the reference sequence of a
 * superlocus and compares the resulting pairs of haplotype sequences
 * (docs/decisions/0013-haplotype-matching.md). Phasing is not compared: every assignment of
 * heterozygous alleles to the two haplotypes is tried on both sides, as hap.py and vcfeval do
 * by default.
 *
 * Coordinates: `start0`/`end0` are 0-based half-open on the contig; the superlocus reference
 * `refSeq` starts at `spanStart0`.
 */

/** One allele as an edit of the reference: replace [start0, end0) by `seq`. */
export interface Edit {
  readonly start0: number;
  readonly end0: number;
  readonly seq: string;
  /** 1 = on one haplotype (het, half-call), 2 = on both (hom ALT, haploid ALT). */
  readonly copies: 1 | 2;
}

export type ReplayOutcome =
  /** Some phasing of each side spells the same two haplotypes. */
  | 'genotype'
  /** No genotype match, but the sides carry the same set of non-reference haplotypes (hap.py FP.gt). */
  | 'allele'
  | 'mismatch'
  /** More heterozygous alleles (or a longer span) than the limits allow: not replayed. */
  | 'too-big';

export interface ReplayLimits {
  /** Heterozygous alleles per side (2^(n−1) phasings each). Default 12. */
  readonly maxHets: number;
  /** Superlocus span in bases. Default 1000 (hap.py's superloci are "between 1 and around 1000 bp"). */
  readonly maxSpan: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { maxHets: 12, maxSpan: 1000 };

/** Reference bases callers add on each side of a superlocus' span, so indels can be moved within their repeats. */
export const REPLAY_PAD = 64;

/** The padding a set of edits needs: REPLAY_PAD when one is an insertion or deletion, else none (substitutions never move). */
export function replayPad(edits: readonly Edit[]): number {
  for (const e of edits) if (e.end0 - e.start0 !== e.seq.length) return REPLAY_PAD;
  return 0;
}

/**
 * The substitutions of `edits` split into single bases (an MNP becomes its SNPs), as a
 * sorted key; undefined when an edit changes the length. Two sides with the same key spell
 * the same haplotypes for some phasing (phasing is not compared), without replay.
 */
export function substitutionKey(edits: readonly Edit[]): string | undefined {
  const parts: string[] = [];
  for (const e of edits) {
    if (e.end0 - e.start0 !== e.seq.length) return undefined;
    for (let i = 0; i < e.seq.length; i++) parts.push(`${e.start0 + i}${e.seq[i]}${e.copies}`);
  }
  return parts.sort().join(',');
}

/**
 * The minimal edit of an allele written as VCF (1-based `pos`, REF, ALT): the common prefix
 * and suffix are dropped, so an anchored deletion `ACG → A` becomes "delete [p, p+2)" and
 * does not collide with a SNP on its anchor base.
 */
export function editOf(pos: number, ref: string, alt: string, copies: 1 | 2): Edit {
  let s = 0;
  let er = ref.length;
  let ea = alt.length;
  while (er > s && ea > s && ref.charCodeAt(er - 1) === alt.charCodeAt(ea - 1)) { er--; ea--; }
  while (s < er && s < ea && ref.charCodeAt(s) === alt.charCodeAt(s)) s++;
  return { start0: pos - 1 + s, end0: pos - 1 + er, seq: alt.slice(s, ea), copies };
}

/** True when two edits cannot sit on the same haplotype (they touch the same reference bases or insert at the same point). */
function collide(a: Edit, b: Edit): boolean {
  if (a.start0 === a.end0 && b.start0 === b.end0) return a.start0 === b.start0;
  if (a.start0 === a.end0) return a.start0 > b.start0 && a.start0 < b.end0;
  if (b.start0 === b.end0) return b.start0 > a.start0 && b.start0 < a.end0;
  return a.start0 < b.end0 && b.start0 < a.end0;
}

/** How far `place` may move an indel through its repeat. */
const MAX_MOVE = 64;

/**
 * An indel moved `step` bases (±1) along the reference when that spells the same sequence
 * (a deletion whose leaving and entering bases agree; an insertion rotated through the
 * base it passes); undefined otherwise or at the edge of refSeq.
 */
function moved(e: Edit, step: 1 | -1, refSeq: string, spanStart0: number): Edit | undefined {
  const s = e.start0 - spanStart0;
  const t = e.end0 - spanStart0;
  if (e.seq === '' && t > s) {
    const ok = step === 1 ? t < refSeq.length && refSeq[s] === refSeq[t] : s > 0 && refSeq[s - 1] === refSeq[t - 1];
    return ok ? { ...e, start0: e.start0 + step, end0: e.end0 + step } : undefined;
  }
  if (s === t && e.seq.length > 0) {
    if (step === 1) return s < refSeq.length && refSeq[s] === e.seq[0] ? { ...e, start0: e.start0 + 1, end0: e.end0 + 1, seq: e.seq.slice(1) + e.seq[0] } : undefined;
    const last = e.seq[e.seq.length - 1];
    return s > 0 && refSeq[s - 1] === last ? { ...e, start0: e.start0 - 1, end0: e.end0 - 1, seq: last + e.seq.slice(0, -1) } : undefined;
  }
  return undefined;
}

/**
 * The edits of one haplotype, sorted, with colliding indels moved within their repeats
 * until nothing collides (left-alignment can move a deletion over a SNP written beside it,
 * as hap.py's documentation on normalisation describes); undefined when impossible.
 */
function place(edits: readonly Edit[], refSeq: string, spanStart0: number): Edit[] | undefined {
  const out = [...edits].sort(byStart);
  const clashes = (k: number, e: Edit): boolean => out.some((o, i) => i !== k && collide(o, e));
  for (let guard = 0; guard < 4 * out.length + 4; guard++) {
    let clash = -1;
    for (let i = 0; i + 1 < out.length && clash < 0; i++) if (collide(out[i]!, out[i + 1]!)) clash = i;
    if (clash < 0) {
      // Adjacent pairs are clear; a long deletion can still cover a later edit.
      for (let i = 0; i < out.length && clash < 0; i++) for (let j = i + 2; j < out.length; j++) if (collide(out[i]!, out[j]!)) { clash = i; break; }
    }
    if (clash < 0) return out;
    let fixed = false;
    for (const k of [clash + 1, clash]) {
      for (const step of [1, -1] as const) {
        let e: Edit | undefined = out[k]!;
        for (let n = 0; n < MAX_MOVE && e; n++) {
          e = moved(e, step, refSeq, spanStart0);
          if (e && !clashes(k, e)) { out[k] = e; fixed = true; break; }
        }
        if (fixed) break;
      }
      if (fixed) break;
    }
    if (!fixed) return undefined;
    out.sort(byStart);
  }
  return undefined;
}

/** The haplotype spelled by `edits` over refSeq; undefined when two collide beyond repair. */
function spell(refSeq: string, spanStart0: number, unplaced: readonly Edit[]): string | undefined {
  const edits = unplaced.length > 1 ? place(unplaced, refSeq, spanStart0) : unplaced;
  if (edits === undefined) return undefined;
  let out = '';
  let at = 0;
  let prev: Edit | undefined;
  for (const e of edits) {
    if (prev && collide(prev, e)) return undefined;
    const s = e.start0 - spanStart0;
    if (s < at) return undefined;
    out += refSeq.slice(at, s) + e.seq;
    at = e.end0 - spanStart0;
    prev = e;
  }
  return out + refSeq.slice(at);
}

function byStart(a: Edit, b: Edit): number {
  return a.start0 - b.start0 || a.end0 - b.end0;
}

/**
 * Every unordered haplotype pair one side's edits can spell: "h1\u0000h2" with h1 ≤ h2.
 * Undefined when the side has more heterozygous edits than `maxHets`.
 */
export function haplotypePairs(refSeq: string, spanStart0: number, edits: readonly Edit[], maxHets: number): Set<string> | undefined {
  const homs: Edit[] = [];
  const hets: Edit[] = [];
  for (const e of edits) (e.copies === 2 ? homs : hets).push(e);
  if (hets.length > maxHets) return undefined;
  const pairs = new Set<string>();
  // The first het stays on haplotype 0: the mirrored assignments spell the same pair.
  const n = hets.length === 0 ? 1 : 1 << (hets.length - 1);
  for (let m = 0; m < n; m++) {
    const h0: Edit[] = [...homs];
    const h1: Edit[] = [...homs];
    for (let i = 0; i < hets.length; i++) ((i > 0 && (m & (1 << (i - 1))) !== 0) ? h1 : h0).push(hets[i]!);
    const s0 = spell(refSeq, spanStart0, h0);
    const s1 = spell(refSeq, spanStart0, h1);
    if (s0 === undefined || s1 === undefined) continue;
    pairs.add(s0 <= s1 ? `${s0}\u0000${s1}` : `${s1}\u0000${s0}`);
  }
  return pairs;
}

/** The non-reference haplotypes of a pair key, as one comparable key. */
function altSetKey(pair: string, refSeq: string): string {
  const [x, y] = pair.split('\u0000') as [string, string];
  const alts = [x, y].filter((h) => h !== refSeq);
  if (alts.length === 2 && alts[0] === alts[1]) alts.pop();
  return alts.join('\u0000');
}

/**
 * Compares two sides over one superlocus. `refSeq` is the reference of [spanStart0,
 * spanStart0 + refSeq.length), which must cover every edit.
 */
export function replay(refSeq: string, spanStart0: number, truth: readonly Edit[], query: readonly Edit[], limits: ReplayLimits = DEFAULT_REPLAY_LIMITS): ReplayOutcome {
  if (refSeq.length > limits.maxSpan + 2 * REPLAY_PAD) return 'too-big';
  const t = haplotypePairs(refSeq, spanStart0, truth, limits.maxHets);
  const q = haplotypePairs(refSeq, spanStart0, query, limits.maxHets);
  if (t === undefined || q === undefined) return 'too-big';
  for (const p of t) if (q.has(p)) return 'genotype';
  const tAlts = new Set<string>();
  for (const p of t) tAlts.add(altSetKey(p, refSeq));
  for (const p of q) if (tAlts.has(altSetKey(p, refSeq))) return 'allele';
  return 'mismatch';
}
