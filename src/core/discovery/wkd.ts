/**
 * Web Key Directory (draft-koch-openpgp-webkey-service): the recipient's own domain publishes
 * their key under a name derived from the address. The advanced method asks the
 * `openpgpkey.` subdomain, the direct method the domain itself; both over HTTPS only. Like
 * Thunderbird, the direct method is tried whenever the advanced one gave no key.
 */
import { utf8 } from "../bytes.js";
import { SealbirdError } from "../errors.js";
import { keysForAddress, type FoundKey } from "./accept.js";
import { attemptOf, bestFailure, type Attempt } from "./attempts.js";
import { LOOKUP_MAX_BYTES, LOOKUP_TIMEOUT_MS, httpError, httpsGet, notFound, type HttpGet } from "./http.js";
import { zbase32 } from "./zbase32.js";

export interface LookupLimits {
  timeoutMs?: number;
  maxBytes?: number;
}

export function splitAddress(email: string): { local: string; domain: string } {
  const at = email.lastIndexOf("@");
  const local = at > 0 ? email.slice(0, at) : "";
  const domain = at > 0 ? email.slice(at + 1).trim().toLowerCase() : "";
  if (!local || !/^[^\s/\\?#@:[\]]+\.[^\s/\\?#@:[\]]+$/.test(domain)) throw new SealbirdError("usage", `Not an e-mail address: ${email}`, { email });
  return { local, domain };
}

/** The WKD hash: SHA-1 of the local part with only ASCII letters lowercased, in z-base-32. */
export async function wkdHash(local: string): Promise<string> {
  const lowered = local.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const digest = await globalThis.crypto.subtle.digest("SHA-1", utf8(lowered) as BufferSource);
  return zbase32(new Uint8Array(digest));
}

export async function wkdUrls(email: string): Promise<{ advanced: string; direct: string }> {
  const { local, domain } = splitAddress(email);
  const hash = await wkdHash(local);
  // ?l= carries the local part unchanged, for servers that map names themselves.
  const l = `?l=${encodeURIComponent(local)}`;
  return {
    advanced: `https://openpgpkey.${domain}/.well-known/openpgpkey/${domain}/hu/${hash}${l}`,
    direct: `https://${domain}/.well-known/openpgpkey/hu/${hash}${l}`,
  };
}

/** One WKD URL: the keys for `email` in its answer, or a typed error. */
async function fetchWkd(url: string, email: string, get: HttpGet, limits: LookupLimits): Promise<FoundKey[]> {
  const res = await httpsGet(get, { url, timeoutMs: limits.timeoutMs ?? LOOKUP_TIMEOUT_MS, maxBytes: limits.maxBytes ?? LOOKUP_MAX_BYTES, accept: "application/octet-stream" });
  if (res.status === 404 || res.status === 410) throw notFound(url);
  if (res.status !== 200) throw httpError(url, res.status);
  return keysForAddress(res.body, email, "wkd", url);
}

export async function lookupWkd(email: string, get: HttpGet, limits: LookupLimits = {}): Promise<FoundKey[]> {
  const urls = await wkdUrls(email.trim());
  const attempts: Attempt[] = [];
  for (const url of [urls.advanced, urls.direct]) {
    try {
      return await fetchWkd(url, email.trim(), get, limits);
    } catch (e) {
      attempts.push(attemptOf(url, e));
      // Offline is offline for every host: no point asking the next one.
      if (attempts[attempts.length - 1]!.code === "network-offline") break;
    }
  }
  throw bestFailure(attempts);
}
