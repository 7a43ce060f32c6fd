/**
 * The S/MIME layer as the message layer sees it (../message/layer.ts): recognise an S/MIME
 * entity, and open it — verify a multipart/signed or opaque signature, or decrypt — into a
 * LayerResult. Failures are reported in the result (typed codes), never thrown.
 */
import { SealbirdError, isSealbirdError } from "../errors.js";
import type { LayerKind, LayerResult, OpenOptions } from "../message/layer.js";
import type { MimeEntity } from "../mime/entity.js";
import { decodeBody } from "../mime/index.js";
import { asMimeEntity } from "../mime/bare-content.js";
import { failedEncryption, type SignatureStatus } from "../status/message-status.js";
import { MAX_CMS_BYTES } from "./asn1.js";
import type { SmimeContext } from "./context.js";
import { decryptCms } from "./enveloped.js";
import { CMS } from "./oids.js";
import { readContentInfo } from "./signed-data.js";
import { verifyCms, type CollectedCertificate } from "./verify.js";

export interface SmimeLayerResult extends LayerResult {
  /** Correspondents' certificates from valid signatures, with their sMIMECapabilities. */
  collected?: CollectedCertificate[];
}

const SIG_TYPES = new Set(["application/pkcs7-signature", "application/x-pkcs7-signature"]);
const MIME_TYPES = new Set(["application/pkcs7-mime", "application/x-pkcs7-mime"]);

function mimeType(e: MimeEntity): string {
  return `${e.contentType.type}/${e.contentType.subtype}`;
}

function fileName(e: MimeEntity): string {
  const name = e.contentType.params["name"] ?? "";
  const disp = e.headers.find((h) => h.name.toLowerCase() === "content-disposition")?.value ?? "";
  const m = /filename\s*=\s*"?([^";]+)"?/i.exec(disp);
  return (m?.[1] ?? name).trim().toLowerCase();
}

/** Body bytes after Content-Transfer-Encoding (S/MIME bodies are base64 or binary). */
export function cmsBody(e: MimeEntity): Uint8Array {
  if (e.body.length > (MAX_CMS_BYTES / 3) * 4 + MAX_CMS_BYTES / 38) {
    throw new SealbirdError("input-too-large", "The S/MIME data is larger than 100 MB.");
  }
  return decodeBody(e);
}

/** The CMS content type inside an application/pkcs7-mime entity without a usable smime-type. */
function peekContentType(e: MimeEntity): string | undefined {
  try {
    return readContentInfo(cmsBody(e)).contentType;
  } catch {
    return undefined;
  }
}

export function detectSmime(entity: MimeEntity): LayerKind | null {
  const type = mimeType(entity);
  if (type === "multipart/signed") {
    const protocol = (entity.contentType.params["protocol"] ?? "").toLowerCase();
    return SIG_TYPES.has(protocol) ? "signed" : null;
  }
  const p7m = MIME_TYPES.has(type) || (type === "application/octet-stream" && fileName(entity).endsWith(".p7m"));
  if (!p7m) return null;
  const smimeType = (entity.contentType.params["smime-type"] ?? "").toLowerCase();
  if (smimeType === "signed-data") return "signed";
  if (smimeType === "enveloped-data" || smimeType === "authenveloped-data") return "encrypted";
  if (smimeType === "certs-only" || smimeType === "compressed-data") return null;
  // No (or an unknown) smime-type: old clients. Look at the CMS content type itself.
  const ct = peekContentType(entity);
  if (ct === CMS.signedData) return "signed";
  if (ct === CMS.envelopedData || ct === CMS.authEnvelopedData) return "encrypted";
  return null;
}

function brokenSignature(e: unknown): SignatureStatus {
  const err = isSealbirdError(e) ? e : new SealbirdError("signature-malformed", "The signature could not be read.", {}, { cause: e });
  return { state: "invalid", protocol: "smime", reasons: [{ code: err.code, message: err.message }] };
}

export async function openSmime(entity: MimeEntity, ctx: SmimeContext, opts: OpenOptions): Promise<SmimeLayerResult> {
  const kind = detectSmime(entity);

  if (kind === "signed" && mimeType(entity) === "multipart/signed") {
    const content = entity.children[0];
    const sigPart = entity.children.slice(1).find((c) => SIG_TYPES.has(mimeType(c)));
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
