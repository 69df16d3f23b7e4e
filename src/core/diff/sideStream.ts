/**
 * One file's side of the diff: streams its records in (contig rank, POS) order, normalizes
 * every ALT (split, trim, left-align — variantNormalizer.ts) and hands the engine
 * (vcfDiff.ts) alleles that can no longer be overtaken by a left-shifted later allele.
 * Memory is bounded by the re-sorting window (`window`, like bcftools norm --site-win).
 *
 * Reading order: the file's own order when its header agrees with the global contig order
 * (ContigOrder), else contig by contig through its index (`VcfSource.query`); a body that
 * breaks the order fails with a message that says how to sort it.
 *
 * Each record's columns come from the shared tokenizer's layout (io/vcf/vcfLineTokenizer.ts).
 * A file read in its own order (BGZF or plain) is read as bytes (`VcfFile.dataByteBatches`):
 * a line of the common form (the current contig, POS digits, REF and ALT of upper-case bases,
 * QUAL a plain decimal or '.', a FORMAT and the sample's column) is read from its bytes
 * (`addBytes`; no string per line: decision 0016, "Speed, sixth round") and
 * every other line is decoded and read as text (`addLine`). A plain-gzip file is read as text
 * lines (`VcfFile.dataLines`). The text path tokenizes and checks each line here, without a
 * VcfRecord per line: the common line is read in place, and any other line is handed to
 * VcfRecord, whose constructor reads it or fails with its message. GT and GQ of the chosen
 * sample are read straight from the line, GTs parsed once per distinct text (GenotypeCache).
 * Both paths end in the same checks and queueing (`finishParsed`), and a test reads the same
 * files through bytes, text lines and VcfRecords (test/unit/diff/sideStreamLines.test.ts).
 *
 * Coordinates: VCF POS (1-based) throughout; `region` is 0-based half-open.
 */
import { VariantLensError, throwIfAborted } from '../errors';
import { describeAvailable } from '../io/contigAliases';
import { badRecord, checkGtAlleles, invalidAltReason } from '../io/vcf/vcfValidate';
import type { ReferenceSource } from '../io/fasta/referenceSource';
import { FIXED_COLUMN_TABS, VcfLineTabs, fieldEnd } from '../io/vcf/vcfLineTokenizer';
import { headerAfterData, type DataLineBatch } from '../io/vcf/vcfReader';
import { VcfRecord, isSymbolicAllele, parseDecimal, parseDecimalBytes, type VcfHeader } from '../io/vcf/vcfRecord';
import { LineTooLongError } from '../io/vcf/lineLimit';
import type { ByteLineBatch } from '../io/vcf/lineScanner';
import type { VcfSource } from '../io/vcf/vcfSource';
import type { ContigOrder } from './contigOrder';
import { variantKind, type DiffVariantKind, type SideCall } from './diffClasses';
import type { DiffSummaryBuilder } from './diffSummary';
import { NO_GT, type GenotypeCache, type GtInfo } from './genotypeCache';
import { ReferenceWindow, normalizeAllele, type NormalizedAllele } from './variantNormalizer';

export interface DiffRegion {
  readonly contig: string;
  /** 0-based half-open. */
  readonly start: number;
  readonly end: number;
}

/** What a side stream needs of the diff options. */
interface SideStreamOptions {
  /** When given, indels are left-aligned against it. */
  readonly reference?: ReferenceSource;
  /** Only records overlapping this region (read through the index). */
  readonly region?: DiffRegion;
  /** Also read the sample's DP and AD (site features; a little slower). */
  readonly sampleFields?: boolean;
}

/** A normalized allele of one side; it is also the SideCall the engine counts. */
export interface AlleleItem extends SideCall {
  readonly rank: number;
  readonly contig: string;
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
  readonly kind: DiffVariantKind;
  used: boolean;
  /**
   * Side B with `sampleFields`: where the record's DP and AD are, read into `dp` and `vaf` by
   * `resolveDepth` only when an output needs them (see `SideStream.resolveDepth`); undefined
   * once read, and on side A (read with the record).
   */
  deferred: DeferredDepth | undefined;
  dp: number | undefined;
  vaf: number | undefined;
}

/** A record's sample column (its FORMAT's slots) and the allele's ALT number, for `resolveDepth`. */
interface DeferredDepth {
  readonly line: string;
  /** Start of the sample's column in `line`. */
  readonly at: number;
  readonly slots: FormatSlots;
  readonly altIndex: number;
}

/** A VcfSource that can also stream records in batches (VcfFile does): far fewer awaits per record. */
interface BatchedVcfSource extends VcfSource {
  recordBatches(signal?: AbortSignal): AsyncIterable<VcfRecord[]>;
}

function hasBatches(s: VcfSource): s is BatchedVcfSource {
  return typeof (s as Partial<BatchedVcfSource>).recordBatches === 'function';
}

/** A VcfSource that can also hand out its data lines without records (VcfFile does). */
interface LineVcfSource extends VcfSource {
  dataLines(signal?: AbortSignal): AsyncIterable<DataLineBatch>;
}

function hasDataLines(s: VcfSource): s is LineVcfSource {
  return typeof (s as Partial<LineVcfSource>).dataLines === 'function';
}

/** A VcfSource that can also hand out its data lines as bytes (VcfFile does, except for plain gzip). */
interface ByteVcfSource extends VcfSource {
  readonly headerLines: number;
  dataByteBatches(signal?: AbortSignal): AsyncGenerator<ByteLineBatch> | undefined;
}

function hasDataBytes(s: VcfSource): s is ByteVcfSource {
  return typeof (s as Partial<ByteVcfSource>).dataByteBatches === 'function' && typeof (s as Partial<ByteVcfSource>).headerLines === 'number';
}

/** The one-character string of each upper-case base byte A, C, G, T, N (the byte path's REF and ALT). */
const BASE_TEXT: readonly (string | undefined)[] = (() => {
  const t: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  for (const b of 'ACGTN') t[b.charCodeAt(0)] = b;
  return t;
})();

async function* singletons(records: AsyncIterable<VcfRecord>): AsyncGenerator<VcfRecord[]> {
  for await (const r of records) yield [r];
}

/**
 * One file's stream of normalized alleles in (contig rank, POS) order. `ready` holds
 * alleles that can no longer be overtaken by a left-shifted later allele.
 */
