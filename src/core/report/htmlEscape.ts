/**
 * Escaping of text that comes from input files, for HTML element content and quoted attribute
 * values. Its own module (no node imports) so that the webviews can draw the same SVG plots
 * as the HTML pages (featurePlots.ts).
 */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(t: string): string {
  return t.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
