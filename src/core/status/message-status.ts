/**
 * The status model: the one thing the UI (badges, popup, CLI `inspect`) shows about a message.
 *
 * Rules (see ARCHITECTURE.md, "What a badge means"):
 *  1. Only the top-level layer counts for the message, or the layer directly inside a
 *     top-level encryption (sign-then-encrypt), or directly outside one (encrypt-then-sign).
 *  2. A signed or encrypted entity found anywhere else — inside multipart/mixed, inside a
 *     forwarded message/rfc822, as an attachment — is listed in `nested` for information and
 *     never credited to the message: `signature`/`encryption` stay "none" for it.
 *  3. `covers` says which entity a credited status covers, so a UI can say "the signature
 *     covers the whole message" or "nothing is signed".
 */
import type { ErrorCode } from "../errors.js";
import type { RevocationStatus } from "./revocation-status.js";

export type Protocol = "smime" | "openpgp";

export type SignatureState =
  | "none"
  | "valid"
  | "invalid"
  | "unknown-signer"
  | "mismatch"
  | "expired"
  | "untrusted"
  | "revoked"
  | "weak";

export interface StatusReason {
  code: string;
  message: string;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER certificate, lowercase hex. */
  fingerprint: string;
  emails: string[];
}

export interface SignerInfo {
  name?: string;
  email?: string;
  /** All addresses the certificate or key binds. */
  emails: string[];
  /** S/MIME: SHA-256 of the certificate; OpenPGP: the primary key fingerprint. Lowercase hex. */
  fingerprint?: string;
  /** OpenPGP: signing (sub)key id, hex. S/MIME: issuer + serial. */
  keyId?: string;
}

export interface SignatureStatus {
  state: SignatureState;
  protocol?: Protocol;
  signer?: SignerInfo;
  /** The From address the signer was compared with. */
  from?: string;
  signingTime?: string;
  digestAlgorithm?: string;
  signatureAlgorithm?: string;
  /** Certificate chain from signer to anchor (S/MIME). */
  chain?: CertificateSummary[];
  /** S/MIME: when and how the chain's revocation was checked (absent when it was not looked at). */
  revocation?: RevocationStatus;
  /** Why the state is not "valid"; empty when valid. */
  reasons: StatusReason[];
}

export type EncryptionStatus =
  | { state: "none" }
  | {
      state: "decrypted";
      protocol: Protocol;
      /** Content cipher, e.g. "AES-256-GCM", "AES-256-CBC", "AES-256 (SEIPDv1)". */
      algorithm: string;
      /** Which of our keys opened it (certificate or key fingerprint). */
      decryptedWith?: string;
      /** Every recipient the message was encrypted to (issuer/serial, SKI or key ids). */
      recipients: string[];
    }
  | {
      state: "failed";
      protocol: Protocol;
      code: ErrorCode;
      message: string;
      recipients: string[];
    };

/** Path of a MIME entity: "" is the message itself, "1.2" the second child of the first child. */
export type PartPath = string;

export interface NestedStatus {
  path: PartPath;
  protocol: Protocol;
  kind: "signed" | "encrypted";
  /** Shown as info only ("this attachment carries a signature"), never as a badge. */
  note: string;
}

export interface MessageStatus {
  /** Protocol of the credited layers, or "none" for a plain message. */
  protocol: Protocol | "none";
  encryption: EncryptionStatus;
  signature: SignatureStatus;
  /**
   * What the credited statuses cover: "message" when a signature/encryption wraps the whole
   * content shown; "none" when nothing is credited.
   */
  covers: { signature: "message" | "none"; encryption: "message" | "none" };
  /** Headers protected inside the cryptographic layer (RFC 9788), when present. */
  protectedHeaders?: { subject?: string; from?: string; to?: string; cc?: string; date?: string };
  nested: NestedStatus[];
  errors: StatusReason[];
}

export function noSignature(): SignatureStatus {
  return { state: "none", reasons: [] };
}

export function plainStatus(): MessageStatus {
  return {
    protocol: "none",
    encryption: { state: "none" },
    signature: noSignature(),
    covers: { signature: "none", encryption: "none" },
    nested: [],
    errors: [],
  };
}

/** A badge is shown only for these; everything else is a warning or nothing. */
export function isTrustworthySignature(s: SignatureStatus): boolean {
  return s.state === "valid";
}
