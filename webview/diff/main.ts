/**
 * The diff webview: the summary of a two-VCF diff (class counts by kind, per-side het/hom and
 * Ti/Tv, truth metrics, strata), filter chips (class, kind, stratum) and free text, and the
 * virtualized list of differing sites. It pulls everything from the host: `diff.init` for the
 * summary, `diff.setView` for a filter/sort, `diff.rows` for pages (the list, its row pool and
 * keyboard walk are the table's: webview/common/virtualList.ts) — never the whole list.
 * Text is set with textContent only: alleles, FILTERs and BED names come from files.
 *
 * Keys in the list (`?` lists them): j/k or ↓/↑ walk the sites, PageDown/PageUp, Home/End
 * (g/G), Enter opens the site in the inspector; / focuses the text filter (Enter applies and
 * returns to the list).
 *
 * The list opens on the diff's disputes (the calls differ: gt-change, filter-change, only-A,
 * only-B), ranked by the report's dispute score (src/core/report/disputeScore.ts); the scope
 * chips switch to the QUAL-only changes or all differing sites. A GT | B GT | REVIEW come
 * right after ALT; columns resize and hide (webview/common/columnLayout.ts). With a truth VCF
 * the summary has each side's precision/recall against it and A TRUTH | B TRUTH follow REVIEW.
 *
 * The page keeps its comparison, view, selection and scroll in the webview state (savePage);
 * after a window reload the host's panel serializer runs the same comparison and the page
 * gets them back (diff.init `restore`). The toolbar names the review file verdicts go to.
 */
import type {
  DiffScope, DiffClassName, DiffInit, DiffKindName, DiffPageState, DiffProtocol, DiffRow, DiffRunProgress, DiffSortKey, DiffStratumGroup, DiffStratumRef, DiffSummaryPayload,
  DiffHappyRow, DiffTruthMetrics, DiffTruthVs, DiffViewInfo, DiffViewSpec,
} from '../../src/protocol/protocol';
import { RpcError } from '../../src/protocol/rpc';
import { diffHappySummaries } from '../../src/protocol/validate';
import { ColumnLayout } from '../common/columnLayout';
import { el } from '../common/dom';
import { renderFeaturePanel } from './featurePanel';
import { KeyHelp } from '../common/keyHelp';
import { connect, vscodeApi } from '../common/hostConnection';
import { bindReview, paintReviewCell, type ReviewClient } from '../common/reviewUi';
import { VirtualList, type ListColumn } from '../common/virtualList';
import { PageCache } from '../common/virtualScroll';

const ROW_PX = 22;
const PAGE_ROWS = 200;
const CLASSES: readonly DiffClassName[] = ['only-A', 'only-B', 'same-haplotypes', 'gt-change', 'filter-change', 'qual-change', 'same'];
const KINDS: readonly DiffKindName[] = ['SNP', 'INDEL', 'MNP'];
const GROUP_LABEL: Record<DiffStratumGroup, string> = { bed: 'BED', contigs: 'contigs', filter: 'FILTER', gt: 'GT', mid: 'MID (model)' };

const client = connect<DiffProtocol>();

const app = document.getElementById('app')!;

// ---- layout --------------------------------------------------------------------------------
const toolbar = el('div', 'toolbar diff-toolbar');
const titleText = el('span', 'diff-title');
const progressBar = el('progress', 'diff-progress');
progressBar.max = 1;
progressBar.hidden = true;
const cancelBtn = el('button', 'cancel', 'Cancel');
cancelBtn.hidden = true;
const statusText = el('span', 'status');
statusText.setAttribute('role', 'status');
statusText.setAttribute('aria-live', 'polite');
/** "verdicts → variant-lens.review.tsv": the one review file the keys 1–9 write to. */
const reviewFileText = el('span', 'review-file');
reviewFileText.hidden = true;
toolbar.append(titleText, progressBar, cancelBtn, statusText, reviewFileText);

const summaryEl = el('section', 'diff-summary');
summaryEl.setAttribute('aria-label', 'Diff summary');