export class SideStream {
  ready: AlleleItem[] = [];
  i = 0;
  done = false;
  records = 0;
  private pending: AlleleItem[] = [];
  private pendingHead = 0;
  /** Records (a region query, a file read contig by contig) or, else, data lines. */
  private readonly iterator: AsyncIterator<VcfRecord[]> | undefined;
  private readonly lineIterator: AsyncIterator<DataLineBatch> | undefined;
  /** Or the data lines as bytes (`addBytes`); `bytes[bPos, bEnd)` is the rest of the batch, `lineNo` the next line's number. */
  private readonly byteIterator: AsyncIterator<ByteLineBatch> | undefined;
  private bytes: Buffer = Buffer.alloc(0);
  private bPos = 0;
  private bEnd = 0;
  private lineNo = 0;
  /** UTF-8 bytes of `curContig` and of `lastFormat`, for the byte path's comparisons. */
  private curContigBytes: Buffer = Buffer.alloc(0);
  private lastFormatBytes: Buffer = Buffer.alloc(0);
  private batch: readonly VcfRecord[] = [];
  private lines: readonly string[] = [];
  private firstLine = 0;
  private bi = 0;
  private readonly refWindow: ReferenceWindow | undefined;
  private readonly hasSamples: boolean;
  private readonly formats = new Map<string, FormatSlots>();
  private lastFormat = '';
  private lastSlots: FormatSlots | undefined;
  /** Set by `addLine` when the line's FORMAT is `lastFormat` (`sampleGt` then skips comparing it again). */
  private formatKnown = false;
  private curRank = -1;
  private curContig = '';
  private curResolved = '';
  private lastPos = 0;
  private lastLine = 0;
  /** REF/ALT of the records at lastPos (to find repeated records). */
  private readonly posAlleles: { ref: string; alt: string; line: number }[] = [];
  /** The first record at lastPos: REF, ALT text and line (posAlleles is filled from it when another record comes at that POS). */
  private posFirstRef = '';
  private posFirstAlt = '';
  private posFirstLine = 0;
  /** Contigs of records that no header (nor the reference) lists. */
  private readonly unlisted = new Set<string>();
  /** Tabs of the record being read (found here, or taken from VcfRecord.tabsInto). */
  private readonly tabs = new VcfLineTabs();
  /** GQ of the chosen sample of the record being read, set by `sampleGt`. */
  private gq: number | undefined;
  /** With `sampleFields`: DP of the record being read, and its AD (adCount values in `ad`). */
  private readonly sampleFields: boolean;
  /**
   * Side B defers reading DP and AD: a site's per-call features take A's values when A has a
   * record (featureBins.ts), so B's are needed only where A has none, for the sites that leave
   * the engine (differing ones), and with `includeSame`; the engine asks for them then
   * (vcfDiff.ts). Side A reads them with the record.
   */
  private readonly deferDepth: boolean;
  /** With `deferDepth`: the sample column start of the record being read (-1: none) and its line, set by `sampleGt`. */
  private sampleAt = -1;
  private deferLine = '';
  private deferSlots: FormatSlots | undefined;
  private dp: number | undefined;
  private readonly ad: number[] = [];
  private adCount = 0;
  private adSum = 0;
  /** FORMAT MID of the chosen sample (DeepVariant 1.8+: "small_model"), set by `sampleGt`. */
  private mid: string | undefined;

  constructor(
    private readonly side: 'A' | 'B',
    private readonly source: VcfSource,
    header: VcfHeader,
    private readonly sampleIndex: number,
    private readonly genotypes: GenotypeCache,
    private readonly contigs: ContigOrder,
    options: SideStreamOptions,
    private readonly window: number,
    private readonly builder: DiffSummaryBuilder,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.refWindow = options.reference ? new ReferenceWindow(options.reference) : undefined;
    this.hasSamples = header.samples.length > 0;
    this.sampleFields = options.sampleFields === true;
    this.deferDepth = this.sampleFields && side === 'B';
    const region = options.region;
    let it: AsyncIterable<VcfRecord[]> | undefined;
    if (region) it = singletons(source.query(region.contig, region.start, region.end, signal));
    else if (!headerOrderAgrees(header, contigs)) it = singletons(byContig(source, contigs, signal));
    else if (this.hasSamples && hasDataBytes(source) && (this.byteIterator = source.dataByteBatches(signal)?.[Symbol.asyncIterator]()) !== undefined) this.lineNo = source.headerLines + 1;
    else if (hasDataLines(source)) this.lineIterator = source.dataLines(signal)[Symbol.asyncIterator]();
    else if (hasBatches(source)) it = source.recordBatches(signal);
    else it = singletons(source.records(signal));
    this.iterator = it?.[Symbol.asyncIterator]();
  }

  /** Reads records until at least one allele is ready or the file ends. */
  async fill(): Promise<void> {
    if (this.i > 0) {
      this.ready = this.i >= this.ready.length ? [] : this.ready.slice(this.i);
      this.i = 0;
    }
    if (this.byteIterator) return this.fillFromBytes(this.byteIterator);
    if (this.lineIterator) return this.fillFromLines(this.lineIterator);
    // Drain whole batches (one BGZF block, hundreds of records) so `ready` usually holds many
    // alleles and the merge loop rarely waits.
    while (this.ready.length === 0 || this.bi < this.batch.length) {
      if (this.bi >= this.batch.length) {
        const r = await this.iterator!.next();
        if (r.done) return this.endOfFile();
        this.batch = r.value;
        this.bi = 0;
        throwIfAborted(this.signal);
      }
      // Drain the batch synchronously; only indels that shift past loaded reference await.
      while (this.bi < this.batch.length) {
        const rec = this.batch[this.bi++]!;
        rec.tabsInto(this.tabs);
        const p = this.addRecord(rec.line, rec.lineNumber, rec.contig, rec.pos, rec.ref, rec.qual);
        if (p) await p;
      }
    }
  }

  /** The file is read: every allele becomes ready. */
  private endOfFile(): void {
    this.flush(Infinity);
    this.done = true;
  }

  /** `fill` over data lines: each line is tokenized and checked in `addLine`. */
  private async fillFromLines(iterator: AsyncIterator<DataLineBatch>): Promise<void> {
    while (this.ready.length === 0 || this.bi < this.lines.length) {
      if (this.bi >= this.lines.length) {
        const r = await iterator.next();
        if (r.done) return this.endOfFile();
        this.lines = r.value.lines;
        this.firstLine = r.value.first;
        this.bi = 0;
        throwIfAborted(this.signal);
      }
      const lines = this.lines;
      while (this.bi < lines.length) {
        const i = this.bi++;
        const line = lines[i]!;
        if (line.length === 0) continue;
        const p = this.addLine(line, this.firstLine + i);
        if (p) await p;
      }
    }
  }

