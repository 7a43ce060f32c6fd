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
import type { LayerResult, OpenOptions } from "../message/layer.js";
import type { MimeEntity } from "../mime/entity.js";
import { failedEncryption as failedStatus, type EncryptionStatus, type NestedStatus, type SignatureStatus } from "../status/message-status.js";
import { READ_CONFIG } from "./config.js";
import { loadContext, type LoadedContext, type PgpContext } from "./context.js";
import { exchangeParts, EXCHANGE_REPAIR } from "./exchange.js";
import { parseCleartext } from "./inline.js";
import { alternativeInline, mimeType, readInline } from "./detect.js";
import { openPgpMessage, type OpenedPgpMessage } from "./message.js";
import { asciiView, binaryString, dearmorMessage, decodedBody, toCrlf } from "./transfer.js";
import { judgeSignatures, type JudgeOptions } from "./verify.js";

export interface PgpOpenOptions extends OpenOptions {
  /** Passwords to try on SKESK (password-encrypted) messages, e.g. entered by the user. */
  passwords?: string[];
}

export type PgpLayerResult = LayerResult & {
  /** "pgp-mime" or "inline": how the layer was written. */
  format?: "pgp-mime" | "inline";
};

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
