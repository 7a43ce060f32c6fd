/**
 * Every failure the engine reports to a caller is a SealbirdError with a stable code.
 * The UI translates by code (`_locales/{en,de}/messages.json`, key `error_<code with - as _>`),
 * the CLI prints `code: message`, and tests assert the code, never the English text.
 */
export const ERROR_CODES = [
  // generic
  "input-too-large",
  "io-error",
  "usage",
  "internal",
  "unsupported-algorithm",
  "asn1-malformed",
  // MIME
  "mime-malformed",
  "mime-too-deep",
  "mime-too-many-parts",
  "mime-boundary-missing",
  "mime-bad-encoding",
  // keystore
  "keystore-not-found",
  "keystore-exists",
  "keystore-locked",
  "keystore-wrong-passphrase",
  "keystore-corrupt",
  "keystore-record-not-found",
  "keystore-backup-invalid",
  // PKCS#12 and certificates
  "pkcs12-wrong-password",
  "pkcs12-corrupt",
  "pkcs12-unsupported-algorithm",
  "pkcs12-no-private-key",
  "cert-malformed",
  "cert-expired",
  "cert-no-email",
  // decryption / integrity (also used as EncryptionStatus.failed codes)
  "no-key",
  "decrypt-failed",
  "no-integrity",
  "tampered",
  "signature-malformed",
  // OpenPGP keys
  "pgp-malformed",
  "pgp-key-passphrase-wrong",
  "pgp-key-not-found",
  // sending
  "recipient-no-key",
  // network (what any online check can meet: key lookups, revocation fetches)
  "network-offline",
  "network-unreachable",
  "network-timeout",
  "network-tls",
  "network-http",
  "network-too-large",
  /** An answer that is not what was asked for (OCSP response, CRL, directory entry). */
  "network-malformed",
  // key discovery (WKD, keyservers)
  "lookup-not-allowed",
  "lookup-not-found",
  "lookup-malformed",
  "lookup-wrong-user-id",
  // S/MIME online checks: LDAP directories, revocation
  "ldap-failed",
  /** An OCSP response or CRL arrived but is not signed by an authorised responder, or is stale. */
  "revocation-unverified",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class SealbirdError extends Error {
  readonly code: ErrorCode;
  /** Structured extras a UI may show (key ids, recipient list, limits). Never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SealbirdError";
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isSealbirdError(e: unknown): e is SealbirdError {
  return e instanceof SealbirdError;
}

/**
 * Turns anything thrown by a library into a typed error, so no stack trace of a
 * third-party parser ever reaches the user. `fallback` names what we were doing.
 */
export function asSealbirdError(e: unknown, fallback: ErrorCode, message: string): SealbirdError {
  if (e instanceof SealbirdError) return e;
  return new SealbirdError(fallback, message, {}, { cause: e });
}
