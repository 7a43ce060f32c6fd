/**
 * What a lookup answer may contribute: only public keys, and of those only keys that carry a
 * self-signed user id with exactly the address looked up. The key is cut down to those user ids,
 * so a directory can never bring in a key for an address it does not speak for. Subkeys stay
 * whole: a refresh must see new encryption subkeys.
 */
import type { PublicKey } from "openpgp";
import { SealbirdError } from "../errors.js";
import { parseKeys } from "../pgp/context.js";
import { READ_CONFIG } from "../pgp/config.js";
import { keyInfo, type PgpKeyInfo } from "../pgp/keys.js";

export type DiscoverySource = "wkd" | "keyserver";

export interface FoundKey {
  key: PublicKey;
  armored: string;
  info: PgpKeyInfo;
  source: DiscoverySource;
  /** Where it was found. */
  url: string;
}

async function readAnswer(data: Uint8Array, url: string): Promise<PublicKey[]> {
  try {
    const keys = await parseKeys(data);
    if (keys.length) return keys.map((k) => k.toPublic());
  } catch {
    // below
  }
  throw new SealbirdError("lookup-malformed", `The answer of ${url} is not an OpenPGP key.`, { url });
}

async function hasValidSelfSignature(key: PublicKey): Promise<boolean> {
  try {
    await key.verifyPrimaryKey(undefined, undefined, READ_CONFIG);
    return true;
  } catch (e) {
    // An expired or revoked key is still worth knowing: its revocation must reach us.
    return /expired|revoked/i.test(e instanceof Error ? e.message : "");
  }
}

function addressOf(userId: { email?: string; userID?: string }): string {
  const email = userId.email || /<([^<>\s]+@[^<>\s]+)>/.exec(userId.userID ?? "")?.[1] || "";
  return email.toLowerCase();
}

/** A user id counts when one of its self-certifications verifies now or when the key was made. */
async function boundTo(key: PublicKey, user: PublicKey["users"][number]): Promise<boolean> {
  for (const date of [new Date(), key.getCreationTime()]) {
    try {
      await user.verify(date, READ_CONFIG);
      return true;
    } catch {
      // try the other date
    }
  }
  return false;
}

/**
 * The keys in `data` that speak for `email`, cut down to its user ids. `lookup-malformed` when
 * the answer holds no key, `lookup-wrong-user-id` when it holds keys but none for this address.
 */
export async function keysForAddress(data: Uint8Array, email: string, source: DiscoverySource, url: string): Promise<FoundKey[]> {
  const addr = email.toLowerCase();
  const out: FoundKey[] = [];
  for (const key of await readAnswer(data, url)) {
    if (!(await hasValidSelfSignature(key))) continue;
    const users = [];
    for (const u of key.users) if (u.userID && addressOf(u.userID) === addr && (await boundTo(key, u))) users.push(u);
    if (!users.length) continue;
    key.users = users;
    const info = await keyInfo(key);
    out.push({ key, armored: key.armor(), info: { ...info, emails: [addr] }, source, url });
  }
  if (!out.length) throw new SealbirdError("lookup-wrong-user-id", `The key at ${url} has no user id for ${addr}.`, { url, email: addr });
  return out;
}

/**
 * The answer to a refresh by fingerprint: only the key with that fingerprint. Its user ids are
 * kept (the keyring merges only what the key's owner signed).
 */
export async function keyWithFingerprint(data: Uint8Array, fingerprint: string, source: DiscoverySource, url: string): Promise<FoundKey> {
  for (const key of await readAnswer(data, url)) {
    if (key.getFingerprint().toLowerCase() !== fingerprint.toLowerCase()) continue;
    return { key, armored: key.armor(), info: await keyInfo(key), source, url };
  }
  throw new SealbirdError("lookup-wrong-user-id", `The answer of ${url} is not the key ${fingerprint}.`, { url, fingerprint });
}
