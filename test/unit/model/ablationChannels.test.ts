/**
 * `ablation_channels` (docs/deepvariant.md §2.7, §5.2): a 1.6+ model's example_info.json may list
 * channels that the examples carry but that are dropped before inference. A 6-channel graph
 * with example_info channels [1..6, 19] and ablation_channels [19] takes 7-channel examples and
 * gives exactly what the 6-channel model gives on the first six channels.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadModel } from '../../../src/core/model/onnxModel';
import type { PileupTensor } from '../../../src/core/io/examples/pileupTensor';
import { modelDir, syntheticTensors } from './modelFixtures';

const tmp = mkdtempSync(join(tmpdir(), 'vl-ablate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('ablation_channels are dropped before inference', async () => {
  const six = modelDir({ arch: 'small', channels: [1, 2, 3, 4, 5, 6] });
  const dir = join(tmp, 'ablated');
  mkdirSync(dir);
  copyFileSync(join(six, 'model.onnx'), join(dir, 'model.onnx'));
  writeFileSync(join(dir, 'example_info.json'), JSON.stringify({ version: '1.6.0', shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 19], ablation_channels: [19] }));
  const seven = syntheticTensors(3, [1, 2, 3, 4, 5, 6, 19], 7);
  const firstSix: PileupTensor[] = seven.map((t) => {
    const data = new Uint8Array(100 * 221 * 6);
    for (let p = 0; p < 100 * 221; p++) for (let k = 0; k < 6; k++) data[p * 6 + k] = t.data[p * 7 + k]!;
    return { height: 100, width: 221, channels: [1, 2, 3, 4, 5, 6], data };
  });
  const ablated = await loadModel(dir);
  const plain = await loadModel(six);
  try {
    assert.deepEqual(ablated.exampleInfo.channels, [1, 2, 3, 4, 5, 6, 19]);
    const a = await ablated.predict(seven);
    const b = await plain.predict(firstSix);
    assert.equal(a.length, 3);
    for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) assert.equal(a[i]![k], b[i]![k]);
    // Changing only the ablated channel changes nothing; the examples must still carry it.
    for (const t of seven) for (let p = 0; p < 100 * 221; p++) t.data[p * 7 + 6] = 254 - t.data[p * 7 + 6]!;
    assert.deepEqual(await ablated.predict(seven), a);
    await assert.rejects(ablated.predict(firstSix), /model expects 7 channels/);
  } finally {
    await ablated.dispose();
    await plain.dispose();
  }
});
