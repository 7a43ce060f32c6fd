/**
 * The CLI's base64 (src/node/native-base64.ts, Node's decoder behind the standard's rules):
 * what it accepts decodes exactly like the engine's own decoder; what the standard refuses it
 * refuses too, so the engine still reports bad base64 itself.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { installNativeBase64 } from "../../src/node/native-base64.js";
import { decodeBase64, base64Encode } from "../../src/core/base64.js";

const std = (): { fromBase64(s: string): Uint8Array } => Uint8Array as unknown as { fromBase64(s: string): Uint8Array };

describe("native base64 for the CLI", () => {
  installNativeBase64();

  it("encodes and decodes like the engine's table code, line breaks and missing padding included", () => {
    for (const n of [0, 1, 2, 3, 4, 57, 4096, 100_001]) {
      const data = new Uint8Array(randomBytes(n));
      const b64 = base64Encode(data);
      expect(b64).toBe(Buffer.from(data).toString("base64"));
      const wrapped = b64.replace(/.{76}/g, "$&\r\n");
      expect(Buffer.from(std().fromBase64(wrapped)).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(std().fromBase64(b64.replace(/=+$/, ""))).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(decodeBase64(new TextEncoder().encode(wrapped))).equals(Buffer.from(data))).toBe(true);
    }
  });

  it("refuses what the standard decoder refuses", () => {
    for (const bad of ["QQ==QQ==", "QUJD*", "QUJDR", "QUJDRA=", "A===", "QUJD\u00e9", "QUJDRA==="]) {
      expect(() => std().fromBase64(bad), bad).toThrow(SyntaxError);
    }
  });

  it("decodes bytes directly with the same rules (spaces and tabs, a lone last character, padding)", () => {
    const data = new Uint8Array(randomBytes(30_000));
    const b64 = base64Encode(data);
    const same = (text: string): boolean => Buffer.from(decodeBase64(new TextEncoder().encode(text))).equals(Buffer.from(data));
    expect(same(b64.replace(/.{76}/g, "$&\n"))).toBe(true);
    expect(same(b64.replace(/.{64}/g, "$& \t\r\n\f"))).toBe(true);
    // Refused natively, then decoded or reported by the engine's own decoder, as before.
    expect(() => decodeBase64(new TextEncoder().encode(`${b64.replace(/=+$/, "")}Q`.replace(/.{76}/g, "$&\r\n")))).toThrow(/middle of a byte/);
    const twice = `${"QUJD".repeat(1500)}QQ==\r\n${"QUJD".repeat(1500)}`;
    expect(Buffer.from(decodeBase64(new TextEncoder().encode(twice))).toString("latin1")).toBe(`${"ABC".repeat(1500)}A${"ABC".repeat(1500)}`);
  });

  it("leaves the engine's precise errors in place for bad MIME bodies", () => {
    const body = new TextEncoder().encode(`${"QUJD".repeat(2000)}*QUJD`);
    expect(() => decodeBase64(body)).toThrow(/invalid base64 character 0x2a/);
  });
});
