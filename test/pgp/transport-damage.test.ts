// The text an HTML body shows, and armor put back in shape: the pieces the inline-PGP repair
// stands on, including hostile input (these run on attacker-controlled bodies).
import { describe, expect, it } from "vitest";
import { htmlToText, repairArmor, repairCleartextArmor } from "../../src/core/pgp/transport-damage.js";
import { analyseAuthor } from "../../src/core/message/author.js";

describe("htmlToText", () => {
  it("breaks lines at block elements and <br>, drops hidden elements and comments, decodes entities", () => {
    const html = '<html><head><title>t</title><style>p{x:1}</style></head><body><!-- c --><div>a&#43;b&#x2F;c&#61;</div><p class=MsoNormal>d&nbsp;e<o:p></o:p></p>f<br>g &amp; &lt;h&gt;</body></html>';
    expect(htmlToText(html)).toBe("\na+b/c=\n\nd\xa0e\nf\ng & <h>");
  });
  it("returns null when the HTML shows something besides text", () => {
    for (const el of ['<img src="x">', "<svg></svg>", "<form><input></form>", '<iframe src="x">', "<o:img>"]) expect(htmlToText(`<p>text</p>${el}`), el).toBeNull();
  });
  it("keeps a lone '<' as text and an unclosed hidden element hides the rest", () => {
    expect(htmlToText("a < b")).toBe("a < b");
    expect(htmlToText("visible<style>hidden")).toBe("visible");
  });
  it("stays a forward scan on hostile input (megabytes of '<', unclosed <style>, runs of spaces)", () => {
    expect(htmlToText("<".repeat(2_000_000))).toBe("<".repeat(2_000_000));
    expect(htmlToText("<style>".repeat(300_000))).toBe("");
    expect(htmlToText(`<p>${" ".repeat(2_000_000)}x</p>`)).toBe(`\n${" ".repeat(2_000_000)}x\n`);
  });
});

describe("repairArmor / repairCleartextArmor", () => {
  it("removes NBSP and trailing spaces, restores the blank line after the headers, drops blank lines in the base64", () => {
    const damaged = "-----BEGIN PGP MESSAGE-----\xc2\xa0\r\nComment: x \r\nhQEM  \r\n\r\nabcd\r\n=XyZ1\r\n-----END PGP MESSAGE-----";
    expect(repairArmor(damaged)).toBe("-----BEGIN PGP MESSAGE-----\r\nComment: x\r\n\r\nhQEM\r\nabcd\r\n=XyZ1\r\n-----END PGP MESSAGE-----");
  });
  it("leaves the signed text of a clear-signed message exactly as it is", () => {
    const text = "-----BEGIN PGP SIGNED MESSAGE-----\xa0\nHash: SHA256\n\xc2\xa0\nPrice:\xc2\xa010 EUR  \n- -- dashed\n-----BEGIN PGP SIGNATURE----- \n\niQ==\n-----END PGP SIGNATURE-----";
    expect(repairCleartextArmor(text)).toBe(
      "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nPrice:\xc2\xa010 EUR  \r\n- -- dashed\r\n-----BEGIN PGP SIGNATURE-----\r\n\r\niQ==\r\n-----END PGP SIGNATURE-----",
    );
  });
});

describe("analyseAuthor on hostile input", () => {
  it("a display name of 200 KB without separators is judged at once", () => {
    const name = "a".repeat(200_000);
    const headers = [{ name: "From", value: `"${name}" <alice@example.org>` }];
    expect(analyseAuthor(headers)).toEqual({ address: "alice@example.org" });
    const fake = [{ name: "From", value: `"${name}@corp.example" <alice@example.org>` }];
    expect(analyseAuthor(fake).problem?.code).toBe("display-name-address");
  });
});
