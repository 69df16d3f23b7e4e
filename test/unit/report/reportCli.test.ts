/**
 * `variant-lens report` on the simulated dataset. A is HG003-sim's truth on chr20 (bcftools
 * view); B is A edited by awk with known changes — some biallelic records dropped, some
 * genotypes flipped (0/1 ↔ 1/1), some FILTERs set to RefCall — so the expected ranking and
 * the expected precision/recall follow from the edit list, not from our code. Models: the
 * seeded random test models (test/unit/model/modelFixtures.ts); their probabilities are
 * checked for the postprocess arithmetic (QUAL = −10·log10 P(0 copies), docs/deepvariant.md §3.3), the
 * images by an independent PNG decoder (python zlib, test/unit/render/pngCheck.ts).
 */
import { FEATURES } from '../../../src/core/diff/features/featureBins';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CliContext } from '../../../src/cli/framework/command';
import { runReport } from '../../../src/cli/commands/report';
import { runDiff } from '../../../src/cli/commands/diff';
import { TEST_CACHE } from '../../helpers/paths';
import { ensureSimulatedDataset } from '../../helpers/simData';
import { modelDir } from '../model/modelFixtures';
import { decodePngs } from '../render/pngCheck';

interface ReportJson {
  diff: { sites: number; differing: number };
  truth: { name: string; all: { tp: number; fp: number; fn: number; precision: number | null; recall: number | null } }[];
  disputed: {
    rank: number; pos: number; ref: string; alt: string; score: number; classes: string[];
    rerun: ({ gt: string; gq: number; qual: number; filter: string; pl: number[] } | null)[] | null;
    images: { models: string[]; alts: string[]; probabilities: Record<string, number[]> }[];
    error: string | null;
    explanation: { verdict: string; text: string; crossRun: { probs: number[] | null; gt: string | null; candidate: boolean }[][] } | null;
    layers: { images: string; comparison: { kind: string; text: string }; similarity: { corresponding: boolean; layers: { layer: string; cka?: number }[] } | null } | null;
  }[];
}

function ctx(): CliContext & { stdout: string[] } {
  const stdout: string[] = [];
  return { signal: new AbortController().signal, progress: () => undefined, out: (t) => stdout.push(t), stdout };
}

// awk edit of A's body: on biallelic records, n%9==0 drop, else n%5==0 flip GT, n%7==0 RefCall.
// It prints the edit of every record to stderr as "pos<TAB>kind" for the expectations.
const AWK = String.raw`
BEGIN { OFS = "\t" }
/^##/ { print; next }
/^#CHROM/ { print "##FILTER=<ID=RefCall,Description=\"test\">"; print; next }
{
  n++
  kind = "same"
  if ($5 !~ /,/) {
    if (n % 9 == 0) { print $2 "\tdrop" > "/dev/stderr"; next }
    if (n % 5 == 0) { g = substr($10, 1, 3); $10 = (g == "1/1" || g == "1|1") ? "0/1" substr($10, 4) : "1/1" substr($10, 4); kind = "flip" }
    if (n % 7 == 0) { $7 = "RefCall"; kind = kind "+refcall" }
  }
  print $2 "\t" kind > "/dev/stderr"
  print
}`;

