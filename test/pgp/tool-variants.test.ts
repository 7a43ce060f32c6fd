// OpenPGP as gpg writes it with its many options, and as providers pass it on: armored and
// binary PGP/MIME, compression off/ZIP/ZLIB/BZip2, hidden recipients (--throw-keyids,
// --hidden-recipient), several recipients, RSA and Curve25519 keys, other ciphers, SHA-1 to
// SHA-512 digests, sign+encrypt in one message, detached signatures armored/binary/textmode
// with every micalg label, inline clear-signed and signed messages; then QP re-encoding, HTML
// wrapping, folding, recased and reordered parameters, new boundaries, Exchange's rewrite
// with a disclaimer added. Every OpenPGP message is made by the real gpg at test time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectMessage, type InspectResult } from "../../src/core/message/inspect.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import { decodeText } from "../../src/core/mime/index.js";
import type { PgpContext } from "../../src/core/pgp/index.js";
import { rendersOwnView } from "../../src/background/display-service.js";
import { Gpg, hasGpg, crlf } from "./gpg.js";

let gpg: Gpg;
/** Bob (RSA) and Carol (Curve25519) are ours; Alice (Ed25519) and Dan (RSA) sign. */
let ours: PgpContext;
const SECRET = "Die Lieferung kommt am Dienstag.";
const INNER = crlf(`Content-Type: text/plain; charset=utf-8\n\n${SECRET}\n`);
const ALICE = "Alice <alice@example.org>";

const head = (from = ALICE, extra = "") => `From: ${from}\r\nTo: Bob <bob@example.org>\r\nSubject: variants\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n${extra}`;
const raw = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const b64 = (b: Uint8Array | string) => Buffer.from(typeof b === "string" ? Buffer.from(b, "latin1") : b).toString("base64").replace(/(.{76})/g, "$1\r\n");

beforeAll(() => {
  if (!hasGpg) return;
  gpg = new Gpg();
  gpg.genKey(ALICE, "ed25519");
  gpg.genKey("Dan <dan@example.org>", "rsa2048");
  gpg.genKey("Bob <bob@example.org>", "rsa2048");
  gpg.genKey("Carol <carol@example.org>", "ed25519");
  gpg.genKey("Eve <eve@example.org>", "ed25519");
  ours = {
    secretKeys: ["bob@example.org", "carol@example.org"].map((u) => ({ key: gpg.exportSecret(u), passphrase: "pw" })),
    publicKeys: ["alice@example.org", "dan@example.org"].map((u) => gpg.exportPublic(u)),
  };
}, 180_000);
afterAll(() => gpg?.dispose());

function inspect(msg: string, ctx: PgpContext = ours): Promise<InspectResult> {
  return inspectMessage(raw(msg), { openers: [pgpOpener(ctx)] });
}

const verdict = (r: InspectResult) => {
  const e = r.status.encryption;
  return {
    encryption: e.state,
    ...(e.state === "failed" ? { code: e.code, step: e.step } : {}),
    signature: r.status.signature.state,
    reasons: r.status.signature.reasons.map((x) => x.code),
  };
};
const shown = (r: InspectResult) => (r.view ? decodeText(r.view) : "");

/** gpg `args` over `input`; binary output as a binary string. */
const gpgOut = (args: string[], input: string) => Buffer.from(gpg.run(["--output", "-", ...args], { input: Buffer.from(input, "latin1") }).stdout).toString("latin1");

/** RFC 3156 multipart/encrypted around gpg output: armored as is, binary in base64. */
interface PgpMimeShape {
  binary?: boolean;
  ct?: string;
  boundary?: string;
  payloadCte?: "base64" | "7bit" | "quoted-printable";
}

