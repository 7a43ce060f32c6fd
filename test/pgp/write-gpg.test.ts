/**
 * We write, GnuPG reads: everything pgpSign / pgpEncrypt / pgpEncryptWithPassword produce is
 * verified and decrypted by the real gpg (status lines GOODSIG / VALIDSIG / DECRYPTION_OKAY).
 * And keys both ways: gpg imports our exports, we import gpg's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrivateKey } from "openpgp";
import { parseMime } from "../../src/core/mime/index.js";
import { decodeBody } from "../../src/core/mime/index.js";
import {
  generatePgpKey,
  exportPublicKey,
  exportSecretKey,
  importPgpKeys,
  pgpSign,
  pgpEncrypt,
  pgpEncryptWithPassword,
  openPgp,
  keyInfo,
  type PgpContext,
} from "../../src/core/pgp/index.js";
import { isSealbirdError } from "../../src/core/errors.js";
import { Gpg, hasGpg, dec, enc, crlf } from "./gpg.js";

let gpg: Gpg;
let sam: PrivateKey;
let samFpr: string;
let rita: PrivateKey;
let aliceArmored: string;

const INNER = enc(crlf('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nWritten by Sealbird =E2=9C=93\n'));

beforeAll(async () => {
  if (!hasGpg) return;
  gpg = new Gpg();
  gpg.genKey("Alice <alice@example.org>", "ed25519");
  aliceArmored = gpg.exportPublic("alice@example.org");
  sam = (await generatePgpKey({ name: "Sam Sealbird", email: "sam@example.net" })).privateKey;
  samFpr = sam.getFingerprint().toUpperCase();
  rita = (await generatePgpKey({ name: "Rita RSA", email: "rita@example.net" }, { type: "rsa3072" })).privateKey;
  gpg.run(["--import"], { input: exportPublicKey(sam) });
  gpg.run(["--import"], { input: exportPublicKey(rita) });
}, 180_000);

afterAll(() => gpg?.dispose());

function parts(entity: Uint8Array) {
  const e = parseMime(entity);
  return { e, first: e.children[0]!, second: e.children[1]! };
}

describe.skipIf(!hasGpg)("gpg reads what we write", () => {
  it("pgpSign (Ed25519): micalg matches, gpg --verify over the first part → GOODSIG + VALIDSIG", async () => {
    const out = await pgpSign(INNER, sam);
    const { e, first, second } = parts(out);
    expect(e.contentType).toMatchObject({ type: "multipart", subtype: "signed", params: { protocol: "application/pgp-signature" } });
    expect(dec(first.raw)).toBe(dec(INNER));
    const sig = gpg.write("sam.asc", decodeBody(second));
    const data = gpg.write("sam.bin", first.raw);
    const r = gpg.run(["--verify", sig, data]);
    expect(r.lines.some((l) => l.startsWith(`GOODSIG ${samFpr.slice(-16)}`))).toBe(true);
    const validsig = r.lines.find((l) => l.startsWith(`VALIDSIG ${samFpr}`));
    expect(validsig).toBeDefined();
    // VALIDSIG field 8 is the hash algorithm gpg saw; micalg must name the same one.
    const hashId = Number(validsig!.split(" ")[8]);
    expect(e.contentType.params["micalg"]).toBe({ 8: "pgp-sha256", 9: "pgp-sha384", 10: "pgp-sha512" }[hashId]);
  });

  it("pgpSign (RSA-3072) → GOODSIG", async () => {
    const { first, second } = parts(await pgpSign(INNER, rita));
    const r = gpg.run(["--verify", gpg.write("r.asc", decodeBody(second)), gpg.write("r.bin", first.raw)]);
    expect(r.lines.some((l) => l.startsWith("GOODSIG "))).toBe(true);
  });

  it("pgpEncrypt to Alice + self, signed by Sam → gpg: DECRYPTION_OKAY, GOODSIG, exact plaintext", async () => {
    const out = await pgpEncrypt(INNER, { recipients: [aliceArmored, sam.toPublic()], signWith: sam });
    const { e, first, second } = parts(out);
    expect(e.contentType).toMatchObject({ subtype: "encrypted", params: { protocol: "application/pgp-encrypted" } });
    expect(dec(decodeBody(first))).toMatch(/^Version: 1\r?\n/);
    const r = gpg.run(["--output", "-", "--decrypt"], { input: decodeBody(second) });
    expect(r.lines).toContain("DECRYPTION_OKAY");
    expect(r.lines.some((l) => l.startsWith("GOODSIG "))).toBe(true);
    expect(r.lines.some((l) => /^DECRYPTION_INFO \d+ 9/.test(l))).toBe(true); // mdc method, AES-256
    expect(dec(r.stdout)).toBe(dec(INNER));
  });

  it("gpg opens our armor whatever the length: with and without base64 padding (GnuPG T7071), and streamed in many packets", async () => {
    const seen = new Set<string>();
    // Three consecutive lengths give the three base64 endings ("==", "=", none); the large one
    // is written by openpgp.js in many partial-length chunks.
    for (const size of [1000, 1001, 1002, 3 * 1024 * 1024 + 7]) {
      const inner = enc(crlf(`Content-Type: text/plain; charset=us-ascii\n\n${"x".repeat(size)}\n`));
      const armored = decodeBody(parts(await pgpEncrypt(inner, { recipients: [aliceArmored, sam.toPublic()], signWith: sam })).second);
      const text = dec(armored);
      seen.add(/==\r\n(=\S{4}\r\n)?-----END/.test(text) ? "==" : /=\r\n(=\S{4}\r\n)?-----END/.test(text) ? "=" : "none");
      const r = gpg.run(["--output", "-", "--decrypt"], { input: armored, allowFail: true });
      expect(r.lines, `size ${size}`).toContain("DECRYPTION_OKAY");
      expect(r.lines, `size ${size}`).not.toContain("DECRYPTION_FAILED");
      expect(r.lines.some((l) => l.startsWith("GOODSIG "))).toBe(true);
      expect(r.status).toBe(0);
      expect(r.stdout.length).toBe(inner.length);
      expect(dec(r.stdout) === dec(inner)).toBe(true);
    }
    expect([...seen].sort()).toEqual(["=", "==", "none"]);
  });

  it("pgpEncrypt to an RSA key we made → gpg (holding its secret) decrypts", async () => {
    gpg.run(["--import"], { input: await exportSecretKey(rita, "ritapw"), passphrase: "ritapw" });
    const out = await pgpEncrypt(INNER, { recipients: [rita.toPublic()] });
    const r = gpg.run(["--output", "-", "--decrypt"], { input: decodeBody(parts(out).second), passphrase: "ritapw" });
    expect(r.lines).toContain("DECRYPTION_OKAY");
    expect(dec(r.stdout)).toBe(dec(INNER));
  });

  it("pgpEncrypt refuses a signer missing from the recipients (sent mail must stay readable)", async () => {
    await expect(pgpEncrypt(INNER, { recipients: [aliceArmored], signWith: sam })).rejects.toMatchObject({ code: "usage" });
  });

  it("our own PGP/MIME round trip: decrypted + valid", async () => {
    const ctx: PgpContext = { secretKeys: [{ key: sam }], publicKeys: [] };
    const out = await pgpEncrypt(INNER, { recipients: [sam.toPublic(), aliceArmored], signWith: sam });
    const r = await openPgp(parseMime(out), ctx, { from: "sam@example.net" });
    expect(r.encryption?.state).toBe("decrypted");
    expect(r.signature?.state).toBe("valid");
    expect(dec(r.inner!)).toBe(dec(INNER));
    const s = await openPgp(parseMime(await pgpSign(INNER, sam)), ctx, { from: "sam@example.net" });
    expect(s.signature?.state).toBe("valid");
  });

  it("password message (inline armored) → gpg --decrypt --passphrase opens it; so do we", async () => {
    const text = enc("Für Empfänger ohne Schlüssel.\n");
    const out = await pgpEncryptWithPassword(text, "correct horse");
    const e = parseMime(out);
    expect(dec(e.body)).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const r = gpg.run(["--output", "-", "--decrypt"], { input: e.body, passphrase: "correct horse" });
    expect(r.lines).toContain("DECRYPTION_OKAY");
    expect(dec(r.stdout)).toBe("Für Empfänger ohne Schlüssel.\r\n");
    const wrong = gpg.run(["--output", "-", "--decrypt"], { input: e.body, passphrase: "wrong", allowFail: true });
    expect(wrong.status).not.toBe(0);
    const ours = await openPgp(e, { secretKeys: [], publicKeys: [] }, { passwords: ["correct horse"] });
    expect(ours.encryption).toMatchObject({ state: "decrypted", decryptedWith: "password" });
    const none = await openPgp(e, { secretKeys: [], publicKeys: [] }, {});
    expect(none.encryption).toMatchObject({ state: "failed", code: "no-key", recipients: ["password"] });
  });
});

describe.skipIf(!hasGpg)("keys both ways", () => {
  it("gpg imports our public and our passphrase-protected secret key, and can sign with it", async () => {
    const g = (await generatePgpKey({ name: "Eve Export", email: "eve@example.net" })).privateKey;
    const fpr = g.getFingerprint().toUpperCase();
    gpg.run(["--import"], { input: exportPublicKey(g) });
    const pub = dec(gpg.run(["--with-colons", "--list-keys", fpr]).stdout);
    expect(pub).toContain("eve@example.net");
    gpg.run(["--import"], { input: await exportSecretKey(g, "evepw"), passphrase: "evepw" });
    const sec = dec(gpg.run(["--with-colons", "--list-secret-keys", fpr]).stdout);
    expect(sec).toMatch(/^sec:/m);
    expect(sec).toMatch(/^ssb:/m);
    const signed = gpg.run(["--armor", "--output", "-", "--local-user", fpr, "--sign"], { input: "x", passphrase: "evepw" });
    expect(signed.lines.some((l) => l.startsWith("SIG_CREATED "))).toBe(true);
  });

  it("we import gpg's public key and its passphrase-protected secret key (unlocked); wrong passphrase and garbage fail typed", async () => {
    const [pub] = await importPgpKeys(aliceArmored);
    expect(pub!.info).toMatchObject({ emails: ["alice@example.org"], isSecret: false, algorithm: "eddsaLegacy", revoked: false });
    expect(pub!.info.fingerprint).toBe(gpg.fingerprint("alice@example.org").toLowerCase());
    const secretArmored = gpg.exportSecret("alice@example.org");
    const [sec] = await importPgpKeys(secretArmored, "pw");
    expect(sec!.info.isSecret).toBe(true);
    expect((sec!.key as PrivateKey).isDecrypted()).toBe(true);
    const binary = gpg.run(["--export-secret-keys", "alice@example.org"]).stdout;
    expect((await importPgpKeys(binary, "pw"))[0]!.info.fingerprint).toBe(pub!.info.fingerprint);
    await expect(importPgpKeys(secretArmored, "nope")).rejects.toMatchObject({ code: "pgp-key-passphrase-wrong" });
    await expect(importPgpKeys(secretArmored)).rejects.toMatchObject({ code: "pgp-key-passphrase-wrong" });
    const garbage = await importPgpKeys(enc("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n")).catch((e: unknown) => e);
    expect(isSealbirdError(garbage) && garbage.code).toBe("pgp-malformed");
    const rsaGpg = gpg.genKey("Rob <rob@example.org>", "rsa2048");
    const [rob] = await importPgpKeys(gpg.exportSecret("rob@example.org"), "pw");
    expect(await keyInfo(rob!.key)).toMatchObject({ fingerprint: rsaGpg.toLowerCase(), bits: 2048, algorithm: "rsaEncryptSign" });
  });
});
