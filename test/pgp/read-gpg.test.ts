/**
 * GnuPG writes, we read: PGP/MIME (RFC 3156) and inline messages made by the real gpg at test
 * time, with Ed25519/Curve25519 and RSA keys; and the attacks we must refuse.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMime } from "../../src/core/mime/index.js";
import { detectPgp, openPgp, decryptArmoredOnRequest, type PgpContext } from "../../src/core/pgp/index.js";
import { Gpg, hasGpg, dec, enc, crlf } from "./gpg.js";

let gpg: Gpg;
let ctx: PgpContext;
let alice: string;
let bob: string;
let carolSubkeys: string[];

const INNER = crlf(
  'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nHello from gpg, Gr=C3=BC=C3=9Fe.\n-- \nA trailing-space line follows  \nend\n',
);

function wrapEncrypted(armored: string, from = "alice@example.org"): Uint8Array {
  return enc(
    crlf(
      `From: ${from}\nTo: x@example.org\nSubject: ...\nMIME-Version: 1.0\n` +
        'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="BB"\n\n' +
        "--BB\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--BB\n" +
        'Content-Type: application/octet-stream; name="encrypted.asc"\n\n' +
        armored.trim() +
        "\n--BB--\n",
    ),
  );
}

function wrapSigned(inner: string, sig: string, from: string, micalg = "pgp-sha256"): Uint8Array {
  return enc(
    `From: ${from}\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: multipart/signed; micalg=${micalg}; protocol="application/pgp-signature"; boundary="SS"\r\n\r\n` +
      `--SS\r\n${inner}\r\n--SS\r\nContent-Type: application/pgp-signature\r\n\r\n${crlf(sig.trim())}\r\n--SS--\r\n`,
  );
}

function wrapText(body: string, from = "alice@example.org", cte = "7bit"): Uint8Array {
  return enc(crlf(`From: ${from}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: ${cte}\n\n${body}`));
}

/** gpg over `input`, armored output as text. */
function gpgOut(args: string[], input: string | Uint8Array): string {
  return dec(gpg.run(["--armor", "--output", "-", ...args], { input }).stdout);
}

/** A detached signature over exactly the bytes of `data`. */
function detachSign(data: string, signer: string, extra: string[] = []): string {
  const f = gpg.write("to-sign.bin", data);
  return dec(gpg.run(["--armor", "--output", "-", "--local-user", signer, ...extra, "--detach-sign", f]).stdout);
}

beforeAll(() => {
  if (!hasGpg) return;
  gpg = new Gpg();
  alice = gpg.genKey("Alice <alice@example.org>", "ed25519");
  bob = gpg.genKey("Bob <bob@example.org>", "rsa2048");
  gpg.genKey("Carol <carol@example.org>", "ed25519", "carolpw");
  carolSubkeys = gpg.subkeyIds("carol@example.org");
  ctx = {
    // gpg's exports are protected with the gpg passphrase; the engine unlocks them at use.
    secretKeys: [
      { key: gpg.exportSecret("alice@example.org"), passphrase: "pw" },
      { key: gpg.exportSecret("bob@example.org"), passphrase: "pw" },
    ],
    publicKeys: [gpg.exportPublic("alice@example.org"), gpg.exportPublic("bob@example.org")],
  };
}, 120_000);

afterAll(() => gpg?.dispose());

