/**
 * A keyserver the user chose (default keys.openpgp.org): its VKS interface
 * (`/vks/v1/by-email/`, `/vks/v1/by-fingerprint/`), and HKP (`/pks/lookup?op=get`) for servers
 * without VKS. HTTPS only: `hkps://` and `vks://` names mean the same server over HTTPS.
 */
import { SealbirdError } from "../errors.js";
import { keyWithFingerprint, keysForAddress, type FoundKey } from "./accept.js";
import { attemptOf, bestFailure, type Attempt } from "./attempts.js";
import { LOOKUP_MAX_BYTES, LOOKUP_TIMEOUT_MS, httpError, httpsGet, notFound, requireHttps, type HttpGet } from "./http.js";
import type { LookupLimits } from "./wkd.js";

export const DEFAULT_KEYSERVER = "https://keys.openpgp.org";

/** "keys.openpgp.org", "hkps://keys.openpgp.org", "https://keys.openpgp.org/" → "https://keys.openpgp.org". */
export function normalizeKeyserver(input: string): string {
  let s = input.trim();
  if (!s) throw new SealbirdError("usage", "A keyserver address is needed.");
  if (/^(hkps|vks):\/\//i.test(s)) s = s.replace(/^[a-z]+:/i, "https:");
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `https://${s}`;
  const u = requireHttps(s);
  if (u.username || u.password || u.search || u.hash) throw new SealbirdError("usage", `A keyserver address has no user, query or fragment: ${input}`);
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

/** VKS, then HKP when VKS had nothing: an HKP-only server answers VKS paths with 404. */
async function tryInterfaces(urls: string[], get: HttpGet, limits: LookupLimits, accept: (body: Uint8Array, url: string) => Promise<FoundKey[]>): Promise<FoundKey[]> {
  const attempts: Attempt[] = [];
  for (const url of urls) {
    try {
      const res = await httpsGet(get, { url, timeoutMs: limits.timeoutMs ?? LOOKUP_TIMEOUT_MS, maxBytes: limits.maxBytes ?? LOOKUP_MAX_BYTES, accept: "application/pgp-keys" });
      if (res.status === 404 || res.status === 410 || res.status === 501) throw notFound(url);
      if (res.status !== 200) throw httpError(url, res.status);
      return await accept(res.body, url);
    } catch (e) {
      const a = attemptOf(url, e);
      attempts.push(a);
      // Only "nothing here" sends us to the other interface: anything else is the server's answer.
      if (a.code !== "lookup-not-found") break;
    }
  }
  throw bestFailure(attempts);
}

export async function lookupKeyserver(email: string, keyserver: string, get: HttpGet, limits: LookupLimits = {}): Promise<FoundKey[]> {
  const base = normalizeKeyserver(keyserver);
  const addr = email.trim();
  const q = encodeURIComponent(addr);
  return tryInterfaces([`${base}/vks/v1/by-email/${q}`, `${base}/pks/lookup?op=get&options=mr&search=${q}`], get, limits, (body, url) =>
    keysForAddress(body, addr, "keyserver", url),
  );
}

/** A known key again, by its fingerprint: keyservers hand out revocations even without user ids. */
export async function refreshFromKeyserver(fingerprint: string, keyserver: string, get: HttpGet, limits: LookupLimits = {}): Promise<FoundKey> {
  const base = normalizeKeyserver(keyserver);
  const fpr = fingerprint.toUpperCase();
  const [found] = await tryInterfaces([`${base}/vks/v1/by-fingerprint/${fpr}`, `${base}/pks/lookup?op=get&options=mr&search=0x${fpr}`], get, limits, async (body, url) => [
    await keyWithFingerprint(body, fpr, "keyserver", url),
  ]);
  return found!;
}
