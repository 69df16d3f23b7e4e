/**
 * Files named in workspace settings open only as regular files (src/core/io/safeOpen.ts
 * checkRegularFile), through the inspector's vscode-free models: the reads and reference of
 * SiteSources (siteTensors.ts) and the models of ModelLoader (modelLoader.ts). A FIFO would
 * block a reader forever and a device such as /dev/zero never ends; an untrusted workspace
 * must not make the host read either. Each is refused before anything is opened, with one
 * VariantLensError naming the path and the problem. A model may be a folder (model.onnx and
 * its JSON files inside), so a folder is opened as a model folder and an empty one fails
 * naming what is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VariantLensError } from '../../../../src/core/errors';
import { ModelLoader } from '../../../../src/extension/inspector/modelLoader';
import { SiteSources, type SiteSourceConfig } from '../../../../src/extension/inspector/siteTensors';

let dir: string;
let fifo: string;
let folder: string;
let fasta: string;
const DEVICE = '/dev/zero';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vl-settings-files-'));
  fifo = join(dir, 'reads.fifo');
  const r = spawnSync('mkfifo', [fifo]);
  assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
  folder = join(dir, 'a-folder');
  mkdirSync(folder);
  fasta = join(dir, 'ref.fa');
  writeFileSync(fasta, '>c\nACGT\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function refused(p: Promise<unknown>, path: string, problem: RegExp, code = 'invalid-argument'): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof VariantLensError, `a VariantLensError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(path), `names ${path}: ${e.message}`);
    assert.match(e.message, problem);
    assert.ok(!e.message.includes('\n    at '), 'no stack trace in the message');
    return true;
  });
}

const NOT_REGULAR = /is not a regular file \(a pipe, device or socket\); a .* named in settings must be a regular file/;

function sources(reads: string, reference: string): SiteSources {
  const cfg: SiteSourceConfig = { trusted: true, reads: { bySample: new Map(), unnamed: [reads] }, reference, examples: [] };
  return new SiteSources(() => cfg);
}

describe('reads and reference named in settings: regular files only', { timeout: 30_000 }, () => {
  test('reads: a FIFO, a device and a directory are refused naming the path (no hang)', async () => {
    for (const [path, problem] of [[fifo, NOT_REGULAR], [DEVICE, NOT_REGULAR], [folder, /is a directory, not a reads file/]] as const) {
      const s = sources(path, fasta);
      await refused(s.alignmentsOf(path), path, problem);
      await s.reset();
    }
  });

  test('reference: a FIFO, a device and a directory are refused naming the path (no hang)', async () => {
    for (const [path, problem] of [[fifo, NOT_REGULAR], [DEVICE, NOT_REGULAR], [folder, /is a directory, not a reference/]] as const) {
      const s = sources(fasta, path);
      await refused(s.referenceOf(path), path, problem);
      await s.reset();
    }
  });

  test('a missing reads file is file-not-found naming it', async () => {
    const missing = join(dir, 'nope.bam');
    await refused(sources(missing, fasta).alignmentsOf(missing), missing, /reads file not found/, 'file-not-found');
  });
});

describe('models named in settings: a regular file or a model folder', { timeout: 30_000 }, () => {
  const loader = (path: string): ModelLoader => new ModelLoader(() => ({ trusted: true, models: [{ name: 'm', path }], untrustedReason: 'untrusted' }));

  test('a FIFO and a device are refused naming the path (no hang)', async () => {
    for (const path of [fifo, DEVICE]) {
      await refused(loader(path).models(), path, /model "m" .*is not a regular file \(a pipe, device or socket\); a model file named in settings must be a regular file/, 'model-load-failed');
    }
  });

  test('a folder is read as a model folder: an empty one fails naming the folder', async () => {
    await assert.rejects(loader(folder).models(), (e: unknown) => {
      assert.ok(e instanceof VariantLensError, String(e));
      assert.equal(e.code, 'model-load-failed', e.message);
      assert.ok(e.message.includes(folder), e.message);
      assert.doesNotMatch(e.message, /not a regular file|is a directory/);
      return true;
    });
  });
});
