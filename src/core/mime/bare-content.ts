/**
 * Content that a cryptographic layer holds but that is not a MIME entity: bare text inside
 * CMS (what `openssl cms -encrypt` / `-sign -nodetach` write without -text), the literal data
 * of an inline OpenPGP message. It is shown as a text/plain entity, as Thunderbird does
 * (mimecms.cpp adds a text/plain header when the content has no header section); bytes that
 * are not text become an application/octet-stream attachment.
 */
import { concatBytes, utf8 } from "../bytes.js";
import { encodeBase64Lines } from "../base64.js";
import { canonicalizeLineEndings } from "./canonicalize.js";

/** How far a header section is looked for; MIME parts have far shorter ones. */
const HEADER_SCAN = 64 * 1024;
const FIELD = /^[!-9;-~]+[ \t]*:/;

/**
 * True when `b` starts with a header section: an empty line first, or lines that are all
 * header fields (or their continuations) up to an empty line.
 */
export function startsWithHeaderSection(b: Uint8Array): boolean {
  if ((b[0] === 0x0d && b[1] === 0x0a) || b[0] === 0x0a) return true;
  const view = new TextDecoder("latin1").decode(b.subarray(0, HEADER_SCAN));
  const end = view.search(/\r?\n\r?\n/);
  if (end < 0) return false;
  const lines = view.slice(0, end).split(/\r?\n/);
  return FIELD.test(lines[0]!) && lines.every((l) => FIELD.test(l) || /^[ \t]/.test(l));
}

/** No control characters a text would not have (ESC is allowed: ISO-2022-JP uses it). */
export function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d && c !== 0x1b : c === 0x7f) return false;
  }
  return true;
}

function isUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

/** The charset of a bare text: UTF-8 when it decodes as such, else the sender's `declared` one, else windows-1252. */
export function textCharset(content: Uint8Array, declared = ""): string {
  if (isUtf8(content)) return "utf-8";
  const d = declared.toLowerCase();
  return d && d !== "us-ascii" && d !== "utf-8" ? d : "windows-1252";
}

/** A text/plain entity around `text` (CRLF line ends). */
export function textEntity(text: Uint8Array, charset: string): Uint8Array {
  const cs = /^[A-Za-z0-9._:-]+$/.test(charset) ? charset : "utf-8";
  const head = `Content-Type: text/plain; charset=${cs}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`;
  return concatBytes([utf8(head), canonicalizeLineEndings(text)]);
}

/** `content` itself when it is a MIME entity; otherwise a text/plain or application/octet-stream entity holding it. */
export function asMimeEntity(content: Uint8Array): Uint8Array {
  if (startsWithHeaderSection(content)) return content;
  if (looksLikeText(content)) return textEntity(content, textCharset(content));
  const head = 'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="content.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  return concatBytes([utf8(head), encodeBase64Lines(content)]);
}
