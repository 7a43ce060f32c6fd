/**
 * Keys and signature states that need control over time and key history: expired, revoked,
 * re-signed expiry, v6/SEIPDv2, Autocrypt and attached-key collection.
 */
import { describe, expect, it } from "vitest";
import { createMessage, sign, type PrivateKey } from "openpgp";
import { parseMime } from "../../src/core/mime/index.js";
import {
  generatePgpKey,
  revokePgpKey,
  setPgpKeyExpiry,
  keyInfo,
  exportPublicKey,
  pgpEncrypt,
  openPgp,
  collectPgpKeys,
  parseAutocryptHeader,
  applyRevocationCertificate,
  type PgpContext,
} from "../../src/core/pgp/index.js";
import { base64Encode } from "../../src/core/base64.js";
import { dec, enc, crlf } from "./gpg.js";

const YEAR = 365 * 24 * 3600 * 1000;
const INNER = crlf("Content-Type: text/plain\n\nhello\n");

async function signedAt(key: PrivateKey, date: Date): Promise<Uint8Array> {
  const sig = await sign({ message: await createMessage({ binary: enc(INNER) }), signingKeys: key, detached: true, date, format: "armored" });
  return enc(
    'From: k@example.net\r\nContent-Type: multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256; boundary="b"\r\n\r\n' +
      `--b\r\n${INNER}\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n${crlf(sig)}\r\n--b--\r\n`,
  );
}

function ctxOf(...pub: Array<string>): PgpContext {
  return { secretKeys: [], publicKeys: pub };
}

