/**
 * A one-line filter syntax shared by the table's filter box and the "Filter Table…" command,
 * parsed into a FilterSpec. Terms are separated by spaces and combined with AND:
 *
 *   FILTER=PASS,RefCall   QUAL>=20   QUAL<50   GT=0/1,1/1   SNP | INDEL   chr20:10,000,000-10,010,000
 *   GQ<20   DP>=30   VAF>0.3   (the sample's FORMAT numbers; `!=` and `=` too)
 *   a plain word, or "quoted text", is free text (matched case-insensitively against the whole VCF line)
 *
 * Field names are case-insensitive (`filter=pass` is `FILTER=PASS`; FILTER values match
 * case-insensitively too). A term that compares an unknown field (`foo<1`, `AC=2`) is an
 * error naming the known fields, never a silent empty view.
 *
 * Region text is 1-based inclusive (samtools style).
 */
import type { CompareOp, FilterSpec, FormatField, FormatTerm, RowVariantKind } from './protocol';

const FORMAT_FIELDS: readonly FormatField[] = ['GQ', 'DP', 'VAF'];
const KNOWN = 'FILTER, QUAL, GT, GQ, DP, VAF';

export type FilterParse = { readonly ok: true; readonly filter: FilterSpec } | { readonly ok: false; readonly error: string };

export function parseFilterText(text: string): FilterParse {
  const f: { -readonly [K in keyof FilterSpec]: FilterSpec[K] } = {};
  const free: string[] = [];
  const kinds: RowVariantKind[] = [];
  const terms: FormatTerm[] = [];
  for (const term of text.trim().split(/\s+/).filter((t) => t !== '')) {
    let m: RegExpExecArray | null;
    if ((m = /^FILTER[=:](.+)$/i.exec(term))) {
      f.filters = m[1]!.split(',').filter((x) => x !== '');
    } else if ((m = /^QUAL(>=|<=|>|<|=)(-?\d+(?:\.\d+)?)$/i.exec(term))) {
      const v = Number(m[2]);
      // Strict bounds are widened to inclusive by the smallest step that matters for QUAL text (0.01).
      if (m[1] === '>=' ) f.qualMin = v;
      else if (m[1] === '>') f.qualMin = v + 1e-9;
      else if (m[1] === '<=') f.qualMax = v;
      else if (m[1] === '<') f.qualMax = v - 1e-9;
      else { f.qualMin = v; f.qualMax = v; }
    } else if (/^QUAL/i.test(term)) {
      return { ok: false, error: `"${term}": write QUAL>=20, QUAL<50 or QUAL=0` };
    } else if ((m = /^(GQ|DP|VAF)(>=|<=|!=|>|<|=)(-?\d+(?:\.\d+)?|-?\.\d+)$/i.exec(term))) {
      terms.push({ field: m[1]!.toUpperCase() as FormatField, op: m[2] as CompareOp, value: Number(m[3]) });
    } else if (FORMAT_FIELDS.some((k) => term.toUpperCase().startsWith(k) && /^[<>=!]/.test(term.slice(k.length)))) {
      return { ok: false, error: `"${term}": write e.g. GQ<20, DP>=30 or VAF>0.3` };
    } else if ((m = /^GT[=:](.+)$/i.exec(term))) {
      f.genotypes = m[1]!.split(',').filter((x) => x !== '');
    } else if (/^(SNPs?|INDELs?|REF)$/i.test(term)) {
      kinds.push(term.toUpperCase().replace(/S$/, '') as RowVariantKind);
    } else if (/^[^\s:=<>]+:[\d,_]+(-[\d,_]+)?$/.test(term)) {
      if (f.region !== undefined) return { ok: false, error: 'only one region per filter' };
      f.region = term;
    } else if ((m = /^"(.*)"$/.exec(term))) {
      if (m[1] !== '') free.push(m[1]!);
    } else if ((m = /^([^<>=!:]*?)\s*(>=|<=|!=|>|<|=|:)/.exec(term))) {
      const field = m[1] === '' ? term : m[1]!;
      return { ok: false, error: `unknown field "${field.slice(0, 40)}" in "${term.slice(0, 60)}": filter by ${KNOWN}, a region (chr20:1-1000), SNP/INDEL/REF, or "quoted text"` };
    } else {
      free.push(term);
    }
  }
  if (terms.length) f.formatTerms = terms;
  if (kinds.length) f.kinds = kinds;
  if (free.length) f.text = free.join(' ');
  return { ok: true, filter: f };
}

/** The inverse, for showing the current filter in the box. */
export function formatFilterText(f: FilterSpec | undefined): string {
  if (!f) return '';
  const out: string[] = [];
  if (f.filters?.length) out.push(`FILTER=${f.filters.join(',')}`);
  if (f.qualMin !== undefined && f.qualMax !== undefined && f.qualMin === f.qualMax) out.push(`QUAL=${f.qualMin}`);
  else {
    if (f.qualMin !== undefined) out.push(`QUAL>=${f.qualMin}`);
    if (f.qualMax !== undefined) out.push(`QUAL<=${f.qualMax}`);
  }
  if (f.genotypes?.length) out.push(`GT=${f.genotypes.join(',')}`);
  for (const t of f.formatTerms ?? []) out.push(`${t.field}${t.op}${t.value}`);
  if (f.kinds?.length) out.push(...f.kinds);
  if (f.region) out.push(f.region);
  if (f.text) out.push(...f.text.split(' ').map((w) => (/[<>=!:]/.test(w) ? `"${w}"` : w)));
  return out.join(' ');
}
