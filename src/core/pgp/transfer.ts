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

/** How much of each end of a large armored part is read as text (the armor lines). */
const ARMOR_WINDOW = 64 * 1024;

/**
 * The packets of ONE armored "PGP MESSAGE" block (RFC 9580 6.2) that is the whole text, or
 * null for anything else (openpgp.js then reads the armored text itself, with its own rules
 * and errors). The base64 body goes to the engine's decoder, native in Thunderbird, where
 * openpgp.js's line-by-line armor reader takes seconds for a 10 MB message in the
 * interpreter. The CRC line is dropped unchecked, as openpgp.js drops it (RFC 9580 6.1).
 *
 * Only the armor lines are read as text: the head through the blank line after the armor
 * headers, and the tail from the checksum line on. The body between goes to the decoder as
 * bytes, which refuses every byte that is not base64 or white space (a second armor line in
 * the middle included), so a 25 MB part is not turned into a 25 MB string first.
 */
export function dearmorMessage(b: Uint8Array): Uint8Array | null {
  let span = b.length > 2 * ARMOR_WINDOW ? armorSpan(asciiView(b.subarray(0, ARMOR_WINDOW)), asciiView(b.subarray(b.length - ARMOR_WINDOW)), b.length - ARMOR_WINDOW) : undefined;
  if (span === undefined) {
    // Small, or armor lines longer than the windows: the whole text.
    const text = asciiView(b);
    span = armorSpan(text, text, 0) ?? null;
  }
  if (!span) return null;
  try {
    const packets = decodeBase64(b.subarray(span.at, span.bodyEnd));
    return packets.length > 0 ? packets : null;
  } catch {
    return null;
  }
}

/**
 * Where the base64 body of one armored message lies: `head` is the text from offset 0, `tail`
 * the text from offset `tailStart` to the end (both the whole text for small parts). null: not
 * one armored message; undefined: the armor lines reach beyond the windows.
 */
function armorSpan(head: string, tail: string, tailStart: number): { at: number; bodyEnd: number } | null | undefined {
  const begin = head.indexOf(BEGIN_MESSAGE);
  if (begin < 0) return tailStart ? undefined : null;
  if (head.slice(0, begin).trim() !== "") return null;
  const lineEnd = head.indexOf("\n", begin);
  if (lineEnd < 0) return tailStart ? undefined : null;
  if (head.slice(begin + BEGIN_MESSAGE.length, lineEnd).trim() !== "") return null;
  // Armor headers up to the mandatory blank line.
  let at = lineEnd + 1;
  for (;;) {
    const next = head.indexOf("\n", at);
    if (next < 0) return tailStart ? undefined : null;
    const line = head.slice(at, next).replace(/[ \t\r]+$/, "");
    at = next + 1;
    if (line === "") break;
    if (!ARMOR_HEADER.test(line)) return null;
  }
  // The end line: the last one, with nothing but white space after it. One in the armor lines
  // before the body means the block ended there; one inside the body is refused by the decoder.
  const endRel = tail.lastIndexOf(END_MESSAGE);
  if (endRel < 0) return tailStart ? undefined : null;
  const end = tailStart + endRel;
  if (end < at || head.slice(begin, at).includes(END_MESSAGE)) return null;
  if (tail.indexOf("-----", endRel + END_MESSAGE.length) >= 0 || tail.slice(endRel + END_MESSAGE.length).trim() !== "") return null;
  // The body, without the optional "=XXXX" checksum line just before the end line.
  let bodyEnd = end;
  const lastLineRel = tail.lastIndexOf("\n", endRel - 2);
  if (lastLineRel < 0 && tailStart) return undefined;
  const lastLine = tailStart + lastLineRel;
  if (lastLine >= at - 1 && /^=[A-Za-z0-9+/]{4}\s*$/.test(tail.slice(lastLineRel + 1, endRel))) bodyEnd = lastLine + 1;
  return { at, bodyEnd };
}