describe("key generation and info", () => {
  it("default is a v4 Ed25519 + Curve25519 key; v6 on request", async () => {
    const g = await generatePgpKey({ name: "K", email: "K@Example.net" });
    const info = await keyInfo(g.privateKey);
    expect(info).toMatchObject({ version: 4, algorithm: "eddsaLegacy", emails: ["k@example.net"], isSecret: true, revoked: false });
    expect(info.expires).toBeUndefined();
    expect(info.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    const v6 = await generatePgpKey({ email: "six@example.net" }, { type: "v6-curve25519" });
    expect((await keyInfo(v6.publicKey)).version).toBe(6);
  });

  it("SEIPDv2 only when every recipient advertises it", async () => {
    const v6 = (await generatePgpKey({ email: "six@example.net" }, { type: "v6-curve25519" })).privateKey;
    const v4 = (await generatePgpKey({ email: "four@example.net" })).privateKey;
    const ctx: PgpContext = { secretKeys: [{ key: v6 }, { key: v4 }], publicKeys: [] };
    const both = await openPgp(parseMime(await pgpEncrypt(enc(INNER), { recipients: [v6.toPublic(), v4.toPublic()] })), ctx, {});
    expect(both.encryption?.state === "decrypted" && both.encryption.algorithm).toBe("AES-256 (SEIPDv1)");
    const only6 = await openPgp(parseMime(await pgpEncrypt(enc(INNER), { recipients: [v6.toPublic()] })), ctx, {});
    expect(only6.encryption?.state === "decrypted" && only6.encryption.algorithm).toMatch(/SEIPDv2/);
  });
});

describe("signature states over key history", () => {
  it("signed while valid, key expired since → still valid; signed after the (new) expiry → expired", async () => {
    const t0 = new Date(Date.now() - 3 * YEAR);
    const k = (await generatePgpKey({ email: "k@example.net" }, { date: t0 })).privateKey;
    const early = await signedAt(k, new Date(t0.getTime() + YEAR / 2));
    const late = await signedAt(k, new Date(t0.getTime() + 2 * YEAR));
    const expired = await setPgpKeyExpiry(k, new Date(t0.getTime() + YEAR));
    expect((await keyInfo(expired)).expires).toBe(new Date(Math.floor((t0.getTime() + YEAR) / 1000) * 1000).toISOString());
    const ctx = ctxOf(exportPublicKey(expired));
    expect((await openPgp(parseMime(early), ctx, { from: "k@example.net" })).signature?.state).toBe("valid");
    const r = await openPgp(parseMime(late), ctx, { from: "k@example.net" });
    expect(r.signature?.state).toBe("expired");
    expect(r.signature?.reasons[0]?.code).toBe("key-expired");
    // Extending again makes the late signature valid (the self-signatures are re-issued now).
    const extended = await setPgpKeyExpiry(expired, null);
    expect((await openPgp(parseMime(late), ctxOf(exportPublicKey(extended)), { from: "k@example.net" })).signature?.state).toBe("valid");
  });

  it("revoked as compromised → revoked, even for old signatures; superseded → old signatures stay valid", async () => {
    const k = (await generatePgpKey({ email: "k@example.net" }, { date: new Date(Date.now() - YEAR) })).privateKey;
    const old = await signedAt(k, new Date(Date.now() - YEAR / 2));
    const compromised = await revokePgpKey(k, "compromised");
    expect((await keyInfo(compromised.publicKey)).revoked).toBe(true);
    const r = await openPgp(parseMime(old), ctxOf(compromised.armoredPublicKey), { from: "k@example.net" });
    expect(r.signature).toMatchObject({ state: "revoked", reasons: [expect.objectContaining({ code: "key-revoked" })] });
    const superseded = await revokePgpKey(k, "superseded");
    expect((await openPgp(parseMime(old), ctxOf(superseded.armoredPublicKey), { from: "k@example.net" })).signature?.state).toBe("valid");
  });

  it("the revocation certificate from generation revokes the public key", async () => {
    const g = await generatePgpKey({ email: "k@example.net" });
    const revoked = await applyRevocationCertificate(g.publicKey, g.revocationCertificate);
    expect((await keyInfo(revoked)).revoked).toBe(true);
  });
});

describe("collectPgpKeys", () => {
  it("Autocrypt header for the From address → new / unchanged / changed (pending), others ignored", async () => {
    const a = await generatePgpKey({ email: "ac@example.net" });
    const keydata = base64Encode(a.publicKey.write());
    const folded = keydata.replace(/(.{70})/g, "$1\r\n ");
    const msg = parseMime(enc(`From: ac@example.net\r\nAutocrypt: addr=ac@example.net; prefer-encrypt=mutual; keydata=\r\n ${folded}\r\nContent-Type: text/plain\r\n\r\nhi\r\n`));
    const fresh = await collectPgpKeys(msg, "ac@example.net", []);
    expect(fresh.new).toHaveLength(1);
    expect(fresh.new[0]).toMatchObject({ source: "autocrypt", preferEncrypt: "mutual" });
    const info = await keyInfo(a.publicKey);
    expect((await collectPgpKeys(msg, "ac@example.net", [info])).unchanged).toHaveLength(1);
    const other = await keyInfo((await generatePgpKey({ email: "ac@example.net" })).publicKey);
    const changed = await collectPgpKeys(msg, "ac@example.net", [other]);
    expect(changed.changed).toHaveLength(1);
    expect(changed.changed[0]!.replaces).toEqual([other.fingerprint]);
    expect(changed.new).toHaveLength(0);
    // addr must be the sender
    const none = await collectPgpKeys(msg, "someone@example.net", []);
    expect([...none.new, ...none.changed, ...none.unchanged]).toHaveLength(0);
    expect(parseAutocryptHeader(`addr=a@b; critical=1; keydata=${keydata}`)).toBeNull();
  });

  it("attached application/pgp-keys are taken only from signed messages", async () => {
    const a = await generatePgpKey({ email: "att@example.net" });
    const msg = parseMime(
      enc(
        crlf(
          'From: att@example.net\nContent-Type: multipart/mixed; boundary="m"\n\n--m\nContent-Type: text/plain\n\nmy key\n--m\nContent-Type: application/pgp-keys\n\n' +
            exportPublicKey(a.privateKey) +
            "\n--m--\n",
        ),
      ),
    );
    expect((await collectPgpKeys(msg, "att@example.net", [])).new).toHaveLength(0);
    const signed = await collectPgpKeys(msg, "att@example.net", [], { signed: true });
    expect(signed.new).toHaveLength(1);
    expect(signed.new[0]!.info.isSecret).toBe(false);
    expect(dec(enc(signed.new[0]!.armored))).toContain("BEGIN PGP PUBLIC KEY BLOCK");
  });
});
