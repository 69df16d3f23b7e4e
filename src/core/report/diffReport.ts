/**
 * The standalone HTML report of a diff (PREFIX.html): summary tables and a sortable,
 * filterable, paged site list. One self-contained file: no network, no external script or
 * style; the one inline script and style are allowed only by their hashes in a strict CSP
 * (`default-src 'none'`, htmlPage.ts), so the page cannot load or send anything. Site data travels as
 * JSON in a non-executed <script type="application/json"> block, with '<' escaped, so file
 * content (sample names, FILTER values) cannot break out of it.
 */
import { escapeHtml as esc, selfContainedCsp } from './htmlPage';
import { DIFF_CLASSES, INDEL_BINS, VARIANT_KINDS, type DiffSite } from '../diff/diffClasses';
import type { DiffSummary, KindCounts, TruthRow } from '../diff/diffSummary';
import { formatCsvNumber, type HappyRow } from '../diff/haplotype/happyTables';
import type { EnrichmentEntry } from '../diff/features/enrichment';
import type { FeatureSummary } from '../diff/features/featureStage';
import { featureSectionHtml } from './featurePlots';

export interface DiffReportOptions {
  readonly title?: string;
  /** Total differing sites, when `sites` holds only the first ones. */
  readonly totalDiffering?: number;
  /** Site features (diff --features): plots, enrichment, and feature columns in the list. */
  readonly features?: FeatureSummary;
  readonly enrichment?: readonly EnrichmentEntry[];
}

/** Columns of a site row in the page data (and the header of the table). */
export const SITE_COLUMNS = ['chrom', 'pos', 'ref', 'alt', 'kind', 'classes', 'gt_a', 'gt_b', 'qual_a', 'qual_b', 'filter_a', 'filter_b', 'gq_a', 'gq_b'] as const;

export type SiteRow = [string, number, string, string, string, string, string, string, number | null, number | null, string, string, number | null, number | null];

export function siteRow(s: DiffSite): SiteRow {
  return [
    s.contig, s.pos, s.ref, s.alt, s.kind, s.classes.join(','),
    s.a ? s.a.recordGt || '.' : '', s.b ? s.b.recordGt || '.' : '',
    s.a?.qual ?? null, s.b?.qual ?? null,
    s.a?.filter ?? '', s.b?.filter ?? '',
    s.a?.gq ?? null, s.b?.gq ?? null,
  ];
}

/** The per-site feature columns the TSV gains when the diff computes features (diff/features). */
export const FEATURE_COLUMNS = ['dp_a', 'dp_b', 'vaf_a', 'vaf_b', 'mid_a', 'mid_b', 'indel_length', 'homopolymer', 'repeat_unit', 'repeat_copies', 'gc', 'neighbor_distance', 'held_out'] as const;

/** A site's FEATURE_COLUMNS values (null: unknown). */
export function featureRow(s: DiffSite): (string | number | null)[] {
  const f = s.features;
  const r4 = (x: number | undefined): number | null => (x === undefined ? null : Math.round(x * 10000) / 10000);
  return [
    s.a?.dp ?? null, s.b?.dp ?? null, r4(s.a?.vaf), r4(s.b?.vaf), s.a?.mid ?? null, s.b?.mid ?? null,
    s.alt.length - s.ref.length,
    f?.homopolymer ?? null, f?.repeatUnit ?? null, f?.repeatCopies ?? null, r4(f?.gc), f?.neighborDistance ?? null,
    f === undefined ? null : f.heldOut ? 'yes' : 'no',
  ];
}

/**
 * A site's line of PREFIX.sites.tsv: its `siteRow` cells (and, with features, its
 * `featureRow` cells) as text, '.' for null or '', tab-separated — the same text as joining
 * those rows, but the cells go as text into one reused array (the diff writes one line per
 * differing site), and the decimals, which take few values, come from caches instead of a
 * number-to-text conversion each time. (One template literal per line measured twice as slow
 * as the arrays: it builds a chain of string pieces that the buffer's join then flattens.)
 */
