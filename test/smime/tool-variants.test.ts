// S/MIME as the other tools write it and as providers pass it on: `openssl smime` (PKCS#7,
// x-pkcs7 types) next to `openssl cms`, digests SHA-1/256/384/512, RSA and ECDSA signers, RSA
// and ECDH recipients, several recipients, a missing or wrong smime-type, base64 line lengths,
// LF and mixed line ends, micalg variants, and the rewrites a relay does to a multipart/signed:
// a new outer boundary and reordered/recased Content-Type parameters keep the signature (the
// signed bytes are the same), a re-encoded or refolded signed part breaks it. Every message is
// written by the real openssl at test time; what a provider changes is changed by hand.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspectMessage, type InspectResult } from "../../src/core/message/inspect.js";
import { smimeOpener } from "../../src/core/message/smime-adapter.js";
import { decodeText } from "../../src/core/mime/index.js";
import { makePki, type TestIdentity, type TestPki } from "./pki.js";

let pki: TestPki;
let n = 0;
// Entities are binary strings (one char per byte), as openssl reads and writes them.
const TEXT = Buffer.from("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nDie Zahlen für Q3 sind gut.\r\nBob\r\n", "utf8").toString("latin1");
const SHOWN = "Die Zahlen für Q3 sind gut.";
const head = () => `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: variants\r\nDate: ${new Date().toUTCString()}\r\n`;
const latin1 = (b: Uint8Array | Buffer) => Buffer.from(b).toString("latin1");
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");
const ident = (t: TestIdentity) => ({ certificate: t.certificate, privateKeyPkcs8: t.privateKeyPkcs8, chain: [pki.intermediate.certificate] });

beforeAll(async () => {
  pki = await makePki();
}, 120_000);

/** `openssl cms|smime <op> -in content -out x ...after`: the S/MIME entity openssl writes (CRLF). */
function openssl(cmd: "cms" | "smime", op: string[], content: string, after: string[] = []): string {
  const f = `variant-${process.pid}-${++n}`;
  writeFileSync(join(pki.dir, f), content, "latin1");
  pki.openssl([cmd, ...op, "-in", f, "-out", `${f}.out`, ...after]);
  return crlf(latin1(readFileSync(join(pki.dir, `${f}.out`))));
}

const signer = (t: TestIdentity, extra: string[] = []) => ["-sign", "-signer", t.certPath, "-inkey", t.keyPath, "-certfile", pki.intermediate.certPath, ...extra];

async function inspect(entity: string, h = head()): Promise<InspectResult> {
  const ctx = { identities: [ident(pki.alice), ident(pki.bob)], trustAnchors: [pki.root.certificate], knownCertificates: [pki.intermediate.certificate] };
  return inspectMessage(bytes(latin1(Buffer.from(h, "utf8")) + entity), { openers: [smimeOpener(ctx)] });
}

const verdict = (r: InspectResult) => ({
  signature: r.status.signature.state,
  reasons: r.status.signature.reasons.map((x) => x.code),
  encryption: r.status.encryption.state,
});
const shown = (r: InspectResult) => (r.view ? decodeText(r.view) : "");

/** Replaces a Content-Type parameter value (first match) in an entity's header section. */
const setParam = (entity: string, name: string, value: string | null) =>
  entity.replace(new RegExp(`;\\s*${name}="?[^";\\r\\n]*"?`, "i"), value === null ? "" : `; ${name}=${value}`);

