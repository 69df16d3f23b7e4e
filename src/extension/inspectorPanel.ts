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
import { RpcServer, type RequestHandlers } from '../protocol/rpc';
import type { HostToWebview, InspectorProtocol, InspectorState, SiteRecord, TensorPayload } from '../protocol/protocol';
import { inspectorSchema } from '../protocol/validate';
import { trustInfo } from './settings';
import { reviewRequestHandlers } from './reviewController';
import { webviewHtml, webviewOptions } from './webviewHtml';
import type { Log } from './log';

export const INSPECTOR_VIEW_TYPE = 'variantLens.inspector';

export interface TensorResult {
  readonly tensors: readonly TensorPayload[];
  /** Why there are no tensors, or a caveat about them. */
  readonly note?: string;
}

export type TensorProvider = (site: SiteRecord, signal: AbortSignal) => Promise<TensorResult>;

export class InspectorPanel {
  private panel: vscode.WebviewPanel | undefined;
  private server: RpcServer<InspectorProtocol> | undefined;
  private state: InspectorState = { tensors: [], trust: trustInfo() };
  private work: AbortController | undefined;
  /** Called when the shown site changes (the review form follows it; reviewController.ts). */
  onDidSetSite: (() => void) | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log, private readonly tensors: TensorProvider) {}

  get visible(): boolean {
    return this.panel !== undefined;
  }

  get currentSite(): SiteRecord | undefined {
    return this.state.site;
  }

  /** Opens the panel (beside the active editor) if needed. */
  show(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const ext = this.context.extensionUri;
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, 'Site Inspector', { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, {
      ...webviewOptions(ext),
      retainContextWhenHidden: true,
    });
    panel.webview.html = webviewHtml(panel.webview, ext, 'inspector', ['common.css', 'inspector.css', 'review.css'], 'Site Inspector');
    const post = (m: HostToWebview<InspectorProtocol>): void => void panel.webview.postMessage(m);
    const handlers: RequestHandlers<InspectorProtocol> = {
      'inspector.init': () => this.state,
      'inspector.ping': (p) => ({ sentAt: p.sentAt, hostTime: Date.now() }),
      ...reviewRequestHandlers({ kind: 'inspector', emitSite: (s) => this.server?.emit('reviewSite', s) }),
    };
    const server = new RpcServer<InspectorProtocol>(inspectorSchema, handlers, {
      ready: () => this.log.info('inspector webview ready'),
    }, post, (err) => this.log.warn(`rejected a message from the inspector webview: ${err}`));
    panel.webview.onDidReceiveMessage((m: unknown) => void server.handle(m));
    panel.onDidDispose(() => {
      server.dispose();
      this.work?.abort();
      this.panel = undefined;
      this.server = undefined;
    });
    this.panel = panel;
    this.server = server;
  }

  /** Shows a site: the record at once, then its tensors when built. */
  async setSite(site: SiteRecord): Promise<void> {
    this.work?.abort();
    const work = new AbortController();
    this.work = work;
    this.state = { site, tensors: [], tensorNote: 'building the pileup…', trust: trustInfo() };
    this.server?.emit('state', this.state);
    this.onDidSetSite?.();
    if (this.panel) this.panel.title = `Site ${site.chrom}:${site.pos.toLocaleString('en-US')}`;
    try {
      const r = await this.tensors(site, work.signal);
      if (work.signal.aborted) return;
      this.state = { site, tensors: r.tensors, ...(r.note ? { tensorNote: r.note } : {}), trust: trustInfo() };
    } catch (e) {
      if (work.signal.aborted) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`pileup for ${site.chrom}:${site.pos}: ${message}`);
      this.state = { site, tensors: [], tensorNote: message, trust: trustInfo() };
    }
    this.server?.emit('state', this.state);
  }

  refreshTrust(): void {
    this.state = { ...this.state, trust: trustInfo() };
    this.server?.emit('trust', this.state.trust);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
