/**
 * The self-contained HTML report of a two-model comparison (`variant-lens report`, the
 * demo's demo/report.html): how the two VCFs differ, precision/recall of each against a
 * truth set, and the most disputed sites with the pileup images each model saw (PNG data:
 * URIs) and what each model said.
 *
 * Self-contained and strict: no script at all, no external asset; the only style block is
 * allowed by its SHA-256 hash in a `default-src 'none'` CSP, images only as data: URIs. So
 * the file opens from file:// (or an e-mail attachment) with nothing to load and nothing to
 * run. Light and dark themes follow `prefers-color-scheme`. Every text that comes from an
 * input file (sample names, FILTER values, file paths) is HTML-escaped.
 *
 * Pure: data in, string out (no clock, no randomness), so the same inputs give the same bytes.
 */
import type { EnrichmentEntry } from '../diff/features/enrichment';
import type { FeatureSummary } from '../diff/features/featureStage';
import { featureSectionHtml } from './featurePlots';
import { DIFF_CLASSES, VARIANT_KINDS, type DiffSite } from '../diff/diffClasses';
import type { DiffSummary, TruthRow } from '../diff/diffSummary';
import { formatCsvNumber, type HappyRow } from '../diff/haplotype/happyTables';
import type { ParamDifference } from '../model/modelCard';
import type { RankedSite } from './disputeScore';
import { escapeHtml as esc, selfContainedCsp } from './htmlPage';
import type { EvidenceCall, EvidenceImage, EvidenceImageGroup, SiteEvidence } from './siteEvidence';
import type { ExplainResult } from '../explain/explainResult';

/** Why the two models disagree at a site (core/explain, as `variant-lens explain`): the result and its PNGs. */
export interface SiteExplanationReport {
  readonly result: ExplainResult;
  /** explainImages: pileup.<model>.png, attribution.<model>.png, attribution.difference.png, curves.png. */
  readonly images: readonly { readonly name: string; readonly png: Uint8Array }[];
}
import type { LayersEvidence } from './layersEvidence';

export interface ReportSide {
  /** Model name (e.g. "default"). */
  readonly name: string;
  /** The VCF the model's calls came from, as the user gave it. */
  readonly vcf: string;
  /** Model folder, when known. */
  readonly modelDir?: string;
  readonly description?: string;
  /** This side's VCF diffed against the truth (`truth: 'B'`), when a truth set is given. */
  readonly truth?: DiffSummary;
}

export interface DisputedSiteReport {
  readonly ranked: RankedSite;
  /** Undefined when evidence was not collected (no reads/models) — `evidenceError` says why. */
  readonly evidence?: SiteEvidence;
  readonly evidenceError?: string;
  /** Why the models disagree here; undefined when not computed (`explanationError` says why, if it failed). */
  readonly explanation?: SiteExplanationReport;
  readonly explanationError?: string;
  /** Inside the networks (layersEvidence.ts), when collected. */
  readonly layers?: LayersEvidence;
}

export interface DemoReportInput {
  readonly title: string;
  readonly a: ReportSide;
  readonly b: ReportSide;
  /** A diffed against B. */
  readonly diff: DiffSummary;
  readonly truthFile?: string;
  readonly reads?: string;
  readonly reference?: string;
  readonly paramDifferences?: readonly ParamDifference[];
  readonly disputed: readonly DisputedSiteReport[];
  /** Site features of the A-vs-B diff (with a reference): where the two call sets disagree. */
  readonly features?: { readonly summary: FeatureSummary; readonly enrichment: readonly EnrichmentEntry[] };
  /** The command that made the report, shown at the bottom. */
  readonly command?: string;
  /** Extra lines for "How to open this in VS Code". */
  readonly openHints?: readonly string[];
}

/** How the ranking works, in the words the report prints (see disputeScore.ts). */
export const SCORE_EXPLANATION =
  'score = 1000 × [GT differs] + 100 × [FILTER differs] + min(|ΔQUAL|, 99.9). ' +
  'A model without a record for the allele counts as GT 0/0, FILTER "absent", QUAL 0. Ties keep genome order.';

