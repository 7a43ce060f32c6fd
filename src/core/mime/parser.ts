/**
 * parseMime: canonical CRLF bytes → a tree of MimeEntity whose byte fields are subarrays of
 * that one canonical buffer. Iterative (explicit work list), so hostile nesting depth costs
 * a bounded loop and a typed error, never a blown JS stack.
 */
import { utf8 } from "../bytes.js";
import { SealbirdError, asSealbirdError } from "../errors.js";
import { canonicalizeLineEndings } from "./canonicalize.js";
import { decodeRawHeaderText } from "./charset.js";
import { defaultContentType, parseContentType } from "./content-type.js";
import { DEFAULT_MIME_LIMITS, type ContentType, type MimeEntity, type MimeLimits } from "./entity.js";
import { parseHeaderSection } from "./header-fields.js";

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

interface Work {
  entity: MimeEntity;
  /** Offset of entity.body in the canonical buffer. */
  bodyStart: number;
  depth: number;
}

export function parseMime(bytes: Uint8Array, limits?: Partial<MimeLimits>): MimeEntity {
  const lim: MimeLimits = { ...DEFAULT_MIME_LIMITS, ...limits };
  if (bytes.length > lim.maxBytes) {
    throw new SealbirdError("input-too-large", `Message is larger than ${lim.maxBytes} bytes.`, { limit: "maxBytes", max: lim.maxBytes, size: bytes.length });
  }
  try {
    return parseCanonical(canonicalizeLineEndings(bytes), lim);
  } catch (e) {
    throw asSealbirdError(e, "mime-malformed", "The message could not be parsed as MIME.");
  }
}

function parseCanonical(buf: Uint8Array, lim: MimeLimits): MimeEntity {
  let parts = 1;
  const root = makeEntity(buf, 0, buf.length, "", undefined, lim);
  const work: Work[] = [{ entity: root, bodyStart: root.headerBytes.length, depth: 0 }];
  while (work.length > 0) {
    const { entity, bodyStart, depth } = work.pop()!;
    const ct = entity.contentType;
    let ranges: [number, number][] = [];
    let childDefault: ContentType | undefined;
    if (ct.type === "multipart") {
      ranges = splitMultipart(buf, bodyStart, bodyStart + entity.body.length, ct, entity.path, lim.maxParts - parts, lim.maxParts);
      if (ct.subtype === "digest") childDefault = { type: "message", subtype: "rfc822", params: {} };
    } else if (isEncapsulatedMessage(ct) && ["7bit", "8bit", "binary"].includes(entity.transferEncoding)) {
      ranges = [[bodyStart, bodyStart + entity.body.length]];
    }
    if (ranges.length === 0) continue;
    if (depth + 1 > lim.maxDepth) {
      throw new SealbirdError("mime-too-deep", `MIME nesting deeper than ${lim.maxDepth}.`, { max: lim.maxDepth, path: entity.path });
    }
    parts += ranges.length;
    if (parts > lim.maxParts) throw tooManyParts(lim.maxParts);
    const pending: Work[] = [];
    ranges.forEach(([s, e], i) => {
      const path = entity.path ? `${entity.path}.${i + 1}` : `${i + 1}`;
      const child = makeEntity(buf, s, e, path, childDefault, lim);
      entity.children.push(child);
      pending.push({ entity: child, bodyStart: s + child.headerBytes.length, depth: depth + 1 });
    });
    // Reverse so children are processed in document order (only matters for error paths).
    for (let i = pending.length - 1; i >= 0; i--) work.push(pending[i]!);
  }
  return root;
}

function tooManyParts(max: number): SealbirdError {
  return new SealbirdError("mime-too-many-parts", `Too many MIME parts (limit ${max}).`, { max });
}

function isEncapsulatedMessage(ct: ContentType): boolean {
  return ct.type === "message" && (ct.subtype === "rfc822" || ct.subtype === "global");
}

function makeEntity(buf: Uint8Array, start: number, end: number, path: string, defaultType: ContentType | undefined, lim: MimeLimits): MimeEntity {
  const { fields, bodyStart } = parseHeaderSection(buf, start, end, lim.maxHeaderBytes);
  const ctField = fields.find((f) => f.name.toLowerCase() === "content-type");
  const cteField = fields.find((f) => f.name.toLowerCase() === "content-transfer-encoding");
  const contentType = ctField ? parseContentType(decodeRawHeaderText(ctField.value)) : (defaultType ?? defaultContentType());
  const cte = cteField ? cteField.value.replace(/\(.*?\)/g, "").trim().toLowerCase() : "";
  return {
    path,
    raw: buf.subarray(start, end),
    headerBytes: buf.subarray(start, bodyStart),
    body: buf.subarray(bodyStart, end),
    headers: fields,
    contentType,
    transferEncoding: cte || "7bit",
    children: [],
  };
}

/**
 * Body parts of a multipart body at [start, end) (RFC 2046 5.1.1). A delimiter is "--boundary"
 * at the start of a line followed only by optional whitespace (or "--" for the close); the CRLF
 * before it belongs to the delimiter, so each part ends before that CRLF. A missing close
 * delimiter is tolerated: the last part runs to the end.
 */
function splitMultipart(buf: Uint8Array, start: number, end: number, ct: ContentType, path: string, budget: number, maxParts: number): [number, number][] {
  const boundary = ct.params["boundary"];
  if (!boundary) {
    throw new SealbirdError("mime-boundary-missing", "multipart entity without a boundary parameter.", { path });
  }
  // The parameter was decoded as UTF-8 when the header had 8-bit bytes; encoding it back
  // gives the bytes as written.
  const delim = utf8("--" + boundary);

  const ranges: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const hit = findDelimiterLine(buf, delim, pos, end);
    if (!hit) break;
    if (partStart >= 0) ranges.push([partStart, Math.max(partStart, hit.at - 2)]);
    if (ranges.length > budget) throw tooManyParts(maxParts);
    if (hit.close) {
      partStart = -1;
      break;
    }
    partStart = hit.next;
    pos = hit.next;
  }
  if (partStart >= 0) ranges.push([partStart, end]);
  if (ranges.length === 0) {
    throw new SealbirdError("mime-boundary-missing", "multipart boundary not found in the body.", { path });
  }
  return ranges;
}

function findDelimiterLine(buf: Uint8Array, delim: Uint8Array, from: number, end: number): { at: number; next: number; close: boolean } | undefined {
  const body0 = from;
  let i = from;
  for (;;) {
    i = buf.indexOf(DASH, i);
    if (i < 0 || i + delim.length > end) return undefined;
    const atLineStart = i === body0 || (i >= 2 && buf[i - 1] === LF && buf[i - 2] === CR);
    if (atLineStart && matches(buf, delim, i)) {
      let j = i + delim.length;
      let close = false;
      if (j + 1 < end && buf[j] === DASH && buf[j + 1] === DASH) {
        close = true;
        j += 2;
      }
      while (j < end && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
      if (j >= end) return { at: i, next: end, close };
      if (buf[j] === CR && j + 1 < end && buf[j + 1] === LF) return { at: i, next: j + 2, close };
      // A close delimiter may be followed by anything on its line (RFC 2046 allows no text, but
      // some mailers append it); an open delimiter with trailing text is part content.
      if (close) return { at: i, next: j, close };
    }
    i++;
  }
}

function matches(buf: Uint8Array, delim: Uint8Array, at: number): boolean {
  for (let k = 0; k < delim.length; k++) if (buf[at + k] !== delim[k]) return false;
  return true;
}
