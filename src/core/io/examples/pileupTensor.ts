/**
 * The pileup tensor exchanged between the encoder, the examples reader, the renderer, the
 * model runner and the webview. Layout is DeepVariant's: uint8, row-major H·W·C, so
 * `data[(row * width + col) * channels.length + ch]` (docs/deepvariant.md §4.2 image/encoded).
 */
export interface PileupTensor {
  readonly height: number;
  readonly width: number;
  /** DeepVariant channel ids in tensor order (docs/deepvariant.md §2.1), e.g. [1,2,3,4,5,6,19]. */
  readonly channels: readonly number[];
  /** H·W·C bytes. */
  readonly data: Uint8Array;
}

export function tensorIndex(t: PileupTensor, row: number, col: number, ch: number): number {
  return (row * t.width + col) * t.channels.length + ch;
}

export function tensorPixel(t: PileupTensor, row: number, col: number, ch: number): number {
  return t.data[tensorIndex(t, row, col, ch)] ?? 0;
}
