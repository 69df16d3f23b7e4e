/**
 * What the inspector page saved (webview/inspector/uiState.ts) read back after a window
 * reload: the shown site, if the saved state still looks like a SiteRecord. The state comes
 * from the webview, so it is checked like any other message before the host uses it.
 */
import type { SiteRecord } from '../../protocol/protocol';

export function restoredSite(state: unknown): SiteRecord | undefined {
  const site = (state as { site?: unknown } | undefined)?.site as Partial<SiteRecord> | undefined;
  if (!site || typeof site !== 'object') return undefined;
  if (typeof site.file !== 'string' || typeof site.chrom !== 'string' || typeof site.pos !== 'number' || !Number.isInteger(site.pos) || site.pos < 1) return undefined;
  if (typeof site.ref !== 'string' || typeof site.alt !== 'string' || typeof site.row !== 'number') return undefined;
  if (!Array.isArray(site.samples) || !Array.isArray(site.info) || typeof site.line !== 'string') return undefined;
  return site as SiteRecord;
}

/**
 * The host's record of the editor-area inspector (panelRecord.ts): open, and the site it shows.
 * Null in the file when it is closed.
 */
export interface OpenInspector {
  readonly site?: SiteRecord;
}

export function openInspector(stored: unknown): OpenInspector | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const site = restoredSite(stored);
  return site ? { site } : {};
}
