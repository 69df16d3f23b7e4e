/**
 * The explanation engine on models built to depend on known evidence (makeEvidenceOnnx.py) and
 * a tiny in-memory site: attribution must land where the model looks, curves must be flat where
 * the model cannot see the change, the cross-run must name inputs vs weights for pairs built
 * each way, realistic channel baselines must differ from zeros where zeros mean "no reads",
 * and the result must be deterministic, cancellable and refuse bad input with one clear error.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { VariantLensError } from '../../../src/core/errors';
import { type ExplainProgress, explainSite } from '../../../src/core/explain/explainSite';
import type { ExplainResult } from '../../../src/core/explain/explainResult';
import { withChannelBaseline } from '../../../src/core/explain/counterfactuals';
import { shutdownInference } from '../../../src/core/model/inferenceHost';
import { type LoadedModel, loadModel } from '../../../src/core/model/onnxModel';
import { CONTIG, CONTIG_LENGTH, SITE_POS, type EvidenceKind, evidenceModel, tinySite, withCard } from './explainFixtures';

after(() => shutdownInference());

const loaded = new Map<string, Promise<LoadedModel>>();
function model(kind: EvidenceKind, name: string = kind, params: Record<string, number> = {}): Promise<LoadedModel> {
  const key = `${kind}|${name}|${JSON.stringify(params)}`;
  let p = loaded.get(key);
  if (!p) loaded.set(key, p = loadModel(withCard(evidenceModel(kind), name, params)));
  return p;
}

async function explain(models: LoadedModel[], opts: { seed?: number; site?: ReturnType<typeof tinySite>; position?: number; signal?: AbortSignal; onProgress?: (p: ExplainProgress) => void } = {}): Promise<ExplainResult> {
  const site = opts.site ?? tinySite();
  const out = await explainSite({
    reads: site.reads, reference: site.reference, models, contig: CONTIG, position: opts.position ?? SITE_POS,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  return out.result;
}

/** Share of the total |ΔP| of model m that `pick` selects. */
function share<T extends { deltaP: readonly (number | null)[] }>(list: readonly T[], m: number, pick: (x: T) => boolean): { share: number; total: number } {
  const total = list.reduce((t, x) => t + Math.abs(x.deltaP[m] ?? 0), 0);
  const part = list.filter(pick).reduce((t, x) => t + Math.abs(x.deltaP[m] ?? 0), 0);
  return { share: total > 0 ? part / total : 0, total };
}

function spread(values: readonly number[]): number {
  return Math.max(...values) - Math.min(...values);
}

