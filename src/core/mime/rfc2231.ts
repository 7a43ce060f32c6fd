/**
 * RFC 2231 parameter value continuations and charsets: `title*0*=utf-8''%E2%82%AC; title*1=x`.
 */
import { concatBytes, fromBinaryString, toBinaryString, utf8 } from "../bytes.js";
import { decodeCharset, decodeRawHeaderText } from "./charset.js";

export interface RawParam {
  /** Lowercased name as written, including any `*n` / `*` suffix. */
  name: string;
  value: string;
}

function percentDecode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out[o++] = parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    } else if (c > 0xff) {
      const b = utf8(s[i]!);
      for (const x of b) out[o++] = x;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}

interface Section {
  index: number;
  extended: boolean;
  value: string;
}

/**
 * Joins continuations and decodes charsets. A plain `name` and an extended `name*` for the same
 * parameter: the extended form wins (it is what RFC 2231-aware senders mean). Sections are
 * joined in numeric order and stop at the first gap, as RFC 2231 3 requires.
 */
export function combineParams(raw: readonly RawParam[]): Record<string, string> {
  const plain = new Map<string, string>();
  const sectioned = new Map<string, Section[]>();
  for (const p of raw) {
    const sec = /^(.+?)\*(\d{1,3})(\*?)$/.exec(p.name);
    const ext = sec ? null : /^(.+)\*$/.exec(p.name);
    if (sec) {
      const list = sectioned.get(sec[1]!) ?? [];
      list.push({ index: Number(sec[2]), extended: sec[3] === "*", value: p.value });
      sectioned.set(sec[1]!, list);
    } else if (ext) {
      // name* with no section number: a single extended value.
      const list = sectioned.get(ext[1]!) ?? [];
      list.push({ index: -1, extended: true, value: p.value });
      sectioned.set(ext[1]!, list);
    } else if (!plain.has(p.name)) {
      plain.set(p.name, p.value);
    }
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of plain) out[k] = v;
  for (const [name, sections] of sectioned) {
    const single = sections.find((s) => s.index === -1);
    const ordered = single ? [single] : sections.filter((s) => s.index >= 0).sort((a, b) => a.index - b.index);
    if (!single && ordered[0]?.index !== 0) continue;
    let charset: string | undefined;
    const chunks: Uint8Array[] = [];
    ordered.forEach((s, i) => {
      if (!single && s.index !== i) return;
      let v = s.value;
      if (s.extended && i === 0) {
        const q1 = v.indexOf("'");
        const q2 = q1 >= 0 ? v.indexOf("'", q1 + 1) : -1;
        if (q2 >= 0) {
          charset = v.slice(0, q1) || undefined;
          v = v.slice(q2 + 1);
        }
      }
      chunks.push(s.extended ? percentDecode(v) : rawBytes(v));
    });
    const all = concatBytes(chunks);
    out[name] = charset ? decodeCharset(all, charset) : decodeRawHeaderText(toBinaryString(all));
  }
  return out;
}

function rawBytes(v: string): Uint8Array {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\xff]/.test(v) ? utf8(v) : fromBinaryString(v);
}

const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

function percentEncode(s: string): string {
  let out = "";
  for (const b of utf8(s)) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && ATTR_CHAR.test(ch) ? ch : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

const TOKEN_RE = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

function quoteIfNeeded(v: string): string {
  return TOKEN_RE.test(v) ? v : `"${v.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * One parameter as `name=value` pieces (already joined by "; "): a token or quoted-string when
 * the value is printable ASCII, RFC 2231 `name*=utf-8''...` otherwise, split into `name*0*`,
 * `name*1*` … sections when long so header lines can be folded.
 */
export function formatParam(name: string, value: string): string {
  const SECTION = 60;
  if (/^[\x20-\x7e]*$/.test(value)) {
    const q = quoteIfNeeded(value);
    if (q.length + name.length <= 76) return `${name}=${q}`;
    const pieces: string[] = [];
    for (let i = 0, n = 0; i < value.length; i += SECTION, n++) {
      pieces.push(`${name}*${n}=${quoteIfNeeded(value.slice(i, i + SECTION))}`);
    }
    return pieces.join("; ");
  }
  const enc = percentEncode(value);
  if (enc.length + name.length <= 64) return `${name}*=utf-8''${enc}`;
  const pieces: string[] = [];
  let rest = enc;
  for (let n = 0; rest.length > 0; n++) {
    let cut = Math.min(SECTION, rest.length);
    // Never split a %XX escape.
    if (rest[cut - 1] === "%") cut -= 1;
    else if (rest[cut - 2] === "%") cut -= 2;
    const piece = rest.slice(0, cut);
    rest = rest.slice(cut);
    pieces.push(`${name}*${n}*=${n === 0 ? "utf-8''" : ""}${piece}`);
  }
  return pieces.join("; ");
}