  /** `fill` over data lines as bytes: each line is read in `addBytes`, or decoded and read in `addLine`. */
  private async fillFromBytes(iterator: AsyncIterator<ByteLineBatch>): Promise<void> {
    while (this.ready.length === 0 || this.bPos < this.bEnd) {
      if (this.bPos >= this.bEnd) {
        let r: IteratorResult<ByteLineBatch>;
        try {
          r = await iterator.next();
        } catch (e) {
          // Every line before the long one was read: it is the next line.
          if (e instanceof LineTooLongError) throw e.withLine(this.source.path, this.lineNo);
          throw e;
        }
        if (r.done) return this.endOfFile();
        this.bytes = r.value.data;
        this.bPos = r.value.start;
        this.bEnd = r.value.end;
        throwIfAborted(this.signal);
      }
      const data = this.bytes;
      const end = this.bEnd;
      while (this.bPos < end) {
        const j = this.bPos;
        let nl = data.indexOf(10 /* \n */, j);
        if (nl < 0 || nl > end) nl = end;
        this.bPos = nl + 1;
        const lineNumber = this.lineNo++;
        // The line without its newline and a trailing CR (as the line reader strips them); empty lines are skipped.
        const e = nl > j && data[nl - 1] === 13 ? nl - 1 : nl;
        if (e === j) continue;
        const p = this.addBytes(data, j, e, lineNumber);
        if (p) await p;
      }
    }
  }

  /**
   * One data line read from its bytes data[j, e), when it has the common form: CHROM the
   * current contig, POS 1–15 digits, REF of upper-case A C G T N, ALTs of such bases (a SNP's
   * ALT one of A C G T other than REF), QUAL '.' or a plain decimal, a FORMAT (the previous
   * line's, or one looked up by its text) and the sample's column. Everything is read before
   * anything changes; any other line (a new contig, a lower-case or symbolic allele, an ALT
   * that `addRecord` refuses, an odd field, a header line) is decoded and read by `addLine`,
   * so the errors and the odd forms stay the text path's. The values read are the ones
   * `addLine` → `finishRecord` reads; both end in `finishParsed`.
   */
  private addBytes(d: Buffer, j: number, e: number, lineNumber: number): Promise<void> | undefined {
    const cb = this.curContigBytes;
    const cl = cb.length;
    if (cl === 0 || j + cl >= e || d[j + cl] !== 9) return this.addDecoded(d, j, e, lineNumber);
    for (let k = 0; k < cl; k++) if (d[j + k] !== cb[k]) return this.addDecoded(d, j, e, lineNumber);
    // POS
    let i = j + cl + 1;
    const p0 = i;
    let pos = 0;
    for (; i < e; i++) {
      const c = d[i]! - 48;
      if (c < 0 || c > 9) break;
      pos = pos * 10 + c;
    }
    if (i === p0 || i - p0 > 15 || i >= e || d[i] !== 9) return this.addDecoded(d, j, e, lineNumber);
    // ID
    i++;
    while (i < e && d[i] !== 9) i++;
    // REF: upper-case A C G T N; ALT: such bases and commas. A SNP's ALT is one of A C G T, not REF.
    const r0 = ++i;
    while (i < e && BASE_TEXT[d[i]!] !== undefined) i++;
    if (i === r0 || i >= e || d[i] !== 9) return this.addDecoded(d, j, e, lineNumber);
    const a0 = ++i;
    while (i < e && (BASE_TEXT[d[i]!] !== undefined || d[i] === 44 /* , */)) i++;
    if (i === a0 || i >= e || d[i] !== 9) return this.addDecoded(d, j, e, lineNumber);
    const a1 = i;
    const snp = a1 - a0 === 1 && a0 - r0 === 2;
    if (snp && (d[r0] === d[a0] || d[a0] === 78 /* N */)) return this.addDecoded(d, j, e, lineNumber);
    // QUAL
    i++;
    const q0 = i;
    while (i < e && d[i] !== 9) i++;
    if (i >= e) return this.addDecoded(d, j, e, lineNumber);
    let qual: number | undefined;
    if (!(i === q0 + 1 && d[q0] === 46 /* . */)) {
      qual = parseDecimalBytes(d, q0, i);
      if (Number.isNaN(qual)) return this.addDecoded(d, j, e, lineNumber);
    }
    // FILTER
    const f0 = ++i;
    while (i < e && d[i] !== 9) i++;
    if (i >= e) return this.addDecoded(d, j, e, lineNumber);
    const f1 = i;
    // INFO
    i++;
    while (i < e && d[i] !== 9) i++;
    if (i >= e) return this.addDecoded(d, j, e, lineNumber);
    // FORMAT: the previous line's, else looked up by its text
    const fm = i + 1;
    const fb = this.lastFormatBytes;
    const fl = fb.length;
    let same = fl > 0 && fm + fl < e && d[fm + fl] === 9;
    for (let k = 0; same && k < fl; k++) if (d[fm + k] !== fb[k]) same = false;
    let slots: FormatSlots;
    if (same) {
      slots = this.lastSlots!;
      i = fm + fl;
    } else {
      i = fm;
      while (i < e && d[i] !== 9) i++;
      if (i >= e) return this.addDecoded(d, j, e, lineNumber);
      slots = this.useFormat(d.toString('utf8', fm, i));
    }
    // The chosen sample's column [s, sEnd)
    let s = i + 1;
    for (let k = 0; k < this.sampleIndex; k++) {
      while (s < e && d[s] !== 9) s++;
      s++;
    }
    if (s >= e) return this.addDecoded(d, j, e, lineNumber);
    let sEnd = s;
    while (sEnd < e && d[sEnd] !== 9) sEnd++;
    // Other REF/ALT: the texts, and ALTs that addRecord would refuse go to it for its error.
    const ref = snp ? BASE_TEXT[d[r0]!]! : d.toString('latin1', r0, a0 - 1);
    const altText = snp ? BASE_TEXT[d[a0]!]! : d.toString('latin1', a0, a1);
    const alts = snp ? undefined : altText.indexOf(',') < 0 ? [altText] : altText.split(',');
    if (alts !== undefined && invalidAltReason(ref, alts) !== undefined) return this.addDecoded(d, j, e, lineNumber);
    const gt = this.sampleBytes(d, s, sEnd, slots);
    const filter = f1 - f0 === 4 && d[f0] === 80 && d[f0 + 1] === 65 && d[f0 + 2] === 83 && d[f0 + 3] === 83
      ? 'PASS'
      : f1 - f0 === 1 && d[f0] === 46 ? '.' : d.toString('utf8', f0, f1);
    // Read: now the record's checks and counts, as addRecord and finishRecord make them.
    this.lineJ = j;
    this.lineE = e;
    this.records++;
    const samePos = pos === this.lastPos;
    if (pos < this.lastPos) this.unsorted(this.curContig, pos, lineNumber);
    this.lastPos = pos;
    this.lastLine = lineNumber;
    const first = this.repeated(samePos, ref, altText, lineNumber);
    if (first) throw badRecord(this.source.path, lineNumber, repeatReason(first.line), d.toString('utf8', j, e));
    if (alts === undefined) {
      this.finishParsed(undefined, lineNumber, pos, ref, qual, undefined, altText, gt, filter);
      return undefined;
    }
    const norms = new Array<NormalizedAllele | number | undefined>(alts.length);
    let needsRef = false;
    for (let k = 0; k < alts.length; k++) {
      const n = normalizeAllele(pos, ref, alts[k]!, this.refWindow?.lookup);
      norms[k] = n;
      if (typeof n === 'number') needsRef = true;
    }
    if (!needsRef) {
      this.finishParsed(undefined, lineNumber, pos, ref, qual, norms, undefined, gt, filter);
      return undefined;
    }
    const line = d.toString('utf8', j, e);
    return (async () => {
      for (let k = 0; k < norms.length; k++) {
        if (typeof norms[k] === 'number') norms[k] = await this.refWindow!.normalize(pos, ref, alts[k]!, this.signal);
      }
      // The sample's fields again: they are the side's scratch fields.
      this.finishParsed(line, lineNumber, pos, ref, qual, norms, undefined, this.sampleBytes(d, s, sEnd, slots), filter);
    })();
  }

