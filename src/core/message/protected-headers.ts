/**
 * Protected headers (RFC 9788, "Header Protection for Cryptographically Protected E-mail"),
 * and the older `protected-headers="v1"` form that Thunderbird and Enigmail wrote.
 *
 * Writing: the real header fields go into the header section of the entity that is signed
 * and/or encrypted; when encrypting, the outer Subject is replaced by "[...]".
 * Reading: header fields inside a credited layer are used only when the inner Content-Type
 * carries one of the markers, so an ordinary MIME part's stray "Subject:" is never trusted.
 */
import { fromBinaryString } from "../bytes.js";
import { foldHeaderValue, getHeader } from "../mime/index.js";
import type { MimeEntity } from "../mime/entity.js";
import type { MessageStatus } from "../status/message-status.js";

/** Header fields copied into the protected entity. Transport-only fields (Received...) stay outside. */
const PROTECTED_FIELDS = ["from", "to", "cc", "reply-to", "subject", "date", "message-id", "in-reply-to", "references", "followup-to", "mail-followup-to"];

/** The placeholder RFC 9788 recommends for an obscured Subject. */
export const OBSCURED_SUBJECT = "[...]";

export function readProtectedHeaders(entity: MimeEntity): MessageStatus["protectedHeaders"] | undefined {
  const { params } = entity.contentType;
  const marked = params["hp"] === "cipher" || params["hp"] === "clear" || params["protected-headers"] === "v1";
  if (!marked) return undefined;
  const out: NonNullable<MessageStatus["protectedHeaders"]> = {};
  for (const key of ["subject", "from", "to", "cc", "date"] as const) {
    const v = getHeader(entity, key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export interface SplitMessage {
  /** Header fields of the message that are not about the content (From, To, Received...). */
  messageFields: { name: string; value: string }[];
  /** The content entity: Content-* fields, blank line, body — exact bytes, CRLF. */
  contentEntity: Uint8Array;
}

function isContentField(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith("content-") || n === "mime-version";
}

/**
 * Builds the entity that gets signed/encrypted: the message's content fields (Content-Type
 * gaining the hp marker) plus copies of the protected message fields, then the body bytes.
 * `extra` fields belong only inside (Autocrypt-Gossip: who else got the message, and their keys).
 * Returned as its header section and the message's body (a view, not a copy).
 */
export function protectedEntityPieces(message: MimeEntity, mode: "cipher" | "clear", extra: readonly { name: string; value: string }[] = []): [Uint8Array, Uint8Array] {
  const lines: string[] = [];
  let sawContentType = false;
  for (const f of message.headers) {
    if (!isContentField(f.name) || f.name.toLowerCase() === "mime-version") continue;
    if (f.name.toLowerCase() === "content-type") {
      sawContentType = true;
      // protected-headers="v1" keeps Thunderbird < RFC 9788 and Enigmail-era readers showing the real Subject.
      lines.push(`Content-Type: ${stripHpParams(f.value)}; hp="${mode}"; protected-headers="v1"`);
    } else {
      lines.push(`${f.name}: ${f.value}`);
    }
  }
  if (!sawContentType) lines.unshift(`Content-Type: text/plain; charset=us-ascii; hp="${mode}"; protected-headers="v1"`);
  for (const f of message.headers) {
    if (PROTECTED_FIELDS.includes(f.name.toLowerCase())) lines.push(`${f.name}: ${f.value}`);
  }
  for (const f of extra) lines.push(`${f.name}: ${f.value}`);
  // Values are binary strings (bytes as char codes): 8-bit header bytes survive unchanged.
  const head = fromBinaryString(lines.map(foldIfLong).join("\r\n") + "\r\n\r\n");
  return [head, message.body];
}

/** The outer header section: every non-content field, with the Subject obscured when encrypting. */
export function outerHeaderFields(message: MimeEntity, obscureSubject: boolean): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const f of message.headers) {
    if (isContentField(f.name)) continue;
    if (obscureSubject && f.name.toLowerCase() === "subject") out.push({ name: f.name, value: OBSCURED_SUBJECT });
    else out.push({ name: f.name, value: f.value });
  }
  if (obscureSubject && !out.some((f) => f.name.toLowerCase() === "subject")) out.push({ name: "Subject", value: OBSCURED_SUBJECT });
  out.push({ name: "MIME-Version", value: "1.0" });
  return out;
}

function stripHpParams(contentType: string): string {
  return contentType.replace(/;\s*(hp|protected-headers)\s*=\s*("[^"]*"|[^;\s]*)/gi, "").trim();
}

/**
 * Header values are copied as parsed (unfolded binary strings). A line within RFC 5322's 998
 * limit is written as it was; a longer one must be folded, and is folded like the MIME
 * builder's own fields (at spaces and tabs only: a 0xA0 byte inside UTF-8 is not a fold point).
 */
function foldIfLong(line: string): string {
  return line.length <= 998 ? line : foldHeaderValue(line);
}

export function headerFieldsToBytes(fields: { name: string; value: string }[]): Uint8Array {
  return fromBinaryString(fields.map((f) => foldIfLong(`${f.name}: ${f.value}`)).join("\r\n") + "\r\n");
}