describe('attribution lands on the evidence a model reads', () => {
  test('a model that reads only channel 5 at the centre column: channel 5 and the centre band get >= 90 %', async () => {
    const r = await explain([await model('supports-centre')]);
    assert.equal(r.crossRun[0]![0]!.genotypeClass, 'het', JSON.stringify(r.crossRun[0]![0]));
    const ch = share(r.channels, 0, (c) => c.id === 5);
    assert.ok(ch.total > 0.1, `total channel ΔP ${ch.total}`);
    assert.ok(ch.share >= 0.9, `channel 5 share ${ch.share}`);
    const c5 = r.channels.find((c) => c.id === 5)!;
    assert.equal(c5.baseline.kind, 'does-not-support');
    assert.match(c5.baseline.description, /does not support/);
    const bands = share(r.bands, 0, (b) => b.centre);
    assert.ok(bands.total > 0.1 && bands.share >= 0.9, `centre band share ${bands.share} of ${bands.total}`);
    const centre = r.bands.find((b) => b.centre)!;
    assert.ok(centre.colStart <= 110 && 110 < centre.colEnd && centre.colEnd - centre.colStart === r.bandWidth);
    // Reads: only alt-supporting reads matter to this model.
    const reads = share(r.reads, 0, (x) => x.supportsAlt[0] === true);
    assert.ok(reads.share >= 0.9, `alt reads share ${reads.share}`);
  });

  test('a model that keys on the first read row: that read gets >= 90 % of the read attribution', async () => {
    const r = await explain([await model('first-row')]);
    const reads = share(r.reads, 0, (x) => x.rows[0] === 5);
    assert.ok(reads.total > 1e-3, `total read ΔP ${reads.total}`);
    assert.ok(reads.share >= 0.9, `first-row read share ${reads.share}`);
    assert.equal(r.reads.find((x) => x.rows[0] === 5)!.name, tinySite().readList[0]!.name);
  });

  test('curves: flat where the model cannot see the change, not flat where it can', async () => {
    const r = await explain([await model('any-alt'), await model('supports-centre')]);
    for (const k of ['depth', 'altFraction', 'baseQuality', 'mappingQuality'] as const) {
      const c = r.curves[k];
      for (let m = 0; m < 2; m++) {
        assert.ok(c.x[m]!.length >= 10 && c.probs[m]!.length === c.x[m]!.length, `${k} has ${c.x[m]!.length} points`);
        assert.ok(c.probs[m]!.every((p) => p !== null && Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6));
      }
    }
    const het = (k: keyof ExplainResult['curves'], m: number): number[] => r.curves[k].probs[m]!.map((p) => p![1]);
    // any-alt looks only at whether some read supports the alt: depth does not matter.
    assert.ok(spread(het('depth', 0)) < 1e-9, `any-alt depth curve ${het('depth', 0).join(' ')}`);
    // ... but removing every alt read does.
    assert.ok(spread(het('altFraction', 0)) > 0.5, `any-alt alt-fraction curve ${het('altFraction', 0).join(' ')}`);
    assert.equal(r.curves.altFraction.x[0]![0], 0);
    // supports-centre counts supporting reads: depth matters, raising base qualities does not.
    assert.ok(spread(het('depth', 1)) > 0.3, `supports-centre depth curve ${het('depth', 1).join(' ')}`);
    const bqUp = r.curves.baseQuality.x[1]!.map((x, i) => (x >= 0 ? het('baseQuality', 1)[i]! : NaN)).filter((v) => !Number.isNaN(v));
    assert.ok(bqUp.length >= 4 && spread(bqUp) < 1e-9, `supports-centre BQ shifts >= 0: ${bqUp.join(' ')}`);
    // The unchanged point of each curve is the model's own call.
    const own = r.crossRun[1]![1]!.probs!;
    for (const [k, x0] of [['depth', 1], ['baseQuality', 0], ['altFraction', undefined]] as const) {
      const xs = r.curves[k].x[1]!;
      const i = x0 === undefined ? xs.length - 1 : xs.indexOf(x0);
      const p = r.curves[k].probs[1]![i]!;
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(p[c]! - own[c]!) < 1e-12, `${k} identity point ${p.join(',')} vs ${own.join(',')}`);
    }
  });
});

describe('realistic channel baselines', () => {
  test('a model for which an all-zero channel means "no reads": zeros give a large ΔP, the reported (site-median) baseline ~0', async () => {
    const m = await model('presence-bq');
    const site = tinySite();
    const out = await explainSite({ reads: site.reads, reference: site.reference, models: [m], contig: CONTIG, position: SITE_POS });
    const r = out.result;
    const bq = r.channels.find((c) => c.id === 2)!;
    assert.equal(bq.baseline.kind, 'site-median');
    assert.match(bq.baseline.description, /median/);
    assert.ok(bq.baseline.pixel[0]! > 0, `median pixel ${bq.baseline.pixel[0]}`);
    assert.ok(Math.abs(bq.deltaP[0]!) < 0.01, `reported ΔP ${bq.deltaP[0]}`);
    // What an all-zero base-quality channel would have said: run the model on it directly.
    const t = out.ownSites[0]!.examples[0]!.tensor;
    const slot = t.channels.indexOf(2);
    const zeroed = t.data.slice();
    for (let p = slot; p < zeroed.length; p += t.channels.length) zeroed[p] = 0;
    const [real, zero] = await m.predict([t, { ...t, data: zeroed }]);
    const cls = r.crossRun[0]![0]!.genotypeClass === 'het' ? 1 : 0;
    assert.ok(Math.abs(real![cls]! - zero![cls]!) > 0.5, `zero-channel ΔP ${real![cls]! - zero![cls]!}`);
    // And the realistic counterfactual tensor, run the same way, agrees with the reported ΔP.
    const medians = new Map([[2, bq.baseline.pixel[0]!]]);
    const drawn = Array.from({ length: out.ownSites[0]!.rows.length }, (_, k) => {
      const mask = new Uint8Array(t.width);
      for (let c = 0; c < t.width; c++) mask[c] = t.data[((5 + k) * t.width + c) * t.channels.length + t.channels.indexOf(4)]! > 0 ? 1 : 0;
      return mask;
    });
    const cf = withChannelBaseline(t, { referenceBandHeight: 5, windowBases: out.ownSites[0]!.windowBases, drawn }, 2, medians);
    const [cfp] = await m.predict([cf]);
    assert.ok(Math.abs(real![cls]! - cfp![cls]!) < 0.01);
  });
});

