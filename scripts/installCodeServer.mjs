// Installs code-server 4.100.3 (= VS Code 1.100 in the browser, with a real Node extension
// host) into a cache OUTSIDE the repository, for the end-to-end tests (test/e2e).
// Idempotent: when the cached install is complete it returns in milliseconds.
//
//   node scripts/installCodeServer.mjs            install if missing, print the binary path
//   node scripts/installCodeServer.mjs --print    print the binary path, exit 1 if missing
//
// Pitfalls handled (see ../shared/notes/vscode-e2e.md):
//  * native modules need Debian's -dev packages (scripts/setupTestEnv.mjs installs them before
//    `npm test` calls this; we check again and say so);
//  * @vscode/ripgrep downloads rg from GitHub, which is unreachable here. Its post-install
//    first looks for `$TMPDIR/vscode-ripgrep-cache-<its version>/<asset>.tar.gz`, so we
//    pack Debian's rg (ripgrep, found on PATH) into that archive (for every @vscode/ripgrep
//    version the install might pick, because the version is only known after resolution);
//  * run as root, code-server's postinstall.sh stops unless `npm_config_unsafe_perm=true` is in
//    its environment. npm 11 no longer knows that key and warns "Unknown env config"; we pass it
//    anyway and drop only that one line from npm's output. node-pty's post-install calls
//    `npx node-gyp`, which needs `npm_config_yes=true`;
//  * npm 11 skips dependency install scripts by default (allowScripts) — allowed here.
// Later code-server versions need Node 22+; 4.100.3 is the last on Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, rmSync, copyFileSync, chmodSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
const cacheRoot = process.env.VARIANT_LENS_CODE_SERVER_DIR ?? join(homedir(), '.cache', 'variant-lens', `code-server-${CODE_SERVER_VERSION}`);
const bin = join(cacheRoot, 'node_modules', '.bin', 'code-server');
const stamp = join(cacheRoot, '.complete');

function log(msg) {
  console.log(`[installCodeServer] ${msg}`);
}

function complete() {
  return existsSync(stamp) && existsSync(bin) && readFileSync(stamp, 'utf8').trim() === CODE_SERVER_VERSION;
}

if (process.argv.includes('--print')) {
  if (!complete()) {
    console.error(`code-server ${CODE_SERVER_VERSION} is not installed in ${cacheRoot}; run node scripts/installCodeServer.mjs`);
    process.exit(1);
  }
  console.log(bin);
  process.exit(0);
}

if (complete()) {
  log(`code-server ${CODE_SERVER_VERSION} already installed: ${bin}`);
  process.exit(0);
}

// Native builds need these; scripts/setupTestEnv.mjs (the start of `npm test`) installs them.
const debs = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep'];
const missing = debs.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
if (missing.length > 0) {
  console.error(`[installCodeServer] missing Debian packages: ${missing.join(' ')}\n  install them with: apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}
const rg = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'rg')).find((p) => existsSync(p));
if (!rg) {
  console.error('[installCodeServer] rg not found on PATH (Debian package ripgrep)');
  process.exit(1);
}

// A private TMPDIR holding the ripgrep archive @vscode/ripgrep's post-install looks for.
const tmp = join(cacheRoot, '..', `tmp-code-server-${CODE_SERVER_VERSION}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const rgStage = join(tmp, 'rg-stage');
mkdirSync(rgStage);
copyFileSync(rg, join(rgStage, 'rg'));
chmodSync(join(rgStage, 'rg'), 0o755);
const asset = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const archive = join(tmp, asset);
const tar = spawnSync('tar', ['-czf', archive, '-C', rgStage, 'rg'], { stdio: 'inherit' });
if (tar.status !== 0) process.exit(1);
// @vscode/ripgrep versions of the 1.15–1.18 line; the cache folder is keyed by the version.
const ripgrepVersions = ['1.15.0', '1.15.2', '1.15.3', '1.15.5', '1.15.6', '1.15.9', '1.15.10', '1.15.11', '1.15.13', '1.15.14', '1.17.0', '1.17.1', '1.18.0'];
for (const v of ripgrepVersions) {
  const dir = join(tmp, `vscode-ripgrep-cache-${v}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(archive, join(dir, asset));
}

mkdirSync(cacheRoot, { recursive: true });
writeFileSync(join(cacheRoot, 'package.json'), JSON.stringify({ name: 'variant-lens-code-server-cache', private: true }, null, 2));
log(`installing code-server@${CODE_SERVER_VERSION} into ${cacheRoot} (native builds: a few minutes)`);
const t0 = Date.now();
const res = spawnSync('npm', ['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
  cwd: cacheRoot,
  stdio: ['inherit', 'inherit', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 1 << 28,
  env: {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    // npm 11 blocks dependency install scripts unless allowed; code-server's post-install
    // (and the nested `npm install` it runs in lib/vscode) must build native modules. The
    // env variable reaches the nested npm too, which a package.json allowScripts would not.
    npm_config_dangerously_allow_all_scripts: 'true',
    // Do not let the repository's .npmrc or lockfile influence this install.
    npm_config_package_lock: 'false',
  },
});
// npm's stderr, without the one expected warning about npm_config_unsafe_perm (see the top).
process.stderr.write((res.stderr ?? '').split('\n').filter((l) => !/Unknown env config "unsafe-perm"/.test(l)).join('\n'));
if (res.status !== 0 || !existsSync(bin)) {
  console.error(`[installCodeServer] npm install code-server@${CODE_SERVER_VERSION} failed (exit ${res.status})`);
  process.exit(1);
}
// A smoke check: the binary runs and reports the expected version.
const ver = spawnSync(bin, ['--version'], { encoding: 'utf8' });
if (ver.status !== 0 || !ver.stdout.includes(CODE_SERVER_VERSION)) {
  console.error(`[installCodeServer] ${bin} --version failed: ${ver.stdout}${ver.stderr}`);
  process.exit(1);
}
writeFileSync(stamp, `${CODE_SERVER_VERSION}\n`);
rmSync(tmp, { recursive: true, force: true });
log(`done in ${Math.round((Date.now() - t0) / 1000)} s: ${bin} (${ver.stdout.split('\n').find((l) => l.includes(CODE_SERVER_VERSION))})`);
