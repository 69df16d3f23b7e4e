/**
 * Strict UTF-8 decoding for files we may write back (review files) or import from (TSV):
 * a byte that is not UTF-8 (a Latin-1 "é", say) would otherwise become U+FFFD and the next
 * save would destroy it for everyone. We refuse such a file with the line and byte instead.
 */
import { VariantLensError, type ErrorCode } from './errors';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes `bytes` as UTF-8 (a leading BOM is dropped); throws naming the first bad line. */
export function decodeUtf8Strict(bytes: Uint8Array, file: string, code: ErrorCode): string {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) { line++; lineStart = i + 1; }
    throw new VariantLensError(code, `line ${line} is not valid UTF-8 (byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at column ${at - lineStart + 1}); it was not read, so nothing in it is changed. Convert the file to UTF-8 (for Latin-1: iconv -f latin1 -t utf-8 FILE) and try again`, file);
  }
}

/** Index of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    let need = 0;
    let min = 0;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}