const filters = el('div', 'diff-filters');
filters.setAttribute('aria-label', 'Filters');
const textBox = el('input', 'filter');
textBox.type = 'text';
textBox.placeholder = 'Text or feature terms (chr20:10001, 0/1, vaf<0.3 dp<15 homopolymer>=6) — Enter';
textBox.setAttribute('aria-label', 'Filter sites by text');

interface Column extends ListColumn<DiffRow> {
  readonly key: string;
  readonly label: string;
  readonly sort?: DiffSortKey;
  readonly title?: string;
}

// ---- state ---------------------------------------------------------------------------------
let init: DiffInit | undefined;
let spec: DiffViewSpec = {};
let pendingView: AbortController | undefined;
/** The scope chip: disputes (the default view), QUAL-only, or all differing sites (undefined). */
let scope: DiffScope | undefined = 'disputes';
let scopeFromInit = false;

const selClasses = new Set<DiffClassName>();

/** The classes to list: 'same-haplotypes' only when the diff had a reference and found some (older summaries lack it). */
function shownClasses(s: DiffSummaryPayload): DiffClassName[] {
  return CLASSES.filter((c) => c !== 'same-haplotypes' || (s.classes[c]?.total ?? 0) > 0);
}
const selKinds = new Set<DiffKindName>();
const selStrata = new Map<string, DiffStratumRef>();
const stratumKey = (s: DiffStratumRef): string => `${s.group}\t${s.name}`;

const cache = new PageCache<DiffRow>(PAGE_ROWS, 40, async (v, from, to) => (await client.request('diff.rows', { viewId: v, from, to })).rows);

// Rows, selection and the keyboard walk: webview/common/virtualList.ts (a single selection here).
const list = new VirtualList<DiffRow>({
  rowPx: ROW_PX,
  cache,
  extendWithShift: false,
  paintRow: (r, row) => {
    if (row) r.dataset.classes = row.classes.join(' ');
  },
  cellStyle: (i) => layout.cellStyle(i),
  onSelected: (index, open, viewId) => {
    clearMessage();
    savePage();
    client.emit('siteSelected', { viewId, index, open });
  },
}, -1);
list.scroller.addEventListener('scroll', () => savePage());
const layout = new ColumnLayout((c) => client.emit('columnsChanged', c));
const keyHelp = new KeyHelp('Diff list keys', [
  ['j / k, ↓ / ↑', 'next / previous site'],
  ['PageDown / PageUp', 'a screen down / up'],
  ['g / G, Home / End', 'first / last site'],
  ['Enter', 'open the site in the inspector (both records)'],
  ['1–9', 'set a verdict on the selected site'],
  ['Ctrl/Cmd+Z', 'undo the last verdict'],
  ['/', 'text filter (Enter applies and returns here; Esc returns)'],
  ['?', 'this list (Esc closes)'],
]);
toolbar.append(layout.menuButton, layout.menu);
const { grid, headerRow } = list;

const featuresEl = el('section', 'diff-features');
featuresEl.setAttribute('aria-label', 'Where they disagree');
app.append(toolbar, summaryEl, featuresEl, filters, grid, keyHelp.overlay);

