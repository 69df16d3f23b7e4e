/**
 * `npm run bench:encoder` — pileup examples per second, single core (one Node thread), on
 * the NA12878 ~30x region chr20:10,000,000-10,100,000 of ../shared/data (DV 1.5 layout,
 * 100×221×6; and the 1.6 WGS layout ×7).
 *
 *  - end to end: BAM + reference reading, filters, allele counting, candidate calling,
 *    read selection and encoding of every alt-allele image (our make_examples, minus writing);
 *  - encode only: the same candidates with the partitions already in memory;
 *  - per site: p50/p95 time to build all images of one site, warm (partition cached) and
 *    cold (a fresh reader: what a click on a VCF row costs);
 *  - end to end with DeepVariant's realigner (`realignReads`, make_examples --realign_reads):
 *    the first pass (JIT warming up the realigner included) and the best of
 *    ENCODER_BENCH_REALIGNED_PASSES (default 5) more, each with a fresh reader ("warm", as the
 *    realigner-off warm row; each pass's CPU time printed); and a cold single site with it
 *    (wall and process CPU time per click);
 *  - BAM reading next to samtools in the same run: the same ten 10-kb regions through
 *    `samtools view -c` and `samtools view` (SAM text to /dev/null), one process each
 *    (process start included, ~a few ms), best of 3; wall and CPU time (on a shared,
 *    loaded machine CPU time is the steadier number: for us process.cpuUsage(), for
 *    samtools bash's `times`).
 *  - the other layouts beside the plain one (end to end, warm, realigner off, CPU time): the
 *    alt-aligned `rows` and `diff_channels` layouts on the same NA12878 region, and the
 *    allele-frequency layout (channel 8, cohort VCF lookups) next to the plain one on the
 *    GRCh38 subset of ../shared/data/dv-layouts (chr20:61001-62000, repeated 10 times).
 *  - the cost of the BGZF CRC32 check: BAM fetch and warm end to end with the check on and
 *    off (alternating, best of 5), as ratios (on / off) and next to samtools' CPU time
 *    (docs/decisions/0011-bgzf-crc-check.md).
 * The first layout's end-to-end time includes the JIT warming up the encoder; the
 * "warm" row repeats it with a fresh PartitionReader (steady state).
 * Prints a table and one JSON line (prefixed "BENCH_JSON ").
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setBgzfCrcCheck } from '../../src/core/io/bgzf/bgzfIntegrity';
import { openAlignments } from '../../src/core/io/sam/alignmentReader';
import { openReference } from '../../src/core/io/fasta/fastaReader';
import { DEFAULT_EXAMPLE_INFO, DV15_EXAMPLE_INFO, type ExampleInfo } from '../../src/core/io/examples/exampleInfo';
import { PartitionReader, type Partition, buildSiteExamples, pipelineOptions, regionExamples, siteFromPartition } from '../../src/core/pileup/siteExamples';
import { analyzePosition } from '../../src/core/pileup/variantCaller';
import { PopulationVcfs } from '../../src/core/pileup/alleleFrequency';

const DATA = resolve(__dirname, '../../../shared/data/dv-chr20');
const BAM = join(DATA, 'NA12878_S1.chr20.10_10p1mb.bam');
const REF = join(DATA, 'ucsc.hg19.chr20.unittest.fasta.gz');
const REGION = { contig: 'chr20', start: 10_000_000, end: 10_100_000 };
/** Warm realigned passes after the first; the warm figure is their best (ENCODER_BENCH_REALIGNED_PASSES). */
const REALIGNED_PASSES = Math.max(1, Number(process.env.ENCODER_BENCH_REALIGNED_PASSES ?? 5));

