/**
 * The inspector's "inside the network" and raw ↔ realigned answers on the demo workspace:
 *  - inspectorLayers: both demo models on the shown image, their default layers' maps on the
 *    pileup grid (255 outside the columns the demo CNNs read), the per-layer similarity; a
 *    model against itself is identical at every layer;
 *  - RealignService: at an indel the realigner changes (chr22:7856 C>CG of the demo), the raw
 *    and realigned pileups differ, the changed rows are marked, AD differs before and after,
 *    and each model's call before equals what it says on the raw reads (ModelService), after
 *    on the realigned ones.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { shutdownInference } from '../../../../src/core/model/inferenceHost';
import { pipelineOptions } from '../../../../src/core/pileup/siteExamples';
import { inspectorLayers } from '../../../../src/extension/inspector/layerService';
import { ModelLoader } from '../../../../src/extension/inspector/modelLoader';
import { ModelService, type ModelServiceConfig } from '../../../../src/extension/inspector/modelService';
import { RealignService, realignMarks } from '../../../../src/extension/inspector/realignService';
import { SiteSources } from '../../../../src/extension/inspector/siteTensors';
import type { SiteRecord } from '../../../../src/protocol/protocol';
import { ensureDemoWorkspace } from '../../../helpers/demoWorkspace';

let demo: string;
let cfg: ModelServiceConfig;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
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
    untrustedReason: 'untrusted for the test',
    models: (s['variantLens.models'] as { name: string; path: string }[]).map((m) => ({ name: m.name, path: join(demo, m.path) })),
  };
});

after(async () => {
  await shutdownInference();
});

/** The record of default.vcf.gz at chrom:pos, as the table gives it. */
function siteAt(chrom: string, pos: number): SiteRecord {
  const file = join(demo, 'default.vcf.gz');
  const line = sh('bcftools', ['view', '-H', '-r', `${chrom}:${pos}`, file]).split('\n').find((l) => l.split('\t')[1] === String(pos))!;
  const f = line.split('\t');
  const sample = sh('bcftools', ['query', '-l', file]).trim();
  return {
    file, row: 0, chrom: f[0]!, pos: Number(f[1]), ref: f[3]!, alt: f[4]!, id: '.', qual: f[5]!, filter: f[6]!,
    samples: [{ name: sample, gt: '', gq: '', dp: '', ad: '', vaf: '', pl: '' }], info: [], line,
  };
}

