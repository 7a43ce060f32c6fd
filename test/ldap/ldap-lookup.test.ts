// Finding recipients' certificates in a real OpenLDAP slapd (inetOrgPerson entries holding
// certificates made by openssl), through the engine's lookup and the CLI's ldapts search.
// The certificates go through the encryption policy; every failure mode is a typed error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { makeRevocationPki, type RevocationPki } from "../servers/revocation-pki.mjs";
import { startSlapd } from "../servers/ldap.mjs";
import { startNginx, type Nginx } from "../servers/nginx.mjs";
import { freePort, startSilentServer } from "../servers/process.mjs";
import { makeTestCa, type TestCa } from "../servers/test-ca.mjs";
import { certificateFilter, escapeFilterValue, lookupCertificates, type LdapDirectory } from "../../src/core/ldap/certificate-lookup.js";
import { parseLdapUrl } from "../../src/core/ldap/ldap-url.js";
import { fingerprint } from "../../src/core/cert/certificate.js";
import { ldaptsSearch } from "../../src/node/ldap-search.js";

let pki: RevocationPki;
let ldap: { port: number; url: string; stop(): Promise<void> };
let web: Nginx;
let silent: { port: number; stop(): Promise<void> };
let closed: number;
let tlsCa: TestCa;
const fp: Record<string, string> = {};

const person = (cn: string, mail: string, attrs: Record<string, Uint8Array | string | Array<Uint8Array | string>>) => ({
  dn: `cn=${cn},ou=people,dc=example,dc=org`,
  attrs: { objectClass: "inetOrgPerson", cn, sn: cn, mail, ...attrs },
});

beforeAll(async () => {
  pki = makeRevocationPki();
  const dave = pki.issue("dave", "dave@example.org");
  const erin = pki.issue("erin", "erin@example.org");
  const old = pki.issue("gina", "gina@example.org", { dates: ["20200101000000Z", "20210101000000Z"] });
  const other = pki.issue("other", "other@example.org");
  const signOnly = pki.issue("ivan", "ivan@example.org", { keyUsage: "critical,digitalSignature" });
  // A self-signed certificate for frank: anyone who can write to the directory could put it there.
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "mallory.key", "-out", "mallory.pem", "-subj", "/CN=frank/emailAddress=frank@example.org", "-days", "30",
    "-addext", "subjectAltName=email:frank@example.org", "-addext", "keyUsage=keyEncipherment"], { cwd: pki.dir, stdio: "pipe" });
  const mallory = execFileSync("openssl", ["x509", "-in", "mallory.pem", "-outform", "DER"], { cwd: pki.dir });
  // userSMIMECertificate: a certs-only PKCS#7, as `openssl crl2pkcs7 -nocrl` writes it.
  const erinP7 = execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", erin.certPath, "-outform", "DER"], { cwd: pki.dir });
  for (const [k, c] of Object.entries({ dave, erin, gina: old, other, ivan: signOnly })) fp[k] = fingerprint(c.certificate);
  const crowd = Array.from({ length: 10 }, (_, i) => person(`crowd${i}`, "crowd@example.org", { "userCertificate;binary": dave.certificate }));
  ldap = await startSlapd({
    entries: [
      person("Dave", "dave@example.org", { "userCertificate;binary": dave.certificate }),
      person("Erin", "erin@example.org", { userSMIMECertificate: erinP7 }),
      person("Frank", "frank@example.org", { "userCertificate;binary": mallory }),
      person("Gina", "gina@example.org", { "userCertificate;binary": old.certificate }),
      person("Hank", "hank@example.org", { "userCertificate;binary": other.certificate }),
      person("Ivan", "ivan@example.org", { "userCertificate;binary": signOnly.certificate }),
      person("Judy", "judy@example.org", { userSMIMECertificate: Buffer.from("not a PKCS#7 at all") }),
      person("Star", "st*r@example.org", { "userCertificate;binary": other.certificate }),
      ...crowd,
    ],
  });
  tlsCa = makeTestCa();
  const www = fs.mkdtempSync(path.join(pki.dir, "www-"));
  web = await startNginx({ root: www, https: { port: 0, ...tlsCa.issue(["localhost"]) } });
  silent = await startSilentServer();
  closed = await freePort();
}, 120_000);

afterAll(async () => {
  await ldap?.stop();
  await web?.stop();
  await silent?.stop();
  pki?.remove();
  tlsCa?.dispose();
});

const directory = (url: string, name = url): LdapDirectory => {
  const u = parseLdapUrl(url);
  return { name, baseDn: u.baseDn, scope: u.scope, ...(u.filter ? { filter: u.filter } : {}), search: ldaptsSearch(u) };
};
const policy = () => ({ pool: [], anchors: [new Uint8Array(pki.caDer)] });

