/**
 * Recognising an OpenPGP entity without opening it (the message layer asks this of every
 * entity it meets): PGP/MIME, the Exchange rewrite, inline blocks and Outlook's alternatives
 * of one. Kept apart from the engine that opens one (./open.ts, openpgp.js), which is loaded
 * only when a message has an OpenPGP layer.
 */
import type { LayerKind } from "../message/layer.js";
import type { MimeEntity } from "../mime/entity.js";
import type { StatusReason } from "../status/message-status.js";
import { exchangeParts } from "./exchange.js";
import { inlineShape, type InlineShape } from "./inline.js";
import { binaryString, decodedBody } from "./transfer.js";
import { htmlToText, repairArmor, repairCleartextArmor } from "./transport-damage.js";

export function mimeType(e: MimeEntity): string {
  return `${e.contentType.type}/${e.contentType.subtype}`;
}

function protocolParam(e: MimeEntity): string {
  return (e.contentType.params["protocol"] ?? "").trim().toLowerCase();
}

/** Text bodies scanned for inline PGP (larger ones are attachments in all but name). */
const MAX_INLINE_SCAN = 32 * 1024 * 1024;

function inlineText(e: MimeEntity): string | null {
  const t = mimeType(e);
  if (t !== "text/plain" && t !== "text/html") return null;
  if (e.body.length > MAX_INLINE_SCAN) return null;
  try {
    return binaryString(decodedBody(e));
  } catch {
    return null;
  }
}

export interface InlineBody {
  shape: NonNullable<InlineShape>;
  repairs: StatusReason[];
}

const NBSP = /\xC2\xA0|\xA0/g;

const REPAIR_HTML: StatusReason = {
  code: "armor-in-html",
  message: "The armored OpenPGP block arrived wrapped in HTML (as Outlook sends it); it was read from the text the HTML shows.",
};
const REPAIR_WHITESPACE: StatusReason = {
  code: "armor-whitespace",
  message: "The armored OpenPGP block was damaged in transit (non-breaking or trailing spaces, lost blank line); the damage was undone before reading it.",
};

/**
 * The inline-PGP reading of a text body: its shape (./inline.ts) judged on the text a reader
 * sees, with non-breaking spaces counted as spaces so damaged armor lines still count as
 * armor lines. Null when the body has no armored block.
 */
export function readInline(e: MimeEntity): InlineBody | null {
  const raw = inlineText(e);
  if (raw === null || !raw.includes("-----BEGIN PGP ")) return null;
  const repairs: StatusReason[] = [];
  let text: string | null = raw;
  if (mimeType(e) === "text/html") {
    text = htmlToText(raw);
    if (text === null) {
      // The HTML also shows images, forms or objects: never "exactly one block".
      return { shape: { kind: "partial", encrypted: raw.includes("-----BEGIN PGP MESSAGE-----"), signed: raw.includes("-----BEGIN PGP SIGNED MESSAGE-----") }, repairs };
    }
  }
  // The shape is judged with damaged armor lines counted as armor lines: non-breaking spaces
  // as spaces, and the spaces a transport adds around a line ignored.
  const lines = text.split(/\r\n|\n|\r/);
  const probeLines = lines.map((l) => l.replace(NBSP, " ").trim());
  const shape = inlineShape(probeLines.join("\n"));
  if (!shape) return null;
  if (shape.kind !== "partial" && mimeType(e) === "text/html") repairs.push(REPAIR_HTML);
  if (shape.kind === "message") {
    const armored = repairArmor(shape.armored);
    const damaged = probeLines.some((l, i) => l !== lines[i]) || armored !== shape.armored.split(/\r\n|\n|\r/).join("\r\n");
    if (damaged) repairs.push(REPAIR_WHITESPACE);
    return { shape: { kind: "message", armored }, repairs };
  }
  if (shape.kind === "cleartext") {
    // The signed text itself is content: only the armor lines around it are repaired.
    const repaired = repairCleartextArmor(text.trim());
    if (repaired !== text.trim()) repairs.push(REPAIR_WHITESPACE);
    return { shape: { kind: "cleartext", text: repaired }, repairs };
  }
  return { shape, repairs };
}

/**
 * Outlook sends inline PGP as multipart/alternative: the armored block as text/plain and again
 * as HTML. It is one layer when every alternative is exactly one armored message and all of
 * them are the same block; the text/plain one (else the first) is read.
 */
export function alternativeInline(entity: MimeEntity): InlineBody | null {
  const alternatives = entity.children;
  if (alternatives.length === 0 || alternatives.length > 4) return null;
  let chosen: InlineBody | null = null;
  let armor: string | undefined;
  for (const a of alternatives) {
    const t = mimeType(a);
    if (t !== "text/plain" && t !== "text/html") return null;
    const inline = readInline(a);
    if (inline?.shape.kind !== "message") return null;
    if (armor !== undefined && inline.shape.armored !== armor) return null;
    armor = inline.shape.armored;
    if (!chosen || t === "text/plain") chosen = inline;
  }
  return chosen;
}

/** The Exchange / Outlook.com rewrite of a PGP/MIME message is only a layer in its exact shape. */
export function detectPgp(entity: MimeEntity): LayerKind | null {
  const t = mimeType(entity);
  if (t === "multipart/encrypted" && protocolParam(entity) === "application/pgp-encrypted") return "encrypted";
  if (t === "multipart/signed" && protocolParam(entity) === "application/pgp-signature") return "signed";
  if (t === "multipart/mixed") return exchangeParts(entity) ? "encrypted" : null;
  if (t === "multipart/alternative") return alternativeInline(entity) ? "encrypted" : null;
  const inline = readInline(entity);
  if (!inline) return null;
  const { shape } = inline;
  if (shape.kind === "message") return "encrypted";
  if (shape.kind === "cleartext") return "signed";
  return shape.encrypted ? "encrypted" : "signed";
}

/** An inline armored block that is only part of its text body (informational, never a layer). */
export function isPartialPgp(entity: MimeEntity): boolean {
  const t = mimeType(entity);
  if (t !== "text/plain" && t !== "text/html") return false;
  return readInline(entity)?.shape.kind === "partial";
}
