/**
 * Review glue for VS Code (issue #7, UI): one ReviewStore per reviewed VCF (table) or diff,
 * opened when its panel opens (reviewWorkspace.ts holds the logic, without `vscode`); a
 * FileSystemWatcher per review file feeds external edits (git pull, another window, the CLI)
 * to `store.reload()`; the review requests of the table, diff and inspector webviews
 * (protocol.ts "Review"); the commands (Annotate Site…, Undo Last Annotation, Resolve
 * Conflict…, reveal from the tree); and the fan-out of every change to the table/diff
 * columns, the inspector form, the Review tree and the VCF text editor's CodeLenses.
 *
 * Which review file a site belongs to: ONE per workspace (docs/decisions/0012-one-review-file.md,
 * core/review/reviewLocation.ts): tables, diffs, the inspector and the plain-text VCF editor
 * read and write the same file, so a verdict set in the diff shows in the table's REVIEW
 * column. Progress (disputes of the active diff, records of the active table) is shown in a
 * status bar item and as the Review view's badge (reviewProgress.ts, reviewTreeView.ts).
 * Every error is shown with the file name and logged; nothing here throws into VS Code.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { defaultReviewer, reviewPathForDiff, reviewPathForVcf } from '../../core/review/reviewStore';
import { workspaceReviewPath } from '../../core/review/reviewLocation';
import type { ModelSnapshot } from '../../core/review/reviewFormat';
import { DISPUTE_VOCABULARY, vocabularyForModels, type Vocabulary, type VocabularySetting } from '../../core/review/vocabulary';
import type { DiffSite } from '../../core/diff/diffClasses';
import type { DiffRow, ModelComparison, ReviewCell, ReviewInit, ReviewRequests, ReviewSiteRef, ReviewSiteState, ReviewTarget, SiteRecord, TableRow } from '../../protocol/protocol';
import { ReviewWorkspace, modelName, parseVcfLine, recordedSnapshot, resolveItems, reviewSnapshot, siteLabel, snapshot, type AnnotateInput, type ReviewBinder, type ReviewBinding } from './reviewWorkspace';
import type { Log } from '../common/log';
import * as settings from '../common/settings';
import { gitUserName } from './gitUser';
import { DisputeProgressCache, type ReviewProgress } from './reviewProgress';

/** What the review code needs of a VCF table's model (table/vcfTableModel.ts VcfTableModel). */
export interface ReviewTableModel {
  readonly path: string;
  readonly header: { readonly contigs: readonly { readonly name: string }[] };
  /** Rows in the file; -1 while the row index is being built. */
  readonly rowCount: number;
  readonly viewId: number;
  /** Set by the review code: the REVIEW column of a site. */
  reviewCell: ((site: ReviewSiteRef) => ReviewCell | undefined) | undefined;
  site(row: number, signal?: AbortSignal): Promise<SiteRecord>;
  findLocus(text: string, signal?: AbortSignal): Promise<number>;
  rows(viewId: number, from: number, to: number, signal?: AbortSignal): Promise<{ rows: readonly TableRow[] }>;
}

/** What the review code needs of a diff's model (diff/diffModel.ts DiffModel). */
export interface ReviewDiffModel {
  readonly options: { readonly fileA: string; readonly fileB: string };
  readonly summary: { readonly differingSites: number } | undefined;
  /** Every differing site once the run is done (progress counts its disputes). */
  readonly sites?: { readonly length: number; get(i: number): DiffSite | undefined } | undefined;
  /** How many of those sites are disputes, when known (saves counting them again). */
  readonly disputeCount?: number | undefined;
  readonly viewId: number;
  readonly viewCount: number;
  /** Set by the review code: the REVIEW column of a site. */
  reviewCell: ((site: DiffSite) => ReviewCell | undefined) | undefined;
  siteAt(viewId: number, index: number): DiffSite | undefined;
  siteRecord(site: DiffSite, signal?: AbortSignal): Promise<SiteRecord>;
}

