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
import type { ReferenceSource } from '../io/fasta/referenceSource';
import type { DvExample } from '../io/examples/tfExample';
import { throwIfAborted } from '../errors';
import type { PileupTensor } from '../io/examples/pileupTensor';
import { type CallingRegion, PartitionReader, type PipelineOptions, buildSiteExamples, regionExamples } from './siteExamples';

/**
 * The closed list of causes that explain a difference (docs/deepvariant.md §8.3). Each is
 * checked against the data; any other difference is unexplained, and so is every pixel that
 * differs in the reference rows, below the last read row, or in a row no read draws.
 *
 *   'read realigned, realigner off'  the golden row equals, byte for byte, the row our realigner
 *        draws for this read, and the realigner is off and moved the read (start or CIGAR differs).
 *   'read only in the realigned partition, realigner off'  the golden row equals the realigned
 *        row of a read that is absent from our (raw) rows.
 *   'read only in the raw partition, realigner off'  our raw row's read is absent from the rows
 *        the realigner's partition gives (downsampling / read set after realignment).
 *   'rows with equal sort keys in another order'  rows present in both images, in another order
 *        only among reads with the same (haplotype, start) sort key (docs/deepvariant.md §1.5).
 */
export type RowCause =
  | 'read realigned, realigner off'
  | 'read only in the realigned partition, realigner off'
  | 'read only in the raw partition, realigner off'
  | 'rows with equal sort keys in another order';

const ROW_CAUSES: readonly RowCause[] = [
  'read realigned, realigner off',
  'read only in the realigned partition, realigner off',
  'read only in the raw partition, realigner off',
  'rows with equal sort keys in another order',
];

/** One named difference: a cause from ROW_CAUSES, or 'unexplained' with what was seen. */
export interface RowNote {
  readonly cause: RowCause | 'unexplained';
  /** Golden read row (0-based, counted from the first read row), when the note is about one. */
  readonly goldenRow?: number;
  /** The read concerned: name/read number, start (0-based) and CIGAR. */
  readonly read?: string;
  readonly detail?: string;
}

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
  /** Count of notes per cause (and 'unexplained'). */
  readonly rowDifferences: Readonly<Partial<Record<RowCause | 'unexplained', number>>>;
  readonly rowOrderDiffers: boolean;
  readonly indelSite: boolean;
  /** Every difference, naming the read. */
  readonly notes: readonly RowNote[];
  /** Causes present; 'unexplained' when any note is; empty when identical. */
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
  /** Whether our images were made with DeepVariant's realigner. */
  readonly realignReads: boolean;
  /** Our own candidate caller vs the golden sites. */
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

/** Read rows up to the first all-zero row, and whether any pixel below it is non-zero. */
function readRows(t: PileupTensor, band: number): { rows: Uint8Array[]; pixelsBelow: number } {
  const rows: Uint8Array[] = [];
  let r = band;
  for (; r < t.height; r++) {
    const b = rowBytes(t, r);
    if (isEmptyRow(b)) break;
    rows.push(b);
  }
  let pixelsBelow = 0;
  for (; r < t.height; r++) { const b = rowBytes(t, r); for (let i = 0; i < b.length; i++) if (b[i] !== 0) pixelsBelow++; }
  return { rows, pixelsBelow };
}

