import type { OnlineRevocation } from "../cert/online-revocation.js";

/** What the S/MIME engine needs from the keystore and the user's trust settings. All DER. */
export interface SmimeIdentity {
  /** PKCS#8 PrivateKeyInfo (RSA or EC). */
  privateKeyPkcs8: Uint8Array;
  certificate: Uint8Array;
  /** Intermediates (and optionally the root) up from `certificate`. */
  chain: Uint8Array[];
}

export interface SmimeContext {
  /** Our own keys: for decryption (and as known certificates). */
  identities: SmimeIdentity[];
  /** Certificates the user trusts as roots of certification paths. */
  trustAnchors: Uint8Array[];
  /** Correspondents' and intermediate certificates collected earlier. */
  knownCertificates: Uint8Array[];
  /** CRLs to consult (DER CertificateList). */
  crls?: Uint8Array[];
  /** OCSP responses to consult (DER OCSPResponse). */
  ocspResponses?: Uint8Array[];
  /** Checking signers' certificates on the network (OCSP, CRL distribution points); absent = supplied data only. */
  revocation?: OnlineRevocation;
}
