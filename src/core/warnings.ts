/**
 * Warnings a reader raises when something is suspicious but the answer may still be right
 * (an index older than its data file). The CLI prints them to stderr; the extension routes
 * them to its output channel with `setWarningSink`. Each distinct message is reported once.
 */
export type WarningSink = (message: string) => void;

let sink: WarningSink = (m) => { process.stderr.write(`variant-lens: warning: ${m}\n`); };
const seen = new Set<string>();

export function setWarningSink(s: WarningSink): WarningSink {
  const old = sink;
  sink = s;
  return old;
}

export function warn(message: string): void {
  if (seen.has(message)) return;
  seen.add(message);
  if (seen.size > 1000) seen.clear();
  sink(message);
}

/** For tests: forget which warnings were already reported. */
export function resetWarnings(): void {
  seen.clear();
}
