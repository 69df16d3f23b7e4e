/**
 * The review sidecar file: one plain-text TSV per reviewed VCF (`<vcf>.review.tsv`) or per
 * diff (`A.vs.B.review.tsv`), built to be committed to git and merged by people.
 *
 *   ##variant-lens-review=1
 *   ##contig-order=chr1,chr2,…           (optional: the VCF header's order of the contigs used)
 *   #chrom  pos  ref  alt  sample  verdict  tags  note  reviewer  time  models  state
 *   chr20   10000117  C  T  .  default-correct  LVF,D  looks\tfine  alice  2024-05-01T12:00:00.000Z  default=1/1:33:33.3;retrained=0/0:24:24.9  .
 *
 * Coordinates: `pos` is the VCF's 1-based POS; `ref`/`alt` are the VCF's REF and ALT columns
 * verbatim (a multi-allelic ALT stays comma-joined), so a line matches exactly one VCF record.
 *
 * One line per (site, version), sorted in coordinate order (contig order, then pos, ref, alt,
 * sample), so a diff of two reviews is a diff of the sites that changed. A site with two
 * or more lines is a conflict (two people set different verdicts); its lines carry
 * `state = conflict` so the file shows it too. Full description: docs/review-format.md.
 */
import { collapseAgreeing } from './agreement';
import { VariantLensError } from '../errors';

export const REVIEW_FORMAT_VERSION = 1;
export const VERSION_LINE = `##variant-lens-review=${REVIEW_FORMAT_VERSION}`;
export const COLUMNS = ['chrom', 'pos', 'ref', 'alt', 'sample', 'verdict', 'tags', 'note', 'reviewer', 'time', 'models', 'state'] as const;
export const COLUMN_LINE = '#' + COLUMNS.join('\t');

/** Identifies a reviewed site: a VCF record (and optionally one sample of it). */
export interface SiteKey {
  readonly contig: string;
  /** VCF POS, 1-based. */
  readonly pos: number;
  /** REF as in the VCF. */
  readonly ref: string;
  /** ALT column as in the VCF (comma-joined when multi-allelic). */
  readonly alt: string;
  /** Sample name for per-sample verdicts; undefined (written '.') for a site-level verdict. */
  readonly sample?: string;
}

/** What one model said at the site when the reviewer looked (GT/GQ/QUAL; undefined = '.'). */
export interface ModelSnapshot {
  readonly model: string;
  readonly gt?: string;
  readonly gq?: number;
  readonly qual?: number;
}

export interface Annotation extends SiteKey {
  readonly verdict: string;
  readonly tags: readonly string[];
  /** Free text; any characters (tabs and newlines are escaped in the file). */
  readonly note: string;
  readonly reviewer: string;
  /** ISO 8601 UTC, e.g. 2024-05-01T12:00:00.000Z. */
  readonly time: string;
  readonly models: readonly ModelSnapshot[];
}

/** The content of a review file: every site's versions (more than one = conflict). */
export interface ReviewContent {
  /** Contig order recorded in the file (`##contig-order=`), if any. */
  readonly contigOrder?: readonly string[];
  /** siteKeyString → versions, each list sorted by `compareVersions`. */
  readonly sites: Map<string, Annotation[]>;
}

/** Map key for a site: tab-joined (tabs cannot occur in VCF CHROM/REF/ALT or sample names). */
export function siteKey(k: SiteKey): string {
  return `${k.contig}\t${k.pos}\t${k.ref}\t${k.alt}\t${k.sample ?? ''}`;
}

/** Human-readable form for messages: chr20:10000117 C>T [sample]. */
export function formatSiteKey(k: SiteKey): string {
  return `${k.contig}:${k.pos} ${k.ref}>${k.alt}${k.sample !== undefined ? ` [${k.sample}]` : ''}`;
}

export function keyOf(a: SiteKey): SiteKey {
  return a.sample === undefined ? { contig: a.contig, pos: a.pos, ref: a.ref, alt: a.alt } : { contig: a.contig, pos: a.pos, ref: a.ref, alt: a.alt, sample: a.sample };
}

