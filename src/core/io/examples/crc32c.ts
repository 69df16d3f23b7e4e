/**
 * CRC-32C (Castagnoli) and TFRecord's masked form (docs/deepvariant.md §4.1).
 *
 * CRC-32C uses the reflected polynomial 0x82F63B78 with init and xor-out 0xFFFFFFFF — not
 * the zlib/PNG CRC-32, which is why node's zlib.crc32 cannot be used here. The table is
 * slice-by-8 because every TFRecord payload (132,600 bytes per 100x221x6 pileup) is
 * checksummed on read and on write.
 */

const POLY = 0x82f63b78;
const TABLES: Uint32Array[] = (() => {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      const p = prev[n]!;
      t[n] = ((p >>> 8) ^ t0[p & 0xff]!) >>> 0;
    }
    tables.push(t);
  }
  return tables;
})();

/**
 * Plain (unmasked) CRC-32C of `bytes`. `previous` continues a running CRC (pass the value
 * a previous call returned), so data can be checksummed in pieces.
 */
export function crc32c(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = ~previous >>> 0;
  let i = 0;
  const n = bytes.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    const b4 = bytes[i + 4]!, b5 = bytes[i + 5]!, b6 = bytes[i + 6]!, b7 = bytes[i + 7]!;
    crc =
      t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
      t3[b4]! ^ t2[b5]! ^ t1[b6]! ^ t0[b7]!;
    i += 8;
  }
  while (i < n) {
    crc = t0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}

/** TFRecord's mask: rotate right by 15 and add a constant (mod 2^32), docs/deepvariant.md §4.1. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** The masked CRC-32C that TFRecord framing stores after the length and after the payload. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes));
}
