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

  const same = (a: Uint8Array | null, b: Uint8Array): boolean => !!a && Buffer.from(a).equals(Buffer.from(b));

  it("gives gpg's own --dearmor bytes, LF or CRLF, with armor headers, with or without the CRC line", () => {
    expect(same(dearmorMessage(enc(armored)), packets)).toBe(true);
    expect(same(dearmorMessage(enc(armored.replace(/\n/g, "\r\n"))), packets)).toBe(true);
    const withHeaders = armored.replace("-----BEGIN PGP MESSAGE-----\n", "-----BEGIN PGP MESSAGE-----\nVersion: X 1.0\nComment: c: d\n");
    expect(same(dearmorMessage(enc(withHeaders)), packets)).toBe(true);
    expect(same(dearmorMessage(enc(armored.replace(/\n=[A-Za-z0-9+/]{4}\n/, "\n"))), packets)).toBe(true);
    expect(same(dearmorMessage(enc(`\r\n  ${armored}\r\n\r\n`)), packets)).toBe(true);
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
