/**
 * OpenPGP keys: generate, import, export, revoke, change expiry, describe.
 *
 * Defaults are chosen for GnuPG 2.2 interop: v4 keys, Ed25519 (legacy EdDSA) primary for
 * signing with a Curve25519 (legacy ECDH) encryption subkey; RSA-4096 on request; v6 keys
 * (RFC 9580, which GnuPG 2.2 cannot read) only when asked for explicitly.
 */
import {
  enums,
  generateKey,
  reformatKey,
  revokeKey as pgpRevokeKey,
  encryptKey,
  type PrivateKey,
  type PublicKey,
  type Key,
  type UserID,
  type PartialConfig,
} from "openpgp";
import { SealbirdError, asSealbirdError } from "../errors.js";
import { READ_CONFIG, WRITE_CONFIG } from "./config.js";
import { parseKeys, unlockKey, type KeyInput } from "./context.js";

export type KeyType = "curve25519" | "rsa4096" | "rsa3072" | "v6-curve25519";

export interface GenerateOptions {
  type?: KeyType;
  /** Seconds from creation; absent or 0 = never expires. */
  expiresInSeconds?: number;
  date?: Date;
}

export interface GeneratedKey {
  /** Unlocked: the keystore protects it. */
  privateKey: PrivateKey;
  publicKey: PublicKey;
  /** Armored revocation certificate, to be kept apart from the key. */
  revocationCertificate: string;
}

export async function generatePgpKey(userIds: UserID | UserID[], opts: GenerateOptions = {}): Promise<GeneratedKey> {
  const type = opts.type ?? "curve25519";
  const base = {
    userIDs: Array.isArray(userIds) ? userIds : [userIds],
    keyExpirationTime: opts.expiresInSeconds ?? 0,
    format: "object" as const,
    ...(opts.date ? { date: opts.date } : {}),
  };
  try {
    const r =
      type === "curve25519"
        ? await generateKey({ ...base, type: "ecc", curve: "ed25519Legacy", config: WRITE_CONFIG })
        : type === "v6-curve25519"
          ? await generateKey({ ...base, type: "curve25519", config: { ...WRITE_CONFIG, v6Keys: true, aeadProtect: true } })
          : await generateKey({ ...base, type: "rsa", rsaBits: type === "rsa4096" ? 4096 : 3072, config: WRITE_CONFIG });
    return { privateKey: r.privateKey, publicKey: r.publicKey, revocationCertificate: r.revocationCertificate };
  } catch (e) {
    throw asSealbirdError(e, "internal", "The key could not be generated.");
  }
}

export interface ImportedKey {
  /** Unlocked private key (when the input held secret material) or public key. */
  key: PrivateKey | PublicKey;
  info: PgpKeyInfo;
}

/**
 * Imports armored or binary keys (one or several). Secret keys protected by their own
 * passphrase are unlocked with `passphrase` and returned unlocked, for the keystore to
 * re-protect. Wrong/missing passphrase → pgp-key-passphrase-wrong; garbage → pgp-malformed.
 */
export async function importPgpKeys(input: KeyInput, passphrase?: string): Promise<ImportedKey[]> {
  const keys = await parseKeys(input);
  if (keys.length === 0) throw new SealbirdError("pgp-malformed", "No OpenPGP key found.");
  const out: ImportedKey[] = [];
  for (const k of keys) {
    let key: PrivateKey | PublicKey = k as PublicKey;
    if (k.isPrivate()) {
      const priv = k as PrivateKey;
      // A key whose secret parts are all stubs (gpg --export-secret-subkeys of an offline primary
      // with no usable subkey) is a public key for our purposes.
      key = await unlockKey(priv, passphrase);
    }
    try {
      await key.verifyPrimaryKey(undefined, undefined, READ_CONFIG);
    } catch (e) {
      // Expired or revoked keys are still imported (to show old signatures); a key without any
      // valid self-signature is not a key at all.
      const msg = e instanceof Error ? e.message : "";
      if (!/expired|revoked/i.test(msg)) throw new SealbirdError("pgp-malformed", "The key has no valid self-signature.", {}, { cause: e });
    }
    out.push({ key, info: await keyInfo(key) });
  }
  return out;
}

export function exportPublicKey(key: Key): string {
  return key.toPublic().armor(WRITE_CONFIG);
}

/** Armored secret key, protected with `passphrase` (iterated+salted S2K, CFB: GnuPG 2.2 reads it). */
export async function exportSecretKey(key: PrivateKey, passphrase: string): Promise<string> {
  if (!passphrase) throw new SealbirdError("usage", "A passphrase is required to export a secret key.");
  const unlocked = await unlockKey(key);
  const locked = await encryptKey({ privateKey: unlocked, passphrase, config: WRITE_CONFIG });
  return locked.armor(WRITE_CONFIG);
}

export interface RevokeResult {
  privateKey: PrivateKey;
  publicKey: PublicKey;
  /** Armored public key carrying the revocation, to publish or send. */
  armoredPublicKey: string;
}

export type RevocationReason = "no-reason" | "superseded" | "compromised" | "retired";