function key(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Similarity used to name the nearest read of an unmatched row: equal bytes in columns both draw. */
function similarity(g: Uint8Array, o: Uint8Array, C: number, W: number): number {
  let same = 0;
  for (let c = 0; c < W; c++) {
    const p = c * C;
    let gd = false;
    let od = false;
    for (let k = 0; k < C; k++) { if (g[p + k] !== 0) gd = true; if (o[p + k] !== 0) od = true; }
    if (gd && od) for (let k = 0; k < C; k++) if (g[p + k] === o[p + k]) same++;
  }
  return same;
}

const CIGAR_CHARS = 'MIDNSHP=X';
function cigarText(c: Uint32Array): string {
  let s = '';
  for (const v of c) s += `${v >>> 4}${CIGAR_CHARS[v & 0xf] ?? '?'}`;
  return s || '*';
}

/** A read's identity across builds: name, first/second of pair, supplementary. */
function readId(r: AlignedRead): string {
  return `${r.name}/${(r.flags & 0x40) ? 1 : (r.flags & 0x80) ? 2 : 0}${(r.flags & 0x800) ? 's' : ''}`;
}

function describe(r: AlignedRead | undefined): string | undefined {
  return r ? `${readId(r)} ${r.contig}:${r.start + 1} ${cigarText(r.cigar)}` : undefined;
}

/** The images of one site: tensor and the read of each read row, in row order. */
export interface BuiltImage {
  readonly tensor: PileupTensor;
  readonly reads: readonly AlignedRead[];
  /** Alt-aligned layouts: the reads of the two alt blocks' rows (docs/deepvariant.md §12.3). */
  readonly altBlockReads?: readonly [readonly AlignedRead[], readonly AlignedRead[]];
}

type Comparison = ReturnType<typeof compareExample>;

function rowBlock(t: PileupTensor, k: number, h: number): PileupTensor {
  const n = h * t.width * t.channels.length;
  return { height: h, width: t.width, channels: t.channels, data: t.data.subarray(k * n, (k + 1) * n) };
}

function channelSubset(t: PileupTensor, indices: readonly number[]): PileupTensor {
  const C = t.channels.length;
  const n = t.height * t.width;
  const data = new Uint8Array(n * indices.length);
  for (let p = 0; p < n; p++) for (let j = 0; j < indices.length; j++) data[p * indices.length + j] = t.data[p * C + indices[j]!]!;
  return { height: t.height, width: t.width, channels: indices.map((i) => t.channels[i]!), data };
}

/**
 * Compares an alt-aligned example block by block (docs/deepvariant.md §12.3): the reference
 * pileup and each alt pileup are separate images with their own reads and row order — the
 * three stacked blocks of 'rows', or the reference channels and channels 9/10 (20/21) of the
 * channel layouts. Notes about an alt block say which.
 */
export function compareAltLayout(golden: PileupTensor, ours: BuiltImage, layout: 'rows' | 'diff_channels' | 'base_channels', band: number, realigned?: BuiltImage, sortKey: SortKey = startKey): Comparison {
  const parts: { name: string; g: PileupTensor; o: PileupTensor; reads: readonly AlignedRead[]; re?: BuiltImage }[] = [];
  const alt = (b: BuiltImage | undefined, k: 0 | 1): readonly AlignedRead[] => b?.altBlockReads?.[k] ?? [];
  const sameShape = golden.height === ours.tensor.height && golden.width === ours.tensor.width && golden.channels.length === ours.tensor.channels.length;
  if (!sameShape) return compareExample(golden, ours, band, realigned, sortKey);
  if (layout === 'rows') {
    const h = golden.height / 3;
    (['reference', 'alt block 1', 'alt block 2'] as const).forEach((name, k) => {
      const reads = k === 0 ? ours.reads : alt(ours, (k - 1) as 0 | 1);
      const re = realigned ? { tensor: rowBlock(realigned.tensor, k, h), reads: k === 0 ? realigned.reads : alt(realigned, (k - 1) as 0 | 1) } : undefined;
      parts.push({ name, g: rowBlock(golden, k, h), o: rowBlock(ours.tensor, k, h), reads, ...(re ? { re } : {}) });
    });
  } else {
    const ids = layout === 'diff_channels' ? [9, 10] : [20, 21];
    const refIdx = golden.channels.map((id, i) => (ids.includes(id) ? -1 : i)).filter((i) => i >= 0);
    const split = (t: PileupTensor, which: number): PileupTensor => channelSubset(t, which < 0 ? refIdx : [t.channels.indexOf(ids[which]!)]);
    ([-1, 0, 1] as const).forEach((which) => {
      const name = which < 0 ? 'reference' : `alt block ${which + 1} (channel ${ids[which]!})`;
      const reads = which === -1 ? ours.reads : alt(ours, which);
      const re = realigned ? { tensor: split(realigned.tensor, which), reads: which === -1 ? realigned.reads : alt(realigned, which) } : undefined;
      parts.push({ name, g: split(golden, which), o: split(ours.tensor, which), reads, ...(re ? { re } : {}) });
    });
  }
  const results = parts.map((p) => ({ name: p.name, r: compareExample(p.g, { tensor: p.o, reads: p.reads }, band, p.re, sortKey) }));
  const notes: RowNote[] = results.flatMap(({ name, r }) => r.notes.map((n) => (name === 'reference' ? n : { ...n, detail: `${name}: ${n.detail ?? n.cause}` })));
  const diffs: Partial<Record<RowCause | 'unexplained', number>> = {};
  for (const nt of notes) diffs[nt.cause] = (diffs[nt.cause] ?? 0) + 1;
  const ref = results[0]!.r;
  return {
    referenceRowsIdentical: results.every(({ r }) => r.referenceRowsIdentical),
    identical: results.every(({ r }) => r.identical),
    pixelsDiffering: results.reduce((n, { r }) => n + r.pixelsDiffering, 0),
    goldenReadRows: ref.goldenReadRows, ourReadRows: ref.ourReadRows, rowsMatched: ref.rowsMatched,
    rowDifferences: diffs, rowOrderDiffers: results.some(({ r }) => r.rowOrderDiffers), notes,
  };
}

/** Sort key of a row (docs/deepvariant.md §1.5): haplotype tag when sorting by haplotype, then start. */
export type SortKey = (r: AlignedRead) => string;
const startKey: SortKey = (r) => String(r.start);

/**
 * Compares a golden image with ours. `realigned` is the same site built with the realigner
 * when ours was built without it (undefined when ours was realigned): it is the evidence the
 * realigner causes are checked against.
 */
export function compareExample(golden: PileupTensor, ours: BuiltImage, band: number, realigned?: BuiltImage, sortKey: SortKey = startKey): Omit<ParityExampleResult, 'index' | 'locus' | 'position' | 'refBases' | 'altBases' | 'altAlleleIndices' | 'found' | 'indelSite' | 'reasons'> {
  const C = golden.channels.length;
  const W = golden.width;
  const a = golden.data;
  const b = ours.tensor.data;
  const notes: RowNote[] = [];
  const unexplained = (detail: string, goldenRow?: number, read?: AlignedRead): void => { notes.push({ cause: 'unexplained', goldenRow, read: describe(read), detail }); };
  let pixels = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) pixels++;
  pixels += Math.abs(a.length - b.length);
  const sameShape = golden.height === ours.tensor.height && W === ours.tensor.width && C === ours.tensor.channels.length;
  if (!sameShape) unexplained(`image shape ${golden.height}x${W}x${C} vs ours ${ours.tensor.height}x${ours.tensor.width}x${ours.tensor.channels.length}`);
  const refBytes = band * W * C;
  let refSame = sameShape;
  let refPixels = 0;
  for (let i = 0; i < refBytes && i < n; i++) if (a[i] !== b[i]) { refSame = false; refPixels++; }
  if (sameShape && !refSame) unexplained(`${refPixels} reference-row pixels differ`);
  const G = readRows(golden, band);
  const g = G.rows;
  const o = readRows(ours.tensor, band).rows;
  if (G.pixelsBelow > 0) unexplained(`${G.pixelsBelow} non-zero pixels below the last golden read row`);
  // Rows of ours identical to golden rows (multiset, first free row of equal content).
  const matchRows = (rows: readonly Uint8Array[]): { pair: number[]; used: Uint8Array; matched: number } => {
    const byKey = new Map<string, number[]>();
    rows.forEach((row, i) => { const k = key(row); const l = byKey.get(k); if (l) l.push(i); else byKey.set(k, [i]); });
    const pair = new Array<number>(g.length).fill(-1);
    const used = new Uint8Array(rows.length);
    let matched = 0;
    g.forEach((row, i) => {
      const l = byKey.get(key(row));
      if (l && l.length > 0) { const j = l.shift()!; pair[i] = j; used[j] = 1; matched++; }
    });
    return { pair, used, matched };
  };
  const direct = matchRows(o);
  // The explaining build: the realigned image when ours is raw, else ours.
  const E = realigned ?? ours;
  const eRows = realigned ? readRows(realigned.tensor, band).rows : o;
  const m = realigned ? matchRows(eRows) : direct;
  const nearest = (row: Uint8Array): AlignedRead | undefined => {
    let best = -1;
    let bs = 0;
    eRows.forEach((r, j) => { if (!m.used[j]) { const s = similarity(row, r, C, W); if (s > bs) { bs = s; best = j; } } });
    return best >= 0 ? E.reads[best] : undefined;
  };
  for (let i = 0; i < g.length; i++) if (m.pair[i]! < 0) unexplained('golden read row equals no row of any read (nearest read named)', i, nearest(g[i]!));
  for (let j = 0; j < eRows.length; j++) if (!m.used[j]) unexplained(realigned ? 'read drawn by the realigner has no golden row' : 'our read row has no golden row', undefined, E.reads[j]);
  // Order: golden rows must follow the sort key; ties may come in any order.
  let rowOrderDiffers = false;
  let prev = -1;
  let prevKey: string | undefined;
  let prevRead: AlignedRead | undefined;
  for (let i = 0; i < g.length; i++) {
    const j = m.pair[i]!;
    if (j < 0) continue;
    const r = E.reads[j]!;
    const k = sortKey(r);
    if (prevKey !== undefined && j < prev) {
      rowOrderDiffers = true;
      if (k === prevKey) notes.push({ cause: 'rows with equal sort keys in another order', goldenRow: i, read: describe(r), detail: `after ${describe(prevRead)}` });
      else unexplained(`rows out of sort order: after ${describe(prevRead)}`, i, r);
    }
    prev = j;
    prevKey = k;
    prevRead = r;
  }
  if (realigned) {
    // Rows that differ from our raw image: each must be a read the realigner moved or added.
    const raw = new Map<string, { read: AlignedRead; row: number }>();
    ours.reads.forEach((r, j) => { if (j < o.length) raw.set(readId(r), { read: r, row: j }); });
    const explainedRaw = new Set<number>();
    for (let i = 0; i < g.length; i++) {
      const j = m.pair[i]!;
      if (j < 0) continue;
      const e = E.reads[j]!;
      const ours1 = raw.get(readId(e));
      if (ours1 && key(o[ours1.row]!) === key(g[i]!)) { explainedRaw.add(ours1.row); continue; }
      if (!ours1) { notes.push({ cause: 'read only in the realigned partition, realigner off', goldenRow: i, read: describe(e) }); continue; }
      explainedRaw.add(ours1.row);
      const moved = ours1.read.start !== e.start || cigarText(ours1.read.cigar) !== cigarText(e.cigar);
      if (moved) notes.push({ cause: 'read realigned, realigner off', goldenRow: i, read: describe(e), detail: `raw ${ours1.read.start + 1} ${cigarText(ours1.read.cigar)}` });
      else unexplained('row differs from ours though the realigner kept the read\'s start and CIGAR', i, e);
    }
    const inE = new Set(E.reads.slice(0, eRows.length).map(readId));
    for (let j = 0; j < o.length; j++) {
      if (explainedRaw.has(j) || direct.used[j]) continue;
      const r = ours.reads[j]!;
      if (!inE.has(readId(r))) notes.push({ cause: 'read only in the raw partition, realigner off', read: describe(r) });
    }
  }
  const diffs: Partial<Record<RowCause | 'unexplained', number>> = {};
  for (const nt of notes) diffs[nt.cause] = (diffs[nt.cause] ?? 0) + 1;
  // Byte-identical images need no cause; a difference with no note at all is unexplained.
  if (pixels > 0 && notes.length === 0) unexplained(`${pixels} pixels differ with no row difference found`);
  return {
    referenceRowsIdentical: refSame, identical: pixels === 0, pixelsDiffering: pixels,
    goldenReadRows: g.length, ourReadRows: o.length, rowsMatched: direct.matched, rowDifferences: diffs, rowOrderDiffers, notes,
  };
}

