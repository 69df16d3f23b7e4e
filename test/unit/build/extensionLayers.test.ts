/**
 * The lint rules that keep src/extension's feature folders honest (eslint.config.mjs): a file
 * not named as VS Code glue is a vscode-free model and may not import vscode or a glue module;
 * glue files may; settings are read only in settings.ts. Each rule is fed a violating snippet
 * (linted as if it were at the given path) and a harmless one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { PROJECT_ROOT } from '../../helpers/paths';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

async function messages(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(PROJECT_ROOT, file) });
  return r!.messages.map((m) => `${m.ruleId ?? ''}: ${m.message}`);
}

test('a vscode-free model of a feature folder may not import vscode, nor glue that does', { timeout: 60_000 }, async () => {
  const vscodeImport = "import * as vscode from 'vscode';\nexport const x = vscode.version;\n";
  for (const model of ['src/extension/table/vcfTableModel.ts', 'src/extension/inspector/someNewModel.ts', 'src/extension/review/reviewWorkspace.ts']) {
    const m = await messages(model, vscodeImport);
    assert.ok(m.some((x) => x.startsWith('no-restricted-imports') && /vscode-free model/.test(x)), `${model}: ${m.join('; ')}`);
  }
  const glue = await messages('src/extension/diff/diffModel.ts', "import { reference } from '../settings';\nexport const r = reference();\n");
  assert.ok(glue.some((x) => /must not import VS Code glue/.test(x)), glue.join('; '));
  const panel = await messages('src/extension/inspector/inspectorPanel.ts', "import { trustInfo } from '../settings';\nexport const t = trustInfo();\n");
  assert.ok(!panel.some((x) => x.startsWith('no-restricted-imports')), panel.join('; '));
  // Glue files (by name) may import vscode.
  for (const g of ['src/extension/table/registerTable.ts', 'src/extension/diff/diffPanel.ts', 'src/extension/review/reviewTreeView.ts', 'src/extension/extension.ts', 'src/extension/common/commands.ts']) {
    const m = await messages(g, vscodeImport);
    assert.ok(!m.some((x) => x.startsWith('no-restricted-imports')), `${g}: ${m.join('; ')}`);
  }
  // A model importing core and protocol is fine.
  const ok = await messages('src/extension/inspector/someNewModel.ts', "import { VariantLensError } from '../../core/errors';\nexport const e = new VariantLensError('internal', 'x');\n");
  assert.deepEqual(ok.filter((x) => x.startsWith('no-restricted')), []);
});

test('settings are read only in settings.ts', { timeout: 60_000 }, async () => {
  const read = "import * as vscode from 'vscode';\nexport const v = vscode.workspace.getConfiguration('variantLens').get('reviewer');\n";
  for (const f of ['src/extension/diff/diffPanel.ts', 'src/extension/review/reviewController.ts', 'src/extension/extension.ts']) {
    const m = await messages(f, read);
    assert.ok(m.some((x) => x.startsWith('no-restricted-properties')), `${f}: ${m.join('; ')}`);
  }
  const m = await messages('src/extension/common/settings.ts', read);
  assert.ok(!m.some((x) => x.startsWith('no-restricted-properties')), m.join('; '));
});