describe.skipIf(!hasGpg)("PGP/MIME made by gpg", () => {
  it("encrypted to Alice (Curve25519) → decrypted, inner bytes exact, no signature", async () => {
    const e = parseMime(wrapEncrypted(gpgOut(["--encrypt", "--recipient", "alice@example.org"], INNER)));
    expect(detectPgp(e)).toBe("encrypted");
    const r = await openPgp(e, ctx, { from: "alice@example.org" });
    expect(r.encryption).toMatchObject({ state: "decrypted", protocol: "openpgp", decryptedWith: alice.toLowerCase() });
    expect(r.encryption?.state === "decrypted" && r.encryption.algorithm).toMatch(/^AES-256 \(SEIPDv1\)$/);
    expect(r.encryption?.state === "decrypted" && r.encryption.recipients).toEqual(gpg.subkeyIds("alice@example.org"));
    expect(dec(r.inner!)).toBe(INNER);
    expect(r.signature).toBeUndefined();
  });

  it("encrypted to Bob (RSA-2048) → decrypted", async () => {
    const r = await openPgp(parseMime(wrapEncrypted(gpgOut(["--encrypt", "--recipient", "bob@example.org"], INNER))), ctx, {});
    expect(r.encryption).toMatchObject({ state: "decrypted", decryptedWith: bob.toLowerCase() });
    expect(dec(r.inner!)).toBe(INNER);
  });

  it("signed and encrypted in one message (Bob signs, to Alice) → decrypted + valid", async () => {
    const armored = gpgOut(["--sign", "--local-user", "bob@example.org", "--encrypt", "--recipient", "alice@example.org"], INNER);
    const r = await openPgp(parseMime(wrapEncrypted(armored, "bob@example.org")), ctx, { from: "bob@example.org" });
    expect(r.encryption?.state).toBe("decrypted");
    expect(r.signature).toMatchObject({ state: "valid", protocol: "openpgp", reasons: [] });
    expect(r.signature?.signer).toMatchObject({ email: "bob@example.org", fingerprint: bob.toLowerCase() });
    expect(dec(r.inner!)).toBe(INNER);
  });

  it("multipart/signed by Alice (Ed25519) over the exact first part → valid", async () => {
    const e = parseMime(wrapSigned(INNER, detachSign(INNER, "alice@example.org"), "Alice <alice@example.org>"));
    expect(detectPgp(e)).toBe("signed");
    const r = await openPgp(e, ctx, { from: "alice@example.org" });
    expect(r.signature).toMatchObject({ state: "valid", digestAlgorithm: "SHA-256", signatureAlgorithm: "Ed25519", reasons: [] });
    expect(dec(r.inner!)).toBe(INNER);
  });

  it("multipart/signed by Bob (RSA-2048, text mode) → valid", async () => {
    const r = await openPgp(parseMime(wrapSigned(INNER, detachSign(INNER, "bob@example.org", ["--textmode"]), "bob@example.org")), ctx, { from: "bob@example.org" });
    expect(r.signature).toMatchObject({ state: "valid", signatureAlgorithm: "RSA-2048" });
  });

  it("signature made over the part with trailing whitespace removed (RFC 3156 senders) → valid", async () => {
    const stripped = INNER.replace(/[ \t]+\r\n/g, "\r\n");
    const r = await openPgp(parseMime(wrapSigned(INNER, detachSign(stripped, "alice@example.org"), "alice@example.org")), ctx, { from: "alice@example.org" });
    expect(r.signature?.state).toBe("valid");
  });

  it("SHA-1 signature → weak", async () => {
    const r = await openPgp(parseMime(wrapSigned(INNER, detachSign(INNER, "bob@example.org", ["--digest-algo", "SHA1"]), "bob@example.org")), ctx, { from: "bob@example.org" });
    expect(r.signature?.state).toBe("weak");
    expect(r.signature?.reasons.map((x) => x.code)).toEqual(["weak-hash"]);
  });
});

describe.skipIf(!hasGpg)("weak keys", () => {
  it("RSA-1024 signer (gpg) → weak with reason weak-key", async () => {
    gpg.genKey("Wendy <wendy@example.org>", "rsa1024");
    const weakCtx: PgpContext = { secretKeys: [], publicKeys: [gpg.exportPublic("wendy@example.org")] };
    const r = await openPgp(parseMime(wrapSigned(INNER, detachSign(INNER, "wendy@example.org"), "wendy@example.org")), weakCtx, { from: "wendy@example.org" });
    expect(r.signature?.state).toBe("weak");
    expect(r.signature?.reasons.map((x) => x.code)).toEqual(["weak-key"]);
  });
});

