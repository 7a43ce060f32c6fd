/** exportPkcs12: files the real openssl 3 accepts, and our own import round trip. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { exportPkcs12, importPkcs12 } from "../../src/core/pkcs12/index.js";
import { createFixtures, type Fixtures, type Identity } from "./fixtures.js";

let fx: Fixtures;
beforeAll(() => {
  fx = createFixtures();
});
afterAll(() => {
  rmSync(fx.dir, { recursive: true, force: true });
});

let n = 0;
/** What openssl reads back: info text, key, leaf certificate, CA certificates. */
function opensslReads(p12: Uint8Array, password: string, legacyFlag: string[] = []) {
  const path = fx.write(`ours-${++n}.p12`, p12);
  const pass = ["-passin", `pass:${password}`];
  const info = fx.opensslAllOutput(["pkcs12", "-info", "-in", path, "-noout", ...pass, ...legacyFlag]);
  const keyPem = fx.openssl(["pkcs12", "-in", path, "-nocerts", "-nodes", ...pass, ...legacyFlag]);
  const key = new Uint8Array(fx.openssl(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER"], keyPem));
  const leaf = fx.pemCertsToDer(fx.openssl(["pkcs12", "-in", path, "-clcerts", "-nokeys", ...pass, ...legacyFlag]).toString());
  const cas = fx.pemCertsToDer(fx.openssl(["pkcs12", "-in", path, "-cacerts", "-nokeys", ...pass, ...legacyFlag]).toString());
  const all = fx.openssl(["pkcs12", "-in", path, "-nodes", ...pass, ...legacyFlag]).toString();
  return { info, key, leaf, cas, all };
}

function expectSame(got: ReturnType<typeof opensslReads>, id: Identity): void {
  expect(Buffer.from(got.key).equals(Buffer.from(id.pkcs8))).toBe(true);
  expect(got.leaf.length).toBe(1);
  expect(Buffer.from(got.leaf[0]!).equals(Buffer.from(id.certDer))).toBe(true);
}

describe("exportPkcs12 → openssl", () => {
  it("modern default: PBES2/PBKDF2-SHA256/AES-256-CBC for key and certs, HMAC-SHA256 MAC", async () => {
    const p12 = await exportPkcs12({ privateKeyPkcs8: fx.alice.pkcs8, certificate: fx.alice.certDer, friendlyName: "Alice" }, "secret");
    const got = opensslReads(p12, "secret");
    expectSame(got, fx.alice);
    expect(got.info).toContain("MAC: sha256, Iteration 2048");
    expect(got.info).toContain("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256");
    expect(got.info).toContain("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256");
    // friendlyName and localKeyId on both bags, as openssl prints them.
    expect(got.all.match(/friendlyName: Alice/g)?.length).toBe(2);
    expect(got.all.match(/localKeyID: [0-9A-F ]+/g)?.length).toBe(2);
  });

  it("legacy: pbeWithSHAAnd3-KeyTripleDES-CBC for key and certs, SHA-1 MAC; openssl reads it with and without -legacy", async () => {
    const p12 = await exportPkcs12({ privateKeyPkcs8: fx.bob.pkcs8, certificate: fx.bob.certDer }, "secret", { legacy: true });
    for (const flag of [[], ["-legacy"]]) {
      const got = opensslReads(p12, "secret", flag);
      expectSame(got, fx.bob);
      expect(got.info).toContain("MAC: sha1, Iteration 2048");
      expect(got.info).toContain("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048");
      expect(got.info).toContain("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048");
    }
  });

  it("with the chain; openssl lists the CA certificates", async () => {
    const chain = [fx.intermediate.certDer, fx.root.certDer];
    for (const legacy of [false, true]) {
      const p12 = await exportPkcs12({ privateKeyPkcs8: fx.dave.pkcs8, certificate: fx.dave.certDer, chain }, "secret", { legacy });
      const got = opensslReads(p12, "secret");
      expectSame(got, fx.dave);
      expect(got.cas.map((c) => Buffer.from(c).toString("hex")).sort()).toEqual(chain.map((c) => Buffer.from(c).toString("hex")).sort());
    }
  });

  it("non-ASCII and empty passwords, modern and legacy", async () => {
    for (const password of ["pässwörd€", ""]) {
      for (const legacy of [false, true]) {
        const p12 = await exportPkcs12({ privateKeyPkcs8: fx.carol.pkcs8, certificate: fx.carol.certDer }, password, { legacy });
        expectSame(opensslReads(p12, password), fx.carol);
        expect(() => opensslReads(p12, password + "x")).toThrow(/failed/);
      }
    }
  });

  it("custom iteration count", async () => {
    const p12 = await exportPkcs12({ privateKeyPkcs8: fx.bob.pkcs8, certificate: fx.bob.certDer }, "secret", { iterations: 10_000 });
    const got = opensslReads(p12, "secret");
    expect(got.info).toContain("MAC: sha256, Iteration 10000");
    expect(got.info).toContain("AES-256-CBC, Iteration 10000");
  });
});

describe("exportPkcs12 → importPkcs12 round trip", () => {
  for (const legacy of [false, true]) {
    it(`RSA with chain and friendlyName${legacy ? ", legacy" : ""}`, async () => {
      const chain = [fx.intermediate.certDer, fx.root.certDer];
      const p12 = await exportPkcs12({ privateKeyPkcs8: fx.dave.pkcs8, certificate: fx.dave.certDer, chain, friendlyName: "Dävé ✉" }, "pw", { legacy });
      const got = await importPkcs12(p12, "pw");
      expect(Buffer.from(got.privateKeyPkcs8).equals(Buffer.from(fx.dave.pkcs8))).toBe(true);
      expect(Buffer.from(got.certificate).equals(Buffer.from(fx.dave.certDer))).toBe(true);
      expect(got.chain.map((c) => Buffer.from(c).toString("hex"))).toEqual(chain.map((c) => Buffer.from(c).toString("hex")));
      expect(got).toMatchObject({ keyAlgorithm: "RSA", rsaBits: 2048, friendlyName: "Dävé ✉" });
      await expect(importPkcs12(p12, "PW")).rejects.toMatchObject({ code: "pkcs12-wrong-password" });
    });

    it(`EC P-384, empty password${legacy ? ", legacy" : ""}`, async () => {
      const p12 = await exportPkcs12({ privateKeyPkcs8: fx.carol.pkcs8, certificate: fx.carol.certDer }, "", { legacy });
      const got = await importPkcs12(p12, "");
      expect(got).toMatchObject({ keyAlgorithm: "EC", namedCurve: "P-384", chain: [] });
      expect(got.friendlyName).toBeUndefined();
      expect(Buffer.from(got.privateKeyPkcs8).equals(Buffer.from(fx.carol.pkcs8))).toBe(true);
    });
  }
});

describe("exportPkcs12 input errors", () => {
  it("key and certificate that do not belong together → usage", async () => {
    await expect(exportPkcs12({ privateKeyPkcs8: fx.alice.pkcs8, certificate: fx.dave.certDer }, "x")).rejects.toMatchObject({ code: "usage" });
    await expect(exportPkcs12({ privateKeyPkcs8: fx.bob.pkcs8, certificate: fx.alice.certDer }, "x")).rejects.toMatchObject({ code: "usage" });
  });

  it("garbage key → asn1-malformed, garbage certificate → cert-malformed, bad iterations → usage", async () => {
    await expect(exportPkcs12({ privateKeyPkcs8: new Uint8Array([1, 2, 3]), certificate: fx.alice.certDer }, "x")).rejects.toMatchObject({
      code: "asn1-malformed",
    });
    await expect(exportPkcs12({ privateKeyPkcs8: fx.alice.pkcs8, certificate: new Uint8Array([0x30, 0]) }, "x")).rejects.toMatchObject({
      code: "cert-malformed",
    });
    await expect(
      exportPkcs12({ privateKeyPkcs8: fx.alice.pkcs8, certificate: fx.alice.certDer, chain: [fx.root.pkcs8] }, "x"),
    ).rejects.toMatchObject({ code: "cert-malformed" });
    for (const iterations of [0, -1, 1.5, 2_000_000]) {
      await expect(exportPkcs12({ privateKeyPkcs8: fx.alice.pkcs8, certificate: fx.alice.certDer }, "x", { iterations })).rejects.toMatchObject({
        code: "usage",
      });
    }
  });
});
