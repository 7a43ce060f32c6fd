/** The object identifiers of PKCS#12 (RFC 7292), PKCS#5 (RFC 8018) and the keys inside. */
export const P12 = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  envelopedData: "1.2.840.113549.1.7.3",
  encryptedData: "1.2.840.113549.1.7.6",
  // bag types (RFC 7292 4.2)
  keyBag: "1.2.840.113549.1.12.10.1.1",
  pkcs8ShroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  crlBag: "1.2.840.113549.1.12.10.1.4",
  secretBag: "1.2.840.113549.1.12.10.1.5",
  safeContentsBag: "1.2.840.113549.1.12.10.1.6",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  // bag attributes
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
  // PKCS#12 PBE (RFC 7292 appendix C)
  pbeWithSHAAnd128BitRC4: "1.2.840.113549.1.12.1.1",
  pbeWithSHAAnd40BitRC4: "1.2.840.113549.1.12.1.2",
  pbeWithSHAAnd3KeyTripleDESCBC: "1.2.840.113549.1.12.1.3",
  pbeWithSHAAnd2KeyTripleDESCBC: "1.2.840.113549.1.12.1.4",
  pbeWithSHAAnd128BitRC2CBC: "1.2.840.113549.1.12.1.5",
  pbeWithSHAAnd40BitRC2CBC: "1.2.840.113549.1.12.1.6",
  // PKCS#5 v2
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  pbmac1: "1.2.840.113549.1.5.14",
  hmacWithSHA1: "1.2.840.113549.2.7",
  hmacWithSHA224: "1.2.840.113549.2.8",
  hmacWithSHA256: "1.2.840.113549.2.9",
  hmacWithSHA384: "1.2.840.113549.2.10",
  hmacWithSHA512: "1.2.840.113549.2.11",
  aes128Cbc: "2.16.840.1.101.3.4.1.2",
  aes192Cbc: "2.16.840.1.101.3.4.1.22",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  desEde3Cbc: "1.2.840.113549.3.7",
  // digests (MAC)
  sha1: "1.3.14.3.2.26",
  sha224: "2.16.840.1.101.3.4.2.4",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  // keys
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  secp256r1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
} as const;

export type HashName = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

/** Digests WebCrypto offers; SHA-224 and the SHA-512/t variants are deliberately absent. */
export const MAC_DIGESTS: Readonly<Record<string, HashName>> = {
  [P12.sha1]: "SHA-1",
  [P12.sha256]: "SHA-256",
  [P12.sha384]: "SHA-384",
  [P12.sha512]: "SHA-512",
};

export const HMAC_PRFS: Readonly<Record<string, HashName>> = {
  [P12.hmacWithSHA1]: "SHA-1",
  [P12.hmacWithSHA256]: "SHA-256",
  [P12.hmacWithSHA384]: "SHA-384",
  [P12.hmacWithSHA512]: "SHA-512",
};

export const CURVE_NAMES: Readonly<Record<string, "P-256" | "P-384" | "P-521">> = {
  [P12.secp256r1]: "P-256",
  [P12.secp384r1]: "P-384",
  [P12.secp521r1]: "P-521",
};