const side = (r: DiffRow, s: 'a' | 'b') => r[s];
const gtOf = (r: DiffRow, s: 'a' | 'b'): string => (side(r, s) ? side(r, s)!.gt || '.' : '—');
// A GT | B GT | REVIEW right after ALT: what a reviewer compares and decides stays on screen
// in a narrow panel; the verdict chip, ⚠ conflict and note are drawn by paintReviewCell.
const columns: Column[] = [
  { key: 'chrom', label: 'CHROM', cls: 'c-chrom', get: (r) => r.contig },
  { key: 'pos', label: 'POS', cls: 'c-pos num', sort: 'position', get: (r) => r.pos.toLocaleString('en-US'), title: 'POS of the normalized allele (1-based)' },
  { key: 'ref', label: 'REF', cls: 'c-allele', get: (r) => r.ref },
  { key: 'alt', label: 'ALT', cls: 'c-allele', get: (r) => r.alt },
  { key: 'agt', label: 'A GT', cls: 'c-gt sample-start side-a', get: (r) => gtOf(r, 'a') },
  { key: 'bgt', label: 'B GT', cls: 'c-gt side-b', get: (r) => gtOf(r, 'b') },
  { key: 'review', label: 'REVIEW', cls: 'c-review sample-start', get: (r) => r.review?.verdict ?? '', paint: (cell, r) => paintReviewCell(cell, r.review), title: 'verdict (keys 1–9; Ctrl+Z undoes)' },
  // With a truth VCF: each side's call against it (TP, FP, FN, FP+FN as `variant-lens diff --truth` counts).
  { key: 'atruth', label: 'A TRUTH', cls: 'c-truth sample-start side-a', get: (r) => r.truthA ?? '', title: 'A\'s call against the truth VCF: TP, FP, FN, FP+FN (genotype differs)' },
  { key: 'btruth', label: 'B TRUTH', cls: 'c-truth side-b', get: (r) => r.truthB ?? '', title: 'B\'s call against the truth VCF: TP, FP, FN, FP+FN (genotype differs)' },
  { key: 'dispute', label: 'DISPUTE', cls: 'c-dispute num', sort: 'dispute', get: (r) => (r.dispute === undefined ? '' : String(r.dispute)), title: 'dispute score, as the report ranks sites: 1000 GT differs + 100 FILTER differs + |ΔQUAL| (capped at 99.9)' },
  { key: 'kind', label: 'KIND', cls: 'c-kind', sort: 'kind', get: (r) => r.kind },
  { key: 'classes', label: 'CLASSES', cls: 'c-classes', sort: 'classes', get: (r) => r.classes.join(' ') },
  ...(['a', 'b'] as const).flatMap((s): Column[] => {
    const L = s.toUpperCase();
    return [
      { key: `${s}qual`, label: `${L} QUAL`, cls: 'c-qual num sample-start', sort: s === 'a' ? 'qualA' : 'qualB', get: (r) => side(r, s)?.qual ?? '' },
      { key: `${s}filter`, label: `${L} FILTER`, cls: 'c-filter', get: (r) => side(r, s)?.filter ?? '' },
      { key: `${s}gq`, label: `${L} GQ`, cls: 'c-num num', sort: s === 'a' ? 'gqA' : 'gqB', get: (r) => side(r, s)?.gq ?? '' },
    ];
  }),
  {
    key: 'dqual', label: 'ΔQUAL', cls: 'c-qual num sample-start', sort: 'qualDelta', get: (r) => {
      const a = Number(r.a?.qual);
      const b = Number(r.b?.qual);
      return r.a && r.b && Number.isFinite(a) && Number.isFinite(b) ? (Math.round((b - a) * 100) / 100).toString() : '';
    },
  },
];
layout.attach(list, columns);
list.setColumns(columns);

// ---- summary -------------------------------------------------------------------------------
const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '—' : digits > 0 ? n.toFixed(digits) : n.toLocaleString('en-US');

function table(caption: string, head: readonly string[], rows: readonly (readonly string[])[], cls: string): HTMLTableElement {
  const t = el('table', `summary-table ${cls}`);
  t.append(el('caption', undefined, caption));
  const tr = el('tr');
  for (const h of head) tr.append(el('th', undefined, h));
  t.append(tr);
  for (const r of rows) {
    const row = el('tr');
    r.forEach((v, i) => row.append(el(i === 0 ? 'th' : 'td', i === 0 ? undefined : 'num', v)));
    t.append(row);
  }
  return t;
}

