/**
 * CRAM files with an embedded reference (`samtools view -C --output-fmt-option embed_ref=1`)
 * hold each slice's reference bases in a block (CRAM spec §8.5, "embedded reference block
 * content ID"); samtools reads them without a FASTA. @gmod/cram 8.0.4 has two gaps here:
 *
 *  - it reads the block's bytes from a `data` field its blocks do not have (they hold
 *    `content`), so every such slice decodes against an empty reference and fails its MD5
 *    check: we give the blocks the field it reads;
 *  - it rebuilds read bases only through the caller's `seqFetch`, even for embedded slices:
 *    we remember each embedded slice's reference region so that `seqFetch` can answer from
 *    it when no FASTA was given (`embeddedBases`).
 *
 * The slice class is reached through a (lazy, unread) slice object, as the package exports
 * no deep paths.
 */
import type { IndexedCramFile } from '@gmod/cram';

const PATCHED = Symbol.for('variantLens.cramEmbeddedRef');
const REGIONS = Symbol.for('variantLens.cramEmbeddedRegions');

interface Region { id: number; start: number; end: number; seq: string }

interface SliceProto {
  getBlockByContentId(id: number): Promise<{ content?: Uint8Array; data?: Uint8Array } | undefined>;
  getReferenceRegion(): Promise<{ seq: string; start: number; end: number } | undefined>;
  getHeader(): Promise<{ parsedContent: { refSeqId?: number; refBaseBlockId?: number } }>;
  [PATCHED]?: true;
}

type FileWithRegions = { [REGIONS]?: Region[] };

export function supportEmbeddedReference(cram: IndexedCramFile): void {
  const file = cram.cram as unknown as FileWithRegions & { getContainerAtPosition?(p: number): { getSlice?(a: number, b: number): object } };
  file[REGIONS] ??= [];
  const slice = file.getContainerAtPosition?.(0)?.getSlice?.(0, 0);
  if (!slice) return;
  const proto = Object.getPrototypeOf(slice) as SliceProto;
  if (proto[PATCHED] || typeof proto.getBlockByContentId !== 'function' || typeof proto.getReferenceRegion !== 'function') return;
  const getBlock = proto.getBlockByContentId;
  proto.getBlockByContentId = async function (this: unknown, id: number) {
    const block = await getBlock.call(this, id);
    if (block && block.data === undefined && block.content !== undefined) block.data = block.content;
    return block;
  };
  const getRegion = proto.getReferenceRegion;
  proto.getReferenceRegion = async function (this: SliceProto & { file: FileWithRegions }) {
    const region = await getRegion.call(this);
    const h = (await this.getHeader()).parsedContent;
    if (region && (h.refBaseBlockId ?? -1) >= 0 && (h.refSeqId ?? -1) >= 0) {
      const list = (this.file[REGIONS] ??= []);
      if (!list.some((r) => r.id === h.refSeqId && r.start === region.start && r.end === region.end)) {
        list.push({ id: h.refSeqId!, start: region.start, end: region.end, seq: region.seq });
        if (list.length > 256) list.shift();
      }
    }
    return region;
  };
  proto[PATCHED] = true;
}

/** Bases [start1, end1] (1-based closed) of sequence `seqId` from an embedded slice reference, if one covers them. */
export function embeddedBases(cram: IndexedCramFile, seqId: number, start1: number, end1: number): string | undefined {
  const list = (cram.cram as unknown as FileWithRegions)[REGIONS] ?? [];
  for (const r of list) {
    if (r.id === seqId && r.start <= start1 && r.end >= end1) return r.seq.slice(start1 - r.start, end1 - r.start + 1).toUpperCase();
  }
  return undefined;
}
