/**
 * "Variant Lens: Review Queue" (issue #20): a webview grid of pileup tiles over the sites of
 * the active diff's view (class / filter / scope / sort) or the active table's view (filter /
 * sort), one key per verdict. The queue's logic lives in queueModel.ts (sites, batches,
 * cancel, LRU cache), the sites in queueSources.ts, the tiles in queueTiles.ts (the
 * inspector's image path); this file is the VS Code glue: the panel, the command, the
 * validated protocol (src/protocol/queueProtocol.ts), verdicts through the review
 * controller's workspace (the one review file: table, diff, tree and inspector update), and
 * Enter → the inspector.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VariantLensError } from '../../core/errors';
import { RpcServer } from '../../protocol/rpc';
import type { HostToWebview } from '../../protocol/protocol';
import { queueSchema, type QueueProtocol } from '../../protocol/queueProtocol';
import { registerCommand } from '../common/commands';
import type { Log } from '../common/log';
import { webviewHtml, webviewOptions } from '../common/webviewHtml';
import type { DiffPanel } from '../diff/diffPanel';
import type { InspectorFeature } from '../inspector/registerInspector';
import type { ReviewController } from '../review/reviewController';
import type { TableHandle } from '../table/vcfTableEditor';
import { ReviewQueueModel } from './queueModel';
import { diffQueue, tableQueue } from './queueSources';
import { tileMaker } from './queueTiles';

export const QUEUE_VIEW_TYPE = 'variantLens.reviewQueue';
export const QUEUE_COMMAND = 'variantLens.reviewQueue';

export interface QueueDeps {
  readonly log: Log;
  readonly review: ReviewController;
  readonly inspector: InspectorFeature;
  /** The open diff panels and the active table (the queue takes the focused one's view). */
  readonly diffs: () => Iterable<DiffPanel>;
  readonly activeTable: () => TableHandle | undefined;
}

class ReviewQueuePanel {
  private readonly server: RpcServer<QueueProtocol>;
  private readonly opened: Promise<unknown>;

  constructor(readonly panel: vscode.WebviewPanel, readonly model: ReviewQueueModel, private readonly reviewFile: string, private readonly deps: QueueDeps) {
    const log = deps.log;
    const ws = deps.review.workspace;
    this.opened = ws.open(reviewFile).catch((e: unknown) => log.error(`review queue: ${errorText(e)}`));
    const post = (m: HostToWebview<QueueProtocol>): void => void panel.webview.postMessage(m);
    this.server = new RpcServer<QueueProtocol>(queueSchema, {
      'queue.init': async () => {
        await this.opened;
        return model.init(ws.vocabularyPayload(), path.basename(reviewFile));
      },
      'queue.sites': (p) => ({ sites: model.sites(p.from, p.to) }),
      'queue.tiles': async (p, ctx) => {
        const t0 = performance.now();
        const r = await model.tiles(p.from, p.to, ctx.signal, (tiles) => this.server.emit('tiles', { tiles }), (done, total) => ctx.progress(done, total, 'tiles'));
        if (r.made > 0) log.info(`review queue: ${r.made} tile(s) made, ${r.cached} cached, sites ${p.from}–${p.to} in ${Math.round(performance.now() - t0)} ms`);
        return r;
      },
      'queue.verdict': async (p) => {
        const e = model.entry(p.index);
        if (!e) throw new VariantLensError('invalid-argument', `the queue has no site ${p.index} (it holds ${model.count})`);
        try {
          await ws.annotate(reviewFile, e, { shortcut: p.shortcut, models: e.snapshot });
        } catch (err) {
          log.error(`review queue: ${errorText(err)}`);
          void vscode.window.showErrorMessage(`Variant Lens: ${errorText(err)}`);
          throw err;
        }
        const cell = ws.cell(reviewFile, e);
        return { ...(cell ? { cell } : {}), reviewed: model.reviewed() };
      },
      'queue.undo': async () => ({ undone: await deps.review.undo() }),
    }, {
      ready: () => log.info(`review queue ready: ${model.info.title}, ${model.count} site(s)`),
      open: (p) => void this.openSite(p.index),
    }, post, (err) => log.warn(`rejected a message from the review queue: ${err}`));
    panel.webview.onDidReceiveMessage((m: unknown) => void this.server.handle(m));
    // Start on the first tiles while the page loads (its request then finds them made or in flight).
    const warm = new AbortController();
    void model.tiles(0, 8, warm.signal, () => undefined).catch(() => undefined);
    const off = ws.onDidChange((file) => {
      if (file === reviewFile) this.server.emit('reviewChanged', { reviewed: model.reviewed() });
    });
    panel.onDidDispose(() => {
      warm.abort();
      off();
      this.server.dispose();
    });
  }