function renderSummary(s: DiffSummaryPayload | undefined): void {
  summaryEl.replaceChildren();
  if (!s) {
    summaryEl.append(el('p', 'muted', init?.state === 'running' ? 'Comparing… the summary appears when both files are read.' : 'No summary.'));
    return;
  }
  const classRows = shownClasses(s).map((c) => [c, fmt(s.classes[c].SNP), fmt(s.classes[c].INDEL), fmt(s.classes[c].MNP), fmt(s.classes[c].total)]);
  const classes = table(`${fmt(s.differingSites)} differing of ${fmt(s.sites)} sites${s.options.normalized ? '' : ' (not left-aligned: no reference)'}`, ['class', 'SNP', 'INDEL', 'MNP', 'total'], classRows, 'classes-table');
  const sides = table('Calls per side', ['', `A ${init?.nameA ?? ''}`, `B ${init?.nameB ?? ''}`], [
    ['sample', s.a.sample, s.b.sample],
    ['records', fmt(s.a.records), fmt(s.b.records)],
    ['variant records', fmt(s.a.variantRecords), fmt(s.b.variantRecords)],
    ['het / hom-alt', `${fmt(s.a.het)} / ${fmt(s.a.homAlt)}`, `${fmt(s.b.het)} / ${fmt(s.b.homAlt)}`],
    ['het/hom ratio', fmt(s.a.hetHomRatio, 2), fmt(s.b.hetHomRatio, 2)],
    ['Ti/Tv', fmt(s.a.tiTv, 2), fmt(s.b.tiTv, 2)],
    ['called SNP / INDEL', `${fmt(s.a.calledAlleles.SNP)} / ${fmt(s.a.calledAlleles.INDEL)}`, `${fmt(s.b.calledAlleles.SNP)} / ${fmt(s.b.calledAlleles.INDEL)}`],
  ], 'sides-table');
  summaryEl.append(classes, sides);
  if (s.truth) {
    const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);
    summaryEl.append(table(`Truth: ${s.truth.truth} (query: ${s.truth.truth === 'A' ? 'B' : 'A'}, PASS calls)`, ['type', 'TP', 'FP', 'FN', 'precision', 'recall', 'F1'],
      s.truth.rows.map((r) => [r.type, fmt(r.tp), fmt(r.fp), fmt(r.fn), pct(r.precision), pct(r.recall), pct(r.f1)]), 'truth-table'));
  }
  const vs = init?.truthVs;
  if (vs) {
    const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);
    const rowsOf = (label: string, m: DiffTruthMetrics): string[][] => m.rows.map((r) => [`${label} ${r.type}`, fmt(r.tp), fmt(r.fp), fmt(r.fn), pct(r.precision), pct(r.recall), pct(r.f1)]);
    const t = table(`Truth: ${vs.name} (PASS calls of each side; allele matching${vs.happy ? '' : ', no reference: haplotype matching needs one'})`, ['side / type', 'TP', 'FP', 'FN', 'precision', 'recall', 'F1'],
      [...rowsOf('A', vs.a), ...rowsOf('B', vs.b)], 'truth-table truth-vs-table');
    t.title = vs.file;
    summaryEl.append(t);
    if (vs.happy) summaryEl.append(happyTable(vs));
  }
  const strataRows = s.strata.map((st) => [`${GROUP_LABEL[st.group]}: ${st.name}`, fmt(st.sites), fmt(st.sites - st.classes.same.total), ...(s.truth && st.truth ? [fmt(st.truth[2]?.f1 ?? null, 4)] : [])]);
  if (strataRows.length) summaryEl.append(table('Strata', ['stratum', 'sites', 'differing', ...(s.truth ? ['F1'] : [])], strataRows, 'strata-table'));
}

/** The hap.py table's columns: shown label, summary.csv column. */
const HAPPY_COLUMNS: readonly (readonly [string, string])[] = [
  ['TRUTH.TOTAL', 'TRUTH.TOTAL'], ['TP', 'TRUTH.TP'], ['FN', 'TRUTH.FN'], ['QUERY.TOTAL', 'QUERY.TOTAL'], ['FP', 'QUERY.FP'], ['UNK', 'QUERY.UNK'],
  ['FP.gt', 'FP.gt'], ['Recall', 'METRIC.Recall'], ['Precision', 'METRIC.Precision'], ['F1', 'METRIC.F1_Score'],
];

/** A number as PREFIX.summary.csv writes it (happyTables.ts: integers as they are, metrics to 6 decimals, empty when undefined). */
function csvNumber(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '' : String(Math.round(x * 1e6) / 1e6);
}

