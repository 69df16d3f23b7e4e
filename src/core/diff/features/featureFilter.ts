/**
 * Feature terms in a diff site filter: "VAF<0.3 DP<15 homopolymer>=6 filter=RefCall". A term
 * is NAME OP VALUE with a feature name of featureBins.ts (any case), OP one of < <= > >= = !=,
 * and a number, a category, or '.' (the value is unknown). Words that are not terms stay free
 * text. Terms are ANDed; a site's per-call value is A's when A has a record, else B's (as the
 * bins count it), so a plot bin and the filter it writes select the same sites.
 */
import { VariantLensError } from '../../errors';
import type { DiffSite } from '../diffClasses';
import { FEATURES, featureDef, featureValue, type FeatureBin, type FeatureDef, type FeatureName } from './featureBins';

export type FeatureOp = '<' | '<=' | '>' | '>=' | '=' | '!=';

export interface FeatureTerm {
  readonly feature: FeatureName;
  readonly op: FeatureOp;
  /** A number, a category (compared case-insensitively), or undefined for '.'. */
  readonly value: number | string | undefined;
}

const TERM = /^([A-Za-z_]+)(<=|>=|!=|==|<|>|=)(.+)$/;

/** Splits filter text into feature terms and the remaining free text. */
export function parseFeatureTerms(text: string): { terms: FeatureTerm[]; rest: string } {
  const terms: FeatureTerm[] = [];
  const rest: string[] = [];
  for (const word of text.trim().split(/\s+/)) {
    if (word === '') continue;
    const m = TERM.exec(word);
    if (!m) { rest.push(word); continue; }
    const def = featureDef(m[1]!.toLowerCase());
    if (!def) {
      throw new VariantLensError('invalid-argument', `"${word}": "${m[1]}" is not a site feature; features: ${FEATURES.map((f) => f.name).join(', ')}`);
    }
    const op = (m[2] === '==' ? '=' : m[2]) as FeatureOp;
    const raw = m[3]!;
    let value: number | string | undefined;
    if (raw === '.') value = undefined;
    else if (def.numeric) {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new VariantLensError('invalid-argument', `"${word}": ${def.name} takes a number or '.', not "${raw}"`);
    } else {
      if (op !== '=' && op !== '!=') throw new VariantLensError('invalid-argument', `"${word}": ${def.name} is a category; use = or !=`);
      value = raw;
    }
    if (value === undefined && op !== '=' && op !== '!=') throw new VariantLensError('invalid-argument', `"${word}": '.' (unknown) only takes = or !=`);
    terms.push({ feature: def.name, op, value });
  }
  return { terms, rest: rest.join(' ') };
}

/** True when the site satisfies every term. */
export function matchesTerms(s: DiffSite, terms: readonly FeatureTerm[]): boolean {
  for (const t of terms) {
    const v = featureValue(s, t.feature);
    if (t.value === undefined) {
      if ((v === undefined) !== (t.op === '=')) return false;
      continue;
    }
    if (v === undefined) return false;
    if (typeof t.value === 'string') {
      const eq = String(v).toLowerCase() === t.value.toLowerCase();
      if (eq !== (t.op === '=')) return false;
      continue;
    }
    if (typeof v !== 'number') return false;
    const x = t.value;
    const ok = t.op === '<' ? v < x : t.op === '<=' ? v <= x : t.op === '>' ? v > x : t.op === '>=' ? v >= x : t.op === '=' ? v === x : v !== x;
    if (!ok) return false;
  }
  return true;
}

/** The filter text that selects a bin's sites ("dp>=10 dp<15", "filter=RefCall", "vaf=."). */
export function binFilterText(def: FeatureDef, bin: FeatureBin): string {
  if (bin.label === '.') return `${def.name}=.`;
  if (bin.lo === undefined) return `${def.name}=${bin.label}`;
  const parts: string[] = [];
  if (Number.isFinite(bin.lo)) parts.push(`${def.name}>=${bin.lo}`);
  if (bin.hi !== undefined && Number.isFinite(bin.hi)) parts.push(`${def.name}<${bin.hi}`);
  return parts.join(' ');
}
