import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decryptCms } from "../../src/core/smime/enveloped.js";
import { isSealbirdError } from "../../src/core/errors.js";
import { makePki, type TestPki, type TestIdentity } from "./pki.js";

let pki: TestPki;
const content = new TextEncoder().encode("Content-Type: text/plain; charset=utf-8\r\n\r\nSecret report, Grüße.\r\n");
const id = (t: TestIdentity) => ({ privateKeyPkcs8: t.privateKeyPkcs8, certificate: t.certificate, chain: [] });

beforeAll(async () => {
  pki = await makePki();
  writeFileSync(join(pki.dir, "secret.txt"), content);
});

function osslEncrypt(args: string[], recips: TestIdentity[], out: string): Uint8Array {
  // -keyopt applies to the preceding -recip.
  const [cipher, ...keyopts] = args;
  pki.openssl(["cms", "-encrypt", "-binary", "-in", "secret.txt", "-outform", "DER", "-out", out, cipher!, ...recips.flatMap((r) => ["-recip", r.certPath, ...keyopts])]);
  return new Uint8Array(readFileSync(join(pki.dir, out)));
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return isSealbirdError(e) ? e.code : `untyped: ${String(e)}`;
  }
}

describe("decryptCms on openssl output", () => {
  const cases: [string, string[], string][] = [
    ["AES-256-CBC, RSA PKCS#1 v1.5", ["-aes256"], "AES-256-CBC"],
    ["AES-128-CBC", ["-aes128"], "AES-128-CBC"],
    ["AES-256-GCM AuthEnvelopedData", ["-aes-256-gcm"], "AES-256-GCM"],
    ["3DES", ["-des3"], "3DES-CBC"],
    ["RSA-OAEP SHA-1", ["-aes256", "-keyopt", "rsa_padding_mode:oaep"], "AES-256-CBC"],
    ["RSA-OAEP SHA-256", ["-aes256", "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"], "AES-256-CBC"],
  ];
  for (const [name, args, alg] of cases) {
    it(`alice: ${name}`, async () => {
      const der = osslEncrypt(args, [pki.alice], `enc-${name.replace(/\W/g, "")}.der`);
      const r = await decryptCms(der, [id(pki.alice)]);
      expect(r.content).toEqual(content);
      expect(r.algorithm).toBe(alg);
      expect(r.recipients).toHaveLength(1);
    });
  }
  it("bob (EC P-256, ECDH), default and explicit KDFs, GCM, streamed BER", async () => {
    for (const [n, args] of [
      ["default", ["-aes256"]],
      ["sha256", ["-aes256", "-keyopt", "ecdh_kdf_md:sha256"]],
      ["sha384", ["-aes-256-gcm", "-keyopt", "ecdh_kdf_md:sha384"]],
      ["sha1", ["-aes128", "-keyopt", "ecdh_kdf_md:sha1"]],
    ] as [string, string[]][]) {
      const der = osslEncrypt(args, [pki.bob], `enc-bob-${n}.der`);
      const r = await decryptCms(der, [id(pki.alice), id(pki.bob)]);
      expect(r.content, n).toEqual(content);
    }
  });
  it("BER indefinite-length, chunked OCTET STRINGs (openssl -stream)", async () => {
    pki.openssl(["cms", "-encrypt", "-binary", "-stream", "-in", "secret.txt", "-outform", "DER", "-out", "enc-stream.der", "-aes-256-gcm", pki.bob.certPath]);
    const der = new Uint8Array(readFileSync(join(pki.dir, "enc-stream.der")));
    expect(der[1]).toBe(0x80); // indefinite length
    expect((await decryptCms(der, [id(pki.bob)])).content).toEqual(content);
  });
  it("several recipients: each opens it with their own key", async () => {
    const der = osslEncrypt(["-aes256"], [pki.alice, pki.bob], "enc-both.der");
    expect((await decryptCms(der, [id(pki.bob)])).content).toEqual(content);
    expect((await decryptCms(der, [id(pki.alice)])).recipients).toHaveLength(2);
  });
  it("encrypted to bob only, we only have alice → no-key with recipients", async () => {
    const der = osslEncrypt(["-aes256"], [pki.bob], "enc-bob-only.der");
    try {
      await decryptCms(der, [id(pki.alice)]);
      expect.unreachable();
    } catch (e) {
      expect(isSealbirdError(e) && e.code).toBe("no-key");
      expect((e as { details: { recipients: string[] } }).details.recipients[0]).toMatch(/^issuer CN=Sealbird Test Intermediate, O=Sealbird Test, serial [0-9a-f]+$/);
    }
  });
  it("tampered ciphertext or GCM tag → decrypt-failed / tampered, never output", async () => {
    const cbc = osslEncrypt(["-aes256"], [pki.alice], "enc-t1.der");
    const gcm = osslEncrypt(["-aes-256-gcm"], [pki.alice], "enc-t2.der");
    const gcmBob = osslEncrypt(["-aes-256-gcm"], [pki.bob], "enc-t3.der");
    const flipLast = (b: Uint8Array, back: number) => {
      const c = b.slice();
      c[c.length - back] = c[c.length - back]! ^ 0x40;
      return c;
    };
    // CBC: flipping the last ciphertext byte breaks the padding.
    expect(await code(decryptCms(flipLast(cbc, 1), [id(pki.alice)]))).toBe("decrypt-failed");
    // GCM under PKCS#1 v1.5: cannot tell a wrong key from tampering → decrypt-failed.
    expect(await code(decryptCms(flipLast(gcm, 1), [id(pki.alice)]))).toBe("decrypt-failed");
    // GCM under ECDH + AES key wrap: the key is authentic, so it is tampering.
    expect(await code(decryptCms(flipLast(gcmBob, 1), [id(pki.bob)]))).toBe("tampered");
  });
  it("a broken PKCS#1 v1.5 encrypted key fails exactly like a wrong content key", async () => {
    const der = osslEncrypt(["-aes256"], [pki.alice], "enc-pad.der");
    // The encrypted key is the 256-byte OCTET STRING; corrupt it in place.
    const buf = Buffer.from(der);
    const at = buf.indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00]));
    expect(at).toBeGreaterThan(0);
    buf[at + 10] = buf[at + 10]! ^ 0x01;
    const errs = new Set<string>();
    for (let k = 0; k < 3; k++) errs.add(await code(decryptCms(new Uint8Array(buf), [id(pki.alice)])));
    expect([...errs]).toEqual(["decrypt-failed"]);
  });
  it("garbage input is a typed error", async () => {
    expect(await code(decryptCms(new Uint8Array([0x30, 0x80, 1, 2, 3]), [id(pki.alice)]))).toMatch(/^(asn1-malformed|signature-malformed)$/);
    expect(await code(decryptCms(new Uint8Array(0), [id(pki.alice)]))).not.toMatch(/untyped/);
  });
});
