/**
 * The composition root (src/extension/extension.ts) without VS Code: `vscode` is a recording
 * fake (every API the extension touches at activation, nothing more), so a wiring mistake in
 * a feature's register…(context, deps) shows here rather than only in the code-server e2e.
 * Activation registers every command package.json contributes (and no other), both table
 * editors, the Review tree and the status bar item, and reads no file.
 */
import assert from 'node:assert/strict';
import Module from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../helpers/paths';

interface Manifest { version: string; contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]>; languageModelTools: { name: string }[] } }
const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Manifest;

/** An object whose every property (at any depth) exists and is callable: the parts of the API whose results activation ignores. */
function anything(): unknown {
  const props = new Map<PropertyKey, unknown>();
  const fn = (): unknown => anything();
  return new Proxy(fn, {
    get: (_t, k) => {
      if (k === 'then' || typeof k === 'symbol') return undefined;
      if (!props.has(k)) props.set(k, anything());
      return props.get(k);
    },
    set: (_t, k, v) => { props.set(k, v); return true; },
  });
}

/** `base`'s properties, and anything() for every other one (events, decorations, …). */
function over<T extends object>(base: T): T {
  const rest = anything() as Record<PropertyKey, unknown>;
  return new Proxy(base, { get: (t, k) => (k in t ? (t as Record<PropertyKey, unknown>)[k] : rest[k]) });
}

test('activation registers every contributed command, the table editors, the Review tree and the status bar', async () => {
  const commands: string[] = [];
  const editors: string[] = [];
  const trees: string[] = [];
  const statusItems: string[] = [];
  const lmTools = new Map<string, { prepareInvocation?(o: { input: unknown }, t: unknown): { confirmationMessages?: { title: string; message: { value: string } } } }>();
  const disposable = { dispose: (): void => undefined };
  const fake = {
    commands: { registerCommand: (id: string) => { commands.push(id); return disposable; }, executeCommand: async () => undefined },
    window: over({
      registerCustomEditorProvider: (viewType: string) => { editors.push(viewType); return disposable; },
      createTreeView: (id: string) => { trees.push(id); return anything(); },
      createStatusBarItem: (id: string) => { statusItems.push(id); return anything(); },
      createOutputChannel: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined, show: () => undefined, dispose: () => undefined }),
      visibleTextEditors: [],
      tabGroups: { all: [], onDidChangeTabs: () => disposable },
    }),
    workspace: over({
      isTrusted: true, workspaceFolders: undefined, textDocuments: [],
      getConfiguration: () => ({ get: (_k: string, d: unknown) => d, update: async () => undefined }),
    }),
    languages: anything(),
    lm: { registerTool: (name: string, tool: never) => { lmTools.set(name, tool); return disposable; }, tools: [] },
    env: anything(),
    EventEmitter: class { event = (): typeof disposable => disposable; fire(): void {} dispose(): void {} },
    Uri: class { static joinPath(): unknown { return {}; } static file(p: string): unknown { return { fsPath: p }; } },
    StatusBarAlignment: { Left: 1, Right: 2 }, ProgressLocation: { Notification: 15 }, ViewColumn: { Beside: -2, Active: -1 },
    ConfigurationTarget: { Global: 1, Workspace: 2 }, OverviewRulerLane: { Left: 1 }, TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    TreeItem: class {}, ThemeIcon: class {}, ThemeColor: class {}, CodeLens: class {}, Range: class {}, RelativePattern: class {}, MarkdownString: class { value = ''; appendText(t: string): unknown { this.value += t; return this; } },
    TabInputCustom: class {}, TabInputText: class {}, TabInputWebview: class {},
  };
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = mod._load;
  mod._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : load.call(this, request, ...rest);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the fake `vscode` is in place
    const ext = require('../../../src/extension/extension') as typeof import('../../../src/extension/extension');
    const subscriptions: { dispose(): unknown }[] = [];
    const context = {
      subscriptions, extension: { packageJSON: manifest }, extensionUri: {},
      // The panels' records (common/panelRecord.ts) live in the workspace storage folder.
      storageUri: { fsPath: mkdtempSync(join(tmpdir(), 'vl-activate-')) },
      workspaceState: { get: () => undefined, update: async () => undefined },
    };
    const api = ext.activate(context as never);
    assert.equal(api.version, manifest.version);
    assert.deepEqual([...commands].sort(), manifest.contributes.commands.map((c) => c.command).sort());
    assert.equal(new Set(commands).size, commands.length, 'a command registered twice');
    assert.deepEqual(editors, ['variantLens.vcfTable', 'variantLens.vcfTable.plain']);
    const views = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    for (const t of trees) assert.ok(views.includes(t), `tree ${t} not contributed`);
    assert.equal(trees.length, 1);
    assert.deepEqual(statusItems, ['variantLens.reviewProgress', 'variantLens.status']);
    // The language-model tools of package.json, registered; record_verdict asks before it writes.
    assert.deepEqual([...lmTools.keys()], manifest.contributes.languageModelTools.map((t) => t.name));
    const prepared = lmTools.get('variantLens_recordVerdict')!.prepareInvocation!({ input: { review: 'variant-lens.review.tsv', locus: 'chr20:2078:T>C', verdict: 'both-correct' } }, {});
    assert.equal(prepared.confirmationMessages?.title, 'Record a Variant Lens verdict?');
    assert.match(prepared.confirmationMessages!.message.value, /chr20:2078:T>C to “both-correct” in the review file variant-lens\.review\.tsv/);
    assert.equal(lmTools.get('variantLens_inspectSite')!.prepareInvocation!({ input: { locus: 'chr20:2078' } }, {}).confirmationMessages, undefined, 'reading tools run without confirmation');
    assert.ok(subscriptions.length > commands.length);
    for (const s of subscriptions) s.dispose();
    await ext.deactivate();
  } finally {
    mod._load = load;
  }
});
