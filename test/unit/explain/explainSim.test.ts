/**
 * The explanation engine with the demo models on the simulated dataset: the cross-run diagonal
 * is what `variant-lens call` computes at the site (ModelCaller.callRegions, the code path of the
 * command, over the whole contig so that partitions match), and `variant-lens explain` writes
 * the explain.json contract and PNGs, byte-identical for the same seed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runExplain } from '../../../src/cli/commands/explain';
import type { CliContext } from '../../../src/cli/framework/command';
import { classProbs, explainSite } from '../../../src/core/explain/explainSite';
import type { ExplainResult } from '../../../src/core/explain/explainResult';
import { openReference } from '../../../src/core/io/fasta/fastaReader';
import type { ReferenceSource } from '../../../src/core/io/fasta/referenceSource';
import type { AlignmentSource } from '../../../src/core/io/sam/alignedRead';
import { openAlignments } from '../../../src/core/io/sam/alignmentReader';
import type { GenotypeCall } from '../../../src/core/model/genotypePostprocess';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { ModelCaller } from '../../../src/core/model/modelCaller';
import { type LoadedModel, loadModel } from '../../../src/core/model/onnxModel';
import { PROJECT_ROOT, TEST_CACHE } from '../../helpers/paths';
import { ensureSimulatedDataset } from '../../helpers/simData';

const SAMPLE = 'HG003-sim';
const DEFAULT_MODEL = join(PROJECT_ROOT, 'models', 'default');
const RETRAINED_MODEL = join(PROJECT_ROOT, 'models', 'retrained');
let sim = '';
let reads: AlignmentSource;
let reference: ReferenceSource;
let models: LoadedModel[] = [];

before(async () => {
  sim = await ensureSimulatedDataset(1);
  reference = await openReference(join(sim, 'reference.fa'));
  reads = await openAlignments(join(sim, `${SAMPLE}.bam`), { referencePath: join(sim, 'reference.fa') });
  models = [await loadModel(DEFAULT_MODEL), await loadModel(RETRAINED_MODEL)];
});

after(async () => {
  await reads?.close();
  await reference?.close();
  await shutdownInference();
});

describe('explain on the simulated data with the demo models', () => {
  test('the crossRun diagonal equals what variant-lens call computes at the site (1e-6)', async () => {
    const contig = 'chr20';
    const length = (await reference.contigs()).find((c) => c.name === contig)!.length;
    const sets = await new ModelCaller(reads, reference, models).callRegions({ regions: [{ contig, start: 0, end: length }], sampleName: SAMPLE });
    const byStart = sets.map((s) => new Map(s.calls.filter((c) => !c.haplotypeResolved).map((c) => [c.start, c])));
    // Sites both models call: a het, a hom-alt, and the first sites where the models' GT differ.
    const shared = [...byStart[0]!.values()].filter((c) => byStart[1]!.has(c.start));
    const gt = (c: GenotypeCall): string => c.genotype.join('/');
    const picks = [
      shared.find((c) => gt(c) === '0/1'),
      shared.find((c) => gt(c) === '1/1'),
      ...shared.filter((c) => gt(c) !== gt(byStart[1]!.get(c.start)!)).slice(0, 2),
    ].filter((c): c is GenotypeCall => c !== undefined);
    assert.ok(picks.length >= 3, `${picks.length} sites picked`);
    for (const c of picks) {
      const { result } = await explainSite({ reads, reference, models, contig, position: c.start + 1, sampleName: SAMPLE });
      for (let i = 0; i < models.length; i++) {
        const call = byStart[i]!.get(c.start)!;
        const want = classProbs(call);
        const got = result.crossRun[i]![i]!.probs!;
        for (let k = 0; k < 3; k++) assert.ok(Math.abs(got[k]! - want[k]!) <= 1e-6, `${contig}:${c.start + 1} ${models[i]!.name}: ${got.join(',')} vs call ${want.join(',')}`);
        assert.equal(result.crossRun[i]![i]!.gq, call.gq);
      }
    }
  });

  test('variant-lens explain writes the explain.json contract and PNGs, byte-identical for the same seed', async () => {
    const outDir = (k: number): string => join(TEST_CACHE, `explain-cli-${process.pid}-${k}`);
    const run = async (k: number): Promise<string[]> => {
      rmSync(outDir(k), { recursive: true, force: true });
      const lines: string[] = [];
      const ctx: CliContext = { signal: new AbortController().signal, progress: (l) => lines.push(l), out: (t) => lines.push(t) };
      const code = await runExplain(['--reads', join(sim, `${SAMPLE}.bam`), '--ref', join(sim, 'reference.fa'), '--model', DEFAULT_MODEL, '--model', RETRAINED_MODEL,
        '--locus', 'chr21:16799', '--out', outDir(k), '--seed', '3'], ctx);
      assert.equal(code, 0);
      return lines;
    };
    const lines = await run(1);
    await run(2);
    try {
      const text = readFileSync(join(outDir(1), 'explain.json'), 'utf8');
      assert.equal(readFileSync(join(outDir(2), 'explain.json'), 'utf8'), text);
      const r = JSON.parse(text) as ExplainResult;
      assert.equal(r.crossRun.length, 2);
      // The models' softmax is float32: three outputs sum to 1 within a few units of 2^-24, not 1e-9.
      assert.ok(r.crossRun.every((row) => row.length === 2 && row.every((c) => c.probs!.length === 3 && Math.abs(c.probs![0] + c.probs![1] + c.probs![2] - 1) < 1e-6)));
      assert.ok(r.reads.length > 5 && r.reads.every((x) => x.name.length > 0 && x.deltaP.length === 2));
      assert.deepEqual(r.channels.map((c) => c.id), [1, 2, 3, 4, 5, 6, 19]);
      assert.ok(r.channels.every((c) => c.baseline.kind.length > 0 && c.baseline.description.length > 0 && c.deltaP.length === 2));
      assert.ok(r.bandWidth > 0 && r.bands.length > 0 && r.bands.filter((b) => b.centre).length === 1);
      for (const k of ['depth', 'altFraction', 'baseQuality', 'mappingQuality'] as const) {
        assert.ok(r.curves[k].x.every((xs) => xs.length >= 10), k);
        assert.ok(r.curves[k].probs.length === 2 && r.curves[k].probs.every((ps) => ps.length >= 10), k);
      }
      assert.ok(['inputs', 'weights', 'both', 'none'].includes(r.verdict.kind));
      assert.ok(r.verdict.text.startsWith(`${r.verdict.kind}: `) && r.verdict.text.length > 40, r.verdict.text);
      assert.ok(lines.some((l) => l.includes(r.verdict.text)));
      for (const f of ['pileup.default.png', 'pileup.retrained.png', 'attribution.default.png', 'attribution.retrained.png', 'attribution.difference.png', 'curves.png']) {
        const p = join(outDir(1), f);
        assert.ok(existsSync(p), f);
        assert.deepEqual([...readFileSync(p).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], f);
      }
    } finally {
      rmSync(outDir(1), { recursive: true, force: true });
      rmSync(outDir(2), { recursive: true, force: true });
    }
  });
});
