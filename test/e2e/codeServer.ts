/**
 * Runs the packaged extension in a real VS Code: code-server 4.100.3 (VS Code 1.100, installed
 * by scripts/installCodeServer.mjs outside the repo) on 127.0.0.1 with a random free port,
 * driven by playwright-core through Debian's Chromium (see ../shared/notes/vscode-e2e.md).
 * Every process started here is stopped by its PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../helpers/paths';

export const E2E_CACHE = join(PROJECT_ROOT, '.cache', 'e2e');
export const VSIX = join(PROJECT_ROOT, 'dist', 'variant-lens-0.1.0.vsix');
export const SCREENSHOTS = join(PROJECT_ROOT, 'test', 'e2e', 'screenshots');

export function codeServerBin(): string {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'installCodeServer.mjs'), '--print'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`code-server is not installed: ${r.stderr.trim()} (run node scripts/installCodeServer.mjs)`);
  return r.stdout.trim();
}

/** Builds and packages the .vsix once per test process. */
let packaged = false;
export function packageVsix(): string {
  if (packaged) return VSIX;
  const r = spawnSync('npm', ['run', 'package'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(VSIX)) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
  packaged = true;
  return VSIX;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningVsCode {
  readonly port: number;
  readonly server: ChildProcess;
  readonly browser: Browser;
  readonly page: Page;
  readonly workspace: string;
  readonly serverLog: string[];
  stop(): Promise<void>;
}

/**
 * Installs the .vsix into a fresh extensions dir, starts code-server and opens `workspace` in
 * headless Chromium. `trust` answers the workspace-trust dialog of the new folder. `userSettings`
 * are merged over the quiet defaults below (e.g. `{ 'workbench.colorTheme': 'Default Dark Modern' }`).
 */
export async function startVsCode(name: string, workspace: string, trust: boolean, userSettings: Record<string, unknown> = {}): Promise<RunningVsCode> {
  const bin = codeServerBin();
  const vsix = packageVsix();
  const dir = join(E2E_CACHE, `run-${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const ext = join(dir, 'extensions');
  const data = join(dir, 'user-data');
  mkdirSync(join(data, 'User'), { recursive: true });
  // Quiet workbench: no welcome page, no telemetry prompts, no auto-updates of extensions.
  writeFileSync(join(data, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'security.workspace.trust.untrustedFiles': 'open',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    ...userSettings,
  }, null, 2));
  const inst = spawnSync(bin, ['--extensions-dir', ext, '--user-data-dir', data, '--install-extension', vsix], { encoding: 'utf8' });
  if (inst.status !== 0) throw new Error(`installing ${vsix} failed:\n${inst.stdout}\n${inst.stderr}`);

  const port = await freePort();
  const serverLog: string[] = [];
  const server = spawn(bin, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', data, '--extensions-dir', ext, workspace,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_PROXY_URI: '' } });
  server.stdout!.on('data', (b: Buffer) => serverLog.push(b.toString()));
  server.stderr!.on('data', (b: Buffer) => serverLog.push(b.toString()));
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      if (b.toString().includes('HTTP server listening')) resolve();
    };
    server.stdout!.on('data', onData);
    server.once('exit', (code) => reject(new Error(`code-server exited with ${code}:\n${serverLog.join('')}`)));
  });

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // A new folder asks whether to trust its authors.
  const button = page.getByRole('button', { name: trust ? /Yes, I trust the authors/ : /No, I don't trust the authors/ });
  await page.screenshot({ path: join(dir, 'before-trust.png') }).catch(() => undefined);
  await button.click({ timeout: 30_000 });

  return {
    port, server, browser, page, workspace, serverLog,
    stop: async () => {
      await browser.close().catch(() => undefined);
      if (server.pid !== undefined && server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        process.kill(server.pid, 'SIGTERM');
        await exited;
      }
    },
  };
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/**
 * Opens a workspace file through Quick Open (Ctrl+P). Returns Date.now() at the moment Enter
 * was pressed on the file: the user's "open it" — timings of opening start there, not while
 * Quick Open is still searching the workspace.
 */
export async function quickOpen(page: Page, fileName: string): Promise<number> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor();
  const openedAt = Date.now();
  await page.keyboard.press('Enter');
  return openedAt;
}

/** The table row element of view index i, once its data has arrived. */
export const loadedRow = (i: number): string => `.rows .row[data-index="${i}"]:not(.loading)`;

/** Opens a VCF with the table editor through Quick Open; resolves once its first row is drawn. */
export async function openTable(page: Page, fileName: string): Promise<Frame> {
  await quickOpen(page, fileName);
  const frame = await webviewFrame(page, `.grid[aria-label="VCF table ${fileName}"]`, 60_000);
  await frame.waitForSelector(loadedRow(0), { timeout: 60_000 });
  return frame;
}

/** The frame of a webview whose document has `selector` (webviews are nested iframes). */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const f of page.frames()) {
      if (f.isDetached()) continue;
      const has = await f.$(selector).then((h) => h !== null, () => false);
      if (has) return f;
    }
    await page.waitForTimeout(50); // polling the frame tree: Playwright has no cross-frame selector wait
  }
  throw new Error(`no webview frame with ${selector} within ${timeoutMs} ms`);
}

/**
 * The webview frame holding `selector` once `ready(frame)` resolves. A restored webview may load
 * its page again after the test found it (decision 0017: VS Code for the web sometimes does not
 * serve a restored webview's scripts, and the page then reloads itself): a frame that went away
 * while `ready` waited is looked up again, until `timeoutMs` has passed. A frame that stays and
 * never gets ready fails as `ready` fails.
 */
export async function settledWebviewFrame(page: Page, selector: string, ready: (frame: Frame) => Promise<unknown>, timeoutMs: number): Promise<Frame> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const frame = await webviewFrame(page, selector, Math.max(1, until - Date.now()));
    try {
      await ready(frame);
      return frame;
    } catch (e) {
      if (!frame.isDetached() || Date.now() >= until) throw e;
    }
  }
}
