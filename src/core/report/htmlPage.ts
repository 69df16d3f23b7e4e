/**
 * What the two self-contained HTML reports share (`variant-lens diff`'s PREFIX.html,
 * src/core/report/diffReport.ts, and `variant-lens report`, demoReport.ts): escaping of text
 * that comes from input files, and the strict CSP that lets such a page open from file://
 * with nothing to load and nothing to send.
 */
import { createHash } from 'node:crypto';

export { escapeHtml } from './htmlEscape';

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Content-Security-Policy of a self-contained page: `default-src 'none'`, images only as
 * data: URIs, and the page's one inline `<style>` (and optional `<script>`) block allowed by
 * its SHA-256 hash, so no other style or script — e.g. one smuggled in through a sample
 * name — can run. `style` and `script` must be exactly the text between the tags. Hashes
 * rather than nonces keep the output a pure function of the input (same inputs, same bytes).
 */
export function selfContainedCsp(inline: { readonly style: string; readonly script?: string }): string {
  return [
    "default-src 'none'",
    `style-src ${sha256(inline.style)}`,
    ...(inline.script !== undefined ? [`script-src ${sha256(inline.script)}`] : []),
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
