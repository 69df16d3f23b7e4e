// Builds every bundle with esbuild. Native and host-provided modules stay external:
// `vscode` (provided by the extension host) and `onnxruntime-node` (native binaries, shipped in the .vsix).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const external = ['vscode', 'onnxruntime-node'];

/** Node bundles: [entry, outfile]. Entries that do not exist yet are skipped. */
const nodeBundles = [
  ['src/extension/extension.ts', 'dist/extension.js'],
  ['src/cli/main.ts', 'dist/cli.js'],
  ['src/core/model/inferenceWorker.ts', 'dist/inferenceWorker.js'],
  ['src/core/io/vcfTableWorker.ts', 'dist/tableWorker.js'],
];
/** Browser bundles for the webviews. */
const webBundles = [
  ['webview/table/main.ts', 'dist/webview/table.js'],
  ['webview/pileup/main.ts', 'dist/webview/inspector.js'],
  ['webview/diff/main.ts', 'dist/webview/diff.js'],
];

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };
const builds = [];
for (const [entry, outfile] of nodeBundles) {
  if (!existsSync(join(root, entry))) continue;
  builds.push({
    ...common, entryPoints: [entry], outfile, platform: 'node', format: 'cjs', target: 'node20', external,
    banner: outfile.endsWith('cli.js') ? { js: '#!/usr/bin/env node' } : undefined,
  });
}
for (const [entry, outfile] of webBundles) {
  if (!existsSync(join(root, entry))) continue;
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
