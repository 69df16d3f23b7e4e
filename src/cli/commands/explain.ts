/**
 * `variant-lens explain`: why two (or more) models disagree at one site — the cross-run of
 * every model on every model's make_examples parameters, read / channel / column-band
 * occlusion, sensitivity curves and a one-sentence verdict (src/core/explain). Writes
 * DIR/explain.json (the contract, src/core/explain/explainResult.ts) and PNGs: each model's
 * pileup (RGB composite) and its attribution overlay with a scale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VariantLensError, wrapError } from '../../core/errors';
import { openAlignments } from '../../core/io/sam/alignmentReader';
import { openReference } from '../../core/io/fasta/fastaReader';
import { type LoadedModel, loadModel } from '../../core/model/onnxModel';
import { DEFAULT_BAND_WIDTH, DEFAULT_EXPLAIN_SEED, explainSite } from '../../core/explain/explainSite';
import { explainImages } from '../../core/explain/explainImages';
import { encodePng } from '../../core/render/png';
import { renderRgb, scaleNearest } from '../../core/render/showExamples';
import type { ExplainOutput } from '../../core/explain/explainSite';
import { DEFAULT_MAX_ACTIVATION_BYTES, readModelGraph } from '../../core/model/activations/activations';
import { layerGridImage, similarityImage, siteLayersJson } from '../../core/model/activations/layerFigures';
import { resolveLayers } from '../../core/model/activations/layers';
import { siteLayers } from '../../core/model/activations/siteLayers';
import { parseArgs } from '../framework/args';
import type { CliContext } from '../framework/command';
import { registerCommand } from '../framework/registry';

const usage = `usage: variant-lens explain --reads BAM --ref FASTA --model A --model B [--model C ...]
                               --locus chr:pos[:REF>ALT] --out DIR [--seed N] [--band N] [--scale S]
                               [--layers [--layer NAME ...] [--max-activation-mb M]]

Explains why the models disagree at one site and writes DIR/explain.json plus PNGs:
  crossRun[i][j]   model i on images made with model j's make_examples parameters
                   ([P(hom-ref), P(het), P(hom-alt)] as postprocess_variants computes them)
  reads[]          per read: ΔP of the called genotype when its row is dropped, per model
  channels[]       per channel id: ΔP when it is replaced by a realistic baseline (named)
  bands[]          per band of N columns: ΔP when its reads are made to match the reference
  curves           depth, alt fraction, base quality, mapping quality (10+ points, per model)
  verdict          inputs | weights | both | none, and one sentence from the numbers
  --locus          1-based position; REF>ALT (ALT may be A,C) images those alleles, else the
                   first model's candidate there
  --seed N         seed of the curves' read choices (default ${DEFAULT_EXPLAIN_SEED}); same seed, same JSON
  --band N         column band width (default ${DEFAULT_BAND_WIDTH})
  --scale S        PNG enlargement (default 3)
  --layers       also look inside the networks: every model runs once on the first model's
                 images with its layers exposed; writes DIR/layers.json (per model its outputs
                 and per-layer statistics; per layer the similarity of the first two models:
                 linear CKA and pooled cosine, "identical through X; apart from Y on"),
                 layers.<model>.png (per layer the channel mean and the top 4 channels on the
                 pileup) and similarity.png / similarity.svg. Models whose layers do not
                 correspond are compared on their outputs only, and layers.json says so.
  --layer NAME   a layer to show (repeatable; implies --layers): a layer, node or tensor name,
                 "default" (stem + mixed blocks, or each conv block) or "all". An unknown
                 name is an error listing the available layers.
  --max-activation-mb M   memory bound for the exposed activations per image (default 64);
                 layers over it are left out and named in layers.json
PNGs: pileup.<model>.png, attribution.<model>.png, attribution.difference.png (first two models),
curves.png (P(hom-ref) blue, P(het) orange, P(hom-alt) red; one row per model).
No realignment is done (see variant-lens parity).`;

/** `chr:pos[:REF>ALT]` (commas allowed in pos). */
export function parseLocus(text: string): { contig: string; position: number; alleles?: { refBases: string; altBases: string[] } } {
  const m = /^(.+?):([\d,]+)(?::([ACGTNacgtn]+)>([ACGTNacgtn,]+))?$/.exec(text.trim());
  if (!m) throw new VariantLensError('invalid-argument', `--locus "${text}" is not chr:pos or chr:pos:REF>ALT`);
  const position = Number(m[2]!.replace(/,/g, ''));
  if (!Number.isInteger(position) || position < 1) throw new VariantLensError('invalid-argument', `--locus position must be a 1-based integer, got ${m[2]}`);
  const out: { contig: string; position: number; alleles?: { refBases: string; altBases: string[] } } = { contig: m[1]!, position };
  if (m[3]) {
    const altBases = m[4]!.toUpperCase().split(',').filter(Boolean);
    if (altBases.length === 0) throw new VariantLensError('invalid-argument', `--locus "${text}" has no ALT`);
    out.alleles = { refBases: m[3].toUpperCase(), altBases };
  }
  return out;
}

