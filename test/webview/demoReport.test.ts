/**
 * `npm run demo`'s outputs (issue #8), on the demo workspace the tests share
 * (test/helpers/demoWorkspace.ts runs scripts/demo.mjs without packaging):
 *  - the report opens in real Chromium from file:// with no console message, no page error
 *    and no request at all beyond the file itself; every image decodes; it follows
 *    prefers-color-scheme; a screenshot goes to test/webview/screenshots/demo-report.png;
 *  - the workspace is what VS Code needs: settings keys that package.json defines pointing at
 *    files that exist, an empty review file, both call sets indexed and limited to the
 *    held-out contigs (checked with bcftools);
 *  - the report's "re-run here" calls agree with what `variant-lens call` wrote into the
 *    VCFs (read back with bcftools) wherever the model's own candidate was imaged — two
 *    independent paths (single site vs whole region) through the same models.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { PROJECT_ROOT } from '../helpers/paths';
import { launchChromium } from './chromiumPage';

const SCREENSHOTS = join(PROJECT_ROOT, 'test/webview/screenshots');

test('demo report: opens from file:// in Chromium with no console output, no requests, all images decoded, light and dark', async () => {
  const dir = await ensureDemoWorkspace();
  const report = join(dir, 'report.html');
  assert.ok(existsSync(report), 'the demo wrote report.html');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
    const messages: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(report).href;
    await page.goto(url, { waitUntil: 'load' });
    assert.deepEqual(messages, []);
    assert.deepEqual(requests.filter((u) => u !== url && !u.startsWith('data:')), []);

    assert.match(await page.locator('h1').innerText(), /default vs retrained/);
    // Precision/recall of both models, and ten disputed sites (the demo data has more than ten).
    const truthRows = await page.locator('#truth tr').count();
    assert.ok(truthRows > 6, `truth table rows: ${truthRows}`);
    assert.equal(await page.locator('#disputed tr').count(), 11);
    assert.equal(await page.locator('section.site').count(), 10);
    const images = await page.evaluate(() => [...document.images].map((i) => ({ ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth, h: i.naturalHeight, cls: i.className })));
    assert.ok(images.length >= 20, `images: ${images.length}`);
    assert.ok(images.every((i) => i.ok), 'every image decodes');
    // show_examples geometry: the strip is 7 channels × 221 columns, the RGB 221 wide; 100 rows + 20-px header.
    for (const i of images.filter((x) => x.cls.includes('pileup'))) assert.deepEqual([i.w, i.h], i.cls.includes('strip') ? [221 * 7, 120] : [221, 120]);
    // Why the models disagree, per site: the 2×2 and the explanation's images (overlays, curves).
    assert.equal(await page.locator('section.site .why table.cross-run').count(), 10);
    assert.ok(images.filter((x) => x.cls.includes('explain')).length >= 20, 'explanation images');
    const planted = page.locator('section.site', { hasText: 'chr21:30058 T>C' });
    assert.equal(await planted.locator('.verdict').innerText(), 'inputs');
    assert.ok(await page.locator('.why .verdict.weights').count() >= 7, 'the other disputes are weights disputes');
    // Inside the networks: per site both models' layer maps (wider than the pileup: mean + 2 channels) and the CKA plot.
    const layers = images.filter((x) => x.cls === 'layers');
    assert.equal(layers.length, 2 * 10);
    assert.ok(layers.every((i) => i.w > 221 * 3 && i.h > 100 * 3), JSON.stringify(layers[0]));
    assert.equal(await page.locator('section.site figure.similarity svg rect').count() >= 10 * 3, true);
    assert.equal(images.length, layers.length + images.filter((x) => x.cls.includes('pileup') || x.cls.includes('explain')).length);

    const bg = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await bg(), 'rgb(255, 255, 255)');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-report.png') });
    await page.locator('#site-1').screenshot({ path: join(SCREENSHOTS, 'demo-report-site.png') });
    await planted.locator('.why').screenshot({ path: join(SCREENSHOTS, 'demo-report-explain-inputs.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await bg(), 'rgb(13, 17, 23)');
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-report-dark.png') });
    assert.deepEqual(messages, []);
  } finally {
    await browser.close();
  }
});

test('demo workspace: settings point at existing files, empty review file, indexed call sets on the held-out contigs', async () => {
  const dir = await ensureDemoWorkspace();
  const settings = JSON.parse(readFileSync(join(dir, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, unknown> } } };
  const ours = Object.keys(settings).filter((k) => k.startsWith('variantLens.'));
  assert.deepEqual(ours, ['variantLens.reads', 'variantLens.reference', 'variantLens.models']);
  for (const k of ours) assert.ok(k in manifest.contributes.configuration.properties, `package.json defines ${k}`);
  const reads = settings['variantLens.reads'] as Record<string, string>;
  assert.deepEqual(Object.keys(reads), ['HG003-sim']);
  assert.ok(existsSync(join(dir, reads['HG003-sim']!)) && existsSync(join(dir, `${reads['HG003-sim']!}.bai`)));
  assert.ok(existsSync(join(dir, settings['variantLens.reference'] as string)));
  const models = settings['variantLens.models'] as { name: string; path: string }[];
  assert.deepEqual(models.map((m) => m.name), ['default', 'retrained']);
  for (const m of models) for (const f of ['model.onnx', 'example_info.json', 'model_card.json']) assert.ok(existsSync(join(dir, m.path, f)), `${m.path}/${f}`);

  // The review file: the version line and the column header of docs/review-format.md, no sites.
  const review = readFileSync(join(dir, 'variant-lens.review.tsv'), 'utf8');
  assert.equal(review, '##variant-lens-review=1\n#chrom\tpos\tref\talt\tsample\tverdict\ttags\tnote\treviewer\ttime\tmodels\tstate\n');

  for (const m of ['default', 'retrained']) {
    const vcf = join(dir, `${m}.vcf.gz`);
    assert.ok(existsSync(`${vcf}.tbi`));
    // bcftools index -s: records per contig from the index — only chr20–22, and some on each.
    const perContig = execFileSync('bcftools', ['index', '-s', vcf], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(perContig.map((c) => c[0]), ['chr20', 'chr21', 'chr22']);
    for (const c of perContig) assert.ok(Number(c[2]) > 0);
    assert.equal(execFileSync('bcftools', ['query', '-l', vcf], { encoding: 'utf8' }).trim(), 'HG003-sim');
  }
});

test('demo report: the re-run calls agree with the VCFs variant-lens call wrote (bcftools query)', async () => {
  const dir = await ensureDemoWorkspace();
  const out = execFileSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli.js'), 'report', 'default.vcf.gz', 'retrained.vcf.gz',
    '--reads', 'data/HG003-sim.bam', '--ref', 'data/reference.fa', '--model', 'models/default', '--model', 'models/retrained',
    '--sites', '10', '--json', '--out', join(dir, '.report-check.html')], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const r = JSON.parse(out) as { disputed: { contig: string; pos: number; ref: string; rerun: ({ gt: string; gq: number; filter: string; alleles: string[]; fromCandidate: boolean } | null)[] }[] };
  let compared = 0;
  for (const d of r.disputed) {
    for (const [i, m] of ['default', 'retrained'].entries()) {
      const call = d.rerun[i];
      if (!call || !call.fromCandidate) continue;
      // The model's record starting at the re-run call's position with its REF (bcftools, 1-based POS).
      const rows = execFileSync('bcftools', ['query', '-r', `${d.contig}:${d.pos}`, '-f', '%POS\t%REF\t%FILTER\t[%GT]\t[%GQ]\n', join(dir, `${m}.vcf.gz`)], { encoding: 'utf8' })
        .trim().split('\n').filter(Boolean).map((l) => l.split('\t')).filter((x) => Number(x[0]) === d.pos && x[1] === call.alleles[0]);
      assert.equal(rows.length, 1, `${m} has one record at ${d.contig}:${d.pos} ${call.alleles[0]}`);
      const [, , filter, gt, gq] = rows[0]!;
      assert.deepEqual([gt, Number(gq), filter], [call.gt, call.gq, call.filter], `${m} at ${d.contig}:${d.pos}`);
      compared++;
    }
  }
  assert.ok(compared >= 10, `compared ${compared} calls`);
});
