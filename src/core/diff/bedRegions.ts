/**
 * A BED file (plain or gzipped) held as merged, sorted intervals per contig, for
 * stratifying diff sites ("inside the GIAB confident regions").
 *
 * Coordinates: BED is 0-based half-open, and so is every query here.
 */
import { DEFAULT_MAX_WHOLE_FILE_BYTES, gunzipBounded, readBounded, type ReadBound } from '../io/safeOpen';
import { VariantLensError, throwIfAborted } from '../errors';

export class BedRegions {
  /** Per contig: flat [start0, end0, start0, end0, ...], sorted and merged. */
  private readonly byContig: Map<string, Float64Array>;

  constructor(readonly name: string, readonly path: string, intervals: Map<string, [number, number][]>) {
    this.byContig = new Map();
    for (const [contig, list] of intervals) {
      list.sort((x, y) => x[0] - y[0]);
      const flat: number[] = [];
      for (const [s, e] of list) {
        const n = flat.length;
        if (n > 0 && s <= flat[n - 1]!) flat[n - 1] = Math.max(flat[n - 1]!, e);
        else flat.push(s, e);
      }
      this.byContig.set(contig, Float64Array.from(flat));
    }
  }

  /** Total bases covered (after merging overlaps). */
  get baseCount(): number {
    let n = 0;
    for (const flat of this.byContig.values()) for (let i = 0; i < flat.length; i += 2) n += flat[i + 1]! - flat[i]!;
    return n;
  }

  /** True when [start0, end0) overlaps an interval; a zero-length query tests the point start0. */
  overlaps(contig: string, start0: number, end0: number): boolean {
    const flat = this.byContig.get(contig) ?? this.byContig.get(alias(contig));
    if (!flat) return false;
    const e = Math.max(end0, start0 + 1);
    // Last interval whose start < e.
    let lo = 0;
    let hi = flat.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (flat[2 * mid]! < e) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found >= 0 && flat[2 * found + 1]! > start0;
  }
}

/** 'chr20' ↔ '20': BED files and VCFs from different builds disagree on the prefix. */
function alias(contig: string): string {
  return contig.startsWith('chr') ? contig.slice(3) : `chr${contig}`;
}

/** Reads `path` (BED, optionally gzipped). Header, track and browser lines are skipped. */
export async function loadBedRegions(name: string, path: string, signal?: AbortSignal, bound: ReadBound = { maxBytes: DEFAULT_MAX_WHOLE_FILE_BYTES }): Promise<BedRegions> {
  throwIfAborted(signal);
  // Regular files only unless the caller (the command line) allows pipes; bounded either way.
  let bytes = await readBounded(path, bound, 'BED file', signal);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipBounded(bytes, path, bound.maxBytes, 'BED file');
  const intervals = new Map<string, [number, number][]>();
  const text = bytes.toString('utf8');
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line === '' || line.startsWith('#') || line.startsWith('track') || line.startsWith('browser')) continue;
    const f = line.split('\t');
    const s = Number(f[1]);
    const e = Number(f[2]);
    if (f.length < 3 || !Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < s) {
      throw new VariantLensError('invalid-argument', `line ${lineNo} is not a BED interval (chrom, start, end): "${line.slice(0, 60)}"`, path);
    }
    const contig = f[0]!;
    let list = intervals.get(contig);
    if (!list) intervals.set(contig, (list = []));
    list.push([s, e]);
  }
  return new BedRegions(name, path, intervals);
}
