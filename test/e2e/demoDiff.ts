/**
 * What the e2e tests that open the demo's diff share: a private copy of the demo workspace
 * (the tests write review files; data and models are linked, not copied), quick-pick and
 * palette helpers that wait for VS Code, and "Compare Two VCFs" on default ↔ retrained.
 */
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { runCommand, webviewFrame } from './codeServer';

/** Copies the demo's VCFs and settings into `workspace`; returns the demo folder. */
export async function writeDemoWorkspace(workspace: string): Promise<string> {
  const demo = await ensureDemoWorkspace();
  rmSync(workspace, { recursive: true, force: true });
  mkdirSync(workspace, { recursive: true });
  for (const f of ['default.vcf.gz', 'default.vcf.gz.tbi', 'retrained.vcf.gz', 'retrained.vcf.gz.tbi', '.vscode']) {
    cpSync(join(demo, f), join(workspace, f), { recursive: true });
  }
  if (existsSync(join(demo, 'variant-lens.review.tsv'))) cpSync(join(demo, 'variant-lens.review.tsv'), join(workspace, 'variant-lens.review.tsv'));
  for (const d of ['data', 'models']) if (existsSync(join(demo, d))) symlinkSync(join(demo, d), join(workspace, d));
  return demo;
}

export async function pick(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Runs a palette command, retrying while the extension host is still registering commands. */
export async function command(page: Page, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, title);
      return;
    } catch (e) {
      if (attempt === 4) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

/** "Compare Two VCFs" on default.vcf.gz ↔ retrained.vcf.gz without a truth set; resolves when the list is loaded. */
export async function openDemoDiff(page: Page): Promise<Frame> {
  await command(page, 'Variant Lens: Compare Two VCFs');
  await pick(page, 'default.vcf.gz');
  await pick(page, 'retrained.vcf.gz');
  await pick(page, 'No truth set');
  const diff = await webviewFrame(page, '.diff-summary', 60_000);
  await diff.waitForSelector('#app[data-state="done"] .grid[data-loaded="true"]', { timeout: 60_000 });
  return diff;
}
