/**
 * Replies and forwards of a message only Sealbird could decrypt: Thunderbird quoted what it
 * saw (its cite line and an empty or ciphertext quote; for a forward nothing), so the composer
 * gets the decrypted content instead, in the shape Thunderbird gives a plain message. Compared
 * in the e2e suite against Thunderbird's own reply/forward of the same plain message:
 *   reply:   Thunderbird's own body is kept (its cite line "On …, X wrote:" as its settings and
 *            locale make it, its reply-on-top spacing); our quote goes right after the
 *            div.moz-cite-prefix, replacing whatever Thunderbird quoted there:
 *            HTML composer:  <blockquote type="cite" cite="mid:…"> text as
 *                            <pre wrap="" class="moz-quote-pre">, each ">" level one more
 *                            nested blockquote, HTML parts as they are (sanitised) </blockquote>
 *            plain composer: "> " before every line (">>" for already quoted ones), HTML parts
 *                            as text the way Thunderbird's converter writes them (*bold*, "  * ")
 *   forward: "-------- Forwarded Message --------" and Subject, Date (the Date field as it is),
 *            From, To, CC; in an HTML composer as the moz-email-headers-table inside
 *            div.moz-forward-container, in a plain one as "Name: value" lines.
 * HTML comes from the render model: already sanitised by the message pane's sanitiser. The
 * background's DOMParser documents are inert (nothing runs or loads).
 */
import type { RenderModel } from "../../core/render/render-model.js";

export interface QuoteHeaders {
  subject: string;
  from: string;
  to: string;
  cc?: string;
  /** As it appears in the Date header. */
  date: string;
}

export interface QuoteText {
  /** Ours, when Thunderbird's body has no cite line to keep. */
  citeLine: string;
  forwardLine: string;
  labels: { subject: string; date: string; from: string; to: string; cc: string };
}

/** What Thunderbird put into the composer before we replace the quote. */
export interface ThunderbirdBody {
  body?: string;
  plainTextBody?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const linesOf = (text: string): string[] => text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");

/** Quote depth of a line (">", "> >", ">>") and the line without its markers, as Thunderbird reads it. */
function depthOf(line: string): [number, string] {
  const m = /^((?:> ?)*)(.*)$/.exec(line)!;
  return [(m[1]!.match(/>/g) ?? []).length, m[2]!];
}

/**
 * Plain text as Thunderbird's HTML shows it: runs of one quote level in
 * <pre wrap="" class="moz-quote-pre">, every level a nested <blockquote type="cite">. In a
 * forward, unquoted lines are plain text with <br> (as Thunderbird forwards a text message).
 */
function textHtml(text: string, forward: boolean): string {
  let out = "";
  let depth = 0;
  let run: string[] = [];
  const flush = (): void => {
    if (!run.length) return;
    out +=
      forward && depth === 0
        ? run.map((l) => `${escapeHtml(l)}<br>`).join("")
        : `<pre wrap="" class="moz-quote-pre">${run.map(escapeHtml).join(forward ? "<br>" : "\n")}${forward ? "<br>" : "\n"}</pre>`;
    run = [];
  };
  for (const line of linesOf(text)) {
    const [d, rest] = depthOf(line);
    if (d !== depth) {
      flush();
      for (; depth < d; depth++) out += '<blockquote type="cite">';
      for (; depth > d; depth--) out += "</blockquote>";
    }
    run.push(rest);
  }
  flush();
  for (; depth > 0; depth--) out += "</blockquote>";
  return out;
}

function htmlOf(model: RenderModel, forward: boolean): string {
  return model.blocks.map((b) => (b.kind === "text" ? textHtml(b.text, forward) : b.html)).join("\n");
}

const BLOCKS = new Set(["P", "DIV", "H1", "H2", "H3", "H4", "H5", "H6", "UL", "OL", "BLOCKQUOTE", "PRE", "TABLE", "TR", "HR", "DL"]);
const PARAGRAPHS = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "UL", "OL", "BLOCKQUOTE", "PRE", "TABLE", "DL"]);
const MARKS: Record<string, string> = { B: "*", STRONG: "*", I: "/", EM: "/", U: "_" };

/**
 * An HTML part as text the way Thunderbird's plain-text converter writes it for quoting:
 * paragraphs apart by a blank line, <br> a line end, *bold*, /italic/, _underline_, list items
 * as "  * ". Elements of the sanitised model only (no scripts, no styles).
 */
export function htmlText(html: string): string {
  const doc = new DOMParser().parseFromString(html, "text/html");
  let out = "";
  const walk = (node: Node, pre: boolean): void => {
    if (node.nodeType === 3) {
      // Spaces of <pre> are kept through the tidying below (as \uE001).
      out += pre ? (node.textContent ?? "").replace(/[ \t]/g, "\uE001") : (node.textContent ?? "").replace(/\s+/g, " ");
      return;
    }
    if (node.nodeType !== 1) return;
    const tag = (node as Element).tagName.toUpperCase();
    if (tag === "BR") {
      out += "\n";
      return;
    }
    if (tag === "STYLE" || tag === "SCRIPT" || tag === "HEAD") return;
    const block = BLOCKS.has(tag);
    if (block) out += PARAGRAPHS.has(tag) ? "\n\n" : "\n";
    if (tag === "LI") out += "\n\uE000"; // the item marker, after whitespace is tidied
    const mark = MARKS[tag] ?? "";
    out += mark;
    for (const child of node.childNodes) walk(child, pre || tag === "PRE");
    out += mark;
    if (block) out += PARAGRAPHS.has(tag) ? "\n\n" : "\n";
  };
  walk(doc.body, false);
  return out
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n[ \t]+/g, "\n")
    .replace(/\uE000[ \t]*/g, "  * ")
    .replace(/\uE001/g, " ")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+/, "")
    // A closing block keeps its blank line (Thunderbird quotes it as a last "> ").
    .replace(/([^\n])$/, "$1\n");
}

