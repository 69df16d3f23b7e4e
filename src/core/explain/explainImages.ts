/**
 * The PNGs of an explanation (`variant-lens explain`'s files, the report's images): each
 * model's own pileup (RGB composite, as show_examples draws it), its attribution overlay with
 * a scale bar, the difference overlay of the first two models and the curves. Pure: PNG bytes
 * out, no files.
 */
import { HEADER_HEIGHT, renderRgb, scaleNearest } from '../render/showExamples';
import { encodePng } from '../render/png';
import { heatmapRgba, mapScale, overlayOnRgb, pixelAttribution, scaleBar, stackRgb } from './attributionOverlay';
import type { ExplainOutput } from './explainSite';
import { GENOTYPE_CLASSES } from './explainResult';
import { renderCurves } from './curvePlot';

function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Pileup and attribution PNGs of each model's own image. */
export function explainImages(out: ExplainOutput, scale: number): { name: string; png: Uint8Array }[] {
  const files: { name: string; png: Uint8Array }[] = [];
  const { result, ownSites } = out;
  const drawable = (i: number): boolean => {
    const t = ownSites[i]?.examples[0]?.tensor;
    return t !== undefined && [1, 2, 3, 4, 5, 6].every((id) => t.channels.includes(id));
  };
  const overlay = (i: number, minus: number | undefined, title: string): Uint8Array => {
    const t = ownSites[i]!.examples[0]!.tensor;
    const map = pixelAttribution(result, i, t, minus);
    const s = mapScale(map);
    const base = renderRgb(t);
    const img = scaleNearest(overlayOnRgb(base, heatmapRgba(map, s), HEADER_HEIGHT), scale);
    return encodePng(stackRgb([img, scaleBar(s, img.width, title)]));
  };
  result.models.forEach((m, i) => {
    if (!drawable(i)) return;
    const t = ownSites[i]!.examples[0]!.tensor;
    files.push({ name: `pileup.${fileName(m.name)}.png`, png: encodePng(scaleNearest(renderRgb(t), scale)) });
    const cls = result.crossRun[i]![i]!.genotypeClass ?? GENOTYPE_CLASSES[0];
    files.push({ name: `attribution.${fileName(m.name)}.png`, png: overlay(i, undefined, `dP(${cls}) ${m.name}: red pushes toward it`) });
  });
  files.push({ name: 'curves.png', png: encodePng(scaleNearest(renderCurves(result), Math.min(2, scale))) });
  if (result.models.length >= 2 && drawable(0)) {
    const cls = result.crossRun[0]![0]!.genotypeClass ?? GENOTYPE_CLASSES[0];
    files.push({ name: 'attribution.difference.png', png: overlay(0, 1, `dP(${cls}) ${result.models[0]!.name} - ${result.models[1]!.name} (${result.models[0]!.name}'s image)`) });
  }
  return files;
}

