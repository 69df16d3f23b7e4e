/**
 * The host side of one diff panel: runs the diff engine (src/core/diff) once over two VCFs,
 * keeps the differing sites (DiffSiteList) and answers the diff webview's protocol requests
 * (`diffRequestHandlers`): views (class / kind / stratum / text filter, sort) and pages of
 * rows. It also reads each side's record of a site back from its file for the inspector.
 * No `vscode` import: tests drive it in Node through the same handlers the panel uses.
 *
 * Memory: the engine streams both files; what stays is one DiffSite per *differing* allele
 * (~200 bytes each: 100,000 differing sites ≈ 20 MB) plus one index array per view.
 * The webview only ever holds the pages it shows (MAX_PAGE_ROWS per request).
 *
 * Coordinates: `DiffSite.pos` is the 1-based POS of the normalized allele (after split, trim,
 * left-align — decision 0006); `SideCall.recordPos` the 1-based POS as written in the file
 * and `lineNumber` its 1-based line in the decompressed file (0 when unknown). Region queries
 * of src/core/io are 0-based half-open.
 */
import { leadingColumns } from '../../core/io/vcf/vcfLineTokenizer';
import { basename } from 'node:path';
import { VariantLensError, isCancelled, throwIfAborted } from '../../core/errors';
import { loadBedRegions, type BedRegions } from '../../core/diff/bedRegions';
import { isDispute, type DiffSite, type SideCall } from '../../core/diff/diffClasses';
import { truthClassOf, type DiffSummary } from '../../core/diff/diffSummary';
import { Stratifier } from '../../core/diff/stratification';
import { collectVcfDiff, type AlleleSink, type DiffRegion } from '../../core/diff/vcfDiff';
import { FeatureStage, enrichmentOf } from '../../core/diff/features/featureStage';
import { happyCounting } from '../../core/diff/haplotype/happyRun';
import type { HappyRow } from '../../core/diff/haplotype/happyTables';
import { matchesTerms, parseFeatureTerms } from '../../core/diff/features/featureFilter';
import type { DiffSiteList } from '../../core/diff/diffSiteList';
import { disputeScore } from '../../core/report/disputeScore';
import { openReference } from '../../core/io/fasta/fastaReader';
import { openVcf, type VcfFile, type VcfRowIndex } from '../../core/io/vcf/vcfReader';
import type { VcfRecord } from '../../core/io/vcf/vcfRecord';
import type { ReferenceSource } from '../../core/io/fasta/referenceSource';
import type {
  DiffComparison, DiffFeaturesPayload, DiffInit, DiffScope, DiffProtocol, DiffRow, DiffRunProgress, DiffRunState, DiffSideCells, DiffTruthClass, DiffTruthVs, DiffViewInfo, DiffViewSpec, InfoEntry, ProtocolError,
  RecordedCall, ReviewCell, SiteRecord,
} from '../../protocol/protocol';
import { unavailableReviewHandlers, type ReviewRequestHandlers } from '../review/reviewWorkspace';
import { toProtocolError, type RequestHandlers } from '../../protocol/rpc';

export interface DiffRunOptions {
  readonly fileA: string;
  readonly fileB: string;
  /** FASTA for normalization (left-alignment); optional (decision 0006: trimming still happens). */
  readonly reference?: string;
  /** BED strata, each with its display name. */
  readonly beds?: readonly { readonly name: string; readonly path: string }[];
  readonly truth?: 'A' | 'B';
  /** A third VCF as the truth: A and B are each compared with it (its first sample). */
  readonly truthFile?: string;
  readonly sampleA?: string | number;
  readonly sampleB?: string | number;
  readonly qualDelta?: number;
  readonly region?: DiffRegion;
}

type Side = 'A' | 'B';

/** Per-side record lookup: a tabix query when indexed, else a row index built on first use. */
class RecordReader {
  private file: Promise<VcfFile> | undefined;
  private rowIndex: Promise<VcfRowIndex> | undefined;

  constructor(readonly path: string) {}

  private open(signal?: AbortSignal): Promise<VcfFile> {
    this.file ??= openVcf(this.path, signal).catch((e: unknown) => {
      this.file = undefined;
      throw e;
    });
    return this.file;
  }