/** CPU time (user + sys) a command's process used, from bash's `times` (robust on a loaded machine, unlike wall time). */
function childCpuMs(args: string[]): { cpuMs: number; wallMs: number; stdout: string } {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `${quoted}; times >&2`], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  const lines = r.stderr.trim().split('\n');
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? '');
  if (r.status !== 0 || !m) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const cpuMs = (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
  return { cpuMs, wallMs, stdout: r.stdout };
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

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
  let c0 = cpuNow();
  let fetched = 0;
  for (let s = REGION.start; s < REGION.end; s += 10_000) fetched += (await reads.fetch(REGION.contig, s, Math.min(s + 10_000, REGION.end))).length;
  const fetchMs = performance.now() - t0;
  const fetchCpuMs = cpuNow() - c0;

  // samtools on the same ten regions, one process each way (best of 3).
  const regions: string[] = [];
  for (let s = REGION.start; s < REGION.end; s += 10_000) regions.push(`${REGION.contig}:${s + 1}-${Math.min(s + 10_000, REGION.end)}`);
  let samtoolsCountMs = Infinity;
  let samtoolsViewMs = Infinity;
  let samtoolsCountCpuMs = Infinity;
  let samtoolsViewCpuMs = Infinity;
  let samtoolsCount = NaN;
  for (let k = 0; k < 3; k++) {
    const c = childCpuMs(['samtools', 'view', '-c', BAM, ...regions]);
    samtoolsCountMs = Math.min(samtoolsCountMs, c.wallMs);
    samtoolsCountCpuMs = Math.min(samtoolsCountCpuMs, c.cpuMs);
    samtoolsCount = Number(c.stdout.trim());
    const v = childCpuMs(['samtools', 'view', '-o', '/dev/null', BAM, ...regions]);
    samtoolsViewMs = Math.min(samtoolsViewMs, v.wallMs);
    samtoolsViewCpuMs = Math.min(samtoolsViewCpuMs, v.cpuMs);
  }
  if (samtoolsCount !== fetched) throw new Error(`samtools view -c counts ${samtoolsCount} reads in the ten regions, we fetched ${fetched}`);

  // End to end, I/O included; then once more with a fresh reader (JIT warm).
  t0 = performance.now();
  const reader = new PartitionReader(reads, reference, options);
  let examples = 0;
  let sites = 0;
  for await (const s of regionExamples(reader, REGION)) { examples += s.examples.length; sites++; }
  const e2eMs = performance.now() - t0;
  t0 = performance.now();
  c0 = cpuNow();
  let examplesWarm = 0;
  for await (const s of regionExamples(new PartitionReader(reads, reference, options), REGION)) examplesWarm += s.examples.length;
  const e2eWarmMs = performance.now() - t0;
  const e2eWarmCpuMs = cpuNow() - c0;
  if (examplesWarm !== examples) throw new Error(`the warm run made ${examplesWarm} examples, the first ${examples}`);

  // The same with DeepVariant's realigner (make_examples --realign_reads, docs/deepvariant.md §11).
  t0 = performance.now();
  c0 = cpuNow();
  let examplesRealigned = 0;
  for await (const s of regionExamples(new PartitionReader(reads, reference, { ...options, realignReads: true }), REGION)) examplesRealigned += s.examples.length;
  const e2eRealignedMs = performance.now() - t0;
  const e2eRealignedCpuMs = cpuNow() - c0;
  // Again with a fresh reader each time (the realigner's code warmed up by the pass above), as
  // the warm realigner-off row: the best of REALIGNED_PASSES such passes. V8 keeps optimising
  // the realigner for several passes (decision 0018, round 5: 5.6, 2.1, 1.8, 1.7, 1.4 s of
  // CPU in the first five), so each pass's CPU time is reported too.
  let e2eRealignedWarmCpuMs = Infinity;
  const realignedPassCpuMs: number[] = [];
  for (let k = 0; k < REALIGNED_PASSES; k++) {
    c0 = cpuNow();
    let n = 0;
    for await (const s of regionExamples(new PartitionReader(reads, reference, { ...options, realignReads: true }), REGION)) n += s.examples.length;
    const took = cpuNow() - c0;
    realignedPassCpuMs.push(Math.round(took));
    e2eRealignedWarmCpuMs = Math.min(e2eRealignedWarmCpuMs, took);
    if (n !== examplesRealigned) throw new Error(`the warm realigned pass made ${n} examples, the first ${examplesRealigned}`);
  }

  // What the BGZF CRC32 check costs (docs/decisions/0011): BAM fetch of the ten regions (a
  // fresh reader each time, so every block is read and inflated again) and the warm end to
  // end, with the check on and off, alternating, best of 5 CPU times each (the fetch is
  // short, ~0.1 s, so it is repeated three times per pass).
  const crc = { fetchOn: Infinity, fetchOff: Infinity, e2eOn: Infinity, e2eOff: Infinity };
  for (let k = 0; k < 10; k++) {
    const on = k % 2 === 0;
    setBgzfCrcCheck(on);
    let c1 = cpuNow();
    for (let rep = 0; rep < 3; rep++) {
      const once = await openAlignments(BAM, { referencePath: REF });
      let got = 0;
      for (let s = REGION.start; s < REGION.end; s += 10_000) got += (await once.fetch(REGION.contig, s, Math.min(s + 10_000, REGION.end))).length;
      await once.close();
      if (got !== fetched) throw new Error(`fetched ${got} reads with the CRC check ${on ? 'on' : 'off'}, ${fetched} before`);
    }
    const fetchTook = (cpuNow() - c1) / 3;
    const fresh = await openAlignments(BAM, { referencePath: REF });
    c1 = cpuNow();
    let ex = 0;
    for await (const s of regionExamples(new PartitionReader(fresh, reference, options), REGION)) ex += s.examples.length;
    const e2eTook = cpuNow() - c1;
    if (ex !== examples) throw new Error(`made ${ex} examples with the CRC check ${on ? 'on' : 'off'}, ${examples} before`);
    await fresh.close();
    if (on) { crc.fetchOn = Math.min(crc.fetchOn, fetchTook); crc.e2eOn = Math.min(crc.e2eOn, e2eTook); }
    else { crc.fetchOff = Math.min(crc.fetchOff, fetchTook); crc.e2eOff = Math.min(crc.e2eOff, e2eTook); }
  }
  setBgzfCrcCheck(true);

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
  // Cold single site with the realigner (a click in the inspector when the model's producer realigned).
  // Wall time, and the process CPU time of each click (steadier on a loaded machine).
  const coldRealigned: number[] = [];
  const coldRealignedCpu: number[] = [];
  const stepR = Math.max(1, Math.floor(cands.length / 10));
  for (let i = 0; i < cands.length; i += stepR) {
    const c = cands[i]!;
    const s0 = performance.now();
    const u0 = cpuNow();
    await buildSiteExamples({ reads, reference, contig: REGION.contig, position: c.a.position + 1, options: { ...options, partitionsPerFetch: 1, realignReads: true } });
    coldRealigned.push(performance.now() - s0);
    coldRealignedCpu.push(cpuNow() - u0);
  }
  await reads.close();
  await reference.close();
  return {
    layout: label,
    sites,
    examples,
    endToEndMs: Math.round(e2eMs),
    endToEndWarmMs: Math.round(e2eWarmMs),
    bamFetchOnlyMs: Math.round(fetchMs),
    bamFetchOnlyCpuMs: Math.round(fetchCpuMs),
    samtoolsViewCountMs: Math.round(samtoolsCountMs),
    samtoolsViewCountCpuMs: Math.round(samtoolsCountCpuMs),
    samtoolsViewSamMs: Math.round(samtoolsViewMs),
    samtoolsViewSamCpuMs: Math.round(samtoolsViewCpuMs),
    endToEndWarmCpuMs: Math.round(e2eWarmCpuMs),
    readsFetched: fetched,
    bamFetchCpuMsCrcOn: Math.round(crc.fetchOn),
    bamFetchCpuMsCrcOff: Math.round(crc.fetchOff),
    /** Our BAM fetch CPU / samtools view (SAM out) CPU, CRC check on and off; samtools checks CRCs. */
    bamFetchCpuVsSamtoolsCrcOn: +(crc.fetchOn / samtoolsViewCpuMs).toFixed(3),
    bamFetchCpuVsSamtoolsCrcOff: +(crc.fetchOff / samtoolsViewCpuMs).toFixed(3),
    bamFetchCrcCostRatio: +(crc.fetchOn / crc.fetchOff).toFixed(3),
    endToEndWarmCpuMsCrcOn: Math.round(crc.e2eOn),
    endToEndWarmCpuMsCrcOff: Math.round(crc.e2eOff),
    examplesPerCpuSecCrcOn: Math.round((examples / crc.e2eOn) * 1000),
    examplesPerCpuSecCrcOff: Math.round((examples / crc.e2eOff) * 1000),
    endToEndCrcCostRatio: +(crc.e2eOn / crc.e2eOff).toFixed(3),
    examplesPerSecIncludingIo: Math.round((examples / e2eMs) * 1000),
    examplesPerSecIncludingIoWarm: Math.round((examples / e2eWarmMs) * 1000),
    examplesPerCpuSecIncludingIoWarm: Math.round((examples / e2eWarmCpuMs) * 1000),
    examplesPerSecEncodeOnly: Math.round((encoded / encMs) * 1000),
    realignedExamples: examplesRealigned,
    realignedEndToEndMs: Math.round(e2eRealignedMs),
    realignedEndToEndCpuMs: Math.round(e2eRealignedCpuMs),
    realignedExamplesPerCpuSec: Math.round((examplesRealigned / e2eRealignedCpuMs) * 1000),
    realignedWarmCpuMs: Math.round(e2eRealignedWarmCpuMs),
    realignedWarmExamplesPerCpuSec: Math.round((examplesRealigned / e2eRealignedWarmCpuMs) * 1000),
    /** CPU ms of each warm realigned pass after the first, in order (the JIT's progress). */
    realignedWarmPassCpuMs: realignedPassCpuMs.join(' '),
    realignedSiteColdP50Ms: Math.round(pct(coldRealigned, 50)),
    realignedSiteColdP95Ms: Math.round(pct(coldRealigned, 95)),
    realignedSiteColdCpuP50Ms: Math.round(pct(coldRealignedCpu, 50)),
    realignedSiteColdCpuP95Ms: Math.round(pct(coldRealignedCpu, 95)),
    candidateCallingMs: Math.round(callMs * 10) / 10,
    candidatesCalled: called,
    siteWarmP50Ms: Math.round(pct(perSite, 50) * 100) / 100,
    siteWarmP95Ms: Math.round(pct(perSite, 95) * 100) / 100,
    siteColdP50Ms: Math.round(pct(cold, 50) * 10) / 10,
    siteColdP95Ms: Math.round(pct(cold, 95) * 10) / 10,
    coldSamples: cold.length,
  };
}

