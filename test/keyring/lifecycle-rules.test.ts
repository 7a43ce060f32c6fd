// Which of several certificates and keys the keyring uses: never an expired, not yet valid or
// revoked one to encrypt to; the newest valid identity to sign with after a renewal (the old
// one stays, for decrypting old mail).
import { beforeAll, describe, expect, it } from "vitest";
import { Keystore, MemoryBackend } from "../../src/core/keystore/index.js";
import { Keyring } from "../../src/core/keyring/keyring.js";
import { generatePgpKey, exportPublicKey, revokePgpKey } from "../../src/core/pgp/index.js";
import { fingerprint } from "../../src/core/cert/certificate.js";
import { utf8 } from "../../src/core/bytes.js";
import { makePki, type TestPki } from "../smime/pki.js";

const WEAK = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } };
let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 120_000);

const freshRing = async () => new Keyring(await Keystore.create(new MemoryBackend(), "pass-pass", WEAK));
const codeOf = (p: Promise<unknown>) => p.then(() => "no error", (e: { code?: string; details?: unknown }) => ({ code: e.code, details: e.details }));

describe("S/MIME recipients", () => {
  it("an expired certificate is never used, and the error says why", async () => {
    const ring = await freshRing();
    await ring.addCertificate(pki.expired.certificate, "smime-certificate");
    expect(await codeOf(ring.smimeRecipients(["old@example.org"]))).toEqual({
      code: "recipient-no-key",
      details: { missing: ["old@example.org"], unusable: { "old@example.org": "expired" } },
    });
  });

  it("a certificate marked revoked (by an online check) is never used again", async () => {
    const ring = await freshRing();
    await ring.addCertificate(pki.carol.certificate, "smime-certificate");
    expect((await ring.smimeRecipients(["carol@example.org"])).length).toBe(1);
    await ring.markSmimeRevoked(fingerprint(pki.carol.certificate), { checkedAt: new Date().toISOString(), method: "ocsp" });
    expect(await codeOf(ring.smimeRecipients(["carol@example.org"]))).toMatchObject({ details: { unusable: { "carol@example.org": "revoked" } } });
    // Learning the same certificate again (a new signed mail) keeps the mark.
    await ring.addCertificate(pki.carol.certificate, "smime-certificate");
    expect(await codeOf(ring.smimeRecipients(["carol@example.org"]))).toMatchObject({ code: "recipient-no-key" });
  });
});

describe("own S/MIME identities after a renewal", () => {
  it("signs with the valid identity, and keeps the expired one for decryption", async () => {
    const ring = await freshRing();
    // Two identities for one address: an expired one and a valid one (different keys).
    const expired = { ...pki.expired, certificate: pki.expired.certificate };
    await ring.store.addRecord({
      kind: "smime-identity",
      label: "old",
      public: { certificate: Buffer.from(expired.certificate).toString("base64"), chain: [], emails: ["alice@example.org"], fingerprint: fingerprint(expired.certificate), subject: "old", notAfter: "2021-01-01T00:00:00.000Z" },
      secret: expired.privateKeyPkcs8,
    });
    const now = { ...pki.alice };
    await ring.store.addRecord({
      kind: "smime-identity",
      label: "new",
      public: { certificate: Buffer.from(now.certificate).toString("base64"), chain: [], emails: ["alice@example.org"], fingerprint: fingerprint(now.certificate), subject: "new", notAfter: "2099-01-01T00:00:00.000Z" },
      secret: now.privateKeyPkcs8,
    });
    const signer = await ring.smimeSigner("alice@example.org");
    expect(fingerprint(signer.certificate)).toBe(fingerprint(pki.alice.certificate));
    expect((await ring.smimeIdentities()).length).toBe(2);
  });
});

describe("OpenPGP recipients", () => {
  it("an expired or revoked key is not used to encrypt; a valid one for the same address is", async () => {
    const ring = await freshRing();
    const old = await generatePgpKey({ email: "dan@example.org" }, { expiresInSeconds: 1, date: new Date(Date.now() - 3600_000) });
    await ring.importPgp(utf8(exportPublicKey(old.publicKey)));
    expect(await codeOf(ring.pgpPublicFor(["dan@example.org"]))).toMatchObject({ code: "recipient-no-key", details: { unusable: { "dan@example.org": "expired" } } });
    const revoked = await generatePgpKey({ email: "erin@example.org" });
    await ring.importPgp(utf8((await revokePgpKey(revoked.privateKey)).armoredPublicKey));
    expect(await codeOf(ring.pgpPublicFor(["erin@example.org"]))).toMatchObject({ details: { unusable: { "erin@example.org": "revoked" } } });
    const fresh = await generatePgpKey({ email: "dan@example.org" });
    await ring.importPgp(utf8(exportPublicKey(fresh.publicKey)));
    expect(await ring.pgpPublicFor(["dan@example.org"])).toEqual([exportPublicKey(fresh.publicKey)]);
  });
});
