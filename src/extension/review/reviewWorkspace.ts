/**
 * The review logic of the extension without `vscode` (so unit tests drive it in Node): the
 * open review stores, keyed by review-file path (one workspace review file serves the tables,
 * diffs and the inspector: core/review/reviewLocation.ts), annotating a
 * site (verdict by id or shortcut digit, tags/note kept unless given, reviewer, model
 * snapshot), undo of the last annotation across stores, reloading after external edits, and
 * the data the UI shows — protocol cells, the inspector's site state, and the Review tree's
 * groups and progress. reviewController.ts is the VS Code glue around it.
 *
 * Sites are (contig, 1-based POS, REF, ALT): a VCF record for a table, the normalized allele
 * for a diff (diffModel.ts). Writes go through ReviewStore only (atomic, merged, locked).
 */
import { leadingColumns } from '../../core/io/vcf/vcfLineTokenizer';
import { ReviewStore, type ReviewChangeEvent, type ReviewEntry } from '../../core/review/reviewStore';
import { type Annotation, type ModelSnapshot, type SiteKey, nowIso } from '../../core/review/reviewFormat';
import { findVerdict, verdictForShortcut, type Vocabulary } from '../../core/review/vocabulary';
import { VariantLensError } from '../../core/errors';
import type { ModelComparison, RecordedCall, ReviewCell, ReviewRequests, ReviewSiteRef, ReviewSiteState, ReviewTarget, ReviewVersionCell, ReviewVocabularyPayload, SiteRef } from '../../protocol/protocol';
import type { HandlerContext } from '../../protocol/rpc';

/** Handlers of the review requests every panel answers (protocol.ts "Review"). */
export type ReviewRequestHandlers = {
  [M in keyof ReviewRequests]: (params: ReviewRequests[M]['params'], ctx: HandlerContext) => Promise<ReviewRequests[M]['result']> | ReviewRequests[M]['result'];
};

/** Review handlers for a host without the review controller (tests of a panel's own requests). */
/** What a webview panel gets from the review feature when it is made (ReviewBinder.bind). */
export interface ReviewBinding {
  /** The review requests (protocol.ts ReviewRequests), spread into the panel's RpcServer handlers. */
  readonly handlers: ReviewRequestHandlers;
  /** A table/diff webview selected a row (its `siteSelected` event): Annotate Site acts on it. */
  selected(target: ReviewTarget): void;
  /** A table/diff webview pulled rows or the summary: the number of sites to review may be known now. */
  pulled(): void;
  /** The inspector shows another site: its review form follows. */
  shown(): void;
  /** The review file a table's or diff's verdicts go to (named in its toolbar); undefined for the inspector. */
  reviewFile(): string | undefined;
}

/** Binds a panel (described by `Ref`) to the review feature; injected into each panel's constructor. */
export interface ReviewBinder<Ref> {
  bind(ref: Ref): ReviewBinding;
}

export function unavailableReviewHandlers(): ReviewRequestHandlers {
  const no = (): never => {
    throw new VariantLensError('unsupported', 'reviewing is not available here (the review controller is not running)');
  };
  return { 'review.init': no, 'review.site': no, 'review.annotate': no, 'review.undo': no, 'review.resolve': no };
}

export interface AnnotateInput {
  /** Verdict id; or give `shortcut`. */
  readonly verdict?: string;
  /** '1'…'9': the vocabulary's label with that shortcut. */
  readonly shortcut?: string;
  /** Omitted = keep the site's current tags (none for a new site). */
  readonly tags?: readonly string[];
  /** Omitted = keep the site's current note. */
  readonly note?: string;
  /** What each model said at the site when the reviewer looked. */
  readonly models?: readonly ModelSnapshot[];
}

export interface ReviewWorkspaceOptions {
  readonly vocabulary: () => Vocabulary;
  readonly reviewer: () => string;
  /** Clock for annotation times (tests pin it). */
  readonly now?: () => Date;
}

export type WorkspaceChangeListener = (path: string, e: ReviewChangeEvent) => void;

