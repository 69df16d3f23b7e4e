/**
 * Sorting and filtering a VCF table view: per-row columns in typed arrays, extracted from the
 * raw data lines in ONE streaming pass (no VcfRecord per row, no per-row arrays or Maps),
 * then filters as loops over those arrays and sorts as an LSD radix sort of the view rows by
 * a 64-bit key. Runs in the table's worker thread (vcfTableWorker.ts) or, when no worker can
 * start, in process with yields (vcfTableWorkerClient.ts); both drive it through JobControl.
 *
 * Semantics are those of the lazy VcfRecord (vcfRecord.ts), reproduced on the raw line:
 *  - QUAL '.' is missing (NaN); a malformed line (too few columns, bad POS/REF/QUAL) fails
 *    with VcfRecord's own error, by constructing one for that line;
 *  - kind: 'REF' when no concrete ALT (symbolic alleles ignored), 'SNP' when REF and every
 *    concrete ALT are one base, else 'INDEL' (VcfRecord.variantType);
 *  - end1: INFO/END when it is all digits, else POS + len(REF) - 1 (VcfRecord.end0, i.e.
 *    the last 1-based reference base);
 *  - sample fields: a FORMAT value that is absent, '.' or '' is missing; numbers are the
 *    first comma-separated value (AD-style lists), NaN when not finite.
 *
 * Coordinates: POS is 1-based (VCF); region text is 1-based inclusive (samtools style).
 *
 * Memory: fixed columns 17 bytes per record (POS, end1, QUAL as float32 like bcftools,
 * FILTER code, kind), each used sample 16 bytes, each ID/REF/ALT column 4 bytes; a sort
 * needs ~36 bytes per view row transiently. Contigs need no column: the row index's contig
 * runs give each contig's rows.
 */
import { VariantLensError } from '../errors';
import { resolveContig } from '../io/contigAliases';
import type { LineBatch } from '../io/vcf/lineScanner';
import { FIXED_COLUMN_TABS, VcfLineTabs, fieldEnd, lineEnd } from '../io/vcf/vcfLineTokenizer';
import { VcfRecord, isSymbolicAllele, parseDecimal } from '../io/vcf/vcfRecord';
import type { ContigRun } from '../io/vcf/vcfRowIndex';
import type { CompareOp, FilterSpec, RowVariantKind, SortColumn, SortSpec } from './tableSpec';

/** How a long job reports progress and learns that it was cancelled. */
export interface JobControl {
  /** Called every few thousand rows: throws a `cancelled` VariantLensError when cancelled; may yield (in process). */
  check(): void | Promise<void>;
  progress(done: number, total: number, label: string): void;
}

export const KIND_CODE: Readonly<Record<RowVariantKind, number>> = { SNP: 0, INDEL: 1, REF: 2 };

export interface Locus {
  readonly contig: string;
  /** 1-based inclusive; undefined = whole contig. */
  readonly start?: number;
  readonly end?: number;
}

/** Parses `chr20`, `chr20:10,000,123`, `chr20 10000123`, `chr20:10,000,000-10,010,000`. */
export function parseLocus(text: string): Locus | undefined {
  const m = /^\s*([^\s:]+)(?:[:\s]\s*([\d,_]+)(?:\s*-\s*([\d,_]+))?)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = (s: string | undefined) => (s === undefined ? undefined : Number(s.replace(/[,_]/g, '')));
  const start = n(m[2]);
  const end = n(m[3]);
  if (start !== undefined && (!Number.isInteger(start) || start < 0)) return undefined;
  if (end !== undefined && (!Number.isInteger(end) || end < (start ?? 0))) return undefined;
  return { contig: m[1]!, ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/** Genotype text with phasing dropped, so a filter for 0/1 also matches 0|1. */
export function normalizeGenotype(gt: string): string {
  return gt.replace(/\|/g, '/');
}

/** True when the filter constrains anything (an empty list or empty text does not). */
export function filterIsActive(f: FilterSpec | undefined): f is FilterSpec {
  return f !== undefined && Object.values(f).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0) && v !== '');
}

/** True when the sort is something other than file order. */
export function sortIsActive(s: SortSpec | undefined): s is SortSpec {
  return s !== undefined && !(s.column === 'file' && !s.descending);
}

