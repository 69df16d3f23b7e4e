/**
 * The review feature (issue #7): the controller (one ReviewStore per table/diff, file watcher,
 * commands, undo), the Review tree and the CodeLenses of plain-text VCFs. Registered before
 * any panel opens; panels bind to the returned controller (ReviewBinder).
 */
import type * as vscode from 'vscode';
import type { Log } from '../common/log';
import { ReviewController } from './reviewController';
import { registerReviewCodeLens } from './reviewCodeLens';
import { registerReviewTree } from './reviewTreeView';

export function registerReview(context: vscode.ExtensionContext, deps: { readonly log: Log }): ReviewController {
  const review = new ReviewController(context, deps.log);
  context.subscriptions.push(review);
  registerReviewTree(context, review);
  registerReviewCodeLens(context, review);
  return review;
}
