// A/B benchmark runner: runs the same benches on two commits, alternately, and reports each
// bench's ratios against samtools/bcftools (measured in the same run) as best of N per commit.
// Ratios, not times, are compared: the machines are shared and noisy.
//
//   node test/bench/abRun.mjs --a <commit> [--b <commit>|--b WORKTREE] [--bench io,diff,ui] [--rounds 5]
//        [--env KEY=VALUE ...]   (e.g. --env BENCH_IO_RECORDS=1000000 for a shorter run)
//        [--bench-args "--table-only"]   extra arguments for every bench run (a commit whose
//                                        bench does not know them ignores them)
//        [--same-harness io]   these benches run this checkout's harness on both sides (copied
//                              over the older commit's own; bench:io's harness finds the reader
//                              at either layout), so both sides are timed the same way
//
// Each commit is checked out in a temporary git worktree that shares node_modules and the
// bench input cache (.cache/bench) with this checkout. Prints a table and a JSON line
// ("AB_JSON ...") for docs/decisions/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const a = opt('a');
const b = opt('b', 'WORKTREE');
const benches = opt('bench', 'io,diff,ui').split(',');
const rounds = Number(opt('rounds', '5'));
const benchArgs = (opt('bench-args', '') ?? '').split(' ').filter(Boolean);
const sameHarness = new Set((opt('same-harness', '') ?? '').split(',').filter(Boolean));
const env = { ...process.env };
argv.forEach((x, i) => { if (x === '--env') { const [k, ...v] = argv[i + 1].split('='); env[k] = v.join('='); } });
if (!a) { console.error('usage: abRun.mjs --a <commit> [--b <commit>|WORKTREE] [--bench io,diff,ui] [--rounds N]'); process.exit(2); }

/** What each bench reports, and whether a larger number is better. */
const METRICS = {
  io: (out) => {
    const j = JSON.parse(/BENCH_JSON (.*)/.exec(out)[1]);
    return { 'stream CPU speedup vs bcftools (×, higher better)': [j.streamCpuSpeedupVsBcftools, +1], 'stream wall speedup vs bcftools (×, higher better)': [j.streamSpeedupVsBcftools, +1], 'region query p50 speedup vs bcftools (×, higher better)': [j.regionQuerySpeedupVsBcftoolsP50, +1] };
  },
  diff: (out) => ({
    'CPU ours / bcftools isec (lower better)': [Number(/CPU-time ratio \(ours \/ bcftools isec\): ([\d.]+)/.exec(out)[1]), -1],
    'wall ours / bcftools isec (lower better)': [Number(/^time ratio \(ours \/ bcftools isec\): ([\d.]+)/m.exec(out)[1]), -1],
  }),
  // The ratios are computed here from the step times the bench prints (whole ms, each step and
  // each tool on its own line), not read from its "ratios" lines: those are rounded to two
  // decimals, which at ratios of 0.04-0.3 is a 3-25 % step and hid any change of < 10 %.
  ui: (out) => {
    const t = new Map();
    for (const line of out.split('\n')) {
      const r = /^(\S.*?)\s+(\d+) ms\b/.exec(line);
      if (r) t.set(r[1].trim(), Number(r[2]));
    }
    const ratio = (ours, tool) => {
      if (!t.has(ours) || !t.has(tool)) throw new Error(`ui bench output lacks "${t.has(ours) ? tool : ours}"`);
      return +(t.get(ours) / t.get(tool)).toPrecision(4);
    };
    const index = 'row index of 5,000,000 records (worker)';
    return {
      'row index vs bgzip -dc (ours/tool, lower better)': [ratio(index, 'bgzip -dc (decompress only)'), -1],
      'row index vs bcftools view -H (ours/tool, lower better)': [ratio(index, 'bcftools view -H (parse every record)'), -1],
      'sort QUAL (with pass) vs query|sort (ours/tool, lower better)': [ratio('sort by QUAL desc (incl. column pass)', 'bcftools query QUAL | sort -g -r'), -1],
      'filter PASS SNP region vs bcftools (ours/tool, lower better)': [ratio('filter FILTER=PASS SNP chr2:1-50,000,000', 'bcftools view -f PASS -v snps -r chr2:1-50M'), -1],
      'filter GT=1/1 vs bcftools -i (ours/tool, lower better)': [ratio('filter GT=1/1 (incl. sample column pass)', 'bcftools view -i GT="1/1"'), -1],
      'filter text vs bcftools | grep (ours/tool, lower better)': [ratio('filter text "db" (one pass over lines)', 'bcftools view -H | grep -ic db'), -1],
    };
  },
};

