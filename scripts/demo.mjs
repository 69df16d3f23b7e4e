#!/usr/bin/env node
// `npm run demo` — the whole Variant Lens story on generated data, no network, no data of
// your own (issue #8):
//
//   1. build (node scripts/build.mjs; `npm ci` first when node_modules is missing)
//   2. simulate the dataset into DIR/data (variant-lens simulate --seed N)
//   3. copy the two demo models (models/default, models/retrained) into DIR/models
//   4. call the held-out region — chr20, chr21, chr22 of HG003-sim, which neither model was
//      trained on — with each model (variant-lens call) → DIR/default.vcf.gz, DIR/retrained.vcf.gz
//   5. diff the two call sets, and each against the truth (variant-lens diff) → DIR/diff/
//   6. the HTML report (variant-lens report) → DIR/report.html
//   7. the VS Code workspace: DIR/.vscode/settings.json, an empty review file
//   8. package the extension (npm run package) → dist/variant-lens-0.1.0.vsix
//
// Running it again reuses what exists: every step records a key of its inputs (seed, input
// file contents, the CLI bundle) in DIR/.demo-state.json and is skipped when its outputs
// exist and the key is unchanged.
//
//   node scripts/demo.mjs [--out DIR] [--seed N] [--sim DIR] [--no-build] [--no-package] [--serve [--port N]]
//
//   --out DIR      workspace folder (default: demo)
//   --seed N       simulation seed (default 1)
//   --sim DIR      use this already simulated dataset (its manifest.json must say the same
//                  seed) instead of simulating; its files are linked (or copied) into DIR/data
//   --no-build     use dist/ as it is (the tests use this: other test processes run dist/cli.js)
//   --no-package   skip step 8 (the tests use this; `npm run package` makes the .vsix)
//   --serve        afterwards, start VS Code in the browser (code-server, installed by
//                  node scripts/installCodeServer.mjs) on 127.0.0.1 with the extension and the
//                  workspace open, and print its URL; Ctrl-C stops it
//   --port N       port for --serve (default: a free port)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const VSIX = join(ROOT, 'dist', 'variant-lens-0.1.0.vsix');
const MODELS = ['default', 'retrained'];
const SAMPLE = 'HG003-sim';
/** DeepVariant's hold-out contigs: the demo models never saw them (model_card.json). */
const HELD_OUT = ['chr20', 'chr21', 'chr22'];
/** Files whose change changes the simulated dataset (as test/helpers/simData.ts). */
const SIMULATOR_SOURCES = ['src/core/io/sam/alignedRead.ts', 'src/core/io/bgzf/bgzfWriter.ts', 'src/core/io/index/baiIndex.ts', 'src/core/io/sam/bamWriter.ts', 'src/core/io/index/tabixIndex.ts', 'src/core/io/vcf/vcfWriter.ts', 'src/core/io/fasta/fastaWriter.ts'];

// ---- arguments ----------------------------------------------------------------------------

function parseCli(argv) {
  const o = { out: join(ROOT, 'demo'), seed: 1, sim: undefined, build: true, pack: true, serve: false, port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--out') o.out = resolve(value());
    else if (a === '--seed') o.seed = Number(value());
    else if (a === '--sim') o.sim = resolve(value());
    else if (a === '--no-package') o.pack = false;
    else if (a === '--no-build') o.build = false;
    else if (a === '--serve') o.serve = true;
    else if (a === '--port') o.port = Number(value());
    else if (a === '--help' || a === '-h') {
      const head = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3));
      process.stdout.write(head.join('\n') + '\n');
      process.exit(0);
    } else fail(`unknown option ${a} (see node scripts/demo.mjs --help)`);
  }
  if (!Number.isInteger(o.seed)) fail('--seed must be an integer');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) fail('--port must be a port number');
  return o;
}

function fail(msg) {
  process.stderr.write(`demo: ${msg}\n`);
  process.exit(1);
}

// ---- progress, keys, processes ------------------------------------------------------------

const t0 = Date.now();
const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
let stepNo = 0;
const STEPS = 8;
function step(title) {
  stepNo++;
  process.stderr.write(`[demo ${secs()}] ${stepNo}/${STEPS} ${title}\n`);
}
function info(msg) {
  process.stderr.write(`[demo ${secs()}]     ${msg}\n`);
}

function sha(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : JSON.stringify(p)).update('\0');
  return h.digest('hex').slice(0, 16);
}

function fileHash(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}

