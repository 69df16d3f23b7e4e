/**
 * Exports of a review: an IGVNav-style TSV (re-importable, see reviewImport.ts), BED of the
 * sites by verdict, and a copy of the reviewed VCF with the verdicts in INFO (and optionally
 * FILTER). Formats: docs/review-format.md.
 *
 * Coordinates: the review stores VCF POS (1-based). TSV `start`/`stop` and BED are 0-based
 * half-open: start = POS - 1, stop = POS - 1 + len(REF) (IGVNav's default "0-base" input).
 */
import { VariantLensError, throwIfAborted, wrapError } from '../errors';
import { VcfLineTabs } from '../io/vcf/vcfLineTokenizer';
import type { VcfSource } from '../io/vcf/vcfSource';
import { VcfFileWriter } from '../io/vcf/vcfWriter';
import { type Annotation, escapeField, formatModels } from './reviewFormat';
import type { ReviewEntry } from './reviewStore';

/** Columns of the TSV export: IGVNav's eight, then ours. */
export const TSV_COLUMNS = ['chr', 'start', 'stop', 'ref', 'var', 'call', 'tags', 'notes', 'sample', 'reviewer', 'time', 'models', 'conflict'] as const;

/** One row per version (a conflicted site has several rows, `conflict` = "conflict"). */
export function exportTsv(entries: readonly ReviewEntry[]): string {
  const out: string[] = [TSV_COLUMNS.join('\t')];
  for (const e of entries) {
    for (const a of e.versions) {
      const start = a.pos - 1;
      out.push([
        a.contig, String(start), String(start + a.ref.length), a.ref, a.alt,
        escapeField(a.verdict),
        a.tags.length === 0 ? '.' : a.tags.map((t) => escapeField(t, true)).join(','),
        escapeField(a.note),
        a.sample === undefined ? '.' : escapeField(a.sample),
        escapeField(a.reviewer),
        a.time,
        formatModels(a.models),
        e.conflict ? 'conflict' : '.',
      ].join('\t'));
    }
  }
  return out.join('\n') + '\n';
}

/** BED name of a site: its verdict, or "conflict" when its versions disagree on the verdict. */
export function bedName(e: ReviewEntry): string {
  const verdicts = new Set(e.versions.map((v) => v.verdict));
  return verdicts.size === 1 ? e.versions[0]!.verdict : 'conflict';
}

function bedLine(e: ReviewEntry, name: string): string {
  const start = e.site.pos - 1;
  // BED names cannot hold whitespace; verdict ids normally have none.
  return `${e.site.contig}\t${start}\t${start + e.site.ref.length}\t${name.replace(/\s/g, '_')}`;
}