export function nowIso(date = new Date()): string {
  return date.toISOString();
}

// ---------------------------------------------------------------------------------------
// Escaping. Fields are backslash-escaped so that any note survives a round trip:
//   \\ → \   \t → TAB   \n → LF   \r → CR   \, → , (inside lists)   \. → '.'
// An empty value is written '.', so a note that is literally "." is written "\.".

export function escapeField(s: string, list = false): string {
  if (s === '') return '.';
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '\t': out += '\\t'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case ',': out += list ? '\\,' : ','; break;
      default: out += ch;
    }
  }
  return out === '.' ? '\\.' : out;
}

/** Splits and unescapes a field; `list` splits on unescaped commas. '.' alone is empty. */
export function unescapeField(s: string, list: boolean, where: () => string): string[] {
  if (s === '.') return list ? [] : [''];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\') {
      const n = s[++i];
      switch (n) {
        case '\\': cur += '\\'; break;
        case 't': cur += '\t'; break;
        case 'n': cur += '\n'; break;
        case 'r': cur += '\r'; break;
        case ',': cur += ','; break;
        case '.': cur += '.'; break;
        default: throw new VariantLensError('review-file-invalid', `${where()}: bad escape "\\${n ?? ''}" (allowed: \\\\ \\t \\n \\r \\, \\.)`);
      }
    } else if (ch === ',' && list) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------
// Model snapshots: `name=GT:GQ:QUAL;name=GT:GQ:QUAL`, '.' for a missing value.

const MODEL_NAME = /^[A-Za-z0-9_.+\-/@]+$/;
const GT_TEXT = /^[0-9.]+([/|][0-9.]+)*$/;

export function formatModels(models: readonly ModelSnapshot[]): string {
  if (models.length === 0) return '.';
  return models.map((m) => `${m.model}=${m.gt ?? '.'}:${m.gq ?? '.'}:${m.qual ?? '.'}`).join(';');
}

export function parseModels(s: string, where: () => string): ModelSnapshot[] {
  if (s === '.') return [];
  return s.split(';').map((part) => {
    const m = /^([^=]+)=([^:]*):([^:]*):([^:]*)$/.exec(part);
    if (!m) throw new VariantLensError('review-file-invalid', `${where()}: model snapshot "${part}" is not name=GT:GQ:QUAL`);
    const [, model, gt, gq, qual] = m as unknown as [string, string, string, string, string];
    const snap: { model: string; gt?: string; gq?: number; qual?: number } = { model };
    if (gt !== '.') {
      if (!GT_TEXT.test(gt)) throw new VariantLensError('review-file-invalid', `${where()}: model ${model} has GT "${gt}", which is not a genotype`);
      snap.gt = gt;
    }
    if (gq !== '.') {
      const n = Number(gq);
      if (gq === '' || !Number.isFinite(n)) throw new VariantLensError('review-file-invalid', `${where()}: model ${model} has GQ "${gq}", which is not a number`);
      snap.gq = n;
    }
    if (qual !== '.') {
      const n = Number(qual);
      if (qual === '' || !Number.isFinite(n)) throw new VariantLensError('review-file-invalid', `${where()}: model ${model} has QUAL "${qual}", which is not a number`);
      snap.qual = n;
    }
    return snap;
  });
}

// ---------------------------------------------------------------------------------------
// Validation of an annotation before it is stored (the caller's mistakes, not the file's).

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const BASES = /^[A-Za-z*.]+$/;