/** Interns strings to small codes (FILTER values, genotypes, ID/REF/ALT). */
export class Interner {
  readonly values: string[] = [];
  private readonly map = new Map<string, number>();
  code(s: string): number {
    let c = this.map.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.map.set(s, c);
    }
    return c;
  }
  /** rank[code] = position of the string in sorted (UTF-16 code unit) order. */
  ranks(): Float64Array {
    const order = this.values.map((_, i) => i).sort((a, b) => (this.values[a]! < this.values[b]! ? -1 : this.values[a]! > this.values[b]! ? 1 : 0));
    const rank = new Float64Array(this.values.length);
    order.forEach((code, r) => (rank[code] = r));
    return rank;
  }
}

// ---- one data line -----------------------------------------------------------------------

/** What `locate` found out about one data line besides its tabs, owned by the pass. */
class LineFacts {
  pos = 0;
  /** QUAL as a number; NaN for '.'. */
  qual = NaN;
}

/**
 * Finds the tabs of `line` into `tabs` (the shared tokenizer, vcfLineTokenizer.ts) and
 * validates CHROM/POS/REF/QUAL like the VcfRecord constructor; on any doubt, builds a
 * VcfRecord, whose constructor throws the user-facing error. Leaves POS and QUAL in `facts`
 * (QUAL is parsed once here, not again by the QUAL column).
 */
function locate(line: string, lineNumber: number, file: string, tabs: VcfLineTabs, facts: LineFacts): void {
  const found = tabs.scan(line);
  const T = tabs.at;
  const t1 = T[0]!;
  const t2 = T[1]!;
  const t3 = T[2]!;
  const t4 = T[3]!;
  const t5 = T[4]!;
  const t6 = T[5]!;
  let ok = found >= FIXED_COLUMN_TABS && t1 > 0 && t2 > t1 + 1 && t4 > t3 + 1;
  let p = 0;
  for (let i = t1 + 1; ok && i < t2; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) ok = false;
    p = p * 10 + c;
  }
  for (let i = t3 + 1; ok && i < t4; i++) {
    switch (line.charCodeAt(i)) {
      case 65: case 67: case 71: case 84: case 78: case 97: case 99: case 103: case 116: case 110: case 42: case 46: break;
      default: ok = false;
    }
  }
  let q = NaN;
  if (ok && !(t6 === t5 + 2 && line.charCodeAt(t5 + 1) === 46)) {
    q = parseDecimal(line, t5 + 1, t6);
    if (Number.isNaN(q)) {
      const text = line.slice(t5 + 1, t6);
      q = Number(text);
      ok = text !== '' && !Number.isNaN(q);
    }
  }
  // Throws with VcfRecord's message (line number, column, value); if it does not, the line is valid after all.
  if (ok) {
    facts.pos = p;
    facts.qual = q;
  } else {
    const r = new VcfRecord(line, lineNumber, file);
    facts.pos = r.pos;
    facts.qual = r.qual ?? NaN;
  }
}

function kindOf(line: string, T: Int32Array): number {
  const refLen = T[3]! - T[2]! - 1;
  const a = T[3]! + 1;
  const b = T[4]!;
  if (b - a === 1) {
    const c = line.charCodeAt(a);
    // '.' (no ALT), '*' and lone '<', '[' or ']' are not sequences.
    if (c === 46 || c === 42 || c === 60 || c === 91 || c === 93) return KIND_CODE.REF;
    return refLen === 1 ? KIND_CODE.SNP : KIND_CODE.INDEL;
  }
  const alt = line.slice(a, b);
  const concrete = alt.split(',').filter((x) => !isSymbolicAllele(x));
  if (concrete.length === 0) return KIND_CODE.REF;
  return refLen === 1 && concrete.every((x) => x.length === 1) ? KIND_CODE.SNP : KIND_CODE.INDEL;
}

