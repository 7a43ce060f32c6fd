/**
 * The armor checksum line (RFC 9580 6.1: "=" and the base64 of a CRC-24 over the binary data).
 * RFC 9580 makes it optional and Sealbird writes it only where GnuPG needs it: GnuPG 2.2 and
 * 2.4 report "encrypted message has been manipulated" for an armored message without a
 * checksum whose base64 ends without "=" padding (the binary length a multiple of 3;
 * https://dev.gnupg.org/T7071). openpgp.js works around the same bug by always writing it.
 * CRC-24 is an error-detecting code, not cryptography: it protects nothing against an attacker.
 */
import { base64Encode } from "../base64.js";

const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;

const TABLE = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 16;
  for (let k = 0; k < 8; k++) c = c & 0x800000 ? (c << 1) ^ CRC24_POLY : c << 1;
  TABLE[i] = c & 0xffffff;
}

export function crc24(pieces: readonly Uint8Array[]): number {
  let crc = CRC24_INIT;
  for (const p of pieces) for (let i = 0; i < p.length; i++) crc = ((crc << 8) ^ TABLE[((crc >> 16) ^ p[i]!) & 0xff]!) & 0xffffff;
  return crc;
}

/** The checksum line ("=XXXX" + CRLF) when GnuPG needs one for these packets, else "". */
export function armorChecksumLine(pieces: readonly Uint8Array[]): string {
  let length = 0;
  for (const p of pieces) length += p.length;
  if (length % 3 !== 0) return "";
  const crc = crc24(pieces);
  return `=${base64Encode(new Uint8Array([crc >> 16, (crc >> 8) & 0xff, crc & 0xff]))}\r\n`;
}