/** The decrypted content as text, HTML parts converted: what a plain-text composer quotes. */
export function textOf(model: RenderModel): string {
  return model.blocks.map((b) => (b.kind === "text" ? b.text.replace(/\r\n/g, "\n") : htmlText(b.html))).join("\n");
}

function quotedLines(model: RenderModel): string {
  return linesOf(textOf(model))
    .map((l) => (l.startsWith(">") ? `>${l}` : `> ${l}`))
    .join("\n");
}

/** The Message-ID for the blockquote's cite attribute, as Thunderbird writes it ("mid:" + escaped id). */
function citeOf(messageId: string | undefined): string {
  if (!messageId) return "";
  const id = messageId.replace(/^<|>$/g, "").replace(/[^\w.@!$&'()*+,;=:~-]/g, (c) => encodeURIComponent(c));
  return ` cite="mid:${escapeHtml(id)}"`;
}

function parse(html: string | undefined): Document | null {
  if (!html) return null;
  const doc = new DOMParser().parseFromString(html, "text/html");
  return doc.querySelector(".moz-cite-prefix") ? doc : null;
}

const serialise = (doc: Document): string => `<!DOCTYPE html>\n${doc.documentElement.outerHTML}`;

/**
 * The reply's body: Thunderbird's own with its cite line, our quote after it. `html`: the
 * composer edits HTML (the body field) or plain text (plainTextBody).
 */
export function replyBody(model: RenderModel, tb: ThunderbirdBody, text: QuoteText, html: boolean, messageId?: string): string {
  const doc = parse(tb.body);
  const prefix = doc?.querySelector(".moz-cite-prefix");
  const cite = prefix?.textContent?.trim() || text.citeLine;
  if (!html) {
    const quoted = `${quotedLines(model)}\n`;
    const own = tb.plainTextBody ?? "";
    const at = prefix ? own.indexOf(cite) : -1;
    if (at < 0) return `\n\n${cite}\n${quoted}\n`;
    const lineEnd = own.indexOf("\n", at);
    const head = lineEnd < 0 ? `${own}\n` : own.slice(0, lineEnd + 1);
    // Whatever Thunderbird quoted of the encrypted message ("> " lines) is dropped.
    const rest = (lineEnd < 0 ? "" : own.slice(lineEnd + 1)).replace(/^(?:>[^\n]*(?:\n|$))+/, "");
    return `${head}${quoted}\n${rest}`;
  }
  const quote = `<blockquote type="cite"${citeOf(messageId)}>${htmlOf(model, false)}</blockquote>`;
  if (!doc || !prefix) {
    return `<html><body><p><br></p><div class="moz-cite-prefix">${escapeHtml(cite)}<br></div>${quote}</body></html>`;
  }
  // Thunderbird's own quote of the encrypted message (empty, ciphertext or a failure text) goes.
  for (let n = prefix.nextSibling; n && (n.nodeName === "BLOCKQUOTE" || (n.nodeType === 3 && !n.textContent?.trim())); ) {
    const next = n.nextSibling;
    n.parentNode?.removeChild(n);
    n = next;
  }
  const parsed = new DOMParser().parseFromString(`<!DOCTYPE html><body>${quote}</body>`, "text/html").body.firstChild;
  if (parsed) prefix.after(doc.importNode(parsed, true));
  return serialise(doc);
}

export function forwardBody(model: RenderModel, h: QuoteHeaders, text: QuoteText, html: boolean): string {
  const rows: Array<[string, string]> = [
    [text.labels.subject, h.subject],
    [text.labels.date, h.date],
    [text.labels.from, h.from],
    [text.labels.to, h.to],
  ];
  if (h.cc) rows.push([text.labels.cc, h.cc]);
  if (!html) {
    // Thunderbird writes a text message's fields as "Name: value", an HTML message's (its
    // header table, converted) as "Name: <tab>value" followed by two more empty lines.
    const fromHtml = model.blocks.some((b) => b.kind === "html");
    const fields = rows.map(([k, v]) => `${k}${fromHtml ? ": \t" : ": "}${v}`).join("\n");
    return `\n\n\n${text.forwardLine}\n${fields}\n\n${fromHtml ? "\n\n" : ""}${textOf(model)}`;
  }
  const table = rows
    .map(([k, v]) => `<tr><th valign="BASELINE" align="RIGHT" nowrap="nowrap">${escapeHtml(k)}: </th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  return (
    `<html><body><p><br></p><div class="moz-forward-container"><br><br>${escapeHtml(text.forwardLine)}` +
    `<table cellpadding="0" cellspacing="0" border="0" class="moz-email-headers-table"><tbody>${table}</tbody></table>\n<br><br>` +
    `${htmlOf(model, true)}</div></body></html>`
  );
}
