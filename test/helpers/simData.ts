/**
 * The simulated dataset for tests, generated once per (seed, simulator source) into
 * TEST_CACHE. Test files run in parallel processes, so generation goes to a private temp
 * folder that is renamed into place atomically; whoever loses the race drops its copy and
 * uses the winner's. A folder counts as complete only when its manifest.json exists
 * (written last).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_NAME, type SimManifest, simulateDataset } from '../../src/core/sim/simulateDataset';
import { PROJECT_ROOT, TEST_CACHE } from './paths';

/** Source files whose change must regenerate the cached dataset. */
const SIMULATOR_SOURCES = ['src/core/io/sam/alignedRead.ts', 'src/core/io/bgzf/bgzfWriter.ts', 'src/core/io/index/baiIndex.ts', 'src/core/io/sam/bamWriter.ts', 'src/core/io/index/tabixIndex.ts', 'src/core/io/vcf/vcfWriter.ts', 'src/core/io/fasta/fastaWriter.ts'];

function simulatorFingerprint(): string {
  const h = createHash('sha256');
  const simDir = join(PROJECT_ROOT, 'src/core/sim');
  const files = [...SIMULATOR_SOURCES, ...readdirSync(simDir).sort().map((f) => `src/core/sim/${f}`)];
  for (const f of files) {
    h.update(f);
    h.update(readFileSync(join(PROJECT_ROOT, f)));
  }
  return h.digest('hex').slice(0, 12);
}

const pending = new Map<number, Promise<string>>();

/** Folder of the simulated dataset for `seed` (generated on first use). */
export function ensureSimulatedDataset(seed = 1): Promise<string> {
  let p = pending.get(seed);
  if (!p) {
    p = generate(seed);
    pending.set(seed, p);
  }
  return p;
}

export function readManifest(dir: string): SimManifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_NAME), 'utf8')) as SimManifest;
}

async function generate(seed: number): Promise<string> {
  mkdirSync(TEST_CACHE, { recursive: true });
  const prefix = `sim-seed${seed}-`;
  const final = join(TEST_CACHE, prefix + simulatorFingerprint());
  if (existsSync(join(final, MANIFEST_NAME))) return final;
  const tmp = `${final}.tmp-${process.pid}-${Date.now()}`;
  await simulateDataset({ outDir: tmp, seed });
  try {
    renameSync(tmp, final);
  } catch (e) {
    // Another process finished first (the target exists and is not empty): use its copy.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(final, MANIFEST_NAME))) throw e;
  }
  // Drop datasets of older simulator versions (best effort; nobody reads them any more).
  for (const f of readdirSync(TEST_CACHE)) {
    if (f.startsWith(prefix) && join(TEST_CACHE, f) !== final && !f.includes('.tmp-')) rmSync(join(TEST_CACHE, f), { recursive: true, force: true });
  }
  return final;
}
