/**
 * Packaging (issue #19, pain 6): every icon and media file that package.json and the code name
 * is inside the .vsix. The activity-bar icon was blank because the manifest named
 * `media/review-view.svg` while the .vsix ships only `dist/media/`; the plain-VCF gutter icons
 * had the same fault. This test packages the extension (`npm run package`, ~15 s; shared with
 * the other e2e tests through codeServer.ts packageVsix), lists the .vsix (a zip) with
 * `unzip -Z1`, and looks up:
 *  * every `icon` / `iconPath` in package.json's `contributes` (strings, `{ light, dark }`;
 *    `$(codicon)` references are not files) and the top-level `icon`;
 *  * every `vscode.Uri.joinPath(<...>extensionUri, 'a', 'b.svg')` with literal segments in src/;
 *  * every stylesheet the webviews load (`'<name>.css'` literals in src/extension → dist/media/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../helpers/paths';
import { packageVsix } from './codeServer';

function iconPaths(node: unknown, at: string, out: { path: string; from: string }[]): void {
  if (Array.isArray(node)) {
    node.forEach((x, i) => iconPaths(x, `${at}[${i}]`, out));
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'icon' || k === 'iconPath') {
      const files = typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v as Record<string, unknown>).filter((x): x is string => typeof x === 'string') : [];
      for (const f of files) if (!/^\$\([^)]*\)$/.test(f)) out.push({ path: f.replace(/^\.\//, ''), from: `package.json ${at}.${k}` });
    } else {
      iconPaths(v, `${at}.${k}`, out);
    }
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('the .vsix holds every icon and media file package.json and the code name', { timeout: 300_000 }, () => {
  const vsix = packageVsix();
  const entries = new Set(execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter((l) => l !== ''));
  assert.ok(entries.has('extension/package.json'), 'a .vsix keeps the extension under extension/');

  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const wanted: { path: string; from: string }[] = [];
  if (typeof manifest.icon === 'string') wanted.push({ path: manifest.icon, from: 'package.json icon' });
  iconPaths(manifest.contributes, 'contributes', wanted);
  const fromManifest = wanted.length;
  assert.ok(wanted.some((w) => w.from.includes('viewsContainers')), 'the activity-bar container icon is checked');

  for (const file of sourceFiles(join(PROJECT_ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(PROJECT_ROOT, file);
    for (const m of text.matchAll(/joinPath\(\s*[\w.]*extensionUri\s*,\s*((?:'[^']*'\s*,\s*)*'[^']*')\s*\)/g)) {
      const segs = [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!);
      if (/\.[a-z]{2,4}$/i.test(segs.at(-1)!)) wanted.push({ path: segs.join('/'), from: rel });
    }
    if (rel.startsWith(join('src', 'extension'))) {
      for (const m of text.matchAll(/'([\w-]+\.css)'/g)) wanted.push({ path: `dist/media/${m[1]!}`, from: `${rel} (stylesheet)` });
    }
  }
  assert.ok(wanted.some((w) => w.path.endsWith('review-mark.svg')), 'the gutter icons of the plain-VCF CodeLens are checked');
  assert.ok(wanted.length > fromManifest + 2, `found ${wanted.length} paths`);

  const missing = wanted.filter((w) => !entries.has(`extension/${w.path}`));
  assert.deepEqual(missing, [], `missing from ${vsix}:\n${missing.map((m) => `  ${m.path}  (named in ${m.from})`).join('\n')}`);
});
