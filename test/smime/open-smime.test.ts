import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectSmime, openSmime, smimeEncrypt, smimeSign, type SmimeContext } from "../../src/core/smime/index.js";
import { makePki, type TestPki, type TestIdentity } from "./pki.js";
import { entity, toCrlf } from "./mime-helper.js";

let pki: TestPki;
let ctx: SmimeContext;
const inner = toCrlf(new TextEncoder().encode("Content-Type: text/plain; charset=us-ascii\n\nHello Bob,\nthe contract is attached.\n"));
const ident = (t: TestIdentity) => ({ privateKeyPkcs8: t.privateKeyPkcs8, certificate: t.certificate, chain: [pki.intermediate.certificate] });

beforeAll(async () => {
  pki = await makePki();
  writeFileSync(join(pki.dir, "inner.eml"), inner);
  ctx = { identities: [ident(pki.alice)], trustAnchors: [pki.root.certificate], knownCertificates: [] };
});

function ossl(args: string[], out: string): Uint8Array {
  // -out before the positional recipient certificates.
  pki.openssl([args[0]!, args[1]!, "-out", out, ...args.slice(2)]);
  return toCrlf(new Uint8Array(readFileSync(join(pki.dir, out))));
}

describe("openSmime on openssl-written messages", () => {
  it("multipart/signed (openssl cms -sign, detached) → valid, inner = first part raw bytes", async () => {
    const msg = entity(ossl(["cms", "-sign", "-in", "inner.eml", "-signer", pki.bob.certPath, "-inkey", pki.bob.keyPath, "-certfile", "intermediate.pem"], "o-signed.eml"));
    expect(detectSmime(msg)).toBe("signed");
    const r = await openSmime(msg, ctx, { from: "bob@example.org" });
    expect(r.signature?.state).toBe("valid");
    expect(r.inner).toEqual(msg.children[0]!.raw);
    // openssl 3.0 advertises AES-CBC (256/192/128) and 3DES, not GCM or OAEP.
    expect(r.collected?.[0]?.capabilities).toMatchObject({ aesCbc: true, aesGcm: false, oaep: false });
  });
  it("application/x-pkcs7-signature and any micalg", async () => {
    const raw = ossl(["cms", "-sign", "-md", "sha512", "-in", "inner.eml", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", "intermediate.pem"], "o-signed-x.eml");
    const patched = new Uint8Array(Buffer.from(Buffer.from(raw).toString("latin1").replace(/application\/pkcs7-signature/g, "application/x-pkcs7-signature"), "latin1"));
    const msg = entity(patched);
    expect(detectSmime(msg)).toBe("signed");
    const r = await openSmime(msg, ctx, { from: "alice@example.org" });
    expect(r.signature).toMatchObject({ state: "valid", digestAlgorithm: "SHA-512" });
  });
  it("tampered: one body byte changed after signing → invalid", async () => {
    const raw = ossl(["cms", "-sign", "-in", "inner.eml", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", "intermediate.pem"], "o-signed-t.eml");
    const s = Buffer.from(raw).toString("latin1").replace("the contract", "the cantract");
    const r = await openSmime(entity(new Uint8Array(Buffer.from(s, "latin1"))), ctx, { from: "alice@example.org" });
    expect(r.signature?.state).toBe("invalid");
    expect(r.signature?.reasons.map((x) => x.code)).toContain("digest-mismatch");
  });
  it("opaque signed-data (-nodetach) → valid, inner = encapsulated content", async () => {
    const msg = entity(ossl(["cms", "-sign", "-nodetach", "-in", "inner.eml", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", "intermediate.pem"], "o-opaque.eml"));
    expect(detectSmime(msg)).toBe("signed");
    const r = await openSmime(msg, ctx, { from: "alice@example.org" });
    expect(r.signature?.state).toBe("valid");
    expect(r.inner).toEqual(inner);
  });
  it("enveloped-data (openssl -aes256) → decrypted", async () => {
    const msg = entity(ossl(["cms", "-encrypt", "-aes256", "-in", "inner.eml", pki.alice.certPath], "o-enc.eml"));
    expect(detectSmime(msg)).toBe("encrypted");
    const r = await openSmime(msg, ctx, {});
    expect(r.encryption).toMatchObject({ state: "decrypted", algorithm: "AES-256-CBC", protocol: "smime" });
    expect(r.inner).toEqual(inner);
  });
  it("authEnveloped-data (openssl -aes-256-gcm) → decrypted", async () => {
    const msg = entity(ossl(["cms", "-encrypt", "-aes-256-gcm", "-in", "inner.eml", pki.alice.certPath], "o-gcm.eml"));
    expect(detectSmime(msg)).toBe("encrypted");
    const r = await openSmime(msg, ctx, {});
    expect(r.encryption).toMatchObject({ state: "decrypted", algorithm: "AES-256-GCM" });
  });
  it("encrypted only to Bob, we have Alice → failed/no-key with recipients, no inner", async () => {
    const msg = entity(ossl(["cms", "-encrypt", "-aes256", "-in", "inner.eml", pki.bob.certPath], "o-enc-bob.eml"));
    const r = await openSmime(msg, ctx, {});
    expect(r.inner).toBeUndefined();
    expect(r.encryption).toMatchObject({ state: "failed", code: "no-key" });
    expect(r.encryption?.state === "failed" && r.encryption.recipients.length).toBe(1);
  });
  it("our own sign then encrypt opens layer by layer", async () => {
    const signed = await smimeSign(inner, ident(pki.bob));
    const enc = await smimeEncrypt(signed, [{ certificate: pki.alice.certificate, capabilities: { aesGcm: true, oaep: true } }]);
    const outer = await openSmime(entity(enc), ctx, {});
    expect(outer.encryption?.state).toBe("decrypted");
    const sig = await openSmime(entity(outer.inner!), ctx, { from: "bob@example.org" });
    expect(sig.signature?.state).toBe("valid");
    expect(sig.inner).toEqual(inner);
  });
  it("non-S/MIME entities are not detected; garbage S/MIME is a typed failure", async () => {
    expect(detectSmime(entity(inner))).toBeNull();
    const junk = toCrlf(new TextEncoder().encode('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\nAAAA\n'));
    const r = await openSmime(entity(junk), ctx, {});
    expect(r.encryption?.state).toBe("failed");
  });
});
