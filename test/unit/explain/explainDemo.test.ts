/**
 * The demo shows both kinds of dispute (issue #15): the simulator plants one site whose
 * disagreement comes from the inputs (HG003-sim, alt reads at MAPQ 3: default's
 * min_mapping_quality 5 drops them, retrained's 1 keeps them), and the demo's other disputes
 * come from the weights. Checked on the demo workspace with the cross-run numbers, and in the
 * report the demo writes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { explainSite } from '../../../src/core/explain/explainSite';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import type { ReferenceSource } from '../../../src/core/io/fasta/referenceSource';
import type { AlignmentSource } from '../../../src/core/io/sam/alignedRead';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { type LoadedModel, loadModel } from '../../../src/core/model/onnxModel';
import type { SimManifest } from '../../../src/core/sim/simulateDataset';
import { ensureDemoWorkspace } from '../../helpers/demoWorkspace';

let demo = '';
let reads: AlignmentSource;
let reference: ReferenceSource;
let models: LoadedModel[] = [];

before(async () => {
  demo = await ensureDemoWorkspace();
  reference = await openReference(join(demo, 'data', 'reference.fa'));
  reads = await openAlignments(join(demo, 'data', 'HG003-sim.bam'), { referencePath: join(demo, 'data', 'reference.fa') });
  models = [await loadModel(join(demo, 'models', 'default')), await loadModel(join(demo, 'models', 'retrained'))];
});

after(async () => {
  await reads?.close();
  await reference?.close();
  await shutdownInference();
});

/** The demo's disputes (GT or FILTER differ, or one side only): the diff's sites TSV, columns as published. */
function disputes(): { chrom: string; pos: number; ref: string; alt: string; classes: string[] }[] {
  const [head, ...rows] = readFileSync(join(demo, 'diff', 'default_vs_retrained.sites.tsv'), 'utf8').trim().split('\n');
  const col = head!.split('\t');
  return rows.map((l) => l.split('\t')).map((f) => ({
    chrom: f[col.indexOf('chrom')]!, pos: Number(f[col.indexOf('pos')]), ref: f[col.indexOf('ref')]!, alt: f[col.indexOf('alt')]!,
    classes: f[col.indexOf('classes')]!.split(','),
  })).filter((s) => s.classes.some((c) => c === 'gt-change' || c === 'filter-change' || c === 'only-A' || c === 'only-B'));
}

test('the simulator planted one inputs dispute, and the demo diff lists it among 8 disputes', () => {
  const manifest = JSON.parse(readFileSync(join(demo, 'data', 'manifest.json'), 'utf8')) as SimManifest;
  assert.equal(manifest.plantedSites.length, 1);
  const p = manifest.plantedSites[0]!;
  assert.deepEqual([p.sample, p.contig, p.pos, p.ref, p.alt], ['HG003-sim', 'chr21', 30058, 'T', 'C']);
  assert.ok(p.reads >= 8, `${p.reads} reads changed`);
  const d = disputes();
  // 7 disputes before the planted site, 8 with it.
  assert.equal(d.length, 8, d.map((s) => `${s.chrom}:${s.pos}`).join(' '));
  const planted = d.find((s) => s.chrom === p.contig && s.pos === p.pos);
  assert.ok(planted, 'the planted site is a dispute');
  assert.deepEqual(planted.classes, ['only-B'], 'default makes no candidate there, retrained calls it');
});

test('cross-run: the planted site is explained by the inputs, every other dispute by the weights', { timeout: 600_000 }, async () => {
  const kinds: string[] = [];
  for (const s of disputes()) {
    const { result: r } = await explainSite({
      reads, reference, models, contig: s.chrom, position: s.pos, alleles: { refBases: s.ref, altBases: [s.alt] }, sampleName: 'HG003-sim',
      stages: { occlusion: false, curves: false },
    });
    kinds.push(`${s.chrom}:${s.pos} ${r.verdict.kind}`);
    const cls = (i: number, j: number): string => {
      const c = r.crossRun[i]![j]!;
      return c.candidate ? c.genotypeClass ?? '-' : 'hom-ref'; // no candidate: DeepVariant emits nothing (a reference call)
    };
    if (s.chrom === 'chr21' && s.pos === 30058) {
      assert.equal(r.verdict.kind, 'inputs', r.verdict.text);
      // default's own thresholds make no candidate (its 20 alt reads are dropped); retrained's do.
      assert.equal(r.crossRun[0]![0]!.candidate, false);
      assert.equal(r.crossRun[1]![1]!.candidate, true);
      assert.equal(r.crossRun[0]![0]!.ad[1], 0, 'default counts no alt read');
      assert.ok(r.crossRun[1]![1]!.ad[1]! >= 8, `retrained counts ${r.crossRun[1]![1]!.ad[1]} alt reads`);
      // Same images, same call: each column agrees, the diagonal does not.
      for (const j of [0, 1]) assert.equal(cls(0, j), cls(1, j), `column ${j}`);
      assert.notEqual(cls(0, 0), cls(1, 1));
    } else {
      assert.equal(r.verdict.kind, 'weights', `${s.chrom}:${s.pos}: ${r.verdict.text}`);
      for (const i of [0, 1]) assert.equal(cls(i, 0), cls(i, 1), `row ${i}: the model keeps its call on the other's images`);
    }
  }
  assert.equal(kinds.filter((k) => k.endsWith(' inputs')).length, 1, kinds.join(', '));
  assert.equal(kinds.filter((k) => k.endsWith(' weights')).length, 7, kinds.join(', '));
});

test('the demo report explains each disputed site: the planted one as inputs, the others as weights', () => {
  const html = readFileSync(join(demo, 'report.html'), 'utf8');
  const sections = html.split('<section class="site"').slice(1);
  const verdictOf = (locus: string): string | undefined => {
    const s = sections.find((x) => x.includes(`>#`) && new RegExp(`#\\d+ ${locus} `).test(x));
    return s ? /class="verdict ([a-z]+)"/.exec(s)?.[1] : undefined;
  };
  assert.equal(verdictOf('chr21:30058'), 'inputs');
  for (const s of disputes().filter((x) => x.pos !== 30058)) assert.equal(verdictOf(`${s.chrom}:${s.pos}`), 'weights', `${s.chrom}:${s.pos}`);
  // Each explained site carries its 2×2 and the overlay and curve images as data: URIs (no script).
  assert.ok(sections.every((x) => !x.includes('class="why"') || (x.includes('table class="cross-run"') && x.includes('alt="curves.png"'))));
  assert.doesNotMatch(html, /<script/i);
});
