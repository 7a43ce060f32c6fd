/**
 * Charset decoding through TextDecoder, which is the same WHATWG Encoding implementation in
 * Node and Thunderbird. Mail in the wild names charsets loosely; an unknown or unsupported
 * label must not make a message unreadable, so it falls back to UTF-8 with replacement.
 */
import { fromBinaryString } from "../bytes.js";

const decoders = new Map<string, TextDecoder>();

/** Labels seen in mail that the Encoding standard does not know under that spelling. */
const ALIASES: Record<string, string> = {
  utf8: "utf-8",
  "unicode-1-1-utf-8": "utf-8",
  "x-unknown": "utf-8",
  "unknown-8bit": "utf-8",
  "x-user-defined": "utf-8",
  latin1: "iso-8859-1",
  "iso8859-1": "iso-8859-1",
  "iso_8859-1": "iso-8859-1",
  "iso-8859-8-i": "iso-8859-8-i",
  "ks_c_5601-1987": "euc-kr",
  cp1252: "windows-1252",
  cp1251: "windows-1251",
  cp1250: "windows-1250",
  ansi_x3: "us-ascii",
  "ansi_x3.4-1968": "us-ascii",
  ascii: "us-ascii",
};

function decoderFor(charset: string | undefined): TextDecoder {
  let label = (charset ?? "").trim().toLowerCase().replace(/^"|"$/g, "");
  label = ALIASES[label] ?? label;
  if (label === "" || label === "us-ascii") label = "utf-8";
  let d = decoders.get(label);
  if (!d) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = decoders.get("utf-8") ?? new TextDecoder("utf-8");
    }
    decoders.set(label, d);
  }
  return d;
}

/** windows-1252 0x80-0x9f (WHATWG index); 0 where the byte maps to the C1 control itself. */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/**
 * Node 20's TextDecoder("windows-1252") (and so "iso-8859-1", which the Encoding standard
 * maps to it) decodes as plain Latin-1, leaving "€" and curly quotes as C1 controls. Browsers
 * get it right; decoding it ourselves gives the same text everywhere.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  const CHUNK = 0x4000;
  const codes = new Uint16Array(Math.min(bytes.length, CHUNK));
  let out = "";
  for (let off = 0; off < bytes.length; off += CHUNK) {
    const n = Math.min(CHUNK, bytes.length - off);
    for (let i = 0; i < n; i++) {
      const b = bytes[off + i]!;
      codes[i] = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! || b : b;
    }
    out += String.fromCharCode.apply(null, Array.from(codes.subarray(0, n)));
  }
  return out;
}

/**
 * Bytes in `charset` → string. us-ascii is read as UTF-8: mislabelled 8-bit mail is almost
 * always UTF-8 today, and for true ASCII the result is identical.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const d = decoderFor(charset);
  if (d.encoding === "windows-1252") return decodeWindows1252(bytes);
  return d.decode(bytes);
}

/** True when the label names a charset TextDecoder can decode. */
export function isKnownCharset(charset: string): boolean {
  let label = charset.trim().toLowerCase();
  label = ALIASES[label] ?? label;
  if (label === "us-ascii") return true;
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A raw header value (binary string) → text. Raw 8-bit header bytes are UTF-8 under RFC 6532;
 * older mailers wrote their local charset, for which windows-1252 is the likeliest guess.
 */
export function decodeRawHeaderText(binary: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(binary)) return binary;
  // Already a JS string with characters beyond one byte: nothing to decode.
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\xff]/.test(binary)) return binary;
  const bytes = fromBinaryString(binary);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}
