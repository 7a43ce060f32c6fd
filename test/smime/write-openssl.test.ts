import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { smimeSign, signCms } from "../../src/core/smime/sign.js";
import { smimeEncrypt } from "../../src/core/smime/encrypt.js";
import { verifyCms } from "../../src/core/smime/verify.js";
import { decryptCms } from "../../src/core/smime/enveloped.js";
import { makePki, type TestPki, type TestIdentity } from "./pki.js";

let pki: TestPki;
const inner = new TextEncoder().encode(
  "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nQuarterly numbers attached.\r\nGr\u00fc\u00dfe\r\n\r\n",
);
const ident = (t: TestIdentity, chain: Uint8Array[] = []) => ({ privateKeyPkcs8: t.privateKeyPkcs8, certificate: t.certificate, chain });

beforeAll(async () => {
  pki = await makePki();
});

function save(name: string, b: Uint8Array): string {
  writeFileSync(join(pki.dir, name), b);
  return name;
}

describe("what we write, openssl reads", () => {
  it("openssl cms -verify accepts smimeSign (RSA) and returns the inner bytes", async () => {
    const out = await smimeSign(inner, ident(pki.alice, [pki.intermediate.certificate]));
    const f = save("w-signed-rsa.eml", out);
    pki.openssl(["cms", "-verify", "-in", f, "-CAfile", "root.pem", "-out", "w-signed-rsa.out"]);
    expect(new Uint8Array(readFileSync(join(pki.dir, "w-signed-rsa.out")))).toEqual(inner);
  });
  it("openssl cms -verify accepts smimeSign of an entity given in pieces after a header section, and returns the joined bytes", async () => {
    const cut = [0, 3, 4, 40, 41, inner.length];
    const pieces = cut.slice(1).map((end, i) => inner.slice(cut[i], end));
    const before = new TextEncoder().encode("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: pieces\r\nMIME-Version: 1.0\r\n");
    const out = await smimeSign(pieces, ident(pki.alice, [pki.intermediate.certificate]), before);
    expect(out.subarray(0, before.length)).toEqual(before);
    const f = save("w-signed-pieces.eml", out);
    pki.openssl(["cms", "-verify", "-in", f, "-CAfile", "root.pem", "-out", "w-signed-pieces.out"]);
    expect(new Uint8Array(readFileSync(join(pki.dir, "w-signed-pieces.out")))).toEqual(inner);
  });
  it("openssl cms -verify accepts smimeSign (ECDSA P-256)", async () => {
    const out = await smimeSign(inner, ident(pki.bob, [pki.intermediate.certificate]));
    const f = save("w-signed-ec.eml", out);
    pki.openssl(["cms", "-verify", "-in", f, "-CAfile", "root.pem", "-out", "w-signed-ec.out"]);
    expect(new Uint8Array(readFileSync(join(pki.dir, "w-signed-ec.out")))).toEqual(inner);
  });
  it("openssl sees our signed attributes: SHA-256, signingTime, sMIMECapabilities", async () => {
    const der = await signCms(inner, ident(pki.alice, [pki.intermediate.certificate]));
    const f = save("w-sig.der", der);
    const text = pki.openssl(["cms", "-cmsout", "-print", "-inform", "DER", "-in", f]).toString();
    expect(text).toContain("sha256WithRSAEncryption");
    expect(text).toContain("signingTime");
    expect(text).toContain("aes-256-gcm");
    expect(text).toContain("rsaesOaep");
  });
  const encCases: [string, () => TestIdentity, { aesGcm?: boolean; oaep?: boolean; oaepHash?: "SHA-1" | "SHA-256" } | undefined, string][] = [
    ["RSA PKCS#1 v1.5, AES-256-CBC", () => pki.alice, undefined, "enveloped-data"],
    ["RSA-OAEP SHA-1, AES-256-GCM", () => pki.alice, { aesGcm: true, oaep: true }, "authEnveloped-data"],
    ["RSA-OAEP SHA-256, AES-256-CBC", () => pki.alice, { oaep: true, oaepHash: "SHA-256" }, "enveloped-data"],
    ["ECDH P-256 sha256kdf, AES-256-CBC", () => pki.bob, undefined, "enveloped-data"],
    ["ECDH P-256 sha256kdf, AES-256-GCM", () => pki.bob, { aesGcm: true }, "authEnveloped-data"],
  ];
  for (const [name, who, caps, type] of encCases) {
    it(`openssl cms -decrypt opens smimeEncrypt: ${name}`, async () => {
      const r = who();
      const out = await smimeEncrypt(inner, [{ certificate: r.certificate, capabilities: caps }]);
      expect(new TextDecoder().decode(out.subarray(0, 120))).toContain(`smime-type=${type}`);
      const f = save(`w-enc-${name.replace(/\W/g, "")}.eml`, out);
      pki.openssl(["cms", "-decrypt", "-in", f, "-recip", r.certPath, "-inkey", r.keyPath, "-binary", "-out", `${f}.out`]);
      expect(new Uint8Array(readFileSync(join(pki.dir, `${f}.out`)))).toEqual(inner);
    });
  }
  it("two recipients (RSA + EC): GCM only when both advertise it; each opens it", async () => {
    const out = await smimeEncrypt(inner, [
      { certificate: pki.alice.certificate, capabilities: { aesGcm: true } },
      { certificate: pki.bob.certificate },
    ]);
    expect(new TextDecoder().decode(out.subarray(0, 120))).toContain("smime-type=enveloped-data");
    const f = save("w-enc-two.eml", out);
    for (const r of [pki.alice, pki.bob]) {
      pki.openssl(["cms", "-decrypt", "-in", f, "-recip", r.certPath, "-inkey", r.keyPath, "-binary", "-out", `${f}.${r.name}`]);
      expect(new Uint8Array(readFileSync(join(pki.dir, `${f}.${r.name}`)))).toEqual(inner);
    }
  });
});

describe("round trip through our own reader", () => {
  it("signCms → verifyCms valid; encryptCms → decryptCms", async () => {
    const der = await signCms(inner, ident(pki.bob, [pki.intermediate.certificate]));
    const v = await verifyCms(der, inner, { identities: [], trustAnchors: [pki.root.certificate], knownCertificates: [] }, { from: "bob@example.org" });
    expect(v.signature.state).toBe("valid");
    expect(v.collected[0]?.capabilities).toMatchObject({ aesGcm: true, aesCbc: true, oaep: true, oaepHash: "SHA-1" });
    const { encryptCms } = await import("../../src/core/smime/encrypt.js");
    const enc = await encryptCms(inner, [{ certificate: pki.alice.certificate, capabilities: { aesGcm: true, oaep: true } }]);
    const dec = await decryptCms(enc.der, [ident(pki.alice)]);
    expect(dec.content).toEqual(inner);
    expect(dec.algorithm).toBe("AES-256-GCM");
  });
});