/** Last 1-based reference base: INFO/END when all digits (last END wins, like VcfRecord.info()), else POS + len(REF) - 1. */
function end1Of(line: string, pos: number, T: Int32Array): number {
  const infoStart = T[6]! + 1;
  const infoEnd = T[7]! < 0 ? lineEnd(line) : T[7]!;
  const hit = line.indexOf('END', infoStart);
  if (hit >= 0 && hit < infoEnd) {
    let end: string | true | undefined;
    const info = line.slice(infoStart, infoEnd);
    if (info !== '.' && info !== '') {
      for (const kv of info.split(';')) {
        const eq = kv.indexOf('=');
        if (eq < 0 ? kv === 'END' : kv.slice(0, eq) === 'END') end = eq < 0 ? true : kv.slice(eq + 1);
      }
    }
    if (typeof end === 'string' && /^\d+$/.test(end)) return Number(end);
  }
  return pos - 1 + (T[3]! - T[2]! - 1);
}

/** Number of a FORMAT value [a, b): its first comma-separated part, NaN when missing or not finite. */
function numberIn(line: string, a: number, b: number): number {
  if (a < 0 || a === b || (b === a + 1 && line.charCodeAt(a) === 46)) return NaN;
  const comma = line.indexOf(',', a);
  const c = comma >= 0 && comma < b ? comma : b;
  let v = parseDecimal(line, a, c);
  if (Number.isNaN(v)) v = Number(line.slice(a, c));
  return Number.isFinite(v) ? v : NaN;
}

// ---- column sets, filled by one pass ---------------------------------------------------------

/** Takes one validated data line: its tabs (tokenizer layout), POS and QUAL. */
interface RowSink {
  take(line: string, row: number, tabs: VcfLineTabs, facts: LineFacts): void;
}

export class FixedColumns implements RowSink {
  readonly pos: Uint32Array;
  readonly end1: Uint32Array;
  /** float32, like bcftools' QUAL; NaN = '.'. */
  readonly qual: Float32Array;
  readonly filter: Uint32Array;
  readonly filterNames = new Interner();
  readonly kind: Uint8Array;
  private lastFilter = '';
  private lastFilterCode = -1;

  constructor(n: number) {
    this.pos = new Uint32Array(n);
    this.end1 = new Uint32Array(n);
    this.qual = new Float32Array(n);
    this.filter = new Uint32Array(n);
    this.kind = new Uint8Array(n);
  }

  take(line: string, row: number, tabs: VcfLineTabs, facts: LineFacts): void {
    const T = tabs.at;
    const pos = facts.pos;
    this.pos[row] = pos;
    this.qual[row] = facts.qual;
    this.kind[row] = kindOf(line, T);
    this.end1[row] = end1Of(line, pos, T);
    // Consecutive rows mostly share their FILTER: compare in place before slicing.
    const a = T[5]! + 1;
    const len = T[6]! - a;
    if (!(len === this.lastFilter.length && line.startsWith(this.lastFilter, a)) || this.lastFilterCode < 0) {
      this.lastFilter = line.slice(a, a + len);
      this.lastFilterCode = this.filterNames.code(this.lastFilter);
    }
    this.filter[row] = this.lastFilterCode;
  }
}

export class SampleColumns implements RowSink {
  readonly gt: Uint32Array;
  readonly gtNames = new Interner();
  readonly gq: Float32Array;
  readonly dp: Float32Array;
  readonly vaf: Float32Array;
  private format = '\u0000';
  /** Index of GT, GQ, DP, VAF in the current FORMAT (-1 = absent). */
  private readonly keyAt = new Int32Array(4);
  private readonly fieldA = new Int32Array(4);
  private readonly fieldB = new Int32Array(4);
  private lastKey = -1;
  private readonly gtSeen: string[] = [];
  private readonly gtSeenCode: number[] = [];

  constructor(n: number, private readonly sample: number) {
    this.gt = new Uint32Array(n);
    this.gq = new Float32Array(n);
    this.dp = new Float32Array(n);
    this.vaf = new Float32Array(n);
  }

