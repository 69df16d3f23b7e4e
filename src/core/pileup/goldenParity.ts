/**
 * Rebuilds DeepVariant's golden examples from the reads and explains every difference
 * (`variant-lens parity`). Sites and alleles come from each golden example's variant
 * (the goldens' candidates were counted on realigned reads, docs/deepvariant.md §7.4), so the images
 * are comparable one to one; our own candidate caller is also run on the region and scored.
 *
 * Rows are compared by content: a golden read row is matched to an identical row of ours,
 * else paired with the most similar remaining row, and each pair or leftover gets a reason
 * (docs/deepvariant.md §8.3: realigned reads, soft clips turned into matches, ties ordered differently).
 */
import type { AlignedRead, AlignmentSource } from '../io/sam/alignedRead';
import { CigarOp } from '../io/sam/alignedRead';
import type { ReferenceSource } from '../io/fasta/referenceSource';
import type { DvExample } from '../io/examples/tfExample';
import { throwIfAborted } from '../errors';
import type { PileupTensor } from '../io/examples/pileupTensor';
import { type CallingRegion, PartitionReader, type PipelineOptions, buildSiteExamples, regionExamples } from './siteExamples';

export type RowDifference =
  | 'soft clip turned into match at read end'
  | 'read realigned (position or CIGAR changed)'
  | 'supports channel differs'
  | 'read only in golden'
  | 'read only in ours';

export interface ParityExampleResult {
  readonly index: number;
  readonly locus: string;
  /** 1-based POS. */
  readonly position: number;
  readonly refBases: string;
  readonly altBases: readonly string[];
  readonly altAlleleIndices: readonly number[];
  /** We made an example for the same site and alt-allele indices. */
  readonly found: boolean;
  readonly referenceRowsIdentical: boolean;
  readonly identical: boolean;
  readonly pixelsDiffering: number;
  readonly goldenReadRows: number;
  readonly ourReadRows: number;
  /** Read rows with byte-identical content somewhere in the other image. */
  readonly rowsMatched: number;
  readonly rowDifferences: Readonly<Partial<Record<RowDifference, number>>>;
  readonly rowOrderDiffers: boolean;
  readonly indelSite: boolean;
  /** Reason classes; empty when identical. */
  readonly reasons: readonly string[];
}

export interface ParitySummary {
  readonly examples: number;
  readonly found: number;
  readonly referenceRowsIdentical: number;
  readonly identical: number;
  readonly identicalIndices: readonly number[];
  readonly explained: number;
  readonly unexplained: readonly number[];
  readonly reasonCounts: Readonly<Record<string, number>>;
  readonly pixelsDifferingTotal: number;
  /** Our own candidate caller on raw (not realigned) reads vs the golden sites. */
  readonly ownCandidates: {
    readonly region: string;
    readonly goldenSites: number;
    readonly sitesFound: number;
    readonly sitesWithSameAlleles: number;
    readonly ourCandidates: number;
  };
}

export interface ParityRequest {
  readonly golden: AsyncIterable<DvExample>;
  readonly reads: AlignmentSource;
  readonly reference: ReferenceSource;
  readonly options: PipelineOptions;
  /** The calling region the goldens were made for (their partition grid); default: contig-wide partitions. */
  readonly region?: CallingRegion;
  readonly signal?: AbortSignal;
  readonly onExample?: (r: ParityExampleResult) => void;
}

function rowBytes(t: PileupTensor, row: number): Uint8Array {
  const n = t.width * t.channels.length;
  return t.data.subarray(row * n, (row + 1) * n);
}

function isEmptyRow(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function readRows(t: PileupTensor, band: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let r = band; r < t.height; r++) {
    const b = rowBytes(t, r);
    if (isEmptyRow(b)) break;
    out.push(b);
  }
  return out;
}

