/**
 * Importing, generating, exporting and removing certificates and keys. The page sends file
 * bytes and gets public facts back. Files that carry a private key (PKCS#12, OpenPGP secret
 * key) are only made after the keystore passphrase was entered again, and go straight to the
 * page as a download.
 */
import { SealbirdError } from "../../core/errors.js";
import { utf8 } from "../../core/bytes.js";
import type { Keystore } from "../../core/keystore/index.js";
import type { Keyring } from "../../core/keyring/keyring.js";
import { unb64 } from "../../core/keyring/record-codec.js";
import { exportPkcs12 } from "../../core/pkcs12/index.js";
import { exportSecretKey, importPgpKeys, revokePgpKey, setPgpKeyExpiry, type RevocationReason } from "../../core/pgp/index.js";
import type { PrivateKey } from "openpgp";
import type { KeystoreService } from "../keystore-service.js";
import { entriesById, entryOf } from "./entries.js";
import { identityEmails } from "./identities.js";
import type { Download, EntryView, ImportOutcome, ImportWarning } from "./types.js";

/** Warnings for a freshly imported own certificate: expired, not yet valid, no matching identity. */
export async function ownCertificateWarnings(entry: EntryView): Promise<ImportWarning[]> {
  const warnings: ImportWarning[] = [];
  if (entry.validity === "expired") warnings.push("cert-expired");
  if (entry.validity === "not-yet-valid") warnings.push("cert-not-yet-valid");
  const identities = await identityEmails();
  if (identities && !entry.emails.some((e) => identities.has(e.toLowerCase()))) warnings.push("cert-no-identity");
  return warnings;
}

export async function importPkcs12File(ring: Keyring, bytes: Uint8Array, password: string): Promise<ImportOutcome> {
  const added = await ring.importPkcs12(asBytes(bytes), password);
  const entry = await entryOf(await ring.store.getRecord(added.id));
  return { entries: [entry], warnings: await ownCertificateWarnings(entry) };
}

export async function importPgpFile(ring: Keyring, bytes: Uint8Array, passphrase?: string): Promise<ImportOutcome> {
  const added = await ring.importPgp(asBytes(bytes), passphrase || undefined);
  const entries = await entriesById(ring.store, added.map((e) => e.id));
  const warnings: ImportWarning[] = [];
  if (entries.some((e) => e.validity === "expired" || e.validity === "revoked")) warnings.push("cert-expired");
  const own = entries.filter((e) => e.hasSecret);
  if (own.length) {
    const identities = await identityEmails();
    if (identities && !own.some((e) => e.emails.some((m) => identities.has(m)))) warnings.push("cert-no-identity");
  }
  return { entries, warnings };
}

export async function importCertificateFile(ring: Keyring, bytes: Uint8Array, as: "smime-certificate" | "trust-anchor"): Promise<ImportOutcome> {
  if (as !== "smime-certificate" && as !== "trust-anchor") throw new SealbirdError("usage", "Unknown certificate destination.");
  const added = await ring.importCertificates(asBytes(bytes), as);
  const entries = await entriesById(ring.store, added.map((e) => e.id));
  const warnings: ImportWarning[] = entries.some((e) => e.validity === "expired") ? ["cert-expired"] : [];
  return { entries, warnings };
}

export async function generatePgp(ring: Keyring, name: string, email: string, type: "curve25519" | "rsa4096"): Promise<{ entry: EntryView; revocation: Download }> {
  const address = email.trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(address)) throw new SealbirdError("usage", "An e-mail address is needed for the key.");
  const g = await ring.generatePgp({ ...(name.trim() ? { name: name.trim() } : {}), email: address }, type === "rsa4096" ? "rsa4096" : "curve25519");
  const entry = await entryOf(await ring.store.getRecord(g.entry.id));
  return {
    entry,
    revocation: { bytes: utf8(g.revocationCertificate), fileName: `${safeName(address)}-${entry.fingerprint.slice(-16)}-revocation.asc`, mimeType: "application/pgp-keys" },
  };
}

export async function exportPgpPublic(store: Keystore, id: string): Promise<Download> {
  const r = await store.getRecord(id);
  const armored = r.public["publicKey"];
  if (typeof armored !== "string") throw new SealbirdError("pgp-key-not-found", "This entry is not an OpenPGP key.");
  return { bytes: utf8(armored), fileName: `${fileBase(r.public)}.asc`, mimeType: "application/pgp-keys" };
}

/** Confirms the keystore passphrase (and unlocks if it was locked): wrong → keystore-wrong-passphrase. */
async function confirmPassphrase(keystore: KeystoreService, passphrase: string): Promise<void> {
  await keystore.unlock(passphrase);
}

export async function exportPgpSecret(keystore: KeystoreService, id: string, keystorePassphrase: string, passphrase: string): Promise<Download> {
  await confirmPassphrase(keystore, keystorePassphrase);
  const store = (await keystore.keyring()).store;
  const armored = await withOwnPgpKey(store, id, (key) => exportSecretKey(key, passphrase));
  return { bytes: utf8(armored), fileName: `${fileBase((await store.getRecord(id)).public)}-secret.asc`, mimeType: "application/pgp-keys" };
}

