/**
 * base64 (RFC 4648 4) for the whole engine: one encoder and one decoder. MIME bodies, PEM,
 * keystore fields, Autocrypt keydata and data: URLs differ only in how they wrap the text and
 * how much malformed input they tolerate, so those are the only things that vary here.
 */
import { SealbirdError } from "./errors.js";
import { toBinaryString, utf8 } from "./bytes.js";

/**
 * Unwrapped, padded base64. btoa is native code even where Thunderbird runs scripts without
 * a JIT (Debian), where a per-byte table loop over a 25 MB attachment takes ten times longer.
 */
export function base64Encode(b: Uint8Array): string {
  // Gecko (Thunderbird 133+) encodes natively without the intermediate binary string.
  const native = (b as Uint8Array & { toBase64?: () => string }).toBase64;
  return native ? native.call(b) : btoa(toBinaryString(b));
}

/**
 * base64 with CRLF after every `lineLength` characters (76 per RFC 2045) and at the end,
 * after `prefix` (a header section) and before `suffix` when given, in one buffer. `data` may
 * be given as pieces (a DER structure around a large content, a stream's chunks): they are
 * encoded as if joined, without joining.
 */
export function encodeBase64Lines(data: Uint8Array | readonly Uint8Array[], lineLength = 76, prefix?: Uint8Array, suffix?: Uint8Array): Uint8Array {
  const pieces = data instanceof Uint8Array ? [data] : data;
  let total = 0;
  for (const p of pieces) total += p.length;
  const width = Math.max(1, Math.floor(lineLength / 4)) * 4;
  const textLength = Math.ceil(total / 3) * 4;
  const lines = Math.ceil(textLength / width);
  const start = prefix?.length ?? 0;
  const out = new Uint8Array(start + textLength + lines * 2 + (suffix?.length ?? 0));
  if (prefix) out.set(prefix);
  if (suffix) out.set(suffix, out.length - suffix.length);
  // Encoded a block of whole lines at a time (native base64, native ASCII copy, then each
  // line moved to its place with copyWithin): no string of the whole base64 text, and no
  // view object per line.
  const blockBytes = (width / 4) * 3 * 1024;
  const reader = piecesReader(pieces);
  let o = start;
  for (let done = 0; done < total; done += blockBytes) {
    const text = base64Encode(reader(Math.min(blockBytes, total - done)));
    asciiEncoder.encodeInto(text, out.subarray(o));
    const blockLines = Math.ceil(text.length / width);
    for (let i = blockLines - 1; i >= 0; i--) {
      const from = o + i * width;
      const to = o + i * (width + 2);
      const end = Math.min(from + width, o + text.length);
      if (to !== from) out.copyWithin(to, from, end);
      out[to + (end - from)] = 0x0d;
      out[to + (end - from) + 1] = 0x0a;
    }
    o += text.length + blockLines * 2;
  }
  return out;
}

/** Reads consecutive byte ranges across pieces: views where a range lies in one piece. */
function piecesReader(pieces: readonly Uint8Array[]): (n: number) => Uint8Array {
  let index = 0;
  let offset = 0;
  return (n) => {
    const piece = pieces[index];
    if (piece && piece.length - offset >= n) {
      const view = piece.subarray(offset, offset + n);
      offset += n;
      if (offset === piece.length) {
        index++;
        offset = 0;
      }
      return view;
    }
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      const p = pieces[index]!;
      const take = Math.min(n - filled, p.length - offset);
      out.set(p.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (offset === p.length) {
        index++;
        offset = 0;
      }
    }
    return out;
  };
}

const asciiEncoder = new TextEncoder();

const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** 0-63: sextet; 64: whitespace to skip; 65: padding; 255: not base64. */
const B64_DEC = new Uint8Array(256).fill(255);
const SKIP = 64;
const PAD = 65;
for (let i = 0; i < 64; i++) B64_DEC[B64_ALPHABET.charCodeAt(i)] = i;
for (const c of [0x20, 0x09, 0x0d, 0x0a, 0x0b, 0x0c]) B64_DEC[c] = SKIP;
B64_DEC[0x3d] = PAD;

/**
 * A platform decoder that reads base64 straight from bytes, with exactly the rules of
 * `Uint8Array.fromBase64` (it throws where that throws). The CLI installs Node's
 * (src/node/native-base64.ts): there the latin1 string `fromBase64` needs costs more than the
 * decoding itself.
 */
let bytesDecoder: ((input: Uint8Array) => Uint8Array) | undefined;

export function setBase64BytesDecoder(decoder: ((input: Uint8Array) => Uint8Array) | undefined): void {
  bytesDecoder = decoder;
}

/** Below this size the table decoder is as fast as a native call plus its string. */
const NATIVE_MIN = 4096;
const LATIN1 = new TextDecoder("latin1");

// The MIME layer was the decoder's first reader; callers and tests rely on this code.
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
  if ((bytesDecoder || native) && input.length >= NATIVE_MIN) {
    // Gecko (Thunderbird 133+) decodes natively, which matters where scripts run without a
    // JIT (Debian's Thunderbird). It skips the same whitespace and accepts missing padding;
    // whatever it refuses (padding mid-stream, a stray byte) the table decoder below
    // decodes or reports precisely.
    try {
      return bytesDecoder ? bytesDecoder(input) : native!(LATIN1.decode(input));
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

const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One base64 value with no white space, accepted exactly as atob accepts it: "=" only where it
 * completes the last group of four. With `padded`, the last group must be complete (as
 * base64Encode writes it). null for anything else: a stored field, PEM block or header value
 * that is not clean base64 is refused, not decoded as leniently as a MIME body.
 */
export function decodeBase64Text(s: unknown, { padded = false } = {}): Uint8Array | null {
  if (typeof s !== "string" || !BASE64_TEXT.test(s)) return null;
  const rest = s.length % 4;
  if (rest !== 0 && (padded || rest === 1 || s.endsWith("="))) return null;
  return decodeBase64(utf8(s));
}