/** Throws `invalid-argument` naming the problem when the annotation cannot be written faithfully. */
export function validateAnnotation(a: Annotation): void {
  const bad = (what: string): never => {
    throw new VariantLensError('invalid-argument', `annotation at ${formatSiteKey(a)}: ${what}`);
  };
  if (!a.contig || /[\t\n\r\s]/.test(a.contig)) bad(`contig "${a.contig}" is empty or has whitespace`);
  if (!Number.isInteger(a.pos) || a.pos < 0) bad(`pos ${a.pos} is not a 1-based VCF position`);
  if (!BASES.test(a.ref)) bad(`REF "${a.ref}" is not a base sequence`);
  if (!a.alt || /[\t\n\r\s]/.test(a.alt)) bad(`ALT "${a.alt}" is empty or has whitespace`);
  if (a.sample !== undefined && (a.sample === '' || /[\t\n\r]/.test(a.sample))) bad('sample name is empty or has a tab/newline');
  if (!a.verdict.trim()) bad('verdict is empty');
  if (a.tags.some((t) => t === '')) bad('a tag is empty');
  if (!ISO_UTC.test(a.time)) bad(`time "${a.time}" is not ISO 8601 UTC (e.g. 2024-05-01T12:00:00.000Z)`);
  for (const m of a.models) {
    if (!MODEL_NAME.test(m.model)) bad(`model name "${m.model}" must be letters, digits and _.+-/@`);
    if (m.gt !== undefined && !GT_TEXT.test(m.gt)) bad(`model ${m.model} GT "${m.gt}" is not a genotype`);
    if (m.gq !== undefined && !Number.isFinite(m.gq)) bad(`model ${m.model} GQ is not a finite number`);
    if (m.qual !== undefined && !Number.isFinite(m.qual)) bad(`model ${m.model} QUAL is not a finite number`);
  }
}

/**
 * Returns a copy holding only the documented fields (extra properties are not persisted).
 * REF is upper-cased (VCF REF is case-insensitive; VcfRecord.ref is upper case), so keys match records.
 */
export function normalizeAnnotation(a: Annotation): Annotation {
  const base = {
    contig: a.contig, pos: a.pos, ref: a.ref.toUpperCase(), alt: a.alt,
    verdict: a.verdict, tags: [...a.tags], note: a.note, reviewer: a.reviewer, time: a.time,
    models: a.models.map((m) => {
      const s: { model: string; gt?: string; gq?: number; qual?: number } = { model: m.model };
      if (m.gt !== undefined) s.gt = m.gt;
      if (m.gq !== undefined) s.gq = m.gq;
      if (m.qual !== undefined) s.qual = m.qual;
      return s;
    }),
  };
  return a.sample === undefined ? base : { ...base, sample: a.sample };
}

// ---------------------------------------------------------------------------------------
// Lines.

/** The annotation's line without the `state` column: its identity for merging and dedup. */
export function annotationBody(a: Annotation): string {
  return [
    a.contig, String(a.pos), a.ref, a.alt,
    a.sample === undefined ? '.' : escapeField(a.sample),
    escapeField(a.verdict),
    a.tags.length === 0 ? '.' : a.tags.map((t) => escapeField(t, true)).join(','),
    escapeField(a.note),
    escapeField(a.reviewer),
    a.time,
    formatModels(a.models),
  ].join('\t');
}