/** A table panel as the review code needs it. */
export interface TableReviewRef {
  readonly kind: 'table';
  readonly model: ReviewTableModel;
  readonly panel: vscode.WebviewPanel;
  emitChanged(count: number): void;
  /** Shows and selects view row `index` (TableHandle.reveal). */
  reveal(index: number): void;
}

export interface DiffReviewRef {
  readonly kind: 'diff';
  readonly model: ReviewDiffModel;
  readonly panel: vscode.WebviewPanel;
  emitChanged(count: number): void;
  reveal(viewId: number, index: number): void;
  /** What the two VCFs recorded at a site (the diff list's A and B cells: GT, GQ, QUAL). */
  row(site: DiffSite): Pick<DiffRow, 'a' | 'b'>;
}

/** The site inspector as the review code needs it (inspector/inspectorPanel.ts). */
export interface InspectorReviewRef {
  readonly kind: 'inspector';
  emitSite(state: ReviewSiteState | null): void;
  /** The site shown, and the models' comparison there when they ran. */
  site(): SiteRecord | undefined;
  models(): ModelComparison | undefined;
  /** Opens the inspector (beside, without focus) on a site. */
  open(record: SiteRecord): Promise<void>;
}

export type ReviewPanelRef = TableReviewRef | DiffReviewRef | InspectorReviewRef;

/** A site picked in a table or diff: where it is, and what the models said there. */
interface SiteContext {
  readonly ref: TableReviewRef | DiffReviewRef;
  readonly reviewFile: string;
  readonly site: ReviewSiteRef;
  readonly models: readonly ModelSnapshot[];
  /** Opens the site in the inspector. */
  readonly record: (signal?: AbortSignal) => Promise<SiteRecord>;
}

export const REVIEW_COMMANDS = {
  annotate: 'variantLens.review.annotate',
  undo: 'variantLens.review.undo',
  resolve: 'variantLens.review.resolve',
  reveal: 'variantLens.review.reveal',
  annotateLine: 'variantLens.review.annotateLine',
  openFile: 'variantLens.review.openFile',
} as const;

/**
 * The review feature of the extension. Panels do not look it up: each gets `bind` (as a
 * ReviewBinder) when it is made, and binding a panel registers it here.
 */
