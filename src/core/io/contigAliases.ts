/**
 * Contig name aliases between the UCSC style (`chr20`, `chrX`, `chrM`) and the
 * Ensembl/GRCh/b37 style (`20`, `X`, `MT`). Users mix a `chr20` BAM with a `20` VCF or
 * reference all the time; IGV resolves the two silently and so do we, but only when the
 * mapping is unambiguous: an exact match always wins, then the alias candidates are tried
 * in a fixed order.
 */

/** The canonical key of a name: no `chr` prefix, and the mitochondrion spelled `M`. */
function canonical(name: string): string {
  let n = name;
  if (/^chr/i.test(n)) n = n.slice(3);
  if (/^(MT|M)$/i.test(n)) return 'M';
  return n.toUpperCase() === n.toLowerCase() ? n : n.toUpperCase();
}

/** Alias spellings to try for `name`, best first (not including `name` itself). */
export function contigAliasCandidates(name: string): string[] {
  if (canonical(name) === 'M') return ['chrM', 'MT', 'M', 'chrMT'].filter((x) => x !== name);
  const bare = /^chr/i.test(name) ? name.slice(3) : name;
  const out = [`chr${bare}`, bare];
  return out.filter((x) => x !== name);
}

/**
 * The name in `available` that `name` refers to: `name` itself when present, otherwise a
 * `chr`-prefix/mitochondrion alias (`chr20`↔`20`, `chrX`↔`X`, `chrM`↔`MT`/`M`). Returns
 * undefined when nothing matches.
 */
export function resolveContig(name: string, available: readonly string[]): string | undefined {
  if (available.includes(name)) return name;
  for (const cand of contigAliasCandidates(name)) if (available.includes(cand)) return cand;
  // Last resort: case-insensitive canonical match (e.g. `CHR20`, `chrx`).
  const key = canonical(name);
  return available.find((a) => canonical(a) === key);
}

/** Up to `n` available names for an error message ("available: chr1, chr2, … (25 in all)"). */
export function describeAvailable(available: readonly string[], n = 8): string {
  if (available.length === 0) return 'the file lists no contigs';
  const head = available.slice(0, n).join(', ');
  return available.length > n ? `available: ${head}, … (${available.length} in all)` : `available: ${head}`;
}
