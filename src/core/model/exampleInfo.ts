/**
 * example_info.json (dv-spec §2.7): `{"version": "1.5.0", "shape": [H, W, C], "channels": [ids…]}`,
 * written by make_examples next to the examples and shipped with every DeepVariant model;
 * call_variants refuses examples whose shape or channels differ from the model's.
 */
import { readFile } from 'node:fs/promises';
import { VariantLensError, throwIfAborted, wrapError } from '../errors';
import { CHANNEL_NAMES } from '../pileup/channelIds';

export interface ExampleInfo {
  readonly version: string;
  /** [height, width, channels] (H·W·C layout, dv-spec §1.1). */
  readonly shape: readonly [number, number, number];
  /** DeepVariant channel ids in tensor order. */
  readonly channels: readonly number[];
  /** 1.6+: channels zeroed/dropped before inference (dv-spec §2.7). Not supported yet. */
  readonly ablationChannels?: readonly number[];
}

/** Validates parsed JSON; `file` names the source in errors. */
export function parseExampleInfo(json: unknown, file: string): ExampleInfo {
  const bad = (what: string): never => {
    throw new VariantLensError('model-card-invalid', `${what}; expected {"version": "1.5.0", "shape": [100, 221, 7], "channels": [1, 2, 3, 4, 5, 6, 19]}`, file);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('example_info is not a JSON object');
  const o = json as Record<string, unknown>;
  const shape = o['shape'];
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((x) => Number.isInteger(x) && (x as number) > 0)) {
    return bad(`"shape" must be three positive integers [H, W, C], got ${JSON.stringify(shape)}`);
  }
  const channels = o['channels'];
  if (!Array.isArray(channels) || !channels.every((x) => Number.isInteger(x))) return bad(`"channels" must be a list of channel ids, got ${JSON.stringify(channels)}`);
  if (channels.length !== shape[2]) return bad(`"channels" lists ${channels.length} ids but "shape" says ${shape[2]} channels`);
  const unknown = (channels as number[]).filter((c) => !CHANNEL_NAMES[c]);
  if (unknown.length) throw new VariantLensError('unknown-channel', `unknown DeepVariant channel id(s) ${unknown.join(', ')} (dv-spec §2.1)`, file);
  const ablation = o['ablation_channels'];
  const info: ExampleInfo = {
    version: typeof o['version'] === 'string' ? o['version'] : 'unknown',
    shape: [shape[0], shape[1], shape[2]] as [number, number, number],
    channels: channels as number[],
    ...(Array.isArray(ablation) && ablation.length ? { ablationChannels: ablation as number[] } : {}),
  };
  return info;
}

export async function readExampleInfo(path: string, signal?: AbortSignal): Promise<ExampleInfo> {
  throwIfAborted(signal);
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', signal });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new VariantLensError('file-not-found', 'example_info.json not found; every model needs one next to model.onnx (copy it from the DeepVariant model directory)', path);
    }
    throw wrapError(e, 'model-card-invalid', path, 'cannot read example_info.json');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw wrapError(e, 'model-card-invalid', path, 'example_info.json is not valid JSON');
  }
  return parseExampleInfo(json, path);
}

/** "7 channels [1,2,3,4,5,6,19]" — the phrase used in shape-mismatch errors. */
export function describeChannels(channels: readonly number[]): string {
  return `${channels.length} channel${channels.length === 1 ? '' : 's'} [${channels.join(',')}]`;
}
