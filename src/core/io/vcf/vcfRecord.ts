/**
 * One VCF data line, decoded lazily. The constructor finds the tabs of the fixed columns and
 * validates CHROM/POS/REF/QUAL; ID, ALT, FILTER and INFO are cut from the line on first use,
 * INFO and sample columns parsed on first use, so streaming a whole-genome VCF costs little
 * more than finding the tabs.
 *
 * Coordinates: `pos` is VCF's 1-based POS; `start0`/`end0` are 0-based half-open on the
 * reference (end from INFO/END for gVCF blocks and symbolic alleles, else pos + len(REF) - 1).
 */
import { VariantLensError } from '../../errors';
import { invalidAltReason, invalidGenotypeReason } from './vcfValidate';
import { FIXED_COLUMN_TABS, findTabs, lineEnd, type VcfLineTabs } from './vcfLineTokenizer';

export interface Genotype {
  /** Allele indices; null for a missing allele ('.'). */
  readonly alleles: readonly (number | null)[];
  readonly phased: boolean;
}

export interface VcfHeaderField {
  readonly id: string;
  readonly number: string;
  readonly type: string;
  readonly description: string;
}

export interface VcfHeader {
  readonly fileformat: string;
  readonly contigs: readonly { readonly name: string; readonly length?: number }[];
  readonly samples: readonly string[];
  readonly info: ReadonlyMap<string, VcfHeaderField>;
  readonly format: ReadonlyMap<string, VcfHeaderField>;
  readonly filters: ReadonlyMap<string, string>;
  /** Every '##' line, in order, without newline. */
  readonly metaLines: readonly string[];
  /** The '#CHROM' line. */
  readonly columnLine: string;
}

export function parseVcfHeader(lines: readonly string[], file: string): VcfHeader {
  const metaLines: string[] = [];
  let columnLine: string | undefined;
  const contigs: { name: string; length?: number }[] = [];
  const info = new Map<string, VcfHeaderField>();
  const format = new Map<string, VcfHeaderField>();
  const filters = new Map<string, string>();
  let fileformat = '';
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('##')) {
      metaLines.push(line);
      if (line.startsWith('##fileformat=')) fileformat = line.slice(13);
      const m = /^##(INFO|FORMAT|FILTER|contig)=<(.*)>\s*$/.exec(line);
      if (m) {
        const attrs = parseHeaderAttributes(m[2]!);
        const id = attrs.get('ID');
        if (!id) throw new VariantLensError('malformed-vcf', `header line ${i + 1} has no ID: ${line}`, file);
        if (m[1] === 'contig') {
          const len = attrs.get('length');
          contigs.push(len !== undefined && /^\d+$/.test(len) ? { name: id, length: Number(len) } : { name: id });
        } else if (m[1] === 'FILTER') {
          filters.set(id, attrs.get('Description') ?? '');
        } else {
          const field = { id, number: attrs.get('Number') ?? '.', type: attrs.get('Type') ?? 'String', description: attrs.get('Description') ?? '' };
          (m[1] === 'INFO' ? info : format).set(id, field);
        }
      }
    } else if (line.startsWith('#CHROM')) {
      columnLine = line;
    } else {
      throw new VariantLensError('malformed-vcf', `line ${i + 1}: expected a header line (starting with #) but found "${line.slice(0, 60)}"`, file);
    }
  }
  if (columnLine === undefined) throw new VariantLensError('malformed-vcf', 'no #CHROM header line; is this a VCF file?', file);
  const cols = columnLine.split('\t');
  if (cols.length < 8) throw new VariantLensError('malformed-vcf', `the #CHROM line has ${cols.length} columns; a VCF needs at least 8`, file);
  return { fileformat, contigs, samples: cols.slice(9), info, format, filters, metaLines, columnLine };
}

/** Parses `ID=x,Number=1,Description="a, b"` respecting quotes. */
function parseHeaderAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|[^,]*)(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '') break;
    let v = m[2]!;
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out.set(m[1]!, v);
  }
  return out;
}

export class VcfRecord {
  readonly contig: string;
  /** 1-based POS. */
  readonly pos: number;
  readonly ref: string;
  /** undefined when QUAL is '.'. */
  readonly qual: number | undefined;
  // Tab positions of the columns decoded on first use (ID, ALT, FILTER, INFO): streaming
  // millions of records then costs no string or array per unused column.
  private readonly t2: number;
  private readonly t3: number;
  private readonly t4: number;
  private readonly t5: number;
  private readonly t6: number;
  private readonly t7: number;
  /** The tab after INFO; -1 for a sites-only line without FORMAT. */
  private readonly t8: number;
  private idCache: string | undefined;
  private altsCache: readonly string[] | undefined;
  private filtersCache: readonly string[] | undefined;
  private infoTextCache: string | undefined;
  private infoCache: Map<string, string | true> | undefined;
  private sampleCols: string[] | undefined;
  private formatKeysCache: string[] | undefined;
  private readonly file: string;

