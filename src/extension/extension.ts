/**
 * Activation, the composition root: makes the output channel, then each feature in one
 * direction — review (bound by every panel), tables, the site inspector, the diff — and wires
 * the one arrow between them that is not a constructor argument (a selected table row goes to
 * the inspector). Each feature registers its own commands, editors and views
 * (`register…(context, deps)` in its folder). Everything heavy (indexing, sorting, models)
 * starts lazily on demand, never at activation.
 */
import * as vscode from 'vscode';
import { shutdownInference } from '../core/model/inferenceHost';
import { registerDiffCommand } from './diff/diffPanel';
import { registerInspector } from './inspector/registerInspector';
import { createLog, type Log } from './common/log';
import { registerReview } from './review/registerReview';
import { registerCommand } from './common/commands';
import { registerTable } from './table/registerTable';
import { registerQueue } from './queue/reviewQueuePanel';
import { registerAgentTools } from './agent/registerAgentTools';
import { setWarningSink } from '../core/warnings';

let log: Log | undefined;

export function activate(context: vscode.ExtensionContext): { readonly version: string } {
  const l = log = createLog(context);
  const version = context.extension.packageJSON.version as string;
  // Reader warnings (an index older than its data file): the log and a notification.
  const oldSink = setWarningSink((m) => {
    l.warn(m);
    void vscode.window.showWarningMessage(`Variant Lens: ${m}`);
  });
  context.subscriptions.push({ dispose: () => { setWarningSink(oldSink); } });
  l.info(`Variant Lens ${version} activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'})`);

  // Review (issue #7): stores per VCF/diff, the Review tree, CodeLenses; before any panel opens.
  const review = registerReview(context, { log: l });
  const tables = registerTable(context, { log: l, review });
  const inspector = registerInspector(context, { log: l, review, activeVcf: () => tables.activeTable?.document.model.path });
  // Compare Two VCFs (diffPanel.ts); it sends selected sites to the inspector.
  const diffs = registerDiffCommand(context, { log: l, inspector: inspector.panel, review });
  // Review Queue (issue #20): tiles over the focused diff's or table's view.
  registerQueue(context, { log: l, review, inspector, diffs: () => diffs.panels, activeTable: () => tables.activeTable });

  context.subscriptions.push(tables.onDidSelectSite((s) => inspector.select(() => s.table.document.model.site(s.row), s.open, `selecting row ${s.row}`, {
    kind: 'table',
    // j/k/n/1–9 pressed in the inspector act on this table (webview/table/main.ts forwardedKey).
    forwardKey: (key) => s.table.server.emit('forwardedKey', { key }),
  })));
  // The agent surface (issue #20): language-model tools over src/agent, for chat agents.
  registerAgentTools(context, { log: l });
  registerCommand(context, l, 'variantLens.showLog', () => l.show());

  // Panels the previous window had open and VS Code did not bring back (a browser refresh can
  // lose its record of them; common/panelRecord.ts): the diffs, then the inspector beside them.
  // The serializers above revive the panels VS Code did keep.
  diffs.reopenLost();
  inspector.reopenLost();

  return { version };
}

export async function deactivate(): Promise<void> {
  log?.info('Variant Lens deactivated');
  // The inference worker thread holds onnxruntime sessions; stop it with the extension host.
  await shutdownInference();
}
