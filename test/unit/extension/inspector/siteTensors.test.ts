/**
 * The inspector's host logic without VS Code (src/extension/inspector/siteTensors.ts, modelService.ts)
 * on the demo workspace (scripts/demo.mjs: HG003-sim reads, models default + retrained, the
 * VCFs `variant-lens call` wrote):
 *  - the reads source gives buildSiteExamples' images for the first model's settings, and
 *    hover answers that match `samtools view` for the hovered read;
 *  - every model's GT/QUAL at a site equal `bcftools query` on the VCF `call` wrote;
 *  - the training-data sentence and the untrusted refusal;
 *  - the examples source gives DeepVariant's golden example (../shared/data).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readExamples } from '../../../../src/core/io/examples/examplesFile';
import { shutdownInference } from '../../../../src/core/model/inferenceHost';
import { readModelCard } from '../../../../src/core/model/modelCard';
import { modelPipeline } from '../../../../src/core/model/makeExamplesParams';
import { readExampleInfo } from '../../../../src/core/io/examples/exampleInfo';
import { buildSiteExamples } from '../../../../src/core/pileup/siteExamples';
import { openAlignments } from '../../../../src/core/io/sam/alignmentReader';
import { openReference } from '../../../../src/core/io/fasta/fastaReader';
import { ModelService, summarizeContigs, trainingSentence, type ModelServiceConfig } from '../../../../src/extension/inspector/modelService';
import { SiteSources, readsFor, type SiteSourceConfig } from '../../../../src/extension/inspector/siteTensors';
import type { SiteRecord } from '../../../../src/protocol/protocol';
import { ensureDemoWorkspace } from '../../../helpers/demoWorkspace';
import { dv, sharedTest } from '../../../helpers/paths';

let demo: string;
let cfg: ModelServiceConfig;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
}

/** A SiteRecord as the table builds it, from `bcftools query` fields of one record. */
function siteOf(file: string, chrom: string, pos: number): SiteRecord {
  const [line] = sh('bcftools', ['query', '-r', `${chrom}:${pos}`, '-f', '%CHROM\t%POS\t%REF\t%ALT\t%QUAL\t%FILTER\t[%GT]\t[%GQ]\t[%PL]\n', file]).trim().split('\n');
  const [c, p, ref, alt, qual, filter, gt, gq, pl] = line!.split('\t');
  const sample = sh('bcftools', ['query', '-l', file]).trim();
  return {
    file, row: 0, chrom: c!, pos: Number(p), ref: ref!, alt: alt!, id: '.', qual: qual!, filter: filter!,
    samples: [{ name: sample, gt: gt!, gq: gq!, dp: '', ad: '', vaf: '', pl: pl! }], info: [], line: line!,
  };
}