  /**
   * Validates the fixed columns now (column count, POS, REF, QUAL), so a malformed line fails
   * while streaming, with its line number.
   *
   * @param line one data line without its newline
   * @param lineNumber 1-based line number in the (decompressed) file, for error messages; 0 if unknown
   */
  constructor(readonly line: string, readonly lineNumber: number, file: string) {
    // Hot path when streaming (millions of records). The tabs are the tokenizer's layout
    // (vcfLineTokenizer.ts: t1 … t8 are `tabs[0 .. 8)`), found here by the same indexOf scan
    // written out into locals: going through `findTabs` and an Int32Array made this
    // constructor ~20 % slower, which is most of a whole-file stream (docs/decisions/0014).
    const t1 = line.indexOf('\t');
    const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
    const t3 = t2 < 0 ? -1 : line.indexOf('\t', t2 + 1);
    const t4 = t3 < 0 ? -1 : line.indexOf('\t', t3 + 1);
    const t5 = t4 < 0 ? -1 : line.indexOf('\t', t4 + 1);
    const t6 = t5 < 0 ? -1 : line.indexOf('\t', t5 + 1);
    const t7 = t6 < 0 ? -1 : line.indexOf('\t', t6 + 1);
    if (t7 < 0) {
      const cols = countColumns(line);
      throw malformed(file, lineNumber, `has ${cols} tab-separated column${cols === 1 ? '' : 's'}; a VCF record needs at least 8`, line);
    }
    if (t1 === 0) throw malformed(file, lineNumber, 'has an empty CHROM', line);
    let p = 0;
    for (let i = t1 + 1; i < t2; i++) {
      const c = line.charCodeAt(i) - 48;
      if (c < 0 || c > 9) { p = -1; break; }
      p = p * 10 + c;
    }
    if (p < 0 || t2 === t1 + 1) throw malformed(file, lineNumber, `has POS "${line.slice(t1 + 1, t2)}", which is not a non-negative integer`, line);
    if (p > Number.MAX_SAFE_INTEGER) throw malformed(file, lineNumber, `has POS ${line.slice(t1 + 1, t2)}, larger than 2^53 - 1, the largest position Variant Lens can represent exactly`, line);
    const ref = line.slice(t3 + 1, t4);
    if (!isBaseSequence(ref)) {
      throw malformed(file, lineNumber, ref === '.' || ref === '' ? `has REF "${ref}"; REF must be the reference base(s) at POS` : `has REF "${ref.slice(0, 20)}", which is not a base sequence`, line);
    }
    let q: number | undefined;
    if (!(t6 === t5 + 2 && line.charCodeAt(t5 + 1) === 46 /* . */)) {
      q = parseDecimal(line, t5 + 1, t6);
      if (Number.isNaN(q)) {
        const qual = line.slice(t5 + 1, t6);
        q = Number(qual);
        if (Number.isNaN(q) || qual === '') throw malformed(file, lineNumber, `has QUAL "${qual}", which is not a number`, line);
      }
    }
    this.file = file;
    this.contig = sameContig(line, t1);
    this.pos = p;
    this.ref = isUpperCase(ref) ? ref : ref.toUpperCase();
    this.qual = q;
    this.t2 = t2;
    this.t3 = t3;
    this.t4 = t4;
    this.t5 = t5;
    this.t6 = t6;
    this.t7 = t7;
    this.t8 = line.indexOf('\t', t7 + 1);
    this.idCache = undefined;
    this.altsCache = undefined;
    this.filtersCache = undefined;
    this.infoTextCache = undefined;
    this.infoCache = undefined;
    this.sampleCols = undefined;
    this.formatKeysCache = undefined;
  }

  /**
   * Fills `out` (at least 8 slots) with the tabs of this line in the tokenizer's layout
   * (vcfLineTokenizer.ts), reusing the ones the constructor found; only the FORMAT tab and
   * later ones are searched.
   */
  tabsInto(out: VcfLineTabs): void {
    const at = out.at;
    at[0] = this.contig.length;
    at[1] = this.t2;
    at[2] = this.t3;
    at[3] = this.t4;
    at[4] = this.t5;
    at[5] = this.t6;
    at[6] = this.t7;
    at[7] = this.t8;
    if (this.t8 >= 0) out.scanFrom(this.line, 8);
    else {
      for (let k = 8; k < out.slots; k++) at[k] = -1;
      out.found = FIXED_COLUMN_TABS;
    }
  }

