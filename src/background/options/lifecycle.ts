/**
 * Keystore life cycle for the options page: first creation, passphrase change, encrypted
 * backup of the whole keystore (export and import).
 *
 * The backup contains every private key, so exporting it asks for the keystore passphrase
 * again (an unlocked keystore left alone is not enough) and is encrypted under that
 * passphrase unless the user gives another one.
 */
import { SealbirdError } from "../../core/errors.js";
import { IndexedDbBackend, Keystore } from "../../core/keystore/index.js";
import type { KeystoreService } from "../keystore-service.js";
import type { BackupImportResult, Download } from "./types.js";

/** Enforced in the background as well as on the page: a short passphrase is not worth Argon2. */
export const MIN_PASSPHRASE_LENGTH = 10;

export function checkNewPassphrase(p: unknown): string {
  if (typeof p !== "string" || [...p].length < MIN_PASSPHRASE_LENGTH) {
    throw new SealbirdError("usage", `The passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  }
  return p;
}

export async function createKeystore(keystore: KeystoreService, passphrase: string): Promise<void> {
  await keystore.create(checkNewPassphrase(passphrase));
}

export async function changePassphrase(keystore: KeystoreService, oldPassphrase: string, newPassphrase: string): Promise<void> {
  const store = (await keystore.keyring()).store;
  await store.changePassphrase(oldPassphrase, checkNewPassphrase(newPassphrase));
}

export async function exportBackup(keystore: KeystoreService, passphrase: string, backupPassphrase?: string): Promise<Download> {
  // Proves the passphrase (wrong → keystore-wrong-passphrase) and unlocks if needed.
  await keystore.unlock(passphrase);
  const store = (await keystore.keyring()).store;
  const bytes = await store.exportBackup(backupPassphrase ? checkNewPassphrase(backupPassphrase) : passphrase);
  const day = new Date().toISOString().slice(0, 10);
  return { bytes, fileName: `sealbird-backup-${day}.sealbird-backup`, mimeType: "application/octet-stream" };
}

/**
 * Without a keystore, the backup becomes the keystore (with the backup's passphrase). With
 * one, its records are added to it (it must be unlocked); records already present are kept.
 */
export async function importBackup(keystore: KeystoreService, bytes: Uint8Array, passphrase: string): Promise<BackupImportResult> {
  const state = await keystore.state();
  if (!state.exists) {
    const ks = await Keystore.importBackup(new IndexedDbBackend(), bytes, passphrase);
    const added = (await ks.listRecords()).length;
    // The service opens the new store and keeps the session key, as after a normal unlock.
    await keystore.unlock(passphrase);
    return { added, replaced: 0, skipped: 0 };
  }
  const store = (await keystore.keyring()).store;
  return store.importBackup(bytes, passphrase, { onConflict: "skip" });
}
