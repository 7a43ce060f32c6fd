// Which layer counts, as Thunderbird decides it (mimei.cpp CMS-allowed-layers, mimemcms.cpp's
// suppressed child, bug 1806161; nsPgpMimeProxy allowNestedDecrypt): stacks of real openssl
// and gpg layers, in both protocols and mixed, and the date binding of both protocols.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectMessage, type InspectResult } from "../../src/core/message/inspect.js";
import { MailKit, TEXT, asPart, dateHeader, fromLatin1, head, latin1, message } from "./mail-kit.js";

let kit: MailKit;
const ALICE = "Alice <alice@example.org>";

beforeAll(async () => {
  kit = await MailKit.create();
}, 180_000);
afterAll(() => kit?.dispose());

async function inspect(raw: Uint8Array): Promise<InspectResult> {
  return inspectMessage(raw, { openers: kit.openers });
}

const codes = (r: InspectResult) => r.status.signature.reasons.map((x) => x.code);
const viewText = (r: InspectResult) => (r.view ? latin1(r.view.raw) : "");

/** The signature value of an openssl multipart/signed made invalid: its last byte flipped. */
function breakSmimeSignature(signed: Uint8Array): Uint8Array {
  const s = latin1(signed);
  const m = /(Content-Type: application\/(?:x-)?pkcs7-signature[^]*?\r\n\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n\r\n------|\r\n------)/.exec(s)!;
  const der = Buffer.from(m[2]!.replace(/\s+/g, ""), "base64");
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\r\n");
  return fromLatin1(s.replace(m[2]!, b64));
}

// Sign-then-encrypt by Alice for Bob, in each protocol: the author's own signature inside.
const smimeSignThenEncrypt = () => kit.smimeEncrypted([kit.pki.bob], kit.smimeSigned(kit.pki.alice, TEXT));
const pgpSignThenEncrypt = () => kit.pgpEncrypted("bob@example.org", TEXT, "alice@example.org");
const pgpSignedThenEncrypted = () => kit.pgpEncrypted("bob@example.org", kit.pgpSigned("alice@example.org", TEXT));

describe("a signature over an encryption layer signs only ciphertext", () => {
  it.each([
    ["S/MIME broken signature around S/MIME sign-then-encrypt", () => breakSmimeSignature(kit.smimeSigned(kit.pki.alice, smimeSignThenEncrypt()))],
    ["S/MIME untrusted (self-signed) signature around S/MIME sign-then-encrypt", () => kit.smimeSigned(kit.pki.mallory, smimeSignThenEncrypt())],
    ["S/MIME opaque signature by another signer around S/MIME sign-then-encrypt", () => kit.smimeOpaque(kit.pki.carol, smimeSignThenEncrypt())],
    ["PGP signature that does not match, around PGP sign+encrypt", () => kit.pgpSigned("eve@example.org", pgpSignThenEncrypt(), "other bytes")],
    ["PGP signature by another key around PGP/MIME signed-then-encrypted", () => kit.pgpSigned("eve@example.org", pgpSignedThenEncrypted())],
    ["S/MIME signature around PGP sign+encrypt", () => breakSmimeSignature(kit.smimeSigned(kit.pki.alice, pgpSignThenEncrypt()))],
    ["PGP signature around S/MIME sign-then-encrypt", () => kit.pgpSigned("eve@example.org", asPart(smimeSignThenEncrypt()), "other bytes")],
  ])("%s → the author's valid inner signature, not a red ✗", async (_what, make) => {
    const r = await inspect(message(head(ALICE), make()));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(r.status.signature.signer?.email).toBe("alice@example.org");
    expect(r.status.uncredited).toHaveLength(1);
    expect(r.status.uncredited[0]).toMatchObject({ code: "signs-ciphertext" });
    expect(r.status.uncredited[0]!.signature.state).not.toBe("valid");
    expect(viewText(r)).toContain("The quarterly figures are attached.");
  });

  it.each([
    ["S/MIME over S/MIME", () => kit.smimeSigned(kit.pki.alice, kit.smimeEncrypted([kit.pki.bob], TEXT))],
    ["PGP over PGP", () => kit.pgpSigned("alice@example.org", kit.pgpEncrypted("bob@example.org", TEXT))],
    ["S/MIME over PGP", () => kit.smimeSigned(kit.pki.alice, kit.pgpEncrypted("bob@example.org", TEXT))],
    ["PGP over S/MIME", () => kit.pgpSigned("alice@example.org", asPart(kit.smimeEncrypted([kit.pki.bob], TEXT)))],
  ])("encrypt-then-sign, %s, valid outer signature, nothing signed inside → not signed (neither valid nor invalid)", async (_what, make) => {
    const r = await inspect(message(head(ALICE), make()));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature.state).toBe("none");
    expect(r.status.covers.signature).toBe("none");
    expect(r.status.uncredited.map((u) => [u.code, u.signature.state])).toEqual([["signs-ciphertext", "valid"]]);
  });

  it("the signature over a layer that cannot be decrypted is not credited either", async () => {
    const r = await inspect(message(head(ALICE), kit.smimeSigned(kit.pki.alice, kit.smimeEncrypted([kit.pki.carol], TEXT))));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "no-key" });
    expect(r.status.signature.state).toBe("none");
    expect(r.status.uncredited).toHaveLength(1);
  });
});

