/**
 * Real Chromium for the webview tests: launching it, building the bundles, and a page that
 * records what should not happen (console errors, page errors, requests that leave the
 * files) so each test can assert there was none. The pages load a bundle either from a
 * file:// HTML under the webviews' strict CSP (scripts by nonce only, like VS Code) with a
 * fake host injected before it, or inline with setContent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../helpers/paths';

/** Headless, no sandbox, no GPU, and nothing that would reach the network on its own. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Runs scripts/build.mjs (all bundles and media). */
export function buildBundles(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `build failed: ${r.stderr}`);
}

/** Builds when an output (project-relative) is missing or older than a source file or folder. */
export function buildIfStale(sources: readonly string[], outputs: readonly string[]): void {
  const newest = (path: string): number => {
    const abs = join(PROJECT_ROOT, path);
    const st = statSync(abs);
    if (!st.isDirectory()) return st.mtimeMs;
    return readdirSync(abs).reduce((m, name) => Math.max(m, newest(join(path, name))), 0);
  };
  const src = Math.max(...sources.map(newest));
  if (outputs.every((p) => existsSync(join(PROJECT_ROOT, p)) && statSync(join(PROJECT_ROOT, p)).mtimeMs >= src)) return;
  buildBundles();
}

export interface Watch {
  /** Console message types that count as problems (none by default). */
  readonly console?: readonly string[];
  /** Requests to URLs not starting with one of these count as problems (none watched by default). */
  readonly allowedUrls?: readonly string[];
  /** Prefix of page-error entries. */
  readonly label?: string;
}

/** A new page with a 10 s default timeout whose problems (see Watch) go into `problems`. */
export async function newWatchedPage(browser: Browser, viewport: { width: number; height: number }, problems: string[], watch: Watch = {}): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  const types = watch.console ?? [];
  if (types.length) page.on('console', (m) => { if (types.includes(m.type())) problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`${watch.label ? `${watch.label} ` : ''}pageerror: ${e.message}`));
  const allowed = watch.allowedUrls;
  if (allowed) page.on('request', (r) => { if (!allowed.some((p) => r.url().startsWith(p))) problems.push(`network: ${r.url()}`); });
  return page;
}

/**
 * Writes `file`, an HTML page like the extension's (src/extension/common/webviewHtml.ts): the strict
 * CSP, dist/media stylesheets (after `headExtra`), #app and dist/webview/<bundle>.js by nonce.
 * Returns its file:// URL.
 */
export function writeCspPage(file: string, o: { nonce: string; title: string; bundle: string; css: readonly string[]; headExtra?: string }): string {
  const dist = pathToFileURL(join(PROJECT_ROOT, 'dist')).href;
  writeFileSync(file, `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${o.nonce}'; style-src file:; img-src file: data: blob:; font-src file:">
${o.headExtra ? `${o.headExtra}\n` : ''}${o.css.map((c) => `<link rel="stylesheet" href="${dist}/media/${c}">`).join('\n')}
<title>${o.title}</title></head><body><div id="app" role="application"></div>
<script nonce="${o.nonce}" src="${dist}/webview/${o.bundle}.js"></script></body></html>`);
  return pathToFileURL(file).href;
}

/**
 * Injects a fake host (a function serialized into the page, run before the bundle) and opens
 * `url`. tsx (esbuild keepNames) wraps named functions in __name(); the page needs it defined.
 */
export async function gotoWithFakeHost<A>(page: Page, url: string, fakeHost: (arg: A) => void, arg: A): Promise<void> {
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await page.addInitScript(fakeHost as (a: unknown) => void, arg);
  await page.goto(url);
}

/** Loads media/<css> inline, then the fake host (JavaScript source text), then dist/webview/<bundle>.js. */
export async function loadInline(page: Page, bundle: string, css: readonly string[], hostScript: string): Promise<void> {
  const style = css.map((f) => readFileSync(join(PROJECT_ROOT, 'media', f), 'utf8')).join('\n');
  await page.setContent(`<!DOCTYPE html><html><head><style>${style}</style></head><body><div id="app"></div></body></html>`);
  await page.addScriptTag({ content: 'globalThis.__name = (f) => f;' });
  await page.addScriptTag({ content: hostScript });
  await page.addScriptTag({ content: readFileSync(join(PROJECT_ROOT, 'dist', 'webview', `${bundle}.js`), 'utf8') });
}
