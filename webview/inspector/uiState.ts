/**
 * The inspector's view state that outlives a site and a reload: tab (by label, so the same
 * image is shown at the next site), zoom, trimmed rows, grid layout, comparison mode, which
 * sections are open, and the shown site (the host's panel serializer restores it from here).
 * Kept with the webview API's setState (VS Code keeps it across reloads of the window).
 */
import type { SiteRecord } from '../../src/protocol/protocol';
import { vscodeApi } from '../common/hostConnection';

export interface InspectorUiState {
  tab: number;
  /** Label of the shown tab: the next site opens the tab of the same name when it has one. */
  tabKey?: string;
  zoom: number;
  trim: boolean;
  /** 'grid': channels side by side; 'stack': one per line. */
  layout: 'grid' | 'stack';
  /** Examples-vs-encoder comparison: off, blink, or the difference overlay. */
  compare: 'off' | 'blink' | 'diff';
  /** The explanation's attribution overlay on the pileup (explainView.ts). */
  explainOverlay?: 'off' | 'a' | 'b' | 'diff';
  /** <details> sections by name → open. */
  open: Record<string, boolean>;
  /** The shown site (restored after a reload). */
  site?: SiteRecord;
}

const DEFAULTS: InspectorUiState = { tab: 0, zoom: 1, trim: true, layout: 'grid', compare: 'off', open: {} };

function load(): InspectorUiState {
  try {
    const s = vscodeApi().getState() as Partial<InspectorUiState> | undefined;
    if (s && typeof s === 'object') return { ...DEFAULTS, ...s, open: { ...(s.open ?? {}) } };
  } catch {
    // no state API (tests) or a foreign state: defaults
  }
  return { ...DEFAULTS, open: {} };
}

export const ui: InspectorUiState = load();

export function saveUi(): void {
  try {
    vscodeApi().setState(ui);
  } catch {
    // state is a convenience
  }
}
