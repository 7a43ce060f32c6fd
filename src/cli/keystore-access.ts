// Opening the CLI's file keystore: directory and passphrase from options or environment.
import { Keystore } from "../core/keystore/index.js";
import { Keyring } from "../core/keyring/keyring.js";
import { SealbirdError } from "../core/errors.js";
import { KeystoreFileBackend } from "../node/keystore-file-backend.js";
import { readSecretFile } from "./io.js";

export interface KeystoreFlags {
  keystore?: string | boolean;
  "passphrase-file"?: string | boolean;
}

export function keystoreDir(flags: KeystoreFlags): string {
  const dir = typeof flags.keystore === "string" ? flags.keystore : process.env["SEALBIRD_KEYSTORE"];
  if (!dir) throw new SealbirdError("usage", "no keystore: pass --keystore DIR or set SEALBIRD_KEYSTORE");
  return dir;
}

/** A secret from `--<flag> FILE` (first line) or else the environment variable. */
export function secretFrom(file: unknown, flag: string, envName: string): string {
  if (typeof file === "string") return readSecretFile(file, `--${flag}`);
  const env = process.env[envName];
  if (env) return env;
  throw new SealbirdError("usage", `no passphrase: pass --${flag} FILE or set ${envName}`);
}

export function passphrase(flags: KeystoreFlags): string {
  return secretFrom(flags["passphrase-file"], "passphrase-file", "SEALBIRD_PASSPHRASE");
}

export function backend(flags: KeystoreFlags): KeystoreFileBackend {
  return new KeystoreFileBackend(keystoreDir(flags));
}

/** The keystore, unlocked (every command that touches records needs the data key). */
export async function openUnlocked(flags: KeystoreFlags): Promise<Keystore> {
  const ks = await Keystore.open(backend(flags));
  await ks.unlock(passphrase(flags));
  return ks;
}

export async function openKeyring(flags: KeystoreFlags): Promise<Keyring> {
  return new Keyring(await openUnlocked(flags));
}

/** Inspect works without a passphrase too (verification needs public records only). */
export async function openKeyringMaybeLocked(flags: KeystoreFlags): Promise<Keyring | null> {
  const dir = typeof flags.keystore === "string" ? flags.keystore : process.env["SEALBIRD_KEYSTORE"];
  if (!dir) return null;
  const ks = await Keystore.open(new KeystoreFileBackend(dir));
  const havePass = typeof flags["passphrase-file"] === "string" || !!process.env["SEALBIRD_PASSPHRASE"];
  if (havePass) await ks.unlock(passphrase(flags));
  return new Keyring(ks);
}
