/**
 * `npm run bench:io` — VCF reading speed on a generated 5,000,000-record bgzipped,
 * tabix-indexed VCF, next to bcftools on the same file in the same run.
 *
 * The file is generated once (text in TS, compressed by the `bgzip` CLI, indexed by
 * `tabix -p vcf`, both from Debian's tabix package) and cached under .cache/bench/.
 * Reports: streaming rate, region-query latency (p50/p95 over 100 seeded random 10-kb
 * regions), row-index build time and random page-read latency; and `bcftools view -H | wc -l`
 * wall time and `bcftools view -H -r` latency (a process per query, as a user would run it).
 * Streaming is also reported as CPU time (ours: process.cpuUsage(); bcftools + wc: bash's
 * `times`), which a loaded, shared machine disturbs less than wall time. Our stream is timed
 * once cold (reported apart) and then BENCH_IO_STREAM_PASSES (default 3) warm passes; bcftools
 * runs as many times; the ratios use each side's best. And once more with
 * the BGZF CRC32 check on and off (alternating, best of 3), giving what the check costs as a
 * ratio and both CPU ratios to bcftools (docs/decisions/0011-bgzf-crc-check.md).
 * Prints a table and one JSON line (prefixed "BENCH_JSON ").
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, renameSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { seededRandom } from '../helpers/seededRandom';

type OpenVcf = typeof import('../../src/core/io/vcf/vcfReader').openVcf;
type SetCrcCheck = typeof import('../../src/core/io/bgzf/bgzfIntegrity').setBgzfCrcCheck;

/**
 * The reader and the CRC switch, found where this checkout keeps them: `bench:ab` runs this
 * same harness on an older commit too (0.1.0 kept the reader in src/core/io/vcfReader.ts and
 * had no CRC check), so both sides are timed the same way.
 */
async function loadReader(): Promise<{ openVcf: OpenVcf; setBgzfCrcCheck?: SetCrcCheck }> {
  const from = async (rel: string): Promise<Record<string, unknown> | undefined> =>
    (existsSync(join(ROOT, `${rel}.ts`)) ? ((await import(join(ROOT, rel))) as Record<string, unknown>) : undefined);
  const reader = (await from('src/core/io/vcf/vcfReader')) ?? (await from('src/core/io/vcfReader'));
  if (!reader) throw new Error('no VCF reader found in this checkout');
  const crc = await from('src/core/io/bgzf/bgzfIntegrity');
  return { openVcf: reader.openVcf as OpenVcf, setBgzfCrcCheck: crc?.setBgzfCrcCheck as SetCrcCheck | undefined };
}

const ROOT = resolve(__dirname, '../..');
const DIR = join(ROOT, '.cache', 'bench');
const N = Number(process.env.BENCH_IO_RECORDS ?? 5_000_000);
const FILE = join(DIR, `bench-${N}.vcf.gz`);
const CONTIGS = ['chr1', 'chr2', 'chr3', 'chr4', 'chr5'];
const PER_CONTIG = Math.ceil(N / CONTIGS.length);
/** Mean spacing between records: 5 M records over 5 contigs of ~150 Mb. */
const STEP = 60;
/** Warm streaming passes on our side and runs of bcftools; the ratios use the best of each. */
const STREAM_PASSES = Number(process.env.BENCH_IO_STREAM_PASSES ?? 3);

