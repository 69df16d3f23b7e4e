/**
 * What brings a diff back: the page's saved state after a window reload (the panel serializer
 * in diffPanel.ts hands it here) and the last comparison kept in the workspace state for
 * "Variant Lens: Reopen Last Comparison". Both come from outside the host's code (a webview, a
 * store that outlives versions), so they are checked (validate.ts) before anything runs.
 */
import type { DiffComparison, DiffPageState } from '../../protocol/protocol';
import { diffComparison, diffPageState } from '../../protocol/validate';

/** workspaceState key of the last comparison run in this workspace. */
export const LAST_COMPARISON_KEY = 'variantLens.lastComparison';

/** The page's saved state, if it is one (else undefined: the serializer closes the panel). */
export function restoredDiff(state: unknown): DiffPageState | undefined {
  return state !== undefined && diffPageState(state, 'state') === undefined ? (state as DiffPageState) : undefined;
}

/** The stored last comparison, if it still validates. */
export function lastComparison(stored: unknown): DiffComparison | undefined {
  return stored !== undefined && diffComparison(stored, 'lastComparison') === undefined ? (stored as DiffComparison) : undefined;
}

/** The files a comparison needs (A, B and the truth VCF when it has one). */
export function comparisonFiles(c: DiffComparison): string[] {
  return [c.fileA, c.fileB, ...(c.truthFile ? [c.truthFile] : [])];
}
