// S/MIME as it really arrives: bare content (no MIME header) inside CMS, RSA-OAEP with a
// label, and decryption failures that say who the message was for and which step failed.
// Every message is written by the real openssl at test time.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspectMessage, type InspectResult } from "../../src/core/message/inspect.js";
import { smimeOpener } from "../../src/core/message/smime-adapter.js";
import { parseMime, decodeBody, decodeText } from "../../src/core/mime/index.js";
import { makePki, type TestIdentity, type TestPki } from "./pki.js";

let pki: TestPki;
let n = 0;
const ident = (t: TestIdentity, key: Uint8Array = t.privateKeyPkcs8) => ({ certificate: t.certificate, privateKeyPkcs8: key, chain: [pki.intermediate.certificate] });
const HEAD = () => `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: bare\r\nDate: ${new Date().toUTCString()}\r\n`;

beforeAll(async () => {
  pki = await makePki();
});

function inspect(raw: Uint8Array, identities = [ident(pki.alice), ident(pki.bob)]): Promise<InspectResult> {
  const ctx = { identities, trustAnchors: [pki.root.certificate], knownCertificates: [pki.intermediate.certificate] };
  return inspectMessage(raw, { openers: [smimeOpener(ctx)] });
}

/** openssl cms `op` over `content` (bytes as given), S/MIME output with our header section before it. */
function ossl(op: string[], content: Uint8Array | string, after: string[] = []): Uint8Array {
  const f = `arrival-${++n}`;
  writeFileSync(join(pki.dir, f), content);
  pki.openssl(["cms", ...op, "-in", f, "-out", `${f}.eml`, ...after]);
  return new Uint8Array(Buffer.concat([Buffer.from(HEAD()), readFileSync(join(pki.dir, `${f}.eml`))]));
}

const shown = (r: InspectResult) => {
  const v = r.view!;
  return { type: `${v.contentType.type}/${v.contentType.subtype}`, charset: v.contentType.params["charset"], text: decodeText(v) };
};

