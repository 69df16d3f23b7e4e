/**
 * The annotation store: verdicts for the sites of one VCF (or one diff), kept in a plain-text
 * sidecar file (format: reviewFormat.ts, docs/review-format.md).
 *
 * Guarantees (each one is tested in test/unit/review):
 * - Every `set` is on disk when its promise resolves: the whole file is rewritten atomically
 *   (atomicWrite.ts), so a crash leaves the previous file or the new one, never a torn one.
 * - Writers never lose each other's work: a write takes the lock (fileLock.ts), re-reads the
 *   file, and merges three ways — what this store last saw on disk (base), what is on disk
 *   now (theirs), and this store's state (ours) — per site. A site changed only on one side
 *   takes that side; a site changed differently on both sides keeps both versions as a
 *   conflict (the UI shows "2 versions — resolve"); a site deleted on one side and edited on
 *   the other keeps the edit.
 * - Changes made outside (git pull, another window) are merged the same way by `reload()`,
 *   which the extension calls from its file watcher.
 * - A file that cannot be parsed is never overwritten: open/save/reload throw a
 *   `review-file-invalid` error naming the file and line.
 */
import { readFile } from 'node:fs/promises';
import { decodeUtf8Strict } from '../textDecode';
import { collapseAgreeing } from './agreement';
import { userInfo } from 'node:os';
import { VariantLensError, throwIfAborted } from '../errors';
import { atomicWriteFile } from './atomicWrite';
import { removeStaleTempFiles, withFileLock, type LockOptions } from './fileLock';
import {
  type Annotation, type ReviewContent, type SiteKey,
  annotationBody, compareVersions, formatSiteKey, keyOf, normalizeAnnotation, parseReview, serializeReview,
  siteComparator, siteKey, validateAnnotation,
} from './reviewFormat';

export interface ReviewStoreOptions {
  /** Contig order of the reviewed VCF's header (or reference .fai); else the file's, else natural. */
  readonly contigOrder?: readonly string[];
  readonly signal?: AbortSignal;
  readonly lock?: LockOptions;
  /** Crash-test hook, see AtomicWriteOptions.beforeRename. */
  readonly beforeRename?: (tempPath: string) => Promise<void> | void;
  /** Undo depth (default 1000). */
  readonly historyLimit?: number;
}

/** One reviewed site: its versions (more than one = unresolved conflict). */
export interface ReviewEntry {
  /** `siteKey(site)`: the map key to pass back to get/remove/resolve. */
  readonly key: string;
  readonly site: SiteKey;
  /** Sorted by time; never empty. */
  readonly versions: readonly Annotation[];
  readonly conflict: boolean;
}

export interface ReviewChangeEvent {
  /** Keys of the sites whose versions changed. */
  readonly keys: readonly string[];
  /** local = set/remove/resolve; undo; disk = merged in from the file (another writer, git). */
  readonly origin: 'local' | 'undo' | 'disk';
}

export interface ReviewStats {
  /** Reviewed sites (keys with at least one version). */
  readonly sites: number;
  /** Annotation lines (a conflicted site counts once per version). */
  readonly annotations: number;
  /** Sites with more than one version. */
  readonly conflicts: number;
  /** Sites per verdict, for sites without conflict (sum + conflicts = sites). */
  readonly byVerdict: ReadonlyMap<string, number>;
  /** Annotations per reviewer. */
  readonly byReviewer: ReadonlyMap<string, number>;
  /** Annotations carrying each tag. */
  readonly byTag: ReadonlyMap<string, number>;
}

type Sites = Map<string, readonly Annotation[]>;

interface HistoryItem {
  readonly key: string;
  readonly before: readonly Annotation[] | undefined;
  readonly after: readonly Annotation[] | undefined;
}

