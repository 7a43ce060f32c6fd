/** importPkcs12 on files written by the real openssl 3, in every variant users meet. */
import { beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { afterAll } from "vitest";
import { importPkcs12, type Pkcs12Contents } from "../../src/core/pkcs12/index.js";
import { createFixtures, type Fixtures, type Identity } from "./fixtures.js";

let fx: Fixtures;
beforeAll(() => {
  fx = createFixtures();
});
afterAll(() => {
  rmSync(fx.dir, { recursive: true, force: true });
});

function expectIdentity(got: Pkcs12Contents, id: Identity): void {
  expect(Buffer.from(got.certificate).equals(Buffer.from(id.certDer))).toBe(true);
  // openssl re-derives the public key from our PKCS#8: proves it is a valid key and the right one.
  expect(fx.publicKeyOf(got.privateKeyPkcs8).equals(fx.publicKeyOf(id.pkcs8))).toBe(true);
  // OpenSSL stores the same PKCS#8 DER it prints with `pkcs8 -topk8 -nocrypt -outform DER`.
  expect(Buffer.from(got.privateKeyPkcs8).equals(Buffer.from(id.pkcs8))).toBe(true);
}

const NON_ASCII = "pässwörd€";

describe("importPkcs12 reads openssl 3 files", () => {
  it("modern default (PBES2/PBKDF2-SHA256/AES-256-CBC, HMAC-SHA256), RSA", async () => {
    const got = await importPkcs12(fx.makeP12(fx.alice, "secret", ["-name", "Alice's key"]), "secret");
    expectIdentity(got, fx.alice);
    expect(got.keyAlgorithm).toBe("RSA");
    expect(got.rsaBits).toBe(2048);
    expect(got.namedCurve).toBeUndefined();
    expect(got.chain).toEqual([]);
    expect(got.friendlyName).toBe("Alice's key");
  });

  it("-legacy (RC2-40 certs, 3DES key, SHA-1 MAC)", async () => {
    const got = await importPkcs12(fx.makeP12(fx.alice, "secret", ["-legacy"]), "secret");
    expectIdentity(got, fx.alice);
    expect(got.friendlyName).toBeUndefined();
  });

  it("Windows style: 3DES for certs and key, SHA-1 MAC", async () => {
    const p12 = fx.makeP12(fx.alice, "secret", ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]);
    expectIdentity(await importPkcs12(p12, "secret"), fx.alice);
  });

  it("EC P-256 and P-384", async () => {
    const bob = await importPkcs12(fx.makeP12(fx.bob, "secret"), "secret");
    expectIdentity(bob, fx.bob);
    expect(bob.keyAlgorithm).toBe("EC");
    expect(bob.namedCurve).toBe("P-256");
    expect(bob.rsaBits).toBeUndefined();
    const carol = await importPkcs12(fx.makeP12(fx.carol, "secret", ["-legacy"]), "secret");
    expectIdentity(carol, fx.carol);
    expect(carol.namedCurve).toBe("P-384");
  });

  it("with a chain (-certfile)", async () => {
    const got = await importPkcs12(fx.makeP12(fx.dave, "secret", ["-certfile", fx.chainPath]), "secret");
    expectIdentity(got, fx.dave);
    expect(got.chain.length).toBe(2);
    const chain = got.chain.map((c) => Buffer.from(c));
    expect(chain.some((c) => c.equals(Buffer.from(fx.intermediate.certDer)))).toBe(true);
    expect(chain.some((c) => c.equals(Buffer.from(fx.root.certDer)))).toBe(true);
  });

  it("with a chain, legacy", async () => {
    const got = await importPkcs12(fx.makeP12(fx.dave, "secret", ["-legacy", "-certfile", fx.chainPath]), "secret");
    expectIdentity(got, fx.dave);
    expect(got.chain.length).toBe(2);
  });

  for (const [label, extra] of [
    ["modern", []],
    ["legacy", ["-legacy"]],
    ["Windows 3DES", ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]],
  ] as const) {
    it(`empty password, ${label}`, async () => {
      const p12 = fx.makeP12(fx.bob, "", [...extra]);
      expectIdentity(await importPkcs12(p12, ""), fx.bob);
      await expect(importPkcs12(p12, "x")).rejects.toMatchObject({ code: "pkcs12-wrong-password" });
    });

    it(`non-ASCII password "${NON_ASCII}", ${label}`, async () => {
      const p12 = fx.makeP12(fx.alice, NON_ASCII, [...extra]);
      expectIdentity(await importPkcs12(p12, NON_ASCII), fx.alice);
      await expect(importPkcs12(p12, "passwordE")).rejects.toMatchObject({ code: "pkcs12-wrong-password" });
    });
  }

  it("unencrypted keyBag and unencrypted certificates (-keypbe NONE -certpbe NONE)", async () => {
    const got = await importPkcs12(fx.makeP12(fx.bob, "secret", ["-keypbe", "NONE", "-certpbe", "NONE"]), "secret");
    expectIdentity(got, fx.bob);
  });

  it("no MAC (-nomac): right password reads, wrong password is detected by decryption", async () => {
    for (const extra of [[], ["-legacy"], ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES"]]) {
      const p12 = fx.makeP12(fx.alice, "secret", ["-nomac", ...extra]);
      expectIdentity(await importPkcs12(p12, "secret"), fx.alice);
      await expect(importPkcs12(p12, "wrong")).rejects.toMatchObject({ code: "pkcs12-wrong-password" });
    }
  });

  it("no MAC and nothing encrypted reads with any password", async () => {
    const p12 = fx.makeP12(fx.bob, "", ["-nomac", "-keypbe", "NONE", "-certpbe", "NONE"]);
    expectIdentity(await importPkcs12(p12, "anything"), fx.bob);
  });

  it("other PBES2 PRF/cipher combinations openssl offers (AES-128, 3DES under PBES2, SHA-1 MAC)", async () => {
    const p12 = fx.makeP12(fx.bob, "secret", ["-keypbe", "aes-128-cbc", "-certpbe", "des-ede3-cbc", "-macalg", "sha512"]);
    expectIdentity(await importPkcs12(p12, "secret"), fx.bob);
  });
});