/** One group of the Review tree. */
export interface ReviewGroup {
  /** Verdict id, or '' for the conflicts group. */
  readonly id: string;
  readonly title: string;
  readonly shortcut?: string;
  readonly entries: readonly ReviewEntry[];
}

export interface ReviewTreeModel {
  readonly reviewFile: string;
  /** Reviewed sites (conflicted ones included). */
  readonly reviewed: number;
  /** Sites to review: differing sites of the diff, or records of the VCF; undefined = unknown yet. */
  readonly total: number | undefined;
  /** Verdict groups in vocabulary order, then verdicts the vocabulary does not know; empty groups left out. */
  readonly groups: readonly ReviewGroup[];
  readonly conflicts: readonly ReviewEntry[];
}

export class ReviewWorkspace {
  private readonly stores = new Map<string, Promise<ReviewStore>>();
  private readonly opened = new Map<string, ReviewStore>();
  private readonly listeners = new Set<WorkspaceChangeListener>();
  /** Paths of stores in the order annotations were made here (undo walks it backwards). */
  private readonly undoStack: string[] = [];

  constructor(private readonly options: ReviewWorkspaceOptions) {}

  /** Opens (once) the review file at `path`; later calls share the store. */
  open(path: string, contigOrder?: readonly string[]): Promise<ReviewStore> {
    let p = this.stores.get(path);
    if (!p) {
      p = ReviewStore.open(path, contigOrder ? { contigOrder } : {}).then((store) => {
        this.opened.set(path, store);
        store.onDidChange((e) => {
          for (const l of this.listeners) {
            try { l(path, e); } catch { /* one listener's failure must not stop the others */ }
          }
        });
        return store;
      }, (e: unknown) => {
        this.stores.delete(path);
        throw e;
      });
      this.stores.set(path, p);
    }
    return p;
  }

  /** The store of `path` if it is open already (synchronous: rows and CodeLenses use it). */
  storeIfOpen(path: string): ReviewStore | undefined {
    return this.opened.get(path);
  }

  get openPaths(): readonly string[] {
    return [...this.opened.keys()];
  }

