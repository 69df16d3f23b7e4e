/**
 * Tabix (.tbi) index builder for bgzipped VCF (the `tabix -p vcf` preset): the binning
 * index of baiIndex.ts behind a tabix header (sequence names, column layout), the whole
 * file BGZF-compressed (tabix format spec, htslib tabix.5).
 */
import { BinningIndexBuilder } from './baiIndex';
import { bgzfCompress } from '../bgzf/bgzfWriter';

/** tabix preset "vcf": format 2, sequence column 1, begin column 2, no end column, meta '#'. */
const TBX_VCF = 2;

export class TabixIndexBuilder {
  private readonly index = new BinningIndexBuilder();
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  /**
   * Adds one record spanning [beg, end) (0-based half-open) on `contig`, stored between
   * virtual offsets vStart and vEnd. Records must come grouped by contig and sorted by
   * `beg` within a contig; `add` returns false when that order is broken.
   */
  add(contig: string, beg: number, end: number, vStart: number, vEnd: number): boolean {
    let id = this.ids.get(contig);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(contig, id);
      this.names.push(contig);
    } else if (id !== this.names.length - 1) {
      return false;
    }
    this.index.add(id, beg, end, vStart, vEnd, true);
    return true;
  }

  /** The complete, BGZF-compressed .tbi file. */
  toTbi(): Buffer {
    const names = Buffer.from(this.names.map((n) => n + '\0').join(''), 'utf8');
    const head = Buffer.alloc(4 + 7 * 4);
    head.write('TBI\x01', 0, 'latin1');
    // n_ref is the first field of serializeReferences(); the header fields come between
    // it and the per-reference data, so write them after splitting it off below.
    head.writeInt32LE(TBX_VCF, 4);
    head.writeInt32LE(1, 8); // col_seq (1-based column)
    head.writeInt32LE(2, 12); // col_beg
    head.writeInt32LE(0, 16); // col_end: none (REF length / INFO END give the end)
    head.writeInt32LE('#'.charCodeAt(0), 20); // meta: header lines start with '#'
    head.writeInt32LE(0, 24); // skip
    head.writeInt32LE(names.length, 28);
    const refs = this.index.serializeReferences();
    const nRef = refs.subarray(0, 4);
    // Layout: magic, n_ref, format, col_seq, col_beg, col_end, meta, skip, l_nm, names, refs...
    const out = Buffer.concat([head.subarray(0, 4), nRef, head.subarray(4, 32), names, refs.subarray(4)]);
    return bgzfCompress(out);
  }
}

/**
 * The 0-based half-open span tabix gives a VCF line: [POS-1, POS-1+len(REF)), or up to
 * INFO END (1-based inclusive, so it is already the exclusive 0-based end) when present,
 * as htslib does for gVCF reference blocks and symbolic alleles.
 */
export function vcfLineSpan(line: string): { contig: string; beg: number; end: number } | undefined {
  const t1 = line.indexOf('\t');
  const t2 = line.indexOf('\t', t1 + 1);
  const t3 = line.indexOf('\t', t2 + 1);
  const t4 = line.indexOf('\t', t3 + 1);
  if (t1 <= 0 || t2 < 0 || t3 < 0 || t4 < 0) return undefined;
  const pos = Number(line.slice(t1 + 1, t2));
  if (!Number.isInteger(pos) || pos < 1) return undefined;
  const t5 = line.indexOf('\t', t4 + 1);
  const refLen = (t5 < 0 ? line.length : t5) - t4 - 1;
  const beg = pos - 1;
  let end = beg + Math.max(refLen, 1);
  const t6 = t5 < 0 ? -1 : line.indexOf('\t', t5 + 1);
  const t7 = t6 < 0 ? -1 : line.indexOf('\t', t6 + 1);
  if (t7 >= 0) {
    const t8 = line.indexOf('\t', t7 + 1);
    const info = line.slice(t7 + 1, t8 < 0 ? line.length : t8);
    const m = /(?:^|;)END=(\d+)/.exec(info);
    if (m) {
      const e = Number(m[1]);
      if (e > beg) end = e;
    }
  }
  return { contig: line.slice(0, t1), beg, end };
}
