/**
 * The composer's state per compose tab and what the compose popup sees. Only public facts:
 * addresses, fingerprints, certificate subjects. A message password given for keyless
 * recipients stays in the background's memory and is never sent back to a page.
 */
export type Technology = "smime" | "openpgp";
export type TechnologyChoice = Technology | "auto";

/** Why Encrypt is on (shown in the popup and the Encrypt button's tooltip). "thunderbird":
 * Thunderbird's own toggle was on when Sealbird took the composer over, and carried over. */
export type EncryptReason = "user" | "policy" | "all-have-keys" | "domain-rule" | "reply-encrypted" | "thunderbird";
/** Why Encrypt is off. */
export type EncryptOffReason = "user" | "no-recipients" | "missing-keys" | "policy" | "thunderbird-own";
/** Why Sign is on / off. */
export type SignReason = "user" | "policy" | "thunderbird";
export type SignOffReason = "user" | "no-key" | "policy" | "thunderbird-own";

export interface ComposeState {
  sign: boolean;
  encrypt: boolean;
  technology: TechnologyChoice;
  /** The user set the toggle in the popup: the policy no longer changes it. */
  userSetSign: boolean;
  userSetEncrypt: boolean;
  /** The message replies to or forwards an encrypted message. */
  replyToEncrypted: boolean;
  /** The user chose, for this message, what happens to recipients without a key. */
  keyless?: "password" | "unencrypted";
  /**
   * The composer holds text Sealbird decrypted (a reply or forward of an encrypted message):
   * the addresses the original involved. Sending it unencrypted, or to anyone else, needs the
   * user's confirmation (`leakConfirmed`), and drafts are stored encrypted whatever the toggles.
   */
  decrypted?: { involved: string[] };
  leakConfirmed?: { addresses: string[]; unencrypted: boolean };
  /** Thunderbird's own toggles that were on when Sealbird took the composer over (now Sealbird's). */
  fromThunderbird?: { encrypt: boolean; sign: boolean };
}

/** A send held by the leak guard: what would happen to the decrypted text. */
export interface LeakHold {
  /** Recipients the original message did not involve (e.g. a Reply-To an attacker set). */
  fresh: string[];
  unencrypted: boolean;
}

export interface RecipientKey {
  fingerprint: string;
  /** Certificate subject or OpenPGP user ID. */
  label: string;
  notAfter?: string;
  /** S/MIME: a path to a trust anchor exists and the certificate is valid; OpenPGP: accepted key. */
  trusted: boolean;
  /**
   * The key or certificate exists but is never used to encrypt, and why (the popup says so).
   * `revocation-not-checked` (S/MIME): hard-fail mode and its revocation could not be checked.
   */
  unusable?: "expired" | "not-yet-valid" | "revoked" | "no-encryption-key" | "revocation-not-checked";
  /** OpenPGP: where the key came from (import, wkd, autocrypt, gossip, …). */
  source?: string;
  /** S/MIME: the online revocation check of this certificate (absent: not looked at yet). */
  revocation?: { state: "checking" | "good" | "revoked" | "not-checked" | "no-source" | "off"; method?: "ocsp" | "crl"; checkedAt?: string };
}

/** A key lookup for a recipient (WKD, keyserver) as the composer shows it. */
export interface RecipientLookup {
  state: "looking-up" | "found" | "pending" | "failed";
  /** Error code when failed (network-*, lookup-*). */
  code?: string;
  source?: "wkd" | "keyserver";
}

/** Searching the LDAP address books for a recipient without a usable S/MIME certificate. */
export interface DirectoryLookupView {
  state: "searching" | "found" | "not-found" | "failed";
  /** The first error's code when state is "failed" (network-unreachable, network-timeout, ldap-failed, ...). */
  code?: string;
  /** The address book that had the certificate. */
  directory?: string;
}

export interface RecipientView {
  email: string;
  smime?: RecipientKey;
  pgp?: RecipientKey;
  /** The technology this recipient is encrypted with for this message; absent = no key. */
  uses?: Technology;
  /** A domain rule for this address. */
  rule?: "always-encrypt" | "never-unencrypted";
  /** Looks like a mailing list (warned: members need the list's key). */
  list?: boolean;
  /** A key lookup made for this recipient in this session. */
  lookup?: RecipientLookup;
  /** S/MIME certificate search in LDAP address books (only for recipients without a usable one). */
  directory?: DirectoryLookupView;
}

export interface ComposeView {
  tabId: number;
  from: string;
  sign: boolean;
  encrypt: boolean;
  technology: TechnologyChoice;
  /** The technology the message will use. */
  effective: Technology;
  encryptReason?: EncryptReason;
  encryptOff?: EncryptOffReason;
  signReason?: SignReason;
  signOff?: SignOffReason;
  recipients: RecipientView[];
  /** Recipients without a key in the effective technology (Encrypt on blocks the send). */
  missing: string[];
  /** The sender can sign in the effective technology. */
  canSign: boolean;
  /** Thunderbird's own OpenPGP/S/MIME is on for this message too. */
  thunderbirdOwn?: { technology: "OpenPGP" | "S/MIME"; encrypt: boolean; sign: boolean };
  replyToEncrypted: boolean;
  keystore: { exists: boolean; unlocked: boolean };
  keyless?: "password" | "unencrypted";
  /** Sending was stopped by Sealbird and waits for the user (missing keys). */
  blocked: boolean;
  /** The composer holds decrypted text (reply/forward of a message Sealbird decrypted). */
  holdsDecrypted: boolean;
  /** Sending was stopped by the leak guard and waits for the user's explicit confirmation. */
  leak?: LeakHold;
  /** Sealbird holds a key for the sender (S/MIME or OpenPGP). */
  protects: boolean;
  /** Sealbird is in charge of this composer: it protects the sender, or its Encrypt or Sign is
   * on for this message. Its Encrypt and Sign buttons then stand in the toolbar and
   * Thunderbird's own crypto controls are hidden. */
  inCharge: boolean;
  /** An address book mailing list (or a bare list name) is among the recipients: Thunderbird
   * expands it only when sending, so its members' keys are checked then. */
  listEntries: boolean;
  /** The sender's own signing certificate or key expires within 30 days (or has expired). */
  ownExpiry?: { technology: Technology; notAfter: string; expired: boolean };
}

export type ComposeRequest =
  | { type: "compose:get-view"; tabId: number }
  | { type: "compose:set"; tabId: number; sign?: boolean; encrypt?: boolean; technology?: TechnologyChoice }
  /** The user's choice for recipients without a key; the message is then sent. */
  | { type: "compose:resolve-missing"; tabId: number; choice: "remove" | "password" | "unencrypted"; password?: string; confirmed?: boolean }
  /** The user's explicit confirmation of a leak hold, naming exactly what was shown; the message is then sent. */
  | { type: "compose:confirm-leak"; tabId: number; addresses: string[]; unencrypted: boolean };

export function isComposeRequest(m: unknown): m is ComposeRequest {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string" && (m as { type: string }).type.startsWith("compose:");
}
