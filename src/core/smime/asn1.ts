/**
 * Reading CMS with asn1js, bounded. asn1js copes with BER (indefinite lengths, constructed
 * OCTET STRINGs — gpgsm and streaming openssl write both); these helpers walk its tree by tag
 * and turn every surprise into a typed error instead of a TypeError deep in a caller.
 */
import * as asn1js from "asn1js";
import { SealbirdError, type ErrorCode } from "../errors.js";
import { concatBytes } from "../bytes.js";
import { parseBounded } from "../asn1/bounded-ber.js";

export type Node = asn1js.AsnType;

/** Largest CMS blob we parse: the MIME layer accepts 100 MB messages, nothing inside is larger. */
export const MAX_CMS_BYTES = 100 * 1024 * 1024;

export function parseBer(bytes: Uint8Array, code: ErrorCode = "asn1-malformed", what = "CMS structure"): Node {
  // CMS is at most ~15 levels deep; streaming writers chunk content into many small OCTET STRINGs.
  return parseBounded(bytes, { maxBytes: MAX_CMS_BYTES, maxDepth: 48, maxNodes: 4_000_000 }, what, code);
}

export function fail(code: ErrorCode, msg: string): never {
  throw new SealbirdError(code, msg);
}

export function children(n: Node | undefined, code: ErrorCode = "asn1-malformed"): Node[] {
  const v = (n as asn1js.Constructed | undefined)?.valueBlock?.value;
  if (!n || !n.idBlock.isConstructed || !Array.isArray(v)) fail(code, "Unexpected ASN.1 structure.");
  // Indefinite-length encodings end with an EndOfContent node; it is not a child.
  return (v as Node[]).filter((c) => !(c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 0));
}

export function isUniversal(n: Node | undefined, tag: number): boolean {
  return !!n && n.idBlock.tagClass === 1 && n.idBlock.tagNumber === tag;
}

export function isContext(n: Node | undefined, tag: number): boolean {
  return !!n && n.idBlock.tagClass === 3 && n.idBlock.tagNumber === tag;
}

export const TAG = { INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, NULL: 5, OID: 6, SEQUENCE: 16, SET: 17, UTCTime: 23, GeneralizedTime: 24 } as const;

export function expectSeq(n: Node | undefined, code: ErrorCode = "asn1-malformed"): Node[] {
  if (!isUniversal(n, TAG.SEQUENCE)) fail(code, "Expected a SEQUENCE.");
  return children(n, code);
}

export function oid(n: Node | undefined, code: ErrorCode = "asn1-malformed"): string {
  if (!(n instanceof asn1js.ObjectIdentifier)) fail(code, "Expected an OBJECT IDENTIFIER.");
  return n.valueBlock.toString();
}

/** Contents of a primitive node; for constructed (BER-chunked) strings the concatenated chunks. */
export function contents(n: Node | undefined, code: ErrorCode = "asn1-malformed"): Uint8Array {
  if (!n) fail(code, "Missing value.");
  if (!n.idBlock.isConstructed) {
    const view = (n.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView;
    if (!view) fail(code, "Unexpected ASN.1 value.");
    return view;
  }
  const parts: Uint8Array[] = [];
  const stack: Node[] = [...children(n, code)].reverse();
  while (stack.length) {
    const c = stack.pop()!;
    if (c.idBlock.isConstructed) stack.push(...[...children(c, code)].reverse());
    else parts.push(contents(c, code));
  }
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}

export function octets(n: Node | undefined, code: ErrorCode = "asn1-malformed"): Uint8Array {
  if (!isUniversal(n, TAG.OCTET_STRING)) fail(code, "Expected an OCTET STRING.");
  return contents(n, code);
}

export function integerBytes(n: Node | undefined, code: ErrorCode = "asn1-malformed"): Uint8Array {
  if (!isUniversal(n, TAG.INTEGER)) fail(code, "Expected an INTEGER.");
  return contents(n, code);
}

export function smallInt(n: Node | undefined, code: ErrorCode = "asn1-malformed"): number {
  const b = integerBytes(n, code);
  if (b.length > 4) fail(code, "INTEGER too large.");
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/** Exact encoded bytes (tag, length, value) of a node as it appeared in the input. */
export function raw(n: Node): Uint8Array {
  return n.valueBeforeDecodeView;
}

export interface AlgId {
  oid: string;
  params?: Node;
}

export function algId(n: Node | undefined, code: ErrorCode = "asn1-malformed"): AlgId {
  const [o, p] = expectSeq(n, code);
  const out: AlgId = { oid: oid(o, code) };
  if (p && !isUniversal(p, TAG.NULL)) out.params = p;
  return out;
}

export function time(n: Node | undefined): Date | undefined {
  if (n instanceof asn1js.UTCTime || n instanceof asn1js.GeneralizedTime) return n.toDate();
  return undefined;
}

/** Strips leading zero bytes: INTEGER values compare by number, not encoding. */
export function trimInt(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** Unwraps ContentInfo; returns the content type and the [0] EXPLICIT content node. */
export function readContentInfo(der: Uint8Array): { contentType: string; content: Node } {
  const root = parseBer(der, "signature-malformed");
  const [ct, c0] = expectSeq(root, "asn1-malformed");
  const contentType = oid(ct);
  if (!isContext(c0, 0)) fail("asn1-malformed", "ContentInfo without content.");
  const content = children(c0)[0];
  if (!content) fail("asn1-malformed", "ContentInfo without content.");
  return { contentType, content };
}