function reasonsFor(r: Omit<ParityExampleResult, 'reasons'>): string[] {
  if (!r.found) return ['example not made', 'unexplained'];
  if (r.identical) return [];
  const out = new Set<string>();
  for (const nt of r.notes) out.add(nt.cause);
  if (out.size === 0) out.add('unexplained');
  // Causes in the list's order, 'unexplained' last.
  return [...ROW_CAUSES.filter((c) => out.has(c)), ...(out.has('unexplained') ? ['unexplained'] : [])];
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
  const realignOn = options.realigner !== undefined || options.realignReads;
  // Without the realigner, the realigned build is the evidence for the realigner causes.
  const evidence = realignOn ? undefined : new PartitionReader(req.reads, req.reference, { ...options, realignReads: true });
  const sortKey: SortKey = options.encoder.sortByHaplotypes ? (r) => `${String(r.tags['HP'] ?? '')}:${r.start}` : startKey;
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
    const build = async (pr: PartitionReader): Promise<BuiltImage | undefined> => {
      const site = await buildSiteExamples({
        reads: req.reads, reference: req.reference, contig: v.referenceName, position: v.start + 1,
        alleles: { refBases: v.referenceBases, altBases: v.alternateBases }, alleleMode: 'given',
        region: req.region, partitionReader: pr, signal,
      });
      const e = site.examples.find((x) => x.altAlleleIndices.join(',') === g.altAlleleIndices.join(','));
      return e ? { tensor: e.tensor, reads: site.rowReads, ...(e.altBlocks ? { altBlockReads: [e.altBlocks[0].reads, e.altBlocks[1].reads] as const } : {}) } : undefined;
    };
    const ex = await build(reader);
    const indelSite = v.referenceBases.length > 1 || v.alternateBases.some((a) => a.length > 1);
    const base = { index, locus: g.locus, position: v.start + 1, refBases: v.referenceBases, altBases: v.alternateBases, altAlleleIndices: g.altAlleleIndices, indelSite };
    let r: Omit<ParityExampleResult, 'reasons'>;
    if (ex) {
      const same = ex.tensor.data.length === g.tensor.data.length && Buffer.compare(ex.tensor.data, g.tensor.data) === 0;
      const re = evidence && !same ? await build(evidence) : undefined;
      const layout = options.encoder.altAlignedPileup;
      r = { ...base, found: true, ...(layout === 'none' ? compareExample(g.tensor, ex, band, re, sortKey) : compareAltLayout(g.tensor, ex, layout, band, re, sortKey)) };
    } else {
      r = { ...base, found: false, referenceRowsIdentical: false, identical: false, pixelsDiffering: g.tensor.data.length, goldenReadRows: 0, ourReadRows: 0, rowsMatched: 0, rowDifferences: {}, rowOrderDiffers: false, notes: [{ cause: 'unexplained', detail: 'no example made for this site and these alt alleles' }] };
    }
    const full: ParityExampleResult = { ...r, reasons: reasonsFor(r) };
    results.push(full);
    req.onExample?.(full);
    index++;
  }
  // Our own candidate caller over the region (with the realigner when it is on).
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
  const unexplained = results.filter((r) => r.reasons.includes('unexplained')).map((r) => r.index);
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
    realignReads: realignOn,
    ownCandidates: { region: `${region.contig}:${region.start + 1}-${region.end}`, goldenSites: goldenSites.size, sitesFound, sitesWithSameAlleles: same, ourCandidates: ours },
  };
  return { summary, examples: results };
}