const LAYOUTS = resolve(__dirname, '../../../shared/data/dv-layouts');

/** End to end (warm: one untimed pass first), realigner off: examples and CPU ms over `repeats` passes. */
async function layoutRun(label: string, info: ExampleInfo, bam: string, ref: string, region: { contig: string; start: number; end: number }, repeats: number, populationVcf?: string): Promise<Record<string, number | string>> {
  const reference = await openReference(ref);
  const reads = await openAlignments(bam, { referencePath: ref });
  const populationVcfs = populationVcf ? await PopulationVcfs.open([populationVcf]) : undefined;
  const options = pipelineOptions(info, populationVcfs ? { populationVcfs } : {});
  const pass = async (): Promise<number> => {
    let n = 0;
    for await (const s of regionExamples(new PartitionReader(reads, reference, options), region)) n += s.examples.length;
    return n;
  };
  await pass();
  const c0 = cpuNow();
  const t0 = performance.now();
  let examples = 0;
  for (let k = 0; k < repeats; k++) examples += await pass();
  const cpuMs = cpuNow() - c0;
  const wallMs = performance.now() - t0;
  await reads.close();
  await reference.close();
  await populationVcfs?.close();
  return { layout: label, shape: `[${info.shape.join(',')}]`, examples: examples / repeats, cpuMs: Math.round(cpuMs), wallMs: Math.round(wallMs), examplesPerCpuSec: Math.round((examples / cpuMs) * 1000) };
}

