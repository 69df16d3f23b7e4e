/**
 * Minimal PNG encoder for the renderer's images: 8-bit greyscale (colour type 0) or 8-bit
 * RGB (colour type 2), no interlace, filter type 0 on every row — what PIL writes for
 * show_examples' "L" and "RGB" images, minus PIL's own filter heuristics (pixel values are
 * what matter; compressed bytes differ). No DOM; zlib deflate comes from node by default,
 * or is passed in (e.g. by a browser host with its own deflate).
 */
import { deflateSync } from 'node:zlib';
import type { Image8 } from './showExamples';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** PNG/zlib CRC-32 (polynomial 0xEDB88320), which PNG chunks carry. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(parts: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = CRC_TABLE[(c ^ p[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  const t = new Uint8Array([...type].map((c) => c.charCodeAt(0)));
  out.set(t, 4);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32([t, body]));
  return out;
}

export type Deflate = (data: Uint8Array) => Uint8Array;

/** Encodes a greyscale or RGB image as PNG bytes. */
export function encodePng(image: Image8, deflate: Deflate = (d) => deflateSync(d, { level: 6 })): Uint8Array {
  const bpp = image.kind === 'rgb' ? 3 : 1;
  const { width, height, data } = image;
  if (data.length !== width * height * bpp) throw new RangeError(`image data has ${data.length} bytes, expected ${width}x${height}x${bpp}`);
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = bpp === 3 ? 2 : 0; // colour type: RGB or greyscale
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering (we use filter 0 on every row)
  ihdr[12] = 0; // no interlace
  const stride = width * bpp;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflate(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
