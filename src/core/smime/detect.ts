/**
 * Recognising an S/MIME entity without opening it (the message layer asks this of every
 * entity it meets). Kept apart from the engine that opens one (./open.ts: pkijs, node-forge,
 * certificate paths), which is loaded only when a message has an S/MIME layer; this module
 * reads at most the outer ContentInfo, with asn1js.
 */
import { SealbirdError } from "../errors.js";
import type { LayerKind } from "../message/layer.js";
import type { MimeEntity } from "../mime/entity.js";
import { decodeBody } from "../mime/index.js";
import { MAX_CMS_BYTES, readContentInfo } from "./asn1.js";
import { CMS } from "./oids.js";

export const SIG_TYPES = new Set(["application/pkcs7-signature", "application/x-pkcs7-signature"]);
const MIME_TYPES = new Set(["application/pkcs7-mime", "application/x-pkcs7-mime"]);

export function mimeType(e: MimeEntity): string {
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
