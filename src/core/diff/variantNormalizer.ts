/**
 * Allele normalization as `bcftools norm -m -any -f ref` does it, one REF/ALT pair at a
 * time (the caller splits multi-allelic records): trim the common suffix, shift left while
 * the last bases agree (fetching reference bases to the left as anchors), then trim the
 * common prefix down to one anchor base. This is the algorithm of Tan, Abecasis & Kang
 * (Bioinformatics 2015, "Unified representation of genetic variants"), which vt and
 * bcftools implement.
 *
 * Coordinates: `pos` in and out is 1-based VCF POS; the reference lookup takes 0-based
 * positions.
 *
 * Without a reference the suffix/prefix trimming still happens (it needs no reference),
 * but indels are not shifted left.
 */
import { throwIfAborted } from '../errors';
import type { ReferenceSource } from '../io/fasta/referenceSource';

export interface NormalizedAllele {
  /** 1-based POS. */
  readonly pos: number;
  readonly ref: string;
  readonly alt: string;
}

/**
 * Returns a base (upper case) at a 0-based position, or undefined when it is not loaded
 * yet. Normalization then returns that position so the caller can load it and retry; this
 * keeps the common path (SNPs, already-normal indels) synchronous.
 */
export type BaseLookup = (pos0: number) => string | undefined;

/**
 * Normalizes one biallelic pair. Returns the normalized allele, or a number: the 0-based
 * reference position that must be loaded before calling again.
 */
export function normalizeAllele(pos: number, ref: string, alt: string, lookup: BaseLookup | undefined): NormalizedAllele | number {
  // Fast path: SNPs, and indels whose last bases differ and whose first bases can't be trimmed.
  if (ref.length === 1 && alt.length === 1) return { pos, ref, alt };
  let p = pos;
  let r = ref;
  let a = alt;
  if (lookup && r.length !== a.length) {
    // Shift left: drop the shared last base; when an allele runs empty, prepend the reference
    // base before it (POS − 1, which is 0-based POS − 2) to both.
    for (;;) {
      let changed = false;
      if (r.length > 0 && a.length > 0 && r.charCodeAt(r.length - 1) === a.charCodeAt(a.length - 1)) {
        if ((r.length === 1 || a.length === 1) && p <= 1) break; // nothing to the left to anchor on
        r = r.slice(0, -1);
        a = a.slice(0, -1);
        changed = true;
      }
      if (r.length === 0 || a.length === 0) {
        const base = lookup(p - 2);
        if (base === undefined) return p - 2;
        r = base + r;
        a = base + a;
        p -= 1;
        changed = true;
      }
      if (!changed) break;
    }
  } else {
    while (r.length > 1 && a.length > 1 && r.charCodeAt(r.length - 1) === a.charCodeAt(a.length - 1)) {
      r = r.slice(0, -1);
      a = a.slice(0, -1);
    }
  }
  let k = 0;
  while (r.length - k > 1 && a.length - k > 1 && r.charCodeAt(k) === a.charCodeAt(k)) k++;
  if (k > 0) {
    r = r.slice(k);
    a = a.slice(k);
    p += k;
  }
  return { pos: p, ref: r, alt: a };
}

/**
 * Reference bases in aligned chunks, kept for the contig being streamed. Normalization only
 * asks for bases left of indels that actually shift, so few chunks are ever loaded.
 */
export class ReferenceWindow {
  // 1 MiB: every fetch opens and reads the FASTA, so fewer, larger reads cost less (measured with bench:happy).
  private static readonly CHUNK = 1 << 20;
  private contig = '';
  private readonly chunks = new Map<number, string>();
  private contigLength = Infinity;
  private lengths: Map<string, number> | undefined;

  constructor(private readonly reference: ReferenceSource) {}

  /** Switches to `contig`, dropping the chunks of the previous one. */
  setContig(contig: string): void {
    if (contig === this.contig) return;
    this.contig = contig;
    this.chunks.clear();
    this.contigLength = this.lengths?.get(contig) ?? Infinity;
  }

  readonly lookup: BaseLookup = (pos0) => {
    if (pos0 < 0) return 'N';
    const c = Math.floor(pos0 / ReferenceWindow.CHUNK);
    const s = this.chunks.get(c);
    if (s === undefined) return undefined;
    return s[pos0 - c * ReferenceWindow.CHUNK] ?? 'N';
  };

  /** Loads the chunk holding the 0-based `pos0` of the current contig. */
  async load(pos0: number, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    if (!this.lengths) {
      this.lengths = new Map((await this.reference.contigs(signal)).map((c) => [c.name, c.length]));
      this.contigLength = this.lengths.get(this.contig) ?? Infinity;
    }
    const c = Math.floor(pos0 / ReferenceWindow.CHUNK);
    const start = c * ReferenceWindow.CHUNK;
    const end = Math.min(start + ReferenceWindow.CHUNK, this.contigLength);
    if (this.chunks.size > 8) this.chunks.clear(); // indels come in position order: old chunks are done
    this.chunks.set(c, end > start ? await this.reference.fetch(this.contig, start, end, signal) : '');
  }

  /** Normalizes with left-alignment, loading reference chunks as needed. */
  async normalize(pos: number, ref: string, alt: string, signal?: AbortSignal): Promise<NormalizedAllele> {
    for (let tries = 0; ; tries++) {
      const r = normalizeAllele(pos, ref, alt, this.lookup);
      if (typeof r !== 'number') return r;
      if (tries > 10_000) throw new Error(`normalization of ${this.contig}:${pos} did not converge`);
      await this.load(r, signal);
    }
  }
}
