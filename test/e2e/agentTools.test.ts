/**
 * The language-model tools in a real VS Code (code-server 4.100.3 = VS Code 1.100): the three
 * tools are registered (the quick pick of "Variant Lens: Run Agent Tool…" lists
 * `vscode.lm.tools`), and variantLens_recordVerdict, invoked through `vscode.lm.invokeTool`
 * outside a chat, shows the confirmation its prepareInvocation returns (VS Code's dialog);
 * after "confirm" the review file holds the verdict. variantLens_inspectSite runs without a
 * confirmation and returns the demo VCFs' records at a disputed site. A trusted copy of the demo workspace
 * (data and models hard-linked: the tools refuse symlinks that leave the workspace).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { E2E_CACHE, SCREENSHOTS, runCommand, startVsCode, type RunningVsCode } from './codeServer';

const WORKSPACE = join(E2E_CACHE, `agent-ws-${process.pid}`);
const REVIEW_FILE = join(WORKSPACE, 'variant-lens.review.tsv');
const TOOLS = ['variantLens_listDisputedSites', 'variantLens_inspectSite', 'variantLens_recordVerdict'];

const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
  rmSync(WORKSPACE, { recursive: true, force: true });
});

async function writeWorkspace(): Promise<void> {
  const demo = await ensureDemoWorkspace();
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(WORKSPACE, { recursive: true });
  for (const f of ['default.vcf.gz', 'default.vcf.gz.tbi', 'retrained.vcf.gz', 'retrained.vcf.gz.tbi', '.vscode']) cpSync(join(demo, f), join(WORKSPACE, f), { recursive: true });
  for (const d of ['data', 'models']) {
    if (!existsSync(join(demo, d))) continue;
    const r = spawnSync('cp', ['-rl', join(demo, d), join(WORKSPACE, d)]);
    if (r.status !== 0) cpSync(join(demo, d), join(WORKSPACE, d), { recursive: true });
  }
}

/** Opens "Run Agent Tool…", retrying while the extension host is still registering commands. */
async function openToolPicker(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'Variant Lens: Run Agent Tool');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'variantLens_' }).first().waitFor({ timeout: 30_000 });
      return;
    } catch (e) {
      if (attempt === 4) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

test('Agent tools: registered as language-model tools; record_verdict asks for confirmation, then writes the review file', { timeout: 600_000 }, async () => {
  await writeWorkspace();
  const vs = await startVsCode('agent', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;

  await openToolPicker(page);
  const labels = await page.locator('.quick-input-list .monaco-list-row .label-name').allTextContents();
  for (const t of TOOLS) assert.ok(labels.some((l) => l.includes(t)), `vscode.lm.tools lists ${t} (quick pick: ${labels.join(', ')})`);

  const input = page.locator('.quick-input-widget input');
  await input.fill('variantLens_recordVerdict');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'variantLens_recordVerdict' }).first().waitFor();
  await page.keyboard.press('Enter');
  // The arguments box (its title names the tool), then the JSON.
  await page.locator('.quick-input-widget', { hasText: 'variantLens_recordVerdict: arguments (JSON)' }).waitFor({ timeout: 30_000 });
  await input.fill(JSON.stringify({ review: 'variant-lens.review.tsv', locus: 'chr21:16799:T>C', verdict: 'retrained-correct', note: 'set by an agent' }));
  await page.keyboard.press('Enter');

  // prepareInvocation's confirmation, shown by VS Code as a dialog (no chat session).
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 60_000 });
  const text = (await dialog.textContent()) ?? '';
  assert.match(text, /Record a Variant Lens verdict\?/);
  assert.match(text, /Set the verdict of chr21:16799:T>C to “retrained-correct” with the note “set by an agent” in the review file variant-lens\.review\.tsv/);
  const lines = (): string[] => (existsSync(REVIEW_FILE) ? readFileSync(REVIEW_FILE, 'utf8') : '').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.equal(lines().filter((l) => l.startsWith('chr21\t16799\t')).length, 0, 'nothing written before the confirmation');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'agent-confirm-verdict.png') });
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Yes$/ }).click();

  // The tool ran: the review file holds the verdict (written atomically, so poll for it).
  const deadline = Date.now() + 60_000;
  while (!lines().some((l) => l.startsWith('chr21\t16799\tT\tC\t.\tretrained-correct\t'))) {
    assert.ok(Date.now() < deadline, `the review file holds the verdict: ${lines().join(' | ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(lines().find((l) => l.startsWith('chr21\t16799\t'))!, /\tset by an agent\t/);

  // variantLens_inspectSite through vscode.lm.invokeTool: no confirmation (it only reads); its
  // JSON (records, both models re-run, images as PNG data parts) opens as a document.
  await openToolPicker(page);
  await input.fill('variantLens_inspectSite');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'variantLens_inspectSite' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget', { hasText: 'variantLens_inspectSite: arguments (JSON)' }).waitFor({ timeout: 30_000 });
  await input.fill(JSON.stringify({ locus: 'chr21:16799' }));
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const t = (document.querySelector('.editor-instance .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ');
    return t.includes('"locus": "chr21:16799:T>C"') && t.includes('"vcf": "default.vcf.gz"') && t.includes('"qual": 22,');
  }, undefined, { timeout: 120_000 });
  assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no confirmation for a reading tool');
  // The end of the document: both models ran in the extension host, with the explanation and the images.
  await page.locator('.editor-instance .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+End');
  await page.waitForFunction(() => {
    const t = (document.querySelector('.editor-instance .monaco-editor .view-lines')?.textContent ?? '').replace(/\u00a0/g, ' ');
    return /"verdict": "(inputs|weights|both|none)"/.test(t) && t.includes('retrained: RGB composite of the pileup');
  }, undefined, { timeout: 30_000 });
  await page.screenshot({ path: join(SCREENSHOTS, 'agent-inspect-site.png') });
});