export class ReviewController implements vscode.Disposable, ReviewBinder<ReviewPanelRef> {
  readonly workspace: ReviewWorkspace;
  private readonly refs = new Set<ReviewPanelRef>();
  private readonly watchers = new Map<string, { watcher: vscode.FileSystemWatcher; users: number }>();
  private readonly disposables: vscode.Disposable[] = [];
  private lastSelection: SiteContext | undefined;
  /** Review file the tree shows when no table/diff is open: the last annotated. */
  private activeFile: string | undefined;
  /** The table/diff whose progress the status bar and badge show: the last active one. */
  private activeRef: TableReviewRef | DiffReviewRef | undefined;
  /** Review file of each bound table/diff (fixed when bound: a settings change applies to new panels). */
  private readonly files = new Map<TableReviewRef | DiffReviewRef, string>();
  private readonly treeEmitter = new vscode.EventEmitter<void>();
  /** Each open diff's disputes and how many are reviewed (asked after every change). */
  private readonly disputeCounts = new DisputeProgressCache();
  /** Fires when the review tree should re-read (changes, active panel). */
  readonly onDidChangeTree = this.treeEmitter.event;
  private readonly filesEmitter = new vscode.EventEmitter<string>();
  /** Fires with the review file whose annotations changed (CodeLens refresh). */
  readonly onDidChangeFile = this.filesEmitter.event;
  private vocabularyWarned = false;
  /** git config user.name of the workspace folder, once known. */
  private gitName: string | undefined;
  private shownTotal: string | undefined;
  /** Per-view sidecars of earlier versions already pointed out (once per window). */
  private readonly legacyNoted = new Set<string>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log) {
    this.workspace = new ReviewWorkspace({ vocabulary: () => this.vocabulary(), reviewer: () => this.reviewer() });
    // The setting's fallback is git's user.name (asked once, in the background), then the OS user.
    void gitUserName(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath).then((n) => { this.gitName = n; });
    this.disposables.push(this.treeEmitter, this.filesEmitter);
    this.workspace.onDidChange((file, e) => this.changed(file, e.keys.length));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${settings.SECTION}.review`) || e.affectsConfiguration(`${settings.SECTION}.models`)) {
        this.vocabularyWarned = false;
        for (const f of this.workspace.openPaths) this.changed(f, 0);
      }
    }));
    this.registerCommands();
  }

  /** `variantLens.reviewer`, else git's user.name in the workspace folder, else the OS user. */
  private reviewer(): string {
    return settings.reviewer() || this.gitName || defaultReviewer();
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.watcher.dispose();
    this.watchers.clear();
    for (const d of this.disposables) d.dispose();
  }

  // ---- settings ---------------------------------------------------------------------------

  /** `variantLens.review.vocabulary`: a preset name, or { preset, verdicts, tags }. */
  vocabulary(): Vocabulary {
    const raw = settings.reviewVocabulary();
    try {
      const models = settings.models().map((m) => m.name);
      if (typeof raw === 'string') return vocabularyForModels(raw === '' ? {} : { preset: raw }, models, 'variantLens.review.vocabulary');
      if (raw && typeof raw === 'object') return vocabularyForModels(raw as VocabularySetting, models, 'variantLens.review.vocabulary');
      return DISPUTE_VOCABULARY;
    } catch (e) {
      if (!this.vocabularyWarned) {
        this.vocabularyWarned = true;
        this.showError(e, 'using the model-dispute vocabulary instead');
      }
      return DISPUTE_VOCABULARY;
    }
  }

  // ---- panels ------------------------------------------------------------------------------

  /**
   * Binds a panel: registers it (its review column is kept up to date) and returns its review
   * requests (spread into its RpcServer handlers) and the hooks its own handlers call.
   */
  bind(ref: ReviewPanelRef): ReviewBinding {
    this.register(ref);
    return {
      handlers: {
        'review.init': () => this.init(ref),
        'review.site': () => this.inspectorState(),
        'review.annotate': (p) => this.annotateRequest(ref, p),
        'review.undo': async () => ({ undone: await this.undo() }),
        'review.resolve': async (p) => ({ resolved: await this.resolveRequest(ref, p.target) }),
      },
      // Selection: the panels emit `siteSelected` (debounced) for every move; the command and
      // the inspector's form annotate the last one.
      selected: (target) => {
        if (ref.kind === 'inspector' || !this.refs.has(ref)) return;
        this.contextOf(ref, target).then((ctx) => { this.lastSelection = ctx; }, () => undefined);
      },
      // The tree's "reviewed / total" needs the diff's summary or the table's row count, known
      // only once the run/index ends; the webview then pulls (diff.init, table.rows).
      pulled: () => this.refreshTotal(),
      shown: () => void this.pushInspector(),
      reviewFile: () => (ref.kind === 'inspector' ? undefined : this.fileOf(ref)),
    };
  }

  private register(ref: ReviewPanelRef): void {
    if (this.refs.has(ref)) return;
    if (ref.kind === 'inspector') {
      // One inspector panel at a time: a re-opened panel replaces the closed one's ref.
      for (const r of this.refs) if (r.kind === 'inspector') this.refs.delete(r);
      this.refs.add(ref);
      return;
    }
    this.refs.add(ref);
    const file = this.fileOf(ref);
    if (ref.kind === 'table') {
      ref.model.reviewCell = (s) => this.workspace.cell(file, s);
    } else {
      ref.model.reviewCell = (s) => this.workspace.cell(file, s);
    }
    this.watch(file);
    this.noteLegacy(ref, file);
    const contigs = ref.kind === 'table' ? ref.model.header.contigs.map((c) => c.name) : undefined;
    this.workspace.open(file, contigs && contigs.length > 0 ? contigs : undefined).then(() => {
      ref.emitChanged(this.workspace.storeIfOpen(file)?.size ?? 0);
      this.treeEmitter.fire();
    }, (e: unknown) => this.showError(e));
    const focus = ref.panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active && this.activeRef !== ref) {
        this.activeRef = ref;
        this.activeFile = file;
        this.treeEmitter.fire();
      }
    });
    this.activeRef = ref;
    this.activeFile = file;
    ref.panel.onDidDispose(() => {
      focus.dispose();
      this.refs.delete(ref);
      this.files.delete(ref);
      if (this.activeRef === ref) this.activeRef = undefined;
      if (this.lastSelection?.ref === ref) this.lastSelection = undefined;
      this.unwatch(file);
      this.treeEmitter.fire();
    });
  }

  fileOf(ref: TableReviewRef | DiffReviewRef): string {
    let f = this.files.get(ref);
    if (f === undefined) {
      f = this.reviewFileFor(ref.kind === 'table' ? ref.model.path : ref.model.options.fileA);
      if (this.refs.has(ref)) this.files.set(ref, f);
    }
    return f;
  }

  /**
   * Earlier versions wrote one sidecar per view (`X.vcf.gz.review.tsv`, `A.vs.B.review.tsv`);
   * they are not read any more (decision 0012). When one exists next to the data, say where
   * the verdicts go now and how to merge it (once per file and window).
   */
  private noteLegacy(ref: TableReviewRef | DiffReviewRef, file: string): void {
    const legacy = ref.kind === 'table' ? reviewPathForVcf(ref.model.path) : reviewPathForDiff(ref.model.options.fileA, ref.model.options.fileB);
    if (legacy === file || this.legacyNoted.has(legacy) || !existsSync(legacy)) return;
    this.legacyNoted.add(legacy);
    const msg = `${path.basename(legacy)} is a review file of an earlier version; verdicts now go to ${path.basename(file)} (one file for every view). To keep its verdicts: variant-lens review export --review ${path.basename(legacy)} --format tsv --out old.tsv, then review import --tsv old.tsv --review ${path.basename(file)}.`;
    this.log.info(msg);
    void vscode.window.showInformationMessage(`Variant Lens: ${msg}`);
  }

  /** The workspace review file for a data file (VCF, or a diff's A): core/review/reviewLocation.ts. */
  reviewFileFor(dataFile: string): string {
    const folders = vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    return workspaceReviewPath({ dataFile, setting: settings.reviewFile(), ...(folders && folders.length > 0 ? { workspaceFolders: folders } : {}) });
  }

  /** The active table/diff (the last one focused that is still open), else any open one. */
  private currentRef(): TableReviewRef | DiffReviewRef | undefined {
    if (this.activeRef && this.refs.has(this.activeRef)) return this.activeRef;
    let last: TableReviewRef | DiffReviewRef | undefined;
    for (const r of this.refs) if (r.kind !== 'inspector') last = r;
    return last;
  }

  /**
   * The review file the Review tree shows, and how many sites there are to review: the
   * disputes of the active diff, the records of the active table.
   */
  treeSource(): { file: string; total: number | undefined } | undefined {
    const ref = this.currentRef();
    const file = ref ? this.fileOf(ref) : this.activeFile ?? this.workspace.openPaths[0];
    if (!file) return undefined;
    if (!ref) return { file, total: undefined };
    if (ref.kind === 'table') return { file, total: ref.model.rowCount >= 0 ? ref.model.rowCount : undefined };
    return { file, total: this.progress()?.total };
  }

  /** Progress of the active table/diff in the workspace review file (status bar, view badge). */
  progress(): ReviewProgress | undefined {
    const ref = this.currentRef();
    const file = ref ? this.fileOf(ref) : this.activeFile ?? this.workspace.openPaths[0];
    if (!file) return undefined;
    const store = this.workspace.storeIfOpen(file);
    const fileName = path.basename(file);
    const conflicts = store ? store.conflicts().length : 0;
    if (ref?.kind === 'diff') {
      const list = ref.model.sites;
      if (!list) return { unit: 'disputes', reviewed: 0, total: undefined, fileName, conflicts };
      const p = this.disputeCounts.of(list, store?.entries(), (s) => this.workspace.has(file, s), ref.model.disputeCount);
      return { unit: 'disputes', ...p, fileName, conflicts };
    }
    const total = ref?.kind === 'table' && ref.model.rowCount >= 0 ? ref.model.rowCount : undefined;
    return { unit: 'records', reviewed: store?.size ?? 0, total, fileName, conflicts };
  }

  /** Refreshes the tree when the total of the active review changed (cheap: compares numbers). */
  private refreshTotal(): void {
    const ref = this.currentRef();
    const file = ref ? this.fileOf(ref) : this.activeFile ?? '';
    const total = ref?.kind === 'diff' ? (ref.model.sites ? `done:${ref.model.sites.length}` : '') : ref?.kind === 'table' ? String(ref.model.rowCount) : '';
    const key = `${file}\t${total}`;
    if (key === this.shownTotal) return;
    this.shownTotal = key;
    this.treeEmitter.fire();
  }

  private watch(file: string): void {
    const w = this.watchers.get(file);
    if (w) {
      w.users++;
      return;
    }
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onEvent = (): void => {
      // Debounce: an atomic write (temp + rename) or a git checkout fires several events.
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        this.workspace.reload(file).then((keys) => {
          if (keys.length > 0) this.log.info(`${path.basename(file)}: ${keys.length} site(s) changed on disk, merged`);
        }, (e: unknown) => this.showError(e));
      }, 50);
    };
    watcher.onDidChange(onEvent);
    watcher.onDidCreate(onEvent);
    watcher.onDidDelete(onEvent);
    this.watchers.set(file, { watcher, users: 1 });
  }

  private unwatch(file: string): void {
    const w = this.watchers.get(file);
    if (!w) return;
    if (--w.users > 0) return;
    w.watcher.dispose();
    this.watchers.delete(file);
  }

  /** Fan-out of a change of `file` to every view. */
  private changed(file: string, count: number): void {
    for (const r of this.refs) {
      if (r.kind !== 'inspector' && this.fileOf(r) === file) r.emitChanged(count);
    }
    this.treeEmitter.fire();
    this.filesEmitter.fire(file);
    void this.pushInspector();
  }

  // ---- sites -------------------------------------------------------------------------------

  /** Resolves a table row / diff row to its site, review file and model snapshot. */
  private async contextOf(ref: TableReviewRef | DiffReviewRef, target: ReviewTarget | undefined, signal?: AbortSignal): Promise<SiteContext> {
    const reviewFile = this.fileOf(ref);
    if (ref.kind === 'table') {
      if (target?.row === undefined) throw new Error('no row given');
      const rec = await ref.model.site(target.row, signal);
      const s0 = rec.samples[0];
      return {
        ref, reviewFile, site: { contig: rec.chrom, pos: rec.pos, ref: rec.ref, alt: rec.alt },
        models: [snapshot(modelName(ref.model.path), s0?.gt, s0?.gq, rec.qual)],
        record: async () => rec,
      };
    }
    if (target?.viewId === undefined || target.index === undefined) throw new Error('no diff row given');
    const site = ref.model.siteAt(target.viewId, target.index);
    if (!site) throw new Error('the diff list changed; select the site again');
    return this.diffContext(ref, site);
  }

  private diffContext(ref: DiffReviewRef, site: DiffSite): SiteContext {
    const row = ref.row(site);
    const o = ref.model.options;
    return {
      ref, reviewFile: this.fileOf(ref), site: { contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt },
      // What each model's VCF recorded for this allele (the inspector shows the same records).
      models: [snapshot(modelName(o.fileA), row.a?.gt, row.a?.gq, row.a?.qual), snapshot(modelName(o.fileB), row.b?.gt, row.b?.gq, row.b?.qual)],
      record: (signal) => ref.model.siteRecord(site, signal),
    };
  }

  /** The inspector (bound when it was made; one at a time). */
  private inspector(): InspectorReviewRef | undefined {
    for (const r of this.refs) if (r.kind === 'inspector') return r;
    return undefined;
  }

  /** The context of the inspector's site: the table/diff it came from, else its VCF's review file. */
  private inspectorContext(): SiteContext | { reviewFile: string; site: ReviewSiteRef; models: ModelSnapshot[] } | undefined {
    const s = this.inspector()?.site();
    if (!s) return undefined;
    const l = this.lastSelection;
    if (l && l.site.contig === s.chrom && l.site.pos === s.pos && l.site.ref === s.ref && l.site.alt === s.alt) return l;
    const s0 = s.samples[0];
    const models = s.records?.length ? recordedSnapshot(s.records) : [snapshot(modelName(s.file), s0?.gt, s0?.gq, s.qual)];
    return { reviewFile: this.reviewFileFor(s.file), site: { contig: s.chrom, pos: s.pos, ref: s.ref, alt: s.alt }, models };
  }

  /** The models' own calls when the inspector has compared them at this site, else `recorded`. */
  private snapshotOf(site: ReviewSiteRef, recorded: readonly ModelSnapshot[]): readonly ModelSnapshot[] {
    const shown = this.inspector()?.site();
    const models = this.inspector()?.models();
    return reviewSnapshot(site, { ...(shown ? { site: shown } : {}), ...(models ? { models } : {}) }, recorded);
  }

  async inspectorState(): Promise<ReviewSiteState | null> {
    const ctx = this.inspectorContext();
    if (!ctx) return null;
    return this.workspace.siteState(ctx.reviewFile, ctx.site);
  }

  private async pushInspector(): Promise<void> {
    const refs = [...this.refs].filter((r): r is InspectorReviewRef => r.kind === 'inspector');
    if (refs.length === 0) return;
    try {
      const state = await this.inspectorState();
      for (const r of refs) r.emitSite(state);
    } catch (e) {
      this.log.error(`review state for the inspector: ${errorMessage(e)}`);
    }
  }

  // ---- requests ----------------------------------------------------------------------------

  init(ref: ReviewPanelRef): ReviewInit {
    return {
      vocabulary: this.workspace.vocabularyPayload(),
      reviewer: this.reviewer(),
      ...(ref.kind !== 'inspector' ? { reviewFile: this.fileOf(ref) } : {}),
    };
  }

  private async targetContext(ref: ReviewPanelRef, target: ReviewTarget | undefined): Promise<{ reviewFile: string; site: ReviewSiteRef; models: readonly ModelSnapshot[] } | undefined> {
    if (ref.kind === 'inspector') return this.inspectorContext();
    return this.contextOf(ref, target);
  }

  async annotateRequest(ref: ReviewPanelRef, p: ReviewRequests['review.annotate']['params']): Promise<{ cell?: ReviewCell }> {
    try {
      const ctx = await this.targetContext(ref, p.target);
      if (!ctx) throw new Error('no site is shown in the inspector');
      let input: AnnotateInput | undefined;
      if (p.interactive) input = await this.askAnnotation(ctx.reviewFile, ctx.site);
      else input = {
        ...(p.verdict !== undefined ? { verdict: p.verdict } : {}),
        ...(p.shortcut !== undefined ? { shortcut: p.shortcut } : {}),
        ...(p.tags !== undefined ? { tags: p.tags } : {}),
        ...(p.note !== undefined ? { note: p.note } : {}),
      };
      if (!input) return {};
      await this.workspace.annotate(ctx.reviewFile, ctx.site, { ...input, models: this.snapshotOf(ctx.site, ctx.models) });
      this.activeFile = ctx.reviewFile;
      const cell = this.workspace.cell(ctx.reviewFile, ctx.site);
      return cell ? { cell } : {};
    } catch (e) {
      this.showError(e);
      throw e;
    }
  }

  async resolveRequest(ref: ReviewPanelRef, target: ReviewTarget | undefined): Promise<boolean> {
    try {
      const ctx = await this.targetContext(ref, target);
      if (!ctx) return false;
      return await this.resolveInteractive(ctx.reviewFile, ctx.site);
    } catch (e) {
      this.showError(e);
      throw e;
    }
  }

  /** Undo of the last annotation made in this window; true when one was undone. */
  async undo(): Promise<boolean> {
    try {
      const r = await this.workspace.undo();
      if (!r) {
        void vscode.window.setStatusBarMessage('Variant Lens: nothing to undo', 3000);
        return false;
      }
      void vscode.window.setStatusBarMessage(`Variant Lens: undid the annotation at ${r.key.split('\t').slice(0, 2).join(':')} (${path.basename(r.path)})`, 4000);
      return true;
    } catch (e) {
      this.showError(e);
      return false;
    }
  }

  // ---- interactive -------------------------------------------------------------------------

  /** Quick pick of the verdict (with shortcut digits), tags (multi-select), then the note. */
  private async askAnnotation(reviewFile: string, site: ReviewSiteRef): Promise<AnnotateInput | undefined> {
    const vocab = this.vocabulary();
    const cur = this.workspace.cell(reviewFile, site);
    const title = `Annotate ${siteLabel(site)}`;
    const verdictItems = vocab.verdicts.map((l) => ({
      label: `${l.shortcut ? `${l.shortcut}  ` : ''}${l.title}`,
      description: l.id + (cur?.verdict === l.id ? ' (current)' : ''),
      detail: l.description,
      id: l.id,
    }));
    const verdict = await vscode.window.showQuickPick(verdictItems, { title: `${title}: verdict`, placeHolder: 'type the digit or a name', ignoreFocusOut: true, matchOnDescription: true });
    if (!verdict) return undefined;
    const tagItems = vocab.tags.map((t) => ({ label: t.title, description: t.id, detail: t.description, id: t.id, picked: cur?.tags.includes(t.id) === true }));
    const tags = await vscode.window.showQuickPick(tagItems, { title: `${title}: tags (optional)`, canPickMany: true, ignoreFocusOut: true, matchOnDescription: true });
    if (!tags) return undefined;
    const note = await vscode.window.showInputBox({ title: `${title}: note (optional)`, value: cur?.note ?? '', prompt: 'Free text; Enter saves', ignoreFocusOut: true });
    if (note === undefined) return undefined;
    return { verdict: verdict.id, tags: tags.map((t) => t.id), note };
  }

  private async resolveInteractive(reviewFile: string, site: ReviewSiteRef): Promise<boolean> {
    const state = await this.workspace.siteState(reviewFile, site);
    if (state.versions.length < 2) {
      void vscode.window.showInformationMessage(`Variant Lens: ${siteLabel(site)} has no conflicting versions in ${state.reviewFileName}.`);
      return false;
    }
    const items = resolveItems(state.versions);
    const pick = await vscode.window.showQuickPick(items, { title: `Resolve ${siteLabel(site)}: keep which version?`, ignoreFocusOut: true });
    if (!pick) return false;
    await this.workspace.resolve(reviewFile, site, pick.index);
    return true;
  }

  // ---- commands ----------------------------------------------------------------------------

  private registerCommands(): void {
    const register = (id: string, fn: (...args: unknown[]) => unknown): void => {
      this.disposables.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (e) {
          this.showError(e);
          return undefined;
        }
      }));
    };

    // Annotate the selected row of the active table/diff, else the inspector's site.
    register(REVIEW_COMMANDS.annotate, async () => {
      const sel = this.lastSelection && this.refs.has(this.lastSelection.ref) && this.lastSelection.ref.panel.active ? this.lastSelection : undefined;
      const ctx = sel ?? this.inspectorContext() ?? this.lastSelection;
      if (!ctx) {
        void vscode.window.showInformationMessage('Variant Lens: select a site in a VCF table or a diff first.');
        return undefined;
      }
      const input = await this.askAnnotation(ctx.reviewFile, ctx.site);
      if (!input) return undefined;
      await this.workspace.annotate(ctx.reviewFile, ctx.site, { ...input, models: this.snapshotOf(ctx.site, ctx.models) });
      this.activeFile = ctx.reviewFile;
      return this.workspace.cell(ctx.reviewFile, ctx.site);
    });

    register(REVIEW_COMMANDS.undo, () => this.undo());

    // From the tree (file, site key) or for the current site.
    register(REVIEW_COMMANDS.resolve, async (arg) => {
      const node = arg as { reviewFile?: string; site?: ReviewSiteRef } | undefined;
      if (node?.reviewFile && node.site) return this.resolveInteractive(node.reviewFile, node.site);
      const ctx = this.lastSelection ?? this.inspectorContext();
      if (!ctx) {
        void vscode.window.showInformationMessage('Variant Lens: select a conflicted site first (Review view → Conflicts).');
        return false;
      }
      return this.resolveInteractive(ctx.reviewFile, ctx.site);
    });

    register(REVIEW_COMMANDS.reveal, async (reviewFile: unknown, site: unknown) => {
      if (typeof reviewFile !== 'string' || !site || typeof site !== 'object') return;
      await this.reveal(reviewFile, site as ReviewSiteRef);
    });

    register(REVIEW_COMMANDS.openFile, async () => {
      const s = this.treeSource();
      if (!s) return;
      await vscode.window.showTextDocument(vscode.Uri.file(s.file), { preview: true });
    });

    // CodeLens of the plain-text VCF editor: annotate the record on that line.
    register(REVIEW_COMMANDS.annotateLine, async (uri: unknown, line: unknown) => {
      if (!(uri instanceof vscode.Uri) || typeof line !== 'number') return;
      const doc = await vscode.workspace.openTextDocument(uri);
      const parsed = parseVcfLine(doc.lineAt(line).text);
      if (!parsed) return;
      const reviewFile = this.reviewFileFor(uri.fsPath);
      const input = await this.askAnnotation(reviewFile, parsed.site);
      if (!input) return;
      await this.workspace.annotate(reviewFile, parsed.site, { ...input, models: this.snapshotOf(parsed.site, [snapshot(modelName(uri.fsPath), parsed.gt, parsed.gq, parsed.qual)]) });
    });
  }

  /** Shows a reviewed site in its open table/diff and in the inspector. */
  private async reveal(reviewFile: string, site: ReviewSiteRef): Promise<void> {
    // Every table and diff shares the workspace file: the active one first, then diffs (their
    // sites are what the tree lists most), then tables.
    const cur = this.currentRef();
    const candidates = [...this.refs].filter((r): r is TableReviewRef | DiffReviewRef => r.kind !== 'inspector' && this.fileOf(r) === reviewFile)
      .sort((a, b) => Number(b === cur) - Number(a === cur) || Number(b.kind === 'diff') - Number(a.kind === 'diff'));
    const ref = candidates[0];
    if (!ref) {
      void vscode.window.showInformationMessage(`Variant Lens: open the VCF table or the diff of ${path.basename(reviewFile)} to go to ${siteLabel(site)}.`);
      return;
    }
    ref.panel.reveal(undefined, true);
    if (ref.kind === 'diff') {
      const m = ref.model;
      const viewId = m.viewId;
      for (let i = 0; i < m.viewCount; i++) {
        const s = m.siteAt(viewId, i);
        if (s && s.contig === site.contig && s.pos === site.pos && s.ref === site.ref && s.alt === site.alt) {
          ref.reveal(viewId, i);
          const ctx = this.diffContext(ref, s);
          this.lastSelection = ctx;
          await this.inspector()?.open(await ctx.record());
          return;
        }
      }
      void vscode.window.showInformationMessage(`Variant Lens: ${siteLabel(site)} is not in the diff's current view (clear its filters).`);
      return;
    }
    const m = ref.model;
    const index = await m.findLocus(`${site.contig}:${site.pos}`);
    const { rows } = await m.rows(m.viewId, index, index + 64);
    const row = rows.find((r) => r.chrom === site.contig && r.pos === site.pos && r.ref.toUpperCase() === site.ref && r.alt === site.alt) ?? rows[0];
    if (!row) return;
    ref.reveal(row.index);
    const ctx = await this.contextOf(ref, { row: row.row });
    this.lastSelection = ctx;
    await this.inspector()?.open(await ctx.record());
  }

  private showError(e: unknown, suffix?: string): void {
    const message = errorMessage(e);
    this.log.error(`review: ${message}`);
    void vscode.window.showErrorMessage(`Variant Lens: ${message}${suffix ? ` (${suffix})` : ''}`);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
