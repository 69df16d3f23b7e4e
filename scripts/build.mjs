// Builds every bundle with esbuild. Native and host-provided modules stay external:
// `vscode` (provided by the extension host) and `onnxruntime-node` (native binaries, shipped in the .vsix).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const external = ['vscode', 'onnxruntime-node'];

/** Node bundles: [entry, outfile]. Every entry must exist: a moved worker must fail the build, never run in-process. */
const nodeBundles = [
  ['src/extension/extension.ts', 'dist/extension.js'],
  ['src/cli/main.ts', 'dist/cli.js'],
  ['src/core/model/inferenceWorker.ts', 'dist/inferenceWorker.js'],
  ['src/core/table/vcfTableWorker.ts', 'dist/tableWorker.js'],
];
/** Browser bundles for the webviews. */
const webBundles = [
  ['webview/table/main.ts', 'dist/webview/table.js'],
  ['webview/inspector/main.ts', 'dist/webview/inspector.js'],
  ['webview/diff/main.ts', 'dist/webview/diff.js'],
  ['webview/queue/main.ts', 'dist/webview/queue.js'],
];

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
const missing = [...nodeBundles, ...webBundles].map(([entry]) => entry).filter((entry) => !existsSync(join(root, entry)));
if (missing.length > 0) {
  console.error(`build: entry point(s) not found: ${missing.join(', ')} (update scripts/build.mjs after moving a file)`);
  process.exit(1);
}
const builds = [];
for (const [entry, outfile] of nodeBundles) {
  builds.push({
    ...common, entryPoints: [entry], outfile, platform: 'node', format: 'cjs', target: 'node20', external,
    banner: outfile.endsWith('cli.js') ? { js: '#!/usr/bin/env node' } : undefined,
  });
}
for (const [entry, outfile] of webBundles) {
  builds.push({ ...common, entryPoints: [entry], outfile, platform: 'browser', format: 'iife', target: 'es2022' });
}

mkdirSync(join(root, 'dist'), { recursive: true });
if (existsSync(join(root, 'media'))) cpSync(join(root, 'media'), join(root, 'dist/media'), { recursive: true });

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log(`watching ${builds.length} bundles`);
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.length} bundles in ${Date.now() - t0} ms`);
}
