/**
 * Recognising an S/MIME entity without opening it (the message layer asks this of every
 * entity it meets). Kept apart from the engine that opens one (./open.ts: pkijs, node-forge,
 * certificate paths), which is loaded only when a message has an S/MIME layer; this module
 * reads at most the outer ContentInfo, with asn1js.
 */
import * as asn1js from "asn1js";
import { decodeBase64 } from "../base64.js";
import { SealbirdError } from "../errors.js";
import type { LayerKind } from "../message/layer.js";
import type { MimeEntity } from "../mime/entity.js";
import { decodeBody } from "../mime/index.js";
import { MAX_CMS_BYTES } from "./asn1.js";
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

/** Base64 characters enough to reach the content type OID of any ContentInfo. */
const PEEK_BASE64_CHARS = 64;

/**
 * The CMS content type an application/pkcs7-mime entity really holds, from the first bytes of
 * its body only (ContentInfo ::= SEQUENCE { contentType OID, ... }), so detecting a layer does
 * not decode a large body. Undefined when those bytes are not a ContentInfo.
 */
function peekContentType(e: MimeEntity): string | undefined {
  let head: Uint8Array;
  if (e.transferEncoding === "base64") {
    const chars: number[] = [];
    for (let i = 0; i < e.body.length && chars.length < PEEK_BASE64_CHARS; i++) {
      const c = e.body[i]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) chars.push(c);
    }
    try {
      head = decodeBase64(new Uint8Array(chars.slice(0, chars.length - (chars.length % 4))));
    } catch {
      return undefined;
    }
  } else {
    head = (e.transferEncoding === "quoted-printable" ? decodeBody(e) : e.body).subarray(0, 48);
  }
  if (head[0] !== 0x30 || head.length < 2) return undefined;
  const at = 2 + (head[1]! & 0x80 ? head[1]! & 0x7f : 0);
  if (head[at] !== 0x06) return undefined;
  const end = at + 2 + (head[at + 1] ?? 0);
  if (end > head.length) return undefined;
  const node = asn1js.fromBER(head.slice(at, end)).result;
  return node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : undefined;
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
  // Thunderbird shows these as attachments whatever they hold (mimei.cpp).
  if (smimeType === "certs-only" || smimeType === "compressed-data") return null;
  // Otherwise the CMS content decides, as in Thunderbird, whose decoder learns it from the data:
  // a wrong or missing smime-type (old or careless clients) does not turn an encrypted message
  // into a broken signature or the reverse.
  const ct = peekContentType(entity);
  if (ct === CMS.signedData) return "signed";
  if (ct === CMS.envelopedData || ct === CMS.authEnvelopedData) return "encrypted";
  // Unreadable content keeps its label, so it is reported as the damaged layer it claims to be.
  if (smimeType === "signed-data") return "signed";
  if (smimeType === "enveloped-data" || smimeType === "authenveloped-data") return "encrypted";
  return null;
}
