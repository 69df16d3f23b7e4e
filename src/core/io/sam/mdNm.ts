/**
 * MD and NM of an aligned read, computed from its CIGAR, bases and the reference (SAM
 * optional-fields spec §1.7), as htslib does when it decodes CRAM (samtools view prints them
 * for CRAM reads, which do not store them): a base counts as a mismatch when it differs from
 * the reference or either is N; NM adds inserted and deleted bases; MD spells deletions as
 * "^" + reference bases. Soft clips, hard clips, padding and skips (N) contribute nothing.
 */
import { CigarOp } from './alignedRead';

/** `ref` holds the reference bases from 0-based position `refStart`; undefined when it does not cover the read. */
export function computeMdNm(cigar: Uint32Array, seq: string, readStart: number, ref: string, refStart: number): { md: string; nm: number } | undefined {
  let q = 0;
  let r = readStart - refStart;
  let nm = 0;
  let md = '';
  let run = 0;
  for (const c of cigar) {
    const op = c & 0xf;
    const len = c >>> 4;
    if (op === CigarOp.M || op === CigarOp.EQ || op === CigarOp.X) {
      if (r < 0 || r + len > ref.length || q + len > seq.length) return undefined;
      for (let i = 0; i < len; i++) {
        const a = seq.charCodeAt(q + i) & 0xdf;
        const b = ref.charCodeAt(r + i) & 0xdf;
        if (a === b && a !== 78 /* N */) {
          run++;
        } else {
          md += String(run) + ref[r + i]!.toUpperCase();
          run = 0;
          nm++;
        }
      }
      q += len;
      r += len;
    } else if (op === CigarOp.I) {
      q += len;
      nm += len;
    } else if (op === CigarOp.S) {
      q += len;
    } else if (op === CigarOp.D) {
      if (r < 0 || r + len > ref.length) return undefined;
      md += String(run) + '^' + ref.slice(r, r + len).toUpperCase();
      run = 0;
      nm += len;
      r += len;
    } else if (op === CigarOp.N) {
      r += len;
    }
  }
  md += String(run);
  return { md, nm };
}
