/**
 * What the options page and the unlock prompt send to the background (`options:*`) and what
 * comes back. Only public facts travel to the page; private keys stay in the background. Files
 * travel as Uint8Array (structured clone keeps them), downloads come back the same way.
 */

/** How a certificate or key stands today. */
export type Validity = "valid" | "expired" | "not-yet-valid" | "revoked";

export type EntryKind = "smime-identity" | "pgp-secret-key" | "smime-certificate" | "pgp-public-key" | "trust-anchor";

/** One certificate or key as the page shows it. */
export interface EntryView {
  id: string;
  kind: EntryKind;
  label: string;
  emails: string[];
  /** Hex, lower case (SHA-256 for certificates, the OpenPGP fingerprint for keys). */
  fingerprint: string;
  subject?: string;
  notBefore?: string;
  /** ISO date; absent for keys that never expire. */
  notAfter?: string;
  validity: Validity;
  /** Own certificate or key that expires within 30 days: renew or extend it. */
  expiresSoon?: boolean;
  /** A correspondent's certificate found in this LDAP address book. */
  directory?: string;
  hasSecret: boolean;
  /** A changed OpenPGP key for a known address, waiting for the user's decision. */
  pending: boolean;
  /** Fingerprints of the keys a pending key would replace. */
  replaces: string[];
}

export interface EntryLists {
  own: EntryView[];
  correspondents: EntryView[];
  anchors: EntryView[];
}

export interface OptionsState {
  exists: boolean;
  unlocked: boolean;
  /** 0 = never. */
  autoLockMinutes: number;
}

/**
 * The guided first-run setup: passphrase, then each Thunderbird identity (`identity` = the
 * address being set up), then a backup, then what the buttons mean; "finished" = settings.
 */
export type SetupStep = "passphrase" | "identities" | "backup" | "done" | "finished";

export interface SetupState {
  step: SetupStep;
  identity?: string;
}

export type ImportWarning = "cert-expired" | "cert-not-yet-valid" | "cert-no-identity";

export interface ImportOutcome {
  entries: EntryView[];
  warnings: ImportWarning[];
}

export interface Download {
  bytes: Uint8Array;
  fileName: string;
  mimeType: string;
}

export interface IdentityView {
  email: string;
  name: string;
}

export interface BackupImportResult {
  added: number;
  replaced: number;
  skipped: number;
}

export type Technology = "smime" | "openpgp";

export interface IdentityPolicy {
  signByDefault: boolean;
  encryptWhenPossible: boolean;
  technology: Technology;
}

/**
 * `always-encrypt`: encryption is switched on for mail to the domain.
 * `never-unencrypted`: sending to the domain is refused when the message cannot be encrypted.
 */
export type DomainRuleKind = "always-encrypt" | "never-unencrypted";

export interface DomainRule {
  /** Lower case, without the @. */
  domain: string;
  rule: DomainRuleKind;
}

export interface Policy {
  /** For identities without their own entry. */
  defaults: IdentityPolicy;
  /** Keyed by the identity's e-mail address, lower case. */
  identities: Record<string, IdentityPolicy>;
  domains: DomainRule[];
}

export interface ThunderbirdCertificates {
  /** False when the certdb experiment is not available (then both lists are empty). */
  available: boolean;
  roots: number;
  own: Array<{ fingerprint: string; subject: string; emails: string[]; known: boolean }>;
}

/** S/MIME online checks (./certificate-checks.ts). */
export interface CertificateChecks {
  revocation: "soft-fail" | "hard-fail" | "off";
  /** enabled: search Thunderbird's LDAP address books at all; off: address book ids not searched. */
  ldap: { enabled: boolean; off: string[] };
}

export interface LdapDirectoryView {
  id: string;
  name: string;
  uri: string;
  needsLogin: boolean;
  /** Sealbird searches it for recipients without a certificate. */
  enabled: boolean;
}

export interface CertificateChecksView {
  checks: CertificateChecks;
  directories: LdapDirectoryView[];
  /** The user allowed Sealbird to contact OCSP responders and CRL servers (optional host permission). */
  permitted: boolean;
}

/** Every options request, with its payload. */
export type OptionsRequestMap = {
  "options:state": { req: Record<string, never>; res: OptionsState };
  "options:create": { req: { passphrase: string }; res: OptionsState };
  "options:unlock": { req: { passphrase: string }; res: OptionsState };
  "options:lock": { req: Record<string, never>; res: OptionsState };
  "options:change-passphrase": { req: { oldPassphrase: string; newPassphrase: string }; res: null };
  "options:set-auto-lock": { req: { minutes: number }; res: OptionsState };
  "options:setup-get": { req: Record<string, never>; res: SetupState };
  "options:setup-set": { req: SetupState; res: SetupState };
  "options:backup-export": { req: { passphrase: string }; res: Download };
  "options:backup-import": { req: { bytes: Uint8Array; passphrase: string }; res: BackupImportResult };
  "options:list": { req: Record<string, never>; res: EntryLists };
  "options:identities": { req: Record<string, never>; res: IdentityView[] };
  "options:import-pkcs12": { req: { bytes: Uint8Array; password: string }; res: ImportOutcome };
  "options:export-pkcs12": { req: { id: string; keystorePassphrase: string; password: string; legacy: boolean }; res: Download };
  "options:generate-pgp": { req: { name: string; email: string; keyType: "curve25519" | "rsa4096" }; res: { entry: EntryView; revocation: Download } };
  "options:import-pgp": { req: { bytes: Uint8Array; passphrase?: string }; res: ImportOutcome };
  "options:export-pgp-public": { req: { id: string }; res: Download };
  "options:export-pgp-secret": { req: { id: string; keystorePassphrase: string; passphrase: string }; res: Download };
  "options:import-certificates": { req: { bytes: Uint8Array; as: "smime-certificate" | "trust-anchor" }; res: ImportOutcome };
  "options:remove": { req: { id: string }; res: null };
  "options:accept-key": { req: { id: string }; res: null };
  "options:reject-key": { req: { id: string }; res: null };
  "options:policy-get": { req: Record<string, never>; res: Policy };
  "options:policy-set": { req: { policy: Policy }; res: Policy };
  "options:list-subject-get": { req: Record<string, never>; res: boolean };
  "options:list-subject-set": { req: { on: boolean }; res: boolean };
  "options:thunderbird-certs": { req: Record<string, never>; res: ThunderbirdCertificates };
  "options:thunderbird-import-roots": { req: Record<string, never>; res: ImportOutcome };
  "options:pgp-set-expiry": { req: { id: string; expiresAt: string | null }; res: EntryView };
  "options:pgp-revoke": { req: { id: string; keystorePassphrase: string; reason: string }; res: { entry: EntryView; publicKey: Download } };
  "options:checks-get": { req: Record<string, never>; res: CertificateChecksView };
  "options:checks-set": { req: { checks: CertificateChecks }; res: CertificateChecksView };
};

export type OptionsRequestType = keyof OptionsRequestMap;
export type OptionsCall<K extends OptionsRequestType> = { type: K } & OptionsRequestMap[K]["req"];
export type OptionsAnswer<K extends OptionsRequestType> = OptionsRequestMap[K]["res"];
