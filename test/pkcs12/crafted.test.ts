/**
 * Files openssl 3 will not write but others do (absent-password encodings, pre-1.1 OpenSSL
 * byte-wise passwords), and hostile ones (absurd iteration counts, unknown algorithms,
 * random corruption). Assembled from our own building blocks plus pkijs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { exportPkcs12, importPkcs12 } from "../../src/core/pkcs12/index.js";
import { isSealbirdError } from "../../src/core/errors.js";
import { bmpPassword, pbes2Password } from "../../src/core/pkcs12/password.js";
import { pbes1Encrypt3Des } from "../../src/core/pkcs12/pbes1.js";
import { pbes2EncryptAes256 } from "../../src/core/pkcs12/pbes2.js";
import { makeMacData } from "../../src/core/pkcs12/mac.js";
import { certBag, encodeSafeContents, shroudedKeyBag } from "../../src/core/pkcs12/safe-contents.js";
import type { HashName } from "../../src/core/oids.js";
import { P12 } from "../../src/core/pkcs12/oids.js";
import { utf8 } from "../../src/core/bytes.js";
import { createFixtures, type Fixtures } from "./fixtures.js";

let fx: Fixtures;
beforeAll(() => {
  fx = createFixtures();
});
afterAll(() => {
  rmSync(fx.dir, { recursive: true, force: true });
});

interface Parts {
  keyAlgorithm: pkijs.AlgorithmIdentifier;
  keyCiphertext: Uint8Array;
  mac?: { hash: HashName; password: Uint8Array; iterations?: number };
  /** Rewrites the MacData after it was computed (to plant hostile values). */
  tamperMac?: (m: pkijs.MacData) => void;
}

/** Certificates unencrypted, one shrouded key bag, optional MAC. */
async function assemble(p: Parts): Promise<Uint8Array> {
  const certs = encodeSafeContents([certBag(fx.bob.certDer)]);
  const keys = encodeSafeContents([shroudedKeyBag(p.keyAlgorithm, p.keyCiphertext)]);
  const authSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      new pkijs.ContentInfo({ contentType: P12.data, content: new asn1js.OctetString({ valueHex: certs }) }),
      new pkijs.ContentInfo({ contentType: P12.data, content: new asn1js.OctetString({ valueHex: keys }) }),
    ],
  });
  const der = new Uint8Array(authSafe.toSchema().toBER(false));
  const pfx = new pkijs.PFX({ version: 3, authSafe: new pkijs.ContentInfo({ contentType: P12.data, content: new asn1js.OctetString({ valueHex: der }) }) });
  if (p.mac) {
    pfx.macData = await makeMacData(p.mac.hash, p.mac.password, p.mac.iterations ?? 1, der);
    p.tamperMac?.(pfx.macData);
  }
  return new Uint8Array(pfx.toSchema().toBER(false));
}

async function key3Des(password: Uint8Array) {
  const { algorithm, ciphertext } = await pbes1Encrypt3Des(password, fx.bob.pkcs8, 1);
  return { keyAlgorithm: algorithm, keyCiphertext: ciphertext };
}

describe("password encodings other writers use", () => {
  it("'' written as an absent password (no bytes, not 00 00), with and without MAC", async () => {
    const empty = new Uint8Array(0);
    for (const mac of [{ hash: "SHA-1" as const, password: empty }, undefined]) {
      const p12 = await assemble({ ...(await key3Des(empty)), ...(mac ? { mac } : {}) });
      const got = await importPkcs12(p12, "");
      expect(Buffer.from(got.privateKeyPkcs8).equals(Buffer.from(fx.bob.pkcs8))).toBe(true);
      await expect(importPkcs12(p12, "x")).rejects.toMatchObject({ code: "pkcs12-wrong-password" });
    }
  });

  it("pre-1.1 OpenSSL: each UTF-8 byte of a non-ASCII password taken as one BMP character", async () => {
    const pw = "pässwörd€";
    const bytewise = bmpPassword(String.fromCharCode(...utf8(pw)));
    const p12 = await assemble({ ...(await key3Des(bytewise)), mac: { hash: "SHA-1", password: bytewise } });
    expect((await importPkcs12(p12, pw)).keyAlgorithm).toBe("EC");
  });
});