describe.skipIf(!hasGpg)("inline PGP made by gpg", () => {
  it("inline encrypted (gpg -ea) → text/plain inner with the plaintext", async () => {
    const text = "Grüße aus dem Terminal.\nZweite Zeile\n";
    const e = parseMime(wrapText(`\n${gpgOut(["--encrypt", "--recipient", "alice@example.org"], text)}\n`));
    expect(detectPgp(e)).toBe("encrypted");
    const r = await openPgp(e, ctx, { from: "alice@example.org" });
    expect(r.encryption?.state).toBe("decrypted");
    expect(dec(r.inner!)).toBe(crlf(`Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${text}`));
    expect(r.signature).toBeUndefined();
  });

  it("inline encrypted + signed (RSA) → decrypted + valid", async () => {
    const armored = gpgOut(["--sign", "--local-user", "bob@example.org", "--encrypt", "--recipient", "bob@example.org"], "signed and sealed\n");
    const r = await openPgp(parseMime(wrapText(armored, "bob@example.org")), ctx, { from: "bob@example.org" });
    expect(r.encryption?.state).toBe("decrypted");
    expect(r.signature?.state).toBe("valid");
    expect(dec(r.inner!)).toMatch(/\r\n\r\nsigned and sealed\r\n$/);
  });

  it("clear-signed text with dash-escaping and trailing spaces, LF or CRLF, QP-encoded → valid", async () => {
    const text = "Hello,\n- a list item\n-- \nsig line with trailing space   \nÄrger?\n";
    const signed = gpgOut(["--local-user", "alice@example.org", "--clearsign"], text);
    expect(signed).toContain("- - a list item");
    for (const body of [signed, signed.replace(/\n/g, "\r\n")]) {
      const e = parseMime(wrapText(body));
      expect(detectPgp(e)).toBe("signed");
      const r = await openPgp(e, ctx, { from: "alice@example.org" });
      expect(r.signature).toMatchObject({ state: "valid", reasons: [] });
      expect(dec(r.inner!)).toBe(crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nHello,\n- a list item\n--\nsig line with trailing space\nÄrger?"));
    }
    // Every "=" first (an armor "=AB" would otherwise read as an escape), then the UTF-8 bytes.
    const qp = signed.replace(/=/g, "=3D").replace(/Ä/g, "=C3=84");
    const r = await openPgp(parseMime(wrapText(qp, "alice@example.org", "quoted-printable")), ctx, { from: "alice@example.org" });
    expect(r.signature?.state).toBe("valid");
  });

  it("clear-signed text altered after signing → invalid", async () => {
    const signed = gpgOut(["--local-user", "alice@example.org", "--clearsign"], "Pay 10 EUR\n");
    const r = await openPgp(parseMime(wrapText(signed.replace("10 EUR", "1000 EUR"))), ctx, { from: "alice@example.org" });
    expect(r.signature?.state).toBe("invalid");
  });

  it("an armored block after other text is NOT decrypted: nested entry, no inner, no status", async () => {
    const armored = gpgOut(["--encrypt", "--recipient", "alice@example.org"], "secret\n");
    const e = parseMime(wrapText(`> quoted attacker text\n\n${armored}\n`));
    expect(detectPgp(e)).toBe("encrypted");
    const r = await openPgp(e, ctx, { from: "alice@example.org" });
    expect(r.inner).toBeUndefined();
    expect(r.encryption).toBeUndefined();
    expect(r.signature).toBeUndefined();
    expect(r.nested).toEqual([expect.objectContaining({ path: "", protocol: "openpgp", kind: "encrypted" })]);
    // Only on the user's explicit request, on its own:
    const onRequest = await decryptArmoredOnRequest(dec(e.body), ctx);
    expect(dec(onRequest.content)).toBe("secret\n");
    expect(onRequest.encryption.state).toBe("decrypted");
  });

  it("two armored blocks in one body → nothing decrypted", async () => {
    const a = gpgOut(["--encrypt", "--recipient", "alice@example.org"], "one\n");
    const r = await openPgp(parseMime(wrapText(`${a}\n${a}\n`)), ctx, {});
    expect(r.inner).toBeUndefined();
    expect(r.nested?.length).toBe(1);
  });
});

describe.skipIf(!hasGpg)("refused and failing messages", () => {
  it("no MDC (gpg --rfc2440, SED packet) → failed no-integrity, no plaintext", async () => {
    const armored = gpgOut(["--rfc2440", "--cipher-algo", "AES256", "--encrypt", "--recipient", "alice@example.org"], INNER);
    const r = await openPgp(parseMime(wrapEncrypted(armored)), ctx, {});
    expect(r.encryption).toMatchObject({ state: "failed", code: "no-integrity" });
    expect(r.inner).toBeUndefined();
  });

  it("no MDC, password-encrypted (gpg --rfc2440 -c) inline → no-integrity even with the password", async () => {
    const armored = gpgOut(["--rfc2440", "--cipher-algo", "AES256", "--symmetric"], "old style\n");
    const r = await openPgp(parseMime(wrapText(armored)), ctx, { passwords: ["pw"] });
    expect(r.encryption).toMatchObject({ state: "failed", code: "no-integrity" });
    expect(r.inner).toBeUndefined();
  });

  it("ciphertext modified in the encrypted data → failed tampered, no plaintext", async () => {
    const bin = gpg.run(["--output", "-", "--compress-algo", "none", "--encrypt", "--recipient", "alice@example.org"], { input: INNER + "x".repeat(2000) }).stdout;
    const tampered = bin.slice();
    // well inside the SEIPD packet (the last ~2 KB), away from the session key packet
    tampered[tampered.length - 700]! ^= 0x01;
    const armored = dec(gpg.run(["--enarmor"], { input: tampered }).stdout).replace(/ARMORED FILE/g, "MESSAGE").replace(/^Comment:.*\n/m, "");
    const r = await openPgp(parseMime(wrapEncrypted(armored)), ctx, {});
    expect(r.encryption).toMatchObject({ state: "failed", code: "tampered" });
    expect(r.inner).toBeUndefined();
  });

  it("signed part modified after signing → invalid", async () => {
    const sig = detachSign(INNER, "alice@example.org");
    const r = await openPgp(parseMime(wrapSigned(INNER.replace("Hello", "Hullo"), sig, "alice@example.org")), ctx, { from: "alice@example.org" });
    expect(r.signature).toMatchObject({ state: "invalid" });
    expect(r.signature?.reasons[0]?.code).toBe("bad-signature");
  });

  it("valid signature, different From → mismatch with signer emails and from", async () => {
    const r = await openPgp(parseMime(wrapSigned(INNER, detachSign(INNER, "alice@example.org"), "mallory@example.org")), ctx, { from: "mallory@example.org" });
    expect(r.signature).toMatchObject({ state: "mismatch", from: "mallory@example.org", signer: { emails: ["alice@example.org"] } });
  });

  it("signed by a key we do not know → unknown-signer with the issuer", async () => {
    const r = await (async () => {
      const run = gpg.run(["--armor", "--output", "-", "--local-user", "carol@example.org", "--detach-sign", gpg.write("c.bin", INNER)], { passphrase: "carolpw" });
      return openPgp(parseMime(wrapSigned(INNER, dec(run.stdout), "carol@example.org")), ctx, { from: "carol@example.org" });
    })();
    expect(r.signature?.state).toBe("unknown-signer");
    expect(r.signature?.signer?.fingerprint).toBe(gpg.fingerprint("carol@example.org").toLowerCase());
  });

  it("encrypted to someone else only → failed no-key listing the key ids", async () => {
    const r = await openPgp(parseMime(wrapEncrypted(gpgOut(["--encrypt", "--recipient", "carol@example.org"], INNER))), ctx, {});
    expect(r.encryption).toMatchObject({ state: "failed", code: "no-key", recipients: carolSubkeys });
    expect(r.inner).toBeUndefined();
  });
});
