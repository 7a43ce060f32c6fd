/**
 * The data key: 256 random bits that encrypt every record secret. It never changes for the
 * life of a keystore; the passphrase only wraps it. That is why a passphrase change touches
 * the header alone and needs no re-encryption of records.
 */
import { SealbirdError } from "../errors.js";
import { randomBytes } from "../bytes.js";
import { importAesKey, KEY_BYTES, open, seal, WRAP_AAD } from "./aead.js";
import { deriveKey, resolveKdfParams } from "./kdf.js";
import type { KeystoreHeader } from "./header.js";
import type { KdfParams } from "./types.js";

/** A new random data key, wrapped under the passphrase; returns the header and the usable key. */
export async function createDataKey(
  passphrase: string,
  kdf: Partial<KdfParams> = {},
): Promise<{ header: KeystoreHeader; key: CryptoKey }> {
  const params = resolveKdfParams(kdf);
  const raw = randomBytes(KEY_BYTES);
  try {
    const wrappingKey = await deriveKey(passphrase, params);
    const wrappedKey = await seal(wrappingKey, raw, WRAP_AAD);
    const header: KeystoreHeader = { created: new Date().toISOString(), kdf: params, wrappedKey };
    return { header, key: await importAesKey(raw) };
  } finally {
    raw.fill(0);
  }
}

/**
 * The raw data key bytes. Callers must wipe them; only rewrap and unwrap use this.
 * A failed GCM tag means the derived key is wrong, i.e. the passphrase (tampering with the
 * header's parameters lands here too, and is indistinguishable by design).
 */
async function unwrapRaw(header: KeystoreHeader, passphrase: string): Promise<Uint8Array> {
  const wrappingKey = await deriveKey(passphrase, header.kdf);
  const raw = await open(wrappingKey, header.wrappedKey, WRAP_AAD);
  if (!raw) throw new SealbirdError("keystore-wrong-passphrase", "wrong keystore passphrase");
  if (raw.length !== KEY_BYTES) {
    raw.fill(0);
    throw new SealbirdError("keystore-corrupt", "keystore header: unwrapped key has the wrong size");
  }
  return raw;
}

/** Unwraps the data key into a non-extractable AES-GCM CryptoKey; the raw bytes are wiped. */
export async function unwrapDataKey(header: KeystoreHeader, passphrase: string): Promise<CryptoKey> {
  return importAesKey(await unwrapRaw(header, passphrase));
}

/**
 * The same data key wrapped under a new passphrase with a fresh salt. The data key is
 * non-extractable once unlocked, so the old passphrase is needed to get the raw bytes again.
 */
export async function rewrapDataKey(
  header: KeystoreHeader,
  oldPassphrase: string,
  newPassphrase: string,
  kdf: Partial<KdfParams> = {},
): Promise<KeystoreHeader> {
  const { salt: _ignored, ...keep } = header.kdf;
  const params = resolveKdfParams({ ...keep, ...kdf });
  const raw = await unwrapRaw(header, oldPassphrase);
  try {
    const wrappingKey = await deriveKey(newPassphrase, params);
    return { created: header.created, kdf: params, wrappedKey: await seal(wrappingKey, raw, WRAP_AAD) };
  } finally {
    raw.fill(0);
  }
}
