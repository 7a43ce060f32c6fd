/**
 * Object identifiers that more than one part of the engine reads or writes: PKCS#12 files,
 * CMS messages and X.509 certificates share content types, key, curve, cipher, digest and
 * signature algorithms, and one table keeps them from disagreeing. Identifiers only one part
 * uses stay with that part.
 */
export const SHARED_OIDS = {
  // PKCS#7 / CMS content types (RFC 5652)
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  envelopedData: "1.2.840.113549.1.7.3",
  // public keys and curves
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  secp256r1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
  // ciphers
  aes128Cbc: "2.16.840.1.101.3.4.1.2",
  aes192Cbc: "2.16.840.1.101.3.4.1.22",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  desEde3Cbc: "1.2.840.113549.3.7",
  // digests
  sha1: "1.3.14.3.2.26",
  sha224: "2.16.840.1.101.3.4.2.4",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  // signatures
  sha1WithRsa: "1.2.840.113549.1.1.5",
  sha224WithRsa: "1.2.840.113549.1.1.14",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  sha384WithRsa: "1.2.840.113549.1.1.12",
  sha512WithRsa: "1.2.840.113549.1.1.13",
  rsassaPss: "1.2.840.113549.1.1.10",
  ecdsaSha1: "1.2.840.10045.4.1",
  ecdsaSha224: "1.2.840.10045.4.3.1",
  ecdsaSha256: "1.2.840.10045.4.3.2",
  ecdsaSha384: "1.2.840.10045.4.3.3",
  ecdsaSha512: "1.2.840.10045.4.3.4",
} as const;

/** The digests WebCrypto offers; SHA-224 and the SHA-512/t variants are deliberately absent. */
export type HashName = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

export const DIGEST_NAMES: Readonly<Record<string, HashName>> = {
  [SHARED_OIDS.sha1]: "SHA-1",
  [SHARED_OIDS.sha256]: "SHA-256",
  [SHARED_OIDS.sha384]: "SHA-384",
  [SHARED_OIDS.sha512]: "SHA-512",
};

export const CURVE_NAMES: Readonly<Record<string, "P-256" | "P-384" | "P-521">> = {
  [SHARED_OIDS.secp256r1]: "P-256",
  [SHARED_OIDS.secp384r1]: "P-384",
  [SHARED_OIDS.secp521r1]: "P-521",
};
