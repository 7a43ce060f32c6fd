/** Our private keys (PKCS#8) and recipients' public keys, as WebCrypto keys. */
import * as pkijs from "pkijs";
import * as asn1js from "asn1js";
import { SealbirdError } from "../errors.js";
import { toArrayBuffer } from "../bytes.js";
import { OID } from "../cert/certificate.js";
import { CURVE_NAMES } from "../oids.js";
import { algId, expectSeq, parseBer, type AlgId } from "./asn1.js";

export type KeyKind = { type: "rsa" } | { type: "ec"; curve: "P-256" | "P-384" | "P-521" };

/** Reads only the algorithm of a PrivateKeyInfo (pkijs rejects some valid openssl EC keys). */
export function pkcs8Kind(pkcs8: Uint8Array): KeyKind {
  let alg: AlgId;
  try {
    const [, algNode] = expectSeq(parseBer(pkcs8));
    alg = algId(algNode);
  } catch (e) {
    throw new SealbirdError("unsupported-algorithm", "The private key could not be read.", {}, { cause: e });
  }
  if (alg.oid === OID.rsaEncryption) return { type: "rsa" };
  const curve = alg.oid === OID.ecPublicKey && alg.params instanceof asn1js.ObjectIdentifier ? CURVE_NAMES[alg.params.valueBlock.toString()] : undefined;
  if (curve) return { type: "ec", curve };
  throw new SealbirdError("unsupported-algorithm", `Key algorithm ${alg.oid} is not supported for S/MIME.`);
}

export function spkiKind(spki: pkijs.PublicKeyInfo): KeyKind {
  return algKind(spki.algorithm);
}

function algKind(alg: pkijs.AlgorithmIdentifier): KeyKind {
  if (alg.algorithmId === OID.rsaEncryption) return { type: "rsa" };
  if (alg.algorithmId === OID.ecPublicKey) {
    const p = alg.algorithmParams;
    const curve = p instanceof asn1js.ObjectIdentifier ? CURVE_NAMES[p.valueBlock.toString()] : undefined;
    if (curve) return { type: "ec", curve };
  }
  throw new SealbirdError("unsupported-algorithm", `Key algorithm ${alg.algorithmId} is not supported for S/MIME.`);
}

export async function importPrivate(pkcs8: Uint8Array, alg: RsaHashedImportParams | EcKeyImportParams, usages: KeyUsage[]): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey("pkcs8", toArrayBuffer(pkcs8), alg, false, usages);
  } catch (e) {
    throw new SealbirdError("unsupported-algorithm", "The private key could not be used.", {}, { cause: e });
  }
}

export function curveBytes(curve: "P-256" | "P-384" | "P-521"): number {
  return curve === "P-256" ? 32 : curve === "P-384" ? 48 : 66;
}
