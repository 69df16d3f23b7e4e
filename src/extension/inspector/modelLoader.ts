/**
 * Loading the configured models (`variantLens.models`): trust-gated, cached per folder, each
 * model on its own so one broken folder does not hide the others; and the make_examples
 * settings the inspector's pictures use (the first model's, else DeepVariant's defaults).
 *
 * The reads source (siteTensors.ts) and the model service (modelService.ts) both take what
 * they need from here, so neither calls the other: loader → reads source → model service.
 *
 * vscode-free: settings arrive as a plain `ModelLoaderConfig`.
 */
import { VariantLensError, isCancelled, throwIfAborted } from '../../core/errors';
import { modelPipeline } from '../../core/model/makeExamplesParams';
import { loadModel, type LoadedModel } from '../../core/model/onnxModel';
import { checkRegularFile } from '../../core/io/safeOpen';
import { pipelineOptions, type PipelineOptions } from '../../core/pileup/siteExamples';

export interface ModelSettingLike {
  readonly name: string;
  readonly path: string;
}

export interface ModelLoaderConfig {
  readonly trusted: boolean;
  readonly models: readonly ModelSettingLike[];
  /** Shown when untrusted. */
  readonly untrustedReason: string;
}

export interface NamedModel {
  /** The display name from the settings. */
  readonly name: string;
  readonly model: LoadedModel;
}

/** A configured model: loaded, or the reason it could not be. */
export type ModelOrError = { name: string; model: LoadedModel; path: string } | { name: string; error: string; path: string };

/** The encoder settings to use for reads (the first model's make_examples, else DeepVariant's). */
export interface EncoderChoice {
  readonly options: PipelineOptions;
  /** e.g. "default's make_examples settings" / "DeepVariant defaults". */
  readonly label: string;
}

/** A configured model's name and make_examples settings (the review queue's tiles: one image per distinct settings). */
export interface ModelSettings {
  readonly name: string;
  readonly options: PipelineOptions;
}

/** The settings of every model that loads (ModelLoader.modelsEach); broken ones are left out. */
export function modelSettingsOf(each: readonly ModelOrError[]): ModelSettings[] {
  return each.flatMap((m) => ('model' in m ? [{ name: m.name, options: modelPipeline(m.model.exampleInfo, m.model.card?.makeExamplesParams, m.model.dir).options }] : []));
}

export class ModelLoader {
  private readonly cache = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly config: () => ModelLoaderConfig) {}

  /** Whether the model folder has been loaded (or is loading). */
  isLoaded(path: string): boolean {
    return this.cache.has(path);
  }

  /** Loads every configured model (cached per folder). Refuses in an untrusted workspace. */
  async models(signal?: AbortSignal, which?: readonly ModelSettingLike[]): Promise<NamedModel[]> {
    const cfg = this.config();
    if (!cfg.trusted) throw new VariantLensError('unsupported', cfg.untrustedReason);
    const out: NamedModel[] = [];
    for (const m of which ?? cfg.models) {
      throwIfAborted(signal);
      let p = this.cache.get(m.path);
      if (!p) {
        // Not tied to one site's signal: a load cancelled by j/k would otherwise be retried per site.
        // A model named in settings is a directory or a regular .onnx file, nothing else.
        p = checkRegularFile(m.path, 'model file', { allowDirectory: true }).then(() => loadModel(m.path));
        this.cache.set(m.path, p);
        p.catch(() => this.cache.delete(m.path));
      }
      try {
        out.push({ name: m.name, model: await p });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new VariantLensError('model-load-failed', `model "${m.name}" (${m.path}): ${msg}`, m.path);
      }
    }
    return out;
  }

  /**
   * Every configured model, each loaded on its own: a model that fails to load (e.g. its
   * model.onnx input does not match its example_info.json channels) is returned with its
   * error, so the other models still run and the comparison says which one failed and why.
   */
  async modelsEach(signal?: AbortSignal): Promise<ModelOrError[]> {
    const cfg = this.config();
    if (!cfg.trusted) throw new VariantLensError('unsupported', cfg.untrustedReason);
    const out: ModelOrError[] = [];
    for (const m of cfg.models) {
      try {
        out.push({ ...(await this.models(signal, [m]))[0]!, path: m.path });
      } catch (e) {
        if (signal?.aborted || isCancelled(e)) throw e;
        out.push({ name: m.name, error: e instanceof Error ? e.message : String(e), path: m.path });
      }
    }
    return out;
  }

  /** The make_examples settings of the first model (what it saw), for the inspector's images. */
  async encoderChoice(signal: AbortSignal): Promise<EncoderChoice> {
    const cfg = this.config();
    if (!cfg.trusted || cfg.models.length === 0) return { options: pipelineOptions(), label: 'DeepVariant defaults' };
    try {
      const [first] = await this.models(signal);
      const p = modelPipeline(first!.model.exampleInfo, first!.model.card?.makeExamplesParams, first!.model.dir);
      return { options: p.options, label: `${first!.name}'s make_examples settings` };
    } catch (e) {
      if (signal.aborted) throw e;
      // A broken model must not hide the pileup: fall back to the defaults (the model table says why).
      return { options: pipelineOptions(), label: 'DeepVariant defaults' };
    }
  }

  /** Forget loaded models (settings changed). */
  reset(): void {
    this.cache.clear();
  }
}
