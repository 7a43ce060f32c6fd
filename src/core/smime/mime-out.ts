/**
 * The MIME entities S/MIME writes. Written as CRLF bytes directly: the layer is a header
 * section plus base64 (the MIME layer's byte-level encoder: 33 MB of base64 is the hot path
 * for large attachments).
 */
import { concatBytes, randomBytes, toHex, utf8 } from "../bytes.js";
import { encodeBase64Lines } from "../mime/index.js";


/** application/pkcs7-mime entity (enveloped-data, authEnveloped-data, signed-data), after `before` when given. */
export function pkcs7MimeEntity(smimeType: string, der: Uint8Array | readonly Uint8Array[], before?: Uint8Array): Uint8Array {
  const head =
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\n` +
    "Content-Transfer-Encoding: base64\r\n" +
    'Content-Disposition: attachment; filename="smime.p7m"\r\n' +
    "\r\n";
  return encodeBase64Lines(der, 76, before ? concatBytes([before, utf8(head)]) : utf8(head));
}

/** Whether `needle` occurs in `hay`, found by its byte at `pivot` (one that is rare in `hay`). */
function contains(hay: Uint8Array, needle: Uint8Array, pivot: number): boolean {
  const key = needle[pivot]!;
  for (let i = hay.indexOf(key, pivot); i >= 0 && i - pivot + needle.length <= hay.length; i = hay.indexOf(key, i + 1)) {
    const at = i - pivot;
    let j = 0;
    while (j < needle.length && hay[at + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

const BOUNDARY_PREFIX = "sealbird-";

function boundaryNotIn(inner: Uint8Array): string {
  for (;;) {
    // 96 random bits never collide in practice; checking is cheap insurance. It searches by
    // the "-", which base64 bodies (most of a large message) never contain.
    const b = `${BOUNDARY_PREFIX}${toHex(randomBytes(12))}`;
    if (!contains(inner, utf8(b), BOUNDARY_PREFIX.length - 1)) return b;
  }
}

/** multipart/signed (RFC 8551 3.5.3) with `inner` verbatim as the signed first part, after `before` when given. */
export function multipartSigned(inner: Uint8Array, signatureDer: Uint8Array, micalg: string, before?: Uint8Array): Uint8Array {
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
  return concatBytes([...(before ? [before] : []), utf8(head), inner, utf8(sigPart), encodeBase64Lines(signatureDer, 76), utf8(`\r\n--${boundary}--\r\n`)]);
}
