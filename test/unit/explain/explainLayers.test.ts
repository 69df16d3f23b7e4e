/**
 * `variant-lens explain --layers` on the simulated dataset with the demo models: layers.json
 * (per model outputs and per-layer statistics, the per-layer similarity), one PNG per model and
 * the similarity plot; a model against itself is identical at every layer; an unknown layer
 * name fails before the explanation runs, listing the available layers.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runExplain } from '../../../src/cli/commands/explain';
import type { CliContext } from '../../../src/cli/framework/command';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import type { SiteLayersJson } from '../../../src/core/model/activations/layerFigures';
import { PROJECT_ROOT, TEST_CACHE } from '../../helpers/paths';
import { ensureSimulatedDataset } from '../../helpers/simData';

const SAMPLE = 'HG003-sim';
const DEFAULT_MODEL = join(PROJECT_ROOT, 'models', 'default');
const RETRAINED_MODEL = join(PROJECT_ROOT, 'models', 'retrained');
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
let sim = '';

before(async () => {
  sim = await ensureSimulatedDataset(1);
});

after(async () => {
  await shutdownInference();
});

async function explain(dir: string, ...extra: string[]): Promise<{ code: number; lines: string[] }> {
  rmSync(dir, { recursive: true, force: true });
  const lines: string[] = [];
  const ctx: CliContext = { signal: new AbortController().signal, progress: (l) => lines.push(l), out: (t) => lines.push(t) };
  const code = await runExplain(['--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'), '--locus', 'chr21:16799', '--out', dir, ...extra], ctx);
  return { code, lines };
}

describe('explain --layers', () => {
  test('the two demo models: layers.json, a PNG per model, the similarity plot', async () => {
    const dir = join(TEST_CACHE, `explain-layers-${process.pid}-a`);
    try {
      const { code, lines } = await explain(dir, '--model', DEFAULT_MODEL, '--model', RETRAINED_MODEL, '--layers');
      assert.equal(code, 0);
      const j = JSON.parse(readFileSync(join(dir, 'layers.json'), 'utf8')) as SiteLayersJson;
      assert.deepEqual(j.models.map((m) => m.name), ['default', 'retrained']);
      assert.deepEqual(j.models[0]!.summary.layers.map((l) => l.layer), ['conv1', 'conv2', 'conv3']);
      for (const m of j.models) {
        assert.ok(m.outputs.length >= 1 && m.outputs.every((o) => o.length === 3 && Math.abs(o[0]! + o[1]! + o[2]! - 1) < 1e-3));
        assert.ok(m.summary.layers.every((l) => l.dims.length === 3 && l.topChannels.length === 4 && l.max >= l.mean && l.mean >= l.min));
        assert.deepEqual([...readFileSync(join(dir, m.png!)).subarray(0, 8)], PNG);
      }
      assert.equal(j.comparison.kind, 'layers');
      assert.ok(j.similarity && j.similarity.corresponding);
      assert.deepEqual(j.similarity.layers.map((l) => l.layer), ['conv1', 'conv2', 'conv3']);
      assert.ok(j.similarity.layers.every((l) => l.cka !== undefined && l.cka >= 0 && l.cka <= 1 + 1e-9));
      // The retrained model is another training run: not identical at its first layer.
      assert.ok(j.similarity.layers[0]!.cka! < 0.9999, String(j.similarity.layers[0]!.cka));
      assert.deepEqual([...readFileSync(join(dir, 'similarity.png')).subarray(0, 8)], PNG);
      assert.ok(readFileSync(join(dir, 'similarity.svg'), 'utf8').startsWith('<svg'));
      assert.ok(lines.some((l) => l.startsWith('layers: ') && l.includes(j.comparison.text)));
      // The explanation itself is still written.
      assert.ok(existsSync(join(dir, 'explain.json')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a model against itself is identical at every layer', async () => {
    const dir = join(TEST_CACHE, `explain-layers-${process.pid}-b`);
    // The same weights under another name (explain refuses two models of the same name).
    const copy = join(TEST_CACHE, `explain-layers-${process.pid}-copy`);
    rmSync(copy, { recursive: true, force: true });
    cpSync(DEFAULT_MODEL, copy, { recursive: true });
    const card = JSON.parse(readFileSync(join(copy, 'model_card.json'), 'utf8')) as { name: string };
    writeFileSync(join(copy, 'model_card.json'), JSON.stringify({ ...card, name: 'default-copy' }));
    try {
      assert.equal((await explain(dir, '--model', DEFAULT_MODEL, '--model', copy, '--layer', 'conv2', '--layer', 'conv3')).code, 0);
      const j = JSON.parse(readFileSync(join(dir, 'layers.json'), 'utf8')) as SiteLayersJson;
      assert.deepEqual(j.similarity!.layers.map((l) => l.layer), ['conv2', 'conv3']);
      assert.ok(j.similarity!.layers.every((l) => Math.abs(l.cka! - 1) < 1e-6 && Math.abs(l.cosine - 1) < 1e-6));
      assert.equal(j.similarity!.firstDivergent, undefined);
      assert.match(j.comparison.text, /^identical at every layer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('a memory bound too small for every layer: the ones that fit are shown, the others named', async () => {
    const dir = join(TEST_CACHE, `explain-layers-${process.pid}-d`);
    try {
      const { code, lines } = await explain(dir, '--model', DEFAULT_MODEL, '--layer', 'all', '--max-activation-mb', '0.05');
      assert.equal(code, 0);
      const j = JSON.parse(readFileSync(join(dir, 'layers.json'), 'utf8')) as SiteLayersJson;
      const s = j.models[0]!.summary;
      assert.ok(s.omitted.length > 0 && s.layers.length > 0, `${s.layers.length} shown, ${s.omitted.length} omitted`);
      assert.ok(s.bytesPerImage <= 0.05 * 1048576);
      assert.ok(s.notes.some((n) => /memory bound of 0\.1 MiB per image/.test(n) || /memory bound/.test(n)), s.notes.join(' | '));
      assert.ok(lines.some((l) => l.startsWith('layers: ') && /not shown/.test(l)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown layer name is an error listing the available layers, before any output', async () => {
    const dir = join(TEST_CACHE, `explain-layers-${process.pid}-c`);
    await assert.rejects(explain(dir, '--model', DEFAULT_MODEL, '--layer', 'mixed_9'), (e: Error) => /unknown layer "mixed_9"; available layers: conv1, conv2, conv3/.test(e.message) && e.message.includes('model.onnx'));
    assert.ok(!existsSync(join(dir, 'explain.json')));
    await assert.rejects(explain(dir, '--model', DEFAULT_MODEL, '--layers', '--max-activation-mb', '0'), /--max-activation-mb must be a positive number/);
  });
});
