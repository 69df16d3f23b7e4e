/**
 * The build fails when an entry point is missing (a moved worker must never be skipped
 * quietly and then run in-process). Runs a copy of scripts/build.mjs in a scratch root whose
 * entry files are stubs, once with every entry and once with one renamed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../helpers/paths';

function entriesOf(buildScript: string): string[] {
  return [...buildScript.matchAll(/\['((?:src|webview)\/[^']+\.ts)',/g)].map((m) => m[1]!);
}

function scratchRoot(): { root: string; entries: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'vl-build-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(PROJECT_ROOT, 'scripts/build.mjs'), join(root, 'scripts/build.mjs'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'));
  const entries = entriesOf(readFileSync(join(PROJECT_ROOT, 'scripts/build.mjs'), 'utf8'));
  for (const e of entries) {
    mkdirSync(dirname(join(root, e)), { recursive: true });
    writeFileSync(join(root, e), 'export {};\n');
  }
  return { root, entries };
}

test('build.mjs lists the real entry points, and every one exists in the repository', () => {
  const entries = entriesOf(readFileSync(join(PROJECT_ROOT, 'scripts/build.mjs'), 'utf8'));
  assert.ok(entries.length >= 7, `found ${entries.length} entries`);
  for (const e of entries) assert.doesNotThrow(() => readFileSync(join(PROJECT_ROOT, e)), e);
});

test('the build succeeds with every entry and fails, naming the file, when one is renamed', () => {
  const { root, entries } = scratchRoot();
  try {
    const ok = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    for (const moved of [entries.find((e) => e.includes('Worker'))!, entries.find((e) => e.startsWith('webview/'))!]) {
      renameSync(join(root, moved), join(root, `${moved}.moved`));
      const bad = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
      assert.equal(bad.status, 1, `build with ${moved} renamed exited ${bad.status}`);
      assert.match(bad.stderr, new RegExp(`entry point\\(s\\) not found: ${moved.replace(/[.]/g, '\\.')}`));
      renameSync(join(root, `${moved}.moved`), join(root, moved));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
