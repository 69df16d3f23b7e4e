/**
 * "Variant Lens: Compare Two VCFs": asks for two VCFs (or takes the two selected in the
 * explorer), runs the diff in the extension host with a cancellable progress notification
 * (and progress + Cancel in the panel), and shows the diff webview: summary, class / kind /
 * stratum filters, and the virtualized list of differing sites. Selecting a site sends it
 * to the site inspector with both files' records.
 *
 * The work and the answers to the webview live in DiffModel (diffModel.ts, no vscode);
 * this file is the VS Code glue only. Every incoming message is validated (diffSchema).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RpcServer } from '../../protocol/rpc';
import type { DiffComparison, DiffPageState, DiffProtocol, HostToWebview } from '../../protocol/protocol';
import { diffSchema } from '../../protocol/validate';
import { DiffModel, diffRequestHandlers, toDiffRow, type DiffRunOptions } from './diffModel';
import { LAST_COMPARISON_KEY, OpenDiffs, comparisonFiles, diffPanelTitle, lastComparison, openDiffList, restoredDiff, type OpenDiff } from './diffRestore';
import { PanelRecord } from '../common/panelRecord';
import type { InspectorPanel } from '../inspector/inspectorPanel';
import type { Log } from '../common/log';
import * as settings from '../common/settings';
import { abortSignalOf } from '../table/vcfTableEditor';
import { webviewHtml, webviewOptions, webviewTabs } from '../common/webviewHtml';
import { PageWatch } from '../common/pageWatch';
import type { DiffReviewRef } from '../review/reviewController';
import type { ReviewBinder } from '../review/reviewWorkspace';
import { ListStateStore } from '../table/listState';

export const DIFF_VIEW_TYPE = 'variantLens.diff';
export const COMPARE_COMMAND = 'variantLens.compareVcfs';
export const REOPEN_COMMAND = 'variantLens.reopenLastComparison';

const VCF_NAME = /\.vcf(\.gz)?$/i;

/** Options a caller (a test, another command) may pass as the third argument of the command. */
export interface CompareArgs {
  readonly truth?: 'A' | 'B' | 'none';
  /** A third VCF as the truth (skips the truth question too). */
  readonly truthFile?: string;
}

/** What the diff feature is given by the composition root (extension.ts). */
export interface DiffDeps {
  readonly log: Log;
  /** Selected sites go to the inspector. */
  readonly inspector: InspectorPanel;
  /** The review feature (reviewController.ts), bound by every diff panel. */
  readonly review: ReviewBinder<DiffReviewRef>;
}

