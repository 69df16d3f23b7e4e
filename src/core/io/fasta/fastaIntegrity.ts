/**
 * Checks that a FASTA's `.fai` (and `.gzi`) belong to it, and reads bgzipped FASTA through
 * our own BGZF reader (so every block's CRC32 and ISIZE are checked, SAM spec §4.1).
 *
 * A `.fai` is five tab-separated numbers per sequence (samtools faidx): name, length, byte
 * offset of the first base, bases per line, bytes per line. A `.fai` of another FASTA, or one
 * left over from before the FASTA was edited, would make every fetch return other bytes
 * silently; so on open we check each line's numbers, that each sequence lies inside the
 * file, and that the bytes just before each sequence's offset are its own `>name` line.
 */
import { readFile } from 'node:fs/promises';
import type { GenericFilehandle } from 'generic-filehandle2';
import { VariantLensError } from '../../errors';
import { BgzfRandomReader, fileSize, openForRead, type BgzfBlock } from '../bgzf/bgzfReader';

export interface FaiEntry {
  readonly name: string;
  readonly length: number;
  readonly offset: number;
  readonly lineBases: number;
  readonly lineBytes: number;
}

/** A random-access view of the FASTA's (uncompressed) bytes. */
export interface FastaBytes {
  read(length: number, position: number): Promise<Uint8Array>;
  /** Uncompressed size. */
  size(): Promise<number>;
  close(): Promise<void>;
}

/** Parses a `.fai`, refusing anything that is not five sane numbers per line. */
export async function readFai(faiPath: string): Promise<FaiEntry[]> {
  let text: string;
  try {
    text = await readFile(faiPath, 'utf8');
  } catch (e) {
    throw new VariantLensError('bad-index', `cannot read the FASTA index: ${e instanceof Error ? e.message : String(e)}`, faiPath, { cause: e });
  }
  const entries: FaiEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const f = line.split('\t');
    const bad = (why: string): VariantLensError =>
      new VariantLensError('bad-index', `line ${i + 1}: ${why}; this is not a valid .fai (re-create it with samtools faidx)`, faiPath);
    if (f.length < 5) throw bad(`expected 5 tab-separated fields, found ${f.length}`);
    const [name, ...nums] = f as [string, ...string[]];
    if (name === '' || name.startsWith('>')) throw bad(`sequence name "${name.slice(0, 40)}" is not valid`);
    const n = nums.slice(0, 4).map((x) => (/^\d{1,15}$/.test(x) ? Number(x) : NaN));
    if (n.some((x) => Number.isNaN(x))) throw bad('length, offset, line bases and line bytes must be whole numbers');
    const [length, offset, lineBases, lineBytes] = n as [number, number, number, number];
    if (length > 0 && (lineBases <= 0 || lineBytes < lineBases)) throw bad(`line bases ${lineBases} and line bytes ${lineBytes} are inconsistent`);
    if (seen.has(name)) throw bad(`sequence ${name} is listed twice`);
    seen.add(name);
    entries.push({ name, length, offset, lineBases, lineBytes });
  }
  return entries;
}

/** Byte just past the last base of `e` (not counting its final newline). */
function sequenceEnd(e: FaiEntry): number {
  if (e.length === 0) return e.offset;
  const fullLines = Math.floor((e.length - 1) / e.lineBases);
  return e.offset + fullLines * e.lineBytes + (e.length - fullLines * e.lineBases);
}

/**
 * Throws `bad-index` naming the `.fai` unless every entry fits inside the FASTA and is
 * preceded by its own header line.
 */
export async function checkFaiMatchesFasta(entries: readonly FaiEntry[], bytes: FastaBytes, fastaPath: string, faiPath: string): Promise<void> {
  const size = await bytes.size();
  const fix = `does not match ${fastaPath} (re-create it with: samtools faidx ${fastaPath})`;
  for (const e of entries) {
    const end = sequenceEnd(e);
    if (end > size) {
      throw new VariantLensError('bad-index', `sequence ${e.name} would end at byte ${end}, past the end of the FASTA (${size} bytes); the index ${fix}`, faiPath);
    }
    // The header line ">name[ description]\n" right before the first base.
    const back = Math.min(e.offset, e.name.length + 4096);
    const head = Buffer.from(await bytes.read(back, e.offset - back));
    const text = head.toString('latin1');
    const nl = text.endsWith('\r\n') ? text.length - 2 : text.length - 1;
    const start = text.lastIndexOf('\n', nl - 1) + 1;
    const header = text.slice(start, nl);
    const ok = text[text.length - 1] === '\n' && header.startsWith('>') && (header.slice(1) === e.name || header.startsWith(`>${e.name} `) || header.startsWith(`>${e.name}\t`));
    if (!ok) {
      throw new VariantLensError('bad-index', `sequence ${e.name} should start at byte ${e.offset} right after its ">${e.name}" line, but it does not; the index ${fix}`, faiPath);
    }
    // The first line break is where the .fai says (line bytes after the offset).
    if (e.length > e.lineBases) {
      const at = e.offset + e.lineBytes - 1;
      const b = await bytes.read(1, at);
      if (b[0] !== 0x0a) {
        throw new VariantLensError('bad-index', `sequence ${e.name} should have a line break at byte ${at} (${e.lineBases} bases per line), but it does not; the index ${fix}`, faiPath);
      }
    }
  }
}

