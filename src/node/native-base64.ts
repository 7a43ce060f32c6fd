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

const STRICT = /^[A-Za-z0-9+/\t\n\f\r ]*(?:=[\t\n\f\r ]*){0,2}$/;
const WHITE = /[\t\n\f\r ]/g;

function fromBase64(s: string): Uint8Array {
  if (typeof s !== "string" || !STRICT.test(s)) throw new SyntaxError("invalid base64");
  const compact = s.replace(WHITE, "");
  const pad = compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0;
  const data = compact.length - pad;
  if (pad > 0 ? compact.length % 4 !== 0 : data % 4 === 1) throw new SyntaxError("invalid base64");
  const b = Buffer.from(compact, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function toBase64(this: Uint8Array): string {
  return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("base64");
}

export function installNativeBase64(): void {
  const U = Uint8Array as unknown as { fromBase64?: unknown; prototype: { toBase64?: unknown } };
  if (!U.fromBase64) Object.defineProperty(Uint8Array, "fromBase64", { value: fromBase64, configurable: true, writable: true });
  if (!U.prototype.toBase64) Object.defineProperty(Uint8Array.prototype, "toBase64", { value: toBase64, configurable: true, writable: true });
}