describe("hostile parameters are refused before the work is done", () => {
  const quick = async (p12: Uint8Array, code: string, text?: string) => {
    const t = Date.now();
    const err = await importPkcs12(p12, "pw").catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    if (text) expect((err as Error).message).toContain(text);
    expect(Date.now() - t).toBeLessThan(2000);
  };

  it("MAC iteration count over the limits → pkcs12-unsupported-algorithm", async () => {
    for (const iterations of [1_000_001, 10_000_001, 2 ** 31]) {
      const p12 = await assemble({
        ...(await key3Des(bmpPassword("pw"))),
        mac: { hash: "SHA-256", password: bmpPassword("pw") },
        tamperMac: (m) => {
          m.iterations = iterations;
        },
      });
      await quick(p12, "pkcs12-unsupported-algorithm", String(iterations));
    }
  });

  it("PKCS#12 PBE and PBKDF2 iteration counts over the limits (file without MAC)", async () => {
    const pbe = new pkijs.AlgorithmIdentifier({
      algorithmId: P12.pbeWithSHAAnd3KeyTripleDESCBC,
      algorithmParams: new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: new Uint8Array(8) }), new asn1js.Integer({ value: 1_000_001 })] }),
    });
    await quick(await assemble({ keyAlgorithm: pbe, keyCiphertext: new Uint8Array(16) }), "pkcs12-unsupported-algorithm");

    const { algorithm, ciphertext } = await pbes2EncryptAes256(pbes2Password("pw"), fx.bob.pkcs8, 1);
    const params = new pkijs.PBES2Params({ schema: algorithm.algorithmParams });
    const kdf = new pkijs.PBKDF2Params({ schema: params.keyDerivationFunc.algorithmParams });
    kdf.iterationCount = 10_000_001;
    params.keyDerivationFunc.algorithmParams = kdf.toSchema();
    algorithm.algorithmParams = params.toSchema();
    await quick(await assemble({ keyAlgorithm: algorithm, keyCiphertext: ciphertext }), "pkcs12-unsupported-algorithm", "10000001");
  });

  it("unknown MAC digest, PBMAC1, unknown PBE → pkcs12-unsupported-algorithm naming the OID", async () => {
    for (const oid of [P12.sha224, P12.pbmac1, "1.2.3.4"]) {
      const p12 = await assemble({
        ...(await key3Des(bmpPassword("pw"))),
        mac: { hash: "SHA-256", password: bmpPassword("pw") },
        tamperMac: (m) => {
          m.mac.digestAlgorithm.algorithmId = oid;
        },
      });
      await quick(p12, "pkcs12-unsupported-algorithm", oid);
    }
    const rc4 = new pkijs.AlgorithmIdentifier({
      algorithmId: P12.pbeWithSHAAnd128BitRC4,
      algorithmParams: new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: new Uint8Array(8) }), new asn1js.Integer({ value: 1 })] }),
    });
    await quick(await assemble({ keyAlgorithm: rc4, keyCiphertext: new Uint8Array(16) }), "pkcs12-unsupported-algorithm", P12.pbeWithSHAAnd128BitRC4);
  });
});

describe("random corruption never escapes as an untyped error", () => {
  const allowed = new Set(["pkcs12-corrupt", "pkcs12-wrong-password", "pkcs12-unsupported-algorithm", "pkcs12-no-private-key", "input-too-large"]);
  for (const legacy of [false, true]) {
    it(`300 mutations of a ${legacy ? "legacy" : "modern"} export`, async () => {
      const good = await exportPkcs12({ privateKeyPkcs8: fx.bob.pkcs8, certificate: fx.bob.certDer, chain: [fx.root.certDer] }, "pw", { legacy, iterations: 1 });
      let seed = legacy ? 7 : 3;
      const rnd = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const codes = new Map<string, number>();
      for (let i = 0; i < 300; i++) {
        const bad = new Uint8Array(good);
        const kind = rnd(3);
        let input: Uint8Array = bad;
        const at = rnd(bad.length);
        if (kind === 0) bad[at] = bad[at]! ^ (1 << rnd(8));
        else if (kind === 1) bad[at] = rnd(256);
        else input = bad.subarray(0, at);
        try {
          await importPkcs12(input, "pw");
          codes.set("ok", (codes.get("ok") ?? 0) + 1);
        } catch (e) {
          expect(isSealbirdError(e), String(e)).toBe(true);
          const code = (e as { code: string }).code;
          expect(allowed.has(code), code).toBe(true);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }
      expect(codes.get("pkcs12-corrupt")).toBeGreaterThan(0);
      expect(codes.get("pkcs12-wrong-password")).toBeGreaterThan(0);
    });
  }
});