  async header(signal?: AbortSignal): Promise<VcfFile['vcfHeader']> {
    return (await this.open(signal)).vcfHeader;
  }

  async headerLines(signal?: AbortSignal): Promise<number> {
    return (await this.open(signal)).headerLines;
  }

  /**
   * The record a SideCall came from. Indexed .vcf.gz: query the record's POS and pick the
   * record written there (several records may share a POS: the one whose FILTER and GT match).
   * Otherwise: row = lineNumber − headerLines − 1 through a row index (exact unless the file
   * has blank lines between records; the POS is checked, with a search by POS as fallback).
   */
  async record(contig: string, call: SideCall, signal?: AbortSignal): Promise<VcfRecord> {
    const file = await this.open(signal);
    const pick = (recs: readonly VcfRecord[]): VcfRecord | undefined => {
      const atPos = recs.filter((r) => r.pos === call.recordPos);
      if (call.lineNumber > 0) {
        const byLine = atPos.find((r) => r.lineNumber === call.lineNumber);
        if (byLine) return byLine;
      }
      return atPos.find((r) => filterText(r) === call.filter) ?? atPos[0];
    };
    let found: VcfRecord | undefined;
    if (file.kind === 'bgzf' && file.indexPath) {
      const recs: VcfRecord[] = [];
      for await (const r of file.query(contig, call.recordPos - 1, call.recordPos, signal)) recs.push(r);
      found = pick(recs);
    } else if (file.kind === 'gzip') {
      // Plain gzip cannot be read at random: a scan (query streams the file) is the only way.
      const recs: VcfRecord[] = [];
      for await (const r of file.query(contig, call.recordPos - 1, call.recordPos, signal)) recs.push(r);
      found = pick(recs);
    } else {
      this.rowIndex ??= file.buildRowIndex(signal).catch((e: unknown) => {
        this.rowIndex = undefined;
        throw e;
      });
      const ix = await this.rowIndex;
      if (call.lineNumber > 0) {
        const row = call.lineNumber - file.headerLines - 1;
        const [r] = await ix.readRows(row, row + 1, signal);
        if (r && r.pos === call.recordPos) found = r;
      }
      if (!found) {
        const first = await ix.findRow(contig, call.recordPos, signal);
        found = pick(await ix.readRows(first, first + 16, signal));
      }
    }
    if (!found) throw new VariantLensError('malformed-vcf', `has no record at ${contig}:${call.recordPos} any more; was it changed since the diff ran?`, this.path);
    return found;
  }

  async close(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    this.rowIndex = undefined;
    if (f) await (await f.catch(() => undefined))?.close();
  }
}

function filterText(r: VcfRecord): string {
  return leadingColumns(r.line, 7)[6] ?? '.';
}

interface View {
  readonly id: number;
  readonly spec: DiffViewSpec;
  /** View row → index in the site list. */
  readonly rows: Uint32Array;
}

const fmtNum = (v: number | undefined): string => (v === undefined ? '.' : String(Math.round(v * 100) / 100));

/**
 * The view a diff opens on: its disputes (the calls differ), most disputed first, ranked as
 * the report ranks them (src/core/report/disputeScore.ts); QUAL-only changes are one chip away.
 */
export const DEFAULT_DIFF_VIEW: DiffViewSpec = { scope: 'disputes', sortBy: 'dispute', descending: true };


/** The comparison (the inputs a reload or "Reopen Last Comparison" runs again) of run options. */
export function comparisonOf(o: DiffRunOptions): DiffComparison {
  return { fileA: o.fileA, fileB: o.fileB, ...(o.truth ? { truth: o.truth } : {}), ...(o.truthFile ? { truthFile: o.truthFile } : {}) };
}

const siteKey = (s: DiffSite): string => `${s.contig}\t${s.pos}\t${s.ref}\t${s.alt}`;

/**
 * One side's class at an A↔B site against the truth VCF, from that side's own diff with the
 * truth (`vsTruth`: its differing sites by key). A site that diff did not list is the same in
 * the side and the truth: the side's call stands on both sides of truthClassOf.
 */
function truthClassAt(site: DiffSite, side: 'a' | 'b', vsTruth: ReadonlyMap<string, DiffSite>): DiffTruthClass {
  const d = vsTruth.get(siteKey(site));
  if (d) return truthClassOf(d, 'B') ?? '';
  const call = site[side];
  return call ? truthClassOf({ ...site, a: call, b: call }, 'B') ?? '' : '';
}

