/**
 * The one tokenizer of VCF data lines: where the tabs are. Every reader of a data line (the
 * lazy VcfRecord, the table's column pass, the diff's side stream, the tabix span of the
 * writer, the review export) finds its columns here and reads the fields it needs straight
 * from the line. (`show --vcf` splits on any whitespace instead, as show_examples does.)
 *
 * Layout: `tabs[k]` is the offset of the tab that ends column k (0 CHROM, 1 POS, 2 ID, 3 REF,
 * 4 ALT, 5 QUAL, 6 FILTER, 7 INFO, 8 FORMAT), or -1 when the line has no such tab. Column k
 * starts at tabs[k - 1] + 1 (0 for CHROM); the last column ends at `lineEnd(line)`. A record
 * needs its 8 fixed columns, i.e. 7 tabs (`FIXED_COLUMN_TABS`); readers that find fewer fail
 * with VcfRecord's `malformed-vcf` message.
 *
 * No hidden state: the offsets go into an Int32Array the caller owns (a `VcfLineTabs`, or any
 * array for `findTabs`), so a caller that scans millions of lines reuses one array and two
 * callers never share one by accident. Tabs are found with `indexOf` (measured faster than a
 * charCodeAt loop on these lines), no split, no regex.
 */

/** Tabs between the 8 fixed columns CHROM … INFO. */
export const FIXED_COLUMN_TABS = 7;

/** Tab slots for the fixed columns and FORMAT: the tabs ending columns 0 … 8. */
const VCF_TAB_SLOTS = 9;

/**
 * End of the line's text: its length, less a trailing CR. The line readers strip CRs of CRLF
 * files already (lineScanner.ts); a line from elsewhere (a tabix query) may still carry one.
 */
export function lineEnd(line: string): number {
  const n = line.length;
  return n > 0 && line.charCodeAt(n - 1) === 13 /* \r */ ? n - 1 : n;
}

/**
 * Fills `tabs[first .. count)` with the offsets of the next tabs of `line`, continuing after
 * `tabs[first - 1]` (from the line start when `first` is 0); slots past the last tab get -1.
 * Returns the number of slots now holding a tab (`first` + tabs found), at most `count`.
 */
export function findTabs(line: string, tabs: Int32Array, count: number = tabs.length, first = 0): number {
  let t = first === 0 ? -1 : tabs[first - 1]!;
  let k = first;
  while (k < count) {
    t = line.indexOf('\t', t + 1);
    if (t < 0) break;
    tabs[k++] = t;
  }
  const found = k;
  while (k < count) tabs[k++] = -1;
  return found;
}

/** The tabs of one line at a time, in an array this object owns (create one per reader). */
export class VcfLineTabs {
  /** at[k]: the tab ending column k, -1 when absent (see the module comment). */
  readonly at: Int32Array;
  /** Slots holding a tab after the last `scan`. */
  found = 0;

  constructor(readonly slots: number = VCF_TAB_SLOTS) {
    this.at = new Int32Array(slots);
  }

  /**
   * Finds the tabs of `line` (up to `slots` of them); returns how many were found. The same
   * scan as `findTabs`, written out for this one Int32Array: the table's column pass calls
   * it per row, and the generic call measured ~15 % slower there (docs/decisions/0014).
   */
  scan(line: string): number {
    const at = this.at;
    const slots = this.slots;
    let t = -1;
    let k = 0;
    while (k < slots) {
      t = line.indexOf('\t', t + 1);
      if (t < 0) break;
      at[k++] = t;
    }
    this.found = k;
    for (let j = k; j < slots; j++) at[j] = -1;
    return k;
  }

  /** After `at[0 .. first)` were filled for `line` (e.g. by VcfRecord.tabsInto): finds the rest. */
  scanFrom(line: string, first: number): number {
    return (this.found = findTabs(line, this.at, this.slots, first));
  }

  /** True when the line has the 8 fixed columns of a record. */
  get hasFixedColumns(): boolean {
    return this.found >= FIXED_COLUMN_TABS;
  }

  /** Offset where column k starts (k ≤ `found`; later columns do not exist). */
  start(k: number): number {
    return k === 0 ? 0 : this.at[k - 1]! + 1;
  }

  /** Offset just past column k (k ≤ `found`): its tab, or the end of the line for the last column. */
  end(k: number, line: string): number {
    const t = k < this.slots ? this.at[k]! : -1;
    return t >= 0 ? t : lineEnd(line);
  }

  /** The text of column k, or undefined when the line has no column k. */
  column(line: string, k: number): string | undefined {
    if (k > this.found) return undefined;
    return line.slice(this.start(k), this.end(k, line));
  }

  /**
   * Where sample column `sample` (0-based: column 9 + sample) starts, or -1 when the line has
   * no such column. Needs the FORMAT tab (`slots` ≥ 9).
   */
  sampleStart(line: string, sample: number): number {
    const f = this.slots > 8 ? this.at[8]! : -1;
    if (f < 0) return -1;
    let a = f + 1;
    for (let s = 0; s < sample; s++) {
      const t = line.indexOf('\t', a);
      if (t < 0) return -1;
      a = t + 1;
    }
    return a;
  }
}

/** Offset just past the tab-separated field starting at `from`: the next tab, or the end of the line. */
export function fieldEnd(line: string, from: number): number {
  const t = line.indexOf('\t', from);
  return t < 0 ? lineEnd(line) : t;
}

/**
 * The first `n` columns of a data line as strings (fewer when the line has fewer), through the
 * same tab scan as every other reader; for code that wants a few raw fields as text.
 */
export function leadingColumns(line: string, n: number): string[] {
  const tabs = new Int32Array(Math.max(0, n));
  const found = findTabs(line, tabs);
  const out: string[] = [];
  let a = 0;
  for (let k = 0; k < n; k++) {
    const b = k < found ? tabs[k]! : lineEnd(line);
    out.push(line.slice(a, b));
    if (k >= found) break;
    a = b + 1;
  }
  return out;
}