  /** Enter on a tile: the inspector shows the site; its list keys come back to the queue. */
  private async openSite(index: number): Promise<void> {
    const e = this.model.entry(index);
    if (!e) return;
    try {
      const record = await e.record();
      this.deps.inspector.panel.show(true);
      await this.deps.inspector.panel.setSite(record, { kind: this.model.info.kind, forwardKey: (key) => this.server.emit('forwardedKey', { key }) });
    } catch (err) {
      this.deps.log.error(`review queue: ${e.contig}:${e.pos}: ${errorText(err)}`);
      void vscode.window.showErrorMessage(`Variant Lens: ${errorText(err)}`);
    }
  }

  clearTiles(): void {
    this.model.clearTiles();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The list the queue is made from: the focused diff or table, else the last active table, else any diff. */
function sourceList(deps: QueueDeps, arg: unknown): { diff: DiffPanel } | { table: TableHandle } | undefined {
  const diffs = [...deps.diffs()];
  const table = deps.activeTable();
  const fromUri = arg instanceof vscode.Uri && table && table.document.model.path === arg.fsPath ? table : undefined;
  if (fromUri) return { table: fromUri };
  const activeDiff = diffs.find((d) => d.panel.active);
  if (activeDiff) return { diff: activeDiff };
  if (table?.panel.active) return { table };
  if (table) return { table };
  const last = diffs.at(-1);
  return last ? { diff: last } : undefined;
}

export function registerQueue(context: vscode.ExtensionContext, deps: QueueDeps): void {
  const panels = new Set<ReviewQueuePanel>();
  context.subscriptions.push({ dispose: () => { for (const p of panels) p.panel.dispose(); } });
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('variantLens')) for (const p of panels) p.clearTiles();
  }));
  const ext = context.extensionUri;
  registerCommand(context, deps.log, QUEUE_COMMAND, async (arg?: unknown) => {
    const src = sourceList(deps, arg);
    if (!src) {
      void vscode.window.showInformationMessage('Variant Lens: open a diff (Compare Two VCFs) or a VCF table first; the queue takes its current view.');
      return undefined;
    }
    let built;
    let dataFile: string;
    if ('diff' in src) {
      if (src.diff.model.state !== 'done') {
        void vscode.window.showInformationMessage('Variant Lens: the diff is still running; open the queue when it is done.');
        return undefined;
      }
      built = diffQueue(src.diff.model);
      dataFile = src.diff.model.options.fileA;
    } else {
      const model = src.table.document.model;
      built = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Variant Lens: reading the sites of ${path.basename(model.path)}`, cancellable: true },
        (_p, token) => {
          const c = new AbortController();
          token.onCancellationRequested(() => c.abort());
          return tableQueue(model, c.signal);
        });
      dataFile = model.path;
    }
    if (built.entries.length === 0) {
      void vscode.window.showInformationMessage(`Variant Lens: the current view of ${built.info.title} has no sites.`);
      return undefined;
    }
    const reviewFile = deps.review.reviewFileFor(dataFile);
    const tiles = deps.inspector.tiles;
    const model = new ReviewQueueModel(built.info, built.entries, tileMaker({ sources: tiles.sources, config: tiles.config, models: tiles.models }), {
      reviewCell: (s) => deps.review.workspace.cell(reviewFile, s),
    });
    const title = `Review Queue: ${built.info.title}`;
    const panel = vscode.window.createWebviewPanel(QUEUE_VIEW_TYPE, title, vscode.ViewColumn.Active, { ...webviewOptions(ext), retainContextWhenHidden: true });
    panel.webview.html = webviewHtml(panel.webview, ext, 'queue', ['common.css', 'review.css', 'queue.css'], title);
    const p = new ReviewQueuePanel(panel, model, reviewFile, deps);
    panels.add(p);
    panel.onDidDispose(() => panels.delete(p));
    deps.log.info(`review queue opened: ${built.info.title}, ${model.count} of ${built.info.viewCount} site(s) of the view`);
    return undefined;
  });
}
