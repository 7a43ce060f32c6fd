/**
 * Interop with gpgsm (GnuPG's S/MIME tool), run for real in a temporary GNUPGHOME.
 * Setup notes (what gpgsm 2.2 needs): the PKCS#12 must use the 3DES key PBE with unencrypted
 * certificates (gpgsm 2.2 cannot read openssl 3's default PBES2/AES bags), the passphrase is
 * given with --passphrase-fd (gpgsm has no --passphrase), the root is trusted via
 * trustlist.txt, and CRL checks are off (no network in tests).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { verifyCms } from "../../src/core/smime/verify.js";
import { decryptCms } from "../../src/core/smime/enveloped.js";
import { signCms, smimeSign } from "../../src/core/smime/sign.js";
import { encryptCms } from "../../src/core/smime/encrypt.js";
import { openSmime, type SmimeContext } from "../../src/core/smime/index.js";
import { inspectMessage } from "../../src/core/message/inspect.js";
import { smimeOpener } from "../../src/core/message/smime-adapter.js";
import { makePki, run, type TestPki } from "./pki.js";
import { entity, toCrlf } from "./mime-helper.js";

let pki: TestPki;
let home: string;
let ctx: SmimeContext;
const hasGpgsm = (() => {
  try {
    execFileSync("gpgsm", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const inner = toCrlf(new TextEncoder().encode("Content-Type: text/plain; charset=utf-8\n\nSigned by gpgsm.\n"));

function gpgsm(args: string[], input?: Uint8Array): Buffer {
  return run("gpgsm", ["--batch", "--pinentry-mode", "loopback", "--passphrase-fd", "0", ...args], {
    cwd: pki.dir,
    // The passphrase on stdin (fd 0) — the data always comes from files.
    input: input ?? new TextEncoder().encode("test\n"),
    env: { ...process.env, GNUPGHOME: home },
  });
}

function file(name: string, data: Uint8Array): string {
  writeFileSync(join(pki.dir, name), data);
  return join(pki.dir, name);
}

beforeAll(async () => {
  pki = await makePki();
  if (!hasGpgsm) return;
  home = join(pki.dir, "gnupg");
  if (!existsSync(home)) mkdirSync(home);
  chmodSync(home, 0o700);
  writeFileSync(join(home, "gpgsm.conf"), "disable-crl-checks\ndisable-policy-checks\ndisable-dirmngr\n");
  writeFileSync(join(home, "gpg-agent.conf"), "allow-loopback-pinentry\n");
  pki.openssl(["pkcs12", "-export", "-inkey", pki.alice.keyPath, "-in", pki.alice.certPath, "-passout", "pass:test", "-certpbe", "NONE", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1", "-out", "alice-gpgsm.p12"]);
  gpgsm(["--import", pki.root.certPath, pki.intermediate.certPath, pki.bob.certPath]);
  gpgsm(["--import", join(pki.dir, "alice-gpgsm.p12")]);
  const fp = pki.openssl(["x509", "-in", pki.root.certPath, "-noout", "-fingerprint", "-sha1"]).toString().split("=")[1]!.trim();
  writeFileSync(join(home, "trustlist.txt"), `${fp} S\n`);
  ctx = {
    identities: [{ privateKeyPkcs8: pki.alice.privateKeyPkcs8, certificate: pki.alice.certificate, chain: [pki.intermediate.certificate] }],
    trustAnchors: [pki.root.certificate],
    knownCertificates: [],
  };
  file("g-inner.eml", inner);
});

describe.skipIf(!hasGpgsm)("gpgsm writes, we read", () => {
  it("gpgsm --detach-sign (BER, indefinite length) → valid", async () => {
    gpgsm(["-u", "alice@example.org", "--detach-sign", "-o", "g-detached.sig", "g-inner.eml"]);
    const sig = new Uint8Array(readFileSync(join(pki.dir, "g-detached.sig")));
    expect(sig[1]).toBe(0x80);
    const r = await verifyCms(sig, inner, ctx, { from: "alice@example.org" });
    expect(r.signature.reasons).toEqual([]);
    expect(r.signature.state).toBe("valid");
  });
  it("gpgsm --sign (opaque) then --encrypt to alice → decrypted, then valid", async () => {
    gpgsm(["-u", "alice@example.org", "--sign", "-o", "g-opaque.p7m", "g-inner.eml"]);
    const opaque = new Uint8Array(readFileSync(join(pki.dir, "g-opaque.p7m")));
    const signedEntity = new TextEncoder().encode(
      'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        Buffer.from(opaque).toString("base64").replace(/.{76}/g, "$&\r\n") +
        "\r\n",
    );
    file("g-signed-entity.eml", signedEntity);
    gpgsm(["-r", "alice@example.org", "--encrypt", "-o", "g-enc.p7m", "g-signed-entity.eml"]);
    const enc = new Uint8Array(readFileSync(join(pki.dir, "g-enc.p7m")));
    const dec = await decryptCms(enc, ctx.identities);
    expect(dec.content).toEqual(signedEntity);
    const layer = await openSmime(entity(dec.content), ctx, { from: "alice@example.org" });
    expect(layer.signature?.state).toBe("valid");
    expect(layer.inner).toEqual(inner);
  });
});

describe.skipIf(!hasGpgsm)("gpgsm-written mail as a client using gpgsm sends it (mutt, KMail), through inspectMessage", () => {
  const head = () => `From: Alice <alice@example.org>\r\nTo: alice@example.org\r\nSubject: gpgsm\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n`;
  const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64").replace(/(.{64})/g, "$1\n"); // LF: as mutt stores it
  const p7m = (type: string, der: Uint8Array) => `Content-Type: application/pkcs7-mime; smime-type=${type}; name="smime.p7m"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7m"\n\n${b64(der)}\n`;
  const inspect = (body: string) =>
    inspectMessage(new Uint8Array(Buffer.from(head() + body, "latin1")), { openers: [smimeOpener({ ...ctx, knownCertificates: [pki.intermediate.certificate] })] });
  const out = (name: string) => new Uint8Array(readFileSync(join(pki.dir, name)));

  it("multipart/signed around gpgsm --detach-sign (BER), micalg=sha256 → valid", async () => {
    gpgsm(["-u", "alice@example.org", "--detach-sign", "-o", "m-detached.sig", "g-inner.eml"]);
    const body = `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha256; boundary="mutt-b"\r\n\r\n--mutt-b\r\n${Buffer.from(inner).toString("latin1")}\r\n--mutt-b\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7s"\r\n\r\n${b64(out("m-detached.sig")).replace(/\n/g, "\r\n")}\r\n--mutt-b--\r\n`;
    const r = await inspect(body);
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
  });

  it("gpgsm --sign (opaque) as application/pkcs7-mime, LF line ends → valid", async () => {
    gpgsm(["-u", "alice@example.org", "--sign", "-o", "m-opaque.p7m", "g-inner.eml"]);
    const r = await inspect(p7m("signed-data", out("m-opaque.p7m")));
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(Buffer.from(r.view!.raw).toString("latin1")).toContain("Signed by gpgsm.");
  });

  it("gpgsm --encrypt to carol and alice (gpgsm 2.2 encrypts to RSA only) → decrypted with alice's key", async () => {
    gpgsm(["--import", pki.carol.certPath]);
    gpgsm(["-r", "carol@example.org", "-r", "alice@example.org", "--encrypt", "-o", "m-enc.p7m", "g-inner.eml"]);
    const r = await inspect(p7m("enveloped-data", out("m-enc.p7m")));
    expect(r.status.encryption).toMatchObject({ state: "decrypted", protocol: "smime" });
    expect(r.status.encryption.state === "decrypted" && r.status.encryption.recipients).toHaveLength(2);
  });

  it("gpgsm --sign then --encrypt, smime-type left out as some clients do → decrypted and valid", async () => {
    gpgsm(["-u", "alice@example.org", "--sign", "-o", "m-opaque2.p7m", "g-inner.eml"]);
    file("m-signed-entity.eml", new TextEncoder().encode(p7m("signed-data", out("m-opaque2.p7m")).replace("; smime-type=signed-data", "")));
    gpgsm(["-r", "alice@example.org", "--encrypt", "-o", "m-enc2.p7m", "m-signed-entity.eml"]);
    const r = await inspect(p7m("enveloped-data", out("m-enc2.p7m")).replace("; smime-type=enveloped-data", ""));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
  });
});

describe.skipIf(!hasGpgsm)("we write, gpgsm reads", () => {
  it("gpgsm --verify accepts our detached RSA signature", async () => {
    const sig = await signCms(inner, { ...ctx.identities[0]! });
    const out = gpgsm(["--verify", file("w-g.sig", sig), join(pki.dir, "g-inner.eml")], new Uint8Array(0));
    expect(out).toBeDefined(); // exit code 0 = good signature (run() throws otherwise)
  });
  it("gpgsm --verify accepts a multipart/signed made by smimeSign (first part, signature part)", async () => {
    const msg = entity(await smimeSign(inner, { ...ctx.identities[0]! }));
    const sigPart = msg.children[1]!;
    const sigDer = new Uint8Array(Buffer.from(Buffer.from(sigPart.body).toString("latin1"), "base64"));
    gpgsm(["--verify", file("w-g2.sig", sigDer), file("w-g2.content", msg.children[0]!.raw)], new Uint8Array(0));
  });
  it("gpgsm --decrypt opens smimeEncrypt output: RSA PKCS#1 v1.5 + AES-256-CBC (our default without capabilities)", async () => {
    const { der } = await encryptCms(inner, [{ certificate: pki.alice.certificate }]);
    const f = file("w-g-v15.p7m", der);
    gpgsm(["--decrypt", "-o", `${f}.out`, f]);
    expect(new Uint8Array(readFileSync(`${f}.out`))).toEqual(inner);
  });
  it("gpgsm 2.2 reads neither RSA-OAEP nor AuthEnvelopedData — from openssl exactly as from us (GnuPG limitation)", async () => {
    // This is why OAEP and GCM are only used for recipients whose sMIMECapabilities ask for them.
    const fails = (f: string): string => {
      try {
        gpgsm(["--decrypt", "-o", `${f}.out`, f]);
        return "decrypted";
      } catch (e) {
        return /No secret key/.test(String(e)) ? "no-oaep" : /Buffer too short/.test(String(e)) ? "no-gcm" : String(e);
      }
    };
    const ours = {
      oaep: file("w-g-oaep.p7m", (await encryptCms(inner, [{ certificate: pki.alice.certificate, capabilities: { oaep: true } }])).der),
      gcm: file("w-g-gcm.p7m", (await encryptCms(inner, [{ certificate: pki.alice.certificate, capabilities: { aesGcm: true } }])).der),
    };
    pki.openssl(["cms", "-encrypt", "-binary", "-in", "g-inner.eml", "-outform", "DER", "-out", "o-g-oaep.p7m", "-aes256", "-recip", pki.alice.certPath, "-keyopt", "rsa_padding_mode:oaep"]);
    pki.openssl(["cms", "-encrypt", "-binary", "-in", "g-inner.eml", "-outform", "DER", "-out", "o-g-gcm.p7m", "-aes-256-gcm", pki.alice.certPath]);
    expect(fails(ours.oaep)).toBe("no-oaep");
    expect(fails(join(pki.dir, "o-g-oaep.p7m"))).toBe("no-oaep");
    expect(fails(ours.gcm)).toBe("no-gcm");
    expect(fails(join(pki.dir, "o-g-gcm.p7m"))).toBe("no-gcm");
  });
});
