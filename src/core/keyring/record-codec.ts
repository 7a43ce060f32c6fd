/**
 * The `public` JSON of each keystore record kind the keyring writes. Certificates are DER in
 * base64; secrets (PKCS#8, OpenPGP secret keys) only ever travel in the encrypted `secret`.
 */
import { base64Encode, decodeBase64 } from "../base64.js";
import { SealbirdError } from "../errors.js";
import { utf8 } from "../bytes.js";

export interface SmimeIdentityPublic {
  certificate: string;
  chain: string[];
  emails: string[];
  fingerprint: string;
  subject: string;
  notAfter: string;
}

/** A correspondent's certificate: what an identity record shows, plus what their mail advertised. */
export interface SmimeCertificatePublic extends SmimeIdentityPublic {
  capabilities?: { aesGcm?: boolean; aesCbc?: boolean; oaep?: boolean; oaepHash?: string };
  /** Where it came from when not from signed mail or an import: "ldap". */
  source?: "ldap";
  /** The directory it was found in. */
  directory?: string;
  /** An online check found it revoked (revocation is final: it is never used again). */
  revoked?: { at?: string; checkedAt: string; method: "ocsp" | "crl" };
}

export interface TrustAnchorPublic {
  certificate: string;
  fingerprint: string;
  subject: string;
  notAfter: string;
}

export interface PgpKeyPublic {
  publicKey: string;
  fingerprint: string;
  emails: string[];
  userIds: string[];
  /** A changed key for a known address waits for the user to accept it. */
  pending?: boolean;
  replaces?: string[];
  /** Our own key, revoked by us: it still decrypts old mail, never signs or encrypts again. */
  revoked?: boolean;
  /** The strongest source the key was seen from (./pgp-store.ts). */
  source?: "import" | "wkd" | "attachment" | "autocrypt" | "keyserver" | "gossip";
  /** The correspondent's Autocrypt prefer-encrypt, from their own Autocrypt header. */
  preferEncrypt?: "mutual" | "nopreference";
  /** Where a lookup found it (URL). */
  foundAt?: string;
  /** ISO time of the last lookup for this key, whatever its outcome. */
  checkedAt?: string;
}

export const b64 = (b: Uint8Array): string => base64Encode(b);

export function unb64(s: unknown): Uint8Array {
  if (typeof s !== "string") throw new SealbirdError("keystore-corrupt", "A keystore record is missing its certificate.");
  return decodeBase64(utf8(s));
}