describe("openssl smime (PKCS#7, x-pkcs7 types) and openssl cms, signers and digests", () => {
  it.each([
    ["smime -sign (detached, application/x-pkcs7-signature, micalg=\"sha-256\")", () => openssl("smime", signer(pki.alice), TEXT)],
    ["smime -sign -nodetach (application/x-pkcs7-mime signed-data)", () => openssl("smime", signer(pki.alice, ["-nodetach"]), TEXT)],
    ["smime -sign -md sha512", () => openssl("smime", signer(pki.alice, ["-md", "sha512"]), TEXT)],
    ["cms -sign -md sha384", () => openssl("cms", signer(pki.alice, ["-md", "sha384"]), TEXT)],
    ["cms -sign -md sha512 -nodetach", () => openssl("cms", signer(pki.alice, ["-md", "sha512", "-nodetach"]), TEXT)],
    ["cms -sign -binary (no canonicalisation of CRLF content)", () => openssl("cms", signer(pki.alice, ["-binary"]), TEXT)],
    ["cms -sign -nosmimecap -noattr (no signed attributes, no signing time)", () => openssl("cms", signer(pki.alice, ["-noattr"]), TEXT)],
    ["cms -sign -keyid (signer identified by subject key id)", () => openssl("cms", signer(pki.alice, ["-keyid"]), TEXT)],
  ])("%s → valid", async (_what, make) => {
    const r = await inspect(make());
    expect(verdict(r)).toEqual({ signature: "valid", reasons: [], encryption: "none" });
    expect(shown(r)).toContain(SHOWN);
  });

  it("an ECDSA P-256 signer (bob) signing as bob@example.org → valid", async () => {
    const r = await inspect(openssl("cms", signer(pki.bob, ["-md", "sha256"]), TEXT), head().replace("Alice <alice@example.org>", "Bob <bob@example.org>"));
    expect(verdict(r)).toEqual({ signature: "valid", reasons: [], encryption: "none" });
  });

  it.each([
    ["smime -sign -md sha1", "smime" as const],
    ["cms -sign -md sha1", "cms" as const],
  ])("%s → weak / weak-digest (never valid)", async (_what, cmd) => {
    const r = await inspect(openssl(cmd, signer(pki.alice, ["-md", "sha1"]), TEXT));
    expect(verdict(r)).toEqual({ signature: "weak", reasons: ["weak-digest"], encryption: "none" });
  });

  it.each([
    ["smime -encrypt -aes256 to alice (RSA), x-pkcs7-mime", () => openssl("smime", ["-encrypt", "-aes256"], TEXT, [pki.alice.certPath])],
    ["smime -encrypt -des3 to alice (RSA)", () => openssl("smime", ["-encrypt", "-des3"], TEXT, [pki.alice.certPath])],
    ["cms -encrypt -aes128 -keyid to bob (ECDH, recipient by subject key id)", () => openssl("cms", ["-encrypt", "-aes128", "-keyid"], TEXT, [pki.bob.certPath])],
    ["cms -encrypt to carol, alice and bob (we are the second and third)", () => openssl("cms", ["-encrypt", "-aes256"], TEXT, [pki.carol.certPath, pki.alice.certPath, pki.bob.certPath])],
    ["cms -encrypt -aes-128-gcm to bob (ECDH, AuthEnvelopedData)", () => openssl("cms", ["-encrypt", "-aes-128-gcm"], TEXT, [pki.bob.certPath])],
    ["cms -encrypt RSA-OAEP SHA-256 to alice", () => openssl("cms", ["-encrypt", "-aes256"], TEXT, ["-recip", pki.alice.certPath, "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"])],
  ])("%s → decrypted", async (_what, make) => {
    const r = await inspect(make());
    expect(verdict(r)).toEqual({ signature: "none", reasons: [], encryption: "decrypted" });
    expect(shown(r)).toContain(SHOWN);
  });

  it("smime -sign, then smime -encrypt of the result (sign-then-encrypt with the legacy command) → decrypted, valid", async () => {
    const signed = openssl("smime", signer(pki.alice), TEXT);
    const r = await inspect(openssl("smime", ["-encrypt", "-aes256"], signed, [pki.alice.certPath]));
    expect(verdict(r)).toEqual({ signature: "valid", reasons: [], encryption: "decrypted" });
    expect(shown(r)).toContain(SHOWN);
  });

  it("cms -sign -nodetach by bob (ECDSA), then cms -encrypt to alice (RSA) → decrypted, valid for bob", async () => {
    const signed = openssl("cms", signer(pki.bob, ["-nodetach"]), TEXT);
    const r = await inspect(openssl("cms", ["-encrypt", "-aes256"], signed, [pki.alice.certPath]), head().replace("Alice <alice@example.org>", "bob@example.org"));
    expect(verdict(r)).toEqual({ signature: "valid", reasons: [], encryption: "decrypted" });
  });
});

