/**
 * Every command in the README works as written (issue #8). The CLI examples are the README's
 * ```sh blocks; each block runs, in README order, with bash -euo pipefail in a sandbox laid
 * out like the repository after `npm run demo`: `dist/` (the built CLI), `demo/` (the demo
 * workspace, test/helpers/demoWorkspace.ts), an empty `out/`, and `../shared` where
 * DeepVariant's test data exists. A block whose first line says "needs ../shared" runs only
 * there and is reported as skipped (with the reason) elsewhere.
 *
 * So that no example escapes: a `node dist/cli.js` line outside a ```sh block fails the
 * test, and so does a CLI command that no ```sh block shows. Each `--out X` of an example
 * must have produced X (or files starting with X: prefixes).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { ensureDemoWorkspace } from '../helpers/demoWorkspace';
import { HAS_SHARED, PROJECT_ROOT, SHARED_DATA, TEST_CACHE } from '../helpers/paths';

interface Block {
  readonly lang: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

function fencedBlocks(md: string): { blocks: Block[]; outside: { line: number; text: string }[] } {
  const blocks: Block[] = [];
  const outside: { line: number; text: string }[] = [];
  const lines = md.split('\n');
  let open: { lang: string; line: number; body: string[] } | undefined;
  lines.forEach((l, i) => {
    const fence = /^\s*```(\S*)\s*$/.exec(l);
    if (fence && !open) open = { lang: fence[1]!, line: i + 1, body: [] };
    else if (fence && open) {
      blocks.push({ lang: open.lang, text: open.body.join('\n'), line: open.line });
      open = undefined;
    } else if (open) open.body.push(l);
    else outside.push({ line: i + 1, text: l });
  });
  assert.equal(open, undefined, 'README has an unclosed code fence');
  return { blocks, outside };
}

const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const { blocks, outside } = fencedBlocks(README);
const shBlocks = blocks.filter((b) => b.lang === 'sh');
const CLI_LINE = /^\s*(?:node dist\/cli\.js|variant-lens)\s/;

test('README: every CLI example is in a ```sh block, and every CLI command has one', () => {
  assert.ok(shBlocks.length >= 5, 'the README has ```sh CLI examples');
  for (const b of blocks.filter((x) => x.lang !== 'sh')) {
    b.text.split('\n').forEach((l, k) => assert.doesNotMatch(l, CLI_LINE, `README line ${b.line + 1 + k} runs the CLI in a \`\`\`${b.lang} block, which the test does not run; use \`\`\`sh`));
  }
  for (const o of outside) assert.doesNotMatch(o.text, CLI_LINE, `README line ${o.line}: a CLI command outside a code block`);
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli.js'))) execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.mjs')]);
  const help = execFileSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli.js'), '--help'], { encoding: 'utf8' });
  const commands = [...help.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]!);
  assert.ok(commands.length >= 8, `commands listed by --help: ${commands.join(', ')}`);
  const shown = new Set(shBlocks.flatMap((b) => [...b.text.matchAll(/node dist\/cli\.js (\S+)/g)].map((m) => m[1]!)));
  for (const c of commands) assert.ok(shown.has(c), `no README example runs "variant-lens ${c}"`);
});

/** The sandbox: <base>/repo/{dist,demo,out} and <base>/shared when the shared data exists. */
let sandbox: Promise<string> | undefined;
function repoSandbox(): Promise<string> {
  sandbox ??= (async () => {
    const demo = await ensureDemoWorkspace();
    mkdirSync(TEST_CACHE, { recursive: true });
    const base = mkdtempSync(join(TEST_CACHE, 'readme-'));
    const repo = join(base, 'repo');
    mkdirSync(join(repo, 'out'), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'dist'), join(repo, 'dist'));
    symlinkSync(demo, join(repo, 'demo'));
    if (HAS_SHARED) symlinkSync(dirname(SHARED_DATA), join(base, 'shared'));
    return repo;
  })();
  return sandbox;
}

/** Joins backslash-continued lines; drops comments and blank lines. */
function commands(block: string): string[] {
  return block.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

for (const b of shBlocks) {
  const cmds = commands(b.text);
  const first = cmds[0] ?? '';
  const needsShared = /needs \.\.\/shared/.test(b.text.split('\n')[0] ?? '');
  const name = `README line ${b.line}: ${first.slice(0, 90)}${cmds.length > 1 ? ` (+${cmds.length - 1})` : ''}`;
  const run = async (): Promise<void> => {
    const repo = await repoSandbox();
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', b.text], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 27, timeout: 300_000 });
    assert.equal(r.status, 0, `exit ${r.status ?? r.signal}\n--- stderr ---\n${r.stderr.slice(-3000)}\n--- stdout ---\n${r.stdout.slice(-2000)}`);
    // Every --out target exists: a file, or (for prefixes) files that start with it.
    for (const c of cmds) {
      for (const m of c.matchAll(/--out (\S+)/g)) {
        const target = join(repo, m[1]!);
        const siblings = existsSync(dirname(target)) ? readdirSync(dirname(target)) : [];
        assert.ok(existsSync(target) || siblings.some((f) => f.startsWith(basename(target))), `${c}\n  wrote nothing at ${m[1]}`);
      }
    }
  };
  if (needsShared && !HAS_SHARED) test(name, { skip: '../shared/data is not present on this machine (the block says it needs it)' }, run);
  else test(name, run);
}
