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

/**
 * Bytes in `charset` → string. us-ascii is read as UTF-8: mislabelled 8-bit mail is almost
 * always UTF-8 today, and for true ASCII the result is identical.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  return decoderFor(charset).decode(bytes);
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
const win1252 = new TextDecoder("windows-1252");

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
    return win1252.decode(bytes);
  }
}
