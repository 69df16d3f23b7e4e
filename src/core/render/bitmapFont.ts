/**
 * A tiny 5x7 bitmap font for printable ASCII (32–126), drawn for Variant Lens (not copied
 * from any font). DeepVariant's show_examples labels its channel strip with PIL's default
 * bitmap font, which we cannot reproduce pixel for pixel without shipping that font; this
 * font keeps the same layout rules (label centred over its block, docs/deepvariant.md §6.1) with
 * different glyph pixels. Advance is 6 px (5 px glyph + 1 px gap), close to PIL's default.
 */

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
export const GLYPH_ADVANCE = 6;

/** 95 glyphs x 7 rows, one byte per row (low 5 bits, bit 4 = leftmost pixel), as hex. */
const PACKED =
  '00000000000000040404040400040a0a00000000000a1f0a0a0a1f0a040f140e051e04191a0204080b130c12140815120d04040000000000' +
  '02040808080402080402020204080004150e1504000004041f040400000000000604080000001f0000000000000000060601020204080810' +
  '0e11131519110e040c040404040e0e11010608101f1e01010e01011e02060a121f02021f101e0101110e0608101e11110e1f010204080808' +
  '0e11110e11110e0e11110f01020c00060600060600000606000604080204081008040200001f001f0000080402010204080e110102040004' +
  '0e11171517100e0e11111f1111111e11111e11111e0e11101010110e1c12111111121c1f10101e10101f1f10101e1010100e11101711110f' +
  '1111111f1111110e04040404040e0702020202120c111214181412111010101010101f111b1515111111111915131111110e11111111110e' +
  '1e11111e1010100e11111115120d1e11111e1412110f10100e01011e1f0404040404041111111111110e11111111110a041111111515150a' +
  '11110a040a111111110a040404041f01020408101f0e08080808080e100808040202010e02020202020e040a11000000000000000000001f' +
  '0804000000000000000e010f110f1010161911111e00000e1010110e01010d1311110f00000e111f100e0609081c080808000f11110f010e' +
  '1010161911111104000c0404040e0200060202120c101012141814120c04040404040e00001a151511110000161911111100000e1111110e' +
  '00001e111e101000000d130f01010000161910101000000e100e011e08081c080809060000111111130d00001111110a040000111115150a' +
  '0000110a040a11000011110f010e00001f0204081f02040408040402040404040404040804040204040800000815020000';

const FIRST = 32;
const LAST = 126;

/** Rows of the glyph for `ch` (a '?' box for characters outside printable ASCII). */
export function glyphRows(ch: string): number[] {
  let code = ch.charCodeAt(0);
  if (!(code >= FIRST && code <= LAST)) code = 63; // '?'
  const at = (code - FIRST) * GLYPH_HEIGHT * 2;
  const rows: number[] = [];
  for (let r = 0; r < GLYPH_HEIGHT; r++) rows.push(parseInt(PACKED.slice(at + r * 2, at + r * 2 + 2), 16));
  return rows;
}

/** Width in pixels of `text` (no trailing gap), as PIL's textsize would report for its font. */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * GLYPH_ADVANCE - 1;
}

/**
 * Draws `text` with its top-left corner at (x, y) into a row-major buffer of `width` x
 * `height` pixels with `bytesPerPixel` bytes each, setting every byte of a lit pixel to
 * `value`. Pixels outside the buffer are clipped.
 */
export function drawText(
  data: Uint8Array, width: number, height: number, bytesPerPixel: number,
  x: number, y: number, text: string, value: number,
): void {
  for (let i = 0; i < text.length; i++) {
    const rows = glyphRows(text[i]!);
    const gx = x + i * GLYPH_ADVANCE;
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      const py = y + r;
      if (py < 0 || py >= height) continue;
      const bits = rows[r]!;
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (!(bits & (1 << (GLYPH_WIDTH - 1 - c)))) continue;
        const px = gx + c;
        if (px < 0 || px >= width) continue;
        const at = (py * width + px) * bytesPerPixel;
        for (let b = 0; b < bytesPerPixel; b++) data[at + b] = value;
      }
    }
  }
}