describe("importPkcs12 errors", () => {
  it("wrong password → pkcs12-wrong-password (modern, legacy)", async () => {
    await expect(importPkcs12(fx.makeP12(fx.alice, "secret"), "Secret")).rejects.toMatchObject({ code: "pkcs12-wrong-password" });
    await expect(importPkcs12(fx.makeP12(fx.alice, "secret", ["-legacy"]), "")).rejects.toMatchObject({ code: "pkcs12-wrong-password" });
  });

  it("truncated or garbage DER → pkcs12-corrupt", async () => {
    const p12 = fx.makeP12(fx.alice, "secret");
    for (const len of [0, 1, 10, 100, Math.floor(p12.length / 2), p12.length - 1]) {
      await expect(importPkcs12(p12.subarray(0, len), "secret")).rejects.toMatchObject({ code: "pkcs12-corrupt" });
    }
    await expect(importPkcs12(new TextEncoder().encode("-----BEGIN PKCS12-----"), "secret")).rejects.toMatchObject({ code: "pkcs12-corrupt" });
  });

  it("certificates only (-nokeys) → pkcs12-no-private-key", async () => {
    const out = `${fx.dir}/certs-only.p12`;
    fx.openssl(["pkcs12", "-export", "-nokeys", "-in", fx.alice.certPath, "-out", out, "-passout", "pass:secret"]);
    const p12 = new Uint8Array((await import("node:fs")).readFileSync(out));
    await expect(importPkcs12(p12, "secret")).rejects.toMatchObject({ code: "pkcs12-no-private-key" });
  });

  it("a key without its certificate (-nocerts) → pkcs12-no-private-key (no usable pair)", async () => {
    const p12 = fx.makeP12(fx.alice, "secret", ["-nocerts"]);
    await expect(importPkcs12(p12, "secret")).rejects.toMatchObject({ code: "pkcs12-no-private-key", details: { reason: "no-matching-certificate" } });
  });

  it("a cipher we do not implement (PBES2 with Camellia) → pkcs12-unsupported-algorithm naming the OID", async () => {
    const p12 = fx.makeP12(fx.alice, "secret", ["-keypbe", "camellia-256-cbc"]);
    const err = await importPkcs12(p12, "secret").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "pkcs12-unsupported-algorithm" });
    expect((err as Error).message).toContain("1.2.392.200011.61.1.1.1.4");
  });

  it("over 10 MB → input-too-large, before parsing", async () => {
    await expect(importPkcs12(new Uint8Array(10 * 1024 * 1024 + 1), "x")).rejects.toMatchObject({ code: "input-too-large" });
  });
});
