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

/** `contains` over pieces as if joined: inside each piece, and across each join (a few bytes either side). */
export function piecesContain(pieces: readonly Uint8Array[], needle: Uint8Array, pivot: number): boolean {
  const keep = needle.length - 1;
  let tail = new Uint8Array(0);
  for (const p of pieces) {
    if (tail.length && contains(concatBytes([tail, p.subarray(0, keep)]), needle, pivot)) return true;
    if (contains(p, needle, pivot)) return true;
    tail = p.length >= keep ? p.slice(p.length - keep) : concatBytes([tail, p]).slice(-keep);
  }
  return false;
}

const BOUNDARY_PREFIX = "sealbird-";

function boundaryNotIn(inner: readonly Uint8Array[]): string {
  for (;;) {
    // 96 random bits never collide in practice; checking is cheap insurance. It searches by
    // the "-", which base64 bodies (most of a large message) never contain.
    const b = `${BOUNDARY_PREFIX}${toHex(randomBytes(12))}`;
    if (!piecesContain(inner, utf8(b), BOUNDARY_PREFIX.length - 1)) return b;
  }
}

/** Length of `n` bytes as base64 lines of 76 characters, each ended by CRLF. */
function base64LinesLength(n: number): number {
  const text = Math.ceil(n / 3) * 4;
  return text + Math.ceil(text / 76) * 2;
}

/**
 * multipart/signed (RFC 8551 3.5.3) with `inner` (pieces, as if joined) verbatim as the signed
 * first part, after `before` when given. One buffer: the first part is laid out in it and
 * signed where it lies (`sign` gets that view: WebCrypto digests one buffer, so this is the
 * only copy of a large content), then the signature part is written after it. `room` bounds
 * the signature's DER length.
 */
export async function multipartSigned(
  inner: readonly Uint8Array[],
  sign: (content: Uint8Array) => Promise<Uint8Array>,
  micalg: string,
  room: number,
  before?: Uint8Array,
): Promise<Uint8Array> {
  const boundary = boundaryNotIn(inner);
  const head = utf8(
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalg};\r\n boundary="${boundary}"\r\n` +
      "\r\n" +
      "This is a cryptographically signed message in MIME format.\r\n" +
      "\r\n" +
      `--${boundary}\r\n`,
  );
  const sigPart = utf8(
    `\r\n--${boundary}\r\n` +
      'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n' +
      "Content-Transfer-Encoding: base64\r\n" +
      'Content-Disposition: attachment; filename="smime.p7s"\r\n' +
      "Content-Description: S/MIME Cryptographic Signature\r\n" +
      "\r\n",
  );
  const close = utf8(`\r\n--${boundary}--\r\n`);
  let innerLength = 0;
  for (const p of inner) innerLength += p.length;
  const start = (before?.length ?? 0) + head.length;
  const end = start + innerLength;
  const out = new Uint8Array(end + sigPart.length + base64LinesLength(room) + close.length);
  if (before) out.set(before);
  out.set(head, before?.length ?? 0);
  let o = start;
  for (const p of inner) {
    out.set(p, o);
    o += p.length;
  }
  const signature = encodeBase64Lines(await sign(out.subarray(start, end)), 76);
  const tail = [sigPart, signature, close];
  if (end + sigPart.length + signature.length + close.length > out.length) return concatBytes([out.subarray(0, end), ...tail]);
  o = end;
  for (const t of tail) {
    out.set(t, o);
    o += t.length;
  }
  return out.subarray(0, o);
}