/** Versions of one site in a fixed order (time, then content), so every writer writes the same file. */
export function compareVersions(a: Annotation, b: Annotation): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  const x = annotationBody(a);
  const y = annotationBody(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function parseDataLine(line: string, where: () => string): Annotation {
  const cols = line.split('\t');
  if (cols.length !== COLUMNS.length) {
    throw new VariantLensError('review-file-invalid', `${where()}: has ${cols.length} tab-separated columns, expected ${COLUMNS.length} (${COLUMNS.join(', ')})`);
  }
  const [contig, pos, ref, alt, sample, verdict, tags, note, reviewer, time, models, state] = cols as [string, string, string, string, string, string, string, string, string, string, string, string];
  if (!/^\d+$/.test(pos)) throw new VariantLensError('review-file-invalid', `${where()}: pos "${pos}" is not a 1-based position`);
  if (state !== '.' && state !== 'conflict') throw new VariantLensError('review-file-invalid', `${where()}: state "${state}" must be "." or "conflict"`);
  const one = (s: string): string => unescapeField(s, false, where)[0]!;
  const base: Annotation = {
    contig, pos: Number(pos), ref: ref.toUpperCase(), alt,
    verdict: one(verdict),
    tags: unescapeField(tags, true, where),
    note: one(note),
    reviewer: one(reviewer),
    time,
    models: parseModels(models, where),
  };
  const a = sample === '.' ? base : { ...base, sample: one(sample) };
  try {
    validateAnnotation(a);
  } catch (e) {
    throw new VariantLensError('review-file-invalid', `${where()}: ${e instanceof Error ? e.message.replace(/^annotation at [^:]*:\d+ \S+( \[[^\]]*\])?: /, '') : String(e)}`);
  }
  return a;
}

/** Adds a version to a site's list unless an identical one is there; keeps the list sorted. */
export function addVersion(sites: Map<string, Annotation[]>, a: Annotation): void {
  const k = siteKey(a);
  const list = sites.get(k);
  if (!list) { sites.set(k, [a]); return; }
  const body = annotationBody(a);
  if (list.some((v) => annotationBody(v) === body)) return;
  list.push(a);
  list.sort(compareVersions);
  // The same decision on two branches is one version, not a conflict (agreement.ts).
  const merged = collapseAgreeing(list);
  if (merged.length !== list.length) list.splice(0, list.length, ...merged);
}

/**
 * Parses a review file. Tolerates CRLF line ends and git merge-conflict blocks
 * (<<<<<<< / ||||||| / ======= / >>>>>>>): both sides' lines are kept (a site that differs
 * becomes a conflict with two versions); the diff3 base section is the common ancestor both
 * sides replaced, so it is skipped. Any other unparseable line is an error naming file and line.
 */
export function parseReview(text: string, file: string): ReviewContent {
  const sites = new Map<string, Annotation[]>();
  let contigOrder: string[] | undefined;
  let sawVersion = false;
  let sawColumns = false;
  let inConflict: 'none' | 'ours' | 'base' | 'theirs' = 'none';
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const where = (): string => `${file}: line ${i + 1}`;
    if (line.startsWith('<<<<<<<')) {
      if (inConflict !== 'none') throw new VariantLensError('review-file-invalid', `${where()}: nested git conflict marker`);
      inConflict = 'ours';
      continue;
    }
    if (line.startsWith('|||||||') && inConflict === 'ours') { inConflict = 'base'; continue; }
    if (line === '=======' || (line.startsWith('=======') && inConflict !== 'none')) {
      if (inConflict !== 'ours' && inConflict !== 'base') throw new VariantLensError('review-file-invalid', `${where()}: "=======" outside a git conflict block`);
      inConflict = 'theirs';
      continue;
    }
    if (line.startsWith('>>>>>>>')) {
      if (inConflict !== 'theirs') throw new VariantLensError('review-file-invalid', `${where()}: ">>>>>>>" without a matching "<<<<<<<" and "======="`);
      inConflict = 'none';
      continue;
    }
    if (inConflict === 'base') continue;
    if (line === '') continue;
    if (line.startsWith('##')) {
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(2, eq) : line.slice(2);
      const value = eq > 0 ? line.slice(eq + 1) : '';
      if (key === 'variant-lens-review') {
        if (value !== String(REVIEW_FORMAT_VERSION)) {
          throw new VariantLensError('review-file-invalid', `${where()}: review format version ${value} is not supported (this Variant Lens reads version ${REVIEW_FORMAT_VERSION}); update Variant Lens`);
        }
        sawVersion = true;
      } else if (key === 'contig-order') {
        // Both sides of a git conflict may carry one; the longer one knows more contigs.
        const order = value === '' ? [] : value.split(',');
        if (!contigOrder || order.length > contigOrder.length) contigOrder = order;
      }
      // Other ## lines are comments for people; they are not preserved on rewrite.
      continue;
    }
    if (line.startsWith('#')) {
      if (line !== COLUMN_LINE) throw new VariantLensError('review-file-invalid', `${where()}: column header must be "${COLUMN_LINE.replace(/\t/g, '\\t')}"`);
      sawColumns = true;
      continue;
    }
    if (!sawVersion) throw new VariantLensError('review-file-invalid', `${where()}: data before the "${VERSION_LINE}" header line; is this a Variant Lens review file?`);
    if (!sawColumns) throw new VariantLensError('review-file-invalid', `${where()}: data before the "#chrom…" column header line`);
    addVersion(sites, parseDataLine(line, where));
  }
  if (inConflict !== 'none') throw new VariantLensError('review-file-invalid', `${file}: unterminated git conflict block at end of file`);
  if (!sawVersion && lines.some((l) => l.trim() !== '')) throw new VariantLensError('review-file-invalid', `${file}: line 1: missing "${VERSION_LINE}" header line; is this a Variant Lens review file?`);
  return contigOrder ? { contigOrder, sites } : { sites };
}

