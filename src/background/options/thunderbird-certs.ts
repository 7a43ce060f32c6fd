/**
 * Taking over what Thunderbird already has, through the certdb experiment
 * (src/experiments/certdb): the roots its certificate store trusts for e-mail become trust
 * anchors on request, and the user's own S/MIME certificates are listed so the page can say
 * which of them still need their PKCS#12 file imported (Thunderbird never hands out keys).
 */
import { unb64 } from "../../core/keyring/record-codec.js";
import { certificateInfo } from "../../core/cert/index.js";
import type { Keyring } from "../../core/keyring/keyring.js";
import { entriesById } from "./entries.js";
import type { ImportOutcome, ThunderbirdCertificates } from "./types.js";

function api(): typeof messenger.certdb | undefined {
  try {
    return (messenger as { certdb?: typeof messenger.certdb }).certdb;
  } catch {
    return undefined;
  }
}

export async function thunderbirdCertificates(ring: Keyring): Promise<ThunderbirdCertificates> {
  const certdb = api();
  if (!certdb) return { available: false, roots: 0, own: [] };
  const [roots, own] = await Promise.all([certdb.getEmailRoots(), certdb.getOwnCertificates()]);
  const known = new Set((await ring.store.listRecords("smime-identity")).map((r) => String(r.public["fingerprint"])));
  const ownViews = [];
  for (const c of own) {
    try {
      const info = certificateInfo(unb64(c.der));
      ownViews.push({ fingerprint: info.fingerprint, subject: info.subject, emails: info.emails, known: known.has(info.fingerprint) });
    } catch {
      // a certificate we cannot read is not offered
    }
  }
  return { available: true, roots: roots.length, own: ownViews };
}

/** Imports Thunderbird's e-mail roots as trust anchors (existing ones are refreshed, not doubled). */
export async function importThunderbirdRoots(ring: Keyring): Promise<ImportOutcome> {
  const certdb = api();
  if (!certdb) return { entries: [], warnings: [] };
  const ids: string[] = [];
  for (const c of await certdb.getEmailRoots()) {
    try {
      ids.push((await ring.addCertificate(unb64(c.der), "trust-anchor")).id);
    } catch {
      // skip what our parser refuses; the rest still helps
    }
  }
  return { entries: await entriesById(ring.store, ids), warnings: [] };
}
