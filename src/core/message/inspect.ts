/**
 * inspect: from the raw bytes of a received message to what the user will see — the status
 * model and the entity to render.
 *
 * Only the cryptographic layers that wrap the whole message are opened: the top-level entity
 * and the layers stacked directly inside it, as far as the layer policy (./layer-policy.ts,
 * Thunderbird's) allows; which signature counts is decided there too. Anything signed or
 * encrypted further down (inside multipart/mixed, a forwarded message/rfc822, an inline PGP
 * block that is only part of a text) is listed in `status.nested` and NOT opened: decrypting
 * an encrypted part that sits next to attacker-controlled parts is the EFAIL
 * direct-exfiltration pattern, and crediting a nested signature is how "signed" badges get
 * faked. The credited signature is then bound to the message: its one author (./author.ts,
 * outer and protected From) and its Date.
 */
import { concatBytes } from "../bytes.js";
import { SealbirdError, isSealbirdError } from "../errors.js";
import { canonicalizeLineEndings, DEFAULT_MIME_LIMITS, parseMime, getHeader } from "../mime/index.js";
import { parseRfc5322Date } from "../mime/date.js";
import type { MimeEntity, MimeLimits } from "../mime/entity.js";
import {
  failedEncryption,
  plainStatus,
  type MessageStatus,
  type NestedStatus,
  type Protocol,
  type SignatureStatus,
} from "../status/message-status.js";
import { analyseAuthor, type Author } from "./author.js";
import type { LayerKind, LayerResult, OpenOptions } from "./layer.js";
import { REFUSAL_NOTE, SIGNS_CIPHERTEXT_NOTE, demote, refuseLayer } from "./layer-policy.js";
import { readProtectedHeaders } from "./protected-headers.js";

/** One protocol engine as inspect sees it. */
export interface LayerOpener {
  protocol: Protocol;
  detect(entity: MimeEntity): LayerKind | null;
  /**
   * True when a detected entity only holds a protected block among other content (inline PGP
   * amid text): opened for information only, never a layer of the message.
   */
  partial?(entity: MimeEntity): boolean;
  open(entity: MimeEntity, opts: OpenOptions): Promise<LayerResult>;
}

export interface InspectOptions {
  openers: readonly LayerOpener[];
  now?: Date;
  limits?: Partial<MimeLimits>;
}

export interface InspectResult {
  status: MessageStatus;
  /**
   * The entity the user should see: the innermost opened content (protected headers still in
   * its header section), or the message itself when nothing was opened. Null when a credited
   * encryption layer could not be opened: then there is nothing trustworthy to show.
   */
  view: MimeEntity | null;
  /** Every layer opened, outermost first (engines put collected certificates/keys here). */
  layers: LayerResult[];
  /** The message as parsed. */
  top: MimeEntity;
}

/** Sign-encrypt-sign (RFC 2634 triple wrap) is the deepest stack the policy opens. */
const MAX_OPENED_LAYERS = 3;

/** Thunderbird's tolerance between a signature's time and the message's Date (both protocols). */
const DATE_TOLERANCE_MS = 60 * 60 * 1000;

