/**
 * asn1js/pkijs plumbing for PKCS#12: bounded BER parsing and turning whatever the parsers
 * throw into `pkcs12-corrupt` (or the code the caller names), never a bare TypeError.
 */
import * as asn1js from "asn1js";
import { SealbirdError, type ErrorCode } from "../errors.js";
import { MAX_PKCS12_BYTES } from "./limits.js";
import { parseBounded } from "../asn1/bounded-ber.js";
import { concatBytes } from "../bytes.js";

export type Node = asn1js.AsnType;

/**
 * Parses BER. PKCS#12 is legitimately BER in places (Java, Windows and streaming writers use
 * indefinite lengths and chunked OCTET STRINGs), so no DER strictness here. Trailing bytes
 * after the top-level element are ignored: the MAC covers what matters.
 */
export function parseBer(bytes: Uint8Array, what: string, code: ErrorCode = "pkcs12-corrupt"): Node {
  // PFX → AuthenticatedSafe → SafeContents → bag → key is under 20 levels.
  return parseBounded(bytes, { maxBytes: MAX_PKCS12_BYTES, maxDepth: 40, maxNodes: 200_000 }, what, code);
}

/** Builds a pkijs object from a parsed node; schema mismatches become `code`. */
export function fromSchema<T>(make: (schema: Node) => T, node: Node, what: string, code: ErrorCode = "pkcs12-corrupt"): T {
  try {
    return make(node);
  } catch (e) {
    throw new SealbirdError(code, `${what} is malformed.`, {}, { cause: e });
  }
}

/**
 * Content bytes of an OCTET STRING, primitive or BER-constructed (chunked). Also takes an
 * IMPLICIT [n] OCTET STRING (EncryptedContentInfo's ciphertext), which asn1js can only
 * present as a generic Primitive/Constructed node.
 */
export function octets(node: Node | undefined, what: string, code: ErrorCode = "pkcs12-corrupt"): Uint8Array {
  const id = node?.idBlock;
  if (!node || !id || !((id.tagClass === 1 && id.tagNumber === 4) || id.tagClass === 3)) {
    throw new SealbirdError(code, `${what}: expected an OCTET STRING.`);
  }
  if (!id.isConstructed) return new Uint8Array((node as asn1js.Primitive).valueBlock.valueHexView);
  return joinChunks((node as asn1js.Constructed).valueBlock.value, what, code, 0);
}

function joinChunks(chunks: readonly Node[], what: string, code: ErrorCode, depth: number): Uint8Array {
  if (depth > 8) throw new SealbirdError(code, `${what}: OCTET STRING nested too deeply.`);
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    if (c instanceof asn1js.EndOfContent) continue;
    if (c.idBlock.tagClass !== 1 || c.idBlock.tagNumber !== 4) throw new SealbirdError(code, `${what}: bad OCTET STRING chunk.`);
    parts.push(
      c.idBlock.isConstructed
        ? joinChunks((c as asn1js.Constructed).valueBlock.value, what, code, depth + 1)
        : new Uint8Array((c as asn1js.Primitive).valueBlock.valueHexView),
    );
  }
  return concatBytes(parts);
}

/** The exact encoding a node was parsed from (so DER we hand out is byte-identical to the file's). */
export function encodingOf(node: Node): Uint8Array {
  return new Uint8Array(node.valueBeforeDecodeView);
}

export function children(node: Node | undefined, what: string, code: ErrorCode = "pkcs12-corrupt"): Node[] {
  if (!node || !node.idBlock.isConstructed) throw new SealbirdError(code, `${what}: expected a constructed value.`);
  const v = (node as asn1js.Constructed).valueBlock.value;
  return v.filter((c) => !(c instanceof asn1js.EndOfContent));
}

export function sequence(node: Node | undefined, what: string, code: ErrorCode = "pkcs12-corrupt"): Node[] {
  if (!(node instanceof asn1js.Sequence)) throw new SealbirdError(code, `${what}: expected a SEQUENCE.`);
  return children(node, what, code);
}

export function oidOf(node: Node | undefined, what: string, code: ErrorCode = "pkcs12-corrupt"): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw new SealbirdError(code, `${what}: expected an OBJECT IDENTIFIER.`);
  return node.valueBlock.toString();
}

/** Small non-negative INTEGER (iteration counts, versions); huge values are reported as Infinity. */
export function smallInt(node: Node | undefined, what: string, code: ErrorCode = "pkcs12-corrupt"): number {
  if (!(node instanceof asn1js.Integer)) throw new SealbirdError(code, `${what}: expected an INTEGER.`);
  const bytes = node.valueBlock.valueHexView;
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) throw new SealbirdError(code, `${what}: negative INTEGER.`);
  let v = 0;
  for (const b of bytes) {
    v = v * 256 + b;
    if (v > Number.MAX_SAFE_INTEGER / 256) return Infinity;
  }
  return v;
}