  onDidChange(listener: WorkspaceChangeListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Merges the file's current content (file watcher: git pull, another window). */
  async reload(path: string): Promise<readonly string[]> {
    const store = this.opened.get(path);
    return store ? store.reload() : [];
  }

  get canUndo(): boolean {
    return this.undoStack.some((p) => this.opened.get(p)?.canUndo === true);
  }

  vocabularyPayload(): ReviewVocabularyPayload {
    const v = this.options.vocabulary();
    return {
      name: v.name,
      verdicts: v.verdicts.map((l) => ({ id: l.id, title: l.title, description: l.description, ...(l.shortcut ? { shortcut: l.shortcut } : {}) })),
      tags: v.tags.map((t) => ({ id: t.id, title: t.title, description: t.description })),
    };
  }

  /**
   * Records a verdict for `site` in the review file at `path` and saves (atomically, merged
   * with what is on disk). Returns the annotation written.
   */
  async annotate(path: string, site: ReviewSiteRef, input: AnnotateInput, signal?: AbortSignal): Promise<Annotation> {
    const vocab = this.options.vocabulary();
    let verdict = input.verdict;
    if (input.shortcut !== undefined) {
      const label = verdictForShortcut(vocab, input.shortcut);
      if (!label) throw new VariantLensError('invalid-argument', `no verdict has the shortcut ${input.shortcut}: the vocabulary "${vocab.name}" has ${vocab.verdicts.length} verdict(s)`, path);
      verdict = label.id;
    }
    if (verdict === undefined || verdict === '') throw new VariantLensError('invalid-argument', 'no verdict given', path);
    const store = await this.open(path);
    const key: SiteKey = { contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt };
    const latest = store.get(key)?.versions.at(-1);
    const annotation: Annotation = {
      ...key,
      verdict,
      tags: input.tags ?? latest?.tags ?? [],
      note: input.note ?? latest?.note ?? '',
      reviewer: this.options.reviewer(),
      time: nowIso(this.options.now?.() ?? new Date()),
      models: input.models ?? latest?.models ?? [],
    };
    await store.set(annotation, signal);
    this.undoStack.push(path);
    if (this.undoStack.length > 1000) this.undoStack.splice(0, this.undoStack.length - 1000);
    return annotation;
  }

  /** Keeps one version of a conflicted site. */
  async resolve(path: string, site: ReviewSiteRef, version: number, signal?: AbortSignal): Promise<void> {
    const store = await this.open(path);
    await store.resolve({ contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt }, version, signal);
    this.undoStack.push(path);
  }

  /**
   * Undoes the last annotation made through this workspace (whatever file it went to).
   * Returns the file and site key restored, or undefined when there is nothing to undo.
   */
  async undo(signal?: AbortSignal): Promise<{ path: string; key: string } | undefined> {
    while (this.undoStack.length > 0) {
      const path = this.undoStack.pop()!;
      const store = this.opened.get(path);
      if (!store?.canUndo) continue;
      const key = await store.undo(signal);
      if (key !== undefined) return { path, key };
    }
    return undefined;
  }

  /**
   * The cell of a site in an open store (undefined: no annotation, or store not open). One
   * review file serves every view (docs/decisions/0012-one-review-file.md), so a table row
   * shows the verdict a diff set: a multi-allelic record (ALT `A,C`), which the diff splits
   * into one site per allele, shows its alleles' verdicts — the verdict when they agree,
   * flagged as a conflict when they differ.
   */
  cell(path: string, site: ReviewSiteRef): ReviewCell | undefined {
    const store = this.opened.get(path);
    if (!store || store.size === 0) return undefined;
    const vocab = this.options.vocabulary();
    const e = store.get({ contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt });
    if (e) return cellOf(e, vocab);
    if (!site.alt.includes(',')) return undefined;
    const parts = site.alt.split(',').flatMap((alt) => {
      const x = store.get({ contig: site.contig, pos: site.pos, ref: site.ref, alt });
      return x ? [cellOf(x, vocab)] : [];
    });
    if (parts.length === 0) return undefined;
    const latest = parts.reduce((a, b) => (b.time > a.time ? b : a));
    const differ = new Set(parts.map((c) => c.verdict)).size > 1;
    return { ...latest, versions: parts.reduce((n, c) => n + c.versions, 0), conflict: differ || parts.some((c) => c.conflict) };
  }

  /** Whether the open store at `path` has an annotation for the site (exact key). */
  has(path: string, site: ReviewSiteRef): boolean {
    return this.opened.get(path)?.get({ contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt }) !== undefined;
  }

  /** The inspector form's state for a site of the review file at `path`. */
  async siteState(path: string, site: ReviewSiteRef): Promise<ReviewSiteState> {
    const store = await this.open(path);
    const e = store.get({ contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt });
    const vocab = this.options.vocabulary();
    return {
      reviewFile: path,
      reviewFileName: path.replace(/^.*[\\/]/, ''),
      site: { contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt },
      ...(e ? { cell: cellOf(e, vocab) } : {}),
      versions: e ? e.versions.map((a) => versionCell(a, vocab)) : [],
      canUndo: this.canUndo,
    };
  }

  /** The Review tree of one open store. */
  tree(path: string, total: number | undefined): ReviewTreeModel | undefined {
    const store = this.opened.get(path);
    if (!store) return undefined;
    return treeModel(path, store.entries(), this.options.vocabulary(), total);
  }
}

export function versionCell(a: Annotation, vocab: Vocabulary): ReviewVersionCell {
  return { verdict: a.verdict, title: findVerdict(vocab, a.verdict)?.title ?? a.verdict, tags: a.tags, note: a.note, reviewer: a.reviewer, time: a.time };
}

/** The latest version of an entry (versions are sorted by time) plus its conflict state. */
export function cellOf(e: ReviewEntry, vocab: Vocabulary): ReviewCell {
  return { ...versionCell(e.versions.at(-1)!, vocab), versions: e.versions.length, conflict: e.conflict };
}

/** Groups entries by verdict (vocabulary order first), conflicts apart. */
export function treeModel(reviewFile: string, entries: readonly ReviewEntry[], vocab: Vocabulary, total: number | undefined): ReviewTreeModel {
  const byVerdict = new Map<string, ReviewEntry[]>();
  const conflicts: ReviewEntry[] = [];
  for (const e of entries) {
    if (e.conflict) {
      conflicts.push(e);
      continue;
    }
    const v = e.versions[0]!.verdict;
    let list = byVerdict.get(v);
    if (!list) byVerdict.set(v, (list = []));
    list.push(e);
  }
  const groups: ReviewGroup[] = [];
  for (const l of vocab.verdicts) {
    const list = byVerdict.get(l.id);
    if (list) groups.push({ id: l.id, title: l.title, ...(l.shortcut ? { shortcut: l.shortcut } : {}), entries: list });
    byVerdict.delete(l.id);
  }
  for (const [id, list] of [...byVerdict].sort((a, b) => (a[0] < b[0] ? -1 : 1))) groups.push({ id, title: id, entries: list });
  return { reviewFile, reviewed: entries.length, total, groups, conflicts };
}

/** "chr20:10,000,117 C>T" */
export function siteLabel(s: ReviewSiteRef): string {
  return `${s.contig}:${s.pos.toLocaleString('en-US')} ${s.ref}>${s.alt}`;
}

/** "✓ default-correct — alice: reads on one strand…" (CodeLens, tree item description). */
export function cellSummary(c: ReviewCell, maxNote = 60): string {
  const note = c.note.replace(/\s+/g, ' ').trim();
  const short = note.length > maxNote ? `${note.slice(0, maxNote - 1)}…` : note;
  const mark = c.conflict ? `⚠ ${c.versions} versions — ` : '✓ ';
  return `${mark}${c.verdict}${c.tags.length ? ` [${c.tags.join(', ')}]` : ''} — ${c.reviewer}${short ? `: ${short}` : ''}`;
}

/** Model names allowed in the review file (reviewFormat: letters, digits and _ . + - / @). */
export function modelName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(vcf|bcf)(\.gz|\.bgz)?$/i, '');
  const clean = base.replace(/[^A-Za-z0-9_.+\-/@]/g, '_');
  return clean === '' ? 'model' : clean;
}

