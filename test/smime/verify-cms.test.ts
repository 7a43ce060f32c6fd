import { beforeAll, describe, expect, it } from "vitest";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as asn1js from "asn1js";
import { verifyCms } from "../../src/core/smime/verify.js";
import type { SmimeContext } from "../../src/core/smime/context.js";
import { makePki, type TestPki, type TestIdentity } from "./pki.js";

let pki: TestPki;
let ctx: SmimeContext;
const content = new TextEncoder().encode("Content-Type: text/plain\r\n\r\nHello from the test.\r\n");

beforeAll(async () => {
  pki = await makePki();
  writeFileSync(join(pki.dir, "content.txt"), content);
  ctx = { identities: [], trustAnchors: [pki.root.certificate], knownCertificates: [] };
});

/** openssl cms -sign → DER SignedData (detached unless nodetach). */
function osslSign(who: TestIdentity, extra: string[] = [], out = `sig-${who.name}-${extra.join("")}.der`): Uint8Array {
  pki.openssl(["cms", "-sign", "-binary", "-in", "content.txt", "-signer", who.certPath, "-inkey", who.keyPath, "-certfile", "intermediate.pem", "-outform", "DER", "-out", out, ...extra]);
  return new Uint8Array(readFileSync(join(pki.dir, out)));
}

describe("verifyCms on openssl signatures", () => {
  it("valid: RSA detached, chain to root", async () => {
    const r = await verifyCms(osslSign(pki.alice), content, ctx, { from: "alice@example.org" });
    expect(r.signature.reasons).toEqual([]);
    expect(r.signature.state).toBe("valid");
    expect(r.signature.chain?.length).toBe(3);
    expect(r.signature.digestAlgorithm).toBe("SHA-256");
    expect(r.collected).toHaveLength(1);
  });
  it("valid: EC P-256 opaque", async () => {
    const r = await verifyCms(osslSign(pki.bob, ["-nodetach"]), undefined, ctx, { from: "bob@example.org" });
    expect(r.signature.reasons).toEqual([]);
    expect(r.signature.state).toBe("valid");
    expect(new TextDecoder().decode(r.content)).toContain("Hello from the test.");
  });
  it("invalid when content changed", async () => {
    const bad = content.slice();
    bad[bad.length - 4] = bad[bad.length - 4]! ^ 1;
    const r = await verifyCms(osslSign(pki.alice), bad, ctx, { from: "alice@example.org" });
    expect(r.signature.state).toBe("invalid");
  });
});