/** One BED (4 columns: chrom, start, end, name=verdict) of every reviewed site, in store order. */
export function exportBed(entries: readonly ReviewEntry[], verdicts?: ReadonlySet<string>): string {
  const lines = entries.filter((e) => !verdicts || verdicts.has(bedName(e))).map((e) => bedLine(e, bedName(e)));
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

/** One BED text per verdict (key = verdict or "conflict"). */
export function exportBedByVerdict(entries: readonly ReviewEntry[]): Map<string, string> {
  const by = new Map<string, string[]>();
  for (const e of entries) {
    const n = bedName(e);
    const list = by.get(n) ?? [];
    list.push(bedLine(e, n));
    by.set(n, list);
  }
  return new Map([...by].map(([k, v]) => [k, v.join('\n') + '\n']));
}

// ---------------------------------------------------------------------------------------
// VCF export.

export const VCF_INFO_HEADER: readonly string[] = [
  '##INFO=<ID=VL_VERDICT,Number=.,Type=String,Description="Variant Lens review verdict, one value per version (more than one: unresolved conflict); percent-encoded">',
  '##INFO=<ID=VL_TAGS,Number=.,Type=String,Description="Variant Lens review tags per version, |-separated, percent-encoded; . = none">',
  '##INFO=<ID=VL_NOTE,Number=.,Type=String,Description="Variant Lens review note per version, percent-encoded (RFC 3986); . = none">',
  '##INFO=<ID=VL_REVIEWER,Number=.,Type=String,Description="Variant Lens reviewer per version, percent-encoded">',
  '##INFO=<ID=VL_TIME,Number=.,Type=String,Description="Variant Lens review time per version (ISO 8601 UTC)">',
  '##INFO=<ID=VL_SAMPLE,Number=.,Type=String,Description="Sample of each Variant Lens review version; . = whole site">',
  '##INFO=<ID=VL_CONFLICT,Number=0,Type=Flag,Description="The site has conflicting Variant Lens review versions">',
];

/** Percent-encodes a value for a VCF INFO field (no whitespace, ; = , | or %); '' → '.'. */
export function encodeInfoValue(s: string): string {
  if (s === '') return '.';
  if (s === '.') return '%2E';
  return encodeURIComponent(s);
}

export interface VcfExportOptions {
  /** verdict → FILTER id (e.g. Fail → VL_FAIL); a matching site gets that FILTER. */
  readonly filters?: ReadonlyMap<string, string>;
  /** BGZF-compress (and tabix-index) the output; default: out ends with .gz. */
  readonly bgzip?: boolean;
  readonly signal?: AbortSignal;
}

export interface VcfExportResult {
  readonly records: number;
  /** Records that got VL_* INFO. */
  readonly annotatedRecords: number;
  /** Reviewed sites with no matching record (contig, POS, REF, ALT) in the VCF. */
  readonly notFound: readonly ReviewEntry[];
}

/** What the export needs from a store (ReviewStore satisfies it). */
export interface ReviewLookup {
  entries(): readonly ReviewEntry[];
  entriesAt(site: { contig: string; pos: number; ref: string; alt: string }): readonly ReviewEntry[];
}

const FILTER_ID = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * Copies the VCF to `out` with the verdicts of matching records in INFO/VL_* (existing VL_*
 * fields and header lines are replaced, so re-exporting is idempotent) and, per
 * `options.filters`, a FILTER. A record matches an entry on (CHROM, POS, REF, ALT as written).
 */
export async function exportVcf(source: VcfSource, review: ReviewLookup, out: string, options: VcfExportOptions = {}): Promise<VcfExportResult> {
  const { signal } = options;
  const filters = options.filters ?? new Map<string, string>();
  for (const [verdict, id] of filters) {
    if (!FILTER_ID.test(id) || id === 'PASS') throw new VariantLensError('invalid-argument', `FILTER id "${id}" for verdict "${verdict}" must be letters, digits, _ and . (and not PASS)`);
  }
  const header = await source.header(signal);
  const meta = header.metaLines.filter((l) => !/^##INFO=<ID=VL_/.test(l) && !isOurFilterLine(l, filters));
  const filterLines = [...new Set(filters.values())].map((id) => {
    const verdicts = [...filters].filter(([, f]) => f === id).map(([v]) => v);
    return `##FILTER=<ID=${id},Description="Variant Lens review verdict ${verdicts.join(' or ')}">`;
  });
  const headerLines = [...meta, ...VCF_INFO_HEADER, ...filterLines, header.columnLine];
  let writer: VcfFileWriter;
  try {
    writer = new VcfFileWriter(out, headerLines, options.bgzip === undefined ? {} : { bgzip: options.bgzip });
  } catch (e) {
    throw wrapError(e, 'invalid-argument', out, 'cannot create the VCF');
  }
  const seen = new Set<string>();
  let records = 0;
  let annotated = 0;
  const tabs = new VcfLineTabs();
  try {
    for await (const rec of source.records(signal)) {
      if ((++records & 0xfff) === 0) throwIfAborted(signal);
      const entries = review.entriesAt({ contig: rec.contig, pos: rec.pos, ref: rec.ref, alt: rec.alts.length === 0 ? '.' : rec.alts.join(',') });
      if (entries.length === 0) {
        if (rec.line.includes('VL_')) {
          rec.tabsInto(tabs);
          writer.add(stripOurInfo(rec.line, tabs));
        } else {
          writer.add(rec.line);
        }
        continue;
      }
      annotated++;
      for (const e of entries) seen.add(e.key);
      rec.tabsInto(tabs);
      writer.add(annotateLine(rec.line, tabs, entries, filters));
    }
    writer.close();
  } catch (e) {
    writer.abandon();
    throw e;
  }
  const notFound = review.entries().filter((e) => !seen.has(e.key));
  return { records, annotatedRecords: annotated, notFound };
}

function isOurFilterLine(line: string, filters: ReadonlyMap<string, string>): boolean {
  const m = /^##FILTER=<ID=([^,>]+)/.exec(line);
  return m !== null && [...filters.values()].includes(m[1]!);
}

/** The record line without our VL_ INFO keys; `tabs` holds the line's tabs (a record: 8+ columns). */
function stripOurInfo(line: string, tabs: VcfLineTabs): string {
  const a = tabs.start(7);
  const b = tabs.end(7, line);
  return line.slice(0, a) + joinInfo(splitInfo(line.slice(a, b)).filter((kv) => !kv.startsWith('VL_'))) + line.slice(b);
}

function splitInfo(info: string): string[] {
  return info === '.' || info === '' ? [] : info.split(';');
}

function joinInfo(kvs: readonly string[]): string {
  return kvs.length === 0 ? '.' : kvs.join(';');
}

/** The record line with our VL_ INFO keys and verdict FILTERs; `tabs` holds the line's tabs (a record: 8+ columns). */
function annotateLine(line: string, tabs: VcfLineTabs, entries: readonly ReviewEntry[], filters: ReadonlyMap<string, string>): string {
  let filter = line.slice(tabs.start(6), tabs.end(6, line));
  const infoEnd = tabs.end(7, line);
  const versions: Annotation[] = entries.flatMap((e) => e.versions);
  const info = splitInfo(line.slice(tabs.start(7), infoEnd)).filter((kv) => !kv.startsWith('VL_'));
  const list = (f: (a: Annotation) => string): string => versions.map(f).join(',');
  info.push(`VL_VERDICT=${list((a) => encodeInfoValue(a.verdict))}`);
  info.push(`VL_TAGS=${list((a) => (a.tags.length === 0 ? '.' : a.tags.map(encodeInfoValue).join('|')))}`);
  info.push(`VL_NOTE=${list((a) => encodeInfoValue(a.note))}`);
  info.push(`VL_REVIEWER=${list((a) => encodeInfoValue(a.reviewer))}`);
  info.push(`VL_TIME=${list((a) => a.time)}`);
  if (versions.some((a) => a.sample !== undefined)) info.push(`VL_SAMPLE=${list((a) => (a.sample === undefined ? '.' : encodeInfoValue(a.sample)))}`);
  if (entries.some((e) => e.conflict)) info.push('VL_CONFLICT');
  const add = [...new Set(versions.map((a) => filters.get(a.verdict)).filter((f): f is string => f !== undefined))];
  if (add.length > 0) {
    const current = filter === '.' || filter === 'PASS' ? [] : filter.split(';');
    filter = [...new Set([...current, ...add])].join(';');
  }
  return `${line.slice(0, tabs.start(6))}${filter}\t${joinInfo(info)}${line.slice(infoEnd)}`;
}
