/**
 * The S/MIME layer as the message layer sees it (../message/layer.ts): recognise an S/MIME
 * entity, and open it — verify a multipart/signed or opaque signature, or decrypt — into a
 * LayerResult. Failures are reported in the result (typed codes), never thrown.
 */
import * as asn1js from "asn1js";
import { decodeBase64 } from "../base64.js";
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
