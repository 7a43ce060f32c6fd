/**
 * The MIME entities S/MIME writes. Written as CRLF bytes directly: the layer is a header
 * section plus base64, and building one string of 33 MB base64 lines is the hot path for
 * large attachments (no per-line concatenation: lines are collected and joined once).
 */
import { concatBytes, randomBytes, toHex, utf8 } from "../bytes.js";

/** RFC 2045 base64, 76-character lines, CRLF. */
export function base64Lines(data: Uint8Array): string {
  const lines: string[] = [];
  const CHUNK = 57 * 1024; // multiple of 57 bytes = whole 76-char lines
  for (let off = 0; off < data.length; off += CHUNK) {
    const part = data.subarray(off, Math.min(data.length, off + CHUNK));
    let bin = "";
    for (let i = 0; i < part.length; i += 0x2000) bin += String.fromCharCode.apply(null, Array.from(part.subarray(i, i + 0x2000)));
    const b64 = btoa(bin);
    for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  }
  return lines.join("\r\n") + "\r\n";
}

/** application/pkcs7-mime entity (enveloped-data, authEnveloped-data, signed-data). */
export function pkcs7MimeEntity(smimeType: string, der: Uint8Array): Uint8Array {
  const head =
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\n` +
    "Content-Transfer-Encoding: base64\r\n" +
    'Content-Disposition: attachment; filename="smime.p7m"\r\n' +
    "\r\n";
  return utf8(head + base64Lines(der));
}

function boundaryNotIn(inner: Uint8Array): string {
  for (;;) {
    const b = `----sealbird-${toHex(randomBytes(12))}`;
    // 96 random bits never collide in practice; checking is cheap insurance.
    if (!new TextDecoder("latin1").decode(inner).includes(b)) return b;
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
    "\r\n" +
    base64Lines(signatureDer) +
    `\r\n--${boundary}--\r\n`;
  return concatBytes([utf8(head), inner, utf8(sigPart)]);
}
