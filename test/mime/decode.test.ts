import { describe, expect, it } from "vitest";
import { bin, codeOf, enc } from "./helpers.js";
import {
  decodeBase64,
  decodeBody,
  decodeEncodedWords,
  decodeQuotedPrintable,
  decodeText,
  findAddress,
  getFilename,
  getHeader,
  parseAddressList,
  parseContentDisposition,
  parseContentType,
  parseMime,
} from "../../src/core/mime/index.js";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("base64", () => {
  it("decodes across line breaks and whitespace", () => {
    expect(bin(decodeBase64(enc("SGVs\r\nbG8s\r\n IHdv\tcmxk\r\nIQ==\r\n")))).toBe("Hello, world!");
  });
  it("accepts missing padding", () => {
    expect(bin(decodeBase64(enc("SGVsbG8")))).toBe("Hello");
    expect(bin(decodeBase64(enc("SGVsbA")))).toBe("Hell");
  });
  it("resumes after padding in the middle (concatenated chunks)", () => {
    expect(bin(decodeBase64(enc("SGk=\r\nSGk=")))).toBe("HiHi");
  });
  it("reports characters outside the alphabet as mime-bad-encoding", () => {
    expect(codeOf(() => decodeBase64(enc("SGVs*bG8=")))).toBe("mime-bad-encoding");
    expect(codeOf(() => decodeBase64(enc("SGVsbG8-")))).toBe("mime-bad-encoding");
    // A single trailing sextet cannot hold a byte: data was lost.
    expect(codeOf(() => decodeBase64(enc("SGVsb")))).toBe("mime-bad-encoding");
  });
  it("decodeBody of an entity with bad base64 → mime-bad-encoding", () => {
    const m = parseMime(enc("Content-Transfer-Encoding: base64\r\n\r\nnot base64!\r\n"));
    expect(codeOf(() => decodeBody(m))).toBe("mime-bad-encoding");
  });
  it("decodes 25 MB of line-wrapped base64", () => {
    const size = 25 * 1024 * 1024;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >>> 8)) & 0xff;
    // Node's own encoder as an independent reference (test code only).
    const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64").replace(/.{76}/g, "$&\r\n");
    const msg = Buffer.concat([Buffer.from("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"), Buffer.from(b64)]);
    const out = decodeBody(parseMime(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)));
    expect(out.length).toBe(size);
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
  });
});

describe("base64 where Uint8Array.fromBase64 exists (Gecko)", () => {
  // A stand-in with the standard's loose behaviour: ASCII whitespace skipped, padding only at
  // the end, anything else a SyntaxError. Node 20 has no fromBase64 of its own.
  const U8 = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array };
  let calls = 0;
  const install = () => {
    calls = 0;
    U8.fromBase64 = (str: string) => {
      calls++;
      const s = str.replace(/[\t\n\f\r ]/g, "");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw new SyntaxError("bad base64");
      return new Uint8Array(Buffer.from(s, "base64"));
    };
  };
  const big = randomBytesOf(9000);
  const wrapped = (b: Uint8Array) => (Buffer.from(b).toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");

  it("uses it for large bodies, with the same result", () => {
    install();
    try {
      expect(Buffer.from(decodeBase64(enc(wrapped(big))))).toEqual(Buffer.from(big));
      expect(calls).toBe(1);
    } finally {
      delete U8.fromBase64;
    }
  });
  it("falls back to the table decoder for what it refuses: padding mid-stream, stray bytes", () => {
    install();
    try {
      const twice = wrapped(big.subarray(0, 4001)) + "\r\n" + wrapped(big.subarray(4001));
      expect(Buffer.from(decodeBase64(enc(twice)))).toEqual(Buffer.from(big));
      expect(codeOf(() => decodeBase64(enc(wrapped(big) + "*")))).toBe("mime-bad-encoding");
      expect(calls).toBe(2);
    } finally {
      delete U8.fromBase64;
    }
  });
});

function randomBytesOf(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 2654435761) >>> 24;
  return b;
}