/**
 * hap.py's summary of each side against the truth VCF, haplotype matching (with a reference):
 * the numbers as `variant-lens diff SIDE TRUTH --truth B --ref REF` writes them to summary.csv.
 */
function happyTable(vs: DiffTruthVs): HTMLElement {
  const problem = diffHappySummaries(vs.happy, 'happy');
  if (problem) return el('p', 'muted happy-table-error', `hap.py summary not shown: ${problem}`);
  const happy = vs.happy!;
  const rows = (side: string, rs: readonly DiffHappyRow[]): string[][] => rs.map((r) => [
    `${side} ${r.type} ${r.filter}`, String(r.truthTotal), String(r.truthTp), String(r.truthFn), String(r.queryTotal), String(r.queryFp), String(r.queryUnk), String(r.fpGt),
    csvNumber(r.recall), csvNumber(r.precision), csvNumber(r.f1),
  ]);
  const t = table(`hap.py summary vs ${vs.name}: haplotype matching (superloci replayed onto the reference), as diff --truth --ref writes summary.csv`,
    ['side Type Filter', ...HAPPY_COLUMNS.map(([label]) => label)],
    [...rows('A', happy.a), ...rows('B', happy.b)], 'happy-table');
  t.title = `${vs.file}: each side as the query, the truth VCF as the truth (hap.py v0.3 rules; docs/decisions/0013-haplotype-matching.md)`;
  // Short headers; each names its summary.csv column in its tooltip.
  t.querySelectorAll('tr:first-of-type th').forEach((th, i) => { if (i > 0) (th as HTMLElement).title = HAPPY_COLUMNS[i - 1]![1]; });
  return t;
}

// ---- filters -------------------------------------------------------------------------------
function chip(label: string, pressed: boolean, onToggle: () => void, count?: number): HTMLButtonElement {
  const b = el('button', 'chip', count === undefined ? label : `${label} ${count.toLocaleString('en-US')}`);
  b.setAttribute('aria-pressed', String(pressed));
  b.dataset.chip = label;
  b.addEventListener('click', onToggle);
  return b;
}

function toggle<T>(set: Set<T>, v: T): void {
  if (set.has(v)) set.delete(v);
  else set.add(v);
}

function renderFilters(): void {
  const s = init?.summary;
  filters.replaceChildren();
  // Scope: the disputes (default), the QUAL-only changes, or every differing site.
  const counts = init?.scopeCounts;
  const scopeGroup = el('div', 'chip-group');
  scopeGroup.dataset.group = 'scope';
  scopeGroup.append(el('span', 'chip-label', 'show'));
  const scopes: [DiffScope | undefined, string, number | undefined][] = [['disputes', 'disputes', counts?.disputes], ['qual-only', 'QUAL-only', counts?.qualOnly], [undefined, 'all', counts?.all]];
  for (const [sc, label, n] of scopes) {
    const b = chip(label, scope === sc, () => {
      scope = sc;
      void applyFilters();
    }, n);
    b.dataset.scope = sc ?? 'all';
    b.title = sc === 'disputes' ? 'sites where the calls differ: gt-change, filter-change, only-A, only-B' : sc === 'qual-only' ? 'sites where only QUAL differs (not disputes)' : 'every differing site';
    scopeGroup.append(b);
  }
  filters.append(scopeGroup);
  const classGroup = el('div', 'chip-group');
  classGroup.dataset.group = 'class';
  classGroup.append(el('span', 'chip-label', 'class'));
  for (const c of s ? shownClasses(s) : CLASSES.filter((c) => c !== 'same-haplotypes')) classGroup.append(chip(c, selClasses.has(c), () => { toggle(selClasses, c); void applyFilters(); }, s?.classes[c].total));
  const kindGroup = el('div', 'chip-group');
  kindGroup.dataset.group = 'kind';
  kindGroup.append(el('span', 'chip-label', 'kind'));
  for (const k of KINDS) kindGroup.append(chip(k, selKinds.has(k), () => { toggle(selKinds, k); void applyFilters(); }));
  filters.append(classGroup, kindGroup);
  const groups = new Map<DiffStratumGroup, HTMLDivElement>();
  for (const st of s?.strata ?? []) {
    let g = groups.get(st.group);
    if (!g) {
      g = el('div', 'chip-group');
      g.dataset.group = `stratum-${st.group}`;
      g.append(el('span', 'chip-label', GROUP_LABEL[st.group]));
      groups.set(st.group, g);
      filters.append(g);
    }
    const ref: DiffStratumRef = { group: st.group, name: st.name };
    const key = stratumKey(ref);
    g.append(chip(st.name, selStrata.has(key), () => {
      if (selStrata.has(key)) selStrata.delete(key);
      else selStrata.set(key, ref);
      void applyFilters();
    }));
  }
  const textGroup = el('div', 'chip-group text-group');
  textGroup.append(textBox);
  filters.append(textGroup);
}

