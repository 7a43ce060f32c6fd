/**
 * Where a certificate says its revocation status is published: OCSP responders in the
 * Authority Information Access extension (RFC 5280 4.2.2.1) and CRLs in CRL Distribution
 * Points (4.2.1.13). Only http(s) addresses are returned; LDAP or file URIs are ignored.
 */
import type * as pkijs from "pkijs";
import { isHttpUrl } from "../net/http.js";

const AIA = "1.3.6.1.5.5.7.1.1";
const AD_OCSP = "1.3.6.1.5.5.7.48.1";
const CRL_DP = "2.5.29.31";
/** GeneralName uniformResourceIdentifier [6]. */
const URI = 6;
/** A certificate naming more addresses than this is not worth asking all of them. */
const MAX_URLS = 4;

function urisOf(names: readonly pkijs.GeneralName[] | undefined): string[] {
  return (names ?? []).filter((n) => n.type === URI && typeof n.value === "string").map((n) => String(n.value).trim());
}

function httpOnly(urls: string[]): string[] {
  return [...new Set(urls.filter(isHttpUrl))].slice(0, MAX_URLS);
}

export function ocspUrls(cert: pkijs.Certificate): string[] {
  const ext = cert.extensions?.find((e) => e.extnID === AIA);
  const info = ext?.parsedValue as pkijs.InfoAccess | undefined;
  const names = (info?.accessDescriptions ?? []).filter((d) => d.accessMethod === AD_OCSP).map((d) => d.accessLocation);
  return httpOnly(urisOf(names));
}

export function crlUrls(cert: pkijs.Certificate): string[] {
  const ext = cert.extensions?.find((e) => e.extnID === CRL_DP);
  const dps = (ext?.parsedValue as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? [];
  const urls: string[] = [];
  for (const dp of dps) {
    // A distribution point given as a name relative to the issuer has no address to fetch.
    if (Array.isArray(dp.distributionPoint)) urls.push(...urisOf(dp.distributionPoint));
  }
  return httpOnly(urls);
}
