import { SHARED_OIDS, type HashName } from "../oids.js";

/** The object identifiers of PKCS#12 (RFC 7292), PKCS#5 (RFC 8018) and the keys inside. */
export const P12 = {
  ...SHARED_OIDS,
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
} as const;

export const HMAC_PRFS: Readonly<Record<string, HashName>> = {
  [P12.hmacWithSHA1]: "SHA-1",
  [P12.hmacWithSHA256]: "SHA-256",
  [P12.hmacWithSHA384]: "SHA-384",
  [P12.hmacWithSHA512]: "SHA-512",
};
