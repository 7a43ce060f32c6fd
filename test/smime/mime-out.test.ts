import { describe, expect, it } from "vitest";
import { piecesContain } from "../../src/core/smime/mime-out.js";

const u = (s: string) => new TextEncoder().encode(s);
const needle = u("--sealbird-0123456789abcdef");
const pivot = "--sealbird".length - 1;

// The multipart/signed boundary must not occur in the signed content, which the writer gets as
// pieces (header section, body pieces): a boundary across a join counts as well.
describe("a boundary is looked for in the content as if its pieces were joined", () => {
  const cases: [string, string[], boolean][] = [
    ["inside one piece", ["Content-Type: text/plain\r\n\r\n", "x --sealbird-0123456789abcdef y"], true],
    ["across one join", ["abc--sealbird-0123", "456789abcdef xyz"], true],
    ["across pieces shorter than the boundary", ["a--seal", "bird", "-0123", "456789", "abcdef"], true],
    ["ending where the last piece ends", ["zz", "--sealbird-0123456789abcdef"], true],
    ["starting where the first piece starts", ["--sealbird-0123456789abc", "def"], true],
    ["nearly there, one byte differs across a join", ["--sealbird-01234", "56789abcdeX"], false],
    ["not there", ["Content-Type: text/plain\r\n\r\n", "--sealbird-", "other"], false],
    ["empty pieces", ["", "", ""], false],
  ];
  for (const [name, pieces, expected] of cases) {
    it(`${name} → ${expected ? "found" : "not found"}`, () => {
      expect(piecesContain(pieces.map(u), needle, pivot)).toBe(expected);
      // the joined bytes agree
      expect(new TextDecoder().decode(u(pieces.join(""))).includes("--sealbird-0123456789abcdef")).toBe(expected);
    });
  }
});
