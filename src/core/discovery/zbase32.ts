/** z-base-32 (the human-oriented base-32 of RFC 6189 / Zooko), as WKD names its files. */
const ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";

/** Encodes bits from the most significant end, five at a time; a last group is padded with zeros. */
export function zbase32(data: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