export class DiffModel {
  private stateValue: DiffRunState = 'running';
  private errorValue: ProtocolError | undefined;
  private progressValue: DiffRunProgress | undefined;
  private finishedAtValue: number | undefined;
  private summaryValue: DiffSummary | undefined;
  private featuresValue: DiffFeaturesPayload | undefined;
  private list: DiffSiteList | undefined;
  private beds: readonly BedRegions[] = [];
  private view: View = { id: 0, spec: DEFAULT_DIFF_VIEW, rows: new Uint32Array(0) };
  private scopeCounts: { disputes: number; qualOnly: number; all: number } | undefined;
  /** The list indices of each scope's sites, in list order (once the run is done). */
  private scopeRows: Record<DiffScope, Uint32Array<ArrayBuffer>> | undefined;
  /** With a truth VCF: each side's metrics and its differing sites against the truth, by site key. */
  private truthVs: { vs: DiffTruthVs; a: Map<string, DiffSite>; b: Map<string, DiffSite> } | undefined;
  private viewCounter = 0;
  private differing = 0;
  private readonly readers: Record<Side, RecordReader>;
  /** The review column: a site's annotation in the diff's review file (set by reviewController.ts). */
  reviewCell: ((site: DiffSite) => ReviewCell | undefined) | undefined;

  /** `initialView`: the view to open on (a restored page's); default DEFAULT_DIFF_VIEW. */
  constructor(readonly options: DiffRunOptions, initialView: DiffViewSpec = DEFAULT_DIFF_VIEW) {
    this.readers = { A: new RecordReader(options.fileA), B: new RecordReader(options.fileB) };
    this.view = { id: 0, spec: initialView, rows: new Uint32Array(0) };
  }

  get comparison(): DiffComparison {
    return comparisonOf(this.options);
  }

  get state(): DiffRunState {
    return this.stateValue;
  }

  /** When the engine finished reading both files (Date.now()); undefined before. */
  get finishedAt(): number | undefined {
    return this.finishedAtValue;
  }

  get summary(): DiffSummary | undefined {
    return this.summaryValue;
  }

  get viewCount(): number {
    return this.view.rows.length;
  }

  get viewId(): number {
    return this.view.id;
  }

  /** Every differing site once the run is done (review progress counts the disputes among them). */
  get sites(): { readonly length: number; get(i: number): DiffSite | undefined } | undefined {
    return this.list;
  }

