// OpenPGP as it really arrives: PGP/MIME rewritten by Exchange / Outlook.com, inline armor
// damaged by quoted-printable NBSP, trailing spaces and Outlook's HTML, AEAD packets by what
// they are, and failures that say which step failed. gpg (and openpgp.js where gpg 2.2
// cannot: SEIPDv2, the tag-20 AEAD packet) writes the OpenPGP data; the mail is put together
// by hand the way those systems change it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as openpgp from "openpgp";
import { inspectMessage, type InspectResult } from "../../src/core/message/inspect.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import { decodeText } from "../../src/core/mime/index.js";
import { buildRenderModel } from "../../src/core/render/render-model.js";
import { JSDOM } from "jsdom";
import createDOMPurify from "dompurify";
import type { PgpContext } from "../../src/core/pgp/index.js";
import { Gpg, hasGpg, crlf, dec } from "./gpg.js";

let gpg: Gpg;
let ctx: PgpContext;
const SECRET = "Meet at the north gate, 07:30.";
const INNER = crlf(`Content-Type: text/plain; charset=utf-8\n\n${SECRET}\n`);

const head = (extra = "") => `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: ...\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\n${extra}`;
const raw = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const b64 = (s: string) => Buffer.from(s, "latin1").toString("base64").replace(/(.{76})/g, "$1\r\n");

beforeAll(() => {
  if (!hasGpg) return;
  gpg = new Gpg();
  gpg.genKey("Alice <alice@example.org>", "ed25519");
  gpg.genKey("Bob <bob@example.org>", "rsa2048");
  gpg.genKey("Eve <eve@example.org>", "ed25519");
  ctx = {
    secretKeys: [{ key: gpg.exportSecret("bob@example.org"), passphrase: "pw" }],
    publicKeys: [gpg.exportPublic("alice@example.org"), gpg.exportPublic("bob@example.org")],
  };
}, 120_000);
afterAll(() => gpg?.dispose());

function inspect(bytes: Uint8Array, c: PgpContext = ctx): Promise<InspectResult> {
  return inspectMessage(bytes, { openers: [pgpOpener(c)] });
}

function armored(input: string, opts: { sign?: boolean } = {}): string {
  const sign = opts.sign ? ["--sign", "--local-user", "alice@example.org"] : [];
  return dec(gpg.run(["--armor", "--output", "-", ...sign, "--encrypt", "--recipient", "bob@example.org"], { input }).stdout).trim();
}

const shownText = (r: InspectResult) => (r.view ? decodeText(r.view) : "");

// ---------------------------------------------------------------------------------------------
// Exchange / Outlook.com rewrite of PGP/MIME

interface ExchangeShape {
  text?: string;
  textType?: string;
  control?: string;
  controlType?: string;
  payloadType?: string;
  payloadName?: string;
  extraPart?: boolean;
  payloadEncoding?: "base64" | "7bit";
}

/** The multipart/mixed Exchange makes of a PGP/MIME message (as reported to Enigmail), with knobs for near misses. */
function exchange(armoredMessage: string, o: ExchangeShape = {}): string {
  const b = "_003_DB8PR04MB6987D0D6A38E1E8B1C9A5F0CD9E10DB8PR04MB6987eurp_";
  const payload = o.payloadEncoding === "7bit" ? crlf(armoredMessage) : b64(crlf(armoredMessage) + "\r\n");
  return (
    head(`Content-Type: multipart/mixed;\r\n\tboundary="${b}"\r\n`) +
    "\r\n" +
    `--${b}\r\nContent-Type: ${o.textType ?? 'text/plain; charset="us-ascii"'}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${o.text ?? ""}\r\n` +
    `--${b}\r\nContent-Type: ${o.controlType ?? 'application/pgp-encrypted; name="PGPMIME version identification"'}\r\nContent-Description: PGP/MIME version identification\r\n` +
    `Content-Disposition: attachment; filename="PGPMIME version identification"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(o.control ?? "Version: 1\r\n")}\r\n` +
    `--${b}\r\nContent-Type: ${o.payloadType ?? "application/octet-stream"}; name="${o.payloadName ?? "encrypted.asc"}"\r\nContent-Description: OpenPGP encrypted message.asc\r\n` +
    `Content-Disposition: attachment; filename="${o.payloadName ?? "encrypted.asc"}"\r\nContent-Transfer-Encoding: ${o.payloadEncoding ?? "base64"}\r\n\r\n${payload}\r\n` +
    (o.extraPart ? `--${b}\r\nContent-Type: image/png; name="logo.png"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n` : "") +
    `--${b}--\r\n`
  );
}