export function siteTsvLine(s: DiffSite, withFeatures: boolean): string {
  const a = s.a;
  const b = s.b;
  const c = withFeatures ? FEATURE_CELLS : SITE_CELLS;
  c[0] = cell(s.contig);
  c[1] = String(s.pos);
  c[2] = cell(s.ref);
  c[3] = cell(s.alt);
  c[4] = cell(s.kind);
  c[5] = cell(s.classes.join(','));
  c[6] = a ? a.recordGt || '.' : '.';
  c[7] = b ? b.recordGt || '.' : '.';
  c[8] = qualText(a?.qual);
  c[9] = qualText(b?.qual);
  c[10] = a ? cell(a.filter) : '.';
  c[11] = b ? cell(b.filter) : '.';
  c[12] = numText(a?.gq);
  c[13] = numText(b?.gq);
  if (withFeatures) {
    const f = s.features;
    c[14] = numText(a?.dp);
    c[15] = numText(b?.dp);
    c[16] = r4Text(a?.vaf);
    c[17] = r4Text(b?.vaf);
    c[18] = cell(a?.mid);
    c[19] = cell(b?.mid);
    c[20] = String(s.alt.length - s.ref.length);
    c[21] = numText(f?.homopolymer);
    c[22] = numText(f?.repeatUnit);
    c[23] = numText(f?.repeatCopies);
    c[24] = r4Text(f?.gc);
    c[25] = numText(f?.neighborDistance);
    c[26] = f === undefined ? '.' : f.heldOut ? 'yes' : 'no';
  }
  return c.join('\t');
}

const SITE_CELLS: string[] = SITE_COLUMNS.map(() => '');
const FEATURE_CELLS: string[] = [...SITE_COLUMNS, ...FEATURE_COLUMNS].map(() => '');

function cell(x: string | undefined): string {
  return x === undefined || x === '' ? '.' : x;
}

function numText(x: number | undefined): string {
  return x === undefined ? '.' : String(x);
}

/** Texts of k / 10000 for k = 0…10000 (VAF and GC as `featureRow` rounds them), made when first needed (a filled array: written at scattered indices, an empty one turns into a slow dictionary). */
const R4_TEXT: (string | undefined)[] = new Array<string | undefined>(10_001).fill(undefined);

/** `String(r4(x))` of `featureRow` ('.' for undefined). */
function r4Text(x: number | undefined): string {
  if (x === undefined) return '.';
  const k = Math.round(x * 10000);
  if (k >= 0 && k <= 10000) return R4_TEXT[k] ?? (R4_TEXT[k] = String(k / 10000));
  return String(k / 10000);
}

/** Texts of QUALs with one decimal (k / 10 for k < 100,000), made when first needed. */
const QUAL_TEXT: (string | undefined)[] = new Array<string | undefined>(100_000).fill(undefined);

/** `String(q)` ('.' for undefined). */
function qualText(q: number | undefined): string {
  if (q === undefined) return '.';
  const k = Math.round(q * 10);
  if (k >= 0 && k < 100_000 && k / 10 === q) return QUAL_TEXT[k] ?? (QUAL_TEXT[k] = String(q));
  return String(q);
}

function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '–';
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

function kindCells(k: KindCounts): string {
  return [...VARIANT_KINDS.map((v) => k[v]), k.total].map((n) => `<td class="num">${n}</td>`).join('');
}

function truthTable(rows: readonly TruthRow[]): string {
  return `<table><thead><tr><th>Type</th><th>TP</th><th>FP</th><th>FN</th><th>FP.GT</th><th>Precision</th><th>Recall</th><th>F1</th></tr></thead><tbody>${
    rows.map((r) => `<tr><td>${r.type}</td><td class="num">${r.tp}</td><td class="num">${r.fp}</td><td class="num">${r.fn}</td><td class="num">${r.fpGt}</td><td class="num">${fmt(r.precision)}</td><td class="num">${fmt(r.recall)}</td><td class="num">${fmt(r.f1)}</td></tr>`).join('')
  }</tbody></table>`;
}

/**
 * hap.py's summary with haplotype matching (`diff --truth --ref`): the rows and columns of
 * PREFIX.summary.csv, the numbers written as there.
 */
