/** The appendix B KDF against openssl's own PKCS12KDF, and how passwords become bytes. */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { pkcs12Kdf, KDF_ID, type KdfId } from "../../src/core/pkcs12/pkcs12-kdf.js";
import { bmpPassword, kdfPasswordCandidates, pbes2Password } from "../../src/core/pkcs12/password.js";
import type { HashName } from "../../src/core/oids.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function opensslKdf(hash: HashName, password: Uint8Array, salt: Uint8Array, id: KdfId, iter: number, n: number): string {
  const pass = password.length === 0 ? "pass:" : `hexpass:${hex(password)}`;
  const out = execFileSync("openssl", [
    "kdf", "-keylen", String(n), "-kdfopt", `digest:${hash.replace("-", "")}`, "-kdfopt", pass,
    "-kdfopt", `hexsalt:${hex(salt)}`, "-kdfopt", `iter:${iter}`, "-kdfopt", `id:${id}`, "PKCS12KDF",
  ]).toString();
  return out.trim().replace(/:/g, "").toLowerCase();
}

describe("pkcs12Kdf (RFC 7292 B.2)", () => {
  it("matches the classic published vector (password 'smeg', SHA-1, 1 iteration)", async () => {
    const key = await pkcs12Kdf("SHA-1", bmpPassword("smeg"), Buffer.from("0a58cf64530d823f", "hex"), KDF_ID.key, 1, 24);
    expect(hex(key)).toBe("8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3");
  });

  const salt8 = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const salt70 = new Uint8Array(70).map((_, i) => (i * 37) & 0xff);
  const cases: Array<[string, HashName, Uint8Array, Uint8Array, KdfId, number, number]> = [
    ["SHA-1 key, 3DES length (two blocks)", "SHA-1", bmpPassword("secret"), salt8, KDF_ID.key, 2048, 24],
    ["SHA-1 IV", "SHA-1", bmpPassword("secret"), salt8, KDF_ID.iv, 100, 8],
    ["SHA-1 MAC key", "SHA-1", bmpPassword("secret"), salt8, KDF_ID.mac, 3, 20],
    ["SHA-256 MAC key", "SHA-256", bmpPassword("pässwörd€"), salt8, KDF_ID.mac, 2048, 32],
    ["SHA-384 (v = 128), multi-block", "SHA-384", bmpPassword("x"), salt8, KDF_ID.key, 5, 100],
    ["SHA-512 (v = 128), multi-block", "SHA-512", bmpPassword("y"), salt70, KDF_ID.key, 7, 200],
    ["password longer than v, salt not a multiple of v", "SHA-256", bmpPassword("a".repeat(70)), salt70, KDF_ID.key, 9, 96],
    ["empty BMPString (00 00)", "SHA-1", bmpPassword(""), salt8, KDF_ID.key, 10, 24],
    ["absent password (no bytes)", "SHA-1", new Uint8Array(0), salt8, KDF_ID.key, 10, 24],
    ["astral character (surrogate pair)", "SHA-256", bmpPassword("🔑"), salt8, KDF_ID.mac, 10, 32],
  ];
  for (const [label, hash, pw, salt, id, iter, n] of cases) {
    it(`equals openssl PKCS12KDF: ${label}`, async () => {
      expect(hex(await pkcs12Kdf(hash, pw, salt, id, iter, n))).toBe(opensslKdf(hash, pw, salt, id, iter, n));
    });
  }

  it("refuses absurd iteration counts before doing any work", async () => {
    for (const iter of [0, 1_000_001, 10_000_001, Infinity]) {
      await expect(pkcs12Kdf("SHA-1", bmpPassword("x"), salt8, KDF_ID.key, iter, 24)).rejects.toMatchObject({ code: "pkcs12-unsupported-algorithm" });
    }
  });
});

describe("password encodings", () => {
  it("BMPString is big-endian UTF-16 with a two-byte terminator", () => {
    expect(hex(bmpPassword(""))).toBe("0000");
    expect(hex(bmpPassword("A€"))).toBe("004120ac0000");
    expect(hex(bmpPassword("🔑"))).toBe("d83ddd110000");
  });

  it("PBES2 takes UTF-8; '' is no bytes", () => {
    expect(hex(pbes2Password("ä€"))).toBe("c3a4e282ac");
    expect(pbes2Password("").length).toBe(0);
  });

  it("candidates: '' also as absent password; non-ASCII also as pre-1.1 OpenSSL's byte-wise BMPString", () => {
    expect(kdfPasswordCandidates("abc").map(hex)).toEqual(["0061006200630000"]);
    expect(kdfPasswordCandidates("").map(hex)).toEqual(["0000", ""]);
    expect(kdfPasswordCandidates("ä").map(hex)).toEqual(["00e40000", "00c300a40000"]);
  });
});