  /**
   * Runs the diff. Resolves when it is done, cancelled (state 'cancelled') or failed (state
   * 'error'; the error is also rethrown so the caller can show it). Progress reports come
   * about every 50,000 records.
   */
  async run(signal: AbortSignal, onProgress?: (p: DiffRunProgress) => void): Promise<void> {
    const o = this.options;
    const opened: { close(): Promise<void> }[] = [];
    this.stateValue = 'running';
    try {
      const [a, b, reference, beds] = await Promise.all([
        openVcf(o.fileA, signal),
        openVcf(o.fileB, signal),
        o.reference ? openReference(o.reference, signal) : Promise.resolve(undefined as ReferenceSource | undefined),
        Promise.all((o.beds ?? []).map((x) => loadBedRegions(x.name, x.path, signal))),
      ]);
      opened.push(a, b);
      if (reference) opened.push(reference);
      this.beds = beds;
      // With a reference, the site features and where the two call sets disagree (#16).
      let features: FeatureStage | undefined;
      const result = await collectVcfDiff(a, b, {
        ...(reference ? { reference, sampleFields: true, haplotypes: (emit: AlleleSink) => (features = new FeatureStage(emit, { reference, ...(o.truth ? { truth: o.truth } : {}), signal })) } : {}),
        ...(o.sampleA !== undefined ? { sampleA: o.sampleA } : {}),
        ...(o.sampleB !== undefined ? { sampleB: o.sampleB } : {}),
        ...(o.qualDelta !== undefined ? { qualDelta: o.qualDelta } : {}),
        ...(o.truth ? { truth: o.truth } : {}),
        ...(o.region ? { region: o.region } : {}),
        beds,
        progressEvery: 50_000,
        onSite: () => { this.differing++; },
        onProgress: (p) => {
          this.progressValue = { recordsA: p.recordsA, recordsB: p.recordsB, contig: p.contig, pos: p.pos, fraction: p.fraction ?? null, differingSites: this.differing };
          onProgress?.(this.progressValue);
        },
      }, signal);
      this.finishedAtValue = Date.now();
      throwIfAborted(signal);
      if (o.truthFile) this.truthVs = await this.runTruth(o.truthFile, reference, beds, signal);
      this.summaryValue = result.summary;
      const fs = (features as FeatureStage | undefined)?.summary();
      this.featuresValue = fs ? { summary: fs, enrichment: enrichmentOf(fs) } : undefined;
      this.list = result.sites;
      // Each site's scope once (the views, the scope chips and the review progress use it).
      const n = result.sites.length;
      const inDispute = new Uint8Array(n);
      let disputes = 0;
      for (let i = 0; i < n; i++) if (isDispute(result.sites.get(i)!)) { inDispute[i] = 1; disputes++; }
      const disputeRows = new Uint32Array(disputes);
      const qualOnlyRows = new Uint32Array(n - disputes);
      for (let i = 0, d = 0, q = 0; i < n; i++) if (inDispute[i]) disputeRows[d++] = i; else qualOnlyRows[q++] = i;
      this.scopeRows = { disputes: disputeRows, 'qual-only': qualOnlyRows };
      this.scopeCounts = { disputes, qualOnly: n - disputes, all: n };
      this.stateValue = 'done';
      this.applyView(this.view.spec);
    } catch (e) {
      if (signal.aborted || isCancelled(e)) {
        this.stateValue = 'cancelled';
        return;
      }
      this.stateValue = 'error';
      this.errorValue = toProtocolError(e);
      throw e;
    } finally {
      await Promise.all(opened.map((x) => x.close().catch(() => undefined)));
    }
  }

  /**
   * A and B each against the truth VCF (as `variant-lens diff --truth B` with the truth as B,
   * which `variant-lens report --truth` runs too): the metrics, and the differing sites for the
   * per-site classes.
   */
  private async runTruth(truthFile: string, reference: ReferenceSource | undefined, beds: readonly BedRegions[], signal: AbortSignal): Promise<NonNullable<DiffModel['truthVs']>> {
    const o = this.options;
    const one = async (file: string, sample: string | number | undefined): Promise<{ metrics: DiffTruthVs['a']; happy: HappyRow[] | undefined; sites: Map<string, DiffSite> }> => {
      const [q, t] = await Promise.all([openVcf(file, signal), openVcf(truthFile, signal)]);
      try {
        // With a reference, also hap.py's summary with haplotype matching (what `diff --truth B --ref` writes to summary.csv).
        const happy = reference ? happyCounting(reference, 'B', signal) : undefined;
        const r = await collectVcfDiff(q, t, {
          ...(reference ? { reference } : {}), ...(happy ? { haplotypes: happy.stages } : {}),
          ...(sample !== undefined ? { sampleA: sample } : {}), ...(o.region ? { region: o.region } : {}), truth: 'B', beds,
        }, signal);
        const sites = new Map<string, DiffSite>();
        for (let i = 0; i < r.sites.length; i++) {
          const s = r.sites.get(i)!;
          sites.set(siteKey(s), s);
        }
        return { metrics: r.summary.truth!, happy: happy?.rows(), sites };
      } finally {
        await Promise.all([q.close().catch(() => undefined), t.close().catch(() => undefined)]);
      }
    };
    const a = await one(o.fileA, o.sampleA);
    const b = await one(o.fileB, o.sampleB);
    const happy = a.happy && b.happy ? { happy: { a: a.happy, b: b.happy } } : {};
    return { vs: { file: truthFile, name: basename(truthFile), a: a.metrics, b: b.metrics, ...happy }, a: a.sites, b: b.sites };
  }

  /** Each side's truth class at a site (with a truth VCF). */
  truthClasses(site: DiffSite): { truthA: DiffTruthClass; truthB: DiffTruthClass } | undefined {
    const t = this.truthVs;
    return t ? { truthA: truthClassAt(site, 'a', t.a), truthB: truthClassAt(site, 'b', t.b) } : undefined;
  }

