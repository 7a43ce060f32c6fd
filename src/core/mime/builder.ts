/**
 * Writing MIME: entities and multiparts as CRLF bytes ready to be signed. Output is always
 * 7-bit safe unless the caller forces otherwise, and no line exceeds 998 bytes (RFC 5322 2.1.1),
 * because a signature must survive transports that rewrap or re-encode.
 */
import { concatBytes, fromBinaryString, randomBytes, utf8 } from "../bytes.js";
import { SealbirdError } from "../errors.js";
import { canonicalizeLineEndings, canonicalizeLineEndingsString } from "./canonicalize.js";
import { formatContentType, parseContentType } from "./content-type.js";
import type { HeaderField } from "./entity.js";
import { encodeHeaderWords, foldHeaderValue } from "./rfc2047.js";
import { encodeBase64Lines } from "../base64.js";
import { encodeQuotedPrintable } from "./transfer-encoding.js";

export type TransferEncodingChoice = "auto" | "7bit" | "base64" | "quoted-printable";

export interface EntitySpec {
  headers?: [string, string][];
  /** Full Content-Type value, e.g. 'text/plain; charset=utf-8'. */
  contentType: string;
  /** A string is UTF-8 encoded with its line ends made CRLF. */
  body: Uint8Array | string;
  transferEncoding?: TransferEncodingChoice;
}

export interface MultipartSpec {
  subtype: string;
  params?: Record<string, string>;
  headers?: [string, string][];
  /** Complete entities (headers, blank line, body), inserted byte for byte. */
  parts: Uint8Array[];
  preamble?: string;
}

const CRLF = "\r\n";

/** Headers the builder writes itself; caller-given copies would contradict them. */
const OWNED = new Set(["content-type", "content-transfer-encoding"]);

/**
 * One header field line including its CRLF, folded to 78 characters where possible. Non-ASCII
 * text becomes RFC 2047 encoded-words. Values already folded (CRLF + WSP) are unfolded first.
 */
export function formatHeaderField(name: string, value: string): string {
  const unfolded = value.replace(/\r\n(?=[ \t])/g, "").replace(/[\r\n]+/g, " ");
  return `${name}: ${foldHeaderValue(encodeHeaderWords(unfolded, name.length + 2), name.length + 2)}${CRLF}`;
}

/**
 * Header fields as bytes, one "Name: value" CRLF each, no blank line after the last. Values
 * are binary strings as in HeaderField (raw bytes kept); a value holding characters beyond
 * U+00FF is treated as text and RFC 2047 encoded.
 */
export function serializeHeaders(fields: HeaderField[]): Uint8Array {
  let s = "";
  for (const f of fields) {
    // eslint-disable-next-line no-control-regex
    const value = /[^\x00-\xff]/.test(f.value) ? encodeHeaderWords(f.value, f.name.length + 2) : f.value;
    s += `${f.name}: ${foldHeaderValue(value.replace(/\r\n(?=[ \t])/g, ""), f.name.length + 2)}${CRLF}`;
  }
  return fromBinaryString(s);
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * "----=_sb_" + 24 random base32 characters (120 bits). "=_" cannot occur in base64 or
 * quoted-printable output, so an encoded part can never contain the delimiter.
 */
export function newBoundary(): string {
  const r = randomBytes(24);
  let s = "----=_sb_";
  for (const b of r) s += BASE32[b & 31];
  return s;
}

interface LineStats {
  maxLine: number;
  /** Bytes that are not printable ASCII, TAB, or part of CRLF. */
  unsafe: number;
  hasNul: boolean;
  bareLineEnd: boolean;
}

function lineStats(b: Uint8Array): LineStats {
  let maxLine = 0;
  let lineStart = 0;
  let unsafe = 0;
  let hasNul = false;
  let bareLineEnd = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x0d && b[i + 1] === 0x0a) {
      if (i - lineStart > maxLine) maxLine = i - lineStart;
      i++;
      lineStart = i + 1;
      continue;
    }
    if (c === 0x0d || c === 0x0a) bareLineEnd = true;
    if (c === 0) hasNul = true;
    if (c >= 0x80 || (c < 0x20 && c !== 0x09)) unsafe++;
  }
  if (b.length - lineStart > maxLine) maxLine = b.length - lineStart;
  return { maxLine, unsafe, hasNul, bareLineEnd };
}