async function layoutRows(): Promise<Record<string, number | string>[]> {
  const na = (label: string, info: ExampleInfo): Promise<Record<string, number | string>> => layoutRun(label, info, BAM, REF, REGION, 1);
  const rows = [
    await na('plain 1.5 (NA12878)', DV15_EXAMPLE_INFO),
    await na('rows (NA12878)', { ...DV15_EXAMPLE_INFO, shape: [300, 221, 6], altAlignedPileup: 'rows' }),
    await na('diff_channels (NA12878)', { ...DV15_EXAMPLE_INFO, shape: [100, 221, 8], channels: [1, 2, 3, 4, 5, 6, 9, 10] }),
  ];
  if (existsSync(LAYOUTS)) {
    const bam = join(LAYOUTS, 'grch38_1k_subset_chr20_and_chr21.bam');
    const ref = join(LAYOUTS, 'grch38.chr20_and_21_10M.fa.gz');
    const region = { contig: 'chr20', start: 61_000, end: 62_000 };
    rows.push(await layoutRun('plain 1.5 (GRCh38 1 kb ×10)', DV15_EXAMPLE_INFO, bam, ref, region, 10));
    rows.push(await layoutRun('allele frequency (GRCh38 1 kb ×10)', { ...DV15_EXAMPLE_INFO, shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 8] }, bam, ref, region, 10, join(LAYOUTS, 'cohort-chr20_and_chr21_100k.vcf.gz')));
  }
  return rows;
}

async function main(): Promise<void> {
  if (!existsSync(BAM)) {
    console.error(`bench:encoder needs ${BAM} (../shared/data); not found`);
    process.exitCode = 2;
    return;
  }
  // `-- --layouts-only`: only the layouts table (the plain layout is in it too).
  const layoutsOnly = process.argv.includes('--layouts-only');
  const rows = layoutsOnly ? [] : [await run(DV15_EXAMPLE_INFO, '1.5 [100,221,6]'), await run(DEFAULT_EXAMPLE_INFO, '1.6 WGS [100,221,7]')];
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`encoder bench on ${REGION.contig}:${REGION.start + 1}-${REGION.end} (NA12878, ~30x), single thread; load average ${load}`);
  const keys = rows.length ? Object.keys(rows[0]!) : [];
  for (const k of keys) console.log(`${k.padEnd(28)} ${rows.map((r) => ` ${String(r[k]).padStart(19)}`).join('')}`);
  const layouts = await layoutRows();
  console.log('\nlayouts (end to end, warm, realigner off; CPU time)');
  for (const r of layouts) console.log(`${String(r['layout']).padEnd(36)} ${String(r['shape']).padEnd(14)} ${String(r['examples']).padStart(6)} examples  ${String(r['examplesPerCpuSec']).padStart(6)} examples/CPU s`);
  console.log('BENCH_JSON ' + JSON.stringify({ bench: 'encoder', region: `${REGION.contig}:${REGION.start + 1}-${REGION.end}`, loadAverage: loadavg(), results: rows, layouts }));
}

void main();
