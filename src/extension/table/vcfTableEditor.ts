/**
 * The VCF table custom editor (`variantLens.vcfTable` for *.vcf.gz by default,
 * `variantLens.vcfTable.plain` for *.vcf through "Open With…" or the editor-title button).
 * Read-only: the document is the file's VcfTableModel; the webview pages through it with the
 * typed protocol (src/protocol), and every incoming message is validated first.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isCancelled } from '../../core/errors';
import { RpcServer, type RequestHandlers } from '../../protocol/rpc';
import type { TableProtocol, HostToWebview } from '../../protocol/protocol';
import { tableSchema } from '../../protocol/validate';
import { VcfTableModel } from './vcfTableModel';
import { tablePageSize, trustInfo } from '../common/settings';
import { errorPageHtml, webviewHtml, webviewOptions } from '../common/webviewHtml';
import type { TableReviewRef } from '../review/reviewController';
import type { ReviewBinder } from '../review/reviewWorkspace';
import type { Log } from '../common/log';
import { ListStateStore } from './listState';

export const TABLE_VIEW_TYPE = 'variantLens.vcfTable';
export const TABLE_VIEW_TYPE_PLAIN = 'variantLens.vcfTable.plain';

export class VcfTableDocument implements vscode.CustomDocument {
  /** Milestones of opening (Date.now() ms): reported to the webview with table.init, printed by the e2e. */
  readonly timings: Record<string, number> = {};
  constructor(readonly uri: vscode.Uri, readonly model: VcfTableModel) {}
  dispose(): void {
    void this.model.close();
  }
}

/**
 * A VCF that could not be opened (malformed header or first records, truncated BGZF, plain
 * gzip, missing file, …). Throwing from openCustomDocument would leave VS Code's generic
 * "The editor could not be opened due to an unexpected error" screen, which hides what went
 * wrong; instead the editor shows our message, which names the file, the line and the fix.
 */
export class FailedTableDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri, readonly message: string) {}
  dispose(): void {}
}

export type TableDocument = VcfTableDocument | FailedTableDocument;

/** What the extension needs to know about an open table (commands act on the active one). */
export interface TableHandle {
  readonly document: VcfTableDocument;
  readonly panel: vscode.WebviewPanel;
  readonly server: RpcServer<TableProtocol>;
  /** Applies a view from a host command, with a progress notification. */
  applyView(sort: TableProtocol['requests']['table.setView']['params']['sort'], filter: TableProtocol['requests']['table.setView']['params']['filter']): Promise<void>;
  reveal(index: number): void;
}

export interface SiteSelection {
  readonly table: TableHandle;
  readonly row: number;
  readonly index: number;
  readonly open: boolean;
}

export class VcfTableEditorProvider implements vscode.CustomReadonlyEditorProvider<TableDocument> {
  private readonly tables = new Set<TableHandle>();
  private active: TableHandle | undefined;
  private readonly selectEmitter = new vscode.EventEmitter<SiteSelection>();
  /** Fires when the user selects a row (open: Enter/double-click asks for the inspector). */
  readonly onDidSelectSite = this.selectEmitter.event;

