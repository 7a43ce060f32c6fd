// @vitest-environment jsdom
// Quoting decrypted mail the way Thunderbird quotes plain mail. The expected bodies are what
// Thunderbird 153 itself made for a reply/forward of the same message sent in clear (read from
// its composer in the e2e suite), so "the same as Thunderbird" is checked against Thunderbird.
import { describe, expect, it } from "vitest";
import { forwardBody, htmlText, replyBody, type QuoteText } from "../../src/background/compose/quote.js";
import type { RenderModel } from "../../src/core/render/render-model.js";

const TEXT: QuoteText = {
  citeLine: "On 11/23/26, 9:00 AM, Bob wrote:",
  forwardLine: "-------- Forwarded Message --------",
  labels: { subject: "Subject", date: "Date", from: "From", to: "To", cc: "CC" },
};
const plainModel: RenderModel = { blocks: [{ kind: "text", path: "1", text: "Line one TOKEN\r\n\r\n> already quoted\r\nLine three\r\n" }], attachments: [] };
const htmlModel: RenderModel = {
  blocks: [{ kind: "html", path: "1", html: "<p>Para <b>bold</b> HTOKEN</p><p>Second<br>line</p><ul><li>item</li></ul>\n" }],
  attachments: [],
};
/** What Thunderbird put into the composer for the encrypted original: its cite line, no quote. */
const TB_HTML = `<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body><p><br></p><div class="moz-cite-prefix">On 11/23/26 09:00, Bob wrote:<br></div></body></html>`;
const TB_PLAIN = { body: `<html><body><br><br><div class="moz-cite-prefix">On 11/23/26 09:00, Bob wrote:<br></div><br></body></html>`, plainTextBody: "\n\nOn 11/23/26 09:00, Bob wrote:\n" };

describe("reply", () => {
  it("HTML composer: Thunderbird's cite line kept, the quote nested per '>' level, cite=mid:", () => {
    const body = replyBody(plainModel, { body: TB_HTML }, TEXT, true, "plain1@x");
    const inner = new DOMParser().parseFromString(body, "text/html").body.innerHTML;
    expect(inner).toBe(
      '<p><br></p><div class="moz-cite-prefix">On 11/23/26 09:00, Bob wrote:<br></div><blockquote type="cite" cite="mid:plain1@x"><pre wrap="" class="moz-quote-pre">Line one TOKEN\n\n</pre>' +
        '<blockquote type="cite"><pre wrap="" class="moz-quote-pre">already quoted\n</pre></blockquote><pre wrap="" class="moz-quote-pre">Line three\n</pre></blockquote>',
    );
  });

  it("HTML composer: what Thunderbird quoted of the ciphertext is replaced, never kept next to the plaintext", () => {
    const tb = TB_HTML.replace("</div></body>", '</div><blockquote type="cite">-----BEGIN PGP MESSAGE-----</blockquote></body>');
    const body = replyBody(plainModel, { body: tb }, TEXT, true);
    expect(body).not.toContain("BEGIN PGP");
    expect(body.match(/moz-cite-prefix/g)).toHaveLength(1);
  });

  it("plain composer: the quote right after Thunderbird's cite line, '>>' for quoted lines", () => {
    expect(replyBody(plainModel, TB_PLAIN, TEXT, false)).toBe("\n\nOn 11/23/26 09:00, Bob wrote:\n> Line one TOKEN\n> \n>> already quoted\n> Line three\n\n");
    const withCipher = { ...TB_PLAIN, plainTextBody: `${TB_PLAIN.plainTextBody}> -----BEGIN PGP MESSAGE-----\n> hQEMA\n\n-- \nAlice\n` };
    expect(replyBody(plainModel, withCipher, TEXT, false)).toBe("\n\nOn 11/23/26 09:00, Bob wrote:\n> Line one TOKEN\n> \n>> already quoted\n> Line three\n\n\n-- \nAlice\n");
  });

  it("plain composer, HTML original: converted as Thunderbird does (*bold*, list items, the closing blank line)", () => {
    expect(replyBody(htmlModel, TB_PLAIN, TEXT, false)).toBe("\n\nOn 11/23/26 09:00, Bob wrote:\n> Para *bold* HTOKEN\n> \n> Second\n> line\n> \n>   * item\n> \n\n");
  });

  it("no cite line of Thunderbird's to keep: ours", () => {
    expect(replyBody(plainModel, {}, TEXT, false)).toMatch(/^\n\nOn 11\/23\/26, 9:00 AM, Bob wrote:\n> Line one TOKEN\n/);
    expect(replyBody(plainModel, {}, TEXT, true)).toContain('<div class="moz-cite-prefix">On 11/23/26, 9:00 AM, Bob wrote:<br></div><blockquote type="cite">');
  });
});