describe("the smime-type parameter missing or wrong: the CMS content decides, as in Thunderbird (mimei.cpp)", () => {
  it.each([
    ["enveloped-data without smime-type", "decrypted", "none", () => setParam(openssl("cms", ["-encrypt", "-aes256"], TEXT, [pki.alice.certPath]), "smime-type", null)],
    ["signed-data without smime-type", "none", "valid", () => setParam(openssl("cms", signer(pki.alice, ["-nodetach"]), TEXT), "smime-type", null)],
    ["enveloped-data labelled smime-type=signed-data", "decrypted", "none", () => setParam(openssl("cms", ["-encrypt", "-aes256"], TEXT, [pki.alice.certPath]), "smime-type", "signed-data")],
    ["signed-data labelled smime-type=enveloped-data", "none", "valid", () => setParam(openssl("cms", signer(pki.alice, ["-nodetach"]), TEXT), "smime-type", "enveloped-data")],
    ["AuthEnvelopedData labelled smime-type=enveloped-data", "decrypted", "none", () => setParam(openssl("cms", ["-encrypt", "-aes-256-gcm"], TEXT, [pki.bob.certPath]), "smime-type", "enveloped-data")],
    ["enveloped-data with an unknown smime-type", "decrypted", "none", () => setParam(openssl("cms", ["-encrypt", "-aes256"], TEXT, [pki.alice.certPath]), "smime-type", "x-unknown")],
    ["enveloped-data as application/octet-stream named smime.p7m", "decrypted", "none", () => openssl("cms", ["-encrypt", "-aes256"], TEXT, [pki.alice.certPath]).replace(/Content-Type: application\/(x-)?pkcs7-mime;[^\r\n]*(\r\n[ \t][^\r\n]*)*/i, 'Content-Type: application/octet-stream; name="smime.p7m"')],
  ])("%s → encryption %s, signature %s", async (_what, encryption, signature, make) => {
    const r = await inspect(make());
    expect([r.status.encryption.state, r.status.signature.state]).toEqual([encryption, signature]);
    expect(shown(r)).toContain(SHOWN);
  });

  it("smime-type=certs-only on an enveloped-data is not opened (Thunderbird shows it as an attachment)", async () => {
    const r = await inspect(setParam(openssl("cms", ["-encrypt", "-aes256"], TEXT, [pki.alice.certPath]), "smime-type", "certs-only"));
    expect(verdict(r)).toEqual({ signature: "none", reasons: [], encryption: "none" });
  });
});

/** The base64 body of the S/MIME part at the end of `entity`, re-wrapped by `wrap`. */
function rewrapBase64(entity: string, wrap: (b64: string) => string): string {
  const m = /(Content-Transfer-Encoding: base64\r\n(?:[^\r\n]+\r\n)*\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n(?:\r\n)?(?:--|$))/i.exec(entity)!;
  return entity.slice(0, m.index) + m[1] + wrap(m[2]!.replace(/\r\n/g, "")) + entity.slice(m.index + m[1]!.length + m[2]!.length);
}

describe("base64 line lengths and line ends as other systems write them", () => {
  const lines = (len: number) => (b64: string) => b64.replace(new RegExp(`(.{${len}})`, "g"), "$1\r\n").replace(/\r\n$/, "");
  it.each([
    ["76-character lines (Outlook)", lines(76)],
    ["72-character lines", lines(72)],
    ["one line of several kilobytes", (b: string) => b],
    ["lines with trailing spaces", (b: string) => lines(64)(b).replace(/\r\n/g, "  \r\n")],
  ])("signature and enveloped body in %s → still valid / decrypted", async (_what, wrap) => {
    const signed = await inspect(rewrapBase64(openssl("cms", signer(pki.alice), TEXT), wrap));
    expect(verdict(signed)).toEqual({ signature: "valid", reasons: [], encryption: "none" });
    const opaque = await inspect(rewrapBase64(openssl("cms", signer(pki.alice, ["-nodetach"]), TEXT), wrap));
    expect(verdict(opaque)).toEqual({ signature: "valid", reasons: [], encryption: "none" });
    const enveloped = await inspect(rewrapBase64(openssl("cms", ["-encrypt", "-aes256"], TEXT, [pki.alice.certPath]), wrap));
    expect(enveloped.status.encryption.state).toBe("decrypted");
  });

  it("the whole message with LF line ends (as a Unix mbox stores it) → valid", async () => {
    const r = await inspect(openssl("cms", signer(pki.alice), TEXT).replace(/\r\n/g, "\n"), head().replace(/\r\n/g, "\n"));
    expect(verdict(r)).toEqual({ signature: "valid", reasons: [], encryption: "none" });
  });

  it("mixed line ends: LF only inside the signed part, CRLF elsewhere → valid", async () => {
    const signed = openssl("cms", signer(pki.alice), TEXT);
    const mixed = signed.replace(TEXT, TEXT.replace(/\r\n/g, "\n"));
    expect(mixed).not.toBe(signed);
    const r = await inspect(mixed);
    expect(verdict(r)).toEqual({ signature: "valid", reasons: [], encryption: "none" });
  });

  it("the final line end of the message removed, or blank lines added after the closing boundary → still valid", async () => {
    const signed = openssl("cms", signer(pki.alice), TEXT);
    expect(verdict(await inspect(signed.replace(/\r\n$/, "")))).toMatchObject({ signature: "valid" });
    expect(verdict(await inspect(`${signed}\r\n\r\n`))).toMatchObject({ signature: "valid" });
  });
});

