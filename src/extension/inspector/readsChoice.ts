/**
 * Per-VCF reads choice (issue #5 item 2: "reads and reference from settings or a per-VCF
 * choice remembered in the workspace"). "Variant Lens: Choose Reads for This VCF…" stores a
 * BAM/CRAM and optionally a FASTA for one VCF in the workspace state (`workspaceState`, not a
 * setting: it belongs to this workspace's files and is not shared through settings.json).
 * The inspector's pileup (siteTensors.ts) and the models (modelService.ts) look it up by the
 * site's VCF before `variantLens.reads` / `variantLens.reference`.
 *
 * This file has no `vscode` import: the stored map is passed in as the unknown value
 * workspaceState returned, validated here, and unit-tested in Node.
 */
import * as path from 'node:path';
import type { SiteRecord } from '../../protocol/protocol';

/** workspaceState key of the map VCF path → choice. */
export const READS_CHOICE_STATE_KEY = 'variantLens.readsChoices';

export interface ReadsChoice {
  /** Absolute BAM/CRAM path. */
  readonly reads: string;
  /** Absolute FASTA path; absent = the `variantLens.reference` setting. */
  readonly reference?: string;
}

/** The stored map (JSON in workspaceState): normalized absolute VCF path → choice. */
export type ReadsChoices = Readonly<Record<string, ReadsChoice>>;

/** The key of a VCF: its normalized absolute path (the same file opened as `a/../b.vcf` or `b.vcf`). */
export function choiceKey(vcfPath: string): string {
  return path.resolve(vcfPath);
}

function isChoice(v: unknown): v is ReadsChoice {
  if (!v || typeof v !== 'object') return false;
  const c = v as { reads?: unknown; reference?: unknown };
  return typeof c.reads === 'string' && c.reads !== '' && (c.reference === undefined || (typeof c.reference === 'string' && c.reference !== ''));
}

/** The valid entries of what workspaceState holds (anything else — an older format, hand edits — is ignored). */
export function readChoices(stored: unknown): ReadsChoices {
  const out: Record<string, ReadsChoice> = {};
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return out;
  for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
    if (isChoice(v)) out[k] = v.reference !== undefined ? { reads: v.reads, reference: v.reference } : { reads: v.reads };
  }
  return out;
}

/** The choice remembered for a VCF, if any. */
export function choiceFor(stored: unknown, vcfPath: string): ReadsChoice | undefined {
  return readChoices(stored)[choiceKey(vcfPath)];
}

/** A new map with the VCF's choice set (or removed when `choice` is undefined); `stored` is not changed. */
export function withChoice(stored: unknown, vcfPath: string, choice: ReadsChoice | undefined): ReadsChoices {
  const next: Record<string, ReadsChoice> = { ...readChoices(stored) };
  const key = choiceKey(vcfPath);
  if (choice) {
    if (!isChoice(choice)) throw new Error(`invalid reads choice for ${vcfPath}: a BAM/CRAM path is required`);
    next[key] = choice.reference !== undefined ? { reads: choice.reads, reference: choice.reference } : { reads: choice.reads };
  } else delete next[key];
  return next;
}

/** Where a site's reads and reference come from. */
export interface SiteInputs {
  readonly reads?: { readonly path: string; readonly sample: string | undefined };
  readonly reference?: string;
  /** The per-VCF choice used (for the source line), absent when both come from the settings. */
  readonly chosenFor?: string;
}

/** Sample names as the site shows them, without a diff's " (A: file)" suffix. */
function sampleName(name: string | undefined): string | undefined {
  return name?.replace(/ \((?:A|B): [^)]*\)$/, '');
}

/**
 * A site's reads and reference: the choice remembered for the site's VCF first (its BAM/CRAM
 * for every sample of that VCF; its FASTA, else the reference setting), else the settings'
 * reads for the record's sample (`settingsReads`, readsFor in siteTensors.ts) and reference.
 */
export function siteInputs(
  site: Pick<SiteRecord, 'file' | 'samples'>,
  choice: ReadsChoice | undefined,
  settingsReads: () => { path: string; sample: string | undefined } | undefined,
  settingsReference: string | undefined,
): SiteInputs {
  if (choice) {
    const reference = choice.reference ?? settingsReference;
    return { reads: { path: choice.reads, sample: sampleName(site.samples[0]?.name) }, ...(reference ? { reference } : {}), chosenFor: site.file };
  }
  const reads = settingsReads();
  return { ...(reads ? { reads } : {}), ...(settingsReference ? { reference: settingsReference } : {}) };
}
