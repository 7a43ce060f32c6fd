import { describe, expect, it } from "vitest";
import { canonicalizeLineEndings, canonicalizeLineEndingsString } from "../../src/core/mime/canonicalize.js";

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

describe("canonicalizeLineEndings", () => {
  it.each([
    ["", ""],
    ["abc", "abc"],
    ["a\nb", "a\r\nb"],
    ["a\rb", "a\r\nb"],
    ["a\r\nb", "a\r\nb"],
    ["\n\n", "\r\n\r\n"],
    ["\r\r\n\n\r", "\r\n\r\n\r\n\r\n"],
    ["\n\r", "\r\n\r\n"],
    ["x\r", "x\r\n"],
    ["\rx", "\r\nx"],
  ])("%j → %j", (input, want) => {
    expect(latin1(canonicalizeLineEndings(bytes(input)))).toBe(want);
  });

  it("returns the same array when it is already canonical (no copy)", () => {
    const b = bytes("one\r\ntwo\r\n");
    expect(canonicalizeLineEndings(b)).toBe(b);
  });

  it("agrees with the string form on random mixes of CR, LF and text", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const alphabet = ["\r", "\n", "a", "\u00e9", "\r\n", "\n\r"];
    for (let round = 0; round < 300; round++) {
      let s = "";
      const len = Math.floor(rnd() * 60);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(latin1(canonicalizeLineEndings(bytes(s)))).toBe(canonicalizeLineEndingsString(s));
    }
  });

  it("bare LF only (as openssl and gpg write files), small and large, with a leading and a trailing LF and 8-bit bytes", () => {
    for (const s of ["\n", "a\n", "\na", "\n\n\nx\n\n", "\u00e9\u00ff\n\u0080"]) {
      expect(latin1(canonicalizeLineEndings(bytes(s)))).toBe(canonicalizeLineEndingsString(s));
    }
    let seed = 3;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let s = "\n";
    while (s.length < 2 << 20) s += "\u00e9x".repeat(Math.floor(rnd() * 50)) + "\n".repeat(1 + Math.floor(rnd() * 2));
    expect(latin1(canonicalizeLineEndings(bytes(s)))).toBe(canonicalizeLineEndingsString(s));
  });
});
