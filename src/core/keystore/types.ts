/**
 * Shapes shared by the keystore modules. The keystore holds public material in plaintext and
 * secret material (private keys) encrypted under a random data key; see keystore.ts for the
 * whole design.
 */

/** Kinds other parts of Sealbird store. The keystore itself accepts any well-formed kind. */
export const KNOWN_RECORD_KINDS = [
  "smime-identity", // public: cert chain (DER base64), emails, fingerprint; secret: PKCS#8
  "pgp-secret-key", // public: armored public key, fingerprint, uids; secret: the secret key
  "smime-certificate", // a correspondent's certificate; public only
  "pgp-public-key", // a correspondent's public key; public only
  "trust-anchor", // a user-added root; public only
  "setting", // preferences; public only
] as const;
export type KnownRecordKind = (typeof KNOWN_RECORD_KINDS)[number];

/** JSON values only: `public` is stored as JSON, so anything else would silently change shape. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A record as callers see it. `secret` is only ever present on input or from getSecret(). */
export interface KeystoreRecord {
  id: string;
  kind: string;
  label?: string;
  /** ISO 8601 time the record was added. */
  created: string;
  /** Plaintext JSON at rest: certificates, fingerprints, emails, key ids. Never secrets. */
  public: Record<string, unknown>;
  /** Encrypted at rest; readable only while the keystore is unlocked. */
  secret?: Uint8Array;
}

/** What listRecords()/getRecord() return: works while locked, so it never carries the secret. */
export interface RecordInfo extends Omit<KeystoreRecord, "secret"> {
  hasSecret: boolean;
}

export interface NewRecord {
  kind: string;
  label?: string;
  public: Record<string, unknown>;
  secret?: Uint8Array;
}

/** `null` removes the label or the secret; an absent field leaves it as it is. */
export interface RecordPatch {
  label?: string | null;
  public?: Record<string, unknown>;
  secret?: Uint8Array | null;
}

/** Argon2id parameters, stored per keystore (and per backup) so they can be raised later. */
export interface KdfParams {
  algorithm: "argon2id";
  /** Argon2 version number; hash-wasm implements 0x13 (19) only. */
  version: 19;
  /** 16 random bytes, fresh per keystore and per passphrase change. */
  salt: Uint8Array;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

/**
 * Storage behind a Keystore. A backend stores opaque serialized strings (the one on-disk/in-DB
 * format is defined by header.ts and record-format.ts), so every backend holds byte-identical
 * data and tests can tamper with it the same way everywhere.
 */
export interface KeystoreBackend {
  /** The serialized header, or null when there is no keystore. */
  getHeader(): Promise<string | null>;
  /** Writes the first header. Must fail with `keystore-exists` if a header is already there. */
  putHeader(header: string): Promise<void>;
  /**
   * Replaces the header atomically: after any interruption the stored header is either the
   * old one or the new one, complete. changePassphrase relies on this alone.
   */
  replaceHeader(header: string): Promise<void>;
  getRecord(id: string): Promise<string | null>;
  /** Creates or overwrites one record. Each single write must be atomic (old or new). */
  putRecord(id: string, record: string): Promise<void>;
  /** Deleting a missing record is not an error. */
  deleteRecord(id: string): Promise<void>;
  listRecords(): Promise<string[]>;
  /** Optional: discard leftovers of interrupted writes (e.g. temp files). Called by open(). */
  recover?(): Promise<void>;
}
