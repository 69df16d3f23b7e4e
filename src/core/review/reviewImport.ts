/**
 * Import of a review TSV: our own export (every column, lossless) or an IGVNav output file
 * (chr, start, stop, ref, var, call, tags, notes). Coordinates in the TSV are 0-based
 * (start = POS - 1, IGVNav's default); pass `oneBased` for files written with IGVNav's
 * "1-Base" option.
 */
import { readFile } from 'node:fs/promises';
import { decodeUtf8Strict } from '../textDecode';
import { VariantLensError, throwIfAborted } from '../errors';
import { type Annotation, type ModelSnapshot, nowIso, parseModels, unescapeField, validateAnnotation } from './reviewFormat';

export interface TsvImportOptions {
  /** Reviewer for rows without a `reviewer` column/value (IGVNav files). */
  readonly reviewer?: string;
  /** Time for rows without a `time` column/value; default now. */
  readonly time?: string;
  /** `start` is the 1-based POS rather than 0-based. */
  readonly oneBased?: boolean;
}

const REQUIRED = ['chr', 'start', 'ref', 'var', 'call'] as const;

/** Parses TSV text into annotations; rows of one site become its versions. Errors name file and line. */
export function parseReviewTsv(text: string, file: string, options: TsvImportOptions = {}): Annotation[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let col: Map<string, number> | undefined;
  const out: Annotation[] = [];
  const time = options.time ?? nowIso();
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || (line.startsWith('#') && col)) continue;
    const where = `${file}: line ${i + 1}`;
    const cells = line.split('\t');
    if (!col) {
      col = new Map(cells.map((c, k) => [c.replace(/^#/, '').trim().toLowerCase(), k]));
      const missing = REQUIRED.filter((c) => !col!.has(c));
      if (missing.length > 0) throw new VariantLensError('review-file-invalid', `${where}: the header has no ${missing.join(', ')} column; expected at least ${REQUIRED.join(', ')}`);
      continue;
    }
    const get = (name: string): string | undefined => {
      const k = col!.get(name);
      return k === undefined ? undefined : cells[k];
    };
    const req = (name: string): string => {
      const v = get(name);
      if (v === undefined || v === '') throw new VariantLensError('review-file-invalid', `${where}: column "${name}" is empty`);
      return v;
    };
    const start = req('start');
    if (!/^\d+$/.test(start)) throw new VariantLensError('review-file-invalid', `${where}: start "${start}" is not a number`);
    const pos = options.oneBased ? Number(start) : Number(start) + 1;
    const one = (name: string): string | undefined => {
      const v = get(name);
      return v === undefined || v === '' ? undefined : unescapeOne(v, where);
    };
    const tagsText = get('tags');
    // Our own export is lossless; other tools' tag lists ("LVF, D") get their spaces trimmed.
    const ours = col.has('time');
    const sample = one('sample');
    const base: Annotation = {
      contig: req('chr'),
      pos,
      ref: req('ref').toUpperCase(),
      alt: req('var'),
      verdict: unescapeOne(req('call'), where),
      tags: tagsText === undefined || tagsText === '' || tagsText === '.' ? [] : unescapeField(tagsText, true, () => where).map((t) => (ours ? t : t.trim())).filter((t) => t !== ''),
      note: one('notes') ?? '',
      reviewer: one('reviewer') ?? options.reviewer ?? '',
      time: get('time') || time,
      models: parseModelsCell(get('models'), where),
    };
    const a = sample === undefined || sample === '' ? base : { ...base, sample };
    try {
      validateAnnotation(a);
    } catch (e) {
      throw new VariantLensError('review-file-invalid', `${where}: ${(e as Error).message}`);
    }
    out.push(a);
  }
  if (!col) throw new VariantLensError('review-file-invalid', `${file}: empty file; expected a header line with ${REQUIRED.join(', ')}`);
  return out;
}

export async function readReviewTsv(path: string, options: TsvImportOptions & { signal?: AbortSignal } = {}): Promise<Annotation[]> {
  throwIfAborted(options.signal);
  let text: string;
  try {
    text = decodeUtf8Strict(await readFile(path), path, 'review-file-invalid');
  } catch (e) {
    if (e instanceof VariantLensError) throw e;
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file-not-found' : 'review-file-invalid';
    throw new VariantLensError(code, `cannot read the TSV: ${(e as Error).message}`, path, { cause: e });
  }
  return parseReviewTsv(text, path, options);
}

function unescapeOne(s: string, where: string): string {
  return unescapeField(s, false, () => where)[0]!;
}

function parseModelsCell(s: string | undefined, where: string): ModelSnapshot[] {
  return s === undefined || s === '' ? [] : parseModels(s, () => where);
}
