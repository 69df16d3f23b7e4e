/**
 * FASTA writer with its `.fai` (samtools faidx format: NAME, LENGTH, OFFSET of the first
 * base, LINEBASES, LINEWIDTH), optionally bgzipped with `.fai` + `.gzi` (the layout
 * `bgzip -i` + `samtools faidx` produce; the .fai offsets are in uncompressed bytes).
 */
import { writeFileSync } from 'node:fs';
import { VariantLensError, throwIfAborted, wrapError } from '../../errors';
import { writeU64 } from '../index/baiIndex';
import { BgzfWriter } from '../bgzf/bgzfWriter';

export interface FastaContig {
  readonly name: string;
  /** Bases; written as given (case kept). */
  readonly seq: string;
}

export interface WriteFastaOptions {
  /** Bases per line (default 60, like samtools faidx output and most references). */
  readonly lineWidth?: number;
  /** BGZF-compress and write a `.gzi` too (default: whether `path` ends with `.gz`). */
  readonly bgzip?: boolean;
  readonly signal?: AbortSignal;
}

export interface WriteFastaResult {
  readonly path: string;
  readonly faiPath: string;
  readonly gziPath: string | undefined;
}

/** Writes `path`, `${path}.fai`, and for bgzip `${path}.gzi`. */
export async function writeFasta(path: string, contigs: Iterable<FastaContig>, options: WriteFastaOptions = {}): Promise<WriteFastaResult> {
  throwIfAborted(options.signal);
  const width = options.lineWidth ?? 60;
  if (!Number.isInteger(width) || width < 1) throw new VariantLensError('invalid-argument', `line width must be a positive integer, got ${width}`, path);
  const bgzip = options.bgzip ?? path.endsWith('.gz');
  const chunks: string[] = [];
  const fai: string[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const c of contigs) {
    throwIfAborted(options.signal);
    if (!/^[!-)+-<>-~][!-~]*$/.test(c.name)) throw new VariantLensError('invalid-argument', `invalid contig name "${c.name}"`, path);
    if (seen.has(c.name)) throw new VariantLensError('invalid-argument', `duplicate contig "${c.name}"`, path);
    seen.add(c.name);
    const header = `>${c.name}\n`;
    offset += Buffer.byteLength(header);
    fai.push(`${c.name}\t${c.seq.length}\t${offset}\t${width}\t${width + 1}`);
    chunks.push(header);
    for (let i = 0; i < c.seq.length; i += width) chunks.push(c.seq.slice(i, i + width) + '\n');
    offset += c.seq.length + Math.ceil(c.seq.length / width);
  }
  const text = Buffer.from(chunks.join(''), 'utf8');
  const faiPath = `${path}.fai`;
  let gziPath: string | undefined;
  try {
    if (bgzip) {
      const w = new BgzfWriter();
      w.write(text);
      writeFileSync(path, w.end());
      gziPath = `${path}.gzi`;
      // .gzi: uint64 count, then (compressed, uncompressed) offset pairs of every block
      // after the first (whose start is implicitly 0,0).
      const starts = w.blockStarts.slice(1);
      const gzi = Buffer.alloc(8 + starts.length * 16);
      writeU64(gzi, 0, starts.length);
      starts.forEach((s, i) => {
        writeU64(gzi, 8 + i * 16, s.compressedOffset);
        writeU64(gzi, 16 + i * 16, s.uncompressedOffset);
      });
      writeFileSync(gziPath, gzi);
    } else {
      writeFileSync(path, text);
    }
    writeFileSync(faiPath, fai.length > 0 ? fai.join('\n') + '\n' : '');
  } catch (e) {
    throw wrapError(e, 'invalid-argument', path, 'cannot write FASTA');
  }
  return { path, faiPath, gziPath };
}
