/**
 * The MIME entities S/MIME writes. Written as CRLF bytes directly: the layer is a header
 * section plus base64, and building one string of 33 MB base64 lines is the hot path for
 * large attachments (no per-line concatenation: lines are collected and joined once).
 */
import { concatBytes, randomBytes, toHex, utf8 } from "../bytes.js";

const ALPHABET = new TextEncoder().encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

/** RFC 2045 base64, 76-character lines, each ending in CRLF; written straight into bytes. */
export function base64Lines(data: Uint8Array): Uint8Array {
  const chars = Math.ceil(data.length / 3) * 4;
  const lines = Math.ceil(chars / 76);
  const out = new Uint8Array(chars + lines * 2);
  let o = 0;
  let col = 0;
  const n = data.length;
  const emit = (c: number): void => {
    out[o++] = c;
    if (++col === 76) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      col = 0;
    }
  };
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    emit(ALPHABET[v >>> 18]!);
    emit(ALPHABET[(v >>> 12) & 63]!);
    emit(ALPHABET[(v >>> 6) & 63]!);
    emit(ALPHABET[v & 63]!);
  }
  if (i < n) {
    const v = (data[i]! << 16) | ((i + 1 < n ? data[i + 1]! : 0) << 8);
    emit(ALPHABET[v >>> 18]!);
    emit(ALPHABET[(v >>> 12) & 63]!);
    emit(i + 1 < n ? ALPHABET[(v >>> 6) & 63]! : 0x3d);
    emit(0x3d);
  }
  if (col !== 0) {
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  return out.subarray(0, o);
}

/** application/pkcs7-mime entity (enveloped-data, authEnveloped-data, signed-data). */
export function pkcs7MimeEntity(smimeType: string, der: Uint8Array): Uint8Array {
  const head =
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\n` +
    "Content-Transfer-Encoding: base64\r\n" +
    'Content-Disposition: attachment; filename="smime.p7m"\r\n' +
    "\r\n";
  return concatBytes([utf8(head), base64Lines(der)]);
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0]!;
  for (let i = hay.indexOf(first); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

function boundaryNotIn(inner: Uint8Array): string {
  for (;;) {
    // 96 random bits never collide in practice; checking is cheap insurance.
    const b = `sealbird-${toHex(randomBytes(12))}`;
    if (!contains(inner, utf8(b))) return b;
  }
}

/** multipart/signed (RFC 8551 3.5.3) with `inner` verbatim as the signed first part. */
export function multipartSigned(inner: Uint8Array, signatureDer: Uint8Array, micalg: string): Uint8Array {
  const boundary = boundaryNotIn(inner);
  const head =
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalg};\r\n boundary="${boundary}"\r\n` +
    "\r\n" +
    "This is a cryptographically signed message in MIME format.\r\n" +
    "\r\n" +
    `--${boundary}\r\n`;
  const sigPart =
    `\r\n--${boundary}\r\n` +
    'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n' +
    "Content-Transfer-Encoding: base64\r\n" +
    'Content-Disposition: attachment; filename="smime.p7s"\r\n' +
    "Content-Description: S/MIME Cryptographic Signature\r\n" +
    "\r\n";
  return concatBytes([utf8(head), inner, utf8(sigPart), base64Lines(signatureDer), utf8(`\r\n--${boundary}--\r\n`)]);
}
