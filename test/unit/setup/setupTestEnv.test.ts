/**
 * scripts/setupTestEnv.mjs, the first step of `npm test`, run as a real process against a
 * machine made of stubs: a PATH holding only stub commands (no samtools unless a test adds it),
 * a stub Python that reports which modules are missing, a stub dpkg-query, and a stub apt-get
 * that records its argv (and, on `install`, "installs" by creating the stub commands). Nothing
 * on this machine is installed: the real apt-get is not on that PATH.
 *
 * As root with apt-get it must run `apt-get update` then `apt-get install -y <exactly the missing
 * packages>`; as a non-root user (uid/gid 65534, like `nobody`) it must stop at once, call no
 * apt-get, and print the exact command.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PROJECT_ROOT } from '../../helpers/paths';

const CODE_SERVER_VERSION = /CODE_SERVER_VERSION = '([^']+)'/.exec(readFileSync(join(PROJECT_ROOT, 'scripts', 'installCodeServer.mjs'), 'utf8'))![1]!;
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

/** Every command the set-up looks for on PATH (samtools is left out by the tests that need it missing). */
const ALL_COMMANDS = ['samtools', 'bcftools', 'tabix', 'bgzip', 'chromium', 'python3', 'make', 'gcc', 'g++', 'pkg-config', 'rg'];
const DEV_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev'];

