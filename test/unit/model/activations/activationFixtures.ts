/**
 * Test models and PyTorch reference activations for the layer-activation tests, made by
 * activationFixtures.py (Debian python3-torch, python3-onnx) into TEST_CACHE/activations and
 * reused across runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PileupTensor } from '../../../../src/core/io/examples/pileupTensor';
import { TEST_CACHE } from '../../../helpers/paths';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = join(__dirname, 'activationFixtures.py');
const CACHE = join(TEST_CACHE, 'activations');

function run(args: string[]): void {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} ${args.join(' ')} failed (needs python3-torch, python3-onnx):\n${r.stderr || r.error?.message}`);
}

/** Model dirs a, a_copy (same weights) and b (shares A's weights through conv block `share`). */
export function splitModels(share: number): { a: string; aCopy: string; b: string } {
  const dir = join(CACHE, `split-share${share}`);
  const done = ['a', 'a_copy', 'b'].every((m) => existsSync(join(dir, m, 'model.onnx')));
  if (!done) {
    mkdirSync(dir, { recursive: true });
    run(['--make-split', '--share', String(share), '--out', dir]);
  }
  return { a: join(dir, 'a'), aCopy: join(dir, 'a_copy'), b: join(dir, 'b') };
}

export interface TorchLayers {
  readonly outputs: number[][];
  readonly layers: { name: string; dims: number[]; data: Float32Array }[];
}

/** PyTorch's outputs and layer activations (forward hooks) of `kind` on `tensors`. */
export function torchActivations(kind: 'split' | 'demo' | 'inception_v3', model: string, tensors: readonly PileupTensor[], seed = 1): TorchLayers {
  const first = tensors[0]!;
  const per = first.height * first.width * first.channels.length;
  const buf = new Uint8Array(tensors.length * per);
  tensors.forEach((t, i) => buf.set(t.data, i * per));
  const modelBytes = kind === 'inception_v3' ? Buffer.from(`seed${seed}`) : readFileSync(model.endsWith('.onnx') ? model : join(model, 'model.onnx'));
  const key = createHash('sha256').update(kind).update(modelBytes).update(buf).digest('hex').slice(0, 16);
  mkdirSync(CACHE, { recursive: true });
  const prefix = join(CACHE, `ref-${kind}-${key}`);
  if (!existsSync(`${prefix}.json`) || !existsSync(`${prefix}.f32`)) {
    const pixels = `${prefix}.u8`;
    writeFileSync(pixels, buf);
    run(['--reference', kind, '--model', model.endsWith('.onnx') ? model : join(model, 'model.onnx'), '--pixels', pixels,
      '--height', String(first.height), '--width', String(first.width), '--channels', first.channels.join(','), '--seed', String(seed), '--out', prefix]);
  }
  const header = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as { outputs: number[][]; layers: { name: string; dims: number[] }[] };
  const raw = readFileSync(`${prefix}.f32`);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let pos = 0;
  const layers = header.layers.map((l) => {
    const n = l.dims.reduce((a, b) => a * b, 1);
    const data = all.subarray(pos, pos + n);
    pos += n;
    return { ...l, data };
  });
  return { outputs: header.outputs, layers };
}