describe.skipIf(!hasGpg)("PGP/MIME rewritten by Exchange into multipart/mixed", () => {
  let plain: string;
  let signed: string;
  beforeAll(() => {
    plain = armored(INNER);
    signed = armored(INNER, { sign: true });
  });

  it.each([
    ["empty text part", {}],
    ["text part of one space and a line end", { text: "=20\r\n" }],
    ["text part holding the PGP/MIME preamble", { text: "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)" }],
    ["armor not base64-encoded", { payloadEncoding: "7bit" as const }],
  ])("exact shape (%s) → repaired and decrypted, the details say so", async (_what, o) => {
    const r = await inspect(raw(exchange(plain, o)));
    expect(r.status.encryption).toMatchObject({ state: "decrypted", protocol: "openpgp" });
    expect(r.status.repairs.map((x) => x.code)).toEqual(["exchange-pgp-mime"]);
    expect(shownText(r)).toContain(SECRET);
  });

  it("exact shape, signed and encrypted → decrypted and valid", async () => {
    const r = await inspect(raw(exchange(signed)));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(r.status.repairs.map((x) => x.code)).toEqual(["exchange-pgp-mime"]);
  });

  it.each([
    ["a text part with real text", { text: "Hi Bob, see the attachment." }],
    ["an HTML first part", { textType: "text/html; charset=us-ascii" }],
    ["a fourth part", { extraPart: true }],
    ["control part Version: 2", { control: "Version: 2\r\n" }],
    ["control part not application/pgp-encrypted", { controlType: "text/plain" }],
    ["payload named otherwise", { payloadName: "message.asc" }],
    ["payload not application/octet-stream", { payloadType: "application/pgp-encrypted" }],
  ])("near miss (%s) → not decrypted; the encrypted part stays an attachment", async (_what, o) => {
    const r = await inspect(raw(exchange(plain, o)));
    expect(r.status.encryption.state).toBe("none");
    expect(r.status.signature.state).toBe("none");
    expect(r.status.repairs).toEqual([]);
    expect(r.layers).toEqual([]);
    const model = buildRenderModel(r.view!, createDOMPurify(new JSDOM("").window as unknown as Window & typeof globalThis));
    expect(JSON.stringify(model)).not.toContain(SECRET);
    expect(model.attachments.map((a) => a.filename)).toContain((o as ExchangeShape).payloadName ?? "encrypted.asc");
  });

  it("the exact shape nested inside another multipart is a part, not the message: not decrypted", async () => {
    const inner = exchange(plain).replace(/^[^]*?\r\n(?=Content-Type: multipart\/mixed)/, "");
    const msg = head('Content-Type: multipart/mixed; boundary="outer"\r\n') + `\r\n--outer\r\nContent-Type: text/plain\r\n\r\nForwarded:\r\n--outer\r\n${inner}\r\n--outer--\r\n`;
    const r = await inspect(raw(msg));
    expect(r.status.encryption.state).toBe("none");
    expect(r.status.nested).toContainEqual(expect.objectContaining({ kind: "encrypted", where: "part" }));
  });
});

// ---------------------------------------------------------------------------------------------
// Inline PGP damaged in transit

