// Checks the boundary rules of docs/architecture.md and exits non-zero on any violation:
//   1. the per-file rules of scripts/boundaries/rules.cjs (dependency-cruiser): no file cycle,
//      core ↛ protocol, core ↛ upper layers, io ↛ pileup, vscode-free models ↛ vscode, …;
//   2. no cycle between folders at ANY depth: at depth d every file stands for its folder cut to
//      d path segments, and the folder graph must be acyclic (so io/vcf ⇄ io/index through two
//      different pairs of files is caught, and so is core/io ⇄ core/pileup through subfolders);
//   3. the arrows between rooms (the folders of docs/architecture.md "Folder arrows") are exactly
//      the ones that document lists, so the page stays true.
// (The rule "settings are read only in settings.ts" is a call, not an import: eslint checks it.)
//
//   node scripts/boundaries/check.mjs [--root DIR] [--no-doc] [folders…]   (default: src webview)
//   node scripts/boundaries/check.mjs --print-arrows                      (the arrows as they are, for the doc)
import { cruise } from 'dependency-cruiser';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = resolve(rootAt >= 0 ? args[rootAt + 1] : join(fileURLToPath(import.meta.url), '../../..'));
const checkDoc = !args.includes('--no-doc');
const folders = args.filter((a, i) => !a.startsWith('--') && (rootAt < 0 || i !== rootAt + 1));
process.chdir(root);

const config = require('./rules.cjs');
const options = { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } };
if (!existsSync(join(root, 'tsconfig.json'))) delete options.tsConfig;
const result = await cruise(folders.length > 0 ? folders : ['src', 'webview'], options);
const { modules } = result.output;
const problems = [];

for (const v of result.output.summary.violations) {
  const path = v.cycle ? [v.from, ...v.cycle.map((c) => c.name ?? c)].join(' → ') : `${v.from} → ${v.to}`;
  problems.push(`${v.rule.name}: ${path}`);
}

// Folder graph at every depth. A file's folder is its directory; cut at depth d.
const edges = [];
for (const m of modules) {
  if (m.coreModule || m.couldNotResolve || /node_modules/.test(m.source)) continue;
  for (const d of m.dependencies) {
    if (d.coreModule || d.couldNotResolve || /node_modules/.test(d.resolved)) continue;
    edges.push([m.source, d.resolved]);
  }
}
const dirOf = (file) => file.split('/').slice(0, -1);
const maxDepth = Math.max(0, ...edges.flat().map((f) => dirOf(f).length));
const reported = new Set();
for (let depth = 1; depth <= maxDepth; depth++) {
  const graph = new Map();
  const example = new Map();
  for (const [a, b] of edges) {
    const fa = dirOf(a).slice(0, depth).join('/');
    const fb = dirOf(b).slice(0, depth).join('/');
    if (fa === fb) continue;
    if (!graph.has(fa)) graph.set(fa, new Set());
    graph.get(fa).add(fb);
    if (!example.has(`${fa} ${fb}`)) example.set(`${fa} ${fb}`, `${a} → ${b}`);
  }
  for (const scc of stronglyConnected(graph)) {
    if (scc.length < 2) continue;
    const key = [...scc].sort().join(' ');
    if (reported.has(key)) continue;
    reported.add(key);
    const inScc = new Set(scc);
    const arrows = [...example].filter(([k]) => { const [x, y] = k.split(' '); return inScc.has(x) && inScc.has(y); }).map(([, v]) => `    ${v}`);
    problems.push(`no-folder-cycle: folders ${[...scc].sort().join(' ⇄ ')} import each other:\n${arrows.join('\n')}`);
  }
}

// Room arrows against the list in docs/architecture.md.
const ROOM = /^(src\/core\/[^/]+|src\/extension\/[^/]+|src\/protocol|src\/cli|src\/agent|webview\/[^/]+)\//;
const roomOf = (f) => {
  const m = ROOM.exec(f);
  if (!m) return undefined;
  return m[1].replace(/\/[^/]+\.ts$/, '');
};
if (args.includes('--print-arrows')) {
  const byRoom = new Map();
  for (const [x, y] of edges) {
    const ra = roomOf(x);
    const rb = roomOf(y);
    if (!ra || !rb || ra === rb) continue;
    if (!byRoom.has(ra)) byRoom.set(ra, new Set());
    byRoom.get(ra).add(rb);
  }
  for (const room of [...byRoom.keys()].sort()) console.log(`${room} → ${[...byRoom.get(room)].sort().join(', ')}`);
  process.exit(0);
}
if (checkDoc) {
  const docPath = join(root, 'docs/architecture.md');
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
  const block = /```text folder-arrows\n([\s\S]*?)```/.exec(doc);
  if (!block) problems.push('docs/architecture.md has no ```text folder-arrows block listing the allowed arrows between folders');
  else {
    const documented = new Set();
    for (const line of block[1].split('\n')) {
      const m = /^\s*(\S+)\s+→\s+(.+)$/.exec(line);
      if (!m) continue;
      for (const to of m[2].split(',').map((s) => s.trim()).filter(Boolean)) documented.add(`${m[1]} → ${to}`);
    }
    const actual = new Map();
    for (const [a, b] of edges) {
      const ra = roomOf(a);
      const rb = roomOf(b);
      if (!ra || !rb || ra === rb) continue;
      const k = `${ra} → ${rb}`;
      if (!actual.has(k)) actual.set(k, `${a} → ${b}`);
    }
    for (const [k, ex] of actual) if (!documented.has(k)) problems.push(`undocumented-arrow: ${k} (e.g. ${ex}) is not in docs/architecture.md's folder-arrows list`);
    for (const k of documented) if (!actual.has(k)) problems.push(`stale-arrow: docs/architecture.md lists ${k}, but no file makes that import any more`);
  }
}

const nFiles = modules.filter((m) => !m.coreModule && !m.couldNotResolve && !/node_modules/.test(m.source)).length;
if (problems.length > 0) {
  for (const p of problems) console.error(`boundaries: ${p}`);
  console.error(`boundaries: ${problems.length} violation(s) in ${nFiles} files`);
  process.exit(1);
}
console.log(`boundaries: ${nFiles} files, ${edges.length} imports, no violation (file and folder cycles, layer rules${checkDoc ? ', documented arrows' : ''})`);

/** Tarjan's strongly connected components. */
function stronglyConnected(graph) {
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      out.push(scc);
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}
