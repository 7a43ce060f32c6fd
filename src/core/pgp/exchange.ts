/**
 * Microsoft Exchange and Outlook.com rewrite a PGP/MIME message (RFC 3156) into
 * multipart/mixed: an empty text/plain part, the application/pgp-encrypted control part and
 * the encrypted data as an application/octet-stream attachment "encrypted.asc". Thunderbird
 * (MimeTree.isBrokenByExchange, fixExchangeMsg.sys.mjs) and Enigmail repair that shape; so do
 * we, but only that exact shape: anything else stays an attachment that is not decrypted.
 */
import type { MimeEntity } from "../mime/entity.js";
import { decodeBody, getFilename } from "../mime/index.js";
import type { StatusReason } from "../status/message-status.js";
import { binaryString } from "./transfer.js";

export interface ExchangeParts {
  control: MimeEntity;
  payload: MimeEntity;
}

export const EXCHANGE_REPAIR: StatusReason = {
  code: "exchange-pgp-mime",
  message: "The PGP/MIME message was rewritten in transit (as Microsoft Exchange does) into a multipart/mixed message; it was read as the original PGP/MIME message.",
};

/** Largest body of the first two parts; the real ones are a few bytes. */
const MAX_SMALL_PART = 4096;

/** What senders put before the parts of multipart/encrypted, which Exchange may turn into the text part. */
const PREAMBLE = /^This is an OpenPGP\/MIME encrypted message \(RFC (?:2440|4880|9580) and 3156\)$/;

function type(e: MimeEntity): string {
  return `${e.contentType.type}/${e.contentType.subtype}`;
}

function smallText(e: MimeEntity): string | undefined {
  if (e.body.length > MAX_SMALL_PART) return undefined;
  try {
    return binaryString(decodeBody(e)).replace(/\xC2\xA0|\xA0/g, " ").trim();
  } catch {
    return undefined;
  }
}

/** The control and payload parts when `e` is exactly Exchange's rewrite of a PGP/MIME message. */
export function exchangeParts(e: MimeEntity): ExchangeParts | null {
  if (type(e) !== "multipart/mixed" || e.children.length !== 3) return null;
  const [text, control, payload] = e.children as [MimeEntity, MimeEntity, MimeEntity];
  if (type(text) !== "text/plain" || type(control) !== "application/pgp-encrypted" || type(payload) !== "application/octet-stream") return null;
  const note = smallText(text);
  if (note === undefined || (note !== "" && !PREAMBLE.test(note))) return null;
  if (!/^Version:[ \t]*1$/i.test(smallText(control) ?? "")) return null;
  if (getFilename(payload)?.trim().toLowerCase() !== "encrypted.asc") return null;
  return { control, payload };
}