describe("bare content inside CMS is shown as text/plain, like Thunderbird", () => {
  it.each([
    ["ASCII text, RSA PKCS#1 v1.5 (alice)", "Hello Bob,\nthe figures are good.\n", "alice", "utf-8"],
    ["UTF-8 text with a blank line, ECDH (bob)", "Grüße, Bob!\n\nZweiter Absatz: 10 € und Öl.\n", "bob", "utf-8"],
    ["Latin-1 text, RSA (alice)", Buffer.from("Gr\xfc\xdfe aus K\xf6ln\n", "latin1"), "alice", "windows-1252"],
    ["one line without a line end", "Just one line", "bob", "utf-8"],
  ])("EnvelopedData of %s → decrypted, text/plain", async (_what, text, who, charset) => {
    const r = await inspect(ossl(["-encrypt", "-aes256"], text, [who === "alice" ? pki.alice.certPath : pki.bob.certPath]));
    expect(r.status.encryption).toMatchObject({ state: "decrypted", protocol: "smime" });
    const v = shown(r);
    expect(v.type).toBe("text/plain");
    expect(v.charset).toBe(charset);
    const expected = (typeof text === "string" ? text : text.toString("latin1")).replace(/\r?\n/g, "\r\n");
    expect(v.text).toBe(expected);
  });

  it("opaque SignedData of bare text (-nodetach, no -text) → valid signature, text/plain", async () => {
    const r = await inspect(ossl(["-sign", "-nodetach", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", pki.intermediate.certPath], "Signed without a MIME header.\n"));
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(shown(r)).toMatchObject({ type: "text/plain", text: "Signed without a MIME header.\r\n" });
  });

  it("multipart/signed over bare text (detached, no -text) → valid, text/plain", async () => {
    const r = await inspect(ossl(["-sign", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", pki.intermediate.certPath], "Detached over bare text.\n"));
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(shown(r)).toMatchObject({ type: "text/plain", text: "Detached over bare text.\r\n" });
  });

  it("sign-then-encrypt of bare text → decrypted, valid, text/plain", async () => {
    const signed = ossl(["-sign", "-nodetach", "-signer", pki.alice.certPath, "-inkey", pki.alice.keyPath, "-certfile", pki.intermediate.certPath], "Both layers, bare.\n");
    const inner = Buffer.from(signed).toString("latin1").replace(/^[^]*?(?=MIME-Version)/, "");
    const r = await inspect(ossl(["-encrypt", "-aes256"], inner, [pki.bob.certPath]));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature.state).toBe("valid");
    expect(shown(r).text).toBe("Both layers, bare.\r\n");
  });

  it("a MIME entity stays a MIME entity (the header section is not shown as text)", async () => {
    const r = await inspect(ossl(["-encrypt", "-aes256"], "Content-Type: text/html\r\n\r\n<p>hi</p>\r\n", [pki.alice.certPath]));
    expect(shown(r).type).toBe("text/html");
  });

  it("bare binary content under an authenticated key (RSA-OAEP) → an attachment, not text", async () => {
    const bytes = Buffer.from(Array.from({ length: 300 }, (_x, i) => (i * 37) % 256));
    const r = await inspect(ossl(["-encrypt", "-binary", "-aes256", "-recip", pki.alice.certPath, "-keyopt", "rsa_padding_mode:oaep"], bytes));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(shown(r).type).toBe("application/octet-stream");
    expect(Buffer.from(decodeBody(r.view!))).toEqual(bytes);
  });
});

describe("RSA-OAEP with a label (openssl -keyopt rsa_oaep_label)", () => {
  it.each([
    ["SHA-1", []],
    ["SHA-256", ["-keyopt", "rsa_oaep_md:sha256"]],
  ])("OAEP %s with a label decrypts", async (_h, md) => {
    const r = await inspect(
      ossl(["-encrypt", "-aes256"], "Content-Type: text/plain\r\n\r\nLabelled.\r\n", ["-recip", pki.alice.certPath, "-keyopt", "rsa_padding_mode:oaep", ...md, "-keyopt", "rsa_oaep_label:53ea1b0c0ffee0"]),
    );
    expect(r.status.encryption).toMatchObject({ state: "decrypted" });
    expect(shown(r).text).toBe("Labelled.\r\n");
  });
});

/** The DER of the S/MIME body, changed by `f`, put back. */
function patchDer(raw: Uint8Array, f: (der: Buffer) => void): Uint8Array {
  const s = Buffer.from(raw).toString("latin1");
  const m = /Content-Type: application\/pkcs7-mime[^]*?\r?\n\r?\n/.exec(s)!;
  const at = m.index + m[0].length;
  const der = Buffer.from(s.slice(at).replace(/\s+/g, ""), "base64");
  f(der);
  return new Uint8Array(Buffer.from(s.slice(0, at) + der.toString("base64").replace(/(.{64})/g, "$1\r\n") + "\r\n", "latin1"));
}

describe("a failed decryption lists the recipients and says which step failed", () => {
  const CONTENT = "Content-Type: text/plain\r\n\r\nFor the recipients only.\r\n";
  const serialOf = (t: TestIdentity) => pki.openssl(["x509", "-in", t.certPath, "-noout", "-serial"]).toString().trim().split("=")[1]!.toLowerCase().replace(/^0+/, "");

  it("no key of ours among the recipients → no-key, step recipient, every recipient listed", async () => {
    const r = await inspect(ossl(["-encrypt", "-aes256"], CONTENT, [pki.carol.certPath, pki.expired.certPath]));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "no-key", step: "recipient" });
    const recipients = r.status.encryption.state === "failed" ? r.status.encryption.recipients : [];
    expect(recipients).toEqual([
      `issuer CN=Sealbird Test Intermediate, O=Sealbird Test, serial ${serialOf(pki.carol)}`,
      `issuer CN=Sealbird Test Intermediate, O=Sealbird Test, serial ${serialOf(pki.expired)}`,
    ]);
    expect(r.view).toBeNull();
  });

  it("our certificate is a recipient but its key cannot unwrap the content key (OAEP) → decrypt-failed, step key", async () => {
    const raw = ossl(["-encrypt", "-aes256"], CONTENT, ["-recip", pki.alice.certPath, "-keyopt", "rsa_padding_mode:oaep"]);
    // Alice's certificate with another RSA key: the recipient matches, the key does not.
    const r = await inspect(raw, [ident(pki.alice, pki.mallory.privateKeyPkcs8)]);
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "decrypt-failed", step: "key" });
    expect(r.status.encryption.state === "failed" && r.status.encryption.recipients).toEqual([`issuer CN=Sealbird Test Intermediate, O=Sealbird Test, serial ${serialOf(pki.alice)}`]);
  });

  it.each([
    // CBC: the last byte of the block before the last is flipped, which flips the padding byte
    // (1..16 → 0xEE..0xFE): never valid padding (damaging the last block itself leaves valid
    // padding by chance in about 1 of 256 runs). GCM: the last byte of the tag.
    ["RSA PKCS#1 v1.5, AES-CBC", ["-aes256"], "alice", "decrypt-failed", 17],
    ["ECDH, AES-CBC", ["-aes256"], "bob", "decrypt-failed", 17],
    ["ECDH, AES-GCM (AuthEnvelopedData)", ["-aes-256-gcm"], "bob", "tampered", 1],
  ] as const)("%s with the ciphertext damaged → failed, step content, recipients listed", async (_what, cipher, to, code, fromEnd) => {
    const raw = ossl(["-encrypt", ...cipher], CONTENT, [pki[to].certPath]);
    // openssl writes definite lengths, so the structure ends with the last ciphertext block
    // (CBC: its padding breaks) or, for GCM, with the authentication tag.
    const damaged = patchDer(raw, (der) => {
      der[der.length - fromEnd] = der[der.length - fromEnd]! ^ 0xff;
    });
    const r = await inspect(damaged);
    expect(r.status.encryption).toMatchObject({ state: "failed", code, step: "content" });
    expect(r.status.encryption.state === "failed" && r.status.encryption.recipients.length).toBe(1);
    expect(r.status.errors.map((e) => e.code)).toEqual([code]);
  });
});

it("parseMime sees the bare content wrapper as an ordinary entity (no header-section text leaks)", async () => {
  const r = await inspect(ossl(["-encrypt", "-aes256"], "Note: this looks like a field\nbut it is the first line of text\n", [pki.bob.certPath]));
  // Without an empty line there is no header section: the whole content is text, as in Thunderbird.
  expect(shown(r).text).toContain("Note: this looks like a field");
  expect(parseMime(r.view!.raw).headers.map((h) => h.name)).toEqual(["Content-Type", "Content-Transfer-Encoding"]);
});
