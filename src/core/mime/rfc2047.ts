/**
 * RFC 2047 encoded-words in header text, both directions, and header folding (RFC 5322 2.2.3).
 */
import { concatBytes, fromBinaryString, utf8 } from "../bytes.js";
import { decodeCharset } from "./charset.js";
import { base64Encode, decodeBase64 } from "../base64.js";

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

function decodeQ(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) {
      out[o++] = 0x20;
    } else if (c === 0x3d && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out[o++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[o++] = c & 0xff;
    }
  }
  return out.subarray(0, o);
}

function wordBytes(encoding: string, text: string): Uint8Array | undefined {
  if (encoding === "q" || encoding === "Q") return decodeQ(text);
  try {
    return decodeBase64(fromBinaryString(text));
  } catch {
    return undefined;
  }
}

/**
 * Decodes every encoded-word in `text`. Whitespace between two adjacent encoded-words is
 * dropped (RFC 2047 6.2); adjacent words in the same charset are joined as bytes before
 * decoding, because mailers split multi-byte characters across words. An encoded-word that
 * does not decode is left as written.
 */
export function decodeEncodedWords(text: string): string {
  if (!text.includes("=?")) return text;
  let out = "";
  let last = 0;
  let pending: { charset: string; chunks: Uint8Array[] } | undefined;
  let pendingEnd = -1;
  const flush = () => {
    if (!pending) return;
    out += decodeCharset(concatBytes(pending.chunks), pending.charset);
    pending = undefined;
  };
  for (const m of text.matchAll(ENCODED_WORD)) {
    const start = m.index;
    const between = text.slice(last, start);
    // RFC 2231 section 5 allows a language suffix: =?utf-8*de?Q?...?=
    const charset = m[1]!.split("*")[0]!.toLowerCase();
    const bytes = wordBytes(m[2]!, m[3]!);
    if (!bytes) continue;
    const adjacent = pending !== undefined && pendingEnd === start - between.length && /^[ \t\r\n]*$/.test(between);
    if (adjacent && pending!.charset === charset) {
      pending!.chunks.push(bytes);
    } else {
      flush();
      if (!adjacent) out += between;
      pending = { charset, chunks: [bytes] };
    }
    last = start + m[0].length;
    pendingEnd = last;
  }
  flush();
  return out + text.slice(last);
}

/* ------------------------------------------------------------------ encoding */

const MAX_WORD = 75;
const Q_SAFE = /[A-Za-z0-9!*+\-/]/;

function qEncode(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (b === 0x20) s += "_";
    else if (b < 0x80 && Q_SAFE.test(ch)) s += ch;
    else s += "=" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return s;
}

/** Encodes `text` as one or more UTF-8 encoded-words of at most 75 characters each, never
 * splitting a character between words (RFC 2047 5 (3)). */
function encodeWords(text: string, firstMax = MAX_WORD): string[] {
  const chars = Array.from(text);
  const all = utf8(text);
  // Q stays readable for mostly-Latin text; B is shorter once escapes dominate.
  const useQ = qEncode(all).length <= Math.ceil(all.length / 3) * 4 * 1.3;
  const prefix = useQ ? "=?UTF-8?Q?" : "=?UTF-8?B?";
  let room = Math.max(8, firstMax - prefix.length - 2);
  const encode = useQ ? qEncode : base64Encode;
  const lengthOf = (n: number) => (useQ ? -1 : Math.ceil(n / 3) * 4);
  const words: string[] = [];
  let cur: number[] = [];
  let curQ = "";
  const fits = (bytes: number[], add: Uint8Array) => {
    if (useQ) return curQ.length + qEncode(add).length <= room;
    return lengthOf(bytes.length + add.length) <= room;
  };
  for (const ch of chars) {
    const b = utf8(ch);
    if (cur.length > 0 && !fits(cur, b)) {
      words.push(prefix + encode(Uint8Array.from(cur)) + "?=");
      cur = [];
      curQ = "";
      room = MAX_WORD - prefix.length - 2;
    }
    for (const x of b) cur.push(x);
    if (useQ) curQ += qEncode(b);
  }
  if (cur.length > 0) words.push(prefix + encode(Uint8Array.from(cur)) + "?=");
  return words;
}

const NEEDS_ENCODING = /[^\x20-\x7e\t]|=\?/;
const TOKEN = /"(?:[^"\\]|\\.)*"|[^ \t"]+|"|[ \t]+/g;

/**
 * Header text → ASCII header text: words with non-ASCII or control characters (or a literal
 * "=?" that would be misread) become UTF-8 encoded-words; runs of such words separated only by
 * whitespace are encoded together so the spaces survive decoding. A quoted-string needing
 * encoding loses its quotes (an encoded-word may not appear inside one, RFC 2047 5 (3)).
 * The result is folded so every line is at most 78 characters, where `firstLineUsed`
 * characters (e.g. "Subject: ") already precede it on the first line.
 */
export function encodeHeaderValue(s: string, firstLineUsed = 0): string {
  return foldHeaderValue(encodeHeaderWords(s, firstLineUsed), firstLineUsed);
}

/**
 * Like encodeHeaderValue without folding. `firstLineUsed` only shortens an encoded-word at
 * the very start so that the first line can still fit in 78 characters.
 */
export function encodeHeaderWords(s: string, firstLineUsed = 0): string {
  if (!NEEDS_ENCODING.test(s)) return s;
  const tokens = s.replace(/\r?\n/g, " ").match(TOKEN) ?? [];
  const out: string[] = [];
  let group: string[] = [];
  let pendingSpace = "";
  const flushGroup = () => {
    if (group.length === 0) return;
    const atStart = out.join("").length === 0;
    out.push(encodeWords(group.join(""), atStart ? Math.min(MAX_WORD, 78 - firstLineUsed) : MAX_WORD).join(" "));
    group = [];
  };
  for (const t of tokens) {
    if (/^[ \t]+$/.test(t)) {
      pendingSpace += t;
      continue;
    }
    let word = t;
    const needs = NEEDS_ENCODING.test(word);
    if (needs && word.length >= 2 && word.startsWith('"') && word.endsWith('"')) {
      word = word.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    if (needs) {
      if (group.length > 0) group.push(pendingSpace);
      else if (out.length > 0 || pendingSpace) out.push(pendingSpace);
      group.push(word);
    } else {
      flushGroup();
      out.push(pendingSpace, word);
    }
    pendingSpace = "";
  }
  flushGroup();
  if (pendingSpace) out.push(pendingSpace);
  return out.join("");
}

/**
 * Folds at whitespace so lines stay within 78 characters where the text allows it (a single
 * word longer than that stays on its own line). Unfolding the result gives `value` back.
 */
export function foldHeaderValue(value: string, firstLineUsed = 0): string {
  const segments = value.match(/[ \t]+[^ \t]+|[^ \t]+|[ \t]+$/g);
  if (!segments) return value;
  let out = "";
  let col = firstLineUsed;
  let lineHasWord = firstLineUsed > 0;
  for (const seg of segments) {
    const startsWithSpace = seg[0] === " " || seg[0] === "\t";
    const hasWord = /[^ \t]/.test(seg);
    if (startsWithSpace && hasWord && lineHasWord && col + seg.length > 78) {
      out += "\r\n";
      col = 0;
    }
    out += seg;
    col += seg.length;
    if (hasWord) lineHasWord = true;
  }
  return out;
}