/** The reviewer name when the settings give none: the OS user name. */
export function defaultReviewer(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** `<vcf>.review.tsv` next to the VCF (`x.vcf.gz` → `x.vcf.gz.review.tsv`). */
export function reviewPathForVcf(vcfPath: string): string {
  return `${vcfPath}.review.tsv`;
}

/** `<dir of A>/<A name>.vs.<B name>.review.tsv` for a diff of A against B. */
export function reviewPathForDiff(vcfA: string, vcfB: string): string {
  const base = (p: string): string => p.replace(/^.*[\\/]/, '').replace(/\.(vcf|bcf)(\.gz|\.bgz)?$/i, '');
  const dir = vcfA.includes('/') || vcfA.includes('\\') ? vcfA.replace(/[\\/][^\\/]*$/, '') : '.';
  return `${dir}/${base(vcfA)}.vs.${base(vcfB)}.review.tsv`;
}

function signature(v: readonly Annotation[] | undefined): string {
  return v === undefined || v.length === 0 ? '' : v.map(annotationBody).join('\n');
}

/**
 * Three-way merge per site. `base` is what both sides started from. Returns the merged map
 * (arrays are shared, never mutated).
 */
export function mergeSites(base: ReadonlyMap<string, readonly Annotation[]>, theirs: ReadonlyMap<string, readonly Annotation[]>, ours: ReadonlyMap<string, readonly Annotation[]>): Sites {
  const out: Sites = new Map();
  const keys = new Set([...base.keys(), ...theirs.keys(), ...ours.keys()]);
  for (const k of keys) {
    const b = base.get(k);
    const t = theirs.get(k);
    const o = ours.get(k);
    const sb = signature(b);
    const st = signature(t);
    const so = signature(o);
    let r: readonly Annotation[] | undefined;
    if (so === sb || so === st) r = t;
    else if (st === sb) r = o;
    else {
      // Both changed, differently: keep every version from both sides (a deletion on one side
      // loses to an edit on the other, so nothing a reviewer wrote disappears).
      const all = new Map<string, Annotation>();
      for (const a of [...(t ?? []), ...(o ?? [])]) all.set(annotationBody(a), a);
      r = collapseAgreeing([...all.values()].sort(compareVersions));
    }
    if (r && r.length > 0) out.set(k, r);
  }
  return out;
}

export class ReviewStore {
  private base: Sites = new Map();
  private current: Sites = new Map();
  /** The file text `base` was read from or written as ('' when the file did not exist). */
  private baseText = '';
  private contigOrder: readonly string[] | undefined;
  private fileContigOrder: readonly string[] | undefined;
  private history: HistoryItem[] = [];
  private readonly listeners = new Set<(e: ReviewChangeEvent) => void>();
  private sortedCache: ReviewEntry[] | undefined;
  private byRecordCache: Map<string, string[]> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private cleanedUp = false;

  private constructor(readonly path: string, private readonly options: ReviewStoreOptions) {
    this.contigOrder = options.contigOrder;
  }

  /** Opens the review file at `path`, or an empty store if it does not exist yet. */
  static async open(path: string, options: ReviewStoreOptions = {}): Promise<ReviewStore> {
    const store = new ReviewStore(path, options);
    const text = await readText(path, options.signal);
    const content = parseReview(text, path);
    store.fileContigOrder = content.contigOrder;
    store.base = content.sites;
    store.current = new Map(content.sites);
    store.baseText = text;
    return store;
  }

  /** The order used for iteration and for the file: the caller's, else the file's, else natural. */
  get effectiveContigOrder(): readonly string[] | undefined {
    return this.contigOrder ?? this.fileContigOrder;
  }

  /** Tells the store the VCF header's contig order (e.g. once the VCF header is read). */
  setContigOrder(order: readonly string[]): void {
    this.contigOrder = order;
    this.invalidate();
  }

  /** Number of reviewed sites. */
  get size(): number {
    return this.current.size;
  }

  /** True when local changes are not yet on disk (only after a failed save). */
  get hasUnsavedChanges(): boolean {
    if (this.base.size !== this.current.size) return true;
    for (const [k, v] of this.current) if (this.base.get(k) !== v && signature(this.base.get(k)) !== signature(v)) return true;
    return false;
  }

  get(key: SiteKey | string): ReviewEntry | undefined {
    const k = typeof key === 'string' ? key : siteKey(key);
    const v = this.current.get(k);
    return v ? entry(k, v) : undefined;
  }

  /** Every entry for a VCF record: the site-level one and any per-sample ones. */
  entriesAt(site: { contig: string; pos: number; ref: string; alt: string }): ReviewEntry[] {
    if (!this.byRecordCache) {
      this.byRecordCache = new Map();
      for (const [k, v] of this.current) {
        const rk = siteKey(keyOf({ ...v[0]!, sample: undefined }));
        const list = this.byRecordCache.get(rk);
        if (list) list.push(k);
        else this.byRecordCache.set(rk, [k]);
      }
    }
    const keys = this.byRecordCache.get(siteKey({ contig: site.contig, pos: site.pos, ref: site.ref, alt: site.alt })) ?? [];
    return keys.map((k) => entry(k, this.current.get(k)!));
  }

  /** All entries in coordinate order (contig order, pos, ref, alt, sample). */
  entries(): readonly ReviewEntry[] {
    if (!this.sortedCache) {
      const cmp = siteComparator(this.effectiveContigOrder);
      this.sortedCache = [...this.current.entries()].map(([k, v]) => entry(k, v)).sort((a, b) => cmp(a.site, b.site));
    }
    return this.sortedCache;
  }

  conflicts(): ReviewEntry[] {
    return this.entries().filter((e) => e.conflict);
  }

  stats(): ReviewStats {
    const byVerdict = new Map<string, number>();
    const byReviewer = new Map<string, number>();
    const byTag = new Map<string, number>();
    let annotations = 0;
    let conflicts = 0;
    const inc = (m: Map<string, number>, k: string): void => { m.set(k, (m.get(k) ?? 0) + 1); };
    for (const v of this.current.values()) {
      if (v.length > 1) conflicts++;
      else inc(byVerdict, v[0]!.verdict);
      for (const a of v) {
        annotations++;
        inc(byReviewer, a.reviewer);
        for (const t of new Set(a.tags)) inc(byTag, t);
      }
    }
    return { sites: this.current.size, annotations, conflicts, byVerdict, byReviewer, byTag };
  }

  onDidChange(listener: (e: ReviewChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Records a verdict for a site (replacing its versions, which also resolves a conflict) and saves. */
  set(annotation: Annotation, signal?: AbortSignal): Promise<void> {
    return this.setMany([annotation], signal);
  }

  /**
   * Records many verdicts with one write (import, batch review). Each site's versions are
   * replaced; annotations of the same site within one call all become its versions.
   */
  async setMany(annotations: readonly Annotation[], signal?: AbortSignal): Promise<void> {
    const list = annotations.map((a) => { validateAnnotation(a); return normalizeAnnotation(a); });
    await this.enqueue(async () => {
      // The same site twice in one call: both are kept, as versions (an imported conflict).
      const groups = new Map<string, Annotation[]>();
      for (const a of list) {
        const k = siteKey(a);
        const g = groups.get(k);
        if (!g) groups.set(k, [a]);
        else if (!g.some((x) => annotationBody(x) === annotationBody(a))) g.push(a);
      }
      for (const [k, g] of groups) this.apply(k, g.sort(compareVersions));
      this.emit([...groups.keys()], 'local');
      await this.saveLocked(signal);
    });
  }

  /** Removes a site's verdict(s) and saves. */
  remove(key: SiteKey | string, signal?: AbortSignal): Promise<void> {
    const k = typeof key === 'string' ? key : siteKey(key);
    return this.enqueue(async () => {
      if (!this.current.has(k)) return;
      this.apply(k, undefined);
      this.emit([k], 'local');
      await this.saveLocked(signal);
    });
  }

  /** Resolves a conflict by keeping one of the site's versions (by index or the annotation itself). */
  resolve(key: SiteKey | string, choice: number | Annotation, signal?: AbortSignal): Promise<void> {
    const k = typeof key === 'string' ? key : siteKey(key);
    const versions = this.current.get(k);
    if (!versions) return Promise.reject(new VariantLensError('invalid-argument', `no annotation at ${k.replace(/\t/g, ' ')}`, this.path));
    const chosen = typeof choice === 'number' ? versions[choice] : choice;
    if (!chosen) return Promise.reject(new VariantLensError('invalid-argument', `site has ${versions.length} versions; ${String(choice)} is not one of them`, this.path));
    return this.set(chosen, signal);
  }

  get canUndo(): boolean {
    return this.history.length > 0;
  }

  /**
   * Undoes the last set/remove/resolve made through this store and saves. Returns the key of
   * the site restored, or undefined when there is nothing to undo. If the site was changed by
   * another writer since, the undo is refused (it would discard their edit) with an error.
   */
  undo(signal?: AbortSignal): Promise<string | undefined> {
    return this.enqueue(async () => {
      const item = this.history.pop();
      if (!item) return undefined;
      if (signature(this.current.get(item.key)) !== signature(item.after)) {
        throw new VariantLensError('invalid-argument', `cannot undo at ${formatSiteKey(keyOf((item.after ?? item.before ?? this.current.get(item.key))![0]!))}: the site was changed by another writer since`, this.path);
      }
      this.setSite(item.key, item.before);
      this.emit([item.key], 'undo');
      await this.saveLocked(signal);
      return item.key;
    });
  }

  /**
   * Merges the file's current content into the store (call on file-watch events: git pull,
   * another window, the CLI). Returns the keys that changed. Cheap when the file is unchanged.
   */
  reload(signal?: AbortSignal): Promise<readonly string[]> {
    return this.enqueue(async () => {
      const text = await readText(this.path, signal);
      if (text === this.baseText) return [];
      const disk = parseReview(text, this.path);
      const merged = mergeSites(this.base, disk.sites, this.current);
      const changed = this.replaceCurrent(merged);
      this.base = disk.sites;
      this.baseText = text;
      this.fileContigOrder = disk.contigOrder ?? this.fileContigOrder;
      if (changed.length > 0) this.emit(changed, 'disk');
      // Unsaved local edits (only after a failed save) are written now, merged.
      if (this.hasUnsavedChanges) await this.saveLocked(signal);
      return changed;
    });
  }

  /** Writes pending changes (normally there are none: every mutation saves). */
  save(signal?: AbortSignal): Promise<void> {
    return this.enqueue(() => this.saveLocked(signal));
  }

  // -------------------------------------------------------------------------------------

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const p = this.queue.then(op, op);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private apply(k: string, after: readonly Annotation[] | undefined): void {
    this.history.push({ key: k, before: this.current.get(k), after });
    const limit = this.options.historyLimit ?? 1000;
    if (this.history.length > limit) this.history.splice(0, this.history.length - limit);
    this.setSite(k, after);
  }

  private setSite(k: string, v: readonly Annotation[] | undefined): void {
    if (v && v.length > 0) this.current.set(k, v);
    else this.current.delete(k);
    this.invalidate();
  }

  private invalidate(): void {
    this.sortedCache = undefined;
    this.byRecordCache = undefined;
  }

  /** Replaces `current`, returning the keys whose versions changed. */
  private replaceCurrent(next: Sites): string[] {
    const changed: string[] = [];
    for (const k of new Set([...this.current.keys(), ...next.keys()])) {
      const a = this.current.get(k);
      const b = next.get(k);
      if (a !== b && signature(a) !== signature(b)) changed.push(k);
    }
    this.current = next;
    this.invalidate();
    return changed;
  }

  private async saveLocked(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await withFileLock(this.path, async () => {
      if (!this.cleanedUp) {
        // Once per store: temp files of writers killed mid-write (never the review file itself).
        this.cleanedUp = true;
        await removeStaleTempFiles(this.path);
      }
      const diskText = await readText(this.path, signal);
      let merged: Sites = this.current;
      let fileOrder = this.fileContigOrder;
      if (diskText !== this.baseText) {
        const disk = parseReview(diskText, this.path);
        merged = mergeSites(this.base, disk.sites, this.current);
        fileOrder = disk.contigOrder ?? fileOrder;
      }
      const order = this.contigOrder ?? fileOrder;
      const content: ReviewContent = order ? { contigOrder: order, sites: merged as Map<string, Annotation[]> } : { sites: merged as Map<string, Annotation[]> };
      const text = serializeReview(content);
      if (text !== diskText) {
        throwIfAborted(signal);
        await atomicWriteFile(this.path, text, this.options.beforeRename ? { signal, beforeRename: this.options.beforeRename } : { signal });
      }
      const changed = merged === this.current ? [] : this.replaceCurrent(merged);
      this.base = new Map(merged);
      this.baseText = text;
      this.fileContigOrder = order;
      if (changed.length > 0) this.emit(changed, 'disk');
    }, { ...this.options.lock, signal });
  }

  private emit(keys: readonly string[], origin: ReviewChangeEvent['origin']): void {
    const e: ReviewChangeEvent = { keys, origin };
    for (const l of this.listeners) {
      try { l(e); } catch { /* a listener's failure must not break a save */ }
    }
  }
}

function entry(key: string, versions: readonly Annotation[]): ReviewEntry {
  return { key, site: keyOf(versions[0]!), versions, conflict: versions.length > 1 };
}

async function readText(path: string, signal?: AbortSignal): Promise<string> {
  throwIfAborted(signal);
  try {
    return decodeUtf8Strict(await readFile(path), path, 'review-file-invalid');
  } catch (e) {
    if (e instanceof VariantLensError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new VariantLensError('review-file-invalid', `could not read the review file: ${(e as Error).message}`, path, { cause: e });
  }
}