/** The spec of the chips and text box, with the given sort (default: the current one). */
function currentSpec(sort: { sortBy?: DiffSortKey; descending?: boolean } = spec): DiffViewSpec {
  const text = textBox.value.trim();
  return {
    ...(selClasses.size ? { classes: CLASSES.filter((c) => selClasses.has(c)) } : {}),
    ...(selKinds.size ? { kinds: KINDS.filter((k) => selKinds.has(k)) } : {}),
    ...(selStrata.size ? { strata: [...selStrata.values()] } : {}),
    ...(text ? { text } : {}),
    ...(sort.sortBy ? { sortBy: sort.sortBy, descending: sort.descending === true } : {}),
    ...(scope ? { scope } : {}),
  };
}

async function applyFilters(sort?: { sortBy?: DiffSortKey; descending?: boolean }): Promise<void> {
  renderFilters();
  await setView(currentSpec(sort));
}

async function setView(next: DiffViewSpec): Promise<void> {
  pendingView?.abort();
  const ac = new AbortController();
  pendingView = ac;
  try {
    applyView(await client.request('diff.setView', next, { signal: ac.signal, timeoutMs: 60_000 }));
  } catch (e) {
    if (!(e instanceof RpcError && e.code === 'cancelled')) setStatus(errorText(e), true);
  } finally {
    if (pendingView === ac) pendingView = undefined;
  }
}

function applyView(v: DiffViewInfo): void {
  spec = v.spec;
  scope = v.spec.scope;
  cache.clear();
  renderHeader();
  list.showView(v.viewId, v.count, -1);
  setStatus(statusLine());
  grid.dataset.viewId = String(v.viewId);
  grid.dataset.count = String(v.count);
  savePage();
}

/** The selection and scroll a reloaded page had: applied once, when the run is done. */
let pendingRestore: { selected: number; first: number } | undefined;
let restoreTaken = false;

let saveTimer: ReturnType<typeof setTimeout> | undefined;
/** Keeps what a window reload brings back (DiffPageState) in the webview state; debounced. */
function savePage(): void {
  const comparison = init?.comparison;
  if (!comparison || pendingRestore) return;
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const state: DiffPageState = { comparison, view: spec, selected: list.selected, first: list.first };
    try {
      vscodeApi().setState(state);
      // The host keeps its own copy: a browser refresh may not leave VS Code time to store this one.
      client.emit('pageState', state);
      // What was saved, for tests that reload the window only once it is.
      grid.dataset.savedSelected = String(state.selected);
      grid.dataset.savedSort = state.view.sortBy ?? '';
    } catch {
      // no state API: nothing to restore later
    }
  }, 150);
}

/** The chips and text box of a view spec (a restored page's view). */
function loadSpecIntoChips(s: DiffViewSpec): void {
  selClasses.clear();
  for (const c of s.classes ?? []) selClasses.add(c);
  selKinds.clear();
  for (const k of s.kinds ?? []) selKinds.add(k);
  selStrata.clear();
  for (const st of s.strata ?? []) selStrata.set(stratumKey(st), st);
  textBox.value = s.text ?? '';
  scope = s.scope;
}

