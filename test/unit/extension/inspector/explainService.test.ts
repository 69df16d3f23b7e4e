/**
 * The inspector's explanation service (src/extension/inspector/explainService.ts) on the demo
 * workspace: the planted site chr21:30058 comes back as an "inputs" ExplanationView whose
 * cross-run equals explainSite's, whose attribution overlays are matched to exactly the shown
 * tabs with the same pixels, and whose progress reports the cross-run first; what the user
 * must fix (one model, untrusted, no reads) is one clear error; an aborted run stops.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { shutdownInference } from '../../../../src/core/model/inferenceHost';
import { loadModel } from '../../../../src/core/model/onnxModel';
import { explainInspectorSite, explanationView, type ExplainServiceDeps } from '../../../../src/extension/inspector/explainService';
import type { NamedModel } from '../../../../src/extension/inspector/modelLoader';
import type { ModelServiceConfig } from '../../../../src/extension/inspector/modelService';
import { SiteSources } from '../../../../src/extension/inspector/siteTensors';
import { EXPLAIN_LEGEND_WIDTH } from '../../../../src/protocol/explainProtocol';
import type { SiteRecord, TensorPayload } from '../../../../src/protocol/protocol';
import { ensureDemoWorkspace } from '../../../helpers/demoWorkspace';

let demo = '';
let cfg: ModelServiceConfig;
let named: NamedModel[] = [];

before(async () => {
  demo = await ensureDemoWorkspace();
  cfg = {
    trusted: true, untrustedReason: 'untrusted for the test',
    reads: { bySample: new Map([['HG003-sim', join(demo, 'data', 'HG003-sim.bam')]]), unnamed: [] },
    reference: join(demo, 'data', 'reference.fa'), examples: [],
    models: [{ name: 'dv-base', path: join(demo, 'models', 'default') }, { name: 'dv-tuned', path: join(demo, 'models', 'retrained') }],
  };
  named = [
    { name: 'dv-base', model: await loadModel(join(demo, 'models', 'default')) },
    { name: 'dv-tuned', model: await loadModel(join(demo, 'models', 'retrained')) },
  ];
});

after(async () => {
  await shutdownInference();
});

const site: SiteRecord = {
  file: '/demo/retrained.vcf.gz', row: 0, chrom: 'chr21', pos: 30058, ref: 'T', alt: 'C', id: '.', qual: '72.2', filter: 'PASS',
  samples: [{ name: 'HG003-sim', gt: '1/1', gq: '39', dp: '', ad: '', vaf: '', pl: '' }], info: [], line: 'chr21\t30058\t.\tT\tC',
};

function deps(over: Partial<ModelServiceConfig> = {}, models = named): ExplainServiceDeps {
  const config = (): ModelServiceConfig => ({ ...cfg, ...over });
  return { config, sources: new SiteSources(config), models: () => Promise.resolve(models) };
}

test('the planted site: verdict inputs, cross-run first in the progress, overlays on the tabs with the same pixels', { timeout: 300_000 }, async () => {
  const stages: string[] = [];
  let firstCrossRun: number | undefined;
  const e = await explainInspectorSite(deps(), site, new AbortController().signal, (p, names) => {
    stages.push(p.stage);
    if (p.crossRun && firstCrossRun === undefined) firstCrossRun = stages.length;
    assert.deepEqual(names, ['dv-base', 'dv-tuned']);
  });
  assert.ok(firstCrossRun !== undefined && stages.indexOf('occlusion') >= firstCrossRun - 1, `cross-run known before the occlusion: ${stages.join(',')}`);
  // The shown tabs: dv-tuned's own image, then an unrelated one (same size, other pixels).
  const own = e.output.ownSites[1]!.examples[0]!.tensor;
  const other = { ...own, data: own.data.map((v) => 255 - v) };
  const tab = (t: typeof own): TensorPayload => ({ height: t.height, width: t.width, channels: [...t.channels], data: t.data, source: 'test', altLabel: 'C' });
  const v = explanationView(4, e, [tab(other), tab(own)]);
  assert.equal(v.generation, 4);
  assert.equal(v.state, 'done');
  assert.deepEqual(v.models, ['dv-base', 'dv-tuned']);
  assert.equal(v.verdict?.kind, 'inputs');
  assert.deepEqual(v.crossRun?.map((r) => r.map((c) => c.probs)), e.output.result.crossRun.map((r) => r.map((c) => c.probs)));
  const b = v.overlays?.find((o) => o.mode === 'b');
  assert.ok(b, 'an overlay for the second model');
  assert.deepEqual(b.tensors, [1], 'only the tab whose pixels are its own image');
  assert.equal(b.rgba.length, own.width * own.height * 4);
  const a = v.overlays!.find((o) => o.mode === 'a')!;
  assert.equal(a.scale, b.scale, 'A and B share one scale');
  assert.ok(b.scale > 0);
  assert.ok(b.rgba.some((x, i) => i % 4 === 3 && x > 0), 'something is attributed');
  assert.equal(v.legend?.length, EXPLAIN_LEGEND_WIDTH * 4);
  assert.equal(v.curves?.length, 4);
  for (const c of v.curves!) for (const m of c.models) assert.ok(m.x.length >= 10, `${c.name}: ${m.x.length} points`);
  assert.equal(v.channels?.length, own.channels.length);
  assert.ok((v.reads?.length ?? 0) > 0 && v.reads!.length <= 8);
});

test('what the user must fix is one clear error; an aborted run stops', async () => {
  await assert.rejects(explainInspectorSite(deps({ trusted: false }), site, new AbortController().signal), /untrusted for the test/);
  await assert.rejects(explainInspectorSite(deps({ models: cfg.models.slice(0, 1) }), site, new AbortController().signal), /needs two models.*\(1 configured\)/);
  await assert.rejects(explainInspectorSite(deps({ reads: { bySample: new Map(), unnamed: [] } }), site, new AbortController().signal), /No reads for sample HG003-sim/);
  await assert.rejects(explainInspectorSite(deps({}, named.slice(0, 1)), site, new AbortController().signal), /two models that load \(1 did\)/);
  const ctrl = new AbortController();
  ctrl.abort();
  await assert.rejects(explainInspectorSite(deps(), site, ctrl.signal), (e: Error) => e.name === 'AbortError' || /abort|cancel/i.test(e.message));
  assert.ok(readFileSync(join(demo, 'README.md'), 'utf8').includes('chr21:30058'));
});