function key(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Columns a row draws (any channel non-zero). */
function drawnCols(b: Uint8Array, C: number, W: number): Uint8Array {
  const m = new Uint8Array(W);
  for (let c = 0; c < W; c++) for (let k = 0; k < C; k++) if (b[c * C + k] !== 0) { m[c] = 1; break; }
  return m;
}

function hasSoftClip(read: AlignedRead | undefined, side: 'start' | 'end'): boolean {
  if (!read || read.cigar.length === 0) return false;
  const c = side === 'start' ? read.cigar[0]! : read.cigar[read.cigar.length - 1]!;
  return (c & 0xf) === CigarOp.S;
}

/** Classifies how our row differs from the golden row it was paired with. */
function classifyPair(g: Uint8Array, o: Uint8Array, C: number, W: number, supportsSlot: number, ourRead: AlignedRead | undefined): RowDifference {
  const gm = drawnCols(g, C, W);
  const om = drawnCols(o, C, W);
  let onlyG = 0;
  let onlyO = 0;
  let bothDiff = 0;
  let bothDiffNonSupports = 0;
  let firstG = -1;
  let lastG = -1;
  const onlyGCols: number[] = [];
  for (let c = 0; c < W; c++) {
    if (gm[c]) { if (firstG < 0) firstG = c; lastG = c; }
    if (gm[c] && !om[c]) { onlyG++; onlyGCols.push(c); }
    else if (om[c] && !gm[c]) onlyO++;
    else if (gm[c] && om[c]) {
      let diff = false;
      let diffNonSup = false;
      for (let k = 0; k < C; k++) if (g[c * C + k] !== o[c * C + k]) { diff = true; if (k !== supportsSlot) diffNonSup = true; }
      if (diff) bothDiff++;
      if (diffNonSup) bothDiffNonSupports++;
    }
  }
  if (onlyG > 0 && onlyO === 0 && bothDiffNonSupports === 0) {
    // Extra golden pixels only at the read's ends, where our read is soft-clipped.
    const atStart = onlyGCols.every((c, i) => c === firstG + i);
    const atEnd = onlyGCols.every((c, i) => c === lastG - (onlyGCols.length - 1) + i);
    const split = onlyGCols.filter((c) => c < (firstG + lastG) / 2);
    const both = split.every((c, i) => c === firstG + i) && onlyGCols.slice(split.length).every((c, i, a) => c === lastG - (a.length - 1) + i);
    if ((atStart && hasSoftClip(ourRead, 'start')) || (atEnd && hasSoftClip(ourRead, 'end')) || (both && hasSoftClip(ourRead, 'start') && hasSoftClip(ourRead, 'end'))) {
      return 'soft clip turned into match at read end';
    }
  }
  if (onlyG === 0 && onlyO === 0 && bothDiffNonSupports === 0 && bothDiff > 0) return 'supports channel differs';
  return 'read realigned (position or CIGAR changed)';
}

/** Similarity used to pair non-identical rows: columns drawn by both with equal mapping quality and strand. */
function similarity(g: Uint8Array, o: Uint8Array, C: number, W: number): number {
  let same = 0;
  for (let c = 0; c < W; c++) {
    const p = c * C;
    let gd = false;
    let od = false;
    for (let k = 0; k < C; k++) { if (g[p + k] !== 0) gd = true; if (o[p + k] !== 0) od = true; }
    if (gd && od) {
      let eq = 0;
      for (let k = 0; k < C; k++) if (g[p + k] === o[p + k]) eq++;
      same += eq / C;
    }
  }
  return same;
}

export function compareExample(golden: PileupTensor, ours: PileupTensor, band: number, ourReads: readonly AlignedRead[]): Omit<ParityExampleResult, 'index' | 'locus' | 'position' | 'refBases' | 'altBases' | 'altAlleleIndices' | 'found' | 'indelSite' | 'reasons'> {
  const C = golden.channels.length;
  const W = golden.width;
  let pixels = 0;
  const a = golden.data;
  const b = ours.data;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) pixels++;
  pixels += Math.abs(a.length - b.length);
  const refBytes = band * W * C;
  let refSame = a.length === b.length;
  for (let i = 0; i < refBytes && refSame; i++) if (a[i] !== b[i]) refSame = false;
  const g = readRows(golden, band);
  const o = readRows(ours, band);
  // Exact matches by content (multiset).
  const byKey = new Map<string, number[]>();
  o.forEach((row, i) => { const k = key(row); const l = byKey.get(k); if (l) l.push(i); else byKey.set(k, [i]); });
  const pairOf = new Array<number>(g.length).fill(-1);
  const usedO = new Uint8Array(o.length);
  let matched = 0;
  g.forEach((row, i) => {
    const l = byKey.get(key(row));
    if (l && l.length > 0) { const j = l.shift()!; pairOf[i] = j; usedO[j] = 1; matched++; }
  });
  // Pair the rest greedily by similarity.
  const diffs: Partial<Record<RowDifference, number>> = {};
  const bump = (d: RowDifference): void => { diffs[d] = (diffs[d] ?? 0) + 1; };
  const supportsSlot = golden.channels.indexOf(5);
  const restG = g.map((_, i) => i).filter((i) => pairOf[i]! < 0);
  const cand: { i: number; j: number; s: number }[] = [];
  for (const i of restG) for (let j = 0; j < o.length; j++) if (!usedO[j]) { const s = similarity(g[i]!, o[j]!, C, W); if (s >= 20) cand.push({ i, j, s }); }
  cand.sort((x, y) => y.s - x.s);
  for (const { i, j } of cand) {
    if (pairOf[i]! >= 0 || usedO[j]) continue;
    pairOf[i] = j;
    usedO[j] = 1;
    bump(classifyPair(g[i]!, o[j]!, C, W, supportsSlot, ourReads[j]));
  }
  for (const i of restG) if (pairOf[i]! < 0) bump('read only in golden');
  for (let j = 0; j < o.length; j++) if (!usedO[j]) bump('read only in ours');
  // Order: are the paired rows in the same relative order?
  let rowOrderDiffers = false;
  let last = -1;
  for (let i = 0; i < g.length; i++) {
    const j = pairOf[i]!;
    if (j < 0) continue;
    if (j < last) { rowOrderDiffers = true; break; }
    last = j;
  }
  return {
    referenceRowsIdentical: refSame, identical: pixels === 0, pixelsDiffering: pixels,
    goldenReadRows: g.length, ourReadRows: o.length, rowsMatched: matched, rowDifferences: diffs, rowOrderDiffers,
  };
}

