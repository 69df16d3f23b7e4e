/**
 * The agent surface: three tools over the same core the views use, shared by the stdio MCP
 * server (`variant-lens mcp`) and the VS Code language-model tools
 * (src/extension/agent/registerAgentTools.ts), which only adapt the inputs and outputs.
 *
 *   list_disputed_sites({a, b, limit?})        the disputes of the A-vs-B diff (core/diff),
 *                                              ranked as the report ranks them
 *                                              (core/report/disputeScore)
 *   inspect_site({locus, vcfs?})               the VCF records at the site, every configured
 *                                              model's GT/GQ/QUAL/PL and probabilities re-run
 *                                              on its own images (core/report/siteEvidence,
 *                                              the report's code), the images as PNG, and the
 *                                              explanation's verdict (core/explain, cross-run
 *                                              only) when two or more models are configured
 *   record_verdict({review, locus, verdict, note?})   one verdict in a review file
 *                                              (core/review/reviewStore: lock, merge, atomic
 *                                              write); the one writing tool
 *
 * Every file opened is checked by a RootGuard (under the roots, symlinks followed). A tool
 * never throws: bad arguments, a refused path, an unknown site or a reader error come back
 * as one error output with a clear message (toolErrors.ts: no file content in it).
 *
 * Coordinates: a locus is `contig:POS[:REF>ALT]` with the 1-based VCF POS.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { VariantLensError, throwIfAborted } from '../core/errors';
import type { DiffSite } from '../core/diff/diffClasses';
import { diffVcfs } from '../core/diff/vcfDiff';
import { explainSite } from '../core/explain/explainSite';
import { openReference } from '../core/io/fasta/fastaReader';
import type { ReferenceSource } from '../core/io/fasta/referenceSource';
import { openAlignments, type AlignmentFile } from '../core/io/sam/alignmentReader';
import { openVcf } from '../core/io/vcf/vcfReader';
import type { VcfRecord } from '../core/io/vcf/vcfRecord';
import { ModelCaller } from '../core/model/modelCaller';
import { loadModel, type LoadedModel } from '../core/model/onnxModel';
import { mostDisputedSites } from '../core/report/disputeScore';
import { isDispute } from '../core/diff/diffClasses';
import { collectSiteEvidence } from '../core/report/siteEvidence';
import { nowIso, type ModelSnapshot } from '../core/review/reviewFormat';
import { ReviewStore, defaultReviewer } from '../core/review/reviewStore';
import { vocabularyForModels, type Vocabulary, type VocabularySetting } from '../core/review/vocabulary';
import type { AgentSettings } from './agentSettings';
import type { RootGuard } from './rootGuard';
import { ToolInputError, toolErrorMessage } from './toolErrors';

/** JSON Schema of a tool's arguments (the subset both MCP and VS Code read). */
interface JsonSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly required: readonly string[];
  readonly additionalProperties: false;
}

export interface AgentToolSpec {
  /** MCP tool name (fixed interface). */
  readonly name: 'list_disputed_sites' | 'inspect_site' | 'record_verdict';
  /** VS Code language-model tool name (package.json `languageModelTools`). */
  readonly lmName: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  /** False for the one tool that writes (record_verdict). */
  readonly readOnly: boolean;
}

const LOCUS_TEXT = 'contig:POS or contig:POS:REF>ALT (1-based VCF POS), e.g. chr21:16799:T>C';

