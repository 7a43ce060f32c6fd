/**
 * What the OpenPGP engine needs from the keystore. Keys may be given armored (string),
 * binary (Uint8Array) or as already-parsed openpgp.js objects; parsing happens once per
 * context object (see `loadContext`).
 *
 * Secret keys: the keystore holds them unlocked inside its own encryption, so `passphrase` is
 * normally absent; it is only for a key still protected by its own OpenPGP passphrase.
 * Their public halves are known keys too (our own signatures verify).
 */
import { readKeys, readPrivateKeys, decryptKey, type PrivateKey, type PublicKey, type Key } from "openpgp";
import { SealbirdError, asSealbirdError } from "../errors.js";
import { READ_CONFIG } from "./config.js";

export type KeyInput = string | Uint8Array;

export interface PgpSecretKey {
  key: KeyInput | PrivateKey;
  passphrase?: string;
}

export interface PgpContext {
  /** Our own keys: for decryption (and as known keys for verification). */
  secretKeys: PgpSecretKey[];
  /** Correspondents' public keys the user accepted (from the keystore). */
  publicKeys: Array<KeyInput | PublicKey>;
}

export interface LoadedContext {
  secret: PrivateKey[];
  known: PublicKey[];
  /** Keys in the context that could not be used, for diagnostics (never secrets). */
  problems: string[];
}

const cache = new WeakMap<PgpContext, Promise<LoadedContext>>();

function isKeyObject(k: unknown): k is Key {
  return typeof k === "object" && k !== null && !(k instanceof Uint8Array) && "keyPacket" in k;
}

export async function parseKeys(input: KeyInput): Promise<Key[]> {
  try {
    if (typeof input === "string") return await readKeys({ armoredKeys: input, config: READ_CONFIG });
    if (looksArmored(input)) return await readKeys({ armoredKeys: new TextDecoder().decode(input), config: READ_CONFIG });
    return await readKeys({ binaryKeys: input, config: READ_CONFIG });
  } catch (e) {
    throw asSealbirdError(e, "pgp-malformed", "This is not a readable OpenPGP key.");
  }
}

export async function parsePrivateKeys(input: KeyInput): Promise<PrivateKey[]> {
  try {
    if (typeof input === "string") return await readPrivateKeys({ armoredKeys: input, config: READ_CONFIG });
    if (looksArmored(input)) return await readPrivateKeys({ armoredKeys: new TextDecoder().decode(input), config: READ_CONFIG });
    return await readPrivateKeys({ binaryKeys: input, config: READ_CONFIG });
  } catch (e) {
    throw asSealbirdError(e, "pgp-malformed", "This is not a readable OpenPGP secret key.");
  }
}

export function looksArmored(b: Uint8Array): boolean {
  const head = new TextDecoder("latin1").decode(b.subarray(0, 200));
  return /^\s*-----BEGIN PGP /.test(head);
}

/** Unlocks a secret key given its own passphrase; wrong or missing → pgp-key-passphrase-wrong. */
export async function unlockKey(key: PrivateKey, passphrase?: string): Promise<PrivateKey> {
  if (key.isDecrypted()) return key;
  if (passphrase === undefined) throw new SealbirdError("pgp-key-passphrase-wrong", "This secret key is protected by a passphrase.");
  try {
    return await decryptKey({ privateKey: key, passphrase, config: READ_CONFIG });
  } catch (e) {
    throw new SealbirdError("pgp-key-passphrase-wrong", "The passphrase of this secret key is wrong.", {}, { cause: e });
  }
}

async function load(ctx: PgpContext): Promise<LoadedContext> {
  const out: LoadedContext = { secret: [], known: [], problems: [] };
  for (const s of ctx.secretKeys) {
    try {
      const keys = isKeyObject(s.key) ? [s.key as PrivateKey] : await parsePrivateKeys(s.key);
      for (const k of keys) {
        const unlocked = await unlockKey(k, s.passphrase);
        out.secret.push(unlocked);
        out.known.push(unlocked.toPublic());
      }
    } catch (e) {
      out.problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  for (const p of ctx.publicKeys) {
    try {
      const keys = isKeyObject(p) ? [p as PublicKey] : await parseKeys(p);
      for (const k of keys) out.known.push(k.isPrivate() ? k.toPublic() : (k as PublicKey));
    } catch (e) {
      out.problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  return out;
}

/** Parses (once per context object) and unlocks the keys of a context. */
export function loadContext(ctx: PgpContext): Promise<LoadedContext> {
  let p = cache.get(ctx);
  if (!p) {
    p = load(ctx);
    cache.set(ctx, p);
  }
  return p;
}
