/**
 * Transfer decoding and text views of the parts the OpenPGP engine reads (armored text,
 * application/octet-stream), with the engine's own size cap.
 */
import type { MimeEntity } from "../mime/entity.js";
import { SealbirdError } from "../errors.js";
import { decodeBody } from "../mime/index.js";
import { decodeBase64 } from "../base64.js";

/** Largest armored part the engine reads (the MIME layer caps whole messages at 100 MB). */
export const MAX_PGP_PART_BYTES = 140 * 1024 * 1024;

/** The body of `e` with its Content-Transfer-Encoding undone (the MIME layer's decoders). */
export function decodedBody(e: MimeEntity): Uint8Array {
  if (e.body.length > MAX_PGP_PART_BYTES) throw new SealbirdError("input-too-large", "The OpenPGP part is too large.");
  return decodeBody(e);
}

/** Bare LF or CR → CRLF (the form MIME and OpenPGP text signatures are computed over). */
export { canonicalizeLineEndings as toCrlf } from "../mime/canonicalize.js";

/**
 * Byte-preserving binary string (each byte one char 0-255). Chunked `fromCharCode` over the
 * typed array itself and one join: linear, unlike repeated concatenation (25 MB armored
 * parts are routine).
 */
export function binaryString(b: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 0x8000;
  for (let i = 0; i < b.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, b.subarray(i, Math.min(b.length, i + CHUNK)) as unknown as number[]));
  }
  return parts.join("");
}

const latin1 = new TextDecoder("latin1");

/**
 * Fast text view for data whose meaning is ASCII only (armor, boundary searches). The WHATWG
 * "latin1" decoder is windows-1252 (0x80-0x9f remapped), which cannot matter there.
 */
export function asciiView(b: Uint8Array): string {
  return latin1.decode(b);
}

const BEGIN_MESSAGE = "-----BEGIN PGP MESSAGE-----";
const END_MESSAGE = "-----END PGP MESSAGE-----";
/** An armor header line as openpgp.js accepts it ("Key: value"). */
const ARMOR_HEADER = /^([^\s:]|[^\s:][^:]*[^\s:]): .+$/;

/**
 * The packets of ONE armored "PGP MESSAGE" block (RFC 9580 6.2) that is the whole text, or
 * null for anything else (openpgp.js then reads the armored text itself, with its own rules
 * and errors). The base64 body goes to the engine's decoder, native in Thunderbird, where
 * openpgp.js's line-by-line armor reader takes seconds for a 10 MB message in the
 * interpreter. The CRC line is dropped unchecked, as openpgp.js drops it (RFC 9580 6.1).
 */
export function dearmorMessage(b: Uint8Array): Uint8Array | null {
  const text = asciiView(b);
  const begin = text.indexOf(BEGIN_MESSAGE);
  if (begin < 0 || text.slice(0, begin).trim() !== "") return null;
  const end = text.indexOf(END_MESSAGE, begin);
  if (end < 0 || text.indexOf("-----", end + END_MESSAGE.length) >= 0 || text.slice(end + END_MESSAGE.length).trim() !== "") return null;
  const lineEnd = text.indexOf("\n", begin);
  if (lineEnd < 0 || lineEnd > end || text.slice(begin + BEGIN_MESSAGE.length, lineEnd).trim() !== "") return null;
  // Armor headers up to the mandatory blank line.
  let at = lineEnd + 1;
  for (;;) {
    const next = text.indexOf("\n", at);
    if (next < 0 || next > end) return null;
    const line = text.slice(at, next).replace(/[ \t\r]+$/, "");
    at = next + 1;
    if (line === "") break;
    if (!ARMOR_HEADER.test(line)) return null;
  }
  // The body, without the optional "=XXXX" checksum line just before the end line.
  let bodyEnd = end;
  const lastLine = text.lastIndexOf("\n", end - 2);
  if (lastLine >= at - 1 && /^=[A-Za-z0-9+/]{4}\s*$/.test(text.slice(lastLine + 1, end))) bodyEnd = lastLine + 1;
  const body = b.subarray(at, bodyEnd);
  // Only base64 and white space may be left; "=" only as padding (decodeBase64 checks the rest).
  if (/[^A-Za-z0-9+/=\s]/.test(text.slice(at, bodyEnd))) return null;
  try {
    const packets = decodeBase64(body);
    return packets.length > 0 ? packets : null;
  } catch {
    return null;
  }
}