  take(line: string, row: number, tabs: VcfLineTabs): void {
    const T = tabs.at;
    const fa = T[7]! + 1;
    const fb = T[8]! < 0 ? lineEnd(line) : T[8]!;
    if (T[7]! < 0) {
      this.setMissing(row);
      return;
    }
    if (!(fb - fa === this.format.length && line.startsWith(this.format, fa))) {
      this.format = line.slice(fa, fb);
      const keys = this.format === '' || this.format === '.' ? [] : this.format.split(':');
      ['GT', 'GQ', 'DP', 'VAF'].forEach((k, i) => (this.keyAt[i] = keys.indexOf(k)));
      this.lastKey = Math.max(...this.keyAt);
    }
    // The sample's column: skip `sample` tabs after FORMAT.
    const a = tabs.sampleStart(line, this.sample);
    if (a < 0) {
      this.setMissing(row);
      return;
    }
    const b = fieldEnd(line, a);
    // Field boundaries of the four keys (col.split(':')[k]).
    this.fieldA.fill(-1);
    let k = 0;
    let f = a;
    while (f <= b && k <= this.lastKey) {
      let e = line.indexOf(':', f);
      if (e < 0 || e > b) e = b;
      for (let i = 0; i < 4; i++) {
        if (this.keyAt[i] === k) {
          this.fieldA[i] = f;
          this.fieldB[i] = e;
        }
      }
      k++;
      f = e + 1;
    }
    const ga = this.fieldA[0]!;
    const gb = this.fieldB[0]!;
    const gtMissing = ga < 0 || ga === gb || (gb === ga + 1 && line.charCodeAt(ga) === 46);
    this.gt[row] = gtMissing ? this.gtNames.code('.') : this.gtCode(line, ga, gb);
    this.gq[row] = numberIn(line, this.fieldA[1]!, this.fieldB[1]!);
    this.dp[row] = numberIn(line, this.fieldA[2]!, this.fieldB[2]!);
    this.vaf[row] = numberIn(line, this.fieldA[3]!, this.fieldB[3]!);
  }

  /**
   * The code of the GT text line[a, b): a file holds a handful of distinct genotypes, so they
   * are compared in place with the first few seen before a string is cut out of the line.
   */
  private gtCode(line: string, a: number, b: number): number {
    const seen = this.gtSeen;
    const len = b - a;
    for (let i = 0; i < seen.length; i++) {
      const g = seen[i]!;
      if (g.length === len && line.startsWith(g, a)) return this.gtSeenCode[i]!;
    }
    const g = line.slice(a, b);
    const code = this.gtNames.code(g);
    if (seen.length < 8) {
      seen.push(g);
      this.gtSeenCode.push(code);
    }
    return code;
  }

  private setMissing(row: number): void {
    this.gt[row] = this.gtNames.code('.');
    this.gq[row] = NaN;
    this.dp[row] = NaN;
    this.vaf[row] = NaN;
  }
}

/** ID, REF or ALT as interned text (raw column text). */
export class TextColumn implements RowSink {
  readonly codes: Uint32Array;
  readonly names = new Interner();
  constructor(n: number, private readonly col: 2 | 3 | 4) {
    this.codes = new Uint32Array(n);
  }
  take(line: string, row: number, tabs: VcfLineTabs): void {
    const T = tabs.at;
    this.codes[row] = this.names.code(line.slice(T[this.col - 1]! + 1, T[this.col]!));
  }
}

/**
 * A test for "the line contains `needle` (lower case), case-insensitively", i.e.
 * `line.toLowerCase().includes(needle)`, without building a lower-cased copy of each line.
 * For an ASCII needle a case-insensitive regular expression gives the same answer on any
 * ASCII line (both fold only A-Z); a line with other characters (a Kelvin sign lower-cases
 * to "k") that the expression does not match is checked the long way.
 */
export function lineContains(needle: string): (line: string) => boolean {
  const slow = (line: string): boolean => line.toLowerCase().includes(needle);
  if (!/^[\x00-\x7f]*$/.test(needle)) return slow;
  const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  return (line) => re.test(line) || (NON_ASCII.test(line) && slow(line));
}
const NON_ASCII = /[^\x00-\x7f]/;

/** Rows whose whole line contains `needle` (lower case), case-insensitively. */
class TextMatch implements RowSink {
  readonly keep: Uint8Array;
  private readonly contains: (line: string) => boolean;
  constructor(n: number, needle: string) {
    this.keep = new Uint8Array(n);
    this.contains = lineContains(needle);
  }
  take(line: string, row: number): void {
    if (this.contains(line)) this.keep[row] = 1;
  }
}

