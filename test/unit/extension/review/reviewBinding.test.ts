/**
 * Review handlers are injected, not looked up (src/extension/review/reviewController.ts bind):
 * a panel binds itself and gets its review requests plus hooks its own RPC handlers call
 * (selected, pulled, shown). The controller adds no message listener of its own to the panel,
 * a selection reported through `selected` is the site the inspector's form annotates, `pulled`
 * refreshes the Review tree, `shown` pushes the inspector's review state. `vscode` is a small
 * recording fake; the review files are real (a temporary folder).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const infos: string[] = [];
const fake = {
  commands: { registerCommand: () => disposable },
  window: over({ showErrorMessage: async (m: string) => { throw new Error(`unexpected error shown: ${m}`); }, showInformationMessage: async (m: string) => { infos.push(m); return undefined; } }),
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
  const review = join(dir, 'variant-lens.review.tsv');
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
  assert.equal((await table.handlers['review.init']({}, ctx)).reviewFile, review);
  assert.ok(typeof model.reviewCell === 'function', 'the table model got its REVIEW column');

  // The inspector shows the table's row 3, read from another copy of the VCF.
  // One review file per folder (no workspace folder here): a VCF in another folder has another file.
  const other = join(dir, 'sub', 'other.vcf.gz');
  const otherReview = join(dir, 'sub', 'variant-lens.review.tsv');
  let shown: SiteRecord | undefined;
  const pushed: (ReviewSiteState | null)[] = [];
  const inspector = controller.bind({ kind: 'inspector', emitSite: (s) => pushed.push(s), site: () => shown, models: () => undefined, open: async (r) => { shown = r; } });

  // Tree refreshes when the total to review becomes known (the webview pulled rows).
  let treeEvents = 0;
  controller.onDidChangeTree(() => treeEvents++);
  rowCount = 42;
  table.pulled();
  assert.equal(treeEvents, 1);
  assert.deepEqual(controller.treeSource(), { file: review, total: 42 });
  table.pulled();
  assert.equal(treeEvents, 1, 'same total: no refresh');

  // A selection in the table makes the inspector's site belong to the table's review file.
  table.selected({ row: 3 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  shown = { ...record(other, 1003) };
  inspector.shown();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(pushed.at(-1)?.reviewFile, review);
  const r = await inspector.handlers['review.annotate']({ verdict: 'uncertain' }, ctx);
  assert.equal(r.cell?.verdict, 'uncertain');
  assert.ok(existsSync(review));
  assert.match(readFileSync(review, 'utf8'), /chr1\t1003\tA\tG/);
  assert.ok(!existsSync(otherReview));

  // Without that selection the inspector's site belongs to its own VCF.
  shown = record(other, 2000);
  inspector.shown();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(pushed.at(-1)?.reviewFile, otherReview);
  // A closed table panel stops taking selections.
  disposeEmitter.fire();
  table.selected({ row: 5 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  shown = record(other, 1005);
  inspector.shown();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(pushed.at(-1)?.reviewFile, otherReview);
  controller.dispose();
});

test('one review file: a verdict set in the diff shows in the table\'s REVIEW column, both panels are told', { timeout: 30_000 }, async () => {
  const controller = new ReviewController({ subscriptions: [] } as never, log);
  const folder = join(dir, 'one');
  mkdirSync(folder, { recursive: true });
  const fileA = join(folder, 'default.vcf.gz');
  const fileB = join(folder, 'retrained.vcf.gz');
  // A per-view sidecar of an earlier version next to A: pointed out once, not read.
  writeFileSync(join(folder, 'default.vcf.gz.review.tsv'), '##variant-lens-review=1\n#chrom\tpos\tref\talt\tsample\tverdict\ttags\tnote\treviewer\ttime\tmodels\tstate\nchr1\t1234\tA\tG\t.\tboth-wrong\t.\t.\tbob\t2024-05-01T12:00:00.000Z\t.\t.\n');
  infos.length = 0;
  const panel = (): unknown => ({ active: true, webview: { onDidReceiveMessage: () => disposable }, onDidChangeViewState: () => disposable, onDidDispose: () => disposable, reveal: () => undefined });
  const tableModel = {
    path: fileA, header: { contigs: [{ name: 'chr1' }] }, rowCount: 10, viewId: 0,
    reviewCell: undefined as undefined | ((s: { contig: string; pos: number; ref: string; alt: string }) => { verdict: string } | undefined),
    site: async (row: number) => record(fileA, row), findLocus: async () => 0, rows: async () => ({ rows: [] as TableRow[] }),
  };
  const tableChanged: number[] = [];
  const table = controller.bind({ kind: 'table', model: tableModel as never, panel: panel() as never, emitChanged: (n) => tableChanged.push(n), reveal: () => undefined });
  const diffSite = { contig: 'chr1', pos: 1234, ref: 'A', alt: 'G', kind: 'SNP', classes: ['gt-change'] };
  const quality = { ...diffSite, pos: 1300, classes: ['qual-change'] };
  const diffModel = {
    options: { fileA, fileB }, summary: { differingSites: 2 }, viewId: 1, viewCount: 2, reviewCell: undefined,
    sites: { length: 2, get: (i: number) => [diffSite, quality][i] },
    siteAt: (_v: number, i: number) => [diffSite, quality][i], siteRecord: async () => record(fileA, 1234),
  };
  const diffChanged: number[] = [];
  const diff = controller.bind({
    kind: 'diff', model: diffModel as never, panel: panel() as never, emitChanged: (n) => diffChanged.push(n), reveal: () => undefined,
    row: () => ({ a: { gt: '0/1', gq: '20', qual: '30' } as never, b: { gt: '1/1', gq: '30', qual: '40' } as never }),
  });
  const file = join(folder, 'variant-lens.review.tsv');
  assert.equal(infos.length, 1, infos.join('\n'));
  assert.match(infos[0]!, /default\.vcf\.gz\.review\.tsv is a review file of an earlier version; verdicts now go to variant-lens\.review\.tsv/);
  assert.equal((await diff.handlers['review.init']({}, ctx)).reviewFile, file);
  assert.equal((await table.handlers['review.init']({}, ctx)).reviewFile, file, 'the table and the diff share the file');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(tableModel.reviewCell!({ contig: 'chr1', pos: 1234, ref: 'A', alt: 'G' }), undefined);
  const before = tableChanged.length;
  const r = await diff.handlers['review.annotate']({ target: { viewId: 1, index: 0 }, verdict: 'both-correct' }, ctx);
  assert.equal(r.cell?.verdict, 'both-correct');
  assert.equal(tableModel.reviewCell!({ contig: 'chr1', pos: 1234, ref: 'A', alt: 'G' })?.verdict, 'both-correct');
  assert.ok(tableChanged.length > before, 'the table was told to refresh its rows');
  assert.ok(diffChanged.length > 0);
  // A second diff verdict (a QUAL-only site) keeps the first one in every view.
  await diff.handlers['review.annotate']({ target: { viewId: 1, index: 1 }, verdict: 'uncertain' }, ctx);
  assert.equal(tableModel.reviewCell!({ contig: 'chr1', pos: 1234, ref: 'A', alt: 'G' })?.verdict, 'both-correct');
  assert.equal((diffModel.reviewCell as unknown as (s: unknown) => { verdict: string } | undefined)(diffSite)?.verdict, 'both-correct');
  assert.equal((diffModel.reviewCell as unknown as (s: unknown) => { verdict: string } | undefined)(quality)?.verdict, 'uncertain');
  // Progress of the diff (the last bound panel): 1 dispute, reviewed; the QUAL-only site is not counted.
  assert.deepEqual(controller.progress(), { unit: 'disputes', reviewed: 1, total: 1, fileName: 'variant-lens.review.tsv', conflicts: 0 });
  controller.dispose();
});
