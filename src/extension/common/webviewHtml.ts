/**
 * The HTML shell of every Variant Lens webview, with a strict Content-Security-Policy:
 * `default-src 'none'`; scripts only by nonce; styles, images and
 * fonts only from `webview.cspSource`; no inline handlers, no 'unsafe-inline'. The page
 * renders untrusted file content (VCF text, read names), so even a markup injection bug
 * cannot run script. Resources load only from the extension's dist/ and media/ folders
 * (`localResourceRoots`).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function cspOf(webview: vscode.Webview, n: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
}

/**
 * @param script bundle name in dist/webview (e.g. 'table')
 * @param css file names in media/ (copied to dist/media by the build)
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, css: readonly string[], title: string): string {
  const n = nonce();
  const scriptUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${script}.js`));
  const links = css
    .map((c) => `<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', c)).toString()}">`)
    .join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${cspOf(webview, n)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${links}
    <title>${escapeHtml(title)}</title>
  </head>
  <body>
    <div id="app" role="application" aria-label="${escapeHtml(title)}"></div>
    <script nonce="${n}" src="${scriptUri.toString()}"></script>
  </body>
</html>`;
}

/** A static page (no script at all) saying why a file could not be shown. */
export function errorPageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, message: string): string {
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', 'common.css')).toString();
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}">
    <link rel="stylesheet" href="${css}">
    <title>${escapeHtml(title)}</title>
  </head>
  <body>
    <div class="open-error" role="alert">
      <h2>Variant Lens could not open ${escapeHtml(title)}</h2>
      <p class="error-message">${escapeHtml(message)}</p>
      <p>Fix the file (or its index) and reopen it; the file is read-only here and was not changed.</p>
    </div>
  </body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The editor tabs of this extension's webview panels of `viewType` (VS Code prefixes the view
 * type of an extension's panel), restored ones included before their serializer ran.
 */
export function webviewTabs(viewType: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && (t.input.viewType === viewType || t.input.viewType.endsWith(`-${viewType}`)));
}