function happyTable(rows: readonly HappyRow[]): string {
  const cols: [string, (r: HappyRow) => string][] = [
    ['TRUTH.TOTAL', (r) => String(r.truthTotal)], ['TRUTH.TP', (r) => String(r.truthTp)], ['TRUTH.FN', (r) => String(r.truthFn)],
    ['QUERY.TOTAL', (r) => String(r.queryTotal)], ['QUERY.FP', (r) => String(r.queryFp)], ['QUERY.UNK', (r) => String(r.queryUnk)], ['FP.gt', (r) => String(r.fpGt)],
    ['METRIC.Recall', (r) => formatCsvNumber(r.recall)], ['METRIC.Precision', (r) => formatCsvNumber(r.precision)], ['METRIC.F1_Score', (r) => formatCsvNumber(r.f1)],
  ];
  return `<table id="happy"><thead><tr><th>Type</th><th>Filter</th>${cols.map(([h]) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr><td>${esc(r.type)}</td><td>${esc(r.filter)}</td>${cols.map(([, f]) => `<td class="num">${f(r)}</td>`).join('')}</tr>`).join('')
  }</tbody></table>`;
}

/** The page's one style block (its hash is in the CSP). */
const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #1f2328; background: #fff; }
h1 { font-size: 18px; } h2 { font-size: 15px; margin-top: 20px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
#sites th { cursor: pointer; user-select: none; }
#sites th[aria-sort=ascending]::after { content: ' ▲'; }
#sites th[aria-sort=descending]::after { content: ' ▼'; }
.controls { margin: 8px 0; display: flex; gap: 8px; align-items: center; }
.note { color: #656d76; }
.plots { display: flex; flex-wrap: wrap; gap: 10px; }
.feature-plot .bin { cursor: pointer; } .feature-plot .hit { fill: transparent; }
.feature-plot .bin:hover .hit, .feature-plot .bin:focus .hit { fill: #eaeef2; }
.feature-plot .bin.active .hit { fill: #ddf4ff; }
.bar-agreed, .key-agreed { fill: #8c959f; color: #8c959f; } .bar-disputed, .key-disputed { fill: #cf222e; color: #cf222e; }
.axis, .diag { stroke: #8c959f; stroke-width: 1; } .diag { stroke-dasharray: 3 3; }
.cell { fill: #0550ae; } .tick { font-size: 9px; fill: #656d76; } .plot-title { font-size: 11px; font-weight: 600; fill: #1f2328; }
.sentences li { margin: 2px 0; }
.cls-only-A { color: #0550ae; } .cls-only-B { color: #8250df; } .cls-gt-change { color: #cf222e; } .cls-filter-change { color: #9a6700; }
`;