const roots: string[] = [];
after(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

interface Machine {
  /** Copies of scripts/setupTestEnv.mjs and the installCodeServer.mjs it calls, readable by uid 65534 wherever the checkout is. */
  readonly script: string;
  readonly bin: string;
  readonly aptLog: string;
  readonly codeServerDir: string;
  readonly python: string;
}

interface MachineOptions {
  /** Commands absent from PATH. */
  readonly without?: readonly string[];
  /** Python modules the stub Python reports as not found. */
  readonly missingModules?: readonly string[];
  /** Debian packages the stub dpkg-query reports as not installed. */
  readonly missingDebs?: readonly string[];
  /** No apt-get on PATH at all. */
  readonly noApt?: boolean;
  /** The stub apt-get exits 0 but installs nothing. */
  readonly aptDoesNothing?: boolean;
  /** A complete code-server in the cache (else an empty cache directory). */
  readonly codeServer?: boolean;
}

function stub(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

function machine(o: MachineOptions = {}): Machine {
  const root = mkdtempSync(join(tmpdir(), 'vl-setup-'));
  roots.push(root);
  chmodSync(root, 0o755); // the non-root runs read it
  const scripts = join(root, 'scripts');
  mkdirSync(scripts);
  for (const f of ['setupTestEnv.mjs', 'installCodeServer.mjs']) copyFileSync(join(PROJECT_ROOT, 'scripts', f), join(scripts, f));
  const bin = join(root, 'bin');
  const logDir = join(root, 'log');
  mkdirSync(bin);
  mkdirSync(logDir);
  chmodSync(bin, 0o777); // the stub apt-get "installs" into it, whoever runs it
  chmodSync(logDir, 0o777); // so a wrong apt-get call by a non-root run is recorded, not lost
  const aptLog = join(logDir, 'apt-get.log');
  const pyMissing = join(root, 'python-missing');
  writeFileSync(pyMissing, (o.missingModules ?? []).join(' '));
  chmodSync(pyMissing, 0o666);
  for (const c of ALL_COMMANDS.filter((x) => !(o.without ?? []).includes(x))) stub(join(bin, c), 'exit 0');
  // The Python the set-up asks: prints the modules named in python-missing (it asks about all
  // four at once and keeps those it asked about).
  const python = join(root, 'python');
  stub(python, `read -r l < '${pyMissing}'\necho "$l"`);
  // dpkg-query -W -f=... pkg...: "pkg ii " for installed ones, nothing for the others.
  stub(join(bin, 'dpkg-query'), `shift 2\nfor p in "$@"; do case " ${(o.missingDebs ?? []).join(' ')} " in *" $p "*) ;; *) echo "$p ii ";; esac; done`);
  if (!o.noApt) {
    // Records "DEBIAN_FRONTEND|argv"; on install, makes the packages' stub commands appear and
    // empties the missing-module list, as the real packages would.
    const install = o.aptDoesNothing ? '' : [
      'if [ "$1" = install ]; then',
      '  for p in "$@"; do case "$p" in',
      `    samtools) printf '#!/bin/sh\\nexit 0\\n' > '${bin}/samtools'; /bin/chmod 755 '${bin}/samtools';;`,
      `    python3-torch) : > '${pyMissing}';;`,
      '  esac; done',
      'fi',
    ].join('\n');
    stub(join(bin, 'apt-get'), `echo "$DEBIAN_FRONTEND|$*" >> '${aptLog}'\n${install}\nexit 0`);
  }
  const codeServerDir = join(root, 'code-server');
  mkdirSync(codeServerDir);
  if (o.codeServer) {
    mkdirSync(join(codeServerDir, 'node_modules', '.bin'), { recursive: true });
    stub(join(codeServerDir, 'node_modules', '.bin', 'code-server'), `echo ${CODE_SERVER_VERSION}`);
    writeFileSync(join(codeServerDir, '.complete'), `${CODE_SERVER_VERSION}\n`);
  }
  return { script: join(scripts, 'setupTestEnv.mjs'), bin, aptLog, codeServerDir, python };
}

function run(m: Machine, opts: { asNobody?: boolean; realPython?: boolean } = {}): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { PATH: m.bin, HOME: tmpdir(), VARIANT_LENS_CODE_SERVER_DIR: m.codeServerDir };
  if (!opts.realPython) env.VARIANT_LENS_PYTHON = m.python;
  const drop = opts.asNobody && IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {};
  return spawnSync(process.execPath, [m.script], { encoding: 'utf8', env, timeout: 60_000, ...drop });
}

/** The stub apt-get's calls: [DEBIAN_FRONTEND, argv]. */
function aptCalls(m: Machine): [string, string[]][] {
  if (!existsSync(m.aptLog)) return [];
  return readFileSync(m.aptLog, 'utf8').trim().split('\n').map((l) => {
    const [env, args] = l.split('|');
    return [env!, args!.split(' ')];
  });
}

const rootOnly = IS_ROOT ? {} : { skip: 'needs root (the set-up installs only as root)' };

test('as root: apt-get update, then apt-get install -y exactly the missing packages, non-interactive', rootOnly, () => {
  const m = machine({ without: ['samtools'], missingModules: ['torch'], codeServer: true });
  const r = run(m);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(aptCalls(m), [
    ['noninteractive', ['update']],
    ['noninteractive', ['install', '-y', 'samtools', 'python3-torch']],
  ]);
  assert.match(r.stderr, /missing samtools: command samtools/);
  assert.match(r.stderr, /missing python3-torch: python module torch/);
  assert.match(r.stdout, /code-server already installed/);
});

test('as a non-root user: exits 1 at once with the exact apt-get line, calls no apt-get', () => {
  const m = machine({ without: ['samtools'], missingModules: ['torch'], codeServer: true });
  const r = run(m, { asNobody: true });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.deepEqual(aptCalls(m), []);
  const lines = r.stderr.split('\n').map((l) => l.trim());
  assert.ok(lines.includes('sudo apt-get update && sudo apt-get install -y samtools python3-torch'), r.stderr);
  assert.match(r.stderr, /installing them needs root/);
  assert.doesNotMatch(r.stdout, /code-server/);
});

test('without code-server yet, the build packages are checked too (compiler, -dev headers via dpkg)', () => {
  const m = machine({ without: ['samtools', 'g++'], missingDebs: ['libx11-dev'], codeServer: false });
  const r = run(m, { asNobody: true });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.deepEqual(aptCalls(m), []);
  const lines = r.stderr.split('\n').map((l) => l.trim());
  assert.ok(lines.includes('sudo apt-get update && sudo apt-get install -y samtools build-essential libx11-dev'), r.stderr);
  assert.match(r.stderr, /missing build-essential: command g\+\+/);
  assert.deepEqual(readdirSync(m.codeServerDir), [], 'nothing was installed into the code-server cache');
});

test('with code-server installed, the build packages are not required', () => {
  const m = machine({ without: ['g++', 'rg', 'pkg-config'], missingDebs: DEV_PACKAGES, codeServer: true });
  const r = run(m, { asNobody: true });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(aptCalls(m), []);
  assert.match(r.stdout, /system tools present/);
});

test('as root with nothing missing: no apt-get call', rootOnly, () => {
  const m = machine({ codeServer: true });
  const r = run(m);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(aptCalls(m), []);
  assert.equal(r.stderr, '');
});

test('as root without apt-get: exits 1 with the apt-get line', rootOnly, () => {
  const m = machine({ without: ['samtools'], noApt: true, codeServer: true });
  const r = run(m);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.ok(r.stderr.split('\n').map((l) => l.trim()).includes('apt-get update && apt-get install -y samtools'), r.stderr);
});

test('as root: a package apt-get did not really install fails the set-up', rootOnly, () => {
  const m = machine({ without: ['samtools'], aptDoesNothing: true, codeServer: true });
  const r = run(m);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.deepEqual(aptCalls(m).map(([, a]) => a), [['update'], ['install', '-y', 'samtools']]);
  assert.match(r.stderr, /still missing after apt-get install/);
});

test('the default Python (/usr/bin/python3, as the model tests use) is the one asked', { skip: existsSync('/usr/bin/python3') ? false : 'no /usr/bin/python3' }, () => {
  const modules: [string, string][] = [['numpy', 'python3-numpy'], ['torch', 'python3-torch'], ['torchvision', 'python3-torchvision'], ['onnx', 'python3-onnx']];
  const absent = modules.filter(([mod]) => spawnSync('/usr/bin/python3', ['-c', `import importlib.util, sys; sys.exit(importlib.util.find_spec("${mod}") is None)`]).status !== 0);
  const m = machine({ codeServer: true });
  const r = run(m, { asNobody: true, realPython: true });
  if (absent.length === 0) {
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } else {
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`sudo apt-get install -y ${absent.map(([, p]) => p).join(' ')}`), r.stderr);
  }
});
