/**
 * Which images DeepVariant makes for a candidate (multi_allelic_mode ADD_HET_ALT_IMAGES,
 * docs/deepvariant.md §3.1): every single alt, then every pair, in `itertools.combinations` order over
 * the (lexicographically sorted) alts: [0], [1], …, [n-1], [0,1], [0,2], …, [n-2,n-1].
 */
export type MultiAllelicMode = 'add-het-alt-images' | 'no-het-alt-images';

export function altAlleleCombinations(nAlts: number, mode: MultiAllelicMode = 'add-het-alt-images'): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < nAlts; i++) out.push([i]);
  if (mode === 'add-het-alt-images') {
    for (let i = 0; i < nAlts; i++) for (let j = i + 1; j < nAlts; j++) out.push([i, j]);
  }
  return out;
}