function pgpMime(data: string, o: PgpMimeShape = {}): string {
  const { ct = 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"', boundary = "enc", payloadCte = o.binary ? "base64" : "7bit" } = o;
  const payload = payloadCte === "base64" ? b64(data) : payloadCte === "quoted-printable" ? qpSoft(crlf(data)) : crlf(data);
  return (
    head(ALICE, `Content-Type: ${ct}\r\n`) +
    `\r\nThis is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--${boundary}\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n` +
    `--${boundary}\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\nContent-Disposition: inline; filename="encrypted.asc"\r\nContent-Transfer-Encoding: ${payloadCte}\r\n\r\n${payload}\r\n--${boundary}--\r\n`
  );
}

/** Quoted-printable as a relay writes it: "=" escaped, lines soft-broken at 40 characters. */
function qpSoft(s: string): string {
  return s
    .split("\r\n")
    .map((l) => l.replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`).replace(/(.{40})(?=.)/g, "$1=\r\n"))
    .join("\r\n");
}

const encryptTo = (to: string[], extra: string[] = [], armor = true) =>
  gpgOut([...(armor ? ["--armor"] : []), ...extra, "--encrypt", ...to.flatMap((t) => ["--recipient", t])], INNER);

describe.skipIf(!hasGpg)("gpg's encryption options, PGP/MIME → decrypted", () => {
  it.each([
    ["armored, to an RSA key", () => pgpMime(encryptTo(["bob@example.org"]))],
    ["armored, to a Curve25519 key", () => pgpMime(encryptTo(["carol@example.org"]))],
    ["binary (base64 transfer encoding), to an RSA key", () => pgpMime(encryptTo(["bob@example.org"], [], false), { binary: true })],
    ["binary, to a Curve25519 key", () => pgpMime(encryptTo(["carol@example.org"], [], false), { binary: true })],
    ["uncompressed (-z 0)", () => pgpMime(encryptTo(["bob@example.org"], ["-z", "0"]))],
    ["ZLIB", () => pgpMime(encryptTo(["bob@example.org"], ["--compress-algo", "zlib"]))],
    ["BZip2", () => pgpMime(encryptTo(["carol@example.org"], ["--compress-algo", "bzip2"]))],
    ["AES-128", () => pgpMime(encryptTo(["bob@example.org"], ["--cipher-algo", "AES128"]))],
    ["3DES", () => pgpMime(encryptTo(["bob@example.org"], ["--cipher-algo", "3DES"]))],
    ["CAST5", () => pgpMime(encryptTo(["carol@example.org"], ["--cipher-algo", "CAST5"]))],
    ["--throw-keyids to the Curve25519 key (our RSA key is tried first and fails)", () => pgpMime(encryptTo(["carol@example.org"], ["--throw-keyids"]))],
    ["--hidden-recipient to the RSA key", () => pgpMime(gpgOut(["--armor", "--hidden-recipient", "bob@example.org", "--encrypt"], INNER))],
    ["to Eve and Carol (our key second)", () => pgpMime(encryptTo(["eve@example.org", "carol@example.org"]))],
    ["to Alice, Eve, Bob and Carol, keys hidden", () => pgpMime(encryptTo(["alice@example.org", "eve@example.org", "bob@example.org", "carol@example.org"], ["--throw-keyids"]))],
    ["the payload re-encoded as quoted-printable with soft line breaks", () => pgpMime(encryptTo(["bob@example.org"]), { payloadCte: "quoted-printable" })],
    ["Content-Type recased, reordered and folded", () =>
      pgpMime(encryptTo(["bob@example.org"]), { ct: 'Multipart/Encrypted;\r\n\tBoundary="enc";\r\n\tPROTOCOL="Application/PGP-Encrypted"' })],
  ])("%s", async (_what, make) => {
    const r = await inspect(make());
    expect(verdict(r)).toMatchObject({ encryption: "decrypted", signature: "none" });
    expect(shown(r)).toContain(SECRET);
  });

  it.each([
    ["Ed25519, SHA-256", "alice@example.org", "SHA256", "valid", []],
    ["Ed25519, SHA-512", "alice@example.org", "SHA512", "valid", []],
    ["RSA, SHA-512", "dan@example.org", "SHA512", "valid", []],
    ["RSA, SHA-1", "dan@example.org", "SHA1", "weak", ["weak-hash"]],
  ])("signed and encrypted in one message (%s) → decrypted, %s", async (_what, signer, digest, state, reasons) => {
    const from = signer === "dan@example.org" ? "Dan <dan@example.org>" : ALICE;
    const data = gpgOut(["--armor", "--sign", "--local-user", signer, "--digest-algo", digest, "--encrypt", "--recipient", "carol@example.org"], INNER);
    const r = await inspect(pgpMime(data).replace(`From: ${ALICE}`, `From: ${from}`));
    expect(verdict(r)).toEqual({ encryption: "decrypted", signature: state, reasons });
  });

  it("Ed25519 with SHA-1 (a hash shorter than the curve, which openpgp.js refuses for EdDSA) → decrypted, signature never valid", async () => {
    const data = gpgOut(["--armor", "--sign", "--local-user", "alice@example.org", "--digest-algo", "SHA1", "--encrypt", "--recipient", "bob@example.org"], INNER);
    const r = await inspect(pgpMime(data));
    expect(verdict(r)).toMatchObject({ encryption: "decrypted", signature: "invalid" });
  });
});

describe.skipIf(!hasGpg)("gpg messages we cannot open say exactly why", () => {
  it.each([
    ["Camellia-256", ["--cipher-algo", "CAMELLIA256"]],
    ["Twofish, which the key does not list", ["--cipher-algo", "TWOFISH"]],
    ["IDEA", ["--cipher-algo", "IDEA"]],
  ])("a cipher openpgp.js does not decrypt (%s) → failed / unsupported-algorithm, step content (not a key problem)", async (_what, extra) => {
    const r = await inspect(pgpMime(encryptTo(["bob@example.org"], extra)));
    expect(verdict(r)).toMatchObject({ encryption: "failed", code: "unsupported-algorithm", step: "content" });
  });

  it("RFC 2440 mode (gpg --rfc2440: SED, no MDC) → failed / no-integrity, nothing shown", async () => {
    const r = await inspect(pgpMime(encryptTo(["bob@example.org"], ["--rfc2440"])));
    expect(verdict(r)).toMatchObject({ encryption: "failed", code: "no-integrity", step: "content" });
    expect(r.view).toBeNull();
  });

  it("hidden recipients and none of our keys opens it → failed / no-key, step recipient", async () => {
    const r = await inspect(pgpMime(encryptTo(["eve@example.org"], ["--throw-keyids"])));
    expect(verdict(r)).toMatchObject({ encryption: "failed", code: "no-key", step: "recipient" });
    expect(r.status.encryption.state === "failed" && r.status.encryption.recipients).toEqual(["0000000000000000"]);
  });
});

/** PGP/MIME multipart/signed over `part` with gpg's detached signature (armored unless binary). */
function pgpSigned(part: string, { signer = "alice@example.org", extra = [] as string[], binary = false, micalg = "pgp-sha256" as string | null, ct = "" } = {}): string {
  const f = gpg.write(`part-${Math.random().toString(36).slice(2)}`, Buffer.from(part, "latin1"));
  const sig = Buffer.from(gpg.run(["--output", "-", ...(binary ? [] : ["--armor"]), "--local-user", signer, ...extra, "--detach-sign", f]).stdout).toString("latin1");
  const sigPart = binary
    ? `Content-Type: application/pgp-signature; name="signature.asc"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(sig)}`
    : `Content-Type: application/pgp-signature; name="signature.asc"\r\n\r\n${crlf(sig.trim())}`;
  const type = ct || `multipart/signed; ${micalg === null ? "" : `micalg=${micalg}; `}protocol="application/pgp-signature"; boundary="sig"`;
  return head(signer === "dan@example.org" ? "Dan <dan@example.org>" : ALICE, `Content-Type: ${type}\r\n`) + `\r\n--sig\r\n${part}\r\n--sig\r\n${sigPart}\r\n--sig--\r\n`;
}

const PART = crlf(`Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${Buffer.from(`${SECRET} Grüße\n`, "utf8").toString("latin1")}Bob\n`);

describe.skipIf(!hasGpg)("detached signatures by gpg (multipart/signed)", () => {
  it.each([
    ["Ed25519, SHA-512, micalg=pgp-sha512", () => pgpSigned(PART, { extra: ["--digest-algo", "SHA512"], micalg: "pgp-sha512" })],
    ["RSA, SHA-256", () => pgpSigned(PART, { signer: "dan@example.org" })],
    ["a binary (not armored) signature, base64", () => pgpSigned(PART, { binary: true })],
    ["a text-mode signature (gpg --textmode, signature type 0x01)", () => pgpSigned(PART, { extra: ["--textmode"] })],
    ["micalg naming another hash than the signature's", () => pgpSigned(PART, { extra: ["--digest-algo", "SHA512"], micalg: "pgp-sha1" })],
    ["micalg missing (Thunderbird only logs it)", () => pgpSigned(PART, { micalg: null })],
    ["the Content-Type recased, reordered and folded", () => pgpSigned(PART, { ct: 'Multipart/Signed;\r\n Boundary="sig"; PROTOCOL="Application/PGP-Signature";\r\n MICALG=PGP-SHA256' })],
  ])("%s → valid", async (_what, make) => {
    const r = await inspect(make());
    expect(verdict(r)).toEqual({ encryption: "none", signature: "valid", reasons: [] });
    expect(shown(r)).toContain(SECRET);
  });

  it("RSA with SHA-1 → weak / weak-hash", async () => {
    const r = await inspect(pgpSigned(PART, { signer: "dan@example.org", extra: ["--digest-algo", "SHA1"], micalg: "pgp-sha1" }));
    expect(verdict(r)).toEqual({ encryption: "none", signature: "weak", reasons: ["weak-hash"] });
  });

  it.each([
    ["a new outer boundary", (s: string) => s.replace('boundary="sig"', 'boundary="----=_Part_4711"').split("\r\n--sig").join("\r\n------=_Part_4711"), "valid"],
    ["the whole message with LF line ends", (s: string) => s.replace(/\r\n/g, "\n"), "valid"],
    ["spaces added at the end of a signed line (RFC 3156 senders strip them; gpg accepts both)", (s: string) => s.replace("Bob\r\n", "Bob   \r\n"), "valid"],
    ["the signed part's 8-bit body re-encoded as quoted-printable", (s: string) => s.replace("Content-Transfer-Encoding: 8bit", "Content-Transfer-Encoding: quoted-printable").replace("Gr\xc3\xbc\xc3\x9fe", "Gr=C3=BC=C3=9Fe"), "invalid"],
    ["a header field of the signed part folded", (s: string) => s.replace("Content-Type: text/plain; charset=utf-8", "Content-Type: text/plain;\r\n\tcharset=utf-8"), "invalid"],
    ["a word of the signed text changed", (s: string) => s.replace("Dienstag", "Mittwoch"), "invalid"],
    ["a blank line added at the end of the signed part (the CRLF before the delimiter is not content)", (s: string) => s.replace("Bob\r\n\r\n--sig", "Bob\r\n\r\n\r\n--sig"), "invalid"],
    ["the epilogue after the close delimiter changed", (s: string) => `${s}\r\nAdded by a list server.\r\n`, "valid"],
  ])("%s → %s", async (_what, change, state) => {
    const signed = pgpSigned(PART);
    const changed = change(signed);
    expect(changed).not.toBe(signed);
    const r = await inspect(changed);
    expect(r.status.signature.state).toBe(state);
    if (state === "invalid") expect(r.status.signature.reasons.map((x) => x.code)).toEqual(["bad-signature"]);
  });

  it("a new boundary inside a signed multipart/mixed changes the signed bytes → invalid", async () => {
    const mixed = crlf(`Content-Type: multipart/mixed; boundary="in"\n\n--in\n${PART}\n--in\nContent-Type: text/csv; name="q.csv"\n\nq,n\n3,1\n--in--\n`);
    const signed = pgpSigned(mixed);
    expect(verdict(await inspect(signed))).toMatchObject({ signature: "valid" });
    const r = await inspect(signed.split('"in"').join('"relay-in"').split("--in").join("--relay-in"));
    expect(verdict(r)).toMatchObject({ signature: "invalid", reasons: ["bad-signature"] });
  });
});

const textBody = (body: string, { type = "text/plain", cte = "8bit" } = {}) => head(ALICE, `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${cte}\r\n`) + `\r\n${body}`;
const clearsign = (text: string, extra: string[] = [], signer = "alice@example.org") => crlf(gpgOut(["--armor", "--local-user", signer, ...extra, "--clearsign"], Buffer.from(text, "utf8").toString("latin1")));

describe.skipIf(!hasGpg)("inline PGP from gpg, and what providers do to it", () => {
  const TEXT = "Treffen am Dienstag.\n- eine Liste\nFrom here on, dashes:\n-- \nAlice\n";

  it.each([
    ["clear-signed, SHA-512", () => textBody(clearsign(TEXT, ["--digest-algo", "SHA512"]))],
    ["clear-signed by an RSA key, SHA-256", () => textBody(clearsign(TEXT, [], "dan@example.org")).replace(`From: ${ALICE}`, "From: dan@example.org")],
    ["clear-signed, the body quoted-printable with soft breaks (relay re-encoding)", () => textBody(qpSoft(clearsign(TEXT)), { cte: "quoted-printable" })],
    ["clear-signed, the body base64 (relay re-encoding)", () => textBody(b64(clearsign(TEXT)), { cte: "base64" })],
    ["clear-signed, LF line ends and blank lines around the block", () => textBody(`\n\n${clearsign(TEXT).replace(/\r\n/g, "\n")}\n\n`)],
  ])("%s → valid, the signed text shown (dash-escaping undone)", async (_what, make) => {
    const r = await inspect(make());
    expect(verdict(r)).toEqual({ encryption: "none", signature: "valid", reasons: [] });
    expect(shown(r)).toContain("- eine Liste");
    // Trailing whitespace is not signed (RFC 9580 7.2): the signature line "-- " shows as "--".
    expect(shown(r)).toContain("--\r\nAlice");
  });

  it("gpg --sign --armor (a signed, not clear-signed, message) as the body → valid, its text shown", async () => {
    const r = await inspect(textBody(crlf(gpgOut(["--armor", "--local-user", "alice@example.org", "--sign"], INNER))));
    expect(verdict(r)).toEqual({ encryption: "none", signature: "valid", reasons: [] });
    expect(shown(r)).toContain(SECRET);
  });

  it("a space of the signed text turned into a non-breaking space by a webmailer → invalid / bad-signature", async () => {
    const damaged = clearsign(TEXT).replace("Treffen am", "Treffen\xc2\xa0am");
    const r = await inspect(textBody(damaged));
    expect(verdict(r)).toEqual({ encryption: "none", signature: "invalid", reasons: ["bad-signature"] });
  });

  it.each([
    ["<pre> (webmail)", (a: string) => `<html><body><pre>${a.replace(/</g, "&lt;")}</pre></body></html>`],
    ["Gmail-style <div dir=ltr> with <br>", (a: string) => `<div dir="ltr">${a.split("\r\n").join("<br>\r\n")}</div>`],
  ])("an armored message in HTML, %s → decrypted as text", async (_what, wrap) => {
    const r = await inspect(textBody(wrap(crlf(encryptTo(["bob@example.org"]))), { type: "text/html" }));
    expect(verdict(r)).toMatchObject({ encryption: "decrypted" });
    expect(r.status.repairs.map((x) => x.code)).toContain("armor-in-html");
    expect(r.view!.contentType.subtype).toBe("plain");
    expect(shown(r)).toContain(SECRET);
  });

  it("a clear-signed block in HTML whose stylesheet adds text: the view is the signed text only, never the HTML", async () => {
    const html = `<html><head><style>body::after { content: "PS: pay the new account 4711." }</style></head><body><pre>${clearsign(TEXT)}</pre></body></html>`;
    const r = await inspect(textBody(html, { type: "text/html" }));
    expect(verdict(r)).toEqual({ encryption: "none", signature: "valid", reasons: [] });
    expect(r.status.repairs.map((x) => x.code)).toContain("armor-in-html");
    expect(r.view!.contentType.subtype).toBe("plain");
    expect(shown(r)).not.toContain("4711");
    expect(shown(r)).not.toContain("<");
    // ...and the add-on puts that view into the pane, not Thunderbird's rendering of the HTML.
    expect(rendersOwnView(r)).toBe(true);
    expect(rendersOwnView(await inspect(textBody(clearsign(TEXT))))).toBe(false);
  });
});

/** Exchange's multipart/mixed rewrite of a PGP/MIME message, with `parts` appended (a disclaimer). */
function exchange(armored: string, { appended = "", payloadCte = "base64", text = "" } = {}): string {
  const b = "_002_AM0PR07MB4321ABCDEF_";
  return (
    head(ALICE, `Content-Type: multipart/mixed;\r\n\tboundary="${b}"\r\n`) +
    `\r\n--${b}\r\nContent-Type: text/plain; charset="us-ascii"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${text}\r\n` +
    `--${b}\r\nContent-Type: application/pgp-encrypted; name="PGPMIME version identification"\r\nContent-Disposition: attachment; filename="PGPMIME version identification"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64("Version: 1\r\n")}\r\n` +
    `--${b}\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\nContent-Disposition: attachment; filename="encrypted.asc"\r\nContent-Transfer-Encoding: ${payloadCte}\r\n\r\n${payloadCte === "base64" ? b64(crlf(armored)) : qpSoft(crlf(armored))}\r\n` +
    appended +
    `--${b}--\r\n`
  );
}

describe.skipIf(!hasGpg)("Exchange's rewrite as it arrives", () => {
  it.each([
    ["the payload quoted-printable instead of base64", { payloadCte: "quoted-printable" }],
    ["the text part a single non-breaking space (=A0)", { text: "=A0" }],
  ])("exact shape, %s → repaired and decrypted", async (_what, o) => {
    const r = await inspect(exchange(encryptTo(["carol@example.org"]), o));
    expect(verdict(r)).toMatchObject({ encryption: "decrypted" });
    expect(r.status.repairs.map((x) => x.code)).toEqual(["exchange-pgp-mime"]);
  });

  it.each([
    ["a text disclaimer", "--_002_AM0PR07MB4321ABCDEF_\r\nContent-Type: text/plain\r\n\r\nThis e-mail is confidential.\r\n"],
    ["an HTML disclaimer", '--_002_AM0PR07MB4321ABCDEF_\r\nContent-Type: text/html\r\n\r\n<p style="color:gray">Confidential</p>\r\n'],
  ])("with %s appended (four parts; Thunderbird repairs exactly three) → not decrypted, listed", async (_what, appended) => {
    const r = await inspect(exchange(encryptTo(["carol@example.org"]), { appended }));
    expect(verdict(r)).toMatchObject({ encryption: "none", signature: "none" });
    expect(r.status.repairs).toEqual([]);
    expect(JSON.stringify(r.view ? decodeText(r.view) : "")).not.toContain(SECRET);
  });
});