// ---- the pass ------------------------------------------------------------------------------

/** What the store needs from the file: its data lines in order, and names for messages. */
export interface LineSource {
  readonly path: string;
  readonly headerLines: number;
  /** Data lines from the first record, in file order. */
  dataLines(signal?: AbortSignal): AsyncIterable<LineBatch>;
}

/**
 * The columns of one file, extracted on first use and kept (the view changes often, the
 * file does not). `count` and `contigRuns` come from the row index, whose rows skip empty
 * lines exactly as the pass does.
 */
export class VcfColumnStore {
  private fixed: FixedColumns | undefined;
  private readonly samples = new Map<number, SampleColumns>();
  private readonly texts = new Map<2 | 3 | 4, TextColumn>();
  private readonly contigNames: string[];

  constructor(private readonly src: LineSource, readonly count: number, readonly contigRuns: readonly ContigRun[], private readonly sampleCount: number) {
    this.contigNames = [...new Set(contigRuns.map((r) => r.contig))];
  }

  /** One streaming pass filling every sink; rows are non-empty lines. */
  private async pass(sinks: RowSink[], label: string, ctl: JobControl, signal?: AbortSignal): Promise<void> {
    const n = this.count;
    const file = this.src.path;
    let row = 0;
    const first = this.src.headerLines + 1;
    const tabs = new VcfLineTabs();
    const facts = new LineFacts();
    ctl.progress(0, n, label);
    for await (const batch of this.src.dataLines(signal)) {
      const lines = batch.lines;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.length === 0) continue;
        if (row >= n) throw changed(file, n);
        locate(line, first + row, file, tabs, facts);
        for (let s = 0; s < sinks.length; s++) sinks[s]!.take(line, row, tabs, facts);
        row++;
        if ((row & 4095) === 0) await ctl.check();
      }
      ctl.progress(row, n, label);
    }
    await ctl.check();
    if (row !== n) throw changed(file, n);
  }

  /** Builds in one pass every column set the view needs that is not built yet; returns the text matches, if asked. */
  private async ensure(need: { fixed?: boolean; samples?: number[]; texts?: (2 | 3 | 4)[]; text?: string }, ctl: JobControl, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const sinks: RowSink[] = [];
    const labels: string[] = [];
    const n = this.count;
    let fixed: FixedColumns | undefined;
    if (need.fixed && !this.fixed) {
      sinks.push((fixed = new FixedColumns(n)));
      labels.push('columns');
    }
    const samples: [number, SampleColumns][] = [];
    for (const s of need.samples ?? []) {
      if (s < 0 || s >= this.sampleCount || !Number.isInteger(s)) {
        throw new VariantLensError('invalid-argument', `has ${this.sampleCount} sample(s); there is no sample ${s + 1}`, this.src.path);
      }
      if (this.samples.has(s) || samples.some(([x]) => x === s)) continue;
      const c = new SampleColumns(n, s);
      samples.push([s, c]);
      sinks.push(c);
      labels.push(`sample ${s + 1}`);
    }
    const texts: [2 | 3 | 4, TextColumn][] = [];
    for (const t of need.texts ?? []) {
      if (this.texts.has(t) || texts.some(([x]) => x === t)) continue;
      const c = new TextColumn(n, t);
      texts.push([t, c]);
      sinks.push(c);
      labels.push(['ID', 'REF', 'ALT'][t - 2]!);
    }
    let match: TextMatch | undefined;
    if (need.text !== undefined && need.text !== '') {
      sinks.push((match = new TextMatch(n, need.text.toLowerCase())));
      labels.push('text');
    }
    if (sinks.length === 0) return undefined;
    await this.pass(sinks, `reading ${labels.join(', ')}`, ctl, signal);
    if (fixed) this.fixed = fixed;
    for (const [s, c] of samples) this.samples.set(s, c);
    for (const [t, c] of texts) this.texts.set(t, c);
    return match?.keep;
  }

  /**
   * The view rows for a sort and a filter: file rows in view order, or undefined for the
   * identity (file order, no filter). Ties keep file order (a stable sort); missing values
   * (QUAL '.', absent GQ, …) sort last in both directions.
   */
  async view(sort: SortSpec | undefined, filter: FilterSpec | undefined, ctl: JobControl, signal?: AbortSignal): Promise<Uint32Array | undefined> {
    const hasFilter = filterIsActive(filter);
    const hasSort = sortIsActive(sort);
    if (!hasFilter && !hasSort) return undefined;
    // Everything the view needs, in one pass.
    const need: { fixed: boolean; samples: number[]; texts: (2 | 3 | 4)[]; text?: string } = { fixed: false, samples: [], texts: [] };
    if (hasFilter) {
      const f = filter;
      if (f.region !== undefined && f.region.trim() !== '') need.fixed = true;
      if ((f.filters?.length ?? 0) > 0 || f.qualMin !== undefined || f.qualMax !== undefined || (f.kinds?.length ?? 0) > 0) need.fixed = true;
      if ((f.genotypes?.length ?? 0) > 0 || (f.formatTerms?.length ?? 0) > 0) need.samples.push(f.sample ?? 0);
      if (f.text !== undefined && f.text !== '') need.text = f.text;
      if (f.region !== undefined && f.region.trim() !== '' && !parseLocus(f.region)) {
        throw new VariantLensError('region-invalid', `"${f.region.slice(0, 80)}" is not a region; write e.g. chr20:10,000,000-10,010,000`);
      }
    }
    if (hasSort) {
      const c = sort.column;
      if (c === 'pos' || c === 'qual' || c === 'filter') need.fixed = true;
      else if (c === 'chrom') need.fixed = true;
      else if (c === 'id' || c === 'ref' || c === 'alt') need.texts.push(c === 'id' ? 2 : c === 'ref' ? 3 : 4);
      else if (c !== 'file') {
        const m = /^(gq|dp|vaf|gt):(\d+)$/.exec(c);
        if (!m) throw new VariantLensError('invalid-argument', `cannot sort by "${c}"`);
        need.samples.push(Number(m[2]));
      }
    }
    const textKeep = await this.ensure(need, ctl, signal);
    const rows = hasFilter ? await this.filterRows(filter, textKeep, ctl) : identity(this.count);
    if (!hasSort) return rows;
    ctl.progress(0, 1, 'sorting');
    const keys = this.sortKeys(sort.column, rows);
    await ctl.check();
    const out = await sortRowsByKey(rows, keys, sort.descending, ctl);
    ctl.progress(1, 1, 'sorting');
    return out;
  }

  private async filterRows(f: FilterSpec, textKeep: Uint8Array | undefined, ctl: JobControl): Promise<Uint32Array> {
    const n = this.count;
    const fixed = this.fixed;
    // The rows to look at, as [first, end) spans: a region keeps only its contig's runs (a
    // region on chr2 of a whole genome touches a twentieth of the rows); otherwise all rows.
    let spans: number[] = [0, n];
    let lo = 0;
    let hi = 0;
    const region = f.region !== undefined && f.region.trim() !== '';
    if (region) {
      const locus = parseLocus(f.region!)!;
      const name = resolveContig(locus.contig, this.contigNames);
      lo = locus.start ?? 0;
      hi = locus.end ?? (locus.start ?? Number.MAX_SAFE_INTEGER);
      spans = [];
      for (const run of this.contigRuns) if (run.contig === name) spans.push(run.firstRow, run.firstRow + run.rowCount);
    }
    // k[r] = 1 while row r is kept; read only inside the spans (outside them no row is kept).
    const k = textKeep ?? new Uint8Array(n);
    if (!textKeep) for (let s = 0; s < spans.length; s += 2) k.fill(1, spans[s], spans[s + 1]);
    // Region: rows on the contig whose [POS, end1] overlaps [start, end] (1-based inclusive).
    if (region) {
      const pos = fixed!.pos;
      const end1 = fixed!.end1;
      for (let s = 0; s < spans.length; s += 2) {
        for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
          if (end1[r]! < lo || pos[r]! > hi) k[r] = 0;
        }
      }
      await ctl.check();
    }
    if (f.filters && f.filters.length > 0) {
      // Case-insensitive: `filter=pass` means PASS (FILTER ids that differ only in case are not a real-world thing).
      const allowed = new Set(f.filters.map((x) => x.toLowerCase()));
      const ok = Uint8Array.from(fixed!.filterNames.values, (v) => (v.split(';').some((x) => allowed.has(x.toLowerCase())) ? 1 : 0));
      const codes = fixed!.filter;
      for (let s = 0; s < spans.length; s += 2) {
        for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
          if (!ok[codes[r]!]) k[r] = 0;
        }
      }
    }
    if (f.qualMin !== undefined || f.qualMax !== undefined) {
      const qlo = f.qualMin ?? -Infinity;
      const qhi = f.qualMax ?? Infinity;
      const qual = fixed!.qual;
      for (let s = 0; s < spans.length; s += 2) {
        for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
          const q = qual[r]!;
          if (!(q >= qlo && q <= qhi)) k[r] = 0; // missing QUAL ('.') never passes a QUAL range
        }
      }
    }
    if (f.kinds && f.kinds.length > 0) {
      const ok = new Uint8Array(3);
      for (const kind of f.kinds) ok[KIND_CODE[kind]] = 1;
      const kinds = fixed!.kind;
      for (let s = 0; s < spans.length; s += 2) {
        for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
          if (!ok[kinds[r]!]) k[r] = 0;
        }
      }
    }
    if (f.genotypes && f.genotypes.length > 0) {
      const cols = this.samples.get(f.sample ?? 0)!;
      const want = new Set(f.genotypes.map(normalizeGenotype));
      const ok = Uint8Array.from(cols.gtNames.values, (g) => (want.has(normalizeGenotype(g)) ? 1 : 0));
      const gt = cols.gt;
      for (let s = 0; s < spans.length; s += 2) {
        for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
          if (!ok[gt[r]!]) k[r] = 0;
        }
      }
    }
    for (const t of f.formatTerms ?? []) {
      const cols = this.samples.get(f.sample ?? 0)!;
      const values = t.field === 'GQ' ? cols.gq : t.field === 'DP' ? cols.dp : cols.vaf;
      const pass = comparison(t.op, t.value);
      // A missing value (NaN) fails every comparison but `!=`, as in `bcftools view -i 'FMT/GQ<20'`.
      for (let s = 0; s < spans.length; s += 2) {
        for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
          if (k[r] && !pass(values[r]!)) k[r] = 0;
        }
      }
    }
    await ctl.check();
    // Spans are in file order (contig runs are), so the view rows come out ascending.
    let count = 0;
    for (let s = 0; s < spans.length; s += 2) {
      for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
        count += k[r]!;
      }
    }
    const out = new Uint32Array(count);
    let o = 0;
    for (let s = 0; s < spans.length; s += 2) {
      for (let r = spans[s]!, e = spans[s + 1]!; r < e; r++) {
        if (k[r]) out[o++] = r;
      }
    }
    return out;
  }

  /** Sort key of each view row (NaN = missing). */
  private sortKeys(column: SortColumn, rows: Uint32Array): Float64Array {
    const n = rows.length;
    const keys = new Float64Array(n);
    const byCode = (codes: Uint32Array, rank: Float64Array): void => {
      for (let i = 0; i < n; i++) keys[i] = rank[codes[rows[i]!]!]!;
    };
    const byValue = (a: Float32Array | Uint32Array): void => {
      for (let i = 0; i < n; i++) keys[i] = a[rows[i]!]!;
    };
    const fixed = this.fixed;
    switch (column) {
      case 'file': for (let i = 0; i < n; i++) keys[i] = rows[i]!; break;
      case 'pos': byValue(fixed!.pos); break;
      case 'qual': byValue(fixed!.qual); break;
      case 'filter': byCode(fixed!.filter, fixed!.filterNames.ranks()); break;
      case 'chrom': {
        // Contig in order of first appearance, then POS: contig code * 2^32 + POS is exact in a double.
        const code = new Float64Array(this.count);
        for (const run of this.contigRuns) code.fill(this.contigNames.indexOf(run.contig), run.firstRow, run.firstRow + run.rowCount);
        const pos = fixed!.pos;
        for (let i = 0; i < n; i++) keys[i] = code[rows[i]!]! * 4294967296 + pos[rows[i]!]!;
        break;
      }
      case 'id': case 'ref': case 'alt': {
        const t = this.texts.get(column === 'id' ? 2 : column === 'ref' ? 3 : 4)!;
        byCode(t.codes, t.names.ranks());
        break;
      }
      default: {
        const m = /^(gq|dp|vaf|gt):(\d+)$/.exec(column)!;
        const cols = this.samples.get(Number(m[2]))!;
        if (m[1] === 'gt') byCode(cols.gt, cols.gtNames.ranks());
        else byValue(m[1] === 'gq' ? cols.gq : m[1] === 'dp' ? cols.dp : cols.vaf);
      }
    }
    return keys;
  }
}