export const AGENT_TOOLS: readonly AgentToolSpec[] = [
  {
    name: 'list_disputed_sites',
    lmName: 'variantLens_listDisputedSites',
    title: 'List disputed sites',
    description: 'Diffs two VCFs (after normalization) and lists the disputes — sites where the calls differ: gt-change, filter-change, only-A, only-B — ranked as the Variant Lens report ranks them: score = 1000·[GT differs] + 100·[FILTER differs] + min(|ΔQUAL|, 99.9), ties in genome order. Each site has its locus, classes, score and both sides\' GT/GQ/QUAL/FILTER.',
    inputSchema: {
      type: 'object',
      properties: {
        a: { type: 'string', description: 'VCF A (path under the workspace / server roots; relative to the first root)' },
        b: { type: 'string', description: 'VCF B' },
        limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'Most sites to list (default 20)' },
      },
      required: ['a', 'b'],
      additionalProperties: false,
    },
    readOnly: true,
  },
  {
    name: 'inspect_site',
    lmName: 'variantLens_inspectSite',
    title: 'Inspect a site',
    description: `What the VCFs recorded and what every configured model says at one site: the VCF records (GT, GQ, QUAL, FILTER, DP, AD, VAF per sample), each model's GT/GQ/QUAL/PL and P(hom-ref, het, hom-alt) per image, re-run on the pileup images made with its own make_examples parameters, the images as PNG, and, with two or more models, the explanation's verdict (do the models disagree because of their inputs or their weights). Locus: ${LOCUS_TEXT}.`,
    inputSchema: {
      type: 'object',
      properties: {
        locus: { type: 'string', description: LOCUS_TEXT },
        vcfs: { type: 'array', items: { type: 'string' }, maxItems: 16, description: 'VCFs to read the records from (default: the .vcf.gz files at the top of the first root)' },
      },
      required: ['locus'],
      additionalProperties: false,
    },
    readOnly: true,
  },
  {
    name: 'record_verdict',
    lmName: 'variantLens_recordVerdict',
    title: 'Record a verdict',
    description: `Writes one verdict for one site into a Variant Lens review file (replacing the site's earlier verdict; the file is locked, merged and written atomically). Locus: contig:POS:REF>ALT as the VCF record has them. Verdict: one of the workspace vocabulary's ids (the model-dispute default: <model>-correct for each configured model, both-correct, both-wrong, uncertain).`,
    inputSchema: {
      type: 'object',
      properties: {
        review: { type: 'string', description: 'The review file (e.g. variant-lens.review.tsv), under the roots' },
        locus: { type: 'string', description: 'contig:POS:REF>ALT (1-based VCF POS)' },
        verdict: { type: 'string', description: 'A verdict id of the vocabulary' },
        note: { type: 'string', maxLength: 4000, description: 'Free text kept with the verdict' },
      },
      required: ['review', 'locus', 'verdict'],
      additionalProperties: false,
    },
    readOnly: false,
  },
];

export interface ToolImage {
  /** What the image shows (models, alts, kind). */
  readonly caption: string;
  readonly png: Uint8Array;
}

/** What a tool returns: JSON text (and its value), images; `isError` with a one-line message. */
export interface ToolOutput {
  readonly isError: boolean;
  readonly text: string;
  readonly value?: unknown;
  readonly images: readonly ToolImage[];
}

export interface Locus {
  readonly contig: string;
  /** 1-based VCF POS. */
  readonly pos: number;
  readonly ref?: string;
  readonly alt?: string;
}

const LOCUS = /^([^\s:]+(?::[^\s:]+)*?):([0-9][0-9,]*)(?::([A-Za-z]+)>([A-Za-z*.,<>[\]:0-9_-]+))?$/;

/** Parses `contig:POS[:REF>ALT]`; `needAlleles` makes REF>ALT required. */
export function parseLocus(text: unknown, needAlleles = false): Locus {
  if (typeof text !== 'string' || text.trim() === '') throw new ToolInputError(`locus must be a string: ${LOCUS_TEXT}`);
  const m = LOCUS.exec(text.trim());
  if (!m) throw new ToolInputError(`locus ${JSON.stringify(text.slice(0, 200))} is not ${needAlleles ? 'contig:POS:REF>ALT' : LOCUS_TEXT}`);
  const pos = Number(m[2]!.replace(/,/g, ''));
  if (!Number.isSafeInteger(pos) || pos < 1) throw new ToolInputError(`locus ${text}: POS must be a 1-based position`);
  if (needAlleles && !m[3]) throw new ToolInputError(`locus ${text}: give the alleles too, contig:POS:REF>ALT (e.g. chr21:16799:T>C)`);
  return { contig: m[1]!, pos, ...(m[3] ? { ref: m[3].toUpperCase(), alt: m[4]! } : {}) };
}

