/**
 * What the encoder takes from an `example_info.json` (dv-spec §2.7; parsed and validated by
 * `parseExampleInfo` / `readExampleInfo` in src/core/io/tfExample.ts): image size, channel
 * list, and — through the version — which downsampling rules apply (1.5: numpy shuffle +
 * stable (hap, pos) sort; 1.6+: libstdc++ mt19937_64 shuffle + (hap, pos, name,
 * read_number) sort, dv-spec §1.5).
 */
import type { ExampleInfo } from '../io/tfExample';
import { CHANNELS_DV15, CHANNELS_WGS } from './channelIds';

export type { ExampleInfo } from '../io/tfExample';

export type DownsamplingMode = 'dv1.5' | 'dv1.6';

/** What our `examples` command writes by default: the DV 1.6+ WGS layout (7 channels). */
export const DEFAULT_EXAMPLE_INFO: ExampleInfo = { version: '1.6.0', shape: [100, 221, 7], channels: [...CHANNELS_WGS] };

/** DeepVariant 1.5 `make_examples` without --channels (the golden files). */
export const DV15_EXAMPLE_INFO: ExampleInfo = { version: '1.5.0', shape: [100, 221, 6], channels: [...CHANNELS_DV15] };

/**
 * 1.5.x and earlier use the Python downsampling; 1.6 and later the C++ one. dv-spec §10
 * item 1 leaves open whether 1.6.0 itself already had the C++ path; we assume it did.
 */
export function downsamplingModeForVersion(version: string): DownsamplingMode {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return 'dv1.6';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major < 1 || (major === 1 && minor <= 5) ? 'dv1.5' : 'dv1.6';
}