// tableCpu: the same harness on both sides (test/bench/tableCpuBench.ts is copied into a
// commit that predates it); CPU of the table's steps over CPU of the htslib pipelines.
const TABLE_INDEX = 'row index of 5,000,000 records (worker)';
/** tableCpu: each reported ratio as [name, our step, the tool's pipeline]. */
const TABLE_PAIRS = [
  ['row index CPU / bgzip -dc CPU (lower better)', TABLE_INDEX, 'bgzip -dc (decompress only)'],
  ['row index CPU / bcftools view -H CPU (lower better)', TABLE_INDEX, 'bcftools view -H (parse every record)'],
  ['sort QUAL (with pass) CPU / query|sort CPU (lower better)', 'sort by QUAL desc (incl. column pass)', 'bcftools query QUAL | sort -g -r'],
  ['filter PASS SNP region CPU / bcftools CPU (lower better)', 'filter FILTER=PASS SNP chr2:1-50,000,000', 'bcftools view -f PASS -v snps -r chr2:1-50M'],
  ['filter GT=1/1 CPU / bcftools -i CPU (lower better)', 'filter GT=1/1 (incl. sample column pass)', 'bcftools view -i GT="1/1"'],
  ['filter text CPU / bcftools | grep CPU (lower better)', 'filter text "db" (one pass over lines)', 'bcftools view -H | grep -ic db'],
];
const tableCpuTimes = (out) => {
  const t = new Map();
  for (const line of out.split('\n')) {
    const r = /^(\S.*?)\s+(\d+) ms CPU\b/.exec(line);
    if (r) t.set(r[1].trim(), Number(r[2]));
  }
  return t;
};
/** io: each stream/query figure as raw times (ms), for the ratio of bests below. */
const ioTimes = (out) => {
  const j = JSON.parse(/BENCH_JSON (.*)/.exec(out)[1]);
  return {
    'stream CPU ours': j.streamCpuMs, 'stream CPU bcftools': j.bcftoolsStreamCpuMs,
    'stream wall ours': j.records / j.streamRecordsPerSec * 1000, 'stream wall bcftools': j.records / j.bcftoolsStreamRecordsPerSec * 1000,
    'region p50 ours': j.regionQueryMs.p50, 'region p50 bcftools': j.bcftoolsRegionQueryMs.p50,
  };
};
/** Benches whose raw times are kept per run, with [name, our time, the tool's time] pairs. */
const RAW = {
  tableCpu: { times: (out) => Object.fromEntries(tableCpuTimes(out)), pairs: TABLE_PAIRS },
  io: {
    times: ioTimes,
    pairs: [
      ['stream CPU ours / bcftools (lower better)', 'stream CPU ours', 'stream CPU bcftools'],
      ['stream wall ours / bcftools (lower better)', 'stream wall ours', 'stream wall bcftools'],
      ['region query p50 ours / bcftools (lower better)', 'region p50 ours', 'region p50 bcftools'],
    ],
  },
};
METRICS.tableCpu = (out) => {
  const t = tableCpuTimes(out);
  const ratio = (ours, tool) => {
    if (!t.has(ours) || !t.has(tool)) throw new Error(`tableCpu bench output lacks "${t.has(ours) ? tool : ours}"`);
    return +(t.get(ours) / t.get(tool)).toPrecision(4);
  };
  return Object.fromEntries(TABLE_PAIRS.map(([name, ours, tool]) => [name, [ratio(ours, tool), -1]]));
};