function chooseEncoding(type: string, body: Uint8Array): "7bit" | "8bit" | "binary" | "base64" | "quoted-printable" {
  const st = lineStats(body);
  const sevenBit = st.unsafe === 0 && !st.bareLineEnd && st.maxLine <= 998;
  if (sevenBit) return "7bit";
  // RFC 2045 6.4: multipart and message entities may only be 7bit, 8bit or binary.
  if (type === "multipart" || type === "message") return st.hasNul || st.bareLineEnd || st.maxLine > 998 ? "binary" : "8bit";
  if (type === "text" && st.unsafe * 4 <= body.length) return "quoted-printable";
  return "base64";
}

/**
 * A complete entity: caller headers, Content-Type, Content-Transfer-Encoding, blank line and the
 * encoded body, all CRLF. "auto" picks 7bit when the body already is 7-bit text with lines of
 * at most 998 bytes, quoted-printable for other text that is mostly ASCII, base64 otherwise.
 */
export function buildEntity(spec: EntitySpec): Uint8Array {
  const ct = parseContentType(spec.contentType);
  let body: Uint8Array;
  if (typeof spec.body === "string") body = utf8(canonicalizeLineEndingsString(spec.body));
  else body = spec.body;
  const choice = spec.transferEncoding ?? "auto";
  let cte: string = choice === "auto" ? chooseEncoding(ct.type, body) : choice;
  if (cte === "7bit") {
    if (ct.type === "text" || ct.type === "multipart" || ct.type === "message") body = canonicalizeLineEndings(body);
    const st = lineStats(body);
    if (st.unsafe > 0 || st.bareLineEnd || st.maxLine > 998) {
      if (choice === "7bit") throw new SealbirdError("usage", "Body is not 7-bit text with lines of at most 998 bytes; use base64 or quoted-printable.");
      cte = chooseEncoding(ct.type, body);
    }
  }
  let encoded: Uint8Array;
  if (cte === "base64") encoded = encodeBase64Lines(body);
  else if (cte === "quoted-printable") encoded = encodeQuotedPrintable(body);
  else encoded = body;

  let head = "";
  for (const [name, value] of spec.headers ?? []) {
    if (!OWNED.has(name.toLowerCase())) head += formatHeaderField(name, value);
  }
  // Keep the caller's Content-Type text when it is plain ASCII (exact parameters, order and
  // quoting); rewrite it only when parameters need RFC 2231.
  const ctValue = /^[\x20-\x7e\t]*$/.test(spec.contentType) ? spec.contentType.trim() : formatContentType(ct);
  head += `Content-Type: ${foldHeaderValue(ctValue, 14)}${CRLF}`;
  head += `Content-Transfer-Encoding: ${cte}${CRLF}${CRLF}`;
  return concatBytes([fromBinaryString(head), encoded]);
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0]!;
  for (let i = hay.indexOf(first); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}

/**
 * A multipart entity around `parts`, each inserted unchanged: for multipart/signed the first
 * part is exactly the bytes that were signed. The boundary is fresh and checked against every
 * part and the preamble; a caller-given `params.boundary` is used only if it occurs in none.
 */
export function buildMultipart(spec: MultipartSpec): Uint8Array {
  const preamble = spec.preamble !== undefined ? utf8(canonicalizeLineEndingsString(spec.preamble)) : undefined;
  const occurs = (b: string) => {
    const needle = utf8("--" + b);
    return spec.parts.some((p) => contains(p, needle)) || (preamble !== undefined && contains(preamble, needle));
  };
  const params: Record<string, string> = { ...spec.params };
  let boundary = params["boundary"];
  if (boundary !== undefined) {
    if (!/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary) || occurs(boundary)) {
      throw new SealbirdError("usage", "The given multipart boundary is invalid or occurs in a part.");
    }
  } else {
    do boundary = newBoundary();
    while (occurs(boundary));
  }
  delete params["boundary"];
  params["boundary"] = boundary;

  let head = "";
  for (const [name, value] of spec.headers ?? []) {
    if (!OWNED.has(name.toLowerCase())) head += formatHeaderField(name, value);
  }
  const ctValue = formatContentType({ type: "multipart", subtype: spec.subtype.toLowerCase(), params });
  head += `Content-Type: ${foldHeaderValue(ctValue, 14)}${CRLF}${CRLF}`;
  const chunks: Uint8Array[] = [fromBinaryString(head)];
  if (preamble && preamble.length > 0) chunks.push(preamble, fromBinaryString(CRLF));
  const open = fromBinaryString(`--${boundary}${CRLF}`);
  const between = fromBinaryString(CRLF);
  for (const p of spec.parts) chunks.push(open, p, between);
  chunks.push(fromBinaryString(`--${boundary}--${CRLF}`));
  return concatBytes(chunks);
}
