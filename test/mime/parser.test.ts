import { describe, expect, it } from "vitest";
import { SealbirdError } from "../../src/core/errors.js";
import { bin, codeOf, enc } from "./helpers.js";
import { canonicalizeLineEndings, decodeBody, decodeText, getHeader, getHeaders, parseMime } from "../../src/core/mime/index.js";


describe("canonicalizeLineEndings", () => {
  it("returns the same array when already CRLF", () => {
    const b = enc("a\r\nb\r\n\r\nc");
    expect(canonicalizeLineEndings(b)).toBe(b);
  });
  it("turns LF, lone CR and mixed endings into CRLF", () => {
    expect(bin(canonicalizeLineEndings(enc("a\nb\r\nc\rd\r\r\ne\n")))).toBe("a\r\nb\r\nc\r\nd\r\n\r\ne\r\n");
  });
  it("handles a CR at the very end and an empty input", () => {
    expect(bin(canonicalizeLineEndings(enc("x\r")))).toBe("x\r\n");
    expect(canonicalizeLineEndings(new Uint8Array(0)).length).toBe(0);
  });
});

describe("parseMime: multipart/signed with LF-only input", () => {
  const lf = [
    "From: Alice <alice@example.org>",
    "Subject: signed",
    "MIME-Version: 1.0",
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature";',
    '\tmicalg=sha-256; boundary="----=_sig_1"',
    "",
    "This is an S/MIME signed message",
    "",
    "------=_sig_1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    "Hello",
    "",
    "------=_sig_1",
    "Content-Type: application/pkcs7-signature; name=smime.p7s",
    "Content-Transfer-Encoding: base64",
    "",
    "AAEC",
    "",
    "------=_sig_1--",
    "",
  ].join("\n");

  it("canonicalises and gives the first part's exact signed bytes", () => {
    const top = parseMime(enc(lf));
    expect(top.contentType).toEqual({
      type: "multipart",
      subtype: "signed",
      params: { protocol: "application/pkcs7-signature", micalg: "sha-256", boundary: "----=_sig_1" },
    });
    expect(top.children.map((c) => c.path)).toEqual(["1", "2"]);
    const signed = top.children[0]!;
    // The blank line after "Hello" is content; the CRLF before "------=_sig_1" is the delimiter's.
    expect(bin(signed.raw)).toBe("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello\r\n");
    expect(bin(signed.headerBytes)).toBe("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
    expect(bin(signed.body)).toBe("Hello\r\n");
    const sig = top.children[1]!;
    expect(sig.transferEncoding).toBe("base64");
    expect(Array.from(decodeBody(sig))).toEqual([0, 1, 2]);
    expect(getHeader(top, "subject")).toBe("signed");
  });

  it("every byte field is a view of one canonical buffer", () => {
    const top = parseMime(enc(lf));
    const signed = top.children[0]!;
    expect(signed.raw.buffer).toBe(top.raw.buffer);
    expect(signed.raw.byteOffset - top.raw.byteOffset).toBe(bin(top.raw).indexOf("Content-Type: text/plain"));
    expect(signed.body.byteOffset).toBe(signed.raw.byteOffset + signed.headerBytes.length);
  });

  it("keeps the exact bytes of an already-CRLF message without copying", () => {
    const crlf = enc(lf.replace(/\n/g, "\r\n"));
    const top = parseMime(crlf);
    expect(top.raw.buffer).toBe(crlf.buffer);
    expect(top.raw.length).toBe(crlf.length);
    expect(top.children[0]!.raw.byteOffset).toBe(bin(crlf).indexOf("Content-Type: text/plain"));
  });
});

describe("parseMime: structure", () => {
  const nested = [
    "Content-Type: multipart/mixed; boundary=outer",
    "",
    "preamble",
    "--outer",
    "Content-Type: multipart/alternative; boundary=\"inner\"",
    "",
    "--inner",
    "Content-Type: text/plain",
    "",
    "plain",
    "--inner",
    "Content-Type: text/html",
    "",
    "<p>html</p>",
    "--inner--",
    "",
    "--outer",
    "Content-Type: message/rfc822",
    "",
    "Subject: forwarded",
    "Content-Type: multipart/mixed; boundary=fw",
    "",
    "--fw",
    "",
    "no headers here",
    "--fw--",
    "",
    "--outer",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    "3q2+7w==",
    "--outer--",
    "epilogue",
  ].join("\r\n");

  it("numbers nested parts like IMAP and parses message/rfc822 as one child", () => {
    const top = parseMime(enc(nested));
    const paths: string[] = [];
    const walk = (e: typeof top) => {
      paths.push(`${e.path}:${e.contentType.type}/${e.contentType.subtype}`);
      e.children.forEach(walk);
    };
    walk(top);
    expect(paths).toEqual([
      ":multipart/mixed",
      "1:multipart/alternative",
      "1.1:text/plain",
      "1.2:text/html",
      "2:message/rfc822",
      "2.1:multipart/mixed",
      "2.1.1:text/plain",
      "3:application/octet-stream",
    ]);
    const alt = top.children[0]!;
    expect(decodeText(alt.children[0]!)).toBe("plain");
    expect(decodeText(alt.children[1]!)).toBe("<p>html</p>");
    const fwd = top.children[1]!.children[0]!;
    expect(getHeader(fwd, "Subject")).toBe("forwarded");
    const headerless = fwd.children[0]!;
    expect(headerless.headers).toEqual([]);
    expect(bin(headerless.headerBytes)).toBe("\r\n");
    expect(headerless.contentType).toEqual({ type: "text", subtype: "plain", params: { charset: "us-ascii" } });
    expect(bin(headerless.body)).toBe("no headers here");
    expect(Array.from(decodeBody(top.children[2]!))).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it("a signed part ending in blank lines keeps them; only the delimiter's CRLF is excluded", () => {
    const m = parseMime(enc("Content-Type: multipart/signed; boundary=s\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\nbody\r\n\r\n\r\n--s\r\n\r\nsig\r\n--s-- trailing words\r\nepilogue --s\r\n"));
    expect(bin(m.children[0]!.raw)).toBe("Content-Type: text/plain\r\n\r\nbody\r\n\r\n");
    expect(m.children.length).toBe(2);
    expect(bin(m.children[1]!.body)).toBe("sig");
  });

  it("8bit message/rfc822 is parsed with raw UTF-8 headers", () => {
    const m = parseMime(enc("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\nSubject: Grüße\r\n\r\nInhalt"));
    expect(m.children.length).toBe(1);
    expect(m.children[0]!.path).toBe("1");
    expect(getHeader(m.children[0]!, "subject")).toBe("Grüße");
    expect(decodeText(m.children[0]!)).toBe("Inhalt");
  });

  it("does not parse a base64-encoded message/rfc822 (its bytes are not in the message)", () => {
    const m = parseMime(enc("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQp4\r\n"));
    expect(m.children).toEqual([]);
  });

  it("multipart/digest parts default to message/rfc822", () => {
    const m = parseMime(enc("Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody\r\n--d--\r\n"));
    expect(m.children[0]!.contentType.type).toBe("message");
    expect(getHeader(m.children[0]!.children[0]!, "subject")).toBe("one");
    expect(m.children[0]!.children[0]!.path).toBe("1.1");
  });

  it("tolerates a missing close delimiter: the last part runs to the end", () => {
    const m = parseMime(enc("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\nstill two"));
    expect(m.children.map((c) => bin(c.body))).toEqual(["one", "two\r\nstill two"]);
  });

  it("does not take a longer boundary-prefixed line as a delimiter", () => {
    const m = parseMime(enc("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--bx is text\r\n--b--\r\n"));
    expect(m.children.map((c) => bin(c.body))).toEqual(["--bx is text"]);
  });

  it("accepts whitespace after a delimiter and keeps empty parts", () => {
    const m = parseMime(enc("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t\r\n--b\r\nX-A: 1\r\n\r\nz\r\n--b--"));
    expect(m.children.length).toBe(2);
    expect(m.children[0]!.raw.length).toBe(0);
    expect(getHeader(m.children[1]!, "x-a")).toBe("1");
  });

  it("unfolds headers, keeps repeated fields in order, skips lines without a colon", () => {
    const m = parseMime(enc("From nobody Mon Jan  1 00:00:00 2024\r\nReceived: a\r\nX-Long: one\r\n two\r\n\tthree\r\ngarbage line\r\nReceived: b\r\nSubject : spaced\r\n\r\nbody"));
    expect(getHeaders(m, "received")).toEqual(["a", "b"]);
    expect(getHeader(m, "x-long")).toBe("one two\tthree");
    expect(getHeader(m, "subject")).toBe("spaced");
    expect(m.headers.map((h) => h.name)).toEqual(["Received", "X-Long", "Received", "Subject"]);
    expect(bin(m.body)).toBe("body");
  });
});

describe("parseMime: malformed input and limits", () => {
  it("truncated headers: no blank line gives headers only and an empty body", () => {
    const m = parseMime(enc("From: a@example.org\r\nSubject: cut"));
    expect(getHeader(m, "subject")).toBe("cut");
    expect(m.body.length).toBe(0);
    expect(m.headerBytes.length).toBe(m.raw.length);
  });

  it("content with no header-like first line and no blank line is all body", () => {
    const m = parseMime(enc("just some text\r\nmore"));
    expect(m.headers).toEqual([]);
    expect(bin(m.body)).toBe("just some text\r\nmore");
  });

  it("multipart without a boundary parameter → mime-boundary-missing", () => {
    expect(codeOf(() => parseMime(enc("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\na\r\n--x--\r\n")))).toBe("mime-boundary-missing");
  });

  it("multipart whose boundary never appears → mime-boundary-missing", () => {
    expect(codeOf(() => parseMime(enc("Content-Type: multipart/mixed; boundary=zzz\r\n\r\n--x\r\n\r\na\r\n")))).toBe("mime-boundary-missing");
  });

  it("1000-deep nesting → mime-too-deep, quickly and without a stack overflow", () => {
    let s = "";
    for (let i = 0; i < 1000; i++) s += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    s += "\r\nleaf\r\n";
    for (let i = 999; i >= 0; i--) s += `--b${i}--\r\n`;
    const t0 = performance.now();
    expect(codeOf(() => parseMime(enc(s)))).toBe("mime-too-deep");
    // Generous bound: only guards against pathological (exponential, or stack-unwinding) behaviour.
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(codeOf(() => parseMime(enc(s), { maxDepth: 5000, maxParts: 5000 }))).toBeUndefined();
  });

  it("message/rfc822 nesting counts towards the depth limit", () => {
    let s = "";
    for (let i = 0; i < 5; i++) s += "Content-Type: message/rfc822\r\n\r\n";
    s += "Subject: deep\r\n\r\nx";
    expect(codeOf(() => parseMime(enc(s), { maxDepth: 4 }))).toBe("mime-too-deep");
    let e = parseMime(enc(s), { maxDepth: 5 });
    for (let i = 0; i < 5; i++) e = e.children[0]!;
    expect(e.path).toBe("1.1.1.1.1");
    expect(getHeader(e, "subject")).toBe("deep");
  });

  it("too many parts → mime-too-many-parts", () => {
    let s = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (let i = 0; i < 50; i++) s += `--b\r\n\r\npart ${i}\r\n`;
    s += "--b--\r\n";
    expect(codeOf(() => parseMime(enc(s), { maxParts: 20 }))).toBe("mime-too-many-parts");
    expect(parseMime(enc(s), { maxParts: 51 }).children.length).toBe(50);
  });

  it("too large → input-too-large; oversized header section → input-too-large", () => {
    expect(codeOf(() => parseMime(new Uint8Array(1001), { maxBytes: 1000 }))).toBe("input-too-large");
    const big = "X-Big: " + "a".repeat(2000) + "\r\n\r\nbody";
    expect(codeOf(() => parseMime(enc(big), { maxHeaderBytes: 1000 }))).toBe("input-too-large");
  });

  it("random garbage never throws an untyped error", () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = ["\r\n", "\n", "--b", "--b--", ":", "Content-Type: multipart/mixed; boundary=b", "Content-Type: message/rfc822", "\r\n\r\n", "x", "\u00ff", "=?utf-8?B?", "Content-Transfer-Encoding: base64"];
    for (let n = 0; n < 300; n++) {
      let s = "";
      const len = Math.floor(rnd() * 40);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      const code = codeOf(() => {
        const m = parseMime(enc(s));
        const visit = (e: typeof m): void => {
          getHeader(e, "subject");
          try {
            decodeText(e);
          } catch (err) {
            if (!(err instanceof SealbirdError)) throw err;
          }
          e.children.forEach(visit);
        };
        visit(m);
      });
      if (code !== undefined) expect(code).toMatch(/^(mime-|input-too-large)/);
    }
  });
});
