/**
 * `npm run bench:explain` — the time to explain one site completely (src/core/explain): the
 * N×N cross-run, every read row dropped, every channel replaced by its baseline, every column
 * band, and the 4 sensitivity curves (10+ points each), all through the inference worker.
 *
 *   demo        the two demo models (models/default, models/retrained) on the simulated
 *               HG003-sim (test/helpers/simData.ts, seed 1) at the sites where the demo's
 *               two calls disagree; target < 1 s per site on 2 cores
 *   InceptionV3 two random-weight InceptionV3 [N,100,221,7] models (DeepVariant's architecture
 *               and size; scripts/makeInceptionOnnx.py, seeds 1 and 2) on one site; target < 30 s
 *
 * Models are loaded and their sessions warmed before timing (the inspector keeps them loaded);
 * each site's reads are fetched again for every run (a fresh explanation, as after a click).
 * Reported per case: total time and the time until the cross-run (the 2×2) is known, the
 * process's CPU time (all threads: on an otherwise idle machine the wall time cannot exceed
 * it, which makes it the number to read on a busy one), the number of images run, and the
 * verdict. A benchmark, not a test: targets are printed, not
 * asserted. Prints a table and one JSON line prefixed "BENCH_JSON ".
 *
 *   VARIANT_LENS_BENCH_NO_INCEPTION=1 skips the InceptionV3 case.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type ExplainProgress, explainSite } from '../../src/core/explain/explainSite';
import { openReference } from '../../src/core/io/fasta/fastaReader';
import { openAlignments } from '../../src/core/io/sam/alignmentReader';
import { shutdownInference } from '../../src/core/model/inferenceHost';
import { type LoadedModel, loadModel } from '../../src/core/model/onnxModel';
import { modelDir } from '../unit/model/modelFixtures';
import { ensureSimulatedDataset } from '../helpers/simData';

const ROOT = resolve(__dirname, '../..');
const SAMPLE = 'HG003-sim';
/** The demo's disputed sites (default 0/1 vs retrained 1/1 or RefCall) on the held-out contigs. */
const DEMO_SITES = ['chr20:20913', 'chr20:38343', 'chr21:16799', 'chr21:54363', 'chr22:6408'];
const RUNS = 3;

interface Row {
  readonly case: string;
  readonly site: string;
  readonly images: number;
  readonly crossRunMs: number;
  readonly totalMs: number;
  /** CPU time of the whole process (main thread, inference worker, onnxruntime's threads): on an idle machine the wall time is at most this. */
  readonly cpuMs: number;
  readonly verdict: string;
  readonly targetMs: number;
}

async function timeSite(models: LoadedModel[], sim: string, site: string, runs: number): Promise<{ images: number; crossRunMs: number; totalMs: number; cpuMs: number; verdict: string }> {
  const [contig, pos] = site.split(':') as [string, string];
  let best = { images: 0, crossRunMs: Infinity, totalMs: Infinity, cpuMs: Infinity, verdict: '' };
  for (let k = 0; k < runs; k++) {
    const reference = await openReference(join(sim, 'reference.fa'));
    const reads = await openAlignments(join(sim, `${SAMPLE}.bam`), { referencePath: join(sim, 'reference.fa') });
    try {
      let crossRunMs = NaN;
      let last: ExplainProgress | undefined;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const { result } = await explainSite({
        reads, reference, models, contig, position: Number(pos), sampleName: SAMPLE,
        onProgress: (p) => { last = p; if (p.crossRun && Number.isNaN(crossRunMs)) crossRunMs = performance.now() - t0; },
      });
      const totalMs = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const cpuMs = (c.user + c.system) / 1000;
      if (totalMs < best.totalMs) best = { images: last?.total ?? 0, crossRunMs, totalMs, cpuMs, verdict: result.verdict.kind };
    } finally {
      await reads.close();
      await reference.close();
    }
  }
  return best;
}

async function warm(models: LoadedModel[]): Promise<void> {
  for (const m of models) {
    const [h, w, c] = m.exampleInfo.shape;
    await m.predict([{ height: h, width: w, channels: m.exampleInfo.channels, data: new Uint8Array(h * w * c) }]);
  }
}

async function main(): Promise<void> {
  const sim = await ensureSimulatedDataset(1);
  const rows: Row[] = [];
  const demo = [await loadModel(join(ROOT, 'models', 'default')), await loadModel(join(ROOT, 'models', 'retrained'))];
  await warm(demo);
  await timeSite(demo, sim, DEMO_SITES[0]!, 1); // first read of the files, JIT
  for (const site of DEMO_SITES) rows.push({ case: 'demo models', site, ...(await timeSite(demo, sim, site, RUNS)), targetMs: 1000 });
  if (!process.env['VARIANT_LENS_BENCH_NO_INCEPTION']) {
    const wgs = [1, 2, 3, 4, 5, 6, 19];
    const big = [await loadModel(modelDir({ arch: 'inception_v3', channels: wgs, seed: 1 })), await loadModel(modelDir({ arch: 'inception_v3', channels: wgs, seed: 2 }))];
    await warm(big);
    rows.push({ case: 'InceptionV3 x2 (random)', site: DEMO_SITES[2]!, ...(await timeSite(big, sim, DEMO_SITES[2]!, 1)), targetMs: 30000 });
  }
  console.log(`explain one site, best of ${RUNS} (InceptionV3: 1 run); ${availableParallelism()} cores`);
  console.log(['case'.padEnd(24), 'site'.padEnd(12), 'images'.padStart(6), '2x2 ms'.padStart(8), 'total ms'.padStart(9), 'CPU ms'.padStart(8), 'target'.padStart(7), 'verdict'.padStart(8)].join(' '));
  for (const r of rows) {
    console.log([r.case.padEnd(24), r.site.padEnd(12), String(r.images).padStart(6), r.crossRunMs.toFixed(0).padStart(8), r.totalMs.toFixed(0).padStart(9), r.cpuMs.toFixed(0).padStart(8),
      `${r.totalMs <= r.targetMs ? '<' : '>'}${r.targetMs}`.padStart(7), r.verdict.padStart(8)].join(' '));
  }
  console.log(`BENCH_JSON ${JSON.stringify({ bench: 'explain', rows })}`);
  await shutdownInference();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