  /** Where the line `addBytes` reads is in `bytes` (for an error's text). */
  private lineJ = 0;
  private lineE = 0;

  /** A line the byte path does not read: decoded (as the line reader decodes it) and read by `addLine`. */
  private addDecoded(d: Buffer, j: number, e: number, lineNumber: number): Promise<void> | undefined {
    return this.addLine(d.toString('utf8', j, e), lineNumber);
  }

  /**
   * `sampleGt` on the bytes of the sample's column d[s, sEnd): GT, and GQ, MID, DP and AD
   * into the same fields. DP and AD are read for both sides here (on this path they cost
   * little; side B's would otherwise wait for `resolveDepth`). A field not of the common form
   * is decoded and read by the string path's functions.
   */
  private sampleBytes(d: Buffer, s: number, sEnd: number, slots: FormatSlots): GtInfo {
    this.clearSample();
    const { gt: gtSlot, gq: gqSlot, dp: dpSlot, ad: adSlot, mid: midSlot, last } = this.sampleFields ? slots.withDepth : slots.plain;
    if (last < 0) return NO_GT;
    let gtS = -1;
    let gtE = -1;
    let a = s;
    for (let slot = 0; slot <= last; slot++) {
      let b = a;
      while (b < sEnd && d[b] !== 58 /* : */) b++;
      if (slot === gtSlot) { gtS = a; gtE = b; }
      else if (slot === gqSlot) { if (!missingBytes(d, a, b)) this.gq = numberBytes(d, a, b, true); }
      else if (slot === dpSlot) { if (!missingBytes(d, a, b)) this.dp = numberBytes(d, a, b, false); }
      else if (slot === adSlot) this.adBytes(d, a, b);
      else if (slot === midSlot) { if (!missingBytes(d, a, b)) this.mid = d.toString('utf8', a, b); }
      if (b >= sEnd) break;
      a = b + 1;
    }
    if (gtS < 0 || missingBytes(d, gtS, gtE)) return NO_GT;
    return this.genotypes.atBytes(d, gtS, gtE);
  }

