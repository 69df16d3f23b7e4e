/**
 * Review handlers are injected, not looked up (src/extension/review/reviewController.ts bind):
 * a panel binds itself and gets its review requests plus hooks its own RPC handlers call
 * (selected, pulled, shown). The controller adds no message listener of its own to the panel,
 * a selection reported through `selected` is the site the inspector's form annotates, `pulled`
 * refreshes the Review tree, `shown` pushes the inspector's review state. `vscode` is a small
 * recording fake; the review files are real (a temporary folder).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ReviewSiteState, SiteRecord, TableRow } from '../../../../src/protocol/protocol';

const dir = mkdtempSync(join(tmpdir(), 'vl-review-binding-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every property exists and is callable (the API parts whose results the controller ignores). */
function anything(): unknown {
  const props = new Map<PropertyKey, unknown>();
  return new Proxy(() => anything(), {
    get: (_t, k) => {
      if (k === 'then' || typeof k === 'symbol') return undefined;
      if (!props.has(k)) props.set(k, anything());
      return props.get(k);
    },
  });
}
function over<T extends object>(base: T): T {
  const rest = anything() as Record<PropertyKey, unknown>;
  return new Proxy(base, { get: (t, k) => (k in t ? (t as Record<PropertyKey, unknown>)[k] : rest[k]) });
}
class Emitter<T> {
  private readonly listeners = new Set<(e: T) => void>();
  readonly event = (l: (e: T) => void): { dispose(): void } => { this.listeners.add(l); return { dispose: () => this.listeners.delete(l) }; };
  fire(e: T): void { for (const l of this.listeners) l(e); }
  dispose(): void { this.listeners.clear(); }
}
const disposable = { dispose: (): void => undefined };
const fake = {
  commands: { registerCommand: () => disposable },
  window: over({ showErrorMessage: async (m: string) => { throw new Error(`unexpected error shown: ${m}`); } }),
  workspace: over({
    workspaceFolders: undefined,
    getConfiguration: () => ({ get: (_k: string, d: unknown) => d }),
    onDidChangeConfiguration: () => disposable,
    createFileSystemWatcher: () => anything(),
  }),
  EventEmitter: Emitter,
  Uri: { file: (p: string) => ({ fsPath: p }) },
  RelativePattern: class {},
};
const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = mod._load;
mod._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? fake : load.call(this, request, ...rest);
};
after(() => { mod._load = load; });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the fake `vscode` is in place
const { ReviewController } = require('../../../../src/extension/review/reviewController') as typeof import('../../../../src/extension/review/reviewController');

const ctx = { signal: new AbortController().signal, progress: (): void => undefined };
const log = { info: (): void => undefined, warn: (): void => undefined, error: (m: string): void => { throw new Error(m); }, show: (): void => undefined };

function record(file: string, pos: number): SiteRecord {
  return { file, row: pos, chrom: 'chr1', pos, ref: 'A', alt: 'G', id: '.', qual: '30', filter: 'PASS', samples: [{ name: 'S', gt: '0/1', gq: '20', dp: '', ad: '', vaf: '', pl: '' }], info: [], line: '' };
}

test('panels bind to the review controller: no extra listener; selected, pulled and shown reach it', { timeout: 30_000 }, async () => {
  const controller = new ReviewController({ subscriptions: [] } as never, log);
  const vcf = join(dir, 'calls.vcf.gz');
  let listeners = 0;
  const disposeEmitter = new Emitter<void>();
  const panel = {
    active: true,
    webview: { onDidReceiveMessage: () => { listeners++; return disposable; } },
    onDidChangeViewState: () => disposable,
    onDidDispose: disposeEmitter.event,
    reveal: () => undefined,
  };
  let rowCount = -1;
  const changed: number[] = [];
  const model = {
    path: vcf, header: { contigs: [{ name: 'chr1' }] }, get rowCount() { return rowCount; }, viewId: 0, reviewCell: undefined,
    site: async (row: number) => record(vcf, 1000 + row),
    findLocus: async () => 0,
    rows: async () => ({ rows: [] as TableRow[] }),
  };
  const table = controller.bind({ kind: 'table', model, panel: panel as never, emitChanged: (n) => changed.push(n), reveal: () => undefined });
  assert.equal(listeners, 0, 'the review controller listens to no panel messages itself');
  assert.equal((await table.handlers['review.init']({}, ctx)).reviewFile, `${vcf}.review.tsv`);
  assert.ok(typeof model.reviewCell === 'function', 'the table model got its REVIEW column');

  // The inspector shows the table's row 3, read from another copy of the VCF.
  const other = join(dir, 'other.vcf.gz');
  let shown: SiteRecord | undefined;
  const pushed: (ReviewSiteState | null)[] = [];
  const inspector = controller.bind({ kind: 'inspector', emitSite: (s) => pushed.push(s), site: () => shown, models: () => undefined, open: async (r) => { shown = r; } });

  // Tree refreshes when the total to review becomes known (the webview pulled rows).
  let treeEvents = 0;
  controller.onDidChangeTree(() => treeEvents++);
  rowCount = 42;
  table.pulled();
  assert.equal(treeEvents, 1);
  assert.deepEqual(controller.treeSource(), { file: `${vcf}.review.tsv`, total: 42 });
  table.pulled();
  assert.equal(treeEvents, 1, 'same total: no refresh');

  // A selection in the table makes the inspector's site belong to the table's review file.
  table.selected({ row: 3 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  shown = { ...record(other, 1003) };
  inspector.shown();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(pushed.at(-1)?.reviewFile, `${vcf}.review.tsv`);
  const r = await inspector.handlers['review.annotate']({ verdict: 'uncertain' }, ctx);
  assert.equal(r.cell?.verdict, 'uncertain');
  assert.ok(existsSync(`${vcf}.review.tsv`));
  assert.match(readFileSync(`${vcf}.review.tsv`, 'utf8'), /chr1\t1003\tA\tG/);
  assert.ok(!existsSync(`${other}.review.tsv`));

  // Without that selection the inspector's site belongs to its own VCF.
  shown = record(other, 2000);
  inspector.shown();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(pushed.at(-1)?.reviewFile, `${other}.review.tsv`);
  // A closed table panel stops taking selections.
  disposeEmitter.fire();
  table.selected({ row: 5 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  shown = record(other, 1005);
  inspector.shown();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(pushed.at(-1)?.reviewFile, `${other}.review.tsv`);
  controller.dispose();
});