function formatLocus(l: { contig: string; pos: number; ref?: string; alt?: string }): string {
  return l.ref !== undefined ? `${l.contig}:${l.pos}:${l.ref}>${l.alt}` : `${l.contig}:${l.pos}`;
}

/** The arguments as an object with only the schema's keys, each of the right type. */
function checkArgs(spec: AgentToolSpec, args: unknown): Record<string, unknown> {
  if (args === undefined || args === null) args = {};
  if (typeof args !== 'object' || Array.isArray(args)) throw new ToolInputError('the arguments must be a JSON object');
  const obj = args as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(k in spec.inputSchema.properties)) throw new ToolInputError(`unknown argument "${k.slice(0, 60)}"; the arguments are ${Object.keys(spec.inputSchema.properties).join(', ')}`);
  }
  for (const k of spec.inputSchema.required) if (obj[k] === undefined) throw new ToolInputError(`missing argument "${k}"`);
  for (const [k, schema] of Object.entries(spec.inputSchema.properties)) {
    const v = obj[k];
    if (v === undefined) continue;
    if (schema.type === 'string' && typeof v !== 'string') throw new ToolInputError(`argument "${k}" must be a string`);
    if (schema.type === 'string' && typeof schema.maxLength === 'number' && (v as string).length > schema.maxLength) throw new ToolInputError(`argument "${k}" is longer than ${schema.maxLength} characters`);
    if (schema.type === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ToolInputError(`argument "${k}" must be an integer`);
      if ((typeof schema.minimum === 'number' && v < schema.minimum) || (typeof schema.maximum === 'number' && v > schema.maximum)) {
        throw new ToolInputError(`argument "${k}" must be between ${String(schema.minimum)} and ${String(schema.maximum)}`);
      }
    }
    if (schema.type === 'array') {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ToolInputError(`argument "${k}" must be a list of strings`);
      if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) throw new ToolInputError(`argument "${k}" lists more than ${schema.maxItems} entries`);
    }
  }
  return obj;
}

function specOf(name: string): AgentToolSpec | undefined {
  return AGENT_TOOLS.find((t) => t.name === name || t.lmName === name);
}

export interface AgentToolboxOptions {
  readonly guard: RootGuard;
  /** Read on every call (the extension's settings can change). */
  readonly settings: () => AgentSettings;
}

/** Reads, reference and models opened once and reused across calls (the same settings). */
interface ModelResources {
  readonly key: string;
  readonly reads: AlignmentFile;
  readonly readsPath: string;
  readonly reference: ReferenceSource & { close(): Promise<void> };
  readonly models: readonly LoadedModel[];
  readonly names: readonly string[];
  readonly caller: ModelCaller;
}

export interface VerdictConfirmation {
  readonly title: string;
  readonly message: string;
}

/** What record_verdict will write, for a confirmation before it runs. Never throws. */
export function verdictConfirmation(args: unknown): VerdictConfirmation {
  const spec = specOf('record_verdict')!;
  try {
    const a = checkArgs(spec, args);
    const locus = parseLocus(a.locus, true);
    const note = typeof a.note === 'string' && a.note !== '' ? ` with the note “${a.note.length > 200 ? `${a.note.slice(0, 200)}…` : a.note}”` : '';
    return {
      title: 'Record a Variant Lens verdict?',
      message: `Set the verdict of ${formatLocus(locus)} to “${String(a.verdict)}”${note} in the review file ${String(a.review)}. This replaces the site's earlier verdict.`,
    };
  } catch (e) {
    return { title: 'Record a Variant Lens verdict?', message: `The arguments are not valid, so nothing will be written: ${toolErrorMessage(spec.name, e)}` };
  }
}