const REASONS: Record<RevocationReason, enums.reasonForRevocation> = {
  "no-reason": enums.reasonForRevocation.noReason,
  superseded: enums.reasonForRevocation.keySuperseded,
  compromised: enums.reasonForRevocation.keyCompromised,
  retired: enums.reasonForRevocation.keyRetired,
};

export async function revokePgpKey(key: PrivateKey, reason: RevocationReason = "no-reason", text = ""): Promise<RevokeResult> {
  try {
    const r = await pgpRevokeKey({
      key: await unlockKey(key),
      reasonForRevocation: { flag: REASONS[reason], string: text },
      format: "object",
      config: WRITE_CONFIG,
    });
    return { privateKey: r.privateKey, publicKey: r.publicKey, armoredPublicKey: r.publicKey.armor(WRITE_CONFIG) };
  } catch (e) {
    throw asSealbirdError(e, "internal", "The key could not be revoked.");
  }
}

/** Applies a stored revocation certificate (ours from generation, or one received) to a public key. */
export async function applyRevocationCertificate(key: PublicKey, revocationCertificate: string): Promise<PublicKey> {
  try {
    const r = await pgpRevokeKey({ key, revocationCertificate, format: "object", config: READ_CONFIG });
    return r.publicKey;
  } catch (e) {
    throw asSealbirdError(e, "pgp-malformed", "The revocation certificate does not belong to this key or is invalid.");
  }
}

/**
 * Sets (or removes, with null) the expiry of the key and all its subkeys by issuing fresh
 * self-signatures dated now. Fingerprints do not change. ./verify.ts accepts signatures made
 * before such a re-signing (the key is checked at the signing time, falling back to now).
 */
export async function setPgpKeyExpiry(key: PrivateKey, expiresAt: Date | null): Promise<PrivateKey> {
  const unlocked = await unlockKey(key);
  const created = unlocked.getCreationTime().getTime();
  let seconds = 0;
  if (expiresAt) {
    seconds = Math.floor((expiresAt.getTime() - created) / 1000);
    if (seconds <= 0) throw new SealbirdError("usage", "The expiry must be after the key's creation.");
  }
  const userIDs: UserID[] = unlocked.users
    .filter((u) => u.userID)
    .map((u) => ({ name: u.userID!.name, email: u.userID!.email, comment: u.userID!.comment }))
    .map((u) => Object.fromEntries(Object.entries(u).filter(([, v]) => v)) as UserID);
  try {
    const config: PartialConfig = { ...WRITE_CONFIG, v6Keys: unlocked.keyPacket.version === 6 };
    const r = await reformatKey({ privateKey: unlocked, userIDs, keyExpirationTime: seconds, format: "object", config });
    return r.privateKey;
  } catch (e) {
    throw asSealbirdError(e, "internal", "The expiry could not be changed.");
  }
}

export interface PgpKeyInfo {
  /** Primary key fingerprint, lowercase hex. */
  fingerprint: string;
  /** Primary key id, lowercase hex (16 digits). */
  keyId: string;
  /** Ids of all (sub)keys, lowercase hex. */
  subkeyIds: string[];
  userIds: string[];
  /** Lowercased addresses from user ids with a valid self-signature. */
  emails: string[];
  algorithm: string;
  bits?: number;
  curve?: string;
  version: number;
  created: string;
  /** ISO date, absent when the key never expires. */
  expires?: string;
  revoked: boolean;
  isSecret: boolean;
}

/** Lowercased e-mail addresses of user ids that carry a valid, unrevoked self-certification. */
export async function boundEmails(key: Key, date: Date = new Date()): Promise<string[]> {
  const out = new Set<string>();
  for (const u of key.users) {
    if (!u.userID) continue;
    try {
      await u.verify(date, READ_CONFIG);
    } catch {
      continue;
    }
    const email = u.userID.email || emailFromUserId(u.userID.userID);
    if (email) out.add(email.toLowerCase());
  }
  return [...out];
}

function emailFromUserId(uid: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(uid) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(uid);
  return m?.[1] ?? "";
}

export async function keyInfo(key: Key, now: Date = new Date()): Promise<PgpKeyInfo> {
  const algo = key.getAlgorithmInfo();
  let expires: string | undefined;
  try {
    const t = await key.getExpirationTime(undefined, READ_CONFIG);
    if (t instanceof Date) expires = t.toISOString();
  } catch {
    // no valid self-signature at all: no expiry to show
  }
  const revoked = await key.isRevoked(undefined, undefined, now, READ_CONFIG).catch(() => false);
  // Emails from user ids valid at any time of the key's life (an expired key still names its owner).
  let emails = await boundEmails(key, now);
  if (emails.length === 0) emails = await boundEmails(key, key.getCreationTime());
  const info: PgpKeyInfo = {
    fingerprint: key.getFingerprint().toLowerCase(),
    keyId: key.getKeyID().toHex().toLowerCase(),
    subkeyIds: key.getKeys().map((k) => k.getKeyID().toHex().toLowerCase()),
    userIds: key.getUserIDs(),
    emails,
    algorithm: algo.algorithm,
    version: key.keyPacket.version,
    created: key.getCreationTime().toISOString(),
    revoked,
    isSecret: key.isPrivate(),
  };
  if (algo.bits) info.bits = algo.bits;
  if (algo.curve) info.curve = algo.curve;
  if (expires) info.expires = expires;
  return info;
}