function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

function dataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --a: #0550ae; --b: #8250df; --bad: #cf222e; --warn: #9a6700; --good: #1a7f37; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #161b22; --line: #3d444d;
    --a: #79c0ff; --b: #d2a8ff; --bad: #ff7b72; --warn: #d29922; --good: #3fb950; }
}
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: var(--fg); background: var(--bg); }
main { max-width: 1640px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; } h4 { font-size: 14px; margin: 12px 0 4px; }
p, li { max-width: 80ch; } .muted { color: var(--muted); }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--panel); padding: 0 3px; border-radius: 3px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; }
.model-a { color: var(--a); } .model-b { color: var(--b); }
.plots { display: flex; flex-wrap: wrap; gap: 10px; } .feature-plot .hit { fill: transparent; }
.bar-agreed, .key-agreed { fill: var(--muted); color: var(--muted); } .bar-disputed, .key-disputed { fill: var(--bad); color: var(--bad); }
.axis, .diag { stroke: var(--muted); stroke-width: 1; } .diag { stroke-dasharray: 3 3; } .cell { fill: var(--a); }
.tick { font-size: 9px; fill: var(--muted); } .plot-title { font-size: 11px; font-weight: 600; fill: var(--fg); }
.differs { color: var(--bad); font-weight: 600; } .note { color: var(--warn); }
.site { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px 12px; margin: 16px 0; background: var(--bg); }
.site h3 { margin-top: 6px; }
.images { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; margin: 6px 0; }
figure { margin: 0; } figcaption { font-size: 12px; color: var(--muted); }
img.pileup { image-rendering: pixelated; border: 1px solid var(--line); background: #fff; display: block; }
img.strip { max-width: none; }
.scroll { overflow-x: auto; max-width: 100%; }
img.rgb { width: 442px; height: auto; }
.blocked { display: flex; align-items: flex-start; }
svg.block-labels { flex: none; margin-top: 1px; } svg.block-labels line { stroke: var(--muted); stroke-width: 1; }
svg.block-labels text { font-size: 10px; fill: var(--fg); }
nav ol { columns: 2; max-width: 900px; }
.why { border-left: 3px solid var(--line); padding: 2px 0 2px 10px; margin: 8px 0; }
.verdict { font-weight: 600; } .verdict.inputs { color: var(--a); } .verdict.weights { color: var(--warn); } .verdict.both { color: var(--b); }
td.own { font-weight: 600; }
img.explain { image-rendering: pixelated; border: 1px solid var(--line); background: #fff; display: block; max-width: 100%; height: auto; }
a { color: var(--a); }
.kv td:first-child { color: var(--muted); }
`;

function truthTable(input: DemoReportInput): string {
  const sides = [input.a, input.b].filter((s) => s.truth);
  if (sides.length === 0) return '<p class="muted">No truth set given (<code>--truth</code>): no precision or recall.</p>';
  const head = '<tr><th>Model</th><th>Stratum</th><th>Type</th><th class="num">TP</th><th class="num">FP</th><th class="num">FN</th><th class="num">FP.GT</th><th class="num">Precision</th><th class="num">Recall</th><th class="num">F1</th></tr>';
  const body: string[] = [];
  for (const [i, s] of [input.a, input.b].entries()) {
    const t = s.truth;
    if (!t?.truth) continue;
    const cls = i === 0 ? 'model-a' : 'model-b';
    const strata: { name: string; rows: readonly TruthRow[] }[] = [{ name: 'whole files', rows: t.truth.rows }];
    for (const st of t.strata) if ((st.group === 'bed' || st.group === 'contigs') && st.truth) strata.push({ name: st.name, rows: st.truth });
    for (const st of strata) {
      for (const r of st.rows) {
        body.push(`<tr><td class="${cls}">${esc(s.name)}</td><td>${esc(st.name)}</td><td>${r.type}</td><td class="num">${r.tp}</td><td class="num">${r.fp}</td><td class="num">${r.fn}</td><td class="num">${r.fpGt}</td><td class="num">${num(r.precision)}</td><td class="num">${num(r.recall)}</td><td class="num">${num(r.f1)}</td></tr>`);
      }
    }
  }
  return `<h3>Allele matching</h3><table id="truth">${head}${body.join('')}</table>
<p class="muted">Computed by <code>variant-lens diff CALLS TRUTH --truth B</code> for each model (alleles normalized; a TP needs the allele called with the truth's genotype; FP.GT: the allele is in the truth with another genotype, counted as FP and FN). Calls must PASS. Strata: BED files given with <code>--bed</code>, and the DeepVariant hold-out contigs chr20–22.</p>
${happyTable(input)}`;
}

/** hap.py's summary per model with haplotype matching (with --ref): the rows of `diff CALLS TRUTH --truth B --ref`'s summary.csv. */
function happyTable(input: DemoReportInput): string {
  const sides = [input.a, input.b].map((s, i) => ({ s, i, rows: s.truth?.happy?.rows as readonly HappyRow[] | undefined })).filter((x) => x.rows);
  if (sides.length === 0) return input.a.truth ? '<p class="muted">No reference given (<code>--ref</code>): no haplotype matching, so no hap.py summary.</p>' : '';
  const cols = ['TRUTH.TOTAL', 'TRUTH.TP', 'TRUTH.FN', 'QUERY.TOTAL', 'QUERY.FP', 'QUERY.UNK', 'FP.gt', 'METRIC.Recall', 'METRIC.Precision', 'METRIC.F1_Score'];
  const head = `<tr><th>Model</th><th>Type</th><th>Filter</th>${cols.map((c) => `<th class="num">${c}</th>`).join('')}</tr>`;
  const body = sides.flatMap(({ s, i, rows }) => rows!.map((r) => `<tr><td class="${i === 0 ? 'model-a' : 'model-b'}">${esc(s.name)}</td><td>${esc(r.type)}</td><td>${esc(r.filter)}</td>${
    [r.truthTotal, r.truthTp, r.truthFn, r.queryTotal, r.queryFp, r.queryUnk, r.fpGt].map((n) => `<td class="num">${n}</td>`).join('')
  }${[r.recall, r.precision, r.f1].map((x) => `<td class="num">${formatCsvNumber(x)}</td>`).join('')}</tr>`));
  return `<h3>hap.py summary, haplotype matching</h3><table id="happy">${head}${body.join('')}</table>
<p class="muted">Computed as <code>variant-lens diff CALLS TRUTH --truth B --ref REF</code> writes PREFIX.summary.csv for each model: nearby truth and query alleles grouped into superloci and replayed onto the reference where the representations differ (an MNP vs its SNPs, a complex allele vs deletion + SNP count as TP); hap.py v0.3 rules (MNPs counted as SNPs; ALL and PASS query calls; docs/decisions/0013-haplotype-matching.md).</p>`;
}

function headline(input: DemoReportInput): string {
  const parts: string[] = [];
  for (const [i, s] of [input.a, input.b].entries()) {
    const t = s.truth;
    if (!t?.truth) continue;
    const bed = t.strata.find((st) => st.group === 'bed' && st.truth);
    const rows = bed?.truth ?? t.truth.rows;
    const all = rows.find((r) => r.type === 'ALL');
    if (!all) continue;
    parts.push(`<span class="${i === 0 ? 'model-a' : 'model-b'}">${esc(s.name)}</span>: precision ${num(all.precision)}, recall ${num(all.recall)}, F1 ${num(all.f1)}${bed ? ` <span class="muted">(in ${esc(bed.name)})</span>` : ''}`);
  }
  return parts.length ? `<p>${parts.join(' · ')}</p>` : '';
}

function classTable(d: DiffSummary): string {
  const rows = DIFF_CLASSES.map((c) => `<tr><td>${c}</td>${VARIANT_KINDS.map((k) => `<td class="num">${d.classes[c][k]}</td>`).join('')}<td class="num">${d.classes[c].total}</td></tr>`).join('');
  return `<table id="classes"><tr><th>Class</th>${VARIANT_KINDS.map((k) => `<th class="num">${k}</th>`).join('')}<th class="num">Total</th></tr>${rows}</table>`;
}

function sideTable(input: DemoReportInput): string {
  const d = input.diff;
  const row = (label: string, cls: string, s: ReportSide, x: DiffSummary['a']): string =>
    `<tr><td class="${cls}">${label} ${esc(s.name)}</td><td><code>${esc(s.vcf)}</code></td><td>${esc(x.sample)}</td><td class="num">${x.records}</td><td class="num">${x.calledAlleles.total}</td><td class="num">${x.het}</td><td class="num">${x.homAlt}</td><td class="num">${num(x.tiTv, 3)}</td></tr>`;
  return `<table><tr><th>Side</th><th>VCF</th><th>Sample</th><th class="num">Records</th><th class="num">Called alleles</th><th class="num">Het</th><th class="num">Hom-alt</th><th class="num">Ti/Tv</th></tr>${row('A', 'model-a', input.a, d.a)}${row('B', 'model-b', input.b, d.b)}</table>`;
}

function paramTable(input: DemoReportInput): string {
  const p = input.paramDifferences;
  if (!p) return '';
  if (p.length === 0) return '<p>Both model cards give the same make_examples parameters.</p>';
  const v = (x: unknown, isDefault: boolean): string => `${esc(String(x ?? '–'))}${isDefault ? ' <span class="muted">(default)</span>' : ''}`;
  return `<table id="params"><tr><th>make_examples parameter</th><th class="model-a">${esc(input.a.name)}</th><th class="model-b">${esc(input.b.name)}</th></tr>${
    p.map((d) => `<tr><td><code>${esc(d.param)}</code></td><td>${v(d.a, d.aIsDefault)}</td><td>${v(d.b, d.bIsDefault)}</td></tr>`).join('')}</table>
<p class="muted">From each model's <code>model_card.json</code>. Variant Lens builds each model's pileups with its own parameters, so where they differ the two models can see different candidates and different images.</p>`;
}

function locus(s: DiffSite): string {
  return `${s.contig}:${s.pos}`;
}

function sideCell(call: DiffSite['a']): { gt: string; filter: string; qual: string; gq: string } {
  if (!call) return { gt: '<span class="muted">absent</span>', filter: '–', qual: '–', gq: '–' };
  return { gt: esc(call.recordGt || '.'), filter: esc(call.filter), qual: num(call.qual, 1), gq: num(call.gq) };
}

function disputedTable(input: DemoReportInput): string {
  if (input.disputed.length === 0) return '<p>The two call sets agree everywhere: no disputed site.</p>';
  const rows = input.disputed.map(({ ranked: { site: s, dispute: d, rank } }) => {
    const a = sideCell(s.a);
    const b = sideCell(s.b);
    return `<tr><td class="num">${rank}</td><td><a href="#site-${rank}">${esc(locus(s))}</a></td><td>${esc(s.ref)}&gt;${esc(s.alt)}</td><td>${s.kind}</td><td>${esc(s.classes.join(', '))}</td>` +
      `<td class="${d.gtDiffers ? 'differs' : ''}">${a.gt} / ${b.gt}</td><td class="${d.filterDiffers ? 'differs' : ''}">${a.filter} / ${b.filter}</td><td class="num">${a.qual} / ${b.qual}</td><td class="num">${num(d.score, 1)}</td></tr>`;
  }).join('');
  return `<table id="disputed"><tr><th class="num">#</th><th>Locus</th><th>Allele</th><th>Kind</th><th>Classes</th><th>GT ${esc(input.a.name)} / ${esc(input.b.name)}</th><th>FILTER</th><th class="num">QUAL</th><th class="num">Score</th></tr>${rows}</table>
<p class="muted">Ranking: ${esc(SCORE_EXPLANATION)} GT is the genotype projected onto this allele; the table shows each record's own GT.</p>`;
}

function probCells(p: readonly number[] | undefined): string {
  if (!p) return '<td class="num">–</td><td class="num">–</td><td class="num">–</td>';
  return p.map((x) => `<td class="num">${x.toFixed(4)}</td>`).join('');
}

function callRows(input: DemoReportInput, s: DiffSite, ev: SiteEvidence | undefined): string {
  const rows: string[] = [];
  const sides = [{ side: input.a, rec: s.a, cls: 'model-a' }, { side: input.b, rec: s.b, cls: 'model-b' }];
  sides.forEach(({ side, rec, cls }, i) => {
    const r = sideCell(rec);
    rows.push(`<tr><td class="${cls}">${esc(side.name)}</td><td>in ${esc(side.vcf.replace(/^.*[\\/]/, ''))}</td><td>${r.gt}</td><td class="num">${r.gq}</td><td class="num">${r.qual}</td><td>${r.filter}</td><td>–</td></tr>`);
    const c: EvidenceCall | undefined = ev?.calls[i];
    if (ev) {
      rows.push(c
        ? `<tr><td class="${cls}">${esc(side.name)}</td><td>re-run here${c.fromCandidate ? '' : ' <span class="note">(not its candidate)</span>'}</td><td>${esc(c.gt)} <span class="muted">${esc(c.refBases)}&gt;${esc(c.altBases.join(',') || '.')}</span></td><td class="num">${c.gq}</td><td class="num">${num(c.qual, 1)}</td><td>${c.filter}</td><td>${c.pl.join(',')}</td></tr>`
        : `<tr><td class="${cls}">${esc(side.name)}</td><td>re-run here</td><td colspan="5" class="muted">no image at this site</td></tr>`);
    }
  });
  return `<table class="calls"><tr><th>Model</th><th>Source</th><th>GT</th><th class="num">GQ</th><th class="num">QUAL</th><th>FILTER</th><th>PL</th></tr>${rows.join('')}</table>`;
}

/** CSS width of the RGB composite (img.rgb): twice the 221-column image. */
const RGB_SHOWN_WIDTH = 442;

/**
 * An image of an alt-aligned 'rows' example with its three blocks labelled beside the pixels:
 * an inline SVG column whose labels sit at the rows the blocks are drawn (the image's
 * `blocks`, from show's blockLayout), times `scale` (the image's CSS size over its pixels).
 * Attributes only: the page's CSP allows no style attribute.
 */
export function blockLabelledImage(im: Pick<EvidenceImage, 'blocks'>, img: string, size: { readonly height: number }, scale: number): string {
  if (!im.blocks) return img;
  const height = Math.round(size.height * scale) + 2;
  const n = (x: number): string => String(Math.round(x * 10) / 10);
  const marks = im.blocks.map((b, i) => {
    const y0 = 1 + b.top * scale;
    const y1 = y0 + b.height * scale;
    const cy = (y0 + y1) / 2;
    return `<g data-block="${i}"><title>${esc(b.title)}</title><line x1="14.5" x2="14.5" y1="${n(y0)}" y2="${n(y1)}"/><text x="8" y="${n(cy)}" transform="rotate(-90 8 ${n(cy)})" text-anchor="middle" dominant-baseline="central">${esc(b.short)}</text></g>`;
  }).join('');
  return `<div class="blocked"><svg class="block-labels" width="16" height="${height}" viewBox="0 0 16 ${height}" role="img" aria-label="${esc(im.blocks.map((b) => b.title).join(', '))}">${marks}</svg>${img}</div>`;
}

function groupHtml(input: DemoReportInput, g: EvidenceImageGroup, rank: number, gi: number): string {
  const names = g.models.map((m) => `<span class="${m === input.a.name ? 'model-a' : 'model-b'}">${esc(m)}</span>`).join(' and ');
  const ad = g.ad.length ? ` · AD ${g.ad.join(',')}` : '';
  const head = `<h4>What ${names} ${g.models.length > 1 ? 'see' : 'sees'}: ${esc(g.refBases)}&gt;${esc(g.altBases.join(',') || '.')} · DP ${g.dp}${ad} · ${g.candidate ? 'candidate' : '<span class="note">no candidate with these thresholds</span>'}</h4>`;
  const notes = g.notes.length ? `<ul>${g.notes.map((n) => `<li class="note">${esc(n)}</li>`).join('')}</ul>` : '';
  if (g.noExampleReason) return `${head}${notes}<p class="note">No image: ${esc(g.noExampleReason)}</p>`;
  const imgs = g.images.map((im, k) => {
    const id = `s${rank}-g${gi}-i${k}`;
    const alts = im.altAlleles.join('+');
    const probHead = `<tr><th>Model</th><th class="num">P(0 copies)</th><th class="num">P(1)</th><th class="num">P(2)</th></tr>`;
    const probRows = g.models.map((m) => `<tr><td class="${m === input.a.name ? 'model-a' : 'model-b'}">${esc(m)}</td>${probCells(im.probabilities[m])}</tr>`).join('');
    const rgb = im.rgbPng && im.rgbSize
      ? `<figure>${blockLabelledImage(im, `<img class="pileup rgb" id="${id}-rgb" alt="RGB composite for alt ${esc(alts)}" width="${im.rgbSize.width}" height="${im.rgbSize.height}" src="${dataUri(im.rgbPng)}">`, im.rgbSize, RGB_SHOWN_WIDTH / im.rgbSize.width)}<figcaption>RGB composite</figcaption></figure>` : '';
    const blockList = im.blocks ? `<p class="muted block-titles">Alt-aligned <code>rows</code> image: blocks, top to bottom: ${im.blocks.map((b) => esc(b.title)).join(' · ')}</p>` : '';
    return `<div class="image"><p><b>Image for alt ${esc(alts)}</b> <span class="muted">(alt indices ${im.altAlleleIndices.join(',')})</span></p>${blockList}
<figure class="scroll">${blockLabelledImage(im, `<img class="pileup strip" id="${id}-channels" alt="channels for alt ${esc(alts)}" width="${im.channelsSize.width}" height="${im.channelsSize.height}" src="${dataUri(im.channelsPng)}">`, im.channelsSize, 1)}<figcaption>channels, as DeepVariant's show_examples draws them</figcaption></figure>
<div class="images">${rgb}<table class="probs">${probHead}${probRows}</table></div></div>`;
  }).join('');
  return head + notes + imgs;
}

const VERDICT_WORDS: Record<string, string> = { inputs: 'inputs', weights: 'weights', both: 'inputs and weights', none: 'no dispute' };

/** The explanation: verdict sentence, the cross-run table, the attribution overlays and the curves (images as data: URIs). */
function explanationHtml(d: DisputedSiteReport): string {
  if (!d.explanation) return d.explanationError ? `<div class="why"><h4>Why the models disagree</h4><p class="note">Not explained: ${esc(d.explanationError)}</p></div>` : '';
  const { result: r, images } = d.explanation;
  const names = r.models.map((m) => m.name);
  const cell = (i: number, j: number): string => {
    const c = r.crossRun[i]![j]!;
    if (!c.probs) return `<td class="muted" title="${esc(c.reason ?? 'no image')}">–</td>`;
    const k = c.genotypeClass === 'hom-ref' ? 0 : c.genotypeClass === 'het' ? 1 : 2;
    return `<td class="${i === j ? 'own' : ''}">${esc(c.gt ?? '.')} <span class="muted">P(${c.genotypeClass}) ${c.probs[k]!.toFixed(2)} · [${c.probs.map((x) => x.toFixed(3)).join(', ')}]${c.candidate ? '' : ' · no candidate'} · AD ${c.ad.join(',')}</span></td>`;
  };
  const table = `<table class="cross-run"><tr><th>model ↓ on the images of →</th>${names.map((n) => `<th>${esc(n)}'s parameters</th>`).join('')}</tr>${
    names.map((n, i) => `<tr><th>${esc(n)}</th>${names.map((_, j) => cell(i, j)).join('')}</tr>`).join('')}</table>`;
  const order = ['attribution.', 'curves.png'];
  const shown = images.filter((im) => order.some((o) => im.name.startsWith(o))).sort((a, b) => (a.name === 'curves.png' ? 1 : 0) - (b.name === 'curves.png' ? 1 : 0));
  const caption = (name: string): string => name === 'curves.png'
    ? 'sensitivity curves: P(hom-ref) blue, P(het) orange, P(hom-alt) red, one row per model'
    : name === 'attribution.difference.png' ? `attribution difference ${esc(names[0] ?? '')} − ${esc(names[1] ?? '')}` : `attribution of ${esc(name.replace(/^attribution\.|\.png$/g, ''))}: red pushed toward its call, blue away`;
  const figs = shown.map((im) => `<figure><img class="explain" alt="${esc(im.name)}" src="${dataUri(im.png)}"><figcaption>${caption(im.name)}</figcaption></figure>`).join('');
  const kind = r.verdict.kind;
  return `<div class="why"><h4>Why the models disagree: <span class="verdict ${kind}">${esc(VERDICT_WORDS[kind] ?? kind)}</span></h4>
<p>${esc(r.verdict.text)}</p>
${table}
<p class="muted">Each model run on the images made with each model's make_examples parameters (its own on the diagonal). Same images, same call → the inputs decide; each model keeps its call on any images → the weights do. Attribution: ΔP of the called genotype when a read's row is dropped, weighted by the column bands' ΔP; channels are replaced by realistic counterfactuals (not zeros). Seed ${r.seed}, bands of ${r.bandWidth} columns.</p>
<div class="images">${figs}</div>${r.partial ? `<p class="note">Partial: ${esc(r.problems.join('; '))}</p>` : ''}</div>`;
}

/** Inside the networks: the similarity per layer and each model's maps (layersEvidence.ts). */
function layersHtml(l: LayersEvidence, rank: number): string {
  const figs = l.models.map((m, i) => `<figure class="scroll"><img class="layers" id="s${rank}-layers-${i}" alt="${esc(m.name)}: channel mean and strongest channels per layer" width="${m.width}" height="${m.height}" src="${dataUri(m.png)}"><figcaption>${esc(m.name)}: per layer the channel mean and the two strongest channels on the pileup (grey: columns the model does not read)</figcaption>${m.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('')}</figure>`).join('');
  return `<h4>Inside the networks, on ${esc(l.images)}</h4>
<p class="layers-summary">${l.comparison.kind === 'layers' ? 'Per layer (linear CKA): ' : ''}${esc(l.comparison.text)}</p>
${l.comparison.kind === 'layers' && l.similaritySvg ? `<figure class="similarity">${l.similaritySvg.replace(' xmlns="http://www.w3.org/2000/svg"', '')}</figure>` : ''}${figs}`;
}

function siteSection(input: DemoReportInput, d: DisputedSiteReport): string {
  const { site: s, dispute, rank } = d.ranked;
  const why = [dispute.gtDiffers ? `genotype ${dispute.gtA} vs ${dispute.gtB}` : '', dispute.filterDiffers ? `FILTER ${dispute.filterA} vs ${dispute.filterB}` : '', `|ΔQUAL| ${num(dispute.qualDelta, 1)}`].filter(Boolean).join(' · ');
  const ev = d.evidence;
  const body = ev
    ? ev.groups.map((g, gi) => groupHtml(input, g, rank, gi)).join('')
    : `<p class="note">No images: ${esc(d.evidenceError ?? 'reads, reference or models not given')}</p>`;
  return `<section class="site" id="site-${rank}">
<h3>#${rank} ${esc(locus(s))} ${esc(s.ref)}&gt;${esc(s.alt)} <span class="muted">${s.kind} · ${esc(s.classes.join(', '))} · score ${num(dispute.score, 1)}</span></h3>
<p>${esc(why)}</p>
${callRows(input, s, ev)}
${explanationHtml(d)}
${body}
${d.layers ? layersHtml(d.layers, rank) : ''}
</section>`;
}

export function renderDemoReport(input: DemoReportInput): string {
  const d = input.diff;
  const inputs: string[] = [
    `<tr><td>A</td><td class="model-a">${esc(input.a.name)}</td><td><code>${esc(input.a.vcf)}</code>${input.a.modelDir ? ` · model <code>${esc(input.a.modelDir)}</code>` : ''}</td></tr>`,
    `<tr><td>B</td><td class="model-b">${esc(input.b.name)}</td><td><code>${esc(input.b.vcf)}</code>${input.b.modelDir ? ` · model <code>${esc(input.b.modelDir)}</code>` : ''}</td></tr>`,
  ];
  if (input.truthFile) inputs.push(`<tr><td>truth</td><td></td><td><code>${esc(input.truthFile)}</code></td></tr>`);
  if (input.reads) inputs.push(`<tr><td>reads</td><td></td><td><code>${esc(input.reads)}</code></td></tr>`);
  if (input.reference) inputs.push(`<tr><td>reference</td><td></td><td><code>${esc(input.reference)}</code></td></tr>`);
  const descr = [input.a, input.b].filter((s) => s.description).map((s) => `<li><b>${esc(s.name)}</b>: ${esc(s.description!)}</li>`).join('');
  const nav = input.disputed.length
    ? `<nav><ol>${input.disputed.map((x) => `<li><a href="#site-${x.ranked.rank}">${esc(locus(x.ranked.site))} ${esc(x.ranked.site.ref)}&gt;${esc(x.ranked.site.alt)}</a></li>`).join('')}</ol></nav>` : '';
  const hints = input.openHints?.length ? `<h2>Open it in VS Code</h2><ul>${input.openHints.map((h) => `<li><code>${esc(h)}</code></li>`).join('')}</ul>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${selfContainedCsp({ style: STYLE })}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${esc(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(input.title)}</h1>
<p class="muted">Two DeepVariant-style models on the same reads: where their calls differ, how each does against the truth, and what each model saw at the sites they dispute most.</p>
${headline(input)}
<table class="kv">${inputs.join('')}</table>
${descr ? `<ul>${descr}</ul>` : ''}
<h2 id="diff">How the two call sets differ</h2>
<p>${d.sites} alleles compared, <b>${d.differingSites}</b> differ, ${d.sharedCalled} called by both · ${d.options.normalized ? 'normalized (split, trim, left-align)' : 'split and trim (no reference)'} · QUAL delta &gt; ${d.options.qualDelta}</p>
${classTable(d)}
${sideTable(input)}
${paramTable(input)}
${input.features ? featureSectionHtml(input.features.summary, input.features.enrichment, { interactive: false, limit: 10 }) : ''}
<h2 id="truth-metrics">Precision and recall against the truth</h2>
${truthTable(input)}
<h2 id="disputed-sites">The ${input.disputed.length} most disputed sites</h2>
${disputedTable(input)}
${nav}
<p class="muted">For each site: what each VCF recorded, what each model says when Variant Lens re-runs it on the images below (its softmax per image, then DeepVariant's postprocess for this site alone — no haplotype resolution across neighbouring sites, no realignment), and the images themselves. Each model's images are built with its own make_examples parameters.</p>
${input.disputed.map((x) => siteSection(input, x)).join('\n')}
${hints}
${input.command ? `<p class="muted">Made by <code>${esc(input.command)}</code></p>` : ''}
</main>
</body>
</html>
`;
}
