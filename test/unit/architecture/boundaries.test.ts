/**
 * The boundary check (scripts/boundaries/check.mjs + eslint) on the repository, and on one
 * small fixture tree per rule, each breaking exactly that rule: every one must be rejected
 * by name, and a clean fixture must pass (so the check is neither vacuous nor always red).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { PROJECT_ROOT } from '../../helpers/paths';

const CHECK = join(PROJECT_ROOT, 'scripts/boundaries/check.mjs');

/** A clean little house: core/io → core/errors, core/pileup → core/io, protocol → core (type), extension → all. */
const CLEAN: Record<string, string> = {
  'src/core/errors.ts': 'export class VariantLensError extends Error {}\n',
  'src/core/io/vcf/vcfReader.ts': "import { VariantLensError } from '../../errors';\nexport const read = () => new VariantLensError();\n",
  'src/core/io/index/tabix.ts': "export const tabix = 1;\n",
  'src/core/pileup/encoder.ts': "import { read } from '../io/vcf/vcfReader';\nexport const encode = () => read();\n",
  'src/protocol/protocol.ts': "import type { VariantLensError } from '../core/errors';\nexport type Msg = { e?: VariantLensError };\n",
  'src/extension/table/tableModel.ts': "import { encode } from '../../core/pileup/encoder';\nexport const model = () => encode();\n",
  'src/extension/table/tableEditor.ts': "import * as vscode from 'vscode';\nimport { model } from './tableModel';\nexport const ed = () => [vscode, model()];\n",
};

function runCheck(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'vl-bounds-'));
  try {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), text);
    }
    const r = spawnSync(process.execPath, [CHECK, '--root', root, '--no-doc', 'src'], { encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the repository itself passes the boundary check (file and folder cycles, layers, documented arrows)', () => {
  const r = spawnSync(process.execPath, [CHECK], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /no violation/);
});

test('a clean fixture passes', () => {
  const r = runCheck(CLEAN);
  assert.equal(r.status, 0, r.out);
});

const violations: Array<[string, Record<string, string>, RegExp]> = [
  ['a file cycle', {
    'src/core/io/vcf/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
    'src/core/io/vcf/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
  }, /no-file-cycle: src\/core\/io\/vcf\/a\.ts → src\/core\/io\/vcf\/b\.ts → src\/core\/io\/vcf\/a\.ts/],
  ['a folder cycle through different files (io/vcf ⇄ io/index)', {
    'src/core/io/vcf/reader.ts': "import { bins } from '../index/bins';\nexport const reader = () => bins;\n",
    'src/core/io/index/tabix.ts': "import { parse } from '../vcf/parse';\nexport const tabix = () => parse;\n",
  }, /no-folder-cycle: folders src\/core\/io\/index ⇄ src\/core\/io\/vcf/],
  ['a folder cycle one level up (core/pileup ⇄ core/model through their subfolders)', {
    'src/core/pileup/realign/window.ts': "import { card } from '../../model/card';\nexport const w = () => card;\n",
    'src/core/model/calls/caller.ts': "import { encode } from '../../pileup/encoder';\nexport const caller = () => encode;\n",
  }, /no-folder-cycle: folders src\/core\/model ⇄ src\/core\/pileup/],
  ['core importing protocol', {
    'src/core/table/worker.ts': "import type { Msg } from '../../protocol/protocol';\nexport const w = (m: Msg) => m;\n",
    'src/protocol/protocol.ts': 'export type Msg = { n: number };\n',
  }, /core-not-to-protocol: src\/core\/table\/worker\.ts → src\/protocol\/protocol\.ts/],
  ['io importing pileup', {
    'src/core/io/examples/tensor.ts': "import { encode } from '../../pileup/encoder';\nexport const t = () => encode();\n",
    'src/core/pileup/encoder.ts': 'export const encode = () => 1;\n',
    'src/extension/table/tableModel.ts': "import { t } from '../../core/io/examples/tensor';\nexport const model = () => t();\n",
  }, /io-not-to-pileup: src\/core\/io\/examples\/tensor\.ts → src\/core\/pileup\/encoder\.ts/],
  ['a vscode-free model importing vscode', {
    'src/extension/table/tableModel.ts': "import * as vscode from 'vscode';\nexport const model = () => vscode;\n",
  }, /extension-model-not-to-vscode: src\/extension\/table\/tableModel\.ts → vscode/],
  ['the agent tools importing vscode (they are shared with the MCP server)', {
    'src/agent/agentTools.ts': "import * as vscode from 'vscode';\nimport { encode } from '../core/pileup/encoder';\nexport const tools = () => [vscode, encode()];\n",
  }, /agent-is-vscode-free: src\/agent\/agentTools\.ts → vscode/],
];

for (const [what, change, expected] of violations) {
  test(`rejected: ${what}`, () => {
    const files = { ...CLEAN, 'src/core/io/index/bins.ts': 'export const bins = 1;\n', 'src/core/io/vcf/parse.ts': 'export const parse = 1;\n', 'src/core/model/card.ts': 'export const card = 1;\n', ...change };
    const r = runCheck(files);
    assert.equal(r.status, 1, `expected exit 1:\n${r.out}`);
    assert.match(r.out, expected);
    // Exactly one kind of violation: the fixture breaks one rule.
    const kinds = new Set([...r.out.matchAll(/boundaries: ([a-z-]+):/g)].map((m) => m[1]));
    assert.equal(kinds.size, 1, r.out);
  });
}

test('rejected: a setting read outside src/extension/common/settings.ts (eslint), accepted inside it', async () => {
  const eslint = new ESLint({ cwd: PROJECT_ROOT });
  const code = "import * as vscode from 'vscode';\nexport const n = vscode.workspace.getConfiguration('variantLens').get<number>('x');\n";
  const [bad] = await eslint.lintText(code, { filePath: join(PROJECT_ROOT, 'src/extension/diff/diffPanel.ts') });
  assert.ok(bad!.messages.some((m) => m.ruleId === 'no-restricted-properties' && /settings\.ts/.test(m.message)), JSON.stringify(bad!.messages));
  const [ok] = await eslint.lintText(code, { filePath: join(PROJECT_ROOT, 'src/extension/common/settings.ts') });
  assert.deepEqual(ok!.messages.filter((m) => m.ruleId === 'no-restricted-properties'), []);
});
