/**
 * Finding a recipient's S/MIME certificate in LDAP directories, the way Thunderbird's own
 * composer does (mailnews/extensions/smime/certFetchingStatus.js: `(mail=ADDR)` combined with
 * the directory URL's filter, attribute `userCertificate;binary`), plus `userSMIMECertificate`
 * (a certs-only PKCS#7, inetOrgPerson, RFC 2798). The engine builds the query and judges what
 * comes back; the search itself is a function the caller passes (Thunderbird's LDAP service
 * through the ldap-directory experiment, or an LDAP client in the CLI).
 *
 * A certificate is only offered when it passes the encryption policy with a path to a trust
 * anchor: a directory is not a trust anchor, and anyone who can write to it must not be able
 * to slip in a key.
 */
import { SealbirdError, isSealbirdError } from "../errors.js";
import { certificatesOfCertsOnly } from "../smime/certs-only.js";
import { fingerprint } from "../cert/certificate.js";
import { judgeRecipientCertificate, type RecipientCheckOptions, type RecipientJudgement } from "../smime/recipient-policy.js";
import type { LdapScope } from "./ldap-url.js";

export const CERTIFICATE_ATTRIBUTES = ["userCertificate;binary", "userSMIMECertificate;binary", "userSMIMECertificate"] as const;

export interface LdapQuery {
  baseDn: string;
  scope: LdapScope;
  filter: string;
  attributes: readonly string[];
  /** Entries at most (Thunderbird asks for two per address: one signing, one encryption certificate). */
  sizeLimit: number;
  timeoutMs: number;
}

export interface LdapEntry {
  dn: string;
  /** Attribute name as the server returned it → binary values. */
  attributes: Record<string, Uint8Array[]>;
}

/** Throws SealbirdError network-unreachable / network-timeout / network-tls / network-too-large / ldap-failed. */
export type LdapSearch = (query: LdapQuery) => Promise<LdapEntry[]>;

export interface LdapDirectory {
  /** Shown to the user (address book name or URL). */
  name: string;
  baseDn: string;
  scope: LdapScope;
  filter?: string;
  search: LdapSearch;
}

export const LDAP_LIMITS = { sizeLimit: 8, timeoutMs: 8000, maxValueBytes: 64 * 1024, maxValues: 32 } as const;

/** RFC 4515 escaping of an assertion value. */
export function escapeFilterValue(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** `(mail=ADDR)`, inside the directory's own filter when it has one. */
export function certificateFilter(email: string, urlFilter?: string): string {
  const mail = `(mail=${escapeFilterValue(email.trim().toLowerCase())})`;
  if (!urlFilter) return mail;
  const own = urlFilter.startsWith("(") ? urlFilter : `(${urlFilter})`;
  return `(&${own}${mail})`;
}

export interface DirectoryCertificate {
  certificate: Uint8Array;
  fingerprint: string;
  directory: string;
  dn: string;
  judgement: RecipientJudgement;
}

export interface DirectoryLookup {
  /** Usable certificates with a trusted path. */
  found: DirectoryCertificate[];
  /** Certificates the directory had for the address but the policy refused (with why). */
  rejected: DirectoryCertificate[];
  /** Directories that could not be searched. */
  errors: Array<{ directory: string; code: string; message: string }>;
}

/** DER certificates from one entry's certificate attributes; unreadable values are counted and skipped. */
export function certificatesOfEntry(entry: LdapEntry): { certificates: Uint8Array[]; unreadable: number } {
  const out: Uint8Array[] = [];
  let unreadable = 0;
  for (const [name, values] of Object.entries(entry.attributes)) {
    const attr = name.toLowerCase();
    const smime = attr.startsWith("usersmimecertificate");
    if (!smime && !attr.startsWith("usercertificate")) continue;
    for (const v of values.slice(0, LDAP_LIMITS.maxValues)) {
      if (v.length === 0 || v.length > LDAP_LIMITS.maxValueBytes) unreadable++;
      else if (!smime) out.push(v);
      else {
        try {
          out.push(...certificatesOfCertsOnly(v));
        } catch {
          // a broken userSMIMECertificate must not hide a good userCertificate
          unreadable++;
        }
      }
    }
  }
  return { certificates: out, unreadable };
}

/**
 * Searches every directory for `email` and judges each certificate found. A directory that
 * fails is listed in `errors`; the others still count.
 */
export async function lookupCertificates(
  email: string,
  directories: readonly LdapDirectory[],
  policy: Omit<RecipientCheckOptions, "email">,
  opts: { timeoutMs?: number } = {},
): Promise<DirectoryLookup> {
  const result: DirectoryLookup = { found: [], rejected: [], errors: [] };
  const seen = new Set<string>();
  for (const dir of directories) {
    let entries: LdapEntry[];
    try {
      entries = await dir.search({
        baseDn: dir.baseDn,
        scope: dir.scope,
        filter: certificateFilter(email, dir.filter),
        attributes: CERTIFICATE_ATTRIBUTES,
        // One more than we accept: a server stops at the limit without saying it had more.
        sizeLimit: LDAP_LIMITS.sizeLimit + 1,
        timeoutMs: opts.timeoutMs ?? LDAP_LIMITS.timeoutMs,
      });
      if (entries.length > LDAP_LIMITS.sizeLimit) {
        throw new SealbirdError("network-too-large", `The directory ${dir.name} has more than ${LDAP_LIMITS.sizeLimit} entries for ${email}; none is used.`);
      }
    } catch (e) {
      const err = isSealbirdError(e) ? e : new SealbirdError("ldap-failed", `The directory ${dir.name} could not be searched.`, {}, { cause: e });
      result.errors.push({ directory: dir.name, code: err.code, message: err.message });
      continue;
    }
    let unreadable = 0;
    let readable = 0;
    for (const entry of entries.slice(0, LDAP_LIMITS.sizeLimit)) {
      const values = certificatesOfEntry(entry);
      unreadable += values.unreadable;
      for (const der of values.certificates) {
        let fp: string;
        let judgement: RecipientJudgement;
        try {
          fp = fingerprint(der);
          if (seen.has(fp)) continue;
          judgement = await judgeRecipientCertificate(der, { ...policy, email });
        } catch {
          unreadable++;
          continue; // not a certificate we can read
        }
        readable++;
        seen.add(fp);
        const item = { certificate: der, fingerprint: fp, directory: dir.name, dn: entry.dn, judgement };
        (judgement.usable && judgement.trusted ? result.found : result.rejected).push(item);
      }
    }
    if (unreadable > 0 && readable === 0) {
      result.errors.push({ directory: dir.name, code: "network-malformed", message: `The directory ${dir.name} has certificate data for ${email} that is not a certificate.` });
    }
  }
  return result;
}