async function generate(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const tmp = `${FILE}.tmp`;
  const out = openSync(tmp, 'w');
  const bgzip = spawn('bgzip', ['-c', '-@', '2'], { stdio: ['pipe', out, 'inherit'] });
  const done = new Promise<void>((res, rej) => bgzip.on('close', (code) => (code === 0 ? res() : rej(new Error(`bgzip exited ${code}`)))));
  const stdin = bgzip.stdin!;
  const write = (s: string): Promise<void> => new Promise((res) => { if (stdin.write(s)) res(); else stdin.once('drain', () => res()); });
  const header = [
    '##fileformat=VCFv4.2',
    ...CONTIGS.map((c) => `##contig=<ID=${c},length=${PER_CONTIG * STEP + 1000}>`),
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE',
  ];
  await write(header.join('\n') + '\n');
  const rand = seededRandom(1);
  const bases = 'ACGT';
  const gts = ['0/1', '1/1', '0/0', '1/2'];
  let written = 0;
  for (const contig of CONTIGS) {
    let pos = 0;
    for (let i = 0; i < PER_CONTIG && written < N; ) {
      const lines: string[] = [];
      for (let k = 0; k < 50_000 && i < PER_CONTIG && written < N; k++, i++, written++) {
        pos += 1 + Math.floor(rand() * (2 * STEP - 1));
        const ref = bases[Math.floor(rand() * 4)]!;
        const alt = k % 10 === 0 ? `${bases[(bases.indexOf(ref) + 1) % 4]},${bases[(bases.indexOf(ref) + 2) % 4]}` : bases[(bases.indexOf(ref) + 1) % 4]!;
        const dp = 10 + Math.floor(rand() * 50);
        lines.push(`${contig}\t${pos}\t.\t${ref}\t${alt}\t${(rand() * 60).toFixed(1)}\t${k % 3 ? 'PASS' : 'RefCall'}\tDP=${dp}\tGT:GQ:DP\t${gts[k % 4]}:${Math.floor(rand() * 99)}:${dp}`);
      }
      await write(lines.join('\n') + '\n');
    }
  }
  stdin.end();
  await done;
  closeSync(out);
  renameSync(tmp, FILE);
  const tabix = spawnSync('tabix', ['-f', '-p', 'vcf', FILE], { stdio: 'inherit' });
  if (tabix.status !== 0) throw new Error('tabix failed');
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  if (!existsSync(FILE) || !existsSync(`${FILE}.tbi`)) {
    const t0 = process.hrtime.bigint();
    process.stderr.write(`generating ${N.toLocaleString()} records into ${FILE} (once) …\n`);
    await generate();
    process.stderr.write(`generated in ${(ms(t0) / 1000).toFixed(1)} s\n`);
  }
  const { openVcf, setBgzfCrcCheck } = await loadReader();
  const vcf = await openVcf(FILE);

  // 1. Streaming, batch API and the per-record async iterator (wall and CPU time: on a
  // shared, loaded machine CPU time is the steadier number). The first pass is cold (the JIT
  // warming up, the file entering the page cache); the ratios to bcftools use the best of
  // STREAM_PASSES warm passes on each side, since one pass moves by ±20 % on a shared machine.
  const streamOnce = async (): Promise<{ wallMs: number; cpuMs: number }> => {
    const w0 = process.hrtime.bigint();
    const c1 = cpuNow();
    let k = 0;
    for await (const batch of vcf.recordBatches()) k += batch.length;
    if (k !== N) throw new Error(`streamed ${k} records, expected ${N}`);
    return { wallMs: ms(w0), cpuMs: cpuNow() - c1 };
  };
  const cold = await streamOnce();
  const warm = [];
  for (let k = 0; k < STREAM_PASSES; k++) warm.push(await streamOnce());
  const streamBatchMs = Math.min(...warm.map((x) => x.wallMs));
  const streamBatchCpuMs = Math.min(...warm.map((x) => x.cpuMs));
  let t0 = process.hrtime.bigint();
  const c0 = cpuNow();
  let m = 0;
  let qualSum = 0;
  for await (const r of vcf.records()) { m++; qualSum += r.qual ?? 0; }
  const streamIterMs = ms(t0);
  const streamIterCpuMs = cpuNow() - c0;
  if (m !== N || !(qualSum > 0)) throw new Error('records() disagrees with recordBatches()');

  // bcftools on the same file, best of STREAM_PASSES (wall and CPU each).
  let bcftoolsStreamMs = Infinity;
  let bcftoolsStreamCpuMs = Infinity;
  for (let k = 0; k < STREAM_PASSES; k++) {
    t0 = process.hrtime.bigint();
    const bc = spawnSync('bash', ['-c', `bcftools view -H '${FILE}' | wc -l; times >&2`], { encoding: 'utf8' });
    bcftoolsStreamMs = Math.min(bcftoolsStreamMs, ms(t0));
    // bash's `times`, second line: user and sys time of its children (bcftools + wc).
    const tm = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(bc.stderr.trim());
    if (!tm) throw new Error(`no CPU times from bash: ${bc.stderr}`);
    bcftoolsStreamCpuMs = Math.min(bcftoolsStreamCpuMs, (Number(tm[1]) * 60 + Number(tm[2]) + Number(tm[3]) * 60 + Number(tm[4])) * 1000);
    if (Number(bc.stdout.trim()) !== N) throw new Error(`bcftools counted ${bc.stdout.trim()} records`);
  }

  // 1b. What the BGZF CRC32 check costs (docs/decisions/0011): the same stream with the check
  // on and off, alternating, best of 3 CPU times each, as ratios to bcftools' CPU time above
  // (htslib checks every block's CRC too). Skipped on a checkout without the check.
  const crcCpu = { on: Infinity, off: Infinity };
  if (setBgzfCrcCheck) {
    for (let k = 0; k < 6; k++) {
      const on = k % 2 === 0;
      setBgzfCrcCheck(on);
      const took = (await streamOnce()).cpuMs;
      if (on) crcCpu.on = Math.min(crcCpu.on, took);
      else crcCpu.off = Math.min(crcCpu.off, took);
    }
    setBgzfCrcCheck(true);
  }

  // 2. Region queries: 100 seeded random 10-kb regions.
  const rand = seededRandom(99);
  const regions = Array.from({ length: 100 }, () => {
    const contig = CONTIGS[Math.floor(rand() * CONTIGS.length)]!;
    const start = Math.floor(rand() * (PER_CONTIG * STEP - 10_000));
    return { contig, start, end: start + 10_000 };
  });
  const ours: number[] = [];
  const theirs: number[] = [];
  let mismatches = 0;
  for (const q of regions) {
    t0 = process.hrtime.bigint();
    let k = 0;
    for await (const _ of vcf.query(q.contig, q.start, q.end)) k++;
    ours.push(ms(t0));
    t0 = process.hrtime.bigint();
    const r = spawnSync('bcftools', ['view', '-H', '-r', `${q.contig}:${q.start + 1}-${q.end}`, FILE], { encoding: 'utf8', maxBuffer: 1 << 28 });
    theirs.push(ms(t0));
    if (r.stdout.split('\n').filter(Boolean).length !== k) mismatches++;
  }
  if (mismatches > 0) throw new Error(`${mismatches} region queries disagree with bcftools`);

  // 3. Row index and random pages of 100 rows.
  t0 = process.hrtime.bigint();
  const idx = await vcf.buildRowIndex();
  const indexMs = ms(t0);
  if (idx.count !== N) throw new Error(`row index has ${idx.count} rows`);
  const pages: number[] = [];
  for (let i = 0; i < 100; i++) {
    const from = Math.floor(rand() * (N - 100));
    t0 = process.hrtime.bigint();
    const rows = await idx.readRows(from, from + 100);
    pages.push(ms(t0));
    if (rows.length !== 100) throw new Error('short page');
  }
  const finds: number[] = [];
  for (const q of regions.slice(0, 20)) {
    t0 = process.hrtime.bigint();
    await idx.findRow(q.contig, q.start + 1);
    finds.push(ms(t0));
  }
  await vcf.close();

  const result = {
    loadAverage: loadavg().map((x) => +x.toFixed(2)),
    records: N,
    fileBytes: vcf.size,
    streamRecordsPerSec: Math.round(N / (streamBatchMs / 1000)),
    streamIteratorRecordsPerSec: Math.round(N / (streamIterMs / 1000)),
    bcftoolsStreamRecordsPerSec: Math.round(N / (bcftoolsStreamMs / 1000)),
    streamSpeedupVsBcftools: +(bcftoolsStreamMs / streamBatchMs).toFixed(2),
    streamCpuMs: Math.round(streamBatchCpuMs),
    streamCpuMsColdPass: Math.round(cold.cpuMs),
    streamPasses: STREAM_PASSES,
    streamIteratorCpuMs: Math.round(streamIterCpuMs),
    bcftoolsStreamCpuMs: Math.round(bcftoolsStreamCpuMs),
    streamCpuSpeedupVsBcftools: +(bcftoolsStreamCpuMs / streamBatchCpuMs).toFixed(2),
    streamCpuMsCrcOn: Math.round(crcCpu.on),
    streamCpuMsCrcOff: Math.round(crcCpu.off),
    streamCpuSpeedupVsBcftoolsCrcOn: +(bcftoolsStreamCpuMs / crcCpu.on).toFixed(2),
    streamCpuSpeedupVsBcftoolsCrcOff: +(bcftoolsStreamCpuMs / crcCpu.off).toFixed(2),
    /** CPU with the CRC check / without, on the same stream: 1.05 = the check costs 5 %. */
    crcCostRatio: +(crcCpu.on / crcCpu.off).toFixed(3),
    regionQueryMs: { p50: +pct(ours, 50).toFixed(2), p95: +pct(ours, 95).toFixed(2) },
    bcftoolsRegionQueryMs: { p50: +pct(theirs, 50).toFixed(2), p95: +pct(theirs, 95).toFixed(2) },
    regionQuerySpeedupVsBcftoolsP50: +(pct(theirs, 50) / pct(ours, 50)).toFixed(2),
    rowIndexBuildMs: Math.round(indexMs),
    rowIndexBytes: idx.count * 8,
    pageRead100RowsMs: { p50: +pct(pages, 50).toFixed(2), p95: +pct(pages, 95).toFixed(2) },
    findRowMs: { p50: +pct(finds, 50).toFixed(2), p95: +pct(finds, 95).toFixed(2) },
  };
  const rows = ([
    ['stream all records (best warm pass)', `${(streamBatchMs / 1000).toFixed(2)} s (${(result.streamRecordsPerSec / 1e6).toFixed(2)} M rec/s)`, `${(bcftoolsStreamMs / 1000).toFixed(2)} s (bcftools view -H | wc -l)`, `${result.streamSpeedupVsBcftools}x`],
    ['stream all records, CPU time', `${(streamBatchCpuMs / 1000).toFixed(2)} s batches (best of ${STREAM_PASSES} warm; cold pass ${(cold.cpuMs / 1000).toFixed(2)} s), ${(streamIterCpuMs / 1000).toFixed(2)} s records()`, `${(bcftoolsStreamCpuMs / 1000).toFixed(2)} s (bcftools + wc, best of ${STREAM_PASSES})`, `${result.streamCpuSpeedupVsBcftools}x / ${(bcftoolsStreamCpuMs / streamIterCpuMs).toFixed(2)}x`],
    ['stream CPU, BGZF CRC32 check on / off', `${(crcCpu.on / 1000).toFixed(2)} s / ${(crcCpu.off / 1000).toFixed(2)} s (best of 3 each, alternating)`, `${(bcftoolsStreamCpuMs / 1000).toFixed(2)} s (bcftools + wc, checks CRC)`, `${result.streamCpuSpeedupVsBcftoolsCrcOn}x / ${result.streamCpuSpeedupVsBcftoolsCrcOff}x; check costs ${((result.crcCostRatio - 1) * 100).toFixed(1)} %`],
    ['  … via records() iterator', `${(streamIterMs / 1000).toFixed(2)} s (${(result.streamIteratorRecordsPerSec / 1e6).toFixed(2)} M rec/s)`, '', `${(bcftoolsStreamMs / streamIterMs).toFixed(2)}x`],
    ['10-kb region query p50/p95', `${result.regionQueryMs.p50} / ${result.regionQueryMs.p95} ms`, `${result.bcftoolsRegionQueryMs.p50} / ${result.bcftoolsRegionQueryMs.p95} ms (bcftools view -H -r, incl. process start)`, `${result.regionQuerySpeedupVsBcftoolsP50}x`],
    ['row index build', `${(indexMs / 1000).toFixed(2)} s, ${(result.rowIndexBytes / 1e6).toFixed(0)} MB`, '', ''],
    ['page of 100 rows p50/p95', `${result.pageRead100RowsMs.p50} / ${result.pageRead100RowsMs.p95} ms`, '', ''],
    ['findRow (go to locus) p50/p95', `${result.findRowMs.p50} / ${result.findRowMs.p95} ms`, '', ''],
  ] as [string, string, string, string][]).filter((r) => setBgzfCrcCheck !== undefined || !r[0].startsWith('stream CPU, BGZF CRC32'));
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['measure', 'variant-lens', 'bcftools', 'ratio'][i]!.length));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(w[i]!)).join('  ');
  process.stdout.write(`\nVCF I/O on ${N.toLocaleString()} records (${(vcf.size / 1e6).toFixed(0)} MB bgzipped), one core; load average ${result.loadAverage.join(' ')}\n\n`);
  process.stdout.write(line(['measure', 'variant-lens', 'bcftools', 'ratio']) + '\n' + w.map((x) => '-'.repeat(x)).join('  ') + '\n');
  for (const r of rows) process.stdout.write(line(r) + '\n');
  process.stdout.write(`\nBENCH_JSON ${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:io failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
