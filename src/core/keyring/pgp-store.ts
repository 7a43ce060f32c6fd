/**
 * Correspondents' OpenPGP keys as keystore records: where each key came from, merging what a
 * source brings for a key we already have, and which key to encrypt to.
 *
 * Sources differ in how much they say about who owns a key: the user's own import most, the
 * recipient's domain (WKD) next, a signed key attachment, the sender's own Autocrypt header, a
 * keyserver, and Autocrypt gossip (a third party's claim) least. A key for an address that
 * already has a different key never replaces it, whatever the source: it waits, pending, for
 * the user. The same key from another source only gains what its owner signed (new subkeys,
 * new expiry, a revocation) and keeps the strongest source it was ever seen from.
 */
import type { PublicKey } from "openpgp";
import { bytesEqual } from "../bytes.js";
import type { Keystore, RecordInfo } from "../keystore/index.js";
import { READ_CONFIG } from "../pgp/config.js";
import { parseKeys } from "../pgp/context.js";
import { exportPublicKey, keyInfo } from "../pgp/keys.js";
import { armoredKeyUsability, type KeyUsability } from "../pgp/usability.js";
import type { PgpKeyPublic } from "./record-codec.js";

export type KeySource = NonNullable<PgpKeyPublic["source"]>;

const STRENGTH: Record<KeySource, number> = { import: 6, wkd: 5, attachment: 4, autocrypt: 3, keyserver: 2, gossip: 1 };

/** Records from before sources were kept came from an import or from mail: the middle. */
export function sourceStrength(s: unknown): number {
  return STRENGTH[s as KeySource] ?? STRENGTH.attachment;
}

export interface StoreOptions {
  source: KeySource;
  /** The addresses this source vouches for (default: the key's self-signed user ids). */
  emails?: string[];
  /** From the sender's own Autocrypt header only. */
  preferEncrypt?: "mutual" | "nopreference";
  /** Where a lookup found it. */
  url?: string;
  /** The user's own choice (an import): taken even when the address has another key. */
  accept?: boolean;
  /** A lookup just asked for this key. */
  checkedAt?: string;
}

/** new: first key for its addresses; pending: waits for the user; own: one of our secret keys. */
export type StoreOutcome = "new" | "updated" | "unchanged" | "pending" | "own";

