// Byte and error helpers for the MIME tests. Kept independent of src/core/bytes.ts so the
// engine's own conversions are not the oracle that checks them.
import { SealbirdError } from "../../src/core/errors.js";

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bytes as a string of char codes 0-255, to compare exact wire output. */
export const bin = (b: Uint8Array): string => Array.from(b, (x) => String.fromCharCode(x)).join("");

/** The SealbirdError code `f` throws, "untyped: …" for any other throw, undefined if none. */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof SealbirdError ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
}
