/**
 * Content-Transfer-Encoding (RFC 2045 6): base64 and quoted-printable, both directions.
 * Table-driven over bytes because bodies reach 25 MB: no regexes or string building per
 * character. Decoders are lenient where real mailers are sloppy (line breaks, missing base64
 * padding, lowercase QP hex, trailing whitespace) and strict where data would be lost
 * silently (characters outside the base64 alphabet).
 */
import { SealbirdError } from "../errors.js";

const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_ENC = new Uint8Array(64);
/** 0-63: sextet; 64: whitespace to skip; 65: padding; 255: not base64. */
const B64_DEC = new Uint8Array(256).fill(255);
const SKIP = 64;
const PAD = 65;
for (let i = 0; i < 64; i++) {
  B64_ENC[i] = B64_ALPHABET.charCodeAt(i);
  B64_DEC[B64_ALPHABET.charCodeAt(i)] = i;
}
for (const c of [0x20, 0x09, 0x0d, 0x0a, 0x0b, 0x0c]) B64_DEC[c] = SKIP;
B64_DEC[0x3d] = PAD;

/** Below this size the table decoder is as fast as a native call plus its string. */
const NATIVE_MIN = 4096;
const LATIN1 = new TextDecoder("latin1");

function badBase64(message: string, offset: number): SealbirdError {
  return new SealbirdError("mime-bad-encoding", message, { encoding: "base64", offset });
}

/**
 * Decodes base64 ignoring whitespace and line breaks. Missing padding is accepted; padding in
 * the middle ends one quantum and decoding resumes (some mailers concatenate encoded chunks).
 * A character outside the alphabet, or a lone trailing sextet, is an error.
 */
export function decodeBase64(input: Uint8Array): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native && input.length >= NATIVE_MIN) {
    // Gecko (Thunderbird 133+) decodes natively, which matters where scripts run without a
    // JIT (Debian's Thunderbird). It skips the same whitespace and accepts missing padding;
    // whatever it refuses (padding mid-stream, a stray byte) the table decoder below
    // decodes or reports precisely.
    try {
      return native(LATIN1.decode(input));
    } catch {
      // fall through
    }
  }
  const out = new Uint8Array(Math.floor((input.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const v = B64_DEC[input[i]!]!;
    if (v < 64) {
      acc = (acc << 6) | v;
      if (++n === 4) {
        out[o++] = (acc >>> 16) & 0xff;
        out[o++] = (acc >>> 8) & 0xff;
        out[o++] = acc & 0xff;
        acc = 0;
        n = 0;
      }
    } else if (v === SKIP) {
      continue;
    } else if (v === PAD) {
      if (n === 1) throw badBase64("base64 padding after a single character", i);
      o = flushPartial(out, o, acc, n);
      acc = 0;
      n = 0;
    } else {
      throw badBase64(`invalid base64 character 0x${input[i]!.toString(16).padStart(2, "0")}`, i);
    }
  }
  if (n === 1) throw badBase64("base64 data ends in the middle of a byte", input.length);
  o = flushPartial(out, o, acc, n);
  return out.subarray(0, o);
}

function flushPartial(out: Uint8Array, o: number, acc: number, n: number): number {
  if (n === 2) {
    out[o++] = (acc >>> 4) & 0xff;
  } else if (n === 3) {
    out[o++] = (acc >>> 10) & 0xff;
    out[o++] = (acc >>> 2) & 0xff;
  }
  return o;
}

/** base64 with CRLF after every `lineLength` characters (76 per RFC 2045) and at the end. */
export function encodeBase64Lines(data: Uint8Array, lineLength = 76): Uint8Array {
  const quantaPerLine = Math.max(1, Math.floor(lineLength / 4));
  const chars = Math.ceil(data.length / 3) * 4;
  const lines = Math.ceil(chars / (quantaPerLine * 4));
  const out = new Uint8Array(chars + lines * 2);
  let o = 0;
  let q = 0;
  const full = data.length - (data.length % 3);
  for (let i = 0; i < full; i += 3) {
    const v = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    out[o++] = B64_ENC[v >>> 18]!;
    out[o++] = B64_ENC[(v >>> 12) & 63]!;
    out[o++] = B64_ENC[(v >>> 6) & 63]!;
    out[o++] = B64_ENC[v & 63]!;
    if (++q === quantaPerLine) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      q = 0;
    }
  }
  const rest = data.length - full;
  if (rest > 0) {
    const v = (data[full]! << 16) | (rest === 2 ? data[full + 1]! << 8 : 0);
    out[o++] = B64_ENC[v >>> 18]!;
    out[o++] = B64_ENC[(v >>> 12) & 63]!;
    out[o++] = rest === 2 ? B64_ENC[(v >>> 6) & 63]! : 0x3d;
    out[o++] = 0x3d;
    q++;
  }
  if (q > 0) {
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  return out.subarray(0, o);
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes quoted-printable. Soft line breaks ("=" before CRLF, also with whitespace between)
 * are removed; trailing whitespace before a hard break is dropped as RFC 2045 6.7 (3) asks;
 * an "=" not followed by two hex digits is kept literally rather than losing text.
 */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let o = 0;
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input[i]!;
    if (c === 0x3d) {
      const h1 = i + 1 < n ? hexVal(input[i + 1]!) : -1;
      const h2 = i + 2 < n ? hexVal(input[i + 2]!) : -1;
      if (h1 >= 0 && h2 >= 0) {
        out[o++] = (h1 << 4) | h2;
        i += 3;
        continue;
      }
      // Soft break: "=" [WSP...] CRLF, or "=" at the very end.
      let j = i + 1;
      while (j < n && (input[j] === 0x20 || input[j] === 0x09)) j++;
      if (j >= n) {
        i = n;
        continue;
      }
      if (input[j] === 0x0d && j + 1 < n && input[j + 1] === 0x0a) {
        i = j + 2;
        continue;
      }
      if (input[j] === 0x0a) {
        i = j + 1;
        continue;
      }
      out[o++] = c;
      i++;
      continue;
    }
    if (c === 0x20 || c === 0x09) {
      let j = i;
      while (j < n && (input[j] === 0x20 || input[j] === 0x09)) j++;
      const atLineEnd = j >= n || input[j] === 0x0d || input[j] === 0x0a;
      if (!atLineEnd) {
        out.set(input.subarray(i, j), o);
        o += j - i;
      }
      i = j;
      continue;
    }
    out[o++] = c;
    i++;
  }
  return out.subarray(0, o);
}