  /** The ID column ('.' when missing). */
  get id(): string {
    return (this.idCache ??= this.line.slice(this.t2 + 1, this.t3));
  }

  /** ALT alleles; [] when ALT is '.'. */
  get alts(): readonly string[] {
    if (this.altsCache === undefined) {
      const alt = this.line.slice(this.t4 + 1, this.t5);
      const alts = alt === '.' ? NO_STRINGS : alt.indexOf(',') < 0 ? [alt] : alt.split(',');
      const bad = invalidAltReason(this.ref, alts);
      if (bad) throw malformed(this.file, this.lineNumber, bad, this.line);
      this.altsCache = alts;
    }
    return this.altsCache;
  }

  /** [] when FILTER is '.'; ['PASS'] when PASS. */
  get filters(): readonly string[] {
    if (this.filtersCache === undefined) {
      const filter = this.line.slice(this.t6 + 1, this.t7);
      this.filtersCache = filter === '.' ? NO_STRINGS : filter === 'PASS' ? PASS : filter.split(';');
    }
    return this.filtersCache;
  }

  /** The raw INFO column. */
  get infoText(): string {
    return (this.infoTextCache ??= this.line.slice(this.t7 + 1, this.t8 < 0 ? lineEnd(this.line) : this.t8));
  }

  /** 0-based start of the REF allele. */
  get start0(): number {
    return this.pos - 1;
  }

  /** 0-based exclusive end: INFO/END when present (gVCF blocks, symbolic SVs), else start + len(REF). */
  get end0(): number {
    const end = this.infoField('END');
    if (typeof end === 'string' && /^\d+$/.test(end)) return Number(end);
    return this.pos - 1 + this.ref.length;
  }

  info(): ReadonlyMap<string, string | true> {
    if (!this.infoCache) {
      this.infoCache = new Map();
      if (this.infoText !== '.' && this.infoText !== '') {
        for (const kv of this.infoText.split(';')) {
          const eq = kv.indexOf('=');
          if (eq < 0) this.infoCache.set(kv, true);
          else this.infoCache.set(kv.slice(0, eq), kv.slice(eq + 1));
        }
      }
    }
    return this.infoCache;
  }

  /** INFO value as text, true for a flag, undefined when absent. */
  infoField(key: string): string | true | undefined {
    return this.info().get(key);
  }

  private columns(): string[] {
    if (!this.sampleCols) {
      this.sampleCols = this.t8 < 0 ? [] : this.line.slice(this.t8 + 1, lineEnd(this.line)).split('\t');
    }
    return this.sampleCols;
  }

  get formatKeys(): readonly string[] {
    if (!this.formatKeysCache) {
      const f = this.columns()[0];
      this.formatKeysCache = f === undefined || f === '' || f === '.' ? [] : f.split(':');
    }
    return this.formatKeysCache;
  }

  get sampleCount(): number {
    return Math.max(0, this.columns().length - 1);
  }

  /** Raw FORMAT value of one sample; undefined when absent or '.'. */
  sampleField(sampleIndex: number, key: string): string | undefined {
    const k = this.formatKeys.indexOf(key);
    if (k < 0) return undefined;
    const col = this.columns()[sampleIndex + 1];
    if (col === undefined) return undefined;
    const v = col.split(':')[k];
    return v === undefined || v === '.' || v === '' ? undefined : v;
  }

  genotype(sampleIndex: number): Genotype | undefined {
    const gt = this.sampleField(sampleIndex, 'GT');
    if (gt === undefined) return undefined;
    const g = parseGenotype(gt);
    const bad = invalidGenotypeReason(gt, g, this.alts.length);
    if (bad) throw malformed(this.file, this.lineNumber, `sample ${sampleIndex + 1}: ${bad}`, this.line);
    return g;
  }

  /** 'SNP' when REF and every concrete ALT are one base, else 'INDEL' (symbolic alleles are ignored). */
  get variantType(): 'SNP' | 'INDEL' | 'REF' {
    const concrete = this.alts.filter((a) => !isSymbolicAllele(a));
    if (concrete.length === 0) return 'REF';
    return this.ref.length === 1 && concrete.every((a) => a.length === 1) ? 'SNP' : 'INDEL';
  }
}

