/**
 * VCF writer: plain text, or BGZF-compressed with a tabix (.tbi) index built on the way.
 * Used by the simulator (truth VCFs), `call`, exports and the benchmarks.
 *
 * Records are VCF data lines as strings (tab-separated, 1-based POS, no trailing newline);
 * this module does not build records, it stores and indexes them. Header lines are the
 * `##` meta lines followed by the `#CHROM` line.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { VariantLensError, throwIfAborted, wrapError } from '../../errors';
import { BgzfFileWriter } from '../bgzf/bgzfWriter';
import { TabixIndexBuilder } from '../index/tabixIndex';
import { VcfLineTabs } from './vcfLineTokenizer';

export interface VcfWriterOptions {
  /** BGZF-compress the output; default: whether `path` ends with `.gz`. */
  readonly bgzip?: boolean;
  /** Write `${path}.tbi` (requires bgzip); default: same as bgzip. */
  readonly index?: boolean;
  /** zlib level for bgzip (default 6). */
  readonly level?: number;
}

export interface VcfWriteResult {
  readonly path: string;
  readonly indexPath: string | undefined;
  readonly records: number;
}

/**
 * Streaming VCF writer. `add` each record in order (contigs grouped, POS non-decreasing
 * within a contig — required when indexing), then `close`. On an error the partial file
 * is left behind; call `abandon` to release the file handle.
 */
export class VcfFileWriter {
  private readonly bgzf: BgzfFileWriter | undefined;
  private fd: number | undefined;
  private readonly tabix: TabixIndexBuilder | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private count = 0;
  private lastContig = '';
  private lastBeg = -1;
  /** Tabs of the record being indexed (CHROM … INFO). */
  private readonly tabs = new VcfLineTabs(8);

  constructor(readonly path: string, headerLines: readonly string[], options: VcfWriterOptions = {}) {
    const bgzip = options.bgzip ?? path.endsWith('.gz');
    const index = options.index ?? bgzip;
    if (index && !bgzip) throw new VariantLensError('invalid-argument', 'a tabix index needs a bgzipped VCF (bgzip: true)', path);
    validateHeader(headerLines, path);
    if (bgzip) {
      this.bgzf = new BgzfFileWriter(path, options.level ?? 6);
    } else {
      try {
        this.fd = openSync(path, 'w');
      } catch (e) {
        throw wrapError(e, 'invalid-argument', path, 'cannot create file');
      }
    }
    this.tabix = index ? new TabixIndexBuilder() : undefined;
    this.writeText(headerLines.join('\n') + '\n');
    // Records start in a fresh BGZF block, like bgzip output of `bcftools view -Oz`.
    this.bgzf?.flush();
  }

  get records(): number {
    return this.count;
  }

  add(line: string): void {
    const lineNo = this.count + 1;
    if (line.length === 0 || line.startsWith('#') || line.includes('\n')) {
      throw new VariantLensError('invalid-argument', `record ${lineNo} is not a VCF data line: "${line.slice(0, 80)}"`, this.path);
    }
    if (this.tabix && this.bgzf) {
      const span = vcfLineSpan(line, this.tabs);
      if (!span) throw new VariantLensError('invalid-argument', `record ${lineNo} has no valid CHROM/POS/REF: "${line.slice(0, 80)}"`, this.path);
      if (span.contig === this.lastContig && span.beg < this.lastBeg) {
        throw new VariantLensError('invalid-argument', `record ${lineNo} (${span.contig}:${span.beg + 1}) is before the previous record; an indexed VCF must be sorted`, this.path);
      }
      const vStart = this.bgzf.virtualOffset;
      this.bgzf.write(line + '\n');
      const vEnd = this.bgzf.virtualOffset;
      if (!this.tabix.add(span.contig, span.beg, span.end, vStart, vEnd)) {
        throw new VariantLensError('invalid-argument', `record ${lineNo}: contig ${span.contig} appears again after other contigs; an indexed VCF must be sorted`, this.path);
      }
      this.lastContig = span.contig;
      this.lastBeg = span.beg;
    } else {
      this.writeText(line + '\n');
    }
    this.count++;
  }

  /** Finishes the file (and its index). */
  close(): VcfWriteResult {
    let indexPath: string | undefined;
    if (this.bgzf) {
      this.bgzf.close();
    } else if (this.fd !== undefined) {
      this.flushText();
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.tabix) {
      indexPath = `${this.path}.tbi`;
      try {
        writeFileSync(indexPath, this.tabix.toTbi());
      } catch (e) {
        throw wrapError(e, 'invalid-argument', indexPath, 'cannot write tabix index');
      }
    }
    return { path: this.path, indexPath, records: this.count };
  }

  abandon(): void {
    this.bgzf?.abandon();
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private writeText(text: string): void {
    if (this.bgzf) {
      this.bgzf.write(text);
      return;
    }
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= 1 << 20) this.flushText();
  }

  private flushText(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/**
 * Writes a whole VCF: `headerLines` (## lines and the #CHROM line), then `records`.
 * With `bgzip` (default for a `.gz` path) the file is BGZF and, unless `index: false`,
 * gets a `.tbi` beside it that bcftools and tabix accept.
 */
export async function writeVcf(
  path: string,
  headerLines: readonly string[],
  records: Iterable<string>,
  options: VcfWriterOptions & { signal?: AbortSignal } = {},
): Promise<VcfWriteResult> {
  throwIfAborted(options.signal);
  const w = new VcfFileWriter(path, headerLines, options);
  try {
    for (const line of records) {
      if ((w.records & 0xffff) === 0xffff) {
        throwIfAborted(options.signal);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      w.add(line);
    }
    return w.close();
  } catch (e) {
    w.abandon();
    throw wrapError(e, 'invalid-argument', path, 'cannot write VCF');
  }
}

function validateHeader(lines: readonly string[], path: string): void {
  const last = lines[lines.length - 1];
  if (!lines[0]?.startsWith('##fileformat=VCF')) throw new VariantLensError('invalid-argument', 'VCF header must start with ##fileformat=VCFv4.x', path);
  if (!last?.startsWith('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO')) throw new VariantLensError('invalid-argument', 'VCF header must end with the tab-separated #CHROM line', path);
  for (let i = 0; i < lines.length - 1; i++) {
    if (!lines[i]!.startsWith('##')) throw new VariantLensError('invalid-argument', `VCF header line ${i + 1} does not start with ##`, path);
  }
}

/**
 * The 0-based half-open span tabix gives a VCF line: [POS-1, POS-1+len(REF)), or up to
 * INFO END (1-based inclusive, so it is already the exclusive 0-based end) when present,
 * as htslib does for gVCF reference blocks and symbolic alleles. Undefined without CHROM,
 * POS, ID, REF and ALT or with a POS that is not a positive integer.
 */
function vcfLineSpan(line: string, tabs: VcfLineTabs): { contig: string; beg: number; end: number } | undefined {
  const found = tabs.scan(line);
  const t = tabs.at;
  const t1 = t[0]!;
  if (t1 <= 0 || found < 4) return undefined;
  const pos = Number(line.slice(t1 + 1, t[1]!));
  if (!Number.isInteger(pos) || pos < 1) return undefined;
  // REF is column 3, between the tabs ending ID and REF.
  const refLen = t[3]! - t[2]! - 1;
  const beg = pos - 1;
  let end = beg + Math.max(refLen, 1);
  if (found >= 7) {
    const m = /(?:^|;)END=(\d+)/.exec(tabs.column(line, 7)!);
    if (m) {
      const e = Number(m[1]);
      if (e > beg) end = e;
    }
  }
  return { contig: line.slice(0, t1), beg, end };
}