test('report: ranking, precision/recall and images on a bcftools-edited truth', async () => {
  const sim = await ensureSimulatedDataset(1);
  mkdirSync(TEST_CACHE, { recursive: true });
  const dir = mkdtempSync(join(TEST_CACHE, 'report-'));
  const a = join(dir, 'a.vcf.gz');
  const b = join(dir, 'b.vcf.gz');
  execFileSync('bcftools', ['view', '-r', 'chr20', '-Oz', '-o', a, join(sim, 'HG003-sim.truth.vcf.gz')]);
  execFileSync('bcftools', ['index', '-t', a]);
  const plain = execFileSync('bcftools', ['view', a], { encoding: 'utf8' });
  const edited = execFileSync('bash', ['-c', `awk '${AWK.replace(/'/g, "'\\''")}' 2> ${dir}/edits.tsv`], { input: plain, encoding: 'utf8', maxBuffer: 1 << 26 });
  execFileSync('bcftools', ['view', '-Oz', '-o', b], { input: edited });
  execFileSync('bcftools', ['index', '-t', b]);
  const edits = readFileSync(join(dir, 'edits.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]);
  // Alleles of A by bcftools (multi-allelic records split).
  const alleles = Number(execFileSync('bash', ['-c', `bcftools norm -m -any ${a} 2>/dev/null | bcftools view -H | wc -l`], { encoding: 'utf8' }).trim());
  const quals = new Map(execFileSync('bcftools', ['query', '-f', '%POS\t%QUAL\n', a], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t')).map(([p, q]) => [Number(p), Number(q)]));

  const m1 = modelDir({ arch: 'small', channels: [1, 2, 3, 4, 5, 6, 19], seed: 1 });
  const m2 = modelDir({ arch: 'small', channels: [1, 2, 3, 4, 5, 6, 19], seed: 2 });
  const out = join(dir, 'report.html');
  const c = ctx();
  const code = await runReport([a, b, '--truth', a, '--region', 'chr20', '--reads', join(sim, 'HG003-sim.bam'), '--ref', join(sim, 'reference.fa'),
    '--model', m1, '--model', m2, '--name', 'one', '--name', 'two', '--sites', '10', '--json', '--out', out], c);
  assert.equal(code, 0);
  const r = JSON.parse(c.stdout.join('')) as ReportJson;

  // Expected ranking from the edit list: drop 1000+100+QUAL_A, flip+refcall 1100, flip 1000,
  // refcall 100 (same QUAL on both sides); ties in genome order.
  const weight = (k: string, pos: number): number =>
    k === 'drop' ? 1100 + Math.min(quals.get(pos)!, 99.9) : k === 'flip+refcall' ? 1100 : k === 'flip' ? 1000 : k === 'same+refcall' ? 100 : 0;
  const expected = edits.map(([p, k]) => ({ pos: Number(p), w: weight(k, Number(p)) })).filter((e) => e.w > 0)
    .sort((x, y) => y.w - x.w || x.pos - y.pos).slice(0, 10);
  assert.ok(expected.length === 10, 'the edit list must give at least 10 disputed sites');
  assert.deepEqual(r.disputed.map((d) => d.pos), expected.map((e) => e.pos));
  assert.deepEqual(r.disputed.map((d) => d.score), expected.map((e) => e.w));

  // Precision/recall: A against itself is perfect; B loses the dropped, flipped and RefCall
  // alleles (FN) and calls the PASS flips with the wrong genotype (FP).
  const count = (f: (k: string) => boolean): number => edits.filter(([, k]) => f(k)).length;
  const dropped = count((k) => k === 'drop');
  const flippedPass = count((k) => k === 'flip');
  const refcall = count((k) => k.endsWith('+refcall'));
  const [ta, tb] = r.truth;
  assert.deepEqual([ta!.all.tp, ta!.all.fp, ta!.all.fn], [alleles, 0, 0]);
  assert.deepEqual([tb!.all.tp, tb!.all.fp, tb!.all.fn], [alleles - dropped - flippedPass - refcall, flippedPass, dropped + flippedPass + refcall]);

  // Every site has images and both models' outputs; the call follows from the probabilities.
  for (const d of r.disputed) {
    assert.equal(d.error, null);
    assert.ok(d.images.length >= 1, `images at ${d.pos}`);
    for (const im of d.images) {
      for (const name of im.models) {
        const p = im.probabilities[name]!;
        assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-4);
      }
    }
    assert.ok(d.rerun && d.rerun.length === 2 && d.rerun.every((x) => x !== null));
    if (d.images.length === 1) {
      for (const [i, name] of ['one', 'two'].entries()) {
        const p = d.images[0]!.probabilities[name]!;
        const call: { gt: string; qual: number; pl: number[] } = d.rerun![i]!;
        const best = p.indexOf(Math.max(...p));
        // QUAL = −10·log10(P(0 copies)) (docs/deepvariant.md §3.3), to the precision of round_gls.
        assert.ok(Math.abs(call.qual - -10 * Math.log10(p[0]!)) < 0.05, `QUAL ${call.qual} vs p0 ${p[0]}`);
        if (best === 0) assert.ok(call.gt === '0/0' || call.gt === './.', call.gt);
        else assert.equal(call.gt, best === 1 ? '0/1' : '1/1');
        assert.equal(call.pl.length, 3);
        assert.equal(Math.min(...call.pl), 0);
      }
    }
  }

  // The HTML: strict CSP, no script, nothing external; every image a PNG data: URI that an
  // independent decoder reads with the show_examples geometry (7 channels × 221 wide, 100 + 20 header rows).
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:/);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /https?:\/\//);
  const srcs = [...html.matchAll(/<img class="pileup[^"]*"[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
  // Inside the networks: both models' layers on the same images, per site; the two seeds' models share an architecture.
  assert.ok(r.disputed.every((d) => d.layers !== null && d.layers.comparison.kind === 'layers' && d.layers.similarity!.corresponding && d.layers.similarity!.layers.length > 0));
  assert.equal([...html.matchAll(/<img class="layers" [^>]*src="data:image\/png;base64,/g)].length, 2 * r.disputed.length);
  assert.equal([...html.matchAll(/<figure class="similarity"><svg /g)].length, r.disputed.length);
  const nImages = r.disputed.reduce((n, d) => n + d.images.length, 0);
  assert.equal(srcs.length, 2 * nImages);
  // The explanation of each explained site: its overlays (each model, the difference) and curves, PNG data: URIs.
  const explained = r.disputed.filter((d) => d.explanation).length;
  assert.ok(explained > 0, 'no disputed site was explained');
  const explainImgs = [...html.matchAll(/<img class="explain" alt="([^"]+)" src="([^"]+)"/g)];
  // (a model without an image of its own at a site has no overlay there)
  assert.equal(explainImgs.filter((m) => m[1] === 'curves.png').length, explained);
  assert.ok(explainImgs.length <= 4 * explained && explainImgs.length >= 2 * explained, explainImgs.map((m) => m[1]).join(' '));
  for (const d of r.disputed.filter((x) => x.explanation)) {
    assert.ok(['inputs', 'weights', 'both', 'none'].includes(d.explanation!.verdict));
    assert.equal(d.explanation!.crossRun.length, 2);
    assert.equal(d.explanation!.crossRun[0]!.length, 2);
  }
  for (const m of explainImgs) assert.ok(m[2]!.startsWith('data:image/png;base64,'), m[1]);
  assert.equal((html.match(/<table class="cross-run">/g) ?? []).length, explained);
  const files = srcs.map((s, i) => {
    assert.ok(s.startsWith('data:image/png;base64,'));
    const f = join(dir, `img${i}.png`);
    writeFileSync(f, Buffer.from(s.slice('data:image/png;base64,'.length), 'base64'));
    return f;
  });
  const decoded = decodePngs(files);
  const strips = decoded.filter((d) => d.colorType === 0);
  const rgbs = decoded.filter((d) => d.colorType === 2);
  assert.equal(strips.length, nImages);
  assert.equal(rgbs.length, nImages);
  for (const d of strips) assert.deepEqual([d.width, d.height], [221 * 7, 120]);
  for (const d of rgbs) assert.deepEqual([d.width, d.height], [221, 120]);
  // With --ref: where the two call sets disagree, a histogram per site feature and the A-vs-B grids (decision 0015).
  assert.match(html, /<h2 id="where">Where they disagree<\/h2>/);
  assert.equal((html.match(/<svg class="feature-plot"/g) ?? []).length, FEATURES.length);
  assert.equal((html.match(/<svg class="joint-plot"/g) ?? []).length, 2);
  // Text from the files is escaped: the site list names every disputed locus.
  for (const d of r.disputed) assert.ok(html.includes(`id="site-${d.rank}"`) && html.includes(`chr20:${d.pos}`));
  // With --truth and --ref: hap.py's summary per model (haplotype matching), the rows of
  // `diff CALLS TRUTH --truth B --ref` summary.csv, beside the allele-matching table.
  assert.match(html, /<h3>Allele matching<\/h3><table id="truth">/);
  const happy = /<table id="happy">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const happyRows = [...happy.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!));
  const expectedHappy: string[][] = [];
  for (const [calls, name] of [[a, 'one'], [b, 'two']] as const) {
    const prefix = join(dir, `happy-${name}`);
    assert.equal(await runDiff([calls, a, '--truth', 'B', '--ref', join(sim, 'reference.fa'), '--region', 'chr20', '--no-features', '--out', prefix], ctx()), 0);
    for (const l of readFileSync(`${prefix}.summary.csv`, 'utf8').trim().split('\n').slice(1)) {
      const c = l.split(',');
      expectedHappy.push([name, c[0]!, c[1]!, ...[2, 3, 4, 5, 6, 7, 8, 10, 11, 13].map((i) => c[i]!)]);
    }
  }
  assert.deepEqual(happyRows, expectedHappy);
  assert.equal(happyRows.length, 8);
});

test('report without reads or models still writes the diff and truth parts, and says why there are no images', async () => {
  const sim = await ensureSimulatedDataset(1);
  const dir = mkdtempSync(join(TEST_CACHE, 'report-'));
  const a = join(dir, 'a.vcf.gz');
  execFileSync('bcftools', ['view', '-r', 'chr21', '-Oz', '-o', a, join(sim, 'HG002-sim.truth.vcf.gz')]);
  const b = join(dir, 'b.vcf.gz');
  execFileSync('bcftools', ['view', '-r', 'chr21', '-Oz', '-o', b, join(sim, 'HG003-sim.truth.vcf.gz')]);
  const c = ctx();
  assert.equal(await runReport([a, b, '--json', '--sites', '3', '--out', join(dir, 'r.html')], c), 0);
  const r = JSON.parse(c.stdout.join('')) as ReportJson;
  assert.equal(r.disputed.length, 3);
  for (const d of r.disputed) assert.match(d.error ?? '', /no --reads, --ref, --model \(twice\) given/);
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  assert.match(html, /No truth set given/);
  assert.doesNotMatch(html, /<img/);
});

test('report: argument errors name the problem', async () => {
  await assert.rejects(runReport(['a.vcf'], ctx()), /give exactly two VCF files/);
  await assert.rejects(runReport(['a.vcf', 'b.vcf', '--out', 'x.html', '--model', 'm'], ctx()), /give --model twice/);
  await assert.rejects(runReport(['a.vcf', 'b.vcf', '--out', 'x.html', '--sites', '-1'], ctx()), /--sites must be a non-negative integer/);
});