test('layers: both demo models on the shown image, maps on the pileup grid, per-layer similarity', async () => {
  const signal = new AbortController().signal;
  const loader = new ModelLoader(() => cfg);
  const sources = new SiteSources(() => cfg, (s) => loader.encoderChoice(s));
  try {
    const shown = await sources.tensors(siteAt('chr22', 7856), signal);
    assert.ok(shown.tensors.length >= 1);
    const models = await loader.models(signal);
    const r = await inspectorLayers(models, shown.tensors, 0, signal);
    assert.deepEqual(r.models.map((m) => m.model), ['default', 'retrained']);
    const t = shown.tensors[0]!;
    for (const m of r.models) {
      assert.deepEqual(m.layers.map((l) => l.layer), ['conv1', 'conv2', 'conv3']);
      assert.ok(m.probabilities.length === 3 && Math.abs(m.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3);
      for (const l of m.layers) {
        assert.equal(l.top.length, 3);
        for (const map of [l.mean, ...l.top]) {
          assert.equal(map.height, t.height);
          assert.equal(map.width, t.width);
          assert.equal(map.data.length, t.height * t.width);
          // The demo CNNs read the centre columns only: column 0 is outside, the candidate column inside.
          assert.equal(map.data[0], 255);
          assert.ok(map.data[t.candidateColumn!]! <= 254);
          assert.ok(map.max >= map.min);
        }
      }
    }
    assert.equal(r.comparedOn, 'layers');
    assert.deepEqual(r.similarity.map((l) => l.layer), ['conv1', 'conv2', 'conv3']);
    assert.ok(r.similarity.every((l) => l.cka !== null && l.cka >= 0 && l.cka <= 1 + 1e-9));
    assert.ok(r.summary.length > 20);
    // The same model twice: identical at every layer.
    const same = await inspectorLayers([models[0]!, { ...models[0]!, name: 'default again' }], shown.tensors, 0, signal);
    assert.ok(same.similarity.every((l) => Math.abs(l.cka! - 1) < 1e-6), JSON.stringify(same.similarity));
    assert.equal(same.firstDivergent, null);
    await assert.rejects(inspectorLayers(models, shown.tensors, shown.tensors.length, signal), /no image/);
  } finally {
    await sources.reset();
  }
});

test('raw ↔ realigned at an indel: pileups differ, rows marked, AD and calls before and after', async () => {
  const signal = new AbortController().signal;
  const site = siteAt('chr22', 7856);
  const loader = new ModelLoader(() => cfg);
  const sources = new SiteSources(() => cfg, (s) => loader.encoderChoice(s));
  const service = new RealignService({ config: () => cfg, sources, models: (s) => loader.models(s), encoderChoice: (s) => loader.encoderChoice(s) });
  try {
    const r = await service.compare(site, signal);
    assert.equal(r.raw.length, r.realigned.length);
    assert.ok(r.raw.length >= 1);
    const differ = r.raw.some((t, i) => Buffer.compare(Buffer.from(t.data), Buffer.from(r.realigned[i]!.data)) !== 0);
    assert.ok(differ, 'the realigner changes the picture at this indel');
    assert.ok(r.marks.length > 0);
    for (const m of r.marks) {
      assert.ok(m.row >= 5 && m.row < r.realigned[0]!.height);
      assert.ok(m.kind === 'entered' ? m.before === undefined : m.before !== m.after);
    }
    assert.deepEqual(r.models.map((m) => m.model), ['default', 'retrained']);
    for (const m of r.models) {
      assert.equal(m.realignsReads, false, 'the demo models were trained without realignment');
      assert.notEqual(m.raw.ad, m.realigned.ad, `${m.model}: AD ${m.raw.ad} vs ${m.realigned.ad}`);
      assert.ok(m.raw.probabilities.length === 3 && m.realigned.probabilities.length === 3);
    }
    assert.match(r.summary, /^IGV shows \d+ CG reads? of DP \d+; after realignment the model saw \d+ of DP \d+/);
    // "before" is what the inspector's model table says (the models' own settings: no realignment).
    const compared = await new ModelService(() => cfg, sources, () => undefined, loader).compare(site, signal);
    for (const [i, c] of compared.comparison.calls.entries()) {
      assert.equal(r.models[i]!.raw.gt, c.gt, c.model);
      assert.equal(r.models[i]!.raw.gq, c.gq, c.model);
      assert.deepEqual(r.models[i]!.raw.probabilities, c.images[0]!.probabilities);
    }
    // The marks are those of the two encodings, computed independently.
    const o = pipelineOptions();
    const raw = (await sources.siteExamples(site.chrom, site.pos, { refBases: site.ref, altBases: [site.alt] }, cfg.reads.bySample.get('HG003-sim')!, cfg.reference!, signal, { ...o, realignReads: false })).site;
    const re = (await sources.siteExamples(site.chrom, site.pos, { refBases: site.ref, altBases: [site.alt] }, cfg.reads.bySample.get('HG003-sim')!, cfg.reference!, signal, { ...o, realignReads: true })).site;
    assert.deepEqual(realignMarks(raw, raw), { marks: [], dropped: [], droppedRows: [] });
    // A read row removed from the realigned rows is named with its raw row.
    const gone = raw.rows[3]!;
    const without = realignMarks(raw, { rows: raw.rows.filter((r) => r !== gone) });
    assert.deepEqual([without.dropped, without.droppedRows, without.marks], [[gone.name], [gone.row], []]);
    assert.equal(r.dropped.length, r.droppedRows.length);
    assert.ok(realignMarks(raw, re).marks.length > 0);
  } finally {
    await sources.reset();
  }
});

test('raw ↔ realigned needs the reads: a clear error without them', async () => {
  const none: ModelServiceConfig = { ...cfg, reads: { bySample: new Map(), unnamed: [] } };
  const sources = new SiteSources(() => none);
  const service = new RealignService({ config: () => none, sources, models: async () => [], encoderChoice: async () => ({ options: pipelineOptions(), label: 'defaults' }) });
  await assert.rejects(service.compare(siteAt('chr22', 7856), new AbortController().signal), /needs the reads \(variantLens\.reads\)/);
});
