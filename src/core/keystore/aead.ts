/**
 * AES-256-GCM sealing used for the wrapped data key, every record secret and backups.
 * A sealed box is a fresh random 12-byte nonce plus ciphertext-with-tag; 96-bit random nonces
 * are safe here because one data key encrypts at most a few thousand records in its life.
 */
import { randomBytes, toArrayBuffer, utf8 } from "../bytes.js";

export const NONCE_BYTES = 12;
export const KEY_BYTES = 32;

export interface SealedBox {
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

export async function seal(key: CryptoKey, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedBox> {
  const nonce = randomBytes(NONCE_BYTES);
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: toArrayBuffer(nonce), additionalData: toArrayBuffer(aad), tagLength: 128 },
    key,
    toArrayBuffer(plaintext),
  );
  return { nonce, ciphertext: new Uint8Array(ct) };
}

/** Returns null when the tag does not verify; the caller decides what that means. */
export async function open(key: CryptoKey, box: SealedBox, aad: Uint8Array): Promise<Uint8Array | null> {
  if (box.nonce.length !== NONCE_BYTES || box.ciphertext.length < 16) return null;
  try {
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: toArrayBuffer(box.nonce), additionalData: toArrayBuffer(aad), tagLength: 128 },
      key,
      toArrayBuffer(box.ciphertext),
    );
    return new Uint8Array(pt);
  } catch {
    return null;
  }
}

/**
 * Imports raw AES-256 key bytes as a non-extractable CryptoKey and wipes the bytes: from here
 * on the key exists only inside WebCrypto, where script code (or a bug that serialises our
 * state) cannot read it back. importKey copies its input, so wiping afterwards is safe.
 */
export async function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  try {
    const buf = toArrayBuffer(raw);
    try {
      return await crypto.subtle.importKey("raw", buf, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    } finally {
      new Uint8Array(buf).fill(0);
    }
  } finally {
    raw.fill(0);
  }
}

/**
 * Additional data for a record secret: binds the ciphertext to its record id and kind, so a
 * secret blob moved to another record (or relabelled as another kind) fails to decrypt.
 * JSON array encoding keeps the fields unambiguous whatever characters they contain.
 */
export function recordAad(id: string, kind: string): Uint8Array {
  return utf8(JSON.stringify(["sealbird-record-v1", id, kind]));
}

/** Fixed additional data for the wrapped data key in a keystore header. */
export const WRAP_AAD = utf8("sealbird-keystore-v1");