/** The three tools over one set of roots and settings. */
export class AgentToolbox {
  private resources: Promise<ModelResources> | undefined;
  private resourcesKey = '';
  /**
   * What each model said at the sites inspect_site ran the models on (latest 1000), so that
   * record_verdict stores it with the verdict, as the views do (review format `models`).
   */
  private readonly snapshots = new Map<string, ModelSnapshot[]>();

  constructor(private readonly options: AgentToolboxOptions) {}

  /** Runs a tool by its MCP or language-model name. Never throws. */
  async run(name: string, args: unknown, signal?: AbortSignal): Promise<ToolOutput> {
    const spec = specOf(name);
    if (!spec) return { isError: true, text: `unknown tool "${String(name).slice(0, 60)}"; the tools are ${AGENT_TOOLS.map((t) => t.name).join(', ')}`, images: [] };
    try {
      const a = checkArgs(spec, args);
      const { value, images } = spec.name === 'list_disputed_sites' ? await this.listDisputedSites(a, signal)
        : spec.name === 'inspect_site' ? await this.inspectSite(a, signal)
          : await this.recordVerdict(a, signal);
      return { isError: false, text: JSON.stringify(value, null, 1), value, images };
    } catch (e) {
      return { isError: true, text: toolErrorMessage(spec.name, e), images: [] };
    }
  }

  async dispose(): Promise<void> {
    const r = this.resources;
    this.resources = undefined;
    if (!r) return;
    try {
      const res = await r;
      await Promise.allSettled([res.reads.close(), res.reference.close(), ...res.models.map((m) => m.dispose())]);
    } catch {
      // opening failed: nothing to close
    }
  }

  private get guard(): RootGuard {
    return this.options.guard;
  }

  private async openReferenceFromSettings(settings: AgentSettings, signal?: AbortSignal): Promise<{ ref: (ReferenceSource & { close(): Promise<void> }) | undefined; note?: string }> {
    if (!settings.reference) return { ref: undefined, note: 'no variantLens.reference in the settings: indels are compared without left-alignment' };
    if (!settings.trusted) return { ref: undefined, note: 'the workspace is not trusted: the reference named in the settings is not read, so indels are compared without left-alignment' };
    const p = this.guard.existing(settings.reference, 'variantLens.reference');
    return { ref: await openReference(p, signal) };
  }

  private async listDisputedSites(a: Record<string, unknown>, signal?: AbortSignal): Promise<{ value: unknown; images: ToolImage[] }> {
    const pathA = this.guard.existing(a.a as string, 'VCF a');
    const pathB = this.guard.existing(a.b as string, 'VCF b');
    const limit = (a.limit as number | undefined) ?? 20;
    const settings = this.options.settings();
    const { ref, note } = await this.openReferenceFromSettings(settings, signal);
    const disputes: DiffSite[] = [];
    let differing = 0;
    try {
      const va = await openVcf(pathA, signal);
      const vb = await openVcf(pathB, signal);
      try {
        await diffVcfs(va, vb, { ...(ref ? { reference: ref } : {}), onSite: (s) => { differing++; if (isDispute(s)) disputes.push(s); } }, signal);
      } finally {
        await va.close();
        await vb.close();
      }
    } finally {
      await ref?.close();
    }
    const side = (c: DiffSite['a']): unknown => (c ? { gt: c.gt, recordGt: c.recordGt, gq: c.gq ?? null, qual: c.qual ?? null, filter: c.filter } : null);
    const ranked = mostDisputedSites(disputes, limit);
    return {
      value: {
        a: this.guard.display(pathA), b: this.guard.display(pathB),
        disputes: disputes.length, differingSites: differing, listed: ranked.length,
        ranking: 'score = 1000·[GT differs] + 100·[FILTER differs] + min(|ΔQUAL|, 99.9); a side without the allele counts as GT 0/0, FILTER absent, QUAL 0; ties in genome order',
        ...(note ? { note } : {}),
        sites: ranked.map((r) => ({
          rank: r.rank, locus: formatLocus(r.site), kind: r.site.kind, classes: r.site.classes,
          score: Math.round(r.dispute.score * 10) / 10, gtDiffers: r.dispute.gtDiffers, filterDiffers: r.dispute.filterDiffers,
          a: side(r.site.a), b: side(r.site.b),
        })),
      },
      images: [],
    };
  }