describe("a signature directly over another signature gets Thunderbird's verdict: invalid", () => {
  it.each([
    ["S/MIME multipart/signed over S/MIME multipart/signed", () => kit.smimeSigned(kit.pki.alice, asPart(kit.smimeSigned(kit.pki.alice, TEXT)))],
    ["S/MIME opaque over S/MIME opaque", () => kit.smimeOpaque(kit.pki.alice, asPart(kit.smimeOpaque(kit.pki.alice, TEXT)))],
    ["S/MIME multipart/signed over S/MIME opaque", () => kit.smimeSigned(kit.pki.alice, asPart(kit.smimeOpaque(kit.pki.carol, TEXT)))],
    ["PGP over PGP", () => kit.pgpSigned("alice@example.org", kit.pgpSigned("eve@example.org", TEXT))],
    ["S/MIME over PGP", () => kit.smimeSigned(kit.pki.alice, kit.pgpSigned("alice@example.org", TEXT))],
    ["PGP over S/MIME", () => kit.pgpSigned("alice@example.org", asPart(kit.smimeSigned(kit.pki.alice, TEXT)))],
  ])("%s → invalid / signature-over-signature; the inner layer is listed, not opened", async (_what, make) => {
    const r = await inspect(message(head(ALICE), make()));
    expect(r.status.signature.state).toBe("invalid");
    expect(codes(r)[0]).toBe("signature-over-signature");
    expect(r.status.signature.signer?.email).toBe("alice@example.org");
    expect(r.status.nested).toContainEqual(expect.objectContaining({ where: "layer", kind: "signed", path: "" }));
    expect(r.layers).toHaveLength(1);
  });

  it("an encryption below two signatures is never opened", async () => {
    const r = await inspect(message(head(ALICE), kit.smimeSigned(kit.pki.alice, asPart(kit.smimeSigned(kit.pki.alice, kit.smimeEncrypted([kit.pki.bob], TEXT))))));
    expect(r.status.encryption.state).toBe("none");
    expect(r.status.signature.state).toBe("invalid");
    expect(codes(r)[0]).toBe("signature-over-signature");
    expect(viewText(r)).not.toContain("quarterly figures");
    const pgp = await inspect(message(head(ALICE), kit.pgpSigned("alice@example.org", kit.pgpSigned("alice@example.org", kit.pgpEncrypted("bob@example.org", TEXT)))));
    expect(pgp.status.encryption.state).toBe("none");
    expect(pgp.status.signature.state).toBe("invalid");
  });

  it("a quoted clear-signed block amid the signed text is not a layer: the outer signature stays valid", async () => {
    const quoted = kit.gpgArmor(["--local-user", "eve@example.org", "--clearsign"], "I owe you nothing.\n");
    const inner = `Content-Type: text/plain; charset=utf-8\r\n\r\nEve wrote:\r\n\r\n${quoted.replace(/\r?\n/g, "\r\n")}\r\nI disagree.\r\n`;
    const r = await inspect(message(head(ALICE), kit.smimeSigned(kit.pki.alice, inner)));
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(r.status.nested).toEqual([expect.objectContaining({ where: "part", kind: "signed", protocol: "openpgp" })]);
  });
});

