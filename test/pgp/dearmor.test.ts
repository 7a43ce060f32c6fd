/**
 * The native-speed armor reader for PGP/MIME payloads (src/core/pgp/transfer.ts): the packets
 * of one armored message exactly as gpg's own --dearmor gives them; anything it is not sure
 * of is left to openpgp.js (null).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dearmorMessage } from "../../src/core/pgp/transfer.js";
import { Gpg, hasGpg, enc, dec } from "./gpg.js";

describe.skipIf(!hasGpg)("dearmorMessage", () => {
  let gpg: Gpg;
  let armored: string;
  let packets: Uint8Array;

  beforeAll(() => {
    gpg = new Gpg("pw");
    armored = dec(gpg.run(["--armor", "--symmetric", "--output", "-"], { input: enc("x".repeat(5000)) }).stdout);
    packets = gpg.run(["--dearmor", "--output", "-"], { input: enc(armored) }).stdout;
  });
  afterAll(() => gpg?.dispose());

  // Over twice the 64 KiB window: only the armor lines at both ends are read as text.
  let bigArmored: string;
  let bigPackets: Uint8Array;
  beforeAll(() => {
    const noise = new Uint8Array(300_000);
    for (let i = 0; i < noise.length; i += 65536) crypto.getRandomValues(noise.subarray(i, i + 65536));
    bigArmored = dec(gpg.run(["--armor", "--compress-level", "0", "--symmetric", "--output", "-"], { input: noise }).stdout);
    bigPackets = gpg.run(["--dearmor", "--output", "-"], { input: enc(bigArmored) }).stdout;
  });

  const same = (a: Uint8Array | null, b: Uint8Array): boolean => !!a && Buffer.from(a).equals(Buffer.from(b));

  it("gives gpg's own --dearmor bytes, LF or CRLF, with armor headers, with or without the CRC line", () => {
    expect(same(dearmorMessage(enc(armored)), packets)).toBe(true);
    expect(same(dearmorMessage(enc(armored.replace(/\n/g, "\r\n"))), packets)).toBe(true);
    const withHeaders = armored.replace("-----BEGIN PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----\nVersion: X 1.0\nComment: c: d\n");
    expect(same(dearmorMessage(enc(withHeaders)), packets)).toBe(true);
    expect(same(dearmorMessage(enc(armored.replace(/\n=[A-Za-z0-9+/]{4}\n/, "\n"))), packets)).toBe(true);
    expect(same(dearmorMessage(enc(`\r\n  ${armored}\r\n\r\n`)), packets)).toBe(true);
  });

  it("reads a large block the same way: CRLF, headers, no CRC line, white space around", () => {
    expect(bigArmored.length).toBeGreaterThan(2 * 65536);
    expect(same(dearmorMessage(enc(bigArmored)), bigPackets)).toBe(true);
    expect(same(dearmorMessage(enc(bigArmored.replace(/\n/g, "\r\n"))), bigPackets)).toBe(true);
    const withHeaders = bigArmored.replace("-----BEGIN PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----\nVersion: X 1.0\nComment: c: d\n");
    expect(same(dearmorMessage(enc(withHeaders)), bigPackets)).toBe(true);
    expect(same(dearmorMessage(enc(bigArmored.replace(/\n=[A-Za-z0-9+/]{4}\n/, "\n"))), bigPackets)).toBe(true);
    expect(same(dearmorMessage(enc(`\r\n  ${bigArmored}\r\n\r\n`)), bigPackets)).toBe(true);
    // An armor header line longer than the window: read from the whole text.
    const longHeader = bigArmored.replace("-----BEGIN PGP MESSAGE-----\n", `-----BEGIN PGP MESSAGE-----\nComment: ${"c".repeat(70_000)}\n`);
    expect(same(dearmorMessage(enc(longHeader)), bigPackets)).toBe(true);
  });

  it("leaves everything else to openpgp.js, in a large block too (a stray line in the middle included)", () => {
    const lines = bigArmored.split("\n");
    const middle = Math.floor(lines.length / 2);
    const withLine = (line: string): string => [...lines.slice(0, middle), line, ...lines.slice(middle)].join("\n");
    for (const odd of [
      bigArmored.replace("-----BEGIN PGP MESSAGE-----\n\n", "-----BEGIN PGP MESSAGE-----\n"),
      `text before\n${bigArmored}`,
      `${bigArmored}\ntext after`,
      `${bigArmored}\n${bigArmored}`,
      bigArmored.replace("-----BEGIN PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----\nnot a header\n"),
      bigArmored.replace("-----BEGIN PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----\nComment: -----END PGP MESSAGE-----\n"),
      withLine("-----END PGP MESSAGE-----"),
      withLine("-----BEGIN PGP MESSAGE-----"),
      withLine("not base64: *"),
      withLine("QUJD\u00a0QUJD"),
      bigArmored.replace(/-----END PGP MESSAGE-----/, ""),
    ]) {
      expect(dearmorMessage(enc(odd)), odd.slice(0, 60)).toBeNull();
    }
  });

  it("leaves everything else to openpgp.js", () => {
    const noBlank = armored.replace("-----BEGIN PGP MESSAGE-----\n\n", "-----BEGIN PGP MESSAGE-----\n");
    for (const odd of [
      noBlank,
      `text before\n${armored}`,
      `${armored}\ntext after`,
      `${armored}\n${armored}`,
      armored.replace("BEGIN PGP MESSAGE", "BEGIN PGP SIGNATURE").replace("END PGP MESSAGE", "END PGP SIGNATURE"),
      armored.replace("-----BEGIN PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----\nnot a header\n"),
      armored.replace(/\n([A-Za-z0-9+/]{10})/, "\n$1*"),
      armored.replace(/-----END PGP MESSAGE-----/, ""),
    ]) {
      expect(dearmorMessage(enc(odd)), odd.slice(0, 60)).toBeNull();
    }
  });
});
