// Runs the test tiers with node's built-in test runner (TypeScript through tsx) and ends
// with one line "N passed, N failed" that CI counts.
//   node scripts/runTests.mjs unit|webview|e2e|all [file filter]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tiers = {
  unit: ['test/unit', 'test/protocol'],
  webview: ['test/webview'],
  e2e: ['test/e2e'],
};
const which = process.argv[2] ?? 'all';
const filter = process.argv[3];
const dirs = which === 'all' ? [...tiers.unit, ...tiers.webview, ...tiers.e2e] : tiers[which];
if (!dirs) {
  console.error(`unknown tier "${which}"; use one of unit, webview, e2e, all`);
  process.exit(2);
}

function findTests(dir) {
  const abs = join(root, dir);
  let entries;
  try { entries = readdirSync(abs); } catch { return []; }
  return entries.flatMap((name) => {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) return findTests(relative(root, p));
    return name.endsWith('.test.ts') ? [relative(root, p)] : [];
  }).sort();
}

// One counts file per run, so engineers running tests side by side don't read each other's totals.
const countsFile = join('.cache', `test-counts-${process.pid}.json`);
mkdirSync(join(root, '.cache'), { recursive: true });
let passed = 0;
let failed = 0;
for (const dir of dirs) {
  const files = findTests(dir).filter((f) => !filter || f.includes(filter));
  if (files.length === 0) continue;
  // e2e and webview suites drive real browsers: run their files one at a time.
  const concurrency = dir === 'test/unit' || dir === 'test/protocol' ? '2' : '1';
  console.log(`\n=== ${dir}: ${files.length} file(s) ===`);
  const res = spawnSync(process.execPath, [
    '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/countReporter.mjs', `--test-reporter-destination=${countsFile}`,
    ...files,
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  try {
    const counts = JSON.parse(readFileSync(join(root, countsFile), 'utf8'));
    rmSync(join(root, countsFile), { force: true });
    passed += counts.passed;
    failed += counts.failed;
  } catch {
    failed += 1;
    console.error(`could not read test counts for ${dir}`);
  }
  if (res.status !== 0 && res.status !== null && failed === 0) failed += 1; // a crash outside any test
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
