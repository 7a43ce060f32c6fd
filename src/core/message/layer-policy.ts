/**
 * Which stacked layers are opened and which signature counts: Thunderbird's policy for S/MIME
 * (mimei.cpp "CMS-allowed-layers", mimemcms.cpp's suppressed child, bug 1806161) and OpenPGP
 * (nsPgpMimeProxy's allowNestedDecrypt, mimeVerify's isAllowedSigPart), applied to both
 * protocols and to stacks that mix them. ARCHITECTURE.md, "What a badge means", states it.
 *
 *  - At most one encryption layer is opened: the message itself, or the one directly inside a
 *    top-level signature. An encryption inside it is listed, not opened.
 *  - A signature over an encryption layer signs only ciphertext: it is checked but not
 *    credited (status `uncredited`), neither valid nor invalid.
 *  - A signature directly over another signature is `invalid` (reason
 *    `signature-over-signature`), as Thunderbird's S/MIME shows a multipart/signed whose signed
 *    content is a layer it will not open; the inner layer is listed, not opened.
 */
import type { LayerKind, LayerResult } from "./layer.js";
import type { SignatureStatus } from "../status/message-status.js";
import { mostSevere } from "../status/severity.js";

export type Refusal = "signature-over-signature" | "encryption-in-encryption";

/** What the innermost opened step of a layer is (OpenPGP's sign+encrypt ends in a signature). */
export function lastStep(layer: LayerResult): LayerKind {
  return layer.kind === "encrypted" && !layer.signature ? "encrypted" : "signed";
}

/**
 * Whether a layer of `kind`, found directly inside `previous` (undefined: it is the message),
 * may be opened. `encryptionOpened`: an encryption layer is already open.
 */
export function refuseLayer(kind: LayerKind, previous: LayerResult | undefined, encryptionOpened: boolean): Refusal | undefined {
  if (kind === "encrypted" && encryptionOpened) return "encryption-in-encryption";
  if (kind === "signed" && previous && lastStep(previous) === "signed") return "signature-over-signature";
  return undefined;
}

export const REFUSAL_NOTE: Record<Refusal, string> = {
  "encryption-in-encryption": "The decrypted content is encrypted once more; that inner layer is not opened (Thunderbird does not open it either).",
  "signature-over-signature": "The signed content is itself a signed layer; it is not opened, and the outer signature is not valid for the message.",
};

export const SIGNS_CIPHERTEXT_NOTE = "This signature was made over the encrypted data only, so it says nothing about who wrote the content; it is not the message's signature.";

/** Marks `sig` no better than `state`, with `reason` first among its reasons. */
export function demote(sig: SignatureStatus, state: SignatureStatus["state"], reason: { code: string; message: string }): void {
  sig.state = mostSevere([sig.state, state]);
  sig.reasons.unshift(reason);
}