describe("forward inline", () => {
  const h = { subject: "Plain one", from: "Bob <bob@example.org>", to: "Alice <alice@example.org>", cc: "Carol <carol@example.org>", date: "Mon, 23 Nov 2026 09:00:00 +0000" };

  it("plain composer: 'Name: value' fields for a text message, the Date field as it is", () => {
    expect(forwardBody(plainModel, h, TEXT, false)).toBe(
      "\n\n\n-------- Forwarded Message --------\nSubject: Plain one\nDate: Mon, 23 Nov 2026 09:00:00 +0000\nFrom: Bob <bob@example.org>\nTo: Alice <alice@example.org>\nCC: Carol <carol@example.org>\n\nLine one TOKEN\n\n> already quoted\nLine three\n",
    );
  });

  it("plain composer, HTML message: the header table's text form and Thunderbird's spacing", () => {
    const { cc: _cc, ...noCc } = h;
    expect(forwardBody(htmlModel, { ...noCc, subject: "Html one" }, TEXT, false)).toBe(
      "\n\n\n-------- Forwarded Message --------\nSubject: \tHtml one\nDate: \tMon, 23 Nov 2026 09:00:00 +0000\nFrom: \tBob <bob@example.org>\nTo: \tAlice <alice@example.org>\n\n\n\nPara *bold* HTOKEN\n\nSecond\nline\n\n  * item\n\n",
    );
  });

  it("HTML composer: Thunderbird's forward container and header table", () => {
    const body = new DOMParser().parseFromString(forwardBody(plainModel, h, TEXT, true), "text/html").body.innerHTML;
    expect(body).toBe(
      '<p><br></p><div class="moz-forward-container"><br><br>-------- Forwarded Message --------<table cellpadding="0" cellspacing="0" border="0" class="moz-email-headers-table"><tbody>' +
        '<tr><th valign="BASELINE" align="RIGHT" nowrap="nowrap">Subject: </th><td>Plain one</td></tr><tr><th valign="BASELINE" align="RIGHT" nowrap="nowrap">Date: </th><td>Mon, 23 Nov 2026 09:00:00 +0000</td></tr>' +
        '<tr><th valign="BASELINE" align="RIGHT" nowrap="nowrap">From: </th><td>Bob &lt;bob@example.org&gt;</td></tr><tr><th valign="BASELINE" align="RIGHT" nowrap="nowrap">To: </th><td>Alice &lt;alice@example.org&gt;</td></tr>' +
        '<tr><th valign="BASELINE" align="RIGHT" nowrap="nowrap">CC: </th><td>Carol &lt;carol@example.org&gt;</td></tr></tbody></table>\n' +
        '<br><br>Line one TOKEN<br><br><blockquote type="cite"><pre wrap="" class="moz-quote-pre">already quoted<br></pre></blockquote>Line three<br></div>',
    );
  });
});

describe("htmlText", () => {
  it("collapses source whitespace, keeps <pre>, marks emphasis", () => {
    expect(htmlText("<div>one\n   two</div><pre>a  b\n c</pre><p><i>it</i> <u>u</u></p>")).toBe("one two\n\na  b\n c\n\n/it/ _u_\n\n");
  });
});