describe("LDAP URLs and filters", () => {
  it("parses Thunderbird's address book URLs", () => {
    expect(parseLdapUrl("ldap://ldap.example.org/dc=example,dc=org??sub?(objectclass=*)")).toEqual({ secure: false, host: "ldap.example.org", port: 389, baseDn: "dc=example,dc=org", scope: "sub" });
    expect(parseLdapUrl("ldaps://[::1]:1636/ou=people,dc=x??one?(o=Acme)")).toEqual({ secure: true, host: "::1", port: 1636, baseDn: "ou=people,dc=x", scope: "one", filter: "(o=Acme)" });
    expect(() => parseLdapUrl("http://example.org/")).toThrow(expect.objectContaining({ code: "usage" }));
  });
  it("escapes the address (RFC 4515) and nests it in the directory's filter", () => {
    expect(escapeFilterValue("a*b(c)\\d")).toBe("a\\2ab\\28c\\29\\5cd");
    expect(certificateFilter("Dave@Example.org")).toBe("(mail=dave@example.org)");
    expect(certificateFilter("dave@example.org", "o=Acme")).toBe("(&(o=Acme)(mail=dave@example.org))");
  });
});

describe("slapd with inetOrgPerson entries", () => {
  it("finds a certificate in userCertificate;binary that chains to a trust anchor", async () => {
    const r = await lookupCertificates("dave@example.org", [directory(ldap.url)], policy());
    expect(r.errors).toEqual([]);
    expect(r.found.map((f) => [f.fingerprint, f.dn])).toEqual([[fp.dave, "cn=Dave,ou=people,dc=example,dc=org"]]);
    expect(r.found[0]!.judgement).toMatchObject({ usable: true, trusted: true, problems: [] });
  });

  it("finds a certificate in a certs-only userSMIMECertificate", async () => {
    const r = await lookupCertificates("erin@example.org", [directory(ldap.url)], policy());
    expect(r.found.map((f) => f.fingerprint)).toEqual([fp.erin]);
  });

  it("refuses what fails the policy: untrusted, expired, another address, not for encryption", async () => {
    const codes = async (who: string) => {
      const r = await lookupCertificates(who, [directory(ldap.url)], policy());
      expect(r.found).toEqual([]);
      return r.rejected.flatMap((x) => x.judgement.problems);
    };
    expect(await codes("frank@example.org")).toEqual(["no-trust-path"]);
    expect(await codes("gina@example.org")).toEqual(["cert-expired"]);
    expect(await codes("hank@example.org")).toEqual(["cert-email-mismatch"]);
    expect(await codes("ivan@example.org")).toEqual(["cert-wrong-usage"]);
  });

  it("an address with filter characters matches only itself", async () => {
    const r = await lookupCertificates("st*r@example.org", [directory(ldap.url)], policy());
    expect(r.rejected.map((x) => x.judgement.problems)).toEqual([["cert-email-mismatch"]]);
    const none = await lookupCertificates("*", [directory(ldap.url)], policy());
    expect([...none.found, ...none.rejected]).toEqual([]);
  });

  it("nobody there: nothing found, no error", async () => {
    expect(await lookupCertificates("nobody@example.org", [directory(ldap.url)], policy())).toEqual({ found: [], rejected: [], errors: [] });
  });
});

describe("each failure mode is a typed error, and the other directories still count", () => {
  const codeOf = async (url: string, who = "dave@example.org") => {
    const r = await lookupCertificates(who, [directory(url, "broken"), directory(ldap.url, "good")], policy(), { timeoutMs: 1500 });
    expect(r.found.map((f) => f.directory)).toEqual(who === "dave@example.org" ? ["good"] : []);
    return r.errors.map((e) => [e.directory, e.code]);
  };
  it("offline", async () => expect(await codeOf(`ldap://127.0.0.1:${closed}/dc=example,dc=org`)).toEqual([["broken", "network-unreachable"]]));
  it("timeout", async () => expect(await codeOf(`ldap://127.0.0.1:${silent.port}/dc=example,dc=org`)).toEqual([["broken", "network-timeout"]]));
  it("TLS error (ldaps to a server whose certificate is not trusted)", async () =>
    expect(await codeOf(`ldaps://127.0.0.1:${web.httpsPort}/dc=example,dc=org`)).toEqual([["broken", "network-tls"]]));
  it("LDAP error (no such base)", async () => expect(await codeOf(`ldap://127.0.0.1:${ldap.port}/dc=nowhere,dc=org`)).toEqual([["broken", "ldap-failed"]]));
  it("oversized (more entries than the size limit)", async () => {
    const r = await lookupCertificates("crowd@example.org", [directory(ldap.url)], policy());
    expect(r.errors.map((e) => e.code)).toEqual(["network-too-large"]);
  });
  it("malformed (certificate data that is not a certificate)", async () => {
    const r = await lookupCertificates("judy@example.org", [directory(ldap.url)], policy());
    expect(r.errors.map((e) => e.code)).toEqual(["network-malformed"]);
  });
});