const HEX = "0123456789ABCDEF";

/**
 * Quoted-printable with lines of at most 76 characters. CRLF in the input is a hard line
 * break; lone CR or LF (binary content) is encoded. "From " at a line start and a lone "."
 * line are encoded too, because mbox and SMTP servers alter them and break signatures.
 */
export function encodeQuotedPrintable(data: Uint8Array): Uint8Array {
  // Worst case every byte becomes "=XX", plus a soft break every 25 input bytes.
  const out = new Uint8Array(data.length * 3 + Math.ceil(data.length / 24) * 3 + 4);
  let o = 0;
  let col = 0;
  const n = data.length;
  const put = (s: number[], len: number) => {
    if (col + len > 75) {
      out[o++] = 0x3d;
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      col = 0;
    }
    for (let k = 0; k < len; k++) out[o++] = s[k]!;
    col += len;
  };
  const tmp = [0, 0, 0];
  const putHex = (c: number) => {
    tmp[0] = 0x3d;
    tmp[1] = HEX.charCodeAt(c >> 4);
    tmp[2] = HEX.charCodeAt(c & 15);
    put(tmp, 3);
  };
  for (let i = 0; i < n; i++) {
    const c = data[i]!;
    if (c === 0x0d && i + 1 < n && data[i + 1] === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      col = 0;
      i++;
      continue;
    }
    const next = i + 1 < n ? data[i + 1]! : -1;
    const atLineEnd = next === -1 || (next === 0x0d && i + 2 < n && data[i + 2] === 0x0a);
    const lineStart = col === 0 && (i === 0 || data[i - 1] === 0x0a);
    let literal = (c >= 0x21 && c <= 0x7e && c !== 0x3d) || ((c === 0x20 || c === 0x09) && !atLineEnd);
    if (lineStart && c === 0x46 && data[i + 1] === 0x72 && data[i + 2] === 0x6f && data[i + 3] === 0x6d && data[i + 4] === 0x20) {
      literal = false;
    }
    if (lineStart && c === 0x2e && atLineEnd) literal = false;
    if (literal) {
      // The last character of a line may use column 76 without a soft break after it.
      if (col === 75 && atLineEnd) {
        out[o++] = c;
        col++;
      } else {
        tmp[0] = c;
        put(tmp, 1);
      }
    } else {
      if (col === 73 && atLineEnd) {
        out[o++] = 0x3d;
        out[o++] = HEX.charCodeAt(c >> 4);
        out[o++] = HEX.charCodeAt(c & 15);
        col += 3;
      } else {
        putHex(c);
      }
    }
  }
  return out.subarray(0, o);
}
