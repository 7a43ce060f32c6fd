// The real `sealbird` binary against real servers on 127.0.0.1: slapd for `lookup --ldap` and
// `protect --ldap`, `openssl ocsp` and an nginx-served CRL for revocation in `inspect` and
// `protect`. openssl opens what sealbird writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeRevocationPki, type IssuedCert, type RevocationPki } from "../servers/revocation-pki.mjs";
import { startSlapd } from "../servers/ldap.mjs";
import { startOcspResponder } from "../servers/ocsp.mjs";
import { startNginx, type Nginx } from "../servers/nginx.mjs";
import { freePort } from "../servers/process.mjs";

const CLI = path.join(process.cwd(), "dist/cli/sealbird.mjs");
let pki: RevocationPki;
let dir: string;
let env: NodeJS.ProcessEnv;
let ldap: { port: number; url: string; stop(): Promise<void> };
let ocsp: { url: string; restart(): Promise<void>; stop(): Promise<void> };
let web: Nginx;
let closed: number;
const c: Record<string, IssuedCert> = {};

function sealbird(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const plain = (to: string) =>
  `From: Alice <alice@example.org>\r\nTo: <${to}>\r\nSubject: Directory test\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <d@example.org>\r\n` +
  `Content-Type: text/plain; charset=utf-8\r\n\r\nFound you in the directory.\r\n`;

function signedBy(who: IssuedCert): string {
  const file = path.join(dir, `signed-${who.name}.eml`);
  // The outer header names the author (openssl cms -from/-to/-subject), as a mail client writes it.
  const out = execFileSync("openssl", ["cms", "-sign", "-signer", who.certPath, "-inkey", who.keyPath, "-from", who.email, "-to", "alice@example.org", "-subject", "signed"], {
    input: Buffer.from(`Content-Type: text/plain\r\n\r\nSigned.\r\n`),
  });
  fs.writeFileSync(file, out);
  return file;
}

beforeAll(async () => {
  pki = makeRevocationPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-cli-online-"));
  env = { PATH: process.env["PATH"], HOME: dir, SEALBIRD_KEYSTORE: path.join(dir, "ks"), SEALBIRD_PASSPHRASE: "correct horse battery" };
  const www = fs.mkdtempSync(path.join(pki.dir, "www-"));
  ocsp = await startOcspResponder({ index: pki.indexPath, ca: pki.caPath, rsigner: pki.caPath, rkey: pki.caKeyPath, cwd: pki.dir });
  web = await startNginx({ root: www, http: 0 });
  closed = await freePort();
  c.alice = pki.issue("alice", "alice@example.org");
  c.dave = pki.issue("dave", "dave@example.org", { ocsp: [ocsp.url] });
  c.erin = pki.issue("erin", "erin@example.org", { crl: [web.url("/ca.crl", { https: false })] });
  c.rita = pki.issue("rita", "rita@example.org", { ocsp: [ocsp.url] });
  c.otto = pki.issue("otto", "otto@example.org", { ocsp: [`http://127.0.0.1:${closed}/`] });
  pki.revoke("rita");
  pki.writeCrl(path.join(www, "ca.crl"));
  await ocsp.restart();
  const person = (cn: string, who: IssuedCert) => ({ dn: `cn=${cn},ou=people,dc=example,dc=org`, attrs: { objectClass: "inetOrgPerson", cn, sn: cn, mail: who.email, "userCertificate;binary": who.certificate } });
  ldap = await startSlapd({ entries: [person("Dave", c.dave), person("Erin", c.erin), person("Rita", c.rita)] });
  expect(sealbird(["keystore", "init"]).code).toBe(0);
  fs.writeFileSync(path.join(dir, "p12pass"), "pw\n");
  expect(sealbird(["import", pki.p12("alice", "pw"), "--password-file", "p12pass"]).code).toBe(0);
  expect(sealbird(["trust", pki.caPath]).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await ldap?.stop();
  await ocsp?.stop();
  await web?.stop();
  pki?.remove();
});

describe("sealbird lookup / protect --ldap against slapd", () => {
  it("lookup finds dave's certificate, keeps it, and exits 0", () => {
    const r = sealbird(["lookup", "dave@example.org", "--ldap", ldap.url]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^found {2}[0-9a-f]{64} {2}.*CN=dave.* in ldap:\/\/127\.0\.0\.1:\d+\/dc=example,dc=org \(cn=Dave,ou=people,dc=example,dc=org\)$/m);
    const list = JSON.parse(sealbird(["list", "--json"]).stdout) as Array<{ kind: string; emails: string[] }>;
    expect(list.filter((e) => e.kind === "smime-certificate").map((e) => e.emails)).toEqual([["dave@example.org"]]);
  });

  it("lookup of a revoked certificate refuses it (OCSP), exit 1", () => {
    const r = sealbird(["lookup", "rita@example.org", "--ldap", ldap.url, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ found: [], rejected: [{ problems: ["cert-revoked"] }], errors: [] });
  });

  it("lookup against a directory that is down: the typed error, exit 1", () => {
    const r = sealbird(["lookup", "dave@example.org", "--ldap", `ldap://127.0.0.1:${closed}/dc=example,dc=org`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^error {2}ldap:\/\/127\.0\.0\.1:\d+\/dc=example,dc=org: network-unreachable: /m);
  });

  it("protect --ldap finds erin's certificate and openssl decrypts the message with erin's key", () => {
    fs.writeFileSync(path.join(dir, "to-erin.eml"), plain("erin@example.org"));
    const r = sealbird(["protect", "to-erin.eml", "--from", "alice@example.org", "--to", "erin@example.org", "--encrypt", "--smime", "--ldap", ldap.url, "-o", "erin.eml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const inner = execFileSync("openssl", ["cms", "-decrypt", "-in", path.join(dir, "erin.eml"), "-recip", c.erin!.certPath, "-inkey", c.erin!.keyPath]).toString();
    expect(inner).toContain("Found you in the directory.");
  });

  it("protect refuses a stored certificate that OCSP says is revoked, and never uses it again", () => {
    expect(sealbird(["import", c.rita!.certPath]).code).toBe(0);
    fs.writeFileSync(path.join(dir, "to-rita.eml"), plain("rita@example.org"));
    const r = sealbird(["protect", "to-rita.eml", "--from", "alice@example.org", "--to", "rita@example.org", "--encrypt", "--smime", "-o", "rita.eml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sealbird: recipient-no-key: .*rita@example\.org \(cert-revoked\)/);
    expect(fs.existsSync(path.join(dir, "rita.eml"))).toBe(false);
    // Offline now: the revocation stays known.
    const again = sealbird(["protect", "to-rita.eml", "--from", "alice@example.org", "--to", "rita@example.org", "--encrypt", "--smime", "--revocation", "off", "-o", "rita.eml"]);
    expect(again.stderr).toMatch(/^sealbird: recipient-no-key: .*rita@example\.org \(revoked\)/);
  });
});

describe("sealbird inspect checks signers online", () => {
  it("a revoked signer (OCSP) → revoked; --revocation off → valid", () => {
    const file = signedBy(c.rita!);
    const r = sealbird(["inspect", file]);
    expect(r.stdout).toMatch(/^signature: revoked$/m);
    expect(r.stdout).toMatch(/^revocation: revoked \(soft-fail, checked /m);
    expect(sealbird(["inspect", file, "--revocation", "off"]).stdout).toMatch(/^signature: valid$/m);
  });

  it("a good signer via CRL → valid, and how it was checked is printed", () => {
    const r = sealbird(["inspect", signedBy(c.erin!)]);
    expect(r.stdout).toMatch(/^signature: valid$/m);
    // The CRL was fetched for protect --ldap above and comes from the cache beside the keystore.
    expect(r.stdout).toMatch(/CN=erin.*: good — crl http:\/\/127\.0\.0\.1:\d+\/ca\.crl, cached from [0-9TZ:.-]+, valid until /);
  });

  it("an unreachable responder: soft-fail valid with the note; hard-fail not valid", () => {
    const file = signedBy(c.otto!);
    const soft = sealbird(["inspect", file]);
    expect(soft.stdout).toMatch(/^signature: valid$/m);
    expect(soft.stdout).toMatch(/^revocation: not-checked \(soft-fail/m);
    expect(soft.stdout).toMatch(/tried ocsp http:\/\/127\.0\.0\.1:\d+\/: network-unreachable: /);
    const hard = sealbird(["inspect", file, "--revocation", "hard-fail"]);
    expect(hard.stdout).toMatch(/^signature: untrusted$/m);
    expect(hard.stdout).toMatch(/because: revocation-not-checked: /);
  });

  it("a bad --revocation value is a usage error", () => {
    expect(sealbird(["inspect", "x.eml", "--revocation", "sometimes"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^sealbird: usage: --revocation must be one of/) });
  });
});
