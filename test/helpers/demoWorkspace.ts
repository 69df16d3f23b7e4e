/**
 * The demo workspace for tests (README examples, the report in Chromium): `npm run demo`'s
 * pipeline (scripts/demo.mjs) run into TEST_CACHE/demo on the shared simulated dataset
 * (simData.ts), without packaging and without rebuilding dist/ (other test processes run
 * dist/cli.js meanwhile). The demo skips every step whose inputs did not change, so after
 * the first run this takes about a second. When another process holds the folder (its lock
 * exists and its process is alive) the demo runs into a private folder instead of waiting.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, TEST_CACHE } from './paths';
import { ensureSimulatedDataset } from './simData';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch {
    const owner = Number(readFileSync(join(lock, 'pid'), 'utf8').trim() || '0');
    if (owner > 0 && alive(owner)) return false;
    rmSync(lock, { recursive: true, force: true });
    mkdirSync(lock);
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

let pending: Promise<string> | undefined;

/** The demo workspace folder (report.html, default/retrained.vcf.gz, data/, models/, .vscode/). */
export function ensureDemoWorkspace(): Promise<string> {
  pending ??= (async () => {
    const sim = await ensureSimulatedDataset(1);
    if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.mjs')]);
    mkdirSync(TEST_CACHE, { recursive: true });
    const shared = join(TEST_CACHE, 'demo');
    const lock = `${shared}.lock`;
    const locked = tryLock(lock);
    const dir = locked ? shared : mkdtempSync(join(TEST_CACHE, 'demo-'));
    try {
      const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'demo.mjs'), '--out', dir, '--sim', sim, '--no-build', '--no-package'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`scripts/demo.mjs failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
    } finally {
      if (locked) rmSync(lock, { recursive: true, force: true });
    }
    return dir;
  })();
  return pending;
}

/** A private copy of the demo workspace (hard links for the big files): the tools write its review file. */
export async function demoRootCopy(prefix: string): Promise<string> {
  const demo = await ensureDemoWorkspace();
  mkdirSync(TEST_CACHE, { recursive: true });
  const dir = mkdtempSync(join(TEST_CACHE, prefix));
  for (const f of ['default.vcf.gz', 'default.vcf.gz.tbi', 'retrained.vcf.gz', 'retrained.vcf.gz.tbi', '.vscode']) cpSync(join(demo, f), join(dir, f), { recursive: true });
  for (const d of ['data', 'models']) {
    const r = spawnSync('cp', ['-rl', join(demo, d), join(dir, d)]);
    if (r.status !== 0) cpSync(join(demo, d), join(dir, d), { recursive: true });
  }
  return dir;
}
