/**
 * A minimal DER writer for what we emit (SignedData, EnvelopedData, AuthEnvelopedData).
 * Plain byte concatenation, with the levels around a large content kept as pieces
 * (`tlvPieces`) so that it is copied once; SET OF sorting is explicit: receivers such as
 * openssl re-encode signed attributes in DER before verifying.
 */
import { concatBytes } from "../bytes.js";

function lengthBytes(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  return concatBytes(tlvPieces(tag, ...content));
}

/**
 * An encoding kept as its pieces (tag and length first, then the content's pieces), for
 * structures around a large content (25 MB of ciphertext): it is copied once, when the
 * outermost level is joined with concatBytes, not once per enclosing level.
 */
export type DerPieces = Uint8Array[];

/** Tags for tlvPieces: SEQUENCE, OCTET STRING, [0] EXPLICIT (constructed), [0] IMPLICIT (primitive). */
export const TAG = { sequence: 0x30, octetString: 0x04, explicit0: 0xa0, implicit0: 0x80 } as const;

export function tlvPieces(tag: number, ...content: Array<Uint8Array | DerPieces>): DerPieces {
  const out: DerPieces = [Uint8Array.of(tag), new Uint8Array(0)];
  let len = 0;
  for (const c of content) {
    for (const piece of Array.isArray(c) ? c : [c]) {
      out.push(piece);
      len += piece.length;
    }
  }
  out[1] = lengthBytes(len);
  return out;
}

export const seq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);
/** SET OF in DER: elements sorted by their encodings. */
export const setOf = (...c: Uint8Array[]): Uint8Array => tlv(0x31, ...[...c].sort(compareBytes));
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
/** [n] EXPLICIT / constructed context tag. */
export const ctx = (n: number, ...c: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...c);
/** [n] IMPLICIT on a primitive. */
export const ctxPrim = (n: number, b: Uint8Array): Uint8Array => tlv(0x80 | n, b);

export function integer(v: number | Uint8Array): Uint8Array {
  let b: Uint8Array;
  if (typeof v === "number") {
    const bytes: number[] = [];
    let x = v;
    do {
      bytes.unshift(x & 0xff);
      x = Math.floor(x / 256);
    } while (x > 0);
    b = Uint8Array.from(bytes);
  } else {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0 && (v[i + 1]! & 0x80) === 0) i++;
    b = v.subarray(i);
  }
  if (b.length === 0 || (b[0]! & 0x80) !== 0) b = concatBytes([Uint8Array.of(0), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const tmp: number[] = [];
    let x = arc;
    do {
      tmp.unshift(x & 0x7f);
      x = Math.floor(x / 128);
    } while (x > 0);
    for (let i = 0; i < tmp.length - 1; i++) tmp[i]! |= 0x80;
    out.push(...tmp);
  }
  return tlv(0x06, Uint8Array.from(out));
}

export function algorithm(dotted: string, params?: Uint8Array | null): Uint8Array {
  // null → explicit NULL parameters (RSA algorithms), undefined → absent.
  if (params === null) return seq(oid(dotted), nullValue());
  return params ? seq(oid(dotted), params) : seq(oid(dotted));
}

export function bitString(b: Uint8Array): Uint8Array {
  return tlv(0x03, Uint8Array.of(0), b);
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function time(d: Date): Uint8Array {
  const iso = d.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  const y = d.getUTCFullYear();
  const enc = new TextEncoder();
  if (y >= 1950 && y < 2050) return tlv(0x17, enc.encode(digits.slice(2)));
  return tlv(0x18, enc.encode(digits));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
