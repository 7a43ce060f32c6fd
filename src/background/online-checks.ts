/**
 * What the background needs to check S/MIME certificates on the network, per the user's
 * settings (./options/certificate-checks.ts): revocation (fetch + a memory cache of verified
 * answers, kept until their nextUpdate for as long as the background lives) and the LDAP
 * address books to search, through the ldap-directory experiment.
 */
import { SealbirdError, ERROR_CODES, type ErrorCode } from "../core/errors.js";
import { MemoryRevocationCache, type OnlineRevocation } from "../core/cert/online-revocation.js";
import type { LdapDirectory, LdapSearch } from "../core/ldap/certificate-lookup.js";
import { parseLdapUrl } from "../core/ldap/ldap-url.js";
import { decodeBase64 } from "../core/base64.js";
import { utf8 } from "../core/bytes.js";
import { browserHttpFetch } from "./net/http-fetch.js";
import { getChecks, ldapDirectoryViews } from "./options/certificate-checks.js";
import type { CertificateChecks } from "./options/types.js";
import { REVOCATION_ORIGINS } from "./discovery/origins.js";

/** Whether the user allowed Sealbird to contact revocation services (optional host permission). */
export async function revocationPermitted(): Promise<boolean> {
  try {
    return await messenger.permissions.contains({ origins: REVOCATION_ORIGINS });
  } catch {
    return false;
  }
}

function experimentSearch(id: string): LdapSearch {
  return async (q) => {
    const answer = await messenger.ldapDirectory.search(id, { ...q, attributes: [...q.attributes] });
    if (!answer.ok) {
      const code = (ERROR_CODES as readonly string[]).includes(answer.code) ? (answer.code as ErrorCode) : "ldap-failed";
      throw new SealbirdError(code, answer.message);
    }
    return answer.entries.map((e) => ({
      dn: e.dn,
      attributes: Object.fromEntries(Object.entries(e.attributes).map(([name, values]) => [name, values.map((v) => decodeBase64(utf8(v)))])),
    }));
  };
}

export class OnlineChecks {
  private readonly cache = new MemoryRevocationCache();
  private readonly fetch = browserHttpFetch();

  /**
   * The revocation setting and permission, read once and kept until either changes
   * (settingsChanged): every message shown asks for them, and each read is a round trip to
   * Thunderbird's main process, which is busy loading that same message (15-75 ms measured).
   */
  private settings: Promise<{ mode: CertificateChecks["revocation"]; permitted: boolean }> | null = null;

  settingsChanged(): void {
    this.settings = null;
  }

  async revocation(): Promise<OnlineRevocation> {
    if (!this.settings) {
      const read = (async () => ({ mode: (await getChecks()).revocation, permitted: await revocationPermitted() }))();
      read.catch(() => {
        if (this.settings === read) this.settings = null;
      });
      this.settings = read;
    }
    const { mode, permitted } = await this.settings;
    if (mode === "off") return { mode };
    // Not allowed yet: cached answers still count; the rest is "not checked (not allowed)".
    return permitted ? { mode, fetch: this.fetch, cache: this.cache } : { mode, cache: this.cache };
  }

  /** The LDAP address books the settings allow, ready to search. */
  async directories(): Promise<LdapDirectory[]> {
    const out: LdapDirectory[] = [];
    for (const d of await ldapDirectoryViews()) {
      if (!d.enabled) continue;
      try {
        const url = parseLdapUrl(d.uri);
        out.push({ name: d.name, baseDn: url.baseDn, scope: url.scope, ...(url.filter ? { filter: url.filter } : {}), search: experimentSearch(d.id) });
      } catch {
        // an address book whose URL we cannot read is skipped (Thunderbird cannot search it either)
      }
    }
    return out;
  }
}
