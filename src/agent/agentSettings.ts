/**
 * What the agent tools need from the workspace settings: reads, reference, models, reviewer,
 * review vocabulary. The language-model tools get them from the extension's settings
 * (src/extension/common/settings.ts); `variant-lens mcp` reads the first root's
 * `.vscode/settings.json` itself, with the extension's own keys (package.json
 * `contributes.configuration`), as JSON with comments and trailing commas (JSONC), the way
 * VS Code reads it.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ToolInputError } from './toolErrors';

export interface AgentModelSetting {
  readonly name: string;
  readonly path: string;
}

export interface AgentSettings {
  /** Sample → BAM/CRAM, and files without a sample (a list setting). */
  readonly reads: { readonly bySample: ReadonlyMap<string, string>; readonly unnamed: readonly string[] };
  readonly reference: string | undefined;
  readonly models: readonly AgentModelSetting[];
  /** `variantLens.reviewer` ('' = the git/OS user). */
  readonly reviewer: string;
  /** `variantLens.review.vocabulary` as written. */
  readonly vocabulary: unknown;
  /**
   * False in an untrusted workspace: the files named in settings (reads, reference, models)
   * must not be opened, and the tools that need them refuse.
   */
  readonly trusted: boolean;
}

/** The text of a JSONC document as plain JSON: comments removed, trailing commas dropped; strings untouched. */
export function stripJsonc(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
    } else if (c === ',') {
      let j = i + 1;
      // Skip whitespace and comments to see whether a closing bracket follows.
      for (;;) {
        while (j < n && /\s/.test(text[j]!)) j++;
        if (text[j] === '/' && text[j + 1] === '/') { while (j < n && text[j] !== '\n') j++; continue; }
        if (text[j] === '/' && text[j + 1] === '*') { const e = text.indexOf('*/', j + 2); j = e < 0 ? n : e + 2; continue; }
        break;
      }
      if (text[j] !== '}' && text[j] !== ']') out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const MAX_SETTINGS_BYTES = 4 << 20;

/**
 * The Variant Lens settings of `root/.vscode/settings.json` (no file: no settings). Paths are
 * returned as written; the tools resolve them against the root and check them. A file that
 * is not valid JSONC is an error naming the file, not its content.
 */
export function readRootSettings(root: string): AgentSettings {
  const file = path.join(root, '.vscode', 'settings.json');
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new ToolInputError(`${file} is not a regular file`);
    if (st.size > MAX_SETTINGS_BYTES) throw new ToolInputError(`${file} is larger than ${MAX_SETTINGS_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ToolInputError) throw e;
    return settingsFrom({}, true);
  }
  let json: unknown;
  try {
    json = JSON.parse(stripJsonc(text.replace(/^\uFEFF/, '')));
  } catch {
    throw new ToolInputError(`${file} is not valid JSON with comments; fix it (VS Code shows where)`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ToolInputError(`${file}: the settings must be one JSON object`);
  return settingsFrom(json as Record<string, unknown>, true);
}

/** Settings from `variantLens.*` keys (flat, as in settings.json). Entries of the wrong type are ignored, as VS Code's getters do. */
function settingsFrom(s: Record<string, unknown>, trusted: boolean): AgentSettings {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const bySample = new Map<string, string>();
  const unnamed: string[] = [];
  const reads = s['variantLens.reads'];
  if (Array.isArray(reads)) {
    for (const p of reads) if (str(p)) unnamed.push(p as string);
  } else if (reads && typeof reads === 'object') {
    for (const [k, p] of Object.entries(reads as Record<string, unknown>)) if (str(p)) bySample.set(k, p as string);
  }
  const models: AgentModelSetting[] = [];
  const m = s['variantLens.models'];
  if (Array.isArray(m)) {
    for (const x of m) {
      if (!x || typeof x !== 'object') continue;
      const { name, path: p } = x as { name?: unknown; path?: unknown };
      if (typeof name === 'string' && str(p)) models.push({ name, path: p as string });
    }
  }
  return {
    reads: { bySample, unnamed },
    reference: str(s['variantLens.reference']),
    models,
    reviewer: str(s['variantLens.reviewer']) ?? '',
    vocabulary: s['variantLens.review.vocabulary'],
    trusted,
  };
}
