/**
 * The site inspector: one webview panel beside the table, updated when a row is selected.
 * It shows the record (fields, samples, INFO with header descriptions), the trust/model
 * state, and the pileup tensors of the site when they can be built (tensor payloads are
 * Uint8Array, drawn in the webview by the shared pure renderer).
 *
 * The tensor source is pluggable (`TensorProvider`) so the encoder (reads → tensor) and the
 * examples reader (DeepVariant's own examples) slot in without changing the panel.
 */
import * as vscode from 'vscode';
import { type HandlerContext, RpcServer, type RequestHandlers } from '../../protocol/rpc';
import type { ExplanationView } from '../../protocol/explainProtocol';
import type { HostToWebview, InspectorLayers, InspectorProtocol, InspectorRealign, InspectorState, ModelComparison, SiteRecord, TensorPayload } from '../../protocol/protocol';
import { inspectorSchema } from '../../protocol/validate';
import { inspectorLocation, trustInfo } from '../common/settings';
import type { InspectorReviewRef } from '../review/reviewController';
import { unavailableReviewHandlers, type ReviewBinder, type ReviewBinding } from '../review/reviewWorkspace';
import { webviewHtml, webviewOptions } from '../common/webviewHtml';
import { PageWatch } from '../common/pageWatch';
import type { Log } from '../common/log';
import type { HoverFn, TensorResult } from './siteTensors';
import { tensorsWithModels, type SiteComparison } from './modelService';
import { explanationView, runningView, type SiteExplanation } from './explainService';
import type { ExplainProgress } from '../../core/explain/explainSite';
import type { SiteExamples } from '../../core/pileup/siteExamples';
import { VariantLensError } from '../../core/errors';
import type { OpenInspector } from './inspectorRestore';

export const INSPECTOR_VIEW_TYPE = 'variantLens.inspector';
/** The bottom-panel view (package.json contributes.views.variantLensPanel). */
export const INSPECTOR_PANEL_VIEW_ID = 'variantLens.inspectorView';

/** The list a site came from: list keys pressed in the inspector (j/k/n/1–9) are relayed to it. */
export interface ListOrigin {
  readonly kind: 'table' | 'diff';
  forwardKey(key: string): void;
}

/** Where the inspector is drawn: an editor-area webview panel or the bottom-panel webview view. */
interface Surface {
  readonly webview: vscode.Webview;
  readonly kind: 'editor' | 'panel';
  readonly visible: boolean;
  reveal(preserveFocus: boolean): void;
  setTitle(title: string): void;
  dispose(): void;
}

export type { TensorResult } from './siteTensors';

export type TensorProvider = (site: SiteRecord, signal: AbortSignal) => Promise<TensorResult>;

/** Runs the configured models at a site (modelService.ts); `onRunning` fires when inference starts. */
export type ModelComparer = (site: SiteRecord, signal: AbortSignal, onRunning: () => void) => Promise<SiteComparison>;

export interface InspectorOptions {
  readonly compare?: ModelComparer;
  /** Opens the model-card panel (the "Model cards" link of the model table). */
  readonly showModelCards?: () => void;
  /**
   * Shows long model runs as a cancellable notification: called with a promise of the run and
   * an abort function; the extension decides when a run counts as long.
   */
  readonly progress?: (title: string, run: Promise<unknown>, cancel: () => void) => void;
  /** The review feature (reviewController.ts): the review form follows the shown site. */
  readonly review?: ReviewBinder<InspectorReviewRef>;
  /** Explains why the models disagree at a site (explainService.ts); asked for by the webview. */
  readonly explain?: (site: SiteRecord, signal: AbortSignal, onProgress: (p: ExplainProgress, names: readonly string[]) => void) => Promise<SiteExplanation>;
  /** The models' layer activations on a shown image (layerService.ts). */
  readonly layers?: (tensors: readonly TensorPayload[], index: number, signal: AbortSignal) => Promise<InspectorLayers>;
  /** The pileup and the models' calls before and after realignment (realignService.ts). */
  readonly realign?: (site: SiteRecord, signal: AbortSignal) => Promise<InspectorRealign>;
  /**
   * The host's record of the editor-area panel (inspectorRestore.ts OpenInspector): called when
   * it opens or shows a new site, and with undefined when it is closed.
   */
  readonly remember?: (open: OpenInspector | undefined) => void;
}