export interface StoredKey {
  id: string;
  fingerprint: string;
  emails: string[];
  label: string;
  pending: boolean;
  outcome: StoreOutcome;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const lower = (xs: string[]): string[] => [...new Set(xs.map((x) => x.trim().toLowerCase()).filter(Boolean))];

async function pgpRecords(store: Keystore): Promise<RecordInfo[]> {
  return [...(await store.listRecords("pgp-secret-key")), ...(await store.listRecords("pgp-public-key"))];
}

export async function storePgpPublicKey(store: Keystore, key: PublicKey, opts: StoreOptions): Promise<StoredKey> {
  const fingerprint = key.getFingerprint().toLowerCase();
  const records = await pgpRecords(store);
  const own = records.find((r) => r.kind === "pgp-secret-key" && r.public["fingerprint"] === fingerprint);
  if (own && !opts.accept) {
    return { id: own.id, fingerprint, emails: strings(own.public["emails"]), label: own.label ?? fingerprint, pending: false, outcome: "own" };
  }
  const existing = records.find((r) => r.kind === "pgp-public-key" && r.public["fingerprint"] === fingerprint);
  const others = records.filter((r) => r.public["fingerprint"] !== fingerprint);
  return existing ? mergeInto(store, existing, others, key, opts) : addNew(store, others, key, opts);
}

function extras(opts: StoreOptions): Partial<PgpKeyPublic> {
  return {
    ...(opts.preferEncrypt ? { preferEncrypt: opts.preferEncrypt } : {}),
    ...(opts.url ? { foundAt: opts.url } : {}),
    ...(opts.checkedAt ? { checkedAt: opts.checkedAt } : {}),
  };
}

async function addNew(store: Keystore, others: RecordInfo[], key: PublicKey, opts: StoreOptions): Promise<StoredKey> {
  const info = await keyInfo(key);
  const emails = lower(opts.emails ?? info.emails);
  const replaces = others.filter((r) => strings(r.public["emails"]).some((e) => emails.includes(e))).map((r) => String(r.public["fingerprint"]));
  const pending = !opts.accept && replaces.length > 0;
  const pub: PgpKeyPublic = {
    publicKey: exportPublicKey(key),
    fingerprint: info.fingerprint,
    emails,
    userIds: info.userIds,
    source: opts.source,
    ...extras(opts),
    ...(pending ? { pending, replaces } : {}),
  };
  const label = info.userIds[0] ?? info.fingerprint;
  const id = await store.addRecord({ kind: "pgp-public-key", label, public: { ...pub } });
  return { id, fingerprint: info.fingerprint, emails, label, pending, outcome: pending ? "pending" : "new" };
}

async function mergeInto(store: Keystore, existing: RecordInfo, others: RecordInfo[], key: PublicKey, opts: StoreOptions): Promise<StoredKey> {
  const before = (await parseKeys(String(existing.public["publicKey"])).catch(() => []))[0];
  // openpgp.js only takes over signatures that verify against the primary key.
  const merged = before ? await before.update(key, undefined, READ_CONFIG) : key;
  const info = await keyInfo(merged);
  // An address already bound to another key is not added to this one: that would make it a
  // second, unasked-for key for that address.
  const taken = new Set(others.filter((r) => r.public["pending"] !== true).flatMap((r) => strings(r.public["emails"])));
  const known = strings(existing.public["emails"]);
  const emails = lower([...known, ...lower(opts.emails ?? info.emails).filter((e) => !taken.has(e))]);
  const stronger = sourceStrength(opts.source) > sourceStrength(existing.public["source"]) ? opts.source : (existing.public["source"] ?? opts.source);
  const pending = existing.public["pending"] === true && !opts.accept;
  const materialChanged = !before || !bytesEqual(before.write(), merged.write());
  const pub: PgpKeyPublic = {
    ...(existing.public as unknown as PgpKeyPublic),
    publicKey: materialChanged ? exportPublicKey(merged) : String(existing.public["publicKey"]),
    fingerprint: info.fingerprint,
    emails,
    userIds: info.userIds,
    source: stronger as KeySource,
    ...extras(opts),
    pending,
    replaces: pending ? strings(existing.public["replaces"]) : [],
  };
  const changed = materialChanged || emails.length !== known.length || pub.source !== existing.public["source"] || pub.preferEncrypt !== existing.public["preferEncrypt"];
  await store.updateRecord(existing.id, { public: { ...pub } });
  const label = existing.label ?? info.userIds[0] ?? info.fingerprint;
  return { id: existing.id, fingerprint: info.fingerprint, emails, label, pending, outcome: changed ? "updated" : "unchanged" };
}

export interface KeyChoice {
  record: RecordInfo;
  usability: KeyUsability;
}

/**
 * The key to encrypt to for `email`: our own key for our own address, else the accepted key
 * from the strongest source that can encrypt now. When none can, the best one with the reason
 * (expired, revoked, no encryption subkey); a pending key only when there is nothing else.
 */
export async function chooseKey(store: Keystore, email: string, now: Date = new Date()): Promise<KeyChoice | undefined> {
  const addr = email.trim().toLowerCase();
  const matching = (await pgpRecords(store)).filter((r) => strings(r.public["emails"]).includes(addr));
  const rank = (r: RecordInfo) => (r.public["pending"] === true ? 0 : r.kind === "pgp-secret-key" ? 100 : 10 + sourceStrength(r.public["source"]));
  matching.sort((a, b) => rank(b) - rank(a));
  let first: KeyChoice | undefined;
  for (const record of matching) {
    const usability = await armoredKeyUsability(String(record.public["publicKey"]), now);
    const choice = { record, usability };
    if (record.public["pending"] === true) return first ?? choice;
    if (usability.state === "usable") return choice;
    first ??= choice;
  }
  return first;
}