describe("quoted-printable", () => {
  it("decodes =XX, soft line breaks and =3D", () => {
    expect(bin(decodeQuotedPrintable(enc("a=3Db =C3=A9t=\r\n=C3=A9 long=\r\nline\r\nnext")))).toBe("a=b \xc3\xa9t\xc3\xa9 longline\r\nnext");
  });
  it("drops trailing whitespace before a hard break, keeps it before a soft one", () => {
    expect(bin(decodeQuotedPrintable(enc("end   \r\nsoft \t=\r\nx")))).toBe("end\r\nsoft \tx");
  });
  it("accepts lowercase hex, whitespace after a soft break marker, and keeps a stray =", () => {
    expect(bin(decodeQuotedPrintable(enc("=c3=a9 a= \r\nb 1=2 =")))).toBe("\xc3\xa9 ab 1=2 ");
  });
  it("decodeText applies the charset", () => {
    const m = parseMime(latin1("Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe=\r\n!"));
    expect(decodeText(m)).toBe("Grüße!");
  });
});

describe("decodeText charsets", () => {
  it("windows-1252 8bit body", () => {
    const m = parseMime(latin1("Content-Type: text/plain; charset=\"windows-1252\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\x80 \x93q\x94"));
    expect(decodeText(m)).toBe("€ “q”");
  });
  it("unknown charset falls back to UTF-8 with replacement, no throw", () => {
    const m = parseMime(latin1("Content-Type: text/plain; charset=x-no-such\r\n\r\nok \xc3\xa9 \xff"));
    expect(decodeText(m)).toBe("ok é \ufffd");
  });
  it("no charset: us-ascii read as UTF-8", () => {
    expect(decodeText(parseMime(latin1("\r\n\xc3\xa9")))).toBe("é");
  });
});

describe("RFC 2047 header decoding", () => {
  it("Q and B encodings", () => {
    expect(decodeEncodedWords("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=")).toBe("Grüße aus Köln");
    expect(decodeEncodedWords("=?utf-8?B?R3LDvMOfZQ==?=")).toBe("Grüße");
  });
  it("mixed charsets and plain text around encoded words", () => {
    expect(decodeEncodedWords("Re: =?iso-8859-1?q?=E4rger?= und =?windows-1252?Q?=80?= sowie =?ISO-8859-15?B?pA==?= ok")).toBe("Re: ärger und € sowie € ok");
  });
  it("whitespace between adjacent encoded words is dropped, elsewhere kept", () => {
    expect(decodeEncodedWords("=?UTF-8?Q?a?= =?UTF-8?Q?b?=")).toBe("ab");
    expect(decodeEncodedWords("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=")).toBe("ab");
    expect(decodeEncodedWords("=?UTF-8?Q?a_?= =?UTF-8?Q?b?=")).toBe("a b");
    expect(decodeEncodedWords("=?UTF-8?Q?a?= x =?UTF-8?Q?b?=")).toBe("a x b");
    expect(decodeEncodedWords("=?UTF-8?Q?a?= =?ISO-8859-1?Q?=E9?=")).toBe("aé");
  });
  it("joins a multi-byte character split across two words", () => {
    expect(decodeEncodedWords("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=")).toBe("€");
  });
  it("language suffix and malformed words", () => {
    expect(decodeEncodedWords("=?utf-8*de?Q?Hallo?=")).toBe("Hallo");
    expect(decodeEncodedWords("=?utf-8?B?***?= stays")).toBe("=?utf-8?B?***?= stays");
  });
  it("getHeader decodes folded encoded words and raw UTF-8 / Latin-1 header bytes", () => {
    const m = parseMime(latin1("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n =?UTF-8?Q?_aus_Bonn?=\r\nX-Raw: caf\xc3\xa9\r\nX-Old: caf\xe9\r\n\r\n"));
    expect(getHeader(m, "subject")).toBe("Grüße aus Bonn");
    expect(getHeader(m, "x-raw")).toBe("café");
    expect(getHeader(m, "x-old")).toBe("café");
    expect(getHeader(m, "x-missing")).toBeUndefined();
  });
});