export async function exportPkcs12File(keystore: KeystoreService, id: string, keystorePassphrase: string, password: string, legacy: boolean): Promise<Download> {
  if (!password) throw new SealbirdError("usage", "A password for the PKCS#12 file is needed.");
  await confirmPassphrase(keystore, keystorePassphrase);
  const store = (await keystore.keyring()).store;
  const r = await store.getRecord(id);
  if (r.kind !== "smime-identity") throw new SealbirdError("no-key", "This entry has no S/MIME private key.");
  const secret = await store.getSecret(id);
  try {
    const chain = Array.isArray(r.public["chain"]) ? (r.public["chain"] as unknown[]).map(unb64) : [];
    const bytes = await exportPkcs12(
      { privateKeyPkcs8: secret, certificate: unb64(r.public["certificate"]), chain, ...(r.label ? { friendlyName: r.label } : {}) },
      password,
      { legacy },
    );
    return { bytes, fileName: `${fileBase(r.public)}${legacy ? "-legacy" : ""}.p12`, mimeType: "application/x-pkcs12" };
  } finally {
    secret.fill(0);
  }
}

/**
 * Runs `use` on the unlocked secret key of one of our OpenPGP entries. The parsed key points
 * into the secret's bytes, so they are wiped only after `use` is done.
 */
async function withOwnPgpKey<T>(store: Keystore, id: string, use: (key: PrivateKey) => Promise<T>): Promise<T> {
  const r = await store.getRecord(id);
  if (r.kind !== "pgp-secret-key") throw new SealbirdError("pgp-key-not-found", "This entry has no OpenPGP secret key.");
  const secret = await store.getSecret(id);
  try {
    const [k] = await importPgpKeys(secret);
    if (!k || !k.key.isPrivate()) throw new SealbirdError("keystore-corrupt", "The stored secret key could not be read.");
    return await use(k.key as PrivateKey);
  } finally {
    secret.fill(0);
  }
}

/**
 * New expiry for one of our OpenPGP keys (null: never). Correspondents learn it from the next
 * signed message's Autocrypt header or from the exported public key.
 */
export async function setPgpExpiry(ring: Keyring, id: string, expiresAt: string | null): Promise<EntryView> {
  const when = expiresAt === null ? null : new Date(expiresAt);
  if (when && (Number.isNaN(when.getTime()) || when.getTime() <= Date.now())) throw new SealbirdError("usage", "The new expiry date must be in the future.");
  await withOwnPgpKey(ring.store, id, async (key) => ring.updatePgpSecret(id, await setPgpKeyExpiry(key, when)));
  return entryOf(await ring.store.getRecord(id));
}

const REVOCATION_REASONS: readonly RevocationReason[] = ["no-reason", "superseded", "compromised", "retired"];

/**
 * Revokes one of our OpenPGP keys (asks for the keystore passphrase again: it cannot be
 * undone). The key stays for decrypting old mail; it never signs or encrypts again. The
 * revoked public key comes back as a download, to send to correspondents; the page then asks
 * key discovery to publish it where the key is published (discovery:publish-revocation).
 */
export async function revokePgp(
  keystore: KeystoreService,
  id: string,
  keystorePassphrase: string,
  reason: string,
): Promise<{ entry: EntryView; publicKey: Download }> {
  await confirmPassphrase(keystore, keystorePassphrase);
  const ring = await keystore.keyring();
  const why = (REVOCATION_REASONS as readonly string[]).includes(reason) ? (reason as RevocationReason) : "no-reason";
  const revoked = await withOwnPgpKey(ring.store, id, async (key) => {
    const out = await revokePgpKey(key, why);
    await ring.updatePgpSecret(id, out.privateKey, { revoked: true });
    return out;
  });
  const r = await ring.store.getRecord(id);
  return {
    entry: await entryOf(r),
    publicKey: { bytes: utf8(revoked.armoredPublicKey), fileName: `${fileBase(r.public)}-revoked.asc`, mimeType: "application/pgp-keys" },
  };
}

export async function removeEntry(store: Keystore, id: string): Promise<void> {
  const r = await store.getRecord(id);
  if (r.kind === "setting") throw new SealbirdError("usage", "Settings are not removed here.");
  await store.removeRecord(id);
}

export async function rejectPendingKey(store: Keystore, id: string): Promise<void> {
  const r = await store.getRecord(id);
  if (r.kind !== "pgp-public-key" || r.public["pending"] !== true) throw new SealbirdError("usage", "Only a pending key can be rejected.");
  await store.removeRecord(id);
}

/** Structured clone may hand us a plain object or ArrayBuffer view from another realm. */
export function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  // Another realm's Uint8Array fails instanceof but has the shape.
  if (v && typeof v === "object" && "byteLength" in v && "buffer" in v) {
    const view = v as { buffer: ArrayBuffer; byteOffset: number; byteLength: number };
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  throw new SealbirdError("usage", "Expected file bytes.");
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9@._-]+/g, "_").slice(0, 60) || "key";
}

function fileBase(pub: Record<string, unknown>): string {
  const emails = Array.isArray(pub["emails"]) ? (pub["emails"] as unknown[]) : [];
  const first = typeof emails[0] === "string" ? emails[0] : String(pub["fingerprint"] ?? "key").slice(-16);
  return safeName(first);
}