// ---- list ----------------------------------------------------------------------------------
function renderHeader(): void {
  headerRow.replaceChildren();
  for (const c of columns) {
    const h = el('div', `cell ${c.cls}`, c.label);
    h.setAttribute('role', 'columnheader');
    if (c.title) h.title = c.title;
    if (c.sort) {
      h.classList.add('sortable');
      h.dataset.sort = c.sort;
      const dir = spec.sortBy === c.sort ? (spec.descending ? 'descending' : 'ascending') : 'none';
      h.setAttribute('aria-sort', dir);
      if (dir !== 'none') {
        const mark = el('span', 'sort-mark', dir === 'descending' ? '▼' : '▲');
        mark.setAttribute('aria-hidden', 'true');
        h.append(mark);
      }
    }
    headerRow.append(h);
  }
  layout.decorateHeader();
}

// ---- status --------------------------------------------------------------------------------
function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

let statusIsMessage = false;
function setStatus(text: string, isError = false, message = isError): void {
  statusText.textContent = text;
  statusText.classList.toggle('error', isError);
  statusIsMessage = message;
}

/** After a success (a move, a view): a stale error or "… saved" gives way to the status line. */
function clearMessage(): void {
  if (statusIsMessage) setStatus(statusLine());
}

function statusLine(): string {
  if (!init) return '';
  if (init.state === 'running') return 'comparing…';
  if (init.state === 'cancelled') return 'cancelled — close the panel and compare again';
  if (init.state === 'error') return init.error?.message ?? 'failed';
  const count = list.count;
  const f = (n: number): string => n.toLocaleString('en-US');
  const reviewed = init.disputesReviewed !== undefined && init.scopeCounts ? ` · ${f(init.disputesReviewed)} / ${f(init.scopeCounts.disputes)} disputes reviewed` : '';
  const noun = spec.scope === 'disputes' ? 'disputes' : spec.scope === 'qual-only' ? 'QUAL-only changes' : 'differing sites';
  const total = spec.scope === 'disputes' ? init.scopeCounts?.disputes : spec.scope === 'qual-only' ? init.scopeCounts?.qualOnly : init.summary?.differingSites;
  return `${total === undefined || count === total ? f(count) : `${f(count)} of ${f(total)}`} ${noun}${reviewed}`;
}

function showProgress(p: DiffRunProgress): void {
  progressBar.hidden = false;
  if (p.fraction === null) progressBar.removeAttribute('value');
  else progressBar.value = p.fraction;
  setStatus(`comparing ${p.contig}:${p.pos.toLocaleString('en-US')} — ${(p.recordsA + p.recordsB).toLocaleString('en-US')} records, ${p.differingSites.toLocaleString('en-US')} differing`);
}

function applyInit(i: DiffInit): void {
  init = i;
  if (!scopeFromInit) {
    scopeFromInit = true;
    layout.load(i.columns);
    // The view the host opened on (a restored page's own, else the disputes).
    loadSpecIntoChips(i.view.spec);
  }
  if (!restoreTaken && i.restore) {
    restoreTaken = true;
    pendingRestore = i.restore;
  }
  // Without a truth VCF the truth columns start hidden (the Columns menu still lists them).
  layout.setEmpty(i.comparison?.truthFile ? [] : ['atruth', 'btruth']);
  showReviewFile(i.reviewFile);
  titleText.textContent = `${i.nameA} ↔ ${i.nameB}`;
  titleText.title = `A: ${i.fileA}\nB: ${i.fileB}`;
  document.title = `Diff ${i.nameA} ↔ ${i.nameB}`;
  app.dataset.state = i.state;
  const running = i.state === 'running';
  cancelBtn.hidden = !running;
  progressBar.hidden = !running;
  renderSummary(i.summary);
  renderFeaturePanel(featuresEl, i.features, i.nameA, i.nameB, (filter) => {
    // A bin lists its disputed sites: the disputes scope and the bin's feature terms.
    scope = 'disputes';
    textBox.value = filter;
    void applyFilters();
  });
  renderFilters();
  applyView(i.view);
  if (running && i.progress) showProgress(i.progress);
  if (i.state === 'error') setStatus(statusLine(), true);
  const r = pendingRestore;
  if (r && i.state !== 'running') {
    pendingRestore = undefined;
    if (r.first > 0) list.scrollTo(r.first);
    if (r.selected >= 0 && r.selected < list.count) list.select(r.selected);
    if (r.first > 0) list.scrollTo(r.first);
    savePage();
  }
}

