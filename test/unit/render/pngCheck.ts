/**
 * Test helper: decodes PNG files with an independent decoder — python3's standard library
 * (zlib, struct), not our code — checking every chunk CRC and undoing all five PNG row
 * filters. Returns the raw pixels so tests can compare them with the tensor.
 */
import { execFileSync } from 'node:child_process';

const PY = String.raw`
import json, struct, sys, zlib, base64
out = []
for path in sys.argv[1:]:
    b = open(path, 'rb').read()
    assert b[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
    i = 8; idat = b''; ihdr = None; chunks = []
    while i < len(b):
        n, = struct.unpack('>I', b[i:i+4]); t = b[i+4:i+8]; body = b[i+8:i+8+n]
        crc, = struct.unpack('>I', b[i+8+n:i+12+n])
        assert zlib.crc32(t + body) & 0xffffffff == crc, 'crc of ' + t.decode()
        chunks.append(t.decode())
        if t == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
        if t == b'IDAT': idat += body
        i += 12 + n
    w, h, depth, ctype, comp, filt, inter = ihdr
    assert depth == 8 and inter == 0 and ctype in (0, 2)
    bpp = 3 if ctype == 2 else 1
    raw = zlib.decompress(idat); stride = w * bpp
    pix = bytearray(); prev = bytearray(stride)
    for y in range(h):
        f = raw[y*(stride+1)]; line = bytearray(raw[y*(stride+1)+1:(y+1)*(stride+1)])
        for x in range(stride):
            a = line[x-bpp] if x >= bpp else 0; up = prev[x]; c = prev[x-bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + up) & 255
            elif f == 3: line[x] = (line[x] + (a + up) // 2) & 255
            elif f == 4:
                p = a + up - c; pa, pb, pc = abs(p-a), abs(p-up), abs(p-c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
            else: assert f == 0, 'filter'
        pix += line; prev = line
    out.append({'width': w, 'height': h, 'colorType': ctype, 'chunks': chunks, 'pixels': base64.b64encode(bytes(pix)).decode()})
print(json.dumps(out))
`;

export interface DecodedPng {
  width: number;
  height: number;
  /** 0 = greyscale, 2 = RGB. */
  colorType: number;
  chunks: string[];
  pixels: Uint8Array;
}

export function decodePngs(paths: readonly string[]): DecodedPng[] {
  const json = execFileSync('python3', ['-c', PY, ...paths], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return (JSON.parse(json) as (Omit<DecodedPng, 'pixels'> & { pixels: string })[]).map((d) => ({ ...d, pixels: new Uint8Array(Buffer.from(d.pixels, 'base64')) }));
}
