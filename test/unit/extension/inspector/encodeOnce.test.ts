/**
 * One inspector path (src/core/model/siteImages.ts): the inspector's picture (SiteSources.tensors)
 * and every model's call (ModelService.compare) share the site's encodings, so a site is encoded
 * once per distinct make_examples settings. The encoder is a spy around buildSiteExamples
 * injected into SiteSources; the models are the demo workspace's (default, retrained: different
 * settings), or `default` twice under two names (equal settings).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { shutdownInference } from '../../../../src/core/model/inferenceHost';
import { pipelineKey } from '../../../../src/core/model/makeExamplesParams';
import { buildSiteExamples, type SiteRequest } from '../../../../src/core/pileup/siteExamples';
import { ModelLoader } from '../../../../src/extension/inspector/modelLoader';
import { ModelService, tensorsWithModels, type ModelServiceConfig } from '../../../../src/extension/inspector/modelService';
import { SiteSources } from '../../../../src/extension/inspector/siteTensors';
import type { SiteRecord } from '../../../../src/protocol/protocol';
import { ensureDemoWorkspace } from '../../../helpers/demoWorkspace';

let demo: string;
let base: Omit<ModelServiceConfig, 'models'>;
let modelDirs: { name: string; path: string }[];

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
}

before(async () => {
  demo = await ensureDemoWorkspace();
  const s = JSON.parse(readFileSync(join(demo, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
  const reads = s['variantLens.reads'] as Record<string, string>;
  base = {
    trusted: true,
    reads: { bySample: new Map(Object.entries(reads).map(([k, v]) => [k, join(demo, v)])), unnamed: [] },
    reference: join(demo, s['variantLens.reference'] as string),
    examples: [],
    untrustedReason: 'untrusted for the test',
  };
  modelDirs = (s['variantLens.models'] as { name: string; path: string }[]).map((m) => ({ name: m.name, path: join(demo, m.path) }));
});

after(async () => {
  await shutdownInference();
});

/** A called site of default.vcf.gz, as the table gives it. */
function someSite(): SiteRecord {
  const file = join(demo, 'default.vcf.gz');
  const [line] = sh('bcftools', ['view', '-H', '-i', 'GT="alt"', file]).split('\n');
  const f = line!.split('\t');
  const sample = sh('bcftools', ['query', '-l', file]).trim();
  return {
    file, row: 0, chrom: f[0]!, pos: Number(f[1]), ref: f[3]!, alt: f[4]!, id: '.', qual: f[5]!, filter: f[6]!,
    samples: [{ name: sample, gt: '', gq: '', dp: '', ad: '', vaf: '', pl: '' }], info: [], line: line!,
  };
}

/** The inspector's sequence for one site (inspectorPanel.ts setSite): pictures, then the models. */
async function inspect(models: readonly { name: string; path: string }[]): Promise<{ calls: SiteRequest[]; tensors: Awaited<ReturnType<SiteSources['tensors']>>; compared: Awaited<ReturnType<ModelService['compare']>> }> {
  const cfg: ModelServiceConfig = { ...base, models };
  const calls: SiteRequest[] = [];
  const spy = (req: SiteRequest): ReturnType<typeof buildSiteExamples> => {
    calls.push(req);
    return buildSiteExamples(req);
  };
  const loader = new ModelLoader(() => cfg);
  const sources = new SiteSources(() => cfg, (signal) => loader.encoderChoice(signal), spy);
  const service = new ModelService(() => cfg, sources, () => undefined, loader);
  const site = someSite();
  const signal = new AbortController().signal;
  try {
    const tensors = await sources.tensors(site, signal);
    const compared = await service.compare(site, signal);
    return { calls, tensors, compared };
  } finally {
    await sources.reset();
  }
}

test('two models with equal make_examples settings: the site is encoded once, for the picture and both models', { timeout: 180_000 }, async () => {
  const d = modelDirs.find((m) => m.name === 'default')!;
  const { calls, tensors, compared } = await inspect([d, { name: 'default-again', path: d.path }]);
  assert.equal(compared.comparison.state, 'done', compared.comparison.message);
  assert.equal(compared.results.length, 2);
  assert.equal(calls.length, 1, `encoder calls: ${calls.map((c) => `${c.contig}:${c.position}`).join(', ')}`);
  assert.ok(tensors.tensors.length >= 1, tensors.note);
  // Both models saw the very encoding the inspector shows: every shown tab is "seen by" both.
  for (const r of compared.results) assert.equal(r.result.site, tensors.siteExamples);
  const tabs = tensorsWithModels(tensors, compared.results);
  assert.equal(tabs.length, tensors.tensors.length);
  for (const t of tabs) assert.deepEqual(t.seenBy, ['default', 'default-again']);
});

test('two models with different make_examples settings: the site is encoded twice, once per settings', { timeout: 180_000 }, async () => {
  const { calls, tensors, compared } = await inspect(modelDirs);
  assert.deepEqual(modelDirs.map((m) => m.name), ['default', 'retrained']);
  assert.equal(compared.comparison.state, 'done', compared.comparison.message);
  assert.equal(calls.length, 2, `encoder calls: ${calls.length}`);
  assert.notEqual(pipelineKey(calls[0]!.options!), pipelineKey(calls[1]!.options!));
  // The picture is the first model's encoding, reused by that model's call.
  assert.equal(compared.results[0]!.result.site, tensors.siteExamples);
  assert.notEqual(compared.results[1]!.result.site, tensors.siteExamples);
  // Walking back to the same site encodes nothing new while the settings are unchanged.
  const cfg: ModelServiceConfig = { ...base, models: modelDirs };
  let again = 0;
  const loader = new ModelLoader(() => cfg);
  const sources = new SiteSources(() => cfg, (signal) => loader.encoderChoice(signal), (req) => { again++; return buildSiteExamples(req); });
  const service = new ModelService(() => cfg, sources, () => undefined, loader);
  const site = someSite();
  for (let i = 0; i < 2; i++) {
    await sources.tensors(site, new AbortController().signal);
    await service.compare(site, new AbortController().signal);
  }
  await sources.reset();
  assert.equal(again, 2);
});