export async function inspectMessage(raw: Uint8Array, options: InspectOptions): Promise<InspectResult> {
  const top = parseMime(raw, options.limits);
  const author = analyseAuthor(top.headers);
  const openOpts: OpenOptions = {};
  if (author.address) openOpts.from = author.address;
  if (author.problem) openOpts.fromProblem = author.problem;
  if (options.now) openOpts.now = options.now;
  const status = plainStatus();
  const layers: LayerResult[] = [];
  let encryption: LayerResult | undefined;
  let signature: LayerResult | undefined;

  let current: MimeEntity | null = top;
  let previous: LayerResult | undefined;
  while (current && layers.length < MAX_OPENED_LAYERS) {
    const found = detectLayer(current, options.openers);
    if (!found) break;
    if (found.opener.partial?.(current)) {
      // An inline PGP block amid other text: the entity is shown as it is, inert, and only
      // listed; nothing is decrypted or credited.
      const info = await openLayer(found.opener, found.kind, current, openOpts);
      if (info.nested) status.nested.push(...info.nested);
      break;
    }
    const refusal = refuseLayer(found.kind, previous, !!encryption);
    if (refusal) {
      status.nested.push({ path: current.path, protocol: found.opener.protocol, kind: found.kind, where: "layer", note: REFUSAL_NOTE[refusal] });
      if (refusal === "signature-over-signature" && previous?.signature) {
        demote(previous.signature, "invalid", { code: "signature-over-signature", message: "The signature covers another signature layer instead of the message content; Thunderbird shows such a signature as invalid." });
      }
      if (previous && previous === signature && found.kind === "encrypted") signature = uncredit(status, previous);
      break;
    }
    if (found.kind === "encrypted" && previous && previous === signature) {
      // Encrypt-then-sign: the outer signature only vouches for ciphertext.
      signature = uncredit(status, previous);
    }
    const layer = await openLayer(found.opener, found.kind, current, openOpts);
    if (layer.nested) status.nested.push(...layer.nested);
    if (layer.repairs) status.repairs.push(...layer.repairs);
    layers.push(layer);
    if (layer.encryption) encryption = layer;
    if (layer.signature && layer.signature.state !== "none") signature = layer;
    if (!layer.inner) {
      // A signed layer always has content; an encrypted one that failed has none to show.
      current = null;
      break;
    }
    previous = layer;
    current = parseMime(layer.inner, options.limits);
  }

  if (encryption?.encryption) {
    status.encryption = encryption.encryption;
    status.covers.encryption = encryption.encryption.state === "decrypted" ? "message" : "none";
    if (encryption.encryption.state === "failed") status.errors.push({ code: encryption.encryption.code, message: encryption.encryption.message });
  }
  if (signature?.signature) {
    status.signature = signature.signature;
    status.covers.signature = "message";
  }
  status.protocol = encryption?.protocol ?? signature?.protocol ?? layers[0]?.protocol ?? "none";

  let innerAuthor: Author | undefined;
  if (current) {
    if (layers.some((l) => l.inner)) {
      status.protectedHeaders = readProtectedHeaders(current);
      if (status.protectedHeaders?.from !== undefined) innerAuthor = analyseAuthor(current.headers);
    }
    collectNested(current, options.openers, status.nested);
  }
  if (innerAuthor && status.encryption.state === "decrypted" && innerAuthor.address && author.address && !sameAddress(innerAuthor.address, author.address)) {
    status.errors.push({
      code: "header-mismatch",
      message: `The From address inside the encryption (${innerAuthor.address}) differs from the outer From (${author.address}).`,
    });
  }
  if (status.signature.state !== "none") bindToMessage(status.signature, top, author, innerAuthor);
  return { status, view: current, layers, top };
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function uncredit(status: MessageStatus, layer: LayerResult): undefined {
  if (layer.signature) status.uncredited.push({ code: "signs-ciphertext", note: SIGNS_CIPHERTEXT_NOTE, signature: layer.signature });
  return undefined;
}

/**
 * The message-level rules for the credited signature, after the engine judged it against the
 * outer From: the protected (inner) From must name the same one author, the Date must agree
 * with the signing time, and a differing Sender is shown.
 */
function bindToMessage(sig: SignatureStatus, top: MimeEntity, author: Author, inner: Author | undefined): void {
  if (author.sender) sig.sender = author.sender;
  if (inner?.problem) {
    demote(sig, "mismatch", { code: inner.problem.code, message: `In the protected headers: ${inner.problem.message}` });
  } else if (inner?.address && author.address && !sameAddress(inner.address, author.address)) {
    demote(sig, "mismatch", {
      code: "header-mismatch",
      message: `The From inside the signed content (${inner.address}) is not the message's From (${author.address}).`,
    });
  }
  bindDate(sig, getHeader(top, "date"));
}

/**
 * Thunderbird compares the signing time with the Date field in both protocols and shows a
 * difference of more than one hour as an invalid signature (mimecms.cpp, RNP.sys.mjs). Only
 * signatures that verified are judged. Without a readable Date there is nothing to compare:
 * not judged, as Thunderbird's OpenPGP code does (its S/MIME code calls that a mismatch too;
 * ARCHITECTURE.md, "What a badge means", says why we do not).
 */
function bindDate(sig: SignatureStatus, dateField: string | undefined): void {
  if (!sig.signingTime || ["none", "invalid", "unknown-signer", "revoked"].includes(sig.state)) return;
  const date = dateField === undefined ? undefined : parseRfc5322Date(dateField);
  if (!date) return;
  sig.messageDate = date.toISOString();
  if (Math.abs(new Date(sig.signingTime).getTime() - date.getTime()) > DATE_TOLERANCE_MS) {
    demote(sig, "invalid", {
      code: "date-mismatch",
      message: `The signature was made at ${sig.signingTime}, but the message is dated ${sig.messageDate}: more than an hour apart.`,
    });
  }
}

function detectLayer(entity: MimeEntity, openers: readonly LayerOpener[]): { opener: LayerOpener; kind: LayerKind } | null {
  for (const opener of openers) {
    const kind = opener.detect(entity);
    if (kind) return { opener, kind };
  }
  return null;
}

async function openLayer(opener: LayerOpener, kind: LayerKind, entity: MimeEntity, opts: OpenOptions): Promise<LayerResult> {
  try {
    return await opener.open(entity, opts);
  } catch (e) {
    // An engine should report failures in the result; a thrown error still must not escape
    // as a crash, and must never leave a half-opened layer credited as success.
    const err = isSealbirdError(e) ? e : new SealbirdError("internal", "The message could not be processed.", {}, { cause: e });
    if (kind === "encrypted") return { protocol: opener.protocol, kind, encryption: failedEncryption(opener.protocol, err) };
    return {
      protocol: opener.protocol,
      kind,
      signature: { state: "invalid", protocol: opener.protocol, reasons: [{ code: err.code, message: err.message }] },
    };
  }
}

/** Lists signed/encrypted entities below the credited content without opening them. */
function collectNested(root: MimeEntity, openers: readonly LayerOpener[], out: NestedStatus[]): void {
  const stack: MimeEntity[] = [...root.children];
  while (stack.length) {
    const e = stack.pop()!;
    const found = detectLayer(e, openers);
    if (found) {
      out.push({
        path: e.path,
        protocol: found.opener.protocol,
        kind: found.kind,
        where: "part",
        note:
          found.kind === "signed"
            ? "A part of this message carries its own signature; it does not sign the message."
            : "A part of this message is encrypted on its own; it was not decrypted into the message.",
      });
      continue; // its content is opaque to us until the user opens it on its own
    }
    stack.push(...e.children);
  }
  out.sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
}

/**
 * For a message whose own header section is over the parser's limit (inspectMessage threw
 * `input-too-large`, limit `maxHeaderBytes`): the limit protects the engine, it must not hide
 * mail. Only the Content-* fields of that section are read, and when the content holds no
 * signed or encrypted layer or part, the plain status (with the reason) is returned so a mail
 * client shows the message as usual. Null in every other case: the error stands.
 */
export async function plainBeyondHeaderLimit(raw: Uint8Array, error: unknown, options: InspectOptions): Promise<MessageStatus | null> {
  if (!isSealbirdError(error) || error.code !== "input-too-large" || error.details["limit"] !== "maxHeaderBytes") return null;
  const limits = { ...DEFAULT_MIME_LIMITS, ...options.limits };
  const buf = canonicalizeLineEndings(raw);
  const fields: Uint8Array[] = [];
  let fieldBytes = 0;
  let keep = false;
  let pos = 0;
  while (pos < buf.length) {
    const lf = buf.indexOf(0x0a, pos);
    const next = lf < 0 ? buf.length : lf + 1;
    if (next - pos === 2) break; // the empty line: the header section ends
    const continuation = buf[pos] === 0x20 || buf[pos] === 0x09;
    if (!continuation) keep = isContentField(buf, pos);
    if (keep) {
      fieldBytes += next - pos;
      if (fieldBytes > limits.maxHeaderBytes) return null;
      fields.push(buf.subarray(pos, next));
    }
    pos = next;
  }
  if (pos <= limits.maxHeaderBytes) return null; // the section over the limit is a nested one
  let content: MimeEntity;
  try {
    content = parseMime(concatBytes([...fields, new Uint8Array([0x0d, 0x0a]), buf.subarray(Math.min(buf.length, pos + 2))]), limits);
  } catch {
    return null;
  }
  if (detectLayer(content, options.openers)) return null;
  const nested: NestedStatus[] = [];
  collectNested(content, options.openers, nested);
  if (nested.length) return null;
  const status = plainStatus();
  status.errors.push({
    code: "input-too-large",
    message: `The message's header section is larger than the ${limits.maxHeaderBytes} bytes Sealbird reads; its content has no signed or encrypted part, so it is shown as it is.`,
  });
  return status;
}

const CONTENT_PREFIX = [0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x2d]; // "content-"

function isContentField(buf: Uint8Array, at: number): boolean {
  for (let i = 0; i < CONTENT_PREFIX.length; i++) if (((buf[at + i] ?? 0) | 0x20) !== CONTENT_PREFIX[i]) return false;
  return true;
}
