/**
 * Content-Transfer-Encoding (RFC 2045 6): quoted-printable, both directions (base64 is the
 * engine's one codec in ../base64.ts). Table-driven over bytes because bodies reach 25 MB: no
 * regexes or string building per character. The decoder is lenient where real mailers are
 * sloppy (lowercase hex, trailing whitespace).
 */
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
