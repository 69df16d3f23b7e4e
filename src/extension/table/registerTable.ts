/**
 * The VCF table feature: the custom editors (*.vcf.gz by default, *.vcf through "Open With…")
 * and the table commands (Open VCF as Table, Go to Locus, Filter, Clear Filter).
 */
import * as vscode from 'vscode';
import { formatFilterText, parseFilterText } from '../../protocol/filterText';
import { registerCommand } from '../common/commands';
import type { Log } from '../common/log';
import type { TableReviewRef } from '../review/reviewController';
import type { ReviewBinder } from '../review/reviewWorkspace';
import { TABLE_VIEW_TYPE, TABLE_VIEW_TYPE_PLAIN, VcfTableEditorProvider, type TableHandle } from './vcfTableEditor';

export interface TableDeps {
  readonly log: Log;
  readonly review: ReviewBinder<TableReviewRef>;
}

function viewTypeFor(uri: vscode.Uri): string {
  return /\.vcf$/i.test(uri.path) ? TABLE_VIEW_TYPE_PLAIN : TABLE_VIEW_TYPE;
}

export function registerTable(context: vscode.ExtensionContext, deps: TableDeps): VcfTableEditorProvider {
  const tables = new VcfTableEditorProvider(context, deps.log, deps.review);
  const editorOptions = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false };
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(TABLE_VIEW_TYPE, tables, editorOptions),
    vscode.window.registerCustomEditorProvider(TABLE_VIEW_TYPE_PLAIN, tables, editorOptions),
    vscode.workspace.onDidGrantWorkspaceTrust(() => tables.broadcastTrust()),
  );

  const activeTable = (): TableHandle | undefined => {
    const t = tables.activeTable;
    if (!t) void vscode.window.showInformationMessage('Variant Lens: open a VCF table first (Variant Lens: Open VCF as Table).');
    return t;
  };
  const register = (id: string, fn: (...args: unknown[]) => unknown): void => registerCommand(context, deps.log, id, fn);

  register('variantLens.openTable', async (arg) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { VCF: ['vcf', 'gz'] }, title: 'Open a VCF as a table' });
      if (!picked?.[0]) return;
      return vscode.commands.executeCommand('vscode.openWith', picked[0], viewTypeFor(picked[0]));
    }
    return vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri));
  });

  register('variantLens.goToLocus', async (arg) => {
    const t = activeTable();
    if (!t) return;
    const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({ title: 'Go to locus', prompt: 'e.g. chr20:10,000,123', ignoreFocusOut: true });
    if (!text) return;
    const index = await t.document.model.findLocus(text);
    t.reveal(index);
    return index;
  });

  register('variantLens.filterTable', async (arg) => {
    const t = activeTable();
    if (!t) return;
    const current = formatFilterText(t.document.model.viewInfo().filter);
    const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({
      title: 'Filter the VCF table',
      prompt: 'Terms (AND): FILTER=PASS  QUAL>=20  GT=0/1,1/1  SNP  INDEL  chr20:10,000,000-10,010,000  free text',
      value: current,
      ignoreFocusOut: true,
      validateInput: (v) => {
        const p = parseFilterText(v);
        return p.ok ? undefined : p.error;
      },
    });
    if (text === undefined) return;
    const p = parseFilterText(text);
    if (!p.ok) throw new Error(p.error);
    await t.applyView(t.document.model.viewInfo().sort, p.filter);
    return t.document.model.viewCount;
  });

  register('variantLens.clearFilter', async () => {
    const t = activeTable();
    if (t) await t.applyView(undefined, undefined);
  });

  return tables;
}