/** One open diff: its panel, model and run. */
export class DiffPanel {
  private readonly run = new AbortController();
  private readonly server: RpcServer<DiffProtocol>;
  private selectWork: AbortController | undefined;
  private readonly watch: PageWatch;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    readonly model: DiffModel,
    private readonly log: Log,
    private readonly inspector: InspectorPanel,
    reviewBinder: ReviewBinder<DiffReviewRef>,
    listState: ListStateStore,
    restore: DiffPageState | undefined,
    remember: (state: DiffPageState | undefined) => void,
    html: () => string,
  ) {
    // A page that never says ready (a blank panel after a browser refresh) is loaded again.
    this.watch = new PageWatch(() => { panel.webview.html = html(); }, () => panel.visible, (m) => log.warn(m), `diff ${path.basename(model.options.fileA)} ↔ ${path.basename(model.options.fileB)}`);
    const post = (m: HostToWebview<DiffProtocol>): void => void panel.webview.postMessage(m);
    // Review column, 1–9 keys, undo: reviewController.ts.
    const review = reviewBinder.bind({
      kind: 'diff', model, panel, emitChanged: (count) => this.server.emit('reviewChanged', { count }), reveal: (viewId, index) => this.server.emit('reveal', { viewId, index }),
      row: (site) => toDiffRow(site, 0),
    });
    const handlers = diffRequestHandlers(model, review.handlers);
    const init = handlers['diff.init'];
    this.server = new RpcServer<DiffProtocol>(diffSchema, {
      ...handlers,
      'diff.init': async (p, ctx) => {
        review.pulled();
        const columns = listState.columns('diff');
        const reviewFile = review.reviewFile();
        return {
          ...(await init(p, ctx)), ...(columns ? { columns } : {}), ...(reviewFile ? { reviewFile } : {}),
          // After a reload: the page's selection and scroll (it applies them once the run is done).
          ...(restore ? { restore: { selected: restore.selected, first: restore.first } } : {}),
        };
      },
    }, {
      ready: () => {
        this.watch.ready();
        this.log.info(`diff webview ready: ${this.title}`);
      },
      cancelRun: () => this.run.abort(),
      columnsChanged: (c) => void listState.setColumns('diff', c),
      // The page's view, selection and scroll, for the host's record (open diffs, registerDiffCommand).
      pageState: (s) => remember({ ...s, comparison: model.comparison }),
      siteSelected: (s) => {
        review.selected({ viewId: s.viewId, index: s.index });
        void this.select(s.viewId, s.index, s.open);
      },
    }, post, (err) => this.log.warn(`rejected a message from the diff webview: ${err}`));
    panel.webview.onDidReceiveMessage((m: unknown) => void this.server.handle(m));
    panel.onDidDispose(() => {
      remember(undefined);
      this.watch.dispose();
      this.run.abort();
      this.selectWork?.abort();
      this.server.dispose();
      void model.close();
    });
  }

  get title(): string {
    return `${path.basename(this.model.options.fileA)} ↔ ${path.basename(this.model.options.fileB)}`;
  }

  /**
   * Opens a diff panel and runs the comparison. `restore`: a reloaded page's state (its view,
   * selection and scroll come back), with the panel VS Code handed to the serializer if it did.
   * `remember` gets the page's state as it changes, and undefined when the panel is closed.
   */
  static open(context: vscode.ExtensionContext, deps: DiffDeps, options: DiffRunOptions, remember: (state: DiffPageState | undefined) => void, restore?: { state: DiffPageState; panel?: vscode.WebviewPanel }): DiffPanel {
    const ext = context.extensionUri;
    const title = diffPanelTitle(options);
    // A diff the window lost opens again in the first column (the inspector then goes beside it).
    const column = restore ? vscode.ViewColumn.One : vscode.ViewColumn.Active;
    const panel = restore?.panel ?? vscode.window.createWebviewPanel(DIFF_VIEW_TYPE, title, column, { ...webviewOptions(ext), retainContextWhenHidden: true });
    if (restore?.panel) {
      panel.title = title;
      panel.webview.options = webviewOptions(ext);
    }
    const html = (): string => webviewHtml(panel.webview, ext, 'diff', ['common.css', 'table.css', 'diff.css', 'review.css'], title);
    panel.webview.html = html();
    const model = new DiffModel(options, restore?.state.view);
    const p = new DiffPanel(panel, model, deps.log, deps.inspector, deps.review, new ListStateStore(context.workspaceState), restore?.state, remember, html);
    remember(restore?.state ?? { comparison: model.comparison, view: {}, selected: -1, first: 0 });
    // "Reopen Last Comparison" runs this one again.
    void context.workspaceState.update(LAST_COMPARISON_KEY, model.comparison);
    void p.start();
    return p;
  }

  /** Runs the diff under a cancellable notification; the panel's Cancel aborts the same run. */
  private async start(): Promise<void> {
    const t0 = performance.now();
    const o = this.model.options;
    this.log.info(`diff ${o.fileA} ↔ ${o.fileB}${o.reference ? ` (reference ${o.reference})` : ' (no reference: indels not left-aligned)'}${o.truth ? `, truth ${o.truth}` : ''}${o.truthFile ? `, truth VCF ${o.truthFile}` : ''}${o.beds?.length ? `, BEDs ${o.beds.map((b) => b.name).join(', ')}` : ''}`);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Variant Lens: comparing ${this.title}`, cancellable: true },
        async (progress, token) => {
          const tokenSignal = abortSignalOf(token);
          tokenSignal.addEventListener('abort', () => this.run.abort(), { once: true });
          let last = 0;
          await this.model.run(this.run.signal, (p) => {
            this.server.emit('runProgress', p);
            const pct = p.fraction === null ? last : Math.round(p.fraction * 100);
            progress.report({
              message: `${p.contig}:${p.pos.toLocaleString('en-US')} — ${(p.recordsA + p.recordsB).toLocaleString('en-US')} records, ${p.differingSites.toLocaleString('en-US')} differing`,
              increment: Math.max(0, pct - last),
            });
            last = Math.max(last, pct);
          });
        },
      );
      const s = this.model.summary;
      this.log.info(`diff ${this.title}: ${this.model.state}${s ? `, ${s.differingSites} differing of ${s.sites} sites` : ''} in ${Math.round(performance.now() - t0)} ms`);
      const finishedAt = this.model.finishedAt;
      this.server.emit('runEnded', { state: this.model.state, ...(finishedAt !== undefined ? { finishedAt } : {}) });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`diff ${this.title}: ${message}`);
      this.server.emit('runEnded', { state: 'error', error: { code: (e as { code?: string }).code ?? 'internal', message } });
      void vscode.window.showErrorMessage(`Variant Lens: ${message}`);
    }
  }

  /** Walking with j/k updates a visible inspector (debounced); Enter opens it. */
  private async select(viewId: number, index: number, open: boolean): Promise<void> {
    const site = this.model.siteAt(viewId, index);
    if (!site) return;
    if (!open && !this.inspector.visible) return;
    this.selectWork?.abort();
    const work = new AbortController();
    this.selectWork = work;
    try {
      const record = await this.model.siteRecord(site, work.signal);
      if (work.signal.aborted) return;
      if (open) this.inspector.show(true);
      // j/k/n/1–9 pressed in the inspector act on this list (webview/diff/main.ts forwardedKey).
      await this.inspector.setSite(record, { kind: 'diff', forwardKey: (key) => this.server.emit('forwardedKey', { key }) });
    } catch (e) {
      if (work.signal.aborted) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`diff site ${site.contig}:${site.pos}: ${message}`);
      if (open) void vscode.window.showErrorMessage(`Variant Lens: ${message}`);
    }
  }

  dispose(): void {
    this.panel.dispose();
  }
}

function isVcfUri(u: unknown): u is vscode.Uri {
  return u instanceof vscode.Uri && VCF_NAME.test(u.path);
}

/** VCFs the user probably means: open editors first, then the workspace (bounded search). */
async function candidateVcfs(): Promise<vscode.Uri[]> {
  const seen = new Map<string, vscode.Uri>();
  for (const g of vscode.window.tabGroups.all) {
    for (const t of g.tabs) {
      const input = t.input;
      const uri = input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
      if (uri && VCF_NAME.test(uri.path)) seen.set(uri.toString(), uri);
    }
  }
  if (vscode.workspace.workspaceFolders?.length) {
    for (const u of await vscode.workspace.findFiles('**/*.{vcf,vcf.gz}', '**/node_modules/**', 200)) seen.set(u.toString(), u);
  }
  return [...seen.values()];
}

async function pickVcf(title: string, exclude: readonly vscode.Uri[]): Promise<vscode.Uri | undefined> {
  const browse = '$(folder-opened) Browse…';
  const uris = (await candidateVcfs()).filter((u) => !exclude.some((x) => x.toString() === u.toString()));
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = uris.map((uri) => ({
    label: path.basename(uri.fsPath),
    description: vscode.workspace.asRelativePath(uri, true),
    uri,
  }));
  items.push({ label: browse, alwaysShow: true });
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title, placeHolder: 'a .vcf or .vcf.gz file', ignoreFocusOut: true, matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const files = await vscode.window.showOpenDialog({ canSelectMany: false, title, filters: { VCF: ['vcf', 'gz'] } });
  return files?.[0];
}

type TruthChoice = { readonly truth?: 'A' | 'B'; readonly truthFile?: string };

/** The optional truth: none, one of the two files, or a third VCF (e.g. GIAB) both are compared with. */
async function pickTruth(a: vscode.Uri, b: vscode.Uri): Promise<TruthChoice | undefined> {
  const nameA = path.basename(a.fsPath);
  const nameB = path.basename(b.fsPath);
  const items: (vscode.QuickPickItem & { truth: 'A' | 'B' | 'none' | 'file' })[] = [
    { label: 'No truth set', description: 'compare two call sets (e.g. default vs retrained model)', truth: 'none' },
    { label: '$(verified) A truth VCF…', description: 'e.g. GIAB: TP / FP / FN of A and of B, per site and in total', truth: 'file' },
    { label: `A is the truth: ${nameA}`, description: 'adds TP / FP / FN, precision, recall, F1', truth: 'A' },
    { label: `B is the truth: ${nameB}`, description: 'adds TP / FP / FN, precision, recall, F1', truth: 'B' },
  ];
  const picked = (await vscode.window.showQuickPick(items, { title: `Compare ${nameA} ↔ ${nameB}: truth set (optional)`, ignoreFocusOut: true }))?.truth;
  if (picked === undefined) return undefined;
  if (picked === 'none') return {};
  if (picked === 'A' || picked === 'B') return { truth: picked };
  const t = await pickVcf(`Truth VCF for ${nameA} ↔ ${nameB}`, [a, b]);
  return t ? { truthFile: t.fsPath } : undefined;
}

/**
 * Registers the compare command. Arguments as VS Code passes them from the explorer context
 * menu with several files selected: (clicked uri, all selected uris); a third argument
 * (CompareArgs) skips the truth question. Returns the panel, or undefined when cancelled.
 */
export function registerDiffCommand(context: vscode.ExtensionContext, deps: DiffDeps): DiffFeature {
  const log = deps.log;
  const panels = new Set<DiffPanel>();
  // The host's own record of the open diffs (panelRecord.ts: a browser refresh may lose VS Code's).
  const record = new PanelRecord<OpenDiff[]>(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'open-diffs.json'), openDiffList, (m) => log.warn(m));
  const openDiffs = new OpenDiffs(record.previous ?? [], (all) => record.write(all));
  // Disposed before the panels below: panels closed by the shutdown stay in the record.
  context.subscriptions.push({ dispose: () => record.freeze() });
  context.subscriptions.push({ dispose: () => { for (const p of panels) p.dispose(); } });
  // A restored tab closed before it was ever shown (its serializer never ran): forget its entry.
  context.subscriptions.push(vscode.window.tabGroups.onDidChangeTabs((e) => {
    if (e.closed.length) openDiffs.lost(webviewTabs(DIFF_VIEW_TYPE).map((t) => t.label));
  }));
  /** A comparison run with the current settings (reference, BEDs, QUAL delta), in a new panel or a restored one. */
  const open = (c: DiffComparison, restore?: { state: DiffPageState; panel?: vscode.WebviewPanel }): DiffPanel => {
    const reference = settings.reference();
    const qualDelta = settings.diffQualDelta();
    const options: DiffRunOptions = {
      ...c,
      ...(reference ? { reference } : {}),
      beds: settings.diffBeds(),
      ...(qualDelta !== undefined ? { qualDelta } : {}),
    };
    const id = randomUUID();
    const title = diffPanelTitle(c);
    const p = DiffPanel.open(context, deps, options, (state) => (state ? openDiffs.set({ id, title, state }) : openDiffs.delete(id)), restore);
    panels.add(p);
    p.panel.onDidDispose(() => panels.delete(p));
    return p;
  };

  // After a window reload VS Code hands back each diff panel with the page's saved state
  // (webview/diff/main.ts savePage): the same comparison runs again and the page gets its
  // scope, filters, sort, selection and scroll back. The host's record of the panel is as new
  // or newer (a browser refresh may leave VS Code an older state, or none): it wins. A panel
  // with neither is closed.
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(DIFF_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state) => {
      const fromPage = restoredDiff(state);
      const restored = openDiffs.claim(panel.title, fromPage?.comparison)?.state ?? fromPage;
      if (!restored) {
        log.warn(`the diff panel "${panel.title}" came back from a reload without a usable saved state; closing it`);
        panel.dispose();
        return;
      }
      log.info(`restoring the diff ${restored.comparison.fileA} ↔ ${restored.comparison.fileB} (${fromPage ? 'page state' : 'no page state'}, selected row ${restored.selected})`);
      open(restored.comparison, { state: restored, panel });
    },
  }));

  context.subscriptions.push(vscode.commands.registerCommand(REOPEN_COMMAND, () => {
    const last = lastComparison(context.workspaceState.get(LAST_COMPARISON_KEY));
    if (!last) {
      void vscode.window.showInformationMessage('Variant Lens: no comparison has been run in this workspace yet; use "Compare Two VCFs".');
      return false;
    }
    const missing = comparisonFiles(last).filter((f) => !existsSync(f));
    if (missing.length) {
      void vscode.window.showErrorMessage(`Variant Lens: cannot reopen the last comparison: ${missing.join(', ')} no longer exist${missing.length === 1 ? 's' : ''}.`);
      return false;
    }
    log.info(`${REOPEN_COMMAND}: ${last.fileA} ↔ ${last.fileB}${last.truthFile ? ` (truth ${last.truthFile})` : last.truth ? ` (truth ${last.truth})` : ''}`);
    open(last);
    return true;
  }));
  context.subscriptions.push(vscode.commands.registerCommand(COMPARE_COMMAND, async (arg?: unknown, args?: unknown, extra?: unknown) => {
    try {
      const selected = Array.isArray(args) ? args.filter(isVcfUri) : [];
      let a: vscode.Uri | undefined = selected[0] ?? (isVcfUri(arg) ? arg : undefined);
      let b: vscode.Uri | undefined = selected.find((u) => u.toString() !== a?.toString());
      if (selected.length > 2 && a && b) void vscode.window.showWarningMessage(`Variant Lens: ${selected.length} VCFs selected; comparing the first two (A = ${path.basename(a.fsPath)}, B = ${path.basename(b.fsPath)}).`);
      a ??= await pickVcf('Compare two VCFs: first file (A)', []);
      if (!a) return undefined;
      b ??= await pickVcf(`Compare ${path.basename(a.fsPath)} (A) with… (B)`, [a]);
      if (!b) return undefined;
      const given = extra as CompareArgs | undefined;
      const truth: TruthChoice | undefined = typeof given?.truthFile === 'string' ? { truthFile: given.truthFile }
        : given?.truth === 'A' || given?.truth === 'B' ? { truth: given.truth }
          : given?.truth === 'none' ? {} : await pickTruth(a, b);
      if (!truth) return undefined;
      open({ fileA: a.fsPath, fileB: b.fsPath, ...truth });
      return undefined;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`${COMPARE_COMMAND}: ${message}`);
      void vscode.window.showErrorMessage(`Variant Lens: ${message}`);
      return undefined;
    }
  }));
  // The review queue (queue/reviewQueuePanel.ts) takes the focused diff's view.
  return {
    panels,
    reopenLost: () => {
      const tabs = webviewTabs(DIFF_VIEW_TYPE).map((t) => t.label);
      const lost = openDiffs.lost(tabs);
      for (const e of lost) {
        const missing = comparisonFiles(e.state.comparison).filter((f) => !existsSync(f));
        if (missing.length) {
          log.warn(`not reopening the diff "${e.title}": ${missing.join(', ')} no longer exist${missing.length === 1 ? 's' : ''}`);
          continue;
        }
        log.info(`reopening the diff "${e.title}" that the window did not bring back (selected row ${e.state.selected})`);
        open(e.state.comparison, { state: e.state });
      }
      return lost.length > 0;
    },
  };
}

export interface DiffFeature {
  readonly panels: ReadonlySet<DiffPanel>;
  /**
   * Opens again the diffs the previous window had open that VS Code did not bring back (no tab
   * with their title; panelRecord.ts). Called once at activation, after the serializers are
   * registered. True when it opened one.
   */
  reopenLost(): boolean;
}

