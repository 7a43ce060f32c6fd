/**
 * How the revocation of an S/MIME certificate was checked: part of the status model
 * (SignatureStatus.revocation) and of the composer's recipient view. The details page shows
 * when and how each certificate was checked; a check that could not be made is a visible note,
 * never silence.
 */

/**
 * `soft-fail` (default): an unreachable responder leaves a signature valid, with a note.
 * `hard-fail`: a certificate whose revocation could not be checked is not trusted.
 * `off`: nothing is fetched (data the message or the user supplies is still read).
 */
export type RevocationMode = "soft-fail" | "hard-fail" | "off";
export const REVOCATION_MODES: readonly RevocationMode[] = ["soft-fail", "hard-fail", "off"];

/** Why a certificate's revocation was not established. */
export type NotCheckedWhy =
  /** The certificate names no OCSP responder and no CRL. */
  | "no-source"
  /** Every responder / CRL address failed (offline, timeout, TLS, HTTP, too large, malformed). */
  | "unreachable"
  /** An answer arrived but was not signed by an authorised responder, or was stale. */
  | "unverified"
  /** The responder does not know the certificate. */
  | "unknown"
  /** Revocation checking is off. */
  | "off"
  /** On, but the user has not (yet) allowed Sealbird to contact revocation services. */
  | "not-allowed";

export interface RevocationAttempt {
  url: string;
  method: "ocsp" | "crl";
  /** An ErrorCode: network-unreachable, network-timeout, network-tls, network-http, network-too-large, network-malformed, revocation-unverified. */
  code: string;
  message: string;
}

export interface RevocationCheck {
  /** The certificate this is about. */
  subject: string;
  fingerprint: string;
  status: "good" | "revoked" | "not-checked";
  /** What answered: an OCSP responder, a CRL, or data supplied with the message / by the user. */
  method?: "ocsp" | "crl";
  /** The responder or CRL address; absent for supplied data. */
  url?: string;
  /** The answer's own date (OCSP thisUpdate / CRL thisUpdate), ISO. */
  producedAt?: string;
  /** Until when the answer is kept (nextUpdate), ISO. */
  nextUpdate?: string;
  /** When Sealbird fetched the answer, ISO (earlier than checkedAt when it came from the cache). */
  fetchedAt?: string;
  fromCache?: boolean;
  revokedAt?: string;
  why?: NotCheckedWhy;
  /** Addresses that were tried and failed, in order. */
  attempts: RevocationAttempt[];
}

export interface RevocationStatus {
  mode: RevocationMode;
  /** When the check was made, ISO. */
  checkedAt: string;
  /**
   * good: every certificate that names a source was checked and is good; revoked: one is;
   * not-checked: one could not be checked (unreachable, unverified, unknown); no-source: the
   * signer's certificate names no revocation service; off: checking is off.
   */
  state: "good" | "revoked" | "not-checked" | "no-source" | "off";
  /** Signer first, then the intermediates. */
  certificates: RevocationCheck[];
}
