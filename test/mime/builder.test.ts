import { describe, expect, it } from "vitest";
import { bin, codeOf, enc } from "./helpers.js";
import {
  buildEntity,
  buildMultipart,
  decodeBody,
  decodeEncodedWords,
  decodeText,
  encodeBase64Lines,
  encodeHeaderValue,
  encodeQuotedPrintable,
  decodeQuotedPrintable,
  formatContentType,
  formatHeaderField,
  getFilename,
  getHeader,
  newBoundary,
  parseContentType,
  parseMime,
  serializeHeaders,
} from "../../src/core/mime/index.js";


/** Every line ends in CRLF (no bare CR or LF) and is at most `max` bytes. */
function assertWireSafe(b: Uint8Array, max = 998): void {
  const s = bin(b);
  expect(/\r(?!\n)|(?<!\r)\n/.test(s)).toBe(false);
  for (const line of s.split("\r\n")) expect(line.length).toBeLessThanOrEqual(max);
}

describe("buildEntity", () => {
  it("short ASCII text → 7bit, LF made CRLF, exact output", () => {
    const out = buildEntity({ headers: [["Content-Disposition", "inline"]], contentType: "text/plain; charset=utf-8", body: "Hello\nWorld\n" });
    expect(bin(out)).toBe("Content-Disposition: inline\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello\r\nWorld\r\n");
  });

  it("non-ASCII text → quoted-printable and round-trips", () => {
    const text = "Grüße aus Köln = schön\r\n" + "x".repeat(200) + "\r\nFrom here\r\n.\r\ntrailing space \r\n";
    const out = buildEntity({ contentType: "text/plain; charset=utf-8", body: text });
    const e = parseMime(out);
    expect(e.transferEncoding).toBe("quoted-printable");
    expect(decodeText(e)).toBe(text);
    assertWireSafe(out, 76 + 0);
    // mbox/SMTP-sensitive line starts are protected.
    expect(bin(e.body)).toContain("=46rom here");
    expect(bin(e.body)).toContain("\r\n=2E\r\n");
  });

  it("ASCII text with a line over 998 bytes → quoted-printable, lines ≤ 76", () => {
    const text = "a".repeat(5000);
    const out = buildEntity({ contentType: "text/plain", body: text });
    const e = parseMime(out);
    expect(e.transferEncoding).toBe("quoted-printable");
    expect(bin(decodeBody(e))).toBe(text);
    assertWireSafe(e.body, 76);
  });

  it("binary → base64 with 76-character lines, round-trips", () => {
    const data = new Uint8Array(1000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const out = buildEntity({ contentType: "application/octet-stream", body: data, headers: [["Content-Disposition", 'attachment; filename="d.bin"']] });
    const e = parseMime(out);
    expect(e.transferEncoding).toBe("base64");
    expect(Array.from(decodeBody(e))).toEqual(Array.from(data));
    const lines = bin(e.body).split("\r\n");
    expect(lines[0]!.length).toBe(76);
    expect(lines.at(-1)).toBe("");
    assertWireSafe(out, 78);
    expect(getFilename(e)).toBe("d.bin");
  });

  it("text bytes with bare LF and NUL survive exactly", () => {
    const data = enc("a\nb\0c\rd");
    const e = parseMime(buildEntity({ contentType: "text/plain", body: data }));
    expect(Array.from(decodeBody(e))).toEqual(Array.from(data));
  });

  it("mostly non-ASCII text → base64", () => {
    const text = "Привет, мир! Это тест.";
    const e = parseMime(buildEntity({ contentType: "text/plain; charset=utf-8", body: text }));
    expect(e.transferEncoding).toBe("base64");
    expect(decodeText(e)).toBe(text);
  });

  it("forced encodings; forced 7bit on 8-bit data is a usage error", () => {
    const e = parseMime(buildEntity({ contentType: "text/plain", body: "plain", transferEncoding: "base64" }));
    expect(bin(e.body)).toBe("cGxhaW4=\r\n");
    expect(codeOf(() => buildEntity({ contentType: "text/plain", body: "é", transferEncoding: "7bit" }))).toBe("usage");
  });

  it("caller's Content-Type/CTE headers are not duplicated; non-ASCII params use RFC 2231", () => {
    const out = buildEntity({
      headers: [["Content-Type", "text/html"], ["Content-Transfer-Encoding", "binary"], ["Subject", "Grüße"]],
      contentType: 'application/pdf; name="Prüfbericht.pdf"',
      body: new Uint8Array([1, 2, 3]),
    });
    const e = parseMime(out);
    expect(e.headers.map((h) => h.name)).toEqual(["Subject", "Content-Type", "Content-Transfer-Encoding"]);
    expect(e.headers[1]!.value).toBe("application/pdf; name*=utf-8''Pr%C3%BCfbericht.pdf");
    expect(getFilename(e)).toBe("Prüfbericht.pdf");
    expect(getHeader(e, "subject")).toBe("Grüße");
    expect(bin(out)).toContain("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n");
  });
});

describe("buildMultipart", () => {
  it("round-trips parts byte for byte; boundary is fresh and not in any part", () => {
    const p1 = buildEntity({ contentType: "text/plain; charset=utf-8", body: "signed text\n" });
    const p2 = buildEntity({ contentType: "application/pkcs7-signature; name=smime.p7s", body: new Uint8Array([0x30, 0x82, 0, 1]) });
    const out = buildMultipart({ subtype: "signed", params: { protocol: "application/pkcs7-signature", micalg: "sha-256" }, parts: [p1, p2], preamble: "This is an S/MIME signed message" });
    assertWireSafe(out);
    const m = parseMime(out);
    expect(m.contentType.type).toBe("multipart");
    expect(m.contentType.subtype).toBe("signed");
    const boundary = m.contentType.params["boundary"]!;
    expect(boundary).toMatch(/^----=_sb_[a-z2-7]{24}$/);
    expect(bin(p1).includes(boundary)).toBe(false);
    expect(m.contentType.params["protocol"]).toBe("application/pkcs7-signature");
    expect(m.children.length).toBe(2);
    expect(bin(m.children[0]!.raw)).toBe(bin(p1));
    expect(bin(m.children[1]!.raw)).toBe(bin(p2));
    expect(decodeText(m.children[0]!)).toBe("signed text\r\n");
    expect(bin(out).startsWith(`Content-Type: multipart/signed; protocol="application/pkcs7-signature";\r\n micalg=sha-256; boundary="${boundary}"\r\n\r\nThis is an S/MIME signed message\r\n--${boundary}\r\n`)).toBe(true);
    expect(bin(out).endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
  });

  it("nests and keeps paths", () => {
    const alt = buildMultipart({ subtype: "alternative", parts: [buildEntity({ contentType: "text/plain", body: "p" }), buildEntity({ contentType: "text/html", body: "<b>h</b>" })] });
    const mixed = buildMultipart({ subtype: "mixed", headers: [["MIME-Version", "1.0"]], parts: [alt, buildEntity({ contentType: "image/png", body: new Uint8Array([137, 80, 78, 71]) })] });
    const m = parseMime(mixed);
    expect(getHeader(m, "mime-version")).toBe("1.0");
    expect(m.children[0]!.children.map((c) => `${c.path}=${decodeText(c)}`)).toEqual(["1.1=p", "1.2=<b>h</b>"]);
    expect(Array.from(decodeBody(m.children[1]!))).toEqual([137, 80, 78, 71]);
  });

  it("rejects a caller boundary that occurs in a part", () => {
    const part = enc("Content-Type: text/plain\r\n\r\n--abc inside\r\n");
    expect(codeOf(() => buildMultipart({ subtype: "mixed", params: { boundary: "abc" }, parts: [part] }))).toBe("usage");
    const ok = parseMime(buildMultipart({ subtype: "mixed", params: { boundary: "xyz" }, parts: [part] }));
    expect(bin(ok.children[0]!.raw)).toBe(bin(part));
  });

  it("newBoundary is random", () => {
    const a = newBoundary();
    expect(a).not.toBe(newBoundary());
    expect(a.length).toBe(33);
  });
});

describe("header encoding and folding", () => {
  it("encodeHeaderValue leaves ASCII alone and encodes non-ASCII runs so they decode back", () => {
    expect(encodeHeaderValue("plain ascii")).toBe("plain ascii");
    const v = encodeHeaderValue("Re: Grüße aus Köln und München");
    // ASCII words between encoded words stay readable; the spaces around them survive decoding.
    expect(v).toBe("Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus =?UTF-8?Q?K=C3=B6ln?= und\r\n =?UTF-8?Q?M=C3=BCnchen?=");
    const joined = encodeHeaderValue("Grüße Köln");
    expect(joined).toBe("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_K=C3=B6ln?=");
    expect(decodeEncodedWords(v.replace(/\r\n/g, ""))).toBe("Re: Grüße aus Köln und München");
  });

  it("long non-ASCII text: words ≤ 75, lines ≤ 78, round trip", () => {
    const s = "Ünïcödé ".repeat(30).trim() + " 😀 end";
    const field = formatHeaderField("Subject", s);
    expect(field.endsWith("\r\n")).toBe(true);
    for (const line of field.slice(0, -2).split("\r\n")) expect(line.length).toBeLessThanOrEqual(78);
    for (const w of field.match(/=\?[^?]+\?[QB]\?[^?]*\?=/g)!) expect(w.length).toBeLessThanOrEqual(75);
    const m = parseMime(enc(field + "\r\n"));
    expect(getHeader(m, "subject")).toBe(s);
  });

  it("quoted display names lose their quotes when encoded; address stays plain", () => {
    const field = formatHeaderField("From", '"Jörg Müller" <j@example.org>');
    expect(field).toBe("From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <j@example.org>\r\n");
  });

  it("literal '=?' in text is encoded so it is not misread", () => {
    const v = encodeHeaderValue("a =?x?Q?y?= b");
    expect(decodeEncodedWords(v)).toBe("a =?x?Q?y?= b");
  });

  it("ASCII folding at whitespace keeps lines ≤ 78 and unfolds back", () => {
    const value = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const field = formatHeaderField("X-Long", value);
    const lines = field.slice(0, -2).split("\r\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(78);
    expect(getHeader(parseMime(enc(field + "\r\n")), "x-long")).toBe(value);
  });

  it("serializeHeaders writes raw binary values and no blank line", () => {
    const out = serializeHeaders([{ name: "Subject", value: "caf\xc3\xa9" }, { name: "X-Text", value: "€" }]);
    expect(bin(out)).toBe("Subject: caf\xc3\xa9\r\nX-Text: =?UTF-8?B?4oKs?=\r\n");
  });
});

describe("formatContentType and encoders", () => {
  it("quotes tspecials and uses RFC 2231 (with continuations) for non-ASCII", () => {
    expect(formatContentType({ type: "text", subtype: "plain", params: { charset: "utf-8", name: "a b.txt" } })).toBe('text/plain; charset=utf-8; name="a b.txt"');
    const long = "Übersicht ".repeat(12).trim() + ".pdf";
    const ct = formatContentType({ type: "application", subtype: "pdf", params: { name: long } });
    expect(ct).toMatch(/^application\/pdf; name\*0\*=utf-8''[^;]+; name\*1\*=/);
    expect(parseContentType(ct).params["name"]).toBe(long);
  });

  it("QP and base64 encoders round-trip all byte values", () => {
    const all = new Uint8Array(512);
    for (let i = 0; i < all.length; i++) all[i] = i & 0xff;
    const qp = encodeQuotedPrintable(all);
    assertWireSafe(qp, 76);
    expect(Array.from(decodeQuotedPrintable(qp))).toEqual(Array.from(all));
    expect(bin(encodeBase64Lines(enc("abcd")))).toBe("YWJjZA==\r\n");
    expect(encodeBase64Lines(new Uint8Array(0)).length).toBe(0);
    // Every line width, with and without a header section written before it.
    const data = new Uint8Array(1000).map((_, i) => (i * 37) & 0xff);
    const b64 = Buffer.from(data).toString("base64");
    for (const width of [4, 64, 76]) {
      const lines = b64.replace(new RegExp(`.{${width}}`, "g"), "$&\r\n").replace(/\r\n$/, "") + "\r\n";
      expect(bin(encodeBase64Lines(data, width))).toBe(lines);
      expect(bin(encodeBase64Lines(data, width, enc("Head: x\r\n\r\n")))).toBe(`Head: x\r\n\r\n${lines}`);
      // Given as pieces (cut anywhere, empty ones included): the same as the joined bytes.
      const pieces = [data.subarray(0, 1), new Uint8Array(0), data.subarray(1, 500), data.subarray(500, 502), data.subarray(502)];
      expect(bin(encodeBase64Lines(pieces, width))).toBe(lines);
    }
    // Larger than one block of lines the encoder works in (57 KiB), as pieces too.
    const big = new Uint8Array(200_003).map((_, i) => (i * 131 + (i >> 8)) & 0xff);
    const bigLines = Buffer.from(big).toString("base64").replace(/.{76}/g, "$&\r\n").replace(/\r\n$/, "") + "\r\n";
    expect(bin(encodeBase64Lines(big))).toBe(bigLines);
    expect(bin(encodeBase64Lines([big.subarray(0, 7), big.subarray(7, 100_000), big.subarray(100_000)]))).toBe(bigLines);
  });

  it("QP keeps whitespace at a line end by encoding it", () => {
    expect(bin(encodeQuotedPrintable(enc("a \r\nb\t")))).toBe("a=20\r\nb=09");
  });
});
