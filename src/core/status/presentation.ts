/**
 * How a MessageStatus is presented: which icon, which badge, which message key. Shared by the
 * add-on's toolbar button and the CLI's one-line summary, so both say the same thing.
 * Message keys live in _locales (en, de); `summaryEnglish` is for the CLI only.
 */
import type { MessageStatus, SignatureState } from "./message-status.js";

export type IconName = "sealbird" | "signed-valid" | "signed-warn" | "signed-bad" | "encrypted" | "encrypted-failed";

export interface Presentation {
  icon: IconName;
  /** Short badge text (≤ 4 chars), empty for none. Language-neutral symbols. */
  badge: string;
  badgeColor: string | null;
  /** _locales keys, in display order: encryption line then signature line. */
  titleKeys: string[];
}

const SIGNATURE_KEY: Record<SignatureState, string> = {
  none: "statusSignatureNone",
  valid: "statusSignatureValid",
  invalid: "statusSignatureInvalid",
  "unknown-signer": "statusSignatureUnknownSigner",
  mismatch: "statusSignatureMismatch",
  expired: "statusSignatureExpired",
  untrusted: "statusSignatureUntrusted",
  revoked: "statusSignatureRevoked",
  weak: "statusSignatureWeak",
};

const BAD: ReadonlySet<SignatureState> = new Set(["invalid", "mismatch", "revoked"]);

export function present(status: MessageStatus): Presentation {
  const enc = status.encryption.state;
  const sig = status.signature.state;
  const titleKeys = [
    enc === "decrypted" ? "statusEncryptionDecrypted" : enc === "failed" ? "statusEncryptionFailed" : "statusEncryptionNone",
    SIGNATURE_KEY[sig],
    // Soft-fail: valid, but the user sees that revocation could not be checked.
    ...(sig === "valid" && status.signature.revocation?.state === "not-checked" ? ["statusRevocationNotChecked"] : []),
  ];
  let icon: IconName = "sealbird";
  let badge = "";
  let badgeColor: string | null = null;
  if (enc === "failed") {
    icon = "encrypted-failed";
    badge = "!";
    badgeColor = "#b3261e";
  } else if (BAD.has(sig)) {
    icon = "signed-bad";
    badge = "✗";
    badgeColor = "#b3261e";
  } else if (sig !== "none" && sig !== "valid") {
    icon = "signed-warn";
    badge = "?";
    badgeColor = "#a86400";
  } else if (enc === "decrypted") {
    icon = "encrypted";
    badge = sig === "valid" ? "✓" : "";
    badgeColor = sig === "valid" ? "#1f7a3a" : null;
  } else if (sig === "valid") {
    icon = "signed-valid";
    badge = "✓";
    badgeColor = "#1f7a3a";
  }
  return { icon, badge, badgeColor, titleKeys };
}

/**
 * The header indicator, with the meanings of Thunderbird's own (an envelope for the signature,
 * a padlock for the encryption): `hdr-<encryption>-<signature>` names one icon file showing
 * both. "warn" is unknown signer, untrusted, expired or weak; "bad" invalid, mismatch, revoked.
 */
export interface Indicator {
  encryption: "none" | "ok" | "failed";
  signature: "none" | "valid" | "warn" | "bad";
  icon: string;
}

export function indicator(status: MessageStatus): Indicator {
  const enc = status.encryption.state;
  const sig = status.signature.state;
  const encryption = enc === "decrypted" ? "ok" : enc === "failed" ? "failed" : "none";
  const signature = sig === "none" ? "none" : sig === "valid" ? "valid" : BAD.has(sig) ? "bad" : "warn";
  return { encryption, signature, icon: encryption === "none" && signature === "none" ? "sealbird" : `hdr-${encryption}-${signature}` };
}

const ENGLISH: Record<string, string> = {
  statusEncryptionNone: "not encrypted",
  statusEncryptionDecrypted: "decrypted",
  statusEncryptionFailed: "could not be decrypted",
  statusSignatureNone: "not signed",
  statusSignatureValid: "valid signature",
  statusSignatureInvalid: "INVALID signature (the message was changed or the signature is broken)",
  statusSignatureUnknownSigner: "signed by an unknown signer",
  statusSignatureMismatch: "signed, but the signer is not the sender",
  statusSignatureExpired: "signed with an expired certificate or key",
  statusSignatureUntrusted: "signed with an untrusted certificate",
  statusSignatureRevoked: "signed with a REVOKED certificate or key",
  statusSignatureWeak: "signed with weak cryptography",
  statusRevocationNotChecked: "revocation not checked",
};

export function summaryEnglish(status: MessageStatus): string {
  return present(status)
    .titleKeys.map((k) => ENGLISH[k] ?? k)
    .join(", ");
}
