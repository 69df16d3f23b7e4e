/**
 * The "Review" tree view (activity bar → Variant Lens → Review): the annotations of the
 * active review file grouped by verdict with counts, a "Conflicts" group, and the progress
 * "reviewed / total" (total = the open diff's differing sites, or the VCF's record count).
 * Clicking a site reveals it in its table/diff and opens the inspector; conflicted sites
 * carry a "Resolve…" action. Data: ReviewController.treeSource + ReviewWorkspace.tree.
 */
import { reviewTooltipMarkdown } from './reviewTooltip';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReviewEntry } from '../../core/review/reviewStore';
import { REVIEW_COMMANDS, type ReviewController } from './reviewController';
import { cellOf, cellSummary, revealArguments, siteLabel, type ReviewGroup } from './reviewWorkspace';
import { badgeOf, progressText, statusText, statusTooltip } from './reviewProgress';

export const REVIEW_VIEW_ID = 'variantLens.review';

type Node =
  | { readonly kind: 'group'; readonly file: string; readonly group: ReviewGroup; readonly conflicts: boolean }
  | { readonly kind: 'site'; readonly file: string; readonly entry: ReviewEntry }
  | { readonly kind: 'empty'; readonly text: string };

export class ReviewTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly controller: ReviewController) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === 'group') return node.group.entries.map((entry) => ({ kind: 'site', file: node.file, entry }));
    if (node) return [];
    const src = this.controller.treeSource();
    if (!src) return [{ kind: 'empty', text: 'Open a VCF table or a diff to review its sites.' }];
    const t = this.controller.workspace.tree(src.file, src.total);
    if (!t) return [{ kind: 'empty', text: `Opening ${path.basename(src.file)}…` }];
    const out: Node[] = t.groups.map((group) => ({ kind: 'group', file: src.file, group, conflicts: false }));
    if (t.conflicts.length > 0) out.push({ kind: 'group', file: src.file, group: { id: '', title: 'Conflicts', entries: t.conflicts }, conflicts: true });
    if (out.length === 0) out.push({ kind: 'empty', text: 'No annotations yet: select a site and press 1–9, or run "Variant Lens: Annotate Site…".' });
    return out;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'empty') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.contextValue = 'reviewEmpty';
      return item;
    }
    if (node.kind === 'group') {
      const g = node.group;
      const item = new vscode.TreeItem(`${g.title} (${g.entries.length})`, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.file}\u0000group\u0000${node.conflicts ? '!conflicts' : g.id}`;
      item.description = node.conflicts ? 'two or more versions — resolve' : g.shortcut ? `key ${g.shortcut}` : g.id === g.title ? '' : g.id;
      item.iconPath = new vscode.ThemeIcon(node.conflicts ? 'warning' : 'pass');
      item.contextValue = node.conflicts ? 'reviewConflicts' : 'reviewGroup';
      return item;
    }
    const e = node.entry;
    const vocab = this.controller.vocabulary();
    const cell = cellOf(e, vocab);
    const item = new vscode.TreeItem(siteLabel(e.site), vscode.TreeItemCollapsibleState.None);
    item.id = `${node.file}\u0000site\u0000${e.key}`;
    item.description = cellSummary(cell, 80);
    // Every user-written value escaped (reviewTooltip.ts): a tag or note adds no Markdown.
    item.tooltip = new vscode.MarkdownString(reviewTooltipMarkdown(e.versions));
    item.iconPath = new vscode.ThemeIcon(e.conflict ? 'warning' : 'circle-small-filled');
    item.contextValue = e.conflict ? 'reviewSiteConflict' : 'reviewSite';
    item.command = { command: REVIEW_COMMANDS.reveal, title: 'Show the site', arguments: revealArguments(node.file, e) };
    return item;
  }
}

/** Registers the tree view, its badge and the status bar item of the progress "reviewed / total". */
export function registerReviewTree(context: vscode.ExtensionContext, controller: ReviewController): ReviewTreeProvider {
  const provider = new ReviewTreeProvider(controller);
  const view = vscode.window.createTreeView(REVIEW_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  // The view's own header (description) is hidden while it is the only view of its container,
  // so progress also goes to a badge (activity bar) and a status bar item (reviewProgress.ts).
  const status = vscode.window.createStatusBarItem('variantLens.reviewProgress', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Variant Lens Review Progress';
  status.command = `${REVIEW_VIEW_ID}.focus`;
  const update = (): void => {
    provider.refresh();
    const src = controller.treeSource();
    const p = controller.progress();
    view.description = p ? progressText(p) : '';
    view.message = src ? `${path.basename(src.file)}${p && p.conflicts ? ` — ${p.conflicts} conflict${p.conflicts === 1 ? '' : 's'}` : ''}` : undefined;
    view.badge = badgeOf(p);
    if (p) {
      status.text = statusText(p);
      status.tooltip = statusTooltip(p);
      status.show();
    } else {
      status.hide();
    }
  };
  context.subscriptions.push(view, status, controller.onDidChangeTree(update));
  // Resolve… from the tree's inline action: the node of a conflicted site.
  context.subscriptions.push(vscode.commands.registerCommand('variantLens.review.resolveNode', (node: Node | undefined) => {
    if (node?.kind !== 'site') return undefined;
    const s = node.entry.site;
    return vscode.commands.executeCommand(REVIEW_COMMANDS.resolve, { reviewFile: node.file, site: { contig: s.contig, pos: s.pos, ref: s.ref, alt: s.alt } });
  }));
  update();
  return provider;
}