function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * `--layers`: every model on the first model's own images (the same images, so their layers
 * compare), its layers exposed; layers.json, one PNG per model and the similarity plot.
 */
async function writeLayers(out: ExplainOutput, models: readonly LoadedModel[], outDir: string, scale: number,
  options: { layers: readonly string[] | undefined; maxActivationBytes: number; signal: AbortSignal }): Promise<{ written: string[]; text: string }> {
  const k = out.ownSites.findIndex((s) => s !== undefined);
  if (k < 0) throw new VariantLensError('invalid-argument', 'no model has an image at this site: no layer activations to show');
  const site = out.ownSites[k]!;
  const tensors = site.examples.map((e) => e.tensor);
  const layers = await siteLayers(models, tensors, { ...(options.layers ? { layers: options.layers } : {}), maxActivationBytes: options.maxActivationBytes, topK: 4, signal: options.signal });
  const written: string[] = [];
  const pngs: (string | undefined)[] = [];
  for (const [i, m] of layers.models.entries()) {
    const name = `layers.${fileName(models[i]!.name)}.png`;
    const t = tensors[0]!;
    const pileup = [1, 2, 3, 4, 5, 6].every((id) => t.channels.includes(id)) ? renderRgb(t) : undefined;
    const title = `${models[i]!.name} on ${models[k]!.name}'s image ${site.examples[0]!.altAlleles.join(',')} at ${out.result.locus.contig}:${out.result.locus.position}`;
    const png = encodePng(scaleNearest(layerGridImage(title, m.maps[0] ?? [], pileup), Math.min(2, scale)));
    await writeFile(join(outDir, name), png);
    written.push(join(outDir, name));
    pngs.push(name);
  }
  const json = siteLayersJson(layers, { source: `${models[k]!.name}'s make_examples settings (our encoder, no realignment)`, altLabels: site.examples.map((e) => e.altAlleles.join(',')) }, pngs);
  await writeFile(join(outDir, 'layers.json'), `${JSON.stringify(json, null, 1)}\n`);
  written.push(join(outDir, 'layers.json'));
  if (layers.similarity) {
    await writeFile(join(outDir, 'similarity.png'), encodePng(scaleNearest(similarityImage(layers.similarity), 2)));
    await writeFile(join(outDir, 'similarity.svg'), `${layers.similaritySvg ?? ''}\n`);
    written.push(join(outDir, 'similarity.png'), join(outDir, 'similarity.svg'));
  }
  const notes = layers.models.flatMap((m) => m.activations.notes.map((n) => `${m.activations.model}: ${n}`));
  return { written, text: [json.comparison.text, ...notes].join('; ') };
}

async function checkLayerNames(modelPath: string, names: readonly string[] | undefined, signal: AbortSignal): Promise<void> {
  resolveLayers(await readModelGraph(modelPath, signal), names, modelPath);
}