function showReviewFile(file: string | undefined): void {
  reviewFileText.hidden = !file;
  if (!file) return;
  reviewFileText.textContent = `verdicts → ${file.split(/[\\/]/).pop() ?? file}`;
  reviewFileText.title = `Verdicts (keys 1–9) are saved in ${file}`;
  reviewFileText.dataset.file = file;
}

// ---- events --------------------------------------------------------------------------------
headerRow.addEventListener('click', (e) => {
  const h = (e.target as HTMLElement).closest<HTMLElement>('[data-sort]');
  if (!h) return;
  const key = h.dataset.sort as DiffSortKey;
  const cur = spec.sortBy ?? 'position';
  // ascending → descending → genome order
  const next = cur !== key ? { sortBy: key, descending: false } : !spec.descending ? { sortBy: key, descending: true } : {};
  void applyFilters(next);
});

cancelBtn.addEventListener('click', () => {
  client.emit('cancelRun', {});
  setStatus('cancelling…');
});

textBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    // Back to the list at once, so `j` walks the sites instead of typing.
    grid.focus();
    void applyFilters();
  } else if (e.key === 'Escape') grid.focus();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && keyHelp.open) {
    keyHelp.toggle(false);
    grid.focus();
  }
});

// Review: 1–9 annotate the selected site, Ctrl/Cmd+Z undoes (webview/common/reviewUi.ts);
// the Review tree reveals a site with `reveal`.
const review = bindReview(client as unknown as ReviewClient, {
  target: () => (list.selected >= 0 ? { viewId: list.viewId, index: list.selected } : undefined),
  onChanged: () => {
    cache.clear();
    list.render();
  },
  status: (text, isError) => setStatus(text, isError, true),
});
// A verdict changes the progress against the disputes: re-pull the counts.
client.on('reviewChanged', () => {
  void client.request('diff.init', {}).then((i) => {
    if (init) init = { ...init, ...(i.disputesReviewed !== undefined ? { disputesReviewed: i.disputesReviewed } : {}) };
    showReviewFile(i.reviewFile);
    if (!statusIsMessage) setStatus(statusLine());
  }, () => undefined);
});
client.on('reveal', (r) => {
  if (r.viewId !== list.viewId) return;
  list.select(r.index);
  grid.focus();
});

grid.addEventListener('keydown', (e) => {
  if (review.handleKey(e)) {
    e.preventDefault();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  let handled = true;
  if (list.handleWalkKey(e)) handled = true;
  else if (e.key === '/') textBox.focus();
  else if (e.key === '?') keyHelp.toggle();
  else handled = false;
  if (handled) e.preventDefault();
});

// Keys pressed in the inspector (j/k/n/1–9) act here as if pressed in the grid (InspectorWebviewEvents.listKey).
client.on('forwardedKey', ({ key }) => void grid.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true })));
client.on('runProgress', showProgress);
// The run ended: pull the final state, unless the pull under way (or done) already has it — a
// restored panel may load after a short run ended, and a second pull would show the list
// again without the selection the first one restored.
client.on('runEnded', () => void (pulling ?? Promise.resolve()).then(() => (init && init.state !== 'running' ? undefined : pull())));

let pulling: Promise<void> | undefined;
function pull(): Promise<void> {
  pulling = (async () => {
    try {
      applyInit(await client.request('diff.init', {}));
    } catch (e) {
      setStatus(errorText(e), true);
    }
  })();
  return pulling;
}

// ---- start: say ready, then pull the initial state -----------------------------------------
client.emit('ready', {});
void pull().then(() => grid.focus());
