/**
 * The S/MIME layer as the message layer sees it (../message/layer.ts): recognise an S/MIME
 * entity, and open it — verify a multipart/signed or opaque signature, or decrypt — into a
 * LayerResult. Failures are reported in the result (typed codes), never thrown.
 */
import { SealbirdError, isSealbirdError } from "../errors.js";
import type { LayerResult, OpenOptions } from "../message/layer.js";
import type { MimeEntity } from "../mime/entity.js";
import { asMimeEntity } from "../mime/bare-content.js";
import { failedEncryption, type SignatureStatus } from "../status/message-status.js";
import type { SmimeContext } from "./context.js";
import { decryptCms } from "./enveloped.js";
import { verifyCms, type CollectedCertificate } from "./verify.js";
import { cmsBody, detectSmime, mimeType, SIG_TYPES } from "./detect.js";

export interface SmimeLayerResult extends LayerResult {
  /** Correspondents' certificates from valid signatures, with their sMIMECapabilities. */
  collected?: CollectedCertificate[];
}

function brokenSignature(e: unknown): SignatureStatus {
  const err = isSealbirdError(e) ? e : new SealbirdError("signature-malformed", "The signature could not be read.", {}, { cause: e });
  return { state: "invalid", protocol: "smime", reasons: [{ code: err.code, message: err.message }] };
}

export async function openSmime(entity: MimeEntity, ctx: SmimeContext, opts: OpenOptions): Promise<SmimeLayerResult> {
  const kind = detectSmime(entity);

  if (kind === "signed" && mimeType(entity) === "multipart/signed") {
    const content = entity.children[0];
    // RFC 1847: the second part is the signature, as Thunderbird reads it (mimemsig.cpp);
    // a part slipped in between makes the message malformed, and parts after it are epilogue.
    const second = entity.children[1];
    const sigPart = second && SIG_TYPES.has(mimeType(second)) ? second : undefined;
    if (!content) return { protocol: "smime", kind: "signed", signature: brokenSignature(new SealbirdError("signature-malformed", "The signed message has no content part.")) };
    // The signature covers the first part's bytes exactly as transmitted.
    const inner = content.raw;
    if (!sigPart) return { protocol: "smime", kind: "signed", inner, signature: brokenSignature(new SealbirdError("signature-malformed", "The signature part is missing.")) };
    try {
      const r = await verifyCms(cmsBody(sigPart), inner, ctx, opts);
      return { protocol: "smime", kind: "signed", inner, signature: r.signature, collected: r.collected };
    } catch (e) {
      return { protocol: "smime", kind: "signed", inner, signature: brokenSignature(e) };
    }
  }

  if (kind === "signed") {
    try {
      const r = await verifyCms(cmsBody(entity), undefined, ctx, opts);
      // Opaque signing of bare text (openssl cms -sign -nodetach without -text) is shown as text.
      return { protocol: "smime", kind: "signed", inner: asMimeEntity(r.content), signature: r.signature, collected: r.collected };
    } catch (e) {
      return { protocol: "smime", kind: "signed", signature: brokenSignature(e) };
    }
  }

  if (kind === "encrypted") {
    try {
      const r = await decryptCms(cmsBody(entity), ctx.identities);
      return {
        protocol: "smime",
        kind: "encrypted",
        inner: asMimeEntity(r.content),
        encryption: { state: "decrypted", protocol: "smime", algorithm: r.algorithm, decryptedWith: r.decryptedWith, recipients: r.recipients },
      };
    } catch (e) {
      const err = isSealbirdError(e) ? e : new SealbirdError("decrypt-failed", "The message could not be decrypted.", {}, { cause: e });
      return { protocol: "smime", kind: "encrypted", encryption: failedEncryption("smime", err) };
    }
  }
  return {
    protocol: "smime",
    kind: "signed",
    signature: brokenSignature(new SealbirdError("usage", "Not an S/MIME entity.")),
  };
}
