/**
 * Line-end canonicalisation. Signatures over MIME are computed on CRLF text (RFC 5751 3.1.1,
 * RFC 3156 5), and mail on disk or from a local folder often has bare LF, so every parse
 * starts here and every byte offset the parser hands out refers to the canonical copy.
 */

const CR = 0x0d;
const LF = 0x0a;

/**
 * Arrays this function returned. A decrypted entity is canonicalised by the protocol engine
 * and parsed again by the message layer; the second call then costs no second scan of 25 MB.
 * (The engine never writes into message bytes it handed on.)
 */
const canonical = new WeakSet<Uint8Array>();

/**
 * Turns bare LF and bare CR into CRLF. Returns `bytes` itself when nothing needs changing,
 * so the common case (mail from IMAP is already CRLF) costs one scan and no copy.
 */
export function canonicalizeLineEndings(bytes: Uint8Array): Uint8Array {
  if (canonical.has(bytes)) return bytes;
  const out = canonicalCopy(bytes);
  canonical.add(out);
  return out;
}

function canonicalCopy(bytes: Uint8Array): Uint8Array {
  // Line ends are found with TypedArray.indexOf and runs copied with set(): both are native.
  // A byte-at-a-time loop is 50-100x slower where JavaScript runs without a JIT, which is
  // Debian's Thunderbird (javascript.options.baselinejit=false in /etc/thunderbird/pref).
  let extra = 0;
  for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) if (i === 0 || bytes[i - 1] !== CR) extra++;
  const firstCr = bytes.indexOf(CR);
  if (firstCr === -1) return extra === 0 ? bytes : lfOnlyCopy(bytes, extra);
  for (let i = firstCr; i !== -1; i = bytes.indexOf(CR, i + 1)) if (bytes[i + 1] !== LF) extra++;
  if (extra === 0) return bytes;

  const out = new Uint8Array(bytes.length + extra);
  let o = 0;
  let runStart = 0;
  let nextCr = bytes.indexOf(CR);
  let nextLf = bytes.indexOf(LF);
  while (nextCr !== -1 || nextLf !== -1) {
    const i = nextCr === -1 ? nextLf : nextLf === -1 ? nextCr : Math.min(nextCr, nextLf);
    out.set(bytes.subarray(runStart, i), o);
    o += i - runStart;
    out[o++] = CR;
    out[o++] = LF;
    runStart = bytes[i] === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
    if (nextCr !== -1 && nextCr < runStart) nextCr = bytes.indexOf(CR, runStart);
    if (nextLf !== -1 && nextLf < runStart) nextLf = bytes.indexOf(LF, runStart);
  }
  out.set(bytes.subarray(runStart), o);
  return out;
}

/**
 * Bare LF only (a file written on Unix: what openssl and gpg write): the bytes are copied once
 * and each line is moved into place from the end, within the copy (copyWithin), with the CR
 * put before its LF. No view object per line: this is the case where every line changes.
 */
function lfOnlyCopy(bytes: Uint8Array, lines: number): Uint8Array {
  const out = new Uint8Array(bytes.length + lines);
  out.set(bytes);
  let shift = lines;
  let end = bytes.length;
  for (let i = bytes.lastIndexOf(LF); i !== -1 && shift > 0; i = i === 0 ? -1 : bytes.lastIndexOf(LF, i - 1)) {
    out.copyWithin(i + 1 + shift, i + 1, end);
    out[i + shift] = LF;
    out[i + shift - 1] = CR;
    shift--;
    end = i;
  }
  return out;
}

/** Same, for text given as a JS string (builder input). */
export function canonicalizeLineEndingsString(s: string): string {
  return s.replace(/\r\n|\r|\n/g, "\r\n");
}
