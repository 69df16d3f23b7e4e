/**
 * The Markdown of a Review-tree site's tooltip. Every user-written value (verdict, reviewer,
 * time, tags, note) is escaped, so a note or a tag cannot add links, images, headings or
 * emphasis to the tooltip. No vscode import: unit-tested directly.
 */
export interface TooltipVersion {
  readonly verdict: string;
  readonly reviewer: string;
  readonly time: string;
  readonly tags: readonly string[];
  readonly note: string;
}

/** Escapes CommonMark punctuation (and HTML's `<`, `&`) so the text shows as written. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~&:"'$=^]/g, '\\$&').replace(/\r?\n/g, '  \n');
}

export function reviewTooltipMarkdown(versions: readonly TooltipVersion[]): string {
  return versions.map((v) =>
    `**${escapeMarkdown(v.verdict)}** — ${escapeMarkdown(v.reviewer)}, ${escapeMarkdown(v.time)}` +
    (v.tags.length ? `  \ntags: ${v.tags.map(escapeMarkdown).join(', ')}` : '') +
    (v.note ? `  \n${escapeMarkdown(v.note)}` : '')).join('\n\n---\n\n');
}