export function parseGenotype(gt: string): Genotype {
  // VCF 4.4 allows a phasing marker before the first allele ("/1", "|0|1"): it is not an allele.
  const lead = gt.charCodeAt(0);
  const body = lead === 47 || lead === 124 ? gt.slice(1) : gt;
  const phased = gt.includes('|');
  const alleles = body.split(/[/|]/).map((a) => (a === '.' ? null : /^\d+$/.test(a) ? Number(a) : NaN));
  return { alleles, phased };
}

export function formatGenotype(g: Genotype): string {
  return g.alleles.map((a) => (a === null ? '.' : String(a))).join(g.phased ? '|' : '/');
}

/** `<*>`, `<NON_REF>`, `<DEL>`, breakends and the VCF 4.2 missing '*' allele are not sequences. */
export function isSymbolicAllele(alt: string): boolean {
  return alt.startsWith('<') || alt === '*' || alt.includes('[') || alt.includes(']') || alt === '.' ||
    // Single breakends (VCF 4.2 §5.4.9): ".G" or "G." are not sequences either.
    (alt.length > 1 && (alt.charCodeAt(0) === 46 || alt.charCodeAt(alt.length - 1) === 46));
}

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** Columns of a line with fewer than 8 (for the error message), by the shared tokenizer. */
function countColumns(line: string): number {
  return findTabs(line, new Int32Array(FIXED_COLUMN_TABS + 1)) + 1;
}

/**
 * The last CHROM seen: consecutive records share their contig, so the common case reuses
 * one string instead of slicing a new one per record.
 */
let lastContig = '';

function sameContig(line: string, t1: number): string {
  const last = lastContig;
  if (last.length === t1 && line.startsWith(last)) return last;
  return (lastContig = line.slice(0, t1));
}

/** 10^k for k ≤ 22: exactly representable doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `[-]digits[.digits]` in line[from, to) as a number equal to `Number(text)`, or NaN when
 * the text has another form (exponent, inf, too many digits: the caller uses Number()).
 * Exact: mantissa (< 2^53) / 10^k (k ≤ 22) are both exact doubles and IEEE division rounds
 * correctly, so the result is the double nearest to the decimal, as Number() gives. Also
 * the table columns' fast path for QUAL and numeric fields (vcfTableColumns.ts).
 */
export function parseDecimal(line: string, from: number, to: number): number {
  let i = from;
  let neg = false;
  if (line.charCodeAt(i) === 45 /* - */) { neg = true; i++; }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 /* . */ && frac < 0) {
      frac = i;
    } else {
      return NaN;
    }
  }
  return decimalValue(neg, m, digits, frac < 0 ? 0 : to - frac - 1);
}
/** `parseDecimal` of the bytes b[from, to) (the same digits, the same arithmetic, the same NaN cases). */
export function parseDecimalBytes(b: Uint8Array, from: number, to: number): number {
  let i = from;
  let neg = false;
  if (b[i] === 45 /* - */) { neg = true; i++; }
  let m = 0;
  let digits = 0;
  let frac = -1;
  for (; i < to; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 /* . */ && frac < 0) {
      frac = i;
    } else {
      return NaN;
    }
  }
  return decimalValue(neg, m, digits, frac < 0 ? 0 : to - frac - 1);
}
/** The value of a plain decimal read as `m` (its `digits` digits) with `fracDigits` of them after the point. */
function decimalValue(neg: boolean, m: number, digits: number, fracDigits: number): number {
  if (digits === 0 || digits > 15 || fracDigits > 22) return NaN;
  const v = fracDigits === 0 ? m : m / POW10[fracDigits]!;
  return neg ? -v : v;
}
const PASS: readonly string[] = Object.freeze(['PASS']);

/** REF: A C G T N (either case); non-empty ('.' and '*' are not reference bases). */
function isBaseSequence(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    switch (s.charCodeAt(i)) {
      case 65: case 67: case 71: case 84: case 78: // A C G T N
      case 97: case 99: case 103: case 116: case 110: // a c g t n
        continue;
      default:
        return false;
    }
  }
  return true;
}

function isUpperCase(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 97) return false;
  return true;
}

function malformed(file: string, lineNumber: number, what: string, line: string): VariantLensError {
  const where = lineNumber > 0 ? `line ${lineNumber}` : 'a record';
  return new VariantLensError('malformed-vcf', `${where} ${what}: "${line.slice(0, 80)}${line.length > 80 ? '…' : ''}"`, file);
}
