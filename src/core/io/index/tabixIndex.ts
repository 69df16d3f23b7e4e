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
