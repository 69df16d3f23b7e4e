/**
 * example_info.json (docs/deepvariant.md §2.7): `{"version": "1.5.0", "shape": [H, W, C], "channels": [ids…]}`,
 * written by make_examples next to the examples (`<examples>.example_info.json`) and shipped
 * with every DeepVariant model (`<model>/example_info.json`); call_variants refuses examples
 * whose shape or channels differ from the model's. 1.6+ files may add `ablation_channels`
 * (channels dropped before inference): the model loader feeds the graph the other channels
 * (src/core/model/onnxModel.ts, docs/decisions/0007-model-input-layout.md).
 *
 * This module is the only parser of the file: the examples readers (io), the encoder
 * (pileup), the models (model) and the CLI all use it.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VariantLensError, throwIfAborted, wrapError } from '../../errors';
import { CHANNEL_NAMES, CHANNELS_DV15, CHANNELS_WGS } from './channelIds';
import { expandShardSpec, parseShardName } from './tfrecord';

export interface ExampleInfo {
  /** DeepVariant version that wrote it ("unknown" when the file has none). */
  readonly version: string;
  /** [height, width, channels] (H·W·C layout, docs/deepvariant.md §1.1). */
  readonly shape: readonly [number, number, number];
  /** DeepVariant channel ids (DeepVariantChannelEnum) in tensor order. */
  readonly channels: readonly number[];
  /** 1.6+: channels zeroed before inference (docs/deepvariant.md §2.7, §5). Absent when empty. */
  readonly ablationChannels?: readonly number[];
  /** `realign_reads` when the producer recorded it (DeepVariant does not; its default is true). */
  readonly realignReads?: boolean;
  /**
   * `alt_aligned_pileup` when the producer recorded it (Variant Lens does; DeepVariant does not,
   * and its 'rows' layout shows only as a height of three blocks, docs/deepvariant.md §12.3).
   */
  readonly altAlignedPileup?: 'none' | 'rows' | 'diff_channels' | 'base_channels';
}

/** What our `examples` command writes by default: the DV 1.6+ WGS layout (7 channels). */
export const DEFAULT_EXAMPLE_INFO: ExampleInfo = { version: '1.6.0', shape: [100, 221, 7], channels: [...CHANNELS_WGS] };

/** DeepVariant 1.5 `make_examples` without --channels (the golden files). */
export const DV15_EXAMPLE_INFO: ExampleInfo = { version: '1.5.0', shape: [100, 221, 6], channels: [...CHANNELS_DV15] };

const EXPECTED = 'expected {"version": "1.5.0", "shape": [100, 221, 6], "channels": [1, 2, 3, 4, 5, 6]}';

/** Validates example_info.json text; `file` names the source in every error. */
export function parseExampleInfo(text: string, file = 'example_info.json'): ExampleInfo {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw wrapError(e, 'model-card-invalid', file, 'example_info.json is not valid JSON');
  }
  const bad = (what: string): never => {
    throw new VariantLensError('model-card-invalid', `example_info.json: ${what}; ${EXPECTED}`, file);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('not a JSON object');
  const o = json as Record<string, unknown>;
  const shape = o['shape'];
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((x) => Number.isInteger(x) && (x as number) > 0)) {
    return bad(`"shape" must be three positive integers [H, W, C], got ${JSON.stringify(shape)}`);
  }
  const ids = (key: string): number[] | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) return bad(`"${key}" must be a list of channel ids, got ${JSON.stringify(v)}`);
    for (const id of v as number[]) {
      if (!CHANNEL_NAMES[id]) throw new VariantLensError('unknown-channel', `example_info.json names unknown channel id ${id} in "${key}" (known: 1–24, docs/deepvariant.md §2.1)`, file);
    }
    return v as number[];
  };
  const channels = ids('channels') ?? bad('"channels" is missing');
  if (channels.length !== shape[2]) bad(`lists ${channels.length} channels but shape has C=${shape[2] as number}`);
  const ablation = ids('ablation_channels');
  return {
    version: typeof o['version'] === 'string' ? o['version'] : 'unknown',
    shape: [shape[0] as number, shape[1] as number, shape[2] as number],
    channels,
    ...(ablation?.length ? { ablationChannels: ablation } : {}),
    ...(typeof o['realign_reads'] === 'boolean' ? { realignReads: o['realign_reads'] } : {}),
    ...altLayout(o['alt_aligned_pileup'], bad),
  };
}

function altLayout(v: unknown, bad: (what: string) => never): { altAlignedPileup?: NonNullable<ExampleInfo['altAlignedPileup']> } {
  if (v === undefined) return {};
  if (v === 'none' || v === 'rows' || v === 'diff_channels' || v === 'base_channels') return { altAlignedPileup: v };
  return bad(`"alt_aligned_pileup" must be none, rows, diff_channels or base_channels, got ${JSON.stringify(v)}`);
}

/** Reads and validates an example_info.json (errors name `path`). */
export async function readExampleInfo(path: string, signal?: AbortSignal): Promise<ExampleInfo> {
  throwIfAborted(signal);
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (e) {
    if ((e as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
      throw new VariantLensError('file-not-found',
        'example_info.json not found; make_examples writes it next to the examples, and a model folder needs one next to model.onnx (copy it from the DeepVariant model directory)', path, { cause: e });
    }
    throw wrapError(e, 'model-card-invalid', path, 'cannot read example_info.json');
  }
  return parseExampleInfo(text, path);
}

const INFO_SUFFIX = '.example_info.json';

/**
 * Finds the example_info.json of an examples file or shard spec, trying in order:
 * `<path>.example_info.json`; for `x@N.gz` the first shard's name + suffix (DV 1.5 writes
 * it next to shard 0, docs/deepvariant.md §2.7); for a shard name, shard 0's and the unsharded name's;
 * finally, like DV 1.9's `auto`, the only `*.example_info.json` in the folder if there is
 * exactly one. Returns undefined when none is found.
 */
export async function findExampleInfo(examplesPath: string): Promise<string | undefined> {
  const candidates: string[] = [examplesPath + INFO_SUFFIX];
  const shards = expandShardSpec(examplesPath);
  if (shards.length > 0 && shards[0] !== examplesPath) candidates.push(shards[0]! + INFO_SUFFIX);
  const one = parseShardName(shards[0] ?? examplesPath);
  if (one) {
    const width = 5;
    candidates.push(`${one.before}-${'0'.repeat(width)}-of-${String(one.count).padStart(width, '0')}${one.after}${INFO_SUFFIX}`);
    candidates.push(`${one.before}${one.after}${INFO_SUFFIX}`, `${one.before}${INFO_SUFFIX}`);
  }
  for (const c of candidates) if (existsSync(c)) return c;
  const dir = dirname(shards[0] ?? examplesPath);
  try {
    const all = (await readdir(dir)).filter((n) => n.endsWith(INFO_SUFFIX));
    if (all.length === 1) return join(dir, all[0]!);
    // Several: prefer one that shares the examples' base name.
    const base = basename(examplesPath).split(/[@.]/)[0] ?? '';
    const match = all.filter((n) => base && n.startsWith(base + '.'));
    if (match.length === 1) return join(dir, match[0]!);
  } catch {
    // folder unreadable: no example_info
  }
  return undefined;
}

/** "7 channels [1,2,3,4,5,6,19]" — the phrase used in shape-mismatch errors. */
export function describeChannels(channels: readonly number[]): string {
  return `${channels.length} channel${channels.length === 1 ? '' : 's'} [${channels.join(',')}]`;
}
