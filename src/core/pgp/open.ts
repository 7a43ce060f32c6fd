/**
 * The OpenPGP layer as the message layer sees it (../message/layer.ts): recognise a PGP/MIME
 * (RFC 3156) or inline-PGP entity and open ONE layer of it. Failures are reported in the
 * result with typed codes, never thrown.
 *
 * Kinds of entity:
 *  - multipart/encrypted; protocol="application/pgp-encrypted"  → encrypted (maybe also signed)
 *  - multipart/signed; protocol="application/pgp-signature"     → signed, over children[0].raw
 *  - text/plain or text/html that is exactly one armored block  → encrypted / signed (inline),
 *    after undoing the damage mail systems do to armor (./transport-damage.ts)
 *  - text/plain or text/html with an armored block among other text → reported in `nested`
 *    only; nothing decrypted, no `inner`, no credited status (see ./inline.ts).
 *  - multipart/mixed in exactly the shape Exchange rewrites PGP/MIME into (./exchange.ts)
 *    → encrypted, opened as the PGP/MIME message it was, with a repair note.
 *  - multipart/alternative whose every alternative is the same one armored message (Outlook)
 *    → encrypted (inline).
 */
import { createMessage, readSignature, type LiteralDataPacket, type SignaturePacket } from "openpgp";
import { fromBinaryString } from "../bytes.js";
import { textCharset, textEntity } from "../mime/bare-content.js";
import { SealbirdError, isSealbirdError } from "../errors.js";
import type { LayerKind, LayerResult, OpenOptions } from "../message/layer.js";
import type { MimeEntity } from "../mime/entity.js";
import { failedEncryption as failedStatus, type EncryptionStatus, type NestedStatus, type SignatureStatus, type StatusReason } from "../status/message-status.js";
import { READ_CONFIG } from "./config.js";
import { loadContext, type LoadedContext, type PgpContext } from "./context.js";
import { exchangeParts, EXCHANGE_REPAIR } from "./exchange.js";
import { inlineShape, parseCleartext, type InlineShape } from "./inline.js";
import { openPgpMessage, type OpenedPgpMessage } from "./message.js";
import { asciiView, binaryString, dearmorMessage, decodedBody, toCrlf } from "./transfer.js";
import { htmlToText, repairArmor, repairCleartextArmor } from "./transport-damage.js";
import { judgeSignatures, type JudgeOptions } from "./verify.js";

export interface PgpOpenOptions extends OpenOptions {
  /** Passwords to try on SKESK (password-encrypted) messages, e.g. entered by the user. */
  passwords?: string[];
}

export type PgpLayerResult = LayerResult & {
  /** "pgp-mime" or "inline": how the layer was written. */
  format?: "pgp-mime" | "inline";
};

