/**
 * Versions of a site that agree are not a conflict. A conflict is two people reaching
 * different decisions (docs/review-format.md, "Conflicts"); the same verdict, tags and note
 * set on two git branches (or in two windows) differ only in time, reviewer or the model
 * snapshot, and merge into one version: the latest, so the kept line is the newest state.
 */
/** The parts of an annotation (reviewFormat.ts) that make up a decision, and its time. */
export interface Decision {
  readonly verdict: string;
  readonly tags: readonly string[];
  readonly note: string;
  readonly time: string;
}

/** What a reviewer decided: verdict, tags (as a set) and note. */
export function decisionKey(a: Decision): string {
  return `${a.verdict}\u0000${[...a.tags].sort().join('\u0001')}\u0000${a.note}`;
}

/** One version per decision (the latest by time; ties keep the first), in the input's order. */
export function collapseAgreeing<T extends Decision>(versions: readonly T[]): T[] {
  const byDecision = new Map<string, T>();
  for (const v of versions) {
    const k = decisionKey(v);
    const have = byDecision.get(k);
    if (!have || v.time > have.time) byDecision.set(k, v);
  }
  const keep = new Set(byDecision.values());
  return versions.filter((v) => keep.has(v));
}