/** Quoted-printable of a binary string: only "=" and 8-bit bytes encoded (lines are short). */
function qp(s: string): string {
  return s.replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

const NBSP_UTF8 = "\xc2\xa0";
const textMessage = (body: string, { charset = "utf-8", cte = "8bit", type = "text/plain" } = {}) =>
  raw(head(`Content-Type: ${type}; charset=${charset}\r\nContent-Transfer-Encoding: ${cte}\r\n`) + "\r\n" + body);

/** Armor lines with a non-breaking space after the BEGIN line and as the "empty" line, CRLF. */
function withNbsp(a: string, nbsp: string): string {
  const lines = crlf(a).split("\r\n");
  const blank = lines.indexOf("");
  lines[0] = lines[0] + nbsp;
  lines[blank] = nbsp;
  lines[lines.length - 1] = nbsp + lines[lines.length - 1]!;
  return lines.join("\r\n");
}

/** Outlook's HTML for a plain-text armored block: a <div> (or <p class=MsoNormal>) per line, entities. */
function outlookHtml(a: string, style: "div" | "p" | "br"): string {
  const esc = (l: string) => l.replace(/&/g, "&amp;").replace(/\+/g, "&#43;").replace(/\//g, "&#x2F;").replace(/=/g, "&#61;");
  const lines = crlf(a).split("\r\n");
  const body =
    style === "div"
      ? lines.map((l) => (l === "" ? "<div><br></div>" : `<div>${esc(l)}</div>`)).join("\r\n")
      : style === "p"
        ? lines.map((l) => `<p class=MsoNormal>${l === "" ? "&nbsp;" : esc(l)}<o:p></o:p></p>`).join("\r\n")
        : `<p>${lines.map(esc).join("<br>\r\n")}</p>`;
  return (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">' +
    "<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style></head>\r\n" +
    `<body lang="EN-US" link="#0563C1"><div class="WordSection1">\r\n${body}\r\n<p class=MsoNormal>&nbsp;</p></div></body></html>\r\n`
  );
}

describe.skipIf(!hasGpg)("inline PGP damaged in transit", () => {
  let a: string;
  beforeAll(() => {
    a = armored(`${SECRET}\n`);
  });

  it.each([
    ["QP =C2=A0 (UTF-8 NBSP) on armor lines", () => textMessage(qp(withNbsp(a, NBSP_UTF8)), { cte: "quoted-printable" })],
    ["raw UTF-8 NBSP on armor lines (8bit)", () => textMessage(withNbsp(a, NBSP_UTF8))],
    ["QP =A0 (Latin-1 NBSP) on armor lines", () => textMessage(qp(withNbsp(a, "\xa0")), { cte: "quoted-printable", charset: "iso-8859-1" })],
    ["trailing spaces and tabs on every line", () => textMessage(crlf(a).split("\r\n").map((l, i) => l + (i % 2 ? "   " : " \t")).join("\r\n"))],
    ["QP soft line breaks and =20 at line ends", () => textMessage(crlf(a).split("\r\n").map((l) => `${qp(l.slice(0, 40))}=\r\n${qp(l.slice(40))}=20`).join("\r\n"), { cte: "quoted-printable" })],
  ])("%s → decrypted, repair noted", async (_what, make) => {
    const r = await inspect(make());
    expect(r.status.encryption).toMatchObject({ state: "decrypted", protocol: "openpgp" });
    expect(shownText(r)).toContain(SECRET);
    expect(r.status.repairs.map((x) => x.code)).toEqual(["armor-whitespace"]);
  });

  it.each([
    ["a <div> per line", "div" as const],
    ["<p class=MsoNormal> per line with &nbsp;", "p" as const],
    ["one <p> with <br> between lines", "br" as const],
  ])("Outlook HTML body, %s, entities for + / = → decrypted", async (_what, style) => {
    const r = await inspect(textMessage(outlookHtml(a, style), { type: "text/html" }));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(shownText(r)).toContain(SECRET);
    expect(r.status.repairs.map((x) => x.code)).toContain("armor-in-html");
    expect(r.view!.contentType.subtype).toBe("plain");
  });

  const alternative = (plain: string, html: string) =>
    raw(
      head('Content-Type: multipart/alternative; boundary="alt"\r\n') +
        `\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp(plain)}\r\n` +
        `--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp(html)}\r\n--alt--\r\n`,
    );

  it("Outlook's multipart/alternative: the same block as text (with NBSP) and as HTML → decrypted", async () => {
    const r = await inspect(alternative(withNbsp(a, NBSP_UTF8), outlookHtml(a, "p")));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(shownText(r)).toContain(SECRET);
    expect(r.status.repairs.map((x) => x.code)).toEqual(["armor-whitespace"]);
  });

  it.each([
    ["two different blocks", () => alternative(crlf(a), outlookHtml(armored("another message\n"), "div"))],
    ["an HTML alternative with a greeting", () => alternative(crlf(a), outlookHtml(a, "div").replace("<div class=\"WordSection1\">", '<div class="WordSection1"><p>Hi Bob,</p>'))],
  ])("multipart/alternative with %s → not decrypted, listed", async (_what, make) => {
    const r = await inspect(make());
    expect(r.status.encryption.state).toBe("none");
    expect(r.layers).toEqual([]);
    expect(r.status.nested).toContainEqual(expect.objectContaining({ kind: "encrypted", protocol: "openpgp" }));
  });

  it("an undamaged block is read without a repair note", async () => {
    const r = await inspect(textMessage(crlf(a)));
    expect(r.status.encryption.state).toBe("decrypted");
    expect(r.status.repairs).toEqual([]);
  });

  it("a clear-signed text with NBSP in its armor lines → valid; its text is not touched", async () => {
    const signedText = Buffer.from(gpg.run(["--armor", "--output", "-", "--local-user", "alice@example.org", "--clearsign"], { input: "Price: 10\u00a0EUR\n" }).stdout).toString("latin1");
    const damaged = crlf(signedText).replace("-----BEGIN PGP SIGNED MESSAGE-----", `-----BEGIN PGP SIGNED MESSAGE-----${NBSP_UTF8}`).replace("-----BEGIN PGP SIGNATURE-----\r\n", `-----BEGIN PGP SIGNATURE-----  \r\n`);
    const r = await inspect(textMessage(damaged));
    expect(r.status.signature).toMatchObject({ state: "valid" });
    expect(shownText(r)).toContain("Price: 10\u00a0EUR");
    expect(r.status.repairs.map((x) => x.code)).toEqual(["armor-whitespace"]);
  });

  it.each([
    ["text before the block", (x: string) => textMessage(`Hi Bob,${NBSP_UTF8}\r\n\r\n${crlf(x)}\r\n`)],
    ["text after the damaged block", (x: string) => textMessage(`${withNbsp(x, NBSP_UTF8)}\r\nPS: call me.\r\n`)],
    ["HTML with a greeting before the block", (x: string) => textMessage(outlookHtml(x, "div").replace("<div class=\"WordSection1\">", '<div class="WordSection1"><p>Hi Bob,</p>'), { type: "text/html" })],
    ["HTML with an image next to the block", (x: string) => textMessage(outlookHtml(x, "div").replace("</body>", '<img src="http://127.0.0.1:9/x.png"></body>'), { type: "text/html" })],
    ["two armored blocks", (x: string) => textMessage(`${crlf(x)}\r\n\r\n${crlf(x)}\r\n`)],
  ])("armored block only part of the body (%s) → not decrypted, listed", async (_what, make) => {
    const r = await inspect(make(a));
    expect(r.status.encryption.state).toBe("none");
    expect(r.layers).toEqual([]);
    expect(r.status.nested).toContainEqual(expect.objectContaining({ kind: "encrypted", protocol: "openpgp" }));
    expect(r.view).toBe(r.top);
  });
});

// ---------------------------------------------------------------------------------------------
// AEAD packets by what they are

describe("AEAD-encrypted messages are labelled by their packet", () => {
  it("SEIPDv2 (RFC 9580, OCB and GCM) made by openpgp.js for a v6 key", async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ userIDs: [{ email: "bob@example.org" }], type: "curve25519", config: { v6Keys: true, aeadProtect: true }, format: "object" });
    for (const [mode, name] of [
      [openpgp.enums.aead.ocb, "OCB"],
      [openpgp.enums.aead.gcm, "GCM"],
    ] as const) {
      const armoredMessage = await openpgp.encrypt({
        message: await openpgp.createMessage({ binary: new TextEncoder().encode(INNER) }),
        encryptionKeys: publicKey,
        config: { aeadProtect: true, preferredAEADAlgorithm: mode },
      });
      const r = await inspect(raw(head('Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n') + `\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n${armoredMessage}\r\n--b--\r\n`), {
        secretKeys: [{ key: privateKey }],
        publicKeys: [],
      });
      expect(r.status.encryption).toMatchObject({ state: "decrypted", algorithm: `AES-256-${name} (SEIPDv2)` });
    }
  });

  it("the older AEAD Encrypted Data packet (tag 20, LibrePGP / GnuPG 2.3+ OCB), assembled packet by packet", async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ userIDs: [{ email: "bob@example.org" }], type: "ecc", curve: "curve25519Legacy", format: "object" });
    // openpgp.js types keep these packet fields private; the packets are built as the spec lays them out.
    type Writable = {
      setBytes(b: Uint8Array, format: string): void;
      aeadAlgorithm: number;
      packets: openpgp.PacketList<openpgp.AnyPacket>;
      encrypt(...args: unknown[]): Promise<void>;
      version: number;
      publicKeyID: unknown;
      publicKeyAlgorithm: unknown;
      sessionKey: Uint8Array;
      sessionKeyAlgorithm: number;
    };
    const sessionKey = crypto.getRandomValues(new Uint8Array(16));
    const literal = new openpgp.LiteralDataPacket();
    (literal as unknown as Writable).setBytes(new TextEncoder().encode(INNER), "binary");
    const aead = new openpgp.AEADEncryptedDataPacket() as unknown as Writable;
    aead.aeadAlgorithm = openpgp.enums.aead.ocb;
    aead.packets = new openpgp.PacketList();
    aead.packets.push(literal);
    await aead.encrypt(openpgp.enums.symmetric.aes128, sessionKey, { ...openpgp.config, aeadChunkSizeByte: 12 });
    const encKey = await publicKey.getEncryptionKey();
    const pkesk = new openpgp.PublicKeyEncryptedSessionKeyPacket() as unknown as Writable;
    pkesk.version = 3;
    pkesk.publicKeyID = encKey.getKeyID();
    pkesk.publicKeyAlgorithm = encKey.keyPacket.algorithm;
    pkesk.sessionKey = sessionKey;
    pkesk.sessionKeyAlgorithm = openpgp.enums.symmetric.aes128;
    await pkesk.encrypt(encKey.keyPacket);
    const list = new openpgp.PacketList();
    list.push(pkesk as unknown as openpgp.AnyPacket, aead as unknown as openpgp.AnyPacket);
    // openpgp.js hands back its own ArrayStream for AEAD output; it reads to one array.
    const written = list.write() as unknown as Uint8Array | { readToEnd(join?: (parts: Uint8Array[]) => Uint8Array): Promise<Uint8Array> };
    const bytes = written instanceof Uint8Array ? written : await written.readToEnd((parts) => new Uint8Array(Buffer.concat(parts)));
    const msg = head('Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n') +
      `\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(bytes).toString("base64")}\r\n--b--\r\n`;
    const r = await inspect(raw(msg), { secretKeys: [{ key: privateKey }], publicKeys: [] });
    expect(r.status.encryption).toMatchObject({ state: "decrypted", algorithm: "AES-128-OCB (AEAD packet, tag 20)" });
    expect(shownText(r)).toContain(SECRET);
  });

  it.skipIf(!hasGpg)("gpg 2.2's SEIPDv1 stays SEIPDv1", async () => {
    const r = await inspect(raw(head('Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n') + `\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n${armored(INNER)}\r\n--b--\r\n`));
    expect(r.status.encryption).toMatchObject({ state: "decrypted", algorithm: "AES-256 (SEIPDv1)" });
  });
});