  init(): DiffInit {
    return {
      fileA: this.options.fileA,
      fileB: this.options.fileB,
      nameA: basename(this.options.fileA),
      nameB: basename(this.options.fileB),
      state: this.stateValue,
      ...(this.progressValue ? { progress: this.progressValue } : {}),
      ...(this.errorValue ? { error: this.errorValue } : {}),
      ...(this.summaryValue ? { summary: this.summaryValue } : {}),
      ...(this.featuresValue ? { features: this.featuresValue } : {}),
      view: this.viewInfo(),
      ...(this.scopeCounts ? { scopeCounts: this.scopeCounts } : {}),
      ...(this.list ? { disputesReviewed: this.disputeProgress()!.reviewed } : {}),
      comparison: this.comparison,
      ...(this.truthVs && this.list ? { truthVs: this.truthVs.vs } : {}),
    };
  }

  /** Disputes reviewed (a verdict in the diff's review file) out of all disputes; undefined before the run is done. */
  disputeProgress(): { reviewed: number; total: number } | undefined {
    const list = this.list;
    if (!list || !this.scopeCounts) return undefined;
    let reviewed = 0;
    const cell = this.reviewCell;
    if (cell && this.scopeRows) {
      for (const li of this.scopeRows.disputes) if (cell(list.get(li)!)?.verdict) reviewed++;
    }
    return { reviewed, total: this.scopeCounts.disputes };
  }

  /** Number of disputes once the run is done. */
  get disputeCount(): number | undefined {
    return this.scopeCounts?.disputes;
  }

  viewInfo(): DiffViewInfo {
    return { viewId: this.view.id, count: this.view.rows.length, spec: this.view.spec };
  }

  /**
   * A new view. Before the run is done the spec is kept (and applied when it ends) and the
   * view is empty. Strata: within a group any listed stratum (OR), across groups all (AND).
   */
  setView(spec: DiffViewSpec, signal?: AbortSignal): DiffViewInfo {
    throwIfAborted(signal);
    this.applyView(spec);
    return this.viewInfo();
  }

  private applyView(spec: DiffViewSpec): void {
    const id = ++this.viewCounter;
    const list = this.list;
    if (!list) {
      this.view = { id, spec, rows: new Uint32Array(0) };
      return;
    }
    const byDispute = spec.sortBy === 'dispute';
    // The view a diff opens on (a scope, most disputed first, no filter): the scope's rows as
    // they are, ranked — no query over every site while the editor waits after a run.
    if (byDispute && this.scopeRows && !spec.classes?.length && !spec.kinds?.length && !spec.text?.trim() && !spec.strata?.length) {
      const rows = spec.scope === undefined ? Uint32Array.from({ length: list.length }, (_, i) => i) : this.scopeRows[spec.scope];
      this.view = { id, spec, rows: byScore(rows, (li) => disputeScore(list.get(li)!).score, spec.descending === true) };
      return;
    }
    // Feature terms ("vaf<0.3 dp<15 homopolymer>=6") filter; the other words stay free text.
    const { terms, rest } = spec.text ? parseFeatureTerms(spec.text) : { terms: [], rest: '' };
    const v = list.query({
      ...(spec.classes ? { classes: spec.classes } : {}),
      ...(spec.kinds ? { kinds: spec.kinds } : {}),
      ...(rest ? { text: rest } : {}),
      ...(terms.length > 0 ? { where: (site: DiffSite) => matchesTerms(site, terms) } : {}),
      ...(spec.sortBy && !byDispute ? { sortBy: spec.sortBy } : {}),
      ...(spec.descending !== undefined && !byDispute ? { descending: spec.descending } : {}),
    });
    const wanted = new Map<string, Set<string>>();
    for (const s of spec.strata ?? []) {
      let set = wanted.get(s.group);
      if (!set) wanted.set(s.group, (set = new Set()));
      set.add(s.name);
    }
    const rows = new Uint32Array(v.length);
    let n = 0;
    const inScope = (li: number): boolean => spec.scope === undefined || isDispute(list.get(li)!) === (spec.scope === 'disputes');
    if (wanted.size === 0) {
      for (let i = 0; i < v.length; i++) {
        const li = v.listIndex(i);
        if (inScope(li)) rows[n++] = li;
      }
    } else {
      // The same Stratifier the engine used (same BEDs, same names), so chip names match.
      const stratifier = new Stratifier(this.beds);
      for (let i = 0; i < v.length; i++) {
        const li = v.listIndex(i);
        if (!inScope(li)) continue;
        const strata = stratifier.strataOf(list.get(li)!);
        let ok = true;
        for (const [group, names] of wanted) {
          if (!strata.some((s) => s.group === group && names.has(s.name))) { ok = false; break; }
        }
        if (ok) rows[n++] = li;
      }
    }
    let out = rows.slice(0, n);
    // The report's ranking (mostDisputedSites): score, ties in genome order (the list's order) in both directions.
    if (byDispute) out = byScore(out, (li) => disputeScore(list.get(li)!).score, spec.descending === true);
    this.view = { id, spec, rows: out };
  }

