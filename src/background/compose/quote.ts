/**
 * Replies and forwards of a message only Sealbird could decrypt: Thunderbird quoted what it
 * saw (ciphertext or nothing), so the composer gets the decrypted content instead, in the
 * shape Thunderbird gives a plain message (mailnews/compose nsMsgCompose.cpp, QuotingOutput):
 *   reply, HTML:  <div class="moz-cite-prefix">On …, X wrote:<br></div>
 *                 <blockquote type="cite"> text as <pre class="moz-quote-pre" wrap=""> | HTML </blockquote>
 *   reply, plain: the same line, then every line prefixed with "> "
 *   forward inline: "-------- Forwarded Message --------", a Subject/Date/From/To table
 *                 (moz-email-headers-table), then the content in a moz-forward-container.
 * HTML comes from the render model: already sanitised by the message pane's sanitiser.
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
  citeLine: string;
  forwardLine: string;
  labels: { subject: string; date: string; from: string; to: string; cc: string };
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function htmlOf(model: RenderModel): string {
  return model.blocks.map((b) => (b.kind === "text" ? `<pre class="moz-quote-pre" wrap="">${escapeHtml(b.text)}</pre>` : b.html)).join("\n");
}

/** HTML parts become text the way a plain-text composer quotes them: tags dropped, entities decoded. */
export function textOf(model: RenderModel): string {
  return model.blocks
    .map((b) => (b.kind === "text" ? b.text : new DOMParser().parseFromString(b.html, "text/html").body.textContent ?? ""))
    .join("\n")
    .replace(/\r\n/g, "\n");
}

export function replyBody(model: RenderModel, citeLine: string, html: boolean): string {
  if (!html) {
    const quoted = textOf(model)
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => (l.startsWith(">") ? `>${l}` : `> ${l}`).replace(/ $/, ""));
    return `\n${citeLine}\n${quoted.join("\n")}\n`;
  }
  return `<html><body><p><br></p><div class="moz-cite-prefix">${escapeHtml(citeLine)}<br></div><blockquote type="cite">${htmlOf(model)}</blockquote></body></html>`;
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
    return `\n\n${text.forwardLine}\n${rows.map(([k, v]) => `${k}: \t${v}`).join("\n")}\n\n${textOf(model)}`;
  }
  const table = rows
    .map(([k, v]) => `<tr><th valign="BASELINE" nowrap="nowrap" align="RIGHT">${escapeHtml(k)}: </th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  return (
    `<html><body><p><br></p><div class="moz-forward-container"><br><br>${escapeHtml(text.forwardLine)}` +
    `<table class="moz-email-headers-table" cellspacing="0" cellpadding="0" border="0"><tbody>${table}</tbody></table><br>` +
    `${htmlOf(model)}</div></body></html>`
  );
}