describe('cross-run: inputs vs weights', () => {
  test('same weights, different make_examples parameters → inputs', async () => {
    // The alt reads have MAPQ 10: B's min_mapping_quality 20 drops them, A keeps them.
    const site = tinySite({ altMapq: 10 });
    const a = await model('supports-centre', 'A', { min_mapping_quality: 5 });
    const b = await model('supports-centre', 'B', { min_mapping_quality: 20 });
    const r = await explain([a, b], { site });
    const X = r.crossRun;
    assert.equal(X.length, 2);
    assert.equal(X[0]![0]!.genotypeClass, 'het');
    assert.equal(X[1]![1]!.genotypeClass, 'hom-ref');
    assert.equal(X[0]![1]!.genotypeClass, 'hom-ref'); // A on B's images
    assert.equal(X[1]![0]!.genotypeClass, 'het'); // B on A's images
    assert.equal(X[0]![0]!.altRows, 10);
    assert.equal(X[1]![1]!.altRows, 0);
    assert.equal(r.verdict.kind, 'inputs', r.verdict.text);
    assert.ok(r.verdict.dispute);
    assert.match(r.verdict.text, /^inputs: /);
    assert.match(r.verdict.text, /min_mapping_quality 20 vs 5/);
    assert.ok(r.verdict.weightShift < 1e-9, `same weights: ${r.verdict.weightShift}`);
  });

  test('different weights, same parameters → weights', async () => {
    const a = await model('supports-centre', 'A');
    const b = await model('supports-centre-homalt', 'B');
    const r = await explain([a, b]);
    const X = r.crossRun;
    assert.equal(X[0]![0]!.genotypeClass, 'het');
    assert.equal(X[1]![1]!.genotypeClass, 'hom-alt');
    assert.deepEqual(X[0]![1]!.probs, X[0]![0]!.probs); // identical images
    assert.equal(r.verdict.kind, 'weights', r.verdict.text);
    assert.match(r.verdict.text, /^weights: on identical images/);
    assert.ok(r.verdict.inputShift < 1e-9);
  });

  test('the same model twice → none; three models → a 3×3 cross-run', async () => {
    const a = await model('supports-centre', 'A');
    const same = await explain([a, await model('supports-centre', 'A2')]);
    assert.equal(same.verdict.kind, 'none');
    assert.ok(!same.verdict.dispute);
    const r = await explain([a, await model('supports-centre-homalt', 'B'), await model('any-alt', 'C')]);
    assert.equal(r.crossRun.length, 3);
    assert.ok(r.crossRun.every((row) => row.length === 3 && row.every((c) => c.probs !== null)));
    assert.ok(r.reads.every((x) => x.deltaP.length === 3) && r.channels.every((c) => c.deltaP.length === 3));
    assert.ok(r.curves.depth.probs.length === 3);
  });
});

