/**
 * Reads alignments from BAM (+ .bai or .csi, through our BamReader, bamReader.ts) and CRAM (+ .crai, through
 * @gmod/cram with our FASTA reader behind its seqFetch) into the shared `AlignedRead`
 * model (src/core/io/sam/alignedRead.ts). Coordinates out are 0-based (SAM POS - 1);
 * `fetch(contig, start, end)` takes 0-based half-open [start, end) and returns reads whose
 * alignment overlaps it, the same set `samtools view FILE contig:start+1-end` prints.
 */
import { existsSync } from 'node:fs';
import { CraiIndex, IndexedCramFile, type CramRecord } from '@gmod/cram';
import { VariantLensError, throwIfAborted, wrapError, isCancelled } from '../../errors';
import { CigarOp, cigarReferenceLength, type AlignedRead, type AlignmentSource, type TagValue } from './alignedRead';
import { BamReader } from './bamReader';
import { countBamRecordsByStreaming, readIndexCounts, type IndexCounts } from '../index/alignmentIndexStats';
import { hasBgzfEof, openForRead, looksLikeBgzf } from '../bgzf/bgzfReader';
import { describeAvailable, resolveContig } from '../contigAliases';
import { openReference, type FastaFile } from '../fasta/fastaReader';
import { embeddedBases, supportEmbeddedReference } from './cramEmbeddedRef';
import { computeMdNm } from './mdNm';

/** One line of `samtools idxstats`. '*' is the unplaced-unmapped line. */
export interface ContigCount {
  readonly contig: string;
  readonly length: number;
  readonly mapped: number;
  readonly unmapped: number;
}

export interface AlignmentFile extends AlignmentSource {
  readonly format: 'bam' | 'cram';
  readonly indexPath: string;
  /** Contigs with their lengths, in header order. */
  contigs(signal?: AbortSignal): Promise<{ name: string; length: number }[]>;
  /** The header text (SAM @HD/@SQ/@RG/@PG lines). */
  headerText(signal?: AbortSignal): Promise<string>;
  /**
   * Records per contig, mapped and unmapped, like `samtools idxstats` (including the
   * final '*' line for unplaced unmapped reads). From the BAM index's pseudo-bins when
   * present, else by streaming the file.
   */
  countPerContig(signal?: AbortSignal): Promise<ContigCount[]>;
}

export interface OpenAlignmentsOptions {
  /** Reference FASTA (plain or bgzipped, with .fai/.gzi); required for CRAM. */
  readonly referencePath?: string;
}

/** Opens a BAM or CRAM with its index. The index must exist (`missing-index` says how to make it). */
export async function openAlignments(path: string, opts: OpenAlignmentsOptions = {}, signal?: AbortSignal): Promise<AlignmentFile> {
  throwIfAborted(signal);
  const fh = await openForRead(path);
  let magic: string;
  let eofOk: boolean;
  let bgzf = false;
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(18);
    await fh.read(head, 0, 18, 0);
    magic = head.toString('latin1', 0, 4);
    bgzf = looksLikeBgzf(head);
    eofOk = magic === 'CRAM' || (await hasBgzfEof(fh, size));
  } finally {
    await fh.close();
  }
  if (magic === 'CRAM') return openCram(path, opts, signal);
  if (!magic.startsWith('\x1f\x8b')) {
    throw new VariantLensError('unsupported', 'is neither BAM nor CRAM (SAM text is not supported; convert it with samtools view -b)', path);
  }
  if (!bgzf) {
    // gzip, but not BGZF: a gzipped SAM (or another file) under a BAM name.
    throw new VariantLensError('unsupported', 'is gzip-compressed but not BGZF, so it is not a BAM (a gzipped SAM?); convert it with: samtools view -b -o out.bam FILE', path);
  }
  if (!eofOk) {
    throw new VariantLensError('malformed-bam', 'does not end with the BGZF end-of-file marker: the BAM is truncated (an interrupted copy or write); re-copy or re-create it (samtools quickcheck reports the same)', path);
  }
  return openBam(path, signal);
}

