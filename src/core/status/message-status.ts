/**
 * The status model: the one thing the UI (badges, popup, CLI `inspect`) shows about a message.
 *
 * Rules (see ARCHITECTURE.md, "What a badge means"):
 *  1. Only the layers wrapping the whole message are opened, as Thunderbird's layer policy
 *     allows (../message/layer-policy.ts); one signature of them is credited (`signature`),
 *     one encryption (`encryption`). A checked signature the policy does not credit (over
 *     ciphertext) is in `uncredited`; a layer it does not open is in `nested` (where "layer").
 *  2. A signed or encrypted entity found anywhere else — inside multipart/mixed, inside a
 *     forwarded message/rfc822, as an attachment — is listed in `nested` for information and
 *     never credited to the message: `signature`/`encryption` stay "none" for it.
 *  3. `covers` says which entity a credited status covers, so a UI can say "the signature
 *     covers the whole message" or "nothing is signed".
 *  4. A signature is `valid` only for the message's one author (From) at about its Date.
 */
import type { ErrorCode, SealbirdError } from "../errors.js";
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
  /** The Sender field's address when it names someone other than the From author (information only). */
  sender?: string;
  signingTime?: string;
  /** The message's Date field (ISO) the signing time was compared with. */
  messageDate?: string;
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
      /**
       * Which step failed: "recipient" — none of our keys is a recipient; "key" — one is, but
       * the content key could not be recovered with it; "content" — the content key was
       * recovered (or tried) and the content would not decrypt or failed its integrity check.
       */
      step?: DecryptionStep;
    };

export type DecryptionStep = "recipient" | "key" | "content";

/** Path of a MIME entity: "" is the message itself, "1.2" the second child of the first child. */
export type PartPath = string;

export interface NestedStatus {
  path: PartPath;
  protocol: Protocol;
  kind: "signed" | "encrypted";
  /**
   * "part": an entity among others (attachment, forwarded message, inline block amid text).
   * "layer": a layer stacked directly inside the opened ones that the layer policy does not
   * open (an encryption inside an encryption, a signature over a signature).
   */
  where?: "part" | "layer";
  /** Shown as info only ("this attachment carries a signature"), never as a badge. */
  note: string;
}

/** A signature that was checked but, by the layer policy, does not count for the message. */
export interface UncreditedSignature {
  /** "signs-ciphertext": it signs an encryption layer, i.e. only the ciphertext. */
  code: "signs-ciphertext";
  note: string;
  signature: SignatureStatus;
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
  /** Signatures checked but not credited (encrypt-then-sign's outer signature); details only. */
  uncredited: UncreditedSignature[];
  /** Transport damage undone before a layer was opened (Exchange's PGP/MIME rewrite, armor damage). */
  repairs: StatusReason[];
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
    uncredited: [],
    repairs: [],
    errors: [],
  };
}

/** A badge is shown only for these; everything else is a warning or nothing. */
export function isTrustworthySignature(s: SignatureStatus): boolean {
  return s.state === "valid";
}

/** The failed EncryptionStatus for an engine's error (recipients and step from its details). */
export function failedEncryption(protocol: Protocol, err: SealbirdError): EncryptionStatus {
  const recipients = Array.isArray(err.details["recipients"]) ? (err.details["recipients"] as string[]) : [];
  const step = err.details["step"];
  return {
    state: "failed",
    protocol,
    code: err.code,
    message: err.message,
    recipients,
    ...(step === "recipient" || step === "key" || step === "content" ? { step } : {}),
  };
}
