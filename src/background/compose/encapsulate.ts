/**
 * From what Thunderbird streams into our nsIMsgComposeSecure (the outer header fields it
 * wrote, and the inner MIME entity) to the protected entity that follows those fields:
 * protected header copies inside (RFC 9788, real Subject), then S/MIME or PGP/MIME.
 */
import { concatBytes, fromBinaryString } from "../../core/bytes.js";
import { SealbirdError } from "../../core/errors.js";
import type { Keyring } from "../../core/keyring/keyring.js";
import { parseMime } from "../../core/mime/index.js";
import { encodeHeaderWords } from "../../core/mime/rfc2047.js";
import { pgpWriter } from "../../core/message/pgp-adapter.js";
import type { EntityBytes, LayerWriter } from "../../core/message/protect.js";
import { protectedEntityPieces } from "../../core/message/protected-headers.js";
import { smimeWriter } from "../../core/message/smime-adapter.js";
import { parsePrivateKeys } from "../../core/pgp/context.js";
import type { Technology } from "./types.js";

/** What the experiment hands over (see src/experiments/compose-secure). */
export interface EncapsulateRequest {
  id: number;
  msgType: number;
  isDraft: boolean;
  /** A save (draft), not a send: set by the experiment from the compose command. */
  saveOnly?: boolean;
  sign: boolean;
  encrypt: boolean;
  /** compFields.from (header form). */
  from: string;
  identityEmail: string;
  /** To, Cc, Bcc joined with "," (header form). */
  recipients: string;
  /** The top-level header fields Thunderbird wrote outside (Bcc excluded), CRLF lines. */
  headers: string;
  /** The real Subject (the outer one is "[...]" when encrypting). */
  subject: string;
  /** The inner entity: Content-Type…, blank line, body. */
  entity: Uint8Array;
}

export interface Decision {
  technology: Technology;
  sign: boolean;
  encrypt: boolean;
  from: string;
  /** Encrypt to these (the sender is added here, so the Sent copy stays readable). */
  to: string[];
  /** OpenPGP message password for recipients without a key. */
  password?: string;
}

/**
 * The inner entity with protected header copies (real Subject), ready to sign/encrypt, as its
 * header section and body (the writers take pieces: no copy of a large message); `extra`
 * fields go inside only.
 */
export function innerWithProtectedHeaders(req: Pick<EncapsulateRequest, "headers" | "subject" | "entity">, encrypt: boolean, extra: { name: string; value: string }[] = []): EntityBytes {
  const headers = req.headers.endsWith("\r\n") || req.headers === "" ? req.headers : `${req.headers}\r\n`;
  const message = parseMime(concatBytes([fromBinaryString(headers), req.entity]));
  const subject = message.headers.find((f) => f.name.toLowerCase() === "subject");
  if (req.subject) {
    // Header values are binary strings; the encoded-word form is ASCII.
    const value = encodeHeaderWords(req.subject);
    if (subject) subject.value = value;
    else message.headers.push({ name: "Subject", value } as (typeof message.headers)[number]);
  }
  return protectedEntityPieces(message, encrypt ? "cipher" : "clear", extra);
}

export async function writerFor(ring: Keyring, d: Decision): Promise<LayerWriter> {
  const everyone = unique([...d.to, d.from]);
  if (d.technology === "smime") {
    if (d.password) throw new SealbirdError("usage", "Password-protected messages are OpenPGP only.");
    const signer = d.sign ? await ring.smimeSigner(d.from) : undefined;
    const recipients = d.encrypt ? await ring.smimeRecipients(everyone) : [];
    return smimeWriter(signer, recipients);
  }
  const signer = d.sign ? (await parsePrivateKeys(await ring.pgpSecretFor(d.from)))[0] : undefined;
  let recipients: string[] = [];
  if (d.encrypt && d.password) {
    // Keyless recipients get the password; whoever has a key (and the sender) keeps using it.
    for (const e of everyone) recipients.push(...(await ring.pgpPublicFor([e]).catch(() => [])));
  } else if (d.encrypt) {
    recipients = await ring.pgpPublicFor(everyone);
  }
  return pgpWriter(signer, recipients, d.password ? [d.password] : []);
}

export async function protectEntity(ring: Keyring, req: EncapsulateRequest, d: Decision): Promise<Uint8Array> {
  if (!d.sign && !d.encrypt) throw new SealbirdError("usage", "Nothing to do: neither sign nor encrypt.");
  const writer = await writerFor(ring, d);
  // Autocrypt-Gossip (OpenPGP, several recipients): inside the encryption, never outside.
  const gossip = d.encrypt && d.technology === "openpgp" ? await ring.pgpGossip(d.to, d.from) : [];
  const inner = innerWithProtectedHeaders(req, d.encrypt, gossip);
  return d.encrypt ? writer.encrypt(inner, { signed: d.sign }) : writer.sign(inner);
}

export function unique(xs: string[]): string[] {
  return [...new Set(xs.map((x) => x.trim().toLowerCase()).filter(Boolean))];
}
