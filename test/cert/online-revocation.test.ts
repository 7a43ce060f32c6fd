// Revocation on the network against real servers on 127.0.0.1: `openssl ocsp -port` answering
// from the `openssl ca` index, CRLs made by `openssl ca -gencrl` served by nginx (HTTP and
// HTTPS), and every failure mode a user can meet, each with its typed error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { makeRevocationPki, type IssuedCert, type RevocationPki } from "../servers/revocation-pki.mjs";
import { startOcspResponder } from "../servers/ocsp.mjs";
import { startNginx, type Nginx } from "../servers/nginx.mjs";
import { freePort, startSilentServer } from "../servers/process.mjs";
import { makeTestCa, type TestCa } from "../servers/test-ca.mjs";
import { checkCertificateOnline, MemoryRevocationCache, type OnlineRevocation } from "../../src/core/cert/online-revocation.js";
import { verifyCms } from "../../src/core/smime/verify.js";
import { judgeRecipientCertificate } from "../../src/core/smime/recipient-policy.js";
import { nodeHttpFetch } from "../../src/node/http-fetch.js";
import type { HttpFetch } from "../../src/core/net/http.js";
import type { SmimeContext } from "../../src/core/smime/context.js";

let pki: RevocationPki;
let ocsp: { url: string; restart(): Promise<void>; stop(): Promise<void> };
let web: Nginx;
let silent: { port: number; stop(): Promise<void> };
let closedPort: number;
let tlsCa: TestCa;
let root: string;
const certs: Record<string, IssuedCert> = {};

const trusted = nodeHttpFetch({ ca: [] as string[] });
let fetchTrustingWebCa: HttpFetch;
const calls: string[] = [];
const counting =
  (f: HttpFetch): HttpFetch =>
  (req) => {
    calls.push(req.url);
    return f(req);
  };

beforeAll(async () => {
  pki = makeRevocationPki();
  root = fs.mkdtempSync(path.join(pki.dir, "www-"));
  ocsp = await startOcspResponder({ index: pki.indexPath, ca: pki.caPath, rsigner: pki.caPath, rkey: pki.caKeyPath, cwd: pki.dir });
  tlsCa = makeTestCa();
  web = await startNginx({ root, http: 0, https: { port: 0, ...tlsCa.issue(["localhost"]) }, locations: { "/fail/": "return 503;" } });
  silent = await startSilentServer();
  closedPort = await freePort();
  fetchTrustingWebCa = nodeHttpFetch({ ca: fs.readFileSync(tlsCa.certPath) });

  const crl = http("/ca.crl");
  certs.good = pki.issue("good", "good@example.org", { ocsp: [ocsp.url], crl: [crl] });
  certs.revoked = pki.issue("revoked", "revoked@example.org", { ocsp: [ocsp.url], crl: [crl] });
  certs.crlOnly = pki.issue("crlonly", "crlonly@example.org", { crl: [crl] });
  certs.crlRevoked = pki.issue("crlrevoked", "crlrevoked@example.org", { crl: [crl] });
  certs.fallback = pki.issue("fallback", "fallback@example.org", { ocsp: [`http://127.0.0.1:${closedPort}/`], crl: [crl] });
  certs.offline = pki.issue("offline", "offline@example.org", { ocsp: [`http://127.0.0.1:${closedPort}/`] });
  certs.timeout = pki.issue("timeout", "timeout@example.org", { ocsp: [`http://127.0.0.1:${silent.port}/`] });
  certs.https = pki.issue("https", "https@example.org", { crl: [https("/ca.crl")] });
  certs.http503 = pki.issue("http503", "http503@example.org", { crl: [http("/fail/ca.crl")] });
  certs.big = pki.issue("big", "big@example.org", { crl: [http("/big.crl")] });
  certs.garbage = pki.issue("garbage", "garbage@example.org", { crl: [http("/garbage.crl")] });
  certs.foreign = pki.issue("foreign", "foreign@example.org", { crl: [http("/other.crl")] });
  certs.none = pki.issue("none", "none@example.org");
  pki.revoke("revoked");
  pki.revoke("crlrevoked");
  pki.writeCrl(path.join(root, "ca.crl"));
  await ocsp.restart();
  fs.writeFileSync(path.join(root, "big.crl"), Buffer.alloc(17 * 1024 * 1024, 0x30));
  fs.writeFileSync(path.join(root, "garbage.crl"), "this is not a CRL\n");
  // A real CRL, but from another CA.
  const other = makeRevocationPki({ name: "Some Other CA" });
  other.writeCrl(path.join(root, "other.crl"));
  other.remove();
}, 120_000);