export async function runExplain(argv: string[], ctx: CliContext): Promise<number> {
  const args = parseArgs(argv, {
    reads: { type: 'string' }, ref: { type: 'string' }, model: { type: 'string', multiple: true }, locus: { type: 'string' },
    out: { type: 'string' }, seed: { type: 'string' }, band: { type: 'string' }, scale: { type: 'string' }, sample: { type: 'string' },
    layers: { type: 'boolean' }, layer: { type: 'string', multiple: true }, 'max-activation-mb': { type: 'string' },
  }, usage);
  if (args.positionals.length) throw new VariantLensError('invalid-argument', `unexpected argument "${args.positionals[0]}"\n${usage}`);
  const readsPath = args.required('reads');
  const refPath = args.required('ref');
  const outDir = args.required('out');
  const locus = parseLocus(args.required('locus'));
  const modelDirs = args.all('model');
  if (modelDirs.length === 0) throw new VariantLensError('invalid-argument', `give at least one --model (two to compare)\n${usage}`);
  const seed = args.number('seed', DEFAULT_EXPLAIN_SEED);
  const band = args.number('band', DEFAULT_BAND_WIDTH);
  const scale = args.number('scale', 3);
  if (!Number.isInteger(seed)) throw new VariantLensError('invalid-argument', `--seed must be an integer, got ${seed}`);
  if (!Number.isInteger(band) || band < 1) throw new VariantLensError('invalid-argument', `--band must be a positive integer, got ${band}`);
  if (!Number.isInteger(scale) || scale < 1 || scale > 10) throw new VariantLensError('invalid-argument', `--scale must be an integer 1–10, got ${scale}`);
  const layerNames = args.all('layer');
  const layers = args.flag('layers') || layerNames.length > 0;
  const maxMb = args.number('max-activation-mb', DEFAULT_MAX_ACTIVATION_BYTES / 1048576);
  if (!(maxMb > 0)) throw new VariantLensError('invalid-argument', `--max-activation-mb must be a positive number, got ${maxMb}`);
  const signal = ctx.signal;

  const models: LoadedModel[] = [];
  for (const dir of modelDirs) models.push(await loadModel(dir, signal));
  // Unknown layer names fail before the long explanation runs (the error lists the layers).
  if (layers) for (const m of models) await checkLayerNames(m.modelPath, layerNames.length ? layerNames : undefined, signal);
  const reference = await openReference(refPath, signal);
  const reads = await openAlignments(readsPath, { referencePath: refPath }, signal);
  try {
    const sample = args.string('sample') ?? (await reads.sampleName(signal)) ?? 'default';
    let lastStage = '';
    const t0 = Date.now();
    const out = await explainSite({
      reads, reference, models, contig: locus.contig, position: locus.position, ...(locus.alleles ? { alleles: locus.alleles } : {}),
      seed, bandWidth: band, sampleName: sample, signal,
      onProgress: (p) => {
        if (p.stage !== lastStage) {
          lastStage = p.stage;
          ctx.progress(`explain: ${p.stage} (${p.done}/${p.total} images)`);
        }
      },
    });
    await mkdir(outDir, { recursive: true }).catch((e: unknown) => { throw wrapError(e, 'invalid-argument', outDir, 'cannot create the output folder'); });
    const jsonPath = join(outDir, 'explain.json');
    await writeFile(jsonPath, `${JSON.stringify(out.result, null, 1)}\n`);
    const written = [jsonPath];
    for (const f of explainImages(out, scale)) {
      const p = join(outDir, f.name);
      await writeFile(p, f.png);
      written.push(p);
    }
    if (layers) {
      const l = await writeLayers(out, models, outDir, scale, { layers: layerNames.length ? layerNames : undefined, maxActivationBytes: Math.round(maxMb * 1048576), signal });
      written.push(...l.written);
      ctx.out(`layers: ${l.text}\n`);
    }
    const r = out.result;
    ctx.progress(`explain: ${r.locus.contig}:${r.locus.position} ${r.locus.refBases}>${r.locus.altBases.join(',')}, ${r.models.length} model(s), ${r.reads.length} reads, ${r.channels.length} channels, ${r.bands.length} bands of ${r.bandWidth} columns in ${((Date.now() - t0) / 1000).toFixed(1)} s${r.partial ? ` (partial: ${r.problems.length} problem(s), see explain.json)` : ''}`);
    for (const [i, row] of r.crossRun.entries()) {
      ctx.out(`${r.models[i]!.name} on ${row.map((c, j) => `${r.models[j]!.name}'s images ${c.probs ? `${c.gt} [${c.probs.map((x) => x.toFixed(3)).join(', ')}]` : `- (${c.reason ?? 'no image'})`}`).join('; ')}\n`);
    }
    ctx.out(`${r.verdict.text}\n`);
    for (const p of written) ctx.progress(`explain: wrote ${p}`);
  } finally {
    await Promise.all(models.map((m) => m.dispose()));
    await reads.close();
    await reference.close();
  }
  return 0;
}

registerCommand({ name: 'explain', summary: 'why the models disagree at one site: cross-run, read/channel/band attribution, curves, verdict', usage, run: runExplain });