function reasonsFor(r: Omit<ParityExampleResult, 'reasons'>): string[] {
  if (!r.found) return ['example not made'];
  if (r.identical) return [];
  const out: string[] = [];
  const d = r.rowDifferences;
  if (!r.referenceRowsIdentical) out.push('reference rows differ');
  if ((d['read only in golden'] ?? 0) + (d['read only in ours'] ?? 0) > 0) out.push('read rows differ: read set differs (realigner)');
  if (d['read realigned (position or CIGAR changed)']) out.push('read rows differ: reads realigned (position or CIGAR changed)');
  if (d['soft clip turned into match at read end']) out.push('soft clip turned into match at read end');
  if (d['supports channel differs']) out.push('supports channel differs (allele support counted on realigned reads)');
  if (r.rowOrderDiffers) out.push('row order');
  if (out.length > 0 && r.indelSite) out.push('indel site');
  if (out.length === 0) out.push('unexplained');
  return out;
}

/** Parses `chr:start-end` (1-based inclusive, commas allowed) into a 0-based half-open region. */
export function parseRegion(text: string): CallingRegion | undefined {
  const m = /^(.+):([\d,]+)-([\d,]+)$/.exec(text.trim());
  if (!m) return undefined;
  const start = Number(m[2]!.replace(/,/g, '')) - 1;
  const end = Number(m[3]!.replace(/,/g, ''));
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) return undefined;
  return { contig: m[1]!, start, end };
}

