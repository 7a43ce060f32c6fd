/**
 * Writing the Autocrypt Level 1 header: the sender's public key travels with every message,
 * so a correspondent's client can encrypt the reply. The key is cut down to what Autocrypt
 * asks for (primary key, one user id, one encryption subkey) to keep headers small.
 */
import { readKey, type PublicKey } from "openpgp";
import { base64Encode } from "../base64.js";
import { SealbirdError } from "../errors.js";
import { READ_CONFIG } from "./config.js";

export async function formatAutocryptHeader(addr: string, key: PublicKey, preferEncrypt?: "mutual"): Promise<string> {
  const email = addr.toLowerCase();
  let minimal: PublicKey;
  try {
    const user = await key.getPrimaryUser(undefined, { email }, READ_CONFIG).catch(() => null);
    const encSub = await key.getEncryptionKey(undefined, undefined, undefined, READ_CONFIG);
    // A private copy to cut down (the caller's key object stays whole).
    minimal = (await readKey({ binaryKey: key.write(), config: READ_CONFIG })).toPublic();
    if (user) minimal.users = minimal.users.filter((u) => u.userID?.email?.toLowerCase() === email).slice(0, 1);
    minimal.subkeys = minimal.subkeys.filter((s) => s.getKeyID().equals(encSub.getKeyID()));
  } catch (e) {
    throw new SealbirdError("pgp-key-not-found", "The sender's key has no usable encryption key for Autocrypt.", {}, { cause: e });
  }
  const keydata = base64Encode(minimal.write());
  const parts = [`addr=${email}`];
  if (preferEncrypt) parts.push("prefer-encrypt=mutual");
  // Folded at 76 characters per RFC 5322; whitespace inside keydata is ignored by readers.
  parts.push(`keydata=${keydata.replace(/(.{76})/g, "$1\r\n ")}`);
  return parts.join("; ");
}

/**
 * Autocrypt-Gossip header fields (Level 1, 2.7) for a message encrypted to several people: each
 * recipient's key, so everyone can reply to all, encrypted. Nothing for a message to one other
 * person (they have their own key) and never the sender's (that is their Autocrypt header).
 * They go inside the encryption only: gossip tells who writes to whom.
 */
export async function formatGossipHeaders(recipients: readonly { email: string; key: PublicKey }[], sender: string): Promise<{ name: string; value: string }[]> {
  const from = sender.toLowerCase();
  const others = recipients.filter((r, i) => r.email.toLowerCase() !== from && recipients.findIndex((x) => x.email.toLowerCase() === r.email.toLowerCase()) === i);
  if (others.length < 2) return [];
  const out: { name: string; value: string }[] = [];
  for (const r of others) out.push({ name: "Autocrypt-Gossip", value: await formatAutocryptHeader(r.email, r.key) });
  return out;
}