  private defaultVcfs(): string[] {
    const root = this.guard.roots[0]!;
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return [];
    }
    return names.filter((n) => /\.vcf\.gz$/i.test(n)).sort().slice(0, 16).map((n) => path.join(root, n));
  }

  private async recordsAt(vcfPath: string, locus: Locus, signal?: AbortSignal): Promise<{ samples: readonly string[]; contigKnown: boolean; records: VcfRecord[] }> {
    const v = await openVcf(vcfPath, signal);
    try {
      const header = await v.header(signal);
      const contigKnown = header.contigs.length === 0 || header.contigs.some((c) => c.name === locus.contig);
      const records: VcfRecord[] = [];
      if (contigKnown) {
        try {
          for await (const r of v.query(locus.contig, locus.pos - 1, locus.pos, signal)) {
            if (r.pos !== locus.pos) continue;
            if (locus.ref !== undefined && (r.ref !== locus.ref || !r.alts.includes(locus.alt!))) continue;
            records.push(r);
          }
        } catch (e) {
          if (!(e instanceof VariantLensError && e.code === 'contig-not-found')) throw e;
        }
      }
      return { samples: header.samples, contigKnown, records };
    } finally {
      await v.close();
    }
  }

  private async modelResources(settings: AgentSettings, sample: string | undefined, signal?: AbortSignal): Promise<ModelResources> {
    if (!settings.trusted) throw new ToolInputError('the workspace is not trusted (Restricted Mode): the reads, reference and models named in its settings are not opened. Trust the workspace to inspect sites');
    const readsSetting = (sample !== undefined ? settings.reads.bySample.get(sample) : undefined) ?? [...settings.reads.bySample.values()][0] ?? settings.reads.unnamed[0];
    const missing = [!readsSetting && 'variantLens.reads', !settings.reference && 'variantLens.reference', settings.models.length === 0 && 'variantLens.models'].filter(Boolean);
    if (missing.length > 0) throw new ToolInputError(`the settings do not name ${missing.join(', ')}`);
    const readsPath = this.guard.existing(readsSetting!, 'variantLens.reads');
    const refPath = this.guard.existing(settings.reference!, 'variantLens.reference');
    const modelDirs = settings.models.map((m) => this.guard.existing(m.path, `model ${m.name} (variantLens.models)`, 'folder'));
    const key = JSON.stringify([readsPath, refPath, modelDirs, settings.models.map((m) => m.name)]);
    if (this.resources && this.resourcesKey === key) {
      try {
        return await this.resources;
      } catch {
        // a failed open is retried below
      }
    }
    await this.dispose();
    this.resourcesKey = key;
    this.resources = (async () => {
      const models: LoadedModel[] = [];
      try {
        for (const dir of modelDirs) models.push(await loadModel(dir, signal));
        const reference = await openReference(refPath, signal);
        const reads = await openAlignments(readsPath, { referencePath: refPath }, signal);
        return { key, reads, readsPath, reference, models, names: settings.models.map((m) => m.name), caller: new ModelCaller(reads, reference, models) };
      } catch (e) {
        await Promise.allSettled(models.map((m) => m.dispose()));
        throw e;
      }
    })();
    const r = this.resources;
    r.catch(() => { if (this.resources === r) this.resources = undefined; });
    return r;
  }

  private async inspectSite(a: Record<string, unknown>, signal?: AbortSignal): Promise<{ value: unknown; images: ToolImage[] }> {
    const locus = parseLocus(a.locus);
    const vcfPaths = a.vcfs !== undefined ? (a.vcfs as string[]).map((p, i) => this.guard.existing(p, `vcfs[${i}]`)) : this.defaultVcfs();
    const settings = this.options.settings();
    const notes: string[] = [];
    const records: unknown[] = [];
    let firstRecord: VcfRecord | undefined;
    let firstSample: string | undefined;
    let contigKnown = vcfPaths.length === 0;
    for (const p of vcfPaths) {
      throwIfAborted(signal);
      const got = await this.recordsAt(p, locus, signal);
      contigKnown ||= got.contigKnown;
      firstSample ??= got.samples[0];
      for (const r of got.records) {
        firstRecord ??= r;
        records.push({
          vcf: this.guard.display(p), ...(r.lineNumber > 0 ? { line: r.lineNumber } : {}), contig: r.contig, pos: r.pos, id: r.id, ref: r.ref, alts: r.alts, qual: r.qual ?? null, filter: r.filters.join(';') || '.',
          samples: got.samples.map((s, i) => ({
            sample: s, gt: r.sampleField(i, 'GT') ?? null, gq: num(r.sampleField(i, 'GQ')), dp: num(r.sampleField(i, 'DP')),
            ad: r.sampleField(i, 'AD') ?? null, vaf: r.sampleField(i, 'VAF') ?? null, pl: r.sampleField(i, 'PL') ?? null,
          })),
        });
      }
    }
    if (!contigKnown) throw new ToolInputError(`unknown site ${formatLocus(locus)}: contig ${locus.contig} is in none of the VCFs (${vcfPaths.map((p) => this.guard.display(p)).join(', ')})`);
    if (vcfPaths.length === 0) notes.push('no VCF given and no .vcf.gz at the top of the first root: no records');
    else if (records.length === 0) notes.push(`no VCF record at ${formatLocus(locus)}`);

    const alleles = locus.ref !== undefined ? { refBases: locus.ref, altBases: [locus.alt!] } : firstRecord ? { refBases: firstRecord.ref, altBases: [...firstRecord.alts] } : undefined;
    const images: ToolImage[] = [];
    let models: unknown[] = [];
    let explanation: unknown = null;
    if (!alleles) {
      notes.push('the models are not run: give the alleles (contig:POS:REF>ALT) or a VCF with a record at the site');
    } else {
      const res = await this.modelResources(settings, firstSample, signal);
      const contigs = await res.reference.contigs(signal);
      const contig = contigs.find((c) => c.name === locus.contig);
      if (!contig) throw new ToolInputError(`unknown site ${formatLocus(locus)}: contig ${locus.contig} is not in the reference`);
      if (contig.length !== undefined && locus.pos > contig.length) throw new ToolInputError(`unknown site ${formatLocus(locus)}: POS is past the end of ${locus.contig} (${contig.length} bp)`);
      const sample = firstSample ?? (await res.reads.sampleName(signal)) ?? 'default';
      const ev = await collectSiteEvidence({ caller: res.caller, names: res.names, contig: locus.contig, position: locus.pos, refBases: alleles.refBases, altBases: alleles.altBases, sample, signal });
      models = res.names.map((name, i) => {
        const c = ev.calls[i];
        const group = ev.groups.find((g) => g.models.includes(name));
        return {
          model: name,
          ...(c ? { gt: c.gt, gq: c.gq, qual: c.qual, filter: c.filter, pl: c.pl, ref: c.refBases, alts: c.altBases, fromCandidate: c.fromCandidate } : { gt: null, note: group?.noExampleReason ?? 'no image at this site' }),
          probabilities: (group?.images ?? []).map((im) => ({ alts: im.altAlleles, hom_ref_het_hom_alt: im.probabilities[name] ?? null })),
          candidate: group?.candidate ?? false, dp: group?.dp ?? null, ad: group?.ad ?? null,
        };
      });
      const snap: ModelSnapshot[] = [];
      ev.calls.forEach((c, i) => {
        const model = res.names[i]!;
        if (!/^[A-Za-z0-9_.+\-/@]+$/.test(model)) return;
        snap.push(c ? { model, gt: c.gt, gq: c.gq, qual: Math.round(c.qual * 10) / 10 } : { model });
      });
      const key = formatLocus({ contig: locus.contig, pos: locus.pos, ref: alleles.refBases, alt: alleles.altBases.join(',') });
      this.snapshots.delete(key);
      this.snapshots.set(key, snap);
      if (this.snapshots.size > 1000) this.snapshots.delete(this.snapshots.keys().next().value!);
      for (const g of ev.groups) {
        const im = g.images[0];
        if (!im) continue;
        const who = g.models.join(', ');
        if (im.rgbPng) images.push({ caption: `${who}: RGB composite of the pileup, alts ${im.altAlleles.join(',')}`, png: im.rgbPng });
        images.push({ caption: `${who}: channels of the pileup (show_examples), alts ${im.altAlleles.join(',')}`, png: im.channelsPng });
      }
      if (res.models.length >= 2) {
        try {
          const out = await explainSite({
            reads: res.reads, reference: res.reference, models: res.models, contig: locus.contig, position: locus.pos,
            alleles, sampleName: sample, signal, stages: { occlusion: false, curves: false },
          });
          explanation = { verdict: out.result.verdict.kind, summary: out.result.verdict.text, dispute: out.result.verdict.dispute };
        } catch (e) {
          notes.push(`no explanation: ${toolErrorMessage('explain', e)}`);
        }
      }
      notes.push('model calls are for this site alone (no haplotype-conflict resolution across neighbouring sites, which variant-lens call applies)');
    }
    return {
      value: { locus: formatLocus({ ...locus, ...(alleles ? { ref: alleles.refBases, alt: alleles.altBases.join(',') } : {}) }), records, models, explanation, images: images.map((i) => i.caption), notes },
      images,
    };
  }

  private vocabulary(settings: AgentSettings): Vocabulary {
    const raw = settings.vocabulary;
    const names = settings.models.map((m) => m.name);
    const setting: VocabularySetting = typeof raw === 'string' ? (raw === '' ? {} : { preset: raw }) : raw && typeof raw === 'object' ? raw as VocabularySetting : {};
    return vocabularyForModels(setting, names, 'variantLens.review.vocabulary');
  }

  private async recordVerdict(a: Record<string, unknown>, signal?: AbortSignal): Promise<{ value: unknown; images: ToolImage[] }> {
    const locus = parseLocus(a.locus, true);
    const reviewPath = this.guard.writable(a.review as string, 'review');
    const settings = this.options.settings();
    const vocab = this.vocabulary(settings);
    const verdict = (a.verdict as string).trim();
    if (!vocab.verdicts.some((v) => v.id === verdict)) {
      throw new ToolInputError(`verdict "${verdict.slice(0, 60)}" is not in the vocabulary; use one of ${vocab.verdicts.map((v) => v.id).join(', ')}`);
    }
    const store = await ReviewStore.open(reviewPath, { signal });
    const site = { contig: locus.contig, pos: locus.pos, ref: locus.ref!, alt: locus.alt! };
    const before = store.entriesAt(site).find((e) => e.site.alt === site.alt && e.site.sample === undefined);
    await store.set({
      ...site, verdict, tags: [], note: typeof a.note === 'string' ? a.note : '',
      reviewer: settings.reviewer || defaultReviewer(), time: nowIso(), models: this.snapshots.get(formatLocus(site)) ?? [],
    }, signal);
    return {
      value: {
        review: this.guard.display(reviewPath), locus: formatLocus(site), verdict,
        replaced: before ? before.versions.map((v) => v.verdict) : [], sitesInFile: store.stats().sites,
      },
      images: [],
    };
  }
}

function num(s: string | undefined): number | null {
  if (s === undefined || s === '.') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
