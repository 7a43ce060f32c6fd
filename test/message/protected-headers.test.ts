// Header lines copied into and around the protected entity: unchanged within RFC 5322's 998
// limit, folded at whitespace beyond it, and never folded inside a UTF-8 character.
import { describe, expect, it } from "vitest";
import { headerFieldsToBytes } from "../../src/core/message/protected-headers.js";
import { toBinaryString } from "../../src/core/bytes.js";

const refs = (n: number) => Array.from({ length: n }, (_, i) => `<m${i}@example.org>`).join(" ");

describe("headerFieldsToBytes", () => {
  it("writes a line of up to 998 characters as it is", () => {
    const value = refs(40);
    expect(`References: ${value}`.length).toBeLessThanOrEqual(998);
    expect(toBinaryString(headerFieldsToBytes([{ name: "References", value }]))).toBe(`References: ${value}\r\n`);
  });
  it("folds a longer line at whitespace; unfolding gives it back", () => {
    const value = refs(80) + " caf\xc3\xa9\xc2\xa0x";
    const out = toBinaryString(headerFieldsToBytes([{ name: "References", value }]));
    for (const line of out.split("\r\n")) expect(line.length).toBeLessThanOrEqual(78);
    expect(out.replace(/\r\n(?=[ \t])/g, "")).toBe(`References: ${value}\r\n`);
  });
});
