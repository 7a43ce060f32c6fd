/**
 * Reading a parsed entity: decoded header values, decoded body bytes and text, filename.
 */
import { decodeCharset, decodeRawHeaderText } from "./charset.js";
import { parseContentDisposition } from "./content-type.js";
import type { MimeEntity } from "./entity.js";
import { decodeEncodedWords } from "./rfc2047.js";
import { decodeBase64 } from "../base64.js";
import { decodeQuotedPrintable } from "./transfer-encoding.js";

/** A raw header value as display text: 8-bit bytes decoded, RFC 2047 words decoded. */
export function decodeHeaderValue(raw: string): string {
  return decodeEncodedWords(decodeRawHeaderText(raw));
}

/** First field named `name` (case-insensitive), decoded to text; undefined when absent. */
export function getHeader(entity: MimeEntity, name: string): string | undefined {
  const n = name.toLowerCase();
  const f = entity.headers.find((h) => h.name.toLowerCase() === n);
  return f ? decodeHeaderValue(f.value) : undefined;
}

/** Every field named `name`, in order, decoded to text. */
export function getHeaders(entity: MimeEntity, name: string): string[] {
  const n = name.toLowerCase();
  return entity.headers.filter((h) => h.name.toLowerCase() === n).map((h) => decodeHeaderValue(h.value));
}

/**
 * The body with its Content-Transfer-Encoding removed. For 7bit/8bit/binary (and encodings we
 * do not know, such as x-uuencode, which callers then see as opaque data) this is `entity.body`
 * itself, not a copy: do not write to it.
 */
export function decodeBody(entity: MimeEntity): Uint8Array {
  switch (entity.transferEncoding) {
    case "base64":
      return decodeBase64(entity.body);
    case "quoted-printable":
      return decodeQuotedPrintable(entity.body);
    default:
      return entity.body;
  }
}

/** decodeBody, then the charset parameter; unknown charsets read as UTF-8 with U+FFFD. */
export function decodeText(entity: MimeEntity): string {
  return decodeCharset(decodeBody(entity), entity.contentType.params["charset"]);
}

/**
 * Content-Disposition filename, else Content-Type name. RFC 2231 values come decoded from the
 * parameter parser; RFC 2047 inside a quoted value is not standard but is what Outlook and
 * Thunderbird send, so it is decoded too. Path components are NOT removed: callers that write
 * files must sanitise.
 */
export function getFilename(entity: MimeEntity): string | undefined {
  const cd = entity.headers.find((h) => h.name.toLowerCase() === "content-disposition");
  let name: string | undefined;
  if (cd) name = parseContentDisposition(decodeRawHeaderText(cd.value)).params["filename"];
  if (!name) name = entity.contentType.params["name"];
  if (!name) return undefined;
  return decodeEncodedWords(name);
}