// ---------------------------------------------------------------------------------------------
// Failed decryption: recipients and step

/** The packets of gpg's binary output (RFC 9580 4.2, both header formats): [tag, body start, body end]. */
function packets(b: Uint8Array): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let i = 0;
  while (i < b.length) {
    const h = b[i]!;
    let tag: number;
    let start: number;
    let len: number;
    if (h & 0x40) {
      tag = h & 0x3f;
      const o = b[i + 1]!;
      if (o < 192) [len, start] = [o, i + 2];
      else if (o < 224) [len, start] = [((o - 192) << 8) + b[i + 2]! + 192, i + 3];
      else if (o === 255) [len, start] = [((b[i + 2]! << 24) | (b[i + 3]! << 16) | (b[i + 4]! << 8) | b[i + 5]!) >>> 0, i + 6];
      else throw new Error("partial body lengths are not expected here");
    } else {
      tag = (h >> 2) & 0x0f;
      const lt = h & 3;
      const n = [1, 2, 4, 0][lt]!;
      start = i + 1 + n;
      len = lt === 3 ? b.length - start : [...b.subarray(i + 1, start)].reduce((a, x) => a * 256 + x, 0);
    }
    out.push([tag, start, start + len]);
    i = start + len;
  }
  return out;
}

describe.skipIf(!hasGpg)("a failed OpenPGP decryption lists the recipients and the failed step", () => {
  const pgpMime = (data: Uint8Array) =>
    raw(head('Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n') + `\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(data).toString("base64")}\r\n--b--\r\n`);
  const binary = (to: string[]) => gpg.run(["--output", "-", "--encrypt", ...to.flatMap((t) => ["--recipient", t])], { input: INNER }).stdout;

  it("to other keys only → no-key, step recipient, both key ids listed", async () => {
    const r = await inspect(pgpMime(binary(["alice@example.org", "eve@example.org"])));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "no-key", step: "recipient" });
    expect(r.status.encryption.state === "failed" && [...r.status.encryption.recipients].sort()).toEqual([...gpg.subkeyIds("alice@example.org"), ...gpg.subkeyIds("eve@example.org")].sort());
  });

  it("our key is a recipient but its encrypted session key is damaged → decrypt-failed, step key", async () => {
    const b = new Uint8Array(binary(["bob@example.org"]));
    const [, , end] = packets(b).find(([tag]) => tag === 1)!;
    b[end - 1] = b[end - 1]! ^ 0xff; // the RSA ciphertext's last byte
    const r = await inspect(pgpMime(b));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "decrypt-failed", step: "key" });
    expect(r.status.encryption.state === "failed" && r.status.encryption.recipients).toEqual(gpg.subkeyIds("bob@example.org"));
  });

  it("the session key is recovered but the encrypted data is damaged → tampered, step content", async () => {
    const b = new Uint8Array(binary(["bob@example.org"]));
    const [, start, end] = packets(b).find(([tag]) => tag === 18)!;
    const mid = Math.floor((start + end) / 2);
    b[mid] = b[mid]! ^ 0x01;
    const r = await inspect(pgpMime(b));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "tampered", step: "content" });
    expect(r.status.encryption.state === "failed" && r.status.encryption.recipients).toEqual(gpg.subkeyIds("bob@example.org"));
  });
});