// ---- BAM ---------------------------------------------------------------------------------

function findBamIndex(path: string): string {
  const candidates = [`${path}.bai`, `${path}.csi`];
  if (path.endsWith('.bam')) candidates.push(`${path.slice(0, -4)}.bai`);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new VariantLensError('missing-index', `has no index (looked for ${candidates.join(', ')}); create it with: samtools index ${path}`, path);
  }
  return found;
}

async function openBam(path: string, signal?: AbortSignal): Promise<AlignmentFile> {
  const indexPath = findBamIndex(path);
  const bam = await BamReader.open(path, indexPath, signal);
  const headerText = bam.header.text;
  const refs = bam.header.references.map((r) => ({ name: r.name, length: r.length }));
  const names = refs.map((r) => r.name);
  const rg = readGroups(headerText);

  return {
    path,
    format: 'bam',
    indexPath,
    contigNames: async () => [...names],
    contigs: async () => refs.map((r) => ({ ...r })),
    headerText: async () => headerText,
    sampleName: async () => rg.find((r) => r.sample)?.sample,
    async fetch(contig: string, start: number, end: number, sig?: AbortSignal): Promise<AlignedRead[]> {
      throwIfAborted(sig);
      const name = resolveContig(contig, names);
      if (name === undefined) {
        throw new VariantLensError('contig-not-found', `contig "${contig}" is not in the BAM header; ${describeAvailable(names)}`, path);
      }
      checkRange(path, contig, start, end);
      try {
        // The reader applies samtools' overlap rule itself (see bamReader.ts).
        return await bam.fetch(names.indexOf(name), start, end, sig);
      } catch (e) {
        throw wrapError(e, 'malformed-bam', path, `cannot read ${contig}:${start + 1}-${end}`);
      }
    },
    async countPerContig(sig?: AbortSignal): Promise<ContigCount[]> {
      let counts: IndexCounts | undefined;
      try {
        counts = await readIndexCounts(indexPath, sig);
      } catch (e) {
        throw wrapError(e, 'bad-index', indexPath, 'cannot read the index');
      }
      counts ??= await countBamRecordsByStreaming(path, refs.length, sig);
      return toContigCounts(refs, counts);
    },
    close: () => bam.close(),
  };
}

// ---- CRAM --------------------------------------------------------------------------------

