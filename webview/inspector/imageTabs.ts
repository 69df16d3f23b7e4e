/**
 * Pure helpers of the pileup tabs (no DOM): allele labels that say what an indel is
 * ("del AAAACTATGC"), tabs grouped by who made the image (DeepVariant's examples, or our
 * encoder under one model's settings), and the pixel difference of two images of the same
 * alleles (the examples-vs-encoder comparison).
 */
import type { TensorPayload } from '../../src/protocol/protocol';
import { rowsBlockTitles } from '../../src/core/render/showExamples';

/** "A" → "A" (SNV), "T" of REF "TAAAACTATGC" → "del AAAACTATGC", "AAGGCT" of "A" → "ins AGGCT". */
export function alleleLabel(ref: string, alt: string): string {
  if (!ref || !alt || alt === '.' || alt.startsWith('<')) return alt || '(no alt)';
  if (alt.length < ref.length && ref.startsWith(alt)) return `del ${ref.slice(alt.length)}`;
  if (alt.length > ref.length && alt.startsWith(ref)) return `ins ${alt.slice(ref.length)}`;
  if (alt.length === ref.length) return alt.length === 1 ? alt : `${ref}>${alt}`;
  return `${ref}>${alt}`;
}

/** The image's alts ("A,C") as allele labels joined with " + ". */
export function imageLabel(ref: string, altLabel: string): string {
  if (!altLabel) return '(no alt)';
  return altLabel.split(',').map((a) => alleleLabel(ref, a)).join(' + ');
}

export function isExamples(t: TensorPayload): boolean {
  return /^examples\b/i.test(t.source);
}

export interface TabGroup {
  /** "DeepVariant examples" or "Variant Lens encoder, default settings". */
  readonly title: string;
  /** Indices into the state's tensors. */
  readonly tabs: number[];
}

/** Groups tensors by origin: DeepVariant's examples first, then our encoder per set of models that saw the images. */
export function groupTabs(tensors: readonly TensorPayload[]): TabGroup[] {
  const groups: { title: string; tabs: number[] }[] = [];
  tensors.forEach((t, i) => {
    const title = isExamples(t)
      ? 'DeepVariant examples'
      : `Variant Lens encoder, ${t.seenBy?.length ? t.seenBy.join(' = ') : (/Variant Lens encoder, ([^)']+)'s/.exec(t.source)?.[1] ?? 'first model')} settings`;
    let g = groups.find((x) => x.title === title);
    if (!g) groups.push(g = { title, tabs: [] });
    g.tabs.push(i);
  });
  return groups;
}

export interface ImageDifference {
  /** Pixels (row, col) where any channel differs. */
  readonly pixels: number;
  /** Rows with at least one differing pixel, ascending. */
  readonly rows: number[];
  /** Per pixel: 1 when it differs (row-major, height × width of the larger image). */
  readonly mask: Uint8Array;
  readonly height: number;
  readonly width: number;
  /** Why the images cannot be compared pixel by pixel (other width or channels). */
  readonly incomparable?: string;
}

/** Pixel difference of two images of the same site (rows missing from one side count as differing where the other has data). */
export function imageDifference(a: TensorPayload, b: TensorPayload): ImageDifference {
  if (a.width !== b.width || a.channels.join(',') !== b.channels.join(',')) {
    return { pixels: 0, rows: [], mask: new Uint8Array(0), height: 0, width: 0, incomparable: `shapes differ: ${a.height}×${a.width}×[${a.channels.join(',')}] vs ${b.height}×${b.width}×[${b.channels.join(',')}]` };
  }
  const W = a.width;
  const C = a.channels.length;
  const H = Math.max(a.height, b.height);
  const mask = new Uint8Array(H * W);
  const rows: number[] = [];
  let pixels = 0;
  for (let r = 0; r < H; r++) {
    let rowDiffers = false;
    for (let c = 0; c < W; c++) {
      const o = (r * W + c) * C;
      let d = false;
      for (let k = 0; k < C; k++) {
        const x = r < a.height ? a.data[o + k]! : 0;
        const y = r < b.height ? b.data[o + k]! : 0;
        if (x !== y) { d = true; break; }
      }
      if (d) { mask[r * W + c] = 1; pixels++; rowDiffers = true; }
    }
    if (rowDiffers) rows.push(r);
  }
  return { pixels, rows, mask, height: H, width: W };
}

/** "5, 7, 12–20, 31": runs of consecutive rows collapsed. */
export function rowRanges(rows: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < rows.length;) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j]! + 1) j++;
    out.push(j > i ? `${rows[i]}–${rows[j]}` : String(rows[i]));
    i = j + 1;
  }
  return out.join(', ');
}

/** Rows that hold anything: the reference band and the read rows, or up to the last non-empty row. */
export function usedRows(t: TensorPayload): number {
  if (t.refRows !== undefined && t.readRows !== undefined) return Math.max(1, Math.min(t.height, t.refRows + t.readRows));
  const rowBytes = t.width * t.channels.length;
  for (let r = t.height - 1; r >= 0; r--) {
    for (let i = r * rowBytes, e = i + rowBytes; i < e; i++) if (t.data[i] !== 0) return r + 1;
  }
  return 1;
}

/** Rows per block of an alt-aligned 'rows' image (three stacked pileups, docs/deepvariant.md §12.3); undefined otherwise. */
export function rowsBlockHeight(t: Pick<TensorPayload, 'altLayout' | 'height'>): number | undefined {
  return t.altLayout === 'rows' && t.height % 3 === 0 && t.height > 0 ? t.height / 3 : undefined;
}

/** The rows a 'rows' image's blocks need to show everything: the deepest block's last non-empty row + 1 (at least 1). */
export function usedBlockRows(t: TensorPayload, blockHeight: number): number {
  const rowBytes = t.width * t.channels.length;
  let used = 1;
  for (let b = 0; b * blockHeight < t.height; b++) {
    for (let r = blockHeight - 1; r >= used; r--) {
      const from = (b * blockHeight + r) * rowBytes;
      if (t.data.subarray(from, from + rowBytes).some((v) => v !== 0)) { used = r + 1; break; }
    }
  }
  return used;
}

/** The image with each block cut to its first `rows` rows (the trim of a 'rows' image: the blocks stay equal). */
export function cropBlocks(t: TensorPayload, blockHeight: number, rows: number): TensorPayload {
  if (rows >= blockHeight) return t;
  const rowBytes = t.width * t.channels.length;
  const blocks = t.height / blockHeight;
  const data = new Uint8Array(blocks * rows * rowBytes);
  for (let b = 0; b < blocks; b++) data.set(t.data.subarray(b * blockHeight * rowBytes, (b * blockHeight + rows) * rowBytes), b * rows * rowBytes);
  return { ...t, height: blocks * rows, data };
}

/** The three block titles of a 'rows' image, alleles written as the tabs write them ("del AAAC"). */
export function blockTitles(t: Pick<TensorPayload, 'altBlocks' | 'altLabel'>, ref: string): [string, string, string] {
  const alts = t.altBlocks ?? ((a) => [a[0] ?? '?', a[1] ?? a[0] ?? '?'] as const)(t.altLabel.split(','));
  return rowsBlockTitles([alleleLabel(ref, alts[0]), alleleLabel(ref, alts[1])]);
}