  /** View rows [from, to) (clamped); a stale viewId gets no rows. */
  rows(viewId: number, from: number, to: number): { viewId: number; rows: DiffRow[] } {
    const v = this.view;
    if (viewId !== v.id || !this.list) return { viewId: v.id, rows: [] };
    const end = Math.min(to, v.rows.length);
    const out: DiffRow[] = [];
    for (let i = from; i < end; i++) {
      const site = this.list.get(v.rows[i]!)!;
      const row = toDiffRow(site, i);
      const review = this.reviewCell?.(site);
      const truth = this.truthClasses(site);
      out.push({ ...row, ...(review ? { review } : {}), ...(truth ?? {}) });
    }
    return { viewId: v.id, rows: out };
  }

  /** The site at view row `index` of view `viewId`, or undefined when stale / out of range. */
  siteAt(viewId: number, index: number): DiffSite | undefined {
    if (viewId !== this.view.id || !this.list) return undefined;
    const li = this.view.rows[index];
    return li === undefined ? undefined : this.list.get(li);
  }

  /** Reads each side's record of `site` from its file (undefined for a side without one). */
  async records(site: DiffSite, signal?: AbortSignal): Promise<Record<Side, VcfRecord | undefined>> {
    const [a, b] = await Promise.all([
      site.a ? this.readers.A.record(site.contig, site.a, signal) : undefined,
      site.b ? this.readers.B.record(site.contig, site.b, signal) : undefined,
    ]);
    return { A: a, B: b };
  }

  /**
   * The site as the inspector shows it (its SiteRecord carries one record): the normalized
   * allele, with both files' records — QUAL/FILTER as "A … · B …", the compared sample of
   * each side as two sample rows, INFO keys prefixed by side, and both VCF lines.
   */
  async siteRecord(site: DiffSite, signal?: AbortSignal): Promise<SiteRecord> {
    const recs = await this.records(site, signal);
    const sides: Side[] = ['A', 'B'];
    const primary: Side = recs.A ? 'A' : 'B';
    const prim = recs[primary]!;
    const headerLines = await this.readers[primary].headerLines(signal);
    const samples: SiteRecord['samples'][number][] = [];
    const info: InfoEntry[] = [];
    const lines: string[] = [];
    // Both sides' calls for the inspector's model comparison (SiteRecord.records).
    const records: RecordedCall[] = [];
    for (const side of sides) {
      const rec = recs[side];
      const file = side === 'A' ? this.options.fileA : this.options.fileB;
      if (!rec) {
        lines.push(`${side}  (no record in ${basename(file)})`);
        continue;
      }
      const header = await this.readers[side].header(signal);
      const sampleName = (side === 'A' ? this.summaryValue?.a.sample : this.summaryValue?.b.sample) ?? header.samples[0];
      const s = sampleName !== undefined ? Math.max(0, header.samples.indexOf(sampleName)) : -1;
      if (s >= 0 && header.samples.length > 0) {
        const f = (k: string): string => rec.sampleField(s, k) ?? '';
        samples.push({ name: `${header.samples[s]} (${side}: ${basename(file)})`, gt: f('GT') || '.', gq: f('GQ'), dp: f('DP'), ad: f('AD'), vaf: f('VAF'), pl: f('PL') });
        // DP · AD · VAF beside each VCF row of the model comparison (and the "saw different
        // reads here" evidence when the two files' depths differ); MID marks a small-model call.
        const mid = f('MID');
        records.push({ label: `${side}: ${basename(file)}`, file, gt: f('GT') || '.', gq: f('GQ'), qual: leadingColumns(rec.line, 6)[5] ?? '.', filter: filterText(rec), pl: f('PL'), dp: f('DP'), ad: f('AD'), vaf: f('VAF'), ...(mid && mid !== '.' ? { mid } : {}) });
      }
      for (const [key, v] of rec.info()) {
        info.push({ key: `${side} ${key}`, value: v === true ? '(flag)' : v, description: header.info.get(key)?.description ?? '' });
      }
      lines.push(`${side}  ${rec.line}`);
    }
    const both = (pick: (r: VcfRecord) => string): string => sides.map((side) => `${side} ${recs[side] ? pick(recs[side]) : '(no record)'}`).join(' · ');
    const call = primary === 'A' ? site.a! : site.b!;
    return {
      file: primary === 'A' ? this.options.fileA : this.options.fileB,
      // Row = record number in the primary file; exact unless it has blank lines (vcfRowIndex.ts).
      row: Math.max(0, (call.lineNumber || prim.lineNumber) - headerLines - 1),
      chrom: site.contig,
      pos: site.pos,
      ref: site.ref,
      alt: site.alt,
      id: leadingColumns(prim.line, 3)[2] ?? '.',
      qual: both((r) => leadingColumns(r.line, 6)[5] ?? '.'),
      filter: both(filterText),
      samples,
      info,
      line: lines.join('\n'),
      records,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.readers.A.close(), this.readers.B.close()]);
  }
}

