/**
 * `variant-lens model check` (core/model/modelCheck.ts) and `call --cvo-out`: the demo model
 * against the call_variants output that `call --cvo-out` wrote for the same sites, whose
 * examples `examples --model-card` wrote with the same make_examples settings, agrees to 1e-6;
 * a CVO made from deliberately un-normalized or NCHW-ordered input names that pitfall.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runExamples } from '../../../src/cli/commands/examples';
import type { CliContext } from '../../../src/cli/framework/command';
import { readExamples } from '../../../src/core/io/examples/examplesFile';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { runModelCheck } from '../../../src/core/model/modelCheck';
import { loadModel } from '../../../src/core/model/onnxModel';
import { roundGls } from '../../../src/core/model/genotypePostprocess';
import { candidateFromDvVariant, writeCvoRecords } from '../../../src/core/model/postprocessVariants';
import type { InputTransform } from '../../../src/core/model/onnxSessionCache';
import { PROJECT_ROOT, TEST_CACHE } from '../../helpers/paths';
import { ensureSimulatedDataset } from '../../helpers/simData';
import { call } from './callTestUtil';

const SAMPLE = 'HG003-sim';
const MODEL = join(PROJECT_ROOT, 'models', 'default');
const work = join(TEST_CACHE, 'model-check');
const REGION = 'chr21:1-20000';
let examples = '';
let cvo = '';

after(() => shutdownInference());

const ctx = (): CliContext => ({ signal: new AbortController().signal, progress: () => undefined, out: () => undefined });

describe('model check', () => {
  before(async () => {
    const sim = await ensureSimulatedDataset(1);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    examples = join(work, 'ex.tfrecord.gz');
    cvo = join(work, 'cvo.tfrecord.gz');
    const io = ['--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'), '--regions', REGION];
    assert.equal(await runExamples([...io, '--model-card', join(MODEL, 'model_card.json'), '--out', examples], ctx()), 0);
    await call([...io, '--model', MODEL, '--out', join(work, 'calls'), '--cvo-out', cvo]);
  });

  test('call --cvo-out vs the same examples: agrees to 1e-6, GT 100 %, no pitfall; JSON keys', async () => {
    const model = await loadModel(MODEL);
    try {
      const r = await runModelCheck({ model, examplesPath: examples, cvoPath: cvo });
      assert.ok(r.examples > 5, `examples ${r.examples}`);
      assert.equal(r.matched, r.examples);
      assert.ok(r.maxAbsDiff <= 1e-6, `max |Δp| ${r.maxAbsDiff}`);
      assert.ok(r.p99AbsDiff <= r.maxAbsDiff);
      assert.equal(r.gtAgreement, 1);
      assert.deepEqual(r.pitfalls, []);
      for (const k of ['maxAbsDiff', 'p99AbsDiff', 'gtAgreement', 'examples', 'pitfalls']) assert.ok(k in r, k);
    } finally {
      await model.dispose();
    }
  });

  for (const [transform, pitfall] of [['raw', 'missing (x-128)/128 preprocessing'], ['nchw', 'NCHW input']] as [InputTransform, string][]) {
    test(`a CVO made from ${transform} input names the pitfall "${pitfall}"`, async () => {
      const model = await loadModel(MODEL);
      try {
        const tensors = [];
        const keys = [];
        for await (const r of readExamples(examples)) { tensors.push(r.example.tensor); keys.push(r.example); }
        const probs = await model.predict(tensors, undefined, undefined, transform);
        const bad = join(work, `cvo-${transform}.tfrecord.gz`);
        await writeCvoRecords(bad, keys.map((e, i) => ({ variant: candidateFromDvVariant(e.variant), altAlleleIndices: e.altAlleleIndices, genotypeProbabilities: roundGls(probs[i]!) })));
        const r = await runModelCheck({ model, examplesPath: examples, cvoPath: bad });
        assert.ok(r.maxAbsDiff > 1e-3, `the wrong input changes the outputs (${r.maxAbsDiff})`);
        const found = r.pitfalls.filter((p) => p.detected).map((p) => p.name);
        assert.deepEqual(found, [pitfall]);
      } finally {
        await model.dispose();
      }
    });
  }
});
