/**
 * Inline PGP as it arrives after mail systems touched it, and how it is undone before the
 * strict shape check of ./inline.ts runs:
 *
 *  - Outlook and webmail turn the text into HTML: each line in a <div> or <p>, <br> between
 *    lines, entities (&nbsp;, &#43;). `htmlToText` gives the text a reader sees, and says when
 *    the HTML holds anything besides text (an image, a form, an embedded object): such a body
 *    is never "exactly one armored block".
 *  - Spaces become non-breaking spaces (U+00A0; =C2=A0 in quoted-printable UTF-8, =A0 in
 *    Latin-1) and lines gain trailing spaces. Armor is ASCII without spaces in its base64, so
 *    `repairArmor` may remove them there, and only there: the text of a clear-signed message is
 *    signed content and is never touched.
 *
 * Both work on byte-preserving binary strings (one char per byte), like the rest of the engine.
 */

/** Elements whose content is not shown: dropped with what they hold. */
const HIDDEN = new Set(["head", "style", "script", "title", "template"]);
/** Elements that show something other than text: their presence makes the body not only text. */
const NON_TEXT = new Set(["img", "image", "object", "embed", "iframe", "frame", "video", "audio", "svg", "canvas", "input", "button", "select", "textarea", "form", "math", "picture", "source", "meter", "progress"]);
/** Elements that start a new line. */
const BREAKS = new Set(["br", "div", "p", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "thead", "tbody", "ul", "ol", "dl", "dt", "dd", "section", "article", "header", "footer", "center", "hr"]);
const NAMED: Record<string, number> = { nbsp: 0xa0, lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22, apos: 0x27, equals: 0x3d, plus: 0x2b, sol: 0x2f, colon: 0x3a, hyphen: 0x2d, dash: 0x2d };

const encoder = new TextEncoder();

/** A code point as UTF-8 bytes in a binary string. */
function utf8Chars(cp: number): string {
  return String.fromCharCode(...encoder.encode(String.fromCodePoint(cp)));
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (all, ref: string) => {
    let cp: number | undefined;
    if (ref[0] === "#") cp = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    else cp = NAMED[ref.toLowerCase()];
    if (cp === undefined || !Number.isFinite(cp) || cp > 0x10ffff) return all;
    // NBSP stays one byte here, like Latin-1 text: repairArmor treats both forms alike.
    return cp < 0x100 ? String.fromCharCode(cp) : utf8Chars(cp);
  });
}

/**
 * The text an HTML body shows, line by line; null when it also shows something that is not
 * text. `html` is a binary string. A single forward scan (indexOf only): the input is
 * attacker-controlled and may be large, so no pattern here may backtrack.
 */
export function htmlToText(html: string): string | null {
  const lower = html.toLowerCase();
  const out: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    if (lower.startsWith("<!--", lt)) {
      const end = lower.indexOf("-->", lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const gt = html.indexOf(">", lt + 1);
    if (gt < 0) {
      out.push(html.slice(lt)); // a lone "<" is text
      break;
    }
    const name = /^\/?([a-z][a-z0-9:-]*)/.exec(lower.slice(lt + 1, Math.min(gt, lt + 40)))?.[1];
    i = gt + 1;
    if (!name) continue;
    // Office namespaces (<o:p>, <v:imagedata>): only what they show counts, never a line break.
    if (NON_TEXT.has(name.replace(/^[a-z]+:/, "")) || name === "v:imagedata") return null;
    if (HIDDEN.has(name) && lower[lt + 1] !== "/") {
      const close = lower.indexOf(`</${name}`, i);
      i = close < 0 ? html.length : Math.max(i, lower.indexOf(">", close) + 1 || html.length);
      continue;
    }
    if (BREAKS.has(name)) out.push("\n");
  }
  return decodeEntities(out.join("")).replace(/\r\n?/g, "\n");
}

const NBSP = /\xC2\xA0|\xA0/g;
const ARMOR_HEADER = /^[A-Za-z][A-Za-z0-9-]*: /;

/**
 * One armored block (BEGIN line to END line, nothing around it) put back in the shape RFC 9580
 * section 6 gives it: no non-breaking or trailing spaces, one empty line after the armor
 * headers (restored when an HTML conversion lost it), no empty lines inside the base64.
 */
export function repairArmor(armored: string): string {
  const lines = armored.replace(NBSP, " ").split(/\r\n|\n|\r/).map((l) => l.trim());
  const out: string[] = [];
  let i = 0;
  out.push(lines[i++] ?? "");
  while (i < lines.length && ARMOR_HEADER.test(lines[i]!)) out.push(lines[i++]!);
  out.push("");
  for (; i < lines.length; i++) if (lines[i] !== "") out.push(lines[i]!);
  return out.join("\r\n");
}

const SIGNATURE_BEGIN = "-----BEGIN PGP SIGNATURE-----";

/**
 * A clear-signed message (RFC 9580 7) with its armor lines repaired — the BEGIN line, the Hash
 * headers and the blank line after them, and the signature block — and the signed text
 * between them exactly as it arrived.
 */
export function repairCleartextArmor(text: string): string {
  const lines = text.split(/\r\n|\n|\r/);
  const clean = (l: string): string => l.replace(NBSP, " ").trim();
  const out: string[] = [clean(lines[0] ?? "")];
  let i = 1;
  for (; i < lines.length && clean(lines[i]!) !== ""; i++) out.push(clean(lines[i]!));
  if (i < lines.length) {
    out.push("");
    i++;
  }
  let sig = i;
  while (sig < lines.length && clean(lines[sig]!) !== SIGNATURE_BEGIN) sig++;
  out.push(...lines.slice(i, sig));
  if (sig < lines.length) out.push(repairArmor(lines.slice(sig).join("\r\n")));
  return out.join("\r\n");
}
