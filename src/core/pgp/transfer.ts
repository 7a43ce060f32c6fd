/**
 * Content-Transfer-Encoding decoding for the parts the OpenPGP engine reads (armored text,
 * application/octet-stream). Kept here, small and lenient like GnuPG/Thunderbird, so the
 * engine does not depend on how the MIME layer exposes decoded bodies; the armored data
 * itself is checked by its own CRC/packet structure afterwards.
 */
import type { MimeEntity } from "../mime/entity.js";
import { SealbirdError } from "../errors.js";

/** Largest armored part the engine reads (the MIME layer caps whole messages at 100 MB). */
export const MAX_PGP_PART_BYTES = 140 * 1024 * 1024;

const B64 = new Int16Array(256).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((c, i) => (B64[c.charCodeAt(0)] = i));

function base64Loose(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((b.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x3d) break;
    const v = B64[c]!;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    if (++n === 4) {
      out[o++] = (acc >> 16) & 0xff;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
      n = 0;
    }
  }
  if (n === 2) out[o++] = (acc >> 4) & 0xff;
  else if (n === 3) {
    out[o++] = (acc >> 10) & 0xff;
    out[o++] = (acc >> 2) & 0xff;
  }
  return out.subarray(0, o);
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function quotedPrintable(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    // "=" CRLF (soft line break), possibly with transport-added whitespace before the CRLF
    let j = i + 1;
    while (j < b.length && (b[j] === 0x20 || b[j] === 0x09)) j++;
    if (b[j] === 0x0d && b[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (b[j] === 0x0a) {
      i = j;
      continue;
    }
    const h = hexVal(b[i + 1] ?? 0);
    const l = hexVal(b[i + 2] ?? 0);
    if (h >= 0 && l >= 0) {
      out[o++] = (h << 4) | l;
      i += 2;
    } else out[o++] = c;
  }
  return out.subarray(0, o);
}

/** The body of `e` with its Content-Transfer-Encoding undone. */
export function decodedBody(e: MimeEntity): Uint8Array {
  if (e.body.length > MAX_PGP_PART_BYTES) throw new SealbirdError("input-too-large", "The OpenPGP part is too large.");
  switch (e.transferEncoding) {
    case "base64":
      return base64Loose(e.body);
    case "quoted-printable":
      return quotedPrintable(e.body);
    case "7bit":
    case "8bit":
    case "binary":
    case "":
      return e.body;
    default:
      throw new SealbirdError("mime-bad-encoding", `Unknown transfer encoding ${e.transferEncoding}.`);
  }
}

/** Bare LF or CR → CRLF (the form MIME and OpenPGP text signatures are computed over). */
export function toCrlf(b: Uint8Array): Uint8Array {
  let extra = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) extra++;
    else if (c === 0x0d && b[i + 1] !== 0x0a) extra++;
  }
  if (extra === 0) return b;
  const out = new Uint8Array(b.length + extra);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else if (c === 0x0d && b[i + 1] !== 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else out[o++] = c;
  }
  return out;
}

/**
 * Byte-preserving binary string (each byte one char 0-255). Chunked `fromCharCode` over the
 * typed array itself and one join: linear, unlike repeated concatenation (25 MB armored
 * parts are routine).
 */
export function binaryString(b: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 0x8000;
  for (let i = 0; i < b.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, b.subarray(i, Math.min(b.length, i + CHUNK)) as unknown as number[]));
  }
  return parts.join("");
}

const latin1 = new TextDecoder("latin1");

/**
 * Fast text view for data whose meaning is ASCII only (armor, boundary searches). The WHATWG
 * "latin1" decoder is windows-1252 (0x80-0x9f remapped), which cannot matter there.
 */
export function asciiView(b: Uint8Array): string {
  return latin1.decode(b);
}
