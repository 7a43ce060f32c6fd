/**
 * Finding a correspondent's key: the sources the user allows, the recipient's own domain (WKD)
 * first, then the keyserver. The first source with a key ends the lookup, so a keyserver only
 * learns about an address whose domain had nothing.
 */
import { SealbirdError, isSealbirdError } from "../errors.js";
import type { FoundKey } from "./accept.js";
import { bestFailure, attemptOf, type Attempt } from "./attempts.js";
import type { HttpGet } from "./http.js";
import { lookupKeyserver, refreshFromKeyserver } from "./keyserver.js";
import type { DiscoverySettings } from "./settings.js";
import { lookupWkd, type LookupLimits } from "./wkd.js";

export interface LookupSources {
  wkd: boolean;
  /** Keyserver base URL, when keyserver lookups are allowed. */
  keyserver?: string;
}

export function sourcesOf(settings: DiscoverySettings): LookupSources {
  return { wkd: settings.wkd, ...(settings.keyserver ? { keyserver: settings.keyserverUrl } : {}) };
}

function attemptsOf(e: unknown, fallbackUrl: string): Attempt[] {
  const nested = isSealbirdError(e) ? (e.details["attempts"] as Attempt[] | undefined) : undefined;
  return nested?.length ? nested : [attemptOf(fallbackUrl, e)];
}

export async function discoverKeys(email: string, sources: LookupSources, get: HttpGet, limits: LookupLimits = {}): Promise<FoundKey[]> {
  if (!sources.wkd && !sources.keyserver) throw new SealbirdError("lookup-not-allowed", "Key lookups are switched off in the settings.", { email });
  const attempts: Attempt[] = [];
  if (sources.wkd) {
    try {
      return await lookupWkd(email, get, limits);
    } catch (e) {
      if (isSealbirdError(e) && e.code === "usage") throw e;
      attempts.push(...attemptsOf(e, "wkd"));
      if (attempts.some((a) => a.code === "network-offline")) throw bestFailure(attempts);
    }
  }
  if (sources.keyserver) {
    try {
      return await lookupKeyserver(email, sources.keyserver, get, limits);
    } catch (e) {
      if (isSealbirdError(e) && e.code === "usage") throw e;
      attempts.push(...attemptsOf(e, sources.keyserver));
    }
  }
  throw bestFailure(attempts);
}

export interface RefreshResult {
  found: FoundKey[];
  /** What went wrong on the way (a refresh is quiet: the caller only records it). */
  attempts: Attempt[];
}

/**
 * Asks again for a known key: the WKD of its first address (the current key for that address,
 * which may be a new one), and the keyserver by fingerprint (revocations, new subkeys, expiry).
 */
export async function refreshKnownKey(k: { fingerprint: string; emails: string[] }, sources: LookupSources, get: HttpGet, limits: LookupLimits = {}): Promise<RefreshResult> {
  const out: RefreshResult = { found: [], attempts: [] };
  const email = k.emails[0];
  if (sources.wkd && email) {
    try {
      out.found.push(...(await lookupWkd(email, get, limits)));
    } catch (e) {
      out.attempts.push(...attemptsOf(e, "wkd"));
    }
  }
  if (sources.keyserver && !out.attempts.some((a) => a.code === "network-offline")) {
    try {
      out.found.push(await refreshFromKeyserver(k.fingerprint, sources.keyserver, get, limits));
    } catch (e) {
      out.attempts.push(...attemptsOf(e, sources.keyserver));
    }
  }
  return out;
}
