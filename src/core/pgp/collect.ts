/**
 * Correspondents' keys found in received mail: the Autocrypt header (Level 1) and
 * application/pgp-keys attachments of signed messages. Nothing here changes the keystore:
 * a key for an address that already has a different key is returned as `changed`, pending the
 * user's decision — silently replacing keys is how a forged mail would hijack a contact.
 */
import type { PublicKey } from "openpgp";
import { decodeBase64Text } from "../base64.js";
import type { MimeEntity } from "../mime/entity.js";
import { parseKeys } from "./context.js";
import { keyInfo, type PgpKeyInfo } from "./keys.js";
import { decodedBody } from "./transfer.js";

export interface CollectedKey {
  source: "autocrypt" | "attachment" | "gossip";
  /** Public key only (secret material that came along is dropped). */
  key: PublicKey;
  armored: string;
  info: PgpKeyInfo;
  /** Autocrypt prefer-encrypt=mutual. */
  preferEncrypt?: "mutual";
  /** For `changed`: fingerprints of the known keys for the same address(es). */
  replaces?: string[];
}

export interface CollectedKeys {
  new: CollectedKey[];
  changed: CollectedKey[];
  unchanged: CollectedKey[];
}

export interface CollectOptions {
  /**
   * True when the message carrying `entity` had a valid signature: only then are attached
   * application/pgp-keys parts taken (an unsigned attachment is anyone's claim).
   */
  signed?: boolean;
}

const MAX_KEY_BYTES = 1024 * 1024;

export interface AutocryptHeader {
  addr: string;
  preferEncrypt?: "mutual";
  keydata: Uint8Array;
}

/** Autocrypt Level 1 header value, or null when it must be ignored (unknown critical attribute, missing parts). */
export function parseAutocryptHeader(value: string): AutocryptHeader | null {
  const attrs = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim().toLowerCase();
    if (attrs.has(k)) return null;
    attrs.set(k, part.slice(eq + 1).trim());
  }
  for (const k of attrs.keys()) if (k !== "addr" && k !== "prefer-encrypt" && k !== "keydata" && !k.startsWith("_")) return null;
  const addr = attrs.get("addr")?.toLowerCase();
  const keydata = attrs.get("keydata");
  if (!addr || !keydata || !/^[^\s@]+@[^\s@]+$/.test(addr)) return null;
  const key = decodeBase64Text(keydata.replace(/\s+/g, ""));
  if (!key) return null;
  const h: AutocryptHeader = { addr, keydata: key };
  if (attrs.get("prefer-encrypt")?.toLowerCase() === "mutual") h.preferEncrypt = "mutual";
  return h;
}

async function toCollected(source: CollectedKey["source"], data: Uint8Array): Promise<CollectedKey[]> {
  const out: CollectedKey[] = [];
  let keys;
  try {
    keys = await parseKeys(data);
  } catch {
    return out; // a broken key attachment is just an attachment
  }
  for (const k of keys) {
    const pub = k.toPublic();
    try {
      await pub.verifyPrimaryKey();
    } catch (e) {
      // expired/revoked keys are still worth knowing (revocations must propagate); unsigned junk is not
      if (!/expired|revoked/i.test(e instanceof Error ? e.message : "")) continue;
    }
    out.push({ source, key: pub, armored: pub.armor(), info: await keyInfo(pub) });
  }
  return out;
}

function walk(e: MimeEntity, out: MimeEntity[]): void {
  if (`${e.contentType.type}/${e.contentType.subtype}` === "application/pgp-keys") out.push(e);
  for (const c of e.children) walk(c, out);
}

/**
 * Keys offered by a message. `entity`: the top-level message for the Autocrypt header, whose
 * `addr` must equal `from`; attachments are searched in the whole tree when `opts.signed`.
 * `known`: the keystore's keys (for new / changed / unchanged).
 */
export async function collectPgpKeys(entity: MimeEntity, from: string | undefined, known: PgpKeyInfo[], opts: CollectOptions = {}): Promise<CollectedKeys> {
  const found: CollectedKey[] = [];
  const sender = from?.toLowerCase();
  for (const h of entity.headers) {
    if (h.name.toLowerCase() !== "autocrypt" || !sender) continue;
    const ac = parseAutocryptHeader(h.value);
    if (!ac || ac.addr !== sender || ac.keydata.length > MAX_KEY_BYTES) continue;
    for (const c of await toCollected("autocrypt", ac.keydata)) {
      if (ac.preferEncrypt) c.preferEncrypt = ac.preferEncrypt;
      // The Autocrypt key speaks for `addr` even when its user id says otherwise.
      if (!c.info.emails.includes(sender)) c.info.emails.push(sender);
      found.push(c);
    }
  }
  if (opts.signed) {
    const parts: MimeEntity[] = [];
    walk(entity, parts);
    for (const p of parts) {
      if (p.body.length > MAX_KEY_BYTES * 2) continue;
      let body: Uint8Array;
      try {
        body = decodedBody(p);
      } catch {
        continue;
      }
      found.push(...(await toCollected("attachment", body)));
    }
  }
  const result: CollectedKeys = { new: [], changed: [], unchanged: [] };
  const seen = new Set<string>();
  for (const c of found) {
    if (seen.has(c.info.fingerprint)) continue;
    seen.add(c.info.fingerprint);
    if (known.some((k) => k.fingerprint === c.info.fingerprint)) {
      result.unchanged.push(c);
      continue;
    }
    const others = known.filter((k) => k.emails.some((e) => c.info.emails.includes(e))).map((k) => k.fingerprint);
    if (others.length) result.changed.push({ ...c, replaces: others });
    else result.new.push(c);
  }
  return result;
}

/**
 * Keys from the Autocrypt-Gossip headers of a decrypted message's root part (Autocrypt Level 1,
 * 2.7): what the sender knew about the other recipients. Only for an address the message was
 * sent to, never for the sender (their own Autocrypt header speaks for them) nor for `ignore`
 * (our own addresses). Each key speaks for its `addr` only: the gossiper vouches for nothing
 * else the key may name.
 */
export async function collectGossip(headers: readonly { name: string; value: string }[], opts: { recipients: string[]; sender?: string; ignore?: string[] }): Promise<CollectedKey[]> {
  const to = new Set(opts.recipients.map((r) => r.toLowerCase()));
  const skip = new Set([opts.sender, ...(opts.ignore ?? [])].filter((x): x is string => !!x).map((x) => x.toLowerCase()));
  const out: CollectedKey[] = [];
  const seen = new Set<string>();
  for (const h of headers) {
    if (h.name.toLowerCase() !== "autocrypt-gossip") continue;
    const g = parseAutocryptHeader(h.value);
    if (!g || !to.has(g.addr) || skip.has(g.addr) || seen.has(g.addr) || g.keydata.length > MAX_KEY_BYTES) continue;
    seen.add(g.addr);
    // One key per address: a gossip header carrying several keys is not what Autocrypt writes.
    const [c] = await toCollected("gossip", g.keydata);
    if (!c) continue;
    delete c.preferEncrypt;
    c.info = { ...c.info, emails: [g.addr] };
    out.push(c);
  }
  return out;
}
