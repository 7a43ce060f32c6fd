import { describe, expect, it } from "vitest";
import { bytesEqual, fromBinaryString, fromHex, toBinaryString, toHex } from "../src/core/bytes.js";

describe("bytes", () => {
  it("binary strings keep every byte value", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect(bytesEqual(fromBinaryString(toBinaryString(all)), all)).toBe(true);
    expect(toBinaryString(new Uint8Array([0x80, 0x9f])).charCodeAt(0)).toBe(0x80);
  });
  it("hex round-trips and rejects garbage", () => {
    expect(toHex(fromHex("00ff10"))).toBe("00ff10");
    expect(() => fromHex("zz")).toThrow(RangeError);
  });
});