before(async () => {
  demo = await ensureDemoWorkspace();
  const s = JSON.parse(readFileSync(join(demo, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
  const reads = s['variantLens.reads'] as Record<string, string>;
  cfg = {
    trusted: true,
    reads: { bySample: new Map(Object.entries(reads).map(([k, v]) => [k, join(demo, v)])), unnamed: [] },
    reference: join(demo, s['variantLens.reference'] as string),
    examples: [],
    models: (s['variantLens.models'] as { name: string; path: string }[]).map((m) => ({ name: m.name, path: join(demo, m.path) })),
    untrustedReason: 'untrusted for the test',
  };
});

after(async () => {
  await shutdownInference();
});

/** The first record of default.vcf.gz that both models called non-ref (bcftools). */
function bothCalledSite(): { chrom: string; pos: number } {
  const q = (f: string): Map<string, string> => new Map(sh('bcftools', ['query', '-f', '%CHROM:%POS\t[%GT]\n', join(demo, f)]).trim().split('\n').map((l) => l.split('\t') as [string, string]));
  const a = q('default.vcf.gz');
  const b = q('retrained.vcf.gz');
  const key = [...a].find(([k, gt]) => /1/.test(gt) && /1/.test(b.get(k) ?? ''))![0];
  const [chrom, pos] = key.split(':');
  return { chrom: chrom!, pos: Number(pos) };
}

test('reads source: the first model\'s images (buildSiteExamples) and hover details equal to samtools view', { timeout: 120_000 }, async () => {
  const { chrom, pos } = bothCalledSite();
  const site = siteOf(join(demo, 'default.vcf.gz'), chrom, pos);
  const service = new ModelService(() => cfg, undefined as never);
  const sources = new SiteSources(() => cfg, (signal) => service.encoderChoice(signal));
  const r = await sources.tensors(site, new AbortController().signal);
  assert.ok(r.tensors.length >= 1, r.note);
  assert.match(r.tensors[0]!.source, /^reads: HG003-sim\.bam \(Variant Lens encoder, default's make_examples settings\)$/);

  // Independent build with the default model's card + example_info.
  const dir = cfg.models[0]!.path;
  const info = await readExampleInfo(join(dir, 'example_info.json'));
  const card = (await readModelCard(join(dir, 'model_card.json'), info)).card;
  const bam = await openAlignments(cfg.reads.bySample.get('HG003-sim')!);
  const ref = await openReference(cfg.reference!);
  const expected = await buildSiteExamples({ reads: bam, reference: ref, contig: chrom, position: pos, options: modelPipeline(info, card?.makeExamplesParams, dir).options, alleles: { refBases: site.ref, altBases: site.alt.split(',') } });
  assert.equal(r.tensors.length, expected.examples.length);
  r.tensors.forEach((t, i) => {
    const e = expected.examples[i]!;
    assert.equal(t.altLabel, e.altAlleles.join(','));
    assert.deepEqual([t.height, t.width, t.channels], [e.tensor.height, e.tensor.width, [...e.tensor.channels]]);
    assert.ok(Buffer.from(t.data).equals(Buffer.from(e.tensor.data)), `image ${i} differs`);
    assert.equal(t.candidateColumn, (t.width - 1) / 2);
    assert.equal(t.windowBases![t.candidateColumn!], site.ref[0]);
  });

  // Hover the candidate column of the first read row; compare the read with samtools.
  const t0 = r.tensors[0]!;
  const row = t0.refRows!;
  const h = r.hover!(0, row, t0.candidateColumn!);
  assert.ok(h && h.region === 'read' && h.read, JSON.stringify(h));
  assert.equal(h.pos, pos);
  assert.equal(h.refBase, site.ref[0]);
  const sam = sh('samtools', ['view', cfg.reads.bySample.get('HG003-sim')!, `${chrom}:${pos}-${pos}`]).trim().split('\n').map((l) => l.split('\t'));
  const mate = (flag: number): number => (flag & 0x40 ? 1 : flag & 0x80 ? 2 : 0);
  const rec = sam.find((f) => f[0] === h.read!.name && mate(Number(f[1])) === h.read!.mate);
  assert.ok(rec, `read ${h.read.name} not in samtools view ${chrom}:${pos}`);
  assert.equal(h.read.flags, Number(rec[1]));
  assert.equal(h.read.start, Number(rec[3]));
  assert.equal(h.read.mapq, Number(rec[4]));
  assert.equal(h.read.cigar, rec[5]);
  assert.equal(h.read.insertSize, Number(rec[8]));
  assert.equal(h.read.strand, Number(rec[1]) & 0x10 ? '-' : '+');
  // The base at the column: from the read sequence where the CIGAR is a plain match from its start.
  if (/^\d+M$/.test(rec[5]!)) {
    const off = pos - Number(rec[3]);
    assert.equal(h.base, rec[9]![off]);
    assert.equal(h.baseQuality, rec[10]!.charCodeAt(off) - 33);
    assert.equal(h.op, 'M');
  }
  assert.equal(r.hover!(0, 0, 0)?.region, 'reference');
  await Promise.all([sources.reset(), bam.close(), ref.close()]);
});

test('models: GT/QUAL of both models equal the VCFs `variant-lens call` wrote (bcftools query)', { timeout: 180_000 }, async () => {
  const { chrom, pos } = bothCalledSite();
  const site = siteOf(join(demo, 'default.vcf.gz'), chrom, pos);
  const sources = new SiteSources(() => cfg);
  const states: string[] = [];
  const service = new ModelService(() => cfg, sources, (s) => states.push(s.kind));
  const { comparison, results } = await service.compare(site, new AbortController().signal);
  assert.equal(comparison.state, 'done', comparison.message);
  assert.deepEqual(comparison.calls.map((c) => c.model), ['default', 'retrained']);
  assert.equal(results.length, 2);
  for (const c of comparison.calls) {
    const [gt, qual] = sh('bcftools', ['query', '-r', `${chrom}:${pos}`, '-f', '[%GT]\t%QUAL\n', join(demo, `${c.model}.vcf.gz`)]).trim().split('\t');
    assert.equal(c.gt, gt, `${c.model} GT`);
    assert.equal(c.qual, qual, `${c.model} QUAL`);
    assert.equal(c.images.length, results.find((r) => r.name === c.model)!.result.site.examples.length);
    for (const im of c.images) assert.ok(Math.abs(im.probabilities.reduce((x, y) => x + y, 0) - 1) < 1e-3);
  }
  assert.ok(states.includes('running') && states.at(-1) === 'ready', states.join(','));
  // chr20 is held out from both demo models (their cards), so is HG003-sim.
  for (const c of comparison.calls) {
    assert.equal(c.training.inTraining, false);
    assert.match(c.training.text, /trained on chr1–19 of HG001-sim, HG002-sim: this site \(chr20, HG003-sim\) — sample held out, contig held out/);
  }
  await sources.reset();
});

test('training sentence, contig summary, reads choice, untrusted refusal', async () => {
  const dir = cfg.models[0]!.path;
  const card = (await readModelCard(join(dir, 'model_card.json'))).card;
  const t = trainingSentence('default', card, 'chr5', 'HG003-sim', 1000);
  assert.equal(t.inTraining, false);
  assert.equal(t.text, 'default was trained on chr1–19 of HG001-sim, HG002-sim: this site (chr5, HG003-sim) — sample held out, contig seen in training; not in the training data');
  const inside = trainingSentence('default', card, 'chr5', 'HG001-sim', 1000);
  assert.equal(inside.inTraining, true);
  assert.match(inside.text, /sample seen in training, contig seen in training; INSIDE the training data/);
  assert.equal(summarizeContigs(['chr20', 'chr21', 'chr22']), 'chr20–22');
  assert.equal(summarizeContigs(['chr1', 'chrX']), 'chr1, chrX');

  const site = { samples: [{ name: 'HG003-sim (A: default.vcf.gz)' }] } as unknown as SiteRecord;
  assert.deepEqual(readsFor(site, { bySample: new Map([['HG003-sim', '/x.bam']]), unnamed: [] }), { path: '/x.bam', sample: 'HG003-sim' });
  assert.equal(readsFor(site, { bySample: new Map([['a', '/a.bam'], ['b', '/b.bam']]), unnamed: [] }), undefined);

  const untrusted: ModelServiceConfig = { ...cfg, trusted: false };
  const sources = new SiteSources((): SiteSourceConfig => untrusted);
  const service = new ModelService(() => untrusted, sources);
  assert.equal(service.state.kind, 'disabled');
  const real = siteOf(join(demo, 'default.vcf.gz'), bothCalledSite().chrom, bothCalledSite().pos);
  const r = await sources.tensors(real, new AbortController().signal);
  assert.equal(r.tensors.length, 0);
  assert.match(r.note!, /untrusted workspace/);
  const c = await service.compare(real, new AbortController().signal);
  assert.equal(c.comparison.state, 'disabled');
  assert.equal(c.comparison.message, 'untrusted for the test');
  await assert.rejects(service.models(), /untrusted for the test/);
});

sharedTest('examples source: DeepVariant\'s golden example for a site, with its source', async () => {
  const golden = dv('golden.calling_examples.tfrecord.gz');
  // The golden file read front to back (readExamples, not the index the source uses).
  const all: { contig: string; start: number; alts: string[]; idx: number[]; data: Uint8Array }[] = [];
  for await (const r of readExamples(golden)) {
    all.push({ contig: r.example.variant.referenceName, start: r.example.variant.start, alts: r.example.variant.alternateBases, idx: r.example.altAlleleIndices, data: r.example.tensor.data.slice() });
  }
  // A multi-allelic site if the window has one (one image per alt combination), else the first.
  const counts = new Map<string, number>();
  for (const e of all) counts.set(`${e.contig}:${e.start}`, (counts.get(`${e.contig}:${e.start}`) ?? 0) + 1);
  const [key] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  const want = all.filter((e) => `${e.contig}:${e.start}` === key);
  const conf: SiteSourceConfig = { trusted: true, reads: { bySample: new Map(), unnamed: [] }, reference: undefined, examples: [golden] };
  const sources = new SiteSources(() => conf);
  const site = { file: 'x.vcf', row: 0, chrom: want[0]!.contig, pos: want[0]!.start + 1, ref: 'N', alt: want[0]!.alts.join(','), id: '.', qual: '.', filter: '.', samples: [], info: [], line: '' } as SiteRecord;
  const r = await sources.tensors(site, new AbortController().signal);
  assert.equal(r.tensors.length, want.length);
  r.tensors.forEach((t, i) => {
    assert.equal(t.source, 'examples: golden.calling_examples.tfrecord.gz (DeepVariant)');
    assert.deepEqual([t.height, t.width, t.channels.length], [100, 221, 6]);
    assert.equal(t.altLabel, want[i]!.idx.map((k) => want[i]!.alts[k]).join(','));
    assert.ok(Buffer.from(t.data).equals(Buffer.from(want[i]!.data)), `example ${i} differs from the golden record`);
  });
  assert.equal(r.hover, undefined);
  // A site without an example says so (and there are no reads to fall back to).
  const none = await sources.tensors({ ...site, pos: 1 }, new AbortController().signal);
  assert.equal(none.tensors.length, 0);
  assert.match(none.note!, /no DeepVariant example at chr20:1 in golden\.calling_examples\.tfrecord\.gz/);
});
