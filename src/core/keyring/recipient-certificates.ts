/**
 * Recipients' S/MIME certificates beyond what is stored: looking them up in LDAP directories
 * (found certificates that pass the policy are stored, marked with their directory) and
 * checking the one we would encrypt to online (a revoked one is marked and never used again).
 * Shared by the CLI (`protect --ldap`, `lookup`) and the add-on's composer.
 */
import { lookupCertificates, type DirectoryLookup, type LdapDirectory } from "../ldap/certificate-lookup.js";
import type { OnlineRevocation } from "../cert/online-revocation.js";
import { judgeRecipientCertificate, type RecipientJudgement } from "../smime/recipient-policy.js";
import { unb64 } from "./record-codec.js";
import type { Keyring, KeyringEntry } from "./keyring.js";
import { smimeRecordUnusable } from "./smime-usability.js";

export interface StoredLookup extends DirectoryLookup {
  stored: KeyringEntry[];
}

async function trustMaterial(ring: Keyring): Promise<{ anchors: Uint8Array[]; pool: Uint8Array[] }> {
  const ctx = await ring.smimeContext();
  return { anchors: ctx.trustAnchors, pool: ctx.knownCertificates };
}

export async function findInDirectories(
  ring: Keyring,
  email: string,
  directories: readonly LdapDirectory[],
  opts: { revocation?: OnlineRevocation; now?: Date; timeoutMs?: number } = {},
): Promise<StoredLookup> {
  const trust = await trustMaterial(ring);
  const result = await lookupCertificates(
    email,
    directories,
    { ...trust, ...(opts.now ? { now: opts.now } : {}), ...(opts.revocation ? { revocation: opts.revocation } : {}) },
    opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {},
  );
  const stored: KeyringEntry[] = [];
  for (const f of result.found) stored.push(await ring.addCertificate(f.certificate, "smime-certificate", { source: "ldap", directory: f.directory }));
  return { ...result, stored };
}

export interface RecipientCheck {
  fingerprint: string;
  judgement: RecipientJudgement;
}

/**
 * Judges the certificate `smimeRecipients` would pick for `email` (trust path, validity, usage,
 * and revocation when asked). A certificate found revoked is marked in the keystore.
 * Undefined when there is no usable stored certificate.
 */
export async function checkStoredRecipient(ring: Keyring, email: string, opts: { revocation?: OnlineRevocation; now?: Date } = {}): Promise<RecipientCheck | undefined> {
  const now = opts.now ?? new Date();
  const addr = email.toLowerCase();
  const records = [...(await ring.store.listRecords("smime-certificate")), ...(await ring.store.listRecords("smime-identity"))]
    .filter((r) => ((r.public["emails"] as string[] | undefined) ?? []).includes(addr))
    .sort((a, b) => String(b.public["notAfter"]).localeCompare(String(a.public["notAfter"])));
  const r = records.find((x) => !smimeRecordUnusable(x, now));
  if (!r) return undefined;
  const trust = await trustMaterial(ring);
  const pool = [...((r.public["chain"] as string[] | undefined) ?? []).map(unb64), ...trust.pool];
  const judgement = await judgeRecipientCertificate(unb64(r.public["certificate"]), {
    email: addr,
    pool,
    anchors: trust.anchors,
    now,
    ...(opts.revocation ? { revocation: opts.revocation } : {}),
  });
  const fingerprint = String(r.public["fingerprint"] ?? "");
  const revoked = judgement.revocation?.certificates.find((c) => c.status === "revoked");
  if (r.kind === "smime-certificate" && revoked) {
    await ring.markSmimeRevoked(fingerprint, { checkedAt: now.toISOString(), method: revoked.method ?? "ocsp", ...(revoked.revokedAt ? { at: revoked.revokedAt } : {}) });
  }
  return { fingerprint, judgement };
}