describe("Content-Type, Content-Disposition and RFC 2231", () => {
  it("parses type, quoted and unquoted params, comments", () => {
    expect(parseContentType('Text/HTML (comment); Charset="UTF-8"; format=flowed ;delsp=yes')).toEqual({
      type: "text",
      subtype: "html",
      params: { charset: "UTF-8", format: "flowed", delsp: "yes" },
    });
    expect(parseContentType('multipart/mixed; boundary="a\\"b;c"')).toEqual({ type: "multipart", subtype: "mixed", params: { boundary: 'a"b;c' } });
  });
  it("garbage type defaults to text/plain", () => {
    expect(parseContentType("garbage")).toEqual({ type: "text", subtype: "plain", params: { charset: "us-ascii" } });
    expect(parseContentType("")).toEqual({ type: "text", subtype: "plain", params: { charset: "us-ascii" } });
  });
  it("RFC 2231 continuations with charset", () => {
    const cd = parseContentDisposition(`attachment; filename*0*=utf-8'de'Gr%C3%BC%C3%9F; filename*1*=e%20aus; filename*2=" Bonn.txt"`);
    expect(cd).toEqual({ type: "attachment", params: { filename: "Grüße aus Bonn.txt" } });
    expect(parseContentType("application/x-stuff; title*=iso-8859-1''%E4rger").params["title"]).toBe("ärger");
    expect(parseContentType('application/x-stuff; title*1="B"; title*0="A"').params["title"]).toBe("AB");
  });
  it("extended value wins over the plain one", () => {
    expect(parseContentDisposition(`attachment; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC.txt`).params["filename"]).toBe("€.txt");
  });
  it("getFilename: disposition first, then Content-Type name, RFC 2047 in quotes", () => {
    const m = parseMime(enc('Content-Type: application/pdf; name="=?UTF-8?B?w6RyZ2VyLnBkZg==?="\r\n\r\nx'));
    expect(getFilename(m)).toBe("ärger.pdf");
    const m2 = parseMime(enc('Content-Type: application/pdf; name="ct.pdf"\r\nContent-Disposition: attachment;\r\n filename*=utf-8\'\'%C3%B6.pdf\r\n\r\nx'));
    expect(getFilename(m2)).toBe("ö.pdf");
    expect(getFilename(parseMime(enc("Content-Type: text/plain\r\n\r\nx")))).toBeUndefined();
  });
});

describe("addresses", () => {
  it("findAddress takes the addr-spec of the first mailbox, domain lowercased", () => {
    expect(findAddress("Alice Example <Alice@Example.ORG>")).toBe("Alice@example.org");
    expect(findAddress("bob@EXAMPLE.com")).toBe("bob@example.com");
    expect(findAddress('"Doe, John" <john@x.example>, other@y.example')).toBe("john@x.example");
    expect(findAddress('"evil@attacker.example" <real@good.example>')).toBe("real@good.example");
    expect(findAddress("carol@c.example (Carol)")).toBe("carol@c.example");
    expect(findAddress("undisclosed-recipients:;")).toBeUndefined();
    expect(findAddress("")).toBeUndefined();
  });
  it("tolerates a decoded display name with an unquoted comma", () => {
    expect(findAddress("Müller, Hans <hans@m.example>")).toBe("hans@m.example");
    expect(parseAddressList("Müller, Hans <hans@m.example>")).toEqual([{ name: "Müller, Hans", address: "hans@m.example" }]);
  });
  it("parseAddressList handles groups, encoded names and comments", () => {
    expect(parseAddressList('Team: a@x.example, "B" <b@y.example>;, =?UTF-8?Q?J=C3=B6rg?= <j@z.example>, (c) c@w.example')).toEqual([
      { address: "a@x.example" },
      { name: "B", address: "b@y.example" },
      { name: "Jörg", address: "j@z.example" },
      { name: "c", address: "c@w.example" },
    ]);
  });
});
