/**
 * The sites of a review queue (vscode-free): a snapshot of the diff's current view (its
 * class / kind / stratum / text filter, scope and sort — diffModel.ts) or of the table's
 * current view (its filter and sort — vcfTableModel.ts), taken when the queue opens, capped
 * at MAX_QUEUE_SITES. Each entry knows what the VCFs called (tile text and the verdict's
 * model snapshot) and how to read the record the inspector shows.
 *
 * Site keys are the review file's: the normalized allele for a diff, the record (REF upper
 * case, ALT comma-joined) for a table — the same keys the diff list and the table write.
 */
import { basename } from 'node:path';
import { throwIfAborted } from '../../core/errors';
import type { DiffSite, SideCall } from '../../core/diff/diffClasses';
import type { VcfRecord } from '../../core/io/vcf/vcfRecord';
import type { SiteRecord } from '../../protocol/protocol';
import { modelName, snapshot } from '../review/reviewWorkspace';
import { MAX_QUEUE_SITES, type QueueEntry, type QueueInfo } from './queueModel';

/** What the queue needs of a diff (diff/diffModel.ts DiffModel). */
export interface QueueDiffModel {
  readonly options: { readonly fileA: string; readonly fileB: string };
  readonly viewId: number;
  readonly viewCount: number;
  siteAt(viewId: number, index: number): DiffSite | undefined;
  siteRecord(site: DiffSite, signal?: AbortSignal): Promise<SiteRecord>;
}

/** What the queue needs of a VCF table (table/vcfTableModel.ts VcfTableModel). */
export interface QueueTableModel {
  readonly path: string;
  readonly rowCount: number;
  readonly viewCount: number;
  fileRow(index: number): number;
  buildIndex(signal?: AbortSignal): Promise<unknown>;
  readFileRows(rows: readonly number[], signal?: AbortSignal): Promise<VcfRecord[]>;
  site(row: number, signal?: AbortSignal): Promise<SiteRecord>;
}

function qualText(q: number | undefined): string {
  if (q === undefined) return '.';
  return Number.isInteger(q) ? String(q) : q.toFixed(1);
}

function sideCall(label: string, c: SideCall | undefined): { label: string; gt: string; qual: string } {
  return c ? { label, gt: c.recordGt || c.gt || '.', qual: qualText(c.qual) } : { label, gt: '—', qual: '' };
}

export function diffQueue(model: QueueDiffModel): { info: QueueInfo; entries: QueueEntry[] } {
  const a = basename(model.options.fileA);
  const b = basename(model.options.fileB);
  const viewId = model.viewId;
  const n = Math.min(model.viewCount, MAX_QUEUE_SITES);
  const entries: QueueEntry[] = [];
  const nameA = modelName(model.options.fileA);
  const nameB = modelName(model.options.fileB);
  for (let i = 0; i < n; i++) {
    const s = model.siteAt(viewId, i);
    if (!s) break;
    entries.push({
      contig: s.contig, pos: s.pos, ref: s.ref, alt: s.alt, classes: s.classes,
      calls: [sideCall('A', s.a), sideCall('B', s.b)],
      snapshot: [snapshot(nameA, s.a?.recordGt, s.a?.gq === undefined ? undefined : String(s.a.gq), qualText(s.a?.qual)),
        snapshot(nameB, s.b?.recordGt, s.b?.gq === undefined ? undefined : String(s.b.gq), qualText(s.b?.qual))],
      record: (signal) => model.siteRecord(s, signal),
    });
  }
  return { info: { title: `${a} ↔ ${b}`, kind: 'diff', viewCount: model.viewCount, callLabels: [`A: ${a}`, `B: ${b}`] }, entries };
}

/** Reads the table view's records (the row index is built first when needed) in pages. */
export async function tableQueue(model: QueueTableModel, signal?: AbortSignal): Promise<{ info: QueueInfo; entries: QueueEntry[] }> {
  if (model.rowCount < 0) await model.buildIndex(signal);
  const name = basename(model.path);
  const label = modelName(model.path);
  const n = Math.min(model.viewCount, MAX_QUEUE_SITES);
  const entries: QueueEntry[] = [];
  for (let from = 0; from < n; from += 1000) {
    throwIfAborted(signal);
    const rows: number[] = [];
    for (let i = from; i < Math.min(n, from + 1000); i++) rows.push(model.fileRow(i));
    const recs = await model.readFileRows(rows, signal);
    recs.forEach((r, k) => {
      const row = rows[k]!;
      const gt = r.sampleField(0, 'GT') ?? '.';
      const qual = r.line.split('\t', 6)[5] ?? '.';
      entries.push({
        contig: r.contig, pos: r.pos, ref: r.ref.toUpperCase(), alt: r.alts.join(','), classes: [],
        calls: [{ label: name, gt, qual }],
        snapshot: [snapshot(label, gt, r.sampleField(0, 'GQ'), qual)],
        record: (sig) => model.site(row, sig),
      });
    });
  }
  return { info: { title: name, kind: 'table', viewCount: model.viewCount, callLabels: [name] }, entries };
}