export class InspectorPanel {
  private panel: Surface | undefined;
  private origin: ListOrigin | undefined;
  private view: vscode.WebviewView | undefined;
  private opening = false;
  private server: RpcServer<InspectorProtocol> | undefined;
  /** Loads the page again when it never says ready (a blank panel after a browser refresh). */
  private watch: PageWatch | undefined;
  private state: InspectorState = { tensors: [], trust: trustInfo() };
  private work: AbortController | undefined;
  private generation = 0;
  private hover: HoverFn | undefined;
  /** The encoding the shown tensors came from (reads source): the models' results name it too. */
  private shownSite: SiteExamples | undefined;
  /** The review form's requests and the hook that makes it follow the shown site. */
  private readonly review: ReviewBinding | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log, private readonly tensors: TensorProvider, private readonly options: InspectorOptions = {}) {
    // Bound once, with or without an open panel: Review tree → site opens the inspector.
    this.review = options.review?.bind({
      kind: 'inspector',
      emitSite: (s) => this.server?.emit('reviewSite', s),
      site: () => this.currentSite,
      models: () => this.currentModels,
      open: async (record) => {
        this.show(true);
        await this.setSite(record);
      },
    });
  }

  /** Open, or being opened in the bottom panel (the view resolves later and shows the current state). */
  get visible(): boolean {
    return this.panel !== undefined || this.opening;
  }

  get currentSite(): SiteRecord | undefined {
    return this.state.site;
  }

  /** The model comparison of the shown site (running, done, disabled, …), if models are compared. */
  get currentModels(): ModelComparison | undefined {
    return this.state.models;
  }

  /**
   * Opens the inspector if needed: beside the active editor, or in the bottom panel when
   * `variantLens.inspector.location` is "panel".
   */
  show(preserveFocus = true): void {
    const want = inspectorLocation();
    if (this.panel && this.panel.kind !== want) this.panel.dispose();
    if (this.panel) {
      this.panel.reveal(preserveFocus);
      return;
    }
    if (want === 'panel') {
      if (this.view) {
        this.attachView(this.view);
        this.view.show(preserveFocus);
      } else {
        // Resolving the view (resolveWebviewView) attaches it; sites set meanwhile are kept for it.
        this.opening = true;
        void vscode.commands.executeCommand(`${INSPECTOR_PANEL_VIEW_ID}.focus`, { preserveFocus });
      }
      return;
    }
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, 'Site Inspector', { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, {
      ...webviewOptions(this.context.extensionUri),
      retainContextWhenHidden: true,
    });
    this.attachPanel(panel);
  }

  /** An editor-area panel (new, or restored by the serializer after a reload). */
  attachPanel(panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.context.extensionUri);
    this.attach({
      webview: panel.webview, kind: 'editor',
      get visible() { return panel.visible; },
      reveal: (preserveFocus) => panel.reveal(undefined, preserveFocus),
      setTitle: (t) => { panel.title = t; },
      dispose: () => panel.dispose(),
    }, (fn) => panel.onDidDispose(fn));
  }

  /** The bottom-panel view, when VS Code resolves it (first shown, or restored). */
  resolveView(view: vscode.WebviewView): void {
    this.view = view;
    view.onDidDispose(() => { if (this.view === view) this.view = undefined; });
    if (inspectorLocation() === 'panel' || !this.panel) this.attachView(view);
  }

  private attachView(view: vscode.WebviewView): void {
    if (this.panel?.webview === view.webview) return;
    this.panel?.dispose();
    view.webview.options = webviewOptions(this.context.extensionUri);
    const surface: Surface = {
      webview: view.webview, kind: 'panel',
      get visible() { return view.visible; },
      reveal: (preserveFocus) => view.show(preserveFocus),
      setTitle: (t) => { view.description = t; },
      // A view cannot be closed from here: detach it (blank until the inspector is shown there again).
      dispose: () => {
        if (this.panel === surface) this.detached();
        view.webview.html = '';
      },
    };
    this.attach(surface, (fn) => view.onDidDispose(fn));
  }

  private detached(): void {
    this.watch?.dispose();
    this.watch = undefined;
    this.server?.dispose();
    this.work?.abort();
    this.panel = undefined;
    this.server = undefined;
  }

  private attach(surface: Surface, onDispose: (fn: () => void) => void): void {
    const ext = this.context.extensionUri;
    const html = (): string => webviewHtml(surface.webview, ext, 'inspector', ['common.css', 'inspector.css', 'inspector-inside.css', 'review.css', 'explain.css'], 'Site Inspector');
    surface.webview.html = html();
    this.watch?.dispose();
    const watch = new PageWatch(() => { surface.webview.html = html(); }, () => surface.visible, (m) => this.log.warn(m), `inspector (${surface.kind === 'panel' ? 'bottom panel' : 'editor area'})`);
    const post = (m: HostToWebview<InspectorProtocol>): void => void surface.webview.postMessage(m);
    const handlers: RequestHandlers<InspectorProtocol> = {
      'inspector.init': () => this.state,
      'inspector.ping': (p) => ({ sentAt: p.sentAt, hostTime: Date.now() }),
      'inspector.hover': (p) => (p.generation === this.generation && this.hover ? this.hover(p.tensor, p.row, p.col) : null),
      'inspector.showModelCards': () => {
        this.options.showModelCards?.();
        return {};
      },
      'inspector.explain': (p, ctx) => this.explain(p.generation, ctx),
      'inspector.layers': (p) => this.siteWork(p.generation, 'layer activations', this.options.layers && ((_, signal) => this.options.layers!(this.state.tensors, p.tensor, signal))),
      'inspector.realign': (p) => this.siteWork(p.generation, 'raw ↔ realigned', this.options.realign),
      ...(this.review?.handlers ?? unavailableReviewHandlers()),
    };
    const server = new RpcServer<InspectorProtocol>(inspectorSchema, handlers, {
      ready: () => {
        watch.ready();
        this.log.info(`inspector webview ready (${surface.kind === 'panel' ? 'bottom panel' : 'editor area'})`);
      },
      listKey: (k) => this.origin?.forwardKey(k.key),
    }, post, (err) => this.log.warn(`rejected a message from the inspector webview: ${err}`));
    surface.webview.onDidReceiveMessage((m: unknown) => void server.handle(m));
    onDispose(() => {
      if (this.panel !== surface) return;
      this.detached();
      if (surface.kind === 'editor') this.options.remember?.(undefined);
    });
    this.panel = surface;
    this.server = server;
    this.watch = watch;
    this.opening = false;
    if (surface.kind === 'editor') this.options.remember?.(this.state.site ? { site: this.state.site } : {});
    if (this.state.site) surface.setTitle(`Site ${this.state.site.chrom}:${this.state.site.pos.toLocaleString('en-US')}`);
  }

  /**
   * Shows a site: the record at once, then its tensors when built, then every model's call.
   * A newer site aborts the work of the previous one (j/k walking), so stale results never show.
   */
  async setSite(site: SiteRecord, origin?: ListOrigin): Promise<void> {
    this.origin = origin;
    this.work?.abort();
    const work = new AbortController();
    this.work = work;
    const generation = ++this.generation;
    this.hover = undefined;
    this.shownSite = undefined;
    const models: ModelComparison | undefined = this.options.compare ? { state: 'running', message: 'waiting for the pileup…', calls: [], explanations: [], notes: [] } : undefined;
    this.state = { site, tensors: [], tensorNote: 'building the pileup…', trust: trustInfo(), generation, ...(models ? { models } : {}), ...(origin ? { origin: origin.kind } : {}) };
    this.server?.emit('state', this.state);
    // The review form follows (only an open panel has one).
    if (this.server) this.review?.shown();
    if (this.panel) this.panel.setTitle(`Site ${site.chrom}:${site.pos.toLocaleString('en-US')}`);
    if (this.panel?.kind === 'editor') this.options.remember?.({ site });
    try {
      const r = await this.tensors(site, work.signal);
      if (work.signal.aborted) return;
      this.hover = r.hover;
      this.shownSite = r.siteExamples;
      this.state = { ...this.state, tensors: r.tensors, tensorNote: r.note, trust: trustInfo() };
    } catch (e) {
      if (work.signal.aborted) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`pileup for ${site.chrom}:${site.pos}: ${message}`);
      this.state = { ...this.state, tensors: [], tensorNote: message, trust: trustInfo() };
    }
    this.server?.emit('state', this.state);
    if (this.options.compare) await this.runModels(site, work, generation);
  }

  private async runModels(site: SiteRecord, work: AbortController, generation: number): Promise<void> {
    const compare = this.options.compare!;
    const update = (m: ModelComparison, tensors?: TensorPayload[]): void => {
      if (work.signal.aborted || generation !== this.generation) return;
      this.state = { ...this.state, models: m, ...(tensors ? { tensors } : {}) };
      this.server?.emit('state', this.state);
    };
    const run = compare(site, work.signal, () => update({ state: 'running', message: 'running the models…', calls: [], explanations: [], notes: [] }));
    this.options.progress?.(`Variant Lens: models at ${site.chrom}:${site.pos.toLocaleString('en-US')}`, run, () => work.abort());
    try {
      const { comparison, results } = await run;
      if (work.signal.aborted) return;
      if (comparison.state === 'error') this.log.error(`models at ${site.chrom}:${site.pos}: ${comparison.message ?? ''}`);
      // Which models saw the images shown; images a model saw that are not shown become extra tabs.
      update(comparison, results.length > 0 ? tensorsWithModels({ tensors: this.state.tensors, siteExamples: this.shownSite }, results) : undefined);
    } catch (e) {
      if (work.signal.aborted) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`models at ${site.chrom}:${site.pos}: ${message}`);
      update({ state: 'error', message, calls: [], explanations: [], notes: [] });
    }
  }

  /**
   * Explains the shown site (the webview asks once the models ran). Cancelled by the webview
   * (rpc cancel) or by the next site; the cross-run goes out as soon as it is known.
   */
  private async explain(generation: number, ctx: HandlerContext): Promise<ExplanationView> {
    const site = this.state.site;
    const run = this.options.explain;
    if (!run) throw new VariantLensError('unsupported', 'The explanation is not available here.');
    if (!site || generation !== this.generation || !this.work) throw new VariantLensError('cancelled', 'Another site is shown now.');
    const signal = AbortSignal.any([ctx.signal, this.work.signal]);
    let sent = false;
    const t0 = Date.now();
    const e = await run(site, signal, (p, names) => {
      ctx.progress(p.done, p.total, p.stage);
      if (p.crossRun && !sent && generation === this.generation) {
        sent = true;
        this.server?.emit('explanation', runningView(generation, names, p));
      }
    });
    if (signal.aborted || generation !== this.generation) throw new VariantLensError('cancelled', 'Another site is shown now.');
    this.log.info(`explained ${site.chrom}:${site.pos} in ${Date.now() - t0} ms: ${e.output.result.verdict.kind}`);
    return explanationView(generation, e, this.state.tensors);
  }

  /** On-demand work for the shown site (null when `generation` is no longer shown); cancelled with the site. */
  private async siteWork<T>(generation: number, what: string, fn: ((site: SiteRecord, signal: AbortSignal) => Promise<T>) | undefined): Promise<T | null> {
    const site = this.state.site;
    const work = this.work;
    if (generation !== this.generation || !site || !work) return null;
    if (!fn) throw new Error(`${what}: not available here`);
    const r = await fn(site, work.signal);
    return generation === this.generation ? r : null;
  }

  refreshTrust(): void {
    this.state = { ...this.state, trust: trustInfo() };
    this.server?.emit('trust', this.state.trust);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