describe("only one encryption layer is opened", () => {
  it.each([
    ["S/MIME in S/MIME", () => kit.smimeEncrypted([kit.pki.bob], asPart(kit.smimeEncrypted([kit.pki.bob], TEXT)))],
    ["S/MIME in PGP", () => kit.pgpEncrypted("bob@example.org", asPart(kit.smimeEncrypted([kit.pki.bob], TEXT)))],
    ["PGP in S/MIME", () => kit.smimeEncrypted([kit.pki.bob], kit.pgpEncrypted("bob@example.org", TEXT))],
  ])("%s: the outer one is decrypted, the inner listed as a layer, not decrypted", async (_what, make) => {
    const r = await inspect(message(head(ALICE), make()));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.layers).toHaveLength(1);
    expect(r.status.nested).toContainEqual(expect.objectContaining({ where: "layer", kind: "encrypted" }));
    expect(viewText(r)).not.toContain("quarterly figures");
  });

  it("sign-then-encrypt whose signed content is encrypted again: decrypted once, that signature signs ciphertext", async () => {
    const r = await inspect(message(head(ALICE), kit.smimeEncrypted([kit.pki.bob], kit.smimeSigned(kit.pki.alice, asPart(kit.smimeEncrypted([kit.pki.bob], TEXT))))));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature.state).toBe("none");
    expect(r.status.uncredited).toHaveLength(1);
    expect(r.status.nested).toContainEqual(expect.objectContaining({ where: "layer", kind: "encrypted" }));
  });

  it("triple wrap (sign, encrypt, sign) credits the inner signature", async () => {
    const r = await inspect(message(head(ALICE), kit.smimeSigned(kit.pki.carol, smimeSignThenEncrypt())));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature).toMatchObject({ state: "valid" });
    expect(r.status.signature.signer?.email).toBe("alice@example.org");
    expect(r.layers).toHaveLength(3);
  });
});

describe.each(["smime", "openpgp"] as const)("date binding (%s): signing time vs. Date, one hour", (proto) => {
  let body: Uint8Array;
  beforeAll(() => {
    body = proto === "smime" ? kit.smimeSigned(kit.pki.alice, TEXT) : kit.pgpSigned("alice@example.org", TEXT);
  });
  const withDate = (date: string | null) =>
    message(`From: ${ALICE}\r\nTo: bob@example.org\r\nSubject: x\r\n${date === null ? "" : `Date: ${date}\r\n`}`, body);

  it.each([
    ["59 minutes earlier", -59 * 60_000],
    ["55 minutes later", 55 * 60_000],
    ["the same minute", 0],
  ])("Date %s than the signature → valid, both times in the details", async (_what, offset) => {
    const r = await inspect(withDate(dateHeader(offset)));
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(r.status.signature.messageDate).toBeDefined();
    expect(r.status.signature.signingTime).toBeDefined();
  });

  it.each([
    ["61 minutes earlier", -61 * 60_000],
    ["two hours later", 2 * 3_600_000],
    ["a year earlier", -365 * 86_400_000],
  ])("Date %s than the signature → invalid / date-mismatch", async (_what, offset) => {
    const r = await inspect(withDate(dateHeader(offset)));
    expect(r.status.signature.state).toBe("invalid");
    expect(codes(r)).toEqual(["date-mismatch"]);
    expect(Math.abs(Date.parse(r.status.signature.messageDate!) - Date.parse(r.status.signature.signingTime!))).toBeGreaterThan(3_600_000);
  });

  it("no Date field, or one that is not a date → not judged (as Thunderbird's OpenPGP)", async () => {
    for (const date of [null, "yesterday at noon"]) {
      const r = await inspect(withDate(date));
      expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
      expect(r.status.signature.messageDate).toBeUndefined();
    }
  });
});

it("date binding holds for the signature inside an encryption too (both protocols)", async () => {
  const old = `From: ${ALICE}\r\nTo: bob@example.org\r\nDate: ${dateHeader(-3 * 3_600_000)}\r\n`;
  for (const made of [smimeSignThenEncrypt(), pgpSignThenEncrypt()]) {
    const r = await inspect(message(old, made));
    expect(r.status.encryption.state).toBe("decrypted");
    expect([r.status.signature.state, codes(r)]).toEqual(["invalid", ["date-mismatch"]]);
  }
});