describe("provider rewrites of a multipart/signed: the signature breaks only where the signed bytes change", () => {
  let signed: string;
  let boundary: string;
  beforeAll(() => {
    signed = openssl("cms", signer(pki.alice), TEXT);
    boundary = /boundary="([^"]+)"/.exec(signed)![1]!;
  });
  const withBoundary = (s: string, b: string) => s.split(boundary).join(b);

  it.each([
    ["a new outer boundary (header and delimiters)", () => withBoundary(signed, "=_NextPart_000_0001_01DA1234.56789ABC")],
    ["Content-Type parameters reordered and upper-cased", () =>
      signed.replace(/Content-Type: multipart\/signed;[^]*?\r\n(?=\S)/, `Content-Type: Multipart/Signed; Boundary="${boundary}";\r\n\tMicalg=SHA-256; Protocol="Application/PKCS7-Signature"\r\n`)],
    ["the outer Content-Type unfolded onto one line", () => signed.replace(/(Content-Type: multipart\/signed;[^]*?)\r\n(?=\S)/, (_m, ct: string) => `${ct.replace(/\r\n[ \t]+/g, " ")}\r\n`)],
    ["micalg missing", () => setParam(signed, "micalg", null)],
    ["micalg naming another digest (sha-1)", () => setParam(signed, "micalg", "sha-1")],
    ["micalg unknown", () => setParam(signed, "micalg", '"x-unknown"')],
    ["the signature part as application/x-pkcs7-signature with a filename", () => signed.replace(/Content-Type: application\/pkcs7-signature; name="smime.p7s"/i, 'Content-Type: application/x-pkcs7-signature; name="smime.p7s"')],
    ["a preamble rewritten and an epilogue added", () => signed.replace(/This is an S\/MIME signed message/, "Dies ist eine signierte Nachricht").replace(/--\r\n$/, "--\r\n\r\nEpilogue added by a list server.\r\n")],
  ])("%s → still valid", async (_what, make) => {
    const r = await inspect(make());
    expect(verdict(r)).toEqual({ signature: "valid", reasons: [], encryption: "none" });
    expect(shown(r)).toContain(SHOWN);
  });

  it.each([
    ["the signed part's 8-bit body re-encoded as quoted-printable", () =>
      signed.replace("Content-Transfer-Encoding: 8bit\r\n\r\nDie Zahlen f\xc3\xbcr Q3 sind gut.", "Content-Transfer-Encoding: quoted-printable\r\n\r\nDie Zahlen f=C3=BCr Q3 sind gut.")],
    ["a header field of the signed part folded", () => signed.replace("Content-Type: text/plain; charset=utf-8\r\n", "Content-Type: text/plain;\r\n charset=utf-8\r\n")],
    ["a header field of the signed part's parameter recased", () => signed.replace("Content-Type: text/plain; charset=utf-8\r\n", "Content-Type: text/plain; charset=UTF-8\r\n")],
    ["a trailing space added to a line of the signed text", () => signed.replace("Bob\r\n", "Bob \r\n")],
    ["the blank line before the signature delimiter removed", () => signed.replace(/Bob\r\n\r\n--/, "Bob\r\n--")],
  ])("%s → invalid / digest-mismatch", async (_what, make) => {
    const changed = make();
    expect(changed).not.toBe(signed);
    const r = await inspect(changed);
    expect(r.status.signature.state).toBe("invalid");
    expect(r.status.signature.reasons.map((x) => x.code)).toContain("digest-mismatch");
  });

  it("a new boundary inside a signed multipart/mixed changes signed bytes → invalid; the outer one does not", async () => {
    const mixed = `Content-Type: multipart/mixed; boundary="inner-b"\r\n\r\n--inner-b\r\n${TEXT}\r\n--inner-b\r\nContent-Type: text/csv; name="q3.csv"\r\n\r\nq,amount\r\n3,100\r\n--inner-b--\r\n`;
    const s = openssl("cms", signer(pki.alice), mixed);
    const outer = /boundary="([^"]+)"/.exec(s)![1]!;
    expect(verdict(await inspect(s.split(outer).join("relay-rewritten-outer")))).toMatchObject({ signature: "valid" });
    const r = await inspect(s.split("inner-b").join("relay-rewritten-inner"));
    expect(r.status.signature.state).toBe("invalid");
    expect(r.status.signature.reasons.map((x) => x.code)).toContain("digest-mismatch");
  });
});