function mimeType(e: MimeEntity): string {
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

interface InlineBody {
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
function readInline(e: MimeEntity): InlineBody | null {
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
function alternativeInline(entity: MimeEntity): InlineBody | null {
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

const NOTE_ENCRYPTED = "This text contains an encrypted block among other text; it was not decrypted. You can decrypt the block on its own.";
const NOTE_SIGNED = "This text contains a signed block among other text; the signature does not cover the message.";

function failedEncryption(e: unknown): EncryptionStatus {
  return failedStatus("openpgp", isSealbirdError(e) ? e : new SealbirdError("decrypt-failed", "The message could not be decrypted.", {}, { cause: e }));
}

function brokenSignature(e: unknown): SignatureStatus {
  const err = isSealbirdError(e) ? e : new SealbirdError("signature-malformed", "The signature could not be read.", {}, { cause: e });
  return { state: "invalid", protocol: "openpgp", reasons: [{ code: err.code, message: err.message }] };
}

function judgeOpts(opts: OpenOptions): JudgeOptions {
  const j: JudgeOptions = {};
  if (opts.from) j.from = opts.from;
  if (opts.fromProblem) j.fromProblem = opts.fromProblem;
  if (opts.now) j.now = opts.now;
  return j;
}

export async function openPgp(entity: MimeEntity, ctx: PgpContext, opts: PgpOpenOptions = {}): Promise<PgpLayerResult> {
  const loaded = await loadContext(ctx);
  const t = mimeType(entity);
  if (t === "multipart/encrypted") return openPgpMime(entity.children[0], entity.children[1], loaded, opts);
  if (t === "multipart/signed") return openMultipartSigned(entity, loaded, opts);
  if (t === "multipart/mixed") {
    const ex = exchangeParts(entity);
    if (ex) {
      const r = await openPgpMime(ex.control, ex.payload, loaded, opts);
      return { ...r, repairs: [EXCHANGE_REPAIR] };
    }
  }
  const alternative = t === "multipart/alternative" ? alternativeInline(entity) : null;
  const inline = alternative ?? readInline(entity);
  if (!inline) return { protocol: "openpgp", kind: "signed", signature: brokenSignature(new SealbirdError("usage", "Not an OpenPGP entity.")) };
  const { shape, repairs } = inline;
  if (shape.kind === "partial") {
    const nested: NestedStatus[] = [];
    if (shape.encrypted) nested.push({ path: entity.path, protocol: "openpgp", kind: "encrypted", where: "part", note: NOTE_ENCRYPTED });
    if (shape.signed) nested.push({ path: entity.path, protocol: "openpgp", kind: "signed", where: "part", note: NOTE_SIGNED });
    return { protocol: "openpgp", kind: shape.encrypted ? "encrypted" : "signed", nested, format: "inline" };
  }
  const charset = ((alternative ? entity.children.find((c) => c.contentType.subtype === "plain") : entity) ?? entity).contentType.params["charset"]?.toLowerCase() ?? "";
  const r = shape.kind === "cleartext" ? await openCleartext(shape.text, charset, loaded, opts) : await openInlineMessage(shape.armored, charset, loaded, opts);
  return repairs.length ? { ...r, repairs } : r;
}

async function openPgpMime(control: MimeEntity | undefined, payload: MimeEntity | undefined, loaded: LoadedContext, opts: PgpOpenOptions): Promise<PgpLayerResult> {
  if (!control || !payload || mimeType(control) !== "application/pgp-encrypted") {
    return { protocol: "openpgp", kind: "encrypted", encryption: failedEncryption(new SealbirdError("pgp-malformed", "The PGP/MIME message is malformed (RFC 3156 parts missing).")), format: "pgp-mime" };
  }
  try {
    const body = decodedBody(payload);
    const r = await openPgpMessage(armoredOrBinary(body), loaded, { ...judgeOpts(opts), ...(opts.passwords ? { passwords: opts.passwords } : {}) });
    if (!r.decryption) throw new SealbirdError("decrypt-failed", "The PGP/MIME message claims to be encrypted but is not.");
    return encryptedResult(r, toCrlf(r.content), "pgp-mime");
  } catch (e) {
    return { protocol: "openpgp", kind: "encrypted", encryption: failedEncryption(e), format: "pgp-mime" };
  }
}

function encryptedResult(r: OpenedPgpMessage, inner: Uint8Array, format: "pgp-mime" | "inline"): PgpLayerResult {
  const d = r.decryption!;
  const out: PgpLayerResult = {
    protocol: "openpgp",
    kind: "encrypted",
    inner,
    encryption: { state: "decrypted", protocol: "openpgp", algorithm: d.algorithm, decryptedWith: d.decryptedWith, recipients: d.recipients },
    format,
  };
  if (r.signature) out.signature = r.signature;
  return out;
}

function armoredOrBinary(b: Uint8Array): string | Uint8Array {
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d || b[i] === 0x0a)) i++;
  // One armored message is unwrapped natively; openpgp.js reads any other armor itself.
  return b[i] === 0x2d ? (dearmorMessage(b) ?? asciiView(b)) : b;
}

/** Removes spaces and tabs before each line end (the form RFC 3156 senders are asked to sign). */
function stripTrailingWhitespace(b: Uint8Array): Uint8Array {
  const s = binaryString(b).replace(/[ \t]+(?=\r\n|$)/g, "");
  return fromBinaryString(s);
}

async function literalOf(bytes: Uint8Array): Promise<LiteralDataPacket> {
  const m = await createMessage({ binary: bytes });
  return m.packets[0] as unknown as LiteralDataPacket;
}

/** Verifies a detached signature (armored or binary) over `data`. */
export async function verifyDetachedPgp(data: Uint8Array, signature: string | Uint8Array, loaded: LoadedContext, opts: JudgeOptions): Promise<SignatureStatus> {
  let sigs: SignaturePacket[];
  try {
    const s =
      typeof signature === "string"
        ? await readSignature({ armoredSignature: signature, config: READ_CONFIG })
        : await readSignature({ binarySignature: signature, config: READ_CONFIG });
    sigs = [...s.packets];
  } catch (e) {
    return brokenSignature(new SealbirdError("signature-malformed", "The OpenPGP signature could not be read.", {}, { cause: e }));
  }
  const first = await judgeSignatures(sigs, await literalOf(data), loaded.known, opts, true);
  if (first.state !== "invalid" || first.reasons[0]?.code !== "bad-signature") return first;
  // Some senders sign the part with trailing whitespace removed (RFC 3156 5. asks them to have
  // none), and some transports strip it; GnuPG-based clients accept both forms, so do we.
  // Only spaces/tabs before line ends can differ, which changes no visible content.
  const stripped = stripTrailingWhitespace(data);
  if (stripped.length === data.length) return first;
  const second = await judgeSignatures(sigs, await literalOf(stripped), loaded.known, opts, true);
  return second.state === "invalid" ? first : second;
}

async function openMultipartSigned(entity: MimeEntity, loaded: LoadedContext, opts: PgpOpenOptions): Promise<PgpLayerResult> {
  const content = entity.children[0];
  const sigPart = entity.children[1];
  if (!content) {
    return { protocol: "openpgp", kind: "signed", signature: brokenSignature(new SealbirdError("signature-malformed", "The signed message has no content part.")), format: "pgp-mime" };
  }
  // The signature covers the first part exactly as transmitted (after CRLF canonicalisation).
  const inner = content.raw;
  if (!sigPart || mimeType(sigPart) !== "application/pgp-signature") {
    return { protocol: "openpgp", kind: "signed", inner, signature: brokenSignature(new SealbirdError("signature-malformed", "The signature part is missing.")), format: "pgp-mime" };
  }
  try {
    const sigBytes = decodedBody(sigPart);
    const signature = await verifyDetachedPgp(inner, armoredOrBinary(sigBytes), loaded, judgeOpts(opts));
    return { protocol: "openpgp", kind: "signed", inner, signature, format: "pgp-mime" };
  } catch (e) {
    return { protocol: "openpgp", kind: "signed", inner, signature: brokenSignature(e), format: "pgp-mime" };
  }
}

async function openInlineMessage(armored: string, charset: string, loaded: LoadedContext, opts: PgpOpenOptions): Promise<PgpLayerResult> {
  let r: OpenedPgpMessage;
  try {
    r = await openPgpMessage(armored, loaded, { ...judgeOpts(opts), ...(opts.passwords ? { passwords: opts.passwords } : {}) });
  } catch (e) {
    return { protocol: "openpgp", kind: "encrypted", encryption: failedEncryption(e), format: "inline" };
  }
  const inner = textEntity(r.content, textCharset(r.content, charset));
  if (r.decryption) return encryptedResult(r, inner, "inline");
  // A signed-only armored message (gpg --sign --armor).
  return { protocol: "openpgp", kind: "signed", inner, signature: r.signature ?? brokenSignature(new SealbirdError("signature-malformed", "The OpenPGP message is neither encrypted nor signed.")), format: "inline" };
}

async function openCleartext(text: string, charset: string, loaded: LoadedContext, opts: PgpOpenOptions): Promise<PgpLayerResult> {
  let parsed;
  try {
    parsed = parseCleartext(text);
  } catch (e) {
    return { protocol: "openpgp", kind: "signed", signature: brokenSignature(e), format: "inline" };
  }
  const inner = textEntity(parsed.signed, charset || "utf-8");
  let signature = await verifyDetachedPgp(parsed.signed, parsed.signatureArmored, loaded, judgeOpts(opts));
  if (signature.state !== "invalid" && parsed.hashes.length && signature.digestAlgorithm && !parsed.hashes.map(normalHash).includes(normalHash(signature.digestAlgorithm))) {
    signature = { ...signature, state: "invalid", reasons: [{ code: "hash-header-mismatch", message: "The Hash armor header does not match the signature." }] };
  }
  return { protocol: "openpgp", kind: "signed", inner, signature, format: "inline" };
}

function normalHash(h: string): string {
  return h.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export interface OnRequestResult {
  /** The plaintext, to be shown as plain text on its own (never merged into the message view). */
  content: Uint8Array;
  encryption: EncryptionStatus;
  signature?: SignatureStatus;
}

/**
 * Decrypts one armored block the user chose to open (an inline block that was only part of a
 * body). The result is informational: it is not credited to the message.
 */
export async function decryptArmoredOnRequest(armored: string, ctx: PgpContext, opts: PgpOpenOptions = {}): Promise<OnRequestResult> {
  const loaded = await loadContext(ctx);
  const begin = armored.indexOf("-----BEGIN PGP MESSAGE-----");
  const endMarker = "-----END PGP MESSAGE-----";
  const end = armored.indexOf(endMarker, begin);
  if (begin < 0 || end < 0) throw new SealbirdError("pgp-malformed", "No armored OpenPGP message found.");
  const block = armored.slice(begin, end + endMarker.length);
  const r = await openPgpMessage(block, loaded, { ...judgeOpts(opts), ...(opts.passwords ? { passwords: opts.passwords } : {}) });
  const d = r.decryption;
  const out: OnRequestResult = {
    content: r.content,
    encryption: d
      ? { state: "decrypted", protocol: "openpgp", algorithm: d.algorithm, decryptedWith: d.decryptedWith, recipients: d.recipients }
      : { state: "none" },
  };
  if (r.signature) out.signature = r.signature;
  return out;
}
