/**
 * The network options the CLI shares between commands: revocation checking (`--revocation`,
 * default soft-fail as in the add-on) with a cache beside the keystore, and LDAP directories
 * (`--ldap URL`, repeatable) to find recipients' certificates in.
 */
import { join } from "node:path";
import { SealbirdError } from "../core/errors.js";
import type { OnlineRevocation, RevocationCache } from "../core/cert/online-revocation.js";
import { REVOCATION_MODES, type RevocationMode } from "../core/status/revocation-status.js";
import { ldapUrlText, parseLdapUrl } from "../core/ldap/ldap-url.js";
import type { LdapDirectory } from "../core/ldap/certificate-lookup.js";
import { nodeHttpFetch } from "../node/http-fetch.js";
import { RevocationFileCache } from "../node/revocation-file-cache.js";

export const ONLINE_OPTIONS = {
  revocation: { type: "string" },
} as const;

export const LDAP_OPTIONS = {
  ldap: { type: "string", multiple: true },
} as const;

export const ONLINE_HELP = `  --revocation MODE           soft-fail (default: an unreachable OCSP responder / CRL leaves a
                              signature valid, with a note), hard-fail (then it is not trusted),
                              or off (nothing is fetched)
`;

export const LDAP_HELP = `  --ldap URL                  search this LDAP directory (ldap[s]://host[:port]/base-dn) for the
                              S/MIME certificate of a recipient without one (repeatable)
`;

export function revocationMode(v: unknown): RevocationMode {
  if (v === undefined) return "soft-fail";
  if (typeof v === "string" && (REVOCATION_MODES as readonly string[]).includes(v)) return v as RevocationMode;
  throw new SealbirdError("usage", `--revocation must be one of ${REVOCATION_MODES.join(", ")}`);
}

/** Answers are cached in KEYSTORE/revocation-cache when there is a keystore directory. */
export function onlineRevocation(mode: RevocationMode, keystoreDir: string | undefined): OnlineRevocation {
  if (mode === "off") return { mode };
  return { mode, fetch: nodeHttpFetch(), cache: keystoreDir ? new RevocationFileCache(join(keystoreDir, "revocation-cache")) : memoryCache() };
}

/**
 * The engine's in-memory cache, loaded when first used: its module brings pkijs, which
 * OpenPGP work never needs (every command is a process of its own, loading is its fixed cost).
 */
function memoryCache(): RevocationCache {
  let cache: Promise<RevocationCache> | undefined;
  const get = (): Promise<RevocationCache> => (cache ??= import("../core/cert/online-revocation.js").then((m) => new m.MemoryRevocationCache()));
  return { get: async (key) => (await get()).get(key), put: async (key, value) => (await get()).put(key, value) };
}

export function ldapDirectories(urls: readonly string[] | undefined): LdapDirectory[] {
  return (urls ?? []).map((text) => {
    const url = parseLdapUrl(text);
    // ldapts is loaded only when a directory is searched.
    const search: LdapDirectory["search"] = async (query) => (await import("../node/ldap-search.js")).ldaptsSearch(url)(query);
    return { name: ldapUrlText(url), baseDn: url.baseDn, scope: url.scope, ...(url.filter ? { filter: url.filter } : {}), search };
  });
}

export function keystoreDirOf(flags: { keystore?: string | boolean }): string | undefined {
  return typeof flags.keystore === "string" ? flags.keystore : process.env["SEALBIRD_KEYSTORE"] || undefined;
}