/** The page's one script: sort, filter and page the site list (its hash is in the CSP). */
const SCRIPT = `
(function () {
  'use strict';
  var PAGE = 200;
  var data = JSON.parse(document.getElementById('site-data').textContent);
  var all = data.rows;
  var view = all.slice();
  var page = 0;
  var sortCol = -1;
  var sortDir = 1;
  var tbody = document.querySelector('#sites tbody');
  var range = document.getElementById('range');
  function cell(v) {
    var td = document.createElement('td');
    if (typeof v === 'number') td.className = 'num';
    td.textContent = v === null ? '' : String(v);
    return td;
  }
  function render() {
    var frag = document.createDocumentFragment();
    var start = page * PAGE;
    var end = Math.min(view.length, start + PAGE);
    for (var i = start; i < end; i++) {
      var tr = document.createElement('tr');
      var r = view[i];
      for (var j = 0; j < r.length; j++) tr.appendChild(cell(r[j]));
      tr.cells[5].className = 'cls-' + String(r[5]).split(',')[0];
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
    range.textContent = view.length === 0 ? ' no sites ' : ' ' + (start + 1) + '–' + end + ' of ' + view.length + ' ';
  }
  function compare(a, b) {
    var x = a[sortCol], y = b[sortCol];
    if (x === y) return 0;
    if (x === null || x === '') return 1;
    if (y === null || y === '') return -1;
    return (x < y ? -1 : 1) * sortDir;
  }
  // Feature terms (diff/features/featureFilter.ts): NAME OP VALUE, ANDed; per-call values
  // are A's when A has the value, else B's (a side without a record has '' or null).
  var col = {};
  data.columns.forEach(function (c, i) { col[c] = i; });
  var NUMERIC = { vaf: 1, dp: 1, gq: 1, qual: 1, indel_length: 1, homopolymer: 1, repeat_unit: 1, repeat_copies: 1, gc: 1, neighbor_distance: 1 };
  var CATEGORY = { filter: 1, type: 1, held_out: 1, mid: 1 };
  function side(r, name) { var a = r[col[name + '_a']]; return a !== null && a !== '' ? a : r[col[name + '_b']]; }
  function value(r, name) {
    var v;
    if (name === 'vaf' || name === 'dp' || name === 'gq' || name === 'qual') v = side(r, name);
    else if (name === 'filter') { v = side(r, 'filter'); v = v === '.' || v === 'PASS' || v === '' || v === null ? 'PASS' : v === 'RefCall' ? 'RefCall' : 'other'; }
    else if (name === 'mid') { v = side(r, 'mid'); v = v === null || v === '' ? null : v === 'small_model' ? v : 'other'; }
    else if (name === 'type') v = r[col.kind];
    else v = r[col[name]];
    return v === undefined || v === '' ? null : v;
  }
  function parse(text) {
    var terms = [], rest = [];
    text.split(/\s+/).forEach(function (w) {
      if (!w) return;
      var m = /^([A-Za-z_]+)(<=|>=|!=|==|<|>|=)(.+)$/.exec(w);
      var name = m && m[1].toLowerCase();
      if (!m || !(NUMERIC[name] || CATEGORY[name])) { rest.push(w.toLowerCase()); return; }
      terms.push({ name: name, op: m[2] === '==' ? '=' : m[2], v: m[3] === '.' ? null : NUMERIC[name] ? Number(m[3]) : m[3].toLowerCase() });
    });
    return { terms: terms, text: rest.join(' ') };
  }
  function holds(r, t) {
    var v = value(r, t.name);
    if (t.v === null) return (v === null) === (t.op === '=');
    if (v === null) return false;
    if (typeof t.v === 'string') return (String(v).toLowerCase() === t.v) === (t.op === '=');
    return t.op === '<' ? v < t.v : t.op === '<=' ? v <= t.v : t.op === '>' ? v > t.v : t.op === '>=' ? v >= t.v : t.op === '=' ? v === t.v : v !== t.v;
  }
  document.querySelectorAll('.feature-plot .bin').forEach(function (g) {
    function pick() {
      document.getElementById('filter').value = g.getAttribute('data-filter');
      document.getElementById('cls').value = '';
      document.querySelectorAll('.feature-plot .bin.active').forEach(function (x) { x.classList.remove('active'); });
      g.classList.add('active');
      apply();
      document.getElementById('sites').scrollIntoView();
    }
    g.addEventListener('click', pick);
    g.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
  });
  function apply() {
    var q = parse(document.getElementById('filter').value.trim());
    var text = q.text;
    var cls = document.getElementById('cls').value;
    view = all.filter(function (r) {
      if (cls && String(r[5]).split(',').indexOf(cls) < 0) return false;
      for (var k = 0; k < q.terms.length; k++) if (!holds(r, q.terms[k])) return false;
      return !text || r.join(' ').toLowerCase().indexOf(text) >= 0;
    });
    if (sortCol >= 0) view.sort(compare);
    page = 0;
    render();
  }
  document.querySelectorAll('#sites th').forEach(function (th) {
    th.addEventListener('click', function () {
      var col = Number(th.getAttribute('data-col'));
      sortDir = col === sortCol ? -sortDir : 1;
      sortCol = col;
      document.querySelectorAll('#sites th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      apply();
    });
  });
  document.getElementById('filter').addEventListener('input', apply);
  document.getElementById('cls').addEventListener('change', apply);
  document.getElementById('prev').addEventListener('click', function () { if (page > 0) { page--; render(); } });
  document.getElementById('next').addEventListener('click', function () { if ((page + 1) * PAGE < view.length) { page++; render(); } });
  render();
})();
`;

