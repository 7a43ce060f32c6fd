/**
 * How a PKCS#12 password string becomes bytes. Two schemes coexist in one file:
 * the RFC 7292 appendix B KDF (PKCS#12 PBE and the MAC) takes a BMPString — big-endian
 * UTF-16 with a two-byte NUL terminator — while PBES2/PBKDF2 takes the raw UTF-8 bytes.
 */
import { utf8 } from "../bytes.js";

/** BMPString with terminator: "" becomes 00 00, which is not the same as no password. */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  // JS strings are UTF-16 already; astral characters arrive as surrogate pairs, as OpenSSL writes them.
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

export function pbes2Password(password: string): Uint8Array {
  return utf8(password);
}

/**
 * Byte strings to try with the appendix B KDF, most likely first. The MAC tells us which one
 * the writer used, so extra candidates cost one MAC computation each, not a decryption.
 *  - "" may have been written as a real empty BMPString (00 00) or as an absent password (no
 *    bytes at all): OpenSSL and Windows each use both, depending on version and API.
 *  - OpenSSL before 1.1.0 fed each UTF-8 byte to the BMPString as if it were Latin-1; files
 *    made that way with non-ASCII passwords are still around (OpenSSL itself retries this).
 */
export function kdfPasswordCandidates(password: string): Uint8Array[] {
  const out = [bmpPassword(password)];
  if (password === "") out.push(new Uint8Array(0));
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(password)) {
    const bytes = utf8(password);
    out.push(bmpPassword(String.fromCharCode(...bytes)));
  }
  return out;
}
