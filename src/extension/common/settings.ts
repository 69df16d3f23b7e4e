/**
 * Settings with one source of truth: names and defaults come from the
 * `contributes.configuration` of package.json (bundled into dist/extension.js by esbuild),
 * and the rest of the extension reads them only through these typed getters.
 *
 * Workspace trust: `variantLens.models/reads/reference/examples/populationVcfs` are listed in
 * `capabilities.untrustedWorkspaces.restrictedConfigurations`, so in Restricted Mode VS Code
 * ignores their workspace values; on top of that, `modelsAllowed()` refuses to load any model
 * until the workspace is trusted (a model folder is code-like input: a crafted ONNX graph is
 * parsed by native code).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import manifest from '../../../package.json';

export const SECTION = 'variantLens';

type Properties = typeof manifest.contributes.configuration.properties;
type Key = keyof Properties extends `variantLens.${infer K}` ? K : never;

/** The default declared in package.json for `variantLens.<key>`. */
export function defaultOf(key: Key): unknown {
  return (manifest.contributes.configuration.properties as Record<string, { default: unknown }>)[`${SECTION}.${key}`]!.default;
}

export interface ModelSetting {
  readonly name: string;
  readonly path: string;
}

function raw(key: Key): unknown {
  return vscode.workspace.getConfiguration(SECTION).get(key, defaultOf(key));
}

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Resolves a user-written path: `~`, `${workspaceFolder}`, relative to the first workspace folder. */
export function resolvePath(p: string): string {
  const root = workspaceRoot();
  let out = p.replace(/^\$\{workspaceFolder\}/, root ?? '');
  if (out.startsWith('~/')) out = path.join(process.env.HOME ?? '', out.slice(2));
  if (!path.isAbsolute(out) && root) out = path.join(root, out);
  return out;
}

/** Sample name → BAM/CRAM path; a list setting maps to sample "*" entries in order. */
export function reads(): { readonly bySample: ReadonlyMap<string, string>; readonly unnamed: readonly string[] } {
  const v = raw('reads');
  const bySample = new Map<string, string>();
  const unnamed: string[] = [];
  if (Array.isArray(v)) {
    for (const p of v) if (typeof p === 'string' && p !== '') unnamed.push(resolvePath(p));
  } else if (v && typeof v === 'object') {
    for (const [k, p] of Object.entries(v as Record<string, unknown>)) if (typeof p === 'string' && p !== '') bySample.set(k, resolvePath(p));
  }
  return { bySample, unnamed };
}

export function reference(): string | undefined {
  const v = raw('reference');
  return typeof v === 'string' && v !== '' ? resolvePath(v) : undefined;
}

export function models(): readonly ModelSetting[] {
  const v = raw('models');
  if (!Array.isArray(v)) return [];
  return v.flatMap((m: unknown) => {
    if (!m || typeof m !== 'object') return [];
    const { name, path: p } = m as { name?: unknown; path?: unknown };
    return typeof name === 'string' && typeof p === 'string' && p !== '' ? [{ name, path: resolvePath(p) }] : [];
  });
}

export function examples(): readonly string[] {
  const v = raw('examples');
  return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && p !== '').map(resolvePath) : [];
}

/**
 * `variantLens.populationVcfs`: the cohort VCFs with INFO AF (make_examples `--population_vcfs`)
 * for models and examples with channel 8. Ignored in an untrusted workspace (listed in
 * restrictedConfigurations); each must be a regular file (SiteSources.withPopulationVcfs).
 */
export function populationVcfs(): readonly string[] {
  const v = raw('populationVcfs');
  return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string' && p !== '').map(resolvePath) : [];
}

export function reviewer(): string {
  const v = raw('reviewer');
  return typeof v === 'string' ? v : '';
}

/** `variantLens.review.vocabulary` as written (a preset name or an object; resolved by core/review/vocabulary.ts). */
export function reviewVocabulary(): unknown {
  return raw('review.vocabulary');
}

/** `variantLens.review.file` as written ('' = the workspace folder's variant-lens.review.tsv; core/review/reviewLocation.ts). */
export function reviewFile(): string {
  const v = raw('review.file');
  return typeof v === 'string' ? v : '';
}

/** `variantLens.diff.beds`: { name: path } (or a list of paths, named by file name). */
export function diffBeds(): { name: string; path: string }[] {
  const v = raw('diff.beds');
  const out: { name: string; path: string }[] = [];
  if (Array.isArray(v)) {
    for (const p of v) if (typeof p === 'string' && p !== '') out.push({ name: path.basename(p).replace(/\.bed(\.gz)?$/i, ''), path: resolvePath(p) });
  } else if (v && typeof v === 'object') {
    for (const [name, p] of Object.entries(v as Record<string, unknown>)) if (typeof p === 'string' && p !== '') out.push({ name, path: resolvePath(p) });
  }
  return out;
}

/** `variantLens.diff.qualDelta`, when set to a non-negative number. */
export function diffQualDelta(): number | undefined {
  const v = raw('diff.qualDelta');
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Writes `variantLens.<key>` in the workspace settings (the user's when no folder is open). */
export async function update(key: 'models' | 'reads' | 'reference' | 'examples' | 'populationVcfs' | 'inspector.location', value: unknown): Promise<void> {
  const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update(key, value, target);
}

/** Rows per table page (`variantLens.table.pageSize`), sent to the webview with table.init. */
export function tablePageSize(): number {
  const v = raw('table.pageSize');
  const d = defaultOf('table.pageSize') as number;
  return typeof v === 'number' && Number.isInteger(v) ? Math.min(1000, Math.max(50, v)) : d;
}

export interface TrustInfo {
  readonly trusted: boolean;
  readonly modelsDisabledReason?: string;
}

export const UNTRUSTED_REASON =
  'Model loading is disabled because this workspace is not trusted (Restricted Mode). The table works; to run models or read the configured BAM/CRAM and reference, trust the workspace (Manage Workspace Trust).';

/** Whether models (and workspace-configured reads/reference) may be loaded now. */
export function trustInfo(): TrustInfo {
  return vscode.workspace.isTrusted ? { trusted: true } : { trusted: false, modelsDisabledReason: UNTRUSTED_REASON };
}

export function modelsAllowed(): boolean {
  return vscode.workspace.isTrusted;
}

/** `variantLens.inspector.location`: the editor-area panel (default) or the bottom-panel view. */
export function inspectorLocation(): 'editor' | 'panel' {
  return raw('inspector.location') === 'panel' ? 'panel' : 'editor';
}