export function renderDiffHtml(summary: DiffSummary, sites: readonly DiffSite[], options: DiffReportOptions = {}): string {
  const title = options.title ?? 'Variant Lens diff';
  const s = summary;
  const classRows = DIFF_CLASSES.map((c) => `<tr><td>${c}</td>${kindCells(s.classes[c])}</tr>`).join('');
  const binRows = DIFF_CLASSES.map((c) => `<tr><td>${c}</td>${INDEL_BINS.map((b) => `<td class="num">${s.indelBins[c][b]}</td>`).join('')}</tr>`).join('');
  const sideRow = (label: string, x: DiffSummary['a']): string =>
    `<tr><td>${label}</td><td>${esc(x.file)}</td><td>${esc(x.sample)}</td><td class="num">${x.records}</td><td class="num">${x.calledAlleles.total}</td><td class="num">${x.nonVariantAlleles}</td><td class="num">${x.het}</td><td class="num">${x.homAlt}</td><td class="num">${fmt(x.hetHomRatio, 3)}</td><td class="num">${fmt(x.tiTv, 3)}</td></tr>`;
  const strataRows = s.strata.map((st) => `<tr><td>${esc(st.group)}</td><td>${esc(st.name)}</td><td class="num">${st.sites}</td>${DIFF_CLASSES.map((c) => `<td class="num">${st.classes[c].total}</td>`).join('')}${
    st.truth ? st.truth.filter((r) => r.type !== 'ALL').map((r) => `<td class="num">${fmt(r.f1)}</td>`).join('') : ''}</tr>`).join('');
  const withFeatures = options.features !== undefined;
  const columns: readonly string[] = withFeatures ? [...SITE_COLUMNS, ...FEATURE_COLUMNS] : SITE_COLUMNS;
  const rows = withFeatures ? sites.map((x) => [...siteRow(x), ...featureRow(x)]) : sites.map(siteRow);
  const data = JSON.stringify({ columns, rows }).replace(/</g, '\\u003c');
  const total = options.totalDiffering ?? s.differingSites;
  const truncated = total > sites.length
    ? `<p class="note">The site list shows the first ${sites.length} of ${total} differing sites (genome order); PREFIX.sites.tsv has all of them.</p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${selfContainedCsp({ style: STYLE, script: SCRIPT })}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>A: <code>${esc(s.a.file)}</code> (${esc(s.a.sample)}) · B: <code>${esc(s.b.file)}</code> (${esc(s.b.sample)})<br>
${s.sites} alleles compared, ${s.differingSites} differ, ${s.sharedCalled} called in both ·
normalized: ${s.options.normalized ? 'yes (split, trim, left-align)' : 'no reference: split and trim only'} · QUAL delta &gt; ${s.options.qualDelta}${s.options.region ? ` · region ${esc(s.options.region)}` : ''} · ${s.elapsedMs} ms</p>
<h2>Classes</h2>
<table id="classes"><thead><tr><th>Class</th>${VARIANT_KINDS.map((k) => `<th>${k}</th>`).join('')}<th>Total</th></tr></thead><tbody>${classRows}</tbody></table>
<h2>Indel sizes (ALT − REF length)</h2>
<table><thead><tr><th>Class</th>${INDEL_BINS.map((b) => `<th>${esc(b)}</th>`).join('')}</tr></thead><tbody>${binRows}</tbody></table>
<h2>Each side</h2>
<table><thead><tr><th></th><th>File</th><th>Sample</th><th>Records</th><th>Called alleles</th><th>Non-variant alleles</th><th>Het</th><th>Hom-alt</th><th>Het/hom</th><th>Ti/Tv</th></tr></thead>
<tbody>${sideRow('A', s.a)}${sideRow('B', s.b)}</tbody></table>
${s.truth ? `<h2>Against the truth: allele matching (${s.truth.truth} is truth; query calls must PASS)</h2>${truthTable(s.truth.rows)}` : ''}
${s.happy ? `<h2>Against the truth: hap.py summary, haplotype matching (${s.truth?.truth ?? ''} is truth; as in ${s.happy.files.filter((f) => f.endsWith('.summary.csv')).map((f) => `<code>${esc(f)}</code>`).join('')})</h2>${happyTable(s.happy.rows as unknown as readonly HappyRow[])}
<p>Superloci of nearby truth and query alleles replayed onto the reference where the representations differ (docs/decisions/0013-haplotype-matching.md): ${s.happy.stats.assessed} with calls, ${s.happy.stats.replayed} replayed, ${s.happy.stats.haplotypeMatches} matched as haplotypes, ${s.happy.stats.tooBig} too big (allele by allele).</p>` : s.truth ? '<p>No reference given (<code>--ref</code>): no haplotype matching, so no hap.py summary.</p>' : ''}
<h2>Strata</h2>
<table><thead><tr><th>Group</th><th>Stratum</th><th>Sites</th>${DIFF_CLASSES.map((c) => `<th>${c}</th>`).join('')}${s.truth ? '<th>F1 SNP</th><th>F1 INDEL</th>' : ''}</tr></thead><tbody>${strataRows}</tbody></table>
${options.features ? featureSectionHtml(options.features, options.enrichment ?? []) : ''}
<h2>Differing sites</h2>
${truncated}
<div class="controls">
<label>Filter <input id="filter" type="search" placeholder="${withFeatures ? 'text or terms, e.g. chr20 1/1 vaf<0.3 dp<15 homopolymer>=6' : 'text, e.g. chr20 or 1/1'}" size="44"></label>
<label>Class <select id="cls"><option value="">all</option>${DIFF_CLASSES.filter((c) => c !== 'same').map((c) => `<option>${c}</option>`).join('')}</select></label>
<button id="prev" type="button">◀</button><span id="range"></span><button id="next" type="button">▶</button>
</div>
<table id="sites"><thead><tr>${columns.map((c, i) => `<th data-col="${i}">${c}</th>`).join('')}</tr></thead><tbody></tbody></table>
<script type="application/json" id="site-data">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
