/**
 * `npm run bench:encoder` — pileup examples per second, single core (one Node thread), on
 * the NA12878 ~30x region chr20:10,000,000-10,100,000 of ../shared/data (DV 1.5 layout,
 * 100×221×6; and the 1.6 WGS layout ×7).
 *
 *  - end to end: BAM + reference reading, filters, allele counting, candidate calling,
 *    read selection and encoding of every alt-allele image (our make_examples, minus writing);
 *  - encode only: the same candidates with the partitions already in memory;
 *  - per site: p50/p95 time to build all images of one site, warm (partition cached) and
 *    cold (a fresh reader: what a click on a VCF row costs).
 * Prints a table and one JSON line (prefixed "BENCH_JSON ").
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openAlignments } from '../../src/core/io/alignmentReader';
import { openReference } from '../../src/core/io/fastaReader';
import { DEFAULT_EXAMPLE_INFO, DV15_EXAMPLE_INFO, type ExampleInfo } from '../../src/core/pileup/exampleInfo';
import { PartitionReader, type Partition, buildSiteExamples, pipelineOptions, regionExamples, siteFromPartition } from '../../src/core/pileup/siteExamples';
import { analyzePosition } from '../../src/core/pileup/variantCaller';

const DATA = resolve(__dirname, '../../../shared/data/dv-chr20');
const BAM = join(DATA, 'NA12878_S1.chr20.10_10p1mb.bam');
const REF = join(DATA, 'ucsc.hg19.chr20.unittest.fasta.gz');
const REGION = { contig: 'chr20', start: 10_000_000, end: 10_100_000 };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function run(info: ExampleInfo, label: string): Promise<Record<string, number | string>> {
  const reference = await openReference(REF);
  const reads = await openAlignments(BAM, { referencePath: REF });
  const options = pipelineOptions(info);

  // BAM decoding alone (the alignment reader), in the same 10-kb blocks the pipeline fetches.
  let t0 = performance.now();
  let fetched = 0;
  for (let s = REGION.start; s < REGION.end; s += 10_000) fetched += (await reads.fetch(REGION.contig, s, Math.min(s + 10_000, REGION.end))).length;
  const fetchMs = performance.now() - t0;

  // End to end, I/O included.
  t0 = performance.now();
  const reader = new PartitionReader(reads, reference, options);
  let examples = 0;
  let sites = 0;
  for await (const s of regionExamples(reader, REGION)) { examples += s.examples.length; sites++; }
  const e2eMs = performance.now() - t0;

  // Encode only: partitions in memory (allele counts included), then select + encode every candidate.
  const parts: Partition[] = [];
  const warm = new PartitionReader(reads, reference, { ...options, partitionsPerFetch: 100 });
  for (const p of warm.partitionsOf(REGION)) parts.push(await warm.partition(p, REGION));
  const cands = parts.flatMap((p) => [...p.counter.nonRefPositions()].map((pos) => ({ p, a: analyzePosition(REGION.contig, p.counter.countsAt(pos), options.caller) })).filter((x) => x.a.candidate));
  const perSite: number[] = [];
  let encoded = 0;
  t0 = performance.now();
  for (const { p, a } of cands) {
    const s0 = performance.now();
    encoded += siteFromPartition(p, a, undefined, 'prefer-candidate', options).examples.length;
    perSite.push(performance.now() - s0);
  }
  const encMs = performance.now() - t0;
  // Counting + calling only (the in-memory part of candidate generation).
  t0 = performance.now();
  let called = 0;
  for (const p of parts) for (const pos of p.counter.nonRefPositions()) if (analyzePosition(REGION.contig, p.counter.countsAt(pos), options.caller).candidate) called++;
  const callMs = performance.now() - t0;

  // Cold single site: a fresh reader each time (BAM + reference fetch of one partition block).
  const cold: number[] = [];
  const step = Math.max(1, Math.floor(cands.length / 40));
  for (let i = 0; i < cands.length; i += step) {
    const c = cands[i]!;
    const s0 = performance.now();
    await buildSiteExamples({ reads, reference, contig: REGION.contig, position: c.a.position + 1, options: { ...options, partitionsPerFetch: 1 } });
    cold.push(performance.now() - s0);
  }
  await reads.close();
  await reference.close();
  return {
    layout: label,
    sites,
    examples,
    endToEndMs: Math.round(e2eMs),
    bamFetchOnlyMs: Math.round(fetchMs),
    readsFetched: fetched,
    examplesPerSecIncludingIo: Math.round((examples / e2eMs) * 1000),
    examplesPerSecEncodeOnly: Math.round((encoded / encMs) * 1000),
    candidateCallingMs: Math.round(callMs * 10) / 10,
    candidatesCalled: called,
    siteWarmP50Ms: Math.round(pct(perSite, 50) * 100) / 100,
    siteWarmP95Ms: Math.round(pct(perSite, 95) * 100) / 100,
    siteColdP50Ms: Math.round(pct(cold, 50) * 10) / 10,
    siteColdP95Ms: Math.round(pct(cold, 95) * 10) / 10,
    coldSamples: cold.length,
  };
}

async function main(): Promise<void> {
  if (!existsSync(BAM)) {
    console.error(`bench:encoder needs ${BAM} (../shared/data); not found`);
    process.exitCode = 2;
    return;
  }
  const rows = [await run(DV15_EXAMPLE_INFO, '1.5 [100,221,6]'), await run(DEFAULT_EXAMPLE_INFO, '1.6 WGS [100,221,7]')];
  console.log(`encoder bench on ${REGION.contig}:${REGION.start + 1}-${REGION.end} (NA12878, ~30x), single thread`);
  const keys = Object.keys(rows[0]!);
  for (const k of keys) console.log(`${k.padEnd(28)} ${rows.map((r) => String(r[k]).padStart(20)).join('')}`);
  console.log('BENCH_JSON ' + JSON.stringify({ bench: 'encoder', region: `${REGION.contig}:${REGION.start + 1}-${REGION.end}`, results: rows }));
}

void main();