/**
 * `value op bound` for a float32 FORMAT value (stored as float32, like bcftools stores FORMAT
 * floats), with the bound rounded to float32 as well: a VAF written 0.3 does not pass
 * `VAF>0.3` and does pass `VAF=0.3`, as with `bcftools view -i`. NaN (missing) fails every
 * op except `!=`, which it passes (bcftools -i does the same: a missing GQ "is not 0").
 */
export function comparison(op: CompareOp, bound: number): (v: number) => boolean {
  const b = Math.fround(bound);
  switch (op) {
    case '<': return (v) => v < b;
    case '<=': return (v) => v <= b;
    case '>': return (v) => v > b;
    case '>=': return (v) => v >= b;
    case '=': return (v) => v === b;
    case '!=': return (v) => v !== b;
  }
}

function changed(file: string, n: number): VariantLensError {
  return new VariantLensError('malformed-vcf', `changed since it was indexed (expected ${n} records); reopen it`, file);
}

export function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Stable sort of `rows` by `keys` (keys[i] belongs to rows[i]); NaN keys last in both
 * directions; -0 equals +0. An LSD radix sort on 16-bit digits of a 64-bit unsigned image of
 * each double (sign bit flipped for positives, all bits flipped for negatives, so unsigned
 * order = numeric order; all bits flipped again for descending). Digits equal in every row
 * are skipped, so integer keys (ranks, POS) take two passes, not four. O(n), no comparator
 * calls: 5,000,000 rows sort in a few hundred ms.
 */