async function openCram(path: string, opts: OpenAlignmentsOptions, signal?: AbortSignal): Promise<AlignmentFile> {
  const indexPath = `${path}.crai`;
  if (!existsSync(indexPath)) {
    throw new VariantLensError('missing-index', `has no index ${indexPath}; create it with: samtools index ${path}`, path);
  }
  // Without a reference only slices with an embedded reference decode; others say what is missing.
  const ref: FastaFile | undefined = opts.referencePath ? await openReference(opts.referencePath, signal) : undefined;
  let refNames: string[] = [];
  const seqFetch = async (seqId: number, start1: number, end1: number): Promise<string> => {
    // @gmod/cram asks for 1-based closed [start1, end1].
    const name = refNames[seqId];
    if (name === undefined) throw new VariantLensError('malformed-cram', `refers to reference sequence #${seqId}, which its header does not list`, path);
    if (!ref) {
      // No FASTA: slices with an embedded reference answer from it (cramEmbeddedRef.ts).
      const embedded = embeddedBases(cram, seqId, start1, end1);
      if (embedded !== undefined) return embedded;
      throw new VariantLensError('invalid-argument', 'is a CRAM file without an embedded reference: reading it needs the reference FASTA it was compressed against (give it with --ref / the variantLens.reference setting)', path);
    }
    const len = ref.contigLength(name);
    const s = Math.max(0, start1 - 1);
    const e = Math.min(len, end1);
    return e > s ? ref.fetch(name, s, e) : '';
  };
  const cram = new IndexedCramFile({ cramPath: path, index: new CraiIndex({ path: indexPath }), seqFetch, checkSequenceMD5: true });
  supportEmbeddedReference(cram);
  let header: { tag: string; data: { tag: string; value: string }[] }[];
  let headerText: string;
  try {
    header = await cram.cram.getSamHeader();
    headerText = (await cram.cram.getHeaderText()) ?? '';
  } catch (e) {
    throw wrapError(e, 'malformed-cram', path, 'cannot read the CRAM header');
  }
  const refs = header.filter((l) => l.tag === 'SQ').map((l) => ({
    name: l.data.find((d) => d.tag === 'SN')?.value ?? '',
    length: Number(l.data.find((d) => d.tag === 'LN')?.value ?? 0),
  }));
  refNames = refs.map((r) => r.name);
  const rg = readGroups(headerText);
  const cramError = (e: unknown, what: string): VariantLensError => {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof VariantLensError) return e;
    if (/md5|checksum/i.test(msg) && opts.referencePath) {
      return new VariantLensError('reference-mismatch', `${what}: the reference ${opts.referencePath} does not match the one this CRAM was made with (${msg})`, path, { cause: e });
    }
    return wrapError(e, 'malformed-cram', path, what);
  };

  /**
   * Every record of reference `seqId` in the slices the index lists for [start, end)
   * (0-based). Whole slices are kept (not only overlapping reads) so mates decoded together
   * can be paired up for TLEN.
   */
  const decodeSlices = async (seqId: number, start: number, end: number, sig?: AbortSignal): Promise<CramRecord[]> => {
    try {
      // The CRAI holds 1-based starts; ask for the 1-based closed [start + 1, end], widened by one.
      const entries = await cram.index.getEntriesForRange(seqId, Math.max(1, start), end + 1);
      const out: CramRecord[] = [];
      for (const e of entries) {
        throwIfAborted(sig);
        out.push(...(await cram.getRecordsInSlice(e, (r) => r.sequenceId === seqId)));
      }
      return out;
    } catch (e) {
      throw cramError(e, `cannot read ${refNames[seqId]}:${start + 1}-${end}`);
    }
  };

  return {
    path,
    format: 'cram',
    indexPath,
    contigNames: async () => [...refNames],
    contigs: async () => refs.map((r) => ({ ...r })),
    headerText: async () => headerText,
    sampleName: async () => rg.find((r) => r.sample)?.sample,
    async fetch(contig: string, start: number, end: number, sig?: AbortSignal): Promise<AlignedRead[]> {
      throwIfAborted(sig);
      const name = resolveContig(contig, refNames);
      if (name === undefined) {
        throw new VariantLensError('contig-not-found', `contig "${contig}" is not in the CRAM header; ${describeAvailable(refNames)}`, path);
      }
      checkRange(path, contig, start, end);
      const seqId = refNames.indexOf(name);
      const recs = await decodeSlices(seqId, start, end, sig);
      const byId = new Map<number, CramRecord>();
      for (const r of recs) byId.set(r.uniqueId, r);
      const out: AlignedRead[] = [];
      const seen = new Set<number>();
      for (const r of recs) {
        if (seen.has(r.uniqueId)) continue;
        seen.add(r.uniqueId);
        const read = cramToRead(r, refNames, rg, path, byId);
        if (overlaps(read, start, end)) out.push(read);
      }
      out.sort((a, b) => a.start - b.start);
      // MD/NM as samtools reports them for CRAM reads (CRAM does not store them; mdNm.ts).
      const mapped = out.filter((r) => (r.flags & 4) === 0 && r.cigar.length > 0 && r.seq.length > 0 && (r.tags['MD'] === undefined || r.tags['NM'] === undefined));
      if (mapped.length > 0) {
        const s0 = Math.max(0, Math.min(...mapped.map((r) => r.start)));
        const e0 = Math.max(...mapped.map((r) => r.end));
        let bases: string | undefined;
        try {
          bases = ref ? await ref.fetch(name, s0, Math.min(e0, ref.contigLength(name)), sig) : embeddedBases(cram, seqId, s0 + 1, e0);
        } catch (e) {
          if (isCancelled(e)) throw e;
          bases = undefined; // a reference shorter than the reads: leave the tags out, as they were
        }
        if (bases !== undefined) {
          for (const r of mapped) {
            const t = computeMdNm(r.cigar, r.seq, r.start, bases, s0);
            if (!t) continue;
            const tags = r.tags as Record<string, TagValue>;
            tags['MD'] ??= t.md;
            tags['NM'] ??= t.nm;
          }
        }
      }
      return out;
    },
    async countPerContig(sig?: AbortSignal): Promise<ContigCount[]> {
      // CRAI has no counts: decode every slice the index lists, per reference.
      const perRef = refs.map(() => ({ mapped: 0, unmapped: 0 }));
      for (let id = 0; id < refs.length; id++) {
        throwIfAborted(sig);
        if (!(await cram.hasDataForReferenceSequence(id))) continue;
        const recs = await decodeSlices(id, 0, refs[id]!.length || 2 ** 31 - 2, sig);
        for (const r of recs) {
          if (r.sequenceId !== id) continue;
          if (r.flags & 4) perRef[id]!.unmapped++;
          else perRef[id]!.mapped++;
        }
      }
      let noCoor = 0;
      if (await cram.hasDataForReferenceSequence(-1)) {
        try {
          const entries = await cram.index.getEntriesForRange(-1, -Infinity, Infinity);
          for (const e of entries) noCoor += (await cram.getRecordsInSlice(e, (r) => r.sequenceId === -1)).length;
        } catch (e) {
          throw cramError(e, 'cannot read the unplaced reads');
        }
      }
      return toContigCounts(refs, { perRef, noCoor });
    },
    close: async () => { await ref?.close(); },
  };
}

