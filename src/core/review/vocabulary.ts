/**
 * The words a reviewer picks from: verdict labels (one per site) and tags (any number).
 * Two built-in vocabularies — model disputes (default vs retrained DeepVariant) and the
 * somatic manual-review SOP — and a custom one built from the extension's settings. The
 * first nine labels get keyboard shortcuts 1–9, in list order.
 *
 * The store does not restrict verdicts to a vocabulary: files written with other settings
 * (a colleague's custom list) must still open. The vocabulary is for the UI and the exports.
 */
import { VariantLensError } from '../errors';

export interface VerdictLabel {
  /** Written to the review file and the exports (INFO/VL_VERDICT, BED name). */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** '1'…'9' for the first nine labels; undefined after that. */
  readonly shortcut?: string;
}

export interface ReviewTag {
  /** Short code written to the file (e.g. "LVF"). */
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

export interface Vocabulary {
  readonly name: string;
  readonly verdicts: readonly VerdictLabel[];
  readonly tags: readonly ReviewTag[];
}

type LabelSpec = Omit<VerdictLabel, 'shortcut'>;

/** Default vocabulary: who is right when the default and the retrained model disagree. */
const DISPUTE_VERDICTS: readonly LabelSpec[] = [
  { id: 'default-correct', title: 'Default correct', description: 'The default model’s call is right; the retrained model is wrong here.' },
  { id: 'retrained-correct', title: 'Retrained correct', description: 'The retrained model’s call is right; the default model is wrong here.' },
  { id: 'both-correct', title: 'Both correct (representation only)', description: 'Both calls describe the same haplotype; they differ only in representation (normalization, multi-allelic split, padding).' },
  { id: 'both-wrong', title: 'Both wrong', description: 'Neither model’s genotype matches the evidence.' },
  { id: 'uncertain', title: 'Uncertain', description: 'The reads do not settle it; needs another look or orthogonal data.' },
];

/**
 * Calls and tags of the somatic manual-review SOP (Barnell et al., "Standard operating
 * procedure for somatic variant refinement of sequencing data with paired tumor and normal
 * samples", Genet Med 2019;21:972–981, Table 1: 4 calls and 19 tags with IGVNav codes).
 * The paper's table names 19 tags; the 18 below are the ones we could confirm, with the
 * paper's short codes. Settings can add more.
 */
const SOP_VERDICTS: readonly LabelSpec[] = [
  { id: 'Somatic', title: 'Somatic (S)', description: 'Sufficient support in the tumor, no obvious sequencing artifact.' },
  { id: 'Germline', title: 'Germline (G)', description: 'Support in the normal beyond what tumor contamination of the normal explains.' },
  { id: 'Ambiguous', title: 'Ambiguous (A)', description: 'Does not meet the criteria of any other call.' },
  { id: 'Fail', title: 'Fail (F)', description: 'Low variant support and/or reads that indicate a sequencing artifact.' },
];

export const SOP_TAGS: readonly ReviewTag[] = [
  { id: 'AI', title: 'Adjacent indel', description: 'Explained by misalignment around a nearby insertion or deletion.' },
  { id: 'AO', title: 'Ambiguous other', description: 'Inconclusive features not covered by another tag.' },
  { id: 'D', title: 'Directional (strand bias)', description: 'Only or mostly on reads of one direction.' },
  { id: 'DN', title: 'Dinucleotide repeat', description: 'Next to a two-base repeat in the reference (e.g. TGTGTG).' },
  { id: 'E', title: 'End of reads', description: 'Only seen near the ends (within ~30 bp) of supporting reads.' },
  { id: 'HDR', title: 'High discrepancy region', description: 'Supporting reads carry other recurrent mismatches.' },
  { id: 'LCN', title: 'Low count normal', description: 'Too little coverage in the normal to compare with the tumor.' },
  { id: 'LCT', title: 'Low count tumor', description: 'Too little coverage in the tumor to compare with the normal.' },
  { id: 'LM', title: 'Low mapping quality', description: 'Mostly supported by reads with low mapping quality (mapping issue).' },
  { id: 'LVF', title: 'Low variant frequency', description: 'Low variant allele fraction.' },
  { id: 'MN', title: 'Mononucleotide repeat (homopolymer)', description: 'Next to a single-base run in the reference.' },
  { id: 'MM', title: 'Multiple mismatches', description: 'Supporting reads have many other mismatches.' },
  { id: 'MV', title: 'Multiple variants', description: 'Reads support more than one alternate allele at the locus.' },
  { id: 'NCN', title: 'No count normal', description: 'No coverage in the normal.' },
  { id: 'SI', title: 'Short inserts only', description: 'Only supported by read pairs with short fragments.' },
  { id: 'SSE', title: 'Same start end', description: 'Supporting reads start and end at the same positions (duplicates).' },
  { id: 'TN', title: 'Tumor in normal', description: 'Variant seen in the normal at a level explained by tumor contamination.' },
  { id: 'TR', title: 'Tandem repeat', description: 'Inside a tandem repeat longer than two bases.' },
];

function withShortcuts(labels: readonly LabelSpec[]): VerdictLabel[] {
  return labels.map((l, i) => (i < 9 ? { ...l, shortcut: String(i + 1) } : { ...l }));
}

/** SOP codes that name a tumour/normal pair: not offered for germline model review. */
const PAIRED_SAMPLE_TAGS = new Set(['LCN', 'LCT', 'NCN', 'TN']);

/**
 * Tags of the default (germline model review) vocabulary: the SOP's read-level artefact codes
 * without the tumour/normal ones, plus three germline codes.
 */
export const GERMLINE_TAGS: readonly ReviewTag[] = [
  ...SOP_TAGS.filter((t) => !PAIRED_SAMPLE_TAGS.has(t.id)),
  { id: 'LC', title: 'Low coverage', description: 'Too few reads at the site to call a genotype with confidence.' },
  { id: 'AB', title: 'Allele balance', description: 'The alt fraction does not fit the genotype (a het far from 0.5, a hom-alt with many ref reads).' },
  { id: 'SD', title: 'Segmental duplication / paralog', description: 'Reads may come from a paralogous copy elsewhere in the genome.' },
];

export const DISPUTE_VOCABULARY: Vocabulary = { name: 'model-dispute', verdicts: withShortcuts(DISPUTE_VERDICTS), tags: GERMLINE_TAGS };
export const SOMATIC_SOP_VOCABULARY: Vocabulary = { name: 'somatic-sop', verdicts: withShortcuts(SOP_VERDICTS), tags: SOP_TAGS };

export const BUILTIN_VOCABULARIES: ReadonlyMap<string, Vocabulary> = new Map([
  [DISPUTE_VOCABULARY.name, DISPUTE_VOCABULARY],
  [SOMATIC_SOP_VOCABULARY.name, SOMATIC_SOP_VOCABULARY],
]);

/** A label or tag as it can appear in settings: a bare id, or an object. */
export type LabelSetting = string | { readonly id: string; readonly title?: string; readonly description?: string };

export interface VocabularySetting {
  /** A built-in vocabulary name ("model-dispute", "somatic-sop"); default "model-dispute". */
  readonly preset?: string;
  /** Replaces the preset's verdicts when given (order = shortcut order). */
  readonly verdicts?: readonly LabelSetting[];
  /** Replaces the preset's tags when given. */
  readonly tags?: readonly LabelSetting[];
}

const ID = /^[^\t\n\r,;=%\\]+$/;

/**
 * Builds the vocabulary from settings (the extension passes `variantLens.review.*`).
 * Errors name the setting and the offending entry.
 */
export function resolveVocabulary(setting: VocabularySetting = {}, settingName = 'variantLens.review'): Vocabulary {
  const presetName = setting.preset ?? DISPUTE_VOCABULARY.name;
  const preset = BUILTIN_VOCABULARIES.get(presetName);
  if (!preset) {
    throw new VariantLensError('invalid-argument', `${settingName}: unknown vocabulary "${presetName}"; use one of ${[...BUILTIN_VOCABULARIES.keys()].join(', ')}`);
  }
  if (!setting.verdicts && !setting.tags) return preset;
  const known = new Map<string, { title: string; description: string }>();
  for (const v of [...BUILTIN_VOCABULARIES.values()]) for (const x of [...v.verdicts, ...v.tags]) known.set(x.id, x);
  const toSpec = (s: LabelSetting, what: string): LabelSpec => {
    const id = typeof s === 'string' ? s : s.id;
    if (typeof id !== 'string' || !ID.test(id) || id.trim() !== id) {
      throw new VariantLensError('invalid-argument', `${settingName}.${what}: "${String(id)}" is not a valid label (no tabs, newlines, commas, ; = % or \\; no surrounding spaces)`);
    }
    const k = known.get(id);
    const title = (typeof s === 'object' ? s.title : undefined) ?? k?.title ?? id;
    const description = (typeof s === 'object' ? s.description : undefined) ?? k?.description ?? '';
    return { id, title, description };
  };
  const unique = <T extends { id: string }>(list: T[], what: string): T[] => {
    const seen = new Set<string>();
    for (const x of list) {
      if (seen.has(x.id)) throw new VariantLensError('invalid-argument', `${settingName}.${what}: "${x.id}" is listed twice`);
      seen.add(x.id);
    }
    return list;
  };
  const verdicts = setting.verdicts ? unique(setting.verdicts.map((s) => toSpec(s, 'verdicts')), 'verdicts') : preset.verdicts;
  if (verdicts.length === 0) throw new VariantLensError('invalid-argument', `${settingName}.verdicts: the list is empty; give at least one verdict`);
  const tags = setting.tags ? unique(setting.tags.map((s) => toSpec(s, 'tags')), 'tags') : preset.tags;
  return {
    name: 'custom',
    verdicts: withShortcuts(verdicts),
    tags,
  };
}

/** A model name as it can appear in a verdict id: spaces → '-', characters a label refuses → '_'. */
export function verdictModelId(model: string): string {
  const id = model.trim().replace(/\s+/g, '-').replace(/[\t\n\r,;=%\\]/g, '_');
  return id === '' ? 'model' : id;
}

/**
 * The model-dispute verdicts for the configured models: `<model>-correct` for each (in the
 * settings' order, duplicate names once), then `both-correct`/`both-wrong` for two models
 * (`all-correct`/`all-wrong` for three or more), then `uncertain`. Fewer than two models: the
 * built-in `default-correct`, `retrained-correct`, … list.
 */
export function modelDisputeVerdicts(modelNames: readonly string[]): readonly VerdictLabel[] {
  const names = [...new Set(modelNames.map(verdictModelId))];
  if (names.length < 2) return DISPUTE_VOCABULARY.verdicts;
  const both = names.length === 2 ? 'both' : 'all';
  const specs: LabelSpec[] = [
    ...names.map((n) => ({ id: `${n}-correct`, title: `${n} correct`, description: `The ${n} model’s call is right; the other model${names.length > 2 ? 's are' : ' is'} wrong here.` })),
    { id: `${both}-correct`, title: `${both === 'both' ? 'Both' : 'All'} correct (representation only)`, description: DISPUTE_VERDICTS[2]!.description },
    { id: `${both}-wrong`, title: `${both === 'both' ? 'Both' : 'All'} wrong`, description: 'No model’s genotype matches the evidence.' },
    DISPUTE_VERDICTS[4]!,
  ];
  return withShortcuts(specs);
}

/**
 * The vocabulary the UI offers (verdict buttons, quick pick, shortcuts 1–9): the setting
 * (`variantLens.review.vocabulary`, resolved by resolveVocabulary) where the model-dispute
 * preset's verdicts are named after the configured models (`variantLens.models` names).
 * A setting that lists its own verdicts, or another preset, is kept as written.
 */
export function vocabularyForModels(setting: VocabularySetting, modelNames: readonly string[], settingName = 'variantLens.review'): Vocabulary {
  const v = resolveVocabulary(setting, settingName);
  if (setting.verdicts || (setting.preset ?? DISPUTE_VOCABULARY.name) !== DISPUTE_VOCABULARY.name) return v;
  const verdicts = modelDisputeVerdicts(modelNames);
  return verdicts === DISPUTE_VOCABULARY.verdicts ? v : { ...v, verdicts };
}

/** The label bound to a shortcut digit ('1'–'9'), if any. */
export function verdictForShortcut(v: Vocabulary, digit: string): VerdictLabel | undefined {
  return v.verdicts.find((l) => l.shortcut === digit);
}

export function findVerdict(v: Vocabulary, id: string): VerdictLabel | undefined {
  return v.verdicts.find((l) => l.id === id);
}

export function findTag(v: Vocabulary, id: string): ReviewTag | undefined {
  return v.tags.find((t) => t.id === id);
}
