/**
 * A queue site's tile, made through the inspector's one image path (vscode-free):
 * the record's reads and reference (inspector/siteTensors.ts inputsFor: the VCF's reads
 * choice, else the settings), one encoding per distinct make_examples settings of the
 * configured models through SiteSources.siteExamples (core/model/siteImages.ts
 * SiteImageCache, shared with the inspector), the models grouped by the pixels they saw
 * (siteImages.groupBySight), and per group the first image's RGB composite, downscaled
 * (core/render/thumbnail.ts). An alt-aligned 'rows' image (docs/deepvariant.md §12.3) is drawn
 * as its three blocks with show's grey bands and labelled (blockedThumbnail, rowsBlockLabels).
 * One image when the models saw the same pixels; one per group
 * when they did not. DeepVariant's examples files are not used here (tiles need no exact
 * tensor; the inspector shows it on Enter).
 */
import { isCancelled } from '../../core/errors';
import { groupBySettings, groupBySight } from '../../core/model/siteImages';
import { pipelineOptions, type SiteExamples } from '../../core/pileup/siteExamples';
import { rowsBlockLabels } from '../../core/render/showExamples';
import { blockedThumbnail, pileupThumbnail } from '../../core/render/thumbnail';
import type { QueueImage, QueueTile } from '../../protocol/queueProtocol';
import type { ModelSettings } from '../inspector/modelLoader';
import { imageableAlleles, inputsFor, type SiteSourceConfig, type SiteSources } from '../inspector/siteTensors';
import type { QueueEntry, TileFn } from './queueModel';

export interface TileDeps {
  readonly sources: Pick<SiteSources, 'siteExamples'>;
  readonly config: () => SiteSourceConfig;
  /** The configured models' settings (empty: none configured, or none loads). */
  readonly models: (signal: AbortSignal) => Promise<readonly ModelSettings[]>;
  /** Thumbnail reduction factor (default 2). */
  readonly factor?: number;
}

export function tileMaker(deps: TileDeps): TileFn {
  return async (entry: QueueEntry, signal: AbortSignal): Promise<Omit<QueueTile, 'index'>> => {
    try {
      return await makeTile(entry, deps, signal);
    } catch (e) {
      if (signal.aborted || isCancelled(e)) throw e;
      return { images: [], note: e instanceof Error ? e.message : String(e) };
    }
  };
}

async function makeTile(entry: QueueEntry, deps: TileDeps, signal: AbortSignal): Promise<Omit<QueueTile, 'index'>> {
  const cfg = deps.config();
  if (!cfg.trusted) return { images: [], note: 'untrusted workspace: no reads are read' };
  const record = await entry.record(signal);
  const inputs = inputsFor(record, cfg);
  if (!inputs.reads) return { images: [], note: 'no reads configured for this sample' };
  if (!inputs.reference) return { images: [], note: 'no reference configured' };
  const alleles = imageableAlleles(record);
  const models = await deps.models(signal);
  const groups = models.length > 0
    ? groupBySettings(models, (m) => m.options).map((g) => ({ options: g.options, names: g.members.map((m) => m.name) }))
    : [{ options: pipelineOptions(), names: [] as string[] }];
  const results: { site: SiteExamples; names: string[]; rows: boolean }[] = [];
  for (const g of groups) {
    const { site } = await deps.sources.siteExamples(record.chrom, record.pos, alleles, inputs.reads.path, inputs.reference, signal, g.options);
    results.push({ site, names: g.names, rows: g.options.encoder.altAlignedPileup === 'rows' });
  }
  const images: QueueImage[] = [];
  const notes: string[] = [];
  for (const sight of groupBySight(results)) {
    const names = sight.members.flatMap((m) => m.names);
    const ex = sight.site.examples[0];
    if (!ex) {
      notes.push(`${names.length ? `${names.join(', ')}: ` : ''}${sight.site.noExampleReason ?? 'no image'}`);
      continue;
    }
    images.push(tileImage(ex, sight.members[0]!.rows, names, deps.factor ?? 2));
  }
  return { images, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

/** One tile image: the RGB composite reduced; a 'rows' image as its three labelled blocks. */
export function tileImage(ex: Pick<SiteExamples['examples'][number], 'tensor' | 'altBlocks'>, rows: boolean, models: readonly string[], factor: number): QueueImage {
  if (rows && ex.altBlocks) {
    const t = blockedThumbnail(ex.tensor, 3, factor);
    const alts: [string, string] = [ex.altBlocks[0].alt, ex.altBlocks[1].alt];
    return { models, width: t.width, height: t.height, rgba: t.data, ...(t.layout.blocks === 3 ? { blocks: rowsBlockLabels(t.layout, alts) } : {}) };
  }
  const t = pileupThumbnail(ex.tensor, factor);
  return { models, width: t.width, height: t.height, rgba: t.data };
}
