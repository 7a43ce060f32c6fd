/**
 * Transfer decoding and text views of the parts the OpenPGP engine reads (armored text,
 * application/octet-stream), with the engine's own size cap.
 */
import type { MimeEntity } from "../mime/entity.js";
import { SealbirdError } from "../errors.js";
import { decodeBody } from "../mime/index.js";

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
