/**
 * inspect: from the raw bytes of a received message to what the user will see — the status
 * model and the entity to render.
 *
 * Only the cryptographic layers that wrap the whole message are opened and credited:
 * the top-level entity, and each layer directly inside a credited layer (sign-then-encrypt,
 * encrypt-then-sign, OpenPGP's combined sign+encrypt). Anything signed or encrypted further
 * down (inside multipart/mixed, a forwarded message/rfc822, an inline PGP block that is only
 * part of a text) is listed in `status.nested` and NOT opened: decrypting an encrypted part
 * that sits next to attacker-controlled parts is the EFAIL direct-exfiltration pattern, and
 * crediting a nested signature is how "signed" badges get faked.
 */
import { SealbirdError, isSealbirdError } from "../errors.js";
import { parseMime, getHeader, findAddress } from "../mime/index.js";
import type { MimeEntity, MimeLimits } from "../mime/entity.js";
import {
  plainStatus,
  type MessageStatus,
  type NestedStatus,
  type Protocol,
} from "../status/message-status.js";
import type { LayerKind, LayerResult, OpenOptions } from "./layer.js";
import { readProtectedHeaders } from "./protected-headers.js";

/** One protocol engine as inspect sees it. */
export interface LayerOpener {
  protocol: Protocol;
  detect(entity: MimeEntity): LayerKind | null;
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

/** Sign-encrypt-sign (RFC 2634 triple wrap) is the deepest legitimate stack. */
const MAX_CREDITED_LAYERS = 3;

export async function inspectMessage(raw: Uint8Array, options: InspectOptions): Promise<InspectResult> {
  const top = parseMime(raw, options.limits);
  const fromHeader = getHeader(top, "from");
  const from = fromHeader ? findAddress(fromHeader) : undefined;
  const openOpts: OpenOptions = { from, now: options.now };
  const status = plainStatus();
  const layers: LayerResult[] = [];

  let current: MimeEntity | null = top;
  while (current && layers.length < MAX_CREDITED_LAYERS) {
    const found = detectLayer(current, options.openers);
    if (!found) break;
    const layer = await openLayer(found.opener, found.kind, current, openOpts);
    if (layer.nested) status.nested.push(...layer.nested);
    if (!layer.inner && !layer.encryption && !layer.signature) {
      // Only informational (an inline PGP block amid other text): the entity is shown as it
      // is, inert, and nothing is credited.
      break;
    }
    layers.push(layer);
    credit(status, layer);
    if (!layer.inner) {
      // A signed layer always has content; an encrypted one that failed has none to show.
      current = null;
      break;
    }
    current = parseMime(layer.inner, options.limits);
  }

  if (current) {
    const credited = layers.some((l) => l.inner);
    if (credited) status.protectedHeaders = readProtectedHeaders(current);
    collectNested(current, options.openers, status.nested);
  }
  if (status.encryption.state === "decrypted" && status.protectedHeaders?.from) {
    const inner = findAddress(status.protectedHeaders.from);
    if (inner && from && inner !== from) {
      status.errors.push({
        code: "header-mismatch",
        message: `The From address inside the encryption (${inner}) differs from the outer From (${from}).`,
      });
    }
  }
  return { status, view: current, layers, top };
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
    if (kind === "encrypted") {
      return {
        protocol: opener.protocol,
        kind,
        encryption: { state: "failed", protocol: opener.protocol, code: err.code, message: err.message, recipients: [] },
      };
    }
    return {
      protocol: opener.protocol,
      kind,
      signature: { state: "invalid", protocol: opener.protocol, reasons: [{ code: err.code, message: err.message }] },
    };
  }
}

function credit(status: MessageStatus, layer: LayerResult): void {
  if (status.protocol === "none") status.protocol = layer.protocol;
  if (layer.encryption && status.encryption.state === "none") {
    status.encryption = layer.encryption;
    status.covers.encryption = layer.encryption.state === "decrypted" ? "message" : "none";
    if (layer.encryption.state === "failed") {
      status.errors.push({ code: layer.encryption.code, message: layer.encryption.message });
    }
  }
  if (layer.signature && layer.signature.state !== "none" && status.signature.state === "none") {
    status.signature = layer.signature;
    status.covers.signature = "message";
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
