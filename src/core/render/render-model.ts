/**
 * The render model: what the message pane shows for a message's content entity, as
 * independent blocks. Each MIME part becomes its own block and HTML is sanitised per part,
 * so no part can open a tag that another part closes (the EFAIL direct-exfiltration trick
 * needs exactly that concatenation). Attachments are listed, never inlined; forwarded
 * messages and nested signed/encrypted entities are attachments too.
 */
import type { DOMPurify } from "dompurify";
import { base64Encode } from "../base64.js";
import type { MimeEntity } from "../mime/entity.js";
import { decodeBody, decodeText, getFilename, getHeader, parseContentDisposition } from "../mime/index.js";
import { sanitizeHtml } from "./html-sanitizer.js";

export type RenderBlock =
  | { kind: "text"; path: string; text: string }
  | { kind: "html"; path: string; html: string };

export interface AttachmentInfo {
  path: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface RenderModel {
  blocks: RenderBlock[];
  attachments: AttachmentInfo[];
}

/** Images larger than this are listed as attachments instead of inlined as data: URLs. */
const MAX_INLINE_IMAGE = 2 * 1024 * 1024;

export function buildRenderModel(view: MimeEntity, purify: DOMPurify | null): RenderModel {
  const model: RenderModel = { blocks: [], attachments: [] };
  const cids = collectCidImages(view);
  walk(view, model, purify, cids, true);
  return model;
}

function mimeType(e: MimeEntity): string {
  return `${e.contentType.type}/${e.contentType.subtype}`;
}

function isAttachment(e: MimeEntity): boolean {
  const cd = getHeader(e, "content-disposition");
  return cd !== undefined && parseContentDisposition(cd).type === "attachment";
}

function walk(e: MimeEntity, model: RenderModel, purify: DOMPurify | null, cids: Map<string, MimeEntity>, inline: boolean): void {
  const type = mimeType(e);
  if (e.contentType.type === "multipart" && e.children.length > 0) {
    if (e.contentType.subtype === "alternative") {
      const chosen = chooseAlternative(e.children, purify !== null);
      for (const c of e.children) if (c !== chosen) addAttachmentIfNotText(c, model);
      if (chosen) walk(chosen, model, purify, cids, inline);
      return;
    }
    if (e.contentType.subtype === "related") {
      const start = e.contentType.params["start"];
      const root = (start && e.children.find((c) => getHeader(c, "content-id")?.trim() === start.trim())) || e.children[0]!;
      walk(root, model, purify, cids, inline);
      for (const c of e.children) if (c !== root && !cids.has(contentId(c) ?? "")) addAttachment(c, model);
      return;
    }
    if (e.contentType.subtype === "signed" || e.contentType.subtype === "encrypted") {
      // Not credited to the message (see inspect): shown as an opaque attachment.
      addAttachment(e, model);
      return;
    }
    for (const c of e.children) walk(c, model, purify, cids, inline);
    return;
  }
  if (inline && !isAttachment(e) && type === "text/plain") {
    model.blocks.push({ kind: "text", path: e.path, text: decodeText(e) });
    return;
  }
  if (inline && !isAttachment(e) && type === "text/html" && purify) {
    const html = sanitizeHtml(decodeText(e), purify, (cid) => cidDataUrl(cids.get(cid)));
    model.blocks.push({ kind: "html", path: e.path, html });
    return;
  }
  if (inline && !isAttachment(e) && type === "text/html") {
    // No sanitizer available: never show HTML raw, fall back to listing it.
    addAttachment(e, model);
    return;
  }
  addAttachment(e, model);
}

function chooseAlternative(parts: MimeEntity[], canHtml: boolean): MimeEntity | undefined {
  // RFC 2046: the last alternative is the preferred one; take the last we can render.
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    const t = mimeType(p);
    if (t === "text/plain" || (canHtml && t === "text/html") || p.contentType.type === "multipart") return p;
  }
  return parts[0];
}

function addAttachmentIfNotText(e: MimeEntity, model: RenderModel): void {
  // The other alternatives are the same content in another form: not attachments.
  if (e.contentType.type === "text" || e.contentType.type === "multipart") return;
  addAttachment(e, model);
}

function addAttachment(e: MimeEntity, model: RenderModel): void {
  model.attachments.push({
    path: e.path,
    filename: getFilename(e) ?? defaultName(e),
    contentType: mimeType(e),
    size: e.transferEncoding === "base64" ? Math.floor((e.body.length * 3) / 4) : e.body.length,
  });
}

function defaultName(e: MimeEntity): string {
  if (mimeType(e) === "message/rfc822") return "forwarded-message.eml";
  return `part-${e.path || "0"}`;
}

function contentId(e: MimeEntity): string | undefined {
  const v = getHeader(e, "content-id");
  return v?.trim().replace(/^<|>$/g, "");
}

function collectCidImages(root: MimeEntity): Map<string, MimeEntity> {
  const out = new Map<string, MimeEntity>();
  const stack = [root];
  while (stack.length) {
    const e = stack.pop()!;
    const id = contentId(e);
    if (id && e.contentType.type === "image" && e.body.length <= MAX_INLINE_IMAGE * 1.4) out.set(id, e);
    // Never look inside message/rfc822 or nested crypto: their parts are not ours to inline.
    if (e.contentType.type === "multipart" && e.contentType.subtype !== "signed" && e.contentType.subtype !== "encrypted") {
      stack.push(...e.children);
    }
  }
  return out;
}

function cidDataUrl(e: MimeEntity | undefined): string | undefined {
  if (!e) return undefined;
  const bytes = decodeBody(e);
  if (bytes.length > MAX_INLINE_IMAGE) return undefined;
  return `data:${mimeType(e)};base64,${base64Encode(bytes)}`;
}
