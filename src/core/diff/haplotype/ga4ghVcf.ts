/**
 * Writes the GA4GH benchmarking intermediate VCF (ga4gh/benchmarking-tools
 * doc/ref-impl/intermediate.md and outputs.md): two sample columns TRUTH and QUERY with GT,
 * BD (decision), BK (match kind), BI (extra status), BLT (location type), BVT (variant type)
 * and QQ (query quality); INFO BS (superlocus id) and Regions.
 *
 * The records stream into a BGZF body file while the diff runs; the header (which lists
 * every FILTER value met) is written at the end and the two BGZF streams are concatenated,
 * which BGZF allows.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { BgzfFileWriter } from '../../io/bgzf/bgzfWriter';

const KNOWN_FILTERS: Record<string, string> = {
  PASS: 'All filters passed',
  RefCall: 'Genotyping model thinks this site is reference.',
  LowQual: 'Confidence in this variant being real is below calling threshold.',
  NoCall: 'Site has depth=0 resulting in no call.',
};

/** Bytes gathered before they go to the BGZF writer (a few blocks at a time). */
const BUF_SIZE = 1 << 18;

export class Ga4ghVcfWriter {
  private readonly body: BgzfFileWriter;
  /** Record text waiting for compression: written in place as latin1 (VCF is ASCII), no joined strings. */
  private buf = Buffer.allocUnsafe(BUF_SIZE);
  private used = 0;
  private readonly filters = new Set<string>();
  private readonly seen = new Set<string>();
  lines = 0;

  constructor(readonly path: string, private readonly contigs: readonly { name: string; length: number }[], private readonly meta: readonly string[]) {
    // Level 1: this file is as large as both inputs together; speed matters more than size.
    this.body = new BgzfFileWriter(`${path}.body.tmp`, 1);
  }

  /** Adds one record line (no newline) whose FILTER is `filter`. */
  readonly add = (line: string, filter: string): void => {
    if (filter !== '.' && filter !== 'PASS' && filter !== '' && !this.seen.has(filter)) {
      this.seen.add(filter);
      for (const f of filter.split(';')) this.filters.add(f);
    }
    // VCF text is ASCII (contig names, bases, FILTER ids): one byte per character.
    if (this.used + line.length + 1 > this.buf.length) {
      this.flushBuffer();
      if (line.length + 1 > this.buf.length) this.buf = Buffer.allocUnsafe(line.length + 1);
    }
    this.used += this.buf.write(line, this.used, 'latin1');
    this.buf[this.used++] = 10;
    this.lines++;
  };

  /**
   * Writing one line piece by piece, straight into the buffer (no strings built): `begin`
   * with an upper bound of its length, then `str`/`int`/`tab`/`colon`, then `end`.
   */
  begin(maxBytes: number): void {
    if (this.used + maxBytes + 1 > this.buf.length) {
      this.flushBuffer();
      if (maxBytes + 1 > this.buf.length) this.buf = Buffer.allocUnsafe(maxBytes + 1);
    }
  }

  /** Appends ASCII text (one byte per character). */
  str(s: string): void {
    const buf = this.buf;
    let u = this.used;
    for (let i = 0; i < s.length; i++) buf[u++] = s.charCodeAt(i);
    this.used = u;
  }

  /** Appends a non-negative integer in decimal. */
  int(n: number): void {
    if (n < 10) { this.buf[this.used++] = 48 + n; return; }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let u = this.used + digits;
    this.used = u;
    const buf = this.buf;
    for (let x = n; x > 0; x = Math.floor(x / 10)) buf[--u] = 48 + (x % 10);
  }

  byte(c: number): void {
    this.buf[this.used++] = c;
  }

  /** Appends bytes (short pieces by a plain loop, which beats a native copy's call cost; longer ones by `set`). */
  bytes(b: Uint8Array): void {
    const buf = this.buf;
    let u = this.used;
    const n = b.length;
    if (n > 16) {
      buf.set(b, u);
      this.used = u + n;
      return;
    }
    for (let i = 0; i < n; i++) buf[u++] = b[i]!;
    this.used = u;
  }

  /** Ends the line begun with `begin`; `filter` is its FILTER (for the header). */
  end(filter: string): void {
    if (filter !== '.' && filter !== 'PASS' && filter !== '' && !this.seen.has(filter)) {
      this.seen.add(filter);
      for (const f of filter.split(';')) this.filters.add(f);
    }
    this.buf[this.used++] = 10;
    this.lines++;
  }

  private flushBuffer(): void {
    if (this.used === 0) return;
    this.body.write(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  header(): string {
    const filters = new Set(['PASS', ...this.filters]);
    return [
      '##fileformat=VCFv4.2',
      ...[...filters].map((f) => `##FILTER=<ID=${f},Description="${KNOWN_FILTERS[f] ?? 'Query FILTER value'}">`),
      '##INFO=<ID=BS,Number=1,Type=Integer,Description="Benchmarking superlocus ID for these variants.">',
      '##INFO=<ID=Regions,Number=.,Type=String,Description="Tags for confident / stratification regions.">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '##FORMAT=<ID=BD,Number=1,Type=String,Description="Decision for call (TP/FP/FN/N/UNK)">',
      '##FORMAT=<ID=BK,Number=1,Type=String,Description="Sub-type for decision (match/mismatch type): gm genotype match, am allele match, lm another allele nearby, . nothing nearby">',
      '##FORMAT=<ID=BI,Number=1,Type=String,Description="Additional match status information: GA4GH sub-type (m, cm, gtmm, almm, miss); replay when the superlocus was replayed onto the reference; too-big when it exceeded the replay limits and was compared allele by allele">',
      '##FORMAT=<ID=BLT,Number=1,Type=String,Description="High-level location type in truth/query (het|homalt|hetalt|halfcall|nocall).">',
      '##FORMAT=<ID=BVT,Number=1,Type=String,Description="High-level variant type in truth/query (SNP|INDEL).">',
      '##FORMAT=<ID=QQ,Number=1,Type=Float,Description="Variant quality for ROC creation.">',
      ...this.contigs.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
      ...this.meta.map((m) => `##${m}`),
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTRUTH\tQUERY',
    ].join('\n') + '\n';
  }

  /** Writes PREFIX.vcf.gz: the header member(s) followed by the body's BGZF members. */
  close(): void {
    this.flushBuffer();
    this.body.close();
    const head = new BgzfFileWriter(this.path, 6);
    head.write(this.header());
    head.flush();
    head.abandon(); // no EOF member here: the body brings it
    const out = openSync(this.path, 'a');
    const bodyPath = `${this.path}.body.tmp`;
    const src = openSync(bodyPath, 'r');
    try {
      const buf = Buffer.allocUnsafe(4 << 20);
      for (let n = readSync(src, buf); n > 0; n = readSync(src, buf)) writeSync(out, buf, 0, n);
    } finally {
      closeSync(src);
      closeSync(out);
      rmSync(bodyPath, { force: true });
    }
  }

  /** Removes the partial files after a failure. */
  abandon(): void {
    this.body.abandon();
    rmSync(`${this.path}.body.tmp`, { force: true });
  }
}
