// Lint enforces the layer rules of docs/architecture.md: checked by lint, not by hope.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs', 'fs/promises', 'path', 'os', 'child_process', 'worker_threads', 'zlib', 'crypto', 'stream', 'readline', 'net', 'http', 'https', 'util', 'events', 'buffer',
].flatMap((m) => [m, `node:${m}`]);

/**
 * src/extension: VS Code glue files are named by their role; every other file of a feature
 * folder is a vscode-free model (unit-tested in Node), so a new file is vscode-free unless its
 * name says it is glue. Keep this list and docs/architecture.md in step.
 */
const extensionGlue = [
  'src/extension/extension.ts', 'src/extension/common/settings.ts', 'src/extension/common/log.ts', 'src/extension/common/webviewHtml.ts', 'src/extension/common/commands.ts',
  'src/extension/**/*Panel.ts', 'src/extension/**/*Editor.ts', 'src/extension/**/*Controller.ts', 'src/extension/**/*TreeView.ts',
  'src/extension/**/*CodeLens.ts', 'src/extension/**/register*.ts',
];
/** Import specifiers of glue modules (a model importing one would pull vscode in through it). */
const glueModules = ['**/extension', '**/settings', '**/log', '**/webviewHtml', '**/commands', '**/*Panel', '**/*Editor', '**/*Controller', '**/*TreeView', '**/*CodeLens', '**/register*'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'demo/**', '.vscode-test/**', 'out/**', 'test/e2e/screenshots/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // src/core: pure TypeScript. No vscode, no webview, no extension glue.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core must not import vscode (layer rule).' }],
        patterns: [
          { group: ['**/extension/**', '**/webview/**', '**/cli/**'], message: 'src/core must not import upper layers.' },
          { group: ['**/protocol/**'], message: 'src/core must not import src/protocol (the protocol imports types from core, not the reverse).' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'HTMLElement', 'HTMLCanvasElement'],
    },
  },
  {
    // src/protocol: shared by host and webview — no vscode, no node.
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'protocol is shared with the webview.' }, ...nodeBuiltins.map((name) => ({ name, message: 'protocol is shared with the webview: no node modules.' }))],
        patterns: [{ group: ['**/core/io/**', '**/extension/**', '**/cli/**', 'onnxruntime-node', '@gmod/*'], message: 'protocol carries data, not readers.' }],
      }],
    },
  },
  {
    // webview: browser code. Never reads files, never imports node or vscode.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'the webview talks to the host through src/protocol only.' }, ...nodeBuiltins.map((name) => ({ name, message: 'the webview never touches files or node.' }))],
        patterns: [{ regex: '/core/io/(?!examples/(channelIds|pileupTensor)$)', message: 'the webview receives computed data; it never reads files (only the pure channel-id and tensor-type modules of core/io/examples are allowed).' }, { group: ['**/core/model/**', '**/extension/**', '**/cli/**', 'onnxruntime-node', '@gmod/*'], message: 'the webview receives computed data; it never reads files.' }],
      }],
    },
  },
  {
    // The vscode-free models of src/extension's feature folders (see extensionGlue above).
    files: ['src/extension/**/*.ts'],
    ignores: extensionGlue,
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'a vscode-free model (only glue files named *Panel, *Editor, *Controller, *TreeView, *CodeLens, register*, commands, extension, settings, log, webviewHtml import vscode; eslint.config.mjs).' }],
        patterns: [{ group: glueModules, message: 'a vscode-free model must not import VS Code glue (it would pull vscode in).' }],
      }],
    },
  },
  {
    // Settings are read in one place: src/extension/common/settings.ts (typed getters over package.json defaults).
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    ignores: ['src/extension/common/settings.ts'],
    rules: {
      'no-restricted-properties': ['error', { property: 'getConfiguration', message: 'read settings through src/extension/common/settings.ts.' }],
    },
  },
  {
    // src/agent: the agent tools shared by `variant-lens mcp` and the language-model tools; core only.
    files: ['src/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/agent is shared with the MCP server: no vscode (the glue is src/extension/agent/registerAgentTools.ts).' }],
        patterns: [{ group: ['**/extension/**', '**/webview/**', '**/cli/**', '**/protocol/**'], message: 'src/agent stands on src/core only.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'the CLI runs without VS Code.' }] }],
    },
  },
);