/**
 * Rebuilds the CIGAR from CRAM read features (CRAM spec §10.6: positions are 1-based in the
 * read; bases between features are reference matches).
 */
export function cigarFromCram(r: CramRecord): Uint32Array {
  if (r.flags & 4) return new Uint32Array(0);
  const ops: number[] = [];
  const push = (len: number, op: number): void => {
    if (len <= 0) return;
    const last = ops.length - 1;
    if (last >= 0 && (ops[last]! & 0xf) === op) ops[last] = ops[last]! + (len << 4);
    else ops.push((len << 4) | op);
  };
  let readPos = 1;
  for (const f of r.readFeatures ?? []) {
    if (f.code === 'q' || f.code === 'Q') continue;
    push(f.pos - readPos, CigarOp.M);
    readPos = Math.max(readPos, f.pos);
    switch (f.code) {
      case 'X': case 'B': push(1, CigarOp.M); readPos += 1; break;
      case 'b': push(f.data.length, CigarOp.M); readPos += f.data.length; break;
      case 'I': push(f.data.length, CigarOp.I); readPos += f.data.length; break;
      case 'i': push(1, CigarOp.I); readPos += 1; break;
      case 'S': push(f.data.length, CigarOp.S); readPos += f.data.length; break;
      case 'D': push(f.data, CigarOp.D); break;
      case 'N': push(f.data, CigarOp.N); break;
      case 'H': push(f.data, CigarOp.H); break;
      case 'P': push(f.data, CigarOp.P); break;
    }
  }
  push(r.readLength - readPos + 1, CigarOp.M);
  return Uint32Array.from(ops);
}

