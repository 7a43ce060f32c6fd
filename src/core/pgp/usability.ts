/**
 * Can a correspondent's key be encrypted to right now? An expired or revoked key never is, and
 * the composer must be able to say which of the two it is (or that the key has no encryption
 * subkey at all). Answers are kept for a minute per key: the composer asks on every refresh.
 */
import type { Key } from "openpgp";
import { READ_CONFIG } from "./config.js";
import { parseKeys } from "./context.js";

export type KeyUsability = { state: "usable"; expires?: string } | { state: "expired"; expired?: string } | { state: "revoked" } | { state: "no-encryption-key" };

const MAX_CACHED = 128;
const cache = new Map<string, Promise<KeyUsability>>();

async function expiry(k: { getExpirationTime(...a: never[]): Promise<Date | number | null> }): Promise<Date | null> {
  try {
    const t = await k.getExpirationTime();
    return t instanceof Date ? t : null;
  } catch {
    return null;
  }
}

export async function keyUsability(key: Key, now: Date = new Date()): Promise<KeyUsability> {
  if (await key.isRevoked(undefined, undefined, now, READ_CONFIG).catch(() => false)) return { state: "revoked" };
  const primaryExpiry = await expiry(key as never);
  if (primaryExpiry && primaryExpiry <= now) return { state: "expired", expired: primaryExpiry.toISOString() };
  try {
    const enc = await key.getEncryptionKey(undefined, now, undefined, READ_CONFIG);
    const subExpiry = enc === (key as unknown) ? null : await expiry(enc as never);
    const ends = [primaryExpiry, subExpiry].filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0];
    return ends ? { state: "usable", expires: ends.toISOString() } : { state: "usable" };
  } catch {
    // Why not: an encryption subkey that expired or was revoked, or none at all.
  }
  let lastExpired: Date | undefined;
  let revoked = false;
  for (const sub of key.subkeys) {
    if (await sub.isRevoked(undefined as never, undefined as never, now, READ_CONFIG).catch(() => false)) revoked = true;
    const t = await expiry(sub as never);
    if (t && t <= now && (!lastExpired || t > lastExpired)) lastExpired = t;
  }
  if (lastExpired) return { state: "expired", expired: lastExpired.toISOString() };
  if (revoked) return { state: "revoked" };
  return { state: "no-encryption-key" };
}

/** keyUsability for a stored (armored) key; unreadable key material counts as unusable. */
export function armoredKeyUsability(armored: string, now: Date = new Date()): Promise<KeyUsability> {
  const id = `${Math.floor(now.getTime() / 60_000)}:${armored}`;
  let p = cache.get(id);
  if (!p) {
    p = parseKeys(armored).then(
      ([k]) => (k ? keyUsability(k, now) : { state: "no-encryption-key" as const }),
      () => ({ state: "no-encryption-key" as const }),
    );
    cache.set(id, p);
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
  return p;
}