// ---------------------------------------------------------------------------------------
// Coordinate order.

/**
 * Natural contig order when the VCF header's order is unknown: chr1 < chr2 < … < chr10 < …
 * < chr22 < chrX < chrY < chrM, then everything else (chrUn_…, decoys) by natural string
 * order. A leading "chr" is ignored, so "1" and "chr1" rank alike.
 */
export function compareContigsNatural(a: string, b: string): number {
  const ra = contigRank(a);
  const rb = contigRank(b);
  if (ra !== rb) return ra - rb;
  return naturalCompare(a, b);
}

function contigRank(c: string): number {
  const s = c.replace(/^chr/i, '');
  if (/^\d+$/.test(s)) return Number(s);
  const u = s.toUpperCase();
  if (u === 'X') return 1e6;
  if (u === 'Y') return 1e6 + 1;
  if (u === 'M' || u === 'MT') return 1e6 + 2;
  return 2e6;
}

function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A comparator of site keys: contigs in `contigOrder` first (in that order), others naturally. */
export function siteComparator(contigOrder?: readonly string[]): (a: SiteKey, b: SiteKey) => number {
  const rank = new Map<string, number>();
  contigOrder?.forEach((c, i) => { if (!rank.has(c)) rank.set(c, i); });
  const cmpStr = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (a, b) => {
    if (a.contig !== b.contig) {
      const x = rank.get(a.contig);
      const y = rank.get(b.contig);
      if (x !== undefined && y !== undefined) return x - y;
      if (x !== undefined) return -1;
      if (y !== undefined) return 1;
      return compareContigsNatural(a.contig, b.contig);
    }
    return a.pos - b.pos || cmpStr(a.ref, b.ref) || cmpStr(a.alt, b.alt) || cmpStr(a.sample ?? '', b.sample ?? '');
  };
}

/** Serializes a review: header, then every version of every site in coordinate order. */
export function serializeReview(content: ReviewContent): string {
  const cmp = siteComparator(content.contigOrder);
  const keys = [...content.sites.entries()].filter(([, v]) => v.length > 0).map(([k, v]) => ({ k, first: v[0]! }));
  keys.sort((x, y) => cmp(x.first, y.first));
  const out: string[] = [VERSION_LINE];
  if (content.contigOrder && content.contigOrder.length > 0) {
    // Only the contigs that have annotations: keeps the line short on genomes with thousands of contigs.
    const used = new Set(keys.map((x) => x.first.contig));
    const order = content.contigOrder.filter((c) => used.has(c));
    if (order.length > 0) out.push(`##contig-order=${order.join(',')}`);
  }
  out.push(COLUMN_LINE);
  for (const { k } of keys) {
    const versions = content.sites.get(k)!;
    const state = versions.length > 1 ? 'conflict' : '.';
    for (const v of versions) out.push(`${annotationBody(v)}\t${state}`);
  }
  return out.join('\n') + '\n';
}
