/**
 * The composer's notice for the sender's own signing certificate or key: expired, or expiring
 * within the notice period (see options/entries.ts), in the technology the message uses.
 */
import type { Keystore } from "../../core/keystore/index.js";
import { entryOf, expiresWithinNotice } from "../options/entries.js";
import type { ComposeView, Technology } from "./types.js";

export async function ownExpiryFor(store: Keystore, from: string, technology: Technology, now: Date = new Date()): Promise<ComposeView["ownExpiry"]> {
  const kind = technology === "smime" ? "smime-identity" : "pgp-secret-key";
  const addr = from.toLowerCase();
  const mine = [];
  for (const r of await store.listRecords(kind)) {
    if (((r.public["emails"] as string[] | undefined) ?? []).includes(addr)) mine.push(await entryOf(r, now));
  }
  if (mine.length === 0) return undefined;
  // A key that never expires, or a valid one beyond the notice period, means nothing to say.
  if (mine.some((e) => e.validity === "valid" && (!e.notAfter || !expiresWithinNotice(e.notAfter, now)))) return undefined;
  const soon = mine.filter((e) => e.validity === "valid" && e.notAfter).sort((a, b) => b.notAfter!.localeCompare(a.notAfter!))[0];
  if (soon) return { technology, notAfter: soon.notAfter!, expired: false };
  const last = mine.filter((e) => e.validity === "expired" && e.notAfter).sort((a, b) => b.notAfter!.localeCompare(a.notAfter!))[0];
  return last ? { technology, notAfter: last.notAfter!, expired: true } : undefined;
}
