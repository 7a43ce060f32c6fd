// Thunderbird's optional host permission for key lookups, asked for from a click in a page
// (Thunderbird shows its prompt only for a user's action).
import { LOOKUP_ORIGINS, REVOCATION_ORIGINS } from "../../src/background/discovery/origins";

declare const browser: { permissions: { request(p: { origins: string[] }): Promise<boolean>; remove(p: { origins: string[] }): Promise<boolean> } };

/** Call it first thing in a click handler: after an await the click no longer counts. */
export function requestLookupPermission(): Promise<boolean> {
  return browser.permissions.request({ origins: LOOKUP_ORIGINS });
}

export function removeLookupPermission(): Promise<boolean> {
  return browser.permissions.remove({ origins: LOOKUP_ORIGINS });
}

/** The same, for revocation checks (http and https: OCSP responders and CRLs are mostly plain http). */
export function requestRevocationPermission(): Promise<boolean> {
  return browser.permissions.request({ origins: REVOCATION_ORIGINS });
}
