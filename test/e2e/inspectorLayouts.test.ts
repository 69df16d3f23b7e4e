/**
 * DeepVariant's alt-aligned `rows` golden in a real VS Code (code-server, 1400×900): a VCF of
 * the golden's sites opens as a table, and with `variantLens.examples` naming the golden the
 * inspector draws the selected site's 300-row example as three labelled blocks
 * (reference-aligned, alt-1-aligned, alt-2-aligned), not one tall image.
 * Needs ../shared/data/dv-layouts (skipped only when it is absent).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readExamples } from '../../src/core/io/examples/examplesFile';
import { HAS_SHARED, SHARED_DATA } from '../helpers/paths';
import { E2E_CACHE, SCREENSHOTS, loadedRow, openTable, startVsCode, webviewFrame, type RunningVsCode } from './codeServer';
import { command } from './demoDiff';

const WORKSPACE = join(E2E_CACHE, 'layouts-workspace');
const ROWS = join(SHARED_DATA, 'dv-layouts', 'golden.alt_aligned_pileup_rows_examples.tfrecord.gz');
const running: RunningVsCode[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

/** rows.vcf.gz: the golden's indel sites (first three), one sample, and the workspace settings. */
async function writeWorkspace(): Promise<{ ref: string; alt: string }[]> {
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(join(WORKSPACE, '.vscode'), { recursive: true });
  const sites = new Map<number, { pos: number; ref: string; alt: string }>();
  for await (const r of readExamples(ROWS)) {
    const v = r.example.variant;
    if (v.referenceBases.length > 1 || v.alternateBases.some((a) => a.length > 1)) sites.set(v.start, { pos: v.start + 1, ref: v.referenceBases, alt: v.alternateBases.join(',') });
    if (sites.size === 3) break;
  }
  const list = [...sites.values()].sort((a, b) => a.pos - b.pos);
  const vcf = join(WORKSPACE, 'rows.vcf');
  writeFileSync(vcf, [
    '##fileformat=VCFv4.2', '##contig=<ID=chr20,length=63025520>', '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA12878',
    ...list.map((s) => `chr20\t${s.pos}\t.\t${s.ref}\t${s.alt}\t30\tPASS\t.\tGT\t0/1`), '',
  ].join('\n'));
  execFileSync('bcftools', ['view', '-Oz', '-o', `${vcf}.gz`, vcf]);
  execFileSync('tabix', ['-f', '-p', 'vcf', `${vcf}.gz`]);
  writeFileSync(join(WORKSPACE, '.vscode', 'settings.json'), JSON.stringify({ 'variantLens.examples': [ROWS] }, null, 2));
  return list;
}

test('the inspector draws a rows example from an examples file as three labelled blocks', { timeout: 480_000, skip: HAS_SHARED ? false : '../shared/data is not present on this machine' }, async () => {
  const sites = await writeWorkspace();
  const vs = await startVsCode('layouts', WORKSPACE, true);
  running.push(vs);
  const { page } = vs;
  const table = await openTable(page, 'rows.vcf.gz');
  await table.click(loadedRow(0));
  await page.keyboard.press('Enter');
  const inspector = await webviewFrame(page, '.inspector', 60_000);
  await inspector.waitForSelector('.tensor-title[data-layout="rows"]', { timeout: 120_000 });
  assert.match((await inspector.textContent('.tensor-title')) ?? '', /300×221×6 — alt-aligned rows: 3 blocks of 100 rows/);
  const titles = (await inspector.getAttribute('.block-titles', 'data-blocks')) ?? '';
  assert.match(titles, /^reference-aligned\|alt-1-aligned \(.+\)\|alt-2-aligned \(.+\)$/, `${sites[0]!.ref}>${sites[0]!.alt}`);
  // RGB composite + channels 1–6, each with its three block labels.
  const labels = await inspector.$$eval('section.pileup figure', (fs) => fs.map((f) => [...f.querySelectorAll('.block-label')].map((l) => l.textContent).join(',')));
  assert.deepEqual(labels, Array(7).fill('ref,alt 1,alt 2'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  await command(page, 'Notifications: Clear All Notifications');
  await page.screenshot({ path: join(SCREENSHOTS, 'inspector-layout-rows.png') });
});
