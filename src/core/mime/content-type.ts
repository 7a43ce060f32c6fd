/**
 * Content-Type and Content-Disposition values (RFC 2045 5.1, RFC 2183) with RFC 2231
 * parameters. Lenient like real clients: comments, unquoted values with spaces, stray
 * semicolons and missing quotes are accepted rather than failing the whole message.
 */
import type { ContentType } from "./entity.js";
import { combineParams, formatParam, type RawParam } from "./rfc2231.js";

/** RFC 2045 5.2: what a missing or unparseable Content-Type means. */
export function defaultContentType(): ContentType {
  return { type: "text", subtype: "plain", params: { charset: "us-ascii" } };
}

function stripComments(s: string): string {
  if (!s.includes("(")) return s;
  let out = "";
  let depth = 0;
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inQuote) {
      out += c;
      if (c === "\\" && i + 1 < s.length) out += s[++i]!;
      else if (c === '"') inQuote = false;
    } else if (depth > 0) {
      if (c === "\\") i++;
      else if (c === "(") depth++;
      else if (c === ")") depth--;
    } else if (c === "(") {
      depth++;
    } else {
      if (c === '"') inQuote = true;
      out += c;
    }
  }
  return out;
}

/** Splits `value` into the leading token(s) and the raw parameter list. */
function splitValue(value: string): { head: string; params: RawParam[] } {
  const s = stripComments(value);
  const params: RawParam[] = [];
  let i = s.indexOf(";");
  const head = (i < 0 ? s : s.slice(0, i)).trim();
  if (i < 0) return { head, params };
  const n = s.length;
  while (i < n) {
    while (i < n && (s[i] === ";" || s[i] === " " || s[i] === "\t" || s[i] === "\r" || s[i] === "\n")) i++;
    if (i >= n) break;
    const nameStart = i;
    while (i < n && s[i] !== "=" && s[i] !== ";") i++;
    const name = s.slice(nameStart, i).trim().toLowerCase();
    if (i >= n || s[i] === ";") continue; // a name without value: ignored
    i++; // "="
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
    let val = "";
    if (s[i] === '"') {
      i++;
      while (i < n && s[i] !== '"') {
        if (s[i] === "\\" && i + 1 < n) i++;
        val += s[i];
        i++;
      }
      i++; // closing quote (or past the end when missing)
      // Anything after the quoted-string up to ";" is junk.
      while (i < n && s[i] !== ";") i++;
    } else {
      const start = i;
      while (i < n && s[i] !== ";") i++;
      val = s.slice(start, i).trim();
    }
    if (name && /^[^\s"]+$/.test(name)) params.push({ name, value: val });
  }
  return { head, params };
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/** Parses a Content-Type value; an unparseable type gives text/plain (RFC 2045 5.2). */
export function parseContentType(value: string): ContentType {
  const { head, params } = splitValue(value);
  const slash = head.indexOf("/");
  const type = (slash < 0 ? head : head.slice(0, slash)).trim().toLowerCase();
  const subtype = (slash < 0 ? "" : head.slice(slash + 1)).trim().toLowerCase();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) {
    const ct = defaultContentType();
    // Keep a charset the sender gave even when the type itself is garbage.
    const p = combineParams(params);
    if (p["charset"]) ct.params["charset"] = p["charset"];
    return ct;
  }
  return { type, subtype, params: combineParams(params) };
}

export function parseContentDisposition(value: string): { type: string; params: Record<string, string> } {
  const { head, params } = splitValue(value);
  return { type: head.toLowerCase(), params: combineParams(params) };
}

/** Content-Type value for a header: quoted where needed, RFC 2231 for non-ASCII values. */
export function formatContentType(ct: ContentType): string {
  let s = `${ct.type}/${ct.subtype}`;
  for (const [k, v] of Object.entries(ct.params)) s += "; " + formatParam(k, v);
  return s;
}
