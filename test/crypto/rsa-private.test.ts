import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rsaPkcs1DecryptKey } from "../../src/core/crypto/rsa-pkcs1.js";
import { bigIntToBytes, bytesToBigInt } from "../../src/core/crypto/rsa-private.js";

describe("RSA private operation (native BigInt, CRT, blinding) behind PKCS#1 v1.5 key transport", () => {
  for (const bits of [2048, 3072]) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    const pkcs8 = new Uint8Array(privateKey.export({ type: "pkcs8", format: "der" }));

    it(`recovers keys OpenSSL encrypted (${bits} bits)`, () => {
      for (const len of [16, 24, 32]) {
        const cek = randomBytes(len);
        const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
        expect(Buffer.from(rsaPkcs1DecryptKey(pkcs8, new Uint8Array(ct), len))).toEqual(cek);
      }
    });

    it(`a wrong length, bad padding or out-of-range ciphertext gives a random key, no error (${bits} bits)`, () => {
      const cek = randomBytes(32);
      const ct = new Uint8Array(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek));
      // Asked for 16 bytes where 32 were sent: padding check fails.
      const a = rsaPkcs1DecryptKey(pkcs8, ct, 16);
      expect(a.length).toBe(16);
      expect(Buffer.from(a)).not.toEqual(cek.subarray(16));
      expect(rsaPkcs1DecryptKey(pkcs8, ct.subarray(1), 32).length).toBe(32);
      expect(rsaPkcs1DecryptKey(pkcs8, new Uint8Array(ct.length).fill(0xff), 32).length).toBe(32);
      // A raw value without PKCS#1 padding (OAEP ciphertext) is rejected the same way.
      const oaep = new Uint8Array(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, cek));
      expect(Buffer.from(rsaPkcs1DecryptKey(pkcs8, oaep, 32))).not.toEqual(cek);
      // And the well-formed one still decrypts (the random fallbacks above were not sticky).
      expect(Buffer.from(rsaPkcs1DecryptKey(pkcs8, ct, 32))).toEqual(cek);
    });
  }

  it("byte/bigint conversion round-trips with left padding", () => {
    const b = new Uint8Array([0, 0, 1, 2, 255]);
    expect(bigIntToBytes(bytesToBigInt(b), 5)).toEqual(b);
    expect(() => bigIntToBytes(256n ** 4n, 4)).toThrow();
  });
});
