/**
 * SafeContents and SafeBags (RFC 7292 4.2). Bags are walked by hand rather than through
 * pkijs.SafeBag, which throws on bag types it does not know (and on SDSI certificates); an
 * unknown bag here is simply skipped. Bag values go to pkijs classes where they exist.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError, type ErrorCode } from "../errors.js";
import { P12 } from "./oids.js";
import { MAX_BAGS, MAX_SAFE_CONTENTS_DEPTH } from "./limits.js";
import { children, fromSchema, octets, oidOf, parseBer, sequence, type Node } from "./asn1.js";

export interface BagAttributes {
  friendlyName?: string;
  localKeyId?: Uint8Array;
}

export interface SafeBagNode {
  bagId: string;
  /** The value inside bagValue [0] EXPLICIT. */
  value: Node;
  attributes: BagAttributes;
}

function parseAttributes(set: Node | undefined, code: ErrorCode): BagAttributes {
  const out: BagAttributes = {};
  if (!set) return out;
  if (!(set instanceof asn1js.Set)) throw new SealbirdError(code, "SafeBag attributes: expected a SET.");
  for (const a of children(set, "SafeBag attributes", code)) {
    const attr = fromSchema((schema) => new pkijs.Attribute({ schema }), a, "SafeBag attribute", code);
    const first = attr.values[0] as Node | undefined;
    if (attr.type === P12.friendlyName && first instanceof asn1js.BmpString) out.friendlyName = first.valueBlock.value;
    else if (attr.type === P12.localKeyId && first instanceof asn1js.OctetString) out.localKeyId = octets(first, "localKeyId", code);
  }
  return out;
}

/**
 * Parses SafeContents DER into a flat bag list, following safeContentsBag nesting.
 * `code` is the error for a parse failure: for plaintext that came out of a decryption a
 * failure may just mean the password was wrong, and the caller decides.
 */
export function parseSafeContents(bytes: Uint8Array, code: ErrorCode = "pkcs12-corrupt"): SafeBagNode[] {
  const out: SafeBagNode[] = [];
  walk(parseBer(bytes, "SafeContents", code), 0, out, code);
  return out;
}

function walk(node: Node, depth: number, out: SafeBagNode[], code: ErrorCode): void {
  if (depth > MAX_SAFE_CONTENTS_DEPTH) throw new SealbirdError(code, "SafeContents nested too deeply.");
  for (const bag of sequence(node, "SafeContents", code)) {
    const [id, wrapped, attrs, ...rest] = sequence(bag, "SafeBag", code);
    if (rest.length > 0) throw new SealbirdError(code, "SafeBag has extra fields.");
    const bagId = oidOf(id, "SafeBag id", code);
    if (!wrapped || wrapped.idBlock.tagClass !== 3 || wrapped.idBlock.tagNumber !== 0) throw new SealbirdError(code, "SafeBag value is not [0].");
    const [value, ...more] = children(wrapped, "SafeBag value", code);
    if (!value || more.length > 0) throw new SealbirdError(code, "SafeBag value must hold exactly one element.");
    if (bagId === P12.safeContentsBag) {
      walk(value, depth + 1, out, code);
      continue;
    }
    out.push({ bagId, value, attributes: parseAttributes(attrs, code) });
    if (out.length > MAX_BAGS) throw new SealbirdError("input-too-large", `More than ${MAX_BAGS} bags in the PKCS#12 file.`, { limit: MAX_BAGS });
  }
}

/** certBag with an X.509 certificate: the DER bytes; other cert types (SDSI) give undefined. */
export function certFromBag(bag: SafeBagNode): Uint8Array | undefined {
  const cb = sequence(bag.value, "CertBag");
  if (oidOf(cb[0], "CertBag id") !== P12.x509Certificate) return undefined;
  const wrapped = cb[1];
  if (!wrapped || wrapped.idBlock.tagClass !== 3 || wrapped.idBlock.tagNumber !== 0) throw new SealbirdError("pkcs12-corrupt", "CertBag value is not [0].");
  const der = octets(children(wrapped, "CertBag value")[0], "CertBag certificate");
  // Only a sanity check that it is one DER element; the cert module parses for real later.
  const node = parseBer(der, "Certificate in CertBag");
  if (!(node instanceof asn1js.Sequence)) throw new SealbirdError("pkcs12-corrupt", "CertBag does not hold a certificate.");
  return new Uint8Array(node.valueBeforeDecodeView);
}

function attributeList(attrs: BagAttributes): pkijs.Attribute[] | undefined {
  const list: pkijs.Attribute[] = [];
  if (attrs.friendlyName !== undefined) {
    list.push(new pkijs.Attribute({ type: P12.friendlyName, values: [new asn1js.BmpString({ value: attrs.friendlyName })] }));
  }
  if (attrs.localKeyId) {
    list.push(new pkijs.Attribute({ type: P12.localKeyId, values: [new asn1js.OctetString({ valueHex: attrs.localKeyId })] }));
  }
  if (list.length === 0) return undefined;
  // DER orders SET OF by encoding.
  const enc = new Map(list.map((a) => [a, new Uint8Array(a.toSchema().toBER(false))]));
  return list.sort((a, b) => compareBytes(enc.get(a)!, enc.get(b)!));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function safeBag(bagId: string, bagValue: pkijs.BagType, attrs: BagAttributes): pkijs.SafeBag {
  const bagAttributes = attributeList(attrs);
  // pkijs writes an empty SET when the key is merely present; leave it out instead.
  return new pkijs.SafeBag(bagAttributes ? { bagId, bagValue, bagAttributes } : { bagId, bagValue });
}

export function certBag(der: Uint8Array, attrs: BagAttributes = {}): pkijs.SafeBag {
  const value = new pkijs.CertBag({ certId: P12.x509Certificate, certValue: new asn1js.OctetString({ valueHex: der }) });
  return safeBag(P12.certBag, value, attrs);
}

export function shroudedKeyBag(algorithm: pkijs.AlgorithmIdentifier, ciphertext: Uint8Array, attrs: BagAttributes = {}): pkijs.SafeBag {
  const value = new pkijs.PKCS8ShroudedKeyBag({ encryptionAlgorithm: algorithm, encryptedData: new asn1js.OctetString({ valueHex: ciphertext }) });
  return safeBag(P12.pkcs8ShroudedKeyBag, value, attrs);
}

export function encodeSafeContents(bags: pkijs.SafeBag[]): Uint8Array {
  return new Uint8Array(new pkijs.SafeContents({ safeBags: bags }).toSchema().toBER(false));
}