describe('determinism, cancellation, bad input', () => {
  test('the same seed gives byte-identical JSON; another seed changes which reads the depth curve keeps', async () => {
    // first-row sees which read comes first, so the chosen reads show in its depth curve.
    const models = [await model('supports-centre', 'A'), await model('first-row', 'F')];
    const j1 = JSON.stringify(await explain(models, { seed: 5 }));
    const j2 = JSON.stringify(await explain(models, { seed: 5 }));
    assert.equal(j1, j2);
    const j3 = JSON.stringify(await explain(models, { seed: 6 }));
    assert.notEqual(JSON.parse(j3).seed, JSON.parse(j1).seed);
    assert.notDeepEqual(JSON.parse(j3).curves.depth.probs, JSON.parse(j1).curves.depth.probs);
  });

  test('cancel stops the work: aborting during the occlusion runs rejects with "cancelled" and no more images run', async () => {
    const models = [await model('supports-centre', 'A'), await model('any-alt', 'C')];
    const ac = new AbortController();
    const seen: ExplainProgress[] = [];
    let atAbort: ExplainProgress | undefined;
    const p = explain(models, {
      signal: ac.signal,
      onProgress: (e) => {
        seen.push(e);
        // The first model's occlusion images are through: stop before the second model's and the curves.
        if (e.stage === 'occlusion' && e.done > e.crossRun!.length * 2 && !ac.signal.aborted) { atAbort = e; ac.abort(); }
      },
    });
    await assert.rejects(p, (e: unknown) => e instanceof VariantLensError && e.code === 'cancelled');
    assert.ok(atAbort, `no occlusion progress: ${seen.map((e) => `${e.stage}:${e.done}/${e.total}`).join(' ')}`);
    assert.equal(seen[seen.length - 1], atAbort, 'no progress after the abort');
    assert.ok(atAbort.done < atAbort.total, `${atAbort.done} of ${atAbort.total} images`);
  });

  test('given multi-allelic alleles: every image of the site is occluded, classes still sum to 1', async () => {
    const site = tinySite();
    const other = ['A', 'C', 'G', 'T'].find((b) => b !== site.refBase && b !== site.altBase)!;
    const alts = [site.altBase, other].sort();
    const out = await explainSite({
      reads: site.reads, reference: site.reference, models: [await model('supports-centre', 'A'), await model('supports-centre-homalt', 'B')],
      contig: CONTIG, position: SITE_POS, alleles: { refBases: site.refBase, altBases: alts },
    });
    const r = out.result;
    assert.equal(out.ownSites[0]!.examples.length, 3); // [0], [1], [0, 1] (docs/deepvariant.md §3.1)
    assert.equal(r.locus.allelesFrom, 'given');
    for (const row of r.crossRun) {
      for (const c of row) {
        assert.equal(c.alleleSource, 'given');
        assert.ok(Math.abs(c.probs![0] + c.probs![1] + c.probs![2] - 1) < 1e-9);
      }
    }
    assert.ok(r.reads.every((x) => x.deltaP.every((d) => d !== null)));
    const ch5 = share(r.channels, 0, (c) => c.id === 5);
    assert.ok(ch5.share >= 0.9, `channel 5 share ${ch5.share}`);
  });

  test('the cross-run alone (occlusion and curves skipped): a partial result that says so, same cross-run', async () => {
    const models = [await model('supports-centre', 'A'), await model('supports-centre-homalt', 'B')];
    const site = tinySite();
    let last: ExplainProgress | undefined;
    const { result: r } = await explainSite({
      reads: site.reads, reference: site.reference, models, contig: CONTIG, position: SITE_POS, stages: { occlusion: false, curves: false }, onProgress: (e) => { last = e; },
    });
    assert.ok(r.partial);
    assert.equal(r.problems.length, 2);
    assert.equal(last!.total, 2); // one image per model: both models share the parameters
    assert.ok(r.reads.length > 0 && r.reads.every((x) => x.deltaP.every((d) => d === null)));
    assert.ok(r.channels.every((c) => c.deltaP.every((d) => d === null)));
    assert.ok(r.curves.depth.x.every((xs) => xs.length === 0));
    assert.equal(r.verdict.kind, 'weights');
    assert.deepEqual(r.crossRun, (await explain(models)).crossRun);
  });

  test('bad input gives one clear VariantLensError', async () => {
    const a = await model('supports-centre', 'A');
    const site = tinySite();
    const run = (position: number, models: LoadedModel[] = [a]) => explainSite({ reads: site.reads, reference: site.reference, models, contig: CONTIG, position });
    await assert.rejects(run(CONTIG_LENGTH + 10), (e: unknown) => e instanceof VariantLensError && e.code === 'region-invalid' && /past the end/.test(e.message));
    await assert.rejects(explainSite({ reads: site.reads, reference: site.reference, models: [a], contig: 'chrNope', position: 10 }), (e: unknown) => e instanceof VariantLensError && e.code === 'contig-not-found');
    await assert.rejects(run(SITE_POS + 20), (e: unknown) => e instanceof VariantLensError && /no candidate at chrT:1521/.test(e.message));
    await assert.rejects(run(100), (e: unknown) => e instanceof VariantLensError && /no reads at chrT:100/.test(e.message));
    const six = await loadModel(withCard(evidenceModel('supports-centre', [1, 2, 3, 4, 5, 6]), 'six'));
    await assert.rejects(run(SITE_POS, [a, six]), (e: unknown) => e instanceof VariantLensError && e.code === 'model-shape-mismatch' && /different inputs/.test(e.message));
  });
});
