/**
 * Site latency: the time from "site selected" (a VCF row: contig, POS, REF, ALT) to "GT/QUAL
 * of both demo models ready", i.e. what the site inspector waits for after a click:
 * fetch reads → each model's candidate caller and images → both models (worker thread) →
 * DeepVariant postprocess (ModelCaller.callSite).
 *
 * 50 sites: every k-th record of the GIAB truth VCF for NA12878 chr20:10,000,000–10,100,000
 * (../shared/data). Models are loaded and their sessions warmed before timing (the
 * extension keeps them loaded). Two cases:
 *   cold  a new ModelCaller per site: our read/partition caches are empty, the site's 10-kb
 *         window of reads is fetched and decoded again (the BAM handle stays open as in the
 *         extension, so the BAM reader's block cache (io/bamReader.ts) may still hold inflated blocks)
 *   warm  one ModelCaller for all sites, walked in file order, as when a reviewer steps
 *         through rows (sites in an already-read 10-kb window reuse its reads)
 * And the click → realigned pileup (make_examples with DeepVariant's realigner, DeepVariant 1.5
 * settings, a fresh reader per site: the images the inspector draws when the model's
 * producer realigned): realigning only the site's reads (what a click does), and the whole
 * partition holding the site (what it did before, measured in the same run).
 * Prints p50/p95 per case and a JSON line prefixed "BENCH_JSON ".
 *
 *   node --import tsx test/bench/siteLatencyBench.ts      (also called from bench:infer)
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openAlignments } from '../../src/core/io/sam/alignmentReader';
import { openReference } from '../../src/core/io/fasta/fastaReader';
import { openVcf } from '../../src/core/io/vcf/vcfReader';
import { shutdownInference } from '../../src/core/model/inferenceHost';
import { ModelCaller } from '../../src/core/model/modelCaller';
import { loadModel } from '../../src/core/model/onnxModel';
import { DV15_EXAMPLE_INFO } from '../../src/core/io/examples/exampleInfo';
import { PartitionReader, buildSiteExamples, pipelineOptions } from '../../src/core/pileup/siteExamples';

const ROOT = resolve(__dirname, '../..');
const DATA = resolve(ROOT, '../shared/data/dv-chr20');

export interface SiteLatencyResult {
  readonly sites: number;
  readonly models: string[];
  readonly coldMs: { readonly p50: number; readonly p95: number; readonly max: number };
  readonly warmMs: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Site selected → realigned pileup images (only the site's reads realigned). */
  readonly realignedPileupMs: { readonly p50: number; readonly p95: number; readonly max: number };
  /** The same with the whole partition realigned first. */
  readonly realignedWholePartitionMs: { readonly p50: number; readonly p95: number; readonly max: number };
}

function percentile(sorted: readonly number[], p: number): number {
  // Nearest-rank percentile.
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function stats(ms: number[]): { p50: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1]! };
}

