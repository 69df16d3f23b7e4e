/**
 * The model-input mismatch detector (docs/deepvariant.md §2.7, §5): a model's
 * example_info.json, an examples file's example_info.json and the examples themselves must
 * agree on shape [H, W, C] and channel ids, or the model's probabilities mean nothing —
 * DeepVariant's call_variants only warns in some versions, and a mismatch "fails silently".
 * Every path that feeds examples to a model checks them here first, before any inference
 * or record matching, and refuses with one error naming every side's shape and channel ids.
 */
import { VariantLensError } from '../errors';
import { CHANNEL_NAMES } from '../io/examples/channelIds';

/** One side of the comparison: what a file says (or what the records are). */
export interface InputLayout {
  /** "the model", "the examples' example_info.json", "the examples' records" … */
  readonly source: string;
  /** The file the side comes from (named in the error). */
  readonly file: string | undefined;
  readonly shape: readonly [number, number, number];
  /** Channel ids in tensor order; undefined when the side does not name them (records without an example_info.json). */
  readonly channels: readonly number[] | undefined;
}

/** "[100,221,7] channels [1,2,3,4,5,6,19] (read_base … insert_size)" */
export function describeLayout(l: Pick<InputLayout, 'shape' | 'channels'>): string {
  const ids = l.channels
    ? ` channels [${l.channels.join(',')}] (${l.channels.map((id) => CHANNEL_NAMES[id]?.name ?? `id ${id}`).join(', ')})`
    : ' channels not named (no example_info.json)';
  return `[${l.shape.join(',')}]${ids}`;
}

function sameIds(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (!a || !b) return true;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether two sides agree: same shape, and same channel ids where both name them. */
export function layoutsAgree(a: Pick<InputLayout, 'shape' | 'channels'>, b: Pick<InputLayout, 'shape' | 'channels'>): boolean {
  return a.shape.every((x, i) => x === b.shape[i]) && sameIds(a.channels, b.channels);
}

/** What a disagreement most likely is (docs/deepvariant.md §12.3 layouts, §13, §14). */
function hint(model: InputLayout, other: InputLayout): string {
  const [mh, mw, mc] = model.shape;
  const [oh, ow, oc] = other.shape;
  const out: string[] = [];
  if (oh !== mh && oh % mh === 0 && oh / mh === 3) out.push(`${oh} rows are three stacked ${mh}-row blocks: alt-aligned pileup "rows" examples, which a model expecting ${mh} rows cannot read`);
  else if (mh !== oh && mh % oh === 0 && mh / oh === 3) out.push(`the model expects alt-aligned pileup "rows" examples (three stacked ${oh}-row blocks)`);
  else if (oh !== mh) out.push(`pileup height ${oh} vs ${mh}`);
  if (ow !== mw) out.push(`pileup width ${ow} vs ${mw}${ow === 199 || mw === 199 ? ' (199 is the PacBio width)' : ''}`);
  if (model.channels && other.channels) {
    const missing = model.channels.filter((id) => !other.channels!.includes(id));
    const extra = other.channels.filter((id) => !model.channels!.includes(id));
    const name = (id: number): string => `${id} ${CHANNEL_NAMES[id]?.name ?? '?'}`;
    if (missing.length) out.push(`the model needs channel${missing.length > 1 ? 's' : ''} ${missing.map(name).join(', ')} that ${other.source} lack${other.source.endsWith('s') ? '' : 's'}`);
    if (extra.length) out.push(`${other.source} ha${other.source.endsWith('s') ? 've' : 's'} channel${extra.length > 1 ? 's' : ''} ${extra.map(name).join(', ')} the model does not take`);
    if (!missing.length && !extra.length && !sameIds(model.channels, other.channels)) out.push('the same channels in another order');
  } else if (oc !== mc) {
    out.push(`${oc} channels vs ${mc}`);
  }
  return out.join('; ');
}

/**
 * Refuses (`model-shape-mismatch`) when any side disagrees with the model; the error names
 * the model's layout and every disagreeing side's, each with its file. Sides that agree
 * are not named. Records and example_info.json of the examples are compared with each other too.
 */
export function checkInputAgreement(model: InputLayout, others: readonly InputLayout[]): void {
  const bad = others.filter((o) => !layoutsAgree(model, o));
  // The examples' own two sides (example_info.json vs records) may disagree even when one matches the model.
  for (let i = 0; i < others.length; i++) {
    for (let j = i + 1; j < others.length; j++) {
      const a = others[i]!, b = others[j]!;
      if (!layoutsAgree(a, b) && !bad.includes(a) && !bad.includes(b)) bad.push(b);
    }
  }
  if (bad.length === 0) return;
  const at = (l: InputLayout): string => (l.file ? ` (${l.file})` : '');
  const sides = bad.map((o) => {
    const h = hint(model, o);
    return `${o.source}${at(o)} ${o.source.endsWith('s') ? 'are' : 'is'} ${describeLayout(o)}${h ? ` — ${h}` : ''}`;
  });
  throw new VariantLensError('model-shape-mismatch',
    `refused before running the model: ${model.source}${at(model)} expects ${describeLayout(model)}, but ${sides.join('; and ')}. ` +
    'A model given examples of another shape or channel layout gives meaningless probabilities without any error (docs/deepvariant.md §2.7)',
    model.file);
}
