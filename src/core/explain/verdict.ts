/**
 * The verdict of an explanation: is the models' disagreement at a site due to the images
 * (their make_examples parameters made them see different pileups), to the weights (on
 * identical images they still disagree), to both, or is there no disagreement — decided from
 * the cross-run table alone, and said in one sentence built from its numbers.
 *
 * Rule, with each cell's call reduced to "the genotype it calls" (a cell whose parameters make
 * no candidate counts as a reference call: DeepVariant would write no variant there):
 *   none     the diagonal (each model on its own images) agrees;
 *   inputs   every column agrees (on the same images all models make the same call);
 *   weights  every row agrees (each model makes its own call whatever images it gets);
 *   both     neither (images change calls, and models differ on the same images).
 * When the diagonal differs, "inputs" and "weights" cannot both hold.
 */
import { type ClassProbs, type CrossRunCell, type ExplainVerdict, GENOTYPE_CLASSES, type GenotypeClass, type ReadAttribution } from './explainResult';

/** The call a cell stands for: 'ref' for hom-ref or no candidate, else the genotype's alleles. */
export function cellCall(c: CrossRunCell): string | null {
  if (!c.probs || !c.gt) return null;
  if (!c.candidate || c.genotypeClass === 'hom-ref') return 'ref';
  const [a, b] = c.gt.split('/').map(Number) as [number, number];
  return [c.alleles[a] ?? '?', c.alleles[b] ?? '?'].sort().join('/');
}

/** Total variation distance between two class distributions. */
export function tvDistance(p: ClassProbs, q: ClassProbs): number {
  return 0.5 * (Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]) + Math.abs(p[2] - q[2]));
}

function allEqual(xs: readonly (string | null)[]): boolean {
  const v = xs.filter((x): x is string => x !== null);
  return v.every((x) => x === v[0]);
}

function fmtP(x: number): string {
  return x.toFixed(2);
}

/** "het (P=0.96)" or "no candidate". */
export function describeCell(c: CrossRunCell): string {
  if (!c.probs || !c.genotypeClass) return 'no image';
  const k = GENOTYPE_CLASSES.indexOf(c.genotypeClass);
  const call = `${c.genotypeClass} (P=${fmtP(c.probs[k]!)})`;
  return c.candidate ? call : `no candidate (if imaged: ${call})`;
}

export interface VerdictContext {
  readonly names: readonly string[];
  readonly crossRun: readonly (readonly CrossRunCell[])[];
  /** Parameter differences of model b against model a, e.g. ["min_base_quality 5 vs 10"]. */
  paramDifferences(a: number, b: number): string[];
  readonly reads: readonly ReadAttribution[];
}

/** The reads that push model m most toward class `cls` (largest positive Δ), described briefly. */
function pushingReads(reads: readonly ReadAttribution[], m: number, cls: GenotypeClass): string | undefined {
  const k = GENOTYPE_CLASSES.indexOf(cls);
  const pushing = reads
    .map((r) => ({ r, d: r.deltaProbs[m]?.[k] ?? 0 }))
    .filter((x) => x.d > 1e-3)
    .sort((a, b) => b.d - a.d || (a.r.name < b.r.name ? -1 : 1))
    .slice(0, 5);
  if (pushing.length === 0) return undefined;
  const mq = pushing.map((x) => x.r.mapq);
  const lo = Math.min(...mq);
  const hi = Math.max(...mq);
  const alt = pushing.filter((x) => x.r.supportsAlt[m]).length;
  const n = pushing.length;
  return `the ${n} read${n > 1 ? 's' : ''} that push it most toward ${cls} (ΔP up to ${fmtP(pushing[0]!.d)}) ${n > 1 ? 'have' : 'has'} MAPQ ${lo === hi ? lo : `${lo}–${hi}`} and ${alt === n ? (n > 1 ? 'all support' : 'supports') : alt === 0 ? (n > 1 ? 'none supports' : 'does not support') : `${alt} of them support`} the alt`;
}

export function decideVerdict(ctx: VerdictContext): ExplainVerdict {
  const X = ctx.crossRun;
  const n = X.length;
  const calls = X.map((row) => row.map(cellCall));
  let inputShift = 0;
  let weightShift = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        const a = X[i]![j]!.probs;
        const b = X[i]![k]!.probs;
        if (a && b) inputShift = Math.max(inputShift, tvDistance(a, b));
        const c = X[k]![j]!.probs;
        if (a && c) weightShift = Math.max(weightShift, tvDistance(a, c));
      }
    }
  }
  const diag = calls.map((row, i) => row[i]!);
  const names = ctx.names;
  if (diag.some((d) => d === null)) {
    const missing = diag.map((d, i) => (d === null ? names[i] : undefined)).filter(Boolean);
    return { kind: 'none', dispute: false, inputShift, weightShift, pair: null, text: `none: no verdict, because ${missing.join(' and ')} has no image of its own at this site` };
  }
  let pair: [number, number] | null = null;
  for (let a = 0; a < n && !pair; a++) for (let b = a + 1; b < n && !pair; b++) if (diag[a] !== diag[b]) pair = [a, b];
  if (!pair) {
    const own = X.map((row, i) => `${names[i]} ${describeCell(row[i]!)}`).join(', ');
    return { kind: 'none', dispute: false, inputShift, weightShift, pair: null, text: `none: the models agree on their own images (${own})` };
  }
  const columnsAgree = X.every((_, j) => allEqual(calls.map((row) => row[j]!)));
  const rowsAgree = calls.every((row) => allEqual(row));
  const kind = columnsAgree ? 'inputs' : rowsAgree ? 'weights' : 'both';
  const [a, b] = pair;
  const A = names[a]!;
  const B = names[b]!;
  const on = (j: number): string => `on ${names[j]}'s images ${A} ${describeCell(X[a]![j]!)} vs ${B} ${describeCell(X[b]![j]!)}`;
  let text: string;
  if (kind === 'inputs') {
    const cb = X[b]![b]!;
    const ca = X[a]![a]!;
    const diffs = ctx.paramDifferences(a, b);
    const seen = cb.candidate === ca.candidate
      ? `${B} sees ${cb.altRows} alt-supporting of ${cb.readRows} read rows (AD ${cb.ad.join(',')}) where ${A} sees ${ca.altRows} of ${ca.readRows} (AD ${ca.ad.join(',')})`
      : `${cb.candidate ? B : A}'s thresholds make a candidate here and ${cb.candidate ? A : B}'s do not (AD ${ca.ad.join(',')} vs ${cb.ad.join(',')})`;
    const why = diffs.length ? `${B}'s make_examples parameters (${diffs.join(', ')}) change what it sees` : 'the two models\' images differ';
    text = `inputs: on identical images the models agree (${on(a)}; ${on(b)}), so the images decide: ${why}, and ${seen}`;
  } else if (kind === 'weights') {
    const cls = X[b]![b]!.genotypeClass!;
    const reads = pushingReads(ctx.reads, b, cls);
    text = `weights: on identical images the models still disagree (${on(a)}; ${on(b)})${reads ? `; for ${B}, ${reads}` : ''}`;
  } else {
    text = `both: the images change the calls (${A} ${describeCell(X[a]![a]!)} on its own images, ${describeCell(X[a]![b]!)} on ${B}'s; ${B} ${describeCell(X[b]![b]!)} on its own, ${describeCell(X[b]![a]!)} on ${A}'s) and on identical images the models differ`;
  }
  return { kind, dispute: true, inputShift, weightShift, pair, text };
}
