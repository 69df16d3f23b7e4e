/**
 * The model-dispute verdicts named after the configured models: with models "v1.5" and
 * "ft-chr20" the first two verdicts are "v1.5-correct" and "ft-chr20-correct", not the built-in
 * "default-correct" / "retrained-correct". Only the untouched built-in dispute vocabulary is
 * renamed: a vocabulary with verdicts written in the settings is the user's choice.
 */
import { DISPUTE_VOCABULARY, type Vocabulary } from './vocabulary';

/** A model name usable inside a verdict id (the review file forbids tabs, newlines and , ; = % \). */
function idPart(name: string): string {
  return name.trim().replace(/[\t\n\r,;=%\\]/g, '_');
}

export function withModelNames(vocab: Vocabulary, modelNames: readonly string[]): Vocabulary {
  if (vocab !== DISPUTE_VOCABULARY) return vocab;
  const names = modelNames.map(idPart).filter((n) => n !== '');
  if (names.length < 2 || names[0] === names[1]) return vocab;
  const [a, b] = names as [string, string];
  // The built-in ids already are these names.
  if (a === 'default' && b === 'retrained') return vocab;
  const [va, vb, ...rest] = vocab.verdicts;
  if (!va || !vb) return vocab;
  return {
    ...vocab,
    verdicts: [
      { ...va, id: `${a}-correct`, title: `${a} correct`, description: `The ${a} model’s call is right; the ${b} model is wrong here.` },
      { ...vb, id: `${b}-correct`, title: `${b} correct`, description: `The ${b} model’s call is right; the ${a} model is wrong here.` },
      ...rest,
    ],
  };
}