  /** `readAd` on the bytes d[a, b): comma-separated counts in place; any other form decoded and read by `readAd`. */
  private adBytes(d: Buffer, a: number, b: number): void {
    const ad = this.ad;
    let n = 0;
    let sum = 0;
    let v = 0;
    let digits = false;
    for (let i = a; i < b; i++) {
      const c = d[i]!;
      if (c === 44 /* , */ && digits) {
        ad[n++] = v;
        sum += v;
        v = 0;
        digits = false;
      } else if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        digits = true;
      } else {
        const text = d.toString('utf8', a, b);
        this.readAd(text, 0, text.length);
        return;
      }
    }
    if (!digits) {
      const text = d.toString('utf8', a, b);
      this.readAd(text, 0, text.length);
      return;
    }
    ad[n++] = v;
    sum += v;
    this.adCount = n;
    this.adSum = sum;
  }

  /**
   * Tokenizes one data line into `tabs` (indexOf per tab: on these sliced line strings far
   * cheaper than a charCodeAt scan) and reads CHROM, POS, REF and QUAL in place, with the
   * checks VcfRecord's constructor makes; the FORMAT tab comes from the previous line's FORMAT
   * when the line repeats it. A line not of the common form (fewer than 8 columns, POS not
   * 1–15 digits, REF not upper-case ACGTN, QUAL not a plain decimal or '.') goes through a
   * VcfRecord, which reads it or throws its error.
   */
  private addLine(line: string, lineNumber: number): Promise<void> | undefined {
    if (line.charCodeAt(0) === 35 /* # */) throw headerAfterData(this.source.path, lineNumber, line);
    const t1 = line.indexOf('\t');
    const t2 = t1 <= 0 ? -1 : line.indexOf('\t', t1 + 1);
    // A one-character ID, REF, ALT or INFO (the common '.', a SNP's bases) ends at the tab
    // after it: two character reads instead of a search.
    const t3 = t2 < 0 ? -1 : line.charCodeAt(t2 + 2) === 9 && line.charCodeAt(t2 + 1) !== 9 ? t2 + 2 : line.indexOf('\t', t2 + 1);
    const t4 = t3 < 0 ? -1 : line.charCodeAt(t3 + 2) === 9 && line.charCodeAt(t3 + 1) !== 9 ? t3 + 2 : line.indexOf('\t', t3 + 1);
    const t5 = t4 < 0 ? -1 : line.charCodeAt(t4 + 2) === 9 && line.charCodeAt(t4 + 1) !== 9 ? t4 + 2 : line.indexOf('\t', t4 + 1);
    const t6 = t5 < 0 ? -1 : line.indexOf('\t', t5 + 1);
    const t7 = t6 < 0 ? -1 : line.indexOf('\t', t6 + 1);
    if (t7 < 0 || t2 - t1 <= 1 || t2 - t1 > 16 || t4 === t3 + 1) return this.addOddLine(line, lineNumber);
    let pos = 0;
    for (let i = t1 + 1; i < t2; i++) {
      const c = line.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return this.addOddLine(line, lineNumber);
      pos = pos * 10 + c;
    }
    for (let i = t3 + 1; i < t4; i++) {
      const c = line.charCodeAt(i);
      if (c !== 65 && c !== 67 && c !== 71 && c !== 84 && c !== 78) return this.addOddLine(line, lineNumber);
    }
    let qual: number | undefined;
    if (!(t6 === t5 + 2 && line.charCodeAt(t5 + 1) === 46 /* . */)) {
      qual = parseDecimal(line, t5 + 1, t6);
      if (Number.isNaN(qual)) return this.addOddLine(line, lineNumber);
    }
    const t8 = line.charCodeAt(t7 + 2) === 9 && line.charCodeAt(t7 + 1) !== 9 ? t7 + 2 : line.indexOf('\t', t7 + 1);
    const tabs = this.tabs;
    const at = tabs.at;
    at[0] = t1;
    at[1] = t2;
    at[2] = t3;
    at[3] = t4;
    at[4] = t5;
    at[5] = t6;
    at[6] = t7;
    at[7] = t8;
    if (t8 < 0) {
      for (let k = 8; k < at.length; k++) at[k] = -1;
      tabs.found = FIXED_COLUMN_TABS;
    } else {
      // FORMAT: the previous line's FORMAT (it holds no tab) and a tab, else the next tab.
      const fmt = this.lastFormat;
      const fl = fmt.length;
      let t9: number;
      if (fl > 0 && line.charCodeAt(t8 + 1 + fl) === 9 && line.indexOf(fmt, t8 + 1) === t8 + 1) {
        t9 = t8 + 1 + fl;
        this.formatKnown = true;
      } else t9 = line.indexOf('\t', t8 + 1);
      at[8] = t9;
      tabs.found = t9 < 0 ? 8 : 9;
    }
    const cur = this.curContig;
    const contig = t1 === cur.length && line.startsWith(cur) ? cur : line.slice(0, t1);
    const ref = t4 === t3 + 2 ? line[t3 + 1]! : line.slice(t3 + 1, t4);
    return this.addRecord(line, lineNumber, contig, pos, ref, qual);
  }

  /** A line `addLine` does not read itself: VcfRecord reads it (lower-case REF, QUAL 1e3, …) or throws its error. */
  private addOddLine(line: string, lineNumber: number): Promise<void> | undefined {
    const rec = new VcfRecord(line, lineNumber, this.source.path);
    rec.tabsInto(this.tabs);
    return this.addRecord(line, lineNumber, rec.contig, rec.pos, rec.ref, rec.qual);
  }

  /** Moves every ready allele at (rank, pos) into `out` (cleared first). */
  async takeGroup(rank: number, pos: number, out: AlleleItem[]): Promise<void> {
    // Emptied by pop: setting `length` is a runtime call, paid for every group.
    while (out.length > 0) out.pop();
    for (;;) {
      while (this.i < this.ready.length) {
        const x = this.ready[this.i]!;
        if (x.rank !== rank || x.pos !== pos) return;
        out.push(x);
        this.i++;
      }
      // The group reached the end of `ready`: an allele shifted left by more than the window
      // could still join it, so look at the next ready allele too.
      if (this.done || out.length === 0) return;
      await this.fill();
      if (this.ready.length === 0) return;
    }
  }

  /**
   * One record: its line, line number, CHROM, POS, upper-case REF and QUAL, with `tabs`
   * filled for the line (the fixed columns checked as VcfRecord checks them).
   */
  private addRecord(line: string, lineNumber: number, contig: string, pos: number, ref: string, qual: number | undefined): Promise<void> | undefined {
    this.records++;
    const samePos = pos === this.lastPos && contig === this.curContig;
    if (contig !== this.curContig) this.enterContig(contig, pos, lineNumber);
    else if (pos < this.lastPos) this.unsorted(contig, pos, lineNumber);
    this.lastPos = pos;
    this.lastLine = lineNumber;
    const tabs = this.tabs.at;
    const a0 = tabs[3]! + 1;
    const a1 = tabs[4]!;
    // A record repeated (same POS, REF and ALT) would count twice: refuse it.
    // Most records are alone at their POS: keep the record itself and make the key list
    // only when a second record comes at the same POS.
    // Fast path, most records: one REF base, one upper-case ALT base (not '*' or '.'): a SNP
    // that normalization leaves as it is. Its ALT is a one-character string (no allocation).
    const snp = a1 - a0 === 1 && ref.length === 1;
    const altKey = snp ? line[a0]! : line.slice(a0, a1);
    const first = this.repeated(samePos, ref, altKey, lineNumber);
    if (first) throw badRecord(this.source.path, lineNumber, repeatReason(first.line), line);
    if (a1 === a0) throw badRecord(this.source.path, lineNumber, 'has an empty ALT column (use "." for no ALT allele)', line);
    if (snp) {
      const c = line.charCodeAt(a0);
      if (c >= 65 && c <= 90) {
        if (c === ref.charCodeAt(0)) throw badRecord(this.source.path, lineNumber, invalidAltReason(ref, [altKey])!, line);
        this.finishRecord(line, lineNumber, pos, ref, qual, undefined, altKey);
        return undefined;
      }
    }
    const altText = altKey;
    if (altText === '.') {
      this.finishRecord(line, lineNumber, pos, ref, qual, undefined, undefined);
      return undefined;
    }
    const alts = altText.indexOf(',') < 0 ? [altText] : altText.split(',');
    const badAlt = invalidAltReason(ref, alts);
    if (badAlt) throw badRecord(this.source.path, lineNumber, badAlt, line);
    const norms = new Array<NormalizedAllele | number | undefined>(alts.length);
    let needsRef = false;
    for (let k = 0; k < alts.length; k++) {
      const alt = alts[k]!;
      if (isSymbolicAllele(alt)) continue;
      const n = normalizeAllele(pos, ref, alt.toUpperCase(), this.refWindow?.lookup);
      norms[k] = n;
      if (typeof n === 'number') needsRef = true;
    }
    if (!needsRef) {
      this.finishRecord(line, lineNumber, pos, ref, qual, norms, undefined);
      return undefined;
    }
    return (async () => {
      for (let k = 0; k < norms.length; k++) {
        if (typeof norms[k] === 'number') norms[k] = await this.refWindow!.normalize(pos, ref, alts[k]!.toUpperCase(), this.signal);
      }
      // Find the tabs again: other records may have been read meanwhile.
      this.tabs.scan(line);
      this.formatKnown = false;
      this.finishRecord(line, lineNumber, pos, ref, qual, norms, undefined);
    })();
  }

  /**
   * Notes a record's REF and ALT text at its POS; returns the earlier record at the POS with
   * the same REF and ALT, if any (a record repeated would count twice). Most records are alone
   * at their POS: the record itself is kept, and the key list made only when a second record
   * comes at the same POS.
   */
  private repeated(samePos: boolean, ref: string, altKey: string, lineNumber: number): { line: number } | undefined {
    if (!samePos) {
      if (this.posAlleles.length !== 0) this.posAlleles.length = 0; // (a runtime call: not for every record)
      this.posFirstRef = ref;
      this.posFirstAlt = altKey;
      this.posFirstLine = lineNumber;
      return undefined;
    }
    if (this.posAlleles.length === 0) this.posAlleles.push({ ref: this.posFirstRef, alt: this.posFirstAlt, line: this.posFirstLine });
    const first = this.posAlleles.find((k) => k.ref === ref && k.alt === altKey);
    if (first) return first;
    this.posAlleles.push({ ref, alt: altKey, line: lineNumber });
    return undefined;
  }

  /**
   * Counts the record and queues its alleles: `norms` (one per ALT; undefined for symbolic
   * ones) or the single SNP ALT `snpAlt`. Needs `tabs` filled for `rec.line`.
   */
  private finishRecord(
    line: string, lineNumber: number, pos: number, ref: string, qual: number | undefined,
    norms: (NormalizedAllele | number | undefined)[] | undefined, snpAlt: string | undefined,
  ): void {
    const tabs = this.tabs.at;
    // GT and GQ of the chosen sample, read straight from the line (no splits, few strings).
    const gt = this.hasSamples ? this.sampleGt(line) : undefined;
    const f0 = tabs[5]! + 1;
    const f1 = tabs[6]!;
    // FILTER as written ('.', 'PASS', 'A;B'): what the split FILTER list joins back to.
    // (PASS by its character codes: startsWith(…, f0) measured twice as slow on these lines.)
    const filter = f1 - f0 === 4 && line.charCodeAt(f0) === 80 && line.charCodeAt(f0 + 1) === 65 && line.charCodeAt(f0 + 2) === 83 && line.charCodeAt(f0 + 3) === 83
      ? 'PASS'
      : f1 - f0 === 1 && line.charCodeAt(f0) === 46 ? '.' : line.slice(f0, f1);
    this.finishParsed(line, lineNumber, pos, ref, qual, norms, snpAlt, gt, filter);
  }

  /**
   * `finishRecord` once the sample's fields (`gt`; GQ, MID, DP and AD in the side's fields)
   * and FILTER are read, from the line's text or its bytes. `line`: the text for an error
   * (undefined on the byte path: decoded from `bytes` then).
   */
  private finishParsed(
    line: string | undefined, lineNumber: number, pos: number, ref: string, qual: number | undefined,
    norms: (NormalizedAllele | number | undefined)[] | undefined, snpAlt: string | undefined, gt: GtInfo | undefined, filter: string,
  ): void {
    if (gt !== undefined) {
      // A GT naming an ALT the record lacks, or a non-number, is an error, not a guess.
      // (Checked once per distinct GT text: GtInfo.maxAllele, -1 when an allele is not "." or a number.)
      const altCount = snpAlt !== undefined ? 1 : norms?.length ?? 0;
      if (gt.alleles && (gt.maxAllele < 0 || gt.maxAllele > altCount)) {
        const bad = checkGtAlleles(gt.alleles, altCount, gt.text);
        if (bad) throw badRecord(this.source.path, lineNumber, bad, line ?? this.bytes.toString('utf8', this.lineJ, this.lineE));
      }
    }
    this.builder.addRecordZygosity(this.side, gt === undefined ? 0 : gt.zygosity);
    if (norms === undefined && snpAlt === undefined) { this.flush(pos - this.window); return; }
    const gq = gt === undefined ? undefined : this.gq;
    const mid = gt === undefined ? undefined : this.mid;
    const recordGt = gt === undefined ? '' : gt.text;
    if (snpAlt !== undefined) {
      this.queue(pos, lineNumber, pos, ref, snpAlt, 'SNP', 1, gt, recordGt, qual, filter, gq, mid);
    } else {
      for (let k = 0; k < norms!.length; k++) {
        const norm = norms![k];
        if (norm === undefined || typeof norm === 'number') continue;
        this.queue(pos, lineNumber, norm.pos, norm.ref, norm.alt, variantKind(norm.ref, norm.alt), k + 1, gt, recordGt, qual, filter, gq, mid);
      }
    }
    this.flush(pos - this.window);
  }

  private queue(
    recordPos: number, lineNumber: number, pos: number, ref: string, alt: string, kind: DiffVariantKind, altIndex: number,
    gtInfo: GtInfo | undefined, recordGt: string, qual: number | undefined, filter: string, gq: number | undefined, mid: string | undefined,
  ): void {
    let gt = '';
    let called = true; // sites-only VCFs: every ALT counts as called, as bcftools isec sees them
    if (gtInfo !== undefined) {
      if (gtInfo.alleles) { gt = gtInfo.projected(altIndex); called = gtInfo.calls(altIndex); } else { gt = '.'; called = false; }
    }
    let dp: number | undefined;
    let vaf: number | undefined;
    let deferred: DeferredDepth | undefined;
    // (Side B's DP and AD wait when `sampleGt` left where they are; the byte path has read them.)
    if (this.deferDepth && this.sampleAt >= 0) {
      deferred = { line: this.deferLine, at: this.sampleAt, slots: this.deferSlots!, altIndex };
    } else if (this.sampleFields) {
      dp = this.depthOf();
      vaf = this.vafOf(altIndex);
    }
    this.insert({ rank: this.curRank, contig: this.curResolved, pos, ref, alt, kind, used: false, gt, recordGt, called, qual, filter, gq, recordPos, lineNumber, dp, vaf, mid, deferred });
  }

  /** The record's depth from the DP and AD read last: DP, else the sum of AD. */
  private depthOf(): number | undefined {
    return this.dp === undefined && this.adCount > 0 ? this.adSum : this.dp;
  }

  /** ALT `altIndex`'s fraction of the AD read last (undefined without AD for it, or with no reads). */
  private vafOf(altIndex: number): number | undefined {
    return this.adCount > altIndex && this.adSum > 0 ? this.ad[altIndex]! / this.adSum : undefined;
  }

  /**
   * Reads a deferred allele's DP and AD into its `dp` and `vaf` (nothing when it has none
   * deferred): the same fields, read the same way, as side A reads them with the record.
   */
  resolveDepth(x: AlleleItem): void {
    const d = x.deferred;
    if (d === undefined) return;
    x.deferred = undefined;
    this.readDepthFields(d.line, d.at, d.slots);
    x.dp = this.depthOf();
    x.vaf = this.vafOf(d.altIndex);
  }

  /** DP and AD of the sample column starting at `s`: the fields up to the later of the two, read as `sampleGt` reads them. */
  private readDepthFields(line: string, s: number, slots: FormatSlots): void {
    this.dp = undefined;
    this.adCount = 0;
    this.adSum = 0;
    this.walkSample(line, s, Math.max(slots.dp, slots.ad), -1, -1, slots.dp, slots.ad, -1);
  }

  /** Clears the fields a record's sample column fills (GQ, DP, AD, MID, where B's DP/AD wait). */
  private clearSample(): void {
    this.gq = undefined;
    this.dp = undefined;
    this.adCount = 0;
    this.adSum = 0;
    this.mid = undefined;
    this.sampleAt = -1;
  }

  /**
   * The GT of the chosen sample (NO_GT when absent or '.'); sets `this.gq` to its GQ.
   * Needs `tabs` filled for `line`.
   */
  private sampleGt(line: string): GtInfo {
    this.clearSample();
    const tabs = this.tabs;
    const known = this.formatKnown;
    this.formatKnown = false;
    const t7 = tabs.at[7]!;
    if (t7 < 0) return NO_GT;
    const fmtEnd = tabs.at[8]!;
    if (fmtEnd < 0) return NO_GT;
    const fmtLen = fmtEnd - t7 - 1;
    let slots = this.lastSlots;
    // indexOf(…) === start: measured 2-3x cheaper than startsWith(…, start) on these lines.
    if (slots === undefined || (!known && (fmtLen !== this.lastFormat.length || line.indexOf(this.lastFormat, t7 + 1) !== t7 + 1))) {
      slots = this.useFormat(line.slice(t7 + 1, fmtEnd));
    }
    const s = tabs.sampleStart(line, this.sampleIndex);
    if (s < 0) return NO_GT;
    // Deferred DP/AD: where they are, for `resolveDepth` (a FORMAT without either has none to read).
    const deferred = this.deferDepth;
    if (deferred && (slots.dp >= 0 || slots.ad >= 0)) {
      this.sampleAt = s;
      this.deferLine = line;
      this.deferSlots = slots;
    }
    // One pass over the sample's ':'-separated fields, up to the last one needed.
    const read = this.sampleFields && !deferred ? slots.withDepth : slots.plain;
    if (read.last < 0) return NO_GT;
    this.walkSample(line, s, read.last, read.gt, read.gq, read.dp, read.ad, read.mid);
    const gtS = this.gtS;
    const gtE = this.gtE;
    if (this.gqS >= 0 && !isMissing(line, this.gqS, this.gqE)) this.gq = numberAt(line, this.gqS, this.gqE, true);
    if (gtS < 0 || isMissing(line, gtS, gtE)) return NO_GT;
    return this.genotypes.at(line, gtS, gtE);
  }

  /** The slots of a FORMAT text (cached per text), which becomes the last FORMAT seen. */
  private useFormat(fmt: string): FormatSlots {
    let slots = this.formats.get(fmt);
    if (!slots) {
      const keys = fmt.split(':');
      const gt = keys.indexOf('GT');
      const gq = keys.indexOf('GQ');
      const dp = keys.indexOf('DP');
      const ad = keys.indexOf('AD');
      const mid = keys.indexOf('MID');
      const withDepth = { gt, gq, dp, ad, mid, last: Math.max(gt, gq, dp, ad, mid) };
      slots = { ...withDepth, plain: { gt, gq, dp: -1, ad: -1, mid, last: Math.max(gt, gq, mid) }, withDepth };
      this.formats.set(fmt, slots);
    }
    this.lastFormat = fmt;
    this.lastSlots = slots;
    this.lastFormatBytes = Buffer.from(fmt, 'utf8');
    return slots;
  }

  /** Bounds of the GT and GQ fields `walkSample` found (-1: not among the fields read). */
  private gtS = -1;
  private gtE = -1;
  private gqS = -1;
  private gqE = -1;

  /**
   * One pass over the ':'-separated fields of the sample column starting at `s`, up to slot
   * `last`: the bounds of GT and GQ into gtS…gqE, DP and AD into `dp`/`ad`, MID into `mid`
   * (a slot of -1 is not read).
   */
  private walkSample(line: string, s: number, last: number, gtSlot: number, gqSlot: number, dpSlot: number, adSlot: number, midSlot: number): void {
    this.gtS = -1;
    this.gtE = -1;
    this.gqS = -1;
    this.gqE = -1;
    // The sample column ends at the next tab or the end of the line (found once, not per field).
    const sEnd = fieldEnd(line, s);
    let a = s;
    for (let slot = 0; slot <= last; slot++) {
      // DP and AD of the common form (digits; AD comma-separated) are read as the field is
      // found: one pass over their characters instead of a search and a second read.
      if (slot === dpSlot || slot === adSlot) {
        const b = slot === dpSlot ? this.scanDp(line, a, sEnd) : this.scanAd(line, a, sEnd);
        if (b >= 0) {
          if (b === sEnd) break;
          a = b + 1;
          continue;
        }
      }
      // The field ends at the next ':' unless the column ends first.
      let b = line.indexOf(':', a);
      let end = false;
      if (b < 0 || b > sEnd) { b = sEnd; end = true; }
      if (slot === gtSlot) { this.gtS = a; this.gtE = b; }
      if (slot === gqSlot) { this.gqS = a; this.gqE = b; }
      if (slot === dpSlot && !isMissing(line, a, b)) this.dp = numberAt(line, a, b, false);
      if (slot === adSlot) this.readAd(line, a, b);
      if (slot === midSlot && !isMissing(line, a, b)) this.mid = line.slice(a, b);
      if (end) break;
      a = b + 1;
    }
  }

  /**
   * DP at line[a, …) when it is 1–9 digits ending at ':' or at `sEnd` (the column's end): sets
   * `dp` and returns where it ends; -1 (nothing set) for any other field, which the caller
   * then reads the general way.
   */
  private scanDp(line: string, a: number, sEnd: number): number {
    let v = 0;
    let i = a;
    for (; i < sEnd; i++) {
      const c = line.charCodeAt(i);
      if (c === 58 /* : */) break;
      const d = c - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    if (i === a || i - a > 9) return -1;
    this.dp = v;
    return i;
  }

  /**
   * AD at line[a, …) when it is comma-separated digits ending at ':' or at `sEnd`: sets `ad`,
   * `adCount` and `adSum` as `readAd` does and returns where it ends; -1 (nothing set) for
   * any other field ('.', empty values, a sign, a fraction), which `readAd` then reads.
   */
  private scanAd(line: string, a: number, sEnd: number): number {
    const ad = this.ad;
    let n = 0;
    let sum = 0;
    let v = 0;
    let digits = false;
    let i = a;
    for (; i < sEnd; i++) {
      const c = line.charCodeAt(i);
      if (c === 58 /* : */) break;
      if (c === 44 /* , */) {
        if (!digits) return -1;
        ad[n++] = v;
        sum += v;
        v = 0;
        digits = false;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
      digits = true;
    }
    if (!digits) return -1;
    ad[n++] = v;
    sum += v;
    this.adCount = n;
    this.adSum = sum;
    return i;
  }

  /** AD's comma-separated counts at line[a, b) into `ad`; '.' values count as 0. */
  private readAd(line: string, a: number, b: number): void {
    if (isMissing(line, a, b)) return;
    let n = 0;
    let sum = 0;
    let v = 0;
    let digits = false;
    for (let i = a; i <= b; i++) {
      const c = i === b ? 44 : line.charCodeAt(i);
      if (c === 44 /* , */) {
        this.ad[n++] = v;
        sum += v;
        v = 0;
        digits = false;
      } else if (c >= 48 && c <= 57) { v = v * 10 + (c - 48); digits = true; } else if (c !== 46 /* . */ || digits) {
        // Not a list of counts (a float, a sign): keep nothing rather than a wrong fraction.
        this.adCount = 0;
        this.adSum = 0;
        return;
      }
    }
    this.adCount = n;
    this.adSum = sum;
  }

  private enterContig(contig: string, pos: number, lineNumber: number): void {
    const known = this.contigs.all.length;
    const resolved = this.contigs.resolve(contig);
    if (this.contigs.all.length > known && known > 0) {
      // Neither the reference nor the headers list it: say so, rather than blame the sort order.
      if (this.refWindow) {
        throw new VariantLensError('contig-not-found', `line ${lineNumber || '?'}: contig "${contig}" is not in the reference; ${describeAvailable([...this.contigs.all].slice(0, known))}`, this.source.path);
      }
      this.unlisted.add(contig);
    }
    const rank = this.contigs.rankOf(resolved);
    if (rank < this.curRank || (rank === this.curRank && pos < this.lastPos)) this.unsorted(contig, pos, lineNumber);
    this.flush(Infinity);
    this.curContig = contig;
    this.curContigBytes = Buffer.from(contig, 'utf8');
    this.curResolved = resolved;
    this.curRank = rank;
    this.lastPos = 0;
    this.refWindow?.setContig(resolved);
  }

  private unsorted(contig: string, pos: number, lineNumber: number): never {
    const odd = [contig, this.curContig].find((c) => this.unlisted.has(c));
    if (odd !== undefined) {
      throw new VariantLensError('contig-not-found',
        `line ${lineNumber || '?'} (${contig}:${pos}): contig "${odd}" is not listed in the ##contig lines of either file, so its place in the order is unknown; add ##contig lines (bcftools reheader) or give --ref`,
        this.source.path);
    }
    throw new VariantLensError('malformed-vcf',
      `line ${lineNumber || '?'} (${contig}:${pos}) comes after ${this.curContig}:${this.lastPos} (line ${this.lastLine || '?'}); ` +
      'the diff needs both files sorted in the same contig order (the reference .fai order when --ref is given). ' +
      'Sort with `bcftools sort` and index with `tabix -p vcf`; an indexed file whose header lists contigs in another order is read contig by contig.',
      this.source.path);
  }

  /** Inserts keeping `pending` sorted by POS (left-shifted alleles go back a few places). */
  private insert(x: AlleleItem): void {
    const p = this.pending;
    let j = p.length;
    while (j > this.pendingHead && p[j - 1]!.pos > x.pos) j--;
    if (j === p.length) p.push(x);
    else p.splice(j, 0, x);
  }

  /** Moves pending alleles with POS < before into `ready`. */
  private flush(before: number): void {
    const p = this.pending;
    let h = this.pendingHead;
    while (h < p.length && p[h]!.pos < before) this.ready.push(p[h++]!);
    if (h === p.length) { if (h !== 0) p.length = 0; h = 0; } else if (h > 1024) { this.pending = p.slice(h); h = 0; }
    this.pendingHead = h;
  }
}

/** True when the contigs the header lists appear in increasing global rank. */
function headerOrderAgrees(header: VcfHeader, contigs: ContigOrder): boolean {
  let last = -1;
  for (const c of header.contigs) {
    const r = contigs.rankOf(contigs.resolve(c.name));
    if (r < last) return false;
    last = r;
  }
  return true;
}

/** Reads a file contig by contig in the global order, through its index. */
async function* byContig(source: VcfSource, contigs: ContigOrder, signal: AbortSignal | undefined): AsyncGenerator<VcfRecord> {
  const header = await source.header(signal);
  const own = new Map(header.contigs.map((c) => [contigs.resolve(c.name), c.name]));
  for (const name of [...contigs.all]) {
    const fileName = own.get(name);
    if (fileName === undefined) continue;
    const end = contigs.lengthOf(name) ?? 2 ** 31 - 1;
    yield* source.query(fileName, 0, end, signal);
  }
}

/**
 * Where GT, GQ, DP, AD and MID sit in a FORMAT string (-1: absent), and the last of them to read
 * without and with DP/AD; cached per distinct FORMAT text.
 */
interface FormatSlots extends SampleSlots {
  /** The slots a record's reading reads: without DP and AD (-1), and with them. */
  readonly plain: SampleSlots;
  readonly withDepth: SampleSlots;
}

/** Slots of GT, GQ, DP, AD and MID (-1: absent or not read), and the last of them. */
interface SampleSlots {
  readonly gt: number; readonly gq: number; readonly dp: number; readonly ad: number; readonly mid: number;
  readonly last: number;
}

/**
 * The number written at line[a, b): digits are read in place (no string made); anything else
 * through Number(). undefined when it is not a number (NaN; with `infinite` false, ±Infinity too).
 */
function numberAt(line: string, a: number, b: number, infinite: boolean): number | undefined {
  if (b - a <= 9) {
    let v = 0;
    let i = a;
    for (; i < b; i++) {
      const c = line.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (i === b) return v;
  }
  const x = Number(line.slice(a, b));
  return Number.isNaN(x) || (!infinite && !Number.isFinite(x)) ? undefined : x;
}

/** True when the field line[a, b) is empty or '.'. */
function isMissing(line: string, a: number, b: number): boolean {
  return b === a || (b === a + 1 && line.charCodeAt(a) === 46 /* . */);
}

/** The message for a record that repeats the record of line `first`. */
function repeatReason(first: number): string {
  return `repeats the record of line ${first || '?'} (same CHROM, POS, REF and ALT); remove the duplicate (bcftools norm -d exact)`;
}

/** `isMissing` of the bytes b[a, e). */
function missingBytes(b: Buffer, a: number, e: number): boolean {
  return e === a || (e === a + 1 && b[a] === 46 /* . */);
}

/** `numberAt` of the bytes b[a, e): up to 9 digits read in place, anything else decoded and read by `numberAt`. */
function numberBytes(b: Buffer, a: number, e: number, infinite: boolean): number | undefined {
  if (e - a <= 9) {
    let v = 0;
    let i = a;
    for (; i < e; i++) {
      const c = b[i]! - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (i === e) return v;
  }
  const text = b.toString('utf8', a, e);
  return numberAt(text, 0, text.length, infinite);
}
