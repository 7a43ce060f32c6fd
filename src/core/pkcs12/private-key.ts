/**
 * What we need to know about a PKCS#8 key in a PKCS#12 file: its type and size, and its
 * public half, so the key can be paired with its certificate by public key — localKeyId is
 * only a writer's hint and a crafted file could point it at the wrong certificate.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError, type ErrorCode } from "../errors.js";
import { bytesEqual, toArrayBuffer } from "../bytes.js";
import { decodeBase64Text } from "../base64.js";
import { CURVE_NAMES } from "../oids.js";
import { P12 } from "./oids.js";
import { children, fromSchema, octets, oidOf, parseBer, sequence, smallInt, type Node } from "./asn1.js";

type PublicKey =
  | { kind: "RSA"; n: Uint8Array; e: Uint8Array }
  /** y is absent for a compressed point, which only tells its parity. */
  | { kind: "EC"; curve: string; x: Uint8Array; y?: Uint8Array; yOdd: boolean };

export interface KeyFacts {
  keyAlgorithm: "RSA" | "EC";
  namedCurve?: "P-256" | "P-384" | "P-521";
  rsaBits?: number;
  /** The PKCS#8 DER exactly as found (trailing bytes after it dropped). */
  pkcs8: Uint8Array;
  publicKey: () => Promise<PublicKey>;
}

function unsigned(node: Node | undefined, what: string, code: ErrorCode): Uint8Array {
  if (!(node instanceof asn1js.Integer)) throw new SealbirdError(code, `${what}: expected an INTEGER.`);
  const b = node.valueBlock.valueHexView;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return new Uint8Array(b.subarray(i));
}