export async function runGoldenParity(req: ParityRequest): Promise<{ summary: ParitySummary; examples: ParityExampleResult[] }> {
  const { options, signal } = req;
  const reader = new PartitionReader(req.reads, req.reference, options);
  const band = options.encoder.referenceBandHeight;
  const results: ParityExampleResult[] = [];
  const goldenSites = new Map<string, { start: number; ref: string; alts: string }>();
  let contig = '';
  let lo = Infinity;
  let hi = -Infinity;
  let index = 0;
  for await (const g of req.golden) {
    throwIfAborted(signal);
    const v = g.variant;
    contig = v.referenceName;
    lo = Math.min(lo, v.start);
    hi = Math.max(hi, v.end);
    goldenSites.set(`${v.referenceName}:${v.start}`, { start: v.start, ref: v.referenceBases, alts: v.alternateBases.join(',') });
    const site = await buildSiteExamples({
      reads: req.reads, reference: req.reference, contig: v.referenceName, position: v.start + 1,
      alleles: { refBases: v.referenceBases, altBases: v.alternateBases }, alleleMode: 'given',
      region: req.region, partitionReader: reader, signal,
    });
    const ex = site.examples.find((e) => e.altAlleleIndices.join(',') === g.altAlleleIndices.join(','));
    const indelSite = v.referenceBases.length > 1 || v.alternateBases.some((a) => a.length > 1);
    const base = { index, locus: g.locus, position: v.start + 1, refBases: v.referenceBases, altBases: v.alternateBases, altAlleleIndices: g.altAlleleIndices, indelSite };
    let r: Omit<ParityExampleResult, 'reasons'>;
    if (ex) {
      r = { ...base, found: true, ...compareExample(g.tensor, ex.tensor, band, site.rowReads) };
    } else {
      r = { ...base, found: false, referenceRowsIdentical: false, identical: false, pixelsDiffering: g.tensor.data.length, goldenReadRows: 0, ourReadRows: 0, rowsMatched: 0, rowDifferences: {}, rowOrderDiffers: false };
    }
    const full: ParityExampleResult = { ...r, reasons: reasonsFor(r) };
    results.push(full);
    req.onExample?.(full);
    index++;
  }
  // Our own candidate caller over the region (raw reads, no realigner).
  const size = options.partitionSize;
  const region = req.region ?? { contig, start: Math.floor(lo / size) * size, end: Math.ceil(hi / size) * size };
  let ours = 0;
  let sitesFound = 0;
  let same = 0;
  if (Number.isFinite(lo)) {
    for await (const s of regionExamples(reader, region, signal)) {
      ours++;
      const gs = goldenSites.get(`${s.contig}:${s.start}`) ?? goldenSites.get(`${contig}:${s.start}`);
      if (!gs) continue;
      sitesFound++;
      if (gs.ref === s.refBases && gs.alts === s.altBases.join(',')) same++;
    }
  }
  const reasonCounts: Record<string, number> = {};
  for (const r of results) for (const why of r.reasons) reasonCounts[why] = (reasonCounts[why] ?? 0) + 1;
  const unexplained = results.filter((r) => r.reasons.includes('unexplained') || r.reasons.includes('example not made')).map((r) => r.index);
  const summary: ParitySummary = {
    examples: results.length,
    found: results.filter((r) => r.found).length,
    referenceRowsIdentical: results.filter((r) => r.referenceRowsIdentical).length,
    identical: results.filter((r) => r.identical).length,
    identicalIndices: results.filter((r) => r.identical).map((r) => r.index),
    explained: results.filter((r) => !r.identical && r.reasons.length > 0 && !r.reasons.includes('unexplained') && r.found).length,
    unexplained,
    reasonCounts,
    pixelsDifferingTotal: results.reduce((s, r) => s + r.pixelsDiffering, 0),
    ownCandidates: { region: `${region.contig}:${region.start + 1}-${region.end}`, goldenSites: goldenSites.size, sitesFound, sitesWithSameAlleles: same, ourCandidates: ours },
  };
  return { summary, examples: results };
}
