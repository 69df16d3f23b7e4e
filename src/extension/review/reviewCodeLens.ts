/**
 * Annotations in the plain-text VCF editor (*.vcf opened as text): a CodeLens above each
 * annotated record ("✓ default-correct — alice: note…", or "⚠ 2 versions — …" for a
 * conflict; clicking it annotates the record again) and a gutter mark on its line. The
 * record's review file is the workspace review file (ReviewController.reviewFileFor); it is opened when the document is, and
 * the lenses follow its changes (this window, the watcher, git).
 * Lines are matched by CHROM, POS (1-based), REF, ALT — the review file's key.
 */
import * as vscode from 'vscode';
import { REVIEW_COMMANDS, type ReviewController } from './reviewController';
import { reviewLenses, type ReviewLens } from './reviewWorkspace';
import type { ReviewCell, ReviewSiteRef } from '../../protocol/protocol';

const VCF_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.vcf' }];

/** Annotated lines of a VCF text document (one pass over its lines; reviewWorkspace.ts reviewLenses). */
function annotatedLines(doc: vscode.TextDocument, cellAt: (s: ReviewSiteRef) => ReviewCell | undefined): ReviewLens[] {
  return reviewLenses(doc.lineCount, (i) => doc.lineAt(i).text, cellAt);
}

export function registerReviewCodeLens(context: vscode.ExtensionContext, controller: ReviewController): void {
  const changed = new vscode.EventEmitter<void>();
  const mark = vscode.window.createTextEditorDecorationType({
    gutterIconPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'media', 'review-mark.svg'),
    gutterIconSize: 'contain',
    overviewRulerColor: new vscode.ThemeColor('charts.green'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  const conflictMark = vscode.window.createTextEditorDecorationType({
    gutterIconPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'media', 'review-conflict.svg'),
    gutterIconSize: 'contain',
    overviewRulerColor: new vscode.ThemeColor('charts.orange'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  const isVcf = (doc: vscode.TextDocument): boolean => doc.uri.scheme === 'file' && /\.vcf$/i.test(doc.uri.fsPath);
  const fileOf = (doc: vscode.TextDocument): string => controller.reviewFileFor(doc.uri.fsPath);
  const cellAt = (file: string) => (s: { contig: string; pos: number; ref: string; alt: string }) => controller.workspace.cell(file, s);

  const decorate = (editor: vscode.TextEditor): void => {
    if (!isVcf(editor.document)) return;
    const file = fileOf(editor.document);
    if (!controller.workspace.storeIfOpen(file)) return;
    const lines = annotatedLines(editor.document, cellAt(file));
    const range = (l: number): vscode.Range => new vscode.Range(l, 0, l, 0);
    editor.setDecorations(mark, lines.filter((x) => !x.cell.conflict).map((x) => range(x.line)));
    editor.setDecorations(conflictMark, lines.filter((x) => x.cell.conflict).map((x) => range(x.line)));
  };
  const decorateAll = (): void => { for (const e of vscode.window.visibleTextEditors) decorate(e); };

  // Open the review store of every VCF text document (cheap: a missing file is an empty store).
  const ensureOpen = (doc: vscode.TextDocument): void => {
    if (!isVcf(doc)) return;
    const file = fileOf(doc);
    if (controller.workspace.storeIfOpen(file)) return;
    controller.workspace.open(file).then(() => {
      changed.fire();
      decorateAll();
    }, (e: unknown) => void vscode.window.showErrorMessage(`Variant Lens: ${e instanceof Error ? e.message : String(e)}`));
  };

  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(doc) {
      ensureOpen(doc);
      const file = fileOf(doc);
      if (!controller.workspace.storeIfOpen(file)) return [];
      return annotatedLines(doc, cellAt(file)).map(({ line, title, tooltip }) => new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title,
        tooltip,
        command: REVIEW_COMMANDS.annotateLine,
        arguments: [doc.uri, line],
      }));
    },
  };

  context.subscriptions.push(
    changed, mark, conflictMark,
    vscode.languages.registerCodeLensProvider(VCF_SELECTOR, provider),
    controller.onDidChangeFile(() => {
      changed.fire();
      decorateAll();
    }),
    vscode.window.onDidChangeVisibleTextEditors(decorateAll),
    vscode.workspace.onDidOpenTextDocument(ensureOpen),
    vscode.workspace.onDidChangeTextDocument((e) => {
      for (const ed of vscode.window.visibleTextEditors) if (ed.document === e.document) decorate(ed);
    }),
  );
  for (const d of vscode.workspace.textDocuments) ensureOpen(d);
}