  /** `review`: the review feature (reviewController.ts), bound by every table panel. */
  private readonly listState: ListStateStore;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log, private readonly review: ReviewBinder<TableReviewRef>) {
    this.listState = new ListStateStore(context.workspaceState);
  }

  get activeTable(): TableHandle | undefined {
    return this.active;
  }

  /** Tells every open table about a trust change. */
  broadcastTrust(): void {
    for (const t of this.tables) t.server.emit('trust', trustInfo());
  }

  async openCustomDocument(uri: vscode.Uri, _ctx: vscode.CustomDocumentOpenContext, token: vscode.CancellationToken): Promise<TableDocument> {
    const signal = abortSignalOf(token);
    const t0 = performance.now();
    const openStart = Date.now();
    let model: VcfTableModel;
    try {
      model = await VcfTableModel.open(uri.fsPath, signal);
    } catch (e) {
      if (isCancelled(e)) throw e;
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`cannot open ${uri.fsPath} as a table: ${message}`);
      void vscode.window.showErrorMessage(`Variant Lens could not open ${path.basename(uri.fsPath)}: ${message}`);
      return new FailedTableDocument(uri, message.includes(uri.fsPath) ? message : `${uri.fsPath}: ${message}`);
    }
    this.log.info(`opened ${uri.fsPath}: ${model.header.samples.length} sample(s) in ${Math.round(performance.now() - t0)} ms`);
    const doc = new VcfTableDocument(uri, model);
    doc.timings['hostOpenStart'] = openStart;
    doc.timings['hostOpened'] = Date.now();
    return doc;
  }

  async resolveCustomEditor(document: TableDocument, panel: vscode.WebviewPanel, _token: vscode.CancellationToken): Promise<void> {
    if (document instanceof FailedTableDocument) {
      panel.webview.options = { enableScripts: false, localResourceRoots: webviewOptions(this.context.extensionUri).localResourceRoots };
      panel.webview.html = errorPageHtml(panel.webview, this.context.extensionUri, path.basename(document.uri.fsPath), document.message);
      return;
    }
    const { model, timings } = document;
    timings['hostResolve'] = Date.now();
    const ext = this.context.extensionUri;
    panel.webview.options = webviewOptions(ext);
    panel.webview.html = webviewHtml(panel.webview, ext, 'table', ['common.css', 'table.css', 'review.css'], path.basename(model.path));

    const post = (m: HostToWebview<TableProtocol>): void => void panel.webview.postMessage(m);
    const closed = new AbortController();
    // Review column, 1–9 keys, undo (reviewController.ts).
    const review = this.review.bind({ kind: 'table', model, panel, emitChanged: (count) => handleRef.current?.server.emit('reviewChanged', { count }), reveal: (index) => handleRef.current?.reveal(index) });
    const handlers: RequestHandlers<TableProtocol> = {
      'table.init': async (_p, ctx) => {
        timings['hostInit'] = Date.now();
        // The first page rides along with init (head records: no index needed), saving a round trip.
        const pageSize = tablePageSize();
        const first = await model.rows(model.viewId, 0, pageSize, ctx.signal);
        startIndexing();
        const columns = this.listState.columns('table');
        const restore = this.listState.view(model.path);
        const reviewFile = review.reviewFile();
        return {
          ...(columns ? { columns } : {}),
          ...(restore ? { restore } : {}),
          ...(reviewFile ? { reviewFile } : {}),
          file: model.path,
          fileName: path.basename(model.path),
          samples: model.header.samples,
          rowCount: model.rowCount,
          viewCount: model.viewCount,
          viewId: model.viewId,
          filterValues: ['PASS', ...[...model.header.filters.keys()].filter((f) => f !== 'PASS')],
          infoKeys: [...model.header.info.keys()],
          trust: trustInfo(),
          pageSize,
          firstRows: first.rows,
          timings: { ...timings, hostInitAnswered: Date.now() },
        };
      },
      'table.rows': (p, ctx) => {
        review.pulled();
        return model.rows(p.viewId, p.from, p.to, ctx.signal);
      },
      'table.setView': async (p, ctx) => {
        const t0 = performance.now();
        const v = await model.setView(p.sort, p.filter, ctx.signal, ctx.progress);
        this.log.info(`${path.basename(model.path)}: view ${JSON.stringify({ sort: p.sort, filter: p.filter })} → ${v.count} rows in ${Math.round(performance.now() - t0)} ms`);
        return v;
      },
      'table.findLocus': async (p, ctx) => ({ index: await model.findLocus(p.text, ctx.signal) }),
      'table.info': async (p, ctx) => ({ entries: await model.info(p.row, ctx.signal) }),
      'table.copyRows': async (p, ctx) => {
        const text = await model.linesOf(p.rows, ctx.signal);
        await vscode.env.clipboard.writeText(text);
        return { text, count: new Set(p.rows).size };
      },
      'table.ping': (p) => ({ sentAt: p.sentAt, hostTime: Date.now() }),
      ...review.handlers,
    };

    const handleRef: { current?: TableHandle } = {};
    const server = new RpcServer<TableProtocol>(tableSchema, handlers, {
      ready: () => {
        timings['hostReady'] = Date.now();
        this.log.info(`table webview ready: ${path.basename(model.path)}`);
      },
      siteSelected: (s) => {
        review.selected({ row: s.row });
        if (handleRef.current) this.selectEmitter.fire({ table: handleRef.current, row: s.row, index: s.index, open: s.open });
      },
      columnsChanged: (c) => void this.listState.setColumns('table', c),
      viewStateChanged: (v) => void this.listState.setView(model.path, v),
    }, post, (err) => this.log.warn(`rejected a message from the table webview of ${model.path}: ${err}`));

    const handle: TableHandle = {
      document, panel, server,
      applyView: async (sort, filter) => {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Variant Lens: ${path.basename(model.path)}`, cancellable: true },
          async (progress, token) => {
            let last = 0;
            const v = await model.setView(sort, filter, abortSignalOf(token), (done, total, label) => {
              const pct = total > 0 ? (100 * done) / total : 0;
              progress.report({ message: label, increment: Math.max(0, pct - last) });
              last = pct;
            });
            server.emit('viewChanged', v);
          },
        );
      },
      reveal: (index) => server.emit('reveal', { index, viewId: model.viewId }),
    };
    handleRef.current = handle;
    this.tables.add(handle);
    this.active = handle;

    panel.webview.onDidReceiveMessage((m: unknown) => void server.handle(m));
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.active = handle;
    });
    panel.onDidDispose(() => {
      closed.abort();
      server.dispose();
      this.tables.delete(handle);
      if (this.active === handle) this.active = undefined;
    });

    // Index in the background, in the table's worker thread; the table shows progress and then
    // the count. Started once the first page went out with table.init (the first screen does
    // not share the 2 cores with index building), or after INDEX_DELAY_MS if the webview is slow.
    const t0 = performance.now();
    let lastEmit = 0;
    let indexing = false;
    const startIndexing = (): void => {
      if (indexing || closed.signal.aborted) return;
      indexing = true;
      clearTimeout(indexTimer);
      timings['hostIndexStart'] = Date.now();
      index();
    };
    const indexTimer = setTimeout(startIndexing, INDEX_DELAY_MS);
    panel.onDidDispose(() => clearTimeout(indexTimer));
    const index = (): void => void model.buildIndex(closed.signal, (records) => {
      const now = performance.now();
      if (now - lastEmit > 100) {
        lastEmit = now;
        server.emit('indexProgress', { rows: records, done: false, rowCount: -1 });
      }
    }).then((ix) => {
      this.log.info(`indexed ${ix.count} records of ${model.path} in ${Math.round(performance.now() - t0)} ms`);
      server.emit('indexProgress', { rows: ix.count, done: true, rowCount: ix.count });
    }, (e: unknown) => {
      if (isCancelled(e)) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`indexing ${model.path} failed: ${message}`);
      server.emit('indexProgress', { rows: 0, done: true, rowCount: -1, error: { code: (e as { code?: string }).code ?? 'internal', message } });
      void vscode.window.showErrorMessage(`Variant Lens: ${message}`);
    });
  }
}

/** Longest wait for the webview's table.init before indexing starts anyway. */
const INDEX_DELAY_MS = 1500;

/** CancellationToken → AbortSignal at the extension boundary . */
export function abortSignalOf(token: vscode.CancellationToken): AbortSignal {
  const c = new AbortController();
  if (token.isCancellationRequested) c.abort();
  else token.onCancellationRequested(() => c.abort());
  return c.signal;
}
