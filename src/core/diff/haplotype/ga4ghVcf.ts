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
   * Writes one record of a one-allele superlocus straight into the buffer (no strings built):
   * `CHROM POS . REF ALT QQ FILTER BS=id[regions]` + `tail` (FORMAT and both sample columns up
   * to the query's QQ) + `qqTail`; `headerFilter` is its FILTER for the header. `contig` and
   * `tail` are bytes; the other texts are ASCII.
   */
  single(contig: Uint8Array, pos: number, ref: string, alt: string, qq: string, filter: string, id: number, regions: string, tail: Uint8Array, qqTail: string, headerFilter: string): void {
    const max = contig.length + ref.length + alt.length + filter.length + qq.length + qqTail.length + regions.length + tail.length + 40;
    if (this.used + max + 1 > this.buf.length) {
      this.flushBuffer();
      if (max + 1 > this.buf.length) this.buf = Buffer.allocUnsafe(max + 1);
    }
    const buf = this.buf;
    let u = this.used;
    // Short pieces by a plain loop (a native copy's call costs more); the ≈ 70-byte tail by `set`.
    for (let i = 0; i < contig.length; i++) buf[u++] = contig[i]!;
    buf[u++] = 9;
    u = writeInt(buf, u, pos);
    buf[u++] = 9;
    buf[u++] = 46;
    buf[u++] = 9;
    for (let i = 0; i < ref.length; i++) buf[u++] = ref.charCodeAt(i);
    buf[u++] = 9;
    for (let i = 0; i < alt.length; i++) buf[u++] = alt.charCodeAt(i);
    buf[u++] = 9;
    for (let i = 0; i < qq.length; i++) buf[u++] = qq.charCodeAt(i);
    buf[u++] = 9;
    for (let i = 0; i < filter.length; i++) buf[u++] = filter.charCodeAt(i);
    buf[u++] = 9; // "\tBS="
    buf[u++] = 66;
    buf[u++] = 83;
    buf[u++] = 61;
    u = writeInt(buf, u, id);
    for (let i = 0; i < regions.length; i++) buf[u++] = regions.charCodeAt(i);
    buf.set(tail, u);
    u += tail.length;
    for (let i = 0; i < qqTail.length; i++) buf[u++] = qqTail.charCodeAt(i);
    buf[u++] = 10;
    this.used = u;
    this.lines++;
    if (headerFilter !== '.' && headerFilter !== 'PASS' && headerFilter !== '' && !this.seen.has(headerFilter)) {
      this.seen.add(headerFilter);
      for (const f of headerFilter.split(';')) this.filters.add(f);
    }
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

/** Writes a non-negative integer in decimal at `buf[u]`; returns the index after it. */
function writeInt(buf: Buffer, u: number, n: number): number {
  if (n < 10) { buf[u] = 48 + n; return u + 1; }
  if (n >= 2 ** 31) {
    const s = String(n);
    for (let i = 0; i < s.length; i++) buf[u++] = s.charCodeAt(i);
    return u;
  }
  // Digits counted by comparisons, then written backwards with integer division (n < 2^31).
  const digits = n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
  let e = u + digits;
  const end = e;
  for (let x = n; x > 0;) {
    const q = (x / 10) | 0;
    buf[--e] = 48 + (x - q * 10);
    x = q;
  }
  return end;
}
