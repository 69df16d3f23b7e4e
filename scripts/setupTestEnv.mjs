// The first step of `npm test`: makes sure this machine has what the test tiers need, the way
// a new user's Debian machine gets it, then installs code-server for the end-to-end tier.
//
//   node scripts/setupTestEnv.mjs
//
// 1. Checks the system tools: commands on PATH for tools, Python imports (found, not loaded)
//    for the model-building modules, dpkg's status for the -dev packages.
// 2. When something is missing: as root with apt-get on PATH it runs `apt-get update` and
//    `apt-get install -y <missing>` (DEBIAN_FRONTEND=noninteractive), then checks again.
//    Otherwise it exits 1 at once and prints the exact apt-get line to run.
// 3. Installs code-server into its cache (scripts/installCodeServer.mjs, which honours
//    VARIANT_LENS_CODE_SERVER_DIR); the -dev packages, compilers, pkg-config and ripgrep are
//    only needed, and only checked, while code-server is not installed yet.
//
// When everything is present it takes well under a second: PATH lookups, one Python start
// (VARIANT_LENS_PYTHON, else /usr/bin/python3 as the model tests use, else python3) and one
// `installCodeServer.mjs --print`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const installer = fileURLToPath(new URL('installCodeServer.mjs', import.meta.url));

/**
 * What the tiers need, in the order packages are listed in the apt-get line. `commands` must be
 * on PATH, `modules` importable by the Python the model tests use, `dpkg` marks a package
 * checked by its installed status (headers and libraries have no command). `build`: needed only
 * to build code-server's native modules.
 */
const REQUIREMENTS = [
  { pkg: 'samtools', commands: ['samtools'], why: 'ground truth for the BAM, CRAM, FASTA and pileup tests' },
  { pkg: 'bcftools', commands: ['bcftools'], why: 'ground truth for the VCF, diff and export tests' },
  { pkg: 'tabix', commands: ['tabix', 'bgzip'], why: 'bgzip and tabix make and check test files' },
  { pkg: 'chromium', commands: ['chromium'], why: 'the webview and end-to-end tests drive it (playwright-core)' },
  { pkg: 'python3', commands: ['python3'], why: 'independent PNG/numpy checks and the test models' },
  { pkg: 'python3-numpy', modules: ['numpy'], why: 'reference values for the image tests' },
  { pkg: 'python3-torch', modules: ['torch'], why: 'builds the random ONNX test models' },
  { pkg: 'python3-torchvision', modules: ['torchvision'], why: 'the InceptionV3-shaped test model' },
  { pkg: 'python3-onnx', modules: ['onnx'], why: 'exports the test models to ONNX' },
  { pkg: 'build-essential', commands: ['make', 'gcc', 'g++'], build: true, why: 'compiles code-server\'s native modules' },
  { pkg: 'pkg-config', commands: ['pkg-config'], build: true, why: 'finds the libraries for those builds' },
  { pkg: 'ripgrep', commands: ['rg'], build: true, why: 'code-server\'s search binary (it cannot download its own)' },
  { pkg: 'libkrb5-dev', dpkg: true, build: true, why: 'headers for code-server\'s kerberos module' },
  { pkg: 'libx11-dev', dpkg: true, build: true, why: 'headers for code-server\'s native-keymap' },
  { pkg: 'libxkbfile-dev', dpkg: true, build: true, why: 'headers for code-server\'s native-keymap' },
  { pkg: 'libsecret-1-dev', dpkg: true, build: true, why: 'headers for code-server\'s keytar' },
];

function log(msg) {
  console.log(`[setupTestEnv] ${msg}`);
}

/** The absolute path of an executable `name` on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

function pythonCommand() {
  if (process.env.VARIANT_LENS_PYTHON) return process.env.VARIANT_LENS_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : onPath('python3');
}

/** Python modules among `modules` that the interpreter cannot find (without importing them). */
function missingModules(modules) {
  const python = pythonCommand();
  if (!python) return modules;
  const code = 'import importlib.util, sys\nprint(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))';
  const r = spawnSync(python, ['-c', code, ...modules], { encoding: 'utf8' });
  if (r.status !== 0) return modules;
  const missing = new Set(r.stdout.trim().split(/\s+/).filter(Boolean));
  return modules.filter((m) => missing.has(m));
}

/** Debian packages among `pkgs` that dpkg does not have fully installed ("ii"). */
function missingDebs(pkgs) {
  if (pkgs.length === 0) return [];
  if (!onPath('dpkg-query')) {
    log(`no dpkg-query on PATH: cannot check ${pkgs.join(' ')}; assuming they are present`);
    return [];
  }
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...pkgs], { encoding: 'utf8' });
  const installed = new Set((r.stdout ?? '').split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === 'ii').map((f) => f[0]));
  return pkgs.filter((p) => !installed.has(p));
}

function codeServerInstalled() {
  return spawnSync(process.execPath, [installer, '--print'], { stdio: 'ignore' }).status === 0;
}

/** The requirements that are not met, each with what exactly is missing. */
function check(includeBuild) {
  const reqs = REQUIREMENTS.filter((r) => includeBuild || !r.build);
  const mods = missingModules(reqs.flatMap((r) => r.modules ?? []));
  const debs = missingDebs(reqs.filter((r) => r.dpkg).map((r) => r.pkg));
  const missing = [];
  for (const r of reqs) {
    const what = [
      ...(r.commands ?? []).filter((c) => !onPath(c)).map((c) => `command ${c}`),
      ...(r.modules ?? []).filter((m) => mods.includes(m)).map((m) => `python module ${m}`),
      ...(r.dpkg && debs.includes(r.pkg) ? ['not installed (dpkg)'] : []),
    ];
    if (what.length > 0) missing.push({ ...r, what });
  }
  return missing;
}

function report(missing) {
  for (const m of missing) console.error(`[setupTestEnv] missing ${m.pkg}: ${m.what.join(', ')} — ${m.why}`);
}

const needCodeServer = !codeServerInstalled();
let missing = check(needCodeServer);
if (missing.length > 0) {
  const pkgs = missing.map((m) => m.pkg);
  const install = `apt-get install -y ${pkgs.join(' ')}`;
  report(missing);
  const root = process.getuid?.() === 0;
  const apt = onPath('apt-get');
  if (!root || !apt) {
    const why = !root ? 'installing them needs root' : 'apt-get is not on PATH (install the same packages with your package manager)';
    const line = root ? `apt-get update && ${install}` : `sudo apt-get update && sudo ${install}`;
    console.error(`[setupTestEnv] the tests need ${pkgs.length} more Debian package(s); ${why}. Run:\n\n  ${line}\n\nthen npm test again.`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`${apt} update`);
  const update = spawnSync(apt, ['update'], { stdio: 'inherit', env });
  if (update.status !== 0) {
    console.error(`[setupTestEnv] apt-get update failed (exit ${update.status})`);
    process.exit(1);
  }
  log(install);
  const inst = spawnSync(apt, ['install', '-y', ...pkgs], { stdio: 'inherit', env });
  if (inst.status !== 0) {
    console.error(`[setupTestEnv] ${install} failed (exit ${inst.status})`);
    process.exit(1);
  }
  missing = check(needCodeServer);
  if (missing.length > 0) {
    report(missing);
    console.error('[setupTestEnv] still missing after apt-get install');
    process.exit(1);
  }
}
log(`system tools present${needCodeServer ? ' (including what code-server needs to build)' : ''}`);

if (!needCodeServer) log('code-server already installed');
else {
  const r = spawnSync(process.execPath, [installer], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