/**
 * `rows` (list indices, ascending) ordered by `score`, ties in the order given, in both
 * directions. The scores take few values (disputeScore: 1000 · GT + 100 · FILTER + a QUAL
 * term of one decimal), so the rows are bucketed by score, in order — no comparison sort of a
 * quarter of a million rows (a whole genome's disputes) while the diff editor waits for its
 * first answer after a run.
 */
export function byScore(rows: Uint32Array<ArrayBuffer>, score: (li: number) => number, descending: boolean): Uint32Array<ArrayBuffer> {
  const n = rows.length;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = score(rows[i]!);
  const distinct = Float64Array.from(new Set(scores)).sort();
  if (descending) distinct.reverse();
  const rank = new Map<number, number>();
  for (let k = 0; k < distinct.length; k++) rank.set(distinct[k]!, k);
  // Counting sort by rank: stable, so ties keep the rows' order.
  const start = new Uint32Array(distinct.length + 1);
  const ranks = new Uint32Array(n);
  for (let i = 0; i < n; i++) start[(ranks[i] = rank.get(scores[i]!)!) + 1]!++;
  for (let k = 0; k < distinct.length; k++) start[k + 1]! += start[k]!;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[start[ranks[i]!]!++] = rows[i]!;
  return out;
}

function sideCells(c: SideCall | undefined): DiffSideCells | undefined {
  if (!c) return undefined;
  return { gt: c.recordGt, alleleGt: c.gt, called: c.called, qual: fmtNum(c.qual), filter: c.filter, gq: c.gq === undefined ? '' : String(c.gq), recordPos: c.recordPos };
}

export function toDiffRow(s: DiffSite, index: number): DiffRow {
  const a = sideCells(s.a);
  const b = sideCells(s.b);
  return { index, contig: s.contig, pos: s.pos, ref: s.ref, alt: s.alt, kind: s.kind, classes: s.classes, ...(a ? { a } : {}), ...(b ? { b } : {}), dispute: Math.round(disputeScore(s).score * 10) / 10 };
}

/**
 * The diff webview's request handlers (the same object the panel gives its RpcServer). The
 * review requests come from reviewController.ts (VS Code glue); without them they answer
 * 'unsupported'.
 */
export function diffRequestHandlers(model: DiffModel, review: ReviewRequestHandlers = unavailableReviewHandlers()): RequestHandlers<DiffProtocol> {
  return {
    ...review,
    'diff.init': () => model.init(),
    'diff.rows': (p) => model.rows(p.viewId, p.from, p.to),
    'diff.setView': (p, ctx) => model.setView(p, ctx.signal),
    'diff.ping': (p) => ({ sentAt: p.sentAt, hostTime: Date.now() }),
  };
}
