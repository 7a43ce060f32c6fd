// The real `sealbird` binary (built by the global setup) against the real openssl and gpg:
// what an admin or a script sees — exit codes, one-line typed errors, files that the other
// tools open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makePki, run, type TestPki } from "../smime/pki.js";
import { Gpg, hasGpg } from "../pgp/gpg.js";

const CLI = join(process.cwd(), "dist/cli/sealbird.mjs");

let pki: TestPki;
let dir: string;
let env: NodeJS.ProcessEnv;

function sealbird(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: { ...env, ...extraEnv }, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const PLAIN =
  "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: Quarterly figures\r\n" +
  `Date: ${new Date().toUTCString()}\r\n` + "Message-ID: <q3@example.org>\r\n" +
  "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nDie Zahlen für Q3 sind gut.\r\n";

beforeAll(async () => {
  pki = await makePki();
  dir = mkdtempSync(join(tmpdir(), "sealbird-cli-"));
  env = { PATH: process.env["PATH"], HOME: dir, SEALBIRD_KEYSTORE: join(dir, "ks"), SEALBIRD_PASSPHRASE: "correct horse battery" };
  run("openssl", ["pkcs12", "-export", "-inkey", pki.alice.keyPath, "-in", pki.alice.certPath, "-certfile", pki.chainPath, "-out", join(dir, "alice.p12"), "-passout", "pass:p12-secret"], { cwd: pki.dir });
  writeFileSync(join(dir, "p12pass"), "p12-secret\n");
  writeFileSync(join(dir, "plain.eml"), PLAIN);
}, 120_000);

describe("sealbird CLI", () => {
  it("creates a keystore, refuses a wrong passphrase with exit 3 and one typed line", () => {
    expect(sealbird(["keystore", "init"]).code).toBe(0);
    const again = sealbird(["keystore", "init"]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^sealbird: keystore-exists: /);
    const wrong = sealbird(["import", "alice.p12", "--password-file", "p12pass"], { SEALBIRD_PASSPHRASE: "wrong" });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^sealbird: keystore-wrong-passphrase: /)]);
  });

  it("imports a PKCS#12 with its chain, a correspondent's certificate and a trust anchor", () => {
    const bad = sealbird(["import", "alice.p12", "--password", "nope"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^sealbird: pkcs12-wrong-password: /);
    expect(sealbird(["import", "alice.p12", "--password-file", "p12pass"]).code).toBe(0);
    expect(sealbird(["import", pki.bob.certPath]).code).toBe(0);
    expect(sealbird(["trust", pki.root.certPath]).code).toBe(0);
    const list = JSON.parse(sealbird(["list", "--json"]).stdout) as Array<{ kind: string; emails: string[]; hasSecret: boolean }>;
    expect(list.map((e) => [e.kind, e.emails.join(","), e.hasSecret])).toEqual([
      ["smime-identity", "alice@example.org", true],
      ["smime-certificate", "bob@example.org", false],
      ["trust-anchor", "", false],
    ]);
  });

  it("protect --smime --sign --encrypt writes what openssl decrypts and verifies; the real Subject is only inside", () => {
    const r = sealbird(["protect", "plain.eml", "--from", "alice@example.org", "--to", "bob@example.org", "--sign", "--encrypt", "--smime", "-o", "out.eml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = readFileSync(join(dir, "out.eml"), "latin1");
    expect(out).toMatch(/^Subject: \[\.\.\.\]\r$/m);
    expect(out).not.toContain("Quarterly");
    const decrypted = run("openssl", ["cms", "-decrypt", "-in", join(dir, "out.eml"), "-recip", pki.bob.certPath, "-inkey", pki.bob.keyPath], { cwd: dir });
    const inner = run("openssl", ["cms", "-verify", "-CAfile", pki.chainPath], { cwd: dir, input: decrypted }).toString("utf8");
    expect(inner).toContain("Subject: Quarterly figures");
    expect(inner).toContain("Die Zahlen für Q3 sind gut.");
  });

  it("inspect reads an openssl-made signed-and-encrypted message: decrypted, valid, protected subject", () => {
    const signed = run("openssl", ["cms", "-sign", "-signer", pki.bob.certPath, "-inkey", pki.bob.keyPath, "-certfile", pki.chainPath], {
      cwd: dir,
      input: Buffer.from("Content-Type: text/plain\r\n\r\nSigned by Bob.\r\n"),
    });
    const enc = run("openssl", ["cms", "-encrypt", "-aes-256-gcm", "-from", "bob@example.org", "-to", "alice@example.org", "-subject", "Hi", pki.alice.certPath], { cwd: dir, input: signed });
    writeFileSync(join(dir, "in.eml"), enc);
    const r = sealbird(["inspect", "in.eml", "--json", "--out", "dec.eml"]);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status.encryption).toMatchObject({ state: "decrypted", protocol: "smime", algorithm: "AES-256-GCM" });
    expect(status.signature.state).toBe("valid");
    expect(readFileSync(join(dir, "dec.eml"), "utf8")).toContain("Signed by Bob.");
  });

  it("inspect --crl: a signer listed in the CA's CRL is revoked", () => {
    const signed = run("openssl", ["cms", "-sign", "-signer", pki.carol.certPath, "-inkey", pki.carol.keyPath, "-certfile", pki.chainPath, "-from", "carol@example.org"], {
      cwd: dir,
      input: Buffer.from("Content-Type: text/plain\r\n\r\nSigned by Carol.\r\n"),
    });
    writeFileSync(join(dir, "carol.eml"), signed);
    expect(JSON.parse(sealbird(["inspect", "carol.eml", "--json"]).stdout).signature.state).toBe("valid");
    const r = sealbird(["inspect", "carol.eml", "--json", "--crl", pki.crlPath]);
    expect(JSON.parse(r.stdout).signature.state).toBe("revoked");
  });

  it("inspect without the passphrase verifies but does not decrypt", () => {
    const r = sealbird(["inspect", "in.eml", "--json"], { SEALBIRD_PASSPHRASE: "" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).encryption).toMatchObject({ state: "failed", code: "no-key" });
  });

  it("bad input: a typed error on one line and exit 4, never a stack trace", () => {
    writeFileSync(join(dir, "broken.eml"), "Content-Type: multipart/mixed\r\n\r\nno boundary here\r\n");
    const r = sealbird(["inspect", "broken.eml"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^sealbird: mime-boundary-missing: [^\n]+\n$/);
    const missing = sealbird(["inspect", "does-not-exist.eml"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^sealbird: io-error: /);
    const usage = sealbird(["protect", "plain.eml"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^sealbird: usage: /);
  });

  it("export --pkcs12 --legacy writes a file openssl reads with the same certificate", () => {
    writeFileSync(join(dir, "exportpass"), "export-pw\n");
    const r = sealbird(["export", "alice@example.org", "--smime", "--pkcs12", "--legacy", "--export-passphrase-file", "exportpass", "-o", "alice-out.p12"]);
    expect(r.stderr).toBe("");
    const pem = run("openssl", ["pkcs12", "-in", join(dir, "alice-out.p12"), "-nokeys", "-clcerts", "-passin", "pass:export-pw"], { cwd: dir }).toString();
    const ours = run("openssl", ["x509", "-fingerprint", "-sha256", "-noout"], { cwd: dir, input: Buffer.from(pem) }).toString();
    const original = run("openssl", ["x509", "-in", pki.alice.certPath, "-fingerprint", "-sha256", "-noout"], { cwd: dir }).toString();
    expect(ours).toBe(original);
  });

  describe.runIf(hasGpg)("OpenPGP", () => {
    let gpg: Gpg;
    beforeAll(() => {
      gpg = new Gpg();
      gpg.genKey("Bob <bob@example.org>", "ed25519");
      writeFileSync(join(dir, "bob.asc"), gpg.exportPublic("bob@example.org"));
    });
    afterAll(() => gpg?.dispose());

    it("keygen, import gpg's key, protect --pgp: gpg decrypts and verifies", () => {
      const k = sealbird(["keygen", "--pgp", "--uid", "Alice <alice@example.org>", "--revocation-out", "alice-rev.asc"]);
      expect(k.code).toBe(0);
      expect(readFileSync(join(dir, "alice-rev.asc"), "utf8")).toContain("BEGIN PGP PUBLIC KEY BLOCK");
      expect(sealbird(["import", "bob.asc"]).code).toBe(0);
      expect(sealbird(["export", "alice@example.org", "--pgp", "-o", "alice.asc"]).code).toBe(0);
      gpg.run(["--import", join(dir, "alice.asc")]);
      const p = sealbird(["protect", "plain.eml", "--from", "alice@example.org", "--to", "bob@example.org", "--sign", "--encrypt", "--pgp", "-o", "pgp.eml"]);
      expect(p.stderr).toBe("");
      const eml = readFileSync(join(dir, "pgp.eml"), "utf8");
      const armored = eml.slice(eml.indexOf("-----BEGIN PGP MESSAGE-----"), eml.indexOf("-----END PGP MESSAGE-----") + 25);
      const d = gpg.run(["--decrypt"], { input: armored });
      expect(d.lines.some((l) => l.startsWith("DECRYPTION_OKAY"))).toBe(true);
      expect(d.lines.some((l) => l.startsWith("GOODSIG"))).toBe(true);
      expect(Buffer.from(d.stdout).toString()).toContain("Die Zahlen für Q3 sind gut.");
      expect(Buffer.from(d.stdout).toString()).toContain("Subject: Quarterly figures");
    });

    it("a password-protected message opens with gpg --decrypt --passphrase", () => {
      writeFileSync(join(dir, "msgpass"), "tell-by-phone-42\n");
      const p = sealbird(["protect", "plain.eml", "--from", "alice@example.org", "--to", "carol@example.org", "--encrypt", "--pgp", "--message-password-file", "msgpass", "-o", "pw.eml"]);
      expect(p.stderr).toBe("");
      const eml = readFileSync(join(dir, "pw.eml"), "utf8");
      const armored = eml.slice(eml.indexOf("-----BEGIN PGP MESSAGE-----"), eml.indexOf("-----END PGP MESSAGE-----") + 25);
      const other = new Gpg("tell-by-phone-42");
      try {
        const d = other.run(["--decrypt"], { input: armored, passphrase: "tell-by-phone-42" });
        expect(Buffer.from(d.stdout).toString()).toContain("Die Zahlen für Q3 sind gut.");
      } finally {
        other.dispose();
      }
    });
  });
});