function cramToRead(r: CramRecord, names: readonly string[], rg: readonly { id: string }[], file: string, byId: ReadonlyMap<number, CramRecord>): AlignedRead {
  const cigar = cigarFromCram(r);
  const start = r.alignmentStart - 1;
  const seq = r.isUnknownBases() ? '' : (r.getReadBases() ?? '');
  if (seq === '' && r.readLength > 0 && !r.isUnknownBases()) {
    throw new VariantLensError('malformed-cram', `cannot rebuild the bases of read ${r.readName ?? '?'} (is the reference complete?)`, file);
  }
  const qual = r.qualityScores ? Uint8Array.from(r.qualityScores) : new Uint8Array(r.readLength).fill(255);
  const tags: Record<string, TagValue> = {};
  for (const [k, v] of Object.entries(r.tags)) {
    if (v === undefined) continue;
    tags[k] = Array.isArray(v) ? v.map(Number) : v;
  }
  if (r.readGroupId >= 0 && rg[r.readGroupId] && tags.RG === undefined) tags.RG = rg[r.readGroupId]!.id;
  const mate = r.mate;
  const mateStart = mate && mate.alignmentStart > 0 ? mate.alignmentStart - 1 : -1;
  const mateContig = mate && mate.sequenceId >= 0 ? names[mate.sequenceId] : undefined;
  return {
    name: r.readName ?? '',
    flags: r.flags,
    contig: names[r.sequenceId] ?? '*',
    start,
    end: start + cigarReferenceLength(cigar),
    // CRAM stores no MAPQ for unmapped reads; htslib (and so samtools) reports 0.
    mapq: r.mappingQuality ?? 0,
    cigar,
    seq,
    qual,
    mateContig,
    mateStart,
    tlen: cramTlen(r, start, start + cigarReferenceLength(cigar), byId),
    tags,
  };
}

/**
 * Signed TLEN (SAM spec §1.4 item 9). Detached records store it (templateSize). For mates
 * stored together in a slice CRAM stores nothing and decoders recompute it; @gmod/cram only
 * estimates an unsigned span from read lengths, so we recompute it as htslib does: from the
 * leftmost aligned start to the rightmost aligned end of the two reads, positive for the
 * leftmost read. For equal starts the forward-strand read is positive (what samtools
 * prints for this data set); if both strands agree, READ1.
 */
function cramTlen(r: CramRecord, start: number, end: number, byId: ReadonlyMap<number, CramRecord>): number {
  if (r.isDetached() || r.mate?.uniqueId === undefined) return r.templateSize ?? 0;
  const m = byId.get(r.mate.uniqueId);
  if (!m || m.sequenceId !== r.sequenceId || (r.flags & 4) !== 0 || (m.flags & 4) !== 0) return 0;
  const mStart = m.alignmentStart - 1;
  const mEnd = mStart + cigarReferenceLength(cigarFromCram(m));
  const span = Math.max(end, mEnd) - Math.min(start, mStart);
  const rRev = (r.flags & 0x10) !== 0;
  const mRev = (m.flags & 0x10) !== 0;
  const leftmost = start < mStart || (start === mStart && (rRev !== mRev ? !rRev : (r.flags & 0x40) !== 0));
  return leftmost ? span : -span;
}

// ---- shared ------------------------------------------------------------------------------

function checkRange(file: string, contig: string, start: number, end: number): void {
  if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start) {
    throw new VariantLensError('region-invalid', `invalid region ${contig}:${start}-${end} (0-based half-open)`, file);
  }
}

/** samtools' overlap rule: a read with no reference length (unmapped but placed) covers one base at its POS. */
function overlaps(read: AlignedRead, start: number, end: number): boolean {
  const e = Math.max(read.end, read.start + 1);
  return read.start < end && e > start;
}

function readGroups(headerText: string): { id: string; sample: string | undefined }[] {
  const out: { id: string; sample: string | undefined }[] = [];
  for (const line of headerText.split('\n')) {
    if (!line.startsWith('@RG\t')) continue;
    const fields = new Map(line.split('\t').slice(1).map((f) => [f.slice(0, 2), f.slice(3)] as const));
    out.push({ id: fields.get('ID') ?? '', sample: fields.get('SM') });
  }
  return out;
}

function toContigCounts(refs: readonly { name: string; length: number }[], counts: IndexCounts): ContigCount[] {
  const out: ContigCount[] = refs.map((r, i) => ({ contig: r.name, length: r.length, mapped: counts.perRef[i]?.mapped ?? 0, unmapped: counts.perRef[i]?.unmapped ?? 0 }));
  out.push({ contig: '*', length: 0, mapped: 0, unmapped: counts.noCoor });
  return out;
}
