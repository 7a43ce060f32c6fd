import { SHARED_OIDS, type HashName } from "../oids.js";

/** The object identifiers of S/MIME (RFC 5652, 5083/5084, 5753, 4055, 8551) we read or write. */
export const CMS = {
  ...SHARED_OIDS,
  authEnvelopedData: "1.2.840.113549.1.9.16.1.23",
  // signed attributes
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  smimeCapabilities: "1.2.840.113549.1.9.15",
  // key transport / agreement
  rsaesOaep: "1.2.840.113549.1.1.7",
  mgf1: "1.2.840.113549.1.1.8",
  pSpecified: "1.2.840.113549.1.1.9",
  stdDhSha1Kdf: "1.3.133.16.840.63.0.2",
  stdDhSha224Kdf: "1.3.132.1.11.0",
  stdDhSha256Kdf: "1.3.132.1.11.1",
  stdDhSha384Kdf: "1.3.132.1.11.2",
  stdDhSha512Kdf: "1.3.132.1.11.3",
  aes128Wrap: "2.16.840.1.101.3.4.1.5",
  aes192Wrap: "2.16.840.1.101.3.4.1.25",
  aes256Wrap: "2.16.840.1.101.3.4.1.45",
  // content encryption
  aes128Gcm: "2.16.840.1.101.3.4.1.6",
  aes192Gcm: "2.16.840.1.101.3.4.1.26",
  aes256Gcm: "2.16.840.1.101.3.4.1.46",
} as const;

export const DIGEST_OID: Record<HashName, string> = {
  "SHA-1": CMS.sha1,
  "SHA-256": CMS.sha256,
  "SHA-384": CMS.sha384,
  "SHA-512": CMS.sha512,
};

/** Human names for the status model and error messages. */
export const ALGORITHM_NAMES: Record<string, string> = {
  [CMS.sha1]: "SHA-1",
  [CMS.sha224]: "SHA-224",
  [CMS.sha256]: "SHA-256",
  [CMS.sha384]: "SHA-384",
  [CMS.sha512]: "SHA-512",
  [CMS.rsaEncryption]: "RSA",
  [CMS.sha1WithRsa]: "RSA with SHA-1",
  [CMS.sha224WithRsa]: "RSA with SHA-224",
  [CMS.sha256WithRsa]: "RSA with SHA-256",
  [CMS.sha384WithRsa]: "RSA with SHA-384",
  [CMS.sha512WithRsa]: "RSA with SHA-512",
  [CMS.rsassaPss]: "RSA-PSS",
  [CMS.ecPublicKey]: "ECDSA",
  [CMS.ecdsaSha1]: "ECDSA with SHA-1",
  [CMS.ecdsaSha224]: "ECDSA with SHA-224",
  [CMS.ecdsaSha256]: "ECDSA with SHA-256",
  [CMS.ecdsaSha384]: "ECDSA with SHA-384",
  [CMS.ecdsaSha512]: "ECDSA with SHA-512",
  [CMS.aes128Cbc]: "AES-128-CBC",
  [CMS.aes192Cbc]: "AES-192-CBC",
  [CMS.aes256Cbc]: "AES-256-CBC",
  [CMS.aes128Gcm]: "AES-128-GCM",
  [CMS.aes192Gcm]: "AES-192-GCM",
  [CMS.aes256Gcm]: "AES-256-GCM",
  [CMS.desEde3Cbc]: "3DES-CBC",
};

export function algorithmName(oid: string): string {
  return ALGORITHM_NAMES[oid] ?? oid;
}