/** Runs the benchmark; undefined when ../shared/data is absent. */
export async function runSiteLatencyBench(siteCount = 50): Promise<SiteLatencyResult | undefined> {
  if (!existsSync(DATA)) return undefined;
  const bam = join(DATA, 'NA12878_S1.chr20.10_10p1mb.bam');
  const ref = join(DATA, 'ucsc.hg19.chr20.unittest.fasta.gz');
  const vcf = await openVcf(join(DATA, 'test_nist.b37_chr20_100kbp_at_10mb.vcf.gz'));
  const rows: { contig: string; pos: number; ref: string; alts: string[] }[] = [];
  for await (const r of vcf.records()) rows.push({ contig: r.contig, pos: r.pos, ref: r.ref, alts: [...r.alts] });
  await vcf.close();
  const step = Math.max(1, Math.floor(rows.length / siteCount));
  const sites = rows.filter((_, i) => i % step === 0).slice(0, siteCount);

  const models = [await loadModel(join(ROOT, 'models', 'default')), await loadModel(join(ROOT, 'models', 'retrained'))];
  const reads = await openAlignments(bam);
  const reference = await openReference(ref);
  try {
    // Warm the sessions (created in the worker on first use) outside the timing.
    await new ModelCaller(reads, reference, models).callSite(sites[0]!.contig, sites[0]!.pos, { refBases: sites[0]!.ref, altBases: sites[0]!.alts });
    const cold: number[] = [];
    for (const s of sites) {
      const t0 = performance.now();
      const res = await new ModelCaller(reads, reference, models).callSite(s.contig, s.pos, { refBases: s.ref, altBases: s.alts });
      cold.push(performance.now() - t0);
      if (res.length !== 2) throw new Error('expected two model calls');
    }
    const warm: number[] = [];
    const caller = new ModelCaller(reads, reference, models);
    for (const s of sites) {
      const t0 = performance.now();
      await caller.callSite(s.contig, s.pos, { refBases: s.ref, altBases: s.alts });
      warm.push(performance.now() - t0);
    }
    // Click → realigned pileup, cold; the two ways alternate site by site (same load).
    const realignOptions = pipelineOptions(DV15_EXAMPLE_INFO, { realignReads: true });
    const realigned: number[] = [];
    const realignedWhole: number[] = [];
    for (const s of sites) {
      const alleles = { refBases: s.ref, altBases: s.alts };
      let t0 = performance.now();
      const a = await buildSiteExamples({ reads, reference, contig: s.contig, position: s.pos, alleles, partitionReader: new PartitionReader(reads, reference, realignOptions) });
      realigned.push(performance.now() - t0);
      t0 = performance.now();
      const whole = new PartitionReader(reads, reference, realignOptions);
      const length = await whole.contigLength(s.contig);
      const region = { contig: s.contig, start: 0, end: length };
      await whole.partition(whole.partitionOf(region, s.pos - 1), region);
      const b = await buildSiteExamples({ reads, reference, contig: s.contig, position: s.pos, alleles, partitionReader: whole });
      realignedWhole.push(performance.now() - t0);
      if (a.examples.length !== b.examples.length || a.examples.some((e, i) => Buffer.compare(e.tensor.data, b.examples[i]!.tensor.data) !== 0)) {
        throw new Error(`${s.contig}:${s.pos}: the site's realigned images differ from the whole partition's`);
      }
    }
    return { sites: sites.length, models: models.map((m) => m.name), coldMs: stats(cold), warmMs: stats(warm), realignedPileupMs: stats(realigned), realignedWholePartitionMs: stats(realignedWhole) };
  } finally {
    await reads.close();
    await reference.close();
    await Promise.all(models.map((m) => m.dispose()));
  }
}

/** Prints the result table and its BENCH_JSON line. */
export function printSiteLatency(r: SiteLatencyResult | undefined): void {
  if (!r) {
    console.log('site latency: skipped (../shared/data/dv-chr20 is not present)');
    return;
  }
  const f = (x: number): string => x.toFixed(1).padStart(8);
  console.log(`site selected → GT/QUAL of ${r.models.join(' + ')} ready, ${r.sites} NA12878 sites (ms):`);
  console.log(`  ${'case'.padEnd(6)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)}`);
  console.log(`  ${'cold'.padEnd(6)} ${f(r.coldMs.p50)} ${f(r.coldMs.p95)} ${f(r.coldMs.max)}`);
  console.log(`  ${'warm'.padEnd(6)} ${f(r.warmMs.p50)} ${f(r.warmMs.p95)} ${f(r.warmMs.max)}`);
  console.log(`site selected → realigned pileup (DeepVariant 1.5 realigner, cold), ${r.sites} sites (ms; goal p95 < 500):`);
  console.log(`  ${'site'.padEnd(6)} ${f(r.realignedPileupMs.p50)} ${f(r.realignedPileupMs.p95)} ${f(r.realignedPileupMs.max)}   (only the site's reads realigned)`);
  console.log(`  ${'whole'.padEnd(6)} ${f(r.realignedWholePartitionMs.p50)} ${f(r.realignedWholePartitionMs.p95)} ${f(r.realignedWholePartitionMs.max)}   (the whole partition realigned)`);
  console.log(`BENCH_JSON ${JSON.stringify({ bench: 'site-latency', ...r })}`);
}

if (require.main === module) {
  runSiteLatencyBench()
    .then(printSiteLatency)
    .then(() => shutdownInference())
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