/** Hash of every file under `dir` (sorted, relative names included). */
function treeHash(dir) {
  const h = createHash('sha256');
  const walk = (d) => {
    for (const f of readdirSync(d, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const p = join(d, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.isFile()) h.update(relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

class State {
  constructor(dir) {
    this.path = join(dir, '.demo-state.json');
    this.keys = existsSync(this.path) ? JSON.parse(readFileSync(this.path, 'utf8')) : {};
  }
  upToDate(name, key, outputs) {
    return this.keys[name] === key && outputs.every((f) => existsSync(f));
  }
  done(name, key) {
    this.keys[name] = key;
    writeFileSync(this.path, JSON.stringify(this.keys, null, 2) + '\n');
  }
  forget(name) {
    delete this.keys[name];
    writeFileSync(this.path, JSON.stringify(this.keys, null, 2) + '\n');
  }
}

/** Runs a command; its stderr lines are shown indented (progress), stdout is returned. */
function run(cmd, args, { cwd = ROOT, quiet = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => {
      err += b;
      if (quiet) return;
      partial += b;
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const l of lines) if (l.trim()) process.stderr.write(`          ${l}\n`);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${[cmd, ...args].join(' ')} failed (${signal ?? `exit ${code}`})\n${err.slice(-4000)}${out.slice(-2000)}`));
    });
  });
}

const cli = (args, opts) => run(process.execPath, [CLI, ...args], opts);

// ---- steps --------------------------------------------------------------------------------

function simFingerprint(seed) {
  const simDir = join(ROOT, 'src', 'core', 'sim');
  if (!existsSync(simDir)) return sha('seed', seed, fileHash(CLI));
  const files = [...SIMULATOR_SOURCES, ...readdirSync(simDir).sort().map((f) => `src/core/sim/${f}`)];
  return sha('seed', seed, ...files.map((f) => `${f}:${fileHash(join(ROOT, f))}`));
}

function linkOrCopy(src, dst) {
  rmSync(dst, { force: true });
  try {
    linkSync(src, dst);
  } catch {
    copyFileSync(src, dst);
  }
}

async function simulate(o, state, data) {
  const manifest = join(data, 'manifest.json');
  if (o.sim) {
    step(`simulated dataset from ${o.sim}`);
    const m = JSON.parse(readFileSync(join(o.sim, 'manifest.json'), 'utf8'));
    if (m.seed !== o.seed) fail(`${o.sim}/manifest.json has seed ${m.seed}, not ${o.seed}`);
    const key = sha('sim-from', fileHash(join(o.sim, 'manifest.json')));
    if (state.upToDate('simulate', key, [manifest])) return info('up to date');
    mkdirSync(data, { recursive: true });
    for (const f of readdirSync(o.sim)) if (statSync(join(o.sim, f)).isFile()) linkOrCopy(join(o.sim, f), join(data, f));
    state.done('simulate', key);
    return info(`linked ${readdirSync(o.sim).length} files into ${relative(ROOT, data) || data}`);
  }
  step(`simulate the dataset (seed ${o.seed}) → ${relative(ROOT, data)}`);
  const key = simFingerprint(o.seed);
  if (state.upToDate('simulate', key, [manifest])) return info('up to date');
  state.forget('simulate');
  await cli(['simulate', '--out', data, '--seed', String(o.seed)]);
  state.done('simulate', key);
}

function copyModels(state, dir) {
  step('copy the demo models → ' + relative(ROOT, join(dir, 'models')));
  const missing = MODELS.filter((m) => !existsSync(join(ROOT, 'models', m, 'model.onnx')));
  if (missing.length) fail(`models/${missing[0]}/model.onnx is missing: the demo models ship with the repository (scripts/train/trainModels.sh makes them)`);
  const key = sha(...MODELS.map((m) => treeHash(join(ROOT, 'models', m))));
  const outs = MODELS.map((m) => join(dir, 'models', m, 'model.onnx'));
  if (state.upToDate('models', key, outs)) return info('up to date');
  for (const m of MODELS) {
    const to = join(dir, 'models', m);
    rmSync(to, { recursive: true, force: true });
    mkdirSync(to, { recursive: true });
    for (const f of readdirSync(join(ROOT, 'models', m))) {
      if (statSync(join(ROOT, 'models', m, f)).isFile()) copyFileSync(join(ROOT, 'models', m, f), join(to, f));
    }
  }
  state.done('models', key);
}

async function callModels(state, dir, data) {
  step(`call ${HELD_OUT.join(', ')} of ${SAMPLE} with ${MODELS.join(' and ')} (in parallel)`);
  const bam = join(data, `${SAMPLE}.bam`);
  const ref = join(data, 'reference.fa');
  const key = sha('call', fileHash(CLI), fileHash(join(ROOT, 'dist', 'inferenceWorker.js')), state.keys.simulate, state.keys.models, HELD_OUT);
  const outs = MODELS.flatMap((m) => [join(dir, `${m}.vcf.gz`), join(dir, `${m}.vcf.gz.tbi`)]);
  if (state.upToDate('call', key, outs)) return info('up to date');
  state.forget('call');
  // One process per model: their make_examples parameters differ, so nothing is shared, and
  // the machine budget is two cores.
  // `call --out PREFIX` writes PREFIX.<model name>.vcf.gz (+ .tbi); renamed to <model>.vcf.gz.
  const work = join(dir, '.call');
  rmSync(work, { recursive: true, force: true });
  await Promise.all(MODELS.map((m) => cli([
    'call', '--reads', bam, '--ref', ref, '--model', join(dir, 'models', m),
    ...HELD_OUT.flatMap((c) => ['--regions', c]), '--out', join(work, m),
  ])));
  for (const m of MODELS) {
    for (const ext of ['vcf.gz', 'vcf.gz.tbi']) {
      const made = join(work, `${m}.${m}.${ext}`);
      if (!existsSync(made)) fail(`variant-lens call did not write ${made}`);
      renameSync(made, join(dir, `${m}.${ext}`));
    }
  }
  rmSync(work, { recursive: true, force: true });
  state.done('call', key);
}

function heldOutBed(data) {
  // The truth is complete only inside the confident regions; the models are evaluated on the
  // hold-out contigs only (0-based BED lines, copied as they are).
  const src = join(data, `${SAMPLE}.confident.bed`);
  const dst = join(data, `${SAMPLE}.held-out.confident.bed`);
  const lines = readFileSync(src, 'utf8').split('\n').filter((l) => HELD_OUT.includes(l.split('\t')[0]));
  writeFileSync(dst, lines.join('\n') + '\n');
  return dst;
}

async function diffs(state, dir, data) {
  step('diff default vs retrained, and each against the truth → ' + relative(ROOT, join(dir, 'diff')));
  const truth = join(data, `${SAMPLE}.truth.vcf.gz`);
  const ref = join(data, 'reference.fa');
  const bed = heldOutBed(data);
  const out = join(dir, 'diff');
  const jobs = [
    ['default_vs_retrained', join(dir, 'default.vcf.gz'), join(dir, 'retrained.vcf.gz'), []],
    ...MODELS.map((m) => [`${m}_vs_truth`, join(dir, `${m}.vcf.gz`), truth, ['--truth', 'B']]),
  ];
  const key = sha('diff', fileHash(CLI), state.keys.call, state.keys.simulate);
  const outs = jobs.flatMap(([name]) => ['summary.json', 'sites.tsv', 'html'].map((x) => join(out, `${name}.${x}`)));
  if (state.upToDate('diff', key, outs)) return info('up to date');
  mkdirSync(out, { recursive: true });
  for (const [name, a, b, extra] of jobs) {
    const text = await cli(['diff', a, b, '--ref', ref, '--bed', `confident held-out=${bed}`, ...extra, '--out', join(out, name)], { quiet: true });
    info(`${name}: ${text.split('\n')[0]}`);
  }
  state.done('diff', key);
}

async function report(state, dir, data) {
  step('the HTML report → ' + relative(ROOT, join(dir, 'report.html')));
  const key = sha('report', fileHash(CLI), fileHash(join(ROOT, 'dist', 'inferenceWorker.js')), state.keys.call, state.keys.simulate, state.keys.models);
  const out = join(dir, 'report.html');
  if (state.upToDate('report', key, [out])) return info('up to date');
  // Paths relative to the workspace, so the report reads the same wherever the folder moves.
  const text = await cli([
    'report', 'default.vcf.gz', 'retrained.vcf.gz',
    '--truth', `data/${SAMPLE}.truth.vcf.gz`, '--bed', `confident held-out=data/${SAMPLE}.held-out.confident.bed`,
    '--reads', `data/${SAMPLE}.bam`, '--ref', 'data/reference.fa',
    '--model', 'models/default', '--model', 'models/retrained',
    '--sample', SAMPLE, '--sites', '10', '--title', `Variant Lens demo: default vs retrained on ${SAMPLE}, ${HELD_OUT[0]}–${HELD_OUT[HELD_OUT.length - 1]}`,
    '--out', 'report.html',
  ], { cwd: dir });
  for (const l of text.trim().split('\n')) info(l);
  state.done('report', key);
}

async function workspace(state, dir, data) {
  step('the VS Code workspace: .vscode/settings.json, review file');
  // Keys from package.json contributes.configuration (src/extension/common/settings.ts reads them);
  // relative paths are resolved against the workspace folder.
  const settings = {
    'variantLens.reads': { [SAMPLE]: `data/${SAMPLE}.bam` },
    'variantLens.reference': 'data/reference.fa',
    'variantLens.models': MODELS.map((m) => ({ name: m, path: `models/${m}` })),
    'files.exclude': { '.demo-state.json': true },
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const known = Object.keys(manifest.contributes?.configuration?.properties ?? {});
  for (const k of Object.keys(settings)) if (k.startsWith('variantLens.') && !known.includes(k)) fail(`package.json does not define the setting ${k}`);
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  // The workspace review file every view writes (docs/review-format.md, decision 0011), created
  // empty through the CLI's own writer by importing a header-only TSV; never overwritten, so
  // verdicts recorded in VS Code survive a re-run.
  const review = join(dir, 'variant-lens.review.tsv');
  if (!existsSync(review)) {
    const empty = join(dir, '.empty-review-import.tsv');
    writeFileSync(empty, 'chr\tstart\tstop\tref\tvar\tcall\ttags\tnotes\n');
    try {
      await cli(['review', 'import', '--tsv', empty, '--review', review], { quiet: true });
    } finally {
      rmSync(empty, { force: true });
    }
  }
  writeFileSync(join(dir, 'README.md'), [
    '# Variant Lens demo workspace',
    '',
    `Made by \`npm run demo\` (seed ${state.seed}). Open this folder in VS Code with the extension installed:`,
    '',
    '    code --install-extension dist/variant-lens-0.1.0.vsix && code demo',
    '',
    `* \`default.vcf.gz\`, \`retrained.vcf.gz\` — the two demo models' calls on ${HELD_OUT.join(', ')} of ${SAMPLE} (held out from training)`,
    '* `report.html` — the diff, precision/recall against the truth, the ten most disputed sites with their pileups and why the two models disagree there (inputs or weights)',
    '* `diff/` — `variant-lens diff` outputs (summary JSON, sites TSV, HTML)',
    '* `variant-lens.review.tsv` — your verdicts, from the tables, the diff and the inspector (docs/review-format.md)',
    '* `data/` — the simulated reference, reads (BAM), truth VCFs and confident BEDs',
    '* `models/` — the two ONNX models with example_info.json and model_card.json',
    '* `.vscode/settings.json` — points Variant Lens at the reads, reference and models',
    '',
    ...plantedText(data),
  ].join('\n'));
}

/** The README's note on the sites the simulator changed on purpose (manifest.json plantedSites). */
function plantedText(data) {
  let planted = [];
  try {
    planted = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8')).plantedSites ?? [];
  } catch {
    return [];
  }
  if (planted.length === 0) return [];
  return [
    '## A planted dispute',
    '',
    'Most disputed sites here are explained by the weights: on identical images the two models still call differently.',
    'So that the demo also shows a dispute explained by the inputs, the simulator changed one site on purpose:',
    '',
    ...planted.map((p) => `* ${p.sample} ${p.contig}:${p.pos} ${p.ref}>${p.alt}: ${p.change} (${p.reads} reads). default (min_mapping_quality 5) never sees those reads and makes no candidate; retrained (min_mapping_quality 1) sees them and calls the variant; on the same images both models agree, so \`variant-lens explain\` and the inspector say "inputs".`),
    '',
  ];
}

async function packageVsix(state) {
  step('package the extension → dist/variant-lens-0.1.0.vsix');
  const inputs = ['package.json', 'README.md', 'CHANGELOG.md', 'dist/extension.js', 'dist/inferenceWorker.js']
    .filter((f) => existsSync(join(ROOT, f))).map((f) => `${f}:${fileHash(join(ROOT, f))}`);
  const extra = ['dist/webview', 'dist/media', 'models'].filter((d) => existsSync(join(ROOT, d))).map((d) => `${d}:${treeHash(join(ROOT, d))}`);
  const key = sha('package', ...inputs, ...extra);
  if (state.upToDate('package', key, [VSIX])) return info('up to date');
  await run('npm', ['run', 'package'], { quiet: true });
  if (!existsSync(VSIX)) fail('npm run package did not write ' + VSIX);
  state.done('package', key);
  info(`${(statSync(VSIX).size / 1e6).toFixed(1)} MB`);
}

// ---- serve --------------------------------------------------------------------------------

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => res(port));
    });
  });
}

