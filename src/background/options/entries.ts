/**
 * Turns keystore records into the public facts the options page shows: addresses,
 * fingerprint, validity, pending state. Never reads a secret.
 */
import type { Keystore, RecordInfo } from "../../core/keystore/index.js";
import { certificateInfo } from "../../core/cert/index.js";
import { importPgpKeys } from "../../core/pgp/index.js";
import { unb64 } from "../../core/keyring/record-codec.js";
import type { EntryKind, EntryLists, EntryView, Validity } from "./types.js";

const OWN: readonly string[] = ["smime-identity", "pgp-secret-key"];
const CORRESPONDENTS: readonly string[] = ["smime-certificate", "pgp-public-key"];

/** Parsing an OpenPGP key is not free: remember what we learned per armored key. */
const pgpFacts = new Map<string, { notBefore: string; notAfter?: string; revoked: boolean }>();

/** Own certificates and keys get a notice this long before they expire. */
export const EXPIRY_NOTICE_DAYS = 30;

export function expiresWithinNotice(notAfter: string | undefined, now: Date = new Date()): boolean {
  if (!notAfter) return false;
  const t = new Date(notAfter).getTime();
  return t > now.getTime() && t - now.getTime() <= EXPIRY_NOTICE_DAYS * 24 * 3600 * 1000;
}

export function validityOf(notBefore: string | undefined, notAfter: string | undefined, revoked: boolean, now: Date = new Date()): Validity {
  if (revoked) return "revoked";
  if (notBefore && new Date(notBefore) > now) return "not-yet-valid";
  if (notAfter && new Date(notAfter) < now) return "expired";
  return "valid";
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export async function entryOf(r: RecordInfo, now: Date = new Date()): Promise<EntryView> {
  const p = r.public;
  let notBefore: string | undefined;
  let notAfter = typeof p["notAfter"] === "string" ? p["notAfter"] : undefined;
  let revoked = false;
  if (typeof p["certificate"] === "string") {
    try {
      const info = certificateInfo(unb64(p["certificate"]));
      notBefore = info.notBefore;
      notAfter = info.notAfter;
    } catch {
      // A damaged record still shows, with what its public part says.
    }
  } else if (typeof p["publicKey"] === "string") {
    const armored = p["publicKey"];
    let facts = pgpFacts.get(armored);
    if (!facts) {
      try {
        const [k] = await importPgpKeys(armored);
        if (k) {
          facts = { notBefore: k.info.created, revoked: k.info.revoked, ...(k.info.expires ? { notAfter: k.info.expires } : {}) };
          pgpFacts.set(armored, facts);
        }
      } catch {
        // as above
      }
    }
    if (facts) {
      notBefore = facts.notBefore;
      notAfter = facts.notAfter;
      revoked = facts.revoked;
    }
  }
  const subject = typeof p["subject"] === "string" ? p["subject"] : undefined;
  const fingerprint = String(p["fingerprint"] ?? "");
  return {
    id: r.id,
    kind: r.kind as EntryKind,
    label: r.label ?? subject ?? fingerprint,
    emails: strings(p["emails"]),
    fingerprint,
    ...(subject !== undefined ? { subject } : {}),
    ...(notBefore !== undefined ? { notBefore } : {}),
    ...(notAfter !== undefined ? { notAfter } : {}),
    validity: validityOf(notBefore, notAfter, revoked || !!p["revoked"], now),
    ...(r.hasSecret && !revoked && expiresWithinNotice(notAfter, now) ? { expiresSoon: true } : {}),
    ...(p["source"] === "ldap" && typeof p["directory"] === "string" ? { directory: p["directory"] } : {}),
    hasSecret: r.hasSecret,
    pending: p["pending"] === true,
    replaces: strings(p["replaces"]),
  };
}

export async function listEntries(store: Keystore): Promise<EntryLists> {
  const lists: EntryLists = { own: [], correspondents: [], anchors: [] };
  for (const r of await store.listRecords()) {
    if (OWN.includes(r.kind)) lists.own.push(await entryOf(r));
    else if (CORRESPONDENTS.includes(r.kind)) lists.correspondents.push(await entryOf(r));
    else if (r.kind === "trust-anchor") lists.anchors.push(await entryOf(r));
  }
  return lists;
}

export async function entriesById(store: Keystore, ids: string[]): Promise<EntryView[]> {
  const out: EntryView[] = [];
  for (const id of ids) out.push(await entryOf(await store.getRecord(id)));
  return out;
}
