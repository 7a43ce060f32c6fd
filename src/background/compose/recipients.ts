/**
 * Who gets which key: per recipient the S/MIME certificate and OpenPGP key we know, which
 * technology the message uses, and who has no key. Pure over a KeyLookup, so the rules are
 * unit-tested without a keystore.
 */
import { parseAddressList } from "../../core/mime/index.js";
import type { RecipientKey, RecipientView, Technology, TechnologyChoice } from "./types.js";

export interface KeyLookup {
  smimeFor(email: string): Promise<RecipientKey | undefined>;
  pgpFor(email: string): Promise<RecipientKey | undefined>;
  canSign(email: string, technology: Technology): Promise<boolean>;
}

/** Addresses (lower case, unique, in order) from compose recipient entries or a header value. */
export function addressesOf(entries: ReadonlyArray<string | { id?: string; type?: string }> | string | undefined): string[] {
  const list = typeof entries === "string" ? [entries] : (entries ?? []);
  const out: string[] = [];
  for (const e of list) {
    if (typeof e !== "string") continue;
    for (const m of parseAddressList(e)) {
      const a = m.address?.trim().toLowerCase();
      if (a && a.includes("@") && !out.includes(a)) out.push(a);
    }
  }
  return out;
}

/** Address book mailing lists (contact entries) and addresses that look like lists. */
export function looksLikeMailingList(email: string): boolean {
  const [local = "", domain = ""] = email.toLowerCase().split("@");
  if (/^(lists?|groups?|googlegroups|mailman)\./.test(domain) || domain === "googlegroups.com") return true;
  return /(^|[-_.])(list|lists|l|announce|discuss|dev|devel|users|all|everyone|members)$/.test(local) || /-(request|owner|bounces)$/.test(local);
}

export function hasKey(r: RecipientView, t: Technology): boolean {
  const k = t === "smime" ? r.smime : r.pgp;
  // A pending (not yet accepted) OpenPGP key is shown but never used, nor an expired or revoked
  // key or certificate.
  return !!k && !k.unusable && (t === "smime" || k.trusted);
}

/**
 * "auto": the first technology (the identity's preferred one first) that covers every
 * recipient; when none does, the one that covers most.
 */
export function chooseTechnology(choice: TechnologyChoice, preferred: Technology, recipients: RecipientView[]): Technology {
  if (choice !== "auto") return choice;
  const order: Technology[] = preferred === "openpgp" ? ["openpgp", "smime"] : ["smime", "openpgp"];
  for (const t of order) if (recipients.every((r) => hasKey(r, t))) return t;
  const count = (t: Technology) => recipients.filter((r) => hasKey(r, t)).length;
  return count(order[1]!) > count(order[0]!) ? order[1]! : order[0]!;
}

export async function describeRecipients(emails: string[], keys: KeyLookup): Promise<RecipientView[]> {
  const out: RecipientView[] = [];
  for (const email of emails) {
    const v: RecipientView = { email };
    const s = await keys.smimeFor(email);
    const p = await keys.pgpFor(email);
    if (s) v.smime = s;
    if (p) v.pgp = p;
    if (looksLikeMailingList(email)) v.list = true;
    out.push(v);
  }
  return out;
}

/** Marks `uses` on each recipient and returns who has no key in `t`. */
export function assign(recipients: RecipientView[], t: Technology): string[] {
  const missing: string[] = [];
  for (const r of recipients) {
    if (hasKey(r, t)) r.uses = t;
    else {
      delete r.uses;
      missing.push(r.email);
    }
  }
  return missing;
}