export async function sortRowsByKey(rows: Uint32Array, keys: Float64Array, descending: boolean, ctl?: JobControl): Promise<Uint32Array> {
  const n = rows.length;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    f[i] = k === 0 ? 0 : k; // -0 → +0
  }
  const u = new Uint32Array(f.buffer);
  const loAt = LITTLE_ENDIAN ? 0 : 1;
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = u[2 * i + 1 - loAt]!;
    let l = u[2 * i + loAt]!;
    const k = f[i]!;
    if (k !== k) {
      h = 0xffffffff;
      l = 0xffffffff;
    } else {
      if (h & 0x80000000) {
        h = ~h;
        l = ~l;
      } else {
        h |= 0x80000000;
      }
      if (descending) {
        h = ~h;
        l = ~l;
      }
      // A finite key never maps to all ones (that would be a NaN image), so NaN stays strictly last.
    }
    hi[i] = h;
    lo[i] = l;
  }
  let idx = rows.slice();
  let idx2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let d = 0; d < 4; d++) {
    const src = d < 2 ? lo : hi;
    const shift = (d & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & 0xffff]!++;
    // Skip a digit that is the same in every row.
    if (n === 0 || count[(src[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    const moveLo = d < 1; // the low word is needed until its second digit is sorted
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      const at = count[(v >>> shift) & 0xffff]!++;
      idx2[at] = idx[i]!;
      hi2[at] = hi[i]!;
      if (moveLo) lo2[at] = lo[i]!;
    }
    [idx, idx2] = [idx2, idx];
    [hi, hi2] = [hi2, hi];
    if (moveLo) [lo, lo2] = [lo2, lo];
    if (d === 1) {
      // The low word is done: later passes read only hi.
      lo = lo2 = new Uint32Array(0);
    }
    await ctl?.check();
  }
  return idx;
}
