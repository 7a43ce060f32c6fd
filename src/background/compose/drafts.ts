/**
 * Reopening a draft that Sealbird stored encrypted (to the sender): Thunderbird cannot read it,
 * so after decrypting it with the keystore we put the real Subject, the text and the
 * attachments back into the composer.
 */
import { decodeBody, decodeText, getFilename, getHeader } from "../../core/mime/index.js";
import type { MimeEntity } from "../../core/mime/index.js";

export interface DraftContent {
  text?: string;
  html?: string;
  /** The text part is format=flowed (RFC 3676). */
  flowed?: boolean;
  attachments: Array<{ name: string; type: string; bytes: Uint8Array }>;
}

/** Is this raw message (its header section) S/MIME enveloped or PGP/MIME encrypted? */
export function isEncryptedMessage(raw: Uint8Array): boolean {
  const head = new TextDecoder("latin1").decode(raw.subarray(0, Math.min(raw.length, 65536)));
  const end = head.search(/\r?\n\r?\n/);
  const section = end >= 0 ? head.slice(0, end) : head;
  return /^content-type:\s*(multipart\/encrypted|application\/(x-)?pkcs7-mime)/im.test(section.replace(/\r?\n[ \t]+/g, " "));
}

export function draftContent(view: MimeEntity): DraftContent {
  const out: DraftContent = { attachments: [] };
  const walk = (e: MimeEntity): void => {
    const { type, subtype } = e.contentType;
    if (type === "multipart") {
      for (const c of e.children) walk(c);
      return;
    }
    const disposition = (getHeader(e, "content-disposition") ?? "").toLowerCase();
    const name = getFilename(e);
    if (disposition.startsWith("attachment") || (name && !(type === "text" && !disposition))) {
      out.attachments.push({ name: name ?? "attachment", type: `${type}/${subtype}`, bytes: decodeBody(e) });
    } else if (type === "text" && subtype === "plain" && out.text === undefined) {
      out.text = decodeText(e);
      out.flowed = (e.contentType.params["format"] ?? "").toLowerCase() === "flowed";
    } else if (type === "text" && subtype === "html" && out.html === undefined) {
      out.html = decodeText(e);
    } else {
      out.attachments.push({ name: name ?? `part.${subtype}`, type: `${type}/${subtype}`, bytes: decodeBody(e) });
    }
  };
  walk(view);
  return out;
}

/** Undo format=flowed soft breaks (RFC 3676) so the composer gets the paragraphs back. */
export function unflow(text: string, flowed: boolean): string {
  if (!flowed) return text;
  return text.replace(/ \r?\n(?!-- \r?\n)/g, " ").replace(/\r\n/g, "\n");
}
