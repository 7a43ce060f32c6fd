/**
 * Verifying an X.509/CMS signature with WebCrypto: RSASSA-PKCS1-v1_5, RSA-PSS and ECDSA.
 * Shared by certificate paths, CRLs, OCSP responses and CMS signer infos. Returns false for
 * a signature that does not verify; throws `unsupported-algorithm` for what we cannot check.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError } from "../errors.js";
import { concatBytes, toArrayBuffer } from "../bytes.js";
import { OID } from "./certificate.js";
import { CURVE_NAMES, DIGEST_NAMES, SHARED_OIDS, type HashName } from "../oids.js";

const RSA_SIG: Record<string, HashName> = {
  [SHARED_OIDS.sha1WithRsa]: "SHA-1",
  [SHARED_OIDS.sha256WithRsa]: "SHA-256",
  [SHARED_OIDS.sha384WithRsa]: "SHA-384",
  [SHARED_OIDS.sha512WithRsa]: "SHA-512",
};

const ECDSA_SIG: Record<string, HashName> = {
  [SHARED_OIDS.ecdsaSha1]: "SHA-1",
  [SHARED_OIDS.ecdsaSha256]: "SHA-256",
  [SHARED_OIDS.ecdsaSha384]: "SHA-384",
  [SHARED_OIDS.ecdsaSha512]: "SHA-512",
};

export function hashForOid(oid: string): HashName | undefined {
  return DIGEST_NAMES[oid];
}

/** Which hash a signature algorithm uses (for the `weak` rule); `digestOid` for bare rsaEncryption/ecPublicKey. */
export function signatureHash(sigOid: string, digestOid?: string, params?: asn1js.AsnType): HashName | undefined {
  if (RSA_SIG[sigOid]) return RSA_SIG[sigOid];
  if (ECDSA_SIG[sigOid]) return ECDSA_SIG[sigOid];
  if (sigOid === OID.rsassaPss) return pssParams(params).hash;
  return digestOid ? DIGEST_NAMES[digestOid] : undefined;
}

function pssParams(params: asn1js.AsnType | undefined): { hash: HashName; saltLength: number } {
  if (!params) return { hash: "SHA-1", saltLength: 20 };
  const p = new pkijs.RSASSAPSSParams({ schema: params });
  const hash = DIGEST_NAMES[p.hashAlgorithm.algorithmId];
  if (!hash) throw new SealbirdError("unsupported-algorithm", `RSA-PSS with hash ${p.hashAlgorithm.algorithmId} is not supported.`);
  const mgfHash = p.maskGenAlgorithm.algorithmParams
    ? new pkijs.AlgorithmIdentifier({ schema: p.maskGenAlgorithm.algorithmParams }).algorithmId
    : "1.3.14.3.2.26";
  if (DIGEST_NAMES[mgfHash] !== hash) throw new SealbirdError("unsupported-algorithm", "RSA-PSS with a different MGF1 hash is not supported.");
  return { hash, saltLength: p.saltLength };
}

export interface SignatureInput {
  /** SubjectPublicKeyInfo of the signer. */
  spki: pkijs.PublicKeyInfo;
  algorithmOid: string;
  algorithmParams?: asn1js.AsnType;
  /** CMS: digestAlgorithm, used when the signature algorithm is bare rsaEncryption/ecPublicKey. */
  digestOid?: string;
  data: Uint8Array;
  signature: Uint8Array;
}

export async function verifySignature(input: SignatureInput): Promise<boolean> {
  const { spki, algorithmOid: alg } = input;
  const spkiDer = new Uint8Array(spki.toSchema().toBER());
  const keyAlg = spki.algorithm.algorithmId;
  let importAlg: RsaHashedImportParams | EcKeyImportParams;
  let verifyAlg: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  let signature = input.signature;
  if (alg === OID.rsassaPss) {
    const { hash, saltLength } = pssParams(input.algorithmParams);
    importAlg = { name: "RSA-PSS", hash };
    verifyAlg = { name: "RSA-PSS", saltLength } as RsaPssParams;
  } else if (RSA_SIG[alg] || alg === OID.rsaEncryption) {
    const hash = RSA_SIG[alg] ?? (input.digestOid ? DIGEST_NAMES[input.digestOid] : undefined);
    if (!hash) throw new SealbirdError("unsupported-algorithm", `Signature digest ${input.digestOid ?? "?"} is not supported.`);
    if (keyAlg !== OID.rsaEncryption) return false;
    importAlg = { name: "RSASSA-PKCS1-v1_5", hash };
    verifyAlg = { name: "RSASSA-PKCS1-v1_5" };
  } else if (ECDSA_SIG[alg] || alg === OID.ecPublicKey) {
    const hash = ECDSA_SIG[alg] ?? (input.digestOid ? DIGEST_NAMES[input.digestOid] : undefined);
    if (!hash) throw new SealbirdError("unsupported-algorithm", `Signature digest ${input.digestOid ?? "?"} is not supported.`);
    if (keyAlg !== OID.ecPublicKey) return false;
    const curveOid = (spki.algorithm.algorithmParams as asn1js.ObjectIdentifier | undefined)?.valueBlock?.toString() ?? "";
    const namedCurve = CURVE_NAMES[curveOid];
    if (!namedCurve) throw new SealbirdError("unsupported-algorithm", `EC curve ${curveOid} is not supported.`);
    importAlg = { name: "ECDSA", namedCurve };
    verifyAlg = { name: "ECDSA", hash } as EcdsaParams;
    const size = namedCurve === "P-256" ? 32 : namedCurve === "P-384" ? 48 : 66;
    const rawSig = ecdsaDerToRaw(signature, size);
    if (!rawSig) return false;
    signature = rawSig;
  } else {
    throw new SealbirdError("unsupported-algorithm", `Signature algorithm ${alg} is not supported.`);
  }
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("spki", toArrayBuffer(spkiDer), importAlg, false, ["verify"]);
  } catch (e) {
    throw new SealbirdError("unsupported-algorithm", "The signer's public key could not be used.", {}, { cause: e });
  }
  try {
    return await crypto.subtle.verify(verifyAlg, key, toArrayBuffer(signature), toArrayBuffer(input.data));
  } catch {
    return false;
  }
}

/** ECDSA-Sig-Value (DER SEQUENCE of r, s) → r||s as WebCrypto wants; undefined if malformed. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | undefined {
  const asn = asn1js.fromBER(der);
  if (asn.offset !== der.length || !(asn.result instanceof asn1js.Sequence)) return undefined;
  const [r, s] = asn.result.valueBlock.value;
  if (!(r instanceof asn1js.Integer) || !(s instanceof asn1js.Integer)) return undefined;
  const fix = (b: Uint8Array): Uint8Array | undefined => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    if (v.length > size) return undefined;
    const out = new Uint8Array(size);
    out.set(v, size - v.length);
    return out;
  };
  const rr = fix(r.valueBlock.valueHexView);
  const ss = fix(s.valueBlock.valueHexView);
  return rr && ss ? concatBytes([rr, ss]) : undefined;
}

/** Checks that `issuer` signed `cert` (any supported algorithm). */
export async function verifyIssuedBy(cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<boolean> {
  try {
    return await verifySignature({
      spki: issuer.subjectPublicKeyInfo,
      algorithmOid: cert.signatureAlgorithm.algorithmId,
      algorithmParams: cert.signatureAlgorithm.algorithmParams,
      data: cert.tbsView,
      signature: cert.signatureValue.valueBlock.valueHexView,
    });
  } catch {
    return false;
  }
}