/** Plain FASTA bytes. */
export async function plainFastaBytes(path: string): Promise<FastaBytes> {
  const total = await fileSize(path);
  return {
    async read(length, position) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, total - position)));
      if (buf.length === 0) return buf;
      const fh = await openForRead(path);
      try {
        await fh.read(buf, 0, buf.length, position);
      } finally {
        await fh.close();
      }
      return buf;
    },
    size: async () => total,
    close: async () => undefined,
  };
}

/**
 * Uncompressed bytes of a bgzipped FASTA through its `.gzi` (bgzip -i / samtools faidx:
 * a uint64 count, then (compressed, uncompressed) uint64 offset pairs of every block after
 * the first). Every block is CRC-checked by BgzfRandomReader.
 */
export async function bgzfFastaBytes(path: string, gziPath: string): Promise<FastaBytes> {
  const gzi = await readFile(gziPath).catch((e: unknown) => {
    throw new VariantLensError('bad-index', `cannot read the .gzi index: ${e instanceof Error ? e.message : String(e)}`, gziPath, { cause: e });
  });
  const csize = await fileSize(path);
  const fix = `re-create it with: samtools faidx ${path}`;
  if (gzi.length < 8) throw new VariantLensError('bad-index', `is too short to be a .gzi index; ${fix}`, gziPath);
  const n = Number(gzi.readBigUInt64LE(0));
  if (gzi.length !== 8 + 16 * n) throw new VariantLensError('bad-index', `says it holds ${n} entries but has ${gzi.length} bytes; it is not a .gzi index of this file; ${fix}`, gziPath);
  const cOff: number[] = [0];
  const uOff: number[] = [0];
  for (let i = 0; i < n; i++) {
    const c = Number(gzi.readBigUInt64LE(8 + 16 * i));
    const u = Number(gzi.readBigUInt64LE(16 + 16 * i));
    if (c <= cOff[cOff.length - 1]! || u <= uOff[uOff.length - 1]! || c >= csize) {
      throw new VariantLensError('bad-index', `entry ${i + 1} (compressed ${c}, uncompressed ${u}) is out of order or past the end of ${path}; the .gzi does not match it; ${fix}`, gziPath);
    }
    cOff.push(c);
    uOff.push(u);
  }
  // One open per read call (a FastaFile may never be closed) and our own LRU of blocks.
  const cache = new Map<number, BgzfBlock>();
  const withReader = async <T>(f: (r: BgzfRandomReader) => Promise<T>): Promise<T> => {
    const r = new BgzfRandomReader(path, 1);
    try {
      return await f(r);
    } finally {
      await r.close();
    }
  };
  const getBlock = async (r: BgzfRandomReader, c: number, gziEntry?: number): Promise<BgzfBlock> => {
    const hit = cache.get(c);
    if (hit) {
      cache.delete(c);
      cache.set(c, hit);
      return hit;
    }
    let b: BgzfBlock;
    try {
      b = await r.readBlock(c);
    } catch (e) {
      if (gziEntry !== undefined && e instanceof VariantLensError && /no BGZF block header/.test(e.message)) {
        throw new VariantLensError('bad-index', `says a BGZF block starts at byte ${c} of ${path}, but none does; the .gzi does not match it; ${fix}`, gziPath, { cause: e });
      }
      throw e;
    }
    cache.set(c, b);
    if (cache.size > 64) cache.delete(cache.keys().next().value!);
    return b;
  };
  let total: number | undefined;
  const size = async (): Promise<number> => {
    if (total === undefined) {
      total = await withReader(async (r) => {
        const last = await getBlock(r, cOff[cOff.length - 1]!, cOff.length - 1);
        let t = uOff[uOff.length - 1]! + last.data.length;
        // Blocks after the last .gzi entry: the EOF marker (empty), nothing else.
        let c = last.coffset + last.csize;
        while (c < csize) {
          const b = await getBlock(r, c);
          t += b.data.length;
          c += b.csize;
        }
        return t;
      });
    }
    return total;
  };
  return {
    async read(length, position) {
      const end = Math.min(position + length, await size());
      const out = Buffer.alloc(Math.max(0, end - position));
      // Last entry whose uncompressed start is <= position.
      let lo = 0;
      let hi = uOff.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (uOff[mid]! <= position) lo = mid; else hi = mid - 1;
      }
      let i = lo;
      let u = uOff[i]!;
      let c = cOff[i]!;
      let done = 0;
      await withReader(async (r) => {
      while (done < out.length && c < csize) {
        const b = await getBlock(r, c, c === cOff[i] ? i : undefined);
        const from = Math.max(0, position + done - u);
        const n = Math.min(b.data.length - from, out.length - done);
        if (n > 0) {
          b.data.copy(out, done, from, from + n);
          done += n;
        }
        u += b.data.length;
        c += b.csize;
        if (i + 1 < cOff.length && c === cOff[i + 1]) {
          i++;
          if (u !== uOff[i]) throw new VariantLensError('bad-index', `entry ${i} says byte ${uOff[i]} starts at block ${c}, but it is byte ${u}; the .gzi does not match ${path}; ${fix}`, gziPath);
        }
      }
      });
      return out;
    },
    size,
    close: async () => cache.clear(),
  };
}

/** The GenericFilehandle @gmod/indexedfasta reads sequence bytes through. */
export function asGenericFilehandle(bytes: FastaBytes): GenericFilehandle {
  return {
    read: async (length: number, position: number) => new Uint8Array(await bytes.read(length, position)),
    readFile: (async () => new Uint8Array(await bytes.read(await bytes.size(), 0))) as GenericFilehandle['readFile'],
    stat: async () => ({ size: await bytes.size() }),
    close: () => bytes.close(),
  };
}