function checkout(rev) {
  if (rev === 'WORKTREE') return { dir: ROOT, label: 'worktree' };
  const sha = spawnSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dir = join(tmpdir(), `vl-ab-${sha}`);
  if (!existsSync(dir)) {
    const r = spawnSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    // Same lockfile: share node_modules; otherwise that commit gets its own (npm ci).
    const lock = (d) => { try { return readFileSync(join(d, 'package-lock.json'), 'utf8'); } catch { return ''; } };
    if (lock(dir) === lock(ROOT)) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    else {
      const ci = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
      if (ci.status !== 0) throw new Error(`npm ci in ${dir} failed: ${ci.stderr}`);
    }
  }
  // Bench inputs are generated once and shared: .cache/bench (io, diff) and .cache/e2e (ui).
  if (!existsSync(join(dir, '.cache'))) mkdirSync(join(dir, '.cache'));
  for (const sub of ['bench', 'e2e']) {
    mkdirSync(join(ROOT, '.cache', sub), { recursive: true });
    if (!existsSync(join(dir, '.cache', sub))) symlinkSync(join(ROOT, '.cache', sub), join(dir, '.cache', sub));
  }
  return { dir, label: sha };
}

const sides = [checkout(a), checkout(b)];
for (const s of sides) {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: s.dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed in ${s.dir}: ${r.stderr}`);
}
const results = {};
/** Each RAW bench's times per run, per side (for the ratio of bests). */
const rawTimes = Object.fromEntries(Object.keys(RAW).map((k) => [k, [[], []]]));
for (const bench of benches) {
  const file = `test/bench/${bench}Bench.ts`;
  for (const s of sides) {
    if (s.dir !== ROOT && sameHarness.has(bench)) { copyFileSync(join(ROOT, file), join(s.dir, file)); console.error(`[ab] ${file} from this checkout used in ${s.label} (--same-harness)`); continue; }
    if (!existsSync(join(s.dir, file))) { copyFileSync(join(ROOT, file), join(s.dir, file)); console.error(`[ab] ${file} copied into ${s.label} (same harness on both sides)`); }
  }
  results[bench] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < 2; k++) {
      const side = round % 2 === 0 ? k : 1 - k; // A B, B A, A B … so neither side always goes first
      const s = sides[side];
      const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...benchArgs], { cwd: s.dir, encoding: 'utf8', env, maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`${bench} on ${s.label} failed:\n${r.stdout}\n${r.stderr}`);
      const m = METRICS[bench](r.stdout);
      results[bench][side].push(m);
      const times = RAW[bench]?.times(r.stdout);
      if (times) rawTimes[bench][side].push(times);
      // Each run's numbers as they come: a run cut short still leaves its rounds on stderr.
      console.error(`[ab] ${bench} round ${round + 1}/${rounds} ${s.label} done (load ${loadavg()[0].toFixed(2)}) AB_RUN ${JSON.stringify({ bench, side: s.label, round: round + 1, metrics: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v[0]])), ...(times ? { times } : {}) })}`);
    }
  }
}

const table = [];
for (const bench of benches) {
  const names = Object.keys(results[bench][0][0]);
  for (const name of names) {
    const best = results[bench].map((runs) => {
      const dir = runs[0][name][1];
      const vals = runs.map((m) => m[name][0]);
      return dir > 0 ? Math.max(...vals) : Math.min(...vals);
    });
    const dir = results[bench][0][0][name][1];
    const change = dir > 0 ? best[1] / best[0] - 1 : best[0] / best[1] - 1; // > 0: B better
    table.push({ bench, name, a: best[0], b: best[1], bBetterBy: +(change * 100).toFixed(1) });
  }
}
console.log(`\nA = ${sides[0].label}, B = ${sides[1].label}; best of ${rounds} runs each, alternating; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
console.log(`${'bench'.padEnd(6)} ${'measure'.padEnd(58)} ${'A'.padStart(7)} ${'B'.padStart(7)}  B vs A`);
for (const r of table) console.log(`${r.bench.padEnd(6)} ${r.name.padEnd(58)} ${String(r.a).padStart(7)} ${String(r.b).padStart(7)}  ${r.bBetterBy >= 0 ? '+' : ''}${r.bBetterBy}% ${r.bBetterBy < -10 ? '(WORSE by more than 10 %)' : ''}`);
console.log(`AB_JSON ${JSON.stringify({ a: sides[0].label, b: sides[1].label, rounds, sameHarness: [...sameHarness], env: Object.fromEntries(argv.flatMap((x, i) => (x === '--env' ? [argv[i + 1].split('=')] : []))), table })}`);
// tableCpu and io also as the ratio of bests: each side's best (lowest) time of each of our
// steps over its best of the tool's across the rounds. The best of the per-run ratios above
// rewards the run where the tool was slowed most; this compares each side's best of each
// measurement, as the benches do within a run.
for (const [bench, { pairs }] of Object.entries(RAW)) {
  const times = rawTimes[bench];
  if (times[0].length === 0 || times[1].length === 0) continue;
  const bestOf = (side, key) => Math.min(...times[side].map((t) => t[key]));
  const rows = pairs.map(([name, ours, tool]) => {
    const r = [0, 1].map((side) => +(bestOf(side, ours) / bestOf(side, tool)).toPrecision(4));
    return { name, a: r[0], b: r[1], bBetterBy: +((r[0] / r[1] - 1) * 100).toFixed(1) };
  });
  console.log(`\n${bench}, ratio of bests (best of ${times[0].length} times of each step and each tool, per side)`);
  for (const r of rows) console.log(`${bench} ${r.name.padEnd(58)} ${String(r.a).padStart(7)} ${String(r.b).padStart(7)}  ${r.bBetterBy >= 0 ? '+' : ''}${r.bBetterBy}% ${r.bBetterBy < -10 ? '(WORSE by more than 10 %)' : ''}`);
  console.log(`AB_BESTS_JSON ${JSON.stringify({ bench, a: sides[0].label, b: sides[1].label, rows, times })}`);
  // And with one denominator for both sides: the tool is the same binary on the same file in
  // both sides' rounds, so its best over all 2 × N rounds normalises both; the comparison is
  // then our step's best time, A against B, with the tool's round-to-round noise left out.
  const shared = pairs.map(([name, ours, tool]) => {
    const t = Math.min(bestOf(0, tool), bestOf(1, tool));
    const r = [0, 1].map((side) => +(bestOf(side, ours) / t).toPrecision(4));
    return { name, a: r[0], b: r[1], bBetterBy: +((r[0] / r[1] - 1) * 100).toFixed(1) };
  });
  console.log(`\n${bench}, one tool denominator (each step's best time over the tool's best across both sides' ${2 * times[0].length} rounds)`);
  for (const r of shared) console.log(`${bench} ${r.name.padEnd(58)} ${String(r.a).padStart(7)} ${String(r.b).padStart(7)}  ${r.bBetterBy >= 0 ? '+' : ''}${r.bBetterBy}% ${r.bBetterBy < -10 ? '(WORSE by more than 10 %)' : ''}`);
  console.log(`AB_SHARED_JSON ${JSON.stringify({ bench, a: sides[0].label, b: sides[1].label, rows: shared })}`);
}
if (!argv.includes('--keep')) for (const s of sides) if (s.dir !== ROOT) { spawnSync('git', ['worktree', 'remove', '--force', s.dir], { cwd: ROOT }); rmSync(s.dir, { recursive: true, force: true }); }
