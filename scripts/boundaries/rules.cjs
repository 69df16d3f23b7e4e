// The layer and boundary rules of docs/architecture.md, for dependency-cruiser.
// scripts/boundaries/check.mjs runs them (plus the folder-cycle check at every depth) in `npm test`.
//
// Glue files in src/extension talk to VS Code; every other file there is a vscode-free model.
// A file is glue when its name ends with one of these suffixes (see docs/architecture.md).
const EXTENSION_GLUE = '(Panel|Editor|Controller|TreeView|CodeLens)\\.ts$|/register[^/]*\\.ts$|^src/extension/extension\\.ts$|^src/extension/common/(settings|log|webviewHtml|commands)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycle',
      severity: 'error',
      comment: 'Two files that import each other (directly or through others) cannot be read or tested apart.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-not-to-protocol',
      severity: 'error',
      comment: 'src/core is below src/protocol: protocol may import types from core, never the other way.',
      from: { path: '^src/core/' },
      to: { path: '^src/protocol/' },
    },
    {
      name: 'core-not-up',
      severity: 'error',
      comment: 'src/core never imports the extension, the CLI, the webview or vscode.',
      from: { path: '^src/core/' },
      to: { path: '^(src/extension|src/cli|webview)/|^vscode$' },
    },
    {
      name: 'io-not-to-pileup',
      severity: 'error',
      comment: 'Readers and writers (core/io) sit below the pileup encoder; they never import it.',
      from: { path: '^src/core/io/' },
      to: { path: '^src/core/(?!io/)[^/]+/' },
    },
    {
      name: 'extension-model-not-to-vscode',
      severity: 'error',
      comment: 'The vscode-free models of src/extension (every file that is not glue by name) never import vscode.',
      from: { path: '^src/extension/', pathNot: EXTENSION_GLUE },
      to: { path: '^vscode$' },
    },
    {
      name: 'protocol-carries-data',
      severity: 'error',
      comment: 'src/protocol is shared with the webview: no vscode, no readers, no extension or CLI code (types from core are fine).',
      from: { path: '^src/protocol/' },
      to: { path: '^(src/extension|src/cli|webview)/|^vscode$|^src/core/io/|^node:|onnxruntime' , dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'webview-never-reads-files',
      severity: 'error',
      comment: 'The webview receives computed data through the protocol; it never imports readers, models, node or vscode.',
      from: { path: '^webview/' },
      to: { path: '^src/(extension|cli)/|^src/core/(io/(?!examples/(channelIds|pileupTensor)\\.ts$)|model/)|^vscode$|^node:|onnxruntime|@gmod' },
    },
    {
      name: 'agent-is-vscode-free',
      comment: 'src/agent (the tools shared by the MCP server and the language-model tools) stands on core only: no vscode, no protocol, no extension, cli or webview.',
      severity: 'error',
      from: { path: '^src/agent/' },
      to: { path: '^(src/extension|src/cli|src/protocol|webview)/|^vscode$' },
    },
    {
      name: 'cli-not-to-extension',
      severity: 'error',
      comment: 'The CLI runs without VS Code.',
      from: { path: '^src/cli/' },
      to: { path: '^src/extension/|^vscode$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|demo|out)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};