async function serve(o, dir) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'installCodeServer.mjs'), '--print'], { encoding: 'utf8' });
  if (r.status !== 0) {
    fail(`--serve needs code-server: ${r.stderr.trim()}\n      install it with: node scripts/installCodeServer.mjs (a few minutes, once), then run npm run demo -- --serve again`);
  }
  const bin = r.stdout.trim();
  if (!existsSync(VSIX)) fail(`${VSIX} is missing: run npm run demo without --no-package`);
  const base = join(homedir(), '.cache', 'variant-lens', 'demo-code-server');
  const ext = join(base, 'extensions');
  const data = join(base, 'user-data');
  mkdirSync(join(data, 'User'), { recursive: true });
  writeFileSync(join(data, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false,
    // demo/ sits inside the repository's git work tree; do not ask to open the parent repository.
    'git.openRepositoryInParentFolders': 'never',
  }, null, 2));
  info(`installing ${relative(ROOT, VSIX)} into code-server`);
  const inst = spawnSync(bin, ['--extensions-dir', ext, '--user-data-dir', data, '--install-extension', VSIX, '--force'], { encoding: 'utf8' });
  if (inst.status !== 0) fail(`installing the extension failed:\n${inst.stdout}${inst.stderr}`);
  const port = o.port || await freePort();
  // The demo folder is ours (generated above), so workspace trust is turned off for this
  // server only: the models and reads load without the trust prompt.
  const server = spawn(bin, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--user-data-dir', data, '--extensions-dir', ext, dir,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dir)}`;
  let announced = false;
  const onData = (b) => {
    if (!announced && b.toString().includes('HTTP server listening')) {
      announced = true;
      process.stdout.write(`\nVS Code (code-server) with Variant Lens and the demo is running at:\n\n  ${url}\n\nOpen default.vcf.gz, click a row, and the inspector shows both models. Ctrl-C stops the server.\n`);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  const stop = () => {
    if (server.exitCode === null && server.pid !== undefined) process.kill(server.pid, 'SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise((res) => server.once('exit', res));
  if (!announced) fail('code-server exited before it was listening');
}

// ---- main ---------------------------------------------------------------------------------

async function main() {
  const o = parseCli(process.argv.slice(2));
  const dir = o.out;
  const data = join(dir, 'data');
  step('build');
  if (!existsSync(join(ROOT, 'node_modules', 'esbuild'))) {
    info('node_modules is missing: npm ci');
    await run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  if (o.build) await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { quiet: true });
  else if (!existsSync(CLI)) fail(`--no-build, but ${CLI} does not exist: run npm run build`);
  else info('skipped (--no-build): using dist/ as it is');
  mkdirSync(dir, { recursive: true });
  const state = new State(dir);
  state.seed = o.seed;
  await simulate(o, state, data);
  copyModels(state, dir);
  await callModels(state, dir, data);
  await diffs(state, dir, data);
  await report(state, dir, data);
  await workspace(state, dir, data);
  if (o.pack) await packageVsix(state);
  else step('package the extension: skipped (--no-package)');

  const rel = relative(process.cwd(), dir) || '.';
  process.stdout.write([
    '',
    `Variant Lens demo ready in ${secs()}:`,
    `  ${rel}/report.html            the report: diff, precision/recall, the ten most disputed sites with pileups`,
    `  ${rel}/default.vcf.gz         calls of the default model (+ .tbi)`,
    `  ${rel}/retrained.vcf.gz       calls of the retrained model (+ .tbi)`,
    `  ${rel}/diff/                  variant-lens diff outputs (summary JSON, sites TSV, HTML)`,
    `  ${rel}/variant-lens.review.tsv   your verdicts (empty)`,
    `  ${rel}/data/, ${rel}/models/      reads, reference, truth; the two ONNX models`,
    ...(o.pack ? [`  ${relative(process.cwd(), VSIX)}   the extension`] : []),
    '',
    'Open the report in a browser, or the workspace in VS Code:',
    `  code --install-extension ${relative(process.cwd(), VSIX)} && code ${rel}`,
    'or in the browser (code-server): npm run demo -- --serve',
    '',
  ].join('\n'));
  if (o.serve) await serve(o, dir);
}

main().catch((e) => {
  process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