describe("certificate policy", () => {
  const state = async (der: Uint8Array, from: string, c: SmimeContext = ctx) => {
    const r = await verifyCms(der, content, c, { from });
    return { state: r.signature.state, codes: r.signature.reasons.map((x) => x.code), sig: r.signature };
  };
  it("expired signer certificate → expired", async () => {
    expect(await state(osslSign(pki.expired), "old@example.org")).toMatchObject({ state: "expired", codes: ["cert-expired"] });
  });
  it("wrong EKU (serverAuth) → untrusted", async () => {
    expect(await state(osslSign(pki.wrongEku), "server@example.org")).toMatchObject({ state: "untrusted", codes: ["cert-wrong-usage"] });
  });
  it("self-signed cert claiming alice's address → untrusted", async () => {
    const der = osslSign(pki.mallory);
    expect(await state(der, "alice@example.org")).toMatchObject({ state: "untrusted", codes: ["no-trust-path"] });
  });
  it("signer ≠ From → mismatch, with signer emails and from", async () => {
    const r = await state(osslSign(pki.alice), "boss@example.org");
    expect(r).toMatchObject({ state: "mismatch", codes: ["from-mismatch"] });
    expect(r.sig.signer?.emails).toEqual(["alice@example.org"]);
    expect(r.sig.from).toBe("boss@example.org");
  });
  it("intermediate missing → untrusted; known → valid", async () => {
    const der = new Uint8Array(pki.openssl(["cms", "-sign", "-binary", "-in", "content.txt", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-outform", "DER"]));
    expect(await state(der, "alice@example.org")).toMatchObject({ state: "untrusted", codes: ["no-trust-path"] });
    expect(await state(der, "alice@example.org", { ...ctx, knownCertificates: [pki.intermediate.certificate] })).toMatchObject({ state: "valid", codes: [] });
  });
  it("no certificate in the message and none known → unknown-signer", async () => {
    const der = osslSign(pki.alice, ["-nocerts"]);
    expect(await state(der, "alice@example.org")).toMatchObject({ state: "unknown-signer", codes: ["no-signer-cert"] });
    expect(await state(der, "alice@example.org", { ...ctx, knownCertificates: [pki.alice.certificate, pki.intermediate.certificate] })).toMatchObject({ state: "valid" });
  });
  it("RSA-1024 → weak; SHA-1 → weak", async () => {
    expect(await state(osslSign(pki.weak), "weak@example.org")).toMatchObject({ state: "weak", codes: ["weak-key"] });
    const r = await state(osslSign(pki.alice, ["-md", "sha1"]), "alice@example.org");
    expect(r).toMatchObject({ state: "weak", codes: ["weak-digest"] });
    expect(r.sig.digestAlgorithm).toBe("SHA-1");
  });
  it("revoked via an openssl CRL (context) → revoked; alice unaffected", async () => {
    expect(await state(osslSign(pki.carol), "carol@example.org")).toMatchObject({ state: "valid" });
    expect(await state(osslSign(pki.carol), "carol@example.org", { ...ctx, crls: [pki.crl] })).toMatchObject({ state: "revoked", codes: ["cert-revoked"] });
    expect(await state(osslSign(pki.alice), "alice@example.org", { ...ctx, crls: [pki.crl] })).toMatchObject({ state: "valid" });
  });
  it("revoked via the CRL carried in the message's crls field", async () => {
    // openssl cms -sign cannot add CRLs; the crls field is outside what the signer signs, so
    // splice the CRL into openssl's SignedData as RevocationInfoChoices [1].
    const der = osslSign(pki.carol, ["-nosmimecap"], "carol-nocap.der");
    expect(await state(withCrl(der, pki.crl), "carol@example.org")).toMatchObject({ state: "revoked", codes: ["cert-revoked"] });
  });
  it("OCSP: revoked response → revoked; good response keeps valid; stale or forged responses are ignored", async () => {
    expect(await state(osslSign(pki.carol), "carol@example.org", { ...ctx, ocspResponses: [pki.ocspCarolRevoked] })).toMatchObject({ state: "revoked" });
    expect(await state(osslSign(pki.alice), "alice@example.org", { ...ctx, ocspResponses: [pki.ocspAliceGood, pki.ocspCarolRevoked] })).toMatchObject({ state: "valid" });
    // Judged a month later the 2-day response is stale → ignored.
    const later = new Date(Date.now() + 30 * 86400_000);
    const r = await verifyCms(osslSign(pki.carol), content, { ...ctx, ocspResponses: [pki.ocspCarolRevoked] }, { from: "carol@example.org", now: later });
    expect(r.signature.state).toBe("valid");
    // A response signed by a key that is not the issuer nor delegated by it is ignored.
    pki.openssl(["ocsp", "-index", "index.txt", "-rsigner", pki.alice.certPath, "-rkey", pki.alice.keyPath, "-CA", "intermediate.pem", "-reqin", "carol.ocspreq", "-respout", "forged.ocsp", "-ndays", "2"]);
    const forged = new Uint8Array(readFileSync(join(pki.dir, "forged.ocsp")));
    expect(await state(osslSign(pki.carol), "carol@example.org", { ...ctx, ocspResponses: [forged] })).toMatchObject({ state: "valid" });
  });
});

/** Re-encodes a DER ContentInfo(SignedData) with `crl` added as its crls [1] field. */
function withCrl(der: Uint8Array, crl: Uint8Array): Uint8Array {
  const ci = asn1js.fromBER(der).result as asn1js.Sequence;
  const sd = ((ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
  const crlNode = asn1js.fromBER(crl).result;
  const idx = sd.length - 1; // before signerInfos
  sd.splice(idx, 0, new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [crlNode] }));
  return new Uint8Array(ci.toBER());
}
