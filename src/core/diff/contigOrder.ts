/**
 * The contig order both files of a diff are compared in, with contig lengths for progress.
 * Built by the engine (vcfDiff.ts) from the reference's .fai order, else A's header order
 * followed by B's extra contigs (docs/decisions/0006-diff-matching.md); a contig seen only in
 * a body is appended at the end.
 */
import { contigAliasCandidates } from '../io/contigAliases';

/** Contig ranks and lengths; names are resolved exactly, then through the 'chr' alias. */
export class ContigOrder {
  private readonly rank = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly lengths: (number | undefined)[] = [];
  private readonly resolved = new Map<string, string>();
  private offsets: number[] | undefined;

  add(name: string, length: number | undefined): void {
    if (this.rank.has(name)) return;
    this.rank.set(name, this.names.length);
    this.names.push(name);
    this.lengths.push(length);
    this.offsets = undefined;
  }

  setLengthIfUnknown(name: string, length: number | undefined): void {
    const r = this.rank.get(this.resolve(name));
    if (r !== undefined && this.lengths[r] === undefined && length !== undefined) { this.lengths[r] = length; this.offsets = undefined; }
  }

  /** The name both files are compared under. Unknown contigs are appended at the end. */
  resolve(name: string): string {
    const hit = this.resolved.get(name);
    if (hit !== undefined) return hit;
    let out = name;
    if (!this.rank.has(name)) {
      const alias = contigAliasCandidates(name).find((c) => this.rank.has(c));
      if (alias !== undefined) out = alias;
      else this.add(name, undefined);
    }
    this.resolved.set(name, out);
    return out;
  }

  rankOf(resolvedName: string): number {
    return this.rank.get(resolvedName)!;
  }

  get all(): readonly string[] {
    return this.names;
  }

  lengthOf(name: string): number | undefined {
    const r = this.rank.get(name);
    return r === undefined ? undefined : this.lengths[r];
  }

  fraction(contig: string, pos: number): number | undefined {
    if (!this.offsets) {
      if (this.lengths.some((l) => l === undefined)) return undefined;
      let acc = 0;
      this.offsets = this.lengths.map((l) => { const o = acc; acc += l!; return o; });
      this.offsets.push(acc);
    }
    const r = this.rank.get(contig);
    const total = this.offsets[this.offsets.length - 1]!;
    if (r === undefined || total === 0) return undefined;
    return Math.min(1, (this.offsets[r]! + pos) / total);
  }
}
