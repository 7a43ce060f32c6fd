/**
 * Sanitising decrypted HTML before it is shown (EFAIL-safe rendering).
 *
 * DOMPurify removes scripts and event handlers; on top of it this policy removes everything
 * that can make the message pane load a URL by itself: only `data:` images and `cid:`
 * references resolved to `data:` survive in any URL-bearing attribute; <a href> keeps http(s)
 * and mailto because following a link needs a click; <style>, <base>, <meta>, <link>, frames,
 * objects, forms, `srcset`, `background`, and any inline style that could fetch (url(),
 * @import, image-set, escapes that could hide them) are dropped.
 *
 * The engine has no DOM: the caller passes a DOMPurify instance bound to a window (the
 * background page in Thunderbird, jsdom in tests).
 */
import type { DOMPurify, Config } from "dompurify";

/** Resolves a `cid:` reference to a `data:` URL of an image part of the same message. */
export type CidResolver = (contentId: string) => string | undefined;

const FORBID_TAGS = [
  "script", "style", "base", "meta", "link", "iframe", "frame", "frameset", "object", "embed", "applet",
  "form", "input", "button", "textarea", "select", "option", "portal", "noscript", "template", "audio", "video",
  "source", "track", "picture", "math",
];

const FORBID_ATTR = ["srcset", "background", "action", "formaction", "ping", "poster", "lowsrc", "dynsrc", "longdesc", "manifest", "xmlns:xlink", "imagesrcset", "codebase", "archive"];

/** Attributes whose value a browser may fetch or navigate to. */
const URL_ATTRS = new Set(["src", "href", "xlink:href", "cite", "data", "usemap", "profile", "classid"]);

const DANGEROUS_CSS = /url\s*\(|@import|image-set|expression\s*\(|\\|behavior\s*:|-moz-binding|src\s*:/i;

const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|jpg|webp|bmp);base64,[a-z0-9+/=\s]*$/i;

export function sanitizeHtml(html: string, purify: DOMPurify, resolveCid: CidResolver = () => undefined): string {
  const config: Config = {
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    WHOLE_DOCUMENT: false,
    RETURN_TRUSTED_TYPE: false,
    USE_PROFILES: { html: true },
  };
  purify.addHook("uponSanitizeAttribute", (node, data) => {
    const name = data.attrName.toLowerCase();
    if (name === "style") {
      if (DANGEROUS_CSS.test(data.attrValue)) data.keepAttr = false;
      return;
    }
    if (!URL_ATTRS.has(name)) return;
    const value = data.attrValue.trim();
    const isLink = node.nodeName.toLowerCase() === "a" && name === "href";
    if (isLink && /^(https?:|mailto:)/i.test(value)) return;
    if (/^cid:/i.test(value)) {
      const resolved = resolveCid(value.slice(4).replace(/^<|>$/g, ""));
      if (resolved && SAFE_DATA_IMAGE.test(resolved)) {
        data.attrValue = resolved;
        return;
      }
      data.keepAttr = false;
      return;
    }
    if (name === "src" && SAFE_DATA_IMAGE.test(value)) return;
    data.keepAttr = false;
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName.toLowerCase() === "a" && node.getAttribute("href")) {
      node.setAttribute("rel", "noopener noreferrer");
      node.setAttribute("target", "_blank");
    }
  });
  try {
    return String(purify.sanitize(html, config));
  } finally {
    purify.removeAllHooks();
  }
}
