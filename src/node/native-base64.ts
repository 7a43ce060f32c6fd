/**
 * `Uint8Array.prototype.toBase64` and `Uint8Array.fromBase64` (TC39, native in Thunderbird
 * 133+, not yet in Node 20) on Node's own base64 code, for the CLI. The engine uses them where
 * present (src/core/base64.ts); without them a 25 MB message is turned into a binary string for
 * btoa, or decoded by a table loop.
 *
 * Node's decoder is lenient (it skips any byte outside the alphabet and a stray "="); the
 * standard one throws, and the engine relies on that to report bad base64 precisely with its
 * own decoder. So only input the standard decoder would accept is handed to Node: the
 * alphabet and ASCII white space, "=" padding only at the end, and not one lone character left.
 * Installed once, by the CLI's entry point; never for the add-on (src/node is Node only).
 */
import { setBase64BytesDecoder } from "../core/base64.js";

const STRICT = /^[A-Za-z0-9+/\t\n\f\r ]*(?:=[\t\n\f\r ]*){0,2}$/;
const WHITE = /[\t\n\f\r ]/g;

function count(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/** Characters of `s` that are not white space, once STRICT has passed. */
function significant(s: string): number {
  // Mail and armor wrap with CRLF or LF only: counting line ends is far cheaper than a copy
  // (and one-character searches are memchr, faster than a character-class regex).
  if (s.includes(" ") || s.includes("\t") || s.includes("\f")) return s.replace(WHITE, "").length;
  return s.length - count(s, "\n") - count(s, "\r");
}

function fromBase64(s: string): Uint8Array {
  if (typeof s !== "string" || !STRICT.test(s)) throw new SyntaxError("invalid base64");
  const firstPad = s.indexOf("=");
  const pad = firstPad < 0 ? 0 : s.indexOf("=", firstPad + 1) < 0 ? 1 : 2;
  const total = significant(s);
  if (pad > 0 ? total % 4 !== 0 : total % 4 === 1) throw new SyntaxError("invalid base64");
  // Node skips the white space itself (STRICT left nothing else to skip).
  const b = Buffer.from(s, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The same from bytes: Node's latin1 string is a plain copy, unlike TextDecoder's. */
function fromBase64Bytes(input: Uint8Array): Uint8Array {
  return fromBase64(Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1"));
}

function toBase64(this: Uint8Array): string {
  return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("base64");
}

export function installNativeBase64(): void {
  const U = Uint8Array as unknown as { fromBase64?: unknown; prototype: { toBase64?: unknown } };
  if (!U.fromBase64) Object.defineProperty(Uint8Array, "fromBase64", { value: fromBase64, configurable: true, writable: true });
  if (!U.prototype.toBase64) Object.defineProperty(Uint8Array.prototype, "toBase64", { value: toBase64, configurable: true, writable: true });
  setBase64BytesDecoder(fromBase64Bytes);
}
