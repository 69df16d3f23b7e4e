/**
 * The model-input mismatch detector (docs/deepvariant.md §2.7): a model, an examples file
 * and its example_info.json that disagree on shape or channel ids are refused before any
 * inference or record matching, with one error naming both sides' shapes and channel ids.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { VariantLensError } from '../../../src/core/errors';
import { checkInputAgreement } from '../../../src/core/model/inputAgreement';
import { runModelCheck } from '../../../src/core/model/modelCheck';
import { type LoadedModel, loadModel } from '../../../src/core/model/onnxModel';
import { PROJECT_ROOT, SHARED_DATA, dv, sharedTest } from '../../helpers/paths';
import { modelDir } from './modelFixtures';

const tmp = mkdtempSync(join(tmpdir(), 'vl-agree-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const LAYOUTS = join(SHARED_DATA, 'dv-layouts');

/** The model with predict replaced by a spy: the detector must refuse before it is called. */
function spied(m: LoadedModel): { model: LoadedModel; calls: () => number } {
  let n = 0;
  const model = Object.create(m) as LoadedModel;
  Object.defineProperty(model, 'predict', { value: () => { n++; throw new Error('predict must not run'); } });
  return { model, calls: () => n };
}

async function refusal(modelPath: string, examples: string): Promise<VariantLensError> {
  const loaded = await loadModel(modelPath);
  const { model, calls } = spied(loaded);
  // The CVO path does not exist: the refusal must come before the CVO is opened (no record matching).
  const err = await runModelCheck({ model, examplesPath: examples, cvoPath: join(tmp, 'no-such.cvo.tfrecord.gz') }).then(
    () => assert.fail('accepted'), (e: unknown) => e);
  await loaded.dispose();
  assert.equal(calls(), 0, 'no inference');
  assert.ok(err instanceof VariantLensError, String(err));
  assert.equal(err.code, 'model-shape-mismatch', err.message);
  return err;
}

describe('model input mismatch detector', () => {
  test('one error names both sides: shape, channel ids and names, and the files', () => {
    assert.throws(() => checkInputAgreement(
      { source: 'the model', file: 'm/', shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 19] },
      [{ source: "the examples' example_info.json", file: 'x.json', shape: [100, 221, 7], channels: [1, 2, 3, 4, 5, 6, 8] }],
    ), (e: unknown) => {
      assert.ok(e instanceof VariantLensError && e.code === 'model-shape-mismatch');
      assert.match(e.message, /the model \(m\/\) expects \[100,221,7\] channels \[1,2,3,4,5,6,19\]/);
      assert.match(e.message, /example_info\.json \(x\.json\) is \[100,221,7\] channels \[1,2,3,4,5,6,8\]/);
      assert.match(e.message, /19 insert_size/);
      assert.match(e.message, /8 allele_frequency/);
      return true;
    });
    // Agreeing sides pass; records without channel ids are compared on shape only.
    checkInputAgreement({ source: 'the model', file: 'm', shape: [100, 221, 6], channels: [1, 2, 3, 4, 5, 6] },
      [{ source: "the examples' records", file: 'r', shape: [100, 221, 6], channels: undefined }]);
    // example_info.json and records disagreeing with each other is refused too.
    assert.throws(() => checkInputAgreement({ source: 'the model', file: 'm', shape: [100, 221, 6], channels: [1, 2, 3, 4, 5, 6] }, [
      { source: "the examples' example_info.json", file: 'j', shape: [100, 221, 6], channels: [1, 2, 3, 4, 5, 6] },
      { source: "the examples' records", file: 'r', shape: [300, 221, 6], channels: undefined },
    ]), /records \(r\) are \[300,221,6\]/);
  });

  sharedTest("DeepVariant's 6-channel golden examples given to the 7-channel demo model are refused", async () => {
    const e = await refusal(join(PROJECT_ROOT, 'models', 'default'), dv('golden.calling_examples.tfrecord.gz'));
    assert.match(e.message, /expects \[100,221,7\] channels \[1,2,3,4,5,6,19\]/);
    assert.match(e.message, /\[100,221,6\] channels \[1,2,3,4,5,6\]/);
    assert.match(e.message, /golden\.calling_examples\.tfrecord\.gz\.example_info\.json/);
  });

  sharedTest('the allele-frequency golden (channel 8) given to a model expecting channel 19 is refused', async () => {
    const e = await refusal(join(PROJECT_ROOT, 'models', 'default'), join(LAYOUTS, 'golden.allele_frequency_examples.tfrecord.gz'));
    assert.match(e.message, /channels \[1,2,3,4,5,6,8\]/);
    assert.match(e.message, /needs channel 19 insert_size/);
    assert.match(e.message, /channel 8 allele_frequency the model does not take/);
  });

  sharedTest('a 300-row alt-aligned rows file given to a 100-row model is refused, and so is a file whose example_info.json hides it', async () => {
    const six = modelDir({ arch: 'small', channels: [1, 2, 3, 4, 5, 6] });
    const rows = join(LAYOUTS, 'golden.alt_aligned_pileup_rows_examples.tfrecord.gz');
    const e = await refusal(six, rows);
    assert.match(e.message, /expects \[100,221,6\]/);
    assert.match(e.message, /\[300,221,6\]/);
    assert.match(e.message, /three stacked 100-row blocks/);
    // The same records next to an example_info.json that claims [100,221,6]: the records' own shape is refused.
    const copy = join(tmp, 'rows.tfrecord.gz');
    copyFileSync(rows, copy);
    writeFileSync(copy + '.example_info.json', '{"version": "1.5.0", "shape": [100, 221, 6], "channels": [1, 2, 3, 4, 5, 6]}');
    const e2 = await refusal(six, copy);
    assert.match(e2.message, /records \(.*rows\.tfrecord\.gz\) are \[300,221,6\]/);
  });
});