function bitLength(n: Uint8Array): number {
  if (n.length === 0 || n[0] === 0) return 0;
  return (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
}

function pointFromBytes(curve: string, p: Uint8Array, what: string, code: ErrorCode): PublicKey {
  const size = { "P-256": 32, "P-384": 48, "P-521": 66 }[curve] ?? 0;
  if (p[0] === 0x04 && p.length === 1 + 2 * size) {
    const y = p.slice(1 + size);
    return { kind: "EC", curve, x: p.slice(1, 1 + size), y, yOdd: (y[size - 1]! & 1) === 1 };
  }
  if ((p[0] === 0x02 || p[0] === 0x03) && p.length === 1 + size) return { kind: "EC", curve, x: p.slice(1), yOdd: p[0] === 0x03 };
  throw new SealbirdError(code, `${what}: not an EC point on ${curve}.`);
}

function base64UrlDecode(s: string): Uint8Array {
  const b = decodeBase64Text(s.replace(/-/g, "+").replace(/_/g, "/"));
  if (!b) throw new TypeError("JWK coordinate is not base64url.");
  return b;
}

/**
 * Parses PKCS#8 PrivateKeyInfo / OneAsymmetricKey. Throws `code` for anything structurally
 * wrong — for freshly decrypted bytes the caller passes a code that lets it treat this as
 * "wrong password" — and `pkcs12-unsupported-algorithm` for keys other than RSA and NIST EC.
 */
export function inspectPkcs8(der: Uint8Array, code: ErrorCode = "pkcs12-corrupt"): KeyFacts {
  const root = parseBer(der, "PKCS#8 private key", code);
  const [version, algId, keyOctets] = sequence(root, "PKCS#8 private key", code);
  const v = smallInt(version, "PKCS#8 version", code);
  if (v !== 0 && v !== 1) throw new SealbirdError(code, `PKCS#8 version ${v} is unknown.`);
  const alg = fromSchema((schema) => new pkijs.AlgorithmIdentifier({ schema }), algId!, "PKCS#8 algorithm", code);
  const keyBytes = octets(keyOctets, "PKCS#8 privateKey", code);
  const inner = parseBer(keyBytes, "PKCS#8 privateKey", code);
  const pkcs8 = new Uint8Array(root.valueBeforeDecodeView);

  if (alg.algorithmId === P12.rsaEncryption) {
    // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, ... }
    const f = sequence(inner, "RSAPrivateKey", code);
    if (f.length < 9) throw new SealbirdError(code, "RSAPrivateKey is incomplete.");
    const n = unsigned(f[1], "RSA modulus", code);
    const e = unsigned(f[2], "RSA exponent", code);
    const rsaBits = bitLength(n);
    const pub: PublicKey = { kind: "RSA", n, e };
    return { keyAlgorithm: "RSA", rsaBits, pkcs8, publicKey: async () => pub };
  }

  if (alg.algorithmId === P12.ecPublicKey) {
    const params = alg.algorithmParams as Node | undefined;
    const curveOid = params instanceof asn1js.ObjectIdentifier ? oidOf(params, "EC curve", code) : "";
    const namedCurve = CURVE_NAMES[curveOid];
    if (!namedCurve) {
      throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported EC curve ${curveOid || "(explicit parameters)"}.`, { oid: curveOid });
    }
    // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] params OPTIONAL, [1] publicKey BIT STRING OPTIONAL }
    const f = sequence(inner, "ECPrivateKey", code);
    if (smallInt(f[0], "ECPrivateKey version", code) !== 1) throw new SealbirdError(code, "ECPrivateKey version is not 1.");
    octets(f[1], "ECPrivateKey privateKey", code);
    const tagged = f.slice(2).find((n) => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 1);
    const bits = tagged ? children(tagged, "ECPrivateKey publicKey", code)[0] : undefined;
    let embedded: PublicKey | undefined;
    if (bits instanceof asn1js.BitString) embedded = pointFromBytes(namedCurve, new Uint8Array(bits.valueBlock.valueHexView), "ECPrivateKey publicKey", code);
    const publicKey = async (): Promise<PublicKey> => {
      if (embedded) return embedded;
      // The public point is optional in ECPrivateKey; WebCrypto recomputes it from the scalar.
      try {
        const subtle = globalThis.crypto.subtle;
        const k = await subtle.importKey("pkcs8", toArrayBuffer(pkcs8), { name: "ECDSA", namedCurve }, true, ["sign"]);
        const jwk = await subtle.exportKey("jwk", k);
        const y = base64UrlDecode(jwk.y ?? "");
        return { kind: "EC", curve: namedCurve, x: base64UrlDecode(jwk.x ?? ""), y, yOdd: (y[y.length - 1]! & 1) === 1 };
      } catch (e) {
        throw new SealbirdError(code, "EC private key is not valid.", {}, { cause: e });
      }
    };
    return { keyAlgorithm: "EC", namedCurve, pkcs8, publicKey };
  }

  throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported private key algorithm ${alg.algorithmId}.`, { oid: alg.algorithmId });
}

/** The public key in a certificate, or undefined if it is not one we could pair with. */
export function certificatePublicKey(certDer: Uint8Array): PublicKey | undefined {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(toArrayBuffer(certDer));
  } catch {
    return undefined;
  }
  const spki = cert.subjectPublicKeyInfo;
  const bits = new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView);
  try {
    if (spki.algorithm.algorithmId === P12.rsaEncryption) {
      const f = sequence(parseBer(bits, "RSAPublicKey"), "RSAPublicKey");
      return { kind: "RSA", n: unsigned(f[0], "RSA modulus", "pkcs12-corrupt"), e: unsigned(f[1], "RSA exponent", "pkcs12-corrupt") };
    }
    if (spki.algorithm.algorithmId === P12.ecPublicKey) {
      const params = spki.algorithm.algorithmParams as Node | undefined;
      const curve = params instanceof asn1js.ObjectIdentifier ? CURVE_NAMES[params.valueBlock.toString()] : undefined;
      return curve ? pointFromBytes(curve, bits, "certificate public key", "pkcs12-corrupt") : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  if (a.kind === "RSA" && b.kind === "RSA") return bytesEqual(a.n, b.n) && bytesEqual(a.e, b.e);
  if (a.kind === "EC" && b.kind === "EC") {
    if (a.curve !== b.curve || !bytesEqual(a.x, b.x) || a.yOdd !== b.yOdd) return false;
    return !a.y || !b.y || bytesEqual(a.y, b.y);
  }
  return false;
}
