import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { certificateInfo, summarize, toDerList, derToPem } from "../../src/core/cert/index.js";
import { isSealbirdError } from "../../src/core/errors.js";
import { makePki, type TestPki } from "../smime/pki.js";

let pki: TestPki;
beforeAll(async () => {
  pki = await makePki();
});

function opensslFingerprint(path: string): string {
  const out = pki.openssl(["x509", "-in", path, "-noout", "-fingerprint", "-sha256"]).toString();
  return out.split("=")[1]!.trim().replace(/:/g, "").toLowerCase();
}

describe("certificateInfo", () => {
  it("reads an openssl RSA leaf: emails, key usage, EKU, size, fingerprint as openssl computes it", () => {
    const info = certificateInfo(pki.alice.certificate);
    expect(info.emails).toEqual(["alice@example.org"]);
    expect(info.subject).toBe("E=alice@example.org, CN=alice");
    expect(info.issuer).toBe("CN=Sealbird Test Intermediate, O=Sealbird Test");
    expect(info.keyUsage).toEqual(["digitalSignature", "nonRepudiation", "keyEncipherment"]);
    expect(info.extKeyUsage).toEqual(["emailProtection"]);
    expect(info.isCA).toBe(false);
    expect(info.publicKeyAlgorithm).toBe("rsa");
    expect(info.rsaBits).toBe(2048);
    expect(info.fingerprint).toBe(opensslFingerprint(pki.alice.certPath));
    const serial = pki.openssl(["x509", "-in", pki.alice.certPath, "-noout", "-serial"]).toString().split("=")[1]!.trim().toLowerCase();
    expect(info.serialNumber.replace(/^0+/, "")).toBe(serial.replace(/^0+/, ""));
    expect(new Date(info.notAfter).getTime()).toBeGreaterThan(Date.now());
  });

  it("reads EC keys, CAs, RSA-1024, absent extensions", () => {
    const bob = certificateInfo(pki.bob.certificate);
    expect(bob).toMatchObject({ publicKeyAlgorithm: "ec", namedCurve: "P-256", emails: ["bob@example.org"] });
    expect(bob.keyUsage).toEqual(["digitalSignature", "keyAgreement"]);
    const root = certificateInfo(pki.root.certificate);
    expect(root.isCA).toBe(true);
    expect(root.extKeyUsage).toBeUndefined();
    expect(root.keyUsage).toEqual(["keyCertSign", "cRLSign"]);
    expect(certificateInfo(pki.weak.certificate).rsaBits).toBe(1024);
    expect(certificateInfo(pki.wrongEku.certificate).extKeyUsage).toEqual(["serverAuth"]);
    expect(certificateInfo(pki.mallory.certificate).keyUsage).toBeUndefined();
  });

  it("summarize gives the status-model summary", () => {
    const s = summarize(pki.bob.certificate);
    expect(Object.keys(s).sort()).toEqual(["emails", "fingerprint", "issuer", "notAfter", "notBefore", "serialNumber", "subject"]);
  });

  it("parses several certificates from one PEM file, and DER as is", () => {
    const certs = toDerList(readFileSync(pki.chainPath, "latin1"));
    expect(certs).toHaveLength(2);
    expect(certificateInfo(certs[0]!).fingerprint).toBe(certificateInfo(pki.root.certificate).fingerprint);
    expect(toDerList(pki.alice.certificate)).toEqual([pki.alice.certificate]);
    const withText = "Bag Attributes\n    friendlyName: x\n" + derToPem(pki.alice.certificate) + "junk\n" + derToPem(pki.bob.certificate);
    expect(toDerList(new TextEncoder().encode(withText))).toHaveLength(2);
  });

  it("malformed input is a typed cert-malformed error", () => {
    for (const bad of [new Uint8Array([0x30, 0x03, 1, 2]), pki.alice.certificate.subarray(0, 200), new Uint8Array(0)]) {
      try {
        certificateInfo(bad);
        expect.unreachable();
      } catch (e) {
        expect(isSealbirdError(e) && e.code).toBe("cert-malformed");
      }
    }
    expect(() => toDerList("hello")).toThrow(/No certificate/);
  });
});

describe("parsed certificates are kept by content", () => {
  it("a certificate arriving again in a new array is the parse already made; a changed byte is parsed anew (and refused)", async () => {
    const { parseCertificate } = await import("../../src/core/cert/certificate.js");
    const first = parseCertificate(pki.alice.certificate.slice());
    expect(parseCertificate(pki.alice.certificate.slice())).toBe(first);
    const changed = pki.alice.certificate.slice();
    changed[changed.length - 1]! ^= 0xff;
    expect(parseCertificate(changed)).not.toBe(first);
    const truncated = pki.alice.certificate.slice(0, -1);
    expect(() => parseCertificate(truncated)).toThrow();
  });
});