afterAll(async () => {
  await ocsp?.stop();
  await web?.stop();
  await silent?.stop();
  pki?.remove();
  tlsCa?.dispose();
});

const http = (p: string) => web.url(p, { https: false });
const https = (p: string) => web.url(p, { https: true, host: "localhost" });

const online = (over: Partial<OnlineRevocation> = {}): OnlineRevocation => ({ mode: "soft-fail", fetch: counting(trusted), cache: new MemoryRevocationCache(), ...over });
const check = (c: IssuedCert, o: OnlineRevocation = online()) => checkCertificateOnline(c.certificate, pki.caDer, o, new Date());

describe("OCSP (openssl ocsp -port) and CRL (openssl ca -gencrl via nginx)", () => {
  it("a good certificate: OCSP answers good, and the answer is cached until nextUpdate", async () => {
    const o = online();
    calls.length = 0;
    const first = await check(certs.good!, o);
    expect(first).toMatchObject({ status: "good", method: "ocsp", url: ocsp.url, fromCache: false, attempts: [] });
    expect(new Date(first.nextUpdate!).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    const second = await check(certs.good!, o);
    expect(second).toMatchObject({ status: "good", method: "ocsp", fromCache: true, fetchedAt: first.fetchedAt });
    expect(calls).toEqual([ocsp.url]);
  });

  it("a revoked certificate: OCSP says revoked, with the time", async () => {
    const r = await check(certs.revoked!);
    expect(r).toMatchObject({ status: "revoked", method: "ocsp" });
    expect(new Date(r.revokedAt!).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("CRL only: good and revoked", async () => {
    expect(await check(certs.crlOnly!)).toMatchObject({ status: "good", method: "crl", url: http("/ca.crl") });
    expect(await check(certs.crlRevoked!)).toMatchObject({ status: "revoked", method: "crl" });
  });

  it("an unreachable OCSP responder falls back to the CRL, and the failed attempt is kept", async () => {
    const r = await check(certs.fallback!);
    expect(r).toMatchObject({ status: "good", method: "crl" });
    expect(r.attempts.map((a) => [a.method, a.code])).toEqual([["ocsp", "network-unreachable"]]);
  });

  it("HTTPS CRL with a trusted TLS certificate works; with an untrusted one it is network-tls", async () => {
    expect(await check(certs.https!, online({ fetch: fetchTrustingWebCa }))).toMatchObject({ status: "good", method: "crl", url: https("/ca.crl") });
    const r = await check(certs.https!);
    expect(r).toMatchObject({ status: "not-checked", why: "unreachable" });
    expect(r.attempts.map((a) => a.code)).toEqual(["network-tls"]);
  });

  it("a certificate naming no revocation service: not-checked / no-source, nothing fetched", async () => {
    calls.length = 0;
    expect(await check(certs.none!)).toMatchObject({ status: "not-checked", why: "no-source", attempts: [] });
    expect(calls).toEqual([]);
  });

  it("not allowed (no fetch given): not-checked / not-allowed; an answer already cached still counts", async () => {
    const cache = new MemoryRevocationCache();
    expect(await check(certs.good!, { mode: "soft-fail", cache })).toMatchObject({ status: "not-checked", why: "not-allowed" });
    await check(certs.good!, online({ cache }));
    expect(await check(certs.good!, { mode: "soft-fail", cache })).toMatchObject({ status: "good", fromCache: true });
  });

  it("mode off: nothing is fetched", async () => {
    calls.length = 0;
    expect(await check(certs.revoked!, online({ mode: "off" }))).toMatchObject({ status: "not-checked", why: "off" });
    expect(calls).toEqual([]);
  });
});

describe("each failure mode is a typed error, and nothing is cached", () => {
  const cases: Array<[string, string, string]> = [
    ["offline", "network-unreachable", "unreachable"],
    ["timeout", "network-timeout", "unreachable"],
    ["http503", "network-http", "unreachable"],
    ["big", "network-too-large", "unreachable"],
    ["garbage", "network-malformed", "unreachable"],
    ["foreign", "revocation-unverified", "unverified"],
  ];
  for (const [name, code, why] of cases) {
    it(`${name} → ${code}`, async () => {
      const cache = new MemoryRevocationCache();
      const r = await check(certs[name]!, online({ cache, timeoutMs: 1500 }));
      expect(r).toMatchObject({ status: "not-checked", why });
      expect(r.attempts.map((a) => a.code)).toEqual([code]);
      // A second check asks again: failures are not stored.
      calls.length = 0;
      await check(certs[name]!, online({ cache, timeoutMs: 500 }));
      expect(calls.length).toBe(1);
    });
  }
});

describe("signatures: the status model and the policy setting", () => {
  const content = new TextEncoder().encode("Content-Type: text/plain\r\n\r\nRevocation test.\r\n");
  const sign = (c: IssuedCert): Uint8Array => {
    const input = path.join(pki.dir, "content.txt");
    fs.writeFileSync(input, content);
    return new Uint8Array(execFileSync("openssl", ["cms", "-sign", "-binary", "-in", input, "-signer", c.certPath, "-inkey", c.keyPath, "-outform", "DER"]));
  };
  const ctx = (o: OnlineRevocation): SmimeContext => ({ identities: [], trustAnchors: [pki.caDer], knownCertificates: [], revocation: o });

  it("a good signer: valid, revocation good by OCSP", async () => {
    const r = await verifyCms(sign(certs.good!), content, ctx(online()), { from: "good@example.org" });
    expect(r.signature.state).toBe("valid");
    expect(r.signature.revocation).toMatchObject({ mode: "soft-fail", state: "good", certificates: [{ status: "good", method: "ocsp" }] });
  });

  it("a revoked signer (OCSP): revoked, cert-revoked", async () => {
    const r = await verifyCms(sign(certs.revoked!), content, ctx(online()), { from: "revoked@example.org" });
    expect(r.signature.state).toBe("revoked");
    expect(r.signature.reasons.map((x) => x.code)).toEqual(["cert-revoked"]);
    expect(r.collected).toEqual([]);
  });

  it("a revoked signer (CRL): revoked", async () => {
    const r = await verifyCms(sign(certs.crlRevoked!), content, ctx(online()), { from: "crlrevoked@example.org" });
    expect(r.signature).toMatchObject({ state: "revoked", revocation: { state: "revoked", certificates: [{ method: "crl" }] } });
  });

  it("soft-fail: an unreachable responder leaves the signature valid, with the not-checked note", async () => {
    const r = await verifyCms(sign(certs.offline!), content, ctx(online()), { from: "offline@example.org" });
    expect(r.signature.state).toBe("valid");
    expect(r.signature.reasons).toEqual([]);
    expect(r.signature.revocation).toMatchObject({ mode: "soft-fail", state: "not-checked", certificates: [{ why: "unreachable", attempts: [{ code: "network-unreachable" }] }] });
  });

  it("hard-fail: an unreachable responder makes the signature not valid", async () => {
    const r = await verifyCms(sign(certs.timeout!), content, ctx(online({ mode: "hard-fail", timeoutMs: 1000 })), { from: "timeout@example.org" });
    expect(r.signature.state).toBe("untrusted");
    expect(r.signature.reasons.map((x) => x.code)).toEqual(["revocation-not-checked"]);
    expect(r.signature.revocation?.certificates[0]?.attempts.map((a) => a.code)).toEqual(["network-timeout"]);
  });

  it("off: no network, no revocation state beyond 'off'", async () => {
    calls.length = 0;
    const r = await verifyCms(sign(certs.revoked!), content, ctx(online({ mode: "off" })), { from: "revoked@example.org" });
    expect(r.signature.state).toBe("valid");
    expect(r.signature.revocation?.state).toBe("off");
    expect(calls).toEqual([]);
  });

  it("an untrusted signer is never checked online (a forged certificate must not make us call its URLs)", async () => {
    calls.length = 0;
    const r = await verifyCms(sign(certs.revoked!), content, { ...ctx(online()), trustAnchors: [] }, { from: "revoked@example.org" });
    expect(r.signature.state).toBe("untrusted");
    expect(calls).toEqual([]);
  });
});

describe("recipients' certificates: the same policy before encrypting", () => {
  const judge = (c: IssuedCert, o: OnlineRevocation) => judgeRecipientCertificate(c.certificate, { email: c.email, pool: [], anchors: [pki.caDer], revocation: o });
  it("revoked (OCSP) → never used", async () => {
    expect(await judge(certs.revoked!, online())).toMatchObject({ usable: false, trusted: true, problems: ["cert-revoked"] });
  });
  it("unreachable responder: soft-fail usable with the not-checked state, hard-fail not usable", async () => {
    expect(await judge(certs.offline!, online())).toMatchObject({ usable: true, problems: [], revocation: { state: "not-checked" } });
    expect(await judge(certs.offline!, online({ mode: "hard-fail" }))).toMatchObject({ usable: false, problems: ["revocation-not-checked"] });
  });
  it("good (CRL) → usable", async () => {
    expect(await judge(certs.crlOnly!, online())).toMatchObject({ usable: true, trusted: true, problems: [], revocation: { state: "good" } });
  });
});
