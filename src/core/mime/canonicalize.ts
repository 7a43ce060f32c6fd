/**
 * Line-end canonicalisation. Signatures over MIME are computed on CRLF text (RFC 5751 3.1.1,
 * RFC 3156 5), and mail on disk or from a local folder often has bare LF, so every parse
 * starts here and every byte offset the parser hands out refers to the canonical copy.
 */

const CR = 0x0d;
const LF = 0x0a;

/**
 * Turns bare LF and bare CR into CRLF. Returns `bytes` itself when nothing needs changing,
 * so the common case (mail from IMAP is already CRLF) costs one scan and no copy.
 */
export function canonicalizeLineEndings(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  let extra = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === CR) {
      if (i + 1 < n && bytes[i + 1] === LF) i++;
      else extra++;
    } else if (c === LF) {
      extra++;
    }
  }
  if (extra === 0) return bytes;

  const out = new Uint8Array(n + extra);
  let o = 0;
  // Copy runs between line ends with set() rather than byte by byte: the runs are long.
  let runStart = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c !== CR && c !== LF) continue;
    out.set(bytes.subarray(runStart, i), o);
    o += i - runStart;
    out[o++] = CR;
    out[o++] = LF;
    if (c === CR && i + 1 < n && bytes[i + 1] === LF) i++;
    runStart = i + 1;
  }
  out.set(bytes.subarray(runStart, n), o);
  return out;
}

/** Same, for text given as a JS string (builder input). */
export function canonicalizeLineEndingsString(s: string): string {
  return s.replace(/\r\n|\r|\n/g, "\r\n");
}
