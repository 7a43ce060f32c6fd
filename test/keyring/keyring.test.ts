// The keyring over a real keystore: what received mail teaches it, and that a changed key for a
// known address waits for the user instead of replacing the old one.
import { beforeAll, describe, expect, it } from "vitest";
import { Keystore, MemoryBackend } from "../../src/core/keystore/index.js";
import { Keyring } from "../../src/core/keyring/keyring.js";
import { inspectMessage } from "../../src/core/message/inspect.js";
import { protectMessage } from "../../src/core/message/protect.js";
import { smimeOpener, smimeWriter } from "../../src/core/message/smime-adapter.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import { formatAutocryptHeader, generatePgpKey } from "../../src/core/pgp/index.js";
import { utf8 } from "../../src/core/bytes.js";
import { smimeEncrypt, smimeSign } from "../../src/core/smime/index.js";
import { makePki, pemToDer, run, type TestPki } from "../smime/pki.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const WEAK = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 } };
const mail = (from: string, extra = "") =>
  utf8(`From: ${from}\r\nTo: bob@example.org\r\nSubject: hi\r\n${extra}Content-Type: text/plain\r\n\r\nHello.\r\n`);

let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
}, 120_000);

async function freshRing(): Promise<Keyring> {
  return new Keyring(await Keystore.create(new MemoryBackend(), "pass-pass", WEAK));
}

describe("keyring learns from received mail", () => {
  it("remembers the certificate of a valid S/MIME signer with its capabilities, and can then encrypt to it", async () => {
    const ring = await freshRing();
    await ring.addCertificate(pki.root.certificate, "trust-anchor");
    const signer = { ...pki.alice, chain: [pki.intermediate.certificate] };
    const signed = await protectMessage(mail("Alice <alice@example.org>"), { writer: smimeWriter(signer, []), sign: true, encrypt: false });
    const result = await inspectMessage(signed, { openers: [smimeOpener(await ring.smimeContext())] });
    expect(result.status.signature.state).toBe("valid");
    const learned = await ring.learnFrom(result);
    expect(learned.certificates.map((c) => c.emails)).toEqual([["alice@example.org"]]);
    const [recipient] = await ring.smimeRecipients(["alice@example.org"]);
    expect(recipient!.capabilities).toMatchObject({ aesGcm: true, oaep: true });
  });

  it("does not learn from an untrusted signature", async () => {
    const ring = await freshRing(); // no trust anchor
    const signed = await protectMessage(mail("alice@example.org"), { writer: smimeWriter({ ...pki.alice, chain: [] }, []), sign: true, encrypt: false });
    const result = await inspectMessage(signed, { openers: [smimeOpener(await ring.smimeContext())] });
    expect(result.status.signature.state).toBe("untrusted");
    expect((await ring.learnFrom(result)).certificates).toEqual([]);
    await expect(ring.smimeRecipients(["alice@example.org"])).rejects.toMatchObject({ code: "recipient-no-key" });
  });

  it("learns only the credited signer: not a second certificate that signed only the ciphertext", async () => {
    const ring = await freshRing();
    await ring.addCertificate(pki.root.certificate, "trust-anchor");
    // A second, equally trusted certificate for Alice's address, issued by the test CA.
    const sh = (args: string[]) => run("openssl", args, { cwd: pki.dir, env: { ...process.env, SAN_EMAIL: "alice@example.org" } });
    sh(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "alice2.key", "-out", "alice2.csr", "-subj", "/CN=alice2/emailAddress=alice@example.org"]);
    sh(["ca", "-batch", "-config", "ca.cnf", "-extensions", "leaf", "-in", "alice2.csr", "-out", "alice2.pem", "-notext"]);
    const alice2 = { certificate: pemToDer(readFileSync(join(pki.dir, "alice2.pem"), "latin1")), privateKeyPkcs8: new Uint8Array(sh(["pkcs8", "-topk8", "-nocrypt", "-in", "alice2.key", "-outform", "DER"])), chain: [pki.intermediate.certificate] };
    const alice = { ...pki.alice, chain: [pki.intermediate.certificate] };
    const ctx = { identities: [{ ...pki.bob, chain: [] }], trustAnchors: [pki.root.certificate], knownCertificates: [] };
    const inner = await smimeEncrypt(await smimeSign(utf8("Content-Type: text/plain\r\n\r\nHi.\r\n"), alice), [{ certificate: pki.bob.certificate }]);
    const wire = new Uint8Array([...utf8("From: alice@example.org\r\nTo: bob@example.org\r\n"), ...(await smimeSign(inner, alice2))]);
    const result = await inspectMessage(wire, { openers: [smimeOpener(ctx)] });
    expect(result.status.signature.state).toBe("valid");
    expect(result.status.uncredited.map((u) => u.signature.state)).toEqual(["valid"]);
    const learned = await ring.learnFrom(result);
    expect(learned.certificates.map((c) => c.fingerprint)).toEqual([result.status.signature.signer!.fingerprint]);
  });

  it("Autocrypt: a new key is taken, a changed one is kept pending until accepted", async () => {
    const ring = await freshRing();
    const first = await generatePgpKey({ email: "carol@example.org" });
    const second = await generatePgpKey({ email: "carol@example.org" });
    const inspectWith = async (key: typeof first.publicKey) => {
      const header = `Autocrypt: ${await formatAutocryptHeader("carol@example.org", key)}\r\n`;
      return inspectMessage(mail("carol@example.org", header), { openers: [pgpOpener(await ring.pgpContext())] });
    };
    const a = await ring.learnFrom(await inspectWith(first.publicKey));
    expect(a.pgpKeys.map((k) => [k.fingerprint, k.pending])).toEqual([[first.publicKey.getFingerprint(), false]]);
    const b = await ring.learnFrom(await inspectWith(second.publicKey));
    expect(b.pgpKeys.map((k) => [k.fingerprint, k.pending])).toEqual([[second.publicKey.getFingerprint(), true]]);
    // Encryption still goes to the accepted key only.
    expect(await ring.pgpPublicFor(["carol@example.org"])).toHaveLength(1);
    expect((await ring.pgpContext()).publicKeys).toHaveLength(1);
    await ring.acceptPgpKey(b.pgpKeys[0]!.id);
    const remaining = (await ring.list()).filter((e) => e.kind === "pgp-public-key");
    expect(remaining.map((e) => [e.fingerprint, e.pending])).toEqual([[second.publicKey.getFingerprint(), false]]);
  });

  it("Autocrypt: prefer-encrypt is kept from the sender's latest header; the same key again is merged, not duplicated", async () => {
    const ring = await freshRing();
    const key = await generatePgpKey({ email: "dora@example.org" });
    const receive = async (preferEncrypt?: "mutual") => {
      const header = `Autocrypt: ${await formatAutocryptHeader("dora@example.org", key.publicKey, preferEncrypt)}\r\n`;
      await ring.learnFrom(await inspectMessage(mail("dora@example.org", header), { openers: [pgpOpener(await ring.pgpContext())] }));
      const records = await ring.store.listRecords("pgp-public-key");
      expect(records).toHaveLength(1);
      return records[0]!.public;
    };
    expect(await receive("mutual")).toMatchObject({ preferEncrypt: "mutual", source: "autocrypt", emails: ["dora@example.org"] });
    expect((await receive()).preferEncrypt).toBe("nopreference");
    expect((await receive("mutual")).preferEncrypt).toBe("mutual");
  });
});
