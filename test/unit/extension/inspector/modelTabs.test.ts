/**
 * The inspector's tabs after the models ran (modelService.ts tensorsWithModels), with synthetic
 * images: the tabs shown get "seen by" the models that saw them (the shown encoding itself, or
 * the same pixels from other settings or from DeepVariant's examples); other images become
 * extra tabs, one per distinct image, named after the first model that saw it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SiteModelCall } from '../../../../src/core/model/modelCaller';
import type { SiteExamples } from '../../../../src/core/pileup/siteExamples';
import { tensorsWithModels } from '../../../../src/extension/inspector/modelService';
import { payloadsFromSite } from '../../../../src/extension/inspector/siteTensors';
import type { TensorPayload } from '../../../../src/protocol/protocol';

function fakeSite(fills: readonly number[], alts: readonly string[] = fills.map((_, i) => 'TGC'[i]!)): SiteExamples {
  return {
    contig: 'chr1', start: 99, position: 100, refBases: 'A', altBases: alts, alleleSource: 'candidate', windowStart: 98, windowBases: 'CAG',
    rows: [], rowReads: [],
    examples: fills.map((f, i) => ({ altAlleleIndices: [i], altAlleles: [alts[i]!], tensor: { height: 2, width: 3, channels: [1, 2], data: new Uint8Array(12).fill(f) }, supports: new Uint8Array(0) })),
  } as unknown as SiteExamples;
}
const call = (name: string, site: SiteExamples) => ({ name, result: { site } as unknown as SiteModelCall });

test('the shown encoding: every tab is seen by the models that share it; nothing extra', () => {
  const site = fakeSite([1, 2]);
  const shown = { tensors: payloadsFromSite(site, 'reads: x.bam'), siteExamples: site };
  const tabs = tensorsWithModels(shown, [call('default', site), call('again', site)]);
  assert.equal(tabs.length, 2);
  for (const t of tabs) assert.deepEqual(t.seenBy, ['default', 'again']);
});

test('other settings: identical pixels join the shown tabs, different ones become extra tabs (deduplicated)', () => {
  const site = fakeSite([1, 2]);
  const shown = { tensors: payloadsFromSite(site, 'reads: x.bam'), siteExamples: site };
  const samePixels = fakeSite([1, 2]);
  const partly = fakeSite([1, 9]);
  const tabs = tensorsWithModels(shown, [call('default', site), call('twin', samePixels), call('retrained', partly), call('retrained2', fakeSite([1, 9]))]);
  assert.deepEqual(tabs.map((t) => [t.altLabel, t.seenBy]), [
    ['T', ['default', 'twin', 'retrained', 'retrained2']],
    ['G', ['default', 'twin']],
    ['G', ['retrained', 'retrained2']],
  ]);
  assert.equal(tabs[2]!.source, "reads (Variant Lens encoder, retrained's make_examples settings)");
  assert.equal(tabs[2]!.data[0], 9);
  assert.equal(tabs[2]!.candidateColumn, 1);
});

test('DeepVariant\'s examples shown: a model image with the same pixels marks that tab; no models, no change', () => {
  const site = fakeSite([4]);
  const dvTab: TensorPayload = { height: 2, width: 3, channels: [1, 2], data: new Uint8Array(12).fill(4), source: 'examples: x.tfrecord (DeepVariant)', altLabel: 'T' };
  const tabs = tensorsWithModels({ tensors: [dvTab] }, [call('default', site)]);
  assert.deepEqual(tabs.map((t) => t.seenBy), [['default']]);
  assert.deepEqual(tensorsWithModels({ tensors: [dvTab] }, []), [dvTab]);
  const other = tensorsWithModels({ tensors: [dvTab] }, [call('default', fakeSite([5]))]);
  assert.equal(other.length, 2);
  assert.equal(other[0]!.seenBy, undefined);
});