/** Parses a GQ/QUAL cell ('' or '.' = missing). */
export function numberOrUndefined(s: string | undefined): number | undefined {
  if (s === undefined || s === '' || s === '.') return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** A snapshot entry from cells as the table/diff show them. */
export function snapshot(model: string, gt: string | undefined, gq: string | undefined, qual: string | undefined): ModelSnapshot {
  const q = numberOrUndefined(qual);
  const g = numberOrUndefined(gq);
  return { model, ...(gt && gt !== '.' ? { gt } : {}), ...(g !== undefined ? { gq: Math.round(g) } : {}), ...(q !== undefined ? { qual: q } : {}) };
}

/** A CodeLens of the plain-text VCF editor (reviewCodeLens.ts): the line, its cell and texts. */
export interface ReviewLens {
  /** 0-based line of the document. */
  readonly line: number;
  readonly cell: ReviewCell;
  readonly title: string;
  readonly tooltip: string;
}

/**
 * The lenses of a VCF text document: one above each record line whose CHROM, POS (1-based),
 * REF, ALT has an annotation in the review file (`cellAt`); headers and other lines get none.
 */
export function reviewLenses(lineCount: number, lineAt: (line: number) => string, cellAt: (site: ReviewSiteRef) => ReviewCell | undefined): ReviewLens[] {
  const out: ReviewLens[] = [];
  for (let i = 0; i < lineCount; i++) {
    const text = lineAt(i);
    if (text.startsWith('#')) continue;
    const p = parseVcfLine(text);
    if (!p) continue;
    const cell = cellAt(p.site);
    if (cell) {
      out.push({
        line: i, cell, title: cellSummary(cell),
        tooltip: cell.conflict ? 'Conflicting verdicts: click to annotate again (or run Variant Lens: Resolve Conflict…)' : 'Click to change the verdict',
      });
    }
  }
  return out;
}

/** Arguments of the reveal command (REVIEW_COMMANDS.reveal) for a Review tree site: file and site key. */
export function revealArguments(reviewFile: string, entry: Pick<ReviewEntry, 'site'>): [string, ReviewSiteRef] {
  const s = entry.site;
  return [reviewFile, { contig: s.contig, pos: s.pos, ref: s.ref, alt: s.alt }];
}

/** A version of a conflicted site as the Resolve… quick pick offers it; `index` goes to resolve(). */
export interface ResolveItem {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  readonly index: number;
}

/** Resolve… choices: one per version, in the file's order (ReviewSiteState.versions). */
export function resolveItems(versions: readonly ReviewVersionCell[]): ResolveItem[] {
  return versions.map((v, i) => ({
    label: v.title,
    description: `${v.reviewer}, ${v.time}`,
    detail: [v.tags.length ? `tags ${v.tags.join(', ')}` : '', v.note].filter((x) => x !== '').join(' — ') || '(no note)',
    index: i,
  }));
}

/** What the inspector shows: its site and the model comparison for it (InspectorState). */
export interface InspectorSnapshotSource {
  readonly site?: Pick<SiteRef, 'chrom' | 'pos'>;
  readonly models?: ModelComparison;
}

/**
 * The model snapshot stored with an annotation (issue #7: "each model's GT/GQ/QUAL at the
 * time of review"). When the inspector shows the same site (contig and 1-based POS: a model
 * calls a position, whichever record or normalized allele was picked) and its model
 * comparison has finished, each configured model's own call (display name → GT:GQ:QUAL; a
 * model without a call is written `name=.:.:.`). Otherwise — models not run yet, untrusted
 * workspace, no models configured, an error — what the VCF records said (`recorded`,
 * labelled by file).
 */
export function reviewSnapshot(site: ReviewSiteRef, inspector: InspectorSnapshotSource | undefined, recorded: readonly ModelSnapshot[]): readonly ModelSnapshot[] {
  const m = inspector?.models;
  const s = inspector?.site;
  if (!m || m.state !== 'done' || m.calls.length === 0 || !s || s.chrom !== site.contig || s.pos !== site.pos) return recorded;
  const used = new Set<string>();
  return m.calls.map((c) => {
    // Display names may hold spaces etc.; the file allows [A-Za-z0-9_.+-/@] (reviewFormat).
    const base = modelName(c.model);
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return snapshot(name, c.gt, c.gq, c.qual);
  });
}

/** Snapshot of what each open VCF recorded for a site (SiteRecord.records), labelled by file. */
export function recordedSnapshot(records: readonly Pick<RecordedCall, 'file' | 'gt' | 'gq' | 'qual'>[]): ModelSnapshot[] {
  return records.map((r) => snapshot(modelName(r.file), r.gt, r.gq, r.qual));
}

/** CHROM, POS, REF, ALT, QUAL and the first sample's GT/GQ of a VCF data line. */
export function parseVcfLine(text: string): { site: ReviewSiteRef; qual: string; gt?: string; gq?: string } | undefined {
  if (text.startsWith('#') || text.trim() === '') return undefined;
  const c = leadingColumns(text, 10);
  if (c.length < 5) return undefined;
  const pos = Number(c[1]);
  if (!Number.isInteger(pos) || pos < 0) return undefined;
  const fmt = (c[8] ?? '').split(':');
  const s0 = (c[9] ?? '').split(':');
  const field = (k: string): string | undefined => {
    const i = fmt.indexOf(k);
    return i >= 0 ? s0[i] : undefined;
  };
  const gt = field('GT');
  const gq = field('GQ');
  return { site: { contig: c[0]!, pos, ref: c[3]!.toUpperCase(), alt: c[4]! }, qual: c[5] ?? '.', ...(gt !== undefined ? { gt } : {}), ...(gq !== undefined ? { gq } : {}) };
}
